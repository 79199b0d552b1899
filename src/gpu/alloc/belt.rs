//! Per-frame uniform writes without per-frame allocations.
//!
//! `Queue::write_buffer` makes a fresh staging buffer for every call and
//! frees it once the GPU is done. With gpu-allocator (wgpu's Vulkan and
//! D3D12 allocator) that costs nothing while a host memory block has room,
//! but once long-lived buffers fill the one block it keeps, each small write
//! opens a new 64-128 MiB block and each completed frame frees it again:
//! about 1.7 ms of `vkAllocateMemory` before the frame and 1.2 ms of
//! `vkFreeMemory` after it on an H100, seen as 512x512 terrain renders taking
//! 3.4 ms instead of 0.4 ms after one 4096x4096 frame and a 4096x4096
//! `add_terrain`. Layers therefore write their uniforms through pooled
//! [`wgpu::util::StagingBelt`]s, whose chunks live on and are mapped again
//! after each use, and only when the bytes changed since the last write.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use wgpu::util::StagingBelt;

use crate::gpu::GpuContext;

/// Bytes per belt chunk: every uniform of a frame of many layers.
const CHUNK_BYTES: u64 = 16 << 10;

/// Staging belts not in use by a frame being prepared.
pub struct Belts {
    device: wgpu::Device,
    free: Mutex<Vec<StagingBelt>>,
    /// Belts ever made (one per frame prepared at the same time).
    made: AtomicU64,
    /// Uniform writes submitted.
    writes: AtomicU64,
}

impl Belts {
    pub fn new(ctx: &GpuContext) -> Self {
        Self {
            device: ctx.device.clone(),
            free: Mutex::new(Vec::new()),
            made: AtomicU64::new(0),
            writes: AtomicU64::new(0),
        }
    }

    /// (belts made, uniform writes submitted) so far.
    pub fn stats(&self) -> (u64, u64) {
        (
            self.made.load(Ordering::Relaxed),
            self.writes.load(Ordering::Relaxed),
        )
    }

    /// A belt for one frame's writes (a free one, else a new one).
    pub fn take(&self) -> StagingBelt {
        self.free.lock().pop().unwrap_or_else(|| {
            self.made.fetch_add(1, Ordering::Relaxed);
            StagingBelt::new(self.device.clone(), CHUNK_BYTES)
        })
    }

    /// Returns `belt` once the `writes` uniform writes out of it were
    /// submitted: its chunks are mapped again when the GPU is done with
    /// them.
    pub fn give(&self, mut belt: StagingBelt, writes: usize) {
        self.writes.fetch_add(writes as u64, Ordering::Relaxed);
        belt.recall();
        self.free.lock().push(belt);
    }
}

/// A uniform buffer written once per frame, and the bytes the last submitted
/// write put there (`None` before the first and while a write is pending).
pub struct Uniform {
    pub buffer: wgpu::Buffer,
    written: Mutex<Option<Vec<u8>>>,
}

impl Uniform {
    /// A `size`-byte UNIFORM | COPY_DST buffer (size a multiple of 4).
    pub fn new(ctx: &GpuContext, label: &str, size: u64) -> Arc<Self> {
        Arc::new(Self {
            buffer: ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            written: Mutex::new(None),
        })
    }

    /// Whether the last submitted write put exactly `bytes` there.
    pub(crate) fn holds(&self, bytes: &[u8]) -> bool {
        self.written.lock().as_deref() == Some(bytes)
    }

    /// Forgets what the buffer holds (a write was recorded, not yet
    /// submitted).
    pub(crate) fn forget(&self) {
        *self.written.lock() = None;
    }

    /// Records that a submitted write put `bytes` there.
    pub(crate) fn written(&self, bytes: Vec<u8>) {
        *self.written.lock() = Some(bytes);
    }
}
