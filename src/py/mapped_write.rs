//! `forge3d.MappedWrite`: the `with mesh.write_vertices() as v:` block. It
//! lends Python a NumPy view of upload memory, commits it on exit, and keeps
//! the memory alive for as long as any view of it lives.

use std::panic::RefUnwindSafe;
use std::ptr::NonNull;
use std::sync::Arc;

use parking_lot::Mutex;

use arrow_buffer::Buffer;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use super::external_array::PyExternalArray;
use crate::memory::{DType, HostBuffer, Origin};
use crate::render::{Attribute, MappedWrite, Mesh};

/// Keeps a mapped write's memory alive for every Python object over it.
struct KeepWrite(MappedWrite);
// SAFETY: the memory is plain bytes; the staged upload guards its own state.
unsafe impl Send for KeepWrite {}
unsafe impl Sync for KeepWrite {}
impl RefUnwindSafe for KeepWrite {}

enum Block {
    Unopened,
    Open {
        keep: Arc<KeepWrite>,
        array: Py<PyAny>,
    },
    Closed,
}

/// Context manager returned by ``write_vertices()`` (and ``write_normals``,
/// ``write_colors``, ``write_scalars``, ``write_positions``).
///
/// ``with mesh.write_vertices() as v:`` yields a float32 NumPy array of shape
/// (N, components) ((N,) for scalars) over mapped GPU upload memory
/// (``v.base.origin == "mapped_upload"`` on Vulkan and Metal); write every
/// row inside the block (the previous contents are undefined). On leaving
/// the block the data becomes the attribute with 0 CPU copies, and ``v``
/// turns read-only: writes after the block raise ``ValueError`` instead of
/// silently never reaching the GPU. The memory stays valid while ``v``
/// lives, so stale views never crash. If the block raises, nothing is
/// uploaded. Bounds (for the default camera) are not recomputed from mapped
/// writes. On other backends the view is host memory copied once at exit
/// (recorded in the ledger).
#[pyclass(name = "MappedWrite", module = "forge3d._forge3d", frozen)]
pub struct PyMappedWrite {
    mesh: Arc<Mesh>,
    attr: Attribute,
    /// The block's name in messages: `write_{name}()`.
    name: &'static str,
    block: Mutex<Block>,
}

impl PyMappedWrite {
    pub fn new(mesh: Arc<Mesh>, attr: Attribute, name: &'static str) -> Self {
        Self {
            mesh,
            attr,
            name,
            block: Mutex::new(Block::Unopened),
        }
    }
}

#[pymethods]
impl PyMappedWrite {
    fn __enter__<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let this = slf.get();
        let mut block = this.block.lock();
        if !matches!(*block, Block::Unopened) {
            return Err(PyRuntimeError::new_err(format!(
                "this write_{}() block was already used; call write_{}() again for a new one",
                this.name, this.name
            )));
        }
        let mut write = this.mesh.map_write(this.attr)?;
        let mapped = write.is_mapped();
        let ptr = write.as_mut_ptr();
        let n = this.mesh.vertex_count() as usize;
        let comps = this.attr.components();
        let len = n * comps * 4;
        let keep = Arc::new(KeepWrite(write));
        let ptr = NonNull::new(ptr).unwrap_or(NonNull::dangling());
        // SAFETY: `ptr..ptr+len` is the write's memory (mapped upload memory
        // that stays valid while its buffer lives, or a boxed slice), kept
        // alive by `keep` for as long as the Buffer exists.
        let buffer = unsafe { Buffer::from_custom_allocation(ptr, len, keep.clone()) };
        let shape = if comps == 1 { vec![n] } else { vec![n, comps] };
        let memory = HostBuffer::new(
            buffer,
            shape,
            DType::F32,
            if mapped {
                Origin::MappedUpload
            } else {
                Origin::Rust
            },
        );
        let array = PyExternalArray::to_numpy(Bound::new(py, PyExternalArray { memory })?)?;
        *block = Block::Open {
            keep,
            array: array.clone().unbind(),
        };
        Ok(array)
    }

    #[pyo3(signature = (exc_type=None, _exc=None, _tb=None))]
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Option<Bound<'_, PyAny>>,
        _exc: Option<Bound<'_, PyAny>>,
        _tb: Option<Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let state = std::mem::replace(&mut *self.block.lock(), Block::Closed);
        let Block::Open { keep, array } = state else {
            return Err(PyRuntimeError::new_err(format!(
                "write_{}(): __exit__ without __enter__",
                self.name
            )));
        };
        // Writes after the block would not reach the GPU: make them fail.
        array
            .bind(py)
            .getattr("flags")?
            .setattr("writeable", false)?;
        if exc_type.is_none_or(|e| e.is_none()) {
            self.mesh.commit_named(self.attr, self.name, &keep.0)?;
        }
        Ok(false)
    }
}
