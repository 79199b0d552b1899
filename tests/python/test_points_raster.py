"""Point sets drawn by the compute rasteriser (``FORGE3D_POINTS=compute``)
against the same points drawn as triangles: the same pixels, colours and
depths, with other layers, in tiled targets, with MSAA; and what ``auto``
chooses."""

from __future__ import annotations

import numpy as np
import pytest

import forge3d
import forge3d.primitives as prim

BG = (20, 22, 28)


def random_points(n, seed=0, colors=None):
    rng = np.random.default_rng(seed)
    pos = rng.uniform(-1.0, 1.0, (n, 3)).astype(np.float32)
    if colors == "rgba8":
        return forge3d.Points(pos, rng.integers(0, 256, (n, 4), dtype=np.uint8), size=3)
    if colors == "rgba32f":
        return forge3d.Points(pos, rng.random((n, 4), dtype=np.float32), size=3)
    pts = forge3d.Points(pos, size=3)
    if colors == "scalars":
        pts.set_scalars(rng.random(n, dtype=np.float32))
    return pts


def render(monkeypatch, mode, build, size=(160, 120), outputs=False):
    """Renders the scene `build(r)` makes with FORGE3D_POINTS=mode; returns
    (rgba, depth or None, the renderer, what build returned)."""
    monkeypatch.setenv("FORGE3D_POINTS", mode)
    r = forge3d.Renderer(*size)
    made = build(r)
    if outputs:
        rgba, depth = r.render(outputs=("rgba", "depth"))
        return rgba.to_numpy().copy(), depth.to_numpy().copy(), r, made
    return r.render().to_numpy().copy(), None, r, made


def differing(a, b):
    return int((a != b).any(axis=-1).sum())


def covered(img):
    return int((img[..., :3] != np.array(BG, np.uint8)).any(axis=-1).sum())


@pytest.mark.parametrize("colors", [None, "rgba8", "rgba32f", "scalars"])
def test_compute_draws_the_pixels_and_colours_that_triangles_draw(monkeypatch, colors):
    def build(r):
        style = {"colormap": "magma"} if colors == "scalars" else {}
        return r.add_mesh(random_points(3000, 1, colors), style="points", size=3, **style)

    tri, _, rt, tid = render(monkeypatch, "triangles", build)
    comp, _, rc, cid = render(monkeypatch, "compute", build)
    assert (rt.points_raster(tid), rc.points_raster(cid)) == ("triangles", "compute")
    assert covered(tri) > 0.2 * tri.shape[0] * tri.shape[1]
    # Only pixels on a disc's rim, or where two points are at the same depth
    # to float rounding, may differ.
    assert differing(tri, comp) <= 0.002 * covered(tri), differing(tri, comp)


def test_the_depth_plane_is_the_same_and_other_layers_occlude_points(monkeypatch):
    # A plane at z = 0 hides the points below it and is hidden by those above.
    def build(r):
        r.set_camera(eye=(0.3, -3.0, 2.0), target=(0.0, 0.0, 0.0), up=(0.0, 0.0, 1.0))
        r.add_mesh(prim.plane(1.6, 2), color=(0.2, 0.8, 0.2))
        return r.add_mesh(random_points(4000, 2), style="points", size=4, color=(1.0, 0.0, 0.0))

    tri, tri_depth, _, _ = render(monkeypatch, "triangles", build, outputs=True)
    comp, comp_depth, r, mid = render(monkeypatch, "compute", build, outputs=True)
    assert r.points_raster(mid) == "compute"
    red = (comp[..., 0] == 255) & (comp[..., 1] == 0)
    green = comp[..., 1] > comp[..., 0]
    assert red.sum() > 500 and green.sum() > 500
    assert differing(tri, comp) <= 0.002 * covered(tri)
    same = np.isclose(tri_depth, comp_depth, rtol=1e-6, atol=1e-6) | (
        np.isnan(tri_depth) & np.isnan(comp_depth)
    )
    assert (~same).sum() <= 0.002 * covered(tri)


def test_a_later_point_at_the_same_place_wins_as_with_the_depth_test(monkeypatch):
    pos = np.zeros((3, 3), np.float32)
    colors = np.array([[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255]], np.uint8)

    def build(r):
        return r.add_mesh(forge3d.Points(pos, colors, size=9))

    for mode in ("triangles", "compute"):
        img, _, _, _ = render(monkeypatch, mode, build, size=(64, 64))
        assert tuple(img[32, 32, :3]) == (0, 0, 255), mode


def test_points_behind_the_eye_beyond_the_far_plane_or_off_screen_are_not_drawn(monkeypatch):
    # The camera at y = -3 looks at the origin with clip planes 1 and 100:
    # behind it, beyond the far plane, far to the side and far below.
    pos = np.array(
        [[0.0, 0.0, 0.0], [0.0, -10.0, 0.0], [0.0, 1e6, 0.0], [1e7, 0.0, 0.0], [0.0, 0.0, -1e30]],
        np.float32,
    )

    def build(r):
        r.set_camera(eye=(0.0, -3.0, 0.0), target=(0.0, 0.0, 0.0), up=(0.0, 0.0, 1.0),
                     znear=1.0, zfar=100.0)
        return r.add_mesh(forge3d.Points(pos, size=5), color=(1.0, 1.0, 1.0))

    tri, _, _, _ = render(monkeypatch, "triangles", build, size=(96, 96))
    comp, _, _, _ = render(monkeypatch, "compute", build, size=(96, 96))
    assert np.array_equal(tri, comp)
    assert 5 <= covered(comp) <= 40  # the one point at the origin


@pytest.mark.parametrize("size", [1.5, 6.0, 40.0])
def test_a_computed_point_is_a_round_disc_of_its_size_in_pixels(monkeypatch, size):
    monkeypatch.setenv("FORGE3D_POINTS", "compute")
    w = h = 128
    r = forge3d.Renderer(w, h)
    empty = r.render().to_numpy().copy()
    r.add_mesh(forge3d.Points(np.zeros((1, 3), np.float32), size=size), color=(1.0, 0.0, 0.0))
    r.set_camera(eye=(0.0, -10.0, 0.0), target=(0.0, 0.0, 0.0), up=(0.0, 0.0, 1.0))
    img = r.render().to_numpy()
    on = (img[..., :3] != empty[..., :3]).any(axis=-1)
    yy, xx = np.mgrid[0:h, 0:w] + 0.5
    dist = np.hypot(xx - w / 2, yy - h / 2)
    assert on[dist < size / 2 - 0.05].all()
    assert not on[dist > size / 2 + 0.05].any()
    assert on.sum() >= 1


def test_tiled_targets_resolve_each_tile_at_its_rows(monkeypatch):
    # 1024 x 700 RGBA in 1 MiB tiles: 256 rows each, the last one partial.
    def build(r):
        return r.add_mesh(random_points(20000, 3, "rgba8"), style="points", size=2)

    monkeypatch.setenv("FORGE3D_TILE_MIB", "1")
    tiled, _, r, mid = render(monkeypatch, "compute", build, size=(1024, 700))
    assert r.points_raster(mid) == "compute"
    monkeypatch.setenv("FORGE3D_TILE_MIB", "0")
    whole, _, _, _ = render(monkeypatch, "compute", build, size=(1024, 700))
    tri, _, _, _ = render(monkeypatch, "triangles", build, size=(1024, 700))
    assert np.array_equal(tiled, whole)
    assert differing(tri, whole) <= 0.002 * covered(tri)
    assert covered(whole[600:]) > 0  # the partial last tile holds points too


def test_msaa_targets_draw_the_same_points_either_way(monkeypatch):
    # With 4 samples a pixel is kept or dropped whole by both ways (the
    # triangle's disc test runs per pixel), except where a triangle's edge
    # cuts a kept pixel, near the three points where it touches its disc:
    # there the triangles blend in a share of the background.
    def build(r):
        r.set_msaa(4)
        return r.add_mesh(random_points(50000, 4), style="points", size=2)

    tri, _, rt, tid = render(monkeypatch, "triangles", build)
    comp, _, rc, cid = render(monkeypatch, "compute", build)
    auto, _, ra, aid = render(monkeypatch, "auto", build)
    assert [r.points_raster(i) for r, i in ((rt, tid), (rc, cid), (ra, aid))] == [
        "triangles", "compute", "compute",
    ]
    assert covered(tri) > 0.3 * tri.shape[0] * tri.shape[1]
    assert differing(tri, comp) <= 0.03 * covered(tri), differing(tri, comp)
    assert np.array_equal(comp, auto)


def test_auto_chooses_compute_for_many_small_points_and_triangles_otherwise(monkeypatch):
    monkeypatch.setenv("FORGE3D_POINTS", "auto")
    r = forge3d.Renderer(64, 64)  # 4096 pixels: compute from 86 points
    few = r.add_mesh(random_points(80, 5), style="points", size=2)
    many = r.add_mesh(random_points(300, 6), style="points", size=2)
    big = r.add_mesh(random_points(300, 7), style="points", size=20)
    surface = r.add_mesh(prim.cube(0.5))
    assert r.points_raster(many) is None  # before any frame
    r.render()
    assert [r.points_raster(i) for i in (few, many, big, surface)] == [
        "triangles", "compute", "triangles", None,
    ]
    r.set_mesh_style(many, style="surface")
    r.render()
    assert r.points_raster(many) is None
    # An empty point set draws nothing, by neither way.
    empty = r.add_mesh(forge3d.Points(np.zeros((0, 3), np.float32)), style="points")
    r.render()
    assert r.points_raster(empty) is None
    with pytest.raises(ValueError, match="no mesh with id 999"):
        r.points_raster(999)


def test_an_unknown_choice_names_the_variable_and_the_choices(monkeypatch):
    monkeypatch.setenv("FORGE3D_POINTS", "fast")
    r = forge3d.Renderer(32, 32)
    r.add_mesh(random_points(10), style="points")
    with pytest.raises(ValueError, match="FORGE3D_POINTS.*auto.*triangles.*compute"):
        r.render()


def test_streaming_positions_redraws_them_each_frame(monkeypatch):
    monkeypatch.setenv("FORGE3D_POINTS", "compute")
    r = forge3d.Renderer(64, 64)
    r.set_camera_top_down()
    pts = forge3d.Points(np.array([[-0.5, 0.5, 0.0], [0.5, -0.5, 0.0]], np.float32), size=6)
    r.add_mesh(pts, color=(1.0, 1.0, 0.0))
    r.add_mesh(prim.plane(0.01, 1))  # fixes the camera's bounds
    first = r.render().to_numpy().copy()
    pts.set_vertices(np.array([[0.5, 0.5, 0.0], [-0.5, -0.5, 0.0]], np.float32))
    second = r.render().to_numpy().copy()
    assert covered(first) == covered(second) > 0
    # The discs moved to the other diagonal: none of the first frame's are left.
    yellow = lambda img: (img[..., 0] > 200) & (img[..., 2] < 50)  # noqa: E731
    assert not (yellow(first) & yellow(second)).any()


def test_a_frame_too_large_for_one_storage_binding_draws_triangles_even_when_forced(monkeypatch):
    # The per-pixel words of the frame must fit one storage binding (128 MiB
    # on lavapipe); larger frames draw triangles, and say so.
    limit = forge3d.device_info()["max_storage_buffer_binding_size"]
    width = 8192
    height = limit // (4 * width) + 1  # one row more than fits
    if width * height * 4 > forge3d.device_info()["max_buffer_size"] or height > 16384:
        pytest.skip(f"a frame past a {limit}-byte binding is larger than this device renders")
    monkeypatch.setenv("FORGE3D_POINTS", "compute")
    pts = random_points(1000, 8)
    r, r2 = forge3d.Renderer(width, height), forge3d.Renderer(width, height - 1)
    big, fits = r.add_mesh(pts, style="points"), r2.add_mesh(pts, style="points")
    r.render()
    assert r.points_raster(big) == "triangles"
    del r  # its frame memory, before the next one's
    r2.render()
    assert r2.points_raster(fits) == "compute"
