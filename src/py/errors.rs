//! `crate::Error` -> Python exception classes.

use pyo3::exceptions::{PyMemoryError, PyOSError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;

use crate::Error;

pyo3::create_exception!(
    forge3d,
    GpuError,
    PyRuntimeError,
    "Raised when no GPU adapter is available, when the GPU reports a validation or \
     out-of-memory error, or when the device is lost."
);

pub fn to_py(e: Error) -> PyErr {
    match e {
        Error::InvalidArgument(m) => PyValueError::new_err(m),
        Error::InvalidType(m) => PyTypeError::new_err(m),
        Error::Gpu(m) => GpuError::new_err(m),
        Error::OutOfMemory(m) => PyMemoryError::new_err(m),
        Error::Io(m) => PyOSError::new_err(m),
        Error::State(m) => PyRuntimeError::new_err(m),
    }
}

/// `Result<T, Error>` -> `PyResult<T>`.
pub trait IntoPy<T> {
    fn py_err(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for crate::Result<T> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}
