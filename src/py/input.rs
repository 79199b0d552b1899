//! What Python inputs become on the Rust side: a held buffer-protocol view
//! and its element type, and float32 heights ready for upload. Shared by the
//! array, Arrow and attribute readers, so none of them depends on another.

use pyo3::buffer::{ElementType, PyUntypedBuffer};
use pyo3::prelude::*;

use crate::memory::convert::{Numeric, Strided2d};
use crate::memory::HostBuffer;

/// A buffer-protocol view (pyo3's `PyUntypedBuffer`), held for as long as
/// Rust reads the memory, with its element type read once. The one way
/// forge3d acquires a caller's buffer; released when dropped.
pub struct RawBuffer {
    buf: PyUntypedBuffer,
}

impl std::panic::RefUnwindSafe for RawBuffer {}

impl RawBuffer {
    /// The buffer of `obj`; the error is the exporter's, for the caller to
    /// put in its own message. Indirect (PIL-style) buffers are refused.
    pub fn get(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let buf = PyUntypedBuffer::get(obj)?;
        if buf.suboffsets().is_some_and(|s| s.iter().any(|&o| o >= 0)) {
            return Err(pyo3::exceptions::PyBufferError::new_err(
                "indirect buffers (with suboffsets) are not supported",
            ));
        }
        Ok(Self { buf })
    }
    pub fn readonly(&self) -> bool {
        self.buf.readonly()
    }
    pub fn ptr(&self) -> *const u8 {
        self.buf.buf_ptr() as *const u8
    }
    pub fn itemsize(&self) -> usize {
        self.buf.item_size()
    }
    /// Bytes of the whole view.
    pub fn len_bytes(&self) -> usize {
        self.buf.len_bytes()
    }
    pub fn is_c_contiguous(&self) -> bool {
        self.buf.is_c_contiguous()
    }
    pub fn shape(&self) -> &[usize] {
        self.buf.shape()
    }
    pub fn strides(&self) -> &[isize] {
        self.buf.strides()
    }
    /// The element type and whether its bytes are swapped (non-native
    /// byte order), or what the elements are when they are not numbers.
    pub fn numeric(&self) -> Result<(Numeric, bool), String> {
        element(self.buf.format(), self.itemsize())
    }
    /// A (rows, cols) view with the given strides over this memory.
    pub fn strided_2d(
        &self,
        rows: usize,
        cols: usize,
        strides: [isize; 2],
    ) -> Result<Strided2d, String> {
        let (dtype, swapped) = self.numeric()?;
        Ok(Strided2d {
            ptr: self.ptr(),
            rows,
            cols,
            strides,
            dtype,
            swapped,
        })
    }
}

/// The numeric type of a struct-module `format` (pyo3's [`ElementType`])
/// and whether it is byte-swapped; otherwise what the elements are, for
/// the message.
pub fn element(format: &std::ffi::CStr, itemsize: usize) -> Result<(Numeric, bool), String> {
    let text = format.to_string_lossy();
    let code = text.trim_start_matches(['@', '=', '<', '>', '!']);
    let little = cfg!(target_endian = "little");
    let swapped = match text.chars().next() {
        Some('<') => !little,
        Some('>' | '!') => little,
        _ => false,
    };
    let t = match (ElementType::from_format(format), code) {
        (_, "c") => return Err("char".into()),
        (ElementType::Float { bytes: 2 }, _) => Numeric::F16,
        (ElementType::Float { bytes: 4 }, _) => Numeric::F32,
        (ElementType::Float { bytes: 8 }, _) => Numeric::F64,
        (ElementType::SignedInteger { bytes: 1 }, _) => Numeric::I8,
        (ElementType::SignedInteger { bytes: 2 }, _) => Numeric::I16,
        (ElementType::SignedInteger { bytes: 4 }, _) => Numeric::I32,
        (ElementType::SignedInteger { bytes: 8 }, _) => Numeric::I64,
        (ElementType::UnsignedInteger { bytes: 1 }, _) => Numeric::U8,
        (ElementType::UnsignedInteger { bytes: 2 }, _) => Numeric::U16,
        (ElementType::UnsignedInteger { bytes: 4 }, _) => Numeric::U32,
        (ElementType::UnsignedInteger { bytes: 8 }, _) => Numeric::U64,
        (ElementType::Bool, _) => return Err("bool".into()),
        (_, "O") => return Err("object".into()),
        (_, c) if c.starts_with('Z') => return Err("complex".into()),
        (_, "g") => return Err("long double".into()),
        (_, other) => return Err(format!("buffer format {other:?}")),
    };
    if t.itemsize() != itemsize {
        return Err(format!("buffer format {text:?} with itemsize {itemsize}"));
    }
    Ok((t, swapped && t.itemsize() > 1))
}

/// Float32 C-contiguous heights ready for upload: borrowed or converted.
pub enum Heights {
    /// A buffer-protocol export, read where it lies.
    Borrowed { raw: RawBuffer, view: Strided2d },
    /// Rust-owned (converted), or an Arrow buffer borrowed without a copy
    /// (see the HostBuffer's origin).
    Host(HostBuffer),
}

impl Heights {
    pub fn rows_cols(&self) -> (usize, usize) {
        match self {
            Heights::Borrowed { view, .. } => (view.rows, view.cols),
            Heights::Host(h) => (h.shape()[0], h.shape()[1]),
        }
    }
    pub fn as_f32(&self) -> &[f32] {
        match self {
            // SAFETY: checked native, C-contiguous float32; `raw` keeps the
            // exporter's memory alive and its size fixed.
            Heights::Borrowed { view, .. } => unsafe {
                std::slice::from_raw_parts(view.ptr as *const f32, view.rows * view.cols)
            },
            Heights::Host(h) => bytemuck::cast_slice(h.as_slice()),
        }
    }
}

/// Checks a (rows, cols) shape before anything is converted or allocated,
/// e.g. against the device's texture limit.
pub type ShapeCheck<'a> = &'a dyn Fn(usize, usize) -> crate::Result<()>;
