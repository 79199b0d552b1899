//! Meshes and point sets from plain slices: uploads, the column path
//! interleaved on the GPU, and what renders.

use std::sync::Arc;

use forge3d::render::{Attribute, AttributeData, Camera, Mesh, MeshStyle};
use forge3d::{ledger, Renderer};

fn renderer(size: u32) -> Renderer {
    let r = Renderer::new(size, size).expect("a GPU adapter (install mesa-vulkan-drivers)");
    r.set_camera(Camera::TopDown).unwrap();
    r
}

fn points_style() -> MeshStyle {
    MeshStyle::Points {
        size: 6.0,
        color: [1.0; 4],
        colormap: None,
        range: None,
    }
}

/// Four colored points at the corners of [-0.5, 0.5]^2 plus two that set
/// the camera's bounds to [-1, 1]^2.
fn corners() -> (Vec<f32>, Vec<u8>) {
    let xy = [
        (-0.5, 0.5),
        (0.5, 0.5),
        (0.5, -0.5),
        (-0.5, -0.5),
        (-1.0, -1.0),
        (1.0, 1.0),
    ];
    let pos = xy.iter().flat_map(|&(x, y)| [x, y, 0.0]).collect();
    let colors = [
        [255, 0, 0, 255],
        [0, 255, 0, 255],
        [0, 0, 255, 255],
        [255, 255, 0, 255],
        [9, 9, 9, 255],
        [9, 9, 9, 255],
    ]
    .concat();
    (pos, colors)
}

fn check_corners(r: &Renderer) {
    let f = r.render().unwrap();
    let at = |x: f32, y: f32| {
        f.pixel(
            ((x + 1.0) / 2.0 * 64.0) as u32,
            ((1.0 - y) / 2.0 * 64.0) as u32,
        )
    };
    assert_eq!(&at(-0.5, 0.5)[..3], &[255, 0, 0]);
    assert_eq!(&at(0.5, 0.5)[..3], &[0, 255, 0]);
    assert_eq!(&at(0.5, -0.5)[..3], &[0, 0, 255]);
    assert_eq!(&at(-0.5, -0.5)[..3], &[255, 255, 0]);
    assert_eq!(at(0.0, 0.0), r.background());
}

#[test]
fn points_render_their_colors_where_they_project() {
    let r = renderer(64);
    let (pos, colors) = corners();
    let mesh = Arc::new(Mesh::new(r.context().clone(), 6).unwrap());
    mesh.set(Attribute::Positions, AttributeData::F32(&pos))
        .unwrap();
    mesh.set(Attribute::Colors, AttributeData::Unorm8(&colors))
        .unwrap();
    r.add_mesh(mesh, points_style()).unwrap();
    check_corners(&r);
}

#[test]
fn columns_are_interleaved_on_the_gpu_with_one_copy_each() {
    let r = renderer(64);
    let (pos, colors) = corners();
    let cols: Vec<Vec<f32>> = (0..3)
        .map(|k| pos.iter().skip(k).step_by(3).copied().collect())
        .collect();
    let mesh = Arc::new(Mesh::new(r.context().clone(), 6).unwrap());
    let session = ledger::Session::open();
    mesh.set(
        Attribute::Positions,
        AttributeData::Columns(cols.iter().map(|c| c.as_slice()).collect()),
    )
    .unwrap();
    let records = session.records();
    assert_eq!(records.len(), 3);
    for (rec, col) in records.iter().zip(&cols) {
        assert_eq!(rec.source_ptr, col.as_ptr() as usize);
        assert_eq!(rec.bytes, 24);
    }
    drop(session);
    mesh.set(Attribute::Colors, AttributeData::Unorm8(&colors))
        .unwrap();
    assert_eq!(mesh.bounds().unwrap().min, [-1.0, -1.0, 0.0]);
    r.add_mesh(mesh, points_style()).unwrap();
    check_corners(&r);
}

#[test]
fn a_rejected_upload_leaves_the_mesh_as_it_was() {
    let r = renderer(64);
    let (pos, colors) = corners();
    let mesh = Arc::new(Mesh::new(r.context().clone(), 6).unwrap());
    mesh.set(Attribute::Positions, AttributeData::F32(&pos))
        .unwrap();
    mesh.set(Attribute::Colors, AttributeData::Unorm8(&colors))
        .unwrap();
    r.add_mesh(mesh.clone(), points_style()).unwrap();
    let mut bad = pos.clone();
    bad[4] = f32::NAN;
    let e = mesh
        .set(Attribute::Positions, AttributeData::F32(&bad))
        .unwrap_err();
    assert!(e.to_string().contains("row 1 column 1"), "{e}");
    let short = &pos[..15];
    assert!(mesh
        .set(Attribute::Positions, AttributeData::F32(short))
        .is_err());
    check_corners(&r);
}

#[test]
fn mapped_writes_need_no_cpu_copy() {
    let r = renderer(64);
    let (pos, colors) = corners();
    let mesh = Arc::new(Mesh::new(r.context().clone(), 6).unwrap());
    mesh.set(Attribute::Colors, AttributeData::Unorm8(&colors))
        .unwrap();
    let session = ledger::Session::open();
    let mut w = mesh.map_write(Attribute::Positions).unwrap();
    // SAFETY: the write holds 6 rows of 3 floats.
    let dst = unsafe { std::slice::from_raw_parts_mut(w.as_mut_ptr() as *mut f32, 18) };
    dst.copy_from_slice(&pos);
    mesh.commit(Attribute::Positions, &w).unwrap();
    if w.is_mapped() {
        assert!(session.records().is_empty());
    }
    drop(session);
    // A mapped write's bounds are reduced on the GPU (no CPU copy), so the
    // camera's box includes what was written.
    assert!(mesh.bounds().is_some());
    let frame_box = Arc::new(Mesh::new(r.context().clone(), 2).unwrap());
    frame_box
        .set(Attribute::Positions, AttributeData::F32(&pos[12..]))
        .unwrap();
    r.add_mesh(mesh, points_style()).unwrap();
    r.add_mesh(frame_box, points_style()).unwrap();
    check_corners(&r);
}
