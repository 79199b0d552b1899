//! Pickling of Frames and Heightmaps over their memory itself.
//!
//! With pickle protocol 5 the bytes travel as a `pickle.PickleBuffer` over
//! the object: out of band when the pickler has a `buffer_callback` (Dask,
//! `multiprocessing.shared_memory` users, Ray), so no serialisation copy is
//! made beyond what the transport does, and in band otherwise (the pickle
//! stream itself holds them). The unpickled object borrows whatever buffer
//! it is given (read-only if that buffer is). Protocols below 5 carry one
//! `bytes` copy, recorded in the copy ledger as `pickle_copy`.

use std::sync::Arc;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use super::exports::Exported;
use super::frame::PyFrame;
use super::heightmap::PyHeightmap;
use super::input::RawBuffer;
use crate::memory::{DType, HostBuffer, Origin};
use crate::{Frame, Heightmap};

/// What carries `obj`'s memory in its pickle: a `PickleBuffer` over `obj`
/// (protocol 5 and above), or a recorded `bytes` copy.
pub(super) fn payload<'py>(
    obj: &Bound<'py, PyAny>,
    memory: &HostBuffer,
    protocol: i64,
    what: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let py = obj.py();
    if protocol >= 5 {
        return py.import("pickle")?.getattr("PickleBuffer")?.call1((obj,));
    }
    let bytes = memory.as_slice();
    crate::memory::ledger::record(
        "pickle_copy",
        bytes.len(),
        bytes.as_ptr(),
        &format!("{what} pickled with protocol {protocol} (< 5): its bytes copied into the pickle"),
    );
    Ok(PyBytes::new(py, bytes).into_any())
}

/// The memory of an unpickled object: `buf`'s own bytes (no copy) when it is
/// a C-contiguous buffer of exactly the expected size, aligned to `align`
/// bytes; a misaligned one is copied once (recorded). Returns the memory
/// and whether it is read-only.
pub(super) fn borrow(
    what: &str,
    buf: &Bound<'_, PyAny>,
    shape: Vec<usize>,
    dtype: DType,
    align: usize,
) -> PyResult<(HostBuffer, bool)> {
    let want = shape
        .iter()
        .try_fold(dtype.itemsize(), |a, &d| a.checked_mul(d))
        .ok_or_else(|| PyValueError::new_err(format!("{what}: shape {shape:?} is too large")))?;
    let raw = RawBuffer::get(buf).map_err(|e| {
        PyTypeError::new_err(format!(
            "{what}: the pickled data must be a buffer (bytes, bytearray, memoryview, \
             PickleBuffer), got {} ({e})",
            buf.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    if !raw.is_c_contiguous() || raw.len_bytes() != want {
        return Err(PyValueError::new_err(format!(
            "{what}: the pickled data must be {want} contiguous bytes for shape {shape:?}, got \
             {} bytes{}; the pickle is damaged or from another version",
            raw.len_bytes(),
            if raw.is_c_contiguous() {
                ""
            } else {
                " (not contiguous)"
            }
        )));
    }
    let readonly = raw.readonly();
    let ptr = raw.ptr();
    if want == 0 || (ptr as usize) % align != 0 {
        // SAFETY: `raw` holds `want` readable bytes at `ptr` while it lives.
        let src = unsafe { std::slice::from_raw_parts(ptr, want) };
        let mut owned = arrow_buffer::MutableBuffer::from_len_zeroed(want);
        crate::memory::ledger::copy_into(
            owned.as_slice_mut(),
            src,
            "unpickle_align",
            &format!(
                "{what}: the pickled bytes are not aligned for {}",
                dtype.name()
            ),
        );
        return Ok((
            HostBuffer::new(owned.into(), shape, dtype, Origin::Rust),
            false,
        ));
    }
    let nonnull = std::ptr::NonNull::new(ptr as *mut u8)
        .ok_or_else(|| PyValueError::new_err(format!("{what}: null data pointer")))?;
    // SAFETY: `raw` keeps the exporter's `want` bytes alive and fixed.
    let buffer =
        unsafe { arrow_buffer::Buffer::from_custom_allocation(nonnull, want, Arc::new(raw)) };
    Ok((
        HostBuffer::new(buffer, shape, dtype, Origin::Borrowed),
        readonly,
    ))
}

/// Rebuilds a pickled Frame over `data` (see the module's notes).
#[pyfunction]
fn _frame_from_pickle(data: &Bound<'_, PyAny>, height: usize, width: usize) -> PyResult<PyFrame> {
    let (memory, readonly) = borrow("Frame", data, vec![height, width, 4], DType::U8, 1)?;
    Ok(PyFrame {
        frame: Frame::new(memory),
        readonly,
    })
}

/// Rebuilds a pickled Heightmap over `data` (see the module's notes).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _heightmap_from_pickle(
    data: &Bound<'_, PyAny>,
    rows: usize,
    cols: usize,
    spacing: (f64, f64),
    origin: (f64, f64),
    nodata: Option<f32>,
    crs: Option<String>,
    crs_spacing: Option<(f64, f64)>,
) -> PyResult<PyHeightmap> {
    let (memory, readonly) = borrow("Heightmap", data, vec![rows, cols], DType::F32, 4)?;
    let mut hm = PyHeightmap::from_map(Heightmap::new(memory, spacing, origin, nodata)?);
    hm.readonly = readonly;
    hm.crs = crs;
    hm.crs_spacing = crs_spacing;
    Ok(hm)
}

#[pymethods]
impl PyFrame {
    /// The object's size with its pixels (what ``sys.getsizeof`` and Dask's
    /// memory accounting read).
    fn __sizeof__(&self) -> usize {
        std::mem::size_of::<Self>() + self.frame.as_bytes().len()
    }

    /// Pickle support: protocol 5 carries the memory as a ``PickleBuffer``
    /// (out of band with a ``buffer_callback``: no copy); older protocols
    /// copy it once into ``bytes`` (recorded as ``pickle_copy``).
    fn __reduce_ex__<'py>(slf: &Bound<'py, Self>, protocol: i64) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let rebuild = py
            .import("forge3d._forge3d")?
            .getattr("_frame_from_pickle")?;
        let f = &slf.get().frame;
        let args = (
            payload(slf.as_any(), slf.get().memory(), protocol, "Frame")?,
            f.height(),
            f.width(),
        );
        (rebuild, args).into_pyobject(py)
    }
}

#[pymethods]
impl PyHeightmap {
    /// The object's size with its values (what ``sys.getsizeof`` and Dask's
    /// memory accounting read).
    fn __sizeof__(&self) -> usize {
        std::mem::size_of::<Self>() + self.map.values().len_bytes()
    }

    /// Pickle support: protocol 5 carries the values as a ``PickleBuffer``
    /// (out of band with a ``buffer_callback``: no copy); older protocols
    /// copy them once into ``bytes`` (recorded as ``pickle_copy``). Spacing,
    /// origin, nodata, crs and crs_spacing travel with them.
    fn __reduce_ex__<'py>(slf: &Bound<'py, Self>, protocol: i64) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let rebuild = py
            .import("forge3d._forge3d")?
            .getattr("_heightmap_from_pickle")?;
        let h = slf.get();
        let args = (
            payload(slf.as_any(), h.memory(), protocol, "Heightmap")?,
            h.map.rows(),
            h.map.cols(),
            h.map.spacing,
            h.map.origin,
            h.map.nodata,
            h.crs.clone(),
            h.crs_spacing,
        );
        (rebuild, args).into_pyobject(py)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_frame_from_pickle, m)?)?;
    m.add_function(wrap_pyfunction!(_heightmap_from_pickle, m)?)?;
    Ok(())
}
