//! The window's Python edge (`forge3d.window` builds on it): the window's
//! loop runs without the interpreter (other Python threads go on) and takes
//! it back to call Python before each frame and for each input.

use pyo3::prelude::*;

use super::renderer::PyRenderer;
use crate::window::{self, Driver, Input, WindowOptions};

struct PyDriver {
    on_frame: Py<PyAny>,
    on_input: Py<PyAny>,
    /// The first Python error (a callback's, or KeyboardInterrupt); the
    /// window closes on it and the call raises it.
    error: Option<PyErr>,
}

impl PyDriver {
    /// A callback's result: None or truthy goes on, False closes.
    fn keep_going(&mut self, called: PyResult<Bound<'_, PyAny>>) -> bool {
        match called.and_then(|v| Ok(v.is_none() || v.is_truthy()?)) {
            Ok(go) => go,
            Err(e) => {
                self.error.get_or_insert(e);
                false
            }
        }
    }
}

impl Driver for PyDriver {
    fn frame(&mut self, size: (u32, u32)) -> bool {
        Python::attach(|py| {
            if let Err(e) = py.check_signals() {
                self.error.get_or_insert(e);
                return false;
            }
            let called = self.on_frame.bind(py).call1(size);
            self.keep_going(called)
        })
    }

    fn input(&mut self, input: Input, size: (u32, u32)) -> bool {
        Python::attach(|py| {
            let (kind, data) = match input {
                Input::Drag {
                    dx,
                    dy,
                    button,
                    shift,
                } => (
                    "drag",
                    (dx, dy, button.name(), shift)
                        .into_pyobject(py)
                        .map(|t| t.into_any()),
                ),
                Input::Wheel { notches } => {
                    ("wheel", (notches,).into_pyobject(py).map(|t| t.into_any()))
                }
                Input::Key { name } => ("key", (name,).into_pyobject(py).map(|t| t.into_any())),
            };
            let called = data.and_then(|d| self.on_input.bind(py).call1((kind, d, size.0, size.1)));
            self.keep_going(called)
        })
    }
}

/// Opens a window on ``renderer``'s scene and runs it until it is closed;
/// returns the frames shown. ``on_frame(width, height)`` runs before each
/// frame and ``on_input(kind, data, width, height)`` for each input
/// ("drag": (dx, dy, button, shift), "wheel": (notches,), "key": (name,));
/// either returning False closes the window, and an exception closes it
/// and is raised here. Use ``forge3d.show`` or ``Engine(interactive=True)``.
#[pyfunction]
#[pyo3(signature = (renderer, on_frame, on_input, *, title, width, height, fps, frames=None))]
#[allow(clippy::too_many_arguments)]
fn _run_window(
    renderer: PyRef<'_, PyRenderer>,
    on_frame: Bound<'_, PyAny>,
    on_input: Bound<'_, PyAny>,
    title: String,
    width: u32,
    height: u32,
    fps: f64,
    frames: Option<u64>,
) -> PyResult<u64> {
    let opts = WindowOptions {
        title,
        size: (width, height),
        fps,
        frames,
    };
    let mut driver = PyDriver {
        on_frame: on_frame.unbind(),
        on_input: on_input.unbind(),
        error: None,
    };
    let inner = renderer.inner.clone();
    let ran = renderer
        .py()
        .detach(|| window::run(&inner, &opts, &mut driver));
    if let Some(e) = driver.error {
        return Err(e);
    }
    Ok(ran?)
}

/// Why no window can open in this process (no display named, or none
/// reachable), or None when one can.
#[pyfunction]
fn _display_problem() -> Option<String> {
    window::display_problem()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_run_window, m)?)?;
    m.add_function(wrap_pyfunction!(_display_problem, m)?)?;
    Ok(())
}
