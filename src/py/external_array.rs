//! `forge3d.ExternalArray` (the object under `forge3d.interop.external_array()`;
//! `ExternalBuffer` is its former name, kept as an alias): memory forge3d owns (Rust-allocated, 64-byte
//! aligned, or a mapped upload buffer) that Python writes into, exported
//! without copying through the buffer protocol (NumPy, Taichi's ndarray
//! arguments, memoryview), the Arrow PyCapsule interface and DLPack.

use pyo3::exceptions::{PyMemoryError, PyTypeError, PyValueError};
use pyo3::prelude::*;

use super::exports::{pymethods_with_exports, Exported};
use crate::memory::alloc::AlignedBlock;
use crate::memory::{DType, HostBuffer, Origin};

pub fn origin_name(o: Origin) -> &'static str {
    match o {
        Origin::MappedReadback => "mapped_readback",
        Origin::MappedUpload => "mapped_upload",
        Origin::Rust => "rust",
        Origin::Borrowed => "borrowed",
    }
}

/// Writable memory forge3d allocated for the caller: Rust-allocated
/// (64-byte aligned, ``origin == "rust"``) or mapped GPU upload memory
/// (``"mapped_upload"``). ``ExternalBuffer`` is its former name, kept as
/// an alias.
///
/// NumPy sees it without a copy (``np.asarray(buf)``; arrays made by
/// ``forge3d.interop.external_array`` have it as ``base``), Arrow as an
/// ``arrow.fixed_shape_tensor`` (``pa.array(buf)``), DLPack consumers as a
/// CPU tensor (``np.from_dlpack(buf)``).
#[pyclass(name = "ExternalArray", module = "forge3d._forge3d", frozen)]
pub struct PyExternalArray {
    pub(crate) memory: HostBuffer,
}

pub fn dtype_from_name(name: &str) -> PyResult<DType> {
    Ok(match name {
        "float32" | "f4" | "<f4" | "=f4" | "f" => DType::F32,
        "uint8" | "u1" | "|u1" | "B" => DType::U8,
        "int32" | "i4" | "<i4" | "=i4" | "i" => DType::I32,
        "uint32" | "u4" | "<u4" | "=u4" | "I" => DType::U32,
        other => {
            return Err(PyTypeError::new_err(format!(
                "dtype {other:?} is not supported here; use float32 (vertex data), uint8 \
                 (colors), int32 or uint32 (indices)"
            )))
        }
    })
}

impl PyExternalArray {
    /// New Rust-allocated memory of `shape` and `dtype`; zeroed when `zero`.
    pub fn allocate(shape: Vec<usize>, dtype: DType, zero: bool) -> PyResult<Self> {
        let count = shape
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .and_then(|n| n.checked_mul(dtype.itemsize()))
            .filter(|&n| n <= isize::MAX as usize)
            .ok_or_else(|| PyValueError::new_err(format!("shape {shape:?} is too large")))?;
        let buffer = AlignedBlock::new("external_array", count, 1, zero)
            .map_err(|_| {
                PyMemoryError::new_err(format!(
                    "external_array: cannot allocate {count} bytes for shape {shape:?}"
                ))
            })?
            .freeze();
        Ok(Self {
            memory: HostBuffer::new(buffer, shape, dtype, Origin::Rust),
        })
    }

    /// `numpy.ndarray(shape, dtype, buffer=self)`: `base` is this object.
    pub fn to_numpy(slf: Bound<'_, Self>) -> PyResult<Bound<'_, PyAny>> {
        let py = slf.py();
        let np = py.import("numpy")?;
        let shape = slf.get().memory.shape().to_vec();
        let dtype = np.getattr(slf.get().memory.dtype().name())?;
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("buffer", slf)?;
        np.getattr("ndarray")?.call((shape, dtype), Some(&kwargs))
    }
}

impl Exported for PyExternalArray {
    const FIELD: &'static str = "values";
    fn memory(&self) -> &HostBuffer {
        &self.memory
    }
    fn readonly(&self) -> bool {
        false
    }
}

pymethods_with_exports! {
impl PyExternalArray {
    /// The array's shape.
    #[getter]
    fn shape(&self) -> Vec<usize> {
        self.memory.shape().to_vec()
    }
    /// "float32", "uint8", "int32" or "uint32".
    #[getter]
    fn dtype(&self) -> &'static str {
        self.memory.dtype().name()
    }
    /// Size in bytes.
    #[getter]
    fn nbytes(&self) -> usize {
        self.memory.len_bytes()
    }
    /// Address of the first byte.
    #[getter]
    fn ptr(&self) -> usize {
        self.memory.as_ptr() as usize
    }
    /// "rust" (allocated by forge3d), "mapped_upload" (GPU upload memory) or
    /// "mapped_readback" (a mesh attribute read back with ``read_vertices`` and the like).
    #[getter]
    fn origin(&self) -> &'static str {
        origin_name(self.memory.origin())
    }
    /// A NumPy view of the memory; ``.base`` is this object. No copy.
    #[pyo3(name = "to_numpy")]
    fn to_numpy_py(slf: Bound<'_, Self>) -> PyResult<Bound<'_, PyAny>> {
        Self::to_numpy(slf)
    }

    fn __repr__(&self) -> String {
        format!(
            "ExternalArray(shape={:?}, dtype={}, origin={})",
            self.memory.shape(),
            self.memory.dtype().name(),
            self.origin()
        )
    }
}
}

/// `external_array(shape, dtype="float32", zero=False)` as a NumPy array
/// over a new [`PyExternalArray`].
#[pyfunction]
#[pyo3(signature = (shape, dtype="float32", zero=false))]
fn _external_array<'py>(
    py: Python<'py>,
    shape: Vec<usize>,
    dtype: &str,
    zero: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let buf = PyExternalArray::allocate(shape, dtype_from_name(dtype)?, zero)?;
    PyExternalArray::to_numpy(Bound::new(py, buf)?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyExternalArray>()?;
    // The former name, so existing code keeps working.
    m.add("ExternalBuffer", m.getattr("ExternalArray")?)?;
    m.add_function(wrap_pyfunction!(_external_array, m)?)?;
    Ok(())
}
