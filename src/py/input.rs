//! What Python inputs become on the Rust side: a held buffer-protocol view
//! and its element type, and float32 heights ready for upload. Shared by the
//! array, Arrow and attribute readers, so none of them depends on another.

use std::ffi::CStr;

use pyo3::ffi;
use pyo3::prelude::*;

use crate::memory::convert::{Numeric, Strided2d};
use crate::memory::HostBuffer;

/// A `Py_buffer` held for as long as Rust reads the memory.
pub struct RawBuffer {
    view: Box<ffi::Py_buffer>,
}

// SAFETY: the view only describes memory; it is released with the GIL held.
unsafe impl Send for RawBuffer {}
unsafe impl Sync for RawBuffer {}
impl std::panic::RefUnwindSafe for RawBuffer {}

impl Drop for RawBuffer {
    fn drop(&mut self) {
        let view: *mut ffi::Py_buffer = &mut *self.view;
        // During interpreter shutdown the exporter is gone with it.
        let _ = Python::try_attach(|_| unsafe { ffi::PyBuffer_Release(view) });
    }
}

impl RawBuffer {
    pub fn new(view: Box<ffi::Py_buffer>) -> Self {
        Self { view }
    }
    pub fn view(&self) -> &ffi::Py_buffer {
        &self.view
    }
    pub fn readonly(&self) -> bool {
        self.view.readonly != 0
    }
}

/// [`numeric`] of a buffer view's struct-module format (`"B"` when unset).
pub fn buffer_numeric(v: &ffi::Py_buffer) -> Result<(Numeric, bool), String> {
    let format = if v.format.is_null() {
        "B".into()
    } else {
        // SAFETY: a non-null format is a NUL-terminated string owned by the view.
        unsafe { CStr::from_ptr(v.format) }.to_string_lossy()
    };
    numeric(&format, v.itemsize as usize)
}

pub fn numeric(format: &str, itemsize: usize) -> Result<(Numeric, bool), String> {
    let (order, code) = match format.chars().next() {
        Some(c @ ('@' | '=' | '<' | '>' | '!')) => (c, &format[1..]),
        _ => ('@', format),
    };
    let little = cfg!(target_endian = "little");
    let swapped = match order {
        '<' => !little,
        '>' | '!' => little,
        _ => false,
    };
    let signed = |size| match size {
        1 => Ok(Numeric::I8),
        2 => Ok(Numeric::I16),
        4 => Ok(Numeric::I32),
        8 => Ok(Numeric::I64),
        _ => Err(format!("{size}-byte integers")),
    };
    let unsigned = |size| match size {
        1 => Ok(Numeric::U8),
        2 => Ok(Numeric::U16),
        4 => Ok(Numeric::U32),
        8 => Ok(Numeric::U64),
        _ => Err(format!("{size}-byte unsigned integers")),
    };
    let t = match code {
        "e" => Numeric::F16,
        "f" => Numeric::F32,
        "d" => Numeric::F64,
        "b" | "h" | "i" | "l" | "q" | "n" => signed(itemsize)?,
        "B" | "H" | "I" | "L" | "Q" | "N" => unsigned(itemsize)?,
        "?" => return Err("bool".into()),
        "O" => return Err("object".into()),
        c if c.starts_with('Z') => return Err("complex".into()),
        "g" => return Err("long double".into()),
        other => return Err(format!("buffer format {other:?}")),
    };
    if t.itemsize() != itemsize {
        return Err(format!("buffer format {format:?} with itemsize {itemsize}"));
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
