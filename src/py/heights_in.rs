//! Heights from any Python object: Arrow objects (`__arrow_c_array__` /
//! `__arrow_c_stream__` without the buffer protocol) through `arrow_in`,
//! everything else (NumPy arrays, masked arrays, buffers, sequences)
//! through `array_in`.

use pyo3::ffi;
use pyo3::prelude::*;

use super::input::{Heights, ShapeCheck};
use super::{array_in, arrow_in};

/// Heights under NumPy 2's `copy=` convention; `shape` is for flat Arrow
/// columns. `check` sees the shape before any conversion, so an array that
/// exists only by shape (`np.broadcast_to`) is refused before memory for it
/// is asked for.
pub fn heights(
    name: &str,
    obj: &Bound<'_, PyAny>,
    shape: Option<(usize, usize)>,
    copy: Option<bool>,
    check: ShapeCheck<'_>,
) -> PyResult<Heights> {
    // SAFETY: `obj` is a live object; the call only inspects its type.
    let has_buffer = unsafe { ffi::PyObject_CheckBuffer(obj.as_ptr()) } == 1;
    if !has_buffer && arrow_in::is_arrow(obj) {
        return arrow_in::heights(name, obj, shape, copy, check);
    }
    array_in::heights(name, obj, shape, copy, check)
}
