//! Meshes and point sets for simulations: one GPU vertex buffer per
//! attribute, updated with one CPU copy (the caller's array into pooled,
//! mapped upload memory) or none (the caller writes into that mapping
//! itself). The GPU copies out of upload memory are recorded just before the
//! next draw, so an update costs the CPU its memcpy and nothing else.

mod attribute;
mod bounds;
mod interleave;
mod layer;
mod mapped;
mod pipeline;
pub mod primitives;
mod raster;
mod readback;
mod staging;
mod style;

use std::sync::Arc;

use parking_lot::{Mutex, MutexGuard};

use super::camera::Bounds;
use crate::error::{Error, Result};
use crate::gpu::alloc::upload::StagedUpload;
use crate::gpu::GpuContext;
use crate::memory::ledger;
use interleave::InterleavePipeline;
use staging::{copy_rows, Copied, Transfer};

pub use attribute::{Attribute, AttributeData, ColorFormat};
pub use layer::MeshLayer;
pub use mapped::MappedWrite;
pub use style::{check_point_size, MeshStyle, StyleParts};

/// This module's WGSL, as its pipelines compile it.
pub(crate) const SHADERS: [(&str, &str); 7] = [
    ("mesh", pipeline::MESH_WGSL),
    ("wireframe", pipeline::WIREFRAME_WGSL),
    ("points", pipeline::POINTS_WGSL),
    ("points_raster", raster::RASTER_WGSL),
    ("points_resolve", raster::RESOLVE_WGSL),
    ("bounds", bounds::BOUNDS_WGSL),
    ("interleave", interleave::INTERLEAVE_WGSL),
];

struct Pending {
    staged: Arc<StagedUpload>,
    transfer: Transfer,
}

struct GpuAttribute {
    buffer: wgpu::Buffer,
    format: ColorFormat,
    /// Planes for interleaving (created on first column upload).
    scratch: Option<wgpu::Buffer>,
}

struct Indices {
    buffer: wgpu::Buffer,
    count: u32,
    max: u32,
}

struct MeshState {
    vertex_count: u32,
    attrs: [Option<GpuAttribute>; 5],
    pending: [Option<Pending>; 5],
    indices: Option<Indices>,
    /// Of the positions last uploaded with a copy (mapped writes are not read).
    bounds: Option<Bounds>,
    /// Of the scalars last uploaded with a copy.
    scalar_range: Option<(f32, f32)>,
}

/// A triangle mesh (or point set) whose attributes live in GPU vertex
/// buffers. Cheap to share: renderers hold an `Arc`.
pub struct Mesh {
    ctx: Arc<GpuContext>,
    state: Mutex<MeshState>,
}

fn usage() -> wgpu::BufferUsages {
    wgpu::BufferUsages::VERTEX
        | wgpu::BufferUsages::COPY_DST
        | wgpu::BufferUsages::COPY_SRC
        | wgpu::BufferUsages::STORAGE
}

/// Bytes of a GPU buffer holding `n` rows of `attr` (never 0: empty meshes
/// still bind something).
fn attr_bytes(attr: Attribute, format: ColorFormat, n: u32) -> u64 {
    let row = match (attr, format) {
        (Attribute::Colors, ColorFormat::Unorm8) => 4,
        _ => attr.components() as u64 * 4,
    };
    (row * n as u64).max(16)
}

/// Checks that `n` rows of the largest attribute fit one buffer of `ctx`.
fn check_buffer_size(ctx: &GpuContext, attr: Attribute, n: u32) -> Result<()> {
    let bytes = attr_bytes(attr, ColorFormat::F32, n);
    let max = ctx
        .limits
        .max_buffer_size
        .min(ctx.limits.max_storage_buffer_binding_size as u64);
    if bytes > max {
        return Err(Error::InvalidArgument(format!(
            "{n} vertices need {bytes} bytes of {} per buffer, more than this device allows \
             ({max}); split the mesh",
            attr.name()
        )));
    }
    Ok(())
}

fn check_rows(name: &str, rows: usize, n: u32) -> Result<()> {
    if rows != n as usize {
        return Err(Error::RowCount {
            arg: name.to_string(),
            given: rows,
            expected: n,
        });
    }
    Ok(())
}

impl Mesh {
    /// An empty mesh of `vertex_count` vertices (positions zero until set).
    pub fn new(ctx: Arc<GpuContext>, vertex_count: u32) -> Result<Self> {
        let mesh = Self {
            ctx,
            state: Mutex::new(MeshState {
                vertex_count,
                attrs: Default::default(),
                pending: Default::default(),
                indices: None,
                bounds: None,
                scalar_range: None,
            }),
        };
        mesh.check_size(Attribute::Colors, vertex_count)?;
        Ok(mesh)
    }

    fn state(&self) -> MutexGuard<'_, MeshState> {
        self.state.lock()
    }

    pub fn context(&self) -> &Arc<GpuContext> {
        &self.ctx
    }

    pub fn vertex_count(&self) -> u32 {
        self.state().vertex_count
    }

    /// Triangle indices uploaded, if any.
    pub fn index_count(&self) -> Option<u32> {
        self.state().indices.as_ref().map(|i| i.count)
    }

    /// True when `attr` has been given (by a copy or a mapped write).
    pub fn has(&self, attr: Attribute) -> bool {
        self.state().attrs[attr.index()].is_some()
    }

    pub fn color_format(&self) -> Option<ColorFormat> {
        self.state().attrs[Attribute::Colors.index()]
            .as_ref()
            .map(|a| a.format)
    }

    /// Bounds of the positions last uploaded with a copy.
    pub fn bounds(&self) -> Option<Bounds> {
        self.state().bounds
    }

    /// Range of the scalars last uploaded with a copy.
    pub fn scalar_range(&self) -> Option<(f32, f32)> {
        self.state().scalar_range
    }

    fn check_size(&self, attr: Attribute, n: u32) -> Result<()> {
        check_buffer_size(&self.ctx, attr, n)
    }

    /// The vertex count of a new mesh of `rows` rows on `ctx`, checked
    /// before any data is converted: it must fit u32 and every attribute's
    /// buffer must fit the device.
    /// `name` is the caller's name of the positions argument.
    pub fn check_vertex_count(ctx: &GpuContext, rows: usize, name: &str) -> Result<u32> {
        let n = u32::try_from(rows).map_err(|_| {
            Error::InvalidArgument(format!(
                "{name}: {rows} rows is more than a mesh can hold (at most {}); split the mesh",
                u32::MAX
            ))
        })?;
        check_buffer_size(ctx, Attribute::Colors, n).map_err(|e| e.context(name))?;
        Ok(n)
    }

    /// Checks that `rows` rows fit this mesh, before any data is converted;
    /// `name` is the caller's name of the argument (messages start with it).
    pub fn check_input_rows(&self, name: &str, rows: usize) -> Result<()> {
        check_rows(name, rows, self.vertex_count())
    }

    /// Makes sure the GPU buffer for `attr` exists in `format`.
    fn ensure_buffer(
        &self,
        st: &mut MeshState,
        attr: Attribute,
        format: ColorFormat,
    ) -> Result<()> {
        let n = st.vertex_count;
        let slot = &mut st.attrs[attr.index()];
        if slot.as_ref().is_some_and(|a| a.format == format) {
            return Ok(());
        }
        let size = attr_bytes(attr, format, n);
        let buffer = crate::gpu::device_scoped(
            &self.ctx.device,
            &format!("creating the {size}-byte {} buffer", attr.name()),
            || {
                self.ctx.device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some(attr.name()),
                    size,
                    usage: usage(),
                    mapped_at_creation: false,
                })
            },
        )?;
        *slot = Some(GpuAttribute {
            buffer,
            format,
            scratch: None,
        });
        Ok(())
    }

    /// Uploads `data` as `attr`: one CPU copy per source buffer (recorded in
    /// the ledger) into upload memory; the GPU copy runs before the next
    /// draw. On error the mesh is unchanged.
    pub fn set(&self, attr: Attribute, data: AttributeData<'_>) -> Result<()> {
        self.set_named(attr, attr.name(), data)
    }

    /// [`Mesh::set`], with messages that call the data `name` (the caller's
    /// argument, e.g. "positions" or "src").
    pub fn set_named(&self, attr: Attribute, name: &str, data: AttributeData<'_>) -> Result<()> {
        self.ctx.check_alive()?;
        let comps = attr.components();
        let n = self.vertex_count();
        let rows = data.rows(comps).map_err(|e| {
            Error::InvalidArgument(format!("{name}: {e}; expected shape ({n}, {comps})"))
        })?;
        check_rows(name, rows, n)?;
        if attr == Attribute::Colors {
            if let Some((row, k, v)) = data.first_color_out_of_range() {
                return Err(Error::InvalidArgument(format!(
                    "{name}: value {v} at row {row}, component {k} is outside [0, 1]; float \
                     colors are in [0, 1] (np.clip({name}, 0, 1)), uint8 colors are 0..255 \
                     ({name}.astype(np.uint8))"
                )));
            }
        }
        let format = match (&data, attr) {
            (AttributeData::Unorm8(_), Attribute::Colors) => ColorFormat::Unorm8,
            (AttributeData::Unorm8(_), _) => {
                return Err(Error::InvalidArgument(format!(
                    "{name}: uint8 data is only accepted for colors; pass float32"
                )))
            }
            _ => ColorFormat::F32,
        };
        let bytes = attr_bytes(attr, format, n);
        let mut chunk = self.ctx.upload_pool.acquire(bytes)?;
        let Copied {
            transfer,
            bounds,
            range,
        } = copy_rows(attr, name, &data, chunk.as_mut_slice(), n)?;
        let staged = chunk.stage();
        let mut st = self.state();
        if st.vertex_count != n {
            return Err(Error::State(format!(
                "{name}: the mesh was resized during the upload; retry"
            )));
        }
        self.ensure_buffer(&mut st, attr, format)?;
        if attr == Attribute::Positions && n > 0 {
            st.bounds = bounds;
        }
        if attr == Attribute::Scalars && n > 0 {
            st.scalar_range = range;
        }
        st.pending[attr.index()] = Some(Pending { staged, transfer });
        Ok(())
    }

    /// Checks a number of triangle indices before any are converted: a
    /// multiple of 3 whose uint32 buffer (and edge count) fits the device.
    pub fn check_index_count(&self, len: usize) -> Result<()> {
        if len % 3 != 0 {
            return Err(Error::InvalidArgument(format!(
                "indices: {len} values is not a multiple of 3 (one triangle per 3 indices)"
            )));
        }
        let max = self
            .ctx
            .limits
            .max_buffer_size
            .min(self.ctx.limits.max_storage_buffer_binding_size as u64);
        let bytes = len as u64 * 4;
        // Wireframes draw two vertices per index: that count is a u32 too.
        if bytes > max || len > (u32::MAX / 2) as usize {
            return Err(Error::InvalidArgument(format!(
                "indices: {len} values need {bytes} bytes, more than this device allows in one \
                 buffer ({max}); split the mesh"
            )));
        }
        Ok(())
    }

    /// Triangle indices (a multiple of 3, each below the vertex count), or
    /// `None` to draw vertices in order as a triangle list. One recorded
    /// copy into the GPU's upload memory.
    pub fn set_indices(&self, indices: Option<&[u32]>) -> Result<()> {
        self.ctx.check_alive()?;
        let Some(idx) = indices else {
            self.state().indices = None;
            return Ok(());
        };
        let n = self.vertex_count();
        self.check_index_count(idx.len())?;
        let max = idx.iter().copied().max().unwrap_or(0);
        if !idx.is_empty() && max >= n {
            let at = idx.iter().position(|&i| i >= n).expect("max >= n");
            return Err(Error::InvalidArgument(format!(
                "indices: value {} at position {at} is out of range for a mesh of {n} vertices \
                 (indices must be in 0..{n})",
                idx[at]
            )));
        }
        let bytes = (idx.len() as u64 * 4).max(16);
        let buffer = self.ctx.scoped("uploading indices", || {
            let buffer = self.ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("forge3d indices"),
                size: bytes,
                usage: wgpu::BufferUsages::INDEX
                    | wgpu::BufferUsages::COPY_DST
                    | wgpu::BufferUsages::STORAGE,
                mapped_at_creation: false,
            });
            if !idx.is_empty() {
                self.ctx
                    .queue
                    .write_buffer(&buffer, 0, bytemuck::cast_slice(idx));
            }
            buffer
        })?;
        ledger::record(
            "upload",
            idx.len() * 4,
            idx.as_ptr().cast(),
            "indices -> GPU upload memory",
        );
        self.state().indices = Some(Indices {
            buffer,
            count: idx.len() as u32,
            max,
        });
        Ok(())
    }

    /// Changes the vertex count. Attributes are dropped (set them again);
    /// indices are kept when all of them are below `n`.
    pub fn resize(&self, n: u32) -> Result<()> {
        self.check_size(Attribute::Colors, n)
            .map_err(|e| e.context("n"))?;
        let mut st = self.state();
        if let Some(i) = &st.indices {
            if i.count > 0 && i.max >= n {
                return Err(Error::InvalidArgument(format!(
                    "resize({n}): the mesh's indices reach vertex {}; set new indices first \
                     (set_indices(None) to drop them)",
                    i.max
                )));
            }
        }
        st.vertex_count = n;
        st.attrs = Default::default();
        st.pending = Default::default();
        st.bounds = None;
        st.scalar_range = None;
        Ok(())
    }

    /// True when an upload waits for [`Mesh::flush`].
    pub(crate) fn has_pending(&self) -> bool {
        self.state().pending.iter().any(Option::is_some)
    }

    /// Records the GPU copies of pending uploads into `encoder`; the staged
    /// buffers are returned so the caller drops them after submitting.
    pub(crate) fn flush(&self, encoder: &mut wgpu::CommandEncoder) -> Vec<Arc<StagedUpload>> {
        let mut st = self.state();
        self.flush_state(&mut st, encoder)
    }

    fn flush_state(
        &self,
        st: &mut MeshState,
        encoder: &mut wgpu::CommandEncoder,
    ) -> Vec<Arc<StagedUpload>> {
        let n = st.vertex_count;
        let mut done = Vec::new();
        for attr in Attribute::ALL {
            let Some(p) = st.pending[attr.index()].take() else {
                continue;
            };
            let gpu = st.attrs[attr.index()]
                .as_mut()
                .expect("a pending upload has its buffer");
            let src = p.staged.unmapped();
            let size = attr_bytes(attr, gpu.format, n).min(src.size());
            match p.transfer {
                Transfer::Copy => encoder.copy_buffer_to_buffer(src, 0, &gpu.buffer, 0, size),
                Transfer::Interleave => {
                    let scratch = gpu.scratch.get_or_insert_with(|| {
                        self.ctx.device.create_buffer(&wgpu::BufferDescriptor {
                            label: Some("forge3d column planes"),
                            size: attr_bytes(attr, ColorFormat::F32, n),
                            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                            mapped_at_creation: false,
                        })
                    });
                    encoder.copy_buffer_to_buffer(src, 0, scratch, 0, size);
                    let pipeline = self.ctx.cached(InterleavePipeline::new);
                    pipeline.record(
                        &self.ctx,
                        encoder,
                        scratch,
                        &gpu.buffer,
                        n,
                        attr.components() as u32,
                    );
                }
            }
            done.push(p.staged);
        }
        done
    }

    /// Buffers a draw binds, after [`Mesh::flush`].
    pub(crate) fn buffers(&self) -> MeshBuffers {
        let st = self.state();
        let get = |a: Attribute| st.attrs[a.index()].as_ref().map(|g| g.buffer.clone());
        MeshBuffers {
            vertex_count: st.vertex_count,
            positions: get(Attribute::Positions),
            normals: get(Attribute::Normals),
            colors: st.attrs[Attribute::Colors.index()]
                .as_ref()
                .map(|g| (g.buffer.clone(), g.format)),
            scalars: get(Attribute::Scalars),
            indices: st.indices.as_ref().map(|i| (i.buffer.clone(), i.count)),
        }
    }
}

/// GPU buffers of a mesh at draw time.
pub(crate) struct MeshBuffers {
    pub vertex_count: u32,
    pub positions: Option<wgpu::Buffer>,
    pub normals: Option<wgpu::Buffer>,
    pub colors: Option<(wgpu::Buffer, ColorFormat)>,
    pub scalars: Option<wgpu::Buffer>,
    pub indices: Option<(wgpu::Buffer, u32)>,
}
