//! The one error type of the core. Each message is written here or where
//! the error is made, once; `py/errors.rs` maps each variant's
//! [`ErrorKind`] to a Python class, so the bindings convert with `?`.

/// What went wrong, in words a caller can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A caller-supplied value is out of range or malformed (Python `ValueError`).
    #[error("{0}")]
    InvalidArgument(String),
    /// A caller-supplied value has the wrong type (Python `TypeError`).
    #[error("{0}")]
    InvalidType(String),
    /// No usable GPU adapter, a validation error, out-of-memory or a lost
    /// device (Python `forge3d.GpuError`).
    #[error("{0}")]
    Gpu(String),
    /// Host memory for a conversion could not be allocated (Python
    /// `MemoryError`).
    #[error("{0}")]
    OutOfMemory(String),
    /// Reading or writing a file failed (Python `OSError`).
    #[error("{0}")]
    Io(String),
    /// The call does not fit the object's state (Python `RuntimeError`).
    #[error("{0}")]
    State(String),
    /// Rows of a vertex attribute that do not match the mesh's vertex count
    /// (`ValueError`).
    #[error(
        "{arg}: {given} rows given but the mesh has {expected} vertices; pass exactly {expected} \
         rows, or call resize({given}) first to change the vertex count"
    )]
    RowCount {
        arg: String,
        given: usize,
        expected: u32,
    },
    /// A NaN or infinite vertex value (`ValueError`).
    #[error(
        "{arg}: row {row} column {col} is {value}; positions and other float attributes must be \
         finite (replace them, e.g. np.nan_to_num({arg}), or drop those rows)"
    )]
    NonFinite {
        arg: String,
        row: usize,
        col: usize,
        value: f32,
    },
    /// A terrain call on a renderer without one (`RuntimeError`).
    #[error("this renderer has no terrain yet; call add_terrain(heights) first")]
    NoTerrain,
}

/// The Python exception class an [`Error`] becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Value,
    Type,
    Gpu,
    Memory,
    Io,
    State,
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidArgument(_) | Error::RowCount { .. } | Error::NonFinite { .. } => {
                ErrorKind::Value
            }
            Error::InvalidType(_) => ErrorKind::Type,
            Error::Gpu(_) => ErrorKind::Gpu,
            Error::OutOfMemory(_) => ErrorKind::Memory,
            Error::Io(_) => ErrorKind::Io,
            Error::State(_) | Error::NoTerrain => ErrorKind::State,
        }
    }

    /// The same error with `context` before its message (e.g. the argument
    /// a count came from), keeping its kind.
    pub fn context(self, context: &str) -> Error {
        let m = format!("{context}: {self}");
        match self.kind() {
            ErrorKind::Value => Error::InvalidArgument(m),
            ErrorKind::Type => Error::InvalidType(m),
            ErrorKind::Gpu => Error::Gpu(m),
            ErrorKind::Memory => Error::OutOfMemory(m),
            ErrorKind::Io => Error::Io(m),
            ErrorKind::State => Error::State(m),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
