//! Arrays in: any object with the buffer protocol (NumPy arrays first of
//! all) is read where it lies; what cannot be borrowed is converted once,
//! with the conversion recorded in the copy ledger. NumPy 2's `copy=`
//! convention decides which is allowed.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;

use super::input::{Heights, RawBuffer, ShapeCheck};
use crate::memory::convert::{self, Strided2d};

/// Gets a strided 2-D view of `obj` through the buffer protocol, falling
/// back to `numpy.asarray(obj)` (recorded) for sequences.
pub fn view_2d<'py>(
    name: &str,
    obj: &Bound<'py, PyAny>,
) -> PyResult<(RawBuffer, Strided2d, Option<Bound<'py, PyAny>>)> {
    let py = obj.py();
    let mut holder = None;
    let target =
        if unsafe { ffi::PyObject_CheckBuffer(obj.as_ptr()) } == 1 {
            obj.clone()
        } else {
            let arr =
                py.import("numpy")?
                    .call_method1("asarray", (obj,))
                    .map_err(|e| {
                        PyTypeError::new_err(format!(
                    "{name} must be a 2-D numeric array (NumPy array or buffer), got {}: {e}",
                    obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
                ))
                    })?;
            let nbytes: usize = arr.getattr("nbytes")?.extract()?;
            crate::memory::ledger::record(
                "convert",
                nbytes,
                std::ptr::null(),
                &format!("{name}: Python sequence -> NumPy array"),
            );
            holder = Some(arr.clone());
            arr
        };
    let raw = RawBuffer::get(&target).map_err(|cause| {
        let dtype = target
            .getattr("dtype")
            .map(|d| d.to_string())
            .unwrap_or_else(|_| "unknown".into());
        PyTypeError::new_err(format!(
            "{name} must be a numeric array, got dtype {dtype} ({cause}); convert it, e.g. \
             {name}.astype(np.float32)"
        ))
    })?;
    let (rows, cols, strides) = match (raw.shape(), raw.strides()) {
        (&[rows, cols], &[s0, s1]) => (rows, cols, [s0, s1]),
        (shape, _) => {
            return Err(PyValueError::new_err(format!(
                "{name} must be 2-D (rows, cols), got {}-D with shape {shape:?}",
                shape.len()
            )))
        }
    };
    let s = raw.strided_2d(rows, cols, strides).map_err(|what| {
        PyTypeError::new_err(format!(
            "{name}: {what} values cannot be heights; pass real numbers, e.g. \
             {name}.astype(np.float32)"
        ))
    })?;
    Ok((raw, s, holder))
}

/// Heights from a NumPy array (masked ones too), any buffer-protocol object
/// or a nested sequence, under NumPy 2's `copy=` convention (`shape`, meant
/// for flat Arrow columns, must match when given). `check` sees the shape before any
/// conversion, so an array that exists only by shape (`np.broadcast_to`)
/// is refused before memory for it is asked for.
pub fn heights(
    name: &str,
    obj: &Bound<'_, PyAny>,
    shape: Option<(usize, usize)>,
    copy: Option<bool>,
    check: ShapeCheck<'_>,
) -> PyResult<Heights> {
    match unmask(name, obj, shape, copy, check)? {
        Unmasked::No => {}
        Unmasked::Data(data) => return heights(name, &data, shape, copy, check),
        Unmasked::Filled(h) => return Ok(h),
    }
    let (raw, view, _holder) = view_2d(name, obj)?;
    check(view.rows, view.cols)?;
    if let Some(s) = shape {
        // `shape` only describes flat Arrow columns; an array has its own.
        if (view.rows, view.cols) != s {
            return Err(PyValueError::new_err(format!(
                "{name}: shape={s:?} does not match the array's shape ({}, {})",
                view.rows, view.cols
            )));
        }
    }
    let borrowable = view.is_native_f32_contiguous() && (view.ptr as usize) % 4 == 0;
    if borrowable && copy != Some(true) {
        return Ok(Heights::Borrowed { raw, view });
    }
    if copy == Some(false) {
        return Err(PyValueError::new_err(format!(
            "{name} needs a conversion ({}) but copy=False; pass \
             np.ascontiguousarray({name}, dtype=np.float32), or copy=None to allow it",
            convert::reason(&view)
        )));
    }
    let reason = if view.is_native_f32_contiguous() && !borrowable {
        format!("{name}: float32 data not 4-byte aligned")
    } else {
        format!("{name}: {}", convert::reason(&view))
    };
    // SAFETY: the view describes the exporter's memory, held by `raw`.
    let owned = unsafe { convert::to_f32_contiguous(&view, &reason) }?;
    drop(raw);
    Ok(Heights::Host(owned))
}

/// A NumPy masked array taken apart.
pub(super) struct Masked<'py> {
    pub data: Bound<'py, PyAny>,
    pub mask: Bound<'py, PyAny>,
    /// Elements masked (0 for `nomask`).
    pub masked: usize,
}

/// `obj` as a masked array, or None when it is not one.
pub(super) fn masked<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<Masked<'py>>> {
    // numpy.ma is loaded whenever a masked array exists.
    let Ok(ma) = obj
        .py()
        .import("sys")?
        .getattr("modules")?
        .get_item("numpy.ma")
    else {
        return Ok(None);
    };
    if !obj.is_instance(&ma.getattr("MaskedArray")?)? {
        return Ok(None);
    }
    let data = obj.getattr("data")?;
    // `nomask` (nothing masked) or a bool array of the data's shape;
    // `getmaskarray` would allocate a full one for `nomask`.
    let mask = ma.call_method1("getmask", (obj,))?;
    let masked = if mask.is(&ma.getattr("nomask")?) {
        0
    } else {
        mask.call_method0("sum")?.extract()?
    };
    Ok(Some(Masked { data, mask, masked }))
}

/// What a NumPy masked array becomes.
enum Unmasked<'py> {
    /// Not a masked array.
    No,
    /// Its data, to read like any array: nothing is masked (or the dtype
    /// is one the plain path rejects with its own error).
    Data(Bound<'py, PyAny>),
    /// Converted once (recorded) to float32 with NaN in every masked cell.
    Filled(Heights),
}

fn unmask<'py>(
    name: &str,
    obj: &Bound<'py, PyAny>,
    shape: Option<(usize, usize)>,
    copy: Option<bool>,
    check: ShapeCheck<'_>,
) -> PyResult<Unmasked<'py>> {
    let Some(Masked { data, mask, masked }) = masked(obj)? else {
        return Ok(Unmasked::No);
    };
    let kind: String = data.getattr("dtype")?.getattr("kind")?.extract()?;
    if masked == 0 || !matches!(kind.as_str(), "i" | "u" | "f") {
        return Ok(Unmasked::Data(data));
    }
    if copy == Some(false) {
        return Err(PyValueError::new_err(format!(
            "{name} is a masked array with {masked} masked cell(s), which become NaN holes in \
             a conversion, but copy=False; pass {name}.astype(np.float32).filled(np.nan), or \
             copy=None to allow it"
        )));
    }
    let (raw, view, _holder) = view_2d(name, &data)?;
    check(view.rows, view.cols)?;
    if let Some(s) = shape {
        if (view.rows, view.cols) != s {
            return Err(PyValueError::new_err(format!(
                "{name}: shape={s:?} does not match the array's shape ({}, {})",
                view.rows, view.cols
            )));
        }
    }
    // The mask (bool, the data's shape), read where it lies.
    let mraw = RawBuffer::get(&mask)?;
    let dims_ok = mraw.itemsize() == 1 && mraw.shape() == [view.rows, view.cols];
    if !dims_ok {
        return Err(PyValueError::new_err(format!(
            "{name}: the masked array's mask does not match its data's shape"
        )));
    }
    let ms = [mraw.strides()[0], mraw.strides()[1]];
    let mptr = mraw.ptr();
    let mut reason = format!("{name}: masked array, {masked} masked cell(s) -> NaN");
    if !view.is_native_f32_contiguous() {
        reason = format!("{reason}, {}", convert::reason(&view));
    }
    let (rows, cols) = (view.rows, view.cols);
    // SAFETY: `view` and the mask describe the exporters' memory, held by
    // `raw` and `mraw` until the end of this function.
    let owned = unsafe {
        convert::to_f32_contiguous_then(&view, &reason, |out| {
            for r in 0..rows {
                let row = mptr.offset(r as isize * ms[0]);
                for c in 0..cols {
                    if *row.offset(c as isize * ms[1]) != 0 {
                        out[r * cols + c] = f32::NAN;
                    }
                }
            }
        })
    }?;
    drop(mraw);
    drop(raw);
    Ok(Unmasked::Filled(Heights::Host(owned)))
}
