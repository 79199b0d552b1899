//! How a frame's color target is cleared to the background, from
//! `FORGE3D_CLEAR`: by the render pass (`LoadOp::Clear`), or by a compute
//! pass that writes the background into the target before a render pass
//! that loads it (fill.wgsl). On data-centre GPUs (H100, H200) the few
//! graphics units clear about 7G pixels a second, 2.4 ms for a 4096x4096
//! frame; the compute units write it at memory speed.

use crate::error::Result;
use crate::gpu::{layout, GpuContext};

pub(crate) const FILL_WGSL: &str = include_str!("fill.wgsl");

pub(crate) const WORKGROUP: u32 = 16;

/// Who clears the color target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClearBy {
    /// Compute on GPUs with memory of their own, the pass elsewhere.
    Auto,
    Pass,
    Compute,
}

impl ClearBy {
    /// Parses `FORGE3D_CLEAR` (`auto`, `pass` or `compute`; unset or empty
    /// is `auto`). An unknown value is an error naming the choices.
    pub fn from_env() -> Result<Self> {
        Ok(
            match crate::env::choice("FORGE3D_CLEAR", &["auto", "pass", "compute"], "auto")? {
                "pass" => Self::Pass,
                "compute" => Self::Compute,
                _ => Self::Auto,
            },
        )
    }

    /// Whether a target of `samples` on `ctx` is cleared by compute (never
    /// with MSAA: a multisampled target cannot be a storage texture; nor on
    /// devices without storage textures in compute shaders). Read when a
    /// renderer makes its target: at its first frame, and when MSAA or
    /// the need for a depth buffer changes.
    pub fn by_compute(self, ctx: &GpuContext, samples: u32) -> bool {
        let l = &ctx.limits;
        let can = l.max_storage_textures_per_shader_stage >= 1
            && l.max_compute_workgroup_size_x >= WORKGROUP
            && l.max_compute_workgroup_size_y >= WORKGROUP
            && l.max_compute_invocations_per_workgroup >= WORKGROUP * WORKGROUP;
        samples == 1
            && can
            && match self {
                Self::Pass => false,
                Self::Compute => true,
                Self::Auto => !ctx.shares_host_memory(),
            }
    }
}

pub(crate) struct FillPipeline {
    pub layout: wgpu::BindGroupLayout,
    pub pipeline: wgpu::ComputePipeline,
}

impl FillPipeline {
    pub fn new(ctx: &GpuContext) -> Self {
        let c = wgpu::ShaderStages::COMPUTE;
        let (layout, pipeline) = layout::compute_pipeline(
            &ctx.device,
            "forge3d fill",
            &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: c,
                    ty: wgpu::BindingType::StorageTexture {
                        access: wgpu::StorageTextureAccess::WriteOnly,
                        format: super::target::COLOR_FORMAT,
                        view_dimension: wgpu::TextureViewDimension::D2,
                    },
                    count: None,
                },
                layout::uniform(1, c, Some(16)),
            ],
            FILL_WGSL,
        );
        Self { layout, pipeline }
    }
}
