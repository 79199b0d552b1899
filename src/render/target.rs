//! `OffscreenTarget`: a color (and optional depth) target that renders a
//! frame in horizontal tiles and reads it back into one pooled MAP_READ
//! buffer, rows tightly packed.
//!
//! Why tiles: on CPU and integrated adapters the render target is host memory
//! too, so a full-size target would double the memory of a frame. Each tile
//! is drawn with a clip-space transform (group 0 of every pipeline) that
//! selects its rows of the full image; results are identical to one pass.
//! On discrete GPUs the whole frame is one tile.

use std::sync::Arc;

use arrow_buffer::Buffer;

use super::fill::{ClearBy, FillPipeline};
use super::frame::Frame;
use super::outputs::{TargetShape, Unproject, UnprojectUniform};
use super::pack::{PackPipeline, WORKGROUP};
use crate::error::{Error, Result};
use crate::gpu::timer::Profiling;
use crate::gpu::GpuContext;
use crate::memory::{DType, HostBuffer, Origin};

mod tile;

pub const COLOR_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// The color target every draw writes: [`COLOR_FORMAT`], no blending.
pub const COLOR_TARGET: [Option<wgpu::ColorTargetState>; 1] = [Some(wgpu::ColorTargetState {
    format: COLOR_FORMAT,
    blend: None,
    write_mask: wgpu::ColorWrites::ALL,
})];
pub const DEPTH_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;

/// The depth state of a draw into a target: [`DEPTH_FORMAT`], `compare`,
/// writing depth or not, no stencil or bias.
pub fn depth_state(compare: wgpu::CompareFunction, write: bool) -> wgpu::DepthStencilState {
    wgpu::DepthStencilState {
        format: DEPTH_FORMAT,
        depth_write_enabled: Some(write),
        depth_compare: Some(compare),
        stencil: Default::default(),
        bias: Default::default(),
    }
}

/// Host memory one tile may use on adapters that share host memory.
const TILE_BYTES: u64 = 4 << 20;
/// Stride of per-tile uniforms (WebGPU's largest min offset alignment).
const TILE_UNIFORM_STRIDE: u64 = 256;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct TileUniform {
    scale: [f32; 2],
    offset: [f32; 2],
}

/// Bind group layout 0 shared by every pipeline that draws into a target:
/// the tile transform at a dynamic offset.
pub struct TileLayout(pub wgpu::BindGroupLayout);

impl TileLayout {
    pub fn get(ctx: &GpuContext) -> Arc<TileLayout> {
        ctx.cached(|ctx| {
            TileLayout(
                ctx.device
                    .create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                        label: Some("forge3d tile"),
                        entries: &[wgpu::BindGroupLayoutEntry {
                            binding: 0,
                            visibility: wgpu::ShaderStages::VERTEX,
                            ty: wgpu::BindingType::Buffer {
                                ty: wgpu::BufferBindingType::Uniform,
                                has_dynamic_offset: true,
                                min_binding_size: wgpu::BufferSize::new(std::mem::size_of::<
                                    TileUniform,
                                >(
                                )
                                    as u64),
                            },
                            count: None,
                        }],
                    }),
            )
        })
    }
}

/// Bytes of render target per tile: `FORGE3D_TILE_MIB` when set (0 turns
/// tiling off; at most 1 TiB), else 4 MiB on adapters whose memory is host
/// memory and no tiling on the others.
fn tile_budget(ctx: &GpuContext) -> Result<Option<u64>> {
    Ok(
        match crate::env::whole_number("FORGE3D_TILE_MIB", 1 << 20, "MiB (0 turns tiling off)")? {
            Some(0) => None,
            Some(mib) => Some(mib << 20),
            None => ctx.shares_host_memory().then_some(TILE_BYTES),
        },
    )
}

/// Rows per tile of a `width` x `height` target on `ctx`.
fn tile_rows(ctx: &GpuContext, width: u32, height: u32) -> Result<u32> {
    let row_bytes = width as u64 * 4;
    Ok(match tile_budget(ctx)? {
        Some(bytes) => (bytes / row_bytes).clamp(1, height as u64) as u32,
        None => height,
    })
}

pub struct OffscreenTarget {
    width: u32,
    height: u32,
    tile_rows: u32,
    tiles: u32,
    color: wgpu::Texture,
    color_view: wgpu::TextureView,
    /// Multisampled color, resolved into `color_view` (when samples > 1).
    msaa_view: Option<wgpu::TextureView>,
    depth_view: Option<wgpu::TextureView>,
    samples: u32,
    tile_bind_group: wgpu::BindGroup,
    /// Present when `width * 4` is not a multiple of 256.
    packed: Option<(wgpu::Buffer, wgpu::BindGroup, Arc<PackPipeline>)>,
    /// Present when the color target is cleared by compute (fill.rs): the
    /// background uniform, its bind group and the pipeline.
    fill: Option<(wgpu::Buffer, wgpu::BindGroup, Arc<FillPipeline>)>,
    /// The background the fill uniform was last given: it is written only
    /// when it changes (each `Queue::write_buffer` makes a staging buffer;
    /// see `gpu::alloc::belt`).
    filled: parking_lot::Mutex<Option<[u8; 4]>>,
}

impl OffscreenTarget {
    pub fn new(
        ctx: &GpuContext,
        width: u32,
        height: u32,
        with_depth: bool,
        samples: u32,
    ) -> Result<Self> {
        let row_bytes = width as u64 * 4;
        let tile_rows = tile_rows(ctx, width, height)?;
        let tiles = height.div_ceil(tile_rows);
        let fill = ClearBy::from_env()?.by_compute(ctx, samples);
        ctx.scoped("creating the render target", || {
            let device = &ctx.device;
            let color = device.create_texture(&wgpu::TextureDescriptor {
                label: Some("forge3d color"),
                size: wgpu::Extent3d {
                    width,
                    height: tile_rows,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: COLOR_FORMAT,
                usage: wgpu::TextureUsages::RENDER_ATTACHMENT
                    | wgpu::TextureUsages::COPY_SRC
                    | wgpu::TextureUsages::TEXTURE_BINDING
                    | if fill {
                        wgpu::TextureUsages::STORAGE_BINDING
                    } else {
                        wgpu::TextureUsages::empty()
                    },
                view_formats: &[],
            });
            let color_view = color.create_view(&Default::default());
            let fill = fill.then(|| {
                let pipeline = ctx.cached(FillPipeline::new);
                let background = device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("forge3d background"),
                    size: 16,
                    usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                });
                let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("forge3d fill"),
                    layout: &pipeline.layout,
                    entries: &[
                        wgpu::BindGroupEntry {
                            binding: 0,
                            resource: wgpu::BindingResource::TextureView(&color_view),
                        },
                        wgpu::BindGroupEntry {
                            binding: 1,
                            resource: background.as_entire_binding(),
                        },
                    ],
                });
                (background, bind_group, pipeline)
            });
            let msaa_view = (samples > 1).then(|| {
                device
                    .create_texture(&wgpu::TextureDescriptor {
                        label: Some("forge3d color msaa"),
                        size: color.size(),
                        mip_level_count: 1,
                        sample_count: samples,
                        dimension: wgpu::TextureDimension::D2,
                        format: COLOR_FORMAT,
                        usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
                        view_formats: &[],
                    })
                    .create_view(&Default::default())
            });
            let depth_view = with_depth.then(|| {
                device
                    .create_texture(&wgpu::TextureDescriptor {
                        label: Some("forge3d depth"),
                        size: color.size(),
                        mip_level_count: 1,
                        sample_count: samples,
                        dimension: wgpu::TextureDimension::D2,
                        format: DEPTH_FORMAT,
                        // Read by the unproject pass for depth / xyz outputs.
                        usage: wgpu::TextureUsages::RENDER_ATTACHMENT
                            | wgpu::TextureUsages::TEXTURE_BINDING,
                        view_formats: &[],
                    })
                    .create_view(&Default::default())
            });

            let uniforms: Vec<u8> = (0..tiles)
                .flat_map(|t| {
                    let mut bytes = vec![0u8; TILE_UNIFORM_STRIDE as usize];
                    let u = tile_transform(height, tile_rows, t * tile_rows);
                    bytes[..16].copy_from_slice(bytemuck::bytes_of(&u));
                    bytes
                })
                .collect();
            let tile_buffer = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("forge3d tile transforms"),
                size: uniforms.len() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            ctx.queue.write_buffer(&tile_buffer, 0, &uniforms);
            let tile_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("forge3d tile"),
                layout: &TileLayout::get(ctx).0,
                entries: &[wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                        buffer: &tile_buffer,
                        offset: 0,
                        size: wgpu::BufferSize::new(std::mem::size_of::<TileUniform>() as u64),
                    }),
                }],
            });

            let packed = (row_bytes % wgpu::COPY_BYTES_PER_ROW_ALIGNMENT as u64 != 0).then(|| {
                let pipeline = ctx.cached(PackPipeline::new);
                let buffer = device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("forge3d packed tile"),
                    size: row_bytes * tile_rows as u64,
                    usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
                    mapped_at_creation: false,
                });
                let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("forge3d pack_rows"),
                    layout: &pipeline.layout,
                    entries: &[
                        wgpu::BindGroupEntry {
                            binding: 0,
                            resource: wgpu::BindingResource::TextureView(&color_view),
                        },
                        wgpu::BindGroupEntry {
                            binding: 1,
                            resource: buffer.as_entire_binding(),
                        },
                    ],
                });
                (buffer, bind_group, pipeline)
            });
            OffscreenTarget {
                width,
                height,
                tile_rows,
                tiles,
                color,
                color_view,
                msaa_view,
                depth_view,
                samples,
                tile_bind_group,
                packed,
                fill,
                filled: parking_lot::Mutex::new(None),
            }
        })
    }

    /// How many tiles a `width` x `height` target on `ctx` is drawn in.
    pub fn tiles(ctx: &GpuContext, width: u32, height: u32) -> Result<u32> {
        Ok(height.div_ceil(tile_rows(ctx, width, height)?))
    }

    /// The target as the unproject pass reads it (it needs the depth).
    fn shape(&self) -> Result<TargetShape<'_>> {
        let depth_view = self.depth_view.as_ref().ok_or_else(|| {
            Error::InvalidArgument(
                "depth and xyz outputs need a render target with a depth buffer".into(),
            )
        })?;
        Ok(TargetShape {
            width: self.width,
            height: self.height,
            tile_rows: self.tile_rows,
            tiles: self.tiles,
            samples: self.samples,
            depth_view,
        })
    }

    /// (width, height) of the image, (tile count, rows per tile) and the
    /// colour texture each tile is drawn into (`width` x rows per tile).
    pub(super) fn layout(&self) -> ((u32, u32), (u32, u32), &wgpu::TextureView) {
        (
            (self.width, self.height),
            (self.tiles, self.tile_rows),
            &self.color_view,
        )
    }

    pub fn has_depth(&self) -> bool {
        self.depth_view.is_some()
    }
    pub fn samples(&self) -> u32 {
        self.samples
    }
    /// Clears to `clear`, lets `draw` record its draws once per tile (group 0,
    /// the tile transform, is already bound), and returns the frame read back
    /// into pooled mapped memory, with the depth and xyz planes `planes`
    /// asks for (float32, (H, W) and (H, W, 3)), unprojected from the depth
    /// buffer into their own readback memory. Blocks until the GPU is done.
    pub fn render_planes(
        &self,
        ctx: &GpuContext,
        clear: [u8; 4],
        draw: &dyn Fn(&mut wgpu::RenderPass<'_>),
        planes: Option<&UnprojectUniform>,
        mut profiling: Option<&mut Profiling<'_>>,
    ) -> Result<(Frame, Option<HostBuffer>, Option<HostBuffer>)> {
        let started = std::time::Instant::now();
        let mut timer = profiling.as_mut().and_then(|p| p.timer.as_deref_mut());
        let planes = match (planes, &self.depth_view) {
            (Some(_), None) => {
                return Err(Error::InvalidArgument(
                    "depth and xyz outputs need a render target with a depth buffer".into(),
                ))
            }
            (p, _) => p.filter(|u| u.planes != 0),
        };
        let row_bytes = self.width as u64 * 4;
        let size = row_bytes * self.height as u64;
        if size > ctx.limits.max_buffer_size {
            return Err(Error::InvalidArgument(format!(
                "a {}x{} RGBA frame needs {size} bytes, more than the device's max_buffer_size \
                 ({}); render a smaller image",
                self.width, self.height, ctx.limits.max_buffer_size
            )));
        }
        let readback = ctx.readback_pool.acquire(size)?;
        let mut unproject = match planes {
            Some(u) => match self
                .shape()
                .and_then(|shape| Unproject::new(ctx, &shape, u))
            {
                Ok(x) => Some(x),
                Err(e) => {
                    ctx.readback_pool.discard(readback);
                    return Err(e);
                }
            },
            None => None,
        };
        let recorded = ctx.scoped("rendering", || {
            let mut encoder = ctx
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("forge3d frame"),
                });
            // The time since the upload submission's last mark (if any).
            let mut mark = |encoder: &mut wgpu::CommandEncoder, step| {
                if let Some(t) = timer.as_deref_mut() {
                    t.mark(encoder, step);
                }
            };
            mark(&mut encoder, "queue");
            self.write_fill(ctx, clear);
            for t in 0..self.tiles {
                let y0 = t * self.tile_rows;
                let rows = self.tile_rows.min(self.height - y0);
                self.record_tile(&mut encoder, t, clear, draw, planes.is_some(), &mut mark);
                mark(&mut encoder, "render");
                if let Some(u) = &unproject {
                    u.record(&mut encoder, t, y0, rows);
                    mark(&mut encoder, "unproject");
                }
                let dst_offset = y0 as u64 * row_bytes;
                match &self.packed {
                    None => encoder.copy_texture_to_buffer(
                        wgpu::TexelCopyTextureInfo {
                            texture: &self.color,
                            mip_level: 0,
                            origin: wgpu::Origin3d::ZERO,
                            aspect: wgpu::TextureAspect::All,
                        },
                        wgpu::TexelCopyBufferInfo {
                            buffer: &readback,
                            layout: wgpu::TexelCopyBufferLayout {
                                offset: dst_offset,
                                bytes_per_row: Some(row_bytes as u32),
                                rows_per_image: Some(rows),
                            },
                        },
                        wgpu::Extent3d {
                            width: self.width,
                            height: rows,
                            depth_or_array_layers: 1,
                        },
                    ),
                    Some((packed, bind_group, pipeline)) => {
                        {
                            let mut pass =
                                encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                                    label: Some("forge3d pack_rows"),
                                    timestamp_writes: None,
                                });
                            pass.set_pipeline(&pipeline.pipeline);
                            pass.set_bind_group(0, bind_group, &[]);
                            pass.dispatch_workgroups(
                                self.width.div_ceil(WORKGROUP.0),
                                rows.div_ceil(WORKGROUP.1),
                                1,
                            );
                        }
                        mark(&mut encoder, "pack");
                        encoder.copy_buffer_to_buffer(
                            packed,
                            0,
                            &readback,
                            dst_offset,
                            rows as u64 * row_bytes,
                        );
                    }
                }
                mark(&mut encoder, "copy");
            }
            if let Some(t) = timer.as_deref() {
                t.resolve(&mut encoder);
            }
            ctx.queue.submit([encoder.finish()])
        });
        let recorded_ms = started.elapsed().as_secs_f64() * 1e3;
        let submission = match recorded {
            Ok(s) => s,
            Err(e) => {
                ctx.readback_pool.discard(readback);
                if let Some(u) = unproject.take() {
                    u.discard(ctx);
                }
                return Err(e);
            }
        };
        let bytes: Buffer = ctx.readback_pool.map(ctx, readback, submission.clone())?;
        if let Some(p) = profiling {
            p.record_ms = recorded_ms;
            p.wait_ms = started.elapsed().as_secs_f64() * 1e3 - recorded_ms;
            if let Some(t) = p.timer.as_deref() {
                p.gpu = t.read(ctx, submission.clone())?;
            }
        }
        let frame = Frame::new(HostBuffer::new(
            bytes,
            vec![self.height as usize, self.width as usize, 4],
            DType::U8,
            Origin::MappedReadback,
        ));
        let (h, w) = (self.height as usize, self.width as usize);
        let (mut depth, mut xyz) = (None, None);
        if let Some(u) = unproject {
            let plane =
                |b: Option<wgpu::Buffer>, shape: Vec<usize>| -> Result<Option<HostBuffer>> {
                    b.map(|b| {
                        let bytes = ctx.readback_pool.map(ctx, b, submission.clone())?;
                        Ok(HostBuffer::new(
                            bytes,
                            shape,
                            DType::F32,
                            Origin::MappedReadback,
                        ))
                    })
                    .transpose()
                };
            depth = plane(u.depth_readback, vec![h, w])?;
            xyz = plane(u.xyz_readback, vec![h, w, 3])?;
        }
        Ok((frame, depth, xyz))
    }
}

/// Clip-space transform that makes rows `y0 .. y0 + tile_rows` of a
/// `height`-row image fill the tile: `y' = y * s + o * w`.
fn tile_transform(height: u32, tile_rows: u32, y0: u32) -> TileUniform {
    let s = height as f32 / tile_rows as f32;
    TileUniform {
        scale: [1.0, s],
        offset: [0.0, 1.0 - s + 2.0 * y0 as f32 / tile_rows as f32],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_transform_maps_tile_rows_onto_the_tile() {
        // Image of 100 rows, tiles of 25: tile 1 holds rows 25..50, i.e. the
        // full-frame NDC band y in [0.0, 0.5] (top is +1).
        let u = tile_transform(100, 25, 25);
        let map = |y: f32| y * u.scale[1] + u.offset[1];
        assert!((map(0.5) - 1.0).abs() < 1e-6);
        assert!((map(0.0) + 1.0).abs() < 1e-6);
        let whole = tile_transform(100, 100, 0);
        assert_eq!((whole.scale[1], whole.offset[1]), (1.0, 0.0));
    }
}
