//! The one error type of the core; `py/` maps each variant to a Python class.

use std::fmt;

/// What went wrong, in words a caller can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A caller-supplied value is out of range or malformed (Python `ValueError`).
    InvalidArgument(String),
    /// A caller-supplied value has the wrong type (Python `TypeError`).
    InvalidType(String),
    /// No usable GPU adapter, a validation error, out-of-memory or a lost
    /// device (Python `forge3d.GpuError`).
    Gpu(String),
    /// Host memory for a conversion could not be allocated (Python
    /// `MemoryError`).
    OutOfMemory(String),
    /// Reading or writing a file failed (Python `OSError`).
    Io(String),
    /// The call does not fit the object's state, e.g. rendering a terrain
    /// before adding one (Python `RuntimeError`).
    State(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidArgument(m)
            | Error::InvalidType(m)
            | Error::Gpu(m)
            | Error::OutOfMemory(m)
            | Error::Io(m)
            | Error::State(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}
