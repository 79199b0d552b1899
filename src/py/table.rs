//! Tables in and out: `terrain_from_table` over any `__arrow_c_stream__`
//! producer, and a heightmap as a long x, y, z table.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, Float64Array, RecordBatch, RecordBatchReader};
use arrow_buffer::ScalarBuffer;
use arrow_schema::{ArrowError, DataType, Field, Schema};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};
use pyo3_arrow::ffi::to_stream_pycapsule;

use super::errors::{to_py, IntoPy};
use super::heightmap::{pair, PyHeightmap};
use crate::grid::{self, Agg, Batches, Columns, Fill, GridOptions};
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

/// Grids the x, y, z columns of `table` into a Heightmap; returns it with a
/// dict of what was found (lattice, rows_read, rows_skipped, empty_cells).
#[pyfunction]
#[pyo3(signature = (table, x, y, z, *, resolution=None, shape=None, agg, fill=None))]
#[allow(clippy::too_many_arguments)]
fn _terrain_from_table<'py>(
    py: Python<'py>,
    table: &Bound<'py, PyAny>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    z: &Bound<'py, PyAny>,
    resolution: Option<&Bound<'py, PyAny>>,
    shape: Option<&Bound<'py, PyAny>>,
    agg: &Bound<'py, PyAny>,
    fill: Option<&Bound<'py, PyAny>>,
) -> PyResult<(PyHeightmap, Bound<'py, PyDict>)> {
    const COLUMN: &str = "a column name of the table";
    let (x, y, z) = (
        super::args::text("x", x, COLUMN)?,
        super::args::text("y", y, COLUMN)?,
        super::args::text("z", z, COLUMN)?,
    );
    let agg = super::args::text(
        "agg",
        agg,
        "one of 'mean', 'min', 'max', 'first', 'last', 'count'",
    )?;
    let options = GridOptions {
        resolution: resolution.map(|r| pair("resolution", r)).transpose()?,
        shape: super::args::opt_shape("shape", shape)?,
        agg: Agg::parse(&agg).py_err()?,
        fill: parse_fill(fill)?,
        ..Default::default()
    };
    let cols = Columns {
        x: &x,
        y: &y,
        z: &z,
    };
    if !table.hasattr("__arrow_c_stream__")? {
        return Err(PyTypeError::new_err(format!(
            "table must export __arrow_c_stream__ (a pandas, Polars or pyarrow table, a pyarrow \
             RecordBatchReader, a DuckDB relation, ...), got {}",
            table.get_type().name()?
        )));
    }
    // A one-shot reader is read once and its batches kept for the second
    // pass; tables and relations are streamed twice.
    let one_shot = table.hasattr("read_next_batch")?
        || table.get_type().name()?.to_string().contains("Reader");
    let result = if one_shot {
        let kept: Vec<RecordBatch> = reader(table)?
            .collect::<Result<_, _>>()
            .map_err(|e| PyValueError::new_err(format!("table: {e}")))?;
        grid::grid_from_batches(
            || Ok(Box::new(kept.clone().into_iter().map(Ok)) as Batches<'_>),
            &cols,
            &options,
        )
    } else {
        grid::grid_from_batches(
            || {
                reader(table)
                    .map(batches)
                    .map_err(|e| Error::InvalidArgument(e.to_string()))
            },
            &cols,
            &options,
        )
    }
    .map_err(to_py)?;
    let info = PyDict::new(py);
    info.set_item("lattice", result.lattice)?;
    info.set_item("rows_read", result.rows_read)?;
    info.set_item("rows_skipped", result.rows_skipped)?;
    info.set_item("empty_cells", result.empty_cells)?;
    info.set_item("shape", (result.rows, result.cols))?;
    let values = HostBuffer::new(
        arrow_buffer::Buffer::from_vec(result.values),
        vec![result.rows, result.cols],
        DType::F32,
        Origin::Rust,
    );
    let map = Heightmap::new(values, result.spacing, result.origin, None).py_err()?;
    Ok((PyHeightmap::from_map(map), info))
}

/// A record batch exported through `__arrow_c_stream__`.
#[pyclass(name = "ArrowStream", module = "forge3d._forge3d", frozen)]
pub struct PyArrowStream {
    batch: RecordBatch,
}

#[pymethods]
impl PyArrowStream {
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let schema = self.batch.schema();
        let field = Arc::new(Field::new_struct("", schema.fields().clone(), false));
        let array: ArrayRef = Arc::new(arrow_array::StructArray::from(self.batch.clone()));
        let reader = pyo3_arrow::ffi::ArrayIterator::new(std::iter::once(Ok(array)), field);
        Ok(to_stream_pycapsule(py, Box::new(reader), requested_schema)?)
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }
}

/// The heightmap as x, y, z columns, one row per cell (row-major); z is the
/// heightmap's memory (no copy), NaN where there is a hole.
pub fn long_table(map: &Heightmap) -> PyArrowStream {
    let (rows, cols) = (map.rows(), map.cols());
    let (dx, dy) = map.spacing;
    let (x0, y0) = map.origin;
    let n = rows * cols;
    let xs: Vec<f64> = (0..n).map(|k| x0 + (k % cols) as f64 * dx).collect();
    let ys: Vec<f64> = (0..n)
        .map(|k| y0 + (rows - 1 - k / cols) as f64 * dy)
        .collect();
    let z = Float32Array::new(ScalarBuffer::new(map.values().buffer().clone(), 0, n), None);
    let schema = Arc::new(Schema::new(vec![
        Field::new("x", DataType::Float64, false),
        Field::new("y", DataType::Float64, false),
        Field::new("z", DataType::Float32, false),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Float64Array::from(xs)),
            Arc::new(Float64Array::from(ys)),
            Arc::new(z),
        ],
    )
    // cannot panic: three non-null columns of the schema's types and length n.
    .expect("columns match the schema");
    PyArrowStream { batch }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_terrain_from_table, m)?)?;
    m.add_class::<PyArrowStream>()?;
    Ok(())
}
