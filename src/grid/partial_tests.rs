use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch};

use super::*;
use crate::grid::{grid_from_batches, Fill};

const C: Columns<'static> = Columns {
    x: "x",
    y: "y",
    z: "z",
};

/// Pseudo-random rows with NaN coordinates and null heights among them.
fn parts(n_parts: usize, rows: usize) -> Vec<RecordBatch> {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n_parts)
        .map(|_| {
            let mut x = Vec::with_capacity(rows);
            let mut y = Vec::with_capacity(rows);
            let mut z = Vec::with_capacity(rows);
            for i in 0..rows {
                x.push(if i % 53 == 5 {
                    f64::NAN
                } else {
                    next() * 40.0 - 5.0
                });
                y.push(next() * 30.0);
                z.push(if i % 61 == 7 {
                    None
                } else {
                    Some((next() - 0.5) * 900.0)
                });
            }
            RecordBatch::try_from_iter([
                ("x", Arc::new(Float64Array::from(x)) as ArrayRef),
                ("y", Arc::new(Float64Array::from(y)) as ArrayRef),
                ("z", Arc::new(Float64Array::from(z)) as ArrayRef),
            ])
            .unwrap()
        })
        .collect()
}

fn one(b: &RecordBatch) -> Batches<'static> {
    Box::new(std::iter::once(Ok(b.clone())))
}

/// The parts binned in two chains (parts 0..split, split..), merged and
/// finished, as `forge3d.dask.terrain_from_table` runs them; with `shared`,
/// every partial is also held elsewhere (as after a transfer), so each
/// step copies it instead of taking it over.
fn by_parts(
    ps: &[RecordBatch],
    o: &GridOptions,
    split: usize,
    shared: bool,
) -> GridResult<arrow_buffer::Buffer> {
    let mut held = Vec::new();
    let mut pass = |p: Partial| {
        if shared {
            held.push(p.clone());
        }
        p
    };
    let scans: Vec<Scan> = ps
        .iter()
        .filter_map(|b| scan_part(one(b), &C, o).unwrap())
        .collect();
    let s = (!scans.is_empty()).then(|| merge_scans(&scans));
    let g = geometry_part(s.as_ref(), o, true).unwrap();
    let mut chain = |run: &[RecordBatch]| {
        let mut acc: Option<Partial> = None;
        for b in run {
            let prev = acc.take().map(&mut pass);
            acc = Some(bin_part(prev, one(b), &C, o, &g).unwrap().unwrap());
        }
        acc.unwrap()
    };
    let (a, b) = (chain(&ps[..split]), chain(&ps[split..]));
    let merged = merge_parts(pass(a), &b).unwrap();
    finish_parts(pass(merged), &g, o, s.as_ref()).unwrap()
}

#[test]
fn parts_binned_in_chains_and_merged_equal_one_pass_for_every_reduction() {
    let ps = parts(5, 3000);
    let shapes = [
        (Some((0.5, 0.5)), None, None),
        (None, Some((40, 60)), Some((0.0, 0.0, 30.0, 25.0))),
        (None, None, None),
        (None, None, Some((2.0, 3.0, 20.0, 21.0))),
    ];
    for agg in Agg::ALL {
        for &(resolution, shape, bounds) in &shapes {
            for fill in [Fill::Hole, Fill::Nearest, Fill::Value(-7.0)] {
                let o = GridOptions {
                    resolution,
                    shape,
                    bounds,
                    agg,
                    fill,
                    threads: Some(1),
                    ..Default::default()
                };
                let whole = grid_from_batches(
                    || Ok(Box::new(ps.clone().into_iter().map(Ok)) as Batches<'_>),
                    &C,
                    &o,
                )
                .unwrap();
                for (split, shared) in [(1, false), (3, false), (3, true)] {
                    let got = by_parts(&ps, &o, split, shared);
                    let got_values: &[f32] = got.values.typed_data();
                    let same = whole
                        .values
                        .iter()
                        .zip(got_values)
                        .filter(|(a, b)| a.to_bits() == b.to_bits())
                        .count();
                    assert_eq!(
                        same,
                        whole.values.len(),
                        "{agg:?} {resolution:?} {shape:?} {bounds:?} {fill:?}"
                    );
                    assert_eq!(
                        (
                            got.rows,
                            got.cols,
                            got.spacing,
                            got.origin,
                            got.rows_read,
                            got.rows_skipped,
                            got.rows_outside,
                            got.empty_cells
                        ),
                        (
                            whole.rows,
                            whole.cols,
                            whole.spacing,
                            whole.origin,
                            whole.rows_read,
                            whole.rows_skipped,
                            whole.rows_outside,
                            whole.empty_cells
                        ),
                    );
                }
            }
        }
    }
}

#[test]
fn partials_of_different_grids_or_damaged_ones_do_not_merge() {
    let ps = parts(2, 200);
    let o = GridOptions {
        shape: Some((10, 10)),
        bounds: Some((0.0, 0.0, 30.0, 30.0)),
        agg: Agg::Max,
        ..Default::default()
    };
    let g = geometry_part(None, &o, true).unwrap();
    let a = bin_part(None, one(&ps[0]), &C, &o, &g).unwrap().unwrap();
    let kept = a.clone();
    let o2 = GridOptions {
        shape: Some((10, 12)),
        ..o.clone()
    };
    let g2 = geometry_part(None, &o2, true).unwrap();
    let b = bin_part(None, one(&ps[1]), &C, &o2, &g2).unwrap().unwrap();
    let e = merge_parts(a.clone(), &b).unwrap_err().to_string();
    assert!(e.contains("cannot merge"), "{e}");
    let e = bin_part(Some(a), one(&ps[1]), &C, &o2, &g2)
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot continue"), "{e}");
    let damaged = Partial {
        data: kept.data.slice_with_length(0, 8),
        ..kept.clone()
    };
    let e = merge_parts(damaged, &kept).unwrap_err().to_string();
    assert!(e.contains("damaged"), "{e}");
    let bad = Geometry { rows: 0, ..g };
    assert!(bin_part(None, one(&ps[0]), &C, &o, &bad).is_err());
    let e = geometry_part(None, &GridOptions::default(), true)
        .unwrap_err()
        .to_string();
    assert!(e.contains("extent pass"), "{e}");
}

#[test]
fn a_part_off_the_lattice_asks_for_bins() {
    // A 4 x 5 lattice; the second part holds a point between nodes.
    let lattice: Vec<(f64, f64)> = (0..20)
        .map(|k| ((k % 5) as f64 * 2.0, (k / 5) as f64 * 3.0))
        .collect();
    let mk = |pts: &[(f64, f64)]| {
        RecordBatch::try_from_iter([
            (
                "x",
                Arc::new(Float64Array::from(
                    pts.iter().map(|p| p.0).collect::<Vec<_>>(),
                )) as ArrayRef,
            ),
            (
                "y",
                Arc::new(Float64Array::from(
                    pts.iter().map(|p| p.1).collect::<Vec<_>>(),
                )) as ArrayRef,
            ),
            (
                "z",
                Arc::new(Float64Array::from(vec![1.0; pts.len()])) as ArrayRef,
            ),
        ])
        .unwrap()
    };
    let ps = [
        mk(&lattice[..10]),
        mk(&[lattice[10..].to_vec(), vec![(5.0, 4.5)]].concat()),
    ];
    let o = GridOptions::default();
    let s = merge_scans(&[
        scan_part(one(&ps[0]), &C, &o).unwrap().unwrap(),
        scan_part(one(&ps[1]), &C, &o).unwrap().unwrap(),
    ]);
    let g = geometry_part(Some(&s), &o, true).unwrap();
    assert!(g.lattice);
    let first = bin_part(None, one(&ps[0]), &C, &o, &g).unwrap().unwrap();
    assert!(bin_part(Some(first), one(&ps[1]), &C, &o, &g)
        .unwrap()
        .is_none());
    let bins = geometry_part(Some(&s), &o, false).unwrap();
    assert!(!bins.lattice);
}

#[test]
fn a_partial_held_nowhere_else_is_continued_and_merged_in_place() {
    let ps = parts(3, 500);
    for agg in [Agg::Max, Agg::Mean] {
        let o = GridOptions {
            shape: Some((16, 16)),
            bounds: Some((0.0, 0.0, 35.0, 30.0)),
            agg,
            ..Default::default()
        };
        let g = geometry_part(None, &o, true).unwrap();
        let a = bin_part(None, one(&ps[0]), &C, &o, &g).unwrap().unwrap();
        let at = a.data.as_ptr();
        let b = bin_part(Some(a), one(&ps[1]), &C, &o, &g).unwrap().unwrap();
        assert_eq!(b.data.as_ptr(), at, "{agg:?}: continued in place");
        let other = bin_part(None, one(&ps[2]), &C, &o, &g).unwrap().unwrap();
        let merged = merge_parts(b, &other).unwrap();
        assert_eq!(merged.data.as_ptr(), at, "{agg:?}: merged in place");
        // Held elsewhere too (a pickle's buffer, a transfer): copied, and the
        // other holder's accumulators stay as they were.
        let held = merged.clone();
        let before = held.data.as_slice().to_vec();
        let next = bin_part(Some(merged), one(&ps[2]), &C, &o, &g)
            .unwrap()
            .unwrap();
        assert_ne!(next.data.as_ptr(), at);
        assert_eq!(held.data.as_slice(), &before[..]);
        assert_eq!(next.rows_read, 2000);
    }
}
