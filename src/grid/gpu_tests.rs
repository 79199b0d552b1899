//! The GPU's grids (`device="gpu"`, lavapipe in CI) against the CPU's,
//! cell for cell, for every reduction and the same errors.

use arrow_array::RecordBatch;

use super::tests::{batch, messy_points, run, C};
use super::*;

/// The GPU's grid of `batches` next to the CPU's (`Device::Gpu`, lavapipe in CI).
fn on_gpu(batches: &[RecordBatch], o: &GridOptions) -> Result<GridResult<arrow_buffer::Buffer>> {
    let o = GridOptions {
        device: Device::Gpu,
        ..o.clone()
    };
    grid(
        || Ok(Box::new(batches.iter().cloned().map(Ok)) as Batches<'_>),
        &C,
        &o,
    )
}

/// Equal cell for cell (NaN where NaN); mean within float32 rounding.
fn assert_same_grid(cpu: &GridResult, gpu: &GridResult<arrow_buffer::Buffer>, what: &str) {
    assert!(gpu.gpu, "{what}: not binned on the GPU");
    assert_eq!(
        (cpu.rows, cpu.cols, cpu.lattice, cpu.spacing, cpu.origin),
        (gpu.rows, gpu.cols, gpu.lattice, gpu.spacing, gpu.origin),
        "{what}: geometry"
    );
    assert_eq!(
        (
            cpu.rows_read,
            cpu.rows_skipped,
            cpu.rows_outside,
            cpu.empty_cells
        ),
        (
            gpu.rows_read,
            gpu.rows_skipped,
            gpu.rows_outside,
            gpu.empty_cells
        ),
        "{what}: counts"
    );
    let g: &[f32] = gpu.values.typed_data();
    assert_eq!(g.len(), cpu.values.len(), "{what}: length");
    let mut differ = 0;
    for (k, (&a, &b)) in cpu.values.iter().zip(g).enumerate() {
        let same = if a.is_nan() || b.is_nan() {
            a.is_nan() && b.is_nan()
        } else if what.contains("Mean") {
            (a - b).abs() <= 2.0 * f32::EPSILON * a.abs().max(b.abs()).max(1e-30)
        } else {
            a == b
        };
        if !same {
            if differ < 5 {
                eprintln!("{what}: cell {k}: cpu {a} gpu {b}");
            }
            differ += 1;
        }
    }
    assert_eq!(differ, 0, "{what}: {differ} cells differ");
}

const AGGS: [Agg; 6] = Agg::ALL;

#[test]
fn the_gpu_bins_every_agg_as_the_cpu_does() {
    let batches = messy_points(60_000, 7);
    let setups = [
        (
            "shape",
            GridOptions {
                shape: Some((50, 100)),
                ..Default::default()
            },
        ),
        (
            "resolution",
            GridOptions {
                resolution: Some((0.5, 0.5)),
                ..Default::default()
            },
        ),
        (
            "bounds",
            GridOptions {
                bounds: Some((10.0, 5.0, 60.0, 30.0)),
                shape: Some((40, 80)),
                ..Default::default()
            },
        ),
        (
            "bounds auto shape",
            GridOptions {
                bounds: Some((10.0, 5.0, 60.0, 30.0)),
                fill: Fill::Value(-9.0),
                ..Default::default()
            },
        ),
    ];
    for (name, base) in setups {
        for agg in AGGS {
            let o = GridOptions {
                agg,
                ..base.clone()
            };
            let cpu = run(batches.clone(), &o).unwrap();
            let gpu = on_gpu(&batches, &o).unwrap();
            assert_same_grid(&cpu, &gpu, &format!("{name} {agg:?}"));
        }
    }
}

#[test]
fn the_gpu_places_a_shuffled_lattice_and_rebins_when_a_point_is_off_it() {
    // 300 x 200 nodes, spacing (0.25, 2), shuffled; a duplicate node.
    let (mut x, mut y, mut z) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..200 {
        for c in 0..300 {
            x.push(-20.0 + 0.25 * c as f64);
            y.push(1000.0 + 2.0 * r as f64);
            z.push(Some((r * 300 + c) as f32 * 0.5 - 100.0));
        }
    }
    let n = x.len();
    for i in 0..n {
        let j = (i * 7919) % n;
        x.swap(i, j);
        y.swap(i, j);
        z.swap(i, j);
    }
    x.push(x[10]);
    y.push(y[10]);
    z.push(Some(12345.0));
    let lattice = vec![batch(x.clone(), y.clone(), z.clone())];
    for agg in AGGS {
        let o = GridOptions {
            agg,
            ..Default::default()
        };
        let cpu = run(lattice.clone(), &o).unwrap();
        assert!(cpu.lattice);
        assert_same_grid(
            &cpu,
            &on_gpu(&lattice, &o).unwrap(),
            &format!("lattice {agg:?}"),
        );
    }
    // One point between nodes: not a lattice, binned instead.
    x[3] += 0.1;
    let off = vec![batch(x, y, z)];
    for agg in [Agg::Mean, Agg::Last] {
        let o = GridOptions {
            agg,
            ..Default::default()
        };
        let cpu = run(off.clone(), &o).unwrap();
        assert!(!cpu.lattice);
        assert_same_grid(
            &cpu,
            &on_gpu(&off, &o).unwrap(),
            &format!("off lattice {agg:?}"),
        );
    }
}

#[test]
fn the_gpu_keeps_table_order_across_chunks_and_fills() {
    // More rows than one chunk: first and last must follow the table order
    // across chunks; 4 cells only, so every cell sees rows of every chunk.
    let n = gpu::CHUNK_ROWS + 5000;
    let x: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
    let y: Vec<f64> = (0..n).map(|i| ((i / 2) % 2) as f64).collect();
    let z: Vec<Option<f32>> = (0..n).map(|i| Some((i % 1013) as f32 - 500.0)).collect();
    let batches = vec![batch(x, y, z)];
    for agg in AGGS {
        let o = GridOptions {
            agg,
            shape: Some((2, 2)),
            ..Default::default()
        };
        let cpu = run(batches.clone(), &o).unwrap();
        assert_same_grid(
            &cpu,
            &on_gpu(&batches, &o).unwrap(),
            &format!("chunks {agg:?}"),
        );
    }
    // fill="nearest" on the GPU's grid.
    let sparse = messy_points(300, 3);
    let o = GridOptions {
        shape: Some((40, 40)),
        fill: Fill::Nearest,
        agg: Agg::Max,
        ..Default::default()
    };
    let cpu = run(sparse.clone(), &o).unwrap();
    assert!(cpu.empty_cells > 0);
    let gpu = on_gpu(&sparse, &o).unwrap();
    assert!(!gpu.values.typed_data::<f32>().iter().any(|v| v.is_nan()));
    assert_same_grid(&cpu, &gpu, "nearest Max");
}

#[test]
fn the_gpu_reports_bad_input_as_the_cpu_does() {
    let big = vec![batch(
        vec![0.0, 1.0, 2.0],
        vec![0.0, 1.0, 2.0],
        vec![Some(1.0), Some(f32::INFINITY), Some(2.0)],
    )];
    let o = GridOptions {
        shape: Some((2, 2)),
        ..Default::default()
    };
    let cpu = run(big.clone(), &o).unwrap_err().to_string();
    let gpu = on_gpu(&big, &o).unwrap_err().to_string();
    assert_eq!(cpu, gpu);
    assert!(gpu.contains("infinite"), "{gpu}");
    let outside = GridOptions {
        bounds: Some((10.0, 10.0, 20.0, 20.0)),
        shape: Some((2, 2)),
        ..Default::default()
    };
    let ok = vec![batch(
        vec![0.0, 1.0],
        vec![0.0, 1.0],
        vec![Some(1.0), Some(2.0)],
    )];
    assert_eq!(
        run(ok.clone(), &outside).unwrap_err().to_string(),
        on_gpu(&ok, &outside).unwrap_err().to_string()
    );
}

#[test]
fn the_gpu_mean_keeps_each_cells_precision_whatever_the_others_hold() {
    // A float32-max "nodata" height in one cell must not round the others'
    // means away; cells of tiny, huge, mixed-sign and cancelling heights.
    let cells: [&[f32]; 6] = [
        &[3.4028235e38],
        &[1.0],
        &[2.5, -3.25],
        &[1e-30, 3e-30, -1e-30],
        &[1e6, -1e6, 1e-3],
        &[-0.0, 7.0, 7.0, 7.0],
    ];
    let (mut x, mut y, mut z) = (vec![], vec![], vec![]);
    for (k, hs) in cells.iter().enumerate() {
        for &h in hs.iter() {
            x.push(k as f64 + 0.5);
            y.push(0.5);
            z.push(Some(h));
        }
    }
    // A second row of cells so that the shape is (2, 6).
    x.push(0.5);
    y.push(1.5);
    z.push(Some(0.0));
    let b = vec![batch(x, y, z)];
    let o = GridOptions {
        bounds: Some((0.0, 0.0, 6.0, 2.0)),
        shape: Some((2, 6)),
        ..Default::default()
    };
    let cpu = run(b.clone(), &o).unwrap();
    let gpu = on_gpu(&b, &o).unwrap();
    assert_same_grid(&cpu, &gpu, "wide Mean");
    let g: &[f32] = gpu.values.typed_data();
    assert_eq!(
        g[6..12],
        [3.4028235e38, 1.0, -0.375, 1e-30, 1e-3 / 3.0, 5.25]
    );
}

#[test]
fn the_gpu_says_no_row_lies_inside_an_empty_tables_bounds_as_the_cpu() {
    let empty = vec![batch(vec![], vec![], vec![])];
    let o = GridOptions {
        bounds: Some((0.0, 0.0, 1.0, 1.0)),
        shape: Some((2, 2)),
        ..Default::default()
    };
    assert_eq!(
        run(empty.clone(), &o).unwrap_err().to_string(),
        on_gpu(&empty, &o).unwrap_err().to_string()
    );
}
