//! `forge3d.Heightmap`: values + spacing + origin + nodata, exported to
//! NumPy, Arrow and DLPack without copying.

use std::sync::Arc;

use pyo3::prelude::*;

use super::exports::{pymethods_with_exports, Exported};
use super::heights_in;
use super::input::Heights;
use crate::memory::{DType, HostBuffer, Origin};
use crate::Heightmap;

/// A 2-D float32 height grid with spacing, origin and nodata.
///
/// Args:
///     values: 2-D array (rows, cols) of real numbers, or an Arrow column
///         (with ``shape``) or ``arrow.fixed_shape_tensor`` (see
///         ``forge3d.arrow.heightmap``). float32 C-contiguous
///         arrays are borrowed without a copy (read-only if the source is);
///         other dtypes (float64, float16, int8..int64, uint8..uint64) and
///         non-contiguous or byte-swapped layouts are converted once (recorded
///         in the copy ledger). bool, complex, object and string arrays raise
///         TypeError.
///     spacing: world units between columns and rows, ``(dx, dy)`` or one
///         number for both (default (1.0, 1.0)).
///     origin: georeferenced (x, y) of the centre of the lower-left cell
///         (last row, first column; default (0.0, 0.0)); metadata only:
///         rendering places that cell at world (0, 0).
///     nodata: sentinel value marking holes (NaN always does).
///     copy: NumPy 2 convention: None borrows when possible, False raises
///         ValueError if a conversion is needed, True always copies.
///     crs: the coordinate reference system of origin (WKT, PROJ or
///         "EPSG:<code>" text), kept as metadata.
///     crs_spacing: (dx, dy) in the CRS's units when ``spacing`` is in
///         other units (a geographic CRS in degrees drawn with spacing in
///         metres, as ``open_dem`` does); ``transform``, ``bounds``,
///         ``to_world`` and ``look_at_geo`` use it. Default: ``spacing``.
///
/// The values export through the buffer protocol (``np.asarray(hm)``),
/// ``__arrow_c_array__`` (``arrow.fixed_shape_tensor``, float32, with
/// spacing, origin, nodata and crs in the field metadata) and DLPack, all
/// sharing memory. ``forge3d.open_dem`` reads GeoTIFF/COG files and
/// ``Heightmap.from_xarray`` DataArrays (see ``forge3d.geo``).
///
/// Heightmaps pickle like Frames (values as an out-of-band
/// ``PickleBuffer`` with protocol 5, one recorded ``pickle_copy`` below),
/// with spacing, origin, nodata, crs and crs_spacing.
///
/// Example::
///
///     hm = forge3d.Heightmap(dem.astype(np.float32), spacing=30.0, nodata=-9999)
///     renderer.add_terrain(hm)
#[pyclass(name = "Heightmap", module = "forge3d._forge3d", frozen)]
pub struct PyHeightmap {
    pub(crate) map: Heightmap,
    pub(crate) readonly: bool,
    /// Coordinate reference system of `origin` and `spacing` (WKT, or as
    /// given), metadata only.
    pub(crate) crs: Option<String>,
    /// (dx, dy) in the CRS's units where `spacing` is in other units (a
    /// geographic CRS, in degrees, drawn with spacing in metres).
    pub(crate) crs_spacing: Option<(f64, f64)>,
}

/// The Arrow field metadata key of a heightmap's georeferencing (JSON:
/// spacing, origin, nodata, crs), read back by `forge3d.arrow.heightmap`.
pub const ARROW_META_KEY: &str = "forge3d.heightmap";

pub fn nodata_value(v: Option<f64>) -> PyResult<Option<f32>> {
    match v {
        Some(x) if x.is_infinite() => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "nodata must be finite or NaN, got {x}"
        ))),
        Some(x) if x.is_nan() => Ok(None),
        Some(x) if (x as f32).is_infinite() => {
            Err(pyo3::exceptions::PyValueError::new_err(format!(
                "nodata {x} does not fit float32 (heights are float32, at most +-3.4e38); pass \
                 the nodata value the float32 heights hold"
            )))
        }
        Some(x) => Ok(Some(x as f32)),
        None => Ok(None),
    }
}

impl PyHeightmap {
    pub fn from_map(map: Heightmap) -> Self {
        Self {
            map,
            readonly: false,
            crs: None,
            crs_spacing: None,
        }
    }

    pub fn from_heights(
        heights: Heights,
        spacing: (f64, f64),
        origin: (f64, f64),
        nodata: Option<f32>,
    ) -> PyResult<Self> {
        let (rows, cols) = heights.rows_cols();
        let (values, readonly) = match heights {
            // Arrow memory is immutable by contract.
            Heights::Host(h) => {
                let ro = h.origin() == Origin::Borrowed;
                (h, ro)
            }
            Heights::Borrowed { raw, view } => {
                let readonly = raw.readonly();
                let len = rows * cols * 4;
                let ptr = std::ptr::NonNull::new(view.ptr as *mut u8).ok_or_else(|| {
                    pyo3::exceptions::PyValueError::new_err("heights: null data pointer")
                })?;
                // SAFETY: `raw` keeps the exporter's `len` bytes alive and fixed.
                let buf = unsafe {
                    arrow_buffer::Buffer::from_custom_allocation(ptr, len, Arc::new(raw))
                };
                (
                    HostBuffer::new(buf, vec![rows, cols], DType::F32, Origin::Borrowed),
                    readonly,
                )
            }
        };
        Ok(Self {
            map: Heightmap::new(values, spacing, origin, nodata)?,
            readonly,
            crs: None,
            crs_spacing: None,
        })
    }
}

impl Exported for PyHeightmap {
    const FIELD: &'static str = "heights";
    fn memory(&self) -> &crate::memory::HostBuffer {
        self.map.values()
    }
    fn readonly(&self) -> bool {
        self.readonly
    }
    fn field_metadata(&self) -> Vec<(String, String)> {
        let meta = serde_json::json!({
            "spacing": [self.map.spacing.0, self.map.spacing.1],
            "origin": [self.map.origin.0, self.map.origin.1],
            "nodata": self.map.nodata,
            "crs": self.crs,
            "crs_spacing": self.crs_spacing.map(|(a, b)| [a, b]),
        });
        vec![(ARROW_META_KEY.to_string(), meta.to_string())]
    }
}

impl PyHeightmap {
    /// (left, bottom, right, top): the outer edges of the cells, taking
    /// `origin` as the centre of the lower-left cell.
    /// (dx, dy) in the CRS's units.
    pub(crate) fn crs_step(&self) -> (f64, f64) {
        self.crs_spacing.unwrap_or(self.map.spacing)
    }

    fn edges(&self) -> (f64, f64, f64, f64) {
        let (dx, dy) = self.crs_step();
        let (ox, oy) = self.map.origin;
        let (rows, cols) = (self.map.rows() as f64, self.map.cols() as f64);
        (
            ox - dx / 2.0,
            oy - dy / 2.0,
            ox + (cols - 0.5) * dx,
            oy + (rows - 0.5) * dy,
        )
    }
}

pymethods_with_exports! {
impl PyHeightmap {
    /// Wraps `values` (2-D) as a heightmap. Float32 C-contiguous arrays are
    /// borrowed without a copy (read-only if the source is); other numeric
    /// dtypes or layouts are converted once (recorded in the copy ledger).
    #[new]
    #[pyo3(signature = (values, spacing=None, origin=None, *, nodata=None, shape=None, copy=None, crs=None, crs_spacing=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        values: &Bound<'_, PyAny>,
        spacing: Option<&Bound<'_, PyAny>>,
        origin: Option<&Bound<'_, PyAny>>,
        nodata: Option<&Bound<'_, PyAny>>,
        shape: Option<&Bound<'_, PyAny>>,
        copy: Option<&Bound<'_, PyAny>>,
        crs: Option<&Bound<'_, PyAny>>,
        crs_spacing: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let crs_spacing = crs_spacing
            .filter(|c| !c.is_none())
            .map(|c| super::args::one_or_pair("crs_spacing", c))
            .transpose()?;
        if let Some((a, b)) = crs_spacing {
            if !(a.is_finite() && b.is_finite() && a > 0.0 && b > 0.0) {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "crs_spacing must be positive and finite, got ({a}, {b})"
                )));
            }
        }
        let crs = super::args::opt_text("crs", crs, "a CRS as WKT, PROJ or 'EPSG:<code>' text")?;
        let copy = super::args::opt_flag("copy", copy)?;
        let nodata = super::args::opt_real("nodata", nodata)?;
        let shape = super::args::opt_shape("shape", shape)?;
        let heights = heights_in::heights("values", values, shape, copy, &|_, _| Ok(()))?;
        let spacing = spacing
            .map(|s| super::args::one_or_pair("spacing", s))
            .transpose()?
            .unwrap_or((1.0, 1.0));
        let origin = origin
            .map(|o| super::args::one_or_pair("origin", o))
            .transpose()?
            .unwrap_or((0.0, 0.0));
        let mut hm = Self::from_heights(heights, spacing, origin, nodata_value(nodata)?)?;
        hm.crs = crs;
        hm.crs_spacing = crs_spacing;
        Ok(hm)
    }

    /// The heightmap of a 2-D ``xarray.DataArray`` (see ``forge3d.geo``).
    #[staticmethod]
    #[pyo3(signature = (da, *, copy=None))]
    fn from_xarray<'py>(
        py: Python<'py>,
        da: &Bound<'py, PyAny>,
        copy: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("copy", copy)?;
        py.import("forge3d.geo")?
            .getattr("heightmap_from_xarray")?
            .call((da,), Some(&kwargs))
    }

    /// The CRS as given (WKT from ``open_dem`` and ``from_xarray``), or None.
    #[getter]
    fn crs(&self) -> Option<String> {
        self.crs.clone()
    }

    /// (dx, dy) in the CRS's units when ``spacing`` is in other units
    /// (degrees drawn as metres), else None.
    #[getter(crs_spacing)]
    fn get_crs_spacing(&self) -> Option<(f64, f64)> {
        self.crs_spacing
    }

    /// Affine transform (a, b, c, d, e, f) from (col, row) of a cell's
    /// corner to (x, y): x = a col + c, y = e row + f (north-up, e < 0),
    /// as rasterio's ``Affine`` (``Affine(*hm.transform)``).
    #[getter]
    fn transform(&self) -> (f64, f64, f64, f64, f64, f64) {
        let (left, _, _, top) = self.edges();
        let (dx, dy) = self.crs_step();
        (dx, 0.0, left, 0.0, -dy, top)
    }

    /// (left, bottom, right, top): the outer edges of the cells in the CRS.
    #[getter]
    fn bounds(&self) -> (f64, f64, f64, f64) {
        self.edges()
    }

    /// World coordinates (as rendered: the lower-left cell at (0, 0)) of
    /// the point (x, y) given in the heightmap's CRS, in float64; z is kept.
    #[pyo3(signature = (x, y, z=None))]
    fn to_world(
        &self,
        x: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
        z: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(f64, f64, Option<f64>)> {
        let x = super::args::real("x", x)?;
        let y = super::args::real("y", y)?;
        let z = super::args::opt_real("z", z)?;
        let ((cx, cy), (sx, sy)) = (self.crs_step(), self.map.spacing);
        Ok((
            (x - self.map.origin.0) / cx * sx,
            (y - self.map.origin.1) / cy * sy,
            z,
        ))
    }

    /// (rows, cols)
    #[getter]
    fn shape(&self) -> (usize, usize) {
        (self.map.rows(), self.map.cols())
    }
    /// (dx, dy): world units between columns and between rows.
    #[getter]
    fn spacing(&self) -> (f64, f64) {
        self.map.spacing
    }
    /// (x, y) of the lower-left cell; metadata (rendering puts that cell at world (0, 0)).
    #[getter]
    fn origin(&self) -> (f64, f64) {
        self.map.origin
    }
    /// The value read as a hole, or None.
    #[getter]
    fn nodata(&self) -> Option<f32> {
        self.map.nodata
    }
    /// Always "float32".
    #[getter]
    fn dtype(&self) -> &'static str {
        "float32"
    }
    /// Address of the first value.
    #[getter]
    fn ptr(&self) -> usize {
        self.map.values().as_ptr() as usize
    }
    /// True when the values are the caller's memory (not copied).
    #[getter]
    fn borrowed(&self) -> bool {
        self.map.values().origin() == Origin::Borrowed
    }

    /// Long x, y, z table, one row per cell (row-major, row 0 = north):
    /// a pyarrow.Table when pyarrow is installed, otherwise an object with
    /// ``__arrow_c_stream__``. z is the heightmap's memory (no copy), NaN for holes.
    fn to_table<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let stream = Bound::new(py, super::long_table::long_table(&self.map))?;
        match py.import("pyarrow") {
            Ok(pa) => pa.call_method1("table", (stream,)),
            Err(_) => Ok(stream.into_any()),
        }
    }

    /// (rows, cols) float32 view of the values. No copy.
    fn to_numpy(slf: Bound<'_, Self>) -> PyResult<Bound<'_, PyAny>> {
        let np = slf.py().import("numpy")?;
        np.call_method1("asarray", (slf,))
    }

    fn __repr__(&self) -> String {
        format!(
            "Heightmap(shape=({}, {}), spacing={:?}, origin={:?}, nodata={}, {})",
            self.map.rows(),
            self.map.cols(),
            self.map.spacing,
            self.map.origin,
            self.map
                .nodata
                .map_or_else(|| "None".to_string(), |v| v.to_string()),
            if self.borrowed() { "borrowed" } else { "owned" }
        )
    }
}
}

/// The `forge3d.heightmap` field metadata (JSON text) of an Arrow object
/// exporting `__arrow_c_schema__`, or None: what `forge3d.arrow.heightmap`
/// reads back.
#[pyfunction]
fn _arrow_heightmap_meta(obj: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    Ok(super::arrow_edge::schema_field("obj", obj)?
        .and_then(|f| f.metadata().get(ARROW_META_KEY).cloned()))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyHeightmap>()?;
    m.add_function(wrap_pyfunction!(_arrow_heightmap_meta, m)?)?;
    Ok(())
}
