//! The buffer protocol over a [`HostBuffer`]: NumPy's `np.asarray(obj)` and
//! `memoryview(obj)` see the memory itself, C-contiguous; writable unless
//! the object says it is read-only (a heightmap borrowed from a read-only
//! array).

use std::ffi::{c_int, c_void, CStr};

use pyo3::exceptions::PyBufferError;
use pyo3::ffi;
use pyo3::prelude::*;

use crate::memory::{DType, HostBuffer};

/// Shape and strides of one exported view, freed in `release`.
struct ViewLayout {
    shape: Vec<ffi::Py_ssize_t>,
    strides: Vec<ffi::Py_ssize_t>,
}

fn format_cstr(dtype: DType) -> &'static CStr {
    match dtype {
        DType::U8 => c"B",
        DType::F32 => c"f",
        DType::I32 => c"i",
        DType::U32 => c"I",
    }
}

/// Fills `view` for `owner`, whose memory is `memory`.
///
/// # Safety
/// `view` must be the pointer CPython passed to `__getbuffer__`, and
/// `memory` must stay valid while `owner` is alive (it does: `owner` holds it).
pub unsafe fn fill(
    view: *mut ffi::Py_buffer,
    flags: c_int,
    memory: &HostBuffer,
    readonly: bool,
    owner: Bound<'_, PyAny>,
) -> PyResult<()> {
    if view.is_null() {
        return Err(PyBufferError::new_err("Py_buffer view is null"));
    }
    if flags & ffi::PyBUF_F_CONTIGUOUS == ffi::PyBUF_F_CONTIGUOUS
        && flags & ffi::PyBUF_ANY_CONTIGUOUS != ffi::PyBUF_ANY_CONTIGUOUS
        && memory.shape().iter().filter(|&&d| d > 1).count() > 1
    {
        return Err(PyBufferError::new_err(
            "this memory is C-contiguous (row-major), not Fortran-contiguous",
        ));
    }
    if readonly && flags & ffi::PyBUF_WRITABLE == ffi::PyBUF_WRITABLE {
        return Err(PyBufferError::new_err(
            "this object's memory is borrowed read-only from the caller; copy it (np.array(obj)) to write",
        ));
    }
    let strides_bytes = memory.strides();
    let layout = Box::new(ViewLayout {
        shape: memory
            .shape()
            .iter()
            .map(|&d| d as ffi::Py_ssize_t)
            .collect(),
        strides: strides_bytes
            .iter()
            .map(|&s| s as ffi::Py_ssize_t)
            .collect(),
    });
    let v = unsafe { &mut *view };
    v.buf = memory.as_ptr() as *mut c_void;
    v.len = memory.len_bytes() as ffi::Py_ssize_t;
    v.readonly = c_int::from(readonly);
    v.itemsize = memory.dtype().itemsize() as ffi::Py_ssize_t;
    v.format = if flags & ffi::PyBUF_FORMAT == ffi::PyBUF_FORMAT {
        format_cstr(memory.dtype()).as_ptr() as *mut _
    } else {
        std::ptr::null_mut()
    };
    v.ndim = layout.shape.len() as c_int;
    v.shape = if flags & ffi::PyBUF_ND == ffi::PyBUF_ND {
        layout.shape.as_ptr() as *mut _
    } else {
        std::ptr::null_mut()
    };
    v.strides = if flags & ffi::PyBUF_STRIDES == ffi::PyBUF_STRIDES {
        layout.strides.as_ptr() as *mut _
    } else {
        std::ptr::null_mut()
    };
    v.suboffsets = std::ptr::null_mut();
    v.internal = Box::into_raw(layout) as *mut c_void;
    v.obj = owner.into_ptr();
    Ok(())
}

/// Frees what [`fill`] allocated.
///
/// # Safety
/// `view` must have been filled by [`fill`].
pub unsafe fn release(view: *mut ffi::Py_buffer) {
    let v = unsafe { &mut *view };
    if !v.internal.is_null() {
        drop(unsafe { Box::from_raw(v.internal as *mut ViewLayout) });
        v.internal = std::ptr::null_mut();
    }
}
