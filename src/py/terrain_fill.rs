//! Terrains whose heights a Python producer writes straight into upload
//! memory, band by band (`Renderer.add_terrain` of a dask-backed
//! `xarray.DataArray`): `forge3d.geo` gives a `fill(row0, rows, pitch, view)`
//! callable, called here with a writable memoryview over each band's upload
//! memory, released before the band goes to the GPU.

use std::cell::RefCell;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::render::{HeightsFill, TerrainOptions};
use crate::{Error, Renderer};

/// Uploads `rows` x `cols` heights written by `fill` (holding the GIL: the
/// producer is Python).
pub fn add_terrain_filled(
    renderer: &Renderer,
    fill: &Bound<'_, PyAny>,
    rows: usize,
    cols: usize,
    options: TerrainOptions,
) -> PyResult<()> {
    renderer.check_terrain_shape(rows, cols)?;
    // A Python error inside the producer is kept here and raised as itself.
    let failed: RefCell<Option<PyErr>> = RefCell::new(None);
    let py = fill.py();
    let mut band = |row0: usize, n: usize, dst: &mut [f32], pitch: usize| -> crate::Result<()> {
        let len = ((n - 1) * pitch + cols) * 4;
        let r = (|| -> PyResult<()> {
            // SAFETY: `dst` is this band's upload memory, valid and written
            // by nobody else for the duration of this call; the view is
            // released before returning, and refusing to release (someone
            // kept a reference) is an error that drops the band unused.
            let view = unsafe {
                let ptr = pyo3::ffi::PyMemoryView_FromMemory(
                    dst.as_mut_ptr().cast(),
                    len as isize,
                    pyo3::ffi::PyBUF_WRITE,
                );
                Bound::from_owned_ptr_or_err(py, ptr)?
            };
            let called = fill.call1((row0, n, pitch, &view));
            let released = view.call_method0("release");
            called?;
            released.map_err(|e| {
                PyRuntimeError::new_err(format!(
                    "the heights producer kept a view of upload memory after its call ({e})"
                ))
            })?;
            Ok(())
        })();
        r.map_err(|e| {
            let msg = e.to_string();
            *failed.borrow_mut() = Some(e);
            Error::InvalidArgument(format!("heights: the producer failed: {msg}"))
        })
    };
    let result = renderer.add_terrain_filled(
        HeightsFill {
            rows,
            cols,
            fill: &mut band,
            what: "dask chunks",
        },
        options,
    );
    if let Some(e) = failed.borrow_mut().take() {
        return Err(e);
    }
    result?;
    Ok(())
}
