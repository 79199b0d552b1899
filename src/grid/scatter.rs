//! Scattering points into grid cells, on several threads, in about the
//! memory of the output grid.
//!
//! The accumulators are the output itself (one f32 per cell) plus one bit
//! per cell that says whether the cell was hit. Min, max, first, last and
//! count need nothing else (count keeps a `u32` in the cell's bits). Mean
//! keeps the first point's value in the cell; only cells hit twice or more
//! get an exact `(f64 sum, count)` entry in a side table, so on a lattice,
//! where each cell holds one point, memory is the grid plus 1/32 of it.
//! When there are more points than cells (binning), most cells are hit
//! several times and mean keeps a dense 16-byte `(sum, count)` per cell
//! instead: the table is then larger than that.
//!
//! Each point updates one random cell of a grid far larger than the CPU's
//! caches, so the work is bound by how many cache misses are in flight.
//! More cores keep more misses in flight: the cells are split into one
//! contiguous range per worker, points are sorted into per-range buckets as
//! their cells are computed, and each worker applies its buckets to its own
//! range. No cell is touched by two threads, and every cell sees its points
//! in table order, so `first`/`last` and the sums are the same as on one
//! thread.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::cells::zeroed_vec;
use super::{Agg, Fill};

/// Grids smaller than this are scattered on one thread: they fit in cache,
/// where threads only add overhead.
const PARALLEL_MIN_CELLS: usize = 1 << 20;

/// Cells hit more than once, for `mean`: exact sum and count.
type Multi = HashMap<u32, (f64, u64), BuildHasherDefault<CellHasher>>;

/// Cell numbers are already well spread: one multiply mixes them enough.
#[derive(Default)]
struct CellHasher(u64);

impl Hasher for CellHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ *b as u64).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.0 = (v as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// The grid being filled, split into ranges of `1 << shift` cells (a
/// multiple of 64, so no bitmap word is shared), one per bucket.
pub(super) struct Scatter {
    values: Vec<f32>,
    hit: Vec<u64>,
    multi: Vec<Multi>,
    /// Mean over dense bins: (sum, count) per cell; empty otherwise.
    dense: Vec<Dense>,
    agg: Agg,
    shift: u32,
    buckets: usize,
}

/// What the scatter leaves: the values, and the cells no point fell into.
pub(super) struct Filled {
    pub values: Vec<f32>,
    pub hit: Vec<u64>,
    pub empty_cells: usize,
}

/// A mean's accumulator in a dense bin.
#[derive(Clone, Copy, bytemuck::Zeroable)]
#[repr(C)]
struct Dense {
    sum: f64,
    count: u64,
}

impl Scatter {
    /// `None` when the memory cannot be had. Ranges for up to `workers`;
    /// `dense_mean` picks mean's dense storage (many cells hit repeatedly).
    pub fn new(cells: usize, agg: Agg, workers: usize, dense_mean: bool) -> Option<Self> {
        let workers = if cells >= PARALLEL_MIN_CELLS {
            workers.max(1)
        } else {
            1
        };
        // Ranges of a power-of-two size, so a point's bucket is a shift.
        let shift = cells
            .div_ceil(workers)
            .max(64)
            .next_power_of_two()
            .trailing_zeros();
        let buckets = cells.div_ceil(1 << shift).max(1);
        Some(Self {
            values: zeroed_vec(cells)?,
            hit: zeroed_vec(cells.div_ceil(64))?,
            multi: (0..buckets).map(|_| Multi::default()).collect(),
            dense: if agg == Agg::Mean && dense_mean {
                zeroed_vec(cells)?
            } else {
                Vec::new()
            },
            agg,
            shift,
            buckets,
        })
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
        let run = |b: usize, mut range: Range<'_>| {
            for p in placed {
                apply(&mut range, b * size, &p[b], agg);
            }
        };
        let mut dense = self.dense.chunks_mut(size);
        let ranges = self
            .values
            .chunks_mut(size)
            .zip(self.hit.chunks_mut(size / 64))
            .zip(self.multi.iter_mut())
            .map(|((values, hit), multi)| Range {
                values,
                hit,
                multi,
                dense: dense.next(),
            });
        if self.buckets == 1 {
            ranges.enumerate().for_each(|(b, r)| run(b, r));
            return;
        }
        std::thread::scope(|s| {
            for (b, range) in ranges.enumerate() {
                if placed.iter().any(|p| !p[b].is_empty()) {
                    s.spawn(move || run(b, range));
                }
            }
        });
    }

    /// Final values: means from their sums, counts as numbers, and empty
    /// cells set to `fill_value` (NaN for holes).
    pub fn finish(mut self, fill_value: f32) -> Filled {
        for multi in &self.multi {
            for (&k, &(sum, n)) in multi {
                self.values[k as usize] = (sum / n as f64) as f32;
            }
        }
        for (v, d) in self.values.iter_mut().zip(&self.dense) {
            if d.count > 0 {
                *v = (d.sum / d.count as f64) as f32;
            }
        }
        let mut empty_cells = 0;
        for (k, v) in self.values.iter_mut().enumerate() {
            let hit = self.hit[k / 64] & (1 << (k % 64)) != 0;
            if self.agg == Agg::Count {
                *v = v.to_bits() as f32;
                empty_cells += usize::from(!hit);
            } else if !hit {
                *v = fill_value;
                empty_cells += 1;
            }
        }
        Filled {
            values: self.values,
            hit: self.hit,
            empty_cells,
        }
    }
}

/// What empty cells hold before any `fill="nearest"`.
pub(super) fn fill_value(agg: Agg, fill: Fill) -> f32 {
    match (agg, fill) {
        (Agg::Count, _) | (_, Fill::Hole) | (_, Fill::Nearest) => f32::NAN,
        (_, Fill::Value(v)) => v,
    }
}

/// One worker's share of the grid.
struct Range<'a> {
    values: &'a mut [f32],
    hit: &'a mut [u64],
    multi: &'a mut Multi,
    dense: Option<&'a mut [Dense]>,
}

/// Applies `points` (cells numbered from `lo`), prefetching ahead so the
/// cache misses overlap instead of queueing.
fn apply(range: &mut Range<'_>, lo: usize, points: &[(u32, f64)], agg: Agg) {
    const AHEAD: usize = 32;
    let Range {
        values,
        hit,
        multi,
        dense,
    } = range;
    for i in 0..points.len() {
        #[cfg(target_arch = "x86_64")]
        if let Some(&(k, _)) = points.get(i + AHEAD) {
            // SAFETY: a prefetch of an in-bounds address; no access.
            unsafe {
                use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                let at = k as usize - lo;
                match dense.as_deref() {
                    Some(d) => _mm_prefetch::<_MM_HINT_T0>(d.as_ptr().add(at) as *const i8),
                    None => _mm_prefetch::<_MM_HINT_T0>(values.as_ptr().add(at) as *const i8),
                }
            };
        }
        let (k, z) = points[i];
        let j = k as usize - lo;
        let (word, bit) = (j / 64, 1u64 << (j % 64));
        let first = hit[word] & bit == 0;
        hit[word] |= bit;
        let v = &mut values[j];
        let zf = z as f32;
        match agg {
            Agg::Mean if dense.is_some() => {
                let d = &mut dense.as_deref_mut().expect("dense")[j];
                d.sum += z;
                d.count += 1;
            }
            Agg::Mean => {
                if first {
                    *v = zf;
                } else {
                    let e = multi.entry(k).or_insert((*v as f64, 1));
                    e.0 += z;
                    e.1 += 1;
                }
            }
            Agg::Min => {
                if first || zf < *v {
                    *v = zf
                }
            }
            Agg::Max => {
                if first || zf > *v {
                    *v = zf
                }
            }
            Agg::First => {
                if first {
                    *v = zf
                }
            }
            Agg::Last => *v = zf,
            Agg::Count => *v = f32::from_bits(v.to_bits().saturating_add(1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_and_dense_means_agree_and_empty_cells_are_filled() {
        let cells = 3000;
        // Cell k gets k % 4 points (0 to 3), in two producers' lists.
        let mut a = Vec::new();
        let mut b = Vec::new();
        for k in 0..cells as u32 {
            for i in 0..k % 4 {
                let z = k as f64 * 0.5 + i as f64 * 0.25;
                if i % 2 == 0 {
                    a.push((k, z))
                } else {
                    b.push((k, z))
                }
            }
        }
        let mut out = Vec::new();
        for dense in [false, true] {
            let mut s = Scatter::new(cells, Agg::Mean, 1, dense).unwrap();
            assert_eq!(s.buckets(), 1);
            s.apply(&[vec![a.clone()], vec![b.clone()]]);
            let f = s.finish(-1.0);
            assert_eq!(f.empty_cells, cells / 4);
            out.push(f.values);
        }
        assert_eq!(out[0], out[1]);
        for k in 0..cells {
            let n = k % 4;
            let want = if n == 0 {
                -1.0
            } else {
                ((0..n)
                    .map(|i| k as f64 * 0.5 + i as f64 * 0.25)
                    .sum::<f64>()
                    / n as f64) as f32
            };
            assert_eq!(out[0][k], want, "cell {k}");
        }
    }
}
