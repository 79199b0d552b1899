//! Heights: a row copied into upload memory with holes (NaN or `nodata`)
//! rewritten, and its statistics (valid min/max, hole count) taken in the
//! same pass, vectorised: they ride along the copy, so they must cost far
//! less than it.

/// (min, max) of the valid values and the count of holes (NaN or `nodata`).
///
/// `minps`/`maxps` return their second operand when the first is NaN, so
/// `min(x, acc)` skips NaN for free; `nodata` cells are turned into NaN
/// first. Holes are only counted (in scalar code) in rows that have any.
#[cfg(target_arch = "x86_64")]
pub fn row_stats(src: &[f32], nodata: f32) -> (f32, f32, usize) {
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 is present.
        unsafe { row_stats_avx2(src, nodata) }
    } else {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { row_stats_sse2(src, nodata) }
    }
}

macro_rules! simd_row_stats {
    ($name:ident, $feature:literal, $lanes:literal, $vec:ty, $set1:ident, $load:ident, $min:ident,
     $max:ident, $unord:ident, $eq:ident, $or:ident, $and:ident, $store:ident, $movemask:ident) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $feature)]
        unsafe fn $name(src: &[f32], nodata: f32) -> (f32, f32, usize) {
            use std::arch::x86_64::*;
            let with_nodata = !nodata.is_nan();
            let nd: $vec = $set1(nodata);
            let nan: $vec = $set1(f32::NAN);
            let mut lo: $vec = $set1(f32::INFINITY);
            let mut hi: $vec = $set1(f32::NEG_INFINITY);
            let mut holes: $vec = $set1(0.0);
            let chunks = src.chunks_exact($lanes);
            let tail = chunks.remainder();
            for c in chunks {
                let mut x = unsafe { $load(c.as_ptr()) };
                let mut h = $unord(x, x);
                if with_nodata {
                    let m = $eq(x, nd);
                    x = $or(x, $and(m, nan));
                    h = $or(h, m);
                }
                lo = $min(x, lo);
                hi = $max(x, hi);
                holes = $or(holes, h);
            }
            let mut l = [0f32; $lanes];
            let mut u = [0f32; $lanes];
            unsafe {
                $store(l.as_mut_ptr(), lo);
                $store(u.as_mut_ptr(), hi);
            }
            let (tl, th, _) = row_stats_scalar(tail, nodata);
            let lo = l.iter().copied().fold(tl, f32::min);
            let hi = u.iter().copied().fold(th, f32::max);
            let any_hole = $movemask(holes) != 0 || tail.iter().any(|&x| x.is_nan() || x == nodata);
            let count = if any_hole {
                row_stats_scalar(src, nodata).2
            } else {
                0
            };
            (lo, hi, count)
        }
    };
}

simd_row_stats!(
    row_stats_sse2,
    "sse2",
    4,
    __m128,
    _mm_set1_ps,
    _mm_loadu_ps,
    _mm_min_ps,
    _mm_max_ps,
    _mm_cmpunord_ps,
    _mm_cmpeq_ps,
    _mm_or_ps,
    _mm_and_ps,
    _mm_storeu_ps,
    _mm_movemask_ps
);

#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
fn cmpunord256(
    a: std::arch::x86_64::__m256,
    b: std::arch::x86_64::__m256,
) -> std::arch::x86_64::__m256 {
    std::arch::x86_64::_mm256_cmp_ps::<{ std::arch::x86_64::_CMP_UNORD_Q }>(a, b)
}

#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
fn cmpeq256(
    a: std::arch::x86_64::__m256,
    b: std::arch::x86_64::__m256,
) -> std::arch::x86_64::__m256 {
    std::arch::x86_64::_mm256_cmp_ps::<{ std::arch::x86_64::_CMP_EQ_OQ }>(a, b)
}

simd_row_stats!(
    row_stats_avx2,
    "avx2",
    8,
    __m256,
    _mm256_set1_ps,
    _mm256_loadu_ps,
    _mm256_min_ps,
    _mm256_max_ps,
    cmpunord256,
    cmpeq256,
    _mm256_or_ps,
    _mm256_and_ps,
    _mm256_storeu_ps,
    _mm256_movemask_ps
);

/// Copies a row of heights into upload memory, holes (NaN or `nodata`)
/// written as `hole`, and returns what [`row_stats`] does: one pass that
/// reads the source once. With AVX2 the stores stream past the caches (the
/// destination is not read again by the CPU), as a large memcpy's do, from
/// the first 32-byte aligned destination address on; call [`store_fence`]
/// before the GPU reads.
pub fn copy_row(dst: &mut [f32], src: &[f32], nodata: f32, hole: f32) -> (f32, f32, usize) {
    assert_eq!(dst.len(), src.len(), "copy_row: lengths");
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // Floats before the first 32-byte boundary (rows of a width that is
        // not a multiple of 8 start anywhere): copied one by one.
        let head = ((32 - dst.as_ptr() as usize % 32) % 32 / 4).min(src.len());
        let (d0, d1) = dst.split_at_mut(head);
        let (s0, s1) = src.split_at(head);
        let (lo, hi, holes) = copy_scalar(d0, s0, nodata, hole, f32::INFINITY, f32::NEG_INFINITY);
        // SAFETY: AVX2 is present, lengths are equal and d1 is 32-byte
        // aligned (or empty).
        let (l, h, n) = unsafe { copy_row_avx2(d1, s1, nodata, hole) };
        return (lo.min(l), hi.max(h), holes + n);
    }
    dst.copy_from_slice(src);
    let (lo, hi, holes) = row_stats(src, nodata);
    if holes > 0 {
        for (d, &x) in dst.iter_mut().zip(src) {
            if x.is_nan() || x == nodata {
                *d = hole;
            }
        }
    }
    (lo, hi, holes)
}

/// Orders the streaming stores of [`copy_row`] before what follows (the
/// GPU copy is submitted after it).
pub fn store_fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: sfence has no preconditions (SSE is part of x86_64).
    unsafe {
        std::arch::x86_64::_mm_sfence()
    };
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn copy_row_avx2(dst: &mut [f32], src: &[f32], nodata: f32, hole: f32) -> (f32, f32, usize) {
    use std::arch::x86_64::*;
    let with_nodata = !nodata.is_nan();
    let nd = _mm256_set1_ps(nodata);
    let nan = _mm256_set1_ps(f32::NAN);
    let hv = _mm256_set1_ps(hole);
    // Two accumulators each, so the min/max chains overlap.
    let mut lo = [_mm256_set1_ps(f32::INFINITY); 2];
    let mut hi = [_mm256_set1_ps(f32::NEG_INFINITY); 2];
    let mut holes = 0usize;
    let whole = src.len() - src.len() % 16;
    let (s, d) = (src.as_ptr(), dst.as_mut_ptr());
    let mut i = 0;
    while i < whole {
        for u in 0..2 {
            let at = i + 8 * u;
            // SAFETY: at + 8 <= whole <= len; dst + at is 32-byte aligned
            // (dst is, and `at` is a multiple of 8 floats).
            let mut x = unsafe { _mm256_loadu_ps(s.add(at)) };
            let mut h = _mm256_cmp_ps::<_CMP_UNORD_Q>(x, x);
            if with_nodata {
                let m = _mm256_cmp_ps::<_CMP_EQ_OQ>(x, nd);
                x = _mm256_or_ps(x, _mm256_and_ps(m, nan));
                h = _mm256_or_ps(h, m);
            }
            // minps/maxps return the second operand when the first is NaN:
            // holes are skipped.
            lo[u] = _mm256_min_ps(x, lo[u]);
            hi[u] = _mm256_max_ps(x, hi[u]);
            let mask = _mm256_movemask_ps(h);
            let out = if mask == 0 {
                x
            } else {
                holes += mask.count_ones() as usize;
                _mm256_blendv_ps(x, hv, h)
            };
            unsafe { _mm256_stream_ps(d.add(at), out) };
        }
        i += 16;
    }
    let mut l = [0f32; 8];
    let mut u = [0f32; 8];
    unsafe {
        _mm256_storeu_ps(l.as_mut_ptr(), _mm256_min_ps(lo[0], lo[1]));
        _mm256_storeu_ps(u.as_mut_ptr(), _mm256_max_ps(hi[0], hi[1]));
    }
    let (lo, hi) = (
        l.iter().copied().fold(f32::INFINITY, f32::min),
        u.iter().copied().fold(f32::NEG_INFINITY, f32::max),
    );
    let (lo, hi, n) = copy_scalar(&mut dst[whole..], &src[whole..], nodata, hole, lo, hi);
    (lo, hi, holes + n)
}

/// Element by element: [`copy_row`]'s work on a few floats, folding into
/// `lo`/`hi`; returns them and the holes seen.
fn copy_scalar(
    dst: &mut [f32],
    src: &[f32],
    nodata: f32,
    hole: f32,
    mut lo: f32,
    mut hi: f32,
) -> (f32, f32, usize) {
    let mut holes = 0;
    for (d, &x) in dst.iter_mut().zip(src) {
        if x.is_nan() || x == nodata {
            holes += 1;
            *d = hole;
        } else {
            lo = lo.min(x);
            hi = hi.max(x);
            *d = x;
        }
    }
    (lo, hi, holes)
}

#[cfg(not(target_arch = "x86_64"))]
pub fn row_stats(src: &[f32], nodata: f32) -> (f32, f32, usize) {
    row_stats_scalar(src, nodata)
}

pub fn row_stats_scalar(src: &[f32], nodata: f32) -> (f32, f32, usize) {
    let (mut lo, mut hi, mut holes) = (f32::INFINITY, f32::NEG_INFINITY, 0);
    for &x in src {
        if x.is_nan() || x == nodata {
            holes += 1;
        } else {
            lo = lo.min(x);
            hi = hi.max(x);
        }
    }
    (lo, hi, holes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1003 heights with NaN and -9999 holes sprinkled in.
    fn with_holes() -> Vec<f32> {
        (0..1003)
            .map(|i| match i % 97 {
                0 => f32::NAN,
                1 => -9999.0,
                _ => ((i * 37) % 1000) as f32 - 500.0,
            })
            .collect()
    }

    #[test]
    fn simd_and_scalar_statistics_agree() {
        let v = with_holes();
        for nodata in [f32::NAN, -9999.0, 12.0] {
            assert_eq!(row_stats(&v, nodata), row_stats_scalar(&v, nodata));
            #[cfg(target_arch = "x86_64")]
            assert_eq!(
                unsafe { row_stats_sse2(&v, nodata) },
                row_stats_scalar(&v, nodata)
            );
        }
        let clean: Vec<f32> = (0..77).map(|i| i as f32 - 3.0).collect();
        assert_eq!(row_stats(&clean, f32::NAN), (-3.0, 73.0, 0));
    }

    #[test]
    fn copy_row_maps_holes_and_agrees_with_row_stats_on_every_path() {
        #[repr(C, align(64))]
        struct Aligned([f32; 1040]);
        let v = with_holes();
        let mut buf = Aligned([0.0; 1040]);
        for nodata in [f32::NAN, -9999.0, 12.0] {
            let want: Vec<f32> = v
                .iter()
                .map(|&x| if x.is_nan() || x == nodata { -7.0 } else { x })
                .collect();
            // 32-byte aligned, and starting 1, 3 or 7 floats before a
            // boundary (scalar head, then streaming stores).
            for off in [0usize, 1, 5, 7] {
                let dst = &mut buf.0[off..off + v.len()];
                let got = copy_row(dst, &v, nodata, -7.0);
                assert_eq!(got, row_stats_scalar(&v, nodata));
                assert_eq!(dst, &want[..]);
                // Short rows that end before the first boundary.
                let short = &mut buf.0[off + 1..off + 4];
                assert_eq!(
                    copy_row(short, &v[..3], nodata, -7.0),
                    row_stats_scalar(&v[..3], nodata)
                );
                assert_eq!(short, &want[..3]);
            }
        }
        store_fence();
    }
}
