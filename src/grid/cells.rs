//! Zeroed memory for the grid being filled. Points arrive in any order, so
//! every point touches a random cell; on Linux the memory is backed by
//! transparent huge pages where the system allows it, which turns most of
//! those TLB misses into hits.

/// A zero-filled `Vec<T>` of `len` items, `None` when the memory cannot be
/// had. The kernel zeroes the pages as they are first touched (no memset
/// pass), and on Linux they are advised to be huge pages: the scatter
/// touches them in random order.
pub fn zeroed_vec<T: bytemuck::Zeroable>(len: usize) -> Option<Vec<T>> {
    if len == 0 || std::mem::size_of::<T>() == 0 {
        return Some(Vec::new());
    }
    let layout = std::alloc::Layout::array::<T>(len).ok()?;
    // SAFETY: non-zero size; all-zero bytes are a valid T.
    let p = unsafe { std::alloc::alloc_zeroed(layout) } as *mut T;
    if p.is_null() {
        return None;
    }
    #[cfg(target_os = "linux")]
    {
        // Best effort, on the whole 2 MiB pages inside the allocation.
        const HUGE: usize = 2 << 20;
        let (start, end) = (p as usize, p as usize + layout.size());
        let (a, b) = (start.next_multiple_of(HUGE), end / HUGE * HUGE);
        if b > a {
            // SAFETY: advice on pages of our own allocation.
            unsafe { libc::madvise(a as *mut libc::c_void, b - a, libc::MADV_HUGEPAGE) };
        }
    }
    // SAFETY: allocated by the global allocator with `Layout::array::<T>(len)`,
    // which is what Vec uses; `len` zeroed (valid) items.
    Some(unsafe { Vec::from_raw_parts(p, len, len) })
}
