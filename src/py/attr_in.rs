//! Vertex attributes and indices in: NumPy arrays (or any buffer-protocol
//! object) of shape (N, C) or flat (C*N,), read where they lie when they are
//! C-contiguous float32 (uint8 for colors); DataFrames and Arrow tables of C
//! numeric columns, each column read where it lies when it is a single
//! float32 chunk without nulls. Anything else is converted once, recorded.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;

use super::input::RawBuffer;
use crate::grid::columns;
use crate::memory::convert::{self, Numeric, Strided2d};
use crate::memory::{alloc, ledger, HostBuffer};
use crate::render::{Attribute, AttributeData};

/// Rows of an attribute, borrowed or converted, alive while Rust reads them.
pub enum AttrInput {
    /// Buffer-protocol memory read in place (float32, or uint8 colors).
    Borrowed { _raw: RawBuffer, view: Strided2d },
    /// Converted once (recorded).
    Converted(HostBuffer),
    /// uint8 colors packed once (recorded), still read as unorm.
    ConvertedU8(Vec<u8>),
    /// Arrow columns: borrowed single float32 chunks, or converted ones.
    Columns(Vec<ColumnData>),
}

pub enum ColumnData {
    Borrowed(ArrayRef),
    Converted(Vec<f32>),
}

impl ColumnData {
    fn as_f32(&self) -> &[f32] {
        match self {
            ColumnData::Borrowed(a) => a.as_primitive::<arrow_array::types::Float32Type>().values(),
            ColumnData::Converted(v) => v,
        }
    }
}

impl AttrInput {
    pub fn data(&self) -> AttributeData<'_> {
        match self {
            AttrInput::Borrowed { view, .. } => {
                let len = view.rows * view.cols;
                // SAFETY: checked C-contiguous and native; `raw` holds the
                // exporter's memory for as long as `self` lives.
                unsafe {
                    match view.dtype {
                        Numeric::U8 => {
                            AttributeData::Unorm8(std::slice::from_raw_parts(view.ptr, len))
                        }
                        _ => AttributeData::F32(std::slice::from_raw_parts(
                            view.ptr as *const f32,
                            len,
                        )),
                    }
                }
            }
            AttrInput::Converted(h) => AttributeData::F32(bytemuck::cast_slice(h.as_slice())),
            AttrInput::ConvertedU8(v) => AttributeData::Unorm8(v),
            AttrInput::Columns(cols) => {
                AttributeData::Columns(cols.iter().map(ColumnData::as_f32).collect())
            }
        }
    }
}

/// The bytes of a strided uint8 view, row after row.
///
/// # Safety
/// `view` must describe readable memory for every element it addresses.
unsafe fn gather_u8(view: &Strided2d) -> crate::Result<Vec<u8>> {
    let mut out = alloc::try_vec("colors", view.rows * view.cols)?;
    for r in 0..view.rows {
        let row = unsafe { view.ptr.offset(r as isize * view.strides[0]) };
        out.extend((0..view.cols).map(|c| unsafe { *row.offset(c as isize * view.strides[1]) }));
    }
    Ok(out)
}

/// The dtype an argument is converted to in error hints.
fn wanted_dtype(name: &str) -> &'static str {
    match name {
        "indices" => "np.uint32",
        _ => "np.float32",
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// Gets a buffer view of `obj` (1-D or 2-D) as a strided 2-D view.
fn buffer_view(
    name: &str,
    obj: &Bound<'_, PyAny>,
    comps: usize,
) -> PyResult<(RawBuffer, Strided2d)> {
    let raw = RawBuffer::get(obj).map_err(|cause| {
        let dtype = obj
            .getattr("dtype")
            .map(|d| d.to_string())
            .unwrap_or_else(|_| type_name(obj));
        PyTypeError::new_err(format!(
            "{name} must be a numeric array, got {dtype} ({cause}); convert it, e.g. \
             np.asarray({name}, dtype={})",
            wanted_dtype(name)
        ))
    })?;
    let (dtype, swapped) = raw.numeric().map_err(|what| {
        PyTypeError::new_err(format!(
            "{name}: {what} values are not accepted; convert them, e.g. \
             np.asarray({name}, dtype={})",
            wanted_dtype(name)
        ))
    })?;
    let item = raw.itemsize() as isize;
    let shape = raw.shape().to_vec();
    let strides = raw.strides().to_vec();
    let expected = if comps == 1 {
        "(N,) or (N, 1)".to_string()
    } else {
        format!("(N, {comps}) or flat ({comps}*N,)")
    };
    let s = match shape.as_slice() {
        [len] => {
            if len % comps != 0 {
                return Err(PyValueError::new_err(format!(
                    "{name}: a flat array of {len} values is not a whole number of rows of \
                     {comps}; expected shape {expected}"
                )));
            }
            // Read as one row so strided 1-D views convert correctly.
            Strided2d {
                ptr: raw.ptr(),
                rows: 1,
                cols: *len,
                strides: [*len as isize * item, strides[0]],
                dtype,
                swapped,
            }
        }
        [rows, cols] if *cols == comps => Strided2d {
            ptr: raw.ptr(),
            rows: *rows,
            cols: *cols,
            strides: [strides[0], strides[1]],
            dtype,
            swapped,
        },
        other => {
            return Err(PyValueError::new_err(format!(
                "{name} must have shape {expected}, got {other:?}"
            )))
        }
    };
    Ok((raw, s))
}

/// Checks a row count before anything is converted or allocated (e.g. the
/// mesh's vertex count, or the device's buffer limit for a new mesh).
pub type RowsCheck<'a> = &'a dyn Fn(usize) -> crate::Result<()>;

/// Reads `obj` as rows of `attr` under NumPy 2's `copy=` convention
/// (`copy=True` is the same as `None`: an upload is always a copy). `check`
/// sees the row count first, so an array that exists only by shape
/// (`np.broadcast_to`) is refused before memory for it is asked for.
/// `name` is the caller's name of the argument (e.g. "positions").
pub fn attribute(
    attr: Attribute,
    name: &str,
    obj: &Bound<'_, PyAny>,
    copy: Option<bool>,
    check: RowsCheck<'_>,
) -> PyResult<AttrInput> {
    if let Some(m) = super::array_in::masked(obj)? {
        if m.masked > 0 {
            return Err(PyValueError::new_err(format!(
                "{name} is a masked array with {} masked value(s); vertex data has no holes, so \
                 drop those rows or fill them ({name}.filled(value)) first",
                m.masked
            )));
        }
        return attribute(attr, name, &m.data, copy, check);
    }
    let comps = attr.components();
    let has_buffer = unsafe { ffi::PyObject_CheckBuffer(obj.as_ptr()) } == 1;
    if !has_buffer && obj.hasattr("__arrow_c_stream__")? {
        return columns_in(name, obj, comps, copy, check);
    }
    if !has_buffer {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a NumPy array (or buffer) of shape (N, {comps}), or a DataFrame / \
             Arrow table of {comps} numeric columns; got {}",
            type_name(obj)
        )));
    }
    let (raw, view) = buffer_view(name, obj, comps)?;
    check(view.rows * view.cols / comps)?;
    let aligned = (view.ptr as usize) % view.dtype.itemsize() == 0;
    let borrowable = view.is_c_contiguous() && !view.swapped && aligned;
    match view.dtype {
        Numeric::U8 if attr == Attribute::Colors => {
            if borrowable {
                return Ok(AttrInput::Borrowed { _raw: raw, view });
            }
            if copy == Some(false) {
                return Err(PyValueError::new_err(
                    "colors needs a conversion (uint8, not C-contiguous) but copy=False; pass \
                     np.ascontiguousarray(colors), or copy=None to allow it",
                ));
            }
            // SAFETY: the view describes the exporter's memory, held by `raw`.
            let packed = unsafe { gather_u8(&view) }?;
            ledger::record(
                "convert",
                packed.len(),
                view.ptr,
                "colors: uint8, not C-contiguous",
            );
            drop(raw);
            return Ok(AttrInput::ConvertedU8(packed));
        }
        Numeric::F16 | Numeric::F32 | Numeric::F64 => {}
        other if attr == Attribute::Colors => {
            return Err(PyTypeError::new_err(format!(
                "colors: {} is ambiguous; pass float colors in [0, 1] or uint8 0..255 \
                 (e.g. colors.astype(np.uint8))",
                other.name()
            )))
        }
        _ => {}
    }
    if view.dtype == Numeric::F32 && borrowable {
        return Ok(AttrInput::Borrowed { _raw: raw, view });
    }
    let why = if view.dtype == Numeric::F32 && !aligned && view.is_c_contiguous() {
        "float32 data not 4-byte aligned".to_string()
    } else {
        convert::reason(&view)
    };
    if copy == Some(false) {
        return Err(PyValueError::new_err(format!(
            "{name} needs a conversion ({why}) but copy=False; pass \
             np.ascontiguousarray({name}, dtype=np.float32), or copy=None to allow it"
        )));
    }
    let reason = format!("{name}: {why}");
    // SAFETY: the view describes the exporter's memory, held by `raw`.
    let owned = unsafe { convert::to_f32_contiguous(&view, &reason) }?;
    drop(raw);
    Ok(AttrInput::Converted(owned))
}

/// `comps` numeric columns of a table (DataFrame, pyarrow Table, ...).
fn columns_in(
    name: &str,
    obj: &Bound<'_, PyAny>,
    comps: usize,
    copy: Option<bool>,
    check: RowsCheck<'_>,
) -> PyResult<AttrInput> {
    let reader = super::arrow_edge::import_reader(name, obj)?;
    let schema = reader.schema();
    let fields: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    if fields.len() != comps {
        return Err(PyValueError::new_err(format!(
            "{name}: the table has {} columns {fields:?}; select exactly {comps}, e.g. \
             df[{}]",
            fields.len(),
            match comps {
                3 => "[\"x\", \"y\", \"z\"]",
                2 => "[\"u\", \"v\"]",
                4 => "[\"r\", \"g\", \"b\", \"a\"]",
                _ => "[\"value\"]",
            }
        )));
    }
    for f in schema.fields() {
        columns::refuse_extension(f, &format!("{name}: column {:?}", f.name()))?;
        if !columns::is_numeric(f.data_type()) {
            return Err(PyTypeError::new_err(format!(
                "{name}: column {:?} has Arrow type {}, not a real number type",
                f.name(),
                f.data_type()
            )));
        }
    }
    let mut chunks: Vec<Vec<ArrayRef>> = vec![Vec::new(); comps];
    for batch in reader {
        let batch = batch.map_err(|e| PyValueError::new_err(format!("{name}: {e}")))?;
        for (k, col) in batch.columns().iter().enumerate() {
            if !col.is_empty() {
                chunks[k].push(col.clone());
            }
        }
    }
    let rows: usize = chunks[0].iter().map(|a| a.len()).sum();
    check(rows)?;
    let mut out = Vec::with_capacity(comps);
    for (k, parts) in chunks.into_iter().enumerate() {
        let col = &fields[k];
        let nulls: usize = parts.iter().map(|a| a.null_count()).sum();
        if nulls > 0 {
            return Err(PyValueError::new_err(format!(
                "{name}: column {col:?} has {nulls} nulls; vertex attributes cannot be null \
                 (drop those rows or fill them first)"
            )));
        }
        if let [one] = parts.as_slice() {
            if one.data_type() == &DataType::Float32 {
                out.push(ColumnData::Borrowed(one.clone()));
                continue;
            }
        }
        let mut why = Vec::new();
        if let Some(t) = parts.first().map(|a| a.data_type()) {
            if t != &DataType::Float32 {
                why.push(format!("{t} -> float32"));
            }
        }
        if parts.len() > 1 {
            why.push(format!("{} chunks concatenated", parts.len()));
        }
        let why = why.join(", ");
        if copy == Some(false) {
            return Err(PyValueError::new_err(format!(
                "{name}: column {col:?} needs a conversion ({why}) but copy=False; pass single-chunk \
                 float32 columns, or copy=None to allow it"
            )));
        }
        let n: usize = parts.iter().map(|a| a.len()).sum();
        let mut v = alloc::try_vec(name, n)?;
        for a in &parts {
            columns::append_f32(name, a, &mut v)?;
        }
        let bytes: usize = parts
            .iter()
            .map(|a| a.len() * a.data_type().primitive_width().unwrap_or(4))
            .sum();
        let src = parts
            .first()
            .and_then(|a| a.to_data().buffers().first().map(|b| b.as_ptr()))
            .unwrap_or(std::ptr::null());
        ledger::record(
            "convert",
            bytes,
            src,
            &format!("{name} column {col:?}: {why}"),
        );
        out.push(ColumnData::Converted(v));
    }
    Ok(AttrInput::Columns(out))
}

/// Triangle indices as uint32: borrowed when already C-contiguous uint32,
/// else converted once (recorded) with range checks (negative values are
/// errors here; values past the vertex count are checked by the mesh).
pub enum IndicesInput {
    Borrowed {
        _raw: RawBuffer,
        ptr: *const u32,
        len: usize,
    },
    Converted(Vec<u32>),
}

impl IndicesInput {
    pub fn as_slice(&self) -> &[u32] {
        match self {
            // SAFETY: checked aligned, contiguous, native uint32; `_raw`
            // holds the memory.
            IndicesInput::Borrowed { ptr, len, .. } => unsafe {
                std::slice::from_raw_parts(*ptr, *len)
            },
            IndicesInput::Converted(v) => v,
        }
    }
}

fn read_index(p: *const u8, t: Numeric, swapped: bool) -> Option<i128> {
    macro_rules! rd {
        ($ty:ty) => {{
            let mut b =
                unsafe { std::ptr::read_unaligned(p as *const [u8; std::mem::size_of::<$ty>()]) };
            if swapped {
                b.reverse();
            }
            <$ty>::from_ne_bytes(b) as i128
        }};
    }
    Some(match t {
        Numeric::I8 => rd!(i8),
        Numeric::U8 => rd!(u8),
        Numeric::I16 => rd!(i16),
        Numeric::U16 => rd!(u16),
        Numeric::I32 => rd!(i32),
        Numeric::U32 => rd!(u32),
        Numeric::I64 => rd!(i64),
        Numeric::U64 => rd!(u64),
        _ => return None,
    })
}

/// Triangle indices; `check` sees the number of values before any
/// conversion.
pub fn indices(obj: &Bound<'_, PyAny>, check: RowsCheck<'_>) -> PyResult<IndicesInput> {
    let name = "indices";
    let (raw, view) = buffer_view(name, obj, 3)?;
    check(view.rows * view.cols)?;
    if matches!(view.dtype, Numeric::F16 | Numeric::F32 | Numeric::F64) {
        return Err(PyTypeError::new_err(format!(
            "indices must be integers (uint32, int32 or int64), got {}; pass \
             indices.astype(np.uint32)",
            view.dtype.name()
        )));
    }
    let len = view.rows * view.cols;
    if view.dtype == Numeric::U32
        && !view.swapped
        && view.is_c_contiguous()
        && (view.ptr as usize) % 4 == 0
    {
        let ptr = view.ptr as *const u32;
        return Ok(IndicesInput::Borrowed {
            _raw: raw,
            ptr,
            len,
        });
    }
    let mut out = alloc::try_vec(name, len)?;
    for r in 0..view.rows {
        for c in 0..view.cols {
            let p = unsafe {
                view.ptr
                    .offset(r as isize * view.strides[0] + c as isize * view.strides[1])
            };
            // cannot panic: float dtypes were refused above, so it is an integer.
            let v = read_index(p, view.dtype, view.swapped).expect("integer dtype");
            if v < 0 || v > u32::MAX as i128 {
                let at = r * view.cols + c;
                return Err(PyValueError::new_err(format!(
                    "indices: value {v} at position {at} is out of range; indices must be \
                     non-negative vertex numbers"
                )));
            }
            out.push(v as u32);
        }
    }
    ledger::record(
        "convert",
        len * view.dtype.itemsize(),
        view.ptr,
        &format!(
            "indices: {}",
            convert::reason(&view).replace("float32", "uint32")
        ),
    );
    Ok(IndicesInput::Converted(out))
}
