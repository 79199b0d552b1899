//! Copying rows of `C` float32 components (vertex attributes) into upload
//! memory while checking that every value is finite and, for positions,
//! keeping the per-component bounds. The AVX2 kernel does it in one pass:
//! each vector is loaded once, stored, and checked while in a register.

use crate::memory::ledger;

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
    #[cfg(target_arch = "x86_64")]
    let out = if avx2::available() {
        // SAFETY: AVX2 and FMA are present; lengths were checked above.
        unsafe { avx2::copy_checked::<C>(dst, src, bounds) }
    } else {
        portable::<C>(dst, src, bounds)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let out = portable::<C>(dst, src, bounds);
    let out = out?;
    ledger::record(
        "upload",
        std::mem::size_of_val(src),
        src.as_ptr().cast(),
        reason,
    );
    Ok(out)
}

/// [`copy_checked`] forced onto one kernel, for benchmarks that compare
/// them: `"avx2"` or `"portable"`. `None` when this CPU lacks
/// it. Records nothing in the ledger.
#[doc(hidden)]
pub fn copy_checked_with<const C: usize>(
    kernel: &str,
    dst: &mut [u8],
    src: &[f32],
    bounds: bool,
) -> Option<Result<Option<RowBounds<C>>, NonFinite>> {
    assert_eq!(
        dst.len(),
        std::mem::size_of_val(src),
        "copy_checked: length"
    );
    assert_eq!(src.len() % C, 0, "copy_checked: partial row");
    match kernel {
        #[cfg(target_arch = "x86_64")]
        "avx2" if avx2::available() => {
            // SAFETY: AVX2 and FMA are present; lengths were checked above.
            Some(unsafe { avx2::copy_checked::<C>(dst, src, bounds) })
        }
        "portable" => Some(portable::<C>(dst, src, bounds)),
        _ => None,
    }
}

fn merge<const C: usize>(a: &mut RowBounds<C>, b: &RowBounds<C>) {
    for k in 0..C {
        a.min[k] = a.min[k].min(b.min[k]);
        a.max[k] = a.max[k].max(b.max[k]);
    }
}

/// Scalar tail: rows past the last whole SIMD chunk.
fn tail<const C: usize>(
    dst: &mut [u8],
    src: &[f32],
    start: usize,
    acc: &mut RowBounds<C>,
) -> Result<(), NonFinite> {
    for (i, v) in src.iter().enumerate() {
        if !v.is_finite() {
            return Err(first_non_finite::<C>(src, start).expect("seen"));
        }
        let k = (start + i) % C;
        acc.min[k] = acc.min[k].min(*v);
        acc.max[k] = acc.max[k].max(*v);
    }
    dst.copy_from_slice(bytemuck::cast_slice(src));
    Ok(())
}

/// Folds vector `j` of a chunk's lane minima `a` and maxima `b` into
/// per-component bounds: lane `i` holds component `(j * a.len() + i) % C`
/// (every chunk starts on a row boundary).
fn fold_lanes<const C: usize>(acc: &mut RowBounds<C>, j: usize, a: &[f32], b: &[f32]) {
    let w = a.len();
    for (i, (lo, hi)) in a.iter().zip(b).enumerate() {
        let k = (j * w + i) % C;
        acc.min[k] = acc.min[k].min(*lo);
        acc.max[k] = acc.max[k].max(*hi);
    }
}

fn empty<const C: usize>() -> RowBounds<C> {
    RowBounds {
        min: [f32::INFINITY; C],
        max: [f32::NEG_INFINITY; C],
    }
}

/// Copy a block, then scan it while it is in cache.
fn portable<const C: usize>(
    dst: &mut [u8],
    src: &[f32],
    bounds: bool,
) -> Result<Option<RowBounds<C>>, NonFinite> {
    let step = BLOCK_FLOATS - BLOCK_FLOATS % (C * LANES);
    let mut scan = Scan::<C>::new();
    let mut rest_bounds = empty::<C>();
    for (b, block) in src.chunks(step).enumerate() {
        let start = b * step;
        let mut chunks = block.chunks_exact(C * LANES);
        let whole = block.len() - chunks.remainder().len();
        dst[start * 4..(start + whole) * 4].copy_from_slice(bytemuck::cast_slice(&block[..whole]));
        for c in &mut chunks {
            scan.chunk(c, bounds);
        }
        if scan.poisoned() {
            return Err(first_non_finite::<C>(block, start).expect("poisoned"));
        }
        let rest = chunks.remainder();
        let r0 = start + whole;
        tail::<C>(
            &mut dst[r0 * 4..(r0 + rest.len()) * 4],
            rest,
            r0,
            &mut rest_bounds,
        )?;
    }
    Ok(bounds.then(|| {
        let mut out = scan.bounds();
        merge(&mut out, &rest_bounds);
        out
    }))
}

/// Copies of at least this many bytes into 32-byte aligned memory use
/// non-temporal stores (about twice the L2 cache of current server cores).
const STREAM_MIN_BYTES: usize = 4 << 20;

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{empty, first_non_finite, fold_lanes, merge, tail, NonFinite, RowBounds, LANES};

    /// Stores `v` at `p` (any alignment) with an instruction of its own.
    /// Plain stores let LLVM turn the loop into a `memcpy` call followed by
    /// a second pass over the source for the checks (loop idiom
    /// recognition), which is what this kernel exists to avoid.
    #[inline]
    #[target_feature(enable = "avx")]
    unsafe fn store(p: *mut f32, v: __m256) {
        // SAFETY: the caller guarantees 32 writable bytes at `p`.
        unsafe {
            std::arch::asm!(
                "vmovups ymmword ptr [{p}], {v}",
                p = in(reg) p,
                v = in(ymm_reg) v,
                options(nostack, preserves_flags),
            )
        }
    }

    /// True when this CPU can run [`copy_checked`].
    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }

    /// One pass: each 8-float vector is loaded once, stored, and folded into
    /// the checks while in a register: `poison += v * 0` (NaN for an
    /// infinite or NaN `v`, one fused multiply-add) and min/max per lane.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn copy_checked<const C: usize>(
        dst: &mut [u8],
        src: &[f32],
        bounds: bool,
    ) -> Result<Option<RowBounds<C>>, NonFinite> {
        let chunk = C * LANES;
        let whole = src.len() - src.len() % chunk;
        let zero = _mm256_setzero_ps();
        let mut poison = [_mm256_setzero_ps(); C];
        let mut mn = [_mm256_set1_ps(f32::INFINITY); C];
        let mut mx = [_mm256_set1_ps(f32::NEG_INFINITY); C];
        let s = src.as_ptr();
        let d = dst.as_mut_ptr() as *mut f32;
        // Large copies into aligned memory (upload buffers are) stream
        // their stores past the caches: the destination is not read back
        // soon by this core, and a cached store would first read each line
        // from memory. Below this size the destination usually is in cache.
        let stream = (d as usize) % 32 == 0 && dst.len() >= super::STREAM_MIN_BYTES;
        // Checked every 64 KiB so a bad value is reported near where it is.
        let block = chunk * (16 * 1024 / chunk).max(1);
        let mut start = 0;
        while start < whole {
            let end = (start + block).min(whole);
            let mut off = start;
            while off < end {
                for j in 0..C {
                    // SAFETY: off + 8j + 8 <= whole <= len of src and dst.
                    let v = unsafe { _mm256_loadu_ps(s.add(off + j * LANES)) };
                    if stream {
                        // Non-temporal stores are not turned into memcpy.
                        // SAFETY: `d` is 32-byte aligned, as is every offset.
                        unsafe { _mm256_stream_ps(d.add(off + j * LANES), v) };
                    } else {
                        unsafe { store(d.add(off + j * LANES), v) };
                    }
                    poison[j] = _mm256_fmadd_ps(v, zero, poison[j]);
                    if bounds {
                        mn[j] = _mm256_min_ps(mn[j], v);
                        mx[j] = _mm256_max_ps(mx[j], v);
                    }
                }
                off += chunk;
            }
            let mut any = poison[0];
            for p in &poison[1..] {
                any = _mm256_add_ps(any, *p);
            }
            // Every lane is +0 or -0 unless a non-finite value was seen.
            if _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_NEQ_UQ>(any, zero)) != 0 {
                if stream {
                    _mm_sfence();
                }
                return Err(first_non_finite::<C>(&src[start..end], start).expect("poisoned"));
            }
            start = end;
        }
        if stream {
            _mm_sfence();
        }
        let mut out = empty::<C>();
        tail::<C>(&mut dst[whole * 4..], &src[whole..], whole, &mut out)?;
        if !bounds {
            return Ok(None);
        }
        let mut lanes = empty::<C>();
        let mut a = [0f32; LANES];
        let mut b = [0f32; LANES];
        for j in 0..C {
            unsafe {
                _mm256_storeu_ps(a.as_mut_ptr(), mn[j]);
                _mm256_storeu_ps(b.as_mut_ptr(), mx[j]);
            }
            fold_lanes(&mut lanes, j, &a, &b);
        }
        merge(&mut lanes, &out);
        Ok(Some(lanes))
    }
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
    fn portable_and_simd_paths_agree() {
        let src: Vec<f32> = (0..3 * 5003)
            .map(|i| ((i * 7919) % 1001) as f32 - 500.0)
            .collect();
        let mut a = vec![0u8; src.len() * 4];
        let mut b = vec![0u8; src.len() * 4];
        let x = portable::<3>(&mut a, &src, true).unwrap().unwrap();
        let y = copy_checked::<3>(&mut b, &src, true, "test")
            .unwrap()
            .unwrap();
        assert_eq!((&a, x), (&b, y));
        #[cfg(target_arch = "x86_64")]
        {
            let mut c = vec![0u8; src.len() * 4];
            if avx2::available() {
                let z = unsafe { avx2::copy_checked::<3>(&mut c, &src, true) };
                assert_eq!((&c, z.unwrap().unwrap()), (&a, x));
            }
        }
        let mut bad = src.clone();
        bad[3 * 4000 + 1] = f32::NEG_INFINITY;
        let e = portable::<3>(&mut vec![0u8; src.len() * 4], &bad, false).unwrap_err();
        assert_eq!((e.row, e.col), (4000, 1));
    }

    #[test]
    fn large_aligned_copies_stream_and_agree_with_the_portable_path() {
        // Past STREAM_MIN_BYTES, into a 32-byte aligned destination (the
        // non-temporal stores), and the same copy misaligned.
        let n = STREAM_MIN_BYTES / 12 + 1001;
        let src: Vec<f32> = (0..3 * n)
            .map(|i| ((i * 7919) % 100_003) as f32 * 0.5 - 20_000.0)
            .collect();
        let bytes = src.len() * 4;
        assert!(bytes >= STREAM_MIN_BYTES);
        let mut want = vec![0u8; bytes];
        let wb = portable::<3>(&mut want, &src, true).unwrap().unwrap();
        let mut backing = vec![0u8; bytes + 64];
        let at = backing.as_ptr().align_offset(32);
        for off in [at, at + 4] {
            let dst = &mut backing[off..off + bytes];
            let got = copy_checked::<3>(dst, &src, true, "test").unwrap().unwrap();
            assert!(dst == &want[..], "offset {}", off - at);
            assert_eq!(got, wb);
            let mut bad = src.clone();
            bad[3 * (n - 7) + 2] = f32::INFINITY;
            let e = copy_checked::<3>(dst, &bad, true, "test").unwrap_err();
            assert_eq!((e.row, e.col), (n - 7, 2));
        }
    }

    #[test]
    fn every_kind_of_non_finite_value_is_caught_at_every_lane_and_destination_offset() {
        let bad_values = [
            f32::NAN,
            -f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::from_bits(0x7f80_0001), // signalling NaN
        ];
        // Negative zeros, denormals and the largest finite values are fine.
        let fine = [-0.0f32, 1e-45, -1e-45, f32::MAX, f32::MIN, 0.0];
        let rows = 41; // five whole chunks of 8 rows and a tail
        let src: Vec<f32> = (0..rows * 3)
            .map(|i| fine[(i / 3 + i % 3) % fine.len()])
            .collect();
        for shift in [0usize, 4, 12] {
            let mut buf = vec![0u8; src.len() * 4 + shift];
            let dst = &mut buf[shift..];
            let b = copy_checked::<3>(dst, &src, true, "test").unwrap().unwrap();
            assert_eq!(dst, bytemuck::cast_slice::<f32, u8>(&src));
            assert_eq!(b.max, [f32::MAX; 3]);
            assert_eq!(b.min, [f32::MIN; 3]);
            for at in 0..src.len() {
                let bad = bad_values[at % bad_values.len()];
                let mut s = src.clone();
                s[at] = bad;
                let e = copy_checked::<3>(dst, &s, at % 2 == 0, "test").unwrap_err();
                assert_eq!((e.row, e.col), (at / 3, at % 3), "value {bad} at {at}");
                assert_eq!(e.value.to_bits(), bad.to_bits());
            }
        }
    }

    #[test]
    fn reports_the_first_non_finite_value_in_a_chunk_and_in_the_tail() {
        for bad in [5usize, 3 * 40 + 1, 3 * 20_000 + 2] {
            let mut src = vec![1.0f32; 3 * 20_003];
            src[bad] = f32::NAN;
            src[bad + 3] = f32::INFINITY;
            let mut dst = vec![0u8; src.len() * 4];
            let e = copy_checked::<3>(&mut dst, &src, false, "test").unwrap_err();
            assert_eq!((e.row, e.col), (bad / 3, bad % 3));
            assert!(e.value.is_nan());
        }
    }
}
