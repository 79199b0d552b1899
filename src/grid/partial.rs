//! Partial grids: the rows of one table split into parts (a Dask
//! DataFrame's partitions) are binned part by part into accumulators that
//! merge, in part order, into the grid the whole table gives.
//!
//! The steps mirror [`super::grid_from_batches`]: the extent pass of each
//! part ([`scan_part`]) merged ([`merge_scans`]), the geometry from it
//! ([`geometry_part`]), each part binned with the same kernels
//! ([`bin_part`]), partials merged ([`merge_parts`], earlier part first)
//! and finished ([`finish_parts`]). Count, min, max, first and last equal
//! the single pass cell for cell; mean sums float64 per part and adds the
//! sums, so a cell's mean can differ from the single pass's (whose sums
//! run in table order) by float32 rounding, as the single pass's own
//! sparse and dense means do.

use super::passes::{empty_scan, merge_scan, scan, scatter_rows};
use super::scatter::{self, finish_in_place, Dense, Filled, RawCells, Seed};
use super::{
    check_options, check_same_rows, finished, geometry_of, needs_scan, none_inside, on_cpu, Agg,
    Batches, Columns, Geometry, GridOptions, GridResult, Scan, MAX_CELLS_LIMIT,
};
use crate::error::{Error, Result};

/// The accumulators of some rows over a geometry's cells.
#[derive(Debug, Clone)]
pub struct Partial {
    pub agg: Agg,
    pub cells: usize,
    /// Mean: (sum's f64 bits, count) as two u64 per cell; the others: one
    /// u32 cell word (count: the count; else the height's bits inverted,
    /// 0 for no point). Native byte order, aligned for its type.
    pub data: arrow_buffer::Buffer,
    /// Rows read, rows with a null or NaN x, y or z, valid rows outside
    /// the bounds.
    pub rows_read: usize,
    pub skipped: usize,
    pub outside: usize,
}

impl Partial {
    /// Bytes per cell of `agg`'s accumulators.
    pub fn cell_bytes(agg: Agg) -> usize {
        if agg == Agg::Mean {
            16
        } else {
            4
        }
    }

    /// The accumulators as a vector to continue in place when this
    /// partial is their only owner, else the buffer (to copy from).
    fn into_raw(self) -> std::result::Result<RawCells, arrow_buffer::Buffer> {
        if self.agg == Agg::Mean {
            self.data.into_vec::<u64>().map(RawCells::Dense)
        } else {
            self.data.into_vec::<u32>().map(RawCells::Words)
        }
    }

    fn check(&self) -> Result<()> {
        let want = self.cells.checked_mul(Self::cell_bytes(self.agg));
        let align = if self.agg == Agg::Mean { 8 } else { 4 };
        if want != Some(self.data.len()) || !(self.data.as_ptr() as usize).is_multiple_of(align) {
            return Err(Error::InvalidArgument(format!(
                "partial grid: {} bytes for {} cells of {:?} (want {} bytes, aligned to {align}); \
                 the partial is damaged",
                self.data.len(),
                self.cells,
                self.agg,
                self.cells.saturating_mul(Self::cell_bytes(self.agg))
            )));
        }
        Ok(())
    }
}

/// `o` checked as every step checks it.
pub fn check(o: &GridOptions) -> Result<()> {
    check_options(o)
}

/// The extent pass of one part (see [`super::GridOptions::bounds`]), or
/// `None` when the geometry needs none.
pub fn scan_part(batches: Batches<'_>, c: &Columns<'_>, o: &GridOptions) -> Result<Option<Scan>> {
    check_options(o)?;
    if !needs_scan(o) {
        return Ok(None);
    }
    scan(batches, c, o).map(Some)
}

/// The extent pass of the parts together.
pub fn merge_scans(scans: &[Scan]) -> Scan {
    let mut s = empty_scan();
    for p in scans {
        merge_scan(&mut s, p);
    }
    s
}

/// The geometry from the merged extent pass (`None` when [`scan_part`]
/// made none); a lattice candidate only with `allow_lattice` (after a part
/// was found off the lattice, the geometry is planned again without).
pub fn geometry_part(s: Option<&Scan>, o: &GridOptions, allow_lattice: bool) -> Result<Geometry> {
    check_options(o)?;
    if needs_scan(o) && s.is_none() {
        return Err(Error::InvalidArgument(
            "partial grid: these options need the extent pass of the parts".into(),
        ));
    }
    geometry_of(s, o, allow_lattice)
}

/// A geometry handed back from elsewhere (another process) is one
/// [`geometry_part`] could have made.
pub fn check_geometry(g: &Geometry) -> Result<()> {
    let finite = [g.x0, g.y0, g.dx, g.dy].iter().all(|v| v.is_finite())
        && g.clip
            .is_none_or(|(a, b, c, d)| [a, b, c, d].iter().all(|v| v.is_finite()));
    if g.rows == 0
        || g.cols == 0
        || g.rows.saturating_mul(g.cols) > MAX_CELLS_LIMIT
        || !finite
        || g.dx <= 0.0
        || g.dy <= 0.0
    {
        return Err(Error::InvalidArgument(format!(
            "partial grid: invalid geometry {g:?}"
        )));
    }
    Ok(())
}

/// Bins one part's rows into `g`'s cells with the single pass's kernels,
/// continuing `prev` (the parts before it, whose accumulators the rows are
/// applied to in order, exactly as one pass over both would; taken over
/// without a copy when `prev` is their only owner). `None` when `g` is a
/// lattice candidate and a point lies off its nodes.
pub fn bin_part(
    prev: Option<Partial>,
    batches: Batches<'_>,
    c: &Columns<'_>,
    o: &GridOptions,
    g: &Geometry,
) -> Result<Option<Partial>> {
    check_options(o)?;
    check_geometry(g)?;
    let mut before = (0, 0, 0);
    let mut shared = None;
    let mut owned = None;
    if let Some(p) = prev {
        p.check()?;
        if p.agg != o.agg || p.cells != g.rows * g.cols {
            return Err(Error::InvalidArgument(format!(
                "partial grid of {:?} over {} cells cannot continue as {:?} over {} x {} cells",
                p.agg, p.cells, o.agg, g.rows, g.cols
            )));
        }
        before = (p.rows_read, p.skipped, p.outside);
        match p.into_raw() {
            Ok(raw) => owned = Some(raw),
            Err(buffer) => shared = Some(buffer),
        }
    }
    let seed = match (owned, &shared) {
        (Some(raw), _) => Some(Seed::Owned(raw)),
        (None, Some(buffer)) => Some(Seed::Bytes(buffer.as_slice())),
        (None, None) => None,
    };
    // Mean always keeps dense sums here: partials are added cell by cell.
    let (scatter, w) = scatter_rows(batches, c, o, g, true, seed)?;
    drop(shared);
    if w.off_lattice {
        return Ok(None);
    }
    let data = match scatter.into_raw() {
        RawCells::Words(v) => arrow_buffer::Buffer::from_vec(v),
        RawCells::Dense(v) => arrow_buffer::Buffer::from_vec(v),
    };
    Ok(Some(Partial {
        agg: o.agg,
        cells: g.rows * g.cols,
        data,
        rows_read: before.0 + w.rows,
        skipped: before.1 + w.skipped,
        outside: before.2 + w.outside,
    }))
}

/// `a` and `b` merged, `a`'s rows before `b`'s (first and last follow that
/// order); into `a`'s accumulators when `a` is their only owner.
pub fn merge_parts(a: Partial, b: &Partial) -> Result<Partial> {
    a.check()?;
    b.check()?;
    if a.agg != b.agg || a.cells != b.cells {
        return Err(Error::InvalidArgument(format!(
            "partial grids of different kinds cannot merge: {:?} over {} cells and {:?} over {} \
             cells",
            a.agg, a.cells, b.agg, b.cells
        )));
    }
    let (agg, cells) = (a.agg, a.cells);
    let counts = (
        a.rows_read + b.rows_read,
        a.skipped + b.skipped,
        a.outside + b.outside,
    );
    let data = if agg == Agg::Mean {
        let mut out: Vec<Dense> = match a.into_raw() {
            Ok(RawCells::Dense(v)) => bytemuck::allocation::try_cast_vec(v)
                .map_err(|(_, v)| v)
                .or_else(|v| copied(bytemuck::cast_slice(&v), cells))?,
            Ok(RawCells::Words(_)) => unreachable!("mean keeps dense sums"),
            Err(buffer) => copied(bytemuck::cast_slice(buffer.as_slice()), cells)?,
        };
        let later: &[Dense] = bytemuck::cast_slice(b.data.as_slice());
        for (p, q) in out.iter_mut().zip(later) {
            p.sum += q.sum;
            p.count += q.count;
        }
        arrow_buffer::Buffer::from_vec(bytemuck::allocation::cast_vec::<Dense, u64>(out))
    } else {
        let mut out: Vec<u32> = match a.into_raw() {
            Ok(RawCells::Words(v)) => v,
            Ok(RawCells::Dense(_)) => unreachable!("only mean keeps dense sums"),
            Err(buffer) => copied(bytemuck::cast_slice(buffer.as_slice()), cells)?,
        };
        let y: &[u32] = bytemuck::cast_slice(b.data.as_slice());
        let later = out.iter_mut().zip(y).filter(|(_, &q)| q != 0);
        match agg {
            Agg::Min => later.for_each(|(w, &q)| scatter::min(w, f32::from_bits(!q))),
            Agg::Max => later.for_each(|(w, &q)| scatter::max(w, f32::from_bits(!q))),
            Agg::First => later.for_each(|(w, &q)| scatter::first(w, f32::from_bits(!q))),
            Agg::Last => later.for_each(|(w, &q)| *w = q),
            Agg::Count => later.for_each(|(w, &q)| *w = w.saturating_add(q)),
            Agg::Mean => unreachable!("mean keeps dense sums"),
        }
        arrow_buffer::Buffer::from_vec(out)
    };
    Ok(Partial {
        agg,
        cells,
        data,
        rows_read: counts.0,
        skipped: counts.1,
        outside: counts.2,
    })
}

/// A writable copy of accumulators another owner shares.
fn copied<T: Copy>(src: &[T], cells: usize) -> Result<Vec<T>> {
    let mut out = Vec::new();
    out.try_reserve_exact(src.len())
        .map_err(|_| no_memory(cells))?;
    out.extend_from_slice(src);
    Ok(out)
}

fn no_memory(cells: usize) -> Error {
    Error::InvalidArgument(format!(
        "not enough memory to merge partial grids of {cells} cells; pass a coarser resolution \
         or a smaller shape"
    ))
}

/// The grid of all the parts merged into `p` over `g` (`s`: the merged
/// extent pass, when one was made), with `o.fill`, as
/// [`super::grid_from_batches`] gives it.
pub fn finish_parts(
    p: Partial,
    g: &Geometry,
    o: &GridOptions,
    s: Option<&Scan>,
) -> Result<GridResult<arrow_buffer::Buffer>> {
    check_options(o)?;
    check_geometry(g)?;
    p.check()?;
    if p.cells != g.rows * g.cols || p.agg != o.agg {
        return Err(Error::InvalidArgument(format!(
            "partial grid of {:?} over {} cells does not match {:?} over {} x {} cells",
            p.agg, p.cells, o.agg, g.rows, g.cols
        )));
    }
    if let Some(s) = s {
        check_same_rows(s.n, p.rows_read)?;
    }
    if let Some(bounds) = o.bounds {
        if p.rows_read == p.skipped + p.outside {
            return Err(none_inside(bounds, p.rows_read, p.outside, p.skipped));
        }
    }
    let fill_value = scatter::fill_value(o.agg, o.fill);
    let counts = (p.rows_read, p.skipped, p.outside);
    let (agg, cells) = (p.agg, p.cells);
    let (values, (hit, empty_cells)) = if agg == Agg::Mean {
        let mut values: Vec<f32> = Vec::new();
        values
            .try_reserve_exact(cells)
            .map_err(|_| no_memory(cells))?;
        values.resize(cells, 0.0);
        let dense: &[Dense] = bytemuck::cast_slice(p.data.as_slice());
        let done = finish_in_place(&mut values, dense, agg, fill_value);
        (values, done)
    } else {
        // The words become the values in place when no one else holds them.
        let words = match p.into_raw() {
            Ok(RawCells::Words(v)) => v,
            Ok(RawCells::Dense(_)) => unreachable!("only mean keeps dense sums"),
            Err(buffer) => copied(bytemuck::cast_slice(buffer.as_slice()), cells)?,
        };
        let mut values: Vec<f32> = bytemuck::allocation::cast_vec(words);
        let done = finish_in_place(&mut values, &[], agg, fill_value);
        (values, done)
    };
    Ok(on_cpu(finished(
        Filled {
            values,
            hit,
            empty_cells,
        },
        g,
        o,
        counts,
    )))
}

#[cfg(test)]
#[path = "partial_tests.rs"]
mod tests;
