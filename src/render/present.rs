//! Drawing the scene for a window: the renderer's layers drawn at the
//! window's size into a target of its own, each tile handed on (to be
//! copied onto the window's surface) instead of read back. Nothing reaches
//! host memory.

use super::renderer::Renderer;
use super::target::OffscreenTarget;
use crate::error::{Error, Result};

/// The target a window's frames are drawn into, kept between frames and
/// made again when the size, the depth buffer or the sample count change.
#[derive(Default)]
pub struct ViewTarget {
    target: Option<OffscreenTarget>,
}

/// What a window does with each drawn tile: `(encoder, colour, y0, rows)`,
/// the tile's colour texture (the image's width by the target's rows per
/// tile, [`super::COLOR_FORMAT`]) holding rows `y0 .. y0 + rows`.
pub type TileSink<'a> = dyn FnMut(&mut wgpu::CommandEncoder, &wgpu::TextureView, u32, u32) + 'a;

impl Renderer {
    /// Draws the scene with the current camera at `size` (the camera fits
    /// that aspect) into `view`, lets `sink` record what it does with each
    /// tile, and submits without waiting. The renderer's own size and
    /// target are untouched, so headless renders go on as before.
    pub fn render_into(
        &self,
        view: &mut ViewTarget,
        size: (u32, u32),
        sink: &mut TileSink<'_>,
    ) -> Result<()> {
        let ctx = self.context();
        let max = ctx.limits.max_texture_dimension_2d;
        if size.0 == 0 || size.1 == 0 || size.0 > max || size.1 > max {
            return Err(Error::InvalidArgument(format!(
                "a {}x{} view: each side must be between 1 and {max} pixels on this device",
                size.0, size.1
            )));
        }
        let scene = self.scene();
        let prepared = scene.prepare(ctx, size)?;
        let fits = view.target.as_ref().is_some_and(|t| {
            t.layout().0 == size
                && t.has_depth() == prepared.depth
                && t.samples() == prepared.samples
        });
        if !fits {
            view.target = None; // its memory goes before the new one is made
            view.target = Some(OffscreenTarget::new(
                ctx,
                size.0,
                size.1,
                prepared.depth,
                prepared.samples,
            )?);
        }
        let target = view.target.as_ref().expect("made just above");
        let ((_, height), (tiles, tile_rows), colour) = target.layout();
        ctx.scoped("drawing the window's frame", || {
            let mut encoder = ctx
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("forge3d window frame"),
                });
            target.write_fill(ctx, prepared.background);
            for t in 0..tiles {
                let y0 = t * tile_rows;
                target.record_tile(
                    &mut encoder,
                    t,
                    prepared.background,
                    &|pass| prepared.draw(pass),
                    false,
                    &mut |_, _| {},
                );
                sink(&mut encoder, colour, y0, tile_rows.min(height - y0));
            }
            ctx.queue.submit([encoder.finish()]);
        })
    }
}
