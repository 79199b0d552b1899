//! Pixel sizes, colors and mesh styles from Python arguments, with
//! messages that name the argument.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};

use super::args;
use crate::render::{MeshStyle, StyleParts};

pub(super) const COLORMAP: &str = "a colormap name such as 'viridis'";

/// `norm=` and `levels=` of a terrain's colour scale (defaults: linear,
/// continuous).
pub(super) fn color_scale(
    norm: Option<&Bound<'_, PyAny>>,
    levels: Option<&Bound<'_, PyAny>>,
) -> PyResult<(crate::render::Norm, Vec<f32>)> {
    let norm = args::opt_text("norm", norm, "'linear' or 'log'")?
        .map(|n| crate::render::Norm::parse(&n))
        .transpose()?
        .unwrap_or_default();
    Ok((
        norm,
        args::opt_reals_f32("levels", levels)?.unwrap_or_default(),
    ))
}

/// The look arguments of `add_terrain` and `add_terrain_from_table`,
/// checked.
pub(super) struct TerrainLook {
    exaggeration: f32,
    colormap: String,
    height_range: Option<(f32, f32)>,
    norm: crate::render::Norm,
    levels: Vec<f32>,
}

/// Checks `exaggeration`, `colormap`, `height_range`, `norm` and `levels`
/// (defaults 1, viridis, the data's range, linear, continuous).
pub(super) fn terrain_look(
    exaggeration: Option<&Bound<'_, PyAny>>,
    colormap: Option<&Bound<'_, PyAny>>,
    height_range: Option<&Bound<'_, PyAny>>,
    norm: Option<&Bound<'_, PyAny>>,
    levels: Option<&Bound<'_, PyAny>>,
) -> PyResult<TerrainLook> {
    let (norm, levels) = color_scale(norm, levels)?;
    Ok(TerrainLook {
        colormap: colormap_arg("colormap", colormap)?.unwrap_or_else(|| "viridis".into()),
        exaggeration: args::opt_real("exaggeration", exaggeration)?.unwrap_or(1.0) as f32,
        height_range: args::opt_real_pair("height_range", height_range)?
            .map(|(a, b)| (a as f32, b as f32)),
        norm,
        levels,
    })
}

impl TerrainLook {
    /// Sets these into `o`.
    pub(super) fn apply(self, o: &mut crate::render::TerrainOptions) {
        o.exaggeration = self.exaggeration;
        o.colormap = self.colormap;
        o.height_range = self.height_range;
        o.norm = self.norm;
        o.levels = self.levels;
    }
}

/// A colormap argument: a built-in name as given; a matplotlib colormap
/// (name or object) or an array of colours made into a table by
/// `forge3d._colormaps.table` and registered under its `table:` name.
pub(super) fn colormap_arg(name: &str, v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<String>> {
    let Some(v) = v.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if let Ok(s) = v.extract::<String>() {
        if crate::render::colormap_lut(&s).is_ok() {
            return Ok(Some(s));
        }
    }
    let table = v
        .py()
        .import("forge3d._colormaps")?
        .getattr("table")?
        .call1((name, v))?;
    let bytes: Vec<u8> = table.call_method0("tobytes")?.extract()?;
    let rgba: Vec<[u8; 4]> = bytes
        .chunks_exact(4)
        .map(|c| [c[0], c[1], c[2], c[3]])
        .collect();
    Ok(Some(crate::render::register_colormap(&rgba)?))
}
pub(super) const STYLE: &str =
    "a forge3d.MeshStyle or one of 'surface', 'wireframe', 'scalars', 'points'";

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

pub(super) fn unit_color(v: &Bound<'_, PyAny>) -> PyResult<[f32; 4]> {
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

/// A style from `add_mesh` / `set_mesh_style` arguments: a
/// `forge3d.MeshStyle` (then no other style keyword may be given) or a kind
/// name with keywords, built and checked by the core
/// ([`MeshStyle::build`]). `point_size` is a Points object's own size, the
/// default for `points`.
pub(super) fn mesh_style(
    style: Option<&Bound<'_, PyAny>>,
    point_size: Option<f32>,
    color: Option<&Bound<'_, PyAny>>,
    colormap: Option<&Bound<'_, PyAny>>,
    scalar_range: Option<&Bound<'_, PyAny>>,
    size: Option<&Bound<'_, PyAny>>,
) -> PyResult<MeshStyle> {
    let given = |v: Option<&Bound<'_, PyAny>>| v.is_some_and(|o| !o.is_none());
    if let Some(obj) = style.and_then(|s| s.cast::<PyMeshStyle>().ok()) {
        if given(color) || given(colormap) || given(scalar_range) || given(size) {
            return Err(PyTypeError::new_err(
                "style is a forge3d.MeshStyle: give color, colormap, scalar_range and size \
                 to its constructor (e.g. MeshStyle.points(size=3.0)), not here",
            ));
        }
        return Ok(obj.get().style.clone());
    }
    let kind = args::opt_text("style", style, STYLE)?;
    let default = if point_size.is_some() {
        "points"
    } else {
        "surface"
    };
    let parts = parts(color, colormap, scalar_range, size)?;
    let parts = StyleParts {
        size: parts.size.or(point_size.map(f64::from)),
        ..parts
    };
    Ok(MeshStyle::build(kind.as_deref().unwrap_or(default), parts)?)
}

fn parts(
    color: Option<&Bound<'_, PyAny>>,
    colormap: Option<&Bound<'_, PyAny>>,
    scalar_range: Option<&Bound<'_, PyAny>>,
    size: Option<&Bound<'_, PyAny>>,
) -> PyResult<StyleParts> {
    Ok(StyleParts {
        color: color.filter(|c| !c.is_none()).map(unit_color).transpose()?,
        colormap: colormap_arg("colormap", colormap)?,
        range: args::opt_real_pair("scalar_range", scalar_range)?,
        size: args::opt_real("size", size)?,
    })
}

/// How a mesh or point set is drawn: made by one of the static methods
/// below, checked when made (a bad color, colormap, range or size raises
/// there), and given to ``Renderer.add_mesh(mesh, style=...)`` or
/// ``set_mesh_style(id, style=...)``. Immutable; equal when all fields are.
///
/// Example: ``r.add_mesh(pts, style=forge3d.MeshStyle.points(size=4, colormap="magma"))``
#[pyclass(name = "MeshStyle", module = "forge3d._forge3d", frozen)]
pub struct PyMeshStyle {
    pub(crate) style: MeshStyle,
}

type Opt<'a, 'py> = Option<&'a Bound<'py, PyAny>>;

fn made(kind: &str, p: StyleParts) -> PyResult<PyMeshStyle> {
    Ok(PyMeshStyle {
        style: MeshStyle::build(kind, p)?,
    })
}

#[pymethods]
impl PyMeshStyle {
    /// Lit, filled triangles; ``color`` (RGB(A) floats in [0, 1], default
    /// light gray) multiplies the vertex colors or is the color.
    #[staticmethod]
    #[pyo3(signature = (color=None))]
    fn surface(color: Opt) -> PyResult<Self> {
        made("surface", parts(color, None, None, None)?)
    }
    /// Triangle edges as 1-pixel lines of ``color`` (default dark gray).
    #[staticmethod]
    #[pyo3(signature = (color=None))]
    fn wireframe(color: Opt) -> PyResult<Self> {
        made("wireframe", parts(color, None, None, None)?)
    }
    /// Lit triangles colored by the mesh's scalars through ``colormap``
    /// (default viridis); ``scalar_range`` (min, max) defaults to the scalars' own.
    #[staticmethod]
    #[pyo3(signature = (colormap=None, scalar_range=None))]
    fn scalars(colormap: Opt, scalar_range: Opt) -> PyResult<Self> {
        made("scalars", parts(None, colormap, scalar_range, None)?)
    }
    /// Each vertex a disc of ``size`` pixels (default 2, at most 1024),
    /// unlit; ``color`` multiplies the vertex colors; ``colormap`` colors by
    /// scalars instead.
    #[staticmethod]
    #[pyo3(signature = (size=None, color=None, colormap=None, scalar_range=None))]
    fn points(size: Opt, color: Opt, colormap: Opt, scalar_range: Opt) -> PyResult<Self> {
        made("points", parts(color, colormap, scalar_range, size)?)
    }

    /// The style's kind.
    #[getter]
    fn kind(&self) -> &'static str {
        self.style.kind()
    }
    /// RGBA floats, or None for "scalars".
    #[getter]
    fn color(&self) -> Option<(f32, f32, f32, f32)> {
        match &self.style {
            MeshStyle::Surface { color }
            | MeshStyle::Wireframe { color }
            | MeshStyle::Points { color, .. } => Some((color[0], color[1], color[2], color[3])),
            MeshStyle::Scalars { .. } => None,
        }
    }
    /// The colormap name, or None when the style has none.
    #[getter]
    fn colormap(&self) -> Option<String> {
        match &self.style {
            MeshStyle::Scalars { colormap, .. } => Some(colormap.clone()),
            MeshStyle::Points { colormap, .. } => colormap.clone(),
            _ => None,
        }
    }
    /// (min, max) mapped to the colormap's ends; None: the scalars' own.
    #[getter]
    fn scalar_range(&self) -> Option<(f32, f32)> {
        match &self.style {
            MeshStyle::Scalars { range, .. } | MeshStyle::Points { range, .. } => *range,
            _ => None,
        }
    }
    /// Point diameter in pixels, or None for triangle styles.
    #[getter]
    fn size(&self) -> Option<f32> {
        match &self.style {
            MeshStyle::Points { size, .. } => Some(*size),
            _ => None,
        }
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyMeshStyle>()
            .is_ok_and(|o| o.get().style == self.style)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        format!("{:?}", self.style).hash(&mut h);
        h.finish()
    }

    fn __repr__(&self) -> String {
        let mut fields = Vec::new();
        if let Some(s) = self.size() {
            fields.push(format!("size={s}"));
        }
        if let Some(c) = self.color() {
            fields.push(format!("color={c:?}"));
        }
        if let Some(m) = self.colormap() {
            fields.push(format!("colormap={m:?}"));
        }
        if let Some(r) = self.scalar_range() {
            fields.push(format!("scalar_range={r:?}"));
        }
        format!("MeshStyle.{}({})", self.kind(), fields.join(", "))
    }
}

/// `set_contours` arguments: None removes the lines; the defaults are a
/// major line every 5, dark lines at 60 % opacity, 1 pixel wide.
pub(super) fn contours(
    interval: &Bound<'_, PyAny>,
    major_every: Option<&Bound<'_, PyAny>>,
    color: Option<&Bound<'_, PyAny>>,
    width_px: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<crate::render::Contours>> {
    Ok(if interval.is_none() {
        None
    } else {
        Some(crate::render::Contours {
            interval: args::real("interval", interval)? as f32,
            major_every: match major_every {
                Some(m) if !m.is_none() => {
                    args::int_in("major_every", m, 0, u32::MAX as i128)? as u32
                }
                _ => 5,
            },
            color: match color {
                Some(c) if !c.is_none() => unit_color(c)?,
                _ => [0.0, 0.0, 0.0, 0.6],
            },
            width_px: args::opt_real("width_px", width_px)?.unwrap_or(1.0) as f32,
        })
    })
}
