//! Zeroed scratch memory for the per-cell accumulators. Points arrive in any
//! order, so every point touches a random cell; on Linux the memory is
//! backed by transparent huge pages where the system allows it, which turns
//! most of those TLB misses into hits.

use std::ops::{Deref, DerefMut};

/// A zero-initialised slice of `T` (all-zero bytes must be a valid `T`).
pub struct ZeroedSlice<T: bytemuck::Zeroable> {
    ptr: *mut T,
    len: usize,
    bytes: usize,
}

impl<T: bytemuck::Zeroable> ZeroedSlice<T> {
    /// `None` when the memory cannot be had.
    pub fn new(len: usize) -> Option<Self> {
        let bytes = len.checked_mul(std::mem::size_of::<T>())?.max(1);
        #[cfg(target_os = "linux")]
        unsafe {
            // SAFETY: anonymous private mapping, zero-filled by the kernel.
            let p = libc::mmap(
                std::ptr::null_mut(),
                bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            if p != libc::MAP_FAILED {
                // Best effort: refused where THP is off.
                libc::madvise(p, bytes, libc::MADV_HUGEPAGE);
                return Some(Self {
                    ptr: p as *mut T,
                    len,
                    bytes,
                });
            }
        }
        let layout = std::alloc::Layout::from_size_align(bytes, 64).ok()?;
        // SAFETY: non-zero size; zeroed memory is a valid T.
        let p = unsafe { std::alloc::alloc_zeroed(layout) } as *mut T;
        if p.is_null() {
            return None;
        }
        Some(Self {
            ptr: p,
            len,
            bytes: bytes | (1usize << (usize::BITS - 1)),
        })
    }
}

impl<T: bytemuck::Zeroable> Deref for ZeroedSlice<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        // SAFETY: `len` zero-initialised `T`s live at `ptr`.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl<T: bytemuck::Zeroable> DerefMut for ZeroedSlice<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as above, and `&mut self` is exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl<T: bytemuck::Zeroable> Drop for ZeroedSlice<T> {
    fn drop(&mut self) {
        let heap_flag = 1usize << (usize::BITS - 1);
        if self.bytes & heap_flag != 0 {
            let layout =
                std::alloc::Layout::from_size_align(self.bytes & !heap_flag, 64).expect("layout");
            // SAFETY: allocated above with this layout.
            unsafe { std::alloc::dealloc(self.ptr as *mut u8, layout) };
            return;
        }
        #[cfg(target_os = "linux")]
        // SAFETY: mapped above with this length.
        unsafe {
            libc::munmap(self.ptr as *mut libc::c_void, self.bytes);
        }
    }
}

// SAFETY: owns its memory like a Box<[T]>.
unsafe impl<T: bytemuck::Zeroable + Send> Send for ZeroedSlice<T> {}
