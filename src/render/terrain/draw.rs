//! Drawing a prepared terrain: the surface (in one pass, or depth first
//! with `FORGE3D_TERRAIN_PREPASS`), its base walls and its water.

use crate::error::Result;
use crate::render::scene::DrawData;

/// Whether the surface is drawn twice, depth first (`FORGE3D_TERRAIN_PREPASS`).
/// Off by default: a smooth surface (most DEMs) pays for its geometry
/// twice and gains nothing; a rough one is shaded once per pixel instead
/// of once per fold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Prepass {
    On,
    Off,
}

impl Prepass {
    /// Parses `FORGE3D_TERRAIN_PREPASS` (`off` or `on`; unset or empty is
    /// `off`), read each frame.
    pub(super) fn from_env() -> Result<Self> {
        Ok(
            match crate::env::choice("FORGE3D_TERRAIN_PREPASS", &["off", "on"], "off")? {
                "on" => Self::On,
                _ => Self::Off,
            },
        )
    }
}

/// Everything one terrain draw binds.
pub(super) struct PreparedTerrain {
    /// The depth pre-pass's pipeline, when the surface is drawn twice.
    pub(super) depth: Option<wgpu::RenderPipeline>,
    pub(super) pipeline: wgpu::RenderPipeline,
    /// The water surface's pipeline, when there is water.
    pub(super) water: Option<wgpu::RenderPipeline>,
    /// The base walls' pipeline and the grid cells per side.
    pub(super) base: Option<(wgpu::RenderPipeline, (u32, u32))>,
    pub(super) bind_group: wgpu::BindGroup,
    pub(super) indices: wgpu::Buffer,
    pub(super) index_count: u32,
}

impl DrawData for PreparedTerrain {
    fn draw(&self, pass: &mut wgpu::RenderPass<'_>) {
        pass.set_bind_group(1, &self.bind_group, &[]);
        pass.set_index_buffer(self.indices.slice(..), wgpu::IndexFormat::Uint32);
        if let Some(depth) = &self.depth {
            pass.set_pipeline(depth);
            pass.draw_indexed(0..self.index_count, 0, 0..1);
        }
        pass.set_pipeline(&self.pipeline);
        pass.draw_indexed(0..self.index_count, 0, 0..1);
        if let Some((base, (gw, gh))) = &self.base {
            pass.set_pipeline(base);
            // Two vertices per grid vertex along each side (instance).
            pass.draw(0..2 * (gw + 1), 0..2);
            pass.draw(0..2 * (gh + 1), 2..4);
        }
        if let Some(water) = &self.water {
            pass.set_pipeline(water);
            pass.draw(0..4, 0..1);
        }
    }
}
