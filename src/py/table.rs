//! Tables in: `terrain_from_table` over any `__arrow_c_stream__` producer.

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::ArrowError;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::args::one_or_pair as pair;
use super::heightmap::PyHeightmap;
use crate::grid::{self, Agg, Batches, Columns, Device, Fill, GridOptions};
use crate::memory::{DType, HostBuffer, Origin};
use crate::{Error, Heightmap};

fn reader(obj: &Bound<'_, PyAny>) -> PyResult<Box<dyn RecordBatchReader + Send>> {
    super::arrow_edge::import_reader("table", obj)
}

fn batches(r: Box<dyn RecordBatchReader + Send>) -> Batches<'static> {
    Box::new(r.map(|b| b.map_err(|e: ArrowError| Error::InvalidArgument(format!("table: {e}")))))
}

fn parse_fill(fill: Option<&Bound<'_, PyAny>>) -> PyResult<Fill> {
    let Some(f) = fill else { return Ok(Fill::Hole) };
    if f.is_none() {
        return Ok(Fill::Hole);
    }
    if let Ok(s) = f.extract::<String>() {
        return match s.as_str() {
            "nearest" => Ok(Fill::Nearest),
            other => Err(PyValueError::new_err(format!(
                "fill must be None, \"nearest\" or a number, got {other:?}"
            ))),
        };
    }
    let v: f64 = f
        .extract()
        .map_err(|_| PyTypeError::new_err("fill must be None, \"nearest\" or a number"))?;
    Ok(if v.is_nan() {
        Fill::Hole
    } else {
        Fill::Value(v as f32)
    })
}

/// `bounds`: four numbers (xmin, ymin, xmax, ymax), or None.
fn parse_bounds(b: Option<&Bound<'_, PyAny>>) -> PyResult<Option<(f64, f64, f64, f64)>> {
    let Some(b) = b else { return Ok(None) };
    if b.is_none() {
        return Ok(None);
    }
    let shown = || {
        b.repr()
            .map(|r| r.to_string())
            .unwrap_or_else(|_| "?".into())
    };
    let v: Vec<f64> = b.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "bounds must be four numbers (xmin, ymin, xmax, ymax), got {}",
            shown()
        ))
    })?;
    if v.len() != 4 {
        return Err(PyValueError::new_err(format!(
            "bounds must be four numbers (xmin, ymin, xmax, ymax), got {} numbers: {}",
            v.len(),
            shown()
        )));
    }
    Ok(Some((v[0], v[1], v[2], v[3])))
}

/// `threads`: an int in 1..=MAX_THREADS, or None.
fn parse_threads(t: Option<&Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
    let Some(t) = t else { return Ok(None) };
    if t.is_none() {
        return Ok(None);
    }
    let max = grid::MAX_THREADS;
    let shown = t
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| "?".into());
    let what = format!(
        "threads must be an int from 1 (one thread, the least CPU time) to {max}, or None (the \
         machine's cores, at most 8), got {shown}"
    );
    if t.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyTypeError::new_err(what));
    }
    match t.extract::<i64>() {
        Ok(n) if (1..=max as i64).contains(&n) => Ok(Some(n as usize)),
        // An int out of range (or past i64).
        Ok(_) => Err(PyValueError::new_err(what)),
        Err(_) if t.hasattr("__index__")? => Err(PyValueError::new_err(what)),
        Err(_) => Err(PyTypeError::new_err(what)),
    }
}

/// The grid options of `terrain_from_table`'s arguments, checked.
#[allow(clippy::too_many_arguments)]
pub(super) fn grid_options(
    resolution: Option<&Bound<'_, PyAny>>,
    shape: Option<&Bound<'_, PyAny>>,
    bounds: Option<&Bound<'_, PyAny>>,
    agg: &Bound<'_, PyAny>,
    fill: Option<&Bound<'_, PyAny>>,
    threads: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<GridOptions> {
    let agg = super::args::text(
        "agg",
        agg,
        "one of 'mean', 'min', 'max', 'first', 'last', 'count'",
    )?;
    let device = match device {
        Some(d) if !d.is_none() => Device::parse(&super::args::text(
            "device",
            d,
            "one of 'auto', 'cpu', 'gpu'",
        )?)?,
        _ => Device::Auto,
    };
    Ok(GridOptions {
        device,
        resolution: resolution.map(|r| pair("resolution", r)).transpose()?,
        shape: super::args::opt_shape("shape", shape)?,
        bounds: parse_bounds(bounds)?,
        threads: parse_threads(threads)?,
        agg: Agg::parse(&agg)?,
        fill: parse_fill(fill)?,
        ..Default::default()
    })
}

/// The x, y, z column names, checked.
pub(super) fn column_names(
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    z: &Bound<'_, PyAny>,
) -> PyResult<(String, String, String)> {
    const COLUMN: &str = "a column name of the table";
    Ok((
        super::args::text("x", x, COLUMN)?,
        super::args::text("y", y, COLUMN)?,
        super::args::text("z", z, COLUMN)?,
    ))
}

/// `run(open)` over the batches of `table` (any `__arrow_c_stream__`
/// producer), without the GIL: a one-shot reader is read once and its
/// batches kept for later passes; tables and relations are streamed again
/// on each `open()` (which takes the GIL to ask for the stream).
pub(super) fn with_batches<T: Send>(
    table: &Bound<'_, PyAny>,
    run: impl FnOnce(&mut dyn FnMut() -> crate::Result<Batches<'static>>) -> crate::Result<T> + Send,
) -> PyResult<T> {
    let py = table.py();
    if !table.hasattr("__arrow_c_stream__")? {
        return Err(PyTypeError::new_err(format!(
            "table must export __arrow_c_stream__ (a pandas, Polars or pyarrow table, a pyarrow \
             RecordBatchReader, a DuckDB relation, ...), got {}",
            table.get_type().name()?
        )));
    }
    let one_shot = table.hasattr("read_next_batch")?
        || table.get_type().name()?.to_string().contains("Reader");
    if one_shot {
        let kept: Vec<RecordBatch> = reader(table)?
            .collect::<Result<_, _>>()
            .map_err(|e| PyValueError::new_err(format!("table: {e}")))?;
        return Ok(py.detach(move || {
            run(&mut || Ok(Box::new(kept.clone().into_iter().map(Ok)) as Batches<'static>))
        })?);
    }
    let owner: Py<PyAny> = table.clone().unbind();
    Ok(py.detach(move || {
        run(&mut || {
            Python::attach(|py| reader(owner.bind(py)))
                .map(batches)
                .map_err(|e| Error::InvalidArgument(e.to_string()))
        })
    })?)
}

/// The info dict `terrain_from_table(return_info=True)` gives.
pub(super) fn grid_info<'py, V>(
    py: Python<'py>,
    result: &grid::GridResult<V>,
) -> PyResult<Bound<'py, PyDict>> {
    let info = PyDict::new(py);
    info.set_item("lattice", result.lattice)?;
    info.set_item("rows_read", result.rows_read)?;
    info.set_item("rows_skipped", result.rows_skipped)?;
    info.set_item("rows_outside", result.rows_outside)?;
    info.set_item("empty_cells", result.empty_cells)?;
    info.set_item("shape", (result.rows, result.cols))?;
    info.set_item("device", if result.gpu { "gpu" } else { "cpu" })?;
    Ok(info)
}

/// See forge3d.arrow.terrain_from_table.
#[pyfunction]
#[pyo3(signature = (table, x, y, z, *, resolution=None, shape=None, bounds=None, agg, fill=None, threads=None, device=None))]
#[allow(clippy::too_many_arguments)]
fn _terrain_from_table<'py>(
    py: Python<'py>,
    table: &Bound<'py, PyAny>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    z: &Bound<'py, PyAny>,
    resolution: Option<&Bound<'py, PyAny>>,
    shape: Option<&Bound<'py, PyAny>>,
    bounds: Option<&Bound<'py, PyAny>>,
    agg: &Bound<'py, PyAny>,
    fill: Option<&Bound<'py, PyAny>>,
    threads: Option<&Bound<'py, PyAny>>,
    device: Option<&Bound<'py, PyAny>>,
) -> PyResult<(PyHeightmap, Bound<'py, PyDict>)> {
    let (x, y, z) = column_names(x, y, z)?;
    let options = grid_options(resolution, shape, bounds, agg, fill, threads, device)?;
    let cols = Columns {
        x: &x,
        y: &y,
        z: &z,
    };
    let result = with_batches(table, |open| grid::grid(open, &cols, &options))?;
    let info = grid_info(py, &result)?;
    // The GPU's grid is the mapped readback memory it was copied into
    // (unless fill="nearest" filled a copy).
    let filled_copy =
        options.agg != Agg::Count && options.fill == Fill::Nearest && result.empty_cells > 0;
    let origin = if result.gpu && !filled_copy {
        Origin::MappedReadback
    } else {
        Origin::Rust
    };
    Ok((heightmap_of(result, origin)?, info))
}

/// The heightmap of a grid whose values live in `origin`'s memory.
pub(super) fn heightmap_of(
    result: grid::GridResult<arrow_buffer::Buffer>,
    origin: Origin,
) -> PyResult<PyHeightmap> {
    let values = HostBuffer::new(
        result.values,
        vec![result.rows, result.cols],
        DType::F32,
        origin,
    );
    let map = Heightmap::new(values, result.spacing, result.origin, None)?;
    Ok(PyHeightmap::from_map(map))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_terrain_from_table, m)?)?;
    Ok(())
}
