//! Rendering the triangle into host memory, checked pixel by pixel.

use forge3d::{ledger, Origin, Renderer};

fn renderer(w: u32, h: u32) -> Renderer {
    Renderer::new(w, h).expect("a GPU adapter (install mesa-vulkan-drivers for lavapipe)")
}

#[test]
fn triangle_interior_is_colored_and_corners_are_background() {
    let r = renderer(256, 200);
    let f = r.render_triangle().unwrap();
    assert_eq!(f.shape(), [200, 256, 4]);
    let bg = r.background();
    for (x, y) in [(0, 0), (255, 0), (0, 199), (255, 199)] {
        assert_eq!(f.pixel(x, y), bg, "corner ({x},{y})");
    }
    // Centroid of the triangle (0,0.8),(-0.8,-0.8),(0.8,-0.8): NDC y = -4/15.
    let cy = ((1.0 + 4.0 / 15.0) / 2.0 * 200.0) as u32;
    let c = f.pixel(128, cy);
    assert_ne!(c, bg);
    assert_eq!(c[3], 255);
    // Near the top vertex the color is mostly red; near bottom-left, green.
    let top = f.pixel(128, (0.12 * 200.0) as u32 + 2);
    assert!(top[0] > 200 && top[1] < 40 && top[2] < 40, "{top:?}");
    let bl = f.pixel((0.11 * 256.0) as u32 + 2, (0.9 * 200.0) as u32 - 2);
    assert!(bl[1] > 200 && bl[0] < 40, "{bl:?}");
}

#[test]
fn unaligned_widths_are_packed_without_padding() {
    for w in [1u32, 3, 333, 500, 1023] {
        let r = renderer(w, 37);
        let f = r.render_triangle().unwrap();
        assert_eq!(f.as_bytes().len(), (w * 37 * 4) as usize, "width {w}");
        // The first and last rows are background in every column.
        let bg = r.background();
        for x in 0..w {
            assert_eq!(f.pixel(x, 0), bg, "width {w}, column {x}");
            assert_eq!(f.pixel(x, 36), bg, "width {w}, column {x}");
        }
        if w >= 3 {
            assert_ne!(f.pixel(w / 2, 37 / 2), bg, "width {w}: triangle missing");
        }
    }
}

#[test]
fn tiled_render_matches_pixel_rows_across_tile_seams() {
    // 1500 rows of 1023 px exceed one 4 MiB tile on CPU adapters; every row
    // must still be the triangle's row (symmetric about the vertical axis).
    let r = renderer(1023, 1500);
    let f = r.render_triangle().unwrap();
    let bg = r.background();
    let mut prev = 0usize;
    for y in 0..1500u32 {
        let covered = (0..1023).filter(|&x| f.pixel(x, y) != bg).count();
        // The triangle widens monotonically from the top vertex to its base.
        if y > 160 && y < 1340 {
            assert!(covered + 2 >= prev, "row {y}: {covered} < {prev}");
            assert!(covered > 0, "row {y} empty");
        }
        prev = covered;
    }
}

#[test]
fn frame_memory_is_the_mapped_readback_and_no_cpu_copy_is_recorded() {
    let r = renderer(640, 480);
    let session = ledger::Session::open();
    let f = r.render_triangle().unwrap();
    assert_eq!(f.memory().origin(), Origin::MappedReadback);
    assert!(session.records().is_empty(), "{:?}", session.records());
}

#[test]
fn frames_outlive_their_renderer() {
    let f = {
        let r = renderer(64, 64);
        r.render_triangle().unwrap()
    };
    assert_eq!(f.pixel(32, 32)[3], 255);
}

#[test]
fn sizes_outside_the_device_limit_are_rejected() {
    let err = Renderer::new(0, 10).err().unwrap().to_string();
    assert!(err.contains("width") && err.contains("got 0"), "{err}");
    let err = Renderer::new(10, u32::MAX).err().unwrap().to_string();
    assert!(
        err.contains("height") && err.contains("max_texture_dimension_2d"),
        "{err}"
    );
}
