//! `crate::Error` -> Python exception classes.

use pyo3::exceptions::{PyMemoryError, PyOSError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;

use crate::error::{Error, ErrorKind};

pyo3::create_exception!(
    forge3d,
    GpuError,
    PyRuntimeError,
    "No GPU adapter, a GPU validation/out-of-memory error, or a lost device."
);

/// The Python class follows from the variant; the message is the core's
/// own (written once, in the core), so `?` is the whole conversion.
impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        let message = e.to_string();
        match e.kind() {
            ErrorKind::Value => PyValueError::new_err(message),
            ErrorKind::Type => PyTypeError::new_err(message),
            ErrorKind::Gpu => GpuError::new_err(message),
            ErrorKind::Memory => PyMemoryError::new_err(message),
            ErrorKind::Io => PyOSError::new_err(message),
            ErrorKind::State => PyRuntimeError::new_err(message),
        }
    }
}
