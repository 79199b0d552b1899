//! Arrow PyCapsule exports shared by every object over a [`HostBuffer`]
//! (frames, heightmaps, external arrays): one `arrow.fixed_shape_tensor` element over the
//! object's own memory.

use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};
use pyo3_arrow::ffi::{
    to_array_pycapsules, to_schema_pycapsule, to_stream_pycapsule, ArrayIterator,
};

use crate::memory::tensor::{tensor_array, tensor_field_with};
use crate::memory::HostBuffer;

pub fn schema<'py, T: Exported>(py: Python<'py>, obj: &T) -> PyResult<Bound<'py, PyCapsule>> {
    let field = tensor_field_with(obj.field(), obj.memory(), &obj.field_metadata())?;
    Ok(to_schema_pycapsule(py, field.as_ref())?)
}

pub fn array<'py, T: Exported>(
    py: Python<'py>,
    obj: &T,
    requested_schema: Option<Bound<'py, PyCapsule>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let array = tensor_array(obj.memory())?;
    let field = tensor_field_with(obj.field(), obj.memory(), &obj.field_metadata())?;
    Ok(to_array_pycapsules(
        py,
        field,
        array.as_ref(),
        requested_schema,
    )?)
}

/// A stream of one chunk: the object itself.
pub fn stream<'py, T: Exported>(
    py: Python<'py>,
    obj: &T,
    requested_schema: Option<Bound<'py, PyCapsule>>,
) -> PyResult<Bound<'py, PyCapsule>> {
    let chunk = tensor_array(obj.memory())?;
    let field = tensor_field_with(obj.field(), obj.memory(), &obj.field_metadata())?;
    let reader = ArrayIterator::new(std::iter::once(Ok(chunk)), field);
    Ok(to_stream_pycapsule(py, Box::new(reader), requested_schema)?)
}

/// An object whose memory Python sees without a copy.
pub trait Exported {
    /// The field name its Arrow export carries ("rgba", "heights", ...).
    const FIELD: &'static str;
    /// This object's field name (`FIELD` unless it varies by object).
    fn field(&self) -> &'static str {
        Self::FIELD
    }
    fn memory(&self) -> &HostBuffer;
    /// True when consumers must not write (memory borrowed read-only).
    fn readonly(&self) -> bool;
    /// Further metadata of the Arrow field (none by default).
    fn field_metadata(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// One `#[pymethods]` block for a frozen class implementing [`Exported`]:
/// the class's own methods (`$body`) plus the buffer protocol, the Arrow
/// PyCapsule interface and DLPack over its memory. pyo3 takes one
/// `#[pymethods]` block per class, hence a macro around the whole block.
macro_rules! pymethods_with_exports {
    (impl $ty:ident { $($body:tt)* }) => {
        #[pymethods]
        impl $ty {
            $($body)*

            unsafe fn __getbuffer__(
                slf: Bound<'_, Self>,
                view: *mut pyo3::ffi::Py_buffer,
                flags: std::ffi::c_int,
            ) -> PyResult<()> {
                use $crate::py::exports::Exported;
                let memory = slf.get().memory().clone();
                let readonly = slf.get().readonly();
                unsafe { $crate::py::buffer::fill(view, flags, &memory, readonly, slf.into_any()) }
            }

            unsafe fn __releasebuffer__(&self, view: *mut pyo3::ffi::Py_buffer) {
                unsafe { $crate::py::buffer::release(view) }
            }

            /// Arrow schema capsule: an ``arrow.fixed_shape_tensor`` field over this object's memory (dtype and shape as in NumPy).
            fn __arrow_c_schema__<'py>(
                &self,
                py: Python<'py>,
            ) -> PyResult<Bound<'py, pyo3::types::PyCapsule>> {
                $crate::py::exports::schema(py, self)
            }

            /// (schema, array) capsules: one tensor element over this object's memory (no copy).
            #[pyo3(signature = (requested_schema=None))]
            fn __arrow_c_array__<'py>(
                &self,
                py: Python<'py>,
                requested_schema: Option<Bound<'py, pyo3::types::PyCapsule>>,
            ) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
                $crate::py::exports::array(py, self, requested_schema)
            }

            /// Stream capsule of one chunk: this object's memory (no copy).
            #[pyo3(signature = (requested_schema=None))]
            fn __arrow_c_stream__<'py>(
                &self,
                py: Python<'py>,
                requested_schema: Option<Bound<'py, pyo3::types::PyCapsule>>,
            ) -> PyResult<Bound<'py, pyo3::types::PyCapsule>> {
                $crate::py::exports::stream(py, self, requested_schema)
            }

            /// DLPack capsule (CPU). ``copy=True`` makes one recorded copy; otherwise none.
            #[pyo3(signature = (*, stream=None, max_version=None, dl_device=None, copy=None))]
            fn __dlpack__<'py>(
                &self,
                py: Python<'py>,
                stream: Option<Bound<'py, PyAny>>,
                max_version: Option<(u32, u32)>,
                dl_device: Option<(i32, i32)>,
                copy: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                use $crate::py::exports::Exported;
                let copy = $crate::py::args::opt_flag("copy", copy)?;
                $crate::py::dlpack::export(
                    py,
                    self.memory(),
                    self.readonly(),
                    stream.as_ref(),
                    max_version,
                    dl_device,
                    copy,
                )
            }

            /// (1, 0): CPU memory.
            fn __dlpack_device__(&self) -> (i32, i32) {
                (1, 0)
            }
        }
    };
}
pub(crate) use pymethods_with_exports;
