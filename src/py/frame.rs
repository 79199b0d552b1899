//! `forge3d.Frame`: one rendered RGBA8 image, exported without copying
//! through the buffer protocol, the Arrow PyCapsule interface and DLPack.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::exports::{pymethods_with_exports, Exported};
use crate::Frame;

/// A rendered RGBA8 image of shape (height, width, 4).
///
/// Its bytes are the mapped readback memory the GPU wrote into, tightly
/// packed for any width. ``np.asarray(frame)``, ``memoryview(frame)``,
/// ``pa.array(frame)``, ``pl.Series(frame)`` and ``np.from_dlpack(frame)``
/// share that memory (no CPU copy); the memory returns to forge3d's pool
/// when the last of them is gone.
///
/// Frames pickle over their memory: with protocol 5 and a
/// ``buffer_callback`` (Dask, ``multiprocessing`` with protocol 5) the
/// pixels travel as an out-of-band ``PickleBuffer`` (no copy); older
/// protocols copy them once (``pickle_copy`` in the copy ledger). An
/// unpickled frame borrows the buffer it is given (``origin ==
/// "borrowed"``; read-only when that buffer is, as after protocol < 5).
#[pyclass(name = "Frame", module = "forge3d._forge3d", frozen)]
pub struct PyFrame {
    pub(crate) frame: Frame,
    /// True when the memory is a read-only buffer it was unpickled over.
    pub(crate) readonly: bool,
}

impl PyFrame {
    /// A rendered frame (writable).
    pub fn new(frame: Frame) -> Self {
        Self {
            frame,
            readonly: false,
        }
    }
}

/// `numpy.ndarray(shape, uint8, buffer=frame)`: a view of the frame's
/// memory whose `base` is the Frame itself.
pub fn to_numpy(frame: Bound<'_, PyFrame>) -> PyResult<Bound<'_, PyAny>> {
    let py = frame.py();
    let shape = frame.get().shape();
    let np = py.import("numpy")?;
    let kwargs = pyo3::types::PyDict::new(py);
    kwargs.set_item("buffer", frame)?;
    np.getattr("ndarray")?
        .call((shape, np.getattr("uint8")?), Some(&kwargs))
}

impl Exported for PyFrame {
    const FIELD: &'static str = "rgba";
    fn memory(&self) -> &crate::memory::HostBuffer {
        self.frame.memory()
    }
    fn readonly(&self) -> bool {
        self.readonly
    }
}

pymethods_with_exports! {
impl PyFrame {
    /// Width in pixels.
    #[getter]
    fn width(&self) -> u32 {
        self.frame.width()
    }
    /// Height in pixels.
    #[getter]
    fn height(&self) -> u32 {
        self.frame.height()
    }
    /// (height, width, 4)
    #[getter]
    fn shape(&self) -> (usize, usize, usize) {
        let [h, w, c] = self.frame.shape();
        (h, w, c)
    }
    /// height * width * 4: the bytes of the image, tightly packed.
    #[getter]
    fn nbytes(&self) -> usize {
        self.frame.as_bytes().len()
    }
    /// Address of the first byte (equal to NumPy's data pointer of any view).
    #[getter]
    fn ptr(&self) -> usize {
        self.frame.memory().as_ptr() as usize
    }
    /// Where the memory lives: "mapped_readback" for rendered frames.
    #[getter]
    fn origin(&self) -> &'static str {
        super::external_array::origin_name(self.frame.memory().origin())
    }

    /// RGBA of column x, row y (row 0 is the top). IndexError outside the frame.
    fn pixel(&self, x: &Bound<'_, PyAny>, y: &Bound<'_, PyAny>) -> PyResult<(u8, u8, u8, u8)> {
        let x = super::args::int_in("x", x, 0, u32::MAX as i128)? as u32;
        let y = super::args::int_in("y", y, 0, u32::MAX as i128)? as u32;
        if x >= self.frame.width() || y >= self.frame.height() {
            return Err(pyo3::exceptions::PyIndexError::new_err(format!(
                "pixel ({x}, {y}) is outside the {}x{} frame",
                self.frame.width(),
                self.frame.height()
            )));
        }
        let [r, g, b, a] = self.frame.pixel(x, y);
        Ok((r, g, b, a))
    }

    /// A (height, width, 4) uint8 view of the frame; ``.base`` is the frame. No copy.
    fn to_numpy(slf: Bound<'_, Self>) -> PyResult<Bound<'_, PyAny>> {
        to_numpy(slf)
    }

    /// Write a PNG file. OSError (with the path) if it cannot be written,
    /// ValueError for an empty path or a directory. Recorded in the copy
    /// ledger as ``png_encode``.
    fn to_png(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let frame = self.frame.clone();
        Ok(py.detach(move || frame.save_png(&path))?)
    }

    fn _repr_png_<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let png = self.frame.encode_png()?;
        Ok(PyBytes::new(py, &png))
    }

    fn __repr__(&self) -> String {
        format!(
            "Frame(width={}, height={}, dtype=uint8, origin={})",
            self.frame.width(),
            self.frame.height(),
            self.origin()
        )
    }
}
}
