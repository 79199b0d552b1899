//! Memory forge3d allocates for bulk data: 64-byte aligned (a cache line,
//! what Arrow asks), and fallible. A refused allocation is an
//! [`Error::OutOfMemory`] (Python `MemoryError`) naming what it was for,
//! never an abort as with `Vec` or arrow's `MutableBuffer`.

use std::alloc::{self, Layout};
use std::ptr::NonNull;
use std::sync::Arc;

use arrow_buffer::Buffer;

use crate::error::{Error, Result};

/// Alignment of forge3d-allocated memory.
pub const ALIGN: usize = 64;

/// A heap block of `Layout`, freed when the last Arrow buffer over it goes.
struct Aligned {
    ptr: NonNull<u8>,
    layout: Layout,
}

// SAFETY: the block is plain bytes owned by this value alone; it is only
// freed in `drop`.
unsafe impl Send for Aligned {}
unsafe impl Sync for Aligned {}
impl std::panic::RefUnwindSafe for Aligned {}

impl Drop for Aligned {
    fn drop(&mut self) {
        // SAFETY: allocated in `AlignedBlock::new` with this layout.
        unsafe { alloc::dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

/// A fresh block being filled; [`AlignedBlock::freeze`] makes it an Arrow
/// [`Buffer`] that NumPy, Arrow and DLPack exports share.
pub struct AlignedBlock {
    owner: Option<Arc<Aligned>>,
    len: usize,
}

/// Physical memory plus swap in bytes (Linux: /proc/meminfo), read once;
/// None where it is not known.
fn memory_limit() -> Option<u64> {
    static LIMIT: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        let text = std::fs::read_to_string("/proc/meminfo").ok()?;
        let kib = |key| meminfo_kib(&text, key);
        Some((kib("MemTotal:")? + kib("SwapTotal:").unwrap_or(0)) * 1024)
    })
}

/// The value in kiB of `key` (e.g. `"MemTotal:"`) in /proc/meminfo's text.
fn meminfo_kib(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The host memory available, when it is less than `need` bytes (`None`:
/// `need` fits, or the available memory is not known).
pub fn host_shortfall(need: u64) -> Option<u64> {
    host_memory_available().filter(|&available| need > available)
}

/// Host memory that can still be allocated without swapping or being
/// killed (Linux: `MemAvailable` plus free swap, within the process's
/// cgroup limit), read afresh each call; `None` where it is not known.
pub fn host_memory_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib = |key| meminfo_kib(&text, key);
    let mut available = (kib("MemAvailable:")? + kib("SwapFree:").unwrap_or(0)) * 1024;
    let read = |f: &str| -> Option<u64> {
        std::fs::read_to_string(format!("/sys/fs/cgroup/{f}"))
            .ok()?
            .trim()
            .parse()
            .ok()
    };
    if let (Some(max), Some(current)) = (read("memory.max"), read("memory.current")) {
        available = available.min(max.saturating_sub(current));
    }
    Some(available)
}

impl AlignedBlock {
    /// `count` elements of `item` bytes each, zeroed when `zero`. `what`
    /// names the data in the error (e.g. `"heights"`).
    pub fn new(what: &str, count: usize, item: usize, zero: bool) -> Result<Self> {
        let len = count
            .checked_mul(item)
            .filter(|&n| n <= isize::MAX as usize - ALIGN)
            .ok_or_else(|| {
                Error::OutOfMemory(format!(
                    "{what}: {count} values of {item} bytes exceed the address space"
                ))
            })?;
        if len == 0 {
            return Ok(Self { owner: None, len });
        }
        // With overcommit, the allocator grants any size and the process is
        // killed when the pages are touched: refuse what the machine cannot
        // hold at all, before asking.
        if let Some(limit) = memory_limit() {
            if len as u64 > limit {
                return Err(Error::OutOfMemory(format!(
                    "{what}: {len} bytes ({:.1} GiB) for {count} values exceed this machine's \
                     memory ({:.1} GiB with swap); pass less data at once",
                    len as f64 / (1u64 << 30) as f64,
                    limit as f64 / (1u64 << 30) as f64
                )));
            }
        }
        let layout = Layout::from_size_align(len, ALIGN)
            .map_err(|e| Error::OutOfMemory(format!("{what}: {len} bytes: {e}")))?;
        // SAFETY: `layout` has a non-zero size.
        let raw = unsafe {
            if zero {
                alloc::alloc_zeroed(layout)
            } else {
                alloc::alloc(layout)
            }
        };
        let ptr = NonNull::new(raw).ok_or_else(|| {
            Error::OutOfMemory(format!(
                "{what}: cannot allocate {len} bytes ({:.1} GiB) for {count} values; pass \
                 less data at once",
                len as f64 / (1u64 << 30) as f64
            ))
        })?;
        Ok(Self {
            owner: Some(Arc::new(Aligned { ptr, layout })),
            len,
        })
    }

    pub fn len_bytes(&self) -> usize {
        self.len
    }

    /// The block as `T`s (uninitialised unless zeroed: write before reading).
    pub fn as_mut_ptr<T>(&mut self) -> *mut T {
        match &self.owner {
            Some(o) => o.ptr.as_ptr().cast(),
            None => NonNull::<T>::dangling().as_ptr(),
        }
    }

    /// The block as a slice of `T`.
    ///
    /// # Safety
    /// Every element must have been written (or the block zeroed, for a `T`
    /// whose all-zero bytes are a value).
    pub unsafe fn as_mut_slice<T>(&mut self) -> &mut [T] {
        let n = self.len / std::mem::size_of::<T>();
        unsafe { std::slice::from_raw_parts_mut(self.as_mut_ptr::<T>(), n) }
    }

    /// The filled block as an immutable Arrow buffer.
    pub fn freeze(self) -> Buffer {
        match self.owner {
            None => Buffer::from(arrow_buffer::MutableBuffer::new(0)),
            Some(owner) => {
                let ptr = owner.ptr;
                // SAFETY: `ptr` points to `len` bytes that live as long as
                // `owner`, which the Buffer keeps.
                unsafe { Buffer::from_custom_allocation(ptr, self.len, owner) }
            }
        }
    }
}

/// `Vec::with_capacity`, but a refused allocation is an error naming `what`.
pub fn try_vec<T>(what: &str, capacity: usize) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(capacity).map_err(|_| {
        Error::OutOfMemory(format!(
            "{what}: cannot allocate {capacity} values of {} bytes; pass less data at once",
            std::mem::size_of::<T>()
        ))
    })?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_sizes_are_errors_not_aborts() {
        let e = AlignedBlock::new("heights", usize::MAX / 2, 4, false).err();
        assert!(matches!(e, Some(Error::OutOfMemory(m)) if m.starts_with("heights:")));
        // Within the address space but past any machine's memory.
        let e = AlignedBlock::new("heights", 1 << 60, 1, false).err();
        assert!(matches!(e, Some(Error::OutOfMemory(_))));
        assert!(try_vec::<f32>("x", usize::MAX / 8).is_err());
    }

    #[test]
    fn blocks_are_aligned_and_frozen_in_place() {
        let mut b = AlignedBlock::new("t", 10, 4, true).unwrap();
        let p = b.as_mut_ptr::<f32>();
        assert_eq!(p as usize % ALIGN, 0);
        unsafe { b.as_mut_slice::<f32>()[3] = 2.5 };
        let buf = b.freeze();
        assert_eq!(buf.as_ptr() as usize, p as usize);
        assert_eq!(buf.typed_data::<f32>()[3], 2.5);
        assert_eq!(
            AlignedBlock::new("e", 0, 4, false).unwrap().freeze().len(),
            0
        );
    }
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    #[test]
    fn available_memory_is_within_the_machine() {
        let (Some(limit), Some(free)) = (memory_limit(), host_memory_available()) else {
            return;
        };
        assert!(free > 0 && free <= limit, "{free} of {limit}");
    }

    #[test]
    fn more_than_the_machine_holds_is_refused_before_asking() {
        let Some(limit) = memory_limit() else { return };
        let too_much = (limit / 4 + 1) as usize; // 4-byte values
        let e = AlignedBlock::new("heights", too_much, 4, false)
            .err()
            .expect("refused");
        assert!(
            e.to_string().contains("exceed this machine's memory"),
            "{e}"
        );
        assert!(AlignedBlock::new("heights", 1 << 20, 4, true).is_ok());
    }
}
