//! GPU timestamps between the steps of a frame's command encoders (the
//! layers' uploads and compute passes, then the frame's passes and copies),
//! for `Renderer.profile`: where the GPU's time goes from the start of the
//! frame's work to the end of its readback copy. Needs the adapter's
//! timestamp features (`TIMESTAMP_QUERY` and
//! `TIMESTAMP_QUERY_INSIDE_ENCODERS`, asked for where the adapter has them);
//! without them there is no timer.

use crate::error::{Error, Result};
use crate::gpu::GpuContext;

/// The features a [`GpuTimer`] needs.
pub fn features() -> wgpu::Features {
    wgpu::Features::TIMESTAMP_QUERY | wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS
}

/// Timestamps written between the steps of one encoder: `mark(label)` ends
/// the step called `label`, which began at the previous mark (or `start`).
pub struct GpuTimer {
    set: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    read: wgpu::Buffer,
    labels: Vec<&'static str>,
    capacity: u32,
    /// Whether a mark of this frame found the timer full.
    overflowed: bool,
}

impl GpuTimer {
    /// A timer for up to `steps` steps, or `None` where the device has no
    /// timestamps.
    /// The most steps a timer holds (wgpu's largest query set, less one).
    pub const MAX_STEPS: u32 = wgpu::QUERY_SET_MAX_QUERIES - 1;

    pub fn new(ctx: &GpuContext, steps: u32) -> Result<Option<Self>> {
        if !ctx.device.features().contains(features()) {
            return Ok(None);
        }
        let capacity = steps.min(Self::MAX_STEPS) + 1;
        let bytes = capacity as u64 * 8;
        ctx.scoped("creating a GPU timer", || {
            let set = ctx.device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("forge3d timer"),
                ty: wgpu::QueryType::Timestamp,
                count: capacity,
            });
            let resolve = ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("forge3d timer resolve"),
                size: bytes,
                usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            });
            let read = ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("forge3d timer read"),
                size: bytes,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            Some(Self {
                set,
                resolve,
                read,
                labels: Vec::new(),
                capacity,
                overflowed: false,
            })
        })
    }

    /// Forgets the marks of the previous frame.
    pub fn begin(&mut self) {
        self.labels.clear();
        self.overflowed = false;
    }

    /// Ends the step `label`, which began at the previous mark (steps of
    /// one label add up); the first mark after [`GpuTimer::begin`] is the
    /// origin, whatever its label. A mark past the capacity is dropped, and
    /// [`GpuTimer::read`] then reports nothing for the frame rather than
    /// steps that miss some of its time.
    pub fn mark(&mut self, encoder: &mut wgpu::CommandEncoder, label: &'static str) {
        let i = self.labels.len() as u32;
        if i >= self.capacity {
            self.overflowed = true;
            return;
        }
        encoder.write_timestamp(&self.set, i);
        self.labels.push(label);
    }

    /// Copies the timestamps where [`GpuTimer::read`] finds them: the last
    /// command of the last encoder marked.
    pub fn resolve(&self, encoder: &mut wgpu::CommandEncoder) {
        let n = self.labels.len() as u32;
        if n == 0 {
            return;
        }
        encoder.resolve_query_set(&self.set, 0..n, &self.resolve, 0);
        encoder.copy_buffer_to_buffer(&self.resolve, 0, &self.read, 0, n as u64 * 8);
    }

    /// Milliseconds per step label, in the order first marked, and the
    /// total from the origin to the last mark, once `submission` (the one
    /// that resolved) is done.
    pub fn read(
        &self,
        ctx: &GpuContext,
        submission: wgpu::SubmissionIndex,
    ) -> Result<Vec<(&'static str, f64)>> {
        let n = self.labels.len();
        if n < 2 || self.overflowed {
            return Ok(Vec::new());
        }
        let words = crate::gpu::alloc::readback::map_small(ctx, &self.read, submission)?;
        let ticks: Vec<u64> = words
            .chunks_exact(2)
            .take(n)
            .map(|w| w[0] as u64 | (w[1] as u64) << 32)
            .collect();
        if ticks.len() < n {
            return Err(Error::Gpu("GPU timestamps incomplete".into()));
        }
        let period_ns = ctx.queue.get_timestamp_period() as f64;
        let ms = |a: u64, b: u64| b.saturating_sub(a) as f64 * period_ns / 1e6;
        let mut out: Vec<(&'static str, f64)> = Vec::new();
        for i in 1..n {
            let d = ms(ticks[i - 1], ticks[i]);
            match out.iter_mut().find(|(l, _)| *l == self.labels[i]) {
                Some((_, t)) => *t += d,
                None => out.push((self.labels[i], d)),
            }
        }
        out.push(("total", ms(ticks[0], ticks[n - 1])));
        Ok(out)
    }
}

/// What a profiled frame collects while it renders: the GPU timer (when
/// the device has timestamps) and, filled in by the target, the CPU's time
/// recording and submitting the frame, and waiting for it to be mapped, and
/// the GPU's steps.
#[derive(Default)]
pub struct Profiling<'t> {
    pub timer: Option<&'t mut GpuTimer>,
    pub record_ms: f64,
    pub wait_ms: f64,
    pub gpu: Vec<(&'static str, f64)>,
}
