//! Grid geometry: which cells the points fall into, from the extent pass
//! (a lattice placed exactly, or bins of a resolution or shape) or from
//! `bounds`.

use super::{GridOptions, Scan};
use crate::error::{Error, Result};

/// Grid geometry: the cells points fall into.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    pub rows: usize,
    pub cols: usize,
    pub x0: f64,
    pub y0: f64,
    pub dx: f64,
    pub dy: f64,
    /// Lattice: points sit on cell centers (round); bins: cells are
    /// `[x0 + k dx, x0 + (k+1) dx)` (floor).
    pub lattice: bool,
    /// (xmin, xmax, ymin, ymax): points outside are dropped; `bounds`.
    pub clip: Option<(f64, f64, f64, f64)>,
}

impl Geometry {
    /// (xlo, xhi, ylo, yhi): points outside are dropped (infinite without
    /// `bounds`).
    pub(super) fn clip_or_all(&self) -> (f64, f64, f64, f64) {
        self.clip.unwrap_or((
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
        ))
    }

    pub(super) fn origin(&self) -> (f64, f64) {
        if self.lattice {
            (self.x0, self.y0)
        } else {
            (self.x0 + self.dx / 2.0, self.y0 + self.dy / 2.0)
        }
    }
}

/// On a lattice, the step is the gap between the two smallest distinct
/// values; the candidate is confirmed (or refuted) while scattering.
pub(super) fn lattice_candidate(s: &Scan, o: &GridOptions) -> Option<Geometry> {
    if o.resolution.is_some() || o.shape.is_some() || !(s.x2.is_finite() && s.y2.is_finite()) {
        return None;
    }
    let (dx, dy) = (s.x2 - s.xmin, s.y2 - s.ymin);
    let cols = ((s.xmax - s.xmin) / dx).round() + 1.0;
    let rows = ((s.ymax - s.ymin) / dy).round() + 1.0;
    let valid = (s.n - s.skipped) as f64;
    // A lattice with most cells present; far sparser is scattered data.
    let cells = rows * cols;
    if !(cells.is_finite() && cells <= valid * 4.0 && cells <= o.max_cells as f64) {
        return None;
    }
    let (rows, cols) = (rows as usize, cols as usize);
    Some(Geometry {
        rows,
        cols,
        x0: s.xmin,
        y0: s.ymin,
        dx,
        dy,
        lattice: true,
        clip: None,
    })
}

/// Cells needed to cover `span` in steps of `step` (inclusive), if that
/// count is a sane number.
pub(super) fn cell_count(span: f64, step: f64, max: usize) -> Option<usize> {
    let n = (span / step).floor() + 1.0;
    (n.is_finite() && n >= 1.0 && n <= max as f64).then_some(n as usize)
}

pub(super) fn geometry_with(s: &Scan, o: &GridOptions, allow_lattice: bool) -> Result<Geometry> {
    let valid = s.n - s.skipped;
    if valid == 0 {
        return Err(Error::InvalidArgument(format!(
            "table: no rows with finite x and y and a non-null z ({} rows read, {} skipped)",
            s.n, s.skipped
        )));
    }
    let (wx, wy) = (s.xmax - s.xmin, s.ymax - s.ymin);
    if !(wx.is_finite() && wy.is_finite()) {
        return Err(Error::InvalidArgument(
            "x/y: coordinate range overflows; rescale the coordinates".into(),
        ));
    }
    if allow_lattice {
        if let Some(g) = lattice_candidate(s, o) {
            return Ok(g);
        }
    }
    if wx <= 0.0 || wy <= 0.0 {
        return Err(Error::InvalidArgument(format!(
            "x/y: the points span {wx} in x and {wy} in y; a terrain needs at least two distinct \
             x and two distinct y values"
        )));
    }
    let (rows, cols, dx, dy) = if let Some((dx, dy)) = o.resolution {
        if !(dx.is_finite() && dy.is_finite() && dx > 0.0 && dy > 0.0) {
            return Err(Error::InvalidArgument(format!(
                "resolution must be positive finite cell sizes (dx, dy), got ({dx}, {dy})"
            )));
        }
        let too_many = || {
            Error::InvalidArgument(format!(
                "resolution ({dx}, {dy}) over a {wx} x {wy} extent needs more than {} cells; \
                 pass a coarser resolution",
                o.max_cells
            ))
        };
        let cols = cell_count(wx, dx, o.max_cells).ok_or_else(too_many)?;
        let rows = cell_count(wy, dy, o.max_cells).ok_or_else(too_many)?;
        // The GPU draws in float32: a cell size must stay finite there.
        if !((dx as f32).is_finite() && (dy as f32).is_finite()) {
            return Err(Error::InvalidArgument(format!(
                "resolution ({dx}, {dy}) does not fit float32 (at most 3.4e38), which the GPU \
                 draws in; pass a finer resolution"
            )));
        }
        (rows, cols, dx, dy)
    } else if let Some((rows, cols)) = o.shape {
        if rows < 2 || cols < 2 || rows.saturating_mul(cols) > o.max_cells {
            return Err(Error::InvalidArgument(format!(
                "shape must be at least (2, 2) and at most {} cells, got ({rows}, {cols})",
                o.max_cells
            )));
        }
        // Bins cover [min, max] exactly; the max point falls into the last bin.
        (
            rows,
            cols,
            wx / cols as f64 * (1.0 + 1e-12),
            wy / rows as f64 * (1.0 + 1e-12),
        )
    } else {
        // About one point per cell, with the points' aspect (bounded: very
        // flat extents must not ask for absurd shapes).
        let side = (o.max_cells as f64).sqrt();
        let cols = (valid as f64 * wx / wy).sqrt().round().clamp(2.0, side) as usize;
        let rows = (valid as f64 / cols as f64).round().clamp(2.0, side) as usize;
        (
            rows,
            cols,
            wx / cols as f64 * (1.0 + 1e-12),
            wy / rows as f64 * (1.0 + 1e-12),
        )
    };
    if rows.saturating_mul(cols) > o.max_cells {
        return Err(Error::InvalidArgument(format!(
            "the grid would have {rows} x {cols} cells (more than {}); pass a coarser resolution \
             or a smaller shape",
            o.max_cells
        )));
    }
    Ok(Geometry {
        rows,
        cols,
        x0: s.xmin,
        y0: s.ymin,
        dx,
        dy,
        lattice: false,
        clip: None,
    })
}

/// `bounds` must be a finite box of positive width and height that float32
/// can span (the GPU draws in float32).
pub(super) fn check_bounds((xmin, ymin, xmax, ymax): (f64, f64, f64, f64)) -> Result<()> {
    let (wx, wy) = (xmax - xmin, ymax - ymin);
    if !([xmin, ymin, xmax, ymax].iter().all(|v| v.is_finite()) && wx > 0.0 && wy > 0.0) {
        return Err(Error::InvalidArgument(format!(
            "bounds must be finite (xmin, ymin, xmax, ymax) with xmin < xmax and ymin < ymax, \
             got ({xmin:?}, {ymin:?}, {xmax:?}, {ymax:?})"
        )));
    }
    if !((wx as f32).is_finite() && (wy as f32).is_finite()) {
        return Err(Error::InvalidArgument(format!(
            "bounds ({xmin:?}, {ymin:?}, {xmax:?}, {ymax:?}) span more than float32 holds \
             (3.4e38), which the GPU draws in; rescale the coordinates"
        )));
    }
    Ok(())
}

/// The geometry of a grid over `bounds`: cells of exactly the box's size
/// over `shape`, or of `resolution` (the last row and column reaching past
/// the box when it does not divide evenly), or about one point per cell
/// (`valid` points, from the extent pass).
pub(super) fn geometry_bounds(
    (xmin, ymin, xmax, ymax): (f64, f64, f64, f64),
    o: &GridOptions,
    valid: Option<usize>,
) -> Result<Geometry> {
    check_bounds((xmin, ymin, xmax, ymax))?;
    let (wx, wy) = (xmax - xmin, ymax - ymin);
    let too_many = |rows: f64, cols: f64| {
        Error::InvalidArgument(format!(
            "the grid over bounds ({xmin:?}, {ymin:?}, {xmax:?}, {ymax:?}) would have {rows} x {cols} \
             cells (more than {}); pass a coarser resolution or a smaller shape",
            o.max_cells
        ))
    };
    let (rows, cols, dx, dy) = if let Some((dx, dy)) = o.resolution {
        if !(dx.is_finite() && dy.is_finite() && dx > 0.0 && dy > 0.0) {
            return Err(Error::InvalidArgument(format!(
                "resolution must be positive finite cell sizes (dx, dy), got ({dx}, {dy})"
            )));
        }
        if !((dx as f32).is_finite() && (dy as f32).is_finite()) {
            return Err(Error::InvalidArgument(format!(
                "resolution ({dx}, {dy}) does not fit float32 (at most 3.4e38), which the GPU \
                 draws in; pass a finer resolution"
            )));
        }
        // A cell more only when the box is not a whole number of cells
        // (beyond float rounding).
        let cols = (wx / dx - 1e-9).ceil().max(1.0);
        let rows = (wy / dy - 1e-9).ceil().max(1.0);
        if rows * cols > o.max_cells as f64 {
            return Err(too_many(rows, cols));
        }
        (rows as usize, cols as usize, dx, dy)
    } else if let Some((rows, cols)) = o.shape {
        if rows < 2 || cols < 2 || rows.saturating_mul(cols) > o.max_cells {
            return Err(Error::InvalidArgument(format!(
                "shape must be at least (2, 2) and at most {} cells, got ({rows}, {cols})",
                o.max_cells
            )));
        }
        (rows, cols, wx / cols as f64, wy / rows as f64)
    } else {
        let valid = valid.unwrap_or(0) as f64;
        let side = (o.max_cells as f64).sqrt();
        let cols = (valid * wx / wy).sqrt().round().clamp(2.0, side) as usize;
        let rows = (valid / cols as f64).round().clamp(2.0, side) as usize;
        (rows, cols, wx / cols as f64, wy / rows as f64)
    };
    if rows.saturating_mul(cols) > o.max_cells {
        return Err(too_many(rows as f64, cols as f64));
    }
    Ok(Geometry {
        rows,
        cols,
        x0: xmin,
        y0: ymin,
        dx,
        dy,
        lattice: false,
        clip: Some((xmin, xmax, ymin, ymax)),
    })
}

/// Whether the geometry needs the extent pass: always without `bounds`;
/// with them, only when the shape follows the number of points.
pub(super) fn needs_scan(o: &GridOptions) -> bool {
    o.bounds.is_none() || (o.shape.is_none() && o.resolution.is_none())
}

/// The geometry from the extent pass `s` (made when [`needs_scan`]); a
/// lattice candidate only with `allow_lattice`.
pub(super) fn geometry_of(
    s: Option<&Scan>,
    o: &GridOptions,
    allow_lattice: bool,
) -> Result<Geometry> {
    let Some(bounds) = o.bounds else {
        let s = s.ok_or_else(|| Error::InvalidArgument("table: no extent pass".into()))?;
        return geometry_with(s, o, allow_lattice);
    };
    let valid = s.map(|s| s.n - s.skipped - s.outside);
    if let (Some(s), Some(0)) = (s, valid) {
        return Err(Error::InvalidArgument(format!(
            "table: no rows with finite x and y and a non-null z ({} rows read, {} skipped)",
            s.n, s.skipped
        )));
    }
    geometry_bounds(bounds, o, valid)
}
