//! Reading a mesh's attributes back from the GPU: one GPU copy of the
//! vertex buffer into pooled readback memory, mapped and handed out as a
//! `HostBuffer` (zero CPU copies), after any pending upload is applied.

use super::{attr_bytes, Attribute, ColorFormat, Mesh};
use crate::error::{Error, Result};
use crate::memory::{DType, HostBuffer, Origin};

impl Mesh {
    /// The current rows of `attr`, (N, components) float32 or (N, 4) uint8
    /// for uint8 colours, in readback memory; None when it was never given.
    pub fn read(&self, attr: Attribute) -> Result<Option<HostBuffer>> {
        let ctx = self.ctx.clone();
        let mut st = self.state();
        let n = st.vertex_count;
        let Some(format) = st.attrs[attr.index()].as_ref().map(|a| a.format) else {
            return Ok(None);
        };
        let (cols, dtype) = match (attr, format) {
            (Attribute::Colors, ColorFormat::Unorm8) => (4usize, DType::U8),
            _ => (attr.components(), DType::F32),
        };
        let bytes = n as u64 * cols as u64 * dtype.itemsize() as u64;
        if n == 0 {
            let empty = crate::memory::alloc::AlignedBlock::new("read", 0, 1, false)?.freeze();
            return Ok(Some(HostBuffer::new(
                empty,
                vec![0, cols],
                dtype,
                Origin::Rust,
            )));
        }
        // Every row is a whole number of 4-byte words, as copies need.
        let size = bytes;
        if size > attr_bytes(attr, format, n) {
            return Err(Error::Gpu(format!(
                "the mesh's {} buffer is smaller than its rows",
                attr.name()
            )));
        }
        let readback = ctx.readback_pool.acquire(size)?;
        let recorded = ctx.scoped(&format!("reading the mesh's {}", attr.name()), || {
            let mut encoder = ctx
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("forge3d mesh readback"),
                });
            // What was set but not yet drawn is applied first.
            let staged = self.flush_state(&mut st, &mut encoder);
            let gpu = st.attrs[attr.index()].as_ref().map(|a| a.buffer.clone());
            if let Some(buffer) = gpu {
                encoder.copy_buffer_to_buffer(&buffer, 0, &readback, 0, size);
            }
            let submission = ctx.queue.submit([encoder.finish()]);
            drop(staged);
            submission
        });
        drop(st);
        let submission = match recorded {
            Ok(s) => s,
            Err(e) => {
                ctx.readback_pool.discard(readback);
                return Err(e);
            }
        };
        let memory = ctx.readback_pool.map(&ctx, readback, submission)?;
        if memory.len() as u64 != bytes {
            return Err(Error::Gpu(format!(
                "reading the mesh's {}: got {} bytes, expected {bytes}",
                attr.name(),
                memory.len()
            )));
        }
        Ok(Some(HostBuffer::new(
            memory,
            vec![n as usize, cols],
            dtype,
            Origin::MappedReadback,
        )))
    }
}
