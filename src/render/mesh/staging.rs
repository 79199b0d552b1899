//! The CPU half of an upload: the caller's rows (or columns) copied into
//! mapped upload memory, each value checked, bounds kept on the way.

use super::{Attribute, AttributeData};
use crate::error::{Error, Result};
use crate::memory::checked::{copy_rows as copy_checked, NonFinite};
use crate::memory::ledger;
use crate::render::camera::Bounds;

/// What the GPU does with a staged upload.
pub(super) enum Transfer {
    /// Byte-for-byte into the vertex buffer.
    Copy,
    /// `components` planes of `rows` floats, interleaved by a compute pass.
    Interleave,
}

/// What [`copy_rows`] found on the way.
pub(super) struct Copied {
    pub transfer: Transfer,
    /// Of positions.
    pub bounds: Option<Bounds>,
    /// Of scalars.
    pub range: Option<(f32, f32)>,
}

fn non_finite(name: &str, e: NonFinite) -> Error {
    Error::NonFinite {
        arg: name.to_string(),
        row: e.row,
        col: e.col,
        value: e.value,
    }
}

/// Copies `data` (already checked to hold `n` rows of `attr`) into `dst`,
/// recording one ledger entry per source buffer. Fails on a non-finite
/// value, leaving `dst` partly written and nothing recorded for it.
pub(super) fn copy_rows(
    attr: Attribute,
    name: &str,
    data: &AttributeData<'_>,
    dst: &mut [u8],
    n: u32,
) -> Result<Copied> {
    let reason = attr.upload_reason();
    let nf = |e| non_finite(name, e);
    let mut out = Copied {
        transfer: Transfer::Copy,
        bounds: None,
        range: None,
    };
    match data {
        AttributeData::Unorm8(src) => {
            ledger::copy_into(&mut dst[..src.len()], src, "upload", reason);
        }
        AttributeData::F32(src) => {
            let dst = &mut dst[..src.len() * 4];
            match attr {
                Attribute::Positions => {
                    out.bounds = copy_checked::<3>(dst, src, true, reason)
                        .map_err(nf)?
                        .map(|b| Bounds {
                            min: b.min,
                            max: b.max,
                        });
                }
                Attribute::Normals => {
                    copy_checked::<3>(dst, src, false, reason).map_err(nf)?;
                }
                Attribute::Texcoords => {
                    copy_checked::<2>(dst, src, false, reason).map_err(nf)?;
                }
                Attribute::Colors => {
                    copy_checked::<4>(dst, src, false, reason).map_err(nf)?;
                }
                Attribute::Scalars => {
                    out.range = copy_checked::<1>(dst, src, true, reason)
                        .map_err(nf)?
                        .map(|b| (b.min[0], b.max[0]));
                }
            }
        }
        AttributeData::Columns(cols) => {
            let plane = n as usize * 4;
            let mut lo = [0f32; 3];
            let mut hi = [0f32; 3];
            for (k, col) in cols.iter().enumerate() {
                let reason = format!("{name} column {k} -> GPU upload memory");
                let b = copy_checked::<1>(&mut dst[k * plane..(k + 1) * plane], col, true, &reason)
                    .map_err(|e| nf(NonFinite { col: k, ..e }))?
                    .expect("bounds requested");
                if k < 3 {
                    (lo[k], hi[k]) = (b.min[0], b.max[0]);
                }
                if attr == Attribute::Scalars {
                    out.range = Some((b.min[0], b.max[0]));
                }
            }
            if attr == Attribute::Positions && n > 0 {
                out.bounds = Some(Bounds { min: lo, max: hi });
            }
            if cols.len() > 1 {
                out.transfer = Transfer::Interleave;
            }
        }
    }
    Ok(out)
}
