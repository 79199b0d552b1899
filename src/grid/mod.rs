//! Dataframe-to-terrain: Arrow record batches of x, y, z points become a
//! height grid. Pure Rust; the batches are streamed twice (extent and
//! lattice detection, then scattering; once with `bounds` and a shape or
//! resolution), each pass on up to 8 threads by default
//! (`passes`, `scatter`), so memory is the output grid plus a few batches,
//! whatever the number of rows.

mod cells;
pub mod columns;
mod fill;
mod geometry;
pub mod gpu;
mod kernel;
pub mod partial;
mod passes;
mod scatter;

use arrow_array::RecordBatch;

use crate::error::{Error, Result};
pub use geometry::Geometry;
use geometry::{check_bounds, geometry_of, geometry_with, needs_scan};
use passes::{accumulate, scan};
use scatter::Filled;

/// Most worker threads `GridOptions::threads` may ask for.
pub const MAX_THREADS: usize = 256;

/// Largest `GridOptions::max_cells`: cell numbers are u32 with one value
/// reserved, and cell coordinates are converted through i32.
pub const MAX_CELLS_LIMIT: usize = i32::MAX as usize;

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
    /// Every reduction.
    pub const ALL: [Agg; 6] = [
        Agg::Mean,
        Agg::Min,
        Agg::Max,
        Agg::First,
        Agg::Last,
        Agg::Count,
    ];

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

/// Where the rows are binned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Device {
    /// The GPU when it has float64 and 64-bit atomics, is not a software
    /// renderer, and the grid has at least [`gpu::AUTO_MIN_CELLS`] cells;
    /// the CPU otherwise, and when the GPU fails (out of memory).
    #[default]
    Auto,
    Cpu,
    Gpu,
}

impl Device {
    pub fn parse(s: &str) -> Result<Device> {
        Ok(match s {
            "auto" => Device::Auto,
            "cpu" => Device::Cpu,
            "gpu" => Device::Gpu,
            other => {
                return Err(Error::InvalidArgument(format!(
                    "device must be one of \"auto\", \"cpu\", \"gpu\"; got {other:?}"
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
    /// (xmin, ymin, xmax, ymax): the grid covers exactly this box (both
    /// edges inclusive); points outside are dropped and counted. With
    /// `shape` or `resolution` the rows are read once (no extent pass).
    pub bounds: Option<(f64, f64, f64, f64)>,
    /// Worker threads; `None`: the machine's cores, at most 8. One thread
    /// applies points straight to the grid: the least CPU time per row.
    pub threads: Option<usize>,
    pub agg: Agg,
    pub fill: Fill,
    /// Largest grid accepted (cells).
    pub max_cells: usize,
    /// CPU or GPU ([`grid`] only; [`grid_from_batches`] is the CPU).
    pub device: Device,
}

impl Default for GridOptions {
    fn default() -> Self {
        Self {
            resolution: None,
            shape: None,
            bounds: None,
            threads: None,
            agg: Agg::Mean,
            fill: Fill::Hole,
            max_cells: 1 << 28,
            device: Device::Auto,
        }
    }
}

/// The grid and what was found on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct GridResult<V = Vec<f32>> {
    /// Row-major, row 0 = largest y (north): a `Vec<f32>` from the CPU, an
    /// Arrow buffer of float32 from [`grid`] (mapped readback memory when
    /// the GPU binned).
    pub values: V,
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
    /// Valid rows outside `bounds`, not used.
    pub rows_outside: usize,
    /// Cells no point fell into (before `fill`).
    pub empty_cells: usize,
    /// True when the GPU binned the rows.
    pub gpu: bool,
}

/// Names the three columns.
#[derive(Debug, Clone)]
pub struct Columns<'a> {
    pub x: &'a str,
    pub y: &'a str,
    pub z: &'a str,
}

/// A restartable source of record batches.
pub type Batches<'a> = Box<dyn Iterator<Item = Result<RecordBatch>> + Send + 'a>;

/// What the extent pass found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scan {
    pub n: usize,
    pub skipped: usize,
    /// Valid rows outside `bounds` (0 without).
    pub outside: usize,
    pub xmin: f64,
    pub xmax: f64,
    pub ymin: f64,
    pub ymax: f64,
    /// Second-smallest distinct x and y: on a lattice, min + step.
    pub x2: f64,
    pub y2: f64,
}

/// Keeps the smallest (`lo`) and second-smallest distinct (`lo2`) values.
#[inline]
fn two_smallest(v: f64, lo: &mut f64, lo2: &mut f64) {
    if v < *lo {
        *lo2 = *lo;
        *lo = v;
    } else if v > *lo && v < *lo2 {
        *lo2 = v;
    }
}

fn column_index(batch: &RecordBatch, name: &str, role: &str) -> Result<usize> {
    let schema = batch.schema();
    let same = schema.fields().iter().filter(|f| f.name() == name).count();
    if same > 1 {
        return Err(Error::InvalidArgument(format!(
            "{role}: the table has {same} columns named {name:?}; rename them so that each \
             name is unique (e.g. df.columns = [...]) and pass {role}=<column name>"
        )));
    }
    schema.index_of(name).map_err(|_| {
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        Error::InvalidArgument(format!(
            "{role}: no column named {name:?}; the table has {names:?}; pass {role}=<column name>"
        ))
    })
}

/// Rows converted at a time: large batches are walked in zero-copy slices
/// so the f64 scratch columns stay in cache and memory stays small.
const SLICE_ROWS: usize = 1 << 16;

fn slices(batches: Batches<'_>) -> impl Iterator<Item = Result<RecordBatch>> + '_ {
    batches.flat_map(|b| -> Box<dyn Iterator<Item = Result<RecordBatch>>> {
        match b {
            Err(e) => Box::new(std::iter::once(Err(e))),
            Ok(b) => {
                let n = b.num_rows();
                Box::new(
                    (0..n.max(1))
                        .step_by(SLICE_ROWS)
                        .map(move |start| Ok(b.slice(start, SLICE_ROWS.min(n - start)))),
                )
            }
        }
    })
}

/// x, y, z of one batch as f64 slices: float64 columns without nulls are
/// read in place, others converted into the scratch vectors (nulls as NaN).
fn read_xyz<'b>(
    batch: &'b RecordBatch,
    c: &Columns<'_>,
    sx: &'b mut Vec<f64>,
    sy: &'b mut Vec<f64>,
    sz: &'b mut Vec<f64>,
) -> Result<[&'b [f64]; 3]> {
    fn one<'b>(
        batch: &'b RecordBatch,
        name: &str,
        role: &str,
        scratch: &'b mut Vec<f64>,
    ) -> Result<&'b [f64]> {
        let index = column_index(batch, name, role)?;
        columns::refuse_extension(
            batch.schema().field(index),
            &format!("{role} column {name:?}"),
        )?;
        let col = batch.column(index);
        if col.data_type() == &arrow_schema::DataType::Float64 && col.null_count() == 0 {
            use arrow_array::cast::AsArray;
            return Ok(col
                .as_primitive::<arrow_array::types::Float64Type>()
                .values());
        }
        scratch.clear();
        columns::append_f64(&format!("{role} column {name:?}"), col, scratch)?;
        let data = col.to_data();
        let width = col.data_type().primitive_width().unwrap_or(8);
        // The first value read (a slice starts `offset` values in).
        let src = data.buffers().first().map_or(std::ptr::null(), |b| {
            b.as_ptr().wrapping_add(data.offset() * width)
        });
        crate::memory::ledger::record(
            "convert",
            col.len() * width,
            src,
            "terrain_from_table: a column that is not float64 without nulls, to float64",
        );
        Ok(scratch)
    }
    Ok([
        one(batch, c.x, "x", sx)?,
        one(batch, c.y, "y", sy)?,
        one(batch, c.z, "z", sz)?,
    ])
}

/// The extent pass where one is needed and the geometry.
fn plan<'a>(
    open: &mut impl FnMut() -> Result<Batches<'a>>,
    c: &Columns<'_>,
    o: &GridOptions,
) -> Result<(Option<Scan>, Geometry)> {
    let s = if needs_scan(o) {
        Some(scan(open()?, c, o)?)
    } else {
        None
    };
    let g = geometry_of(s.as_ref(), o, true)?;
    Ok((s, g))
}

/// The error when no valid row lies inside `bounds`.
fn none_inside(bounds: (f64, f64, f64, f64), rows: usize, outside: usize, skipped: usize) -> Error {
    Error::InvalidArgument(format!(
        "bounds: none of the {rows} rows lies inside bounds {bounds:?} with finite x and y and a \
         non-null z ({outside} outside, {skipped} skipped); pass bounds that cover the points"
    ))
}

fn check_same_rows(first: usize, second: usize) -> Result<()> {
    if first != second {
        return Err(Error::InvalidArgument(format!(
            "table: the stream gave {first} rows the first time and {second} the second; pass a \
             table, not a one-shot reader that changes"
        )));
    }
    Ok(())
}

fn check_options(o: &GridOptions) -> Result<()> {
    if let Some(t) = o.threads {
        if !(1..=MAX_THREADS).contains(&t) {
            return Err(Error::InvalidArgument(format!(
                "threads must be from 1 to {MAX_THREADS} (or None for the machine's cores, at \
                 most 8), got {t}"
            )));
        }
    }
    if o.max_cells > MAX_CELLS_LIMIT {
        return Err(Error::InvalidArgument(format!(
            "max_cells must be at most {MAX_CELLS_LIMIT}, got {}",
            o.max_cells
        )));
    }
    if let Some(b) = o.bounds {
        check_bounds(b)?;
    }
    if let Fill::Value(v) = o.fill {
        if !v.is_finite() {
            return Err(Error::InvalidArgument(format!(
                "fill must be finite, got {v}"
            )));
        }
    }
    Ok(())
}

/// Grids the points of `open()`'s batches on `o.device` (see [`Device`]):
/// the values as an Arrow buffer of float32, which is mapped readback
/// memory when the GPU binned. `Device::Gpu` fails with the reason when the
/// GPU cannot; `Device::Auto` then takes the CPU.
pub fn grid<'a>(
    open: impl FnMut() -> Result<Batches<'a>>,
    c: &Columns<'_>,
    o: &GridOptions,
) -> Result<GridResult<arrow_buffer::Buffer>> {
    match grid_on(None, open, c, o, None)? {
        Grid::Host(r) => Ok(r),
        Grid::Gpu(_) => Err(Error::Gpu(
            "gridding on the GPU: a grid kept there unasked".into(),
        )),
    }
}

/// A grid as [`grid_on`] gives it.
pub enum Grid {
    /// On the host: the CPU's, or the GPU's read back.
    Host(GridResult<arrow_buffer::Buffer>),
    /// Kept on the GPU, laid out as asked.
    Gpu(GridResult<gpu::GpuGrid>),
}

/// [`grid`] on `ctx` (None: the shared context). With `keep_for`, a grid
/// binned on the GPU stays there, laid out as `keep_for(rows, cols)` says,
/// unless `fill="nearest"` (filled on the CPU) has empty cells to fill.
pub fn grid_on<'a>(
    ctx: Option<std::sync::Arc<crate::gpu::GpuContext>>,
    mut open: impl FnMut() -> Result<Batches<'a>>,
    c: &Columns<'_>,
    o: &GridOptions,
    keep_for: Option<&gpu::KeepFor<'_>>,
) -> Result<Grid> {
    check_options(o)?;
    let context = || match ctx.clone() {
        Some(ctx) => Ok(ctx),
        None => crate::gpu::GpuContext::shared(),
    };
    let on_gpu = match o.device {
        Device::Cpu => None,
        Device::Gpu => Some(context()?),
        // A software renderer is the CPU already, and slower at this.
        Device::Auto => context().ok().filter(|ctx| !ctx.info.software),
    };
    let nearest = o.agg != Agg::Count && o.fill == Fill::Nearest;
    if let Some(ctx) = on_gpu {
        let auto = o.device == Device::Auto;
        let planned = match gpu::grid(&ctx, &mut open, c, o, auto, keep_for) {
            // The GPU ran out of memory (or failed otherwise): the CPU
            // grids in about the memory of the grid.
            Err(Error::Gpu(_)) if auto => None,
            Err(e) => return Err(e),
            Ok(gpu::Gridded::Cpu(planned)) => planned,
            Ok(gpu::Gridded::Done(r)) => {
                let mut kept = None;
                let mut r = r.map_values(|v| match v {
                    gpu::Values::Mapped(b) => b,
                    gpu::Values::Gpu(k) => {
                        kept = Some(k);
                        arrow_buffer::Buffer::from_vec(Vec::<f32>::new())
                    }
                });
                if let Some(k) = kept {
                    if !(nearest && r.empty_cells > 0) {
                        return Ok(Grid::Gpu(r.map_values(|_| k)));
                    }
                    // Nearest fills on the CPU: the grid comes back.
                    let mut values = k.read_back(&ctx, r.rows, r.cols)?;
                    let filled: Vec<bool> = values.iter().map(|v| !v.is_nan()).collect();
                    fill::nearest(&mut values, &filled, r.rows, r.cols);
                    r.values = arrow_buffer::Buffer::from_vec(values);
                    return Ok(Grid::Host(r));
                }
                if nearest && r.empty_cells > 0 {
                    // Filled in place: the mapped grid is copied out first.
                    let src: &[f32] = r.values.typed_data();
                    let mut values = vec![0f32; src.len()];
                    crate::memory::ledger::copy_into(
                        bytemuck::cast_slice_mut(&mut values),
                        bytemuck::cast_slice(src),
                        "copy",
                        "terrain_from_table(fill=\"nearest\"): the GPU's grid into writable memory",
                    );
                    let filled: Vec<bool> = values.iter().map(|v| !v.is_nan()).collect();
                    fill::nearest(&mut values, &filled, r.rows, r.cols);
                    r.values = arrow_buffer::Buffer::from_vec(values);
                }
                return Ok(Grid::Host(r));
            }
        };
        let r = grid_cpu(open, c, o, planned)?;
        return Ok(Grid::Host(on_cpu(r)));
    }
    Ok(Grid::Host(on_cpu(grid_cpu(open, c, o, None)?)))
}

impl<V> GridResult<V> {
    /// This result with `f` of its values.
    pub fn map_values<W>(self, f: impl FnOnce(V) -> W) -> GridResult<W> {
        GridResult {
            values: f(self.values),
            rows: self.rows,
            cols: self.cols,
            spacing: self.spacing,
            origin: self.origin,
            lattice: self.lattice,
            rows_read: self.rows_read,
            rows_skipped: self.rows_skipped,
            rows_outside: self.rows_outside,
            empty_cells: self.empty_cells,
            gpu: self.gpu,
        }
    }
}

/// The CPU's grid as [`grid`] returns it.
fn on_cpu(r: GridResult) -> GridResult<arrow_buffer::Buffer> {
    GridResult {
        values: arrow_buffer::Buffer::from_vec(r.values),
        rows: r.rows,
        cols: r.cols,
        spacing: r.spacing,
        origin: r.origin,
        lattice: r.lattice,
        rows_read: r.rows_read,
        rows_skipped: r.rows_skipped,
        rows_outside: r.rows_outside,
        empty_cells: r.empty_cells,
        gpu: false,
    }
}

/// Grids the points of `open()`'s batches on the CPU (`open` is called up
/// to three times; once with `bounds` and a `shape` or `resolution`).
pub fn grid_from_batches<'a>(
    open: impl FnMut() -> Result<Batches<'a>>,
    c: &Columns<'_>,
    o: &GridOptions,
) -> Result<GridResult> {
    check_options(o)?;
    grid_cpu(open, c, o, None)
}

/// The extent pass (when one was made) and the geometry.
type Planned = (Option<Scan>, Geometry);

/// [`grid_from_batches`], with the extent pass and geometry already made
/// when `planned` holds them.
fn grid_cpu<'a>(
    mut open: impl FnMut() -> Result<Batches<'a>>,
    c: &Columns<'_>,
    o: &GridOptions,
    planned: Option<Planned>,
) -> Result<GridResult> {
    let planned = match planned {
        Some(p) => p,
        None => plan(&mut open, c, o)?,
    };
    let (acc, g, rows_read) = if let Some(bounds) = o.bounds {
        let (s, g) = planned;
        // Without the extent pass the number of points is not known: mean
        // keeps dense per-cell sums (binning many points per cell is what
        // bounds are for).
        let points = s
            .as_ref()
            .map_or(usize::MAX, |s| s.n - s.skipped - s.outside);
        let acc = accumulate(open()?, c, o, &g, points)?.expect("binning places every point");
        if let Some(s) = &s {
            check_same_rows(s.n, acc.rows)?;
        }
        if acc.rows == acc.skipped + acc.outside {
            return Err(none_inside(bounds, acc.rows, acc.outside, acc.skipped));
        }
        let rows = acc.rows;
        (acc, g, rows)
    } else {
        let (s, mut g) = planned;
        let s = s.ok_or_else(|| Error::InvalidArgument("table: no extent pass".into()))?;
        let acc = match accumulate(open()?, c, o, &g, s.n - s.skipped)? {
            Some(acc) => acc,
            None => {
                // Not a lattice after all: bin instead (a third pass).
                g = geometry_with(&s, o, false)?;
                accumulate(open()?, c, o, &g, s.n - s.skipped)?
                    .expect("binning always places every point")
            }
        };
        check_same_rows(s.n, acc.rows)?;
        (acc, g, s.n)
    };
    Ok(finished(
        acc.filled,
        &g,
        o,
        (rows_read, acc.skipped, acc.outside),
    ))
}

/// The grid of the scattered cells `filled` over `g`, empty cells filled as
/// `o.fill` says; `(rows read, skipped, outside)`.
fn finished(
    filled: Filled,
    g: &Geometry,
    o: &GridOptions,
    (rows_read, rows_skipped, rows_outside): (usize, usize, usize),
) -> GridResult {
    let Filled {
        mut values,
        hit,
        empty_cells,
    } = filled;
    if o.agg != Agg::Count && o.fill == Fill::Nearest && empty_cells > 0 {
        let filled: Vec<bool> = (0..values.len())
            .map(|k| hit[k / 64] & (1 << (k % 64)) != 0)
            .collect();
        drop(hit);
        fill::nearest(&mut values, &filled, g.rows, g.cols);
    }
    GridResult {
        values,
        rows: g.rows,
        cols: g.cols,
        spacing: (g.dx, g.dy),
        origin: g.origin(),
        lattice: g.lattice,
        rows_read,
        rows_skipped,
        rows_outside,
        empty_cells,
        gpu: false,
    }
}

#[cfg(test)]
mod gpu_tests;
#[cfg(test)]
mod tests;
