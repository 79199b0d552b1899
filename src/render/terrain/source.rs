//! Where a terrain's heights come from: a borrowed float32 grid, copied
//! into upload memory with the copy-and-check kernel, a producer that
//! writes each band straight into upload memory (a dask array computed
//! chunk by chunk), checked there in place, or a grid already on the GPU
//! (a table binned there), copied by the GPU alone.

use super::upload::{copy_band, RowStats};
use super::{HeightsRef, HOLE};
use crate::error::Result;
use crate::memory::checked::height_stats;

/// Fills rows `row0 .. row0 + rows` of the grid into `dst`, row `r` at
/// `dst[r * pitch ..][.. cols]`.
pub type FillBand<'a> = dyn FnMut(usize, usize, &mut [f32], usize) -> Result<()> + 'a;

/// Heights written by a producer, band by band, into upload memory.
pub struct HeightsFill<'a> {
    pub rows: usize,
    pub cols: usize,
    pub fill: &'a mut FillBand<'a>,
    /// What produces them, for the copy ledger (e.g. "dask chunks").
    pub what: &'a str,
}

/// Heights already on the GPU, in a buffer laid out as upload memory
/// would be ([`super::gpu_layout`]: rows `pitch` values apart, whole
/// bands), holes as the terrain's hole value, with their extremes known.
pub struct HeightsGpu<'a> {
    pub rows: usize,
    pub cols: usize,
    pub buffer: &'a wgpu::Buffer,
    /// Values from one row to the next.
    pub pitch: usize,
    /// The smallest and largest height, holes left out (None: all holes).
    pub range: Option<(f32, f32)>,
    pub holes: usize,
}

pub(crate) enum Heights<'a> {
    Ref(HeightsRef<'a>),
    Fill(HeightsFill<'a>),
    Gpu(HeightsGpu<'a>),
}

impl Heights<'_> {
    pub(super) fn rows(&self) -> usize {
        match self {
            Heights::Ref(h) => h.rows,
            Heights::Fill(f) => f.rows,
            Heights::Gpu(g) => g.rows,
        }
    }
    pub(super) fn cols(&self) -> usize {
        match self {
            Heights::Ref(h) => h.cols,
            Heights::Fill(f) => f.cols,
            Heights::Gpu(g) => g.cols,
        }
    }

    /// Rows `y0 .. y0 + n` into `dst` (`pitch` floats apart), holes (NaN
    /// or `nodata`) written as [`HOLE`], with their statistics.
    pub(super) fn band(
        &mut self,
        y0: usize,
        n: usize,
        dst: &mut [f32],
        pitch: usize,
        nodata: f32,
    ) -> Result<RowStats> {
        match self {
            Heights::Ref(h) => {
                let src = &h.data[y0 * h.cols..][..n * h.cols];
                Ok(copy_band(dst, src, h.cols, pitch, nodata))
            }
            Heights::Fill(f) => {
                let cols = f.cols;
                (f.fill)(y0, n, dst, pitch)?;
                let mut s = RowStats::new();
                for r in 0..n {
                    let row = &mut dst[r * pitch..][..cols];
                    let (lo, hi, holes) = height_stats(row, nodata);
                    if holes > 0 {
                        for x in row.iter_mut() {
                            if x.is_nan() || *x == nodata {
                                *x = HOLE;
                            }
                        }
                    }
                    if lo == f32::NEG_INFINITY || hi == f32::INFINITY {
                        s.infinite += row.iter().filter(|x| x.is_infinite()).count();
                    }
                    s.min = s.min.min(lo);
                    s.max = s.max.max(hi);
                    s.holes += holes;
                }
                Ok(s)
            }
            Heights::Gpu(_) => Err(crate::Error::Gpu(
                "heights on the GPU have no upload band".into(),
            )),
        }
    }

    /// (bytes, source pointer, reason suffix) for the ledger's "upload".
    pub(super) fn ledger(&self) -> (usize, *const u8, String) {
        match self {
            Heights::Ref(h) => (
                h.data.len() * 4,
                h.data.as_ptr() as *const u8,
                String::new(),
            ),
            Heights::Fill(f) => (
                f.rows * f.cols * 4,
                std::ptr::null(),
                format!(" ({} written in place)", f.what),
            ),
            Heights::Gpu(_) => (0, std::ptr::null(), String::new()),
        }
    }
}
