//! `Renderer`: a fixed-size offscreen renderer on the shared GPU context.

use std::sync::{Arc, Mutex};

use super::frame::Frame;
use super::target::OffscreenTarget;
use super::triangle::TrianglePipeline;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;

/// Default background: a dark blue-gray, opaque.
pub const DEFAULT_BACKGROUND: [u8; 4] = [20, 22, 28, 255];

pub struct Renderer {
    ctx: Arc<GpuContext>,
    width: u32,
    height: u32,
    background: Mutex<[u8; 4]>,
    /// Created on first render; a renderer renders one frame at a time.
    target: Mutex<Option<OffscreenTarget>>,
}

impl Renderer {
    /// A renderer of `width` x `height` pixels on the shared GPU context.
    pub fn new(width: u32, height: u32) -> Result<Self> {
        let ctx = GpuContext::shared()?;
        Self::with_context(ctx, width, height)
    }

    pub fn with_context(ctx: Arc<GpuContext>, width: u32, height: u32) -> Result<Self> {
        let max = ctx.limits.max_texture_dimension_2d;
        for (name, v) in [("width", width), ("height", height)] {
            if v == 0 || v > max {
                return Err(Error::InvalidArgument(format!(
                    "{name} must be between 1 and {max} (this device's max_texture_dimension_2d), got {v}"
                )));
            }
        }
        let bytes = width as u64 * height as u64 * 4;
        if bytes > ctx.limits.max_buffer_size {
            return Err(Error::InvalidArgument(format!(
                "a {width}x{height} RGBA frame needs {bytes} bytes, more than this device's \
                 max_buffer_size ({}); choose a smaller width or height",
                ctx.limits.max_buffer_size
            )));
        }
        Ok(Self {
            ctx,
            width,
            height,
            background: Mutex::new(super::renderer::DEFAULT_BACKGROUND),
            target: Mutex::new(None),
        })
    }

    pub fn width(&self) -> u32 {
        self.width
    }
    pub fn height(&self) -> u32 {
        self.height
    }
    pub fn context(&self) -> &Arc<GpuContext> {
        &self.ctx
    }
    pub fn background(&self) -> [u8; 4] {
        *self.background.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub fn set_background(&self, rgba: [u8; 4]) {
        *self.background.lock().unwrap_or_else(|e| e.into_inner()) = rgba;
    }

    /// Renders the colored triangle over the background.
    pub fn render_triangle(&self) -> Result<Frame> {
        let pipeline = self.ctx.cached(TrianglePipeline::new);
        self.render_with(false, &|pass| {
            pass.set_pipeline(&pipeline.pipeline);
            pass.draw(0..3, 0..1);
        })
    }

    /// Renders with `draw` into this renderer's target (created on first use,
    /// recreated when a depth buffer is first needed).
    pub(crate) fn render_with(
        &self,
        depth: bool,
        draw: &dyn Fn(&mut wgpu::RenderPass<'_>),
    ) -> Result<Frame> {
        let mut target = self.target.lock().unwrap_or_else(|e| e.into_inner());
        if target.as_ref().is_none_or(|t| depth && !t.has_depth()) {
            *target = Some(OffscreenTarget::new(
                &self.ctx,
                self.width,
                self.height,
                depth,
            )?);
        }
        let target = target.as_ref().expect("target was just created");
        target.render(&self.ctx, self.background(), draw)
    }
}
