//! Render pipelines for meshes, wireframes and points, made on first use
//! per vertex layout (which attributes are per vertex, the color format)
//! and sample count.

use parking_lot::Mutex;
use std::collections::HashMap;

use super::ColorFormat;
use crate::gpu::{layout, GpuContext};
use crate::render::target::{depth_state, TileLayout, COLOR_TARGET};

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct DrawUniform {
    pub view_proj: [[f32; 4]; 4],
    pub sun_dir: [f32; 4],
    pub color: [f32; 4],
    pub viewport: [f32; 2],
    pub scalar_range: [f32; 2],
    pub ambient: f32,
    pub sun_intensity: f32,
    pub point_size: f32,
    pub flags: u32,
    pub count: u32,
    pub _pad: [u32; 3],
}

pub(crate) const FLAG_SCALARS: u32 = 1;
pub(crate) const FLAG_INDEXED: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Surface,
    Wireframe,
    Points,
}

/// What a pipeline's vertex layout depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PipelineKey {
    pub kind: Kind,
    pub normals: bool,
    pub colors: Option<ColorFormat>,
    pub scalars: bool,
    pub samples: u32,
}

pub(crate) struct MeshPipelines {
    pub layout: wgpu::BindGroupLayout,
    pipeline_layout: wgpu::PipelineLayout,
    modules: [wgpu::ShaderModule; 3],
    made: Mutex<HashMap<PipelineKey, wgpu::RenderPipeline>>,
    /// 16 bytes of zeros: stands in for absent normals, scalars, indices.
    pub zeros: wgpu::Buffer,
    /// Four 1.0 floats: stands in for absent colors (white).
    pub ones: wgpu::Buffer,
}

/// Surfaces, wireframes and points share the draw uniform and bindings.
pub(crate) const MESH_WGSL: &str = concat!(include_str!("draw.wgsl"), include_str!("mesh.wgsl"));
pub(crate) const WIREFRAME_WGSL: &str =
    concat!(include_str!("draw.wgsl"), include_str!("wireframe.wgsl"));
pub(crate) const POINTS_WGSL: &str =
    concat!(include_str!("draw.wgsl"), include_str!("points.wgsl"));

impl MeshPipelines {
    pub fn new(ctx: &GpuContext) -> Self {
        let device = &ctx.device;
        let (vf, v) = (
            wgpu::ShaderStages::VERTEX_FRAGMENT,
            wgpu::ShaderStages::VERTEX,
        );
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("forge3d mesh"),
            entries: &[
                layout::uniform(0, vf, Some(std::mem::size_of::<DrawUniform>() as u64)),
                layout::float_texture(1, vf, wgpu::TextureViewDimension::D2),
                layout::storage(2, v, true),
                layout::storage(3, v, true),
                layout::storage(4, v, true),
                layout::storage(5, v, true),
            ],
        });
        let tile = TileLayout::get(ctx);
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("forge3d mesh"),
            bind_group_layouts: &[Some(&tile.0), Some(&layout)],
            immediate_size: 0,
        });
        let module = |label, src| layout::wgsl(device, label, src);
        let modules = [
            module("forge3d mesh", MESH_WGSL),
            module("forge3d wireframe", WIREFRAME_WGSL),
            module("forge3d points", POINTS_WGSL),
        ];
        let constant = |label, contents: &[f32; 4]| {
            let b = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: 16,
                usage: wgpu::BufferUsages::VERTEX
                    | wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            ctx.queue
                .write_buffer(&b, 0, bytemuck::cast_slice(contents));
            b
        };
        Self {
            layout,
            pipeline_layout,
            modules,
            made: Mutex::new(HashMap::new()),
            zeros: constant("forge3d zeros", &[0.0; 4]),
            ones: constant("forge3d ones", &[1.0; 4]),
        }
    }

    pub fn get(&self, ctx: &GpuContext, mut key: PipelineKey) -> wgpu::RenderPipeline {
        if key.kind == Kind::Wireframe {
            // Wireframes pull their vertices from storage buffers and draw
            // one color: one pipeline whatever the attributes.
            key = PipelineKey {
                normals: false,
                colors: None,
                scalars: false,
                ..key
            };
        }
        let mut made = self.made.lock();
        made.entry(key)
            .or_insert_with(|| self.make(ctx, key))
            .clone()
    }

    fn make(&self, ctx: &GpuContext, key: PipelineKey) -> wgpu::RenderPipeline {
        let (module, topology) = match key.kind {
            Kind::Surface => (&self.modules[0], wgpu::PrimitiveTopology::TriangleList),
            Kind::Wireframe => (&self.modules[1], wgpu::PrimitiveTopology::LineList),
            Kind::Points => (&self.modules[2], wgpu::PrimitiveTopology::TriangleList),
        };
        let (color_stride, color_format) = match key.colors {
            Some(ColorFormat::F32) => (16, wgpu::VertexFormat::Float32x4),
            Some(ColorFormat::Unorm8) => (4, wgpu::VertexFormat::Unorm8x4),
            None => (0, wgpu::VertexFormat::Float32x4),
        };
        let attrs: Vec<[wgpu::VertexAttribute; 1]> = {
            let a = |format, location| {
                [wgpu::VertexAttribute {
                    format,
                    offset: 0,
                    shader_location: location,
                }]
            };
            match key.kind {
                Kind::Surface => vec![
                    a(wgpu::VertexFormat::Float32x3, 0),
                    a(wgpu::VertexFormat::Float32x3, 1),
                    a(color_format, 2),
                    a(wgpu::VertexFormat::Float32, 3),
                ],
                Kind::Points | Kind::Wireframe => vec![],
            }
        };
        let strides: Vec<u64> = match key.kind {
            Kind::Surface => vec![
                12,
                if key.normals { 12 } else { 0 },
                color_stride,
                if key.scalars { 4 } else { 0 },
            ],
            Kind::Points | Kind::Wireframe => vec![],
        };
        let buffers: Vec<Option<wgpu::VertexBufferLayout<'_>>> = strides
            .iter()
            .zip(&attrs)
            .map(|(&stride, attr)| {
                Some(wgpu::VertexBufferLayout {
                    array_stride: stride,
                    step_mode: wgpu::VertexStepMode::Vertex,
                    attributes: attr,
                })
            })
            .collect();
        ctx.device
            .create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some("forge3d mesh"),
                layout: Some(&self.pipeline_layout),
                vertex: wgpu::VertexState {
                    module,
                    entry_point: Some(match (key.kind, key.scalars, key.colors) {
                        (Kind::Points, true, _) => "vs_scalars",
                        (Kind::Points, false, Some(ColorFormat::Unorm8)) => "vs_rgba8",
                        (Kind::Points, false, Some(ColorFormat::F32)) => "vs_rgba32f",
                        (Kind::Points, false, None) => "vs_plain",
                        _ => "vs_main",
                    }),
                    compilation_options: Default::default(),
                    buffers: &buffers,
                },
                primitive: wgpu::PrimitiveState {
                    topology,
                    cull_mode: None,
                    ..Default::default()
                },
                depth_stencil: Some(depth_state(wgpu::CompareFunction::LessEqual, true)),
                multisample: wgpu::MultisampleState {
                    count: key.samples,
                    ..Default::default()
                },
                fragment: Some(wgpu::FragmentState {
                    module,
                    entry_point: Some("fs_main"),
                    compilation_options: Default::default(),
                    targets: &COLOR_TARGET,
                }),
                multiview_mask: None,
                cache: None,
            })
    }
}
