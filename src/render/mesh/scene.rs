//! Drawing meshes: how each is styled, and the per-frame preparation that
//! runs pending uploads and binds buffers for the render pass.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use wgpu::util::DeviceExt;

use super::pipeline::{DrawUniform, Kind, MeshPipelines, PipelineKey, FLAG_INDEXED, FLAG_SCALARS};
use super::Mesh;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::render::camera::Mat4;
use crate::render::colormap;
use crate::render::terrain::Lighting;

/// How a mesh is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum MeshStyle {
    /// Lit triangles; `color` multiplies the vertex colors (or is the color).
    Surface { color: [f32; 4] },
    /// Triangle edges as 1-pixel lines of `color`.
    Wireframe { color: [f32; 4] },
    /// Lit triangles colored by the mesh's scalars through a colormap;
    /// `range` defaults to the scalars' min and max.
    Scalars {
        colormap: String,
        range: Option<(f32, f32)>,
    },
    /// Each vertex a disc of `size` pixels, unlit; `color` multiplies the
    /// vertex colors; `colormap` colors by scalars instead when set.
    Points {
        size: f32,
        color: [f32; 4],
        colormap: Option<String>,
        range: Option<(f32, f32)>,
    },
}

impl MeshStyle {
    /// Checks values a user passes (colors in [0, 1], sizes, colormaps).
    pub fn validate(&self) -> Result<()> {
        let check_color = |c: &[f32; 4]| {
            if c.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)) {
                Ok(())
            } else {
                Err(Error::InvalidArgument(format!(
                    "color must be 3 or 4 floats in [0, 1], got {c:?}"
                )))
            }
        };
        let check_range = |r: &Option<(f32, f32)>| match r {
            Some((lo, hi)) if !(lo.is_finite() && hi.is_finite() && lo < hi) => {
                Err(Error::InvalidArgument(format!(
                    "scalar_range must be two finite numbers with min < max, got ({lo}, {hi})"
                )))
            }
            _ => Ok(()),
        };
        match self {
            MeshStyle::Surface { color } | MeshStyle::Wireframe { color } => check_color(color),
            MeshStyle::Scalars { colormap, range } => {
                colormap::lut(colormap)?;
                check_range(range)
            }
            MeshStyle::Points {
                size,
                color,
                colormap,
                range,
            } => {
                if !(size.is_finite() && *size > 0.0 && *size <= 1024.0) {
                    return Err(Error::InvalidArgument(format!(
                        "size must be a point diameter in pixels in (0, 1024], got {size}"
                    )));
                }
                if let Some(c) = colormap {
                    colormap::lut(c)?;
                }
                check_color(color)?;
                check_range(range)
            }
        }
    }
}

/// One mesh in a renderer's scene.
#[derive(Clone)]
pub struct MeshDraw {
    pub id: u64,
    pub mesh: Arc<Mesh>,
    pub style: MeshStyle,
}

/// Colormap textures by name, made once per context.
#[derive(Default)]
struct LutCache(Mutex<HashMap<String, wgpu::TextureView>>);

fn lut(ctx: &GpuContext, name: &str) -> Result<wgpu::TextureView> {
    let cache = ctx.cached(|_| LutCache::default());
    let mut map = cache.0.lock().unwrap_or_else(|e| e.into_inner());
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

/// Everything the meshes of one frame bind, ready for each tile's pass.
pub(crate) struct PreparedMeshes {
    draws: Vec<PreparedDraw>,
}

impl PreparedMeshes {
    pub fn draw(&self, pass: &mut wgpu::RenderPass<'_>) {
        for d in &self.draws {
            pass.set_pipeline(&d.pipeline);
            pass.set_bind_group(1, &d.bind_group, &[]);
            for (slot, b) in d.vertex_buffers.iter().enumerate() {
                pass.set_vertex_buffer(slot as u32, b.slice(..));
            }
            match &d.call {
                Call::Draw { vertices } => pass.draw(vertices.clone(), 0..1),
                Call::Indexed { indices, count } => {
                    pass.set_index_buffer(indices.slice(..), wgpu::IndexFormat::Uint32);
                    pass.draw_indexed(0..*count, 0, 0..1);
                }
            }
        }
    }
}

/// Runs the meshes' pending uploads (one submission) and prepares their
/// draws with `view_proj`, `light`, the frame size and sample count.
pub(crate) fn prepare_draws(
    ctx: &GpuContext,
    draws: &[MeshDraw],
    view_proj: Mat4,
    light: &Lighting,
    viewport: (u32, u32),
    samples: u32,
) -> Result<PreparedMeshes> {
    let pipelines = ctx.cached(MeshPipelines::new);
    ctx.scoped("uploading mesh data", || {
        let mut encoder = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("forge3d mesh uploads"),
            });
        let mut staged = Vec::new();
        let mut seen: Vec<*const Mesh> = Vec::new();
        for d in draws {
            let p = Arc::as_ptr(&d.mesh);
            if !seen.contains(&p) {
                seen.push(p);
                staged.extend(d.mesh.flush(&mut encoder));
            }
        }
        if !staged.is_empty() {
            ctx.queue.submit([encoder.finish()]);
        }
        // Dropped after the submission: each buffer goes back to the pool
        // once the GPU is done (or when a Python view over it dies).
        drop(staged);
    })?;

    let mut out = Vec::with_capacity(draws.len());
    for d in draws {
        let b = d.mesh.buffers();
        let Some(positions) = b.positions.clone() else {
            continue;
        };
        let n = b.vertex_count;
        if n == 0 {
            continue;
        }
        let (kind, color, size, map_name, range) = match &d.style {
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
        let (lo, hi) = range
            .or_else(|| d.mesh.scalar_range())
            .unwrap_or((0.0, 1.0));
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
        };
        let lut_view = lut(ctx, map_name.unwrap_or("viridis"))?;
        let key = PipelineKey {
            kind,
            normals: b.normals.is_some(),
            colors: vertex_colors,
            scalars: use_scalars,
            samples,
        };
        let prepared = ctx.scoped("preparing a mesh draw", || {
            let uniform_buffer = ctx
                .device
                .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("forge3d mesh draw"),
                    contents: bytemuck::bytes_of(&uniform),
                    usage: wgpu::BufferUsages::UNIFORM,
                });
            let index_binding = b
                .indices
                .as_ref()
                .map(|i| i.0.clone())
                .unwrap_or_else(|| pipelines.zeros.clone());
            let colors = match (&b.colors, use_scalars) {
                (Some((c, _)), false) => c.clone(),
                _ => pipelines.ones.clone(),
            };
            let scalars = match (&b.scalars, use_scalars) {
                (Some(s), true) => s.clone(),
                _ => pipelines.zeros.clone(),
            };
            let bind_group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("forge3d mesh draw"),
                layout: &pipelines.layout,
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: uniform_buffer.as_entire_binding(),
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
                // Six pulled vertices per point; `n` is at most a storage
                // binding of 16-byte colors, so 6 * n fits in u32.
                Kind::Points => (
                    vec![],
                    Call::Draw {
                        vertices: 0..n.saturating_mul(6),
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
        out.push(prepared);
    }
    Ok(PreparedMeshes { draws: out })
}
