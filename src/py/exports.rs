//! Arrow PyCapsule exports shared by every object over a [`HostBuffer`]
//! (frames, heightmaps): one `arrow.fixed_shape_tensor` element over the
//! object's own memory.

use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};
use pyo3_arrow::ffi::{
    to_array_pycapsules, to_schema_pycapsule, to_stream_pycapsule, ArrayIterator,
};

use crate::memory::tensor::{tensor_array, tensor_field};
use crate::memory::HostBuffer;

pub fn schema<'py>(
    py: Python<'py>,
    name: &str,
    memory: &HostBuffer,
) -> PyResult<Bound<'py, PyCapsule>> {
    Ok(to_schema_pycapsule(
        py,
        tensor_field(name, memory)?.as_ref(),
    )?)
}

pub fn array<'py>(
    py: Python<'py>,
    name: &str,
    memory: &HostBuffer,
    requested_schema: Option<Bound<'py, PyCapsule>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let array = tensor_array(memory)?;
    let field = tensor_field(name, memory)?;
    Ok(to_array_pycapsules(
        py,
        field,
        array.as_ref(),
        requested_schema,
    )?)
}

/// A stream of one chunk: the object itself.
pub fn stream<'py>(
    py: Python<'py>,
    name: &str,
    memory: &HostBuffer,
    requested_schema: Option<Bound<'py, PyCapsule>>,
) -> PyResult<Bound<'py, PyCapsule>> {
    let chunk = tensor_array(memory)?;
    let field = tensor_field(name, memory)?;
    let reader = ArrayIterator::new(std::iter::once(Ok(chunk)), field);
    Ok(to_stream_pycapsule(py, Box::new(reader), requested_schema)?)
}
