//! The test triangle: a vertex-colored triangle from the vertex index, no
//! buffers. The smallest complete layer (see `scene.rs`).

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::camera::Bounds;
use super::scene::{DrawData, Layer, Prepare};
use super::target::{depth_state, TileLayout, COLOR_TARGET};
use crate::error::Result;
use crate::gpu::{layout, GpuContext};

pub(crate) const TRIANGLE_WGSL: &str = include_str!("triangle.wgsl");

/// The triangle's pipelines, one per (depth, samples) of the target.
#[derive(Default)]
struct TrianglePipelines(Mutex<HashMap<(bool, u32), wgpu::RenderPipeline>>);

impl TrianglePipelines {
    fn get(&self, ctx: &GpuContext, depth: bool, samples: u32) -> wgpu::RenderPipeline {
        let mut map = self.0.lock();
        map.entry((depth, samples))
            .or_insert_with(|| pipeline(ctx, depth, samples))
            .clone()
    }
}

fn pipeline(ctx: &GpuContext, depth: bool, samples: u32) -> wgpu::RenderPipeline {
    let device = &ctx.device;
    let module = layout::wgsl(device, "forge3d triangle", TRIANGLE_WGSL);
    let tile = TileLayout::get(ctx);
    let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some("forge3d triangle"),
        bind_group_layouts: &[Some(&tile.0)],
        immediate_size: 0,
    });
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some("forge3d triangle"),
        layout: Some(&layout),
        vertex: wgpu::VertexState {
            module: &module,
            entry_point: Some("vs_main"),
            compilation_options: Default::default(),
            buffers: &[],
        },
        primitive: wgpu::PrimitiveState::default(),
        // Drawn over whatever is there: no depth test, no depth write.
        depth_stencil: depth.then(|| depth_state(wgpu::CompareFunction::Always, false)),
        multisample: wgpu::MultisampleState {
            count: samples,
            ..Default::default()
        },
        fragment: Some(wgpu::FragmentState {
            module: &module,
            entry_point: Some("fs_main"),
            compilation_options: Default::default(),
            targets: &COLOR_TARGET,
        }),
        multiview_mask: None,
        cache: None,
    })
}

/// The colored triangle, in clip space (the camera does not move it).
pub struct TriangleLayer;

struct TriangleDraw(wgpu::RenderPipeline);

impl DrawData for TriangleDraw {
    fn draw(&self, pass: &mut wgpu::RenderPass<'_>) {
        pass.set_pipeline(&self.0);
        pass.draw(0..3, 0..1);
    }
}

impl Layer for TriangleLayer {
    fn kind(&self) -> &'static str {
        "triangle"
    }

    fn bounds(&self) -> Option<Bounds> {
        None
    }

    fn needs_depth(&self) -> bool {
        false
    }

    fn prepare(&self, frame: &mut Prepare<'_>) -> Result<Box<dyn DrawData>> {
        let pipelines: Arc<TrianglePipelines> = frame.ctx.cached(|_| TrianglePipelines::default());
        Ok(Box::new(TriangleDraw(pipelines.get(
            frame.ctx,
            frame.depth,
            frame.samples,
        ))))
    }
}
