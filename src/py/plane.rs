//! `forge3d.Plane`: a float32 plane rendered beside a frame (depth: distance
//! from the camera; xyz: world position), exported without copying like a
//! Frame.

use pyo3::prelude::*;

use super::exports::{pymethods_with_exports, Exported};
use crate::memory::HostBuffer;

/// A float32 plane of a render: ``depth`` (height, width) or ``xyz``
/// (height, width, 3).
#[pyclass(name = "Plane", module = "forge3d._forge3d", frozen)]
pub struct PyPlane {
    pub(crate) name: &'static str,
    pub(crate) memory: HostBuffer,
}

impl Exported for PyPlane {
    const FIELD: &'static str = "plane";
    fn field(&self) -> &'static str {
        self.name
    }
    fn memory(&self) -> &HostBuffer {
        &self.memory
    }
    fn readonly(&self) -> bool {
        false
    }
}

pymethods_with_exports! {
impl PyPlane {
    /// "depth" or "xyz".
    #[getter]
    fn name(&self) -> &'static str {
        self.name
    }
    /// (height, width) for depth, (height, width, 3) for xyz.
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        pyo3::types::PyTuple::new(py, self.memory.shape())
    }
    /// "float32".
    #[getter]
    fn dtype(&self) -> &'static str {
        "float32"
    }
    /// Bytes of the plane.
    #[getter]
    fn nbytes(&self) -> usize {
        self.memory.as_slice().len()
    }
    /// Address of the first byte (equal to NumPy's data pointer of any view).
    #[getter]
    fn ptr(&self) -> usize {
        self.memory.as_ptr() as usize
    }
    /// Where the memory lives: "mapped_readback".
    #[getter]
    fn origin(&self) -> &'static str {
        super::external_array::origin_name(self.memory.origin())
    }
    /// A float32 view of the plane; ``.base`` is the plane. No copy.
    fn to_numpy(slf: Bound<'_, Self>) -> PyResult<Bound<'_, PyAny>> {
        let py = slf.py();
        let shape = pyo3::types::PyTuple::new(py, slf.get().memory.shape())?;
        let np = py.import("numpy")?;
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("buffer", slf)?;
        np.getattr("ndarray")?
            .call((shape, np.getattr("float32")?), Some(&kwargs))
    }
    fn __repr__(&self) -> String {
        format!(
            "Plane(name={:?}, shape={:?}, dtype=float32, origin={})",
            self.name,
            self.memory.shape(),
            self.origin()
        )
    }
}
}
