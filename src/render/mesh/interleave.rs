//! The compute pass that interleaves column planes into a vertex buffer.

use crate::gpu::{layout, GpuContext};

pub(crate) const INTERLEAVE_WGSL: &str = include_str!("interleave.wgsl");

const WORKGROUP: u32 = 256;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    rows: u32,
    comps: u32,
    row_stride: u32,
    _pad: u32,
}

pub(super) struct InterleavePipeline {
    layout: wgpu::BindGroupLayout,
    pipeline: wgpu::ComputePipeline,
}

impl InterleavePipeline {
    pub fn new(ctx: &GpuContext) -> Self {
        let c = wgpu::ShaderStages::COMPUTE;
        let (layout, pipeline) = layout::compute_pipeline(
            &ctx.device,
            "forge3d interleave",
            &[
                layout::uniform(0, c, None),
                layout::storage(1, c, true),
                layout::storage(2, c, false),
            ],
            INTERLEAVE_WGSL,
        );
        Self { layout, pipeline }
    }

    /// Records the interleave of `planes` (comps x rows) into `out`.
    pub fn record(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        planes: &wgpu::Buffer,
        out: &wgpu::Buffer,
        rows: u32,
        comps: u32,
    ) {
        let groups = rows.div_ceil(WORKGROUP).max(1);
        let max = ctx.limits.max_compute_workgroups_per_dimension.max(1);
        let (gx, gy) = if groups <= max {
            (groups, 1)
        } else {
            (max, groups.div_ceil(max))
        };
        let params = Params {
            rows,
            comps,
            row_stride: gx * WORKGROUP,
            _pad: 0,
        };
        let uniform = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("forge3d interleave params"),
            size: std::mem::size_of::<Params>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        ctx.queue
            .write_buffer(&uniform, 0, bytemuck::bytes_of(&params));
        let bind_group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("forge3d interleave"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: uniform.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: planes.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: out.as_entire_binding(),
                },
            ],
        });
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("forge3d interleave"),
            timestamp_writes: None,
        });
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(gx, gy, 1);
    }
}
