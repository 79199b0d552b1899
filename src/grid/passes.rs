//! The passes over the table: the extent (skipped when `bounds` and a shape
//! or resolution are given), then the scatter.
//!
//! Cells are computed by a branch-free kernel, 64 rows at a time (AVX2 when
//! the CPU has it, chosen at run time). On one thread they are applied
//! straight to the grid; on several, sorted into per-range buckets first
//! (`scatter`). Batches are read in rounds of zero-copy slices; the slices of a round are
//! split into contiguous runs, one per worker, so that results merged in
//! worker order are in table order. A round holds at most
//! `ROUND_SLICES_PER_WORKER` slices per worker, so memory stays the grid
//! plus a few batches whatever the number of rows.

use arrow_array::RecordBatch;

use super::kernel::{bad_z_error, Kernel, SKIP};
use super::scatter::{self, Filled, Scatter, Seed, ZVal};
use super::{read_xyz, slices, two_smallest, Agg, Batches, Columns, Geometry, GridOptions, Scan};
use crate::error::{Error, Result};

/// Slices (of `SLICE_ROWS` rows) per worker and round.
const ROUND_SLICES_PER_WORKER: usize = 1;

/// Runs `work` on every round of slices: `work(run)` on each worker's run,
/// in parallel, results in table order. Stops at the first error, or when
/// `each_round` says so.
fn rounds<T: Send>(
    batches: Batches<'_>,
    workers: usize,
    work: impl Fn(&[RecordBatch]) -> Result<T> + Sync,
    mut each_round: impl FnMut(Vec<T>) -> Result<bool>,
) -> Result<()> {
    let per_round = workers * ROUND_SLICES_PER_WORKER;
    let mut round: Vec<RecordBatch> = Vec::with_capacity(per_round);
    let mut it = slices(batches).peekable();
    while it.peek().is_some() {
        round.clear();
        while round.len() < per_round {
            match it.next() {
                Some(b) => round.push(b?),
                None => break,
            }
        }
        let run = round.len().div_ceil(workers);
        let results: Vec<Result<T>> = if workers == 1 || round.len() == 1 {
            vec![work(&round)]
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> = round
                    .chunks(run)
                    .map(|part| s.spawn(|| work(part)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                    .collect()
            })
        };
        if !each_round(results.into_iter().collect::<Result<Vec<T>>>()?)? {
            break;
        }
    }
    Ok(())
}

/// Worker threads for a table pass: `threads`, else the machine's cores, at
/// most 8 (memory bandwidth is the limit beyond).
pub(super) fn workers(o: &GridOptions) -> usize {
    o.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|p| p.get())
            .unwrap_or(1)
            .clamp(1, 8)
    })
}

/// With `threads=None`, fewer cores than this scatter straight to the grid
/// on one thread: sorting points into buckets costs 1.4 (16 cores) to 2.5
/// (2 cores) times the CPU time of the direct scatter (`docs/benchmarks.md`),
/// so it only pays with three or more cores.
const BUCKETS_MIN_WORKERS: usize = 3;

pub(super) fn empty_scan() -> Scan {
    Scan {
        n: 0,
        skipped: 0,
        outside: 0,
        xmin: f64::INFINITY,
        xmax: f64::NEG_INFINITY,
        ymin: f64::INFINITY,
        ymax: f64::NEG_INFINITY,
        x2: f64::INFINITY,
        y2: f64::INFINITY,
    }
}

pub(super) fn merge_scan(a: &mut Scan, b: &Scan) {
    a.n += b.n;
    a.skipped += b.skipped;
    a.outside += b.outside;
    for v in [b.xmin, b.x2] {
        two_smallest(v, &mut a.xmin, &mut a.x2);
    }
    for v in [b.ymin, b.y2] {
        two_smallest(v, &mut a.ymin, &mut a.y2);
    }
    a.xmax = a.xmax.max(b.xmax);
    a.ymax = a.ymax.max(b.ymax);
}

fn scan_run(run: &[RecordBatch], c: &Columns<'_>, o: &GridOptions) -> Result<Scan> {
    let mut s = empty_scan();
    let inf = f64::INFINITY;
    let (bx0, by0, bx1, by1) = o.bounds.unwrap_or((-inf, -inf, inf, inf));
    let (mut sx, mut sy, mut sz) = (Vec::new(), Vec::new(), Vec::new());
    for batch in run {
        let [bx, by, bz] = read_xyz(batch, c, &mut sx, &mut sy, &mut sz)?;
        s.n += batch.num_rows();
        for start in (0..bx.len()).step_by(SCAN_CHUNK) {
            let end = (start + SCAN_CHUNK).min(bx.len());
            let (x, y, z) = (&bx[start..end], &by[start..end], &bz[start..end]);
            let valid = |i: usize| {
                x[i].abs() < f64::INFINITY && y[i].abs() < f64::INFINITY && !z[i].is_nan()
            };
            // Branch-free (vectorised): extent, the invalid rows, the valid
            // rows outside `bounds`, bad heights.
            let (mut xlo, mut xhi, mut ylo, mut yhi) = (inf, -inf, inf, -inf);
            let (mut invalid, mut outside, mut bad_z) = (0u32, 0u32, 0u32);
            for i in 0..x.len() {
                let ok = valid(i);
                let inside = x[i] >= bx0 && x[i] <= bx1 && y[i] >= by0 && y[i] <= by1;
                outside += u32::from(ok & !inside);
                let (a, b) = if ok { (x[i], y[i]) } else { (inf, inf) };
                let (p, q) = if ok { (x[i], y[i]) } else { (-inf, -inf) };
                xlo = if a < xlo { a } else { xlo };
                ylo = if b < ylo { b } else { ylo };
                xhi = if p > xhi { p } else { xhi };
                yhi = if q > yhi { q } else { yhi };
                invalid += u32::from(!ok);
                bad_z |= u32::from(ok & ((z[i] as f32).abs() == f32::INFINITY));
            }
            if bad_z != 0 {
                return Err(bad_z_error(x, y, z, c));
            }
            // The second-smallest distinct values, a second pass over the
            // chunk (in cache).
            let (mut x2, mut y2) = (inf, inf);
            for i in 0..x.len() {
                let ok = valid(i);
                let a = if ok && x[i] > xlo { x[i] } else { inf };
                let b = if ok && y[i] > ylo { y[i] } else { inf };
                x2 = if a < x2 { a } else { x2 };
                y2 = if b < y2 { b } else { y2 };
            }
            s.skipped += invalid as usize;
            s.outside += outside as usize;
            for v in [xlo, x2] {
                two_smallest(v, &mut s.xmin, &mut s.x2);
            }
            for v in [ylo, y2] {
                two_smallest(v, &mut s.ymin, &mut s.y2);
            }
            s.xmax = s.xmax.max(xhi);
            s.ymax = s.ymax.max(yhi);
        }
    }
    Ok(s)
}

/// Rows the extent pass reduces at a time (twice: the second-smallest
/// values need the smallest first).
const SCAN_CHUNK: usize = 512;

/// First pass: row count, extent and the two smallest distinct x and y.
pub(super) fn scan(batches: Batches<'_>, c: &Columns<'_>, o: &GridOptions) -> Result<Scan> {
    let mut s = empty_scan();
    rounds(
        batches,
        workers(o),
        |run| scan_run(run, c, o),
        |parts| {
            for p in &parts {
                merge_scan(&mut s, p);
            }
            Ok(true)
        },
    )?;
    Ok(s)
}

pub(super) struct Accumulated {
    pub filled: Filled,
    /// Rows the stream gave (valid or not).
    pub rows: usize,
    /// Rows with a null or NaN x, y or z.
    pub skipped: usize,
    /// Valid rows outside the bounds.
    pub outside: usize,
}

/// What one worker made of its run: (cell, z) of every placed point, sorted
/// into the scatter's buckets; `None` when a point lies off the lattice.
struct Placed<Z> {
    rows: usize,
    skipped: usize,
    outside: usize,
    buckets: Option<Vec<Vec<(u32, Z)>>>,
}

/// Bucket sets given back after a round, reused so that the next round
/// writes into memory already paged in.
type Spare<Z> = parking_lot::Mutex<Vec<Vec<Vec<(u32, Z)>>>>;

/// Where a walk's cells go ([`Kernel::walk`]'s `sink`).
trait Sink {
    fn step(&mut self, next: &[u32], ks: &[u32], zs: &[f64]);
}

/// What a walk over batches counted; `off_lattice` when it stopped at a
/// point off `g`'s lattice.
#[derive(Default)]
pub(super) struct Walked {
    pub rows: usize,
    pub skipped: usize,
    pub outside: usize,
    pub off_lattice: bool,
}

/// Walks every row of `batches` into `sink`: the checks and counts shared by
/// the scatter on buckets and the direct one.
fn walk_batches<B: std::borrow::Borrow<RecordBatch>>(
    batches: impl Iterator<Item = Result<B>>,
    c: &Columns<'_>,
    g: &Geometry,
    sink: &mut impl Sink,
) -> Result<Walked> {
    let (mut sx, mut sy, mut sz) = (Vec::new(), Vec::new(), Vec::new());
    let kernel = Kernel::new(g);
    let mut w = Walked::default();
    for batch in batches {
        let batch = batch?;
        let batch = batch.borrow();
        let [x, y, z] = read_xyz(batch, c, &mut sx, &mut sy, &mut sz)?;
        w.rows += batch.num_rows();
        let facts = kernel.walk([x, y, z], &mut |next, ks, zs| sink.step(next, ks, zs));
        if facts.bad_z {
            return Err(bad_z_error(x, y, z, c));
        }
        if g.lattice && facts.off_lattice {
            w.off_lattice = true;
            return Ok(w);
        }
        w.skipped += facts.invalid;
        w.outside += facts.outside;
    }
    Ok(w)
}

/// Sorts points into the scatter's buckets.
struct Bucketing<Z> {
    shift: u32,
    buckets: Vec<Vec<(u32, Z)>>,
}

impl<Z: ZVal> Sink for Bucketing<Z> {
    #[inline(always)]
    fn step(&mut self, _next: &[u32], ks: &[u32], zs: &[f64]) {
        for (&k, &zv) in ks.iter().zip(zs) {
            if k != SKIP {
                self.buckets[(k >> self.shift) as usize].push((k, Z::from_f64(zv)));
            }
        }
    }
}

/// Applies points straight to a one-range scatter, each step's cells
/// prefetched a step before they are applied.
struct Direct(Scatter);

impl Sink for Direct {
    #[inline(always)]
    fn step(&mut self, next: &[u32], ks: &[u32], zs: &[f64]) {
        self.0.prefetch_cells(next);
        self.0.apply_cells(ks, zs);
    }
}

fn place_run<Z: ZVal>(
    run: &[RecordBatch],
    c: &Columns<'_>,
    g: &Geometry,
    (shift, n): (u32, usize),
    spare: &Spare<Z>,
) -> Result<Placed<Z>> {
    let reused = spare.lock().pop();
    let mut sink = Bucketing {
        shift,
        buckets: reused.unwrap_or_else(|| vec![Vec::new(); n]),
    };
    let w = walk_batches(run.iter().map(Ok), c, g, &mut sink)?;
    Ok(Placed {
        rows: w.rows,
        skipped: w.skipped,
        outside: w.outside,
        buckets: (!w.off_lattice).then_some(sink.buckets),
    })
}

/// The scatter on the calling thread, straight to the grid: the least CPU
/// time per row (no buckets written and read back).
fn scatter_direct(
    batches: Batches<'_>,
    c: &Columns<'_>,
    g: &Geometry,
    scatter: Scatter,
) -> Result<(Scatter, Walked)> {
    let mut sink = Direct(scatter);
    let w = walk_batches(slices(batches), c, g, &mut sink)?;
    Ok((sink.0, w))
}

/// The scatter over `workers` threads: points sorted into buckets by cell
/// range, each bucket applied by one worker.
fn scatter_buckets<Z: ZVal>(
    batches: Batches<'_>,
    c: &Columns<'_>,
    g: &Geometry,
    (mut scatter, workers): (Scatter, usize),
) -> Result<(Scatter, Walked)> {
    let (shift, n) = (scatter.shift(), scatter.buckets());
    let mut w = Walked::default();
    let spare = Spare::<Z>::default();
    rounds(
        batches,
        workers,
        |run| place_run::<Z>(run, c, g, (shift, n), &spare),
        |parts| {
            let mut placed = Vec::with_capacity(parts.len());
            for p in parts {
                w.rows += p.rows;
                w.skipped += p.skipped;
                w.outside += p.outside;
                match p.buckets {
                    Some(b) => placed.push(b),
                    None => w.off_lattice = true,
                }
            }
            if w.off_lattice {
                return Ok(false);
            }
            scatter.apply(&placed);
            let mut spare = spare.lock();
            for mut set in placed {
                set.iter_mut().for_each(Vec::clear);
                spare.push(set);
            }
            Ok(true)
        },
    )?;
    Ok((scatter, w))
}

fn no_memory(g: &Geometry) -> Error {
    Error::InvalidArgument(format!(
        "not enough memory for a {} x {} grid; pass a coarser resolution or a smaller shape",
        g.rows, g.cols
    ))
}

/// Scatters every valid point of `batches` into `g`'s cells (`dense_mean`:
/// mean keeps a dense (sum, count) per cell), on one thread or several as
/// `o.threads` says, continuing the accumulators `seed` when given (see
/// [`Scatter::seed`]). The walk reports `off_lattice` when `g` is a lattice
/// candidate and a point lies off its nodes.
pub(super) fn scatter_rows(
    batches: Batches<'_>,
    c: &Columns<'_>,
    o: &GridOptions,
    g: &Geometry,
    dense_mean: bool,
    seed: Option<Seed<'_>>,
) -> Result<(Scatter, Walked)> {
    let direct = match o.threads {
        Some(n) => n == 1,
        None => workers(o) < BUCKETS_MIN_WORKERS,
    };
    let cells = g.rows * g.cols;
    let seeded = |mut s: Scatter| -> Result<Scatter> {
        if let Some(seed) = seed {
            if !s.seed(seed) {
                return Err(Error::InvalidArgument(format!(
                    "partial grid: the accumulators do not fit a {} x {} grid of {:?}",
                    g.rows, g.cols, o.agg
                )));
            }
        }
        Ok(s)
    };
    if direct {
        let scatter = Scatter::single(cells, o.agg, dense_mean).ok_or_else(|| no_memory(g))?;
        return scatter_direct(batches, c, g, seeded(scatter)?);
    }
    let scatter = Scatter::new(cells, o.agg, workers(o), dense_mean).ok_or_else(|| no_memory(g))?;
    let scatter = seeded(scatter)?;
    let parts = (scatter, workers(o));
    // Points wait in buckets as f64 for mean (exact sums), as f32 (what the
    // others keep) otherwise: half the memory traffic.
    if o.agg == Agg::Mean {
        scatter_buckets::<f64>(batches, c, g, parts)
    } else {
        scatter_buckets::<f32>(batches, c, g, parts)
    }
}

/// Second pass: scatters every valid point (about `points` of them) into
/// `g`'s cells. `None` when `g` is a lattice candidate and a point lies off
/// its nodes.
pub(super) fn accumulate(
    batches: Batches<'_>,
    c: &Columns<'_>,
    o: &GridOptions,
    g: &Geometry,
    points: usize,
) -> Result<Option<Accumulated>> {
    // Binned points hit cells repeatedly unless they are sparse; a lattice
    // holds one point per cell (a duplicate now and then).
    let dense_mean = !g.lattice && points.saturating_mul(4) > g.rows * g.cols;
    let (scatter, w) = scatter_rows(batches, c, o, g, dense_mean, None)?;
    Ok((!w.off_lattice).then(|| Accumulated {
        filled: scatter.finish(scatter::fill_value(o.agg, o.fill)),
        rows: w.rows,
        skipped: w.skipped,
        outside: w.outside,
    }))
}
