//! Terrain: heights uploaded with one CPU copy (into a texture's upload
//! memory, or on CPU adapters a storage buffer the shader reads), drawn as a grid
//! generated from the vertex index (no per-texel vertex or index buffers),
//! colored by a colormap and lit per pixel from the full-resolution heights.

mod draw;
mod heights;
mod layer_look;
mod look;
mod mipmap;
mod options;
mod pipeline;
mod relief;
mod scale;
mod source;
mod store;
mod upload;

use std::sync::Arc;

use super::camera::Bounds;
use super::colormap;
use super::scene::{DrawData, Layer, Prepare};
use crate::error::{Error, Result};
use crate::gpu::alloc::belt::Uniform;
use crate::gpu::GpuContext;
use draw::{PreparedTerrain, Prepass};
use heights::HeightsMemory;
pub use layer_look::OverlayInfo;
pub use look::{Base, Blend, Extent, ImageRef, Water, MAX_OVERLAYS};
use look::{Linear, Overlay, White};
pub use options::TerrainOptions;
use options::{check_options, check_range};
use pipeline::{HeightsBinding, Part, TerrainPipelineSet, TerrainUniform};
pub use relief::{AmbientOcclusion, Shadows};
use relief::{Relief, ReliefInputs};
use scale::check_norm_range;
pub use scale::{Contours, Norm, MAX_LEVELS};
pub(crate) use source::Heights;
pub use source::{FillBand, HeightsFill, HeightsGpu};
use store::GpuHeights;
use upload::{upload_heights, TextureLayout};

/// This module's WGSL, as its pipelines compile it.
pub(crate) const SHADERS: [(&str, &str); 5] = [
    (
        "terrain (heights in a texture)",
        pipeline::TERRAIN_TEXTURE_WGSL,
    ),
    (
        "terrain (heights in buffers)",
        pipeline::TERRAIN_BUFFER_WGSL,
    ),
    ("relief (heights in a texture)", relief::RELIEF_TEXTURE_WGSL),
    ("relief (heights in buffers)", relief::RELIEF_BUFFER_WGSL),
    ("overlay mip levels", mipmap::MIPMAP_WGSL),
];

/// Heights at or below this are holes on the GPU (NaN and nodata map here).
const HOLE: f32 = -f32::MAX;
const HOLE_BELOW: f32 = -1.0e38;
/// Most grid cells per side that are drawn by default; shading stays full
/// resolution.
const GRID_MAX: u32 = 1024;
/// Most grid cells per side [`TerrainLayer::set_detail`] accepts (the index
/// buffer of a 4096-cell grid is 134 MB).
pub const GRID_LIMIT: u32 = 4096;

/// The default grid cells per side for a frame: half its larger side,
/// within 64..=GRID_MAX.
fn auto_grid_side(frame_size: (u32, u32)) -> u32 {
    (frame_size.0.max(frame_size.1) / 2).clamp(64, GRID_MAX)
}

/// A C-contiguous float32 height grid borrowed from the caller.
#[derive(Debug, Clone, Copy)]
pub struct HeightsRef<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
}

/// What an upload found in the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeightStats {
    /// Smallest and largest valid height.
    pub min: f32,
    pub max: f32,
    /// Cells that are NaN or equal to `nodata`.
    pub holes: usize,
}

/// A terrain on the GPU.
pub(crate) struct TerrainLayer {
    heights: GpuHeights,
    rows: u32,
    cols: u32,
    grid: (u32, u32),
    options: TerrainOptions,
    stats: HeightStats,
    uniform: Arc<Uniform>,
    lut: wgpu::TextureView,
    relief: Relief,
    overlays: Vec<Overlay>,
    next_overlay: u64,
    bind_group: wgpu::BindGroup,
    indices: wgpu::Buffer,
    index_count: u32,
}

/// A strip per grid row, joined by primitive restarts, written straight
/// into the mapped index buffer.
fn grid_indices(ctx: &GpuContext, gw: u32, gh: u32) -> Result<(wgpu::Buffer, u32)> {
    let per_row = 2 * (gw + 1) + 1;
    let count = gh * per_row;
    let buffer = ctx.scoped("creating the terrain grid", || {
        ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("forge3d terrain grid"),
            size: count as u64 * 4,
            usage: wgpu::BufferUsages::INDEX,
            mapped_at_creation: true,
        })
    })?;
    {
        let mut view = buffer
            .get_mapped_range_mut(..)
            .map_err(|e| Error::Gpu(format!("terrain grid not mapped: {e}")))?;
        let mut row = Vec::with_capacity(per_row as usize);
        let row_bytes = per_row as usize * 4;
        for j in 0..gh {
            row.clear();
            for x in 0..=gw {
                row.push(j * (gw + 1) + x);
                row.push((j + 1) * (gw + 1) + x);
            }
            row.push(u32::MAX);
            view.slice(j as usize * row_bytes..(j as usize + 1) * row_bytes)
                .copy_from_slice(bytemuck::cast_slice(&row));
        }
    }
    buffer.unmap();
    Ok((buffer, count))
}

/// How heights of `rows` x `cols` are laid out for the GPU's copy into the
/// height texture: (values from one row to the next, rows in all, padded
/// to whole bands), after checking the shape as [`TerrainLayer::check_shape`]
/// does. A [`HeightsGpu`] buffer has this layout.
pub fn gpu_layout(ctx: &GpuContext, rows: usize, cols: usize) -> Result<(usize, usize)> {
    TerrainLayer::check_shape(ctx, rows, cols)?;
    let layout = TextureLayout::for_device(ctx, rows, cols)?;
    Ok((
        (layout.pitch / 4) as usize,
        (layout.bands * layout.band_rows) as usize,
    ))
}

/// The value holes hold on the GPU.
pub const GPU_HOLE: f32 = HOLE;

impl TerrainLayer {
    /// The shapes a terrain can have on `ctx`: at least 2x2, tiled into
    /// one texture array within the device's limits (rows wider than a
    /// texture are split into column tiles), and on a CPU adapter, whose
    /// GPU memory is host memory, no more than the host has available.
    /// Callers check before converting.
    pub fn check_shape(ctx: &GpuContext, rows: usize, cols: usize) -> Result<()> {
        if ctx.info.backend == "gl" {
            // On wgpu's GL backend the terrain draws wrong (heights read
            // from the 2D-array texture come back as zeros or misplaced),
            // so it is refused rather than drawn wrong without a word.
            return Err(Error::Gpu(format!(
                "terrain cannot be drawn on the OpenGL backend ({}): forge3d draws terrain with \
                 Vulkan, Metal or DX12 only. Install a Vulkan driver (your GPU vendor's, or \
                 Mesa's software renderer: `sudo apt-get install mesa-vulkan-drivers`) and unset \
                 FORGE3D_BACKEND=gl; meshes and points do render on GL",
                ctx.info.name
            )));
        }
        if rows < 2 || cols < 2 {
            return Err(Error::InvalidArgument(format!(
                "heights must be at least 2x2, got shape ({rows}, {cols})"
            )));
        }
        let layout = TextureLayout::for_device(ctx, rows, cols)?;
        let need = layout.texture_bytes();
        if let Some(available) = ctx
            .info
            .software
            .then(|| crate::memory::alloc::host_shortfall(need))
            .flatten()
        {
            let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
            return Err(Error::OutOfMemory(format!(
                "heights shape ({rows}, {cols}) needs {:.1} GiB of GPU memory, which on this \
                 CPU adapter ({}) is host memory, and {:.1} GiB is available; downsample it \
                 (e.g. heights[::2, ::2]), render it in pieces with forge3d.dask.render_tiles, \
                 or use a machine with a GPU",
                gib(need),
                ctx.info.name,
                gib(available)
            )));
        }
        Ok(())
    }

    pub fn new(
        ctx: &GpuContext,
        mut heights: Heights<'_>,
        options: TerrainOptions,
        frame_size: (u32, u32),
        previous: Option<&TerrainLayer>,
    ) -> Result<Self> {
        check_options(&options)?;
        let (rows, cols) = (heights.rows(), heights.cols());
        Self::check_shape(ctx, rows, cols)?;
        if let Heights::Ref(h) = &heights {
            assert_eq!(h.data.len(), rows * cols, "HeightsRef length");
        }
        if let Some(range) = options.height_range {
            check_norm_range(options.norm, range)?;
        }
        // A log norm over the data's own range is checked after the upload:
        // then the previous terrain's texture must not be refilled.
        let late_check = options.norm == Norm::Log && options.height_range.is_none();
        let memory = HeightsMemory::from_env()?;
        // Heights on the GPU already stay there: into the texture.
        let on_gpu = matches!(heights, Heights::Gpu(_));
        let in_buffer = if memory.wants_buffer(ctx) && !on_gpu {
            heights::upload(ctx, &mut heights, options.nodata)?
        } else {
            None
        };
        let (gpu_heights, stats) = match in_buffer {
            Some((buffer, stats)) => (GpuHeights::Buffer(buffer), stats),
            None => {
                let reuse = previous
                    .filter(|_| !late_check)
                    .and_then(|p| p.heights.texture());
                let (texture, layout, stats) =
                    upload_heights(ctx, &mut heights, options.nodata, reuse)?;
                let view = texture.create_view(&wgpu::TextureViewDescriptor {
                    dimension: Some(wgpu::TextureViewDimension::D2Array),
                    ..Default::default()
                });
                let store = GpuHeights::Texture {
                    texture,
                    view,
                    layout,
                };
                (store, stats)
            }
        };
        check_norm_range(
            options.norm,
            options.height_range.unwrap_or((stats.min, stats.max)),
        )?;
        let lut = colormap::lut_texture(ctx, &options.colormap)?;
        let uniform = Uniform::new(
            ctx,
            "forge3d terrain uniform",
            std::mem::size_of::<TerrainUniform>() as u64,
        );
        let binding = gpu_heights.binding();
        let mut relief = Relief::new(
            ctx,
            binding,
            (cols as u32, rows as u32),
            gpu_heights.entries(),
            &uniform.buffer,
        );
        relief.enable(
            ctx,
            options.shadows.is_some(),
            options.ambient_occlusion.is_some(),
        )?;
        let bind_group = bind_group(ctx, &gpu_heights, &uniform.buffer, &lut, &relief, &[]);
        let side = auto_grid_side(frame_size);
        let grid = ((cols as u32 - 1).min(side), (rows as u32 - 1).min(side));
        let (indices, index_count) = grid_indices(ctx, grid.0, grid.1)?;
        Ok(Self {
            heights: gpu_heights,
            rows: rows as u32,
            cols: cols as u32,
            grid,
            options,
            stats,
            uniform,
            lut,
            relief,
            overlays: Vec::new(),
            next_overlay: 1,
            bind_group,
            indices,
            index_count,
        })
    }

    /// Grid cells per side drawn (columns, rows): `cells` at most per side
    /// (None: the default for `frame_size`), never more than the heights
    /// have. Shading is per pixel at full resolution either way; the grid
    /// decides where holes' edges and, in oblique views, silhouettes fall.
    pub fn set_detail(
        &mut self,
        ctx: &GpuContext,
        cells: Option<u32>,
        frame_size: (u32, u32),
    ) -> Result<()> {
        let side = match cells {
            None => auto_grid_side(frame_size),
            Some(n) if (1..=GRID_LIMIT).contains(&n) => n,
            Some(n) => {
                return Err(Error::InvalidArgument(format!(
                    "cells must be an int in 1..={GRID_LIMIT} (grid cells per side) or None \
                     for the default, got {n}"
                )))
            }
        };
        let grid = ((self.cols - 1).min(side), (self.rows - 1).min(side));
        if grid != self.grid {
            let (indices, index_count) = grid_indices(ctx, grid.0, grid.1)?;
            self.indices = indices;
            self.index_count = index_count;
            self.grid = grid;
        }
        Ok(())
    }

    /// Grid cells drawn per side (columns, rows).
    pub fn grid(&self) -> (u32, u32) {
        self.grid
    }

    /// Rebuilds the draw's bind group (after a colormap, relief texture or
    /// overlay changed).
    fn rebind(&mut self, ctx: &GpuContext) {
        self.bind_group = bind_group(
            ctx,
            &self.heights,
            &self.uniform.buffer,
            &self.lut,
            &self.relief,
            &self.overlays,
        );
    }

    /// (rows, cols) of the heights.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows as usize, self.cols as usize)
    }

    /// The height at (`row`, `col`) as drawn (before exaggeration), None
    /// over a hole, read from the GPU's copy of the heights (for terrains
    /// whose heights the host does not keep). Out of range is an error.
    pub fn height_at(&self, ctx: &GpuContext, row: usize, col: usize) -> Result<Option<f32>> {
        if row >= self.rows as usize || col >= self.cols as usize {
            return Err(Error::InvalidArgument(format!(
                "cell ({row}, {col}) is outside the terrain's {} x {} cells",
                self.rows, self.cols
            )));
        }
        let h = self.heights.value_at(ctx, row, col)?;
        Ok((h > HOLE_BELOW).then_some(h))
    }

    pub fn stats(&self) -> HeightStats {
        self.stats
    }
    /// (shadow, occlusion) passes computed so far (see [`Relief::runs`]).
    pub fn relief_runs(&self) -> (u64, u64) {
        self.relief.runs()
    }

    pub fn options(&self) -> &TerrainOptions {
        &self.options
    }
    /// Where the heights live: "texture" or "buffer".
    pub fn heights_memory(&self) -> &'static str {
        match self.heights.binding() {
            HeightsBinding::Texture => "texture",
            HeightsBinding::Buffer => "buffer",
        }
    }

    /// How the heights are split on the GPU: (bands of rows, column tiles)
    /// (one band per texture layer or storage binding; several column
    /// tiles only for rows wider than a texture may be), and the cells per
    /// relief texel per side.
    pub fn tiling(&self) -> ((u32, u32), u32) {
        let pieces = match &self.heights {
            GpuHeights::Texture { layout, .. } => (layout.bands, layout.tiles_x),
            GpuHeights::Buffer(b) => (self.rows.div_ceil(b.band_rows()), 1),
        };
        (pieces, self.relief.stride())
    }

    pub fn set_colormap(&mut self, ctx: &GpuContext, name: &str) -> Result<()> {
        self.lut = colormap::lut_texture(ctx, name)?;
        self.rebind(ctx);
        self.options.colormap = name.to_string();
        Ok(())
    }

    pub fn set_height_range(&mut self, range: Option<(f32, f32)>) -> Result<()> {
        if let Some((lo, hi)) = range {
            check_range(lo, hi)?;
        }
        let effective = range.unwrap_or((self.stats.min, self.stats.max));
        check_norm_range(self.options.norm, effective)?;
        self.options.height_range = range;
        Ok(())
    }

    /// Contour lines (None: none); on error nothing changes.
    pub fn set_contours(&mut self, contours: Option<Contours>) -> Result<()> {
        if let Some(c) = &contours {
            c.validate()?;
        }
        self.options.contours = contours;
        Ok(())
    }

    /// How heights map to the colormap: `norm` and bin `levels` (empty:
    /// continuous). Checked against the range in effect; on error nothing
    /// changes.
    pub fn set_color_scale(&mut self, norm: Norm, levels: Vec<f32>) -> Result<()> {
        if !levels.is_empty() {
            scale::check_levels(&levels)?;
        }
        check_norm_range(norm, self.height_range())?;
        self.options.norm = norm;
        self.options.levels = levels;
        Ok(())
    }

    /// The colormap range in effect.
    pub fn height_range(&self) -> (f32, f32) {
        self.options
            .height_range
            .unwrap_or((self.stats.min, self.stats.max))
    }

    pub fn world_bounds(&self) -> Bounds {
        let (dx, dy) = self.options.spacing;
        let e = self.options.exaggeration;
        Bounds {
            min: [0.0, 0.0, self.stats.min * e],
            max: [
                (self.cols - 1) as f32 * dx,
                (self.rows - 1) as f32 * dy,
                self.stats.max * e,
            ],
        }
    }
}

fn bind_group(
    ctx: &GpuContext,
    heights: &GpuHeights,
    uniform: &wgpu::Buffer,
    lut: &wgpu::TextureView,
    relief: &Relief,
    overlays: &[Overlay],
) -> wgpu::BindGroup {
    let set = ctx.cached(TerrainPipelineSet::new);
    let pipelines = set.get(ctx, heights.binding());
    let white = ctx.cached(White::new);
    let linear = ctx.cached(Linear::new);
    let (vis, ao) = relief.views();
    fn view(binding: u32, v: &wgpu::TextureView) -> wgpu::BindGroupEntry<'_> {
        wgpu::BindGroupEntry {
            binding,
            resource: wgpu::BindingResource::TextureView(v),
        }
    }
    let mut entries = vec![
        wgpu::BindGroupEntry {
            binding: 0,
            resource: uniform.as_entire_binding(),
        },
        view(2, lut),
        view(6, vis.unwrap_or(&white.0)),
        view(7, ao.unwrap_or(&white.0)),
        wgpu::BindGroupEntry {
            binding: 8,
            resource: wgpu::BindingResource::Sampler(&linear.0),
        },
    ];
    for i in 0..MAX_OVERLAYS {
        let v = overlays.get(i).map_or(&white.0, |o| &o.view);
        entries.push(view(9 + i as u32, v));
    }
    entries.extend(heights.entries());
    ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("forge3d terrain"),
        layout: &pipelines.layout,
        entries: &entries,
    })
}

impl Layer for TerrainLayer {
    fn kind(&self) -> &'static str {
        "terrain"
    }

    fn bounds(&self) -> Option<Bounds> {
        Some(self.world_bounds())
    }

    /// Writes this frame's uniforms, records the relief passes whose
    /// inputs changed and returns what the draw needs.
    fn prepare(&self, frame: &mut Prepare<'_>) -> Result<Box<dyn DrawData>> {
        let ctx = frame.ctx;
        let u = self.uniform(frame.view_proj, frame.light);
        frame.write_uniform(&self.uniform, bytemuck::bytes_of(&u));
        let inputs = ReliefInputs {
            light: *frame.light,
            shadows: self.options.shadows,
            ao: self.options.ambient_occlusion,
            spacing: self.options.spacing,
            top: self.stats.max * self.options.exaggeration,
        };
        let due = self.relief.due(&inputs);
        if !due.is_empty() {
            self.relief.run(ctx, frame.uploads(), due);
        }
        let set = ctx.cached(TerrainPipelineSet::new);
        let pipelines = set.get(ctx, self.heights.binding());
        let samples = frame.samples;
        let part = |p: Part| pipelines.get(ctx, p, samples).clone();
        let (depth, surface) = match Prepass::from_env()? {
            Prepass::On => (Some(part(Part::SurfaceDepth)), part(Part::SurfaceShaded)),
            Prepass::Off => (None, part(Part::Surface)),
        };
        Ok(Box::new(PreparedTerrain {
            depth,
            pipeline: surface,
            water: self.options.water.map(|_| part(Part::Water)),
            base: self.options.base.map(|_| (part(Part::Base), self.grid)),
            bind_group: self.bind_group.clone(),
            indices: self.indices.clone(),
            index_count: self.index_count,
        }))
    }
}
