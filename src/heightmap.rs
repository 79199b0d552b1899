//! `Heightmap`: a float32 height grid with its spacing, origin and nodata
//! value. The values are a [`HostBuffer`], so they export to NumPy and Arrow
//! without copying, whether Rust owns them or borrows them from the caller.

use crate::error::{Error, Result};
use crate::memory::{DType, HostBuffer};
use crate::render::{HeightsRef, TerrainOptions};

#[derive(Debug, Clone)]
pub struct Heightmap {
    values: HostBuffer,
    /// World units between columns (dx) and rows (dy).
    pub spacing: (f64, f64),
    /// World (x, y) of the lower-left cell (last row, first column).
    pub origin: (f64, f64),
    pub nodata: Option<f32>,
}

impl Heightmap {
    pub fn new(
        values: HostBuffer,
        spacing: (f64, f64),
        origin: (f64, f64),
        nodata: Option<f32>,
    ) -> Result<Self> {
        if values.dtype() != DType::F32 || values.shape().len() != 2 {
            return Err(Error::InvalidArgument(
                "heightmap values must be a 2-D float32 buffer".into(),
            ));
        }
        let (dx, dy) = spacing;
        if !(dx.is_finite() && dy.is_finite() && dx > 0.0 && dy > 0.0) {
            return Err(Error::InvalidArgument(format!(
                "spacing must be two positive finite numbers, got ({dx}, {dy})"
            )));
        }
        // The GPU draws in float32: the spacing, and the extent it gives
        // the grid, must be positive and finite there too.
        let (rows, cols) = (values.shape()[0] as f64, values.shape()[1] as f64);
        let fits = |step: f64, n: f64| {
            let s = step as f32;
            s > 0.0 && ((step * n.max(1.0)) as f32).is_finite()
        };
        if !(fits(dx, cols) && fits(dy, rows)) {
            return Err(Error::InvalidArgument(format!(
                "spacing ({dx}, {dy}) does not fit float32 for a {rows} x {cols} grid (the GPU \
                 draws in float32: each step must stay non-zero and the extent below 3.4e38); \
                 pass the spacing in larger or smaller units"
            )));
        }
        if !(origin.0.is_finite() && origin.1.is_finite()) {
            return Err(Error::InvalidArgument(format!(
                "origin must be finite, got ({}, {})",
                origin.0, origin.1
            )));
        }
        Ok(Self {
            values,
            spacing,
            origin,
            nodata,
        })
    }

    pub fn values(&self) -> &HostBuffer {
        &self.values
    }
    pub fn rows(&self) -> usize {
        self.values.shape()[0]
    }
    pub fn cols(&self) -> usize {
        self.values.shape()[1]
    }
    pub fn as_f32(&self) -> &[f32] {
        bytemuck::cast_slice(self.values.as_slice())
    }

    /// The heights as terrain input (no copy).
    pub fn heights(&self) -> HeightsRef<'_> {
        HeightsRef {
            data: self.as_f32(),
            rows: self.rows(),
            cols: self.cols(),
        }
    }

    /// Terrain options carrying this heightmap's spacing and nodata.
    pub fn terrain_options(&self) -> TerrainOptions {
        TerrainOptions {
            spacing: (self.spacing.0 as f32, self.spacing.1 as f32),
            nodata: self.nodata,
            ..Default::default()
        }
    }
}
