//! How a terrain is interpreted and drawn, and the checks on it.

use super::colormap;
use super::look::{Base, Water};
use super::relief::{AmbientOcclusion, Shadows};
use super::scale::{self, Contours, Norm};
use crate::error::{Error, Result};

/// How to interpret and draw heights.
#[derive(Debug, Clone, PartialEq)]
pub struct TerrainOptions {
    /// World units between columns (dx) and rows (dy).
    pub spacing: (f32, f32),
    /// Vertical scale applied to heights.
    pub exaggeration: f32,
    pub colormap: String,
    /// Colormap normalisation; `None` uses the data's min and max.
    pub height_range: Option<(f32, f32)>,
    /// A sentinel marking holes, besides NaN.
    pub nodata: Option<f32>,
    /// Linear or logarithmic mapping of the height range to the colormap.
    pub norm: Norm,
    /// Bin boundaries (empty: continuous): heights between `levels[i]` and
    /// `levels[i + 1]` take the colour at the middle of the colormap's i-th
    /// of `levels.len() - 1` equal slices.
    pub levels: Vec<f32>,
    /// Contour lines, or none.
    pub contours: Option<Contours>,
    /// Cast shadows from the sun, or none.
    pub shadows: Option<Shadows>,
    /// Ambient occlusion, or none. On by default (`AmbientOcclusion::DEFAULT`):
    /// valleys and gullies read as carved, which the Lambert term alone does
    /// not show; the pass runs once per terrain.
    pub ambient_occlusion: Option<AmbientOcclusion>,
    /// A water surface, or none.
    pub water: Option<Water>,
    /// A solid base under the terrain, or none.
    pub base: Option<Base>,
}

impl Default for TerrainOptions {
    fn default() -> Self {
        Self {
            spacing: (1.0, 1.0),
            exaggeration: 1.0,
            colormap: "viridis".into(),
            height_range: None,
            nodata: None,
            norm: Norm::Linear,
            levels: Vec::new(),
            contours: None,
            shadows: None,
            ambient_occlusion: Some(AmbientOcclusion::DEFAULT),
            water: None,
            base: None,
        }
    }
}

pub(super) fn check_options(o: &TerrainOptions) -> Result<()> {
    let (dx, dy) = o.spacing;
    if !(dx.is_finite() && dy.is_finite()) {
        return Err(Error::InvalidArgument(format!(
            "spacing must be finite, got ({dx}, {dy})"
        )));
    }
    if dx <= 0.0 || dy <= 0.0 {
        return Err(Error::InvalidArgument(format!(
            "spacing must be positive (world units between columns and rows), got ({dx}, {dy})"
        )));
    }
    if !o.exaggeration.is_finite() || o.exaggeration <= 0.0 {
        return Err(Error::InvalidArgument(format!(
            "exaggeration must be a positive finite number, got {}",
            o.exaggeration
        )));
    }
    if let Some((lo, hi)) = o.height_range {
        check_range(lo, hi)?;
    }
    if let Some(n) = o.nodata {
        if n.is_infinite() {
            return Err(Error::InvalidArgument(format!(
                "nodata must be finite or NaN, got {n}"
            )));
        }
    }
    colormap::lut(&o.colormap)?;
    if !o.levels.is_empty() {
        scale::check_levels(&o.levels)?;
    }
    if let Some(c) = &o.contours {
        c.validate()?;
    }
    if let Some(s) = &o.shadows {
        s.validate()?;
    }
    if let Some(a) = &o.ambient_occlusion {
        a.validate()?;
    }
    if let Some(w) = &o.water {
        w.validate()?;
    }
    if let Some(b) = &o.base {
        b.validate()?;
    }
    Ok(())
}

pub(crate) fn check_range(lo: f32, hi: f32) -> Result<()> {
    if !(lo.is_finite() && hi.is_finite()) || lo >= hi {
        return Err(Error::InvalidArgument(format!(
            "height_range must be two finite numbers with min < max, got ({lo}, {hi})"
        )));
    }
    Ok(())
}
