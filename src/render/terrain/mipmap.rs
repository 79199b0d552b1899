//! Mip levels of an overlay image (mipmap.wgsl), so an image larger than
//! its footprint on screen is drawn from its averaged levels instead of
//! aliasing.

use crate::gpu::{layout, GpuContext};

pub(crate) const MIPMAP_WGSL: &str = include_str!("mipmap.wgsl");

/// Levels down to 1x1 for an image of `w` x `h`.
pub(crate) fn level_count(w: u32, h: u32) -> u32 {
    32 - w.max(h).max(1).leading_zeros()
}

pub(crate) struct MipPipeline {
    layout: wgpu::BindGroupLayout,
    pipeline: wgpu::RenderPipeline,
}

impl MipPipeline {
    pub fn new(ctx: &GpuContext) -> Self {
        let device = &ctx.device;
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("forge3d mipmap"),
            entries: &[layout::float_texture(
                0,
                wgpu::ShaderStages::FRAGMENT,
                wgpu::TextureViewDimension::D2,
            )],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("forge3d mipmap"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let module = layout::wgsl(device, "forge3d mipmap", MIPMAP_WGSL);
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("forge3d mipmap"),
            layout: Some(&pipeline_layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: Default::default(),
            depth_stencil: None,
            multisample: Default::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::TextureFormat::Rgba8Unorm.into())],
            }),
            multiview_mask: None,
            cache: None,
        });
        Self { layout, pipeline }
    }
}

/// Fills levels 1.. of `texture` from level 0, on the GPU.
pub(crate) fn generate(ctx: &GpuContext, texture: &wgpu::Texture) {
    let levels = texture.mip_level_count();
    if levels < 2 {
        return;
    }
    let p = ctx.cached(MipPipeline::new);
    let level_view = |l: u32| {
        texture.create_view(&wgpu::TextureViewDescriptor {
            base_mip_level: l,
            mip_level_count: Some(1),
            ..Default::default()
        })
    };
    let mut encoder = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("forge3d mipmaps"),
        });
    for l in 1..levels {
        let src = level_view(l - 1);
        let dst = level_view(l);
        let group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("forge3d mipmap"),
            layout: &p.layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::TextureView(&src),
            }],
        });
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("forge3d mipmap"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &dst,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        pass.set_pipeline(&p.pipeline);
        pass.set_bind_group(0, &group, &[]);
        pass.draw(0..3, 0..1);
    }
    ctx.queue.submit([encoder.finish()]);
}

#[cfg(test)]
mod tests {
    #[test]
    fn levels_reach_one_texel() {
        assert_eq!(super::level_count(1, 1), 1);
        assert_eq!(super::level_count(2, 1), 2);
        assert_eq!(super::level_count(1024, 3), 11);
        assert_eq!(super::level_count(1000, 600), 10);
    }
}
