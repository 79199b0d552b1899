//! The scatter pass's per-row arithmetic: each row's cell computed by a
//! branch-free kernel, 64 rows at a time (AVX2 when the CPU has it, chosen
//! at run time), and the checks of heights that do not fit float32.

use super::{read_xyz, Batches, Columns, Geometry};
use crate::error::{Error, Result};

/// Rows whose cells are computed at a time, into a small local array (the
/// loop over them is branch-free, so the compiler vectorises it).
pub(super) const STEP: usize = 64;

/// How far (in cells) a point of a lattice may lie from its node.
pub(super) const LATTICE_TOLERANCE: f64 = 1e-6;

/// Marks a row that is not placed (a null/NaN coordinate or height, or a
/// point outside `bounds`).
pub(super) const SKIP: u32 = u32::MAX;

/// The per-row arithmetic of the scatter pass, hoisted out of the loop.
pub(super) struct Kernel {
    x0: f64,
    y0: f64,
    inv_dx: f64,
    inv_dy: f64,
    /// 0.5 on a lattice (round to the nearest node), 0 for bins (floor).
    half: f64,
    col_max: f64,
    row_max: f64,
    cols: u32,
    rows_m1: u32,
    /// Points outside [xlo, xhi] x [ylo, yhi] are dropped (infinite
    /// without `bounds`).
    xlo: f64,
    xhi: f64,
    ylo: f64,
    yhi: f64,
}

/// What one chunk held besides its cells.
#[derive(Default)]
pub(super) struct ChunkFacts {
    pub(super) invalid: usize,
    pub(super) outside: usize,
    /// A placed point lies more than `LATTICE_TOLERANCE` cells off its
    /// cell's node (meaningful on a lattice only).
    pub(super) off_lattice: bool,
    /// A valid row has a height that does not fit float32.
    pub(super) bad_z: bool,
}

impl Kernel {
    pub(super) fn new(g: &Geometry) -> Self {
        let (xlo, xhi, ylo, yhi) = g.clip_or_all();
        Self {
            x0: g.x0,
            y0: g.y0,
            inv_dx: 1.0 / g.dx,
            inv_dy: 1.0 / g.dy,
            half: if g.lattice { 0.5 } else { 0.0 },
            col_max: (g.cols - 1) as f64,
            row_max: (g.rows - 1) as f64,
            cols: g.cols as u32,
            rows_m1: (g.rows - 1) as u32,
            xlo,
            xhi,
            ylo,
            yhi,
        }
    }

    /// Computes the cells of all rows of a slice, `STEP` rows at a time.
    /// `sink(next, ks, zs)` gets the cells just computed (`next`, to
    /// prefetch) and those of the step before with their heights (`ks`,
    /// `zs`, to apply; `SKIP` for rows not placed), so that a step's cache
    /// misses overlap the next step's work. Steps are short so that the
    /// scattered stores overlap the arithmetic (the stores, not the
    /// arithmetic, are the limit). A bad height or an off-lattice point is reported for the
    /// whole slice, after `sink` has seen it: callers then drop the grid.
    #[inline(always)]
    pub(super) fn walk<F: FnMut(&[u32], &[u32], &[f64])>(
        &self,
        xyz: [&[f64]; 3],
        sink: &mut F,
    ) -> ChunkFacts {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            return unsafe { self.walk_avx2(xyz, sink) };
        }
        self.walk_any(xyz, sink)
    }

    /// [`Kernel::walk`] compiled for AVX2 (4 rows per instruction).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn walk_avx2<F: FnMut(&[u32], &[u32], &[f64])>(
        &self,
        xyz: [&[f64]; 3],
        sink: &mut F,
    ) -> ChunkFacts {
        self.walk_any(xyz, sink)
    }

    #[inline(always)]
    fn walk_any<F: FnMut(&[u32], &[u32], &[f64])>(
        &self,
        xyz: [&[f64]; 3],
        sink: &mut F,
    ) -> ChunkFacts {
        let [x, y, z] = xyz;
        let mut all = ChunkFacts::default();
        // Two cell buffers: the step just computed, and the one before it,
        // which the sink gets together with its heights (no copies).
        let mut bufs = [[0u32; STEP]; 2];
        let mut held: Option<(usize, usize, usize)> = None;
        for (i, start) in (0..x.len()).step_by(STEP).enumerate() {
            let end = (start + STEP).min(x.len());
            let (xs, ys, zs) = (&x[start..end], &y[start..end], &z[start..end]);
            let cur = i & 1;
            let f = self.cells_any(xs, ys, zs, &mut bufs[cur]);
            all.invalid += f.invalid;
            all.outside += f.outside;
            all.off_lattice |= f.off_lattice;
            all.bad_z |= f.bad_z;
            let next = &bufs[cur][..end - start];
            match held {
                Some((b, s, e)) => sink(next, &bufs[b][..e - s], &z[s..e]),
                None => sink(next, &[], &[]),
            }
            held = Some((cur, start, end));
        }
        if let Some((b, s, e)) = held {
            sink(&[], &bufs[b][..e - s], &z[s..e]);
        }
        all
    }

    /// Cell numbers of up to `STEP` rows into `out` (`SKIP` for rows not
    /// placed). The cell is `floor(f + half)` clamped to the grid, computed
    /// as a truncation of the clamped value (the same cell: below 0 both
    /// give 0, above the last both give the last).
    #[inline(always)]
    fn cells_any(&self, x: &[f64], y: &[f64], z: &[f64], out: &mut [u32; STEP]) -> ChunkFacts {
        let n = x.len().min(STEP);
        let (x, y, z) = (&x[..n], &y[..n], &z[..n]);
        // Integer reductions only (float ones would keep it scalar).
        let (mut invalid, mut outside, mut off, mut bad_z) = (0u32, 0u32, 0u32, 0u32);
        for i in 0..n {
            let (xv, yv, zv) = (x[i], y[i], z[i]);
            let fx = (xv - self.x0) * self.inv_dx;
            let fy = (yv - self.y0) * self.inv_dy;
            // `if` forms, not f64::max/min: NaN (an invalid row) becomes 0
            // here, and the row is skipped below.
            let cx = fx + self.half;
            let cx = if cx > 0.0 { cx } else { 0.0 };
            let cx = if cx < self.col_max { cx } else { self.col_max };
            let cy = fy + self.half;
            let cy = if cy > 0.0 { cy } else { 0.0 };
            let cy = if cy < self.row_max { cy } else { self.row_max };
            // SAFETY: cx, cy lie in [0, col_max] / [0, row_max] (NaN became
            // 0 above), and those fit i32 (grids have at most 2^31 cells).
            let (ix, iy) = unsafe { (cx.to_int_unchecked::<i32>(), cy.to_int_unchecked::<i32>()) };
            let k = (self.rows_m1 - iy as u32)
                .wrapping_mul(self.cols)
                .wrapping_add(ix as u32);
            let valid = xv.abs() < f64::INFINITY && yv.abs() < f64::INFINITY && !zv.is_nan();
            let inside = xv >= self.xlo && xv <= self.xhi && yv >= self.ylo && yv <= self.yhi;
            let placed = valid & inside;
            out[i] = if placed { k } else { SKIP };
            invalid += u32::from(!valid);
            outside += u32::from(valid & !inside);
            let far = (fx - ix as f64).abs() > LATTICE_TOLERANCE
                || (fy - iy as f64).abs() > LATTICE_TOLERANCE;
            off |= u32::from(placed & far);
            bad_z |= u32::from(valid & ((zv as f32).abs() == f32::INFINITY));
        }
        ChunkFacts {
            invalid: invalid as usize,
            outside: outside as usize,
            off_lattice: off != 0,
            bad_z: bad_z != 0,
        }
    }
}

/// The error for the first valid row of `z` whose height is infinite or
/// does not fit float32.
pub(super) fn bad_z_error(x: &[f64], y: &[f64], z: &[f64], c: &Columns<'_>) -> Error {
    for i in 0..x.len() {
        let (xv, yv, zv) = (x[i], y[i], z[i]);
        if xv.is_finite() && yv.is_finite() && !zv.is_nan() {
            if let Some(e) = check_z(zv, c) {
                return e;
            }
        }
    }
    Error::InvalidArgument(format!(
        "z: column {:?} holds a height that does not fit float32",
        c.z
    ))
}

/// The error for the first valid row of the batches whose height is
/// infinite or does not fit float32 (the GPU only flags that one exists).
pub(super) fn first_bad_z(batches: Batches<'_>, c: &Columns<'_>) -> Result<Error> {
    let (mut sx, mut sy, mut sz) = (Vec::new(), Vec::new(), Vec::new());
    for batch in batches {
        let batch = batch?;
        let [x, y, z] = read_xyz(&batch, c, &mut sx, &mut sy, &mut sz)?;
        for i in 0..x.len() {
            if x[i].is_finite() && y[i].is_finite() && !z[i].is_nan() {
                if let Some(e) = check_z(z[i], c) {
                    return Ok(e);
                }
            }
        }
    }
    Ok(bad_z_error(&[], &[], &[], c))
}

/// `Some(error)` when a valid row's height cannot be gridded.
pub(super) fn check_z(z: f64, c: &Columns<'_>) -> Option<Error> {
    if z.is_infinite() {
        return Some(Error::InvalidArgument(format!(
            "z: column {:?} holds an infinite value ({z}); use null or NaN for missing heights",
            c.z
        )));
    }
    if (z as f32).is_infinite() {
        return Some(Error::InvalidArgument(format!(
            "z: column {:?} holds {z}, which does not fit float32 (the grid's type, at \
             most +-3.4e38); rescale the heights",
            c.z
        )));
    }
    None
}
