//! Dataframe-to-terrain: Arrow record batches of x, y, z points become a
//! height grid. Pure Rust; the batches are streamed twice (extent and
//! lattice detection, then scattering), so memory is the output grid plus one
//! batch, whatever the number of rows.

pub mod columns;
mod fill;

use std::collections::HashSet;

use arrow_array::RecordBatch;

use crate::error::{Error, Result};

/// How points that fall into the same cell are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    Mean,
    Min,
    Max,
    First,
    Last,
    Count,
}

impl Agg {
    pub fn parse(s: &str) -> Result<Agg> {
        Ok(match s {
            "mean" => Agg::Mean,
            "min" => Agg::Min,
            "max" => Agg::Max,
            "first" => Agg::First,
            "last" => Agg::Last,
            "count" => Agg::Count,
            other => {
                return Err(Error::InvalidArgument(format!(
                    "agg must be one of mean, min, max, first, last, count; got {other:?}"
                )))
            }
        })
    }
}

/// What empty cells become.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fill {
    /// NaN: a hole (nodata).
    Hole,
    Value(f32),
    /// The value of the nearest filled cell (in grid steps).
    Nearest,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GridOptions {
    /// Cell size (dx, dy) in x/y units; binning.
    pub resolution: Option<(f64, f64)>,
    /// Output (rows, cols); binning.
    pub shape: Option<(usize, usize)>,
    pub agg: Agg,
    pub fill: Fill,
    /// Largest grid accepted (cells).
    pub max_cells: usize,
}

impl Default for GridOptions {
    fn default() -> Self {
        Self {
            resolution: None,
            shape: None,
            agg: Agg::Mean,
            fill: Fill::Hole,
            max_cells: 1 << 28,
        }
    }
}

/// The grid and what was found on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct GridResult {
    /// Row-major, row 0 = largest y (north).
    pub values: Vec<f32>,
    pub rows: usize,
    pub cols: usize,
    /// World units between columns and rows.
    pub spacing: (f64, f64),
    /// World (x, y) of the lower-left cell.
    pub origin: (f64, f64),
    /// True when the points formed a regular lattice placed exactly.
    pub lattice: bool,
    pub rows_read: usize,
    /// Rows with a null or NaN x, y or z, not used.
    pub rows_skipped: usize,
    /// Cells no point fell into (before `fill`).
    pub empty_cells: usize,
}

/// Names the three columns.
#[derive(Debug, Clone)]
pub struct Columns<'a> {
    pub x: &'a str,
    pub y: &'a str,
    pub z: &'a str,
}

/// A restartable source of record batches.
pub type Batches<'a> = Box<dyn Iterator<Item = Result<RecordBatch>> + 'a>;

const MAX_UNIQUE: usize = 1 << 22;

struct Scan {
    n: usize,
    skipped: usize,
    xmin: f64,
    xmax: f64,
    ymin: f64,
    ymax: f64,
    xs: Option<HashSet<u64>>,
    ys: Option<HashSet<u64>>,
}

fn column_index(batch: &RecordBatch, name: &str, role: &str) -> Result<usize> {
    let schema = batch.schema();
    schema.index_of(name).map_err(|_| {
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        Error::InvalidArgument(format!(
            "{role}: no column named {name:?}; the table has {names:?}; pass {role}=<column name>"
        ))
    })
}

/// Reads x, y, z of one batch as f64 (nulls as NaN) into the scratch vectors.
fn read_xyz(
    batch: &RecordBatch,
    c: &Columns<'_>,
    sx: &mut Vec<f64>,
    sy: &mut Vec<f64>,
    sz: &mut Vec<f64>,
) -> Result<()> {
    sx.clear();
    sy.clear();
    sz.clear();
    for (name, role, out) in [(c.x, "x", &mut *sx), (c.y, "y", &mut *sy), (c.z, "z", &mut *sz)] {
        let col = batch.column(column_index(batch, name, role)?);
        columns::append_f64(&format!("{role} column {name:?}"), col, out)?;
    }
    Ok(())
}

fn scan(batches: Batches<'_>, c: &Columns<'_>) -> Result<Scan> {
    let mut s = Scan {
        n: 0,
        skipped: 0,
        xmin: f64::INFINITY,
        xmax: f64::NEG_INFINITY,
        ymin: f64::INFINITY,
        ymax: f64::NEG_INFINITY,
        xs: Some(HashSet::new()),
        ys: Some(HashSet::new()),
    };
    let (mut sx, mut sy, mut sz) = (Vec::new(), Vec::new(), Vec::new());
    for batch in batches {
        let batch = batch?;
        read_xyz(&batch, c, &mut sx, &mut sy, &mut sz)?;
        s.n += batch.num_rows();
        for i in 0..sx.len() {
            let (x, y, z) = (sx[i], sy[i], sz[i]);
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
            s.xmin = s.xmin.min(x);
            s.xmax = s.xmax.max(x);
            s.ymin = s.ymin.min(y);
            s.ymax = s.ymax.max(y);
            for (set, v) in [(&mut s.xs, x), (&mut s.ys, y)] {
                if let Some(h) = set {
                    h.insert((v + 0.0).to_bits());
                    if h.len() > MAX_UNIQUE {
                        *set = None;
                    }
                }
            }
        }
    }
    Ok(s)
}

/// `Some(step)` when the sorted unique values are evenly spaced.
fn regular_step(set: &HashSet<u64>) -> Option<f64> {
    let mut v: Vec<f64> = set.iter().map(|&b| f64::from_bits(b)).collect();
    if v.len() < 2 {
        return None;
    }
    v.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    let step = (v[v.len() - 1] - v[0]) / (v.len() - 1) as f64;
    let tol = step * 1e-6;
    v.iter()
        .enumerate()
        .all(|(i, &x)| (x - (v[0] + i as f64 * step)).abs() <= tol)
        .then_some(step)
}

/// Grid geometry: cell of a point.
struct Geometry {
    rows: usize,
    cols: usize,
    x0: f64,
    y0: f64,
    dx: f64,
    dy: f64,
    /// Lattice: points sit on cell centers (round); bins: cells are
    /// `[x0 + k dx, x0 + (k+1) dx)` (floor).
    lattice: bool,
}

impl Geometry {
    #[inline]
    fn cell(&self, x: f64, y: f64) -> usize {
        let (fx, fy) = ((x - self.x0) / self.dx, (y - self.y0) / self.dy);
        let (cx, cy) = if self.lattice {
            (fx.round(), fy.round())
        } else {
            (fx.floor(), fy.floor())
        };
        let col = (cx.max(0.0) as usize).min(self.cols - 1);
        let from_bottom = (cy.max(0.0) as usize).min(self.rows - 1);
        (self.rows - 1 - from_bottom) * self.cols + col
    }

    fn origin(&self) -> (f64, f64) {
        if self.lattice {
            (self.x0, self.y0)
        } else {
            (self.x0 + self.dx / 2.0, self.y0 + self.dy / 2.0)
        }
    }
}

fn geometry(s: &Scan, o: &GridOptions) -> Result<Geometry> {
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
    if o.resolution.is_none() && o.shape.is_none() {
        if let (Some(xs), Some(ys)) = (&s.xs, &s.ys) {
            if let (Some(dx), Some(dy)) = (regular_step(xs), regular_step(ys)) {
                return Ok(Geometry {
                    rows: ys.len(),
                    cols: xs.len(),
                    x0: s.xmin,
                    y0: s.ymin,
                    dx,
                    dy,
                    lattice: true,
                });
            }
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
        let cols = (wx / dx).floor() as usize + 1;
        let rows = (wy / dy).floor() as usize + 1;
        (rows, cols, dx, dy)
    } else if let Some((rows, cols)) = o.shape {
        if rows < 2 || cols < 2 {
            return Err(Error::InvalidArgument(format!(
                "shape must be at least (2, 2), got ({rows}, {cols})"
            )));
        }
        // Bins cover [min, max] exactly; the max point falls into the last bin.
        (rows, cols, wx / cols as f64 * (1.0 + 1e-12), wy / rows as f64 * (1.0 + 1e-12))
    } else {
        // About one point per cell, with the points' aspect.
        let cols = ((valid as f64 * wx / wy).sqrt().round() as usize).max(2);
        let rows = ((valid as f64 / cols as f64).round() as usize).max(2);
        (rows, cols, wx / cols as f64 * (1.0 + 1e-12), wy / rows as f64 * (1.0 + 1e-12))
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
    })
}

/// Grids the points of `open()`'s batches (called twice).
pub fn grid_from_batches<'a>(
    mut open: impl FnMut() -> Result<Batches<'a>>,
    c: &Columns<'_>,
    o: &GridOptions,
) -> Result<GridResult> {
    if let Fill::Value(v) = o.fill {
        if !v.is_finite() {
            return Err(Error::InvalidArgument(format!("fill must be finite, got {v}")));
        }
    }
    let s = scan(open()?, c)?;
    let g = geometry(&s, o)?;
    let cells = g.rows * g.cols;
    let mut values = vec![f32::NAN; cells];
    let mut count = vec![0u32; cells];
    let mut sum = if o.agg == Agg::Mean { vec![0f64; cells] } else { Vec::new() };
    let (mut sx, mut sy, mut sz) = (Vec::new(), Vec::new(), Vec::new());
    let mut n2 = 0usize;
    for batch in open()? {
        let batch = batch?;
        read_xyz(&batch, c, &mut sx, &mut sy, &mut sz)?;
        n2 += batch.num_rows();
        for i in 0..sx.len() {
            let (x, y, z) = (sx[i], sy[i], sz[i]);
            if !(x.is_finite() && y.is_finite()) || z.is_nan() {
                continue;
            }
            let k = g.cell(x, y);
            let first = count[k] == 0;
            count[k] += 1;
            match o.agg {
                Agg::Mean => sum[k] += z,
                Agg::Min => {
                    if first || (z as f32) < values[k] {
                        values[k] = z as f32
                    }
                }
                Agg::Max => {
                    if first || (z as f32) > values[k] {
                        values[k] = z as f32
                    }
                }
                Agg::First => {
                    if first {
                        values[k] = z as f32
                    }
                }
                Agg::Last => values[k] = z as f32,
                Agg::Count => {}
            }
        }
    }
    if n2 != s.n {
        return Err(Error::InvalidArgument(format!(
            "table: the stream gave {} rows the first time and {n2} the second; pass a table, not a \
             one-shot reader that changes",
            s.n
        )));
    }
    match o.agg {
        Agg::Mean => {
            for k in 0..cells {
                if count[k] > 0 {
                    values[k] = (sum[k] / count[k] as f64) as f32;
                }
            }
        }
        Agg::Count => {
            for k in 0..cells {
                values[k] = count[k] as f32;
            }
        }
        _ => {}
    }
    let empty_cells = count.iter().filter(|&&n| n == 0).count();
    if o.agg != Agg::Count {
        match o.fill {
            Fill::Hole => {}
            Fill::Value(v) => {
                for k in 0..cells {
                    if count[k] == 0 {
                        values[k] = v;
                    }
                }
            }
            Fill::Nearest => fill::nearest(&mut values, &count, g.rows, g.cols),
        }
    }
    Ok(GridResult {
        values,
        rows: g.rows,
        cols: g.cols,
        spacing: (g.dx, g.dy),
        origin: g.origin(),
        lattice: g.lattice,
        rows_read: s.n,
        rows_skipped: s.skipped,
        empty_cells,
    })
}

#[cfg(test)]
mod tests;
