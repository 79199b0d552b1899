//! Numeric Arrow columns read as f64 / f32 with their validity, one pass.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;

use crate::error::{Error, Result};

macro_rules! each_numeric {
    ($arr:expr, $out:ident, $conv:expr, $other:expr) => {{
        let a: &dyn Array = $arr;
        match a.data_type() {
            DataType::Float16 => $conv(
                a.as_primitive::<Float16Type>(),
                |v: half::f16| v.to_f64(),
                $out,
            ),
            DataType::Float32 => $conv(a.as_primitive::<Float32Type>(), |v: f32| v as f64, $out),
            DataType::Float64 => $conv(a.as_primitive::<Float64Type>(), |v: f64| v, $out),
            DataType::Int8 => $conv(a.as_primitive::<Int8Type>(), |v: i8| v as f64, $out),
            DataType::Int16 => $conv(a.as_primitive::<Int16Type>(), |v: i16| v as f64, $out),
            DataType::Int32 => $conv(a.as_primitive::<Int32Type>(), |v: i32| v as f64, $out),
            DataType::Int64 => $conv(a.as_primitive::<Int64Type>(), |v: i64| v as f64, $out),
            DataType::UInt8 => $conv(a.as_primitive::<UInt8Type>(), |v: u8| v as f64, $out),
            DataType::UInt16 => $conv(a.as_primitive::<UInt16Type>(), |v: u16| v as f64, $out),
            DataType::UInt32 => $conv(a.as_primitive::<UInt32Type>(), |v: u32| v as f64, $out),
            DataType::UInt64 => $conv(a.as_primitive::<UInt64Type>(), |v: u64| v as f64, $out),
            _ => $other,
        }
    }};
}

fn push_f64<T: arrow_array::ArrowPrimitiveType>(
    a: &arrow_array::PrimitiveArray<T>,
    f: impl Fn(T::Native) -> f64,
    out: &mut Vec<f64>,
) {
    let values = a.values();
    match a.nulls() {
        None => out.extend(values.iter().map(|&v| f(v))),
        Some(n) => {
            out.extend(
                values
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| if n.is_valid(i) { f(v) } else { f64::NAN }),
            )
        }
    }
}

fn push_f32<T: arrow_array::ArrowPrimitiveType>(
    a: &arrow_array::PrimitiveArray<T>,
    f: impl Fn(T::Native) -> f64,
    out: &mut Vec<f32>,
) {
    let values = a.values();
    match a.nulls() {
        None => out.extend(values.iter().map(|&v| f(v) as f32)),
        Some(n) => out.extend(values.iter().enumerate().map(|(i, &v)| {
            if n.is_valid(i) {
                f(v) as f32
            } else {
                f32::NAN
            }
        })),
    }
}

fn type_error(name: &str, dt: &DataType) -> Error {
    Error::InvalidType(format!(
        "{name}: Arrow type {dt} is not a real number type; use integer or floating-point values"
    ))
}

/// Appends `array` as f64 to `out`; nulls become NaN.
pub fn append_f64(name: &str, array: &ArrayRef, out: &mut Vec<f64>) -> Result<()> {
    each_numeric!(
        array.as_ref(),
        out,
        push_f64,
        return Err(type_error(name, array.data_type()))
    );
    Ok(())
}

/// Appends `array` as f32 to `out`; nulls become NaN.
pub fn append_f32(name: &str, array: &ArrayRef, out: &mut Vec<f32>) -> Result<()> {
    each_numeric!(
        array.as_ref(),
        out,
        push_f32,
        return Err(type_error(name, array.data_type()))
    );
    Ok(())
}

/// True for the types [`append_f64`] accepts.
pub fn is_numeric(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Float16
            | DataType::Float32
            | DataType::Float64
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
    )
}

/// Refuses a field of an Arrow extension type: its storage numbers mean
/// something else (`arrow.bool8` stores booleans as int8, a timestamp-like
/// extension stores ticks), so reading them as coordinates or heights would
/// draw a wrong picture without a word. `arrow.fixed_shape_tensor` is read
/// by the heights import itself, before this check.
pub fn refuse_extension(field: &arrow_schema::Field, what: &str) -> Result<()> {
    match field.extension_type_name() {
        None => Ok(()),
        Some("arrow.bool8") => Err(Error::InvalidType(format!(
            "{what}: arrow.bool8 holds booleans (stored as int8), not numbers; cast them if 0/1 \
             is meant, e.g. pyarrow.compute.cast(arr.storage, pyarrow.float32())"
        ))),
        Some(other) => Err(Error::InvalidType(format!(
            "{what}: Arrow extension type {other:?} (storage {}) is not read as numbers; pass its \
             storage (arr.storage) if the raw numbers are what you mean",
            field.data_type()
        ))),
    }
}
