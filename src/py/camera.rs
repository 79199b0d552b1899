//! The orbit camera's parameters read from Python (`Renderer.set_camera_orbit`,
//! `orbit_view`); the camera itself is `render::Orbit`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::args;
use crate::render::{Bounds, Orbit};

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

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(orbit_view, m)?)?;
    Ok(())
}
