//! Scattering points into grid cells on several threads.
//!
//! Each point updates one random cell of a grid far larger than the CPU's
//! caches, so the work is bound by how many cache misses are in flight.
//! More cores keep more misses in flight: the cells are split into one
//! contiguous range per worker, points are sorted into per-range buckets as
//! their cells are computed, and each worker applies its buckets to its own
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

/// Grids smaller than this are scattered on one thread: they fit in cache,
/// where threads only add overhead.
const PARALLEL_MIN_CELLS: usize = 1 << 20;

/// The cells, split into ranges of `1 << shift` cells, one per bucket.
pub(super) struct Scatter {
    cells: ZeroedSlice<Cell>,
    agg: Agg,
    shift: u32,
    buckets: usize,
}

impl Scatter {
    /// Ranges for up to `workers` threads.
    pub fn new(cells: ZeroedSlice<Cell>, agg: Agg, workers: usize) -> Self {
        let n = cells.len();
        let workers = if n >= PARALLEL_MIN_CELLS {
            workers.max(1)
        } else {
            1
        };
        // Ranges of a power-of-two size, so a point's bucket is a shift.
        let shift = n
            .div_ceil(workers)
            .max(1)
            .next_power_of_two()
            .trailing_zeros();
        let buckets = n.div_ceil(1 << shift).max(1);
        Self {
            cells,
            agg,
            shift,
            buckets,
        }
    }

    /// A point of cell `k` belongs in bucket `k >> shift`.
    pub fn shift(&self) -> u32 {
        self.shift
    }

    pub fn buckets(&self) -> usize {
        self.buckets
    }

    /// Applies `placed[p][b]`, the points producer `p` found for bucket `b`,
    /// one thread per bucket, producers in order (table order).
    pub fn apply(&mut self, placed: &[Vec<Vec<(u32, f64)>>]) {
        let agg = self.agg;
        let size = 1usize << self.shift;
        let run = |b: usize, range: &mut [Cell]| {
            for p in placed {
                apply(range, b * size, &p[b], agg);
            }
        };
        if self.buckets == 1 {
            run(0, &mut self.cells);
            return;
        }
        std::thread::scope(|s| {
            for (b, range) in self.cells.chunks_mut(size).enumerate() {
                if placed.iter().any(|p| !p[b].is_empty()) {
                    s.spawn(move || run(b, range));
                }
            }
        });
    }

    pub fn into_cells(self) -> ZeroedSlice<Cell> {
        self.cells
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
