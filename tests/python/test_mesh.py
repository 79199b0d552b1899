"""Meshes and point sets: one copy per update (or none through a mapped
write), proved by pointers and the ledger; what they render; every error."""


import numpy as np
import pytest

import forge3d
import forge3d.primitives as prim
from forge3d.interop import copy_to_vertex_buffer

from conftest import address

BG = (20, 22, 28)


def circle(n=64, r=1.0):
    th = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.stack([r * np.cos(th), r * np.sin(th), np.zeros_like(th)], 1).astype(np.float32)


def top_down(size=64):
    r = forge3d.Renderer(size, size)
    r.set_camera_top_down()
    return r


def pixel_of(x, y, size, lo=-1.0, hi=1.0):
    """Pixel (col, row) of world (x, y) under a top-down camera framing [lo, hi]^2."""
    col = int((x - lo) / (hi - lo) * size)
    row = int((hi - y) / (hi - lo) * size)
    return min(col, size - 1), min(row, size - 1)


# --- the copy ledger -------------------------------------------------------


def test_set_vertices_records_one_copy_from_the_callers_memory():
    pos = circle(300)
    mesh = forge3d.Mesh(pos)
    new = pos * 2
    with forge3d.copy_ledger() as ledger:
        mesh.set_vertices(new)
    assert ledger.copies == 1
    rec = ledger.records[0]
    assert rec.operation == "upload"
    assert rec.source_ptr == address(new)
    assert rec.bytes == new.nbytes


def test_flat_vertices_are_accepted_with_one_copy():
    pos = circle(30)
    mesh = forge3d.Mesh(pos)
    flat = pos.ravel().copy()
    with forge3d.copy_ledger() as ledger:
        mesh.set_vertices(flat)
    assert [(r.operation, r.source_ptr) for r in ledger.records] == [("upload", address(flat))]


def test_float64_and_strided_vertices_are_converted_once_then_uploaded():
    pos = circle(50)
    mesh = forge3d.Mesh(pos)
    f64 = pos.astype(np.float64)
    with forge3d.copy_ledger() as ledger:
        mesh.set_vertices(f64)
    assert [r.operation for r in ledger.records] == ["convert", "upload"]
    assert "float64 -> float32" in ledger.records[0].reason
    wide = np.zeros((50, 6), np.float32)
    wide[:, :3] = pos
    with forge3d.copy_ledger() as ledger:
        mesh.set_vertices(wide[:, :3])
    assert [r.operation for r in ledger.records] == ["convert", "upload"]
    assert "not C-contiguous" in ledger.records[0].reason


def test_copy_false_raises_when_a_conversion_is_needed():
    mesh = forge3d.Mesh(circle(10))
    with pytest.raises(ValueError, match=r"copy=False.*np.ascontiguousarray"):
        mesh.set_vertices(circle(10).astype(np.float64), copy=False)
    mesh.set_vertices(circle(10), copy=False)  # float32 contiguous: fine


def test_write_vertices_records_no_copy_and_renders_what_was_written():
    n = 256
    pts = forge3d.Points(circle(n), size=3)
    r = top_down()
    r.add_mesh(pts, color=(1, 1, 1))
    before = r.render_rgba().copy()
    with forge3d.copy_ledger() as ledger:
        with pts.write_vertices() as v:
            assert v.shape == (n, 3) and v.dtype == np.float32
            assert v.flags.c_contiguous and v.flags.writeable
            v[:] = circle(n) * 0.5
    assert ledger.copies == 0
    if forge3d.device_info()["backend"] in ("vulkan", "metal"):
        assert v.base.origin == "mapped_upload"
        assert address(v) == v.base.ptr
    after = r.render_rgba()
    # The mapped write updates the bounds (a GPU reduction), so the camera
    # frames the half-size circle exactly as if it had been copied in.
    np.testing.assert_allclose(pts.bounds[0], (circle(n) * 0.5).min(0), atol=1e-6)
    np.testing.assert_allclose(pts.bounds[1], (circle(n) * 0.5).max(0), atol=1e-6)
    copied = forge3d.Points(circle(n) * 0.5, size=3)
    ref = top_down()
    ref.add_mesh(copied, color=(1, 1, 1))
    np.testing.assert_array_equal(after, ref.render_rgba())
    col, row = pixel_of(0.5, 0.0, 64)
    assert tuple(before[row, col, :3]) == BG
    assert before.any()


def test_mapped_view_is_read_only_after_its_block_and_outlives_the_mesh(collect):
    mesh = forge3d.Mesh(circle(12))
    with mesh.write_vertices() as v:
        v[:] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        v[0, 0] = 2.0
    del mesh
    collect()
    # Reading a stale view is harmless: its memory is kept alive by the view.
    assert float(v.sum()) == 36.0


def test_a_failing_block_uploads_nothing():
    pts = forge3d.Points(circle(32), size=3)
    r = top_down()
    r.add_mesh(pts)
    before = r.render_rgba().copy()
    with pytest.raises(RuntimeError, match="boom"):
        with pts.write_vertices() as v:
            v[:] = 0.0
            raise RuntimeError("boom")
    assert np.array_equal(r.render_rgba(), before)


def test_mapped_write_block_is_single_use():
    block = forge3d.Mesh(circle(3)).write_vertices()
    with block as v:
        v[:] = 0
    with pytest.raises(RuntimeError, match="already used"):
        with block:
            pass


def test_uint8_colors_are_uploaded_as_is():
    n = 40
    colors = np.zeros((n, 4), np.uint8)
    colors[:, 1] = 255
    colors[:, 3] = 255
    pts = forge3d.Points(circle(n))
    with forge3d.copy_ledger() as ledger:
        pts.set_colors(colors)
    assert [(r.operation, r.source_ptr, r.bytes) for r in ledger.records] == [
        ("upload", address(colors), n * 4)
    ]
    assert pts.color_format == "uint8"


def test_strided_uint8_colors_are_packed_once_and_stay_unorm():
    # The corner points make the top-down view frame [-1, 1]^2.
    xy = [(-0.5, 0.5), (0.5, 0.5), (0.5, -0.5), (-1.0, -1.0), (1.0, 1.0)]
    pos = np.array([(x, y, 0) for x, y in xy], np.float32)
    wide = np.zeros((5, 8), np.uint8)
    wide[:, 0::2] = [[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255], [9, 9, 9, 255], [9, 9, 9, 255]]
    wide[:, 1::2] = 77  # interleaved bytes that must not be read
    colors = wide[:, 0::2]  # (5, 4) uint8 with a column stride of 2 bytes
    assert not colors.flags.c_contiguous
    pts = forge3d.Points(pos, size=6)
    with forge3d.copy_ledger() as ledger:
        pts.set_colors(colors)
    assert [(r.operation, r.source_ptr, r.bytes) for r in ledger.records] == [
        ("convert", address(colors), 20),
        ("upload", ledger.records[1].source_ptr, 20),
    ]
    assert ledger.records[1].source_ptr != address(colors)
    assert pts.color_format == "uint8"
    r = top_down(64)
    r.add_mesh(pts)
    img = r.render_rgba()
    for (x, y), c in zip(xy[:3], colors[:3]):
        col, row = pixel_of(x, y, 64)
        assert tuple(img[row, col, :3]) == tuple(c[:3]), (x, y)
    with pytest.raises(ValueError, match=r"copy=False.*np.ascontiguousarray\(colors\)"):
        pts.set_colors(colors, copy=False)
    assert (wide[:, 1::2] == 77).all()


def test_indices_uint32_upload_from_the_callers_memory_and_int64_converts_once():
    g = np.array([[0, 1, 2], [0, 2, 3]], np.uint32)
    quad = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], np.float32)
    mesh = forge3d.Mesh(quad)
    with forge3d.copy_ledger() as ledger:
        mesh.set_indices(g)
    assert [(r.operation, r.source_ptr) for r in ledger.records] == [("upload", address(g))]
    with forge3d.copy_ledger() as ledger:
        mesh.set_indices(g.astype(np.int64))
    assert [r.operation for r in ledger.records] == ["convert", "upload"]
    assert mesh.index_count == 6 and mesh.triangle_count == 2


def test_callers_arrays_are_never_modified():
    pos = circle(20)
    keep = pos.copy()
    cols = np.random.default_rng(0).random((20, 4)).astype(np.float32)
    keep_cols = cols.copy()
    mesh = forge3d.Mesh(pos, colors=cols)
    mesh.set_vertices(pos)
    with pytest.raises(ValueError):
        bad = pos.copy()
        bad[3, 1] = np.nan
        mesh.set_vertices(bad)
    np.testing.assert_array_equal(pos, keep)
    np.testing.assert_array_equal(cols, keep_cols)


# --- Arrow and DataFrames ------------------------------------------------------


def frame_of(points_input, n=64):
    pts = forge3d.Points(circle(n), size=3)
    pts.set_vertices(points_input)
    r = top_down()
    r.add_mesh(pts, color=(1, 1, 1))
    return r.render_rgba().copy()


def test_dataframe_columns_upload_one_copy_each_and_render_like_numpy():
    pd = pytest.importorskip("pandas")
    pos = circle(64, 0.7)
    want = frame_of(pos)
    df = pd.DataFrame({"x": pos[:, 0], "y": pos[:, 1], "z": pos[:, 2], "t": 0.0})
    pts = forge3d.Points(circle(64), size=3)
    with forge3d.copy_ledger() as ledger:
        pts.set_vertices(df[["x", "y", "z"]])
    ops = [r.operation for r in ledger.records]
    # pandas exports through pyarrow; float32 columns are read in place.
    assert ops == ["upload", "upload", "upload"]
    assert all("column" in r.reason for r in ledger.records)
    np.testing.assert_array_equal(frame_of(df[["x", "y", "z"]]), want)


def test_pyarrow_table_columns_are_read_where_they_lie():
    pa = pytest.importorskip("pyarrow")
    pos = circle(64, 0.7)
    table = pa.table({k: pa.array(pos[:, i]) for i, k in enumerate("xyz")})
    pts = forge3d.Points(circle(64))
    with forge3d.copy_ledger() as ledger:
        pts.set_vertices(table)
    ptrs = [r.source_ptr for r in ledger.records]
    assert ptrs == [table.column(k).chunk(0).buffers()[1].address for k in "xyz"]
    np.testing.assert_array_equal(frame_of(table), frame_of(pos))


def test_polars_float64_columns_convert_once_per_column():
    pl = pytest.importorskip("polars")
    pos = circle(64, 0.7)
    df = pl.DataFrame({"x": pos[:, 0].astype(np.float64), "y": pos[:, 1], "z": pos[:, 2]})
    pts = forge3d.Points(circle(64))
    with forge3d.copy_ledger() as ledger:
        pts.set_vertices(df)
    assert [r.operation for r in ledger.records] == ["convert", "upload", "upload", "upload"]
    np.testing.assert_array_equal(frame_of(df), frame_of(pos))


def test_table_errors_name_the_problem():
    pa = pytest.importorskip("pyarrow")
    pts = forge3d.Points(circle(4))
    with pytest.raises(ValueError, match="select exactly 3"):
        pts.set_vertices(pa.table({"x": [1.0] * 4, "y": [1.0] * 4}))
    with pytest.raises(TypeError, match="column .z..*not a real number"):
        pts.set_vertices(pa.table({"x": [1.0] * 4, "y": [1.0] * 4, "z": ["a"] * 4}))
    with pytest.raises(ValueError, match="column .y. has 1 nulls"):
        pts.set_vertices(pa.table({"x": [1.0] * 4, "y": [1.0, None, 1, 1], "z": [1.0] * 4}))
    with pytest.raises(ValueError, match="3 rows given but the mesh has 4"):
        pts.set_vertices(pa.table({"x": [1.0] * 3, "y": [1.0] * 3, "z": [1.0] * 3}))


# --- errors ----------------------------------------------------------------


def test_wrong_row_count_is_an_error_and_resize_changes_it():
    mesh = forge3d.Mesh(circle(10))
    with pytest.raises(ValueError, match=r"vertices: 11 rows given but the mesh has 10.*resize\(11\)"):
        mesh.set_vertices(circle(11))
    mesh.resize(11)
    mesh.set_vertices(circle(11))
    assert mesh.vertex_count == 11 and len(mesh) == 11
    # Past the device's buffer limits (16 GiB of float32 colors): an error,
    # and the mesh keeps its size.
    with pytest.raises(ValueError, match=r"1073741824 vertices need .* more than this device allows .*split the mesh"):
        mesh.resize(2**30)
    assert mesh.vertex_count == 11
    for bad in (2**40, -1):
        with pytest.raises(ValueError, match=r"n must be between 0 and 4294967295"):
            mesh.resize(bad)


def test_wrong_column_count_and_flat_length_are_errors():
    mesh = forge3d.Mesh(circle(10))
    with pytest.raises(ValueError, match=r"shape \(N, 3\).*\[10, 4\]"):
        mesh.set_vertices(np.zeros((10, 4), np.float32))
    with pytest.raises(ValueError, match="not a whole number of rows of 3"):
        mesh.set_vertices(np.zeros(31, np.float32))
    with pytest.raises(ValueError, match=r"shape \(N, 4\)"):
        mesh.set_colors(np.zeros((10, 3), np.float32))


@pytest.mark.parametrize(
    "bad, exc",
    [
        (np.zeros((4, 3), bool), TypeError),
        (np.zeros((4, 3), complex), TypeError),
        (np.zeros((4, 3), object), TypeError),
        ("not an array", TypeError),
    ],
)
def test_bad_dtypes_are_type_errors(bad, exc):
    mesh = forge3d.Mesh(circle(4))
    with pytest.raises(exc, match="vertices"):
        mesh.set_vertices(bad)


def test_integer_colors_other_than_uint8_are_ambiguous():
    pts = forge3d.Points(circle(4))
    with pytest.raises(TypeError, match="colors: int64 is ambiguous"):
        pts.set_colors(np.zeros((4, 4), np.int64))


@pytest.mark.parametrize(
    "indices, match",
    [
        (np.array([0, 1, 5], np.uint32), "value 5 at position 2 is out of range"),
        (np.array([0, -1, 2], np.int32), "value -1 at position 1 is out of range"),
        (np.array([0, 1], np.uint32), "not a whole number of rows of 3"),
        (np.zeros((2, 2), np.uint32), r"shape \(N, 3\)"),
    ],
)
def test_bad_indices_are_value_errors(indices, match):
    mesh = forge3d.Mesh(circle(4))
    with pytest.raises(ValueError, match=match):
        mesh.set_indices(indices)


def test_float_indices_are_type_errors():
    with pytest.raises(TypeError, match="indices must be integers"):
        forge3d.Mesh(circle(4), indices=np.zeros(3, np.float32))
    # The fix offered for other index inputs is an integer dtype, not float32.
    for bad in ([[0, 1, 2]], np.ones(3, bool)):
        with pytest.raises(TypeError, match=r"np.asarray\(indices, dtype=np.uint32\)"):
            forge3d.Mesh(circle(4), indices=bad)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_positions_are_rejected_and_the_mesh_is_unchanged(value):
    pts = forge3d.Points(circle(40), size=3)
    r = top_down()
    r.add_mesh(pts)
    before = r.render_rgba().copy()
    bad = circle(40) * 0.5
    bad[17, 2] = value
    with pytest.raises(ValueError, match="vertices: row 17 column 2 is"):
        pts.set_vertices(bad)
    assert np.array_equal(r.render_rgba(), before)
    pos = circle(40)
    assert pts.bounds == (tuple(pos.min(0)), tuple(pos.max(0)))


def test_resize_keeps_indices_only_when_they_fit():
    mesh = prim.cube()
    with pytest.raises(ValueError, match="indices reach vertex 23"):
        mesh.resize(10)
    mesh.set_indices(None)
    mesh.resize(10)
    assert mesh.attributes == []


def test_static_meshes_reject_updates():
    mesh = forge3d.Mesh(circle(3), dynamic=False)
    with pytest.raises(RuntimeError, match="dynamic=False"):
        mesh.set_vertices(circle(3))
    with pytest.raises(RuntimeError, match="dynamic=False"):
        copy_to_vertex_buffer(mesh, "vertices", circle(3))


def test_bad_styles_and_sizes():
    r = forge3d.Renderer(32, 32)
    mesh = prim.cube()
    with pytest.raises(ValueError, match="style must be one of"):
        r.add_mesh(mesh, style="glass")
    with pytest.raises(ValueError, match=r"color must be .* in \[0, 1\]"):
        r.add_mesh(mesh, color=(2, 0, 0))
    with pytest.raises(ValueError, match="size must be a point diameter"):
        forge3d.Points(circle(3), size=0)
    with pytest.raises(ValueError, match="unknown name"):
        r.add_mesh(mesh, style="scalars", colormap="nope")
    with pytest.raises(TypeError, match="mesh must be a forge3d.Mesh"):
        r.add_mesh(np.zeros((3, 3)))
    rid = r.add_mesh(mesh, style="scalars")
    with pytest.raises(RuntimeError, match="set_scalars"):
        r.render_rgba()
    assert r.remove_mesh(rid) and not r.remove_mesh(rid)


def test_copy_to_vertex_buffer_checks_attribute_and_cols():
    mesh = forge3d.Mesh(circle(5))
    src = circle(5)
    with forge3d.copy_ledger() as ledger:
        copy_to_vertex_buffer(mesh, "vertices", src, 3)
    assert [(r.operation, r.source_ptr) for r in ledger.records] == [("upload", address(src))]
    with pytest.raises(ValueError, match="cols: vertices have 3 components"):
        copy_to_vertex_buffer(mesh, "vertices", src, 4)
    with pytest.raises(ValueError, match="attribute must be one of"):
        copy_to_vertex_buffer(mesh, "uv", src)


# --- what renders -----------------------------------------------------------


def test_colored_points_show_their_colors_at_their_projected_positions():
    xy = [(-0.5, 0.5), (0.5, 0.5), (0.5, -0.5), (-1.0, -1.0), (1.0, 1.0)]
    pos = np.array([(x, y, 0) for x, y in xy], np.float32)
    colors = np.array(
        [[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255], [255, 255, 0, 255], [255, 0, 255, 255]],
        np.uint8,
    )
    r = top_down(64)
    r.add_mesh(forge3d.Points(pos, colors, size=6))
    img = r.render_rgba()
    for (x, y), c in zip(xy[:3], colors[:3]):
        col, row = pixel_of(x, y, 64)
        assert tuple(img[row, col, :3]) == tuple(c[:3]), (x, y)
    col, row = pixel_of(-0.5, -0.5, 64)
    assert tuple(img[row, col, :3]) == BG


def test_scalars_map_to_the_colormap_ends_on_an_unlit_plane():
    plane = prim.plane(2.0, 1)  # 4 vertices: (-1,-1), (1,-1), (-1,1), (1,1)
    plane.set_scalars(np.array([0.0, 0.0, 1.0, 1.0], np.float32))  # y = -1 -> 0, y = 1 -> 1
    r = top_down(64)
    r.set_sun(0, 90, intensity=0.0)
    r.set_ambient(1.0)
    r.add_mesh(plane, style="scalars", colormap="gray")
    img = r.render_rgba()
    assert img[1, 32, 0] > 245  # top row: y near 1 -> white
    assert img[62, 32, 0] < 10  # bottom row: y near -1 -> black
    assert plane.scalar_range == (0.0, 1.0)


def test_surface_color_multiplies_vertex_colors_and_wireframe_draws_edges():
    plane = prim.plane(2.0, 4)
    r = top_down(64)
    r.set_sun(0, 90, intensity=0.0)
    r.set_ambient(1.0)
    rid = r.add_mesh(plane, color=(1.0, 0.5, 0.0))
    img = r.render_rgba()
    np.testing.assert_allclose(img[20, 20, :3], (255, 128, 0), atol=1)
    r.set_mesh_style(rid, style="wireframe", color=(0, 1, 0))
    wire = r.render_rgba()
    greens = (wire[..., 1] == 255) & (wire[..., 0] == 0)
    # Lines along the 5 grid columns and rows (and the diagonals); background elsewhere.
    assert 0.1 < greens.mean() < 0.6
    assert tuple(wire[4, 4, :3]) == BG or greens[4, 4]


def test_flat_shading_without_normals_depends_on_the_sun():
    verts = np.array([[-1, -1, 0], [1, -1, 0], [0, 1, 0]], np.float32)
    mesh = forge3d.Mesh(verts)
    r = top_down(32)
    r.set_ambient(0.0)
    r.add_mesh(mesh, color=(1, 1, 1))
    r.set_sun(0, 90, intensity=1.0)
    lit = int(r.render_rgba()[20, 16, 0])
    r.set_sun(0, 10, intensity=1.0)
    grazing = int(r.render_rgba()[20, 16, 0])
    assert lit > 250 and grazing < 0.3 * lit


def test_render_includes_terrain_and_meshes_together():
    r = forge3d.Renderer(64, 48)
    r.add_terrain(np.zeros((8, 8), np.float32) + np.arange(8, dtype=np.float32))
    terrain_only = r.render_terrain_rgba().copy()
    r.add_mesh(prim.sphere(1.5, 16), color=(1, 0, 0))
    both = r.render_rgba()
    assert not np.array_equal(terrain_only, both)
    assert r.scene_bounds()[1][0] == 7.0


def test_primitives_have_the_documented_geometry():
    c = prim.cube(2.0)
    assert (c.vertex_count, c.triangle_count) == (24, 12)
    assert c.bounds == ((-1, -1, -1), (1, 1, 1))
    s = prim.sphere(1.5, 12)
    assert s.vertex_count == 7 * 13 and s.attributes == ["vertices", "normals", "texcoords"]
    p = prim.plane(4.0, 8)
    assert p.vertex_count == 81 and p.triangle_count == 128
    assert p.bounds == ((-2, -2, 0), (2, 2, 0))
    with pytest.raises(ValueError, match="segments"):
        prim.sphere(1.0, 2)
    with pytest.raises(ValueError, match="size must be a positive"):
        prim.cube(-1)


def test_an_animation_reuses_its_upload_buffers():
    pts = forge3d.Points(circle(1000))
    r = top_down()
    r.add_mesh(pts)
    for _ in range(3):  # warm up: the pool grows to what one frame needs
        pts.set_vertices(circle(1000))
        r.render_rgba()
    created = forge3d.readback_pool_stats()["upload_buffers_created"]
    for i in range(10):
        pts.set_vertices(circle(1000, 1.0 - i / 20))
        with pts.write_colors() as c:
            c[:] = 1.0
        r.render_rgba()
    assert forge3d.readback_pool_stats()["upload_buffers_created"] - created <= 2


@pytest.mark.parametrize("size", [6.0, 40.0, 201.0])
def test_a_point_is_a_round_disc_of_its_size_in_pixels(size):
    # One point straight ahead of the camera lands on the image centre; the
    # pixels it covers are those whose centres lie within size / 2 of it
    # (up to the pixels on the rim itself).
    w = h = 256
    r = forge3d.Renderer(w, h)
    empty = r.render().to_numpy().copy()
    r.add_mesh(forge3d.Points(np.zeros((1, 3), np.float32), size=size), color=(1.0, 0.0, 0.0))
    r.set_camera(eye=(0.0, -10.0, 0.0), target=(0.0, 0.0, 0.0), up=(0.0, 0.0, 1.0))
    img = r.render().to_numpy()
    covered = (img[..., :3] != empty[..., :3]).any(axis=-1)
    yy, xx = np.mgrid[0:h, 0:w] + 0.5
    dist = np.hypot(xx - w / 2, yy - h / 2)
    radius = size / 2
    assert covered[dist < radius - 0.05].all()
    assert not covered[dist > radius + 0.05].any()
    assert abs(covered.sum() - np.pi * radius**2) < 2 * np.pi * radius * 0.1 + 2
