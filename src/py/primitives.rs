//! `forge3d.primitives`: a cube, a UV sphere and a plane as meshes (every
//! copy recorded).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::args;
use super::mesh::PyMesh;
use crate::render::mesh::primitives::Geometry;

fn geometry_mesh(py: Python<'_>, g: Geometry) -> PyResult<PyMesh> {
    PyMesh::from_geometry(py, &g)
}

/// A positive size that is finite and non-zero also as float32 (1e300
/// would become inf, 5e-324 zero).
fn positive(name: &str, v: f64) -> PyResult<f32> {
    let f = v as f32;
    if !(v.is_finite() && f.is_finite() && f > 0.0) {
        return Err(PyValueError::new_err(format!(
            "{name} must be a positive finite float32 number (about 1.2e-38 to 3.4e38), got {v}"
        )));
    }
    Ok(f)
}

#[pyfunction]
#[pyo3(signature = (size=None))]
fn _cube(py: Python<'_>, size: Option<&Bound<'_, PyAny>>) -> PyResult<PyMesh> {
    let s = positive("size", args::opt_real("size", size)?.unwrap_or(1.0))?;
    geometry_mesh(py, crate::render::mesh::primitives::cube(s))
}

#[pyfunction]
#[pyo3(signature = (radius=None, segments=None))]
fn _sphere(
    py: Python<'_>,
    radius: Option<&Bound<'_, PyAny>>,
    segments: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyMesh> {
    let r = positive("radius", args::opt_real("radius", radius)?.unwrap_or(1.0))?;
    let segments = args::opt_int_in("segments", segments, 3, 4096)?.unwrap_or(32) as u32;
    geometry_mesh(py, crate::render::mesh::primitives::sphere(r, segments))
}

#[pyfunction]
#[pyo3(signature = (size=None, resolution=None))]
fn _plane(
    py: Python<'_>,
    size: Option<&Bound<'_, PyAny>>,
    resolution: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyMesh> {
    let s = positive("size", args::opt_real("size", size)?.unwrap_or(1.0))?;
    let resolution =
        args::opt_int_in("resolution (cells per side)", resolution, 1, 4096)?.unwrap_or(1) as u32;
    geometry_mesh(py, crate::render::mesh::primitives::plane(s, resolution))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_cube, m)?)?;
    m.add_function(wrap_pyfunction!(_sphere, m)?)?;
    m.add_function(wrap_pyfunction!(_plane, m)?)?;
    Ok(())
}
