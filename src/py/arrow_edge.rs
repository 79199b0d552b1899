//! The one place Arrow data from Python is imported (PyCapsule interface,
//! through pyo3-arrow). A producer can hand over anything: a capsule it
//! already gave away (its release callback is then null), buffers that do
//! not match the type, a stream whose batches are malformed. arrow-rs
//! asserts on some of these; no such panic may cross into Python, where it
//! would be a `PanicException` that `except Exception` does not catch. So
//! consumed capsules are refused up front, and every import and every batch
//! read runs under `catch_unwind`, a panic becoming a `ValueError`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use arrow_array::{ArrayRef, RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, FieldRef, SchemaRef};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};
use pyo3_arrow::{PyArray, PyChunkedArray, PyRecordBatchReader};

/// The head of the C Data Interface's `struct ArrowSchema` (a stable C ABI),
/// read only for its `release` member, which arrow-rs keeps private.
#[repr(C)]
struct CArrowSchema {
    format: *const std::ffi::c_char,
    name: *const std::ffi::c_char,
    metadata: *const std::ffi::c_char,
    flags: i64,
    n_children: i64,
    children: *mut *mut CArrowSchema,
    dictionary: *mut CArrowSchema,
    release: Option<unsafe extern "C" fn(*mut CArrowSchema)>,
    private_data: *mut std::ffi::c_void,
}

/// What a caught panic said.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown error".into())
}

thread_local! {
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// `catch_unwind` whose caught panics print nothing (the default hook would
/// write a backtrace notice to stderr for what becomes a plain ValueError).
fn catch_quietly<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(|g| g.get()) {
                previous(info);
            }
        }));
    });
    let outer = GUARDED.with(|g| g.replace(true));
    let r = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(outer));
    r
}

/// Runs `f`; a panic inside becomes a `ValueError` naming `name`.
fn guarded<T>(name: &str, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_quietly(f) {
        Ok(r) => r,
        Err(p) => Err(PyValueError::new_err(format!(
            "{name}: the Arrow data is malformed ({}); pass an array the producer exported \
             afresh",
            panic_text(&*p)
        ))),
    }
}

/// Refuses a capsule whose struct was already moved out (release is NULL).
fn check_not_released<T>(
    name: &str,
    capsule: &Bound<'_, PyCapsule>,
    capsule_name: &std::ffi::CStr,
    released: impl Fn(&T) -> bool,
) -> PyResult<()> {
    let ptr = capsule.pointer_checked(Some(capsule_name))?;
    // SAFETY: a capsule named by the Arrow PyCapsule interface holds a `T`
    // (the name was checked by the caller), valid while the capsule lives.
    let value = unsafe { &*(ptr.as_ptr() as *const T) };
    if released(value) {
        return Err(PyValueError::new_err(format!(
            "{name}: the Arrow capsule was already consumed (its release callback is NULL); \
             __arrow_c_array__ / __arrow_c_stream__ must return new capsules on each call"
        )));
    }
    Ok(())
}

fn capsule_named<'py>(
    name: &str,
    obj: Bound<'py, PyAny>,
    want: &str,
) -> PyResult<Bound<'py, PyCapsule>> {
    let cap = obj.cast_into::<PyCapsule>().map_err(|e| {
        PyTypeError::new_err(format!(
            "{name}: expected an Arrow PyCapsule named {want:?}, got {}",
            e.into_inner().get_type()
        ))
    })?;
    let named = cap
        .name()?
        .map(|n| unsafe { n.as_cstr() }.to_bytes() == want.as_bytes())
        .unwrap_or(false);
    if !named {
        return Err(PyTypeError::new_err(format!(
            "{name}: expected an Arrow PyCapsule named {want:?}"
        )));
    }
    Ok(cap)
}

/// The chunks and field of an object exporting `__arrow_c_stream__` or
/// `__arrow_c_array__`.
pub fn import_array(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<(Vec<ArrayRef>, FieldRef)> {
    if obj.hasattr("__arrow_c_stream__")? {
        let capsule = obj.call_method0("__arrow_c_stream__")?;
        let capsule = capsule_named(name, capsule, "arrow_array_stream")?;
        check_not_released(
            name,
            &capsule,
            c"arrow_array_stream",
            |s: &arrow_array::ffi_stream::FFI_ArrowArrayStream| s.release.is_none(),
        )?;
        return guarded(name, || {
            let c = PyChunkedArray::from_arrow_pycapsule(&capsule)?;
            Ok(c.into_inner())
        });
    }
    let pair = obj.call_method0("__arrow_c_array__")?;
    let pair = pair.cast_into::<PyTuple>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{name}: __arrow_c_array__ must return a (schema, array) tuple of capsules"
        ))
    })?;
    if pair.len() != 2 {
        return Err(PyTypeError::new_err(format!(
            "{name}: __arrow_c_array__ must return a (schema, array) tuple of capsules, got {} \
             items",
            pair.len()
        )));
    }
    let schema = capsule_named(name, pair.get_item(0)?, "arrow_schema")?;
    let array = capsule_named(name, pair.get_item(1)?, "arrow_array")?;
    check_not_released(name, &schema, c"arrow_schema", |s: &CArrowSchema| {
        s.release.is_none()
    })?;
    check_not_released(
        name,
        &array,
        c"arrow_array",
        |a: &arrow_data::ffi::FFI_ArrowArray| a.is_released(),
    )?;
    guarded(name, || {
        let (array, field) = PyArray::from_arrow_pycapsule(&schema, &array)?.into_inner();
        Ok((vec![array], field))
    })
}

/// A record batch reader over an object exporting `__arrow_c_stream__`
/// (a pyarrow Table, a Polars or pandas DataFrame, ...), whose batches are
/// read under `catch_unwind`.
pub fn import_reader(
    name: &str,
    obj: &Bound<'_, PyAny>,
) -> PyResult<Box<dyn RecordBatchReader + Send>> {
    if !obj.hasattr("__arrow_c_stream__")? {
        return Err(PyTypeError::new_err(format!(
            "{name}: expected a table exporting __arrow_c_stream__ (pyarrow Table, Polars or \
             pandas DataFrame, DuckDB relation), got {}",
            obj.get_type()
        )));
    }
    let capsule = obj.call_method0("__arrow_c_stream__")?;
    let capsule = capsule_named(name, capsule, "arrow_array_stream")?;
    check_not_released(
        name,
        &capsule,
        c"arrow_array_stream",
        |s: &arrow_array::ffi_stream::FFI_ArrowArrayStream| s.release.is_none(),
    )?;
    let inner = guarded(name, || {
        PyRecordBatchReader::from_arrow_pycapsule(&capsule)?.into_reader()
    })?;
    Ok(Box::new(Guarded {
        name: name.to_string(),
        inner,
    }))
}

struct Guarded {
    name: String,
    inner: Box<dyn RecordBatchReader + Send>,
}

impl Iterator for Guarded {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        match catch_quietly(|| self.inner.next()) {
            Ok(item) => item,
            Err(p) => Some(Err(ArrowError::InvalidArgumentError(format!(
                "{}: a batch of the Arrow stream is malformed ({})",
                self.name,
                panic_text(&*p)
            )))),
        }
    }
}

impl RecordBatchReader for Guarded {
    fn schema(&self) -> SchemaRef {
        self.inner.schema()
    }
}

// The mirror above must have the C struct's size, as arrow-rs's own does.
const _: () = assert!(
    std::mem::size_of::<CArrowSchema>()
        == std::mem::size_of::<arrow_schema::ffi::FFI_ArrowSchema>()
);

/// The field an object's `__arrow_c_schema__` describes, or None when it
/// has none (its data is then not read: a stream may be read only once).
pub fn schema_field(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Option<FieldRef>> {
    if !obj.hasattr("__arrow_c_schema__")? {
        return Ok(None);
    }
    let capsule = obj.call_method0("__arrow_c_schema__")?;
    let capsule = capsule_named(name, capsule, "arrow_schema")?;
    check_not_released(name, &capsule, c"arrow_schema", |s: &CArrowSchema| {
        s.release.is_none()
    })?;
    guarded(name, || {
        Ok(Some(
            pyo3_arrow::PyField::from_arrow_pycapsule(&capsule)?.into_inner(),
        ))
    })
}
