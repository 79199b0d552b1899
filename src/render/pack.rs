//! The GPU row-packing pass: copies a tile of the color target into a
//! storage buffer with no row padding, for widths where `width * 4` is not a
//! multiple of 256 (the alignment `copy_texture_to_buffer` demands).

use crate::gpu::{layout, GpuContext};

pub(crate) const PACK_ROWS_WGSL: &str = include_str!("pack_rows.wgsl");

pub(crate) struct PackPipeline {
    pub layout: wgpu::BindGroupLayout,
    pub pipeline: wgpu::ComputePipeline,
}

pub(crate) const WORKGROUP: (u32, u32) = (64, 4);

impl PackPipeline {
    pub fn new(ctx: &GpuContext) -> Self {
        let c = wgpu::ShaderStages::COMPUTE;
        let (layout, pipeline) = layout::compute_pipeline(
            &ctx.device,
            "forge3d pack_rows",
            &[
                layout::float_texture(0, c, wgpu::TextureViewDimension::D2),
                layout::storage(1, c, false),
            ],
            PACK_ROWS_WGSL,
        );
        Self { layout, pipeline }
    }
}
