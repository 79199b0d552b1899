//! A grid kept on the GPU (a terrain's heights): its layout and where it is.

use crate::error::{Error, Result};
use crate::gpu::GpuContext;

/// Where a finished grid is.
pub enum Values {
    /// Read back into mapped memory, `cols` values per row.
    Mapped(arrow_buffer::Buffer),
    /// Kept on the GPU as [`Keep`] asked.
    Gpu(GpuGrid),
}

/// A grid kept on the GPU: `buffer` holds row `r` at value `r * pitch`,
/// holes as [`Keep::hole`].
pub struct GpuGrid {
    pub buffer: wgpu::Buffer,
    pub pitch: usize,
    /// What empty cells hold where no value fills them ([`Keep::hole`]).
    pub hole: f32,
    /// The extremes of the values, holes left out (None: all holes).
    pub range: Option<(f32, f32)>,
}

/// How a grid that stays on the GPU is laid out.
#[derive(Clone, Copy, Debug)]
pub struct Keep {
    /// Values from one row to the next (at least the grid's columns).
    pub pitch: usize,
    /// Rows the buffer holds (at least the grid's rows).
    pub rows: usize,
    /// What empty cells hold when the fill is no value.
    pub hole: f32,
}

/// Asked with the grid's (rows, cols) how to keep it on the GPU: an error
/// when it cannot be kept (e.g. no terrain of that shape fits).
pub type KeepFor<'k> = dyn Fn(usize, usize) -> Result<Keep> + 'k;

/// The kept grid's buffer, checked against the device.
pub(super) fn check_out(ctx: &GpuContext, k: &Keep) -> std::result::Result<(), String> {
    let bytes = (k.pitch * k.rows) as u64 * 4;
    let limit = ctx
        .limits
        .max_storage_buffer_binding_size
        .min(ctx.limits.max_buffer_size);
    if bytes > limit || k.pitch > u32::MAX as usize {
        return Err(format!(
            "the grid laid out as a terrain's heights ({} rows of {} values) needs a \
             {bytes}-byte buffer, more than the {limit} bytes {:?} binds",
            k.rows, k.pitch, ctx.info.name
        ));
    }
    Ok(())
}

impl GpuGrid {
    /// The grid read back and copied into host memory, `cols` values per
    /// row, the holes (`self.hole`) as NaN, for the CPU's nearest fill.
    /// A value as low as the hole would be taken for one: such heights (at
    /// or below -1e38) cannot be drawn, and are an error here already.
    pub fn read_back(&self, ctx: &GpuContext, rows: usize, cols: usize) -> Result<Vec<f32>> {
        let hole = self.hole;
        if let Some((lo, hi)) = self.range.filter(|&(lo, _)| lo <= HOLE_BELOW) {
            return Err(Error::InvalidArgument(format!(
                "heights reach {lo} .. {hi}: magnitudes of 1e38 or more cannot be drawn (the GPU \
                 marks holes below -1e38); rescale the heights (e.g. z / 1000) or drop such rows"
            )));
        }
        let size = (rows * self.pitch * 4) as u64;
        let read = ctx.readback_pool.acquire(size)?;
        let mut encoder = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("forge3d grid back"),
            });
        encoder.copy_buffer_to_buffer(&self.buffer, 0, &read, 0, size);
        let submission = ctx.queue.submit([encoder.finish()]);
        let mapped = ctx.readback_pool.map(ctx, read, submission)?;
        let src: &[f32] = mapped.typed_data();
        let mut values: Vec<f32> = crate::memory::alloc::try_vec("the grid", rows * cols)?;
        for row in src.chunks_exact(self.pitch).take(rows) {
            values.extend(row[..cols].iter().map(|&v| {
                if v.to_bits() == hole.to_bits() {
                    f32::NAN
                } else {
                    v
                }
            }));
        }
        crate::memory::ledger::record(
            "copy",
            rows * cols * 4,
            src.as_ptr().cast(),
            "terrain from a table (fill=\"nearest\"): the GPU's grid into writable memory",
        );
        Ok(values)
    }
}

/// Heights at or below this cannot be told from holes by a terrain.
const HOLE_BELOW: f32 = -1.0e38;
