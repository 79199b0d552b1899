//! Gridding on the GPU (`Device::Gpu`): the rows are copied once into
//! mapped upload memory (x and y as float64, z as float32, or float64 for
//! mean), kept on the GPU in chunks of [`CHUNK_ROWS`] ([`rows`]), and
//! binned there by `gpu.wgsl` with atomics straight into the cells; the
//! finished float32 grid is read back into mapped memory that the
//! heightmap then wraps (no CPU copy on the way out), or kept on the GPU
//! as a terrain's heights ([`keep`]). Cells are computed in float64 by the same operations as on the
//! CPU, so every point lands in the same cell, and min, max, first, last
//! and count equal the CPU's; mean sums exactly in fixed point and equals
//! the CPU's within float32 rounding.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::kernel::first_bad_z;
use super::{
    check_same_rows, geometry_with, none_inside, plan, Agg, Batches, Columns, Fill, Geometry,
    GridOptions, GridResult, Planned,
};
use crate::error::{Error, Result};
use crate::gpu::{layout, GpuContext};

mod keep;
mod rows;

use keep::check_out;
pub use keep::{GpuGrid, Keep, KeepFor, Values};
pub use rows::CHUNK_ROWS;
use rows::{bind_group, upload, z_width, Rows};

/// Most rows one call grids on the GPU (rows are numbered in 32 bits, one
/// value kept for "no point").
pub const MAX_ROWS: usize = u32::MAX as usize - 1;

/// With `Device::Auto`, grids of fewer cells stay on the CPU, where they fit
/// in cache.
pub const AUTO_MIN_CELLS: usize = 1 << 16;

const WORKGROUP: u32 = 256;
const MAX_GROUPS: u32 = 65535;

/// What the GPU path needs of the adapter: float64 arithmetic (cells
/// computed as on the CPU) and 64-bit integer atomics (first, last, mean).
pub fn required_features() -> wgpu::Features {
    wgpu::Features::SHADER_F64
        | wgpu::Features::SHADER_INT64
        | wgpu::Features::SHADER_INT64_ATOMIC_ALL_OPS
}

/// Why `ctx` cannot grid on the GPU, if it cannot.
pub fn unsupported(ctx: &GpuContext) -> Option<String> {
    let missing = required_features() - ctx.device.features();
    (!missing.is_empty()).then(|| {
        format!(
            "the GPU {:?} ({}) lacks {missing:?}, which gridding on the GPU needs (float64 \
             arithmetic and 64-bit atomics)",
            ctx.info.name, ctx.info.backend
        )
    })
}

/// `gpu.wgsl` as compiled for `agg`.
pub fn shader_source(agg: Agg) -> String {
    let zt = if agg == Agg::Mean { "f64" } else { "f32" };
    format!(
        "const AGG: u32 = {}u;\nalias ZT = {zt};\n{}",
        agg_code(agg),
        include_str!("gpu.wgsl")
    )
}

/// Every reduction's gridding shader, named (for validation without a GPU).
pub fn shader_sources() -> Vec<(String, String)> {
    Agg::ALL
        .into_iter()
        .map(|agg| (format!("grid {agg:?}"), shader_source(agg)))
        .collect()
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    x0: f64,
    y0: f64,
    inv_dx: f64,
    inv_dy: f64,
    half: f64,
    col_max: f64,
    row_max: f64,
    big: f64,
    xlo: f64,
    xhi: f64,
    ylo: f64,
    yhi: f64,
    tolerance: f64,
    f32_overflow: f64,
    _pad64: f64,
    cols: u32,
    rows_m1: u32,
    cells: u32,
    fill: u32,
    lattice: u32,
    cell_stride: u32,
    pitch: u32,
    fill_is_value: u32,
    _pad: [u32; 2],
}

fn agg_code(agg: Agg) -> u32 {
    match agg {
        Agg::Mean => 0,
        Agg::Min => 1,
        Agg::Max => 2,
        Agg::First => 3,
        Agg::Last => 4,
        Agg::Count => 5,
    }
}

/// The three entry points of `gpu.wgsl` compiled for one reduction.
struct AggPipelines {
    place: wgpu::ComputePipeline,
    sum: wgpu::ComputePipeline,
    finish: wgpu::ComputePipeline,
}

/// The bind group layout, and the pipelines per reduction (compiled on
/// first use).
struct Pipelines {
    layout: wgpu::BindGroupLayout,
    pipeline_layout: wgpu::PipelineLayout,
    per_agg: Mutex<HashMap<u32, Arc<AggPipelines>>>,
}

impl Pipelines {
    fn new(ctx: &GpuContext) -> Self {
        let c = wgpu::ShaderStages::COMPUTE;
        let layout = ctx
            .device
            .create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some("forge3d grid"),
                entries: &[
                    layout::uniform(0, c, None),
                    layout::uniform(1, c, None),
                    layout::storage(2, c, true),
                    layout::storage(3, c, true),
                    layout::storage(4, c, true),
                    layout::storage(5, c, false),
                    layout::storage(6, c, false),
                    layout::storage(7, c, false),
                    layout::storage(8, c, false),
                    layout::storage(9, c, false),
                ],
            });
        let pipeline_layout = ctx
            .device
            .create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some("forge3d grid"),
                bind_group_layouts: &[Some(&layout)],
                immediate_size: 0,
            });
        Self {
            layout,
            pipeline_layout,
            per_agg: Mutex::new(HashMap::new()),
        }
    }

    fn for_agg(&self, ctx: &GpuContext, agg: Agg) -> Result<Arc<AggPipelines>> {
        let code = agg_code(agg);
        if let Some(p) = self.per_agg.lock().get(&code) {
            return Ok(p.clone());
        }
        let source = shader_source(agg);
        let made = ctx.scoped("compiling the gridding shader", || {
            let module = layout::wgsl(&ctx.device, "forge3d grid", &source);
            let make = |entry: &str| {
                ctx.device
                    .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                        label: Some(entry),
                        layout: Some(&self.pipeline_layout),
                        module: &module,
                        entry_point: Some(entry),
                        compilation_options: Default::default(),
                        cache: None,
                    })
            };
            AggPipelines {
                place: make("place"),
                sum: make("sum"),
                finish: make("finish"),
            }
        })?;
        let made = Arc::new(made);
        self.per_agg.lock().insert(code, made.clone());
        Ok(made)
    }
}

/// The cells' buffers for one geometry.
struct Cells {
    acc32: wgpu::Buffer,
    acc64: wgpu::Buffer,
    stats: wgpu::Buffer,
    out: wgpu::Buffer,
    /// mean: each cell's largest |z|.
    amax: wgpu::Buffer,
    params: wgpu::Buffer,
}

/// What the place pass found.
struct Placed {
    invalid: usize,
    outside: usize,
    off_lattice: bool,
    bad_z: bool,
}

/// Largest storage buffer the cells need, checked against the device.
fn check_cells(ctx: &GpuContext, cells: usize, agg: Agg) -> std::result::Result<(), String> {
    let wide = matches!(agg, Agg::First | Agg::Last | Agg::Mean);
    let bytes = cells as u64 * if wide { 8 } else { 4 };
    let limit = ctx
        .limits
        .max_storage_buffer_binding_size
        .min(ctx.limits.max_buffer_size);
    if bytes > limit {
        return Err(format!(
            "a grid of {cells} cells needs a {bytes}-byte buffer for {agg:?} on the GPU, more than \
             the {limit} bytes {:?} binds",
            ctx.info.name
        ));
    }
    Ok(())
}

fn storage(ctx: &GpuContext, label: &str, size: u64, copy_src: bool) -> wgpu::Buffer {
    let mut usage = wgpu::BufferUsages::STORAGE;
    if copy_src {
        usage |= wgpu::BufferUsages::COPY_SRC;
    }
    ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: size.max(8),
        usage,
        mapped_at_creation: false,
    })
}

fn params_for(g: &Geometry, o: &GridOptions, keep: Option<&Keep>) -> Params {
    let cells = (g.rows * g.cols) as u32;
    let (xlo, xhi, ylo, yhi) = g.clip_or_all();
    let fill = match (o.fill, keep) {
        (Fill::Value(v), _) => v,
        (Fill::Hole | Fill::Nearest, None) => f32::NAN,
        (Fill::Hole | Fill::Nearest, Some(k)) => k.hole,
    };
    Params {
        x0: g.x0,
        y0: g.y0,
        inv_dx: 1.0 / g.dx,
        inv_dy: 1.0 / g.dy,
        half: if g.lattice { 0.5 } else { 0.0 },
        col_max: (g.cols - 1) as f64,
        row_max: (g.rows - 1) as f64,
        big: f64::MAX,
        xlo,
        xhi,
        ylo,
        yhi,
        tolerance: super::kernel::LATTICE_TOLERANCE,
        f32_overflow: 2f64.powi(128) - 2f64.powi(103),
        _pad64: 0.0,
        cols: g.cols as u32,
        rows_m1: (g.rows - 1) as u32,
        cells,
        fill: fill.to_bits(),
        lattice: u32::from(g.lattice),
        cell_stride: cells.div_ceil(WORKGROUP).clamp(1, MAX_GROUPS) * WORKGROUP,
        pitch: keep.map_or(g.cols, |k| k.pitch) as u32,
        fill_is_value: u32::from(matches!(o.fill, Fill::Value(_))),
        _pad: [0; 2],
    }
}

fn read_stats(ctx: &GpuContext, cells: &Cells, encoder: wgpu::CommandEncoder) -> Result<Vec<u32>> {
    let mut encoder = encoder;
    let read = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("forge3d grid stats"),
        size: 32,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    encoder.copy_buffer_to_buffer(&cells.stats, 0, &read, 0, 32);
    let submission = ctx.queue.submit([encoder.finish()]);
    crate::gpu::alloc::readback::map_small(ctx, &read, submission)
}

fn dispatch(
    encoder: &mut wgpu::CommandEncoder,
    pipeline: &wgpu::ComputePipeline,
    bind_group: &wgpu::BindGroup,
    groups: u32,
) {
    let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
        label: Some("forge3d grid"),
        timestamp_writes: None,
    });
    pass.set_pipeline(pipeline);
    pass.set_bind_group(0, bind_group, &[]);
    pass.dispatch_workgroups(groups, 1, 1);
}

/// What binning the resident rows over a geometry gave.
enum Binned {
    /// The grid, the rows' counts, the empty cells.
    Done(Values, Placed, usize),
    /// The geometry is a lattice candidate and a point lies off its nodes.
    OffLattice,
    /// A valid row's height does not fit float32.
    BadZ,
}

/// Bins the resident rows over `g`.
fn bin(
    ctx: &GpuContext,
    pipes: &Pipelines,
    rows: &Rows,
    g: &Geometry,
    o: &GridOptions,
    keep: Option<&Keep>,
) -> Result<Binned> {
    let cells_n = g.rows * g.cols;
    let agg = pipes.for_agg(ctx, o.agg)?;
    let params = params_for(g, o, keep);
    let out_bytes = keep.map_or(cells_n as u64, |k| (k.pitch * k.rows) as u64) * 4;
    let wide = matches!(o.agg, Agg::First | Agg::Last | Agg::Mean);
    let narrow = matches!(o.agg, Agg::Min | Agg::Max | Agg::Count | Agg::Mean);
    let cells = ctx.scoped("allocating the grid on the GPU", || Cells {
        acc32: storage(
            ctx,
            "forge3d grid cells",
            if narrow { cells_n as u64 * 4 } else { 8 },
            false,
        ),
        acc64: storage(
            ctx,
            "forge3d grid wide cells",
            if wide { cells_n as u64 * 8 } else { 8 },
            false,
        ),
        stats: storage(ctx, "forge3d grid stats", 32, true),
        out: storage(ctx, "forge3d grid values", out_bytes, true),
        amax: storage(
            ctx,
            "forge3d grid cell extremes",
            if o.agg == Agg::Mean {
                cells_n as u64 * 4
            } else {
                8
            },
            false,
        ),
        params: ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("forge3d grid params"),
            size: std::mem::size_of::<Params>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        }),
    })?;
    ctx.queue
        .write_buffer(&cells.params, 0, bytemuck::bytes_of(&params));
    let groups: Vec<wgpu::BindGroup> = rows
        .chunks
        .iter()
        .map(|chunk| bind_group(ctx, pipes, &cells, chunk))
        .collect();
    let cell_groups = params.cell_stride / WORKGROUP;
    let mut encoder = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("forge3d grid place"),
        });
    for (chunk, bg) in rows.chunks.iter().zip(&groups) {
        let n = chunk.count.div_ceil(WORKGROUP).clamp(1, MAX_GROUPS);
        dispatch(&mut encoder, &agg.place, bg, n);
    }
    let stats = read_stats(ctx, &cells, encoder)?;
    let placed = Placed {
        invalid: stats[0] as usize,
        outside: stats[1] as usize,
        off_lattice: stats[2] != 0,
        bad_z: stats[3] != 0,
    };
    if placed.bad_z {
        return Ok(Binned::BadZ);
    }
    if g.lattice && placed.off_lattice {
        return Ok(Binned::OffLattice);
    }
    let mut encoder = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("forge3d grid finish"),
        });
    if o.agg == Agg::Mean {
        for (chunk, bg) in rows.chunks.iter().zip(&groups) {
            let n = chunk.count.div_ceil(WORKGROUP).clamp(1, MAX_GROUPS);
            dispatch(&mut encoder, &agg.sum, bg, n);
        }
    }
    let Some(bg) = groups.first() else {
        return Err(Error::Gpu("gridding on the GPU: no rows to bin".into()));
    };
    dispatch(&mut encoder, &agg.finish, bg, cell_groups);
    let read = match keep {
        None => {
            let read = ctx.readback_pool.acquire(out_bytes)?;
            encoder.copy_buffer_to_buffer(&cells.out, 0, &read, 0, out_bytes);
            Some(read)
        }
        Some(_) => None,
    };
    let stats_read = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("forge3d grid stats"),
        size: 32,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    encoder.copy_buffer_to_buffer(&cells.stats, 0, &stats_read, 0, 32);
    let submission = ctx.queue.submit([encoder.finish()]);
    let values = match read {
        Some(read) => Values::Mapped(ctx.readback_pool.map(ctx, read, submission.clone())?),
        None => Values::Gpu(GpuGrid {
            buffer: cells.out,
            hole: keep.map_or(f32::NAN, |k| k.hole),
            pitch: params.pitch as usize,
            range: None,
        }),
    };
    let stats = crate::gpu::alloc::readback::map_small(ctx, &stats_read, submission)?;
    let values = match values {
        Values::Gpu(mut kept) => {
            // Keys of the extremes (gpu.wgsl's `key`), 0 when no value.
            let unkey = |k: u32| {
                f32::from_bits(if k & 0x8000_0000 != 0 {
                    k & 0x7fff_ffff
                } else {
                    !k
                })
            };
            kept.range =
                (stats[4] != 0 && stats[5] != 0).then(|| (unkey(!stats[5]), unkey(stats[4])));
            Values::Gpu(kept)
        }
        mapped => mapped,
    };
    Ok(Binned::Done(values, placed, stats[6] as usize))
}

/// What the GPU path gave: the grid, or (`auto` only) the CPU's turn, with
/// the extent pass and geometry already made when there are.
pub(super) enum Gridded {
    Done(GridResult<Values>),
    Cpu(Option<Planned>),
}

/// Grids on `ctx`. `auto`: `Gridded::Cpu` when the grid is better made on
/// the CPU (fewer than [`AUTO_MIN_CELLS`] cells, larger than the GPU binds,
/// more rows than it numbers).
pub(super) fn grid<'a>(
    ctx: &GpuContext,
    mut open: impl FnMut() -> Result<Batches<'a>>,
    c: &Columns<'_>,
    o: &GridOptions,
    auto: bool,
    keep_for: Option<&KeepFor<'_>>,
) -> Result<Gridded> {
    if let Some(why) = unsupported(ctx) {
        if auto {
            return Ok(Gridded::Cpu(None));
        }
        return Err(Error::InvalidArgument(format!(
            "device=\"gpu\": {why}; pass device=\"cpu\" (or \"auto\", which picks the CPU here)"
        )));
    }
    let (s, mut g) = plan(&mut open, c, o)?;
    let cells = g.rows * g.cols;
    let too_many_rows = s.as_ref().is_some_and(|s| s.n > MAX_ROWS);
    if let Err(why) = check_cells(ctx, cells, o.agg) {
        if auto {
            return Ok(Gridded::Cpu(Some((s, g))));
        }
        return Err(Error::InvalidArgument(format!(
            "device=\"gpu\": {why}; pass device=\"cpu\", a coarser resolution or a smaller shape"
        )));
    }
    if auto && (cells < AUTO_MIN_CELLS || too_many_rows) {
        return Ok(Gridded::Cpu(Some((s, g))));
    }
    let mut keep = keep_for.map(|f| f(g.rows, g.cols)).transpose()?;
    if let Some(k) = &keep {
        if let Err(why) = check_out(ctx, k) {
            if auto {
                return Ok(Gridded::Cpu(Some((s, g))));
            }
            return Err(Error::InvalidArgument(format!(
                "device=\"gpu\": {why}; pass device=\"cpu\", a coarser resolution or a smaller shape"
            )));
        }
    }
    let pipes = ctx.cached(Pipelines::new);
    let workers = super::passes::workers(o);
    let uploaded = ctx.scoped("copying the rows to the GPU", || {
        upload(ctx, open()?, c, z_width(o.agg), workers)
    })?;
    let rows = match uploaded {
        Err(Error::InvalidArgument(_)) if auto && !too_many_rows => {
            // More rows than the GPU numbers (found while reading): the CPU.
            return Ok(Gridded::Cpu(Some((s, g))));
        }
        other => other?,
    };
    if let Some(s) = &s {
        check_same_rows(s.n, rows.rows)?;
    }
    if rows.chunks.is_empty() {
        // Only with bounds and a shape (no extent pass): no row at all.
        let bounds = o.bounds.unwrap_or_default();
        return Err(none_inside(bounds, 0, 0, 0));
    }
    let mut binned = ctx.scoped("gridding on the GPU", || {
        bin(ctx, &pipes, &rows, &g, o, keep.as_ref())
    })??;
    if let Binned::OffLattice = binned {
        {
            // Not a lattice after all: bin instead (the rows are still on the GPU).
            let s = s.as_ref().ok_or_else(|| {
                Error::Gpu("gridding on the GPU: a lattice without the extent pass".into())
            })?;
            g = geometry_with(s, o, false)?;
            if let Err(why) = check_cells(ctx, g.rows * g.cols, o.agg) {
                if auto {
                    return Ok(Gridded::Cpu(None));
                }
                return Err(Error::InvalidArgument(format!(
                    "device=\"gpu\": {why}; pass device=\"cpu\", a coarser resolution or a \
                     smaller shape"
                )));
            }
            keep = keep_for.map(|f| f(g.rows, g.cols)).transpose()?;
            if let Some(Err(why)) = keep.as_ref().map(|k| check_out(ctx, k)) {
                if auto {
                    return Ok(Gridded::Cpu(None));
                }
                return Err(Error::InvalidArgument(format!(
                    "device=\"gpu\": {why}; pass device=\"cpu\", a coarser resolution or a \
                     smaller shape"
                )));
            }
            binned = ctx.scoped("gridding on the GPU", || {
                bin(ctx, &pipes, &rows, &g, o, keep.as_ref())
            })??;
        }
    }
    let (values, placed, empty_cells) = match binned {
        Binned::Done(values, placed, empty) => (values, placed, empty),
        Binned::BadZ => return Err(first_bad_z(open()?, c)?),
        Binned::OffLattice => {
            return Err(Error::Gpu(
                "gridding on the GPU: bins reported a point off a lattice".into(),
            ))
        }
    };
    if let Some(bounds) = o.bounds {
        if rows.rows == placed.invalid + placed.outside {
            return Err(none_inside(
                bounds,
                rows.rows,
                placed.outside,
                placed.invalid,
            ));
        }
    }
    Ok(Gridded::Done(GridResult {
        values,
        rows: g.rows,
        cols: g.cols,
        spacing: (g.dx, g.dy),
        origin: g.origin(),
        lattice: g.lattice,
        rows_read: rows.rows,
        rows_skipped: placed.invalid,
        rows_outside: placed.outside,
        empty_cells,
        gpu: true,
    }))
}
