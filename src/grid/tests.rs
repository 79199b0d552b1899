use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, Float64Array, Int16Array, RecordBatch, StringArray};

use super::*;

pub(super) fn batch(x: Vec<f64>, y: Vec<f64>, z: Vec<Option<f32>>) -> RecordBatch {
    RecordBatch::try_from_iter([
        ("x", Arc::new(Float64Array::from(x)) as ArrayRef),
        ("y", Arc::new(Float64Array::from(y)) as ArrayRef),
        ("z", Arc::new(Float32Array::from(z)) as ArrayRef),
    ])
    .unwrap()
}

pub(super) const C: Columns<'static> = Columns {
    x: "x",
    y: "y",
    z: "z",
};

pub(super) fn run(batches: Vec<RecordBatch>, o: &GridOptions) -> Result<GridResult> {
    grid_from_batches(
        || Ok(Box::new(batches.clone().into_iter().map(Ok)) as Batches<'_>),
        &C,
        o,
    )
}

#[test]
fn a_shuffled_lattice_is_placed_exactly() {
    // 3 rows x 4 cols, spacing (10, 5), origin (100, 50); z = 10*row + col.
    let mut pts = Vec::new();
    for r in 0..3 {
        for c in 0..4 {
            pts.push((
                100.0 + 10.0 * c as f64,
                50.0 + 5.0 * (2 - r) as f64,
                (10 * r + c) as f32,
            ));
        }
    }
    pts.reverse();
    pts.swap(1, 7);
    let (x, y, z): (Vec<_>, Vec<_>, Vec<_>) = pts.iter().map(|&(x, y, z)| (x, y, Some(z))).fold(
        (vec![], vec![], vec![]),
        |(mut a, mut b, mut c), (x, y, z)| {
            a.push(x);
            b.push(y);
            c.push(z);
            (a, b, c)
        },
    );
    let half = x.len() / 2;
    let g = run(
        vec![
            batch(x[..half].to_vec(), y[..half].to_vec(), z[..half].to_vec()),
            batch(x[half..].to_vec(), y[half..].to_vec(), z[half..].to_vec()),
        ],
        &GridOptions::default(),
    )
    .unwrap();
    assert!(g.lattice);
    assert_eq!(
        (g.rows, g.cols, g.spacing, g.origin),
        (3, 4, (10.0, 5.0), (100.0, 50.0))
    );
    let want: Vec<f32> = (0..3)
        .flat_map(|r| (0..4).map(move |c| (10 * r + c) as f32))
        .collect();
    assert_eq!(g.values, want);
    assert_eq!((g.empty_cells, g.rows_skipped), (0, 0));
}

#[test]
fn scattered_points_are_binned_by_every_agg() {
    let b = batch(
        vec![0.1, 0.2, 0.9, 1.9, 1.95],
        vec![0.1, 0.3, 0.2, 1.9, 1.8],
        vec![Some(1.0), Some(3.0), Some(5.0), Some(7.0), None],
    );
    let res = |agg| GridOptions {
        resolution: Some((1.0, 1.0)),
        agg,
        ..Default::default()
    };
    // Cells: (row 1 = bottom, col 0) holds 1, 3, 5; (row 0, col 1) holds 7.
    let pick = |g: &GridResult| (g.values[2], g.values[1]);
    assert_eq!(
        pick(&run(vec![b.clone()], &res(Agg::Mean)).unwrap()),
        (3.0, 7.0)
    );
    assert_eq!(
        pick(&run(vec![b.clone()], &res(Agg::Min)).unwrap()),
        (1.0, 7.0)
    );
    assert_eq!(
        pick(&run(vec![b.clone()], &res(Agg::Max)).unwrap()),
        (5.0, 7.0)
    );
    assert_eq!(
        pick(&run(vec![b.clone()], &res(Agg::First)).unwrap()),
        (1.0, 7.0)
    );
    assert_eq!(
        pick(&run(vec![b.clone()], &res(Agg::Last)).unwrap()),
        (5.0, 7.0)
    );
    let g = run(vec![b.clone()], &res(Agg::Count)).unwrap();
    assert_eq!(
        (pick(&g), g.values[0], g.rows_skipped),
        ((3.0, 1.0), 0.0, 1)
    );
    let g = run(vec![b], &res(Agg::Mean)).unwrap();
    assert!(g.values[0].is_nan() && g.empty_cells == 2);
}

#[test]
fn fill_nearest_and_value() {
    let b = batch(vec![0.0, 3.0], vec![0.0, 1.0], vec![Some(1.0), Some(9.0)]);
    let o = GridOptions {
        shape: Some((2, 4)),
        fill: Fill::Nearest,
        ..Default::default()
    };
    let g = run(vec![b.clone()], &o).unwrap();
    assert!(
        g.values.iter().all(|v| *v == 1.0 || *v == 9.0),
        "{:?}",
        g.values
    );
    assert_eq!(g.values[4], 1.0);
    let o = GridOptions {
        shape: Some((2, 4)),
        fill: Fill::Value(-5.0),
        ..Default::default()
    };
    assert_eq!(run(vec![b], &o).unwrap().values[0], -5.0);
}

#[test]
fn bad_tables_get_clear_errors() {
    let err = |r: Result<GridResult>| r.err().unwrap().to_string();
    let one = batch(vec![1.0], vec![2.0], vec![Some(3.0)]);
    assert!(err(run(vec![one], &GridOptions::default())).contains("two distinct"));
    let empty = batch(vec![], vec![], vec![]);
    assert!(err(run(vec![empty], &GridOptions::default())).contains("no rows"));
    let nulls = batch(vec![f64::NAN, 1.0], vec![0.0, 1.0], vec![Some(1.0), None]);
    assert!(err(run(vec![nulls], &GridOptions::default())).contains("2 skipped"));
    let s = RecordBatch::try_from_iter([
        ("x", Arc::new(StringArray::from(vec!["a", "b"])) as ArrayRef),
        ("y", Arc::new(Int16Array::from(vec![1, 2])) as ArrayRef),
        ("z", Arc::new(Int16Array::from(vec![1, 2])) as ArrayRef),
    ])
    .unwrap();
    assert!(err(run(vec![s.clone()], &GridOptions::default())).contains("not a real number type"));
    let cols = Columns {
        x: "lon",
        y: "y",
        z: "z",
    };
    let e = grid_from_batches(
        || Ok(Box::new(std::iter::once(Ok(s.clone()))) as Batches<'_>),
        &cols,
        &GridOptions::default(),
    );
    assert!(e
        .err()
        .unwrap()
        .to_string()
        .contains("no column named \"lon\""));
    let huge = batch(vec![0.0, 1e9], vec![0.0, 1e9], vec![Some(1.0), Some(2.0)]);
    let o = GridOptions {
        resolution: Some((1.0, 1.0)),
        ..Default::default()
    };
    assert!(err(run(vec![huge], &o)).contains("coarser resolution"));
    // Extreme spacing of the two smallest values must not overflow cell counts.
    let odd = batch(
        vec![0.0, 1e-10, 1e10],
        vec![0.0, 1.0, 2.0],
        vec![Some(1.0), Some(2.0), Some(3.0)],
    );
    assert!(run(vec![odd.clone()], &GridOptions::default()).is_ok());
    let tiny = GridOptions {
        resolution: Some((1e-300, 1.0)),
        ..Default::default()
    };
    assert!(err(run(vec![odd], &tiny)).contains("coarser resolution"));
}

/// Many rounds on several workers, a grid large enough to be split between
/// threads, and order-sensitive aggregations: the result must equal a plain
/// sequential reference, cell by cell.
#[test]
fn parallel_passes_keep_table_order_per_cell() {
    let (cols, rows) = (1500usize, 800usize); // 1.2M cells: scattered in ranges
    let n = 600_000usize;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    let mut z = Vec::with_capacity(n);
    for i in 0..n {
        // Corners pin the extent; other points land anywhere, often twice.
        let (cx, cy) = match i {
            0 => (0, 0),
            1 => (cols - 1, rows - 1),
            _ => (
                (next() % cols as u64) as usize,
                (next() % rows as u64) as usize,
            ),
        };
        x.push(cx as f64 + 0.5);
        y.push(cy as f64 + 0.5);
        z.push(Some((next() % 10_000) as f32 * 0.25));
    }
    // Several batches of uneven sizes: slices, rounds and runs all differ.
    let mut batches = Vec::new();
    let mut start = 0;
    for len in [70_000usize, 1, 200_000, 129_999, 200_000] {
        batches.push(batch(
            x[start..start + len].to_vec(),
            y[start..start + len].to_vec(),
            z[start..start + len].to_vec(),
        ));
        start += len;
    }
    assert_eq!(start, n);
    let aggs = [
        Agg::First,
        Agg::Last,
        Agg::Mean,
        Agg::Min,
        Agg::Max,
        Agg::Count,
    ];
    // Every path: parallel buckets (auto, 3 threads), straight to the grid
    // (1 thread), with and without bounds (one pass, no extent scan).
    let paths = [
        (None, false),
        (Some(3), false),
        (Some(1), false),
        (None, true),
        (Some(1), true),
    ];
    for (agg, (threads, bounded)) in aggs
        .into_iter()
        .flat_map(|a| paths.into_iter().map(move |p| (a, p)))
    {
        let o = if bounded {
            GridOptions {
                shape: Some((rows, cols)),
                bounds: Some((0.0, 0.0, cols as f64, rows as f64)),
                threads,
                agg,
                ..Default::default()
            }
        } else {
            GridOptions {
                resolution: Some((1.0, 1.0)),
                threads,
                agg,
                ..Default::default()
            }
        };
        let got = run(batches.clone(), &o).unwrap();
        assert_eq!((got.rows, got.cols), (rows, cols));
        // Reference: one sequential pass in table order.
        let mut want = vec![f32::NAN; rows * cols];
        let mut sum = vec![0f64; rows * cols];
        let mut count = vec![0u32; rows * cols];
        for i in 0..n {
            let k = (rows - 1 - y[i] as usize) * cols + x[i] as usize;
            let v = z[i].unwrap();
            count[k] += 1;
            sum[k] += v as f64;
            want[k] = match agg {
                Agg::First if count[k] > 1 => want[k],
                Agg::Min if count[k] > 1 => want[k].min(v),
                Agg::Max if count[k] > 1 => want[k].max(v),
                _ => v,
            };
        }
        for k in 0..rows * cols {
            want[k] = match agg {
                Agg::Count => count[k] as f32,
                _ if count[k] == 0 => f32::NAN,
                Agg::Mean => (sum[k] / count[k] as f64) as f32,
                _ => want[k],
            };
        }
        let same = got
            .values
            .iter()
            .zip(&want)
            .all(|(a, b)| a == b || (a.is_nan() && b.is_nan()));
        assert!(
            same,
            "{agg:?} (threads {threads:?}, bounds {bounded}) differs from the sequential reference"
        );
        assert_eq!(
            (got.rows_read, got.rows_skipped, got.rows_outside),
            (n, 0, 0)
        );
    }
}

/// `last` on one thread (rows applied straight to the grid) and on three
/// (rows sorted into buckets first): the same cells, counts, lattice and
/// errors, with messy rows, a lattice whose nodes are each hit twice, and a
/// height past float32.
#[test]
fn one_thread_last_matches_the_bucketed_pass() {
    let same = |a: &GridResult, b: &GridResult, what: &str| {
        assert_eq!(
            (a.rows, a.cols, a.lattice, a.rows_read, a.rows_skipped),
            (b.rows, b.cols, b.lattice, b.rows_read, b.rows_skipped),
            "{what}"
        );
        assert_eq!(
            (a.rows_outside, a.empty_cells),
            (b.rows_outside, b.empty_cells),
            "{what}"
        );
        let bits = |g: &GridResult| g.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert!(bits(a) == bits(b), "{what}: the cells differ");
    };
    // Messy rows (NaN and infinite coordinates, null heights, points on bin
    // edges) over a grid large enough to be split between threads, some
    // outside the bounds; without bounds (the extent pass first) too.
    let messy = messy_points(120_000, 7);
    for bounds in [Some((5.0, 2.0, 95.0, 48.0)), None] {
        let o = |threads| GridOptions {
            shape: Some((1000, 1100)),
            bounds,
            agg: Agg::Last,
            threads: Some(threads),
            ..Default::default()
        };
        let one = run(messy.clone(), &o(1)).unwrap();
        let many = run(messy.clone(), &o(3)).unwrap();
        assert!(one.rows_skipped > 0 && one.empty_cells > 0);
        assert_eq!(one.rows_outside > 0, bounds.is_some());
        same(&one, &many, &format!("messy rows, bounds {bounds:?}"));
    }
    // A shuffled lattice, each node twice (the later row wins), placed
    // exactly; then one point off its node: binned instead.
    let (cols, rows) = (1200usize, 900usize);
    let mut order: Vec<usize> = (0..2 * cols * rows).collect();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for i in (1..order.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        order.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let x: Vec<f64> = order
        .iter()
        .map(|&i| ((i / 2) % cols) as f64 * 2.0)
        .collect();
    let mut y: Vec<f64> = order
        .iter()
        .map(|&i| ((i / 2) / cols) as f64 * 3.0)
        .collect();
    let z: Vec<Option<f32>> = order.iter().map(|&i| Some(i as f32 * 0.5 - 7.0)).collect();
    let o = |threads| GridOptions {
        agg: Agg::Last,
        threads: Some(threads),
        ..Default::default()
    };
    let lattice = vec![batch(x.clone(), y.clone(), z.clone())];
    let one = run(lattice.clone(), &o(1)).unwrap();
    assert!(one.lattice && one.empty_cells == 0);
    same(&one, &run(lattice, &o(3)).unwrap(), "lattice");
    y[order.len() / 2] += 0.7;
    let off = vec![batch(x.clone(), y, z.clone())];
    let one = run(off.clone(), &o(1)).unwrap();
    assert!(!one.lattice);
    same(&one, &run(off, &o(3)).unwrap(), "off the lattice");
    // A height past float32 (an infinite one here): the same error.
    let mut bad = z;
    bad[order.len() / 3] = Some(f32::INFINITY);
    let bad = vec![batch(
        x.clone(),
        (0..x.len()).map(|i| (i % 7) as f64).collect(),
        bad,
    )];
    let e1 = run(bad.clone(), &o(1)).unwrap_err().to_string();
    assert!(e1.contains("infinite"), "{e1}");
    assert_eq!(e1, run(bad, &o(3)).unwrap_err().to_string());
}

#[test]
fn bounds_clip_count_and_check() {
    // A 4 x 4 box over [0, 4] x [0, 4]: both edges inclusive, the rest out.
    let x = vec![0.0, 4.0, 4.0, 2.5, -0.1, 4.1, 2.0, 1.0, f64::NAN];
    let y = vec![0.0, 4.0, 0.0, 1.5, 2.0, 2.0, 9.0, 1.0, 1.0];
    let z = vec![
        Some(1.0),
        Some(2.0),
        Some(3.0),
        Some(4.0),
        Some(5.0),
        Some(6.0),
        Some(7.0),
        None,
        Some(8.0),
    ];
    for threads in [None, Some(1)] {
        let o = GridOptions {
            shape: Some((4, 4)),
            bounds: Some((0.0, 0.0, 4.0, 4.0)),
            agg: Agg::Max,
            threads,
            ..Default::default()
        };
        let g = run(vec![batch(x.clone(), y.clone(), z.clone())], &o).unwrap();
        assert_eq!(
            (g.rows, g.cols, g.spacing, g.origin),
            (4, 4, (1.0, 1.0), (0.5, 0.5))
        );
        assert!(!g.lattice);
        assert_eq!((g.rows_read, g.rows_skipped, g.rows_outside), (9, 2, 3));
        let at = |row: usize, col: usize| g.values[row * 4 + col];
        assert_eq!(at(3, 0), 1.0); // (0, 0): lower-left cell
        assert_eq!(at(0, 3), 2.0); // (4, 4): upper edge, last cell
        assert_eq!(at(3, 3), 3.0);
        assert_eq!(at(2, 2), 4.0);
        assert_eq!(g.empty_cells, 12);
        // Resolution: 1.5-wide cells over a 4-wide box: 3 columns, the last
        // reaching past it; with the extent pass when no shape is given.
        let o = GridOptions {
            resolution: Some((1.5, 2.0)),
            ..o.clone()
        };
        let g = run(vec![batch(x.clone(), y.clone(), z.clone())], &o).unwrap();
        assert_eq!((g.rows, g.cols), (2, 3));
        let o = GridOptions {
            resolution: None,
            shape: None,
            ..o
        };
        let g = run(vec![batch(x.clone(), y.clone(), z.clone())], &o).unwrap();
        assert!(g.rows >= 2 && g.cols >= 2 && g.rows_outside == 3);
    }
    let msg = |b: (f64, f64, f64, f64)| {
        let o = GridOptions {
            shape: Some((4, 4)),
            bounds: Some(b),
            ..Default::default()
        };
        run(vec![batch(x.clone(), y.clone(), z.clone())], &o)
            .unwrap_err()
            .to_string()
    };
    assert!(
        msg((0.0, 0.0, 0.0, 4.0)).contains("xmin < xmax"),
        "{}",
        msg((0.0, 0.0, 0.0, 4.0))
    );
    assert!(msg((0.0, f64::NAN, 1.0, 4.0)).contains("bounds must be finite"));
    assert!(msg((10.0, 10.0, 20.0, 20.0)).contains("none of the 9 rows lies inside bounds"));
    let o = GridOptions {
        threads: Some(0),
        ..Default::default()
    };
    let e = run(vec![batch(x.clone(), y.clone(), z.clone())], &o).unwrap_err();
    assert!(
        e.to_string().contains("threads must be from 1 to 256"),
        "{e}"
    );
    let o = GridOptions {
        max_cells: usize::MAX,
        ..Default::default()
    };
    let e = run(vec![batch(x.clone(), y.clone(), z.clone())], &o).unwrap_err();
    assert!(e.to_string().contains("max_cells must be at most"), "{e}");
}

/// `n` points in [0, 100) x [0, 50) in three batches, many on cell edges,
/// with null, NaN and infinite rows mixed in, heights of both signs.
pub(super) fn messy_points(n: usize, seed: u64) -> Vec<RecordBatch> {
    let mut s = seed;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let (mut x, mut y, mut z) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        let r = next();
        // Every 4th point on a multiple of 0.5: exactly on bin edges.
        let (xv, yv) = if i % 4 == 0 {
            ((r % 200) as f64 * 0.5, ((r >> 20) % 100) as f64 * 0.5)
        } else {
            (
                (r % 1_000_000) as f64 * 1e-4,
                ((r >> 20) % 1_000_000) as f64 * 5e-5,
            )
        };
        let zv = ((r >> 40) % 20001) as f32 * 0.37 - 3700.0;
        match i % 97 {
            5 => {
                x.push(f64::NAN);
                y.push(yv);
                z.push(Some(zv));
            }
            11 => {
                x.push(xv);
                y.push(f64::INFINITY);
                z.push(Some(zv));
            }
            13 => {
                x.push(xv);
                y.push(yv);
                z.push(None);
            }
            17 => {
                x.push(xv);
                y.push(yv);
                z.push(Some(f32::NAN));
            }
            _ => {
                x.push(xv);
                y.push(yv);
                z.push(Some(zv));
            }
        }
    }
    let cut = [0, n / 3, n / 3 + 1, n];
    cut.windows(2)
        .map(|w| {
            batch(
                x[w[0]..w[1]].to_vec(),
                y[w[0]..w[1]].to_vec(),
                z[w[0]..w[1]].to_vec(),
            )
        })
        .collect()
}
