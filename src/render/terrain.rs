//! Terrain: a height texture uploaded with one CPU copy, drawn as a grid
//! generated from the vertex index (no per-texel vertex or index buffers),
//! colored by a colormap and lit per pixel from the full-resolution heights.

use std::sync::{Arc, OnceLock};

use super::camera::{Bounds, Camera};
use super::colormap;
use super::target::{TileLayout, COLOR_FORMAT, DEPTH_FORMAT};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::memory::ledger;
use crate::memory::upload::UploadChunk;

/// Heights at or below this are holes on the GPU (NaN and nodata map here).
const HOLE: f32 = -f32::MAX;
const HOLE_BELOW: f32 = -1.0e38;
/// Upload band size: the upload pool's memory stays bounded for any input.
const BAND_BYTES: u64 = 16 << 20;
/// Most grid cells per side that are drawn; shading stays full resolution.
const GRID_MAX: u32 = 1024;

/// A C-contiguous float32 height grid borrowed from the caller.
#[derive(Debug, Clone, Copy)]
pub struct HeightsRef<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
}

/// How to interpret and draw heights.
#[derive(Debug, Clone, PartialEq)]
pub struct TerrainOptions {
    /// World units between columns (dx) and rows (dy).
    pub spacing: (f32, f32),
    /// Vertical scale applied to heights.
    pub exaggeration: f32,
    pub colormap: String,
    /// Colormap normalisation; `None` uses the data's min and max.
    pub height_range: Option<(f32, f32)>,
    /// A sentinel marking holes, besides NaN.
    pub nodata: Option<f32>,
}

impl Default for TerrainOptions {
    fn default() -> Self {
        Self {
            spacing: (1.0, 1.0),
            exaggeration: 1.0,
            colormap: "viridis".into(),
            height_range: None,
            nodata: None,
        }
    }
}

/// What an upload found in the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeightStats {
    /// Smallest and largest valid height.
    pub min: f32,
    pub max: f32,
    /// Cells that are NaN or equal to `nodata`.
    pub holes: usize,
}

/// Sun and ambient light.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lighting {
    /// Degrees clockwise from north (+y).
    pub azimuth_deg: f32,
    /// Degrees above the horizon.
    pub elevation_deg: f32,
    pub intensity: f32,
    pub ambient: f32,
}

impl Default for Lighting {
    fn default() -> Self {
        Self {
            azimuth_deg: 315.0,
            elevation_deg: 45.0,
            intensity: 0.75,
            ambient: 0.3,
        }
    }
}

impl Lighting {
    fn sun_dir(&self) -> [f32; 4] {
        let (az, el) = (
            self.azimuth_deg.to_radians(),
            self.elevation_deg.to_radians(),
        );
        [az.sin() * el.cos(), az.cos() * el.cos(), el.sin(), 0.0]
    }
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct TerrainUniform {
    view_proj: [[f32; 4]; 4],
    sun_dir: [f32; 4],
    size: [f32; 2],
    grid: [f32; 2],
    spacing: [f32; 2],
    range: [f32; 2],
    exaggeration: f32,
    ambient: f32,
    sun_intensity: f32,
    hole_below: f32,
    band_rows: u32,
    _pad: [u32; 3],
}

/// A terrain on the GPU.
pub(crate) struct TerrainLayer {
    texture: wgpu::Texture,
    rows: u32,
    /// Rows per texture array layer.
    band_rows: u32,
    cols: u32,
    grid: (u32, u32),
    options: TerrainOptions,
    stats: HeightStats,
    heights_view: wgpu::TextureView,
    uniform: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    indices: wgpu::Buffer,
    index_count: u32,
}

pub(crate) struct TerrainPipelines {
    layout: wgpu::BindGroupLayout,
    pipeline_layout: wgpu::PipelineLayout,
    module: wgpu::ShaderModule,
    /// One per sample count (1 and 4).
    pipelines: [OnceLock<wgpu::RenderPipeline>; 2],
}

impl TerrainPipelines {
    fn new(ctx: &GpuContext) -> Self {
        let device = &ctx.device;
        let texture = |binding, view_dimension| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
            ty: wgpu::BindingType::Texture {
                sample_type: wgpu::TextureSampleType::Float { filterable: false },
                view_dimension,
                multisampled: false,
            },
            count: None,
        };
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("forge3d terrain"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: wgpu::BufferSize::new(
                            std::mem::size_of::<TerrainUniform>() as u64,
                        ),
                    },
                    count: None,
                },
                texture(1, wgpu::TextureViewDimension::D2Array),
                texture(2, wgpu::TextureViewDimension::D2),
            ],
        });
        let tile = TileLayout::get(ctx);
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("forge3d terrain"),
            bind_group_layouts: &[Some(&tile.0), Some(&layout)],
            immediate_size: 0,
        });
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("forge3d terrain"),
            source: wgpu::ShaderSource::Wgsl(include_str!("terrain.wgsl").into()),
        });
        Self {
            layout,
            pipeline_layout,
            module,
            pipelines: [OnceLock::new(), OnceLock::new()],
        }
    }

    fn get(&self, ctx: &GpuContext, samples: u32) -> &wgpu::RenderPipeline {
        self.pipelines[usize::from(samples > 1)].get_or_init(|| {
            ctx.device
                .create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                    label: Some("forge3d terrain"),
                    layout: Some(&self.pipeline_layout),
                    vertex: wgpu::VertexState {
                        module: &self.module,
                        entry_point: Some("vs_main"),
                        compilation_options: Default::default(),
                        buffers: &[],
                    },
                    primitive: wgpu::PrimitiveState {
                        topology: wgpu::PrimitiveTopology::TriangleStrip,
                        strip_index_format: Some(wgpu::IndexFormat::Uint32),
                        cull_mode: None,
                        ..Default::default()
                    },
                    depth_stencil: Some(wgpu::DepthStencilState {
                        format: DEPTH_FORMAT,
                        depth_write_enabled: Some(true),
                        depth_compare: Some(wgpu::CompareFunction::Less),
                        stencil: Default::default(),
                        bias: Default::default(),
                    }),
                    multisample: wgpu::MultisampleState {
                        count: samples,
                        ..Default::default()
                    },
                    fragment: Some(wgpu::FragmentState {
                        module: &self.module,
                        entry_point: Some("fs_main"),
                        compilation_options: Default::default(),
                        targets: &[Some(wgpu::ColorTargetState {
                            format: COLOR_FORMAT,
                            blend: None,
                            write_mask: wgpu::ColorWrites::ALL,
                        })],
                    }),
                    multiview_mask: None,
                    cache: None,
                })
        })
    }
}

fn check_options(o: &TerrainOptions) -> Result<()> {
    let (dx, dy) = o.spacing;
    if !(dx.is_finite() && dy.is_finite()) {
        return Err(Error::InvalidArgument(format!(
            "spacing must be finite, got ({dx}, {dy})"
        )));
    }
    if dx <= 0.0 || dy <= 0.0 {
        return Err(Error::InvalidArgument(format!(
            "spacing must be positive (world units between columns and rows), got ({dx}, {dy})"
        )));
    }
    if !o.exaggeration.is_finite() || o.exaggeration <= 0.0 {
        return Err(Error::InvalidArgument(format!(
            "exaggeration must be a positive finite number, got {}",
            o.exaggeration
        )));
    }
    if let Some((lo, hi)) = o.height_range {
        check_range(lo, hi)?;
    }
    if let Some(n) = o.nodata {
        if n.is_infinite() {
            return Err(Error::InvalidArgument(format!(
                "nodata must be finite or NaN, got {n}"
            )));
        }
    }
    colormap::lut(&o.colormap)?;
    Ok(())
}

pub(crate) fn check_range(lo: f32, hi: f32) -> Result<()> {
    if !(lo.is_finite() && hi.is_finite()) || lo >= hi {
        return Err(Error::InvalidArgument(format!(
            "height_range must be two finite numbers with min < max, got ({lo}, {hi})"
        )));
    }
    Ok(())
}

/// Copies one row into upload memory, mapping holes to [`HOLE`], and
/// gathers min/max/holes/infinities. The copy is a plain memcpy; the
/// statistics read the row again while it is still in cache, in a loop the
/// compiler vectorises. Only rows with holes are patched afterwards.
/// Copies one row into upload memory, mapping holes to [`HOLE`], and
/// gathers min/max/holes/infinities. The copy is a plain memcpy; the
/// statistics read the row again while it is still in cache. Only rows with
/// holes are patched afterwards.
fn copy_row(dst: &mut [f32], src: &[f32], nodata: f32, s: &mut RowStats) {
    dst.copy_from_slice(src);
    let (row_lo, row_hi, row_holes) = row_stats(src, nodata);
    if row_holes > 0 {
        for (d, &x) in dst.iter_mut().zip(src) {
            if x.is_nan() || x == nodata {
                *d = HOLE;
            }
        }
    }
    // Infinities are valid for min/max, so they show up at the extremes.
    if row_lo == f32::NEG_INFINITY || row_hi == f32::INFINITY {
        s.infinite += src.iter().filter(|x| x.is_infinite()).count();
    }
    s.min = s.min.min(row_lo);
    s.max = s.max.max(row_hi);
    s.holes += row_holes;
}

/// (min, max) of the valid values and the count of holes (NaN or `nodata`).
///
/// `minps`/`maxps` return their second operand when the first is NaN, so
/// `min(x, acc)` skips NaN for free; `nodata` cells are turned into NaN
/// first. Holes are only counted (in scalar code) in rows that have any.
#[cfg(target_arch = "x86_64")]
fn row_stats(src: &[f32], nodata: f32) -> (f32, f32, usize) {
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 is present.
        unsafe { row_stats_avx2(src, nodata) }
    } else {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { row_stats_sse2(src, nodata) }
    }
}

macro_rules! simd_row_stats {
    ($name:ident, $feature:literal, $lanes:literal, $vec:ty, $set1:ident, $load:ident, $min:ident,
     $max:ident, $unord:ident, $eq:ident, $or:ident, $and:ident, $store:ident, $movemask:ident) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $feature)]
        unsafe fn $name(src: &[f32], nodata: f32) -> (f32, f32, usize) {
            use std::arch::x86_64::*;
            let with_nodata = !nodata.is_nan();
            let nd: $vec = $set1(nodata);
            let nan: $vec = $set1(f32::NAN);
            let mut lo: $vec = $set1(f32::INFINITY);
            let mut hi: $vec = $set1(f32::NEG_INFINITY);
            let mut holes: $vec = $set1(0.0);
            let chunks = src.chunks_exact($lanes);
            let tail = chunks.remainder();
            for c in chunks {
                let mut x = unsafe { $load(c.as_ptr()) };
                let mut h = $unord(x, x);
                if with_nodata {
                    let m = $eq(x, nd);
                    x = $or(x, $and(m, nan));
                    h = $or(h, m);
                }
                lo = $min(x, lo);
                hi = $max(x, hi);
                holes = $or(holes, h);
            }
            let mut l = [0f32; $lanes];
            let mut u = [0f32; $lanes];
            unsafe {
                $store(l.as_mut_ptr(), lo);
                $store(u.as_mut_ptr(), hi);
            }
            let (tl, th, _) = row_stats_scalar(tail, nodata);
            let lo = l.iter().copied().fold(tl, f32::min);
            let hi = u.iter().copied().fold(th, f32::max);
            let any_hole = $movemask(holes) != 0 || tail.iter().any(|&x| x.is_nan() || x == nodata);
            let count = if any_hole {
                row_stats_scalar(src, nodata).2
            } else {
                0
            };
            (lo, hi, count)
        }
    };
}

simd_row_stats!(
    row_stats_sse2,
    "sse2",
    4,
    __m128,
    _mm_set1_ps,
    _mm_loadu_ps,
    _mm_min_ps,
    _mm_max_ps,
    _mm_cmpunord_ps,
    _mm_cmpeq_ps,
    _mm_or_ps,
    _mm_and_ps,
    _mm_storeu_ps,
    _mm_movemask_ps
);

#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
fn cmpunord256(
    a: std::arch::x86_64::__m256,
    b: std::arch::x86_64::__m256,
) -> std::arch::x86_64::__m256 {
    std::arch::x86_64::_mm256_cmp_ps::<{ std::arch::x86_64::_CMP_UNORD_Q }>(a, b)
}

#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
fn cmpeq256(
    a: std::arch::x86_64::__m256,
    b: std::arch::x86_64::__m256,
) -> std::arch::x86_64::__m256 {
    std::arch::x86_64::_mm256_cmp_ps::<{ std::arch::x86_64::_CMP_EQ_OQ }>(a, b)
}

simd_row_stats!(
    row_stats_avx2,
    "avx2",
    8,
    __m256,
    _mm256_set1_ps,
    _mm256_loadu_ps,
    _mm256_min_ps,
    _mm256_max_ps,
    cmpunord256,
    cmpeq256,
    _mm256_or_ps,
    _mm256_and_ps,
    _mm256_storeu_ps,
    _mm256_movemask_ps
);

#[cfg(not(target_arch = "x86_64"))]
fn row_stats(src: &[f32], nodata: f32) -> (f32, f32, usize) {
    row_stats_scalar(src, nodata)
}

fn row_stats_scalar(src: &[f32], nodata: f32) -> (f32, f32, usize) {
    let (mut lo, mut hi, mut holes) = (f32::INFINITY, f32::NEG_INFINITY, 0);
    for &x in src {
        if x.is_nan() || x == nodata {
            holes += 1;
        } else {
            lo = lo.min(x);
            hi = hi.max(x);
        }
    }
    (lo, hi, holes)
}

struct RowStats {
    min: f32,
    max: f32,
    holes: usize,
    infinite: usize,
}

fn upload_heights(
    ctx: &GpuContext,
    h: HeightsRef<'_>,
    nodata: Option<f32>,
    reuse: Option<&wgpu::Texture>,
) -> Result<(wgpu::Texture, u32, HeightStats)> {
    let (rows, cols) = (h.rows as u32, h.cols as u32);
    let row_bytes = cols as u64 * 4;
    let pitch = row_bytes.next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT as u64);
    let band_rows = (BAND_BYTES / pitch).clamp(1, rows as u64) as u32;
    let layers = rows.div_ceil(band_rows);
    if layers > ctx.limits.max_texture_array_layers {
        return Err(Error::InvalidArgument(format!(
            "heights shape ({rows}, {cols}) needs {layers} texture layers, more than this device's \
             {}; downsample it (e.g. heights[::2, ::2])",
            ctx.limits.max_texture_array_layers
        )));
    }
    // One array layer per upload band: each band's copy covers a whole
    // subresource, so the GPU never has to clear the texture first.
    // A previous terrain's texture of the same shape is refilled instead of
    // allocating (and, on CPU adapters, paging in) new memory, but only when
    // all bands are submitted together: a failed upload must leave the
    // previous terrain intact.
    let size = wgpu::Extent3d {
        width: cols,
        height: band_rows,
        depth_or_array_layers: layers,
    };
    let one_batch = ctx
        .upload_pool
        .fits_in_one_batch(pitch * band_rows as u64 * layers as u64);
    let reusable = reuse.filter(|t| one_batch && t.size() == size).cloned();
    let reusing = reusable.is_some();
    let texture = match reusable {
        Some(t) => t,
        None => ctx.scoped("creating the height texture", || {
            ctx.device.create_texture(&wgpu::TextureDescriptor {
                label: Some("forge3d heights"),
                size: wgpu::Extent3d {
                    width: cols,
                    height: band_rows,
                    depth_or_array_layers: layers,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: wgpu::TextureFormat::R32Float,
                usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
                view_formats: &[],
            })
        })?,
    };
    let mut stats = RowStats {
        min: f32::INFINITY,
        max: f32::NEG_INFINITY,
        holes: 0,
        infinite: 0,
    };
    let nodata_bits = nodata.unwrap_or(f32::NAN);
    let pitch_f = (pitch / 4) as usize;
    // Fill every band before submitting any: on CPU adapters the GPU's own
    // copy would otherwise compete with ours for the same memory bandwidth.
    // The upload pool bounds the memory: when it is full, `acquire` waits
    // for earlier bands, which are then submitted first.
    let mut pending: Vec<(u32, UploadChunk)> = Vec::new();
    let submit = |pending: &mut Vec<(u32, UploadChunk)>| {
        for (y0, chunk) in pending.drain(..) {
            ctx.upload_pool.submit_copy(&ctx.queue, chunk, |enc, buf| {
                enc.copy_buffer_to_texture(
                    wgpu::TexelCopyBufferInfo {
                        buffer: buf,
                        layout: wgpu::TexelCopyBufferLayout {
                            offset: 0,
                            bytes_per_row: Some(pitch as u32),
                            rows_per_image: Some(band_rows),
                        },
                    },
                    wgpu::TexelCopyTextureInfo {
                        texture: &texture,
                        mip_level: 0,
                        origin: wgpu::Origin3d {
                            x: 0,
                            y: 0,
                            z: y0 / band_rows,
                        },
                        aspect: wgpu::TextureAspect::All,
                    },
                    // The whole layer, also for a short last band (its
                    // extra rows are never read).
                    wgpu::Extent3d {
                        width: cols,
                        height: band_rows,
                        depth_or_array_layers: 1,
                    },
                );
            });
        }
    };
    ctx.scoped("uploading heights", || -> Result<()> {
        let mut y0 = 0u32;
        while y0 < rows {
            let n = band_rows.min(rows - y0);
            let size = pitch * band_rows as u64;
            // Early submission keeps memory bounded for huge inputs; never
            // into a reused texture, whose old contents must survive a
            // failure (the pool then grows instead of waiting).
            if !reusing && !ctx.upload_pool.has_room(size) {
                submit(&mut pending);
            }
            let mut chunk = ctx.upload_pool.acquire(size)?;
            {
                let dst: &mut [f32] = bytemuck::try_cast_slice_mut(chunk.as_mut_slice())
                    .map_err(|e| Error::Gpu(format!("upload memory misaligned: {e}")))?;
                for r in 0..n as usize {
                    let src_row = &h.data[(y0 as usize + r) * h.cols..][..h.cols];
                    copy_row(
                        &mut dst[r * pitch_f..][..h.cols],
                        src_row,
                        nodata_bits,
                        &mut stats,
                    );
                }
            }
            if stats.infinite > 0 {
                // Nothing of this texture is used: pending chunks are dropped.
                return Err(Error::InvalidArgument(format!(
                    "heights contains {} infinite value(s); mark holes with NaN or nodata, or \
                     replace them (np.nan_to_num)",
                    stats.infinite
                )));
            }
            pending.push((y0, chunk));
            y0 += n;
        }
        submit(&mut pending);
        Ok(())
    })??;
    ledger::record(
        "upload",
        h.data.len() * 4,
        h.data.as_ptr() as *const u8,
        "heights into GPU upload memory",
    );
    if stats.holes == h.data.len() {
        return Err(Error::InvalidArgument(
            "heights: every value is NaN or nodata; there is nothing to draw".into(),
        ));
    }
    Ok((
        texture,
        band_rows,
        HeightStats {
            min: stats.min,
            max: stats.max,
            holes: stats.holes,
        },
    ))
}

fn lut_texture(ctx: &GpuContext, name: &str) -> Result<wgpu::TextureView> {
    let table = colormap::lut(name)?;
    let texture = ctx.device.create_texture(&wgpu::TextureDescriptor {
        label: Some("forge3d colormap"),
        size: wgpu::Extent3d {
            width: 256,
            height: 1,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: wgpu::TextureFormat::Rgba8Unorm,
        usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        view_formats: &[],
    });
    ctx.queue.write_texture(
        texture.as_image_copy(),
        bytemuck::cast_slice(&table),
        wgpu::TexelCopyBufferLayout {
            offset: 0,
            bytes_per_row: Some(256 * 4),
            rows_per_image: Some(1),
        },
        texture.size(),
    );
    Ok(texture.create_view(&Default::default()))
}

/// A strip per grid row, joined by primitive restarts, written straight
/// into the mapped index buffer.
fn grid_indices(ctx: &GpuContext, gw: u32, gh: u32) -> Result<(wgpu::Buffer, u32)> {
    let per_row = 2 * (gw + 1) + 1;
    let count = gh * per_row;
    let buffer = ctx.scoped("creating the terrain grid", || {
        ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("forge3d terrain grid"),
            size: count as u64 * 4,
            usage: wgpu::BufferUsages::INDEX,
            mapped_at_creation: true,
        })
    })?;
    {
        let mut view = buffer
            .get_mapped_range_mut(..)
            .map_err(|e| Error::Gpu(format!("terrain grid not mapped: {e}")))?;
        let mut row = Vec::with_capacity(per_row as usize);
        let row_bytes = per_row as usize * 4;
        for j in 0..gh {
            row.clear();
            for x in 0..=gw {
                row.push(j * (gw + 1) + x);
                row.push((j + 1) * (gw + 1) + x);
            }
            row.push(u32::MAX);
            view.slice(j as usize * row_bytes..(j as usize + 1) * row_bytes)
                .copy_from_slice(bytemuck::cast_slice(&row));
        }
    }
    buffer.unmap();
    Ok((buffer, count))
}

impl TerrainLayer {
    pub fn new(
        ctx: &GpuContext,
        heights: HeightsRef<'_>,
        options: TerrainOptions,
        frame_size: (u32, u32),
        previous: Option<&TerrainLayer>,
    ) -> Result<Self> {
        check_options(&options)?;
        let max = ctx.limits.max_texture_dimension_2d as usize;
        let (rows, cols) = (heights.rows, heights.cols);
        if rows < 2 || cols < 2 {
            return Err(Error::InvalidArgument(format!(
                "heights must be at least 2x2, got shape ({rows}, {cols})"
            )));
        }
        if rows > max || cols > max {
            return Err(Error::InvalidArgument(format!(
                "heights shape ({rows}, {cols}) exceeds this device's texture limit of {max} per \
                 side; downsample it (e.g. heights[::2, ::2])"
            )));
        }
        assert_eq!(heights.data.len(), rows * cols, "HeightsRef length");
        let (texture, band_rows, stats) =
            upload_heights(ctx, heights, options.nodata, previous.map(|p| &p.texture))?;
        let pipelines = ctx.cached(TerrainPipelines::new);
        let heights_view = texture.create_view(&wgpu::TextureViewDescriptor {
            dimension: Some(wgpu::TextureViewDimension::D2Array),
            ..Default::default()
        });
        let lut = lut_texture(ctx, &options.colormap)?;
        let uniform = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("forge3d terrain uniform"),
            size: std::mem::size_of::<TerrainUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind_group = bind_group(ctx, &pipelines, &uniform, &heights_view, &lut);
        let side = (frame_size.0.max(frame_size.1) / 2).clamp(64, GRID_MAX);
        let grid = ((cols as u32 - 1).min(side), (rows as u32 - 1).min(side));
        let (indices, index_count) = grid_indices(ctx, grid.0, grid.1)?;
        Ok(Self {
            texture,
            rows: rows as u32,
            band_rows,
            cols: cols as u32,
            grid,
            options,
            stats,
            heights_view,
            uniform,
            bind_group,
            indices,
            index_count,
        })
    }

    pub fn stats(&self) -> HeightStats {
        self.stats
    }
    pub fn options(&self) -> &TerrainOptions {
        &self.options
    }

    pub fn set_colormap(&mut self, ctx: &GpuContext, name: &str) -> Result<()> {
        let lut = lut_texture(ctx, name)?;
        let pipelines = ctx.cached(TerrainPipelines::new);
        self.bind_group = bind_group(ctx, &pipelines, &self.uniform, &self.heights_view, &lut);
        self.options.colormap = name.to_string();
        Ok(())
    }

    pub fn set_height_range(&mut self, range: Option<(f32, f32)>) -> Result<()> {
        if let Some((lo, hi)) = range {
            check_range(lo, hi)?;
        }
        self.options.height_range = range;
        Ok(())
    }

    /// The colormap range in effect.
    pub fn height_range(&self) -> (f32, f32) {
        self.options
            .height_range
            .unwrap_or((self.stats.min, self.stats.max))
    }

    pub fn bounds(&self) -> Bounds {
        let (dx, dy) = self.options.spacing;
        let e = self.options.exaggeration;
        Bounds {
            min: [0.0, 0.0, self.stats.min * e],
            max: [
                (self.cols - 1) as f32 * dx,
                (self.rows - 1) as f32 * dy,
                self.stats.max * e,
            ],
        }
    }

    /// Writes this frame's uniforms and returns what the draw needs.
    pub fn prepare(
        &self,
        ctx: &GpuContext,
        camera: &Camera,
        light: &Lighting,
        aspect: f32,
        samples: u32,
    ) -> Arc<PreparedTerrain> {
        let (lo, hi) = self.height_range();
        let span = if hi > lo { hi - lo } else { 1.0 };
        let u = TerrainUniform {
            view_proj: camera.view_proj(&self.bounds(), aspect),
            sun_dir: light.sun_dir(),
            size: [self.cols as f32, self.rows as f32],
            grid: [self.grid.0 as f32, self.grid.1 as f32],
            spacing: [self.options.spacing.0, self.options.spacing.1],
            range: [lo, 1.0 / span],
            exaggeration: self.options.exaggeration,
            ambient: light.ambient,
            sun_intensity: light.intensity,
            hole_below: HOLE_BELOW,
            band_rows: self.band_rows,
            _pad: [0; 3],
        };
        ctx.queue
            .write_buffer(&self.uniform, 0, bytemuck::bytes_of(&u));
        let pipelines = ctx.cached(TerrainPipelines::new);
        Arc::new(PreparedTerrain {
            pipeline: pipelines.get(ctx, samples).clone(),
            bind_group: self.bind_group.clone(),
            indices: self.indices.clone(),
            index_count: self.index_count,
        })
    }
}

fn bind_group(
    ctx: &GpuContext,
    pipelines: &TerrainPipelines,
    uniform: &wgpu::Buffer,
    heights: &wgpu::TextureView,
    lut: &wgpu::TextureView,
) -> wgpu::BindGroup {
    ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("forge3d terrain"),
        layout: &pipelines.layout,
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: uniform.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: wgpu::BindingResource::TextureView(heights),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: wgpu::BindingResource::TextureView(lut),
            },
        ],
    })
}

/// Everything one terrain draw binds.
pub(crate) struct PreparedTerrain {
    pipeline: wgpu::RenderPipeline,
    bind_group: wgpu::BindGroup,
    indices: wgpu::Buffer,
    index_count: u32,
}

impl PreparedTerrain {
    pub fn draw(&self, pass: &mut wgpu::RenderPass<'_>) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(1, &self.bind_group, &[]);
        pass.set_index_buffer(self.indices.slice(..), wgpu::IndexFormat::Uint32);
        pass.draw_indexed(0..self.index_count, 0, 0..1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simd_and_scalar_statistics_agree() {
        let v: Vec<f32> = (0..1003)
            .map(|i| match i % 97 {
                0 => f32::NAN,
                1 => -9999.0,
                _ => ((i * 37) % 1000) as f32 - 500.0,
            })
            .collect();
        for nodata in [f32::NAN, -9999.0, 12.0] {
            assert_eq!(row_stats(&v, nodata), row_stats_scalar(&v, nodata));
            #[cfg(target_arch = "x86_64")]
            assert_eq!(
                unsafe { row_stats_sse2(&v, nodata) },
                row_stats_scalar(&v, nodata)
            );
        }
        let clean: Vec<f32> = (0..77).map(|i| i as f32 - 3.0).collect();
        assert_eq!(row_stats(&clean, f32::NAN), (-3.0, 73.0, 0));
    }

    #[test]
    fn copy_row_maps_holes_and_tracks_valid_min_max() {
        let src = [3.0, f32::NAN, -9999.0, 7.5, -2.0];
        let mut dst = [0.0f32; 5];
        let mut s = RowStats {
            min: f32::INFINITY,
            max: f32::NEG_INFINITY,
            holes: 0,
            infinite: 0,
        };
        copy_row(&mut dst, &src, -9999.0, &mut s);
        assert_eq!(dst, [3.0, HOLE, HOLE, 7.5, -2.0]);
        assert_eq!((s.min, s.max, s.holes, s.infinite), (-2.0, 7.5, 2, 0));
        copy_row(&mut dst[..1], &[f32::INFINITY], f32::NAN, &mut s);
        assert_eq!(s.infinite, 1);
    }
}
