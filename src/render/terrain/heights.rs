//! Where a terrain's heights live on the GPU.
//!
//! On a discrete GPU they are copied into upload memory and from there, by
//! the GPU, into a texture in video memory ([`super::upload`]). On a CPU
//! adapter (lavapipe, llvmpipe) "video memory" is host memory and the GPU's
//! copy is the CPU copying a second time, inside `Queue::submit`. There the
//! heights are instead copied once into a host-mapped storage buffer that
//! the shader reads directly: no second copy and no staging memory.

use std::ptr::NonNull;
use std::sync::Arc;

use parking_lot::Mutex;

use super::upload::RowStats;
use super::{HeightStats, Heights};
use crate::error::Result;
use crate::gpu::alloc::host_cached::{self, Use};
use crate::gpu::GpuContext;
use crate::memory::ledger;

/// Where heights go, from `FORGE3D_TERRAIN_HEIGHTS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeightsMemory {
    /// A storage buffer on CPU adapters, a texture elsewhere.
    Auto,
    /// Always a texture (upload memory, then a GPU copy).
    Texture,
    /// A host-mapped storage buffer whenever the device can make one.
    Buffer,
}

impl HeightsMemory {
    /// Parses `FORGE3D_TERRAIN_HEIGHTS` (`auto`, `texture` or `buffer`);
    /// unset or empty is `auto`. An unknown value is an error naming the
    /// choices.
    pub fn from_env() -> Result<Self> {
        Ok(
            match crate::env::choice(
                "FORGE3D_TERRAIN_HEIGHTS",
                &["auto", "texture", "buffer"],
                "auto",
            )? {
                "texture" => Self::Texture,
                "buffer" => Self::Buffer,
                _ => Self::Auto,
            },
        )
    }

    /// True when heights should go to a storage buffer on `ctx` (if they
    /// fit in [`BANDS`] bindings).
    pub fn wants_buffer(self, ctx: &GpuContext) -> bool {
        let can = ctx.limits.max_storage_buffers_per_shader_stage >= BANDS as u32;
        can && match self {
            Self::Auto => ctx.info.software && ctx.info.backend == "vulkan",
            Self::Texture => false,
            Self::Buffer => true,
        }
    }
}

/// Storage bindings the heights may span: one binding is limited to
/// `max_storage_buffer_binding_size` (128 MiB on llvmpipe), so larger
/// heights are bound as up to this many bands of rows of one buffer.
pub const BANDS: usize = 4;
/// The binding numbers of the bands (heights_buffer.wgsl).
pub(crate) const BAND_BINDINGS: [u32; BANDS] = [1, 3, 4, 5];

/// How heights of `rows` x `cols` are laid out in bands, if they fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Layout {
    band_rows: usize,
    bands: usize,
    /// Bytes from one band's start to the next (aligned for binding).
    stride: u64,
}

impl Layout {
    fn new(
        rows: usize,
        cols: usize,
        max_binding: u64,
        align: u64,
        max_buffer: u64,
    ) -> Option<Self> {
        let row_bytes = cols as u64 * 4;
        let band_rows = (max_binding / row_bytes).min(rows as u64) as usize;
        if band_rows == 0 {
            return None;
        }
        let bands = rows.div_ceil(band_rows);
        let stride = (band_rows as u64 * row_bytes).next_multiple_of(align.max(4));
        (bands <= BANDS && stride * bands as u64 <= max_buffer).then_some(Self {
            band_rows,
            bands,
            stride,
        })
    }

    fn size(&self) -> u64 {
        self.stride * self.bands as u64
    }
}

/// Spare buffers kept for the next terrain of the same size, so refilling
/// does not page in fresh memory: at most this many bytes.
const SPARE_CAP_BYTES: u64 = 64 << 20;

/// A storage buffer over host memory mapped for its whole life.
struct Mapped {
    buffer: wgpu::Buffer,
    ptr: NonNull<u8>,
}

// SAFETY: the pointer is into the buffer's own mapping, reached only by the
// holder of this value; wgpu buffers are Send.
unsafe impl Send for Mapped {}

/// Buffers of replaced terrains that the GPU is done with, oldest first.
pub(crate) struct Spares {
    free: Mutex<Vec<Mapped>>,
    cap: u64,
}

impl Spares {
    fn new(_: &GpuContext) -> Self {
        Self::with_cap(SPARE_CAP_BYTES)
    }

    fn with_cap(cap: u64) -> Self {
        Self {
            free: Mutex::new(Vec::new()),
            cap,
        }
    }

    fn take(&self, size: u64) -> Option<Mapped> {
        let mut free = self.free.lock();
        let i = free.iter().position(|m| m.buffer.size() == size)?;
        Some(free.remove(i))
    }

    /// Keeps `m`, dropping the oldest spares when the cap needs room: the
    /// newest size is the likeliest to come again.
    fn put(&self, m: Mapped) {
        let size = m.buffer.size();
        if size > self.cap {
            return;
        }
        let mut free = self.free.lock();
        while free.iter().map(|m| m.buffer.size()).sum::<u64>() + size > self.cap {
            free.remove(0);
        }
        free.push(m);
    }
}

/// Heights in a host-mapped storage buffer, `cols` floats per row, in
/// bands of rows that are bound separately.
pub(crate) struct HeightsBuffer {
    /// `None` only while dropping.
    mapped: Option<Mapped>,
    layout: Layout,
    cols: usize,
    spares: Arc<Spares>,
    queue: wgpu::Queue,
}

impl HeightsBuffer {
    pub fn band_rows(&self) -> u32 {
        self.layout.band_rows as u32
    }

    /// The stored height at (`row`, `col`), holes as stored; None past the
    /// heights.
    pub fn value_at(&self, row: usize, col: usize) -> Option<f32> {
        let m = self.mapped.as_ref()?;
        if col >= self.cols || row >= self.layout.band_rows * self.layout.bands {
            return None;
        }
        let (band, r) = (row / self.layout.band_rows, row % self.layout.band_rows);
        let at = band as u64 * self.layout.stride + ((r * self.cols + col) * 4) as u64;
        if at + 4 > self.layout.size() {
            return None;
        }
        // SAFETY: `at + 4` lies within the mapping of `layout.size()` bytes
        // (checked above), 4-aligned (stride and the mapping are); it was
        // written by the upload before this buffer was handed out, and the
        // GPU only reads it.
        Some(unsafe { m.ptr.as_ptr().add(at as usize).cast::<f32>().read() })
    }

    /// The bind group entries of the bands; bindings past the last band
    /// repeat it (the shader never reads them).
    pub fn bindings(&self) -> Vec<wgpu::BindGroupEntry<'_>> {
        let buffer = &self.mapped.as_ref().expect("alive").buffer;
        let bytes = self.layout.band_rows as u64 * self.cols as u64 * 4;
        BAND_BINDINGS
            .iter()
            .enumerate()
            .map(|(k, &binding)| wgpu::BindGroupEntry {
                binding,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer,
                    offset: k.min(self.layout.bands - 1) as u64 * self.layout.stride,
                    size: wgpu::BufferSize::new(bytes),
                }),
            })
            .collect()
    }
}

impl Drop for HeightsBuffer {
    fn drop(&mut self) {
        let Some(m) = self.mapped.take() else { return };
        // Reusable once the GPU has finished every draw that read it.
        let spares = self.spares.clone();
        self.queue.on_submitted_work_done(move || spares.put(m));
    }
}

/// Copies `h` into a storage buffer (one CPU copy, holes mapped to
/// [`super::HOLE`]) and gathers the statistics; `None` when the heights
/// are too large for [`BANDS`] bindings or the device cannot make such a
/// buffer (the caller then uses a texture).
pub(crate) fn upload(
    ctx: &GpuContext,
    h: &mut Heights<'_>,
    nodata: Option<f32>,
) -> Result<Option<(HeightsBuffer, HeightStats)>> {
    let (rows, cols) = (h.rows(), h.cols());
    let Some(layout) = Layout::new(
        rows,
        cols,
        ctx.limits.max_storage_buffer_binding_size,
        ctx.limits.min_storage_buffer_offset_alignment as u64,
        ctx.limits.max_buffer_size,
    ) else {
        return Ok(None);
    };
    let size = layout.size();
    let spares = ctx.cached(Spares::new);
    // Collect buffers that replaced terrains gave back.
    let _ = ctx.device.poll(wgpu::PollType::Poll);
    let mapped = match spares.take(size) {
        Some(m) => m,
        None => match host_cached::create_for(&ctx.device, size, Use::Storage) {
            Some((buffer, ptr)) => Mapped { buffer, ptr },
            None => return Ok(None),
        },
    };
    // From here on the buffer goes back to the spares whatever happens.
    let out = HeightsBuffer {
        mapped: Some(mapped),
        layout,
        cols,
        spares,
        queue: ctx.queue.clone(),
    };
    let ptr = out.mapped.as_ref().expect("just set").ptr;
    let mut stats = RowStats::new();
    for (k, y0) in (0..rows).step_by(layout.band_rows).enumerate() {
        let n = layout.band_rows.min(rows - y0);
        // SAFETY: band `k` starts `k * stride` bytes into a mapping of
        // `layout.size()` bytes (stride >= the band's bytes, a multiple of
        // 4, as is the mapping's address), host memory that nothing else
        // reads or writes: a new buffer, or a spare whose last reader
        // finished.
        let dst = unsafe {
            std::slice::from_raw_parts_mut(
                ptr.as_ptr().add(k * layout.stride as usize).cast::<f32>(),
                n * cols,
            )
        };
        stats.merge(&h.band(y0, n, dst, cols, nodata.unwrap_or(f32::NAN))?);
    }
    if stats.infinite > 0 {
        return Err(super::upload::infinite_error(stats.infinite));
    }
    let stats = stats.finish(rows * cols)?;
    let (bytes, source, how) = h.ledger();
    ledger::record(
        "upload",
        bytes,
        source,
        &format!("heights into a GPU storage buffer (host memory){how}"),
    );
    Ok(Some((out, stats)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heights_are_split_into_aligned_bands_that_fit_a_binding() {
        // 8192^2 under llvmpipe's 128 MiB binding limit: two bands.
        let l = Layout::new(8192, 8192, 128 << 20, 16, u64::MAX).unwrap();
        assert_eq!((l.band_rows, l.bands), (4096, 2));
        assert_eq!(l.stride, 128 << 20);
        // Odd widths: each band starts on an aligned offset.
        let l = Layout::new(301, 333, 333 * 4 * 100 + 7, 256, u64::MAX).unwrap();
        assert_eq!((l.band_rows, l.bands), (100, 4));
        assert_eq!(l.stride % 256, 0);
        assert!(l.stride >= 100 * 333 * 4);
        // Everything in one band when it fits.
        let l = Layout::new(100, 100, 1 << 20, 256, u64::MAX).unwrap();
        assert_eq!((l.band_rows, l.bands), (100, 1));
        // Too many bands, a row wider than a binding, or past the buffer limit.
        assert_eq!(Layout::new(1000, 1000, 4000 * 200, 16, u64::MAX), None);
        assert_eq!(Layout::new(10, 1000, 3999, 16, u64::MAX), None);
        assert_eq!(Layout::new(100, 100, 1 << 20, 16, 100 * 100 * 4 - 1), None);
    }

    #[test]
    fn spares_keep_the_newest_sizes_within_the_cap() {
        let ctx = GpuContext::shared().expect("a GPU adapter (lavapipe in CI)");
        let make = |size| {
            let (buffer, ptr) = host_cached::create_for(&ctx.device, size, Use::Storage)
                .expect("host-mapped storage buffers on this device");
            Mapped { buffer, ptr }
        };
        let spares = Spares::with_cap(4096);
        spares.put(make(1024));
        spares.put(make(2048));
        spares.put(make(8192)); // larger than the cap: not kept
        spares.put(make(2048)); // the oldest (1024) makes room
        assert!(spares.take(1024).is_none());
        assert_eq!(spares.take(2048).map(|m| m.buffer.size()), Some(2048));
        assert_eq!(spares.take(2048).map(|m| m.buffer.size()), Some(2048));
        assert!(spares.take(2048).is_none());
        assert!(spares.take(8192).is_none());
    }
}
