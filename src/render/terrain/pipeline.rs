//! The terrain render pipelines (one per sample count) and their uniforms.

use std::sync::OnceLock;

use super::heights::BAND_BINDINGS;
use crate::gpu::{layout, GpuContext};
use crate::render::target::{depth_state, TileLayout, COLOR_TARGET};

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
    /// Columns per texture layer (the heights' columns when not tiled).
    pub tile_cols: u32,
    pub levels: [[f32; 4]; super::scale::MAX_LEVELS / 4],
    pub contour_color: [f32; 4],
    /// 0: no contour lines.
    pub contour_interval: f32,
    pub contour_width: f32,
    pub contour_major: u32,
    /// 1: cast shadows (the sun-visibility texture).
    pub shadows: u32,
    /// 0: no ambient occlusion.
    pub ao_strength: f32,
    pub overlay_count: u32,
    pub water_on: u32,
    pub water_shading: u32,
    pub water_color: [f32; 4],
    pub water_level: f32,
    pub water_depth_scale: f32,
    pub base_on: u32,
    pub base_z: f32,
    pub base_color: [f32; 4],
    pub overlay_extent: [[f32; 4]; super::look::MAX_OVERLAYS],
    /// Per overlay: opacity, blend mode, image width and height in pixels.
    pub overlay_params: [[f32; 4]; super::look::MAX_OVERLAYS],
    /// The relief textures: 1 / (texels x cells per texel) per axis, cells
    /// per texel, unused.
    pub relief: [f32; 4],
}

/// How the shader reads heights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HeightsBinding {
    /// A texture array, one layer per upload band.
    Texture,
    /// A storage buffer, row-major.
    Buffer,
}

/// What a terrain pipeline draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    /// The heightfield itself, shaded in one pass.
    Surface,
    /// The heightfield's depth alone (the pre-pass).
    SurfaceDepth,
    /// The heightfield shaded where its depth equals the pre-pass's.
    SurfaceShaded,
    /// The water surface, blended over it.
    Water,
    /// The side walls of the solid base.
    Base,
}

/// The terrain pipelines for one [`HeightsBinding`] (made on first use).
pub(crate) struct TerrainPipelines {
    pub layout: wgpu::BindGroupLayout,
    pipeline_layout: wgpu::PipelineLayout,
    module: wgpu::ShaderModule,
    /// Per [`Part`], one per sample count (1 and 4).
    pipelines: [[OnceLock<wgpu::RenderPipeline>; 2]; 5],
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
    include_str!("terrain_uniform.wgsl"),
    "\n",
    include_str!("terrain.wgsl"),
    "\n",
    include_str!("heights_texture.wgsl")
);
pub(crate) const TERRAIN_BUFFER_WGSL: &str = concat!(
    include_str!("terrain_uniform.wgsl"),
    "\n",
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
        let f = wgpu::ShaderStages::FRAGMENT;
        let mut entries = vec![
            layout::uniform(0, vf, Some(std::mem::size_of::<TerrainUniform>() as u64)),
            layout::float_texture(2, vf, wgpu::TextureViewDimension::D2),
            layout::filterable_texture(6, f),
            layout::filterable_texture(7, f),
            layout::sampler(8, f),
        ];
        entries.extend(
            (0..super::look::MAX_OVERLAYS as u32).map(|i| layout::filterable_texture(9 + i, f)),
        );
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
            pipelines: Default::default(),
        }
    }

    pub fn get(&self, ctx: &GpuContext, part: Part, samples: u32) -> &wgpu::RenderPipeline {
        let slot = &self.pipelines[part as usize][usize::from(samples > 1)];
        slot.get_or_init(|| {
            let strip = wgpu::PrimitiveTopology::TriangleStrip;
            let indexed = Some(wgpu::IndexFormat::Uint32);
            let (vs, fs, topology, strip_index_format, blend, depth_write) = match part {
                Part::Surface | Part::SurfaceShaded => (
                    "vs_main",
                    "fs_main",
                    strip,
                    indexed,
                    None,
                    part == Part::Surface,
                ),
                Part::SurfaceDepth => ("vs_main", "fs_depth", strip, indexed, None, true),
                // Blended over what is below it; writes no depth, so what is
                // under the water stays what depth and picking see.
                Part::Water => (
                    "vs_water",
                    "fs_water",
                    wgpu::PrimitiveTopology::TriangleStrip,
                    None,
                    Some(wgpu::BlendState {
                        color: wgpu::BlendComponent {
                            src_factor: wgpu::BlendFactor::SrcAlpha,
                            dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
                            operation: wgpu::BlendOperation::Add,
                        },
                        alpha: wgpu::BlendComponent {
                            src_factor: wgpu::BlendFactor::One,
                            dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
                            operation: wgpu::BlendOperation::Add,
                        },
                    }),
                    false,
                ),
                Part::Base => (
                    "vs_base",
                    "fs_base",
                    wgpu::PrimitiveTopology::TriangleStrip,
                    None,
                    None,
                    true,
                ),
            };
            let color = COLOR_TARGET[0].clone().expect("one colour target");
            let write_mask = if part == Part::SurfaceDepth {
                wgpu::ColorWrites::empty()
            } else {
                color.write_mask
            };
            let targets = [Some(wgpu::ColorTargetState {
                blend,
                write_mask,
                ..color
            })];
            let compare = if part == Part::SurfaceShaded {
                wgpu::CompareFunction::Equal
            } else {
                wgpu::CompareFunction::Less
            };
            ctx.device
                .create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                    label: Some("forge3d terrain"),
                    layout: Some(&self.pipeline_layout),
                    vertex: wgpu::VertexState {
                        module: &self.module,
                        entry_point: Some(vs),
                        compilation_options: Default::default(),
                        buffers: &[],
                    },
                    primitive: wgpu::PrimitiveState {
                        topology,
                        strip_index_format,
                        cull_mode: None,
                        ..Default::default()
                    },
                    depth_stencil: Some(depth_state(compare, depth_write)),
                    multisample: wgpu::MultisampleState {
                        count: samples,
                        ..Default::default()
                    },
                    fragment: Some(wgpu::FragmentState {
                        module: &self.module,
                        entry_point: Some(fs),
                        compilation_options: Default::default(),
                        targets: &targets,
                    }),
                    multiview_mask: None,
                    cache: None,
                })
        })
    }
}
