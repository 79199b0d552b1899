//! The copy-and-check kernels: caller data is copied into GPU upload memory
//! and checked in the same pass, each value loaded once (AVX2 where the CPU
//! has it, portable code otherwise).
//!
//! * [`copy_heights_row`]: a row of float32 heights; holes (NaN or the
//!   `nodata` value) are written as a given hole value and counted, the
//!   other values give the row's min and max.
//! * [`copy_rows`] / [`copy_rows_with`]: rows of `C` float32 vertex
//!   components; the first non-finite value is an error naming its row and
//!   column ([`NonFinite`]), and per-component bounds are kept on request.
//!
//! Large copies stream their stores past the caches (the CPU does not read
//! the destination again); [`copy_rows`] orders them itself, callers of
//! [`copy_heights_row`] call [`store_fence`] once before the GPU copy is
//! submitted.

mod heights;
mod vertices;

pub use heights::{copy_row as copy_heights_row, row_stats as height_stats, store_fence};
pub use vertices::{
    copy_checked as copy_rows, copy_checked_with as copy_rows_with, NonFinite, RowBounds,
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Both kernels, at every alignment of the destination and with a bad
    /// value planted at every position of a short run: the copy equals the
    /// source and the check finds exactly the planted value.
    #[test]
    fn both_kernels_copy_exactly_and_find_what_is_planted() {
        let src: Vec<f32> = (0..203).map(|i| i as f32 * 0.5 - 20.0).collect();
        for offset in 0..8 {
            let mut buf = vec![0f32; src.len() + 8];
            let dst = &mut buf[offset..offset + src.len()];
            let (lo, hi, holes) = copy_heights_row(dst, &src, -9999.0, f32::NAN);
            store_fence();
            assert_eq!(dst, &src[..]);
            assert_eq!((lo, hi, holes), (-20.0, 81.0, 0));
            for at in [0, 7, 8, 100, 202] {
                let mut bad = src.clone();
                bad[at] = -9999.0;
                let (lo, _, holes) = copy_heights_row(dst, &bad, -9999.0, f32::NAN);
                assert_eq!(holes, 1);
                assert!(dst[at].is_nan() && lo == if at == 0 { -19.5 } else { -20.0 });
                assert_eq!(height_stats(&bad, -9999.0).2, 1);
            }
        }
        let rows: Vec<f32> = (0..3 * 77).map(|i| i as f32).collect();
        for offset in 0..8 {
            let mut buf = vec![0u8; 4 * rows.len() + 32];
            let dst = &mut buf[4 * offset..4 * (offset + rows.len())];
            let b = copy_rows::<3>(dst, &rows, true, "test").unwrap().unwrap();
            assert_eq!(dst, bytemuck::cast_slice::<f32, u8>(&rows));
            assert_eq!((b.min, b.max), ([0.0, 1.0, 2.0], [228.0, 229.0, 230.0]));
            for at in [0, 5, 100, 230] {
                let mut bad = rows.clone();
                bad[at] = f32::INFINITY;
                let e = copy_rows::<3>(dst, &bad, false, "test").unwrap_err();
                assert_eq!((e.row, e.col), (at / 3, at % 3));
            }
        }
    }
}
