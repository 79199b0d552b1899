//! A mesh or point set as a layer: how it is styled, and the per-frame
//! preparation that records its pending uploads and binds its buffers.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::pipeline::{DrawUniform, Kind, MeshPipelines, PipelineKey, FLAG_INDEXED, FLAG_SCALARS};
use super::raster::{ColorSource, PointsRaster, RasterPipelines, RasterTargets};
use super::{Mesh, MeshStyle};
use crate::error::{Error, Result};
use crate::gpu::alloc::belt::Uniform;
use crate::gpu::GpuContext;
use crate::render::camera::Bounds;
use crate::render::colormap;
use crate::render::scene::{DrawData, Layer, Prepare};

/// A mesh (or point set) in a renderer's scene, drawn as `style`. Several
/// layers may share one mesh.
pub struct MeshLayer {
    pub mesh: Arc<Mesh>,
    pub style: MeshStyle,
    /// The compute rasteriser's per-pixel buffers (points drawn by compute).
    raster: Mutex<Option<RasterTargets>>,
    /// How the last frame drew this layer's points ("compute" or
    /// "triangles"; None before its first frame as points).
    last_raster: Mutex<Option<&'static str>>,
    /// A frame size whose per-pixel buffers could not be allocated.
    refused: Mutex<Option<(u32, u32)>>,
    /// The draw's uniform (made at the first frame), rewritten only when
    /// it changes.
    uniform: Mutex<Option<Arc<Uniform>>>,
}

impl MeshLayer {
    pub fn new(mesh: Arc<Mesh>, style: MeshStyle) -> Self {
        Self {
            mesh,
            style,
            raster: Mutex::new(None),
            last_raster: Mutex::new(None),
            refused: Mutex::new(None),
            uniform: Mutex::new(None),
        }
    }

    /// The draw's uniform buffer, made at the first call.
    fn uniform(&self, ctx: &GpuContext) -> Arc<Uniform> {
        self.uniform
            .lock()
            .get_or_insert_with(|| {
                Uniform::new(
                    ctx,
                    "forge3d mesh draw",
                    std::mem::size_of::<DrawUniform>() as u64,
                )
            })
            .clone()
    }

    /// How the last frame rasterised this layer's points: "compute" or
    /// "triangles" (None before a frame drew it as points).
    pub fn points_raster(&self) -> Option<&'static str> {
        *self.last_raster.lock()
    }

    /// Changes the style; the per-pixel buffers go when no longer points.
    pub fn set_style(&mut self, style: MeshStyle) {
        if !matches!(style, MeshStyle::Points { .. }) {
            *self.raster.get_mut() = None;
            *self.last_raster.get_mut() = None;
        }
        self.style = style;
    }
}

/// Colormap textures by name, made once per context.
#[derive(Default)]
struct LutCache(Mutex<HashMap<String, wgpu::TextureView>>);

fn lut(ctx: &GpuContext, name: &str) -> Result<wgpu::TextureView> {
    let cache = ctx.cached(|_| LutCache::default());
    let mut map = cache.0.lock();
    if let Some(v) = map.get(name) {
        return Ok(v.clone());
    }
    let view = colormap::lut_texture(ctx, name)?;
    map.insert(name.to_string(), view.clone());
    Ok(view)
}

enum Call {
    Draw { vertices: std::ops::Range<u32> },
    Indexed { indices: wgpu::Buffer, count: u32 },
}

struct PreparedDraw {
    pipeline: wgpu::RenderPipeline,
    bind_group: wgpu::BindGroup,
    vertex_buffers: Vec<wgpu::Buffer>,
    call: Call,
}

impl DrawData for PreparedDraw {
    fn draw(&self, pass: &mut wgpu::RenderPass<'_>) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(1, &self.bind_group, &[]);
        for (slot, b) in self.vertex_buffers.iter().enumerate() {
            pass.set_vertex_buffer(slot as u32, b.slice(..));
        }
        match &self.call {
            Call::Draw { vertices } => pass.draw(vertices.clone(), 0..1),
            Call::Indexed { indices, count } => {
                pass.set_index_buffer(indices.slice(..), wgpu::IndexFormat::Uint32);
                pass.draw_indexed(0..*count, 0, 0..1);
            }
        }
    }
}

/// A mesh without positions or vertices draws nothing.
struct NoDraw;

impl DrawData for NoDraw {
    fn draw(&self, _pass: &mut wgpu::RenderPass<'_>) {}
}

impl Layer for MeshLayer {
    fn kind(&self) -> &'static str {
        "mesh"
    }

    fn bounds(&self) -> Option<Bounds> {
        self.mesh.bounds()
    }

    /// Records the mesh's pending uploads into the frame's upload encoder
    /// (a mesh shared by several layers is flushed by the first) and binds
    /// its buffers for the style.
    fn prepare(&self, frame: &mut Prepare<'_>) -> Result<Box<dyn DrawData>> {
        // The upload encoder only when there is something to copy: a frame
        // of unchanged meshes submits no upload work.
        if self.mesh.has_pending() {
            let staged = self.mesh.flush(frame.uploads());
            frame.keep(staged);
        }
        Ok(match prepare_draw(frame, self)? {
            Some(d) => Box::new(d),
            None => Box::new(NoDraw),
        })
    }
}

/// Binds the layer's mesh buffers for its style (and, for points drawn by
/// compute, records the compute passes into the frame's upload encoder);
/// None when there is nothing to draw.
fn prepare_draw(frame: &mut Prepare<'_>, layer: &MeshLayer) -> Result<Option<PreparedDraw>> {
    let (mesh, style) = (&*layer.mesh, &layer.style);
    let ctx = frame.ctx;
    let (view_proj, light, viewport, samples) =
        (frame.view_proj, frame.light, frame.viewport, frame.samples);
    let pipelines = ctx.cached(MeshPipelines::new);
    {
        let b = mesh.buffers();
        let n = b.vertex_count;
        let Some(positions) = b.positions.clone().filter(|_| n > 0) else {
            // Nothing drawn: no way of drawing points to report.
            *layer.last_raster.lock() = None;
            return Ok(None);
        };
        let (kind, color, size, map_name, range) = match style {
            MeshStyle::Surface { color } => (Kind::Surface, *color, 1.0, None, None),
            MeshStyle::Wireframe { color } => (Kind::Wireframe, *color, 1.0, None, None),
            MeshStyle::Scalars { colormap, range } => (
                Kind::Surface,
                [1.0; 4],
                1.0,
                Some(colormap.as_str()),
                *range,
            ),
            MeshStyle::Points {
                size,
                color,
                colormap,
                range,
            } => (Kind::Points, *color, *size, colormap.as_deref(), *range),
        };
        let use_scalars = map_name.is_some();
        if use_scalars && b.scalars.is_none() {
            return Err(Error::State(
                "a scalar-colored view needs the mesh's scalars; call mesh.set_scalars(values) \
                 first"
                    .into(),
            ));
        }
        let (lo, hi) = range.or_else(|| mesh.scalar_range()).unwrap_or((0.0, 1.0));
        let span = if hi > lo { hi - lo } else { 1.0 };
        let indexed = b.indices.is_some();
        let vertex_colors = if use_scalars {
            None
        } else {
            b.colors.as_ref().map(|c| c.1)
        };
        let uniform = DrawUniform {
            view_proj,
            sun_dir: light.sun_dir(),
            color,
            viewport: [viewport.0 as f32, viewport.1 as f32],
            scalar_range: [lo, 1.0 / span],
            ambient: light.ambient,
            sun_intensity: light.intensity,
            point_size: size,
            flags: if use_scalars { FLAG_SCALARS } else { 0 }
                | if indexed { FLAG_INDEXED } else { 0 },
            count: n,
            _pad: [0; 3],
        };
        let uniform_buffer = layer.uniform(ctx);
        frame.write_uniform(&uniform_buffer, bytemuck::bytes_of(&uniform));
        let lut_view = lut(ctx, map_name.unwrap_or("viridis"))?;
        let colors = match (&b.colors, use_scalars) {
            (Some((c, _)), false) => c.clone(),
            _ => pipelines.ones.clone(),
        };
        let scalars = match (&b.scalars, use_scalars) {
            (Some(s), true) => s.clone(),
            _ => pipelines.zeros.clone(),
        };
        if kind == Kind::Points {
            let choice = PointsRaster::from_env()?;
            let refused = *layer.refused.lock() == Some(viewport);
            let wanted = choice.uses_compute(ctx, viewport, size, n)
                && !(refused && choice == PointsRaster::Auto);
            let targets = if wanted {
                match RasterTargets::for_viewport(ctx, &layer.raster, viewport) {
                    Ok(t) => Some(t),
                    // Chosen automatically, the per-pixel buffers are not
                    // worth failing the frame for (the GPU may be out of
                    // memory): triangles need none, and frames of this size
                    // do not ask again.
                    Err(_) if choice == PointsRaster::Auto => {
                        *layer.refused.lock() = Some(viewport);
                        None
                    }
                    Err(e) => return Err(e),
                }
            } else {
                // Not kept while triangles draw the points.
                *layer.raster.lock() = None;
                None
            };
            if let Some(targets) = targets {
                let bound = Bound {
                    uniform: &uniform,
                    uniform_buffer: &uniform_buffer.buffer,
                    lut: &lut_view,
                    positions: &positions,
                    colors: &colors,
                    scalars: &scalars,
                    targets: (&targets.0, &targets.1),
                };
                let source = ColorSource::of(use_scalars, vertex_colors);
                let draw = prepare_compute(frame, bound, source)?;
                *layer.last_raster.lock() = Some("compute");
                return Ok(Some(draw));
            }
            *layer.last_raster.lock() = Some("triangles");
        }
        let key = PipelineKey {
            kind,
            normals: b.normals.is_some(),
            colors: vertex_colors,
            scalars: use_scalars,
            samples,
        };
        let prepared = ctx.scoped("preparing a mesh draw", || {
            let index_binding = b
                .indices
                .as_ref()
                .map(|i| i.0.clone())
                .unwrap_or_else(|| pipelines.zeros.clone());
            let bind_group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("forge3d mesh draw"),
                layout: &pipelines.layout,
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: uniform_buffer.buffer.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: wgpu::BindingResource::TextureView(&lut_view),
                    },
                    wgpu::BindGroupEntry {
                        binding: 2,
                        resource: positions.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 3,
                        resource: index_binding.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 4,
                        resource: colors.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 5,
                        resource: scalars.as_entire_binding(),
                    },
                ],
            });
            let normals = b.normals.clone().unwrap_or_else(|| pipelines.zeros.clone());
            let triangles = n - n % 3;
            let (vertex_buffers, call) = match kind {
                Kind::Surface => (
                    vec![positions.clone(), normals, colors, scalars],
                    match &b.indices {
                        Some((i, count)) => Call::Indexed {
                            indices: i.clone(),
                            count: *count,
                        },
                        None => Call::Draw {
                            vertices: 0..triangles,
                        },
                    },
                ),
                Kind::Wireframe => (
                    vec![],
                    Call::Draw {
                        vertices: 0..2 * b.indices.as_ref().map_or(triangles, |i| i.1),
                    },
                ),
                // Three pulled vertices per point (points.wgsl); `n` is at
                // most a storage binding of 16-byte colors, so 3 * n fits
                // in u32.
                Kind::Points => (
                    vec![],
                    Call::Draw {
                        vertices: 0..n.saturating_mul(3),
                    },
                ),
            };
            PreparedDraw {
                pipeline: pipelines.get(ctx, key),
                bind_group,
                vertex_buffers,
                call,
            }
        })?;
        Ok(Some(prepared))
    }
}

/// What a compute-drawn point set binds.
struct Bound<'a> {
    uniform: &'a DrawUniform,
    /// `uniform`, as the frame's upload encoder writes it.
    uniform_buffer: &'a wgpu::Buffer,
    lut: &'a wgpu::TextureView,
    positions: &'a wgpu::Buffer,
    colors: &'a wgpu::Buffer,
    scalars: &'a wgpu::Buffer,
    /// The per-pixel keys and owners.
    targets: (&'a wgpu::Buffer, &'a wgpu::Buffer),
}

/// Records the compute rasteriser's passes over the layer's points into the
/// frame's upload encoder (submitted before the frame's passes) and returns
/// the resolve draw (raster.rs).
fn prepare_compute(
    frame: &mut Prepare<'_>,
    bound: Bound<'_>,
    source: ColorSource,
) -> Result<PreparedDraw> {
    let ctx = frame.ctx;
    let pipelines = ctx.cached(RasterPipelines::new);
    let (keys, winners) = bound.targets;
    let (compute_group, draw) = ctx.scoped("preparing points drawn by compute", || {
        fn entry(binding: u32, resource: wgpu::BindingResource<'_>) -> wgpu::BindGroupEntry<'_> {
            wgpu::BindGroupEntry { binding, resource }
        }
        let uniform = bound.uniform_buffer;
        let compute_group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("forge3d points raster"),
            layout: &pipelines.compute_layout,
            entries: &[
                entry(0, uniform.as_entire_binding()),
                entry(2, bound.positions.as_entire_binding()),
                entry(6, keys.as_entire_binding()),
                entry(7, winners.as_entire_binding()),
            ],
        });
        let resolve_group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("forge3d points resolve"),
            layout: &pipelines.resolve_layout,
            entries: &[
                entry(0, uniform.as_entire_binding()),
                entry(1, wgpu::BindingResource::TextureView(bound.lut)),
                entry(4, bound.colors.as_entire_binding()),
                entry(5, bound.scalars.as_entire_binding()),
                entry(6, keys.as_entire_binding()),
                entry(7, winners.as_entire_binding()),
            ],
        });
        let draw = PreparedDraw {
            pipeline: pipelines.resolve(ctx, source, frame.samples),
            bind_group: resolve_group,
            vertex_buffers: vec![],
            call: Call::Draw { vertices: 0..3 },
        };
        (compute_group, draw)
    })?;
    let max_groups = ctx.limits.max_compute_workgroups_per_dimension;
    pipelines.record(
        frame.uploads(),
        (keys, winners),
        &compute_group,
        bound.uniform.count,
        max_groups,
    );
    Ok(draw)
}
