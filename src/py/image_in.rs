//! Images (overlays) from Python: a (rows, cols, 3 | 4) array through the
//! buffer protocol or an Arrow `fixed_shape_tensor`, uint8 or float in
//! [0, 1]. C-contiguous uint8 RGBA is read where it lies (the upload is its
//! one copy); anything else becomes RGBA8 in one recorded conversion.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use super::input::RawBuffer;
use crate::memory::alloc::try_vec;
use crate::memory::convert::Numeric;
use crate::memory::ledger;
use crate::memory::tensor::tensor_meta;

const WHAT: &str = "a (rows, cols, 3) or (rows, cols, 4) array of uint8 (0..255) or floats in \
                    [0, 1] (NumPy, anything with the buffer protocol, or an Arrow \
                    fixed_shape_tensor)";

/// RGBA8 rows ready for upload, borrowed or converted.
pub enum Image {
    /// The caller's memory, held by its buffer view.
    Buffer(RawBuffer, usize, usize),
    /// An Arrow buffer, held by its array.
    Arrow(ArrayRef, usize, usize),
    Owned(Vec<u8>, usize, usize),
}

impl Image {
    pub fn rows_cols(&self) -> (usize, usize) {
        match self {
            Image::Buffer(_, r, c) | Image::Arrow(_, r, c) | Image::Owned(_, r, c) => (*r, *c),
        }
    }

    pub fn bytes(&self) -> &[u8] {
        let (r, c) = self.rows_cols();
        match self {
            // SAFETY: checked C-contiguous uint8 of r * c * 4 bytes, held
            // (and not released) for as long as `self` lives.
            Image::Buffer(b, ..) => unsafe { std::slice::from_raw_parts(b.ptr(), r * c * 4) },
            Image::Arrow(a, ..) => {
                let v = a.as_primitive::<arrow_array::types::UInt8Type>().values();
                &v[..r * c * 4]
            }
            Image::Owned(v, ..) => v,
        }
    }
}

/// An element reader: the value at a byte offset, as f64 (or as a byte).
struct Source {
    ptr: *const u8,
    kind: Numeric,
    swapped: bool,
}

impl Source {
    /// SAFETY: `off` lies within the held memory.
    unsafe fn value(&self, off: isize) -> f64 {
        let p = self.ptr.offset(off);
        macro_rules! read {
            ($t:ty) => {{
                let v = std::ptr::read_unaligned(p as *const $t);
                if self.swapped {
                    <$t>::from_bits(v.to_bits().swap_bytes()) as f64
                } else {
                    v as f64
                }
            }};
        }
        match self.kind {
            Numeric::U8 => *p as f64,
            Numeric::F32 => read!(f32),
            Numeric::F64 => read!(f64),
            Numeric::F16 => {
                let mut b = std::ptr::read_unaligned(p as *const u16);
                if self.swapped {
                    b = b.swap_bytes();
                }
                half::f16::from_bits(b).to_f64()
            }
            // Other kinds are refused by `kind_ok` before a Source is made.
            _ => f64::NAN,
        }
    }
}

fn kind_ok(name: &str, kind: Numeric) -> PyResult<()> {
    match kind {
        Numeric::U8 | Numeric::F16 | Numeric::F32 | Numeric::F64 => Ok(()),
        other => Err(PyTypeError::new_err(format!(
            "{name}: element type {other:?} is not supported; pass uint8 (0..255) or floats in \
             [0, 1] (e.g. (image / image.max()).astype('float32'))"
        ))),
    }
}

/// Converts (rows, cols, channels) values at `strides` (bytes) to RGBA8,
/// checking float values; one recorded conversion.
fn convert(
    name: &str,
    src: &Source,
    (rows, cols, channels): (usize, usize, usize),
    strides: [isize; 3],
) -> PyResult<Vec<u8>> {
    let n = rows * cols * 4;
    let mut out: Vec<u8> = try_vec(name, n)?;
    let float = src.kind != Numeric::U8;
    for r in 0..rows {
        for c in 0..cols {
            let base = r as isize * strides[0] + c as isize * strides[1];
            for ch in 0..4 {
                if ch >= channels {
                    out.push(255);
                    continue;
                }
                // SAFETY: r, c, ch are within the shape the exporter gave.
                let v = unsafe { src.value(base + ch as isize * strides[2]) };
                if !float {
                    out.push(v as u8);
                    continue;
                }
                if !(0.0..=1.0).contains(&v) {
                    let what = if v.is_nan() { "NaN" } else { "out of [0, 1]" };
                    return Err(PyValueError::new_err(format!(
                        "{name}: value {v} at [{r}, {c}, {ch}] is {what}; float images must lie \
                         in [0, 1] (use np.clip, or np.nan_to_num for NaN)"
                    )));
                }
                out.push((v * 255.0 + 0.5) as u8);
            }
        }
    }
    ledger::record(
        "convert",
        rows * cols * channels * src.kind.itemsize(),
        src.ptr,
        "overlay image to RGBA8",
    );
    Ok(out)
}

fn shape3(name: &str, shape: &[usize]) -> PyResult<(usize, usize, usize)> {
    match shape {
        [r, c, ch] if *ch == 3 || *ch == 4 => {
            if *r == 0 || *c == 0 {
                return Err(PyValueError::new_err(format!(
                    "{name}: shape {shape:?} is empty; an image needs at least one pixel"
                )));
            }
            Ok((*r, *c, *ch))
        }
        [_, _, ch] => Err(PyValueError::new_err(format!(
            "{name}: {ch} channels; pass 3 (RGB) or 4 (RGBA) channels (a single-band raster \
             through a colormap first, e.g. matplotlib.cm.get_cmap(...)(values))"
        ))),
        _ => Err(PyValueError::new_err(format!(
            "{name}: shape {shape:?} has {} dimensions; expected {WHAT}",
            shape.len()
        ))),
    }
}

/// The image in `obj`.
pub fn image(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Image> {
    if let Ok(buf) = RawBuffer::get(obj) {
        let (rows, cols, channels) = shape3(name, buf.shape())?;
        let (kind, swapped) = buf
            .numeric()
            .map_err(|e| PyTypeError::new_err(format!("{name}: {e} elements; expected {WHAT}")))?;
        kind_ok(name, kind)?;
        let isz = buf.itemsize() as isize;
        let s = buf.strides();
        let strides = [s[0], s[1], s[2]];
        let contiguous = strides
            == [
                cols as isize * channels as isize * isz,
                channels as isize * isz,
                isz,
            ];
        if kind == Numeric::U8 && channels == 4 && contiguous {
            return Ok(Image::Buffer(buf, rows, cols));
        }
        let src = Source {
            ptr: buf.ptr(),
            kind,
            swapped,
        };
        let out = convert(name, &src, (rows, cols, channels), strides)?;
        return Ok(Image::Owned(out, rows, cols));
    }
    if super::arrow_in::is_arrow(obj) {
        return arrow_image(name, obj);
    }
    Err(PyTypeError::new_err(format!(
        "{name} must be {WHAT}, got {}",
        obj.get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default()
    )))
}

fn arrow_image(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Image> {
    let (chunks, field) = super::arrow_edge::import_array(name, obj)?;
    let Some(meta) = tensor_meta(&field, name)? else {
        return Err(PyTypeError::new_err(format!(
            "{name}: an Arrow {} is not an image; pass an arrow.fixed_shape_tensor of shape \
             (rows, cols, 3 | 4)",
            field.data_type()
        )));
    };
    let (rows, cols, channels) = shape3(name, &meta.shape)?;
    if !meta.is_row_major() {
        return Err(PyValueError::new_err(format!(
            "{name}: fixed_shape_tensor with a permutation is not supported; pass it in \
             row-major (C) order"
        )));
    }
    let tensors: Vec<&ArrayRef> = chunks.iter().filter(|c| !c.is_empty()).collect();
    let [one] = tensors.as_slice() else {
        return Err(PyValueError::new_err(format!(
            "{name}: expected one tensor, got {}; pass one element",
            tensors.len()
        )));
    };
    let list = one.as_fixed_size_list();
    if list.len() != 1 {
        return Err(PyValueError::new_err(format!(
            "{name}: expected one tensor, got an array of {}; pass one element",
            list.len()
        )));
    }
    let size = list.value_length() as usize;
    let values = list.values().slice(list.offset() * size, size);
    if values.null_count() > 0 {
        return Err(PyValueError::new_err(format!(
            "{name}: the tensor has null values; fill them first"
        )));
    }
    let kind = match values.data_type() {
        DataType::UInt8 => Numeric::U8,
        DataType::Float16 => Numeric::F16,
        DataType::Float32 => Numeric::F32,
        DataType::Float64 => Numeric::F64,
        other => {
            return Err(PyTypeError::new_err(format!(
                "{name}: tensor values of type {other} are not supported; pass uint8 (0..255) or \
                 floats in [0, 1]"
            )))
        }
    };
    if kind == Numeric::U8 && channels == 4 {
        return Ok(Image::Arrow(values, rows, cols));
    }
    let data = values.to_data();
    let buffer = &data.buffers()[0];
    let isz = kind.itemsize();
    // SAFETY: the values array holds rows * cols * channels elements from
    // its offset; `data` keeps the buffer alive during the conversion.
    let ptr = unsafe { buffer.as_ptr().add(data.offset() * isz) };
    let src = Source {
        ptr,
        kind,
        swapped: false,
    };
    let c = channels as isize * isz as isize;
    let out = convert(
        name,
        &src,
        (rows, cols, channels),
        [cols as isize * c, c, isz as isize],
    )?;
    Ok(Image::Owned(out, rows, cols))
}
