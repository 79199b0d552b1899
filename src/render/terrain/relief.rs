//! Cast shadows and ambient occlusion of the heightfield: compute passes at
//! the heights' resolution (relief.wgsl) into RGBA8 textures the terrain
//! draw samples. Each is recomputed only when what it depends on changes
//! (the sun and softness for shadows, strength aside the radius for
//! occlusion; new heights make a new layer), inside the frame's upload
//! submission.

use std::sync::OnceLock;

use parking_lot::Mutex;

use super::heights::BAND_BINDINGS;
use super::pipeline::{HeightsBinding, TerrainUniform};
use crate::error::{Error, Result};
use crate::gpu::{layout, GpuContext};
use crate::render::scene::Lighting;

/// Cast shadows from the sun.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shadows {
    /// The sun's angular diameter in degrees, over which a shadow's edge
    /// goes from lit to dark (0: hard edges).
    pub softness_deg: f32,
}

impl Shadows {
    pub fn validate(&self) -> Result<()> {
        let s = self.softness_deg;
        if !s.is_finite() || !(0.0..=45.0).contains(&s) {
            return Err(Error::InvalidArgument(format!(
                "softness must be a number of degrees within [0, 45] (the sun's apparent size; \
                 0 gives hard edges), got {s}"
            )));
        }
        Ok(())
    }
}

/// Ambient occlusion of the heightfield.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AmbientOcclusion {
    /// How much occlusion darkens, in [0, 1].
    pub strength: f32,
    /// How far around each cell the horizon is searched, in world units
    /// (`None`: 32 cells).
    pub radius: Option<f32>,
}

impl AmbientOcclusion {
    /// What a new terrain draws with, and `set_ambient_occlusion()`'s
    /// defaults.
    pub const DEFAULT: AmbientOcclusion = AmbientOcclusion {
        strength: 0.6,
        radius: None,
    };

    pub fn validate(&self) -> Result<()> {
        if !self.strength.is_finite() || !(0.0..=1.0).contains(&self.strength) {
            return Err(Error::InvalidArgument(format!(
                "strength must be within [0, 1], got {}",
                self.strength
            )));
        }
        if let Some(r) = self.radius {
            if !r.is_finite() || r <= 0.0 {
                return Err(Error::InvalidArgument(format!(
                    "radius must be a positive number of world units, got {r}"
                )));
            }
        }
        Ok(())
    }
}

/// Directions and samples per direction of the occlusion search.
const AO_DIRS: u32 = 16;
const AO_STEPS: u32 = 10;
const WORKGROUP: u32 = 8;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct ReliefUniform {
    sun_step: [f32; 2],
    step_len: f32,
    elevation: f32,
    softness: f32,
    top: f32,
    ao_radius: f32,
    ao_dirs: u32,
    ao_steps: u32,
    max_steps: u32,
    _pad: [u32; 2],
}

/// The relief compute pipelines for one heights binding.
struct ReliefPipelines {
    /// Group 0: the relief uniform and the output texture.
    out_layout: wgpu::BindGroupLayout,
    /// Group 1: the terrain uniform and the heights.
    heights_layout: wgpu::BindGroupLayout,
    shadow: wgpu::ComputePipeline,
    ao: wgpu::ComputePipeline,
}

pub(crate) const RELIEF_TEXTURE_WGSL: &str = concat!(
    include_str!("terrain_uniform.wgsl"),
    "\n",
    include_str!("relief.wgsl"),
    "\n",
    include_str!("heights_texture.wgsl")
);
pub(crate) const RELIEF_BUFFER_WGSL: &str = concat!(
    include_str!("terrain_uniform.wgsl"),
    "\n",
    include_str!("relief.wgsl"),
    "\n",
    include_str!("heights_buffer.wgsl")
);

impl ReliefPipelines {
    fn new(ctx: &GpuContext, heights: HeightsBinding) -> Self {
        let device = &ctx.device;
        let c = wgpu::ShaderStages::COMPUTE;
        let (heights_entries, source) = match heights {
            HeightsBinding::Texture => (
                vec![layout::float_texture(
                    1,
                    c,
                    wgpu::TextureViewDimension::D2Array,
                )],
                RELIEF_TEXTURE_WGSL,
            ),
            HeightsBinding::Buffer => (
                BAND_BINDINGS.map(|b| layout::storage(b, c, true)).to_vec(),
                RELIEF_BUFFER_WGSL,
            ),
        };
        let mut entries = vec![layout::uniform(
            0,
            c,
            Some(std::mem::size_of::<TerrainUniform>() as u64),
        )];
        entries.extend(heights_entries);
        let heights_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("forge3d relief heights"),
            entries: &entries,
        });
        let out_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("forge3d relief output"),
            entries: &[
                layout::uniform(0, c, Some(std::mem::size_of::<ReliefUniform>() as u64)),
                layout::rgba8_storage(1),
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("forge3d relief"),
            bind_group_layouts: &[Some(&out_layout), Some(&heights_layout)],
            immediate_size: 0,
        });
        let module = layout::wgsl(device, "forge3d relief", source);
        let make = |entry: &str| {
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some("forge3d relief"),
                layout: Some(&pipeline_layout),
                module: &module,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                cache: None,
            })
        };
        Self {
            shadow: make("shadow_main"),
            ao: make("ao_main"),
            out_layout,
            heights_layout,
        }
    }
}

/// Both variants, each built when first asked for.
#[derive(Default)]
struct ReliefPipelineSet {
    texture: OnceLock<ReliefPipelines>,
    buffer: OnceLock<ReliefPipelines>,
}

fn pipelines(ctx: &GpuContext, heights: HeightsBinding) -> std::sync::Arc<ReliefPipelineSet> {
    let set = ctx.cached(|_| ReliefPipelineSet::default());
    match heights {
        HeightsBinding::Texture => {
            set.texture
                .get_or_init(|| ReliefPipelines::new(ctx, heights));
        }
        HeightsBinding::Buffer => {
            set.buffer
                .get_or_init(|| ReliefPipelines::new(ctx, heights));
        }
    }
    set
}

fn pick(set: &ReliefPipelineSet, heights: HeightsBinding) -> &ReliefPipelines {
    match heights {
        HeightsBinding::Texture => set.texture.get().expect("made by pipelines()"),
        HeightsBinding::Buffer => set.buffer.get().expect("made by pipelines()"),
    }
}

/// One relief result: its texture and what it was last computed for.
struct Pass {
    view: wgpu::TextureView,
    uniform: wgpu::Buffer,
    group: wgpu::BindGroup,
    done: Mutex<Option<[f32; 4]>>,
    /// How many times this pass has been recorded (the cache's witness).
    runs: std::sync::atomic::AtomicU64,
}

/// A terrain's relief textures (each made when first enabled).
pub(crate) struct Relief {
    binding: HeightsBinding,
    /// The heights' (cols, rows).
    cells: (u32, u32),
    /// Cells per relief texel per side: 1, unless the heights are larger
    /// than a texture may be.
    stride: u32,
    /// The relief textures' (width, height).
    size: (u32, u32),
    /// Group 1 of the passes: the terrain uniform and the heights.
    heights_group: wgpu::BindGroup,
    shadows: Option<Pass>,
    ao: Option<Pass>,
}

/// What a frame's relief passes are computed from.
pub(crate) struct ReliefInputs {
    pub light: Lighting,
    pub shadows: Option<Shadows>,
    pub ao: Option<AmbientOcclusion>,
    pub spacing: (f32, f32),
    /// The highest height, exaggerated.
    pub top: f32,
}

impl Relief {
    /// Relief for heights of `cells` (cols, rows): one texel per cell, or
    /// per `stride` x `stride` cells when that is more than the device's
    /// texture side allows (then still finer than any frame shows them).
    pub fn new(
        ctx: &GpuContext,
        binding: HeightsBinding,
        cells: (u32, u32),
        heights_entries: Vec<wgpu::BindGroupEntry<'_>>,
        uniform: &wgpu::Buffer,
    ) -> Self {
        let set = pipelines(ctx, binding);
        let p = pick(&set, binding);
        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: uniform.as_entire_binding(),
        }];
        entries.extend(heights_entries);
        let heights_group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("forge3d relief heights"),
            layout: &p.heights_layout,
            entries: &entries,
        });
        let max_side = ctx.limits.max_texture_dimension_2d.max(1);
        let stride = cells.0.max(cells.1).div_ceil(max_side).max(1);
        Self {
            binding,
            cells,
            stride,
            size: (cells.0.div_ceil(stride), cells.1.div_ceil(stride)),
            heights_group,
            shadows: None,
            ao: None,
        }
    }

    /// The terrain uniform's `relief` field.
    pub fn uniform(&self) -> [f32; 4] {
        let s = self.stride as f32;
        [
            1.0 / (self.size.0 as f32 * s),
            1.0 / (self.size.1 as f32 * s),
            s,
            0.0,
        ]
    }

    /// Cells per relief texel per side.
    pub fn stride(&self) -> u32 {
        self.stride
    }

    fn make_pass(&self, ctx: &GpuContext) -> Result<Pass> {
        let (w, h) = self.size;
        let need = w as u64 * h as u64 * 4;
        if let Some(available) = ctx
            .info
            .software
            .then(|| crate::memory::alloc::host_shortfall(need))
            .flatten()
        {
            return Err(Error::OutOfMemory(format!(
                "shadows and ambient occlusion of a ({}, {}) terrain need {} MiB each for a \
                 {w}x{h} texture, which on this CPU adapter is host memory, and {} MiB is \
                 available; turn them off or downsample the heights",
                self.cells.1,
                self.cells.0,
                need >> 20,
                available >> 20
            )));
        }
        let texture = ctx.scoped("creating a relief texture", || {
            ctx.device.create_texture(&wgpu::TextureDescriptor {
                label: Some("forge3d relief"),
                size: wgpu::Extent3d {
                    width: w,
                    height: h,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: wgpu::TextureFormat::Rgba8Unorm,
                usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::STORAGE_BINDING,
                view_formats: &[],
            })
        })?;
        let view = texture.create_view(&Default::default());
        let uniform = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("forge3d relief uniform"),
            size: std::mem::size_of::<ReliefUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let set = pipelines(ctx, self.binding);
        let group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("forge3d relief output"),
            layout: &pick(&set, self.binding).out_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: uniform.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(&view),
                },
            ],
        });
        Ok(Pass {
            view,
            uniform,
            group,
            done: Mutex::new(None),
            runs: Default::default(),
        })
    }

    /// Makes the textures `shadows` and `ao` need (before anything is
    /// drawn with them); on error nothing changes.
    pub fn enable(&mut self, ctx: &GpuContext, shadows: bool, ao: bool) -> Result<()> {
        let s = match (shadows, self.shadows.is_none()) {
            (true, true) => Some(self.make_pass(ctx)?),
            _ => None,
        };
        let a = match (ao, self.ao.is_none()) {
            (true, true) => Some(self.make_pass(ctx)?),
            _ => None,
        };
        if s.is_some() {
            self.shadows = s;
        }
        if a.is_some() {
            self.ao = a;
        }
        Ok(())
    }

    /// Frees the textures of passes turned off (a texel per cell each: on
    /// large terrains the largest allocations after the heights). Turned
    /// on again, they are made and computed afresh.
    pub fn disable(&mut self, shadows: bool, ao: bool) {
        if shadows {
            self.shadows = None;
        }
        if ao {
            self.ao = None;
        }
    }

    /// The views the draw binds (None: not made).
    pub fn views(&self) -> (Option<&wgpu::TextureView>, Option<&wgpu::TextureView>) {
        (
            self.shadows.as_ref().map(|p| &p.view),
            self.ao.as_ref().map(|p| &p.view),
        )
    }

    /// The passes to run this frame: (pass, key, uniform), for those enabled
    /// whose key changed.
    pub fn due(&self, inp: &ReliefInputs) -> Vec<(bool, [f32; 4], Vec<u8>)> {
        let mut out = Vec::new();
        let cell = inp.spacing.0.min(inp.spacing.1);
        if let (Some(s), Some(pass)) = (inp.shadows, &self.shadows) {
            let l = inp.light;
            let key = [l.azimuth_deg, l.elevation_deg, s.softness_deg, inp.top];
            if *pass.done.lock() != Some(key) {
                let az = l.azimuth_deg.to_radians();
                // Towards the sun, one step of `cell` world units, in texels
                // (+y in world is towards row 0).
                let step = [
                    az.sin() * cell / inp.spacing.0,
                    -az.cos() * cell / inp.spacing.1,
                ];
                let (w, h) = self.cells;
                let u = ReliefUniform {
                    sun_step: step,
                    step_len: cell,
                    elevation: l.elevation_deg.to_radians(),
                    softness: s.softness_deg.to_radians(),
                    top: inp.top,
                    ao_radius: 0.0,
                    ao_dirs: 0,
                    ao_steps: 0,
                    max_steps: (w + h) * 2,
                    _pad: [0; 2],
                };
                out.push((true, key, bytemuck::bytes_of(&u).to_vec()));
            }
        }
        if let (Some(a), Some(pass)) = (inp.ao, &self.ao) {
            let radius = a.radius.unwrap_or(32.0 * cell);
            let key = [radius, inp.top, 0.0, 0.0];
            if *pass.done.lock() != Some(key) {
                let u = ReliefUniform {
                    sun_step: [0.0; 2],
                    step_len: cell,
                    elevation: 0.0,
                    softness: 0.0,
                    top: inp.top,
                    ao_radius: radius,
                    ao_dirs: AO_DIRS,
                    ao_steps: AO_STEPS,
                    max_steps: 0,
                    _pad: [0; 2],
                };
                out.push((false, key, bytemuck::bytes_of(&u).to_vec()));
            }
        }
        out
    }

    /// How many times the shadow and the occlusion passes have been
    /// computed for this terrain: a render that changes neither the sun nor
    /// their settings adds nothing.
    pub fn runs(&self) -> (u64, u64) {
        let n = |p: &Option<Pass>| {
            p.as_ref()
                .map_or(0, |p| p.runs.load(std::sync::atomic::Ordering::Relaxed))
        };
        (n(&self.shadows), n(&self.ao))
    }

    /// Runs the passes [`Relief::due`] returned, into `encoder`.
    pub fn run(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        due: Vec<(bool, [f32; 4], Vec<u8>)>,
    ) {
        let set = pipelines(ctx, self.binding);
        let p = pick(&set, self.binding);
        let (w, h) = self.size;
        for (is_shadow, key, uniform) in due {
            let (pass, pipeline) = if is_shadow {
                (self.shadows.as_ref(), &p.shadow)
            } else {
                (self.ao.as_ref(), &p.ao)
            };
            let Some(pass) = pass else { continue };
            ctx.queue.write_buffer(&pass.uniform, 0, &uniform);
            let mut cpass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("forge3d relief"),
                timestamp_writes: None,
            });
            cpass.set_pipeline(pipeline);
            cpass.set_bind_group(0, &pass.group, &[]);
            cpass.set_bind_group(1, &self.heights_group, &[]);
            cpass.dispatch_workgroups(w.div_ceil(WORKGROUP), h.div_ceil(WORKGROUP), 1);
            drop(cpass);
            *pass.done.lock() = Some(key);
            pass.runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}
