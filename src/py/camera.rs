//! The renderer's camera methods (`set_camera`, `set_camera_orbit`,
//! `set_camera_top_down`, `reset_camera`) and the orbit camera's parameters
//! read from Python (also for `orbit_view`); the cameras themselves are
//! `render::Camera` and `render::Orbit`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::args;
use super::renderer::PyRenderer;
use crate::render::{Bounds, Camera, Orbit};
use crate::Heightmap;

type Any<'a, 'py> = Option<&'a Bound<'py, PyAny>>;

/// An [`Orbit`] from its Python arguments (None: the default), validated.
pub fn orbit(
    azimuth_deg: Any,
    elevation_deg: Any,
    distance: Any,
    target: Any,
    fovy_deg: Any,
    zoom: Any,
) -> PyResult<Orbit> {
    let d = Orbit::default();
    let target = match target {
        Some(t) if !t.is_none() => Some(args::vec3_f64("target", t)?),
        _ => None,
    };
    let orbit = Orbit {
        azimuth_deg: args::opt_real("azimuth_deg", azimuth_deg)?.unwrap_or(d.azimuth_deg),
        elevation_deg: args::opt_real("elevation_deg", elevation_deg)?.unwrap_or(d.elevation_deg),
        distance: args::opt_real("distance", distance)?,
        target,
        fovy_deg: args::opt_real("fovy_deg", fovy_deg)?.unwrap_or(d.fovy_deg),
        zoom: args::opt_real("zoom", zoom)?.unwrap_or(d.zoom),
    };
    orbit.validate().map_err(PyValueError::new_err)?;
    Ok(orbit)
}

type Point = (f64, f64, f64);

/// The (eye, target) that ``Renderer.set_camera_orbit`` with these
/// arguments uses for a scene box ``((xmin, ymin, zmin), (xmax, ymax, zmax))``
/// (e.g. ``renderer.scene_bounds()``) in an image of ``aspect`` = width / height.
#[pyfunction]
#[pyo3(signature = (bounds, aspect, *, azimuth_deg=None, elevation_deg=None, distance=None, target=None, fovy_deg=None, zoom=None))]
#[allow(clippy::too_many_arguments)]
fn orbit_view(
    bounds: &Bound<'_, PyAny>,
    aspect: &Bound<'_, PyAny>,
    azimuth_deg: Any,
    elevation_deg: Any,
    distance: Any,
    target: Any,
    fovy_deg: Any,
    zoom: Any,
) -> PyResult<(Point, Point)> {
    let pair: (Bound<'_, PyAny>, Bound<'_, PyAny>) = bounds.extract().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(
            "bounds must be ((xmin, ymin, zmin), (xmax, ymax, zmax)), e.g. renderer.scene_bounds()",
        )
    })?;
    let (min, max) = (
        args::vec3("bounds[0]", &pair.0)?,
        args::vec3("bounds[1]", &pair.1)?,
    );
    if min.iter().chain(&max).any(|v| !v.is_finite()) || (0..3).any(|k| min[k] > max[k]) {
        return Err(PyValueError::new_err(format!(
            "bounds must be finite with min <= max on each axis, got {min:?}, {max:?}"
        )));
    }
    let aspect = args::real("aspect", aspect)?;
    if !(aspect.is_finite() && aspect > 0.0) {
        return Err(PyValueError::new_err(format!(
            "aspect must be a positive number (width / height), got {aspect}"
        )));
    }
    let o = orbit(azimuth_deg, elevation_deg, distance, target, fovy_deg, zoom)?;
    let v = o.resolve(&Bounds { min, max }, aspect);
    let t = |p: [f64; 3]| (p[0], p[1], p[2]);
    Ok((t(v.eye), t(v.target)))
}

/// What `look_at_geo` knows of the terrain: its placement, and its heights
/// when they are kept on the CPU (a Heightmap's, shared).
#[derive(Clone)]
pub struct Geo {
    pub origin: (f64, f64),
    /// Between cells, in the CRS's units and as drawn (world units).
    pub crs_spacing: (f64, f64),
    pub spacing: (f64, f64),
    pub nodata: Option<f32>,
    pub map: Option<Heightmap>,
}

impl Geo {
    pub fn of(hm: &super::heightmap::PyHeightmap) -> Self {
        let map = &hm.map;
        Geo {
            origin: map.origin,
            crs_spacing: hm.crs_step(),
            spacing: map.spacing,
            nodata: map.nodata,
            map: Some(map.clone()),
        }
    }
    /// From a `forge3d.geo` dask terrain's `spacing`, `origin`, `nodata`.
    pub fn without_values(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let spacing: (f64, f64) = obj.getattr("spacing")?.extract()?;
        let crs_spacing: Option<(f64, f64)> = obj.getattr("crs_spacing")?.extract()?;
        Ok(Geo {
            origin: obj.getattr("origin")?.extract()?,
            crs_spacing: crs_spacing.unwrap_or(spacing),
            spacing,
            nodata: obj.getattr("nodata")?.extract()?,
            map: None,
        })
    }
    pub fn terrain_options(&self) -> crate::render::TerrainOptions {
        crate::render::TerrainOptions {
            spacing: (self.spacing.0 as f32, self.spacing.1 as f32),
            nodata: self.nodata,
            ..Default::default()
        }
    }
}

/// What `forge3d.geo.terrain_from_xarray` makes of `obj` when it is an
/// `xarray.DataArray` (a Heightmap, or for a dask-backed one a producer
/// of its bands), else None.
pub fn from_xarray<'py>(
    obj: &Bound<'py, PyAny>,
    copy: Option<bool>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let module: String = obj.get_type().getattr("__module__")?.extract()?;
    if !(module == "xarray" || module.starts_with("xarray.")) || !obj.hasattr("dims")? {
        return Ok(None);
    }
    let py = obj.py();
    let kwargs = pyo3::types::PyDict::new(py);
    kwargs.set_item("copy", copy)?;
    let hm = py
        .import("forge3d.geo")?
        .getattr("terrain_from_xarray")?
        .call((obj,), Some(&kwargs))?;
    Ok(Some(hm))
}

/// World (x, y, z) of the point (x, y) in the terrain heightmap's CRS, in
/// float64; z defaults to the height of the nearest cell (times the
/// exaggeration), as drawn.
pub fn geo_target(
    renderer: &crate::Renderer,
    geo: Option<&Geo>,
    exaggeration: Option<f32>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    z: Option<&Bound<'_, PyAny>>,
) -> PyResult<[f64; 3]> {
    let (x, y) = (args::real("x", x)?, args::real("y", y)?);
    let z = args::opt_real("z", z)?;
    for (name, v) in [("x", Some(x)), ("y", Some(y)), ("z", z)] {
        if let Some(v) = v.filter(|v| !v.is_finite()) {
            return Err(PyValueError::new_err(format!(
                "{name} must be finite, got {v}"
            )));
        }
    }
    let (Some(geo), Some(exaggeration)) = (geo, exaggeration) else {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(
            "look_at_geo needs a georeferenced terrain: add_terrain(forge3d.open_dem(path)), \
             a Heightmap or an xarray.DataArray first",
        ));
    };
    // Cells from the lower-left one, then world units as drawn.
    let (col, up) = (
        (x - geo.origin.0) / geo.crs_spacing.0,
        (y - geo.origin.1) / geo.crs_spacing.1,
    );
    let (wx, wy) = (col * geo.spacing.0, up * geo.spacing.1);
    let exaggeration = exaggeration as f64;
    if let Some(z) = z {
        return Ok([wx, wy, z * exaggeration]);
    }
    let (dx, dy) = geo.crs_spacing;
    // Heights written straight to the GPU (a dask-backed DataArray, a
    // table gridded there) are read back from it, one cell.
    let (rows, cols) = match &geo.map {
        Some(map) => (map.rows(), map.cols()),
        None => renderer.terrain_shape()?,
    };
    let col = col.round();
    let row = rows as f64 - 1.0 - up.round();
    if !(0.0..cols as f64).contains(&col) || !(0.0..rows as f64).contains(&row) {
        let (left, bottom) = (geo.origin.0 - dx / 2.0, geo.origin.1 - dy / 2.0);
        return Err(PyValueError::new_err(format!(
            "({x}, {y}) is outside the terrain (x {left}..{}, y {bottom}..{}); pass a point \
             inside it, or z",
            left + cols as f64 * dx,
            bottom + rows as f64 * dy
        )));
    }
    let h = match &geo.map {
        Some(map) => {
            let values: &[f32] = bytemuck::cast_slice(map.values().as_slice());
            let h = values[row as usize * cols + col as usize];
            (!(h.is_nan() || Some(h) == map.nodata)).then_some(h)
        }
        None => renderer.terrain_height_at(row as usize, col as usize)?,
    };
    let Some(h) = h else {
        return Err(PyValueError::new_err(format!(
            "({x}, {y}) is over a hole of the terrain; pass z"
        )));
    };
    Ok([wx, wy, h as f64 * exaggeration])
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(orbit_view, m)?)?;
    Ok(())
}

#[pymethods]
impl PyRenderer {
    /// Perspective look-at camera in world units: x east (columns * dx),
    /// y north ((rows - 1 - row) * dy), z up (height * exaggeration).
    #[pyo3(signature = (eye, target, up=None, fovy_deg=None, znear=None, zfar=None))]
    fn set_camera(
        &self,
        eye: &Bound<'_, PyAny>,
        target: &Bound<'_, PyAny>,
        up: Option<&Bound<'_, PyAny>>,
        fovy_deg: Option<&Bound<'_, PyAny>>,
        znear: Option<&Bound<'_, PyAny>>,
        zfar: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let up = match up {
            Some(u) if !u.is_none() => args::vec3("up", u)?,
            _ => [0.0, 0.0, 1.0],
        };
        let camera = Camera::Perspective {
            eye: args::vec3("eye", eye)?,
            target: args::vec3("target", target)?,
            up,
            fovy_deg: args::opt_real("fovy_deg", fovy_deg)?.unwrap_or(45.0) as f32,
            znear: args::opt_real("znear", znear)?.map(|v| v as f32),
            zfar: args::opt_real("zfar", zfar)?.map(|v| v as f32),
        };
        Ok(self.inner.set_camera(camera)?)
    }

    /// Perspective camera on a sphere around ``target``, z up: the eye at
    /// ``target + distance * (sin(az) cos(el), cos(az) cos(el), sin(el))``,
    /// azimuth in degrees clockwise from north (+y), elevation in degrees
    /// above the horizon (clamped to [-89, 89]). ``distance=None`` fits the
    /// scene box into 96 % of the image at each render, divided by ``zoom``;
    /// ``target=None`` aims at the box, centred in the image. The defaults
    /// are the automatic view (``reset_camera``). ``forge3d.orbit_view``
    /// returns the eye and target this camera uses.
    #[pyo3(signature = (azimuth_deg=None, elevation_deg=None, *, distance=None, target=None, fovy_deg=None, zoom=None))]
    #[allow(clippy::too_many_arguments)]
    fn set_camera_orbit(
        &self,
        azimuth_deg: Option<&Bound<'_, PyAny>>,
        elevation_deg: Option<&Bound<'_, PyAny>>,
        distance: Option<&Bound<'_, PyAny>>,
        target: Option<&Bound<'_, PyAny>>,
        fovy_deg: Option<&Bound<'_, PyAny>>,
        zoom: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let o = super::camera::orbit(azimuth_deg, elevation_deg, distance, target, fovy_deg, zoom)?;
        Ok(self.inner.set_camera(Camera::Orbit(o))?)
    }

    /// Orthographic view straight down, +y (north) up. Without ``extent``
    /// it frames the whole scene (aspect kept). ``extent`` is (left, right,
    /// bottom, top) in world units (x east, y north, as ``set_camera``):
    /// that box is mapped exactly onto the image, its edges on the image's
    /// edges, so a box of ``width * p`` by ``height * p`` gives square
    /// pixels of ``p`` world units, and neighbouring boxes render
    /// neighbouring images that join without a seam (what
    /// ``forge3d.dask.render_tiles`` does). ValueError for values that are
    /// not finite or an empty or inverted box; TypeError for anything but 4
    /// numbers.
    #[pyo3(signature = (*, extent=None))]
    fn set_camera_top_down(&self, extent: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let cam = match args::opt_extent("extent", extent)? {
            None => Camera::TopDown,
            Some([left, right, bottom, top]) => Camera::TopDownExtent {
                left,
                right,
                bottom,
                top,
            },
        };
        Ok(self.inner.set_camera(cam)?)
    }

    /// The default oblique view that frames the whole terrain.
    fn reset_camera(&self) -> PyResult<()> {
        Ok(self.inner.set_camera(Camera::Auto)?)
    }
}
