//! Bounds of positions that are on the GPU only (written through mapped
//! upload memory): a compute reduction whose 24 bytes are read back, so the
//! automatic camera and near/far planes see mapped writes too.

use super::super::camera::Bounds;
use crate::error::Result;
use crate::gpu::{layout, GpuContext};

pub(crate) const BOUNDS_WGSL: &str = include_str!("bounds.wgsl");

const WORKGROUP: u32 = 256;
/// Workgroups at most; each invocation then loops over its share.
const MAX_GROUPS: u32 = 1024;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: u32,
    threads: u32,
    _pad: [u32; 2],
}

pub(super) struct BoundsPipeline {
    layout: wgpu::BindGroupLayout,
    pipeline: wgpu::ComputePipeline,
}

/// The float a `key` of bounds.wgsl stands for.
fn unkey(k: u32) -> f32 {
    f32::from_bits(if k & 0x8000_0000 != 0 {
        k & 0x7fff_ffff
    } else {
        !k
    })
}

impl BoundsPipeline {
    pub fn new(ctx: &GpuContext) -> Self {
        let c = wgpu::ShaderStages::COMPUTE;
        let (layout, pipeline) = layout::compute_pipeline(
            &ctx.device,
            "forge3d bounds",
            &[
                layout::uniform(0, c, None),
                layout::storage(1, c, true),
                layout::storage(2, c, false),
            ],
            BOUNDS_WGSL,
        );
        Self { layout, pipeline }
    }

    /// Records the reduction of the first `n` rows of `positions` into a
    /// new 24-byte buffer, and its copy into a MAP_READ buffer; returns the
    /// latter for [`BoundsPipeline::read`] after the submission.
    pub fn record(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        positions: &wgpu::Buffer,
        n: u32,
    ) -> wgpu::Buffer {
        let groups = n.div_ceil(WORKGROUP).clamp(1, MAX_GROUPS);
        let params = Params {
            n,
            threads: groups * WORKGROUP,
            _pad: [0; 2],
        };
        let uniform = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("forge3d bounds params"),
            size: std::mem::size_of::<Params>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        ctx.queue
            .write_buffer(&uniform, 0, bytemuck::bytes_of(&params));
        let init: [u32; 6] = [u32::MAX, u32::MAX, u32::MAX, 0, 0, 0];
        let out = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("forge3d bounds"),
            size: 24,
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_SRC
                | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        ctx.queue.write_buffer(&out, 0, bytemuck::cast_slice(&init));
        let read = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("forge3d bounds readback"),
            size: 24,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind_group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("forge3d bounds"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: uniform.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: positions.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: out.as_entire_binding(),
                },
            ],
        });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("forge3d bounds"),
                timestamp_writes: None,
            });
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(groups, 1, 1);
        }
        encoder.copy_buffer_to_buffer(&out, 0, &read, 0, 24);
        read
    }

    /// The bounds in `read` once the submission that filled it is done;
    /// `None` when no position was finite.
    pub fn read(
        ctx: &GpuContext,
        read: &wgpu::Buffer,
        submission: wgpu::SubmissionIndex,
    ) -> Result<Option<Bounds>> {
        let keys = crate::gpu::alloc::readback::map_small(ctx, read, submission)?;
        if keys[0] == u32::MAX {
            return Ok(None);
        }
        let f: Vec<f32> = keys.iter().map(|&k| unkey(k)).collect();
        Ok(Some(Bounds {
            min: [f[0], f[1], f[2]],
            max: [f[3], f[4], f[5]],
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::unkey;

    #[test]
    fn keys_order_floats_and_decode_exactly() {
        let key = |f: f32| {
            let b = f.to_bits();
            if b & 0x8000_0000 != 0 {
                !b
            } else {
                b | 0x8000_0000
            }
        };
        let vals = [-3.4e38f32, -2.0, -0.0, 0.0, 1e-30, 7.25, 3.4e38];
        for w in vals.windows(2) {
            assert!(key(w[0]) <= key(w[1]), "{w:?}");
        }
        for v in vals {
            assert_eq!(unkey(key(v)).to_bits(), v.to_bits());
        }
    }
}
