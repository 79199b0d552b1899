//! Scattering points into grid cells on several threads.
//!
//! Each point updates one random cell of a grid far larger than the CPU's
//! caches, so the work is bound by how many cache misses are in flight.
//! More cores keep more misses in flight: the cells are split into one
//! contiguous range per worker, points are sorted into per-worker buckets as
//! their cells are computed, and each worker applies its bucket to its own
//! range. No cell is touched by two threads, and every cell sees its points
//! in table order, so `first`/`last` and the float sums are the same as on
//! one thread.

use super::cells::ZeroedSlice;
use super::Agg;

/// One output cell while points are scattered: everything a point touches
/// in one 16-byte record, so a point costs one cache miss, not three.
#[derive(Clone, Copy, bytemuck::Zeroable)]
#[repr(C)]
pub(super) struct Cell {
    pub sum: f64,
    pub value: f32,
    pub count: u32,
}

/// Points buffered before the workers apply them (16 bytes each).
const FLUSH_POINTS: usize = 1 << 17;
/// Grids smaller than this are scattered on the calling thread: they fit
/// in cache, where threads only add overhead.
const PARALLEL_MIN_CELLS: usize = 1 << 20;
/// Workers at most: beyond this, memory bandwidth is the limit.
const MAX_WORKERS: usize = 8;

/// Cells plus the points waiting to be applied to them.
pub(super) struct Scatter {
    pub cells: ZeroedSlice<Cell>,
    agg: Agg,
    /// `buckets[w]` holds (cell, z) of the cells in worker `w`'s range,
    /// cells `w << shift` up to `(w + 1) << shift`.
    buckets: Vec<Vec<(u32, f64)>>,
    shift: u32,
    pending: usize,
}

impl Scatter {
    pub fn new(cells: ZeroedSlice<Cell>, agg: Agg) -> Self {
        let n = cells.len();
        let workers = if n >= PARALLEL_MIN_CELLS {
            std::thread::available_parallelism()
                .map(|p| p.get())
                .unwrap_or(1)
                .clamp(1, MAX_WORKERS)
        } else {
            1
        };
        // Ranges of a power-of-two size, so a point's bucket is a shift.
        let shift = n.div_ceil(workers).next_power_of_two().trailing_zeros();
        let buckets = n.div_ceil(1 << shift).max(1);
        Self {
            cells,
            agg,
            buckets: vec![Vec::new(); buckets],
            shift,
            pending: 0,
        }
    }

    /// Queues a point for cell `k` (applied by [`Self::flush`]).
    #[inline]
    pub fn push(&mut self, k: u32, z: f64) {
        self.buckets[(k >> self.shift) as usize].push((k, z));
        self.pending += 1;
        if self.pending >= FLUSH_POINTS {
            self.flush();
        }
    }

    /// Applies every queued point.
    pub fn flush(&mut self) {
        if self.pending == 0 {
            return;
        }
        self.pending = 0;
        let agg = self.agg;
        if self.buckets.len() == 1 {
            apply(&mut self.cells, 0, &self.buckets[0], agg);
            self.buckets[0].clear();
            return;
        }
        let size = 1usize << self.shift;
        std::thread::scope(|s| {
            for (w, (range, bucket)) in self.cells.chunks_mut(size).zip(&self.buckets).enumerate() {
                if !bucket.is_empty() {
                    s.spawn(move || apply(range, w * size, bucket, agg));
                }
            }
        });
        for b in &mut self.buckets {
            b.clear();
        }
    }
}

/// Applies `points` (cells numbered from `lo`) to `cells`, prefetching
/// ahead so the cache misses overlap instead of queueing.
fn apply(cells: &mut [Cell], lo: usize, points: &[(u32, f64)], agg: Agg) {
    const AHEAD: usize = 64;
    for i in 0..points.len() {
        #[cfg(target_arch = "x86_64")]
        if let Some(&(k, _)) = points.get(i + AHEAD) {
            // SAFETY: a prefetch of an in-bounds address; no access.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    cells.as_ptr().add(k as usize - lo) as *const i8,
                )
            };
        }
        let (k, z) = points[i];
        let cell = &mut cells[k as usize - lo];
        let first = cell.count == 0;
        cell.count += 1;
        let zf = z as f32;
        match agg {
            Agg::Mean => cell.sum += z,
            Agg::Min => {
                if first || zf < cell.value {
                    cell.value = zf
                }
            }
            Agg::Max => {
                if first || zf > cell.value {
                    cell.value = zf
                }
            }
            Agg::First => {
                if first {
                    cell.value = zf
                }
            }
            Agg::Last => cell.value = zf,
            Agg::Count => {}
        }
    }
}
