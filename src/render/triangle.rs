//! The triangle pipeline: a vertex-colored triangle, no buffers.

use super::target::{TileLayout, COLOR_TARGET};
use crate::gpu::{layout, GpuContext};

pub(crate) struct TrianglePipeline {
    pub pipeline: wgpu::RenderPipeline,
}

impl TrianglePipeline {
    pub fn new(ctx: &GpuContext) -> Self {
        let device = &ctx.device;
        let module = layout::wgsl(device, "forge3d triangle", include_str!("triangle.wgsl"));
        let tile = TileLayout::get(ctx);
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("forge3d triangle"),
            bind_group_layouts: &[Some(&tile.0)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("forge3d triangle"),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &COLOR_TARGET,
            }),
            multiview_mask: None,
            cache: None,
        });
        Self { pipeline }
    }
}
