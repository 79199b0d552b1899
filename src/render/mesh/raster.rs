//! Point sets drawn by a compute rasteriser (points_raster.wgsl) and one
//! resolve draw per tile (points_resolve.wgsl) instead of one triangle per
//! point (points.wgsl).
//!
//! Why: a point of one or two pixels costs the geometry pipeline a whole
//! triangle, and on data-centre GPUs (H100, H200) only a few of the chip's
//! units run graphics: there the time follows the number of points (about
//! 180M triangles a second) however few pixels they cover. The compute
//! passes run on every unit; the resolve costs one fragment per pixel of the
//! frame, whatever the number of points. The frames are the same: the same
//! disc test at pixel centres, the nearest point wins and ties go to the
//! later point (the depth test LessEqual), and the resolve's depth meets the
//! other layers' in the render pass.
//!
//! `FORGE3D_POINTS` chooses: `triangles`, `compute`, or `auto` (default),
//! which takes compute for points of at most [`AUTO_MAX_SIZE`] pixels when
//! there is at least one point per [`AUTO_PIXELS_PER_POINT`] pixels of the
//! frame. With MSAA neither antialiases a disc's rim (the triangle path's
//! disc test runs once per pixel, and its discard drops every sample); the
//! resolve writes every sample of the pixels it keeps.
//! Software rasterisers gain too: llvmpipe sets up each triangle on the CPU.

use std::collections::HashMap;

use parking_lot::Mutex;

use super::pipeline::DrawUniform;
use super::ColorFormat;
use crate::error::Result;
use crate::gpu::{layout, GpuContext};
use crate::render::target::{depth_state, TileLayout, COLOR_TARGET};

pub(crate) const RASTER_WGSL: &str = concat!(
    include_str!("draw.wgsl"),
    include_str!("points_raster.wgsl")
);
pub(crate) const RESOLVE_WGSL: &str = concat!(
    include_str!("draw.wgsl"),
    include_str!("points_resolve.wgsl")
);

/// Threads per workgroup of the compute passes (points_raster.wgsl).
const WORKGROUP: u32 = 256;
/// Largest point diameter, in pixels, that `auto` draws by compute: one
/// thread loops over the pixels of its point's box.
pub const AUTO_MAX_SIZE: f32 = 8.0;
/// `auto` draws by compute when there is at least one point per this many
/// pixels of the frame: the resolve costs a fragment per pixel, a point
/// drawn as a triangle its triangle. Measured (docs/benchmarks.md): on an
/// H100, 5.5 ns per triangle-drawn point against 0.11 ns per resolved
/// pixel (even near one point per 50 pixels); on lavapipe, about 1 us per
/// point against 13 ns per pixel (even near one per 80).
pub const AUTO_PIXELS_PER_POINT: u64 = 48;

/// How point sets are rasterised, from `FORGE3D_POINTS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointsRaster {
    Auto,
    Triangles,
    Compute,
}

impl PointsRaster {
    /// Parses `FORGE3D_POINTS` (`auto`, `triangles` or `compute`; unset or
    /// empty is `auto`). An unknown value is an error naming the choices.
    pub fn from_env() -> Result<Self> {
        Ok(
            match crate::env::choice("FORGE3D_POINTS", &["auto", "triangles", "compute"], "auto")? {
                "triangles" => Self::Triangles,
                "compute" => Self::Compute,
                _ => Self::Auto,
            },
        )
    }

    /// Whether `n` points of `size` pixels in a `viewport` frame go
    /// through the compute rasteriser on `ctx`. Compute needs
    /// a 4-byte word per pixel in one storage binding and storage buffers in
    /// fragment shaders; frames larger than that, or devices without them,
    /// draw triangles whatever the choice.
    pub fn uses_compute(self, ctx: &GpuContext, viewport: (u32, u32), size: f32, n: u32) -> bool {
        let pixels = viewport.0 as u64 * viewport.1 as u64;
        let bytes = pixels * 4;
        let l = &ctx.limits;
        // The resolve reads four storage buffers in its fragment stage.
        let fits = bytes <= l.max_storage_buffer_binding_size
            && bytes <= l.max_buffer_size
            && l.max_storage_buffers_per_shader_stage >= 4
            && l.max_compute_invocations_per_workgroup >= WORKGROUP
            && l.max_compute_workgroup_size_x >= WORKGROUP;
        fits && match self {
            Self::Triangles => false,
            Self::Compute => true,
            Self::Auto => size <= AUTO_MAX_SIZE && n as u64 * AUTO_PIXELS_PER_POINT >= pixels,
        }
    }
}

/// Where a resolve takes its colours from (one fragment entry point each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ColorSource {
    Plain,
    Rgba8,
    Rgba32f,
    Scalars,
}

impl ColorSource {
    pub fn of(scalars: bool, colors: Option<ColorFormat>) -> Self {
        match (scalars, colors) {
            (true, _) => Self::Scalars,
            (false, Some(ColorFormat::Unorm8)) => Self::Rgba8,
            (false, Some(ColorFormat::F32)) => Self::Rgba32f,
            (false, None) => Self::Plain,
        }
    }

    fn entry_point(self) -> &'static str {
        match self {
            Self::Plain => "fs_plain",
            Self::Rgba8 => "fs_rgba8",
            Self::Rgba32f => "fs_rgba32f",
            Self::Scalars => "fs_scalars",
        }
    }
}

pub(crate) struct RasterPipelines {
    pub compute_layout: wgpu::BindGroupLayout,
    nearest: wgpu::ComputePipeline,
    owner: wgpu::ComputePipeline,
    pub resolve_layout: wgpu::BindGroupLayout,
    resolve_pipeline_layout: wgpu::PipelineLayout,
    resolve_module: wgpu::ShaderModule,
    made: Mutex<HashMap<(ColorSource, u32), wgpu::RenderPipeline>>,
}

impl RasterPipelines {
    pub fn new(ctx: &GpuContext) -> Self {
        let device = &ctx.device;
        let (c, f, vf) = (
            wgpu::ShaderStages::COMPUTE,
            wgpu::ShaderStages::FRAGMENT,
            wgpu::ShaderStages::VERTEX_FRAGMENT,
        );
        let uniform_size = Some(std::mem::size_of::<DrawUniform>() as u64);
        let compute_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("forge3d points raster"),
            entries: &[
                layout::uniform(0, c, uniform_size),
                layout::storage(2, c, true),
                layout::storage(6, c, false),
                layout::storage(7, c, false),
            ],
        });
        // Group 0 (the tile) is not used by the compute passes.
        let compute_pipeline_layout =
            device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some("forge3d points raster"),
                bind_group_layouts: &[None, Some(&compute_layout)],
                immediate_size: 0,
            });
        let module = layout::wgsl(device, "forge3d points raster", RASTER_WGSL);
        let compute = |entry| {
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some("forge3d points raster"),
                layout: Some(&compute_pipeline_layout),
                module: &module,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                cache: None,
            })
        };
        let (nearest, owner) = (compute("nearest"), compute("owner"));
        let resolve_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("forge3d points resolve"),
            entries: &[
                layout::uniform(0, vf, uniform_size),
                layout::float_texture(1, f, wgpu::TextureViewDimension::D2),
                layout::storage(4, f, true),
                layout::storage(5, f, true),
                layout::storage(6, f, true),
                layout::storage(7, f, true),
            ],
        });
        let tile = TileLayout::get(ctx);
        let resolve_pipeline_layout =
            device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some("forge3d points resolve"),
                bind_group_layouts: &[Some(&tile.0), Some(&resolve_layout)],
                immediate_size: 0,
            });
        Self {
            compute_layout,
            nearest,
            owner,
            resolve_layout,
            resolve_pipeline_layout,
            resolve_module: layout::wgsl(device, "forge3d points resolve", RESOLVE_WGSL),
            made: Mutex::new(HashMap::new()),
        }
    }

    /// The resolve pipeline for `source` at `samples`.
    pub fn resolve(
        &self,
        ctx: &GpuContext,
        source: ColorSource,
        samples: u32,
    ) -> wgpu::RenderPipeline {
        let mut made = self.made.lock();
        made.entry((source, samples))
            .or_insert_with(|| {
                ctx.device
                    .create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                        label: Some("forge3d points resolve"),
                        layout: Some(&self.resolve_pipeline_layout),
                        vertex: wgpu::VertexState {
                            module: &self.resolve_module,
                            entry_point: Some("vs_main"),
                            compilation_options: Default::default(),
                            buffers: &[],
                        },
                        primitive: wgpu::PrimitiveState {
                            topology: wgpu::PrimitiveTopology::TriangleList,
                            cull_mode: None,
                            ..Default::default()
                        },
                        depth_stencil: Some(depth_state(wgpu::CompareFunction::LessEqual, true)),
                        multisample: wgpu::MultisampleState {
                            count: samples,
                            ..Default::default()
                        },
                        fragment: Some(wgpu::FragmentState {
                            module: &self.resolve_module,
                            entry_point: Some(source.entry_point()),
                            compilation_options: Default::default(),
                            targets: &COLOR_TARGET,
                        }),
                        multiview_mask: None,
                        cache: None,
                    })
            })
            .clone()
    }

    /// Records the two passes over `n` points into `encoder`: clears the
    /// per-pixel `keys` and `winners`, then fills them (`bind_group` of
    /// [`Self::compute_layout`] binds them).
    pub fn record(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        (keys, winners): (&wgpu::Buffer, &wgpu::Buffer),
        bind_group: &wgpu::BindGroup,
        n: u32,
        max_groups: u32,
    ) {
        encoder.clear_buffer(keys, 0, None);
        encoder.clear_buffer(winners, 0, None);
        let (x, y) = dispatch_shape(n, max_groups);
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("forge3d points raster"),
            timestamp_writes: None,
        });
        pass.set_bind_group(1, bind_group, &[]);
        for pipeline in [&self.nearest, &self.owner] {
            pass.set_pipeline(pipeline);
            pass.dispatch_workgroups(x, y, 1);
        }
    }
}

/// Workgroups (x, y) covering `n` points, x at most `max_groups` (the
/// device's limit per dimension); the shader numbers point
/// `gid.x + gid.y * x * WORKGROUP`.
fn dispatch_shape(n: u32, max_groups: u32) -> (u32, u32) {
    let groups = n.div_ceil(WORKGROUP).max(1);
    let x = groups.min(max_groups.max(1));
    (x, groups.div_ceil(x))
}

/// One layer's per-pixel words (depth keys and owning points), kept between
/// frames of one size: 8 bytes of GPU memory per pixel.
pub(crate) struct RasterTargets {
    pub viewport: (u32, u32),
    pub keys: wgpu::Buffer,
    pub winners: wgpu::Buffer,
}

impl RasterTargets {
    /// The targets for `viewport`, reusing `kept` when it has that size.
    pub fn for_viewport(
        ctx: &GpuContext,
        kept: &Mutex<Option<RasterTargets>>,
        viewport: (u32, u32),
    ) -> Result<(wgpu::Buffer, wgpu::Buffer)> {
        let mut kept = kept.lock();
        if let Some(t) = kept.as_ref().filter(|t| t.viewport == viewport) {
            return Ok((t.keys.clone(), t.winners.clone()));
        }
        // The old size's memory goes first.
        *kept = None;
        let bytes = viewport.0 as u64 * viewport.1 as u64 * 4;
        let made = ctx.scoped(
            "allocating the point rasteriser's per-pixel buffers",
            || {
                let make = |label| {
                    ctx.device.create_buffer(&wgpu::BufferDescriptor {
                        label: Some(label),
                        size: bytes,
                        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                        mapped_at_creation: false,
                    })
                };
                RasterTargets {
                    viewport,
                    keys: make("forge3d points depth keys"),
                    winners: make("forge3d points owners"),
                }
            },
        )?;
        let out = (made.keys.clone(), made.winners.clone());
        *kept = Some(made);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dispatch_covers_every_point_within_the_limit() {
        for (n, max) in [
            (1, 65535),
            (256, 65535),
            (257, 65535),
            (20_000_000, 65535),
            (1000, 3),
        ] {
            let (x, y) = dispatch_shape(n, max);
            assert!(x <= max && y <= max, "{n} {max}: {x} x {y}");
            let threads = x as u64 * y as u64 * WORKGROUP as u64;
            // Every point has a thread, and no whole row of groups is idle.
            assert!(threads >= n as u64, "{n} {max}");
            assert!(
                (x as u64 * (y as u64 - 1)) * (WORKGROUP as u64) < n as u64,
                "{n} {max}"
            );
        }
        assert_eq!(dispatch_shape(20_000_000, 65535), (65535, 2));
    }
}
