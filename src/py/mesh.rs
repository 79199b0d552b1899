//! `forge3d.Mesh` and `forge3d.Points`: argument checking, GIL release and
//! mapped-write blocks around the core mesh (`render::mesh`).

use std::sync::atomic::{AtomicU32, Ordering};
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

fn vertex_count(v: &Bound<'_, PyAny>) -> PyResult<u32> {
    let n: i128 = v
        .extract()
        .map_err(|_| PyTypeError::new_err(format!("n must be an integer vertex count, got {v}")))?;
    u32::try_from(n).map_err(|_| {
        PyValueError::new_err(format!("n must be between 0 and {}, got {n}", u32::MAX))
    })
}

/// A new mesh sized by `positions` (which it uploads); `name` is the
/// argument's name ("vertices" for a mesh, "positions" for a point set).
fn mesh_from(
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

fn bounds_tuple(mesh: &Mesh) -> Option<((f32, f32, f32), (f32, f32, f32))> {
    mesh.bounds().map(|b| {
        (
            (b.min[0], b.min[1], b.min[2]),
            (b.max[0], b.max[1], b.max[2]),
        )
    })
}

/// `#[pymethods]` of a mesh-like class: the shared setters plus `$body`.
macro_rules! mesh_methods {
    ($ty:ty, { $($body:tt)* }) => {
        #[pymethods]
        impl $ty {
            $($body)*

            /// Vertices (rows).
            #[getter]
            fn vertex_count(&self) -> u32 {
                self.mesh.vertex_count()
            }
            fn __len__(&self) -> usize {
                self.mesh.vertex_count() as usize
            }
            /// ((xmin, ymin, zmin), (xmax, ymax, zmax)) of the positions last
            /// set with a copy (None before, or after resize).
            #[getter]
            fn bounds(&self) -> Option<((f32, f32, f32), (f32, f32, f32))> {
                bounds_tuple(&self.mesh)
            }
            /// "float32", "uint8" (unorm) or None.
            #[getter]
            fn color_format(&self) -> Option<&'static str> {
                self.mesh.color_format().map(|f| match f {
                    crate::render::ColorFormat::F32 => "float32",
                    crate::render::ColorFormat::Unorm8 => "uint8",
                })
            }
            /// Names of the attributes this object has.
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
            /// (min, max) of the scalars last set with a copy.
            #[getter]
            fn scalar_range(&self) -> Option<(f32, f32)> {
                self.mesh.scalar_range()
            }

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
            fn resize(&self, n: &Bound<'_, PyAny>) -> PyResult<()> {
                self.check_dynamic()?;
                Ok(self.mesh.resize(vertex_count(n)?)?)
            }
            fn write_vertices(&self) -> PyResult<PyMappedWrite> {
                self.check_dynamic()?;
                Ok(PyMappedWrite::new(self.mesh.clone(), Attribute::Positions, "vertices"))
            }
            fn write_colors(&self) -> PyResult<PyMappedWrite> {
                self.check_dynamic()?;
                Ok(PyMappedWrite::new(self.mesh.clone(), Attribute::Colors, "colors"))
            }
            fn write_scalars(&self) -> PyResult<PyMappedWrite> {
                self.check_dynamic()?;
                Ok(PyMappedWrite::new(self.mesh.clone(), Attribute::Scalars, "scalars"))
            }
        }
    };
}

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

/// A triangle mesh in GPU vertex buffers (one per attribute).
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

    /// Triangles drawn (indices / 3), or vertices / 3 without indices.
    #[getter]
    fn triangle_count(&self) -> u32 {
        self.mesh.index_count().unwrap_or(self.mesh.vertex_count()) / 3
    }
    #[getter]
    fn index_count(&self) -> Option<u32> {
        self.mesh.index_count()
    }
    #[getter]
    fn dynamic(&self) -> bool {
        self.dynamic
    }

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
    #[pyo3(signature = (indices))]
    fn set_indices(&self, indices: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.check_dynamic()?;
        set_indices(&self.mesh, indices.filter(|o| !o.is_none()))
    }
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

/// A point set: positions (and colors or scalars) drawn as discs of `size`
/// pixels.
#[pyclass(name = "Points", module = "forge3d._forge3d", frozen)]
pub struct PyPoints {
    pub(crate) mesh: Arc<Mesh>,
    size_bits: AtomicU32,
}

impl PyPoints {
    /// What this class calls its positions.
    const POSITIONS: &'static str = "positions";

    fn check_dynamic(&self) -> PyResult<()> {
        Ok(())
    }
    pub fn size(&self) -> f32 {
        f32::from_bits(self.size_bits.load(Ordering::Relaxed))
    }
}

mesh_methods!(PyPoints, {
    #[new]
    #[pyo3(signature = (positions, colors=None, size=None, *, copy=None))]
    fn new(
        py: Python<'_>,
        positions: &Bound<'_, PyAny>,
        colors: Option<&Bound<'_, PyAny>>,
        size: Option<&Bound<'_, PyAny>>,
        copy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let copy = args::opt_flag("copy", copy)?;
        let size = crate::render::check_point_size(args::opt_real("size", size)?.unwrap_or(2.0))?;
        let mesh = mesh_from(py, "positions", positions, copy)?;
        if let Some(c) = colors.filter(|o| !o.is_none()) {
            set_attribute(py, &mesh, Attribute::Colors, "colors", c, copy)?;
        }
        Ok(Self {
            mesh,
            size_bits: AtomicU32::new(size.to_bits()),
        })
    }

    /// Point diameter in pixels (used when the points are added to a
    /// renderer or view).
    #[getter(size)]
    fn get_size(&self) -> f32 {
        self.size()
    }
    #[setter(size)]
    fn set_size_value(&self, size: &Bound<'_, PyAny>) -> PyResult<()> {
        let size = args::real("size", size)?;
        self.size_bits.store(
            crate::render::check_point_size(size)?.to_bits(),
            Ordering::Relaxed,
        );
        Ok(())
    }

    /// Same as `set_vertices`.
    #[pyo3(signature = (positions, *, copy=None))]
    fn set_positions(
        &self,
        py: Python<'_>,
        positions: &Bound<'_, PyAny>,
        copy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let copy = args::opt_flag("copy", copy)?;
        set_attribute(
            py,
            &self.mesh,
            Attribute::Positions,
            "positions",
            positions,
            copy,
        )
    }
    /// Same as `write_vertices`.
    fn write_positions(&self) -> PyMappedWrite {
        PyMappedWrite::new(self.mesh.clone(), Attribute::Positions, "positions")
    }

    fn __repr__(&self) -> String {
        format!(
            "Points(count={}, size={}, attributes={:?})",
            self.mesh.vertex_count(),
            self.size(),
            self.attributes()
        )
    }
});

/// Any of `Mesh` / `Points`, as the core mesh.
pub fn core_mesh(obj: &Bound<'_, PyAny>) -> PyResult<(Arc<Mesh>, Option<f32>)> {
    if let Ok(m) = obj.cast::<PyMesh>() {
        return Ok((m.get().mesh.clone(), None));
    }
    if let Ok(p) = obj.cast::<PyPoints>() {
        return Ok((p.get().mesh.clone(), Some(p.get().size())));
    }
    Err(PyTypeError::new_err(format!(
        "mesh must be a forge3d.Mesh or forge3d.Points, got {}",
        obj.get_type().name()?
    )))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMesh>()?;
    m.add_class::<PyPoints>()?;
    m.add_class::<PyMappedWrite>()?;
    Ok(())
}
