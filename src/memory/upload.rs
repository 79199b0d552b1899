//! Pooled upload memory: MAP_WRITE buffers kept mapped while free, so the one
//! CPU copy of an upload lands in memory the GPU copies from, warm and
//! without a fresh allocation per call.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};

/// Host memory the pool may hold in upload buffers before it waits for the
/// GPU to finish with one instead of creating another.
const POOL_CAP_BYTES: u64 = 64 << 20;

struct UploadInner {
    device: wgpu::Device,
    /// Mapped, ready to write.
    ready: Mutex<Vec<(wgpu::Buffer, wgpu::BufferViewMut)>>,
    /// Remapped by the GPU callback, view not yet taken.
    returned: Mutex<Vec<wgpu::Buffer>>,
    /// Bytes in buffers that exist (ready, in flight or returned).
    total_bytes: AtomicU64,
    in_flight: AtomicU64,
    created: AtomicU64,
}

/// A pool of MAP_WRITE | COPY_SRC buffers.
#[derive(Clone)]
pub struct UploadPool {
    inner: Arc<UploadInner>,
}

/// A mapped upload buffer being written. Dropped without being submitted
/// (an upload that failed half-way), it goes back to the pool still mapped.
pub struct UploadChunk {
    /// `None` once handed to [`UploadPool::submit_copy`].
    mapped: Option<(wgpu::Buffer, wgpu::BufferViewMut)>,
    ptr: NonNull<u8>,
    len: usize,
    pool: Arc<UploadInner>,
}

impl Drop for UploadChunk {
    fn drop(&mut self) {
        if let Some(pair) = self.mapped.take() {
            self.pool
                .ready
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(pair);
        }
    }
}

impl UploadChunk {
    /// The mapped bytes. Exclusive: nobody else can see the buffer until
    /// [`UploadPool::submit_copy`] unmaps it.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: `ptr..ptr+len` is the write mapping held by `self.view`,
        // mapped host memory that only this chunk refers to.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl UploadPool {
    pub fn new(device: wgpu::Device) -> Self {
        Self {
            inner: Arc::new(UploadInner {
                device,
                ready: Mutex::new(Vec::new()),
                returned: Mutex::new(Vec::new()),
                total_bytes: AtomicU64::new(0),
                in_flight: AtomicU64::new(0),
                created: AtomicU64::new(0),
            }),
        }
    }

    fn chunk(&self, buffer: wgpu::Buffer, mut view: wgpu::BufferViewMut) -> UploadChunk {
        let len = view.len();
        let ptr = view.slice(..).as_raw_ptr().cast::<u8>();
        UploadChunk {
            mapped: Some((buffer, view)),
            ptr,
            len,
            pool: self.inner.clone(),
        }
    }

    /// Upload buffers ever created (tests read this to prove reuse).
    pub fn created(&self) -> u64 {
        self.inner.created.load(Ordering::Relaxed)
    }

    fn take_ready(&self, size: u64) -> Option<(wgpu::Buffer, wgpu::BufferViewMut)> {
        let mut ready = self.inner.ready.lock().unwrap_or_else(|e| e.into_inner());
        let i = ready.iter().position(|(b, _)| b.size() == size)?;
        Some(ready.swap_remove(i))
    }

    /// Moves buffers the GPU gave back into the ready list.
    fn collect_returned(&self) {
        let back: Vec<wgpu::Buffer> = std::mem::take(
            &mut *self
                .inner
                .returned
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        let mut ready = self.inner.ready.lock().unwrap_or_else(|e| e.into_inner());
        for b in back {
            match b.get_mapped_range_mut(..) {
                Ok(view) => ready.push((b, view)),
                // Not mapped after all: drop it, and stop counting it.
                Err(_) => {
                    self.inner
                        .total_bytes
                        .fetch_sub(b.size(), Ordering::Relaxed);
                }
            }
        }
    }

    /// True when `bytes` of uploads can all be written before any is
    /// submitted (they fit in the pool at once).
    pub fn fits_in_one_batch(&self, bytes: u64) -> bool {
        bytes <= POOL_CAP_BYTES
    }

    /// True when a buffer of `size` bytes can be had without waiting for the
    /// GPU (one is ready, or the pool may grow).
    pub fn has_room(&self, size: u64) -> bool {
        let ready = self.inner.ready.lock().unwrap_or_else(|e| e.into_inner());
        ready.iter().any(|(b, _)| b.size() == size)
            || self.inner.total_bytes.load(Ordering::Relaxed) + size <= POOL_CAP_BYTES
    }

    /// A mapped buffer of exactly `size` bytes (a multiple of 4).
    pub fn acquire(&self, size: u64) -> Result<UploadChunk> {
        loop {
            if let Some((buffer, view)) = self.take_ready(size) {
                return Ok(self.chunk(buffer, view));
            }
            let _ = self.inner.device.poll(wgpu::PollType::Poll);
            self.collect_returned();
            if let Some((buffer, view)) = self.take_ready(size) {
                return Ok(self.chunk(buffer, view));
            }
            let total = self.inner.total_bytes.load(Ordering::Relaxed);
            if total + size <= POOL_CAP_BYTES || self.inner.in_flight.load(Ordering::Relaxed) == 0 {
                // Make room: drop ready buffers of other sizes first.
                if total + size > POOL_CAP_BYTES {
                    let mut ready = self.inner.ready.lock().unwrap_or_else(|e| e.into_inner());
                    for (b, v) in ready.drain(..) {
                        drop(v);
                        self.inner
                            .total_bytes
                            .fetch_sub(b.size(), Ordering::Relaxed);
                    }
                }
                let buffer = self.inner.device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("forge3d upload"),
                    size,
                    usage: wgpu::BufferUsages::MAP_WRITE | wgpu::BufferUsages::COPY_SRC,
                    mapped_at_creation: true,
                });
                self.inner.created.fetch_add(1, Ordering::Relaxed);
                self.inner.total_bytes.fetch_add(size, Ordering::Relaxed);
                let view = buffer.get_mapped_range_mut(..).map_err(|e| {
                    self.inner.total_bytes.fetch_sub(size, Ordering::Relaxed);
                    Error::Gpu(format!("new upload buffer not mapped: {e}"))
                })?;
                return Ok(self.chunk(buffer, view));
            }
            // At the cap with copies in flight: wait for the GPU to finish one.
            self.inner
                .device
                .poll(wgpu::PollType::wait_indefinitely())
                .map_err(|e| Error::Gpu(format!("waiting for an upload buffer failed: {e}")))?;
        }
    }

    /// Unmaps `chunk`, lets `record` encode the GPU copy out of it, submits,
    /// and has the buffer remapped and returned to the pool once the GPU is
    /// done with it.
    pub fn submit_copy(
        &self,
        queue: &wgpu::Queue,
        chunk: UploadChunk,
        record: impl FnOnce(&mut wgpu::CommandEncoder, &wgpu::Buffer),
    ) -> wgpu::SubmissionIndex {
        let mut chunk = chunk;
        let (buffer, view) = chunk.mapped.take().expect("a chunk is submitted once");
        drop(chunk);
        drop(view);
        buffer.unmap();
        let mut encoder =
            self.inner
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("forge3d upload"),
                });
        record(&mut encoder, &buffer);
        let index = queue.submit([encoder.finish()]);
        recycle(&self.inner, buffer);
        index
    }
}

// SAFETY: the chunk's pointer is into a mapping that only the chunk refers
// to; wgpu's buffer and view types are Send.
unsafe impl Send for UploadChunk {}

impl UploadChunk {
    /// Ends CPU writing from Rust and turns the chunk into a shareable
    /// [`StagedUpload`]: the GPU copy out of it is recorded later (for
    /// meshes: just before the next draw), and the buffer goes back to the
    /// pool only when the last holder of the `Arc` lets go.
    pub fn stage(mut self) -> Arc<StagedUpload> {
        let (buffer, view) = self.mapped.take().expect("a chunk is staged once");
        Arc::new(StagedUpload {
            buffer,
            view: Mutex::new(Some(view)),
            ptr: self.ptr,
            len: self.len,
            pool: self.pool.clone(),
        })
    }
}

/// An upload buffer written on the CPU, waiting for (or past) the GPU copy
/// out of it. Several owners may hold it: a mesh's pending upload, and a
/// Python view over the mapped memory that must stay valid memory for as
/// long as that view lives, even after the copy.
pub struct StagedUpload {
    buffer: wgpu::Buffer,
    /// `Some` while mapped.
    view: Mutex<Option<wgpu::BufferViewMut>>,
    ptr: NonNull<u8>,
    len: usize,
    pool: Arc<UploadInner>,
}

// SAFETY: the pointer is into the buffer's mapping, owned by this value; the
// view is only touched under its mutex.
unsafe impl Send for StagedUpload {}
unsafe impl Sync for StagedUpload {}

impl StagedUpload {
    /// Address of the first mapped byte (stable for the buffer's life).
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Unmaps (once) and returns the buffer to copy from.
    pub fn unmapped(&self) -> &wgpu::Buffer {
        if let Some(view) = self.view.lock().unwrap_or_else(|e| e.into_inner()).take() {
            drop(view);
            self.buffer.unmap();
        }
        &self.buffer
    }
}

impl Drop for StagedUpload {
    fn drop(&mut self) {
        let view = self
            .view
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let buffer = self.buffer.clone();
        match view {
            // Never copied out of: still mapped, ready at once.
            Some(view) => self
                .pool
                .ready
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((buffer, view)),
            None => recycle(&self.pool, buffer),
        }
    }
}

/// Remaps `buffer` once the GPU is done with it and hands it back.
fn recycle(pool: &Arc<UploadInner>, buffer: wgpu::Buffer) {
    pool.in_flight.fetch_add(1, Ordering::Relaxed);
    let inner = pool.clone();
    let b = buffer.clone();
    buffer.map_async(wgpu::MapMode::Write, .., move |r| {
        inner.in_flight.fetch_sub(1, Ordering::Relaxed);
        match r {
            Ok(()) => inner
                .returned
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(b),
            Err(_) => {
                inner.total_bytes.fetch_sub(b.size(), Ordering::Relaxed);
            }
        }
    });
}
