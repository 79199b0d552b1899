//! `forge3d.Points`: a point set, sharing `forge3d.Mesh`'s methods
//! (`mesh_methods!` in py/mesh.rs) over the same core mesh.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use pyo3::prelude::*;

use super::args;
use super::mapped_write::PyMappedWrite;
use super::mesh::{
    bounds_tuple, mesh_from, mesh_methods, read_attribute, set_attribute, vertex_count,
};
use crate::render::{Attribute, Mesh};

/// A point set for particle simulations: positions (N, 3), optional colors
/// (float32 (N, 4) or uint8 (N, 4)) and scalars, drawn as discs of ``size``
/// pixels. Setters, copies and errors as for :class:`Mesh`.
///
/// Example::
///
///     pts = forge3d.Points(pos, colors=rgba_u8, size=3.0)
///     r.add_mesh(pts)
#[pyclass(name = "Points", module = "forge3d._forge3d", frozen)]
pub struct PyPoints {
    pub(crate) mesh: Arc<Mesh>,
    size_bits: AtomicU32,
}

impl PyPoints {
    /// What this class calls its positions.
    const POSITIONS: &'static str = "positions";

    fn check_dynamic(&self) -> PyResult<()> {
        Ok(())
    }
    pub fn size(&self) -> f32 {
        f32::from_bits(self.size_bits.load(Ordering::Relaxed))
    }
}

mesh_methods!(PyPoints, {
    #[new]
    #[pyo3(signature = (positions, colors=None, size=None, *, copy=None))]
    fn new(
        py: Python<'_>,
        positions: &Bound<'_, PyAny>,
        colors: Option<&Bound<'_, PyAny>>,
        size: Option<&Bound<'_, PyAny>>,
        copy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let copy = args::opt_flag("copy", copy)?;
        let size = crate::render::check_point_size(args::opt_real("size", size)?.unwrap_or(2.0))?;
        let mesh = mesh_from(py, "positions", positions, copy)?;
        if let Some(c) = colors.filter(|o| !o.is_none()) {
            set_attribute(py, &mesh, Attribute::Colors, "colors", c, copy)?;
        }
        Ok(Self {
            mesh,
            size_bits: AtomicU32::new(size.to_bits()),
        })
    }

    /// Diameter in pixels, in (0, 1024]; read when the points are added to a renderer.
    #[getter(size)]
    fn get_size(&self) -> f32 {
        self.size()
    }
    #[setter(size)]
    fn set_size_value(&self, size: &Bound<'_, PyAny>) -> PyResult<()> {
        let size = args::real("size", size)?;
        self.size_bits.store(
            crate::render::check_point_size(size)?.to_bits(),
            Ordering::Relaxed,
        );
        Ok(())
    }

    /// Same as set_vertices.
    #[pyo3(signature = (positions, *, copy=None))]
    fn set_positions(
        &self,
        py: Python<'_>,
        positions: &Bound<'_, PyAny>,
        copy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let copy = args::opt_flag("copy", copy)?;
        set_attribute(
            py,
            &self.mesh,
            Attribute::Positions,
            "positions",
            positions,
            copy,
        )
    }
    /// Same as write_vertices.
    fn write_positions(&self) -> PyMappedWrite {
        PyMappedWrite::new(self.mesh.clone(), Attribute::Positions, "positions")
    }

    fn __repr__(&self) -> String {
        format!(
            "Points(count={}, size={}, attributes={:?})",
            self.mesh.vertex_count(),
            self.size(),
            self.attributes()
        )
    }
});

/// Any of `Mesh` / `Points`, as the core mesh.
pub fn core_mesh(obj: &Bound<'_, PyAny>) -> PyResult<(Arc<Mesh>, Option<f32>)> {
    if let Ok(m) = obj.cast::<super::mesh::PyMesh>() {
        return Ok((m.get().mesh.clone(), None));
    }
    if let Ok(p) = obj.cast::<PyPoints>() {
        return Ok((p.get().mesh.clone(), Some(p.get().size())));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "mesh must be a forge3d.Mesh or forge3d.Points, got {}",
        obj.get_type().name()?
    )))
}
