//! Terrain rendering on plain slices: colors, holes, silhouettes, ledger.

use forge3d::render::{Camera, HeightsRef, Lighting, TerrainOptions};
use forge3d::{ledger, Renderer};

const UNLIT: Lighting = Lighting {
    azimuth_deg: 0.0,
    elevation_deg: 90.0,
    intensity: 0.0,
    ambient: 1.0,
};

fn ramp(rows: usize, cols: usize) -> Vec<f32> {
    // Height grows with column: the left edge is lowest, the right highest.
    (0..rows * cols).map(|i| (i % cols) as f32).collect()
}

fn top_down(r: &Renderer, heights: &[f32], rows: usize, cols: usize, colormap: &str) {
    r.add_terrain(
        HeightsRef {
            data: heights,
            rows,
            cols,
        },
        TerrainOptions {
            colormap: colormap.into(),
            // Colormap colours, undarkened by the default occlusion.
            ambient_occlusion: None,
            ..Default::default()
        },
    )
    .unwrap();
    r.set_camera(Camera::TopDown).unwrap();
    r.set_lighting(UNLIT).unwrap();
}

#[test]
fn top_down_unlit_shows_the_colormap_ends_over_the_extreme_cells() {
    let (rows, cols) = (32, 64);
    let h = ramp(rows, cols);
    let r = Renderer::new(256, 128).unwrap();
    top_down(&r, &h, rows, cols, "gray");
    let f = r.render_terrain().unwrap();
    let left = f.pixel(1, 64);
    let right = f.pixel(254, 64);
    assert!(left[0] <= 3, "lowest cell should be black, got {left:?}");
    assert!(
        right[0] >= 252,
        "highest cell should be white, got {right:?}"
    );
    // Gray ramps monotonically left to right.
    let row: Vec<u8> = (0..256).map(|x| f.pixel(x, 64)[0]).collect();
    assert!(
        row.windows(2).all(|w| w[1] as i32 + 1 >= w[0] as i32),
        "{row:?}"
    );
}

#[test]
fn nan_and_nodata_cells_render_as_background() {
    let (rows, cols) = (40, 40);
    let mut h = vec![1.0f32; rows * cols];
    for r in 10..20 {
        for c in 10..20 {
            h[r * cols + c] = f32::NAN;
        }
        for c in 25..35 {
            h[r * cols + c] = -9999.0;
        }
    }
    let r = Renderer::new(200, 200).unwrap();
    r.add_terrain(
        HeightsRef {
            data: &h,
            rows,
            cols,
        },
        TerrainOptions {
            nodata: Some(-9999.0),
            ..Default::default()
        },
    )
    .unwrap();
    r.set_camera(Camera::TopDown).unwrap();
    let f = r.render_terrain().unwrap();
    let bg = r.background();
    // Cell (row 15, col 15) sits at x = 15/39*199, y = 15/39*199.
    let at = |row: f32, col: f32| f.pixel((col / 39.0 * 199.0) as u32, (row / 39.0 * 199.0) as u32);
    assert_eq!(at(15.0, 15.0), bg);
    assert_eq!(at(15.0, 30.0), bg);
    assert_ne!(at(30.0, 15.0), bg);
    assert_ne!(at(5.0, 5.0), bg);
}

#[test]
fn upload_is_one_recorded_copy_from_the_callers_memory() {
    let (rows, cols) = (300, 333);
    let h = ramp(rows, cols);
    let r = Renderer::new(64, 64).unwrap();
    let session = ledger::Session::open();
    let stats = r
        .add_terrain(
            HeightsRef {
                data: &h,
                rows,
                cols,
            },
            TerrainOptions::default(),
        )
        .unwrap();
    let recs = session.records();
    assert_eq!(recs.len(), 1, "{recs:?}");
    assert_eq!(recs[0].source_ptr, h.as_ptr() as usize);
    assert_eq!(recs[0].bytes, rows * cols * 4);
    assert_eq!((stats.min, stats.max, stats.holes), (0.0, 332.0, 0));
    let f = r.render_terrain().unwrap();
    assert_eq!(session.records().len(), 1);
    assert_ne!(f.pixel(32, 32), r.background());
}

#[test]
fn exaggeration_changes_the_oblique_silhouette() {
    let (rows, cols) = (64, 64);
    let h: Vec<f32> = (0..rows * cols)
        .map(|i| {
            let (y, x) = ((i / cols) as f32 - 32.0, (i % cols) as f32 - 32.0);
            20.0 * (-(x * x + y * y) / 200.0).exp()
        })
        .collect();
    let coverage = |exaggeration: f32| {
        let r = Renderer::new(160, 120).unwrap();
        r.add_terrain(
            HeightsRef {
                data: &h,
                rows,
                cols,
            },
            TerrainOptions {
                exaggeration,
                ..Default::default()
            },
        )
        .unwrap();
        r.set_camera(Camera::Perspective {
            eye: [32.0, -90.0, 40.0],
            target: [32.0, 32.0, 5.0],
            up: [0.0, 0.0, 1.0],
            fovy_deg: 45.0,
            znear: None,
            zfar: None,
        })
        .unwrap();
        let f = r.render_terrain().unwrap();
        let bg = r.background();
        (0..120u32)
            .flat_map(|y| (0..160u32).map(move |x| (x, y)))
            .filter(|&(x, y)| f.pixel(x, y) != bg)
            .count()
    };
    let (flat, tall) = (coverage(0.1), coverage(3.0));
    assert!(tall > flat + 200, "flat {flat}, tall {tall}");
}

#[test]
fn bad_terrain_input_is_rejected_and_leaves_the_renderer_unchanged() {
    let r = Renderer::new(32, 32).unwrap();
    let good = vec![0.0f32, 1.0, 2.0, 3.0];
    let href = |d: &'static [f32], rows, cols| HeightsRef {
        data: d,
        rows,
        cols,
    };
    let err = |res: forge3d::Result<_>| res.err().unwrap().to_string();
    r.add_terrain(
        HeightsRef {
            data: &good,
            rows: 2,
            cols: 2,
        },
        TerrainOptions::default(),
    )
    .unwrap();
    assert!(
        err(r.add_terrain(href(&[1.0, 2.0], 1, 2), TerrainOptions::default()))
            .contains("at least 2x2")
    );
    assert!(err(r.add_terrain(
        href(&[1.0, f32::INFINITY, 0.0, 0.0], 2, 2),
        TerrainOptions::default()
    ))
    .contains("infinite"));
    assert!(
        err(r.add_terrain(href(&[f32::NAN; 4], 2, 2), TerrainOptions::default()))
            .contains("every value")
    );
    let bad_spacing = TerrainOptions {
        spacing: (0.0, 1.0),
        ..Default::default()
    };
    assert!(
        err(r.add_terrain(href(&[0.0; 4], 2, 2), bad_spacing)).contains("spacing must be positive")
    );
    let bad_map = TerrainOptions {
        colormap: "nope".into(),
        ..Default::default()
    };
    assert!(err(r.add_terrain(href(&[0.0; 4], 2, 2), bad_map)).contains("colormap"));
    // The 2x2 terrain from before is still there.
    assert_eq!(r.terrain_stats().unwrap().max, 3.0);
}

#[test]
fn heights_written_by_a_band_producer_draw_what_a_slice_draws() {
    use forge3d::render::HeightsFill;
    let (rows, cols) = (300, 257);
    let mut h = ramp(rows, cols);
    h[5 * cols + 7] = f32::NAN;
    h[9 * cols + 11] = -9999.0;
    let options = || TerrainOptions {
        nodata: Some(-9999.0),
        ..Default::default()
    };
    let a = Renderer::new(96, 64).unwrap();
    let sa = a
        .add_terrain(
            HeightsRef {
                data: &h,
                rows,
                cols,
            },
            options(),
        )
        .unwrap();
    let b = Renderer::new(96, 64).unwrap();
    let mut calls = Vec::new();
    let mut fill = |row0: usize, n: usize, dst: &mut [f32], pitch: usize| {
        calls.push((row0, n));
        for r in 0..n {
            dst[r * pitch..][..cols].copy_from_slice(&h[(row0 + r) * cols..][..cols]);
        }
        Ok(())
    };
    let session = ledger::Session::open();
    let sb = b
        .add_terrain_filled(
            HeightsFill {
                rows,
                cols,
                fill: &mut fill,
                what: "a test producer",
            },
            options(),
        )
        .unwrap();
    let records = session.records();
    drop(session);
    assert_eq!(calls.iter().map(|c| c.1).sum::<usize>(), rows);
    assert_eq!(calls[0].0, 0);
    assert_eq!((sa.min, sa.max, sa.holes), (sb.min, sb.max, sb.holes));
    assert_eq!(sb.holes, 2);
    assert_eq!(
        a.render().unwrap().as_bytes(),
        b.render().unwrap().as_bytes()
    );
    assert_eq!(records.len(), 1);
    assert!(
        records[0]
            .reason
            .contains("a test producer written in place"),
        "{:?}",
        records[0]
    );
    // A producer's error fails the call and leaves the terrain as it was.
    let mut failing = |_: usize, _: usize, _: &mut [f32], _: usize| {
        Err(forge3d::Error::InvalidArgument("no data".into()))
    };
    let before = b.render().unwrap().as_bytes().to_vec();
    let err = b
        .add_terrain_filled(
            HeightsFill {
                rows,
                cols,
                fill: &mut failing,
                what: "a failing producer",
            },
            options(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("no data"));
    assert_eq!(b.render().unwrap().as_bytes(), &before[..]);
}
