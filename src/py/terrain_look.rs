//! `forge3d.Renderer`'s terrain look: shadows, ambient occlusion, water, a
//! solid base and draped overlays (a second `#[pymethods]` block of the
//! class; arguments are read here, checked and applied by the core).

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::args;
use super::renderer::PyRenderer;
use super::style::unit_color;
use crate::render::{AmbientOcclusion, Base, Blend, Extent, ImageRef, Shadows, Water};

/// A colour argument in [0, 1] (3 or 4 components), or `default`.
fn color_or(v: Option<&Bound<'_, PyAny>>, default: [f32; 4]) -> PyResult<[f32; 4]> {
    match v {
        Some(c) if !c.is_none() => unit_color(c),
        _ => Ok(default),
    }
}

/// Extent in the core's texel coordinates (left, top, right, bottom) from
/// the caller's (left, right, bottom, top) in `units`.
fn extent_arg(r: &PyRenderer, extent: &Bound<'_, PyAny>, units: &str) -> PyResult<Extent> {
    let v: Vec<f64> = extent.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "extent must be 4 numbers (left, right, bottom, top), got {}",
            extent.repr().map(|s| s.to_string()).unwrap_or_default()
        ))
    })?;
    let [a, b, c, d] = v.as_slice() else {
        return Err(PyValueError::new_err(format!(
            "extent must be 4 numbers (left, right, bottom, top), got {} numbers",
            v.len()
        )));
    };
    let (a, b, c, d) = (*a, *b, *c, *d);
    if ![a, b, c, d].iter().all(|x| x.is_finite()) {
        return Err(PyValueError::new_err(format!(
            "extent must be finite, got ({a}, {b}, {c}, {d})"
        )));
    }
    let full = r.inner.terrain_extent()?;
    let rows = (full[3] + 0.5) as f64;
    let o = r.inner.terrain_options()?;
    let (dx, dy) = (o.spacing.0 as f64, o.spacing.1 as f64);
    // (left, right, bottom, top) -> texel (left, top, right, bottom).
    let texel = match units {
        "cells" => {
            // Columns left..right and rows top..bottom, half-open like a
            // slice: heights[top:bottom, left:right].
            let (left, right, top, bottom) = (a, b, c, d);
            if left >= right || top >= bottom {
                return Err(PyValueError::new_err(format!(
                    "extent in cells is (col_start, col_stop, row_start, row_stop) with start < \
                     stop, got ({a}, {b}, {c}, {d})"
                )));
            }
            [left - 0.5, top - 0.5, right - 0.5, bottom - 0.5]
        }
        "world" | "crs" => {
            let (left, right, bottom, top) = (a, b, c, d);
            if left >= right || bottom >= top {
                return Err(PyValueError::new_err(format!(
                    "extent is (left, right, bottom, top) with left < right and bottom < top, \
                     got ({a}, {b}, {c}, {d})"
                )));
            }
            // To cells from the lower-left cell's centre.
            let (to_col, to_up): (Box<dyn Fn(f64) -> f64>, Box<dyn Fn(f64) -> f64>) =
                if units == "crs" {
                    let geo = r.geo.lock().clone().ok_or_else(|| {
                        PyValueError::new_err(
                            "units='crs' needs a georeferenced terrain (forge3d.open_dem, a \
                         Heightmap with a transform, or an xarray.DataArray); use units='world' \
                         or 'cells'",
                        )
                    })?;
                    let (ox, oy) = geo.origin;
                    let (sx, sy) = geo.crs_spacing;
                    (
                        Box::new(move |x| (x - ox) / sx),
                        Box::new(move |y| (y - oy) / sy),
                    )
                } else {
                    (Box::new(move |x| x / dx), Box::new(move |y| y / dy))
                };
            [
                to_col(left),
                rows - 1.0 - to_up(top),
                to_col(right),
                rows - 1.0 - to_up(bottom),
            ]
        }
        other => {
            return Err(PyValueError::new_err(format!(
                "units must be 'world', 'cells' or 'crs', got {other:?}"
            )))
        }
    };
    Ok(texel.map(|v| v as f32))
}

#[pymethods]
impl PyRenderer {
    /// Cast shadows of the terrain from the sun (``set_sun``), computed on
    /// the GPU at the heights' resolution: for each cell the horizon towards
    /// the sun is searched over the exaggerated heights, and the cell is lit
    /// where the sun is above it. ``softness`` is the sun's apparent size in
    /// degrees ([0, 45]; 0: hard edges), over which a shadow's edge fades.
    /// Recomputed only when the sun or softness changes (new heights make a
    /// new terrain), inside the next render; drawn by sampling the result
    /// bilinearly. A pillar of height h on flat ground casts a shadow of
    /// length h / tan(elevation) away from the sun. Meshes and points do
    /// not cast shadows. ``set_shadows(False)`` turns them off. Needs a
    /// terrain; on error nothing changes.
    #[pyo3(signature = (enabled=None, *, softness=None))]
    fn set_shadows(
        &self,
        py: Python<'_>,
        enabled: Option<&Bound<'_, PyAny>>,
        softness: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let on = args::opt_flag("enabled", enabled)?.unwrap_or(true);
        let softness = args::opt_real("softness", softness)?.unwrap_or(0.5) as f32;
        let shadows = Shadows {
            softness_deg: softness,
        };
        shadows.validate()?;
        let r = self.inner.clone();
        Ok(py.detach(move || r.set_shadows(on.then_some(shadows)))?)
    }

    /// Ambient occlusion of the terrain: how much of the sky each cell
    /// sees, from the horizon in 16 directions within ``radius`` world units
    /// (default 32 cells), computed on the GPU at the heights' resolution
    /// and cached like the shadows. The lighting is scaled by ``1 -
    /// strength * (1 - open sky)``, so valley floors darken and ridges do
    /// not. ``strength`` in [0, 1]; 0 turns it off. On by default (strength
    /// 0.6, radius 32 cells): valleys read as carved, which the sun's
    /// shading alone does not show. It costs one pass over the heights per
    /// new terrain or radius (milliseconds on a GPU, seconds for a 2048x2048
    /// DEM on lavapipe); ``set_ambient_occlusion(0)`` skips it. Needs a
    /// terrain; on error nothing changes.
    #[pyo3(signature = (strength=None, radius=None))]
    fn set_ambient_occlusion(
        &self,
        py: Python<'_>,
        strength: Option<&Bound<'_, PyAny>>,
        radius: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let strength = args::opt_real("strength", strength)?
            .unwrap_or(AmbientOcclusion::DEFAULT.strength as f64) as f32;
        let radius = args::opt_real("radius", radius)?.map(|v| v as f32);
        let ao = AmbientOcclusion { strength, radius };
        ao.validate()?;
        let r = self.inner.clone();
        Ok(py.detach(move || r.set_ambient_occlusion((strength > 0.0).then_some(ao)))?)
    }

    /// A flat water surface at height ``level`` (the heights' units),
    /// drawn over every part of the terrain below it and blended over the
    /// ground (``color`` 3 or 4 floats in [0, 1]; ``opacity`` in [0, 1]
    /// multiplies its alpha). With ``depth_shading`` the water darkens and
    /// grows more opaque with depth, over ``depth_scale`` height units
    /// (default: a quarter of the depth from the level to the lowest
    /// height). No water over holes. With ``set_base`` the walls show the
    /// water's cross-section. ``None`` removes the water. Needs a terrain;
    /// ValueError for a level that is not finite; on error nothing
    /// changes.
    #[pyo3(signature = (level, *, color=None, depth_shading=None, opacity=None, depth_scale=None))]
    fn set_water(
        &self,
        level: &Bound<'_, PyAny>,
        color: Option<&Bound<'_, PyAny>>,
        depth_shading: Option<&Bound<'_, PyAny>>,
        opacity: Option<&Bound<'_, PyAny>>,
        depth_scale: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        if level.is_none() {
            return Ok(self.inner.set_water(None)?);
        }
        let mut c = color_or(color, [0.16, 0.38, 0.62, 1.0])?;
        let opacity = args::opt_real("opacity", opacity)?.unwrap_or(0.85) as f32;
        if !opacity.is_finite() || !(0.0..=1.0).contains(&opacity) {
            return Err(PyValueError::new_err(format!(
                "opacity must be within [0, 1], got {opacity}"
            )));
        }
        c[3] *= opacity;
        let water = Water {
            level: args::real("level", level)? as f32,
            color: c,
            depth_shading: args::opt_flag("depth_shading", depth_shading)?.unwrap_or(true),
            depth_scale: args::opt_real("depth_scale", depth_scale)?.map(|v| v as f32),
        };
        Ok(self.inner.set_water(Some(water))?)
    }

    /// How many grid cells per side the terrain's geometry is drawn with
    /// (at most the heights' own; an int in 1..4096). The default, None,
    /// is half the image's larger side within 64..1024, which suits a view
    /// of the whole terrain. Colour, normals, shadows and contours are
    /// computed per pixel at full resolution either way; the grid decides
    /// where the edges of holes and of the terrain fall and, in oblique
    /// views, the silhouettes. Raise it when the camera shows a part of a
    /// large terrain (``set_camera_top_down(extent=...)`` of a tile: with
    /// ``cells`` at least the heights' size, every cell's edge is exact).
    /// ``terrain_info()["grid"]`` tells the grid drawn. Belongs to the
    /// terrain (``add_terrain`` starts afresh); ValueError/TypeError for
    /// other values.
    #[pyo3(signature = (cells=None))]
    fn set_terrain_detail(&self, cells: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let cells = args::opt_int_in("cells", cells, 1, i128::from(crate::render::GRID_LIMIT))?
            .map(|n| n as u32);
        Ok(self.inner.set_terrain_detail(cells)?)
    }

    /// A solid base: side walls from the terrain's edge down to ``depth``
    /// height units below its lowest height (default a tenth of the height
    /// range, at least 1), shaded by the sun, as in a 3-D printed relief.
    /// Holes get no walls (the walls follow the outer edge only).
    /// ``set_base(False)`` removes it. Needs a terrain; on error nothing
    /// changes.
    #[pyo3(signature = (enabled=None, *, depth=None, color=None))]
    fn set_base(
        &self,
        enabled: Option<&Bound<'_, PyAny>>,
        depth: Option<&Bound<'_, PyAny>>,
        color: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let on = args::opt_flag("enabled", enabled)?.unwrap_or(true);
        let base = Base {
            depth: args::opt_real("depth", depth)?.map(|v| v as f32),
            color: color_or(color, [0.42, 0.36, 0.3, 1.0])?,
        };
        base.validate()?;
        Ok(self.inner.set_base(on.then_some(base))?)
    }

    /// Drape an image over the terrain; returns the overlay's id.
    ///
    /// ``image`` is (rows, cols, 3) or (rows, cols, 4): uint8 0..255, or
    /// floats (float16/32/64) in [0, 1]; a NumPy array, anything with the
    /// buffer protocol, or an Arrow ``fixed_shape_tensor``. C-contiguous
    /// uint8 RGBA is copied once, from its own memory, into GPU upload
    /// memory (the copy ledger shows one ``upload``); anything else is
    /// first converted to RGBA8 (one recorded ``convert``). Any size up to
    /// the device's texture limit: its mip levels are made on the GPU
    /// (alpha-weighted means, so transparent pixels do not darken their
    /// neighbours) and it is sampled trilinearly, so a large orthophoto
    /// minifies without aliasing.
    ///
    /// Without ``extent`` it covers the whole terrain (the cells'
    /// footprint). ``extent`` is (left, right, bottom, top) in world units
    /// as drawn (``units="world"``), in the CRS of a georeferenced terrain
    /// (``units="crs"``), or (col_start, col_stop, row_start, row_stop) of
    /// the heights (``units="cells"``, like ``heights[row_start:row_stop,
    /// col_start:col_stop]``). The image colours the terrain (before
    /// lighting, under contours): ``"over"`` by its alpha times
    /// ``opacity``, ``"multiply"`` darkens, ``"screen"`` lightens. Up to 8
    /// overlays stack in the order added. ValueError/TypeError for the
    /// wrong ndim, channels or element type, NaN or values outside [0, 1],
    /// an inverted extent or one wholly outside the terrain; needs a
    /// terrain; on error nothing changes.
    #[pyo3(signature = (image, *, extent=None, units=None, opacity=None, blend=None))]
    fn add_overlay(
        &self,
        py: Python<'_>,
        image: &Bound<'_, PyAny>,
        extent: Option<&Bound<'_, PyAny>>,
        units: Option<&Bound<'_, PyAny>>,
        opacity: Option<&Bound<'_, PyAny>>,
        blend: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        let units = args::opt_text("units", units, "'world', 'cells' or 'crs'")?;
        let units = units.as_deref().unwrap_or("world");
        let opacity = args::opt_real("opacity", opacity)?.unwrap_or(1.0) as f32;
        let blend = args::opt_text("blend", blend, "'over', 'multiply' or 'screen'")?;
        let blend = Blend::parse(blend.as_deref().unwrap_or("over"))?;
        // The terrain must exist before the image is read.
        self.inner.terrain_extent()?;
        let extent = match extent {
            Some(e) if !e.is_none() => Some(extent_arg(self, e, units)?),
            _ => {
                if units != "world" && units != "cells" && units != "crs" {
                    return Err(PyValueError::new_err(format!(
                        "units must be 'world', 'cells' or 'crs', got {units:?}"
                    )));
                }
                None
            }
        };
        let img = super::image_in::image("image", image)?;
        let (rows, cols) = img.rows_cols();
        let r = self.inner.clone();
        let data = img.bytes();
        Ok(py
            .detach(move || r.add_overlay(ImageRef { data, rows, cols }, extent, opacity, blend))?)
    }

    /// Remove overlay ``id``; False when there was none.
    fn remove_overlay(&self, id: &Bound<'_, PyAny>) -> PyResult<bool> {
        let id = args::int_in("id", id, 0, u64::MAX as i128)? as u64;
        Ok(self.inner.remove_overlay(id))
    }

    /// The terrain's overlays in drawing order: dicts of ``id``,
    /// ``shape`` (rows, cols), ``opacity`` and ``blend``.
    #[getter]
    fn overlays<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.inner
            .overlays()
            .unwrap_or_default()
            .into_iter()
            .map(|o| {
                let d = PyDict::new(py);
                d.set_item("id", o.id)?;
                d.set_item("shape", o.shape)?;
                d.set_item("opacity", o.opacity)?;
                d.set_item("blend", o.blend.name())?;
                Ok(d)
            })
            .collect()
    }
}

/// The look settings for `terrain_info`.
pub(super) fn look_info(d: &Bound<'_, PyDict>, o: &crate::render::TerrainOptions) -> PyResult<()> {
    d.set_item("shadows", o.shadows.map(|s| s.softness_deg))?;
    d.set_item(
        "ambient_occlusion",
        o.ambient_occlusion.map(|a| (a.strength, a.radius)),
    )?;
    d.set_item(
        "water",
        o.water.map(|w| (w.level, w.color, w.depth_shading)),
    )?;
    d.set_item("base", o.base.map(|b| (b.depth, b.color)))?;
    Ok(())
}
