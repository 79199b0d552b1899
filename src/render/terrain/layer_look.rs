//! The terrain layer's look: its uniform for a frame, and the settings
//! that change it (shadows, occlusion, water, base, overlays). Each setter
//! checks first; on error nothing changes.

use super::look::{check_extent, Blend, Extent, ImageRef, Overlay, MAX_OVERLAYS};
use super::pipeline::TerrainUniform;
use super::{scale, AmbientOcclusion, Base, Norm, Shadows, TerrainLayer, Water, HOLE_BELOW};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::render::camera::Mat4;
use crate::render::scene::Lighting;

/// An overlay as the caller sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayInfo {
    pub id: u64,
    /// (rows, cols) of the image.
    pub shape: (usize, usize),
    pub extent: Extent,
    pub opacity: f32,
    pub blend: Blend,
}

impl TerrainLayer {
    /// This frame's uniform.
    pub(super) fn uniform(&self, view_proj: Mat4, light: &Lighting) -> TerrainUniform {
        let o = &self.options;
        let (levels, level_count) = scale::levels_uniform(&o.levels);
        let mut overlay_extent = [[0.0; 4]; MAX_OVERLAYS];
        let mut overlay_params = [[0.0; 4]; MAX_OVERLAYS];
        for (i, ov) in self.overlays.iter().enumerate() {
            overlay_extent[i] = ov.extent;
            // The image's size in pixels (cols, rows) rides along, so the
            // shader needs no texture query per overlay.
            let (rows, cols) = ov.size;
            overlay_params[i] = [ov.opacity, ov.blend as u32 as f32, cols as f32, rows as f32];
        }
        let (min, max) = (self.stats.min, self.stats.max);
        TerrainUniform {
            view_proj,
            sun_dir: light.sun_dir(),
            size: [self.cols as f32, self.rows as f32],
            grid: [self.grid.0 as f32, self.grid.1 as f32],
            spacing: [o.spacing.0, o.spacing.1],
            range: scale::range_uniform(o.norm, self.height_range()),
            exaggeration: o.exaggeration,
            ambient: light.ambient,
            sun_intensity: light.intensity,
            hole_below: HOLE_BELOW,
            band_rows: self.heights.band_rows(),
            log_norm: (o.norm == Norm::Log) as u32,
            level_count,
            tile_cols: self.heights.tile_cols().unwrap_or(self.cols),
            levels,
            contour_color: o.contours.map_or([0.0; 4], |c| c.color),
            contour_interval: o.contours.map_or(0.0, |c| c.interval),
            contour_width: o.contours.map_or(1.0, |c| c.width_px),
            contour_major: o.contours.map_or(0, |c| c.major_every),
            shadows: o.shadows.is_some() as u32,
            ao_strength: o.ambient_occlusion.map_or(0.0, |a| a.strength),
            overlay_count: self.overlays.len() as u32,
            water_on: o.water.is_some() as u32,
            water_shading: o.water.is_some_and(|w| w.depth_shading) as u32,
            water_color: o.water.map_or([0.0; 4], |w| w.color),
            water_level: o.water.map_or(0.0, |w| w.level),
            water_depth_scale: o.water.map_or(1.0, |w| w.scale(min)),
            base_on: o.base.is_some() as u32,
            base_z: o.base.map_or(0.0, |b| b.bottom(min, max)) * o.exaggeration,
            base_color: o.base.map_or([0.0; 4], |b| b.color),
            overlay_extent,
            overlay_params,
            relief: self.relief.uniform(),
        }
    }

    /// Cast shadows (None: off).
    pub fn set_shadows(&mut self, ctx: &GpuContext, shadows: Option<Shadows>) -> Result<()> {
        if let Some(s) = &shadows {
            s.validate()?;
        }
        if shadows.is_some() {
            self.relief.enable(ctx, true, false)?;
        } else {
            self.relief.disable(true, false);
        }
        self.rebind(ctx);
        self.options.shadows = shadows;
        Ok(())
    }

    /// Ambient occlusion (None: off).
    pub fn set_ambient_occlusion(
        &mut self,
        ctx: &GpuContext,
        ao: Option<AmbientOcclusion>,
    ) -> Result<()> {
        if let Some(a) = &ao {
            a.validate()?;
        }
        if ao.is_some() {
            self.relief.enable(ctx, false, true)?;
        } else {
            self.relief.disable(false, true);
        }
        self.rebind(ctx);
        self.options.ambient_occlusion = ao;
        Ok(())
    }

    /// A water surface (None: none).
    pub fn set_water(&mut self, water: Option<Water>) -> Result<()> {
        if let Some(w) = &water {
            w.validate()?;
        }
        self.options.water = water;
        Ok(())
    }

    /// A solid base (None: none).
    pub fn set_base(&mut self, base: Option<Base>) -> Result<()> {
        if let Some(b) = &base {
            b.validate()?;
        }
        self.options.base = base;
        Ok(())
    }

    /// The cell (row, col) whose footprint holds world point `p` (x, y),
    /// if any.
    pub fn cell_at(&self, p: [f32; 3]) -> Option<(usize, usize)> {
        let col = (p[0] / self.options.spacing.0).round();
        let up = (p[1] / self.options.spacing.1).round();
        let row = self.rows as f32 - 1.0 - up;
        ((0.0..self.cols as f32).contains(&col) && (0.0..self.rows as f32).contains(&row))
            .then_some((row as usize, col as usize))
    }

    /// The terrain's footprint in texel coordinates (see [`Extent`]).
    pub fn full_extent(&self) -> Extent {
        [-0.5, -0.5, self.cols as f32 - 0.5, self.rows as f32 - 0.5]
    }

    /// Drapes `image` over `extent` (None: the whole terrain); returns its id.
    pub fn add_overlay(
        &mut self,
        ctx: &GpuContext,
        image: ImageRef<'_>,
        extent: Option<Extent>,
        opacity: f32,
        blend: Blend,
    ) -> Result<u64> {
        if self.overlays.len() >= MAX_OVERLAYS {
            return Err(Error::InvalidArgument(format!(
                "a terrain holds at most {MAX_OVERLAYS} overlays; remove one first \
                 (remove_overlay) or combine images before adding them"
            )));
        }
        let full = self.full_extent();
        let extent = extent.unwrap_or(full);
        check_extent(extent)?;
        // Some part of the overlay must lie on the terrain.
        if extent[2] <= full[0]
            || extent[0] >= full[2]
            || extent[3] <= full[1]
            || extent[1] >= full[3]
        {
            return Err(Error::InvalidArgument(format!(
                "extent {extent:?} (in texel coordinates) lies outside the terrain, whose \
                 footprint is {full:?}"
            )));
        }
        let id = self.next_overlay;
        let overlay = Overlay::new(ctx, id, image, extent, opacity, blend)?;
        self.next_overlay += 1;
        self.overlays.push(overlay);
        self.rebind(ctx);
        Ok(id)
    }

    /// Removes overlay `id`; false when there was none.
    pub fn remove_overlay(&mut self, ctx: &GpuContext, id: u64) -> bool {
        let before = self.overlays.len();
        self.overlays.retain(|o| o.id != id);
        let removed = self.overlays.len() != before;
        if removed {
            self.rebind(ctx);
        }
        removed
    }

    /// The overlays, in drawing order.
    pub fn overlays(&self) -> Vec<OverlayInfo> {
        self.overlays
            .iter()
            .map(|o| OverlayInfo {
                id: o.id,
                shape: o.size,
                extent: o.extent,
                opacity: o.opacity,
                blend: o.blend,
            })
            .collect()
    }
}
