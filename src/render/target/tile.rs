//! Recording one tile of an [`OffscreenTarget`]: its clear and its render
//! pass. Shared by the frame read back (`render_planes`) and the frame drawn
//! for a window (`render/present.rs`).

use super::{OffscreenTarget, TILE_UNIFORM_STRIDE};
use crate::gpu::GpuContext;
use crate::render::fill::WORKGROUP as FILL_WORKGROUP;

impl OffscreenTarget {
    /// The background the compute clear fills with, written when it changed
    /// (before the submission that reads it).
    pub(in crate::render) fn write_fill(&self, ctx: &GpuContext, clear: [u8; 4]) {
        if let Some((background, _, _)) = &self.fill {
            let mut filled = self.filled.lock();
            if *filled != Some(clear) {
                let rgba = clear.map(|c| c as f32 / 255.0);
                ctx.queue
                    .write_buffer(background, 0, bytemuck::cast_slice(&rgba));
                *filled = Some(clear);
            }
        }
    }

    /// Records tile `t`: its clear (by compute, or the pass's clear), then
    /// one render pass in which `draw` records its draws (group 0, the tile
    /// transform, bound). `keep_depth` stores the depth for a later pass.
    /// `mark` gets the encoder after the clear ("clear") when it is a pass.
    pub(in crate::render) fn record_tile(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        t: u32,
        clear: [u8; 4],
        draw: &dyn Fn(&mut wgpu::RenderPass<'_>),
        keep_depth: bool,
        mark: &mut dyn FnMut(&mut wgpu::CommandEncoder, &'static str),
    ) {
        let y0 = t * self.tile_rows;
        let rows = self.tile_rows.min(self.height - y0);
        let clear = wgpu::Color {
            r: clear[0] as f64 / 255.0,
            g: clear[1] as f64 / 255.0,
            b: clear[2] as f64 / 255.0,
            a: clear[3] as f64 / 255.0,
        };
        if let Some((_, bind_group, pipeline)) = &self.fill {
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("forge3d fill"),
                    timestamp_writes: None,
                });
                pass.set_pipeline(&pipeline.pipeline);
                pass.set_bind_group(0, bind_group, &[]);
                pass.dispatch_workgroups(
                    self.width.div_ceil(FILL_WORKGROUP),
                    rows.div_ceil(FILL_WORKGROUP),
                    1,
                );
            }
            mark(encoder, "clear");
        }
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("forge3d tile"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: self.msaa_view.as_ref().unwrap_or(&self.color_view),
                depth_slice: None,
                resolve_target: self.msaa_view.as_ref().map(|_| &self.color_view),
                ops: wgpu::Operations {
                    load: match self.fill {
                        Some(_) => wgpu::LoadOp::Load,
                        None => wgpu::LoadOp::Clear(clear),
                    },
                    store: if self.msaa_view.is_some() {
                        wgpu::StoreOp::Discard
                    } else {
                        wgpu::StoreOp::Store
                    },
                },
            })],
            depth_stencil_attachment: self.depth_view.as_ref().map(|view| {
                wgpu::RenderPassDepthStencilAttachment {
                    view,
                    depth_ops: Some(wgpu::Operations {
                        load: wgpu::LoadOp::Clear(1.0),
                        store: if keep_depth {
                            wgpu::StoreOp::Store
                        } else {
                            wgpu::StoreOp::Discard
                        },
                    }),
                    stencil_ops: None,
                }
            }),
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        pass.set_bind_group(
            0,
            &self.tile_bind_group,
            &[(t as u64 * TILE_UNIFORM_STRIDE) as u32],
        );
        draw(&mut pass);
    }
}
