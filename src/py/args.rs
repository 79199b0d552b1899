//! Numbers and tuples from Python arguments, with messages that name the
//! argument (pyo3's own conversions say "must be real number, not str" or
//! raise OverflowError for -1, without saying which argument). Negative or
//! out-of-range integers are a `ValueError`, wrong types a `TypeError`.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyString};

fn describe(v: &Bound<'_, PyAny>) -> String {
    let t = v
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    let r = v.repr().map(|r| r.to_string()).unwrap_or_default();
    let r = if r.chars().count() > 60 {
        format!("{}...", r.chars().take(57).collect::<String>())
    } else {
        r
    };
    format!("{t} {r}")
}

/// An integer in `lo..=hi` (a Python int or anything with `__index__`,
/// such as a NumPy integer; bools and floats are refused).
pub fn int_in(name: &str, v: &Bound<'_, PyAny>, lo: i128, hi: i128) -> PyResult<i128> {
    let not_int = || {
        PyTypeError::new_err(format!(
            "{name} must be an integer between {lo} and {hi}, got {}",
            describe(v)
        ))
    };
    if v.is_instance_of::<PyBool>() || v.is_instance_of::<PyFloat>() {
        return Err(not_int());
    }
    let i: i128 = v
        .call_method0("__index__")
        .and_then(|i| i.extract())
        .map_err(|_| not_int())?;
    if i < lo || i > hi {
        return Err(PyValueError::new_err(format!(
            "{name} must be between {lo} and {hi}, got {i}"
        )));
    }
    Ok(i)
}

/// `int_in`, or `None` for a missing argument or Python `None`.
pub fn opt_int_in(
    name: &str,
    v: Option<&Bound<'_, PyAny>>,
    lo: i128,
    hi: i128,
) -> PyResult<Option<i128>> {
    match v {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => int_in(name, o, lo, hi).map(Some),
    }
}

/// A real number (int, float, NumPy scalar; not str or bool); NaN and
/// infinities pass through for the caller's own range check.
pub fn real(name: &str, v: &Bound<'_, PyAny>) -> PyResult<f64> {
    let bad = || PyTypeError::new_err(format!("{name} must be a real number, got {}", describe(v)));
    if v.is_instance_of::<PyBool>() || v.is_instance_of::<PyString>() {
        return Err(bad());
    }
    v.extract::<f64>().map_err(|_| bad())
}

/// `real`, or `None` for a missing argument or Python `None`.
pub fn opt_real(name: &str, v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<f64>> {
    match v {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => real(name, o).map(Some),
    }
}

/// Exactly `N` items of a sequence, each read by `item`.
fn items<T, const N: usize>(
    name: &str,
    v: &Bound<'_, PyAny>,
    what: &str,
    item: impl Fn(&str, &Bound<'_, PyAny>) -> PyResult<T>,
) -> PyResult<[T; N]> {
    let bad = || {
        PyTypeError::new_err(format!(
            "{name} must be a sequence of {N} {what}, got {}",
            describe(v)
        ))
    };
    if v.is_instance_of::<PyString>() {
        return Err(bad());
    }
    let list: Vec<Bound<'_, PyAny>> = v
        .try_iter()
        .map_err(|_| bad())?
        .collect::<PyResult<_>>()
        .map_err(|_| bad())?;
    if list.len() != N {
        return Err(PyValueError::new_err(format!(
            "{name} must have {N} items ({what}), got {}",
            list.len()
        )));
    }
    let mut out = Vec::with_capacity(N);
    for (k, x) in list.iter().enumerate() {
        out.push(item(&format!("{name}[{k}]"), x)?);
    }
    out.try_into()
        .map_err(|_| PyValueError::new_err(format!("{name}: expected {N} items")))
}

/// (x, y, z) as float32.
pub fn vec3(name: &str, v: &Bound<'_, PyAny>) -> PyResult<[f32; 3]> {
    let r = items::<f64, 3>(name, v, "numbers (x, y, z)", real)?;
    Ok(r.map(|x| x as f32))
}

/// (x, y, z) in float64, for values computed in float64 (the orbit camera).
pub fn vec3_f64(name: &str, v: &Bound<'_, PyAny>) -> PyResult<[f64; 3]> {
    items::<f64, 3>(name, v, "numbers (x, y, z)", real)
}

/// Two real numbers, e.g. (min, max); `None` when missing or None.
pub fn opt_real_pair(name: &str, v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<(f64, f64)>> {
    match v {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => {
            let [a, b] = items::<f64, 2>(name, o, "numbers", real)?;
            Ok(Some((a, b)))
        }
    }
}

/// (left, right, bottom, top) in float64; `None` when missing or None.
pub fn opt_extent(name: &str, v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<[f64; 4]>> {
    match v {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => items::<f64, 4>(name, o, "numbers (left, right, bottom, top)", real).map(Some),
    }
}

/// A (rows, cols) shape of non-negative integers; `None` when missing.
pub fn opt_shape(name: &str, v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<(usize, usize)>> {
    match v {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => {
            let [r, c] =
                items::<i128, 2>(name, o, "non-negative integers (rows, cols)", |n, x| {
                    int_in(n, x, 0, isize::MAX as i128)
                })?;
            Ok(Some((r as usize, c as usize)))
        }
    }
}

/// `True` / `False` (or a NumPy bool); `None` when missing or None. Ints,
/// strings and other truthy objects are refused: `copy=0` or `copy="no"`
/// would otherwise silently mean something.
pub fn opt_flag(name: &str, v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<bool>> {
    match v {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => flag(name, o).map(Some),
    }
}

/// `True` or `False` (or a NumPy bool).
pub fn flag(name: &str, v: &Bound<'_, PyAny>) -> PyResult<bool> {
    v.extract::<bool>().map_err(|_| {
        PyTypeError::new_err(format!("{name} must be True or False, got {}", describe(v)))
    })
}

/// A str; `what` says what it names (e.g. "a colormap name such as
/// 'viridis'").
pub fn text(name: &str, v: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(s.to_str()?.to_owned());
    }
    Err(PyTypeError::new_err(format!(
        "{name} must be a str ({what}), got {}",
        describe(v)
    )))
}

/// `text`, or `None` when missing or None.
pub fn opt_text(name: &str, v: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<String>> {
    match v {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => text(name, o, what).map(Some),
    }
}

/// One real number used for both, or a pair (e.g. spacing (dx, dy)).
pub fn one_or_pair(name: &str, v: &Bound<'_, PyAny>) -> PyResult<(f64, f64)> {
    if v.is_instance_of::<PyBool>() || v.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a number or a pair of numbers (dx, dy), got {}",
            describe(v)
        )));
    }
    if let Ok(x) = v.extract::<f64>() {
        return Ok((x, x));
    }
    let [a, b] = items::<f64, 2>(name, v, "numbers (dx, dy)", real)?;
    Ok((a, b))
}

/// A sequence of real numbers (a list, tuple or 1-D array), as float32;
/// `None` when missing or None.
pub fn opt_reals_f32(name: &str, v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<f32>>> {
    let Some(v) = v.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let bad = || {
        PyTypeError::new_err(format!(
            "{name} must be a sequence of numbers, got {}",
            describe(v)
        ))
    };
    if v.is_instance_of::<PyString>() {
        return Err(bad());
    }
    let items: Vec<Bound<'_, PyAny>> = v
        .try_iter()
        .map_err(|_| bad())?
        .collect::<PyResult<_>>()
        .map_err(|_| bad())?;
    items
        .iter()
        .enumerate()
        .map(|(k, x)| real(&format!("{name}[{k}]"), x).map(|x| x as f32))
        .collect::<PyResult<Vec<f32>>>()
        .map(Some)
}
