//! Pooled upload memory: buffers kept mapped while free, so the one CPU
//! copy of an upload lands in memory the GPU copies from, warm and without a
//! fresh allocation per call. Two kinds live in the pool: host-cached
//! buffers mapped for their whole life (Vulkan, see [`super::host_cached`])
//! and wgpu's MAP_WRITE buffers, remapped after each use.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use super::host_cached::{self, UploadMemory};
use crate::error::{Error, Result};

/// Host memory the pool may hold in upload buffers before it waits for the
/// GPU to finish with one instead of creating another.
const POOL_CAP_BYTES: u64 = 64 << 20;

/// How a pooled buffer's memory is reached from the CPU.
enum Mapping {
    /// A wgpu MAP_WRITE buffer: mapped through wgpu (`Some`) or not.
    Wgpu(Option<wgpu::BufferViewMut>),
    /// Host-cached memory mapped at this address for the buffer's life.
    Persistent(NonNull<u8>),
}

/// One pooled upload buffer.
struct Slot {
    /// Declared first so a wgpu view is dropped before its buffer.
    mapping: Mapping,
    buffer: wgpu::Buffer,
}

// SAFETY: the pointer is into a mapping owned by the slot's buffer; wgpu's
// buffer and view types are Send.
unsafe impl Send for Slot {}

impl Slot {
    /// The mapped address, or `None` when not mapped.
    fn ptr(&mut self) -> Option<NonNull<u8>> {
        match &mut self.mapping {
            Mapping::Wgpu(Some(view)) => Some(view.slice(..).as_raw_ptr().cast::<u8>()),
            Mapping::Wgpu(None) => None,
            Mapping::Persistent(p) => Some(*p),
        }
    }

    /// Ends CPU writing so the GPU may read the buffer.
    fn unmap(&mut self) {
        if let Mapping::Wgpu(view) = &mut self.mapping {
            if let Some(v) = view.take() {
                drop(v);
                self.buffer.unmap();
            }
        }
    }

    /// Maps a returned wgpu buffer again; false when that fails.
    fn remap(&mut self) -> bool {
        match &mut self.mapping {
            Mapping::Wgpu(view @ None) => match self.buffer.get_mapped_range_mut(..) {
                Ok(v) => {
                    *view = Some(v);
                    true
                }
                Err(_) => false,
            },
            _ => true,
        }
    }

    fn size(&self) -> u64 {
        self.buffer.size()
    }

    fn is_persistent(&self) -> bool {
        matches!(self.mapping, Mapping::Persistent(_))
    }
}

struct UploadInner {
    device: wgpu::Device,
    queue: wgpu::Queue,
    memory: UploadMemory,
    /// Mapped, ready to write.
    ready: Mutex<Vec<Slot>>,
    /// Given back by the GPU, not yet remapped.
    returned: Mutex<Vec<Slot>>,
    /// Bytes in buffers that exist (ready, in flight or returned).
    total_bytes: AtomicU64,
    in_flight: AtomicU64,
    created: AtomicU64,
    created_host: AtomicU64,
}

/// A pool of upload buffers (usage COPY_SRC, mapped while free).
#[derive(Clone)]
pub struct UploadPool {
    inner: Arc<UploadInner>,
}

/// A mapped upload buffer being written. Dropped without being submitted
/// (an upload that failed half-way), it goes back to the pool still mapped.
pub struct UploadChunk {
    /// `None` once submitted or staged.
    slot: Option<Slot>,
    ptr: NonNull<u8>,
    len: usize,
    pool: Arc<UploadInner>,
}

impl Drop for UploadChunk {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.pool.ready.lock().push(slot);
        }
    }
}

impl UploadChunk {
    /// The mapped bytes. Exclusive: nobody else can see the buffer until
    /// [`UploadPool::submit_copy`] hands it to the GPU.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: `ptr..ptr+len` is the mapping of the slot this chunk holds,
        // host memory that only this chunk refers to.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// True when the chunk is host-cached memory mapped for its whole life.
    pub fn is_host_cached(&self) -> bool {
        self.slot.as_ref().is_some_and(Slot::is_persistent)
    }
}

impl UploadPool {
    /// A pool for `device`; `FORGE3D_UPLOAD_MEMORY` picks the memory (an
    /// unknown value is an error).
    pub fn new(device: wgpu::Device, queue: wgpu::Queue) -> Result<Self> {
        let memory = UploadMemory::from_env().map_err(Error::InvalidArgument)?;
        Ok(Self::with_memory(device, queue, memory))
    }

    pub fn with_memory(device: wgpu::Device, queue: wgpu::Queue, memory: UploadMemory) -> Self {
        Self {
            inner: Arc::new(UploadInner {
                device,
                queue,
                memory,
                ready: Mutex::new(Vec::new()),
                returned: Mutex::new(Vec::new()),
                total_bytes: AtomicU64::new(0),
                in_flight: AtomicU64::new(0),
                created: AtomicU64::new(0),
                created_host: AtomicU64::new(0),
            }),
        }
    }

    fn chunk(&self, mut slot: Slot) -> UploadChunk {
        let ptr = slot.ptr().expect("a ready slot is mapped");
        let len = slot.size() as usize;
        UploadChunk {
            slot: Some(slot),
            ptr,
            len,
            pool: self.inner.clone(),
        }
    }

    /// Upload buffers ever created (tests read this to prove reuse).
    pub fn created(&self) -> u64 {
        self.inner.created.load(Ordering::Relaxed)
    }

    /// How many of [`Self::created`] are host-cached memory.
    pub fn created_host_cached(&self) -> u64 {
        self.inner.created_host.load(Ordering::Relaxed)
    }

    /// The memory policy in force.
    pub fn memory(&self) -> UploadMemory {
        self.inner.memory
    }

    fn take_ready(&self, size: u64) -> Option<Slot> {
        let mut ready = self.inner.ready.lock();
        let i = ready.iter().position(|s| s.size() == size)?;
        Some(ready.swap_remove(i))
    }

    /// Moves buffers the GPU gave back into the ready list.
    fn collect_returned(&self) {
        let back: Vec<Slot> = std::mem::take(&mut *self.inner.returned.lock());
        let mut ready = self.inner.ready.lock();
        for mut slot in back {
            if slot.remap() {
                ready.push(slot);
            } else {
                // Not mapped after all: drop it, and stop counting it.
                self.inner
                    .total_bytes
                    .fetch_sub(slot.size(), Ordering::Relaxed);
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
        let ready = self.inner.ready.lock();
        ready.iter().any(|s| s.size() == size)
            || self.inner.total_bytes.load(Ordering::Relaxed) + size <= POOL_CAP_BYTES
    }

    /// A new mapped buffer: host-cached memory when the policy wants it and
    /// the device has it, else a wgpu MAP_WRITE buffer.
    fn create(&self, size: u64) -> Result<Slot> {
        let inner = &self.inner;
        let host = if inner.memory.wants_host(size) {
            host_cached::create(&inner.device, size)
        } else {
            None
        };
        let slot = match host {
            Some((buffer, ptr)) => {
                inner.created_host.fetch_add(1, Ordering::Relaxed);
                Slot {
                    buffer,
                    mapping: Mapping::Persistent(ptr),
                }
            }
            None => {
                let buffer = crate::gpu::device_scoped(
                    &inner.device,
                    &format!("creating a {size}-byte upload buffer"),
                    || {
                        inner.device.create_buffer(&wgpu::BufferDescriptor {
                            label: Some("forge3d upload"),
                            size,
                            usage: wgpu::BufferUsages::MAP_WRITE | wgpu::BufferUsages::COPY_SRC,
                            mapped_at_creation: true,
                        })
                    },
                )?;
                let view = buffer
                    .get_mapped_range_mut(..)
                    .map_err(|e| Error::Gpu(format!("new upload buffer not mapped: {e}")))?;
                Slot {
                    buffer,
                    mapping: Mapping::Wgpu(Some(view)),
                }
            }
        };
        inner.created.fetch_add(1, Ordering::Relaxed);
        inner.total_bytes.fetch_add(size, Ordering::Relaxed);
        Ok(slot)
    }

    /// A mapped buffer of exactly `size` bytes (a multiple of 4).
    pub fn acquire(&self, size: u64) -> Result<UploadChunk> {
        loop {
            if let Some(slot) = self.take_ready(size) {
                return Ok(self.chunk(slot));
            }
            let _ = self.inner.device.poll(wgpu::PollType::Poll);
            self.collect_returned();
            if let Some(slot) = self.take_ready(size) {
                return Ok(self.chunk(slot));
            }
            let total = self.inner.total_bytes.load(Ordering::Relaxed);
            if total + size <= POOL_CAP_BYTES || self.inner.in_flight.load(Ordering::Relaxed) == 0 {
                // Make room: drop ready buffers of other sizes first.
                if total + size > POOL_CAP_BYTES {
                    let mut ready = self.inner.ready.lock();
                    for slot in ready.drain(..) {
                        self.inner
                            .total_bytes
                            .fetch_sub(slot.size(), Ordering::Relaxed);
                    }
                }
                let slot = self.create(size)?;
                return Ok(self.chunk(slot));
            }
            // At the cap with copies in flight: wait for the GPU to finish one.
            self.inner
                .device
                .poll(wgpu::PollType::wait_indefinitely())
                .map_err(|e| Error::Gpu(format!("waiting for an upload buffer failed: {e}")))?;
        }
    }

    /// Unmaps `chunk`, lets `record` encode the GPU copy out of it, submits,
    /// and has the buffer returned to the pool once the GPU is done with it.
    pub fn submit_copy(
        &self,
        queue: &wgpu::Queue,
        chunk: UploadChunk,
        record: impl FnOnce(&mut wgpu::CommandEncoder, &wgpu::Buffer),
    ) -> wgpu::SubmissionIndex {
        let mut chunk = chunk;
        let mut slot = chunk.slot.take().expect("a chunk is submitted once");
        drop(chunk);
        slot.unmap();
        let mut encoder =
            self.inner
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("forge3d upload"),
                });
        record(&mut encoder, &slot.buffer);
        let index = queue.submit([encoder.finish()]);
        recycle(&self.inner, slot);
        index
    }
}

// SAFETY: the chunk's pointer is into a mapping that only the chunk refers
// to; the slot is Send.
unsafe impl Send for UploadChunk {}

impl UploadChunk {
    /// Ends CPU writing from Rust and turns the chunk into a shareable
    /// [`StagedUpload`]: the GPU copy out of it is recorded later (for
    /// meshes: just before the next draw), and the buffer goes back to the
    /// pool only when the last holder of the `Arc` lets go.
    pub fn stage(mut self) -> Arc<StagedUpload> {
        let slot = self.slot.take().expect("a chunk is staged once");
        Arc::new(StagedUpload {
            buffer: slot.buffer.clone(),
            slot: Mutex::new(Some(slot)),
            copied: AtomicBool::new(false),
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
    /// `None` only while dropping.
    slot: Mutex<Option<Slot>>,
    /// Set once the GPU copy out of it has been recorded.
    copied: AtomicBool,
    ptr: NonNull<u8>,
    len: usize,
    pool: Arc<UploadInner>,
}

// SAFETY: the pointer is into the buffer's mapping, owned by this value; the
// slot is only touched under its mutex.
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
    /// Ends CPU writing (unmapping a wgpu buffer, once) and returns the
    /// buffer to copy from. The caller records the copy and submits it
    /// before letting go of this value.
    pub fn unmapped(&self) -> &wgpu::Buffer {
        if let Some(slot) = self.slot.lock().as_mut() {
            slot.unmap();
        }
        self.copied.store(true, Ordering::Release);
        &self.buffer
    }
}

impl Drop for StagedUpload {
    fn drop(&mut self) {
        let Some(slot) = self.slot.get_mut().take() else {
            return;
        };
        if self.copied.load(Ordering::Acquire) {
            recycle(&self.pool, slot);
        } else {
            // Never copied out of: still mapped, ready at once.
            self.pool.ready.lock().push(slot);
        }
    }
}

/// Hands `slot` back to the pool once the GPU is done with everything
/// submitted so far (the copy out of it included): a wgpu buffer through
/// `map_async`, a host-cached one when the queue reports the work done.
fn recycle(pool: &Arc<UploadInner>, slot: Slot) {
    pool.in_flight.fetch_add(1, Ordering::Relaxed);
    let inner = pool.clone();
    match slot.mapping {
        Mapping::Persistent(_) => {
            let queue = pool.queue.clone();
            queue.on_submitted_work_done(move || {
                inner.in_flight.fetch_sub(1, Ordering::Relaxed);
                inner.returned.lock().push(slot);
            });
        }
        Mapping::Wgpu(_) => {
            let b = slot.buffer.clone();
            b.map_async(wgpu::MapMode::Write, .., move |r| {
                inner.in_flight.fetch_sub(1, Ordering::Relaxed);
                match r {
                    Ok(()) => inner.returned.lock().push(slot),
                    Err(_) => {
                        inner.total_bytes.fetch_sub(slot.size(), Ordering::Relaxed);
                    }
                }
            });
        }
    }
}
