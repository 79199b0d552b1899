//! Pixel sizes, colors and mesh styles from Python arguments, with
//! messages that name the argument.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};

use super::args;
use crate::render::MeshStyle;

pub(super) const COLORMAP: &str = "a colormap name such as 'viridis'";
pub(super) const STYLE: &str = "one of 'surface', 'wireframe', 'scalars', 'points'";

/// Reads a pixel count: a Python int (or an object with `__index__`, such as
/// a NumPy integer); bools and floats are type errors, out-of-range values
/// value errors.
pub(super) fn pixel_count(name: &str, v: &Bound<'_, PyAny>) -> PyResult<u32> {
    let not_int = || -> PyResult<PyErr> {
        Ok(PyTypeError::new_err(format!(
            "{name} must be an integer number of pixels, got {} {}",
            v.get_type().name()?,
            v.repr()?
        )))
    };
    if v.is_instance_of::<PyBool>() || v.is_instance_of::<PyFloat>() || !has_index(v) {
        return Err(not_int()?);
    }
    // `__index__` can still refuse (a NumPy array of one element has the
    // method but only 0-d integer arrays answer it).
    let i: i128 = match v.call_method0("__index__").and_then(|i| i.extract()) {
        Ok(i) => i,
        Err(_) => return Err(not_int()?),
    };
    if i < 1 || i > u32::MAX as i128 {
        return Err(PyValueError::new_err(format!(
            "{name} must be between 1 and the device's max_texture_dimension_2d \
             (see forge3d.device_info()), got {i}"
        )));
    }
    Ok(i as u32)
}

fn has_index(v: &Bound<'_, PyAny>) -> bool {
    v.is_instance_of::<PyInt>() || v.hasattr("__index__").unwrap_or(false)
}

pub(super) fn rgba(name: &str, v: &Bound<'_, PyAny>) -> PyResult<[u8; 4]> {
    let not_seq = || {
        PyTypeError::new_err(format!(
            "{name} must be a sequence of 3 or 4 integers 0..255, got {}",
            v.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    };
    let items: Vec<Bound<'_, PyAny>> = v
        .try_iter()
        .map_err(|_| not_seq())?
        .collect::<PyResult<_>>()
        .map_err(|_| not_seq())?;
    if items.len() != 3 && items.len() != 4 {
        return Err(PyValueError::new_err(format!(
            "{name} must have 3 (RGB) or 4 (RGBA) components, got {}",
            items.len()
        )));
    }
    let mut out = [255u8; 4];
    for (i, item) in items.iter().enumerate() {
        let c: i64 = item.extract().map_err(|_| {
            PyTypeError::new_err(format!("{name}[{i}] must be an integer 0..255, got {item}"))
        })?;
        out[i] = u8::try_from(c).map_err(|_| {
            PyValueError::new_err(format!("{name}[{i}] must be between 0 and 255, got {c}"))
        })?;
    }
    Ok(out)
}

fn unit_color(v: &Bound<'_, PyAny>) -> PyResult<[f32; 4]> {
    let items: Vec<f64> = v.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "color must be 3 or 4 floats in [0, 1], got {}",
            v.repr().map(|r| r.to_string()).unwrap_or_default()
        ))
    })?;
    match items.as_slice() {
        [r, g, b] => Ok([*r as f32, *g as f32, *b as f32, 1.0]),
        [r, g, b, a] => Ok([*r as f32, *g as f32, *b as f32, *a as f32]),
        _ => Err(PyValueError::new_err(format!(
            "color must have 3 (RGB) or 4 (RGBA) components, got {}",
            items.len()
        ))),
    }
}

/// Default colors: light gray surfaces, dark wireframes, white points
/// (vertex colors, when present, are multiplied by these). Every keyword
/// given is checked, also those the style does not use (a misspelt
/// colormap on a surface is an error, not ignored).
pub(super) fn mesh_style(
    style: Option<String>,
    point_size: Option<f32>,
    color: Option<&Bound<'_, PyAny>>,
    colormap: Option<&Bound<'_, PyAny>>,
    scalar_range: Option<(f64, f64)>,
    size: Option<f64>,
) -> PyResult<MeshStyle> {
    let colormap = args::opt_text("colormap", colormap, COLORMAP)?;
    if let Some(name) = &colormap {
        crate::render::colormap_lut(name)?;
    }
    let size = size.map(super::mesh::check_size).transpose()?;
    let color = color.map(unit_color).transpose()?;
    let range = scalar_range.map(|(a, b)| (a as f32, b as f32));
    let default = if point_size.is_some() {
        "points"
    } else {
        "surface"
    };
    Ok(match style.as_deref().unwrap_or(default) {
        "surface" => MeshStyle::Surface {
            color: color.unwrap_or([0.8, 0.8, 0.8, 1.0]),
        },
        "wireframe" => MeshStyle::Wireframe {
            color: color.unwrap_or([0.1, 0.1, 0.1, 1.0]),
        },
        "scalars" => MeshStyle::Scalars {
            colormap: colormap.unwrap_or_else(|| "viridis".to_string()),
            range,
        },
        "points" => MeshStyle::Points {
            size: size.or(point_size).unwrap_or(2.0),
            color: color.unwrap_or([1.0; 4]),
            colormap,
            range,
        },
        other => {
            return Err(PyValueError::new_err(format!(
                "style must be one of surface, wireframe, scalars, points; got {other:?}"
            )))
        }
    })
}
