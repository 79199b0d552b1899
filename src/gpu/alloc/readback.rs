//! Pooled MAP_READ buffers. A frame keeps its buffer mapped for as long as any
//! NumPy array, Arrow array or DLPack tensor looks at it; when the last one
//! goes, the buffer is unmapped and returned here, so rendering the same size
//! again allocates nothing.

use std::panic::{RefUnwindSafe, UnwindSafe};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{Condvar, Mutex};

use arrow_buffer::Buffer;

use crate::error::{Error, Result};

/// Free buffers kept per pool, beyond which returned buffers are destroyed.
const MAX_POOLED_BYTES: u64 = 1 << 30;

/// Counters that tests and benchmarks read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// MAP_READ buffers ever created.
    pub created: u64,
    /// Acquisitions served from the free list.
    pub reused: u64,
    /// Buffers now lent out (mapped, owned by a frame).
    pub in_use: u64,
    /// Buffers now on the free list.
    pub pooled: u64,
    /// Bytes on the free list.
    pub pooled_bytes: u64,
}

struct PoolInner {
    device: wgpu::Device,
    free: Mutex<Vec<wgpu::Buffer>>,
    created: AtomicU64,
    reused: AtomicU64,
    in_use: AtomicU64,
}

/// A free list of MAP_READ | COPY_DST buffers keyed by exact size.
#[derive(Clone)]
pub struct ReadbackPool {
    inner: Arc<PoolInner>,
}

impl ReadbackPool {
    pub fn new(device: wgpu::Device) -> Self {
        Self {
            inner: Arc::new(PoolInner {
                device,
                free: Mutex::new(Vec::new()),
                created: AtomicU64::new(0),
                reused: AtomicU64::new(0),
                in_use: AtomicU64::new(0),
            }),
        }
    }

    /// A buffer of exactly `size` bytes, from the free list when one fits.
    /// A new buffer is created inside error scopes: when the device cannot
    /// make it (out of memory), this call fails and nothing is pooled.
    pub fn acquire(&self, size: u64) -> Result<wgpu::Buffer> {
        let found = {
            let mut free = self.inner.free.lock();
            free.iter()
                .position(|b| b.size() == size)
                .map(|i| free.swap_remove(i))
        };
        let buffer = match found {
            Some(b) => {
                self.inner.reused.fetch_add(1, Ordering::Relaxed);
                b
            }
            None => {
                let b = crate::gpu::device_scoped(
                    &self.inner.device,
                    &format!("creating a {size}-byte readback buffer"),
                    || {
                        self.inner.device.create_buffer(&wgpu::BufferDescriptor {
                            label: Some("forge3d readback"),
                            size,
                            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                            mapped_at_creation: false,
                        })
                    },
                )?;
                self.inner.created.fetch_add(1, Ordering::Relaxed);
                b
            }
        };
        self.inner.in_use.fetch_add(1, Ordering::Relaxed);
        Ok(buffer)
    }

    /// Gives back a buffer whose frame was never made because the GPU work
    /// that was to fill it failed: it is destroyed, not pooled, since the
    /// failure may have been its own.
    pub fn discard(&self, buffer: wgpu::Buffer) {
        self.inner.in_use.fetch_sub(1, Ordering::Relaxed);
        buffer.destroy();
    }

    pub fn stats(&self) -> PoolStats {
        let free = self.inner.free.lock();
        PoolStats {
            created: self.inner.created.load(Ordering::Relaxed),
            reused: self.inner.reused.load(Ordering::Relaxed),
            in_use: self.inner.in_use.load(Ordering::Relaxed),
            pooled: free.len() as u64,
            pooled_bytes: free.iter().map(|b| b.size()).sum(),
        }
    }

    /// Drops every free buffer (GPU and host memory go back to the driver).
    pub fn trim(&self) {
        self.inner.free.lock().clear();
    }

    /// Maps `buffer` for reading after the GPU work that fills it was
    /// submitted as `submission`, and wraps the mapping as an Arrow buffer
    /// whose owner returns `buffer` to this pool when dropped.
    pub fn map(
        &self,
        ctx: &crate::gpu::GpuContext,
        buffer: wgpu::Buffer,
        submission: wgpu::SubmissionIndex,
    ) -> Result<Buffer> {
        // The callback runs in whichever thread polls the device next: this
        // one, or another renderer's thread that polled first. So wait for
        // the mapping itself, not only for the submission.
        let status = Arc::new(MapStatus::default());
        let s = status.clone();
        buffer.map_async(wgpu::MapMode::Read, .., move |r| s.set(r));
        let fail = |e: Error| {
            self.inner.in_use.fetch_sub(1, Ordering::Relaxed);
            Err(e)
        };
        if let Err(e) = ctx.wait(submission) {
            return fail(e);
        }
        match status.wait(&ctx.device) {
            Ok(()) => {}
            Err(e) => {
                return fail(Error::Gpu(format!(
                    "mapping the readback buffer failed: {e}"
                )))
            }
        }
        let view = buffer.get_mapped_range(..).map_err(|e| {
            self.inner.in_use.fetch_sub(1, Ordering::Relaxed);
            Error::Gpu(format!("mapped range unavailable: {e}"))
        })?;
        let len = view.len();
        let Some(ptr) = NonNull::new(view.as_ptr() as *mut u8) else {
            return fail(Error::Gpu(
                "mapped readback memory has a null address".into(),
            ));
        };
        let owner = MappedReadback {
            view: Some(view),
            buffer: Some(buffer),
            pool: self.inner.clone(),
        };
        // SAFETY: `ptr..ptr+len` is the mapping of `owner.buffer`, which stays
        // mapped (and so valid) until `owner` is dropped, i.e. until the last
        // Arrow Buffer clone referring to it is gone.
        Ok(unsafe { Buffer::from_custom_allocation(ptr, len, Arc::new(owner)) })
    }
}

/// The 32-bit words of a small MAP_READ `buffer` (a reduction's result)
/// once `submission`, which fills it, is done; the buffer is unmapped again.
pub fn map_small(
    ctx: &crate::gpu::GpuContext,
    buffer: &wgpu::Buffer,
    submission: wgpu::SubmissionIndex,
) -> Result<Vec<u32>> {
    let status = Arc::new(MapStatus::default());
    let s = status.clone();
    buffer.map_async(wgpu::MapMode::Read, .., move |r| s.set(r));
    ctx.wait(submission)?;
    status
        .wait(&ctx.device)
        .map_err(|e| Error::Gpu(format!("mapping a result buffer failed: {e}")))?;
    let words = {
        let view = buffer
            .get_mapped_range(..)
            .map_err(|e| Error::Gpu(format!("mapped range unavailable: {e}")))?;
        bytemuck::pod_collect_to_vec::<u8, u32>(&view)
    };
    buffer.unmap();
    Ok(words)
}

/// The outcome of one `map_async`, set by its callback.
#[derive(Default)]
struct MapStatus {
    done: Mutex<Option<std::result::Result<(), wgpu::BufferAsyncError>>>,
    ready: Condvar,
}

impl MapStatus {
    fn set(&self, r: std::result::Result<(), wgpu::BufferAsyncError>) {
        *self.done.lock() = Some(r);
        self.ready.notify_all();
    }

    /// Blocks until the callback has run. The submission is known to be
    /// done, so the callback is queued already: polling fires it here, or
    /// another thread's poll fires it and notifies.
    fn wait(&self, device: &wgpu::Device) -> std::result::Result<(), wgpu::BufferAsyncError> {
        let mut done = self.done.lock();
        loop {
            if let Some(r) = done.take() {
                return r;
            }
            drop(done);
            let _ = device.poll(wgpu::PollType::Poll);
            done = self.done.lock();
            if done.is_none() {
                let _ = self
                    .ready
                    .wait_for(&mut done, std::time::Duration::from_millis(1));
            }
        }
    }
}

impl PoolInner {
    fn release(&self, buffer: wgpu::Buffer) {
        self.in_use.fetch_sub(1, Ordering::Relaxed);
        let mut free = self.free.lock();
        let pooled: u64 = free.iter().map(|b| b.size()).sum();
        if pooled + buffer.size() <= MAX_POOLED_BYTES {
            free.push(buffer);
        }
    }
}

/// Owner of a mapped readback buffer, kept alive by every Arrow `Buffer`
/// (and so every NumPy/Arrow/DLPack export) over its memory.
struct MappedReadback {
    view: Option<wgpu::BufferView>,
    buffer: Option<wgpu::Buffer>,
    pool: Arc<PoolInner>,
}

// The mapping is plain host memory owned by this value alone; wgpu's handles
// are Send + Sync, and nothing here is left half-updated by a panic.
impl UnwindSafe for MappedReadback {}
impl RefUnwindSafe for MappedReadback {}

impl Drop for MappedReadback {
    fn drop(&mut self) {
        drop(self.view.take());
        if let Some(buffer) = self.buffer.take() {
            buffer.unmap();
            self.pool.release(buffer);
        }
    }
}

impl std::fmt::Debug for MappedReadback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MappedReadback")
            .field("size", &self.buffer.as_ref().map(|b| b.size()))
            .finish()
    }
}
