//! The scene a renderer draws: camera, lighting, sample count and an
//! ordered list of layers.
//!
//! A layer is one kind of thing to draw (terrain, a mesh or point set, the
//! test triangle, ...). Each frame goes the same way for every kind: the
//! scene asks each layer for its bounds (the automatic camera frames their
//! union), then for its GPU work ([`Layer::prepare`], once per frame, which
//! may record uploads into the frame's one upload submission), and then
//! draws that work ([`DrawData::draw`]) into the pass of every tile. Adding
//! a kind of layer is one module that implements [`Layer`], plus the call
//! that adds it; nothing here changes.

use std::any::Any;
use std::sync::Arc;

use super::camera::{Bounds, Camera, Mat4};
use crate::error::{Error, Result};
use crate::gpu::alloc::belt::{Belts, Uniform};
use crate::gpu::alloc::upload::StagedUpload;
use crate::gpu::timer::GpuTimer;
use crate::gpu::GpuContext;

/// Sun and ambient light, shared by every layer that is lit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lighting {
    /// Degrees clockwise from north (+y).
    pub azimuth_deg: f32,
    /// Degrees above the horizon.
    pub elevation_deg: f32,
    pub intensity: f32,
    pub ambient: f32,
}

impl Default for Lighting {
    fn default() -> Self {
        Self {
            azimuth_deg: 315.0,
            elevation_deg: 45.0,
            intensity: 0.75,
            ambient: 0.3,
        }
    }
}

impl Lighting {
    /// Unit vector towards the sun (w = 0), as the shaders take it.
    pub(crate) fn sun_dir(&self) -> [f32; 4] {
        let (az, el) = (
            self.azimuth_deg.to_radians(),
            self.elevation_deg.to_radians(),
        );
        [az.sin() * el.cos(), az.cos() * el.cos(), el.sin(), 0.0]
    }

    /// Checks values a caller passes.
    pub fn validate(&self) -> Result<()> {
        let Lighting {
            azimuth_deg,
            elevation_deg,
            intensity,
            ambient,
        } = *self;
        if ![azimuth_deg, elevation_deg, intensity, ambient]
            .iter()
            .all(|v| v.is_finite())
        {
            return Err(Error::InvalidArgument(
                "sun azimuth, elevation, intensity and ambient must be finite".into(),
            ));
        }
        if !(-90.0..=90.0).contains(&elevation_deg) {
            return Err(Error::InvalidArgument(format!(
                "elevation_deg must be within [-90, 90], got {elevation_deg}"
            )));
        }
        if intensity < 0.0 || !(0.0..=1.0).contains(&ambient) {
            return Err(Error::InvalidArgument(format!(
                "intensity must be >= 0 and ambient within [0, 1], got {intensity} and {ambient}"
            )));
        }
        Ok(())
    }
}

/// What a layer is prepared for: the frame's camera, light and target, and
/// the one encoder that every layer's uploads go into (submitted once,
/// before the frame is drawn).
pub struct Prepare<'a> {
    pub ctx: &'a GpuContext,
    pub view_proj: Mat4,
    pub light: &'a Lighting,
    /// Frame size in pixels.
    pub viewport: (u32, u32),
    /// MSAA samples of the target: 1 or 4.
    pub samples: u32,
    /// Whether the target has a depth buffer (pipelines must match).
    pub depth: bool,
    uploads: Option<wgpu::CommandEncoder>,
    keep: Vec<Arc<StagedUpload>>,
    /// The staging belt of this frame's uniform writes (taken at the first).
    belt: Option<wgpu::util::StagingBelt>,
    /// Uniforms written this frame and their bytes, recorded as written
    /// once the upload encoder is submitted.
    written: Vec<(Arc<Uniform>, Vec<u8>)>,
    /// Marks the upload encoder's start and end when profiling.
    timer: Option<&'a mut GpuTimer>,
}

impl Prepare<'_> {
    /// The frame's upload encoder (GPU copies out of upload memory).
    pub fn uploads(&mut self) -> &mut wgpu::CommandEncoder {
        let (ctx, timer) = (self.ctx, &mut self.timer);
        self.uploads.get_or_insert_with(|| {
            let mut encoder = ctx
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("forge3d layer uploads"),
                });
            if let Some(t) = timer.as_deref_mut() {
                t.mark(&mut encoder, "start");
            }
            encoder
        })
    }

    /// Writes `bytes` (a multiple of 4) into `uniform` through the frame's
    /// upload encoder, unless the last submitted write put the same bytes
    /// there: a frame of unchanged layers uploads nothing, and no frame
    /// allocates staging memory (see `gpu::alloc::belt`).
    pub fn write_uniform(&mut self, uniform: &Arc<Uniform>, bytes: &[u8]) {
        let Some(size) = wgpu::BufferSize::new(bytes.len() as u64) else {
            return;
        };
        if uniform.holds(bytes) {
            return;
        }
        uniform.forget();
        let ctx = self.ctx;
        let mut belt = self
            .belt
            .take()
            .unwrap_or_else(|| ctx.cached(Belts::new).take());
        belt.write_buffer(self.uploads(), &uniform.buffer, 0, size)
            .copy_from_slice(bytes);
        self.belt = Some(belt);
        self.written.push((uniform.clone(), bytes.to_vec()));
    }

    /// Keeps upload memory alive until the uploads are submitted; it goes
    /// back to its pool once the GPU is done with it.
    pub fn keep(&mut self, staged: impl IntoIterator<Item = Arc<StagedUpload>>) {
        self.keep.extend(staged);
    }
}

/// One layer's GPU work for one frame, drawn into each tile's pass (group 0,
/// the tile transform, is bound by the target).
pub trait DrawData: Send {
    fn draw(&self, pass: &mut wgpu::RenderPass<'_>);
}

/// A kind of thing to draw. See the module comment for the frame's steps.
pub trait Layer: Any + Send {
    /// The kind, in the user's words ("terrain", "mesh", "triangle").
    fn kind(&self) -> &'static str;

    /// World box the automatic camera frames, when the layer knows it.
    fn bounds(&self) -> Option<Bounds>;

    /// Whether the layer draws with depth testing (3-D layers do).
    fn needs_depth(&self) -> bool {
        true
    }

    /// Writes this frame's uniforms, records uploads into
    /// [`Prepare::uploads`] and returns what its draw binds.
    fn prepare(&self, frame: &mut Prepare<'_>) -> Result<Box<dyn DrawData>>;
}

/// A layer's handle in its scene, unique within the scene.
pub type LayerId = u64;

/// What a renderer draws, and how.
/// Default background: a dark blue-gray, opaque.
pub const DEFAULT_BACKGROUND: [u8; 4] = [20, 22, 28, 255];

pub struct Scene {
    pub camera: Camera,
    pub light: Lighting,
    /// Clear colour, RGBA 0..255 (alpha 0: transparent output).
    pub background: [u8; 4],
    /// MSAA samples: 1 (off) or 4.
    pub samples: u32,
    layers: Vec<(LayerId, Box<dyn Layer>)>,
    next_id: LayerId,
}

impl Default for Scene {
    fn default() -> Self {
        Self {
            camera: Camera::Auto,
            light: Lighting::default(),
            background: DEFAULT_BACKGROUND,
            samples: 1,
            layers: Vec::new(),
            next_id: 1,
        }
    }
}

fn downcast<T: Layer>(layer: &dyn Layer) -> Option<&T> {
    let any: &dyn Any = layer;
    any.downcast_ref::<T>()
}

fn downcast_mut<T: Layer>(layer: &mut dyn Layer) -> Option<&mut T> {
    let any: &mut dyn Any = layer;
    any.downcast_mut::<T>()
}

impl Scene {
    /// Adds `layer` on top of the others (drawn after them); returns its id.
    pub fn add(&mut self, layer: Box<dyn Layer>) -> LayerId {
        let id = self.next_id;
        self.next_id += 1;
        self.layers.push((id, layer));
        id
    }

    /// Puts `layer` in the place of the first layer of type `T` (keeping its
    /// id), or adds it when there is none: a scene has one terrain.
    pub fn replace_first<T: Layer>(&mut self, layer: T) -> LayerId {
        match self
            .layers
            .iter_mut()
            .find(|(_, l)| downcast::<T>(l.as_ref()).is_some())
        {
            Some((id, slot)) => {
                *slot = Box::new(layer);
                *id
            }
            None => self.add(Box::new(layer)),
        }
    }

    /// Removes layer `id`; false when there was none.
    pub fn remove(&mut self, id: LayerId) -> bool {
        let before = self.layers.len();
        self.layers.retain(|(i, _)| *i != id);
        self.layers.len() != before
    }

    /// Removes every layer of type `T`.
    pub fn remove_all<T: Layer>(&mut self) {
        self.layers
            .retain(|(_, l)| downcast::<T>(l.as_ref()).is_none());
    }

    /// Layer `id` when it is a `T`.
    pub fn get_mut<T: Layer>(&mut self, id: LayerId) -> Option<&mut T> {
        self.layers
            .iter_mut()
            .find(|(i, _)| *i == id)
            .and_then(|(_, l)| downcast_mut::<T>(l.as_mut()))
    }

    /// The first layer of type `T`.
    pub fn first<T: Layer>(&self) -> Option<&T> {
        self.layers
            .iter()
            .find_map(|(_, l)| downcast::<T>(l.as_ref()))
    }

    pub fn first_mut<T: Layer>(&mut self) -> Option<&mut T> {
        self.layers
            .iter_mut()
            .find_map(|(_, l)| downcast_mut::<T>(l.as_mut()))
    }

    /// Ids of the layers of type `T`, in drawing order.
    pub fn ids_of<T: Layer>(&self) -> Vec<LayerId> {
        self.layers
            .iter()
            .filter(|(_, l)| downcast::<T>(l.as_ref()).is_some())
            .map(|(i, _)| *i)
            .collect()
    }

    /// (id, kind) of every layer, in drawing order.
    pub fn layers(&self) -> Vec<(LayerId, &'static str)> {
        self.layers.iter().map(|(i, l)| (*i, l.kind())).collect()
    }

    /// The union of the layers' bounds (a unit cube when none has any).
    pub fn bounds(&self) -> Bounds {
        union(self.layers.iter().filter_map(|(_, l)| l.bounds()))
    }

    /// Whether the target needs a depth buffer: when any layer draws with
    /// depth, or when there is none (so an empty scene keeps its target).
    pub fn needs_depth(&self) -> bool {
        self.layers.is_empty() || self.layers.iter().any(|(_, l)| l.needs_depth())
    }

    /// Prepares every layer for a `viewport`-sized frame and submits their
    /// uploads in one submission.
    pub fn prepare(&self, ctx: &GpuContext, viewport: (u32, u32)) -> Result<PreparedFrame> {
        self.prepare_timed(ctx, viewport, None)
    }

    /// [`Scene::prepare`], marking the upload submission's GPU time on
    /// `timer` (its step "prepare": the layers' copies and compute passes).
    pub fn prepare_timed(
        &self,
        ctx: &GpuContext,
        viewport: (u32, u32),
        timer: Option<&mut GpuTimer>,
    ) -> Result<PreparedFrame> {
        let mut frame = prepare_layers(
            ctx,
            self.layers.iter().map(|(_, l)| l.as_ref()),
            &self.camera,
            &self.light,
            (viewport, self.samples),
            self.needs_depth(),
            timer,
        )?;
        frame.background = self.background;
        Ok(frame)
    }
}

/// The union of `boxes` (a unit cube centred on the origin when empty).
fn union(boxes: impl Iterator<Item = Bounds>) -> Bounds {
    boxes
        .reduce(|mut b, o| {
            for k in 0..3 {
                b.min[k] = b.min[k].min(o.min[k]);
                b.max[k] = b.max[k].max(o.max[k]);
            }
            b
        })
        .unwrap_or(Bounds {
            min: [-0.5; 3],
            max: [0.5; 3],
        })
}

/// Prepares `layers` (in drawing order) for one frame.
pub(crate) fn prepare_layers<'l>(
    ctx: &GpuContext,
    layers: impl Iterator<Item = &'l dyn Layer> + Clone,
    camera: &Camera,
    light: &Lighting,
    (viewport, samples): ((u32, u32), u32),
    depth: bool,
    timer: Option<&mut GpuTimer>,
) -> Result<PreparedFrame> {
    let aspect = viewport.0 as f32 / viewport.1 as f32;
    let bounds = union(layers.clone().filter_map(|l| l.bounds()));
    let view_proj = camera.view_proj(&bounds, aspect);
    let mut frame = Prepare {
        ctx,
        view_proj,
        light,
        viewport,
        samples,
        depth,
        uploads: None,
        keep: Vec::new(),
        belt: None,
        written: Vec::new(),
        timer,
    };
    let mut draws = Vec::new();
    for layer in layers {
        draws.push(layer.prepare(&mut frame)?);
    }
    if let Some(mut encoder) = frame.uploads.take() {
        if let Some(t) = frame.timer.as_deref_mut() {
            t.mark(&mut encoder, "prepare");
        }
        if let Some(belt) = frame.belt.as_mut() {
            belt.finish();
        }
        ctx.scoped("uploading layer data", || {
            ctx.queue.submit([encoder.finish()]);
        })?;
        if let Some(belt) = frame.belt.take() {
            ctx.cached(Belts::new).give(belt, frame.written.len());
        }
        for (uniform, bytes) in frame.written.drain(..) {
            uniform.written(bytes);
        }
    }
    // Dropped after the submission: each buffer goes back to its pool once
    // the GPU is done (or when a Python view over it dies).
    drop(frame.keep);
    Ok(PreparedFrame {
        draws,
        depth,
        samples,
        background: DEFAULT_BACKGROUND,
        view_proj,
    })
}

/// Every layer's work for one frame, drawn in order into each tile's pass.
pub struct PreparedFrame {
    draws: Vec<Box<dyn DrawData>>,
    pub depth: bool,
    pub samples: u32,
    /// The clear colour the frame is drawn over.
    pub background: [u8; 4],
    /// The camera's view-projection for this frame.
    pub view_proj: Mat4,
}

impl PreparedFrame {
    pub fn draw(&self, pass: &mut wgpu::RenderPass<'_>) {
        for d in &self.draws {
            d.draw(pass);
        }
    }
}
