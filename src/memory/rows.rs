//! Copying rows of `C` float32 components (vertex attributes) into upload
//! memory while checking that every value is finite and, for positions,
//! keeping the per-component bounds: one pass over the source, in blocks
//! small enough that the checks read what the copy just brought into cache.

use super::ledger;

/// Floats per block: the copy of a block and the scan that follows it both
/// hit L2.
const BLOCK_FLOATS: usize = 16 * 1024;
/// SIMD width the scan is written for (8 x f32 = one AVX register).
const LANES: usize = 8;

/// A value that is NaN or infinite, found at `row`, component `col`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NonFinite {
    pub row: usize,
    pub col: usize,
    pub value: f32,
}

/// Per-component minimum and maximum of rows of `C` values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowBounds<const C: usize> {
    pub min: [f32; C],
    pub max: [f32; C],
}

/// Lane accumulators for blocks of `C * LANES` floats: vector `j` of a
/// chunk holds components `(j * LANES + i) % C`.
struct Scan<const C: usize> {
    min: [[f32; LANES]; C],
    max: [[f32; LANES]; C],
    /// Stays 0 unless a non-finite value was seen (x * 0 is NaN for those).
    poison: [f32; LANES],
}

impl<const C: usize> Scan<C> {
    fn new() -> Self {
        Self {
            min: [[f32::INFINITY; LANES]; C],
            max: [[f32::NEG_INFINITY; LANES]; C],
            poison: [0.0; LANES],
        }
    }

    #[inline(always)]
    fn chunk(&mut self, c: &[f32], bounds: bool) {
        for j in 0..C {
            let v: &[f32; LANES] = c[j * LANES..(j + 1) * LANES].try_into().unwrap();
            for i in 0..LANES {
                self.poison[i] += v[i] * 0.0;
                if bounds {
                    self.min[j][i] = if v[i] < self.min[j][i] {
                        v[i]
                    } else {
                        self.min[j][i]
                    };
                    self.max[j][i] = if v[i] > self.max[j][i] {
                        v[i]
                    } else {
                        self.max[j][i]
                    };
                }
            }
        }
    }

    fn poisoned(&self) -> bool {
        self.poison.iter().any(|p| *p != 0.0)
    }

    fn bounds(&self) -> RowBounds<C> {
        let mut out = RowBounds {
            min: [f32::INFINITY; C],
            max: [f32::NEG_INFINITY; C],
        };
        for j in 0..C {
            for i in 0..LANES {
                let k = (j * LANES + i) % C;
                out.min[k] = out.min[k].min(self.min[j][i]);
                out.max[k] = out.max[k].max(self.max[j][i]);
            }
        }
        out
    }
}

fn first_non_finite<const C: usize>(src: &[f32], start: usize) -> Option<NonFinite> {
    src.iter().position(|v| !v.is_finite()).map(|i| NonFinite {
        row: (start + i) / C,
        col: (start + i) % C,
        value: src[i],
    })
}

/// Copies `src` (rows of `C` floats) into `dst` (same byte length), checking
/// that every value is finite and returning the bounds when `bounds` is set.
/// Records one copy in the ledger when it succeeds; on a non-finite value,
/// `dst` holds a partial copy and nothing is recorded.
pub fn copy_checked<const C: usize>(
    dst: &mut [u8],
    src: &[f32],
    bounds: bool,
    reason: &str,
) -> Result<Option<RowBounds<C>>, NonFinite> {
    assert_eq!(
        dst.len(),
        std::mem::size_of_val(src),
        "copy_checked: length"
    );
    assert_eq!(src.len() % C, 0, "copy_checked: partial row");
    let step = BLOCK_FLOATS - BLOCK_FLOATS % (C * LANES);
    let mut scan = Scan::<C>::new();
    let mut tail = RowBounds::<C> {
        min: [f32::INFINITY; C],
        max: [f32::NEG_INFINITY; C],
    };
    for (b, block) in src.chunks(step).enumerate() {
        let start = b * step;
        dst[start * 4..(start + block.len()) * 4].copy_from_slice(bytemuck::cast_slice(block));
        let mut chunks = block.chunks_exact(C * LANES);
        for c in &mut chunks {
            scan.chunk(c, bounds);
        }
        if scan.poisoned() {
            return Err(first_non_finite::<C>(block, start).expect("poisoned"));
        }
        let rest = chunks.remainder();
        let rest_start = start + block.len() - rest.len();
        for (i, v) in rest.iter().enumerate() {
            if !v.is_finite() {
                return Err(first_non_finite::<C>(rest, rest_start).expect("seen"));
            }
            let k = (rest_start + i) % C;
            tail.min[k] = tail.min[k].min(*v);
            tail.max[k] = tail.max[k].max(*v);
        }
    }
    ledger::record(
        "upload",
        std::mem::size_of_val(src),
        src.as_ptr().cast(),
        reason,
    );
    Ok(bounds.then(|| {
        let mut out = scan.bounds();
        for k in 0..C {
            out.min[k] = out.min[k].min(tail.min[k]);
            out.max[k] = out.max[k].max(tail.max[k]);
        }
        out
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_and_bounds_each_component() {
        // 37 rows: whole chunks plus a remainder, values distinct per column.
        let src: Vec<f32> = (0..37 * 3)
            .map(|i| (i / 3) as f32 * [1.0, -2.0, 0.5][i % 3])
            .collect();
        let mut dst = vec![0u8; src.len() * 4];
        let b = copy_checked::<3>(&mut dst, &src, true, "test")
            .unwrap()
            .unwrap();
        assert_eq!(dst, bytemuck::cast_slice::<f32, u8>(&src));
        assert_eq!(b.min, [0.0, -72.0, 0.0]);
        assert_eq!(b.max, [36.0, 0.0, 18.0]);
    }

    #[test]
    fn reports_the_first_non_finite_value_in_a_chunk_and_in_the_tail() {
        for bad in [5usize, 3 * 40 + 1, 3 * 20_000 + 2] {
            let mut src = vec![1.0f32; 3 * 20_001];
            src[bad] = f32::NAN;
            src[bad + 3] = f32::INFINITY;
            let mut dst = vec![0u8; src.len() * 4];
            let e = copy_checked::<3>(&mut dst, &src, false, "test").unwrap_err();
            assert_eq!((e.row, e.col), (bad / 3, bad % 3));
            assert!(e.value.is_nan());
        }
    }
}
