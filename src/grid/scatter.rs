//! Scattering points into grid cells, on several threads, in about the
//! memory of the output grid.
//!
//! The accumulators are the output itself (one 32-bit word per cell).
//! Min, max, first and last keep the height's bits inverted (`!bits`), so
//! the all-zero word of fresh memory means "no point yet" (it would be a
//! NaN, which is never placed) and the grid needs no initialising pass nor
//! a separate hit bitmap; count keeps a `u32`. Mean keeps the first point's
//! value (as float32) in the cell; only cells hit twice or more get a
//! `(f64 sum, count)` entry in a side table, starting from that float32
//! value (so such a mean is within float32 rounding of the exact one). On a
//! lattice, where each cell holds one point, memory is the grid. When there
//! are more points than cells (binning), most cells are hit several times
//! and mean keeps a dense 16-byte `(sum, count)` per cell instead, summing
//! every height in float64: the table is then larger than that.
//!
//! Each point updates one random cell of a grid far larger than the CPU's
//! caches, so the work is bound by how many cache misses are in flight.
//! The cells are split into ranges small enough for a core's cache; points
//! are sorted into per-range buckets as their cells are computed, and each
//! worker applies a contiguous group of buckets, so the updates hit cache.
//! No cell is touched by two threads, and every cell sees its points in
//! table order, so `first`/`last` and the sums are the same as on one
//! thread. On one thread ([`Scatter::single`]) points are applied straight
//! to the grid, each step's cells prefetched a step ahead so that their
//! misses overlap (`passes::scatter_direct`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::cells::zeroed_vec;
use super::{Agg, Fill};

/// Grids smaller than this are scattered on one thread: they fit in cache,
/// where threads only add overhead.
const PARALLEL_MIN_CELLS: usize = 1 << 20;

/// Cells per bucket at most: 512 KiB of values (and 16 KiB of bitmap),
/// which a core's L2 cache holds while the bucket's points are applied,
/// so the random updates hit cache instead of memory.
const RANGE_CELLS: usize = 1 << 17;

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
    /// Cell words (see the module's notes), f32 once finished.
    values: Vec<u32>,
    multi: Vec<Multi>,
    /// Mean over dense bins: (sum, count) per cell; empty otherwise.
    dense: Vec<Dense>,
    agg: Agg,
    shift: u32,
    buckets: usize,
    workers: usize,
}

/// A point's height as it waits in a bucket: `f64` for mean (exact sums),
/// `f32` for the other reductions, which keep float32 values (half the
/// memory traffic).
pub(super) trait ZVal: Copy + Send + Sync + 'static {
    fn from_f64(z: f64) -> Self;
    fn f64(self) -> f64;
    fn f32(self) -> f32;
}

impl ZVal for f64 {
    #[inline(always)]
    fn from_f64(z: f64) -> Self {
        z
    }
    #[inline(always)]
    fn f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn f32(self) -> f32 {
        self as f32
    }
}

impl ZVal for f32 {
    #[inline(always)]
    fn from_f64(z: f64) -> Self {
        z as f32
    }
    #[inline(always)]
    fn f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn f32(self) -> f32 {
        self
    }
}

/// What the scatter leaves: the values, and the cells no point fell into.
pub(super) struct Filled {
    pub values: Vec<f32>,
    pub hit: Vec<u64>,
    pub empty_cells: usize,
}

/// A mean's accumulator in a dense bin.
#[derive(Clone, Copy, bytemuck::Zeroable, bytemuck::Pod)]
#[repr(C)]
pub(super) struct Dense {
    pub sum: f64,
    pub count: u64,
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
        // Ranges of a power-of-two size (a point's bucket is a shift),
        // small enough that a range's cells stay in the core's cache while
        // its points are applied, and at least one per worker.
        let per_worker = cells.div_ceil(workers).max(64).next_power_of_two();
        let shift = per_worker.min(RANGE_CELLS).trailing_zeros();
        let buckets = cells.div_ceil(1 << shift).max(1);
        Some(Self {
            values: zeroed_vec(cells)?,
            multi: (0..buckets).map(|_| Multi::default()).collect(),
            dense: if agg == Agg::Mean && dense_mean {
                zeroed_vec(cells)?
            } else {
                Vec::new()
            },
            agg,
            shift,
            buckets,
            workers,
        })
    }

    /// One range over the whole grid, applied on the calling thread with
    /// [`Scatter::apply_cells`].
    pub fn single(cells: usize, agg: Agg, dense_mean: bool) -> Option<Self> {
        let mut s = Self::new(cells, agg, 1, dense_mean)?;
        s.shift = cells.max(64).next_power_of_two().trailing_zeros();
        s.buckets = 1;
        s.multi.truncate(1);
        Some(s)
    }

    /// Asks the CPU to bring cells `ks` (`u32::MAX`: none) into cache, so
    /// their misses overlap the work before [`Scatter::apply_cells`]
    /// reaches them.
    #[inline]
    pub fn prefetch_cells(&self, ks: &[u32]) {
        #[cfg(target_arch = "x86_64")]
        for &k in ks {
            let at = k as usize;
            let p = if self.dense.is_empty() {
                self.values.get(at).map(|v| v as *const u32 as *const i8)
            } else {
                self.dense.get(at).map(|d| d as *const Dense as *const i8)
            };
            if let Some(p) = p {
                // SAFETY: a prefetch of an in-bounds address; no access.
                unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p) };
            }
        }
    }

    /// Applies heights `zs` to cells `ks` in order (`u32::MAX`: no cell),
    /// on this thread (a [`Scatter::single`]).
    #[inline]
    pub fn apply_cells(&mut self, ks: &[u32], zs: &[f64]) {
        let values = &mut self.values[..];
        let multi = &mut self.multi[0];
        let cells = ks.iter().zip(zs).filter(|(&k, _)| k != u32::MAX);
        match (self.agg, self.dense.is_empty()) {
            (Agg::Mean, false) => {
                for (&k, &z) in cells {
                    let d = &mut self.dense[k as usize];
                    d.sum += z;
                    d.count += 1;
                }
            }
            (Agg::Mean, true) => {
                for (&k, &z) in cells {
                    mean_sparse(&mut values[k as usize], k, z, multi);
                }
            }
            (Agg::Min, _) => cells.for_each(|(&k, &z)| min(&mut values[k as usize], z as f32)),
            (Agg::Max, _) => cells.for_each(|(&k, &z)| max(&mut values[k as usize], z as f32)),
            (Agg::First, _) => cells.for_each(|(&k, &z)| first(&mut values[k as usize], z as f32)),
            (Agg::Last, _) => cells.for_each(|(&k, &z)| values[k as usize] = word(z as f32)),
            (Agg::Count, _) => cells.for_each(|(&k, _)| count(&mut values[k as usize])),
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
    pub fn apply<Z: ZVal>(&mut self, placed: &[Vec<Vec<(u32, Z)>>]) {
        let agg = self.agg;
        let size = 1usize << self.shift;
        let run = |b: usize, mut range: Range<'_>| {
            for p in placed {
                apply::<Z>(&mut range, b * size, &p[b], agg);
            }
        };
        let mut dense = self.dense.chunks_mut(size);
        let ranges =
            self.values
                .chunks_mut(size)
                .zip(self.multi.iter_mut())
                .map(|(values, multi)| Range {
                    values,
                    multi,
                    dense: dense.next(),
                });
        let mut ranges: Vec<(usize, Range<'_>)> = ranges
            .enumerate()
            .filter(|(b, _)| placed.iter().any(|p| !p[*b].is_empty()))
            .collect();
        let workers = self.workers.min(ranges.len());
        if workers <= 1 {
            ranges.into_iter().for_each(|(b, r)| run(b, r));
            return;
        }
        // Contiguous groups of buckets, about the same number of points each.
        let total: usize = ranges
            .iter()
            .map(|(b, _)| placed.iter().map(|p| p[*b].len()).sum::<usize>())
            .sum();
        let share = total.div_ceil(workers);
        let mut groups: Vec<Vec<(usize, Range<'_>)>> = Vec::with_capacity(workers);
        let (mut group, mut size) = (Vec::new(), 0usize);
        for (b, r) in ranges.drain(..) {
            size += placed.iter().map(|p| p[b].len()).sum::<usize>();
            group.push((b, r));
            if size >= share && groups.len() + 1 < workers {
                groups.push(std::mem::take(&mut group));
                size = 0;
            }
        }
        groups.push(group);
        std::thread::scope(|s| {
            for group in groups {
                s.spawn(move || group.into_iter().for_each(|(b, r)| run(b, r)));
            }
        });
    }

    /// Final values: means from their sums, counts as numbers, and empty
    /// cells set to `fill_value` (NaN for holes).
    pub fn finish(self, fill_value: f32) -> Filled {
        let Scatter {
            values: words,
            multi,
            dense,
            agg,
            ..
        } = self;
        // The words become the f32 values in place (same size and alignment).
        let mut values: Vec<f32> = bytemuck::allocation::cast_vec(words);
        let (hit, empty_cells) = finish_in_place(&mut values, &dense, agg, fill_value);
        for multi in &multi {
            for (&k, &(sum, n)) in multi {
                values[k as usize] = (sum / n as f64) as f32;
            }
        }
        Filled {
            values,
            hit,
            empty_cells,
        }
    }

    /// Starts from accumulators [`Scatter::into_raw`] gave, so that the
    /// points scattered next continue those rows (in order): taken over
    /// when owned, copied when only borrowed. False when they do not fit
    /// this scatter.
    pub fn seed(&mut self, seed: Seed<'_>) -> bool {
        let mean = self.agg == Agg::Mean;
        match seed {
            Seed::Owned(RawCells::Words(v)) if !mean && v.len() == self.values.len() => {
                self.values = v;
            }
            Seed::Owned(RawCells::Dense(v)) if mean && v.len() == 2 * self.dense.len() => {
                match bytemuck::allocation::try_cast_vec::<u64, Dense>(v) {
                    Ok(d) => self.dense = d,
                    Err((_, v)) => return self.seed(Seed::Bytes(bytemuck::cast_slice(&v))),
                }
            }
            Seed::Owned(_) => return false,
            Seed::Bytes(raw) => {
                let cells: &mut [u8] = if mean {
                    bytemuck::cast_slice_mut(&mut self.dense[..])
                } else {
                    bytemuck::cast_slice_mut(&mut self.values[..])
                };
                if cells.len() != raw.len() {
                    return false;
                }
                cells.copy_from_slice(raw);
            }
        }
        true
    }

    /// The accumulators themselves, for partial grids merged later
    /// ([`super::partial`]): the cell words, or mean's dense (sum, count)
    /// per cell as two u64 each (the sum's bits, the count). Mean must have
    /// been scattered dense.
    pub fn into_raw(self) -> RawCells {
        if self.agg == Agg::Mean {
            debug_assert!(self.multi.iter().all(|m| m.is_empty()));
            RawCells::Dense(bytemuck::allocation::cast_vec(self.dense))
        } else {
            RawCells::Words(self.values)
        }
    }
}

/// A scatter's accumulators (see [`Scatter::into_raw`]).
pub(super) enum RawCells {
    Words(Vec<u32>),
    Dense(Vec<u64>),
}

/// Accumulators a scatter continues ([`Scatter::seed`]).
pub(super) enum Seed<'a> {
    /// Taken over (no copy).
    Owned(RawCells),
    /// Copied in.
    Bytes(&'a [u8]),
}

/// One pass, 64 cells (one bitmap word) at a time: `values` holds cell
/// words (as bits) or, with `dense`, anything; it becomes the final values.
/// Returns the hit bitmap and the number of empty cells.
pub(super) fn finish_in_place(
    values: &mut [f32],
    dense: &[Dense],
    agg: Agg,
    fill_value: f32,
) -> (Vec<u64>, usize) {
    let mut hit: Vec<u64> = vec![0; values.len().div_ceil(64)];
    let mut filled_cells = 0usize;
    for (b, block) in values.chunks_mut(64).enumerate() {
        let mut bits = 0u64;
        if !dense.is_empty() {
            for (j, v) in block.iter_mut().enumerate() {
                let d = dense[b * 64 + j];
                bits |= u64::from(d.count > 0) << j;
                *v = if d.count > 0 {
                    (d.sum / d.count as f64) as f32
                } else {
                    fill_value
                };
            }
        } else if agg == Agg::Count {
            for (j, v) in block.iter_mut().enumerate() {
                let w = v.to_bits();
                bits |= u64::from(w != 0) << j;
                *v = w as f32;
            }
        } else {
            for (j, v) in block.iter_mut().enumerate() {
                let w = v.to_bits();
                bits |= u64::from(w != 0) << j;
                *v = if w == 0 {
                    fill_value
                } else {
                    f32::from_bits(!w)
                };
            }
        }
        hit[b] = bits;
        filled_cells += bits.count_ones() as usize;
    }
    (hit, values.len() - filled_cells)
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
    values: &'a mut [u32],
    multi: &'a mut Multi,
    dense: Option<&'a mut [Dense]>,
}

/// A height as a cell word: its bits inverted, never 0 (that would be a NaN).
#[inline(always)]
pub(super) fn word(z: f32) -> u32 {
    !z.to_bits()
}

/// Applies `points` (cells numbered from `lo`, a range the core's cache
/// holds) in order.
fn apply<Z: ZVal>(range: &mut Range<'_>, lo: usize, points: &[(u32, Z)], agg: Agg) {
    let Range {
        values,
        multi,
        dense,
    } = range;
    match (agg, dense) {
        (Agg::Mean, Some(dense)) => each::<Z, Dense>(dense, lo, points, |d, _, z| {
            d.sum += z.f64();
            d.count += 1;
        }),
        (Agg::Mean, None) => each::<Z, u32>(values, lo, points, |w, k, z| {
            mean_sparse(w, k, z.f64(), multi)
        }),
        (Agg::Min, _) => each::<Z, u32>(values, lo, points, |w, _, z| min(w, z.f32())),
        (Agg::Max, _) => each::<Z, u32>(values, lo, points, |w, _, z| max(w, z.f32())),
        (Agg::First, _) => each::<Z, u32>(values, lo, points, |w, _, z| first(w, z.f32())),
        (Agg::Last, _) => each::<Z, u32>(values, lo, points, |w, _, z| *w = word(z.f32())),
        (Agg::Count, _) => each::<Z, u32>(values, lo, points, |w, _, _| count(w)),
    }
}

#[inline(always)]
fn mean_sparse(w: &mut u32, k: u32, z: f64, multi: &mut Multi) {
    if *w == 0 {
        *w = word(z as f32);
    } else {
        let e = multi.entry(k).or_insert((f32::from_bits(!*w) as f64, 1));
        e.0 += z;
        e.1 += 1;
    }
}

#[inline(always)]
pub(super) fn min(w: &mut u32, z: f32) {
    if *w == 0 || z < f32::from_bits(!*w) {
        *w = word(z);
    }
}

#[inline(always)]
pub(super) fn max(w: &mut u32, z: f32) {
    if *w == 0 || z > f32::from_bits(!*w) {
        *w = word(z);
    }
}

#[inline(always)]
pub(super) fn first(w: &mut u32, z: f32) {
    if *w == 0 {
        *w = word(z);
    }
}

#[inline(always)]
fn count(w: &mut u32) {
    *w = w.saturating_add(1);
}

/// `f(cell, k, z)` for every point, in order.
#[inline(always)]
fn each<Z: ZVal, C>(
    cells: &mut [C],
    lo: usize,
    points: &[(u32, Z)],
    mut f: impl FnMut(&mut C, u32, Z),
) {
    for &(k, z) in points {
        f(&mut cells[k as usize - lo], k, z);
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
