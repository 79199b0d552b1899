//! The terrain render pipelines (one per sample count) and their uniforms.

use std::sync::OnceLock;

use super::heights::BAND_BINDINGS;
use crate::gpu::{layout, GpuContext};
use crate::render::target::{TileLayout, COLOR_TARGET, DEPTH_FORMAT};

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct TerrainUniform {
    pub view_proj: [[f32; 4]; 4],
    pub sun_dir: [f32; 4],
    pub size: [f32; 2],
    pub grid: [f32; 2],
    pub spacing: [f32; 2],
    pub range: [f32; 2],
    pub exaggeration: f32,
    pub ambient: f32,
    pub sun_intensity: f32,
    pub hole_below: f32,
    pub band_rows: u32,
    /// 1: the range and `s` are in ln(height).
    pub log_norm: u32,
    /// Bin boundaries in `levels` (0: continuous).
    pub level_count: u32,
    pub _pad: u32,
    pub levels: [[f32; 4]; super::scale::MAX_LEVELS / 4],
    pub contour_color: [f32; 4],
    /// 0: no contour lines.
    pub contour_interval: f32,
    pub contour_width: f32,
    pub contour_major: u32,
    pub _pad2: u32,
}

/// How the shader reads heights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HeightsBinding {
    /// A texture array, one layer per upload band.
    Texture,
    /// A storage buffer, row-major.
    Buffer,
}

/// The terrain pipelines for one [`HeightsBinding`] (made on first use).
pub(crate) struct TerrainPipelines {
    pub layout: wgpu::BindGroupLayout,
    pipeline_layout: wgpu::PipelineLayout,
    module: wgpu::ShaderModule,
    /// One per sample count (1 and 4).
    pipelines: [OnceLock<wgpu::RenderPipeline>; 2],
}

/// Both variants, each built when first asked for.
pub(crate) struct TerrainPipelineSet {
    texture: OnceLock<TerrainPipelines>,
    buffer: OnceLock<TerrainPipelines>,
}

impl TerrainPipelineSet {
    pub fn new(_: &GpuContext) -> Self {
        Self {
            texture: OnceLock::new(),
            buffer: OnceLock::new(),
        }
    }

    pub fn get(&self, ctx: &GpuContext, heights: HeightsBinding) -> &TerrainPipelines {
        match heights {
            HeightsBinding::Texture => self
                .texture
                .get_or_init(|| TerrainPipelines::new(ctx, heights)),
            HeightsBinding::Buffer => self
                .buffer
                .get_or_init(|| TerrainPipelines::new(ctx, heights)),
        }
    }
}

/// The terrain shader over heights in a texture array, and over heights in
/// storage buffers (one binding per band).
pub(crate) const TERRAIN_TEXTURE_WGSL: &str = concat!(
    include_str!("terrain.wgsl"),
    "\n",
    include_str!("heights_texture.wgsl")
);
pub(crate) const TERRAIN_BUFFER_WGSL: &str = concat!(
    include_str!("terrain.wgsl"),
    "\n",
    include_str!("heights_buffer.wgsl")
);

impl TerrainPipelines {
    fn new(ctx: &GpuContext, heights: HeightsBinding) -> Self {
        let device = &ctx.device;
        let vf = wgpu::ShaderStages::VERTEX_FRAGMENT;
        let (heights_entries, heights_wgsl) = match heights {
            HeightsBinding::Texture => (
                vec![layout::float_texture(
                    1,
                    vf,
                    wgpu::TextureViewDimension::D2Array,
                )],
                TERRAIN_TEXTURE_WGSL,
            ),
            // One binding per band (heights_buffer.wgsl).
            HeightsBinding::Buffer => (
                BAND_BINDINGS.map(|b| layout::storage(b, vf, true)).to_vec(),
                TERRAIN_BUFFER_WGSL,
            ),
        };
        let mut entries = vec![
            layout::uniform(0, vf, Some(std::mem::size_of::<TerrainUniform>() as u64)),
            layout::float_texture(2, vf, wgpu::TextureViewDimension::D2),
        ];
        entries.extend(heights_entries);
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("forge3d terrain"),
            entries: &entries,
        });
        let tile = TileLayout::get(ctx);
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("forge3d terrain"),
            bind_group_layouts: &[Some(&tile.0), Some(&layout)],
            immediate_size: 0,
        });
        let module = layout::wgsl(device, "forge3d terrain", heights_wgsl);
        Self {
            layout,
            pipeline_layout,
            module,
            pipelines: [OnceLock::new(), OnceLock::new()],
        }
    }

    pub fn get(&self, ctx: &GpuContext, samples: u32) -> &wgpu::RenderPipeline {
        self.pipelines[usize::from(samples > 1)].get_or_init(|| {
            ctx.device
                .create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                    label: Some("forge3d terrain"),
                    layout: Some(&self.pipeline_layout),
                    vertex: wgpu::VertexState {
                        module: &self.module,
                        entry_point: Some("vs_main"),
                        compilation_options: Default::default(),
                        buffers: &[],
                    },
                    primitive: wgpu::PrimitiveState {
                        topology: wgpu::PrimitiveTopology::TriangleStrip,
                        strip_index_format: Some(wgpu::IndexFormat::Uint32),
                        cull_mode: None,
                        ..Default::default()
                    },
                    depth_stencil: Some(wgpu::DepthStencilState {
                        format: DEPTH_FORMAT,
                        depth_write_enabled: Some(true),
                        depth_compare: Some(wgpu::CompareFunction::Less),
                        stencil: Default::default(),
                        bias: Default::default(),
                    }),
                    multisample: wgpu::MultisampleState {
                        count: samples,
                        ..Default::default()
                    },
                    fragment: Some(wgpu::FragmentState {
                        module: &self.module,
                        entry_point: Some("fs_main"),
                        compilation_options: Default::default(),
                        targets: &COLOR_TARGET,
                    }),
                    multiview_mask: None,
                    cache: None,
                })
        })
    }
}
