//! The two passes over the table, each spread over worker threads.
//!
//! Batches are read in rounds of zero-copy slices; the slices of a round are
//! split into contiguous runs, one per worker, so that results merged in
//! worker order are in table order. A round holds at most
//! `ROUND_SLICES_PER_WORKER` slices per worker, so memory stays the grid
//! plus a few batches whatever the number of rows.

use arrow_array::RecordBatch;

use super::scatter::{self, Filled, Scatter};
use super::{read_xyz, slices, two_smallest, Batches, Columns, Geometry, GridOptions, Scan};
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

/// Worker threads for a table pass: the machine's cores, at most 8 (memory
/// bandwidth is the limit beyond).
pub(super) fn workers() -> usize {
    std::thread::available_parallelism()
        .map(|p| p.get())
        .unwrap_or(1)
        .clamp(1, 8)
}

fn empty_scan() -> Scan {
    Scan {
        n: 0,
        skipped: 0,
        xmin: f64::INFINITY,
        xmax: f64::NEG_INFINITY,
        ymin: f64::INFINITY,
        ymax: f64::NEG_INFINITY,
        x2: f64::INFINITY,
        y2: f64::INFINITY,
    }
}

fn merge_scan(a: &mut Scan, b: &Scan) {
    a.n += b.n;
    a.skipped += b.skipped;
    for v in [b.xmin, b.x2] {
        two_smallest(v, &mut a.xmin, &mut a.x2);
    }
    for v in [b.ymin, b.y2] {
        two_smallest(v, &mut a.ymin, &mut a.y2);
    }
    a.xmax = a.xmax.max(b.xmax);
    a.ymax = a.ymax.max(b.ymax);
}

fn scan_run(run: &[RecordBatch], c: &Columns<'_>) -> Result<Scan> {
    let mut s = empty_scan();
    let (mut sx, mut sy, mut sz) = (Vec::new(), Vec::new(), Vec::new());
    for batch in run {
        let [bx, by, bz] = read_xyz(batch, c, &mut sx, &mut sy, &mut sz)?;
        s.n += batch.num_rows();
        for i in 0..bx.len() {
            let (x, y, z) = (bx[i], by[i], bz[i]);
            if !(x.is_finite() && y.is_finite()) || z.is_nan() {
                s.skipped += 1;
                continue;
            }
            if z.is_infinite() {
                return Err(Error::InvalidArgument(format!(
                    "z: column {:?} holds an infinite value ({z}); use null or NaN for missing heights",
                    c.z
                )));
            }
            if (z as f32).is_infinite() {
                return Err(Error::InvalidArgument(format!(
                    "z: column {:?} holds {z}, which does not fit float32 (the grid's type, at \
                     most +-3.4e38); rescale the heights",
                    c.z
                )));
            }
            two_smallest(x, &mut s.xmin, &mut s.x2);
            two_smallest(y, &mut s.ymin, &mut s.y2);
            s.xmax = s.xmax.max(x);
            s.ymax = s.ymax.max(y);
        }
    }
    Ok(s)
}

/// First pass: row count, extent and the two smallest distinct x and y.
pub(super) fn scan(batches: Batches<'_>, c: &Columns<'_>) -> Result<Scan> {
    let mut s = empty_scan();
    rounds(
        batches,
        workers(),
        |run| scan_run(run, c),
        |parts| {
            for p in &parts {
                merge_scan(&mut s, p);
            }
            Ok(true)
        },
    )?;
    Ok(s)
}

/// `v.floor()` for the cell coordinates (clamped to the grid afterwards):
/// inline conversions instead of a libm call on x86-64 without SSE4.1.
/// Values past ±2^63 saturate, which the clamping treats alike.
#[inline(always)]
fn floor(v: f64) -> f64 {
    let t = v as i64 as f64;
    if t > v {
        t - 1.0
    } else {
        t
    }
}

pub(super) struct Accumulated {
    pub filled: Filled,
    /// Rows the stream gave (valid or not).
    pub rows: usize,
}

/// What one worker made of its run: (cell, z) of every valid point, sorted
/// into the scatter's buckets; `None` when a point lies off the lattice.
struct Placed {
    rows: usize,
    buckets: Option<Vec<Vec<(u32, f64)>>>,
}

/// Bucket sets given back after a round, reused so that the next round
/// writes into memory already paged in.
type Spare = parking_lot::Mutex<Vec<Vec<Vec<(u32, f64)>>>>;

fn place_run(
    run: &[RecordBatch],
    c: &Columns<'_>,
    g: &Geometry,
    (shift, n): (u32, usize),
    spare: &Spare,
) -> Result<Placed> {
    let reused = spare.lock().pop();
    let mut buckets = reused.unwrap_or_else(|| vec![Vec::new(); n]);
    let (mut sx, mut sy, mut sz) = (Vec::new(), Vec::new(), Vec::new());
    let (inv_dx, inv_dy) = (1.0 / g.dx, 1.0 / g.dy);
    let mut rows = 0;
    for batch in run {
        let [bx, by, bz] = read_xyz(batch, c, &mut sx, &mut sy, &mut sz)?;
        rows += batch.num_rows();
        for i in 0..bx.len() {
            let (x, y, z) = (bx[i], by[i], bz[i]);
            if !(x.is_finite() && y.is_finite()) || z.is_nan() {
                continue;
            }
            let (fx, fy) = ((x - g.x0) * inv_dx, (y - g.y0) * inv_dy);
            let (cx, cy) = if g.lattice {
                let (rx, ry) = (floor(fx + 0.5), floor(fy + 0.5));
                if (fx - rx).abs() > 1e-6 || (fy - ry).abs() > 1e-6 {
                    return Ok(Placed {
                        rows,
                        buckets: None,
                    });
                }
                (rx, ry)
            } else {
                (floor(fx), floor(fy))
            };
            let col = (cx.max(0.0) as usize).min(g.cols - 1);
            let from_bottom = (cy.max(0.0) as usize).min(g.rows - 1);
            let k = ((g.rows - 1 - from_bottom) * g.cols + col) as u32;
            buckets[(k >> shift) as usize].push((k, z));
        }
    }
    Ok(Placed {
        rows,
        buckets: Some(buckets),
    })
}

/// Second pass: scatters every valid point (`points` of them, from the
/// first pass) into `g`'s cells. `None` when `g` is a lattice candidate and
/// a point lies off its nodes.
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
    let mut scatter =
        Scatter::new(g.rows * g.cols, o.agg, workers(), dense_mean).ok_or_else(|| {
            Error::InvalidArgument(format!(
            "not enough memory for a {} x {} grid; pass a coarser resolution or a smaller shape",
            g.rows, g.cols
        ))
        })?;
    let (shift, n) = (scatter.shift(), scatter.buckets());
    let mut rows = 0usize;
    let mut on_lattice = true;
    let spare = Spare::default();
    rounds(
        batches,
        workers(),
        |run| place_run(run, c, g, (shift, n), &spare),
        |parts| {
            let mut placed = Vec::with_capacity(parts.len());
            for p in parts {
                rows += p.rows;
                match p.buckets {
                    Some(b) => placed.push(b),
                    None => on_lattice = false,
                }
            }
            if !on_lattice {
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
    Ok(on_lattice.then(|| Accumulated {
        filled: scatter.finish(scatter::fill_value(o.agg, o.fill)),
        rows,
    }))
}
