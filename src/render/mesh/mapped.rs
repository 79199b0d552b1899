//! Mapped writes: memory the caller writes an attribute into directly
//! (`with mesh.write_vertices() as v:`), handed to the GPU when the block
//! ends.

use std::sync::Arc;

use super::bounds::BoundsPipeline;
use super::staging::Transfer;
use super::{attr_bytes, Attribute, AttributeData, ColorFormat, Mesh, MeshState, Pending};
use crate::error::{Error, ErrorKind, Result};
use crate::gpu::alloc::upload::StagedUpload;

/// Where a mapped write lands: upload memory the GPU copies from, or (on
/// backends whose mappings end at unmap) host memory copied once at commit.
pub enum MappedWrite {
    Mapped(Arc<StagedUpload>),
    Host(Box<[f32]>),
}

impl MappedWrite {
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        match self {
            MappedWrite::Mapped(s) => s.as_ptr(),
            MappedWrite::Host(b) => b.as_mut_ptr().cast(),
        }
    }
    pub fn len_bytes(&self) -> usize {
        match self {
            MappedWrite::Mapped(s) => s.len(),
            MappedWrite::Host(b) => b.len() * 4,
        }
    }
    pub fn is_mapped(&self) -> bool {
        matches!(self, MappedWrite::Mapped(_))
    }
}

impl Mesh {
    /// Memory the caller writes `attr` into directly (float32, rows x
    /// components); [`Mesh::commit`] hands it to the GPU. On Vulkan and
    /// Metal this is mapped upload memory (0 CPU copies); elsewhere it is
    /// host memory copied once at commit.
    pub fn map_write(&self, attr: Attribute) -> Result<MappedWrite> {
        self.ctx.check_alive()?;
        let n = self.vertex_count() as usize;
        let len = n * attr.components();
        if self.ctx.mappings_persist() {
            let bytes = attr_bytes(attr, ColorFormat::F32, n as u32);
            let chunk = self.ctx.upload_pool.acquire(bytes)?;
            Ok(MappedWrite::Mapped(chunk.stage()))
        } else {
            Ok(MappedWrite::Host(vec![0f32; len].into_boxed_slice()))
        }
    }

    /// Makes what was written through [`Mesh::map_write`] the new `attr`.
    /// Bounds are not recomputed (the memory is not read back).
    pub fn commit(&self, attr: Attribute, write: &MappedWrite) -> Result<()> {
        self.commit_named(attr, attr.name(), write)
    }

    /// [`Mesh::commit`] of a block opened as `write_{name}()`.
    pub fn commit_named(&self, attr: Attribute, name: &str, write: &MappedWrite) -> Result<()> {
        match write {
            MappedWrite::Host(data) => self
                .set_named(attr, name, AttributeData::F32(data))
                .map_err(|e| match e.kind() {
                    ErrorKind::Value => {
                        Error::InvalidArgument(format!("{e} (written through write_{name}())"))
                    }
                    _ => e,
                }),
            MappedWrite::Mapped(staged) => {
                let mut st = self.state();
                let want = attr_bytes(attr, ColorFormat::F32, st.vertex_count);
                if staged.len() as u64 != want {
                    return Err(Error::State(format!(
                        "write_{name}(): the mesh was resized inside the block; nothing was \
                         uploaded"
                    )));
                }
                self.ensure_buffer(&mut st, attr, ColorFormat::F32)?;
                st.pending[attr.index()] = Some(Pending {
                    staged: staged.clone(),
                    transfer: Transfer::Copy,
                });
                self.upload_mapped_now(&mut st, attr)
            }
        }
    }

    /// Copies a committed mapped write to the GPU and waits for the copy,
    /// so that writes into a spent view (made writable again, or reached
    /// through DLPack) can never reach the GPU; for positions, the bounds
    /// are reduced on the GPU in the same submission and read back, so the
    /// automatic camera and near/far planes see what was written.
    fn upload_mapped_now(&self, st: &mut MeshState, attr: Attribute) -> Result<()> {
        let ctx = &self.ctx;
        let n = st.vertex_count;
        let (staged, read, submission) = ctx.scoped("uploading a mapped write", || {
            let mut encoder = ctx
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("forge3d mapped write"),
                });
            let staged = self.flush_state(st, &mut encoder);
            let read = match (&st.attrs[Attribute::Positions.index()], attr) {
                (Some(gpu), Attribute::Positions) if n > 0 => Some(
                    ctx.cached(BoundsPipeline::new)
                        .record(ctx, &mut encoder, &gpu.buffer, n),
                ),
                _ => None,
            };
            (staged, read, ctx.queue.submit([encoder.finish()]))
        })?;
        match read {
            Some(read) => st.bounds = BoundsPipeline::read(ctx, &read, submission)?,
            None => ctx.wait(submission)?,
        }
        drop(staged);
        Ok(())
    }
}
