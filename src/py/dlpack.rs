//! DLPack export (CPU device) of a [`HostBuffer`]: the capsule's tensor
//! points at the buffer's memory and its manager context keeps the buffer,
//! and so its owner, alive until the consumer calls the deleter.

use std::ffi::{c_void, CStr};

use pyo3::exceptions::{PyBufferError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;

use crate::memory::{ledger, HostBuffer};

const KDL_CPU: i32 = 1;
const CAPSULE: &CStr = c"dltensor";
const CAPSULE_VERSIONED: &CStr = c"dltensor_versioned";

#[repr(C)]
struct DLDevice {
    device_type: i32,
    device_id: i32,
}

#[repr(C)]
struct DLDataType {
    code: u8,
    bits: u8,
    lanes: u16,
}

#[repr(C)]
struct DLTensor {
    data: *mut c_void,
    device: DLDevice,
    ndim: i32,
    dtype: DLDataType,
    shape: *mut i64,
    strides: *mut i64,
    byte_offset: u64,
}

#[repr(C)]
struct DLManagedTensor {
    dl_tensor: DLTensor,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensor)>,
}

#[repr(C)]
struct DLPackVersion {
    major: u32,
    minor: u32,
}

#[repr(C)]
struct DLManagedTensorVersioned {
    version: DLPackVersion,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensorVersioned)>,
    flags: u64,
    dl_tensor: DLTensor,
}

/// Owned by the managed tensor: the memory and the arrays its tensor points into.
struct Context {
    _memory: HostBuffer,
    shape: Vec<i64>,
    strides: Vec<i64>,
}

fn tensor(memory: &HostBuffer, ctx: &mut Context) -> DLTensor {
    let (code, bits) = memory.dtype().dlpack();
    DLTensor {
        data: memory.as_ptr() as *mut c_void,
        device: DLDevice {
            device_type: KDL_CPU,
            device_id: 0,
        },
        ndim: ctx.shape.len() as i32,
        dtype: DLDataType {
            code,
            bits,
            lanes: 1,
        },
        shape: ctx.shape.as_mut_ptr(),
        strides: ctx.strides.as_mut_ptr(),
        byte_offset: 0,
    }
}

fn context(memory: &HostBuffer) -> Box<Context> {
    let item = memory.dtype().itemsize();
    Box::new(Context {
        _memory: memory.clone(),
        shape: memory.shape().iter().map(|&d| d as i64).collect(),
        strides: memory
            .strides()
            .iter()
            .map(|&s| (s / item) as i64)
            .collect(),
    })
}

unsafe extern "C" fn delete_unversioned(t: *mut DLManagedTensor) {
    if t.is_null() {
        return;
    }
    let t = unsafe { Box::from_raw(t) };
    drop(unsafe { Box::from_raw(t.manager_ctx as *mut Context) });
}

unsafe extern "C" fn delete_versioned(t: *mut DLManagedTensorVersioned) {
    if t.is_null() {
        return;
    }
    let t = unsafe { Box::from_raw(t) };
    drop(unsafe { Box::from_raw(t.manager_ctx as *mut Context) });
}

/// Frees the tensor when the capsule dies unconsumed (a consumer renames it
/// to `used_dltensor*` and takes over the deleter).
unsafe extern "C" fn capsule_destructor(capsule: *mut ffi::PyObject) {
    unsafe {
        if ffi::PyCapsule_IsValid(capsule, CAPSULE.as_ptr()) == 1 {
            let p = ffi::PyCapsule_GetPointer(capsule, CAPSULE.as_ptr()) as *mut DLManagedTensor;
            if let Some(d) = (*p).deleter {
                d(p);
            }
        } else if ffi::PyCapsule_IsValid(capsule, CAPSULE_VERSIONED.as_ptr()) == 1 {
            let p = ffi::PyCapsule_GetPointer(capsule, CAPSULE_VERSIONED.as_ptr())
                as *mut DLManagedTensorVersioned;
            if let Some(d) = (*p).deleter {
                d(p);
            }
        }
    }
}

/// Implements `__dlpack__(*, stream=None, max_version=None, dl_device=None, copy=None)`.
/// `readonly` memory is flagged read-only in versioned capsules; an
/// unversioned capsule cannot say so, and gets a (recorded) copy instead.
#[allow(clippy::too_many_arguments)]
pub fn export<'py>(
    py: Python<'py>,
    memory: &HostBuffer,
    readonly: bool,
    stream: Option<&Bound<'py, PyAny>>,
    max_version: Option<(u32, u32)>,
    dl_device: Option<(i32, i32)>,
    copy: Option<bool>,
) -> PyResult<Bound<'py, PyAny>> {
    if let Some(s) = stream {
        if !s.is_none() {
            return Err(PyValueError::new_err(
                "stream: forge3d arrays live in CPU memory; pass stream=None",
            ));
        }
    }
    if let Some(dev) = dl_device {
        if dev != (KDL_CPU, 0) {
            return Err(PyBufferError::new_err(format!(
                "dl_device: forge3d exports CPU memory (device (1, 0)), got {dev:?}"
            )));
        }
    }
    let versioned = max_version.is_some_and(|(major, _)| major >= 1);
    let must_copy = copy == Some(true) || (readonly && !versioned);
    if must_copy && copy == Some(false) {
        return Err(PyBufferError::new_err(
            "this memory is read-only and an unversioned DLPack capsule cannot mark it so; \
             pass max_version=(1, 0) or allow a copy",
        ));
    }
    let owned;
    let memory = if must_copy {
        owned = copied(memory)?;
        &owned
    } else {
        memory
    };
    let readonly = readonly && !must_copy;
    let mut ctx = context(memory);
    let dl_tensor = tensor(memory, &mut ctx);
    let manager_ctx = Box::into_raw(ctx) as *mut c_void;
    let raw = if versioned {
        Box::into_raw(Box::new(DLManagedTensorVersioned {
            version: DLPackVersion { major: 1, minor: 0 },
            manager_ctx,
            deleter: Some(delete_versioned),
            // Bit 0: read-only; bit 1: this is a copy.
            flags: u64::from(readonly) | if must_copy { 1 << 1 } else { 0 },
            dl_tensor,
        })) as *mut c_void
    } else {
        Box::into_raw(Box::new(DLManagedTensor {
            dl_tensor,
            manager_ctx,
            deleter: Some(delete_unversioned),
        })) as *mut c_void
    };
    let name = if versioned {
        CAPSULE_VERSIONED
    } else {
        CAPSULE
    };
    // SAFETY: `raw` is a valid managed tensor; the destructor frees it unless
    // a consumer renamed the capsule (and so owns it).
    unsafe {
        let capsule = ffi::PyCapsule_New(raw, name.as_ptr(), Some(capsule_destructor));
        if capsule.is_null() {
            if versioned {
                delete_versioned(raw as *mut DLManagedTensorVersioned);
            } else {
                delete_unversioned(raw as *mut DLManagedTensor);
            }
        }
        Bound::from_owned_ptr_or_err(py, capsule)
    }
}

/// A Rust-owned copy of `memory` (for `copy=True`), recorded in the ledger.
/// A recorded copy in fallible, aligned memory (a refused size is a
/// MemoryError, not an abort).
fn copied(memory: &HostBuffer) -> crate::Result<HostBuffer> {
    let mut out = crate::memory::alloc::AlignedBlock::new(
        "__dlpack__(copy=True)",
        memory.len_bytes(),
        1,
        false,
    )?;
    // SAFETY: every byte is written by the copy below before it is read.
    ledger::copy_into(
        unsafe { out.as_mut_slice::<u8>() },
        memory.as_slice(),
        "export_copy",
        "__dlpack__(copy=True)",
    );
    Ok(HostBuffer::new(
        out.freeze(),
        memory.shape().to_vec(),
        memory.dtype(),
        crate::memory::Origin::Rust,
    ))
}
