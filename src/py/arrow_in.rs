//! Heights from Arrow: anything exporting `__arrow_c_array__` or
//! `__arrow_c_stream__` (pyarrow, Polars, pandas, DuckDB, arro3, nanoarrow).
//! A single-chunk float32 column without nulls is borrowed; anything else is
//! converted in one recorded pass.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use super::input::{Heights, ShapeCheck};
use crate::grid::columns;
use crate::memory::tensor::tensor_meta;
use crate::memory::{ledger, DType, HostBuffer, Origin};

/// True when `obj` speaks the Arrow PyCapsule interface.
pub fn is_arrow(obj: &Bound<'_, PyAny>) -> bool {
    obj.hasattr("__arrow_c_stream__").unwrap_or(false)
        || obj.hasattr("__arrow_c_array__").unwrap_or(false)
}

/// Flat value arrays and (rows, cols) for an Arrow input.
fn flatten(
    name: &str,
    chunks: Vec<ArrayRef>,
    field: &arrow_schema::Field,
    shape: Option<(usize, usize)>,
) -> PyResult<(Vec<ArrayRef>, (usize, usize))> {
    if let Some(meta) = tensor_meta(field, name)? {
        let tshape = meta.shape.clone();
        if tshape.len() != 2 {
            return Err(PyValueError::new_err(format!(
                "{name}: tensor shape {tshape:?} is not 2-D (rows, cols)"
            )));
        }
        let tensors: usize = chunks.iter().map(|c| c.len()).sum();
        if tensors != 1 {
            return Err(PyValueError::new_err(format!(
                "{name}: expected one tensor, got an array of {tensors}; pass one element"
            )));
        }
        if !meta.is_row_major() {
            return Err(PyValueError::new_err(format!(
                "{name}: fixed_shape_tensor with a permutation is not supported; pass the tensor \
                 in row-major (C) order"
            )));
        }
        let dims = (tshape[0], tshape[1]);
        let expected = dims.0 * dims.1;
        match field.data_type() {
            DataType::FixedSizeList(_, size) if *size as usize == expected => {}
            other => {
                return Err(PyValueError::new_err(format!(
                    "{name}: fixed_shape_tensor of shape {tshape:?} needs storage \
                     FixedSizeList<{expected}>, got {other}"
                )))
            }
        }
        if let Some(s) = shape {
            if s != dims {
                return Err(PyValueError::new_err(format!(
                    "{name}: shape={s:?} does not match the tensor's shape {dims:?}"
                )));
            }
        }
        let values = chunks
            .iter()
            .filter(|c| !c.is_empty())
            .map(|c| {
                let l = c.as_fixed_size_list();
                let size = l.value_length() as usize;
                l.values().slice(l.offset() * size, l.len() * size)
            })
            .collect();
        return Ok((values, dims));
    }
    if let DataType::FixedSizeList(..) | DataType::List(_) | DataType::LargeList(_) =
        field.data_type()
    {
        return Err(PyTypeError::new_err(format!(
            "{name}: a list column ({}) is not a height grid; pass a flat numeric column with \
             shape=(rows, cols), or an arrow.fixed_shape_tensor",
            field.data_type()
        )));
    }
    columns::refuse_extension(field, name)?;
    if !columns::is_numeric(field.data_type()) {
        return Err(PyTypeError::new_err(format!(
            "{name}: Arrow type {} is not a real number type; heights must be numeric",
            field.data_type()
        )));
    }
    let n: usize = chunks.iter().map(|c| c.len()).sum();
    let Some((rows, cols)) = shape else {
        return Err(PyValueError::new_err(format!(
            "{name}: a flat Arrow column of {n} values needs shape=(rows, cols)"
        )));
    };
    if rows.checked_mul(cols) != Some(n) {
        return Err(PyValueError::new_err(format!(
            "{name}: shape=({rows}, {cols}) holds {} values but the column has {n}",
            rows.saturating_mul(cols)
        )));
    }
    Ok((chunks, (rows, cols)))
}

/// Heights from an Arrow object under NumPy 2's `copy=` convention.
pub fn heights(
    name: &str,
    obj: &Bound<'_, PyAny>,
    shape: Option<(usize, usize)>,
    copy: Option<bool>,
    check: ShapeCheck<'_>,
) -> PyResult<Heights> {
    let (chunks, field) = super::arrow_edge::import_array(name, obj)?;
    let (values, (rows, cols)) = flatten(name, chunks, &field, shape)?;
    check(rows, cols)?;
    let nonempty: Vec<&ArrayRef> = values.iter().filter(|a| !a.is_empty()).collect();
    if let [one] = nonempty.as_slice() {
        if one.data_type() == &DataType::Float32 && one.null_count() == 0 && copy != Some(true) {
            let buf = one
                .as_primitive::<arrow_array::types::Float32Type>()
                .values()
                .inner()
                .clone();
            return Ok(Heights::Host(HostBuffer::new(
                buf,
                vec![rows, cols],
                DType::F32,
                Origin::Borrowed,
            )));
        }
    }
    let dtype = values
        .first()
        .map(|a| a.data_type().clone())
        .unwrap_or(DataType::Float32);
    let nulls: usize = values.iter().map(|a| a.null_count()).sum();
    let mut why = Vec::new();
    if dtype != DataType::Float32 {
        why.push(format!("{dtype} -> float32"));
    }
    if nulls > 0 {
        why.push(format!("{nulls} nulls -> NaN"));
    }
    if nonempty.len() > 1 {
        why.push(format!("{} chunks concatenated", nonempty.len()));
    }
    if why.is_empty() {
        why.push("copy=True".into());
    }
    let reason = format!("{name}: {}", why.join(", "));
    if copy == Some(false) {
        return Err(PyValueError::new_err(format!(
            "{name} needs a conversion ({}) but copy=False; pass a single-chunk float32 column \
             without nulls, or copy=None to allow it",
            why.join(", ")
        )));
    }
    let mut out: Vec<f32> = crate::memory::alloc::try_vec(name, rows * cols)?;
    let src = nonempty
        .first()
        .and_then(|a| a.to_data().buffers().first().map(|b| b.as_ptr()))
        .unwrap_or(std::ptr::null());
    for a in &values {
        columns::append_f32(name, a, &mut out)?;
    }
    let bytes: usize = values
        .iter()
        .map(|a| a.len() * a.data_type().primitive_width().unwrap_or(4))
        .sum();
    ledger::record("convert", bytes, src, &reason);
    let buf = arrow_buffer::Buffer::from_vec(out);
    Ok(Heights::Host(HostBuffer::new(
        buf,
        vec![rows, cols],
        DType::F32,
        Origin::Rust,
    )))
}
