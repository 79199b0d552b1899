//! Module-level functions: device facts, the copy ledger, pool statistics.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::gpu::alloc::host_cached::UploadMemory;
use crate::memory::ledger;
use crate::GpuContext;

/// The adapter forge3d renders on: name, backend, device_type, driver,
/// driver_info, vendor, software, max_texture_dimension (FORGE3D_MAX_TEXTURE_SIDE may
/// lower it), max_texture_array_layers, max_buffer_size, max_storage_buffer_binding_size,
/// tiled_rendering, other_adapters. Raises GpuError when there is none.
#[pyfunction]
fn device_info<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
    let ctx = py.detach(GpuContext::shared)?;
    let i = &ctx.info;
    let d = PyDict::new(py);
    d.set_item("name", &i.name)?;
    d.set_item("backend", &i.backend)?;
    d.set_item("device_type", &i.device_type)?;
    d.set_item("driver", &i.driver)?;
    d.set_item("driver_info", &i.driver_info)?;
    d.set_item("vendor", i.vendor)?;
    d.set_item("software", i.software)?;
    d.set_item("max_texture_dimension", i.max_texture_dimension)?;
    d.set_item("max_texture_array_layers", i.max_texture_array_layers)?;
    d.set_item("max_buffer_size", i.max_buffer_size)?;
    d.set_item(
        "max_storage_buffer_binding_size",
        ctx.limits.max_storage_buffer_binding_size,
    )?;
    d.set_item("tiled_rendering", ctx.shares_host_memory())?;
    let alts = PyList::empty(py);
    for (name, backend) in &i.alternatives {
        alts.append((name, backend))?;
    }
    d.set_item("other_adapters", alts)?;
    Ok(d)
}

/// Block until all submitted GPU work (uploads included) has finished.
#[pyfunction]
fn synchronize(py: Python<'_>) -> PyResult<()> {
    Ok(py.detach(|| GpuContext::shared()?.synchronize())?)
}

/// Opens a ledger session on this thread; returns its start index.
#[pyfunction]
fn _ledger_open() -> usize {
    ledger::open_raw()
}

/// Records since `start` as (operation, bytes, source_ptr, reason) tuples.
#[pyfunction]
fn _ledger_records(start: usize) -> Vec<(&'static str, usize, usize, String)> {
    ledger::records_since(start)
        .into_iter()
        .map(|r| (r.operation, r.bytes, r.source_ptr, r.reason))
        .collect()
}

/// Records a conversion done in Python (forge3d's own helpers only).
#[pyfunction]
fn _ledger_convert(bytes: usize, source_ptr: usize, reason: &str) {
    crate::ledger::record("convert", bytes, source_ptr as *const u8, reason);
}

/// Notes an image encoded from a frame's memory by forge3d's Python helpers
/// (the Jupyter viewer): `format` is "png" or "jpeg".
#[pyfunction]
fn _ledger_encode(format: &str, bytes: usize, source_ptr: usize, reason: &str) -> PyResult<()> {
    let operation = match format {
        "png" => "png_encode",
        "jpeg" => "jpeg_encode",
        other => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "format must be 'png' or 'jpeg', got '{other}'"
            )))
        }
    };
    crate::ledger::record(operation, bytes, source_ptr as *const u8, reason);
    Ok(())
}

#[pyfunction]
fn _ledger_close(start: usize) {
    ledger::close_raw(start)
}

/// Process-wide (copies, bytes) recorded by the copy ledger since start.
#[pyfunction]
fn copy_totals() -> (u64, u64) {
    ledger::totals()
}

/// Pool counters.
///
/// Readback: ``created``, ``reused``, ``in_use``, ``pooled``,
/// ``pooled_bytes``. Uploads: ``upload_buffers_created``, of which
/// ``upload_buffers_host_cached`` are in host-cached memory, and
/// ``upload_memory``, the policy from ``FORGE3D_UPLOAD_MEMORY`` (``"auto"``,
/// ``"host"`` or ``"driver"``). Uniforms: ``uniform_writes``, the layer
/// uniforms frames have written (a layer's is written only when it
/// changes, e.g. with the camera), and ``staging_belts``, the staging
/// memory they were written through (one per frame prepared at once,
/// reused).
#[pyfunction]
fn readback_pool_stats<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
    let ctx = py.detach(GpuContext::shared)?;
    let s = ctx.readback_pool.stats();
    let d = PyDict::new(py);
    d.set_item("created", s.created)?;
    d.set_item("reused", s.reused)?;
    d.set_item("in_use", s.in_use)?;
    d.set_item("pooled", s.pooled)?;
    d.set_item("pooled_bytes", s.pooled_bytes)?;
    d.set_item("upload_buffers_created", ctx.upload_pool.created())?;
    d.set_item(
        "upload_buffers_host_cached",
        ctx.upload_pool.created_host_cached(),
    )?;
    let memory = match ctx.upload_pool.memory() {
        UploadMemory::Auto => "auto",
        UploadMemory::Host => "host",
        UploadMemory::Driver => "driver",
    };
    d.set_item("upload_memory", memory)?;
    let (belts, writes) = ctx.cached(crate::gpu::alloc::belt::Belts::new).stats();
    d.set_item("staging_belts", belts)?;
    d.set_item("uniform_writes", writes)?;
    Ok(d)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(device_info, m)?)?;
    m.add_function(wrap_pyfunction!(synchronize, m)?)?;
    m.add_function(wrap_pyfunction!(_ledger_open, m)?)?;
    m.add_function(wrap_pyfunction!(_ledger_records, m)?)?;
    m.add_function(wrap_pyfunction!(_ledger_close, m)?)?;
    m.add_function(wrap_pyfunction!(_ledger_convert, m)?)?;
    m.add_function(wrap_pyfunction!(_ledger_encode, m)?)?;
    m.add_function(wrap_pyfunction!(copy_totals, m)?)?;
    m.add_function(wrap_pyfunction!(readback_pool_stats, m)?)?;
    Ok(())
}
