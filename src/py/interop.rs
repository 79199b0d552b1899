//! `forge3d.interop.copy_to_vertex_buffer`: the general one-copy entry
//! from any array into a mesh attribute.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::args;
use super::mesh::{set_attribute, PyMesh};
use super::points::core_mesh;
use crate::render::Attribute;

/// `copy_to_vertex_buffer(mesh, attribute, src)`: the general one-copy entry.
#[pyfunction]
#[pyo3(signature = (mesh, attribute, src, *, copy=None))]
fn _copy_to_vertex_buffer(
    py: Python<'_>,
    mesh: &Bound<'_, PyAny>,
    attribute: &Bound<'_, PyAny>,
    src: &Bound<'_, PyAny>,
    copy: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let copy = args::opt_flag("copy", copy)?;
    if let Ok(m) = mesh.cast::<PyMesh>() {
        m.get().check_dynamic()?;
    }
    let (mesh, _) = core_mesh(mesh)?;
    let attribute = args::text(
        "attribute",
        attribute,
        "an attribute name such as 'vertices'",
    )?;
    let attr = match attribute.as_str() {
        "vertices" | "positions" => Attribute::Positions,
        "normals" => Attribute::Normals,
        "texcoords" => Attribute::Texcoords,
        "colors" => Attribute::Colors,
        "scalars" => Attribute::Scalars,
        other => {
            return Err(PyValueError::new_err(format!(
                "attribute must be one of vertices, normals, texcoords, colors, scalars; got \
                 {other:?}"
            )))
        }
    };
    set_attribute(py, &mesh, attr, "src", src, copy)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_copy_to_vertex_buffer, m)?)
}
