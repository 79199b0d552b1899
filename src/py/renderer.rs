//! `forge3d.Renderer`: argument checking and GIL release around the core
//! renderer.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};

use super::errors::IntoPy;
use super::frame::PyFrame;
use crate::Renderer;

/// Reads a pixel count: a Python int (or an object with `__index__`, such as
/// a NumPy integer); bools and floats are type errors, out-of-range values
/// value errors.
fn pixel_count(name: &str, v: &Bound<'_, PyAny>) -> PyResult<u32> {
    if v.is_instance_of::<PyBool>() || v.is_instance_of::<PyFloat>() || !has_index(v) {
        return Err(PyTypeError::new_err(format!(
            "{name} must be an integer number of pixels, got {} {}",
            v.get_type().name()?,
            v.repr()?
        )));
    }
    let i: i128 = v.call_method0("__index__")?.extract()?;
    if i < 1 || i > u32::MAX as i128 {
        return Err(PyValueError::new_err(format!(
            "{name} must be between 1 and the device's max_texture_dimension_2d \
             (see forge3d.device_info()), got {i}"
        )));
    }
    Ok(i as u32)
}

fn has_index(v: &Bound<'_, PyAny>) -> bool {
    v.is_instance_of::<PyInt>() || v.hasattr("__index__").unwrap_or(false)
}

fn rgba(name: &str, v: &Bound<'_, PyAny>) -> PyResult<[u8; 4]> {
    let not_seq = || {
        PyTypeError::new_err(format!(
            "{name} must be a sequence of 3 or 4 integers 0..255, got {}",
            v.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    };
    let items: Vec<Bound<'_, PyAny>> = v
        .try_iter()
        .map_err(|_| not_seq())?
        .collect::<PyResult<_>>()
        .map_err(|_| not_seq())?;
    if items.len() != 3 && items.len() != 4 {
        return Err(PyValueError::new_err(format!(
            "{name} must have 3 (RGB) or 4 (RGBA) components, got {}",
            items.len()
        )));
    }
    let mut out = [255u8; 4];
    for (i, item) in items.iter().enumerate() {
        let c: i64 = item.extract().map_err(|_| {
            PyTypeError::new_err(format!("{name}[{i}] must be an integer 0..255, got {item}"))
        })?;
        out[i] = u8::try_from(c).map_err(|_| {
            PyValueError::new_err(format!("{name}[{i}] must be between 0 and 255, got {c}"))
        })?;
    }
    Ok(out)
}

/// An offscreen renderer of a fixed size on the shared GPU context.
#[pyclass(name = "Renderer", module = "forge3d._forge3d", frozen)]
pub struct PyRenderer {
    inner: Arc<Renderer>,
}

#[pymethods]
impl PyRenderer {
    #[new]
    #[pyo3(signature = (width, height, *, background=None))]
    fn new(
        py: Python<'_>,
        width: &Bound<'_, PyAny>,
        height: &Bound<'_, PyAny>,
        background: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let w = pixel_count("width", width)?;
        let h = pixel_count("height", height)?;
        let bg = background.map(|b| rgba("background", b)).transpose()?;
        let renderer = py.detach(|| Renderer::new(w, h)).py_err()?;
        if let Some(bg) = bg {
            renderer.set_background(bg);
        }
        Ok(Self {
            inner: Arc::new(renderer),
        })
    }

    #[getter]
    fn width(&self) -> u32 {
        self.inner.width()
    }
    #[getter]
    fn height(&self) -> u32 {
        self.inner.height()
    }
    /// Background color as (r, g, b, a), 0..255.
    #[getter]
    fn get_background(&self) -> (u8, u8, u8, u8) {
        let [r, g, b, a] = self.inner.background();
        (r, g, b, a)
    }
    #[setter]
    fn set_background(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set_background(rgba("background", value)?);
        Ok(())
    }

    /// Renders the colored triangle and returns the Frame itself.
    fn render_triangle_frame(&self, py: Python<'_>) -> PyResult<PyFrame> {
        let r = self.inner.clone();
        let frame = py.detach(move || r.render_triangle()).py_err()?;
        Ok(PyFrame { frame })
    }

    /// Renders the colored triangle into a (height, width, 4) uint8 NumPy
    /// array whose memory is the Frame's (see `render_triangle_frame`).
    fn render_triangle_rgba<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let frame = self.render_triangle_frame(py)?;
        super::frame::to_numpy(Bound::new(py, frame)?)
    }

    /// Renders the colored triangle and writes it as a PNG file.
    fn render_triangle_png(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let r = self.inner.clone();
        py.detach(move || r.render_triangle()?.save_png(&path))
            .py_err()
    }

    fn __repr__(&self) -> String {
        format!(
            "Renderer(width={}, height={})",
            self.inner.width(),
            self.inner.height()
        )
    }
}
