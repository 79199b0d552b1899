//! `forge3d.Mesh`: argument checking, GIL release and mapped-write blocks
//! around the core mesh (`render::mesh`); the methods it shares with
//! `forge3d.Points` (py/points.rs) are the `mesh_methods!` macro.

use std::sync::Arc;

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;

use super::args;
use super::attr_in::{self, AttrInput};
use super::mapped_write::PyMappedWrite;
use crate::gpu::GpuContext;
use crate::render::mesh::primitives::Geometry;
use crate::render::{Attribute, AttributeData, Mesh};

/// Below this many bytes a copy is quicker than releasing the GIL.
const DETACH_BYTES: usize = 1 << 20;

fn rows_of(data: &AttributeData<'_>, comps: usize) -> usize {
    match data {
        AttributeData::F32(d) => d.len() / comps,
        AttributeData::Unorm8(d) => d.len() / 4,
        AttributeData::Columns(c) => c.first().map_or(0, |c| c.len()),
    }
}

fn bytes_of(data: &AttributeData<'_>) -> usize {
    match data {
        AttributeData::F32(d) => d.len() * 4,
        AttributeData::Unorm8(d) => d.len(),
        AttributeData::Columns(c) => c.iter().map(|c| c.len() * 4).sum(),
    }
}

fn upload(
    py: Python<'_>,
    mesh: &Mesh,
    attr: Attribute,
    name: &str,
    input: &AttrInput,
) -> PyResult<()> {
    let data = input.data();
    if bytes_of(&data) < DETACH_BYTES {
        Ok(mesh.set_named(attr, name, data)?)
    } else {
        Ok(py.detach(|| mesh.set_named(attr, name, data))?)
    }
}

/// Uploads `obj` as `attr`; `name` is the caller's argument (messages
/// start with it).
pub(super) fn set_attribute(
    py: Python<'_>,
    mesh: &Mesh,
    attr: Attribute,
    name: &str,
    obj: &Bound<'_, PyAny>,
    copy: Option<bool>,
) -> PyResult<()> {
    let input = attr_in::attribute(attr, name, obj, copy, &|rows| {
        mesh.check_input_rows(name, rows)
    })?;
    upload(py, mesh, attr, name, &input)
}

fn set_indices(mesh: &Mesh, obj: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    match obj {
        None => Ok(mesh.set_indices(None)?),
        Some(o) => {
            let idx = attr_in::indices(o, &|len| mesh.check_index_count(len))?;
            Ok(mesh.set_indices(Some(idx.as_slice()))?)
        }
    }
}

pub(super) fn vertex_count(v: &Bound<'_, PyAny>) -> PyResult<u32> {
    let n: i128 = v
        .extract()
        .map_err(|_| PyTypeError::new_err(format!("n must be an integer vertex count, got {v}")))?;
    u32::try_from(n).map_err(|_| {
        PyValueError::new_err(format!("n must be between 0 and {}, got {n}", u32::MAX))
    })
}

/// A new mesh sized by `positions` (which it uploads); `name` is the
/// argument's name ("vertices" for a mesh, "positions" for a point set).
pub(super) fn mesh_from(
    py: Python<'_>,
    name: &'static str,
    positions: &Bound<'_, PyAny>,
    copy: Option<bool>,
) -> PyResult<Arc<Mesh>> {
    let ctx = py.detach(GpuContext::shared)?;
    let input = attr_in::attribute(Attribute::Positions, name, positions, copy, &|rows| {
        Mesh::check_vertex_count(&ctx, rows, name).map(|_| ())
    })?;
    let n = Mesh::check_vertex_count(&ctx, rows_of(&input.data(), 3), name)?;
    let mesh = Mesh::new(ctx, n)?;
    upload(py, &mesh, Attribute::Positions, name, &input)?;
    Ok(Arc::new(mesh))
}

pub(super) fn bounds_tuple(mesh: &Mesh) -> Option<((f32, f32, f32), (f32, f32, f32))> {
    mesh.bounds().map(|b| {
        (
            (b.min[0], b.min[1], b.min[2]),
            (b.max[0], b.max[1], b.max[2]),
        )
    })
}

/// `attr` read back into readback memory, or ValueError when never given.
pub(super) fn read_attribute(
    py: Python<'_>,
    mesh: &Arc<Mesh>,
    attr: Attribute,
) -> PyResult<super::external_array::PyExternalArray> {
    let m = mesh.clone();
    match py.detach(move || m.read(attr))? {
        Some(memory) => Ok(super::external_array::PyExternalArray { memory }),
        None => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "this mesh has no {} yet; set them first (set_{})",
            attr.name(),
            attr.name()
        ))),
    }
}

/// `#[pymethods]` of a mesh-like class: the shared setters plus `$body`.
macro_rules! mesh_methods {
    ($ty:ty, { $($body:tt)* }) => {
        #[pymethods]
        impl $ty {
            $($body)*

            /// Vertices (rows); ``len(obj)`` is the same.
            #[getter]
            fn vertex_count(&self) -> u32 {
                self.mesh.vertex_count()
            }
            fn __len__(&self) -> usize {
                self.mesh.vertex_count() as usize
            }
            /// ((xmin, ymin, zmin), (xmax, ymax, zmax)) of the positions last set with a copy (None before, or after resize).
            #[getter]
            fn bounds(&self) -> Option<((f32, f32, f32), (f32, f32, f32))> {
                bounds_tuple(&self.mesh)
            }
            /// "float32", "uint8" (read as unorm on the GPU) or None (no colors).
            #[getter]
            fn color_format(&self) -> Option<&'static str> {
                self.mesh.color_format().map(|f| match f {
                    crate::render::ColorFormat::F32 => "float32",
                    crate::render::ColorFormat::Unorm8 => "uint8",
                })
            }
            /// Names of the attributes given so far ("positions", "normals", "texcoords", "colors", "scalars", "indices").
            #[getter]
            fn attributes(&self) -> Vec<&'static str> {
                Attribute::ALL
                    .into_iter()
                    .filter(|a| self.mesh.has(*a))
                    .map(|a| match a {
                        Attribute::Positions => Self::POSITIONS,
                        other => other.name(),
                    })
                    .collect()
            }
            /// (min, max) of the scalars last set with a copy, or None.
            #[getter]
            fn scalar_range(&self) -> Option<(f32, f32)> {
                self.mesh.scalar_range()
            }

            /// Replaces the positions: (N, 3) float32, one copy (see the class docstring).
            #[pyo3(signature = (vertices, *, copy=None))]
            fn set_vertices(
                &self,
                py: Python<'_>,
                vertices: &Bound<'_, PyAny>,
                copy: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<()> {
                let copy = args::opt_flag("copy", copy)?;
                self.check_dynamic()?;
                set_attribute(py, &self.mesh, Attribute::Positions, "vertices", vertices, copy)
            }
            /// float32 (N, 4) in [0, 1], or uint8 (N, 4) kept as uint8 on the GPU (unorm).
            #[pyo3(signature = (colors, *, copy=None))]
            fn set_colors(
                &self,
                py: Python<'_>,
                colors: &Bound<'_, PyAny>,
                copy: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<()> {
                let copy = args::opt_flag("copy", copy)?;
                self.check_dynamic()?;
                set_attribute(py, &self.mesh, Attribute::Colors, "colors", colors, copy)
            }
            /// One float32 value per vertex, drawn through a colormap (style "scalars", or "points" with a colormap).
            #[pyo3(signature = (scalars, *, copy=None))]
            fn set_scalars(
                &self,
                py: Python<'_>,
                scalars: &Bound<'_, PyAny>,
                copy: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<()> {
                let copy = args::opt_flag("copy", copy)?;
                self.check_dynamic()?;
                set_attribute(py, &self.mesh, Attribute::Scalars, "scalars", scalars, copy)
            }
            /// The positions as the GPU holds them now: an (N, 3) float32 ExternalArray over readback memory (one GPU copy, no CPU copy).
            fn read_vertices(&self, py: Python<'_>) -> PyResult<super::external_array::PyExternalArray> {
                read_attribute(py, &self.mesh, Attribute::Positions)
            }
            /// The normals as the GPU holds them: (N, 3) float32 (see ``read_vertices``).
            fn read_normals(&self, py: Python<'_>) -> PyResult<super::external_array::PyExternalArray> {
                read_attribute(py, &self.mesh, Attribute::Normals)
            }
            /// The texture coordinates: (N, 2) float32 (see ``read_vertices``).
            fn read_texcoords(&self, py: Python<'_>) -> PyResult<super::external_array::PyExternalArray> {
                read_attribute(py, &self.mesh, Attribute::Texcoords)
            }
            /// The colours: (N, 4) float32, or uint8 when set as uint8 (see ``read_vertices``).
            fn read_colors(&self, py: Python<'_>) -> PyResult<super::external_array::PyExternalArray> {
                read_attribute(py, &self.mesh, Attribute::Colors)
            }
            /// The scalars: (N, 1) float32 (see ``read_vertices``).
            fn read_scalars(&self, py: Python<'_>) -> PyResult<super::external_array::PyExternalArray> {
                read_attribute(py, &self.mesh, Attribute::Scalars)
            }
            /// Changes the vertex count; attributes must be set again (indices are kept if all < n).
            fn resize(&self, n: &Bound<'_, PyAny>) -> PyResult<()> {
                self.check_dynamic()?;
                Ok(self.mesh.resize(vertex_count(n)?)?)
            }
            /// Zero-copy write of the positions: ``with obj.write_vertices() as v: v[:] = ...``.
            fn write_vertices(&self) -> PyResult<PyMappedWrite> {
                self.check_dynamic()?;
                Ok(PyMappedWrite::new(self.mesh.clone(), Attribute::Positions, "vertices"))
            }
            /// Zero-copy write of float32 (N, 4) colors.
            fn write_colors(&self) -> PyResult<PyMappedWrite> {
                self.check_dynamic()?;
                Ok(PyMappedWrite::new(self.mesh.clone(), Attribute::Colors, "colors"))
            }
            /// Zero-copy write of the (N,) float32 scalars.
            fn write_scalars(&self) -> PyResult<PyMappedWrite> {
                self.check_dynamic()?;
                Ok(PyMappedWrite::new(self.mesh.clone(), Attribute::Scalars, "scalars"))
            }
        }
    };
}
pub(super) use mesh_methods;

/// `Mesh(dynamic=...)`: True or False (or a NumPy bool), read with a
/// message that names the argument (None is refused, as for any flag
/// whose default is not None).
struct Dynamic(bool);

impl<'a, 'py> FromPyObject<'a, 'py> for Dynamic {
    type Error = PyErr;

    fn extract(obj: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        args::flag("dynamic", &obj).map(Dynamic)
    }
}

/// A triangle mesh in GPU vertex buffers, one per attribute.
///
/// Attributes and what each setter accepts (NumPy arrays, buffers, or a
/// DataFrame / Arrow table of that many numeric columns, e.g.
/// ``df[["x", "y", "z"]]``, uploaded column by column and interleaved on
/// the GPU):
///
/// - vertices (positions): float32 (N, 3) or flat (3N,)
/// - normals: float32 (N, 3); without them faces are shaded flat
/// - texcoords: float32 (N, 2)
/// - colors: float32 (N, 4) in [0, 1], or uint8 (N, 4) used as unorm (no
///   conversion to float; strided uint8 is packed once, recorded)
/// - scalars: float32 (N,), drawn through a colormap (style="scalars")
/// - indices: uint32 / int32 / int64, (T, 3) or flat, each in 0..N
///
/// Copies: C-contiguous float32 (uint8 for colors) is copied once, straight
/// from the caller's memory into GPU upload memory (ledger: one "upload"
/// whose source pointer is the array's). Other dtypes or strides are
/// converted once first (recorded); ``copy=False`` raises ``ValueError``
/// instead. ``copy=True`` is accepted and behaves like ``None`` (an upload
/// is always a copy). The GPU copy runs before the next render. Row counts
/// must equal ``vertex_count`` (``ValueError`` otherwise; ``resize(n)``
/// changes it). Float attributes must be finite: NaN or inf raises
/// ``ValueError`` naming the row, and nothing is uploaded. The caller's
/// arrays are never modified.
///
/// Example::
///
///     mesh = forge3d.Mesh(verts, indices=tris)
///     r.add_mesh(mesh)
///     for frame in range(100):
///         step(verts)               # the simulation writes verts
///         mesh.set_vertices(verts)  # one copy
///         r.render_png(f"f{frame:03}.png")
#[pyclass(name = "Mesh", module = "forge3d._forge3d", frozen)]
pub struct PyMesh {
    pub(crate) mesh: Arc<Mesh>,
    dynamic: bool,
}

impl PyMesh {
    /// What this class calls its positions.
    const POSITIONS: &'static str = "vertices";

    pub(super) fn check_dynamic(&self) -> PyResult<()> {
        if self.dynamic {
            Ok(())
        } else {
            Err(PyRuntimeError::new_err(
                "this mesh was created with dynamic=False; create it with dynamic=True to \
                 update it",
            ))
        }
    }

    /// A mesh from a primitive's geometry (all copies recorded).
    pub fn from_geometry(py: Python<'_>, g: &Geometry) -> PyResult<Self> {
        let ctx = py.detach(GpuContext::shared)?;
        let mesh = Mesh::new(ctx, g.vertex_count() as u32)?;
        mesh.set(Attribute::Positions, AttributeData::F32(&g.positions))?;
        mesh.set(Attribute::Normals, AttributeData::F32(&g.normals))?;
        mesh.set(Attribute::Texcoords, AttributeData::F32(&g.texcoords))?;
        mesh.set_indices(Some(&g.indices))?;
        Ok(Self {
            mesh: Arc::new(mesh),
            dynamic: true,
        })
    }
}

mesh_methods!(PyMesh, {
    #[new]
    #[pyo3(signature = (vertices, indices=None, normals=None, colors=None, texcoords=None, dynamic=Dynamic(true), *, copy=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        vertices: &Bound<'_, PyAny>,
        indices: Option<&Bound<'_, PyAny>>,
        normals: Option<&Bound<'_, PyAny>>,
        colors: Option<&Bound<'_, PyAny>>,
        texcoords: Option<&Bound<'_, PyAny>>,
        dynamic: Dynamic,
        copy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let copy = args::opt_flag("copy", copy)?;
        let Dynamic(dynamic) = dynamic;
        let mesh = mesh_from(py, "vertices", vertices, copy)?;
        set_indices(&mesh, indices.filter(|o| !o.is_none()))?;
        for (attr, obj) in [
            (Attribute::Normals, normals),
            (Attribute::Colors, colors),
            (Attribute::Texcoords, texcoords),
        ] {
            if let Some(o) = obj.filter(|o| !o.is_none()) {
                set_attribute(py, &mesh, attr, attr.name(), o, copy)?;
            }
        }
        Ok(Self { mesh, dynamic })
    }

    /// Triangles drawn: index_count / 3, or vertex_count / 3 without indices.
    #[getter]
    fn triangle_count(&self) -> u32 {
        self.mesh.index_count().unwrap_or(self.mesh.vertex_count()) / 3
    }
    /// Indices set with set_indices, or None (vertices drawn in order).
    #[getter]
    fn index_count(&self) -> Option<u32> {
        self.mesh.index_count()
    }
    /// False: the setters raise (the mesh is uploaded once).
    #[getter]
    fn dynamic(&self) -> bool {
        self.dynamic
    }

    /// Per-vertex normals, float32 (N, 3); without them faces are shaded flat.
    #[pyo3(signature = (normals, *, copy=None))]
    fn set_normals(
        &self,
        py: Python<'_>,
        normals: &Bound<'_, PyAny>,
        copy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let copy = args::opt_flag("copy", copy)?;
        self.check_dynamic()?;
        set_attribute(py, &self.mesh, Attribute::Normals, "normals", normals, copy)
    }
    /// Texture coordinates, float32 (N, 2); kept on the GPU for custom use.
    #[pyo3(signature = (texcoords, *, copy=None))]
    fn set_texcoords(
        &self,
        py: Python<'_>,
        texcoords: &Bound<'_, PyAny>,
        copy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let copy = args::opt_flag("copy", copy)?;
        self.check_dynamic()?;
        set_attribute(
            py,
            &self.mesh,
            Attribute::Texcoords,
            "texcoords",
            texcoords,
            copy,
        )
    }
    /// Triangles (a multiple of 3 indices, each below vertex_count); None draws vertices in order.
    #[pyo3(signature = (indices))]
    fn set_indices(&self, indices: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.check_dynamic()?;
        set_indices(&self.mesh, indices.filter(|o| !o.is_none()))
    }
    /// Zero-copy write of the float32 (N, 3) normals.
    fn write_normals(&self) -> PyResult<PyMappedWrite> {
        self.check_dynamic()?;
        Ok(PyMappedWrite::new(
            self.mesh.clone(),
            Attribute::Normals,
            "normals",
        ))
    }

    fn __repr__(&self) -> String {
        format!(
            "Mesh(vertices={}, triangles={}, attributes={:?})",
            self.mesh.vertex_count(),
            self.triangle_count(),
            self.attributes()
        )
    }
});

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMesh>()?;
    m.add_class::<PyMappedWrite>()?;
    Ok(())
}
