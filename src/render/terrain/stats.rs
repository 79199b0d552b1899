//! Statistics of a row of heights (valid min/max, hole count), vectorised:
//! they ride along the upload copy, so they must cost far less than it.

/// (min, max) of the valid values and the count of holes (NaN or `nodata`).
///
/// `minps`/`maxps` return their second operand when the first is NaN, so
/// `min(x, acc)` skips NaN for free; `nodata` cells are turned into NaN
/// first. Holes are only counted (in scalar code) in rows that have any.
#[cfg(target_arch = "x86_64")]
pub(super) fn row_stats(src: &[f32], nodata: f32) -> (f32, f32, usize) {
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

#[cfg(not(target_arch = "x86_64"))]
pub(super) fn row_stats(src: &[f32], nodata: f32) -> (f32, f32, usize) {
    row_stats_scalar(src, nodata)
}

pub(super) fn row_stats_scalar(src: &[f32], nodata: f32) -> (f32, f32, usize) {
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

    #[test]
    fn simd_and_scalar_statistics_agree() {
        let v: Vec<f32> = (0..1003)
            .map(|i| match i % 97 {
                0 => f32::NAN,
                1 => -9999.0,
                _ => ((i * 37) % 1000) as f32 - 500.0,
            })
            .collect();
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
}
