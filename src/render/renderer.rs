//! `Renderer`: a fixed-size offscreen renderer on the shared GPU context.
//! It holds a [`Scene`] and a target; what the scene holds is drawn by its
//! layers (see `scene.rs`), so nothing here knows how a kind is drawn.

use std::sync::Arc;

use parking_lot::Mutex;

use super::camera::{Bounds, Camera};
use super::frame::Frame;
use super::mesh::{Mesh, MeshLayer, MeshStyle};
use super::outputs::{unproject_uniform, Outputs, UnprojectUniform};
use super::scene::{prepare_layers, Layer, LayerId, Lighting, PreparedFrame, Scene};
use super::target::OffscreenTarget;
use super::terrain::{HeightStats, Heights, HeightsFill, HeightsRef, TerrainLayer, TerrainOptions};
use super::triangle::TriangleLayer;
use crate::error::{Error, Result};
use crate::gpu::timer::{GpuTimer, Profiling};
use crate::gpu::GpuContext;
use crate::memory::HostBuffer;

/// One profiled frame ([`Renderer::profile`]): milliseconds per step.
pub struct FrameTimes {
    pub cpu: Vec<(&'static str, f64)>,
    /// Empty where the device has no timestamps (or a frame had more
    /// steps than a timer holds).
    pub gpu: Vec<(&'static str, f64)>,
}

/// A render's colour frame and the planes asked for (float32 (H, W) depth,
/// (H, W, 3) xyz), each in its own mapped readback memory.
pub struct Rendered {
    pub frame: Frame,
    pub depth: Option<HostBuffer>,
    pub xyz: Option<HostBuffer>,
}

/// What [`Renderer::pick`] found under a pixel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pick {
    /// World position of the surface seen there.
    pub world: [f32; 3],
    /// Distance from the camera, world units.
    pub distance: f32,
    /// The terrain cell (row, col) under it, when the terrain is there.
    pub cell: Option<(usize, usize)>,
}

pub struct Renderer {
    ctx: Arc<GpuContext>,
    width: u32,
    height: u32,
    /// Created on first render; a renderer renders one frame at a time.
    target: Mutex<Option<OffscreenTarget>>,
    scene: Mutex<Scene>,
}

impl Renderer {
    /// A renderer of `width` x `height` pixels on the shared GPU context.
    pub fn new(width: u32, height: u32) -> Result<Self> {
        let ctx = GpuContext::shared()?;
        Self::with_context(ctx, width, height)
    }

    pub fn with_context(ctx: Arc<GpuContext>, width: u32, height: u32) -> Result<Self> {
        let max = ctx.limits.max_texture_dimension_2d;
        for (name, v) in [("width", width), ("height", height)] {
            if v == 0 || v > max {
                return Err(Error::InvalidArgument(format!(
                    "{name} must be between 1 and {max} (this device's max_texture_dimension_2d), got {v}"
                )));
            }
        }
        let bytes = width as u64 * height as u64 * 4;
        if bytes > ctx.limits.max_buffer_size {
            return Err(Error::InvalidArgument(format!(
                "a {width}x{height} RGBA frame needs {bytes} bytes, more than this device's \
                 max_buffer_size ({}); choose a smaller width or height",
                ctx.limits.max_buffer_size
            )));
        }
        Ok(Self {
            ctx,
            width,
            height,
            target: Mutex::new(None),
            scene: Mutex::new(Scene::default()),
        })
    }

    pub fn width(&self) -> u32 {
        self.width
    }
    pub fn height(&self) -> u32 {
        self.height
    }
    pub fn context(&self) -> &Arc<GpuContext> {
        &self.ctx
    }
    /// The scene's clear colour.
    pub fn background(&self) -> [u8; 4] {
        self.scene().background
    }
    pub fn set_background(&self, rgba: [u8; 4]) {
        self.scene().background = rgba;
    }

    /// Renders the colored triangle alone over the background (the scene
    /// is not drawn), without depth or multisampling.
    pub fn render_triangle(&self) -> Result<Frame> {
        let layer: &dyn Layer = &TriangleLayer;
        let background = self.background();
        let mut prepared = prepare_layers(
            &self.ctx,
            std::iter::once(layer),
            &Camera::Auto,
            &Lighting::default(),
            ((self.width, self.height), 1),
            false,
            None,
        )?;
        prepared.background = background;
        self.render_prepared(&prepared)
    }

    /// Adds a layer of any kind on top of the scene; returns its id (for
    /// [`Renderer::remove_layer`]).
    pub fn add_layer(&self, layer: Box<dyn Layer>) -> LayerId {
        self.scene().add(layer)
    }

    /// Removes layer `id`; false when there was none.
    pub fn remove_layer(&self, id: LayerId) -> bool {
        self.scene().remove(id)
    }

    /// (id, kind) of every layer, in drawing order.
    pub fn layers(&self) -> Vec<(LayerId, &'static str)> {
        self.scene().layers()
    }

    pub(super) fn scene(&self) -> parking_lot::MutexGuard<'_, Scene> {
        self.scene.lock()
    }

    /// Uploads `heights` (one CPU copy, into GPU upload memory or, on CPU
    /// adapters, the storage buffer the shader reads) and makes it
    /// this renderer's terrain, replacing any previous one. On error the
    /// renderer is unchanged.
    pub fn add_terrain(
        &self,
        heights: HeightsRef<'_>,
        options: TerrainOptions,
    ) -> Result<HeightStats> {
        self.add_terrain_from(Heights::Ref(heights), options)
    }

    /// As [`Renderer::add_terrain`], with the heights written by `heights.fill`
    /// straight into upload memory, band by band (no CPU copy of a
    /// caller's grid: e.g. a dask array's chunks computed in place).
    pub fn add_terrain_filled(
        &self,
        heights: HeightsFill<'_>,
        options: TerrainOptions,
    ) -> Result<HeightStats> {
        self.add_terrain_from(Heights::Fill(heights), options)
    }

    /// As [`Renderer::add_terrain`], with heights already on this
    /// renderer's GPU, laid out as [`super::terrain::gpu_layout`] says: the
    /// GPU alone copies them into the height texture (no CPU copy).
    pub fn add_terrain_on_gpu(
        &self,
        heights: super::terrain::HeightsGpu<'_>,
        options: TerrainOptions,
    ) -> Result<HeightStats> {
        self.add_terrain_from(Heights::Gpu(heights), options)
    }

    fn add_terrain_from(
        &self,
        heights: Heights<'_>,
        options: TerrainOptions,
    ) -> Result<HeightStats> {
        let mut scene = self.scene();
        let layer = TerrainLayer::new(
            &self.ctx,
            heights,
            options,
            (self.width, self.height),
            scene.first::<TerrainLayer>(),
        )?;
        let stats = layer.stats();
        scene.replace_first(layer);
        Ok(stats)
    }

    fn with_terrain<T>(&self, f: impl FnOnce(&mut TerrainLayer) -> Result<T>) -> Result<T> {
        match self.scene().first_mut::<TerrainLayer>() {
            Some(t) => f(t),
            None => Err(Error::NoTerrain),
        }
    }

    /// Checks a heights shape against this renderer's device before any
    /// conversion (see [`TerrainLayer::check_shape`]).
    pub fn check_terrain_shape(&self, rows: usize, cols: usize) -> Result<()> {
        TerrainLayer::check_shape(&self.ctx, rows, cols)
    }

    /// Where the terrain's heights live on the GPU: "texture" or "buffer".
    pub fn terrain_heights_memory(&self) -> Result<&'static str> {
        self.with_terrain(|t| Ok(t.heights_memory()))
    }

    /// The current terrain's heights tiling (see [`TerrainLayer::tiling`]).
    pub fn terrain_tiling(&self) -> Result<((u32, u32), u32)> {
        self.with_terrain(|t| Ok(t.tiling()))
    }

    /// Statistics of the current terrain's heights.
    /// The terrain's (rows, cols).
    pub fn terrain_shape(&self) -> Result<(usize, usize)> {
        self.with_terrain(|t| Ok(t.shape()))
    }

    /// The terrain's height at (`row`, `col`) (before exaggeration; None
    /// over a hole), read from its heights on the GPU: one cell copied
    /// back (or read in place from a host-mapped store).
    pub fn terrain_height_at(&self, row: usize, col: usize) -> Result<Option<f32>> {
        let ctx = self.ctx.clone();
        self.with_terrain(|t| t.height_at(&ctx, row, col))
    }

    pub fn terrain_stats(&self) -> Result<HeightStats> {
        self.with_terrain(|t| Ok(t.stats()))
    }

    /// Grid cells per side the terrain draws (see
    /// [`TerrainLayer::set_detail`]).
    pub fn set_terrain_detail(&self, cells: Option<u32>) -> Result<()> {
        let ctx = self.ctx.clone();
        let size = (self.width, self.height);
        self.with_terrain(|t| t.set_detail(&ctx, cells, size))
    }

    /// Grid cells drawn per side (columns, rows).
    pub fn terrain_grid(&self) -> Result<(u32, u32)> {
        self.with_terrain(|t| Ok(t.grid()))
    }

    /// (shadow, occlusion) passes computed so far for the terrain.
    pub fn terrain_relief_runs(&self) -> Result<(u64, u64)> {
        self.with_terrain(|t| Ok(t.relief_runs()))
    }

    /// The current terrain's options (spacing, exaggeration, colormap, ...).
    pub fn terrain_options(&self) -> Result<TerrainOptions> {
        self.with_terrain(|t| Ok(t.options().clone()))
    }

    pub fn set_colormap(&self, name: &str) -> Result<()> {
        let ctx = self.ctx.clone();
        self.with_terrain(|t| t.set_colormap(&ctx, name))
    }

    /// Contour lines over the terrain, or none.
    pub fn set_contours(&self, contours: Option<super::terrain::Contours>) -> Result<()> {
        self.with_terrain(|t| t.set_contours(contours))
    }

    /// How heights map to the colormap (see [`TerrainLayer::set_color_scale`]).
    pub fn set_color_scale(&self, norm: super::terrain::Norm, levels: Vec<f32>) -> Result<()> {
        self.with_terrain(|t| t.set_color_scale(norm, levels))
    }

    /// Cast shadows over the terrain (None: off).
    pub fn set_shadows(&self, shadows: Option<super::terrain::Shadows>) -> Result<()> {
        let ctx = self.ctx.clone();
        self.with_terrain(|t| t.set_shadows(&ctx, shadows))
    }

    /// Ambient occlusion of the terrain (None: off).
    pub fn set_ambient_occlusion(
        &self,
        ao: Option<super::terrain::AmbientOcclusion>,
    ) -> Result<()> {
        let ctx = self.ctx.clone();
        self.with_terrain(|t| t.set_ambient_occlusion(&ctx, ao))
    }

    /// A water surface over the terrain (None: none).
    pub fn set_water(&self, water: Option<super::terrain::Water>) -> Result<()> {
        self.with_terrain(|t| t.set_water(water))
    }

    /// A solid base under the terrain (None: none).
    pub fn set_base(&self, base: Option<super::terrain::Base>) -> Result<()> {
        self.with_terrain(|t| t.set_base(base))
    }

    /// Drapes an RGBA8 image over the terrain (see
    /// [`super::terrain::Extent`]); returns the overlay's id.
    pub fn add_overlay(
        &self,
        image: super::terrain::ImageRef<'_>,
        extent: Option<super::terrain::Extent>,
        opacity: f32,
        blend: super::terrain::Blend,
    ) -> Result<u64> {
        let ctx = self.ctx.clone();
        self.with_terrain(|t| t.add_overlay(&ctx, image, extent, opacity, blend))
    }

    /// Removes overlay `id`; false when there was none (or no terrain).
    pub fn remove_overlay(&self, id: u64) -> bool {
        let ctx = self.ctx.clone();
        self.with_terrain(|t| Ok(t.remove_overlay(&ctx, id)))
            .unwrap_or(false)
    }

    /// The terrain's overlays, in drawing order.
    pub fn overlays(&self) -> Result<Vec<super::terrain::OverlayInfo>> {
        self.with_terrain(|t| Ok(t.overlays()))
    }

    /// The terrain's footprint in texel coordinates.
    pub fn terrain_extent(&self) -> Result<super::terrain::Extent> {
        self.with_terrain(|t| Ok(t.full_extent()))
    }

    /// Colormap normalisation; `None` returns to the data's min and max.
    pub fn set_height_range(&self, range: Option<(f32, f32)>) -> Result<()> {
        self.with_terrain(|t| t.set_height_range(range))
    }

    pub fn lighting(&self) -> Lighting {
        self.scene().light
    }

    pub fn set_lighting(&self, light: Lighting) -> Result<()> {
        light.validate()?;
        self.scene().light = light;
        Ok(())
    }

    pub fn camera(&self) -> Camera {
        self.scene().camera.clone()
    }

    pub fn set_camera(&self, camera: Camera) -> Result<()> {
        camera.validate().map_err(Error::InvalidArgument)?;
        self.scene().camera = camera.with_unit_up();
        Ok(())
    }

    /// 1 (off) or 4 samples per pixel.
    pub fn set_msaa(&self, samples: u32) -> Result<()> {
        if samples != 1 && samples != 4 {
            return Err(Error::InvalidArgument(format!(
                "msaa samples must be 1 (off) or 4, got {samples}"
            )));
        }
        self.scene().samples = samples;
        Ok(())
    }

    /// Renders the terrain with the current camera and lighting (and any
    /// meshes added beside it).
    pub fn render_terrain(&self) -> Result<Frame> {
        if self.scene().first::<TerrainLayer>().is_none() {
            return Err(Error::NoTerrain);
        }
        self.render()
    }

    /// Adds `mesh` to the scene drawn as `style`; returns its id.
    pub fn add_mesh(&self, mesh: Arc<Mesh>, style: MeshStyle) -> Result<u64> {
        if !Arc::ptr_eq(mesh.context(), &self.ctx) {
            return Err(Error::InvalidArgument(
                "mesh: it was made on another GPU context than this renderer".into(),
            ));
        }
        style.validate()?;
        Ok(self.scene().add(Box::new(MeshLayer::new(mesh, style))))
    }

    /// Changes how mesh `id` is drawn.
    pub fn set_mesh_style(&self, id: u64, style: MeshStyle) -> Result<()> {
        style.validate()?;
        let mut scene = self.scene();
        match scene.get_mut::<MeshLayer>(id) {
            Some(layer) => {
                layer.set_style(style);
                Ok(())
            }
            None => Err(Error::InvalidArgument(format!(
                "no mesh with id {id} in this renderer"
            ))),
        }
    }

    /// How the last frame rasterised mesh `id`'s points ("compute" or
    /// "triangles"; None before a frame drew it as points).
    pub fn points_raster(&self, id: u64) -> Result<Option<&'static str>> {
        match self.scene().get_mut::<MeshLayer>(id) {
            Some(layer) => Ok(layer.points_raster()),
            None => Err(Error::InvalidArgument(format!(
                "no mesh with id {id} in this renderer"
            ))),
        }
    }

    /// Removes mesh `id`; false when there was none (or `id` is not a mesh).
    pub fn remove_mesh(&self, id: u64) -> bool {
        let mut scene = self.scene();
        scene.get_mut::<MeshLayer>(id).is_some() && scene.remove(id)
    }

    /// Removes every mesh and point set (other layers stay).
    pub fn clear_meshes(&self) {
        self.scene().remove_all::<MeshLayer>();
    }

    /// Ids of the meshes in the scene, in drawing order.
    pub fn mesh_ids(&self) -> Vec<u64> {
        self.scene().ids_of::<MeshLayer>()
    }

    /// The box the default camera frames: the union of the layers' bounds
    /// (for meshes, the positions last uploaded with a copy or reduced on
    /// the GPU after a mapped write; a unit cube when empty).
    pub fn scene_bounds(&self) -> Bounds {
        self.scene().bounds()
    }

    /// Renders the scene with the current camera and lighting; an empty
    /// scene renders the background.
    pub fn render(&self) -> Result<Frame> {
        let scene = self.scene();
        let prepared = scene.prepare(&self.ctx, (self.width, self.height))?;
        self.render_prepared(&prepared)
    }

    /// Renders the scene and the planes `outputs` asks for (depth: distance
    /// from the camera; xyz: world position; NaN where nothing was drawn),
    /// each read back into its own mapped memory.
    pub fn render_outputs(&self, outputs: Outputs) -> Result<Rendered> {
        let scene = self.scene();
        // The scene stays locked until the frame is drawn: layers keep
        // per-frame GPU state (the point rasteriser's per-pixel buffers)
        // that another frame's preparation would overwrite.
        let prepared = scene.prepare(&self.ctx, (self.width, self.height))?;
        let planes = if outputs.any() {
            if !prepared.depth {
                return Err(Error::InvalidArgument(
                    "depth and xyz outputs need a scene with 3-D layers (terrain, meshes or \
                     points)"
                        .into(),
                ));
            }
            Some(unproject_uniform(
                &prepared.view_proj,
                self.width,
                self.height,
                outputs,
            )?)
        } else {
            None
        };
        let (frame, depth, xyz) = self.render_with(
            prepared.depth,
            prepared.samples,
            prepared.background,
            &|pass| prepared.draw(pass),
            planes.as_ref(),
            None,
        )?;
        Ok(Rendered { frame, depth, xyz })
    }

    /// What is under pixel (`x`, `y`) (column, row from the top-left), or
    /// None where nothing is drawn there.
    pub fn pick(&self, x: u32, y: u32) -> Result<Option<Pick>> {
        if x >= self.width || y >= self.height {
            return Err(Error::InvalidArgument(format!(
                "pixel ({x}, {y}) is outside the {}x{} image; x must be < {} and y < {}",
                self.width, self.height, self.width, self.height
            )));
        }
        let r = self.render_outputs(Outputs {
            depth: true,
            xyz: true,
        })?;
        let i = y as usize * self.width as usize + x as usize;
        let depth: &[f32] = bytemuck::cast_slice(r.depth.as_ref().expect("asked").as_slice());
        let xyz: &[f32] = bytemuck::cast_slice(r.xyz.as_ref().expect("asked").as_slice());
        if depth[i].is_nan() {
            return Ok(None);
        }
        let world = [xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]];
        let cell = self
            .scene()
            .first::<TerrainLayer>()
            .and_then(|t| t.cell_at(world));
        Ok(Some(Pick {
            world,
            distance: depth[i],
            cell,
        }))
    }

    /// Draws `prepared` into this renderer's target (created on first use,
    /// recreated when the depth buffer or sample count must change).
    fn render_prepared(&self, prepared: &PreparedFrame) -> Result<Frame> {
        Ok(self
            .render_with(
                prepared.depth,
                prepared.samples,
                prepared.background,
                &|pass| prepared.draw(pass),
                None,
                None,
            )?
            .0)
    }

    /// Renders the scene `frames` times, timing each frame's steps: on the
    /// CPU "prepare" (layers' uploads and compute recorded and submitted),
    /// "record" (the frame's passes and copies recorded and submitted),
    /// "wait" (until the frame is mapped) and "total"; on the GPU, where the
    /// device has timestamps, "prepare", "queue", "clear", "render",
    /// "pack", "copy" (those that ran) and "total". Milliseconds per frame,
    /// CPU steps first.
    pub fn profile(&self, frames: u32) -> Result<Vec<FrameTimes>> {
        // Marks: the upload submission's two, then per frame one and per
        // tile at most four (clear, render, pack, copy).
        let tiles = OffscreenTarget::tiles(&self.ctx, self.width, self.height)?;
        let marks = 3u64 + 4 * tiles as u64;
        let steps = marks.min(GpuTimer::MAX_STEPS as u64) as u32;
        let mut timer = GpuTimer::new(&self.ctx, steps)?;
        let mut out = Vec::with_capacity(frames as usize);
        for _ in 0..frames {
            if let Some(t) = timer.as_mut() {
                t.begin();
            }
            let t0 = std::time::Instant::now();
            // Locked until the frame is drawn (as in `render`).
            let scene = self.scene();
            let prepared =
                scene.prepare_timed(&self.ctx, (self.width, self.height), timer.as_mut())?;
            let prepare_ms = t0.elapsed().as_secs_f64() * 1e3;
            let mut profiling = Profiling {
                timer: timer.as_mut(),
                ..Default::default()
            };
            let frame = self.render_with(
                prepared.depth,
                prepared.samples,
                prepared.background,
                &|pass| prepared.draw(pass),
                None,
                Some(&mut profiling),
            )?;
            let total_ms = t0.elapsed().as_secs_f64() * 1e3;
            drop((frame, scene));
            out.push(FrameTimes {
                cpu: vec![
                    ("prepare", prepare_ms),
                    ("record", profiling.record_ms),
                    ("wait", profiling.wait_ms),
                    ("total", total_ms),
                ],
                gpu: profiling.gpu,
            });
        }
        Ok(out)
    }

    /// Renders with `draw` into this renderer's target (created on first use,
    /// recreated when the depth buffer or sample count must change).
    fn render_with(
        &self,
        depth: bool,
        samples: u32,
        background: [u8; 4],
        draw: &dyn Fn(&mut wgpu::RenderPass<'_>),
        planes: Option<&UnprojectUniform>,
        profiling: Option<&mut Profiling<'_>>,
    ) -> Result<(Frame, Option<HostBuffer>, Option<HostBuffer>)> {
        let mut target = self.target.lock();
        if target
            .as_ref()
            .is_none_or(|t| t.has_depth() != depth || t.samples() != samples)
        {
            *target = Some(OffscreenTarget::new(
                &self.ctx,
                self.width,
                self.height,
                depth,
                samples,
            )?);
        }
        let target = target.as_ref().expect("target was just created");
        target.render_planes(&self.ctx, background, draw, planes, profiling)
    }
}
