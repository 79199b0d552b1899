//! A heightmap as a long x, y, z table, exported through
//! `__arrow_c_stream__` (`Heightmap.to_table()`).

use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, Float64Array, RecordBatch};
use arrow_buffer::ScalarBuffer;
use arrow_schema::{DataType, Field, Schema};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use pyo3_arrow::ffi::to_stream_pycapsule;

use crate::Heightmap;

/// A record batch exported through ``__arrow_c_stream__`` (Heightmap.to_table without pyarrow).
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
    m.add_class::<PyArrowStream>()
}
