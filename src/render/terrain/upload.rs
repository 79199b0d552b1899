//! The one CPU copy of a terrain: heights go from the caller's memory into
//! pooled GPU upload memory in bands of rows, and from there by the GPU
//! into texture-array layers (one per band, or per band and column tile
//! when rows are wider than a texture may be), with the statistics
//! gathered on the way.

use super::source::HeightsGpu;
use super::{HeightStats, Heights, HOLE};
use crate::error::{Error, Result};
use crate::gpu::alloc::upload::UploadChunk;
use crate::gpu::GpuContext;
use crate::memory::checked::{copy_heights_row as copy_checked_row, store_fence};
use crate::memory::ledger;

/// Upload band size: the upload pool's memory stays bounded for any input.
const BAND_BYTES: u64 = 16 << 20;

/// How heights of `rows` x `cols` are tiled into one texture array: bands
/// of `band_rows` rows, each split into `tiles_x` tiles of `tile_cols`
/// columns (one tile when a row fits the device's texture width). Layer
/// `band * tiles_x + tile` holds band `band`'s columns from
/// `tile * tile_cols`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TextureLayout {
    pub tile_cols: u32,
    pub tiles_x: u32,
    pub band_rows: u32,
    pub bands: u32,
    /// Bytes from one row to the next in upload memory (whole rows).
    pub pitch: u64,
}

impl TextureLayout {
    /// The layout for a device whose textures are at most `max_side`
    /// texels per side and `max_layers` layers deep, or an error naming
    /// what does not fit.
    pub fn new(rows: usize, cols: usize, max_side: u32, max_layers: u32) -> Result<Self> {
        let too_big = |why: String| {
            Err(Error::InvalidArgument(format!(
                "heights shape ({rows}, {cols}) does not fit this device's textures even when \
                 tiled ({why}); downsample it (e.g. heights[::2, ::2]) or render it in pieces \
                 with forge3d.dask.render_tiles"
            )))
        };
        let (max_side, max_layers) = (max_side.max(1) as u64, max_layers.max(1) as u64);
        let (rows64, cols64) = (rows as u64, cols as u64);
        let tiles_x = cols64.div_ceil(max_side);
        if tiles_x > max_layers {
            return too_big(format!(
                "{tiles_x} column tiles, {max_layers} layers at most"
            ));
        }
        let tile_cols = cols64.div_ceil(tiles_x);
        // Rows in upload memory span whole tiles, so every copy fills a
        // whole layer (a partial one would make the GPU clear it first).
        let pitch =
            (tiles_x * tile_cols * 4).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT as u64);
        // Bands of about BAND_BYTES keep upload memory bounded; more rows
        // per band only when the layers would otherwise run out.
        let max_bands = max_layers / tiles_x;
        let band_rows = (BAND_BYTES / pitch)
            .min(max_side)
            .max(rows64.div_ceil(max_bands))
            .clamp(1, rows64);
        if band_rows > max_side {
            return too_big(format!(
                "{band_rows} rows per layer, {max_side} at most, with {max_bands} bands of \
                 {tiles_x} tile(s)"
            ));
        }
        Ok(Self {
            tile_cols: tile_cols as u32,
            tiles_x: tiles_x as u32,
            band_rows: band_rows as u32,
            bands: rows64.div_ceil(band_rows) as u32,
            pitch,
        })
    }

    pub fn for_device(ctx: &GpuContext, rows: usize, cols: usize) -> Result<Self> {
        Self::new(
            rows,
            cols,
            ctx.limits.max_texture_dimension_2d,
            ctx.limits.max_texture_array_layers,
        )
    }

    /// Bytes of the texture this layout makes.
    pub fn texture_bytes(&self) -> u64 {
        self.tile_cols as u64 * self.band_rows as u64 * self.layers() as u64 * 4
    }

    pub fn layers(&self) -> u32 {
        self.bands * self.tiles_x
    }

    fn extent(&self) -> wgpu::Extent3d {
        wgpu::Extent3d {
            width: self.tile_cols,
            height: self.band_rows,
            depth_or_array_layers: self.layers(),
        }
    }
}

/// Copies one row into upload memory, mapping holes to [`HOLE`], and
/// gathers min/max/holes/infinities in the same pass.
fn copy_row(dst: &mut [f32], src: &[f32], nodata: f32, s: &mut RowStats) {
    let (row_lo, row_hi, row_holes) = copy_checked_row(dst, src, nodata, HOLE);
    // Infinities are valid for min/max, so they show up at the extremes.
    if row_lo == f32::NEG_INFINITY || row_hi == f32::INFINITY {
        s.infinite += src.iter().filter(|x| x.is_infinite()).count();
    }
    s.min = s.min.min(row_lo);
    s.max = s.max.max(row_hi);
    s.holes += row_holes;
}

pub(super) struct RowStats {
    pub min: f32,
    pub max: f32,
    pub holes: usize,
    pub infinite: usize,
}

impl RowStats {
    pub fn new() -> Self {
        Self {
            min: f32::INFINITY,
            max: f32::NEG_INFINITY,
            holes: 0,
            infinite: 0,
        }
    }
    /// The statistics of a finished upload, or an error when every value
    /// is a hole.
    pub fn finish(&self, values: usize) -> Result<HeightStats> {
        if self.holes == values {
            return Err(Error::InvalidArgument(
                "heights: every value is NaN or nodata; there is nothing to draw".into(),
            ));
        }
        if self.min <= super::HOLE_BELOW || self.max >= -super::HOLE_BELOW {
            return Err(Error::InvalidArgument(format!(
                "heights reach {} .. {}: magnitudes of 1e38 or more cannot be drawn (the GPU \
                 marks holes below -1e38); rescale the heights (e.g. heights / 1000) or mark \
                 such cells with nodata",
                self.min, self.max
            )));
        }
        Ok(HeightStats {
            min: self.min,
            max: self.max,
            holes: self.holes,
        })
    }
    pub fn merge(&mut self, o: &RowStats) {
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        self.holes += o.holes;
        self.infinite += o.infinite;
    }
}

/// Bytes of a band below which one thread copies it all.
const PARALLEL_MIN_BYTES: usize = 4 << 20;
/// Threads at most for one band: beyond this, memory bandwidth is the limit.
const MAX_THREADS: usize = 4;

/// Copies the rows of `src` (`cols` each) into `dst` (rows `pitch` apart),
/// on several threads when the band is large: a single core cannot draw
/// the machine's full memory bandwidth, and each row is independent.
pub(super) fn copy_band(
    dst: &mut [f32],
    src: &[f32],
    cols: usize,
    pitch: usize,
    nodata: f32,
) -> RowStats {
    let rows = src.len() / cols;
    let threads = if src.len() * 4 >= PARALLEL_MIN_BYTES {
        std::thread::available_parallelism()
            .map(|p| p.get())
            .unwrap_or(1)
            .clamp(1, MAX_THREADS)
            .min(rows)
    } else {
        1
    };
    let run = |dst: &mut [f32], src: &[f32]| {
        let mut s = RowStats::new();
        for (r, src_row) in src.chunks_exact(cols).enumerate() {
            copy_row(&mut dst[r * pitch..][..cols], src_row, nodata, &mut s);
        }
        store_fence();
        s
    };
    if threads <= 1 {
        return run(dst, src);
    }
    let per = rows.div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = dst
            .chunks_mut(per * pitch)
            .zip(src.chunks(per * cols))
            .map(|(d, s)| scope.spawn(move || run(d, s)))
            .collect();
        let mut all = RowStats::new();
        for p in parts {
            all.merge(&p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        all
    })
}

pub(super) fn upload_heights(
    ctx: &GpuContext,
    h: &mut Heights<'_>,
    nodata: Option<f32>,
    reuse: Option<&wgpu::Texture>,
) -> Result<(wgpu::Texture, TextureLayout, HeightStats)> {
    let rows = h.rows() as u32;
    let layout = TextureLayout::for_device(ctx, h.rows(), h.cols())?;
    let TextureLayout {
        band_rows, pitch, ..
    } = layout;
    // One array layer per upload band and column tile: each copy covers a
    // whole subresource, so the GPU never has to clear the texture first.
    // A previous terrain's texture of the same shape is refilled instead of
    // allocating (and, on CPU adapters, paging in) new memory, but only when
    // all bands are submitted together: a failed upload must leave the
    // previous terrain intact.
    if let Heights::Gpu(g) = h {
        return copy_from_gpu(ctx, g, layout, reuse);
    }
    let size = layout.extent();
    let one_batch = ctx
        .upload_pool
        .fits_in_one_batch(pitch * band_rows as u64 * layout.bands as u64);
    let reusable = reuse.filter(|t| one_batch && t.size() == size).cloned();
    let reusing = reusable.is_some();
    let texture = match reusable {
        Some(t) => t,
        None => height_texture(ctx, size)?,
    };
    let mut stats = RowStats::new();
    let nodata_bits = nodata.unwrap_or(f32::NAN);
    let pitch_f = (pitch / 4) as usize;
    // Fill every band before submitting any: on CPU adapters the GPU's own
    // copy would otherwise compete with ours for the same memory bandwidth.
    // The upload pool bounds the memory: when it is full, `acquire` waits
    // for earlier bands, which are then submitted first.
    let mut pending: Vec<(u32, UploadChunk)> = Vec::new();
    let submit = |pending: &mut Vec<(u32, UploadChunk)>| {
        for (y0, chunk) in pending.drain(..) {
            let band = y0 / band_rows;
            ctx.upload_pool.submit_copy(&ctx.queue, chunk, |enc, buf| {
                copy_band_layers(enc, buf, 0, band, &layout, &texture);
            });
        }
    };
    ctx.scoped("uploading heights", || -> Result<()> {
        let mut y0 = 0u32;
        while y0 < rows {
            let n = band_rows.min(rows - y0);
            let size = pitch * band_rows as u64;
            // Early submission keeps memory bounded for huge inputs; never
            // into a reused texture, whose old contents must survive a
            // failure (the pool then grows instead of waiting).
            if !reusing && !ctx.upload_pool.has_room(size) {
                submit(&mut pending);
            }
            let mut chunk = ctx.upload_pool.acquire(size)?;
            {
                let dst: &mut [f32] = bytemuck::try_cast_slice_mut(chunk.as_mut_slice())
                    .map_err(|e| Error::Gpu(format!("upload memory misaligned: {e}")))?;
                let band = h.band(y0 as usize, n as usize, dst, pitch_f, nodata_bits)?;
                stats.merge(&band);
            }
            if stats.infinite > 0 {
                // Nothing of this texture is used: pending chunks are dropped.
                return Err(infinite_error(stats.infinite));
            }
            pending.push((y0, chunk));
            y0 += n;
        }
        Ok(())
    })??;
    // Checked before anything reaches the GPU: an all-hole input must
    // leave a reused texture (the previous terrain) as it was.
    let stats = stats.finish(h.rows() * h.cols())?;
    ctx.scoped("uploading heights", || submit(&mut pending))?;
    let (bytes, source, how) = h.ledger();
    ledger::record(
        "upload",
        bytes,
        source,
        &format!("heights into GPU upload memory{how}"),
    );
    Ok((texture, layout, stats))
}

/// A new height texture of `size` (layers of R32Float).
fn height_texture(ctx: &GpuContext, size: wgpu::Extent3d) -> Result<wgpu::Texture> {
    ctx.scoped("creating the height texture", || {
        ctx.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("forge3d heights"),
            size,
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::R32Float,
            // COPY_SRC: one cell copied back for look_at_geo.
            usage: wgpu::TextureUsages::TEXTURE_BINDING
                | wgpu::TextureUsages::COPY_DST
                | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        })
    })
}

/// Encodes the copies of band `band` (starting `offset` bytes into `buf`,
/// rows `layout.pitch` apart) into its layers of `texture`.
fn copy_band_layers(
    enc: &mut wgpu::CommandEncoder,
    buf: &wgpu::Buffer,
    offset: u64,
    band: u32,
    layout: &TextureLayout,
    texture: &wgpu::Texture,
) {
    for tx in 0..layout.tiles_x {
        let x0 = tx * layout.tile_cols;
        enc.copy_buffer_to_texture(
            wgpu::TexelCopyBufferInfo {
                buffer: buf,
                layout: wgpu::TexelCopyBufferLayout {
                    // The tile's first column of the band's first row:
                    // whole rows stay `pitch` apart.
                    offset: offset + x0 as u64 * 4,
                    bytes_per_row: Some(layout.pitch as u32),
                    rows_per_image: Some(layout.band_rows),
                },
            },
            wgpu::TexelCopyTextureInfo {
                texture,
                mip_level: 0,
                origin: wgpu::Origin3d {
                    x: 0,
                    y: 0,
                    z: band * layout.tiles_x + tx,
                },
                aspect: wgpu::TextureAspect::All,
            },
            // The whole layer, also for a short last band or tile (its
            // rows and columns past the heights are never read).
            wgpu::Extent3d {
                width: layout.tile_cols,
                height: layout.band_rows,
                depth_or_array_layers: 1,
            },
        );
    }
}

/// The height texture filled by the GPU alone from heights already on it
/// (no CPU copy, no upload memory): one submission of every band's copy.
fn copy_from_gpu(
    ctx: &GpuContext,
    g: &HeightsGpu<'_>,
    layout: TextureLayout,
    reuse: Option<&wgpu::Texture>,
) -> Result<(wgpu::Texture, TextureLayout, HeightStats)> {
    let rows_alloc = (layout.bands * layout.band_rows) as u64;
    if (g.pitch * 4) as u64 != layout.pitch || g.buffer.size() < rows_alloc * layout.pitch {
        return Err(Error::Gpu(format!(
            "heights on the GPU: a buffer of {} bytes with rows {} values apart, not the \
             layout of this device's height texture ({} rows {} bytes apart)",
            g.buffer.size(),
            g.pitch,
            rows_alloc,
            layout.pitch
        )));
    }
    let (min, max) = g.range.unwrap_or((f32::INFINITY, f32::NEG_INFINITY));
    if g.range.is_some() && (min.is_infinite() || max.is_infinite()) {
        return Err(Error::InvalidArgument(format!(
            "heights reach {min} .. {max}: infinite heights cannot be drawn"
        )));
    }
    // Checked before anything reaches the GPU (a reused texture is the
    // previous terrain's).
    let stats = RowStats {
        min,
        max,
        holes: g.holes,
        infinite: 0,
    }
    .finish(g.rows * g.cols)?;
    let size = layout.extent();
    let texture = match reuse.filter(|t| t.size() == size) {
        Some(t) => t.clone(),
        None => height_texture(ctx, size)?,
    };
    ctx.scoped("copying heights on the GPU", || {
        let mut enc = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("forge3d heights from the GPU"),
            });
        let band_bytes = layout.band_rows as u64 * layout.pitch;
        for band in 0..layout.bands {
            copy_band_layers(
                &mut enc,
                g.buffer,
                band as u64 * band_bytes,
                band,
                &layout,
                &texture,
            );
        }
        ctx.queue.submit([enc.finish()]);
    })?;
    Ok((texture, layout, stats))
}

/// The error for heights with `n` infinite values.
pub(super) fn infinite_error(n: usize) -> Error {
    Error::InvalidArgument(format!(
        "heights contains {n} infinite value(s) (as float32: float64 values beyond +-3.4e38 do \
         not fit float32 and become infinite); mark holes with NaN or nodata, or replace them \
         (np.nan_to_num)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_row_maps_holes_and_tracks_valid_min_max() {
        let src = [3.0, f32::NAN, -9999.0, 7.5, -2.0];
        let mut dst = [0.0f32; 5];
        let mut s = RowStats {
            min: f32::INFINITY,
            max: f32::NEG_INFINITY,
            holes: 0,
            infinite: 0,
        };
        copy_row(&mut dst, &src, -9999.0, &mut s);
        assert_eq!(dst, [3.0, HOLE, HOLE, 7.5, -2.0]);
        assert_eq!((s.min, s.max, s.holes, s.infinite), (-2.0, 7.5, 2, 0));
        copy_row(&mut dst[..1], &[f32::INFINITY], f32::NAN, &mut s);
        assert_eq!(s.infinite, 1);
    }

    #[test]
    fn rows_wider_than_a_texture_are_split_into_column_tiles() {
        // Narrow enough: whole rows, bands of about BAND_BYTES.
        let l = TextureLayout::new(3, 3, 16384, 2048).unwrap();
        assert_eq!((l.tiles_x, l.tile_cols, l.band_rows, l.bands), (1, 3, 3, 1));
        assert_eq!(l.pitch, 256);
        // Narrow rows: bands no taller than a texture.
        let l = TextureLayout::new(40000, 3, 16384, 2048).unwrap();
        assert_eq!((l.tiles_x, l.band_rows, l.bands), (1, 16384, 3));
        let l = TextureLayout::new(20000, 16384, 16384, 2048).unwrap();
        assert_eq!((l.tiles_x, l.tile_cols, l.band_rows), (1, 16384, 256));
        // 20000 columns on a 16384-texel device: two tiles of 10000.
        let l = TextureLayout::new(20000, 20000, 16384, 2048).unwrap();
        assert_eq!((l.tiles_x, l.tile_cols), (2, 10000));
        assert_eq!(l.pitch, 80128); // 80000 bytes, rounded up to 256
        assert_eq!(l.band_rows as u64, BAND_BYTES / 80128);
        assert_eq!(l.bands, 20000u32.div_ceil(l.band_rows));
        assert!(l.layers() <= 2048);
        // Uneven: the last tile is part padding, which rows in upload
        // memory include so every copy fills a whole layer.
        let l = TextureLayout::new(5, 1001, 500, 2048).unwrap();
        assert_eq!((l.tiles_x, l.tile_cols), (3, 334));
        assert!(l.pitch >= 3 * 334 * 4);
        // When bands of BAND_BYTES would need too many layers, bands grow.
        let l = TextureLayout::new(100_000, 100_000, 16384, 2048).unwrap();
        assert_eq!((l.tiles_x, l.tile_cols), (7, 14286));
        assert!(l.layers() <= 2048 && l.band_rows as u64 * l.bands as u64 >= 100_000);
        assert_eq!(l.band_rows, 100_000u32.div_ceil(2048 / 7));
        assert_eq!(l.texture_bytes(), 14286 * 343 * 292 * 7 * 4);
    }

    #[test]
    fn shapes_no_tiling_fits_are_refused_by_name() {
        for (rows, cols) in [(2, 16384 * 2049), (16384 * 2048 + 1, 2)] {
            let e = TextureLayout::new(rows, cols, 16384, 2048).unwrap_err();
            let m = e.to_string();
            assert!(
                m.contains(&format!("heights shape ({rows}, {cols})")) && m.contains("downsample"),
                "{m}"
            );
        }
    }

    #[test]
    fn a_band_copied_on_threads_matches_one_copied_row_by_row() {
        let (rows, cols, pitch) = (700usize, 2000usize, 2048usize); // 5.6 MB: threads
        let src: Vec<f32> = (0..rows * cols)
            .map(|i| match i % 1237 {
                0 => f32::NAN,
                1 => -9999.0,
                _ => ((i * 7919) % 100_003) as f32 * 0.01 - 300.0,
            })
            .collect();
        let mut a = vec![0f32; rows * pitch];
        let s = copy_band(&mut a, &src, cols, pitch, -9999.0);
        let mut b = vec![0f32; rows * pitch];
        let mut t = RowStats::new();
        for r in 0..rows {
            copy_row(
                &mut b[r * pitch..][..cols],
                &src[r * cols..][..cols],
                -9999.0,
                &mut t,
            );
        }
        assert_eq!(a, b);
        assert_eq!(
            (s.min, s.max, s.holes, s.infinite),
            (t.min, t.max, t.holes, t.infinite)
        );
        assert!(s.holes > 0 && s.min > -9999.0);
    }
}
