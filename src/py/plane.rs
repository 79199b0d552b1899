//! `forge3d.Plane`: a float32 plane rendered beside a frame (depth: distance
//! from the camera; xyz: world position), exported without copying like a
//! Frame.

use pyo3::prelude::*;

use super::exports::{pymethods_with_exports, Exported};
use crate::memory::HostBuffer;

/// A float32 plane rendered beside a frame by ``render(outputs=...)``:
/// ``depth`` of shape (height, width), the distance from the camera to the
/// surface seen at each pixel in world units (for the top-down camera, from
/// the image plane), or ``xyz`` of shape (height, width, 3), the world
/// position of that surface. NaN where nothing was drawn. Water does not
/// write depth, so both see the ground under it.
///
/// Its memory is mapped readback memory the GPU wrote into, like a
/// Frame's: ``np.asarray(plane)``, ``plane.to_numpy()``, ``pa.array(plane)``
/// and ``np.from_dlpack(plane)`` share it (no CPU copy).
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
