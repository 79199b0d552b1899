//! Partial grids from Python: the steps `forge3d.dask.terrain_from_table`
//! runs on a table's parts (see `grid::partial`). Extent passes and
//! geometries cross processes as tuples; partial accumulators as
//! `_GridPartial` objects that pickle over their memory (protocol 5: out of
//! band, no copy).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use super::exports::{pymethods_with_exports, Exported};
use super::heightmap::PyHeightmap;
use super::table::{column_names, grid_info, grid_options, heightmap_of, with_batches};
use crate::grid::partial::{self, Partial};
use crate::grid::{Agg, Columns, Geometry, GridOptions, Scan};
use crate::memory::{DType, HostBuffer, Origin};

type ScanTuple = (usize, usize, usize, f64, f64, f64, f64, f64, f64);
type GeometryTuple = (
    usize,
    usize,
    f64,
    f64,
    f64,
    f64,
    bool,
    Option<(f64, f64, f64, f64)>,
);

fn scan_tuple(s: &Scan) -> ScanTuple {
    (
        s.n, s.skipped, s.outside, s.xmin, s.xmax, s.ymin, s.ymax, s.x2, s.y2,
    )
}

fn scan_of(t: ScanTuple) -> Scan {
    let (n, skipped, outside, xmin, xmax, ymin, ymax, x2, y2) = t;
    Scan {
        n,
        skipped,
        outside,
        xmin,
        xmax,
        ymin,
        ymax,
        x2,
        y2,
    }
}

fn geometry_tuple(g: &Geometry) -> GeometryTuple {
    (g.rows, g.cols, g.x0, g.y0, g.dx, g.dy, g.lattice, g.clip)
}

fn geometry_of(t: GeometryTuple) -> PyResult<Geometry> {
    let (rows, cols, x0, y0, dx, dy, lattice, clip) = t;
    let g = Geometry {
        rows,
        cols,
        x0,
        y0,
        dx,
        dy,
        lattice,
        clip,
    };
    partial::check_geometry(&g)?;
    Ok(g)
}

/// The accumulators of some rows of a table (see `grid::partial`). The
/// step that continues or merges them takes them over (no copy when this
/// object is their only holder); it is then consumed.
#[pyclass(name = "_GridPartial", module = "forge3d._forge3d", frozen)]
pub struct PyGridPartial {
    agg: Agg,
    cells: usize,
    data: parking_lot::Mutex<Option<arrow_buffer::Buffer>>,
    rows_read: usize,
    skipped: usize,
    outside: usize,
}

impl PyGridPartial {
    fn new(p: Partial) -> Self {
        Self {
            agg: p.agg,
            cells: p.cells,
            data: parking_lot::Mutex::new(Some(p.data)),
            rows_read: p.rows_read,
            skipped: p.skipped,
            outside: p.outside,
        }
    }

    fn with(&self, data: arrow_buffer::Buffer) -> Partial {
        Partial {
            agg: self.agg,
            cells: self.cells,
            data,
            rows_read: self.rows_read,
            skipped: self.skipped,
            outside: self.outside,
        }
    }

    fn consumed_error() -> PyErr {
        pyo3::exceptions::PyRuntimeError::new_err(
            "this partial grid was consumed by the step that continued or merged it; compute it \
             again",
        )
    }

    /// The accumulators, shared with this object.
    fn partial(&self) -> PyResult<Partial> {
        let data = self.data.lock().clone().ok_or_else(Self::consumed_error)?;
        Ok(self.with(data))
    }

    /// The accumulators, taken over: this object is consumed.
    fn take(&self) -> PyResult<Partial> {
        let data = self.data.lock().take().ok_or_else(Self::consumed_error)?;
        Ok(self.with(data))
    }

    fn nbytes_now(&self) -> usize {
        self.data.lock().as_ref().map_or(0, |d| d.len())
    }
}

/// A partial grid's accumulators as bytes, for its pickle's out-of-band
/// buffer.
#[pyclass(name = "_PartialBytes", module = "forge3d._forge3d", frozen)]
pub struct PyPartialBytes {
    memory: HostBuffer,
}

impl Exported for PyPartialBytes {
    const FIELD: &'static str = "partial";
    fn memory(&self) -> &HostBuffer {
        &self.memory
    }
    fn readonly(&self) -> bool {
        true
    }
}

pymethods_with_exports! {
impl PyPartialBytes {
    /// Bytes of accumulators.
    #[getter]
    fn nbytes(&self) -> usize {
        self.memory.len_bytes()
    }
}
}

fn agg_name(agg: Agg) -> &'static str {
    match agg {
        Agg::Mean => "mean",
        Agg::Min => "min",
        Agg::Max => "max",
        Agg::First => "first",
        Agg::Last => "last",
        Agg::Count => "count",
    }
}

#[pymethods]
impl PyGridPartial {
    /// Rows read into this partial (valid or not).
    #[getter]
    fn rows_read(&self) -> usize {
        self.rows_read
    }
    /// Bytes of accumulators (0 once consumed).
    #[getter]
    fn nbytes(&self) -> usize {
        self.nbytes_now()
    }
    /// True once a later step took the accumulators over.
    #[getter]
    fn consumed(&self) -> bool {
        self.data.lock().is_none()
    }

    /// The object's size with its accumulators (what Dask's ``sizeof``
    /// and memory accounting read).
    fn __sizeof__(&self) -> usize {
        std::mem::size_of::<Self>() + self.nbytes_now()
    }

    /// Pickles over the accumulators (protocol 5: an out-of-band
    /// ``PickleBuffer``, no copy; older protocols: one recorded copy).
    fn __reduce_ex__<'py>(slf: &Bound<'py, Self>, protocol: i64) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let rebuild = py
            .import("forge3d._forge3d")?
            .getattr("_grid_partial_from_pickle")?;
        let p = slf.get();
        let data = p.partial()?.data;
        let len = data.len();
        let memory = HostBuffer::new(data, vec![len], DType::U8, Origin::Rust);
        let bytes = Bound::new(py, PyPartialBytes { memory })?;
        let memory = &bytes.get().memory;
        let payload = super::pickling::payload(bytes.as_any(), memory, protocol, "_GridPartial")?;
        let args = (
            payload,
            agg_name(p.agg),
            p.cells,
            p.rows_read,
            p.skipped,
            p.outside,
        );
        (rebuild, args).into_pyobject(py)
    }

    fn __repr__(&self) -> String {
        format!(
            "_GridPartial(agg={}, cells={}, rows_read={}{})",
            agg_name(self.agg),
            self.cells,
            self.rows_read,
            if self.data.lock().is_none() {
                ", consumed"
            } else {
                ""
            }
        )
    }
}

#[pyfunction]
fn _grid_partial_from_pickle(
    data: &Bound<'_, PyAny>,
    agg: &str,
    cells: usize,
    rows_read: usize,
    skipped: usize,
    outside: usize,
) -> PyResult<PyGridPartial> {
    let agg = Agg::parse(agg)?;
    let per = Partial::cell_bytes(agg);
    let len = cells
        .checked_mul(per)
        .ok_or_else(|| pyo3::exceptions::PyValueError::new_err("_GridPartial: too many cells"))?;
    let (memory, _) =
        super::pickling::borrow("_GridPartial", data, vec![len], DType::U8, per.min(8))?;
    Ok(PyGridPartial {
        agg,
        cells,
        data: parking_lot::Mutex::new(Some(memory.buffer().clone())),
        rows_read,
        skipped,
        outside,
    })
}

/// Options of the partial steps (no device: parts are binned on the CPU).
#[allow(clippy::too_many_arguments)]
fn options(
    resolution: Option<&Bound<'_, PyAny>>,
    shape: Option<&Bound<'_, PyAny>>,
    bounds: Option<&Bound<'_, PyAny>>,
    agg: &Bound<'_, PyAny>,
    fill: Option<&Bound<'_, PyAny>>,
    threads: Option<&Bound<'_, PyAny>>,
) -> PyResult<GridOptions> {
    grid_options(resolution, shape, bounds, agg, fill, threads, None)
}

/// Checks the options (before any part is read).
#[pyfunction]
#[pyo3(signature = (*, resolution=None, shape=None, bounds=None, agg, fill=None, threads=None))]
fn _grid_check(
    resolution: Option<&Bound<'_, PyAny>>,
    shape: Option<&Bound<'_, PyAny>>,
    bounds: Option<&Bound<'_, PyAny>>,
    agg: &Bound<'_, PyAny>,
    fill: Option<&Bound<'_, PyAny>>,
    threads: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    Ok(partial::check(&options(
        resolution, shape, bounds, agg, fill, threads,
    )?)?)
}

/// The extent pass of one part, or None when the options need none.
#[pyfunction]
#[pyo3(signature = (table, x, y, z, *, resolution=None, shape=None, bounds=None, agg, threads=None))]
#[allow(clippy::too_many_arguments)]
fn _grid_scan(
    table: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    z: &Bound<'_, PyAny>,
    resolution: Option<&Bound<'_, PyAny>>,
    shape: Option<&Bound<'_, PyAny>>,
    bounds: Option<&Bound<'_, PyAny>>,
    agg: &Bound<'_, PyAny>,
    threads: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<ScanTuple>> {
    let (x, y, z) = column_names(x, y, z)?;
    let o = options(resolution, shape, bounds, agg, None, threads)?;
    let c = Columns {
        x: &x,
        y: &y,
        z: &z,
    };
    let s = with_batches(table, |open| partial::scan_part(open()?, &c, &o))?;
    Ok(s.as_ref().map(scan_tuple))
}

/// The extent passes of the parts, merged.
#[pyfunction]
fn _grid_merge_scans(scans: Vec<ScanTuple>) -> ScanTuple {
    let scans: Vec<Scan> = scans.into_iter().map(scan_of).collect();
    scan_tuple(&partial::merge_scans(&scans))
}

/// The geometry from the merged extent pass (None when none was needed).
#[pyfunction]
#[pyo3(signature = (scan, *, resolution=None, shape=None, bounds=None, agg, lattice))]
fn _grid_geometry(
    scan: Option<ScanTuple>,
    resolution: Option<&Bound<'_, PyAny>>,
    shape: Option<&Bound<'_, PyAny>>,
    bounds: Option<&Bound<'_, PyAny>>,
    agg: &Bound<'_, PyAny>,
    lattice: bool,
) -> PyResult<GeometryTuple> {
    let o = options(resolution, shape, bounds, agg, None, None)?;
    let s = scan.map(scan_of);
    Ok(geometry_tuple(&partial::geometry_part(
        s.as_ref(),
        &o,
        lattice,
    )?))
}

/// One part binned over `geometry`, continuing `prev` (the partial of the
/// parts before it, or None): a _GridPartial, or None when a point lies off
/// a lattice geometry.
#[pyfunction]
#[pyo3(signature = (prev, table, x, y, z, geometry, *, resolution=None, shape=None, bounds=None, agg, threads=None))]
#[allow(clippy::too_many_arguments)]
fn _grid_bin(
    prev: Option<&Bound<'_, PyGridPartial>>,
    table: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    z: &Bound<'_, PyAny>,
    geometry: GeometryTuple,
    resolution: Option<&Bound<'_, PyAny>>,
    shape: Option<&Bound<'_, PyAny>>,
    bounds: Option<&Bound<'_, PyAny>>,
    agg: &Bound<'_, PyAny>,
    threads: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<PyGridPartial>> {
    let (x, y, z) = column_names(x, y, z)?;
    let o = options(resolution, shape, bounds, agg, None, threads)?;
    let g = geometry_of(geometry)?;
    let c = Columns {
        x: &x,
        y: &y,
        z: &z,
    };
    let prev = prev.map(|p| p.get().take()).transpose()?;
    let p = with_batches(table, |open| partial::bin_part(prev, open()?, &c, &o, &g))?;
    Ok(p.map(PyGridPartial::new))
}

/// Two partials merged, `a`'s rows first.
#[pyfunction]
fn _grid_merge(
    py: Python<'_>,
    a: &Bound<'_, PyGridPartial>,
    b: &Bound<'_, PyGridPartial>,
) -> PyResult<PyGridPartial> {
    let b = b.get().partial()?;
    let a = a.get().take()?;
    let merged = py.detach(|| partial::merge_parts(a, &b))?;
    Ok(PyGridPartial::new(merged))
}

/// The heightmap (and info) of the merged partial.
#[pyfunction]
#[pyo3(signature = (part, geometry, scan, *, resolution=None, shape=None, bounds=None, agg, fill=None))]
#[allow(clippy::too_many_arguments)]
fn _grid_finish<'py>(
    py: Python<'py>,
    part: &Bound<'py, PyGridPartial>,
    geometry: GeometryTuple,
    scan: Option<ScanTuple>,
    resolution: Option<&Bound<'py, PyAny>>,
    shape: Option<&Bound<'py, PyAny>>,
    bounds: Option<&Bound<'py, PyAny>>,
    agg: &Bound<'py, PyAny>,
    fill: Option<&Bound<'py, PyAny>>,
) -> PyResult<(PyHeightmap, Bound<'py, PyDict>)> {
    let o = options(resolution, shape, bounds, agg, fill, None)?;
    let g = geometry_of(geometry)?;
    let s = scan.map(scan_of);
    let p = part.get().take()?;
    let result = py.detach(|| partial::finish_parts(p, &g, &o, s.as_ref()))?;
    let info = grid_info(py, &result)?;
    Ok((heightmap_of(result, Origin::Rust)?, info))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGridPartial>()?;
    m.add_class::<PyPartialBytes>()?;
    m.add_function(wrap_pyfunction!(_grid_partial_from_pickle, m)?)?;
    m.add_function(wrap_pyfunction!(_grid_check, m)?)?;
    m.add_function(wrap_pyfunction!(_grid_scan, m)?)?;
    m.add_function(wrap_pyfunction!(_grid_merge_scans, m)?)?;
    m.add_function(wrap_pyfunction!(_grid_geometry, m)?)?;
    m.add_function(wrap_pyfunction!(_grid_bin, m)?)?;
    m.add_function(wrap_pyfunction!(_grid_merge, m)?)?;
    m.add_function(wrap_pyfunction!(_grid_finish, m)?)?;
    Ok(())
}
