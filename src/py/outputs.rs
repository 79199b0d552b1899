//! `Renderer.render` (with its `outputs`) and `Renderer.pick`.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use super::args;
use super::frame::PyFrame;
use super::plane::PyPlane;
use super::renderer::PyRenderer;
use crate::render::Outputs;

const OUTPUT_NAMES: &str = "'rgba', 'depth' and 'xyz'";

/// The names in `outputs`, in order, checked.
fn output_names(v: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if v.is_instance_of::<pyo3::types::PyString>() {
        return Err(PyTypeError::new_err(format!(
            "outputs must be a sequence of names ({OUTPUT_NAMES}), e.g. ('rgba', 'depth'), not \
             a string"
        )));
    }
    let names: Vec<String> = v.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "outputs must be a sequence of names ({OUTPUT_NAMES}), got {}",
            v.repr().map(|r| r.to_string()).unwrap_or_default()
        ))
    })?;
    if names.is_empty() {
        return Err(PyValueError::new_err(format!(
            "outputs must name at least one of {OUTPUT_NAMES}"
        )));
    }
    for (i, n) in names.iter().enumerate() {
        if !["rgba", "depth", "xyz"].contains(&n.as_str()) {
            return Err(PyValueError::new_err(format!(
                "outputs[{i}]: unknown output {n:?}; choose from {OUTPUT_NAMES}"
            )));
        }
        if names[..i].contains(n) {
            return Err(PyValueError::new_err(format!(
                "outputs[{i}]: {n:?} is named twice"
            )));
        }
    }
    Ok(names)
}

#[pymethods]
impl PyRenderer {
    /// Render whatever the scene holds (terrain, meshes, points; the
    /// background alone when empty) with the current camera and lighting;
    /// returns the Frame, whose memory is the mapped readback buffer (zero
    /// CPU copies). Pending vertex uploads are copied on the GPU first, in
    /// one submission. The GIL is released while rendering.
    ///
    /// With ``outputs``, a sequence of names, returns a tuple in that order:
    /// ``"rgba"`` the Frame, ``"depth"`` and ``"xyz"`` float32 ``Plane``\ s
    /// unprojected on the GPU from the same render's depth buffer and read
    /// back like the frame (zero CPU copies)::
    ///
    ///     rgba, depth, xyz = r.render(outputs=("rgba", "depth", "xyz"))
    ///
    /// Depth and xyz need 3-D layers (an empty scene gives all NaN).
    /// Unknown or repeated names raise ValueError.
    #[pyo3(signature = (*, outputs=None))]
    fn render<'py>(
        &self,
        py: Python<'py>,
        outputs: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let r = self.inner.clone();
        let Some(outputs) = outputs.filter(|o| !o.is_none()) else {
            let frame = py.detach(move || r.render())?;
            return Ok(Bound::new(py, PyFrame::new(frame))?.into_any());
        };
        let names = output_names(outputs)?;
        let want = Outputs {
            depth: names.iter().any(|n| n == "depth"),
            xyz: names.iter().any(|n| n == "xyz"),
        };
        let mut got = py.detach(move || r.render_outputs(want))?;
        let missing =
            || pyo3::exceptions::PyRuntimeError::new_err("a plane asked for was not rendered");
        let items = names
            .iter()
            .map(|n| -> PyResult<Bound<'py, PyAny>> {
                Ok(match n.as_str() {
                    "rgba" => Bound::new(py, PyFrame::new(got.frame.clone()))?.into_any(),
                    "depth" => Bound::new(
                        py,
                        PyPlane {
                            name: "depth",
                            memory: got.depth.take().ok_or_else(missing)?,
                        },
                    )?
                    .into_any(),
                    _ => Bound::new(
                        py,
                        PyPlane {
                            name: "xyz",
                            memory: got.xyz.take().ok_or_else(missing)?,
                        },
                    )?
                    .into_any(),
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyTuple::new(py, items)?.into_any())
    }

    /// Render the scene ``warmup`` times untimed, then ``frames`` times timed,
    /// and return where each frame's time went: medians in milliseconds.
    /// On the CPU: ``cpu_prepare_ms`` (the layers' uploads and compute passes
    /// recorded and submitted), ``cpu_record_ms`` (the frame's passes and
    /// readback copy recorded and submitted), ``cpu_wait_ms`` (until the
    /// frame is mapped for reading) and ``cpu_total_ms``. On the GPU, where
    /// the device has timestamps (``gpu_timestamps``): ``gpu_prepare_ms``,
    /// ``gpu_queue_ms`` (the gap between that submission and the frame's),
    /// ``gpu_clear_ms`` (the background written by compute, FORGE3D_CLEAR),
    /// ``gpu_render_ms``, ``gpu_pack_ms`` (widths whose rows need packing),
    /// ``gpu_copy_ms`` (the frame into readback memory) and ``gpu_total_ms``.
    /// A step a frame did not run counts 0 in it.
    #[pyo3(signature = (frames=None, *, warmup=None))]
    fn profile<'py>(
        &self,
        py: Python<'py>,
        frames: Option<&Bound<'py, PyAny>>,
        warmup: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let count = |name, v: Option<&Bound<'py, PyAny>>, default, min| match v {
            Some(v) if !v.is_none() => Ok(args::int_in(name, v, min, 10_000)? as u32),
            _ => PyResult::Ok(default),
        };
        let frames = count("frames", frames, 10, 1)?;
        let warmup = count("warmup", warmup, 1, 0)?;
        let r = self.inner.clone();
        let times = py.detach(move || -> crate::error::Result<_> {
            for _ in 0..warmup {
                r.render()?;
            }
            r.profile(frames)
        })?;
        let d = PyDict::new(py);
        d.set_item("frames", frames)?;
        let timed = times.iter().any(|t| !t.gpu.is_empty());
        d.set_item("gpu_timestamps", timed)?;
        let mut keys: Vec<String> = Vec::new();
        for t in &times {
            let named = t
                .cpu
                .iter()
                .map(|(k, _)| format!("cpu_{k}_ms"))
                .chain(t.gpu.iter().map(|(k, _)| format!("gpu_{k}_ms")));
            for k in named {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        for key in keys {
            let mut values: Vec<f64> = times
                .iter()
                .map(|t| {
                    t.cpu
                        .iter()
                        .map(|(k, v)| (format!("cpu_{k}_ms"), *v))
                        .chain(t.gpu.iter().map(|(k, v)| (format!("gpu_{k}_ms"), *v)))
                        .find(|(k, _)| *k == key)
                        .map_or(0.0, |(_, v)| v)
                })
                .collect();
            values.sort_by(f64::total_cmp);
            let n = values.len();
            let median = if n % 2 == 1 {
                values[n / 2]
            } else {
                (values[n / 2 - 1] + values[n / 2]) / 2.0
            };
            d.set_item(key, median)?;
        }
        Ok(d)
    }

    /// What is under pixel (``x``, ``y``) (column, row; row 0 is the top):
    /// ``{"x", "y", "z"}`` the world position of the surface seen there,
    /// ``"distance"`` from the camera, and ``"row"``/``"col"`` the terrain
    /// cell whose footprint holds (x, y) (None off the terrain; for a mesh
    /// or point seen above the terrain, the cell beneath it); None where
    /// nothing is drawn. Renders the scene once (depth and xyz). ValueError
    /// for a pixel outside the image.
    fn pick<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        y: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let x = args::int_in("x", x, 0, u32::MAX as i128)? as u32;
        let y = args::int_in("y", y, 0, u32::MAX as i128)? as u32;
        let r = self.inner.clone();
        let Some(p) = py.detach(move || r.pick(x, y))? else {
            return Ok(None);
        };
        let d = PyDict::new(py);
        d.set_item("x", p.world[0])?;
        d.set_item("y", p.world[1])?;
        d.set_item("z", p.world[2])?;
        d.set_item("distance", p.distance)?;
        d.set_item("row", p.cell.map(|c| c.0))?;
        d.set_item("col", p.cell.map(|c| c.1))?;
        Ok(Some(d))
    }
}
