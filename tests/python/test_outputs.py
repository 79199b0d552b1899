"""Depth and xyz planes beside the colour frame, and picking: checked
against the camera maths, and proved zero-copy (pointer equality and the
copy ledger)."""

from __future__ import annotations

import numpy as np
import pytest

import forge3d


def flat(h=5.0, shape=(64, 96), spacing=2.0, size=(200, 100)):
    r = forge3d.Renderer(*size)
    r.add_terrain(np.full(shape, h, np.float32), spacing=spacing)
    return r


def test_top_down_xyz_and_depth_follow_the_orthographic_camera():
    r = flat()
    r.set_camera_top_down()
    rgba, depth, xyz = r.render(outputs=("rgba", "depth", "xyz"))
    d, p = depth.to_numpy(), xyz.to_numpy()
    assert d.shape == (100, 200) and p.shape == (100, 200, 3)
    assert d.dtype == np.float32 and p.dtype == np.float32
    drawn = ~np.isnan(d)
    # The terrain spans x 0..190, y 0..126; aspect 2 fits its height.
    assert 0.5 < drawn.mean() < 0.9
    assert np.allclose(p[drawn][:, 2], 5.0, atol=1e-3)
    # Distances from the image plane: the same everywhere on flat ground.
    assert np.ptp(d[drawn]) < 1e-3
    # x grows by one pixel's width per column, y falls per row.
    px = (126.0 / 100)
    row = p[50][drawn[50]]
    assert np.allclose(np.diff(row[:, 0]), px, rtol=1e-3)
    col = p[:, 100][drawn[:, 100]]
    assert np.allclose(np.diff(col[:, 1]), -px, rtol=1e-3)
    # Where nothing is drawn all three coordinates are NaN.
    assert np.isnan(p[~drawn]).all()
    # The colour frame agrees: background where the planes are NaN.
    assert (rgba.to_numpy()[~drawn][:, :3] == r.background[:3]).all()


def test_perspective_depth_is_the_distance_from_the_eye():
    r = flat(0.0)
    r.set_camera((95.0, -60.0, 90.0), (95.0, 63.0, 0.0))
    depth, xyz = r.render(outputs=("depth", "xyz"))
    d, p = depth.to_numpy(), xyz.to_numpy()
    drawn = ~np.isnan(d)
    assert drawn.mean() > 0.3
    assert np.allclose(p[drawn][:, 2], 0.0, atol=2e-2)
    eye = np.array([95.0, -60.0, 90.0])
    want = np.linalg.norm(p[drawn] - eye, axis=1)
    assert np.allclose(d[drawn], want, rtol=1e-4)
    # Nearer rows (lower in the image) are closer.
    rows = np.nanmean(np.where(drawn, d, np.nan), axis=1)
    rows = rows[~np.isnan(rows)]
    assert rows[-1] < rows[0]


def test_xyz_lies_on_the_heights():
    y, x = np.mgrid[0:48, 0:64].astype(np.float32)
    h = (3 * np.sin(x / 7) + 2 * np.cos(y / 5)).astype(np.float32)
    r = forge3d.Renderer(160, 120)
    r.add_terrain(h)
    r.set_camera_orbit(210, 40)
    p = r.render(outputs=("xyz",))[0].to_numpy()
    drawn = ~np.isnan(p[..., 0])
    pts = p[drawn]
    col, up = pts[:, 0], pts[:, 1]
    row = 47 - up
    ok = (col > 0.5) & (col < 62.5) & (row > 0.5) & (row < 46.5)
    # Bilinear heights at the points (the surface drawn between texels).
    c0, r0 = np.floor(col[ok]).astype(int), np.floor(row[ok]).astype(int)
    fc, fr = col[ok] - c0, row[ok] - r0
    hb = (h[r0, c0] * (1 - fc) * (1 - fr) + h[r0, c0 + 1] * fc * (1 - fr)
          + h[r0 + 1, c0] * (1 - fc) * fr + h[r0 + 1, c0 + 1] * fc * fr)
    # The grid drawn is the full grid here, so the surface is the bilinear
    # patchwork up to its triangulation: within a fraction of the relief.
    assert np.median(np.abs(pts[ok, 2] - hb)) < 0.05


def test_planes_are_zero_copy_and_export_everywhere():
    pa = pytest.importorskip("pyarrow")
    r = flat()
    with forge3d.copy_ledger() as ledger:
        rgba, depth, xyz = r.render(outputs=("rgba", "depth", "xyz"))
    assert ledger.records == []
    for plane in (depth, xyz):
        a = plane.to_numpy()
        assert a.ctypes.data == plane.ptr and a.base is plane
        assert np.asarray(plane).ctypes.data == plane.ptr
        assert np.from_dlpack(plane).ctypes.data == plane.ptr
        arr = pa.array(plane)
        assert arr.storage.values.buffers()[1].address == plane.ptr
        assert plane.origin == "mapped_readback" and plane.nbytes == a.nbytes
    assert depth.name == "depth" and xyz.name == "xyz"
    assert rgba.to_numpy().ctypes.data == rgba.ptr


def test_outputs_in_the_order_asked_and_the_plain_render_is_unchanged():
    r = flat()
    d, f = r.render(outputs=["depth", "rgba"])
    assert isinstance(d, forge3d.Plane) and isinstance(f, forge3d.Frame)
    assert np.array_equal(f.to_numpy(), r.render().to_numpy())
    (only,) = r.render(outputs=("rgba",))
    assert isinstance(only, forge3d.Frame)
    # With MSAA the planes come from sample 0 and keep their shapes.
    r.set_msaa(4)
    d4 = r.render(outputs=("depth",))[0].to_numpy()
    assert d4.shape == (100, 200) and np.isfinite(d4).any()


def test_planes_on_tiled_targets_match_untiled(monkeypatch):
    r = flat(size=(300, 257))
    r.set_camera_orbit(200, 35)
    whole = r.render(outputs=("depth", "xyz"))
    monkeypatch.setenv("FORGE3D_TILE_MIB", "1")
    r2 = flat(size=(300, 257))
    r2.set_camera_orbit(200, 35)
    tiled = r2.render(outputs=("depth", "xyz"))
    for a, b in zip(whole, tiled):
        a, b = a.to_numpy(), b.to_numpy()
        same = np.isnan(a) == np.isnan(b)
        assert same.mean() > 0.999
        both = ~np.isnan(a) & ~np.isnan(b)
        assert np.allclose(a[both], b[both], rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize(
    "outputs, exc, match",
    [
        (("rgba", "normals"), ValueError, 'unknown output "normals"'),
        (("depth", "depth"), ValueError, "named twice"),
        ((), ValueError, "at least one"),
        ("depth", TypeError, "not a string"),
        (5, TypeError, "sequence of names"),
    ],
)
def test_bad_outputs(outputs, exc, match):
    r = flat()
    with pytest.raises(exc, match=match):
        r.render(outputs=outputs)


def test_pick_returns_the_cell_and_world_point_under_a_pixel():
    r = flat(shape=(64, 96), spacing=2.0, size=(200, 100))
    r.set_camera_top_down()
    xyz = r.render(outputs=("xyz",))[0].to_numpy()
    hit = r.pick(100, 50)
    assert hit is not None
    assert hit["x"] == pytest.approx(float(xyz[50, 100, 0]), abs=1e-3)
    assert hit["y"] == pytest.approx(float(xyz[50, 100, 1]), abs=1e-3)
    assert hit["z"] == pytest.approx(5.0, abs=1e-3)
    assert hit["col"] == round(hit["x"] / 2.0)
    assert hit["row"] == 63 - round(hit["y"] / 2.0)
    # The image centre looks at the terrain's centre: cell (31.5, 47.5).
    assert abs(hit["row"] - 31.5) <= 1 and abs(hit["col"] - 47.5) <= 1
    assert hit["distance"] > 0
    # Background: None.
    assert r.pick(0, 0) is None


def test_pick_a_known_cell():
    h = np.zeros((32, 32), np.float32)
    h[10, 20] = 30.0  # a spike, the highest point
    r = forge3d.Renderer(256, 256)
    r.add_terrain(h)
    r.set_camera_top_down()
    p = r.render(outputs=("xyz",))[0].to_numpy()
    z = np.nan_to_num(p[..., 2], nan=-1)
    y, x = np.unravel_index(np.argmax(z), z.shape)
    hit = r.pick(int(x), int(y))
    assert (hit["row"], hit["col"]) == (10, 20)
    assert hit["z"] > 25


def test_pick_on_a_mesh_off_the_terrain_has_no_cell():
    r = forge3d.Renderer(64, 64)
    r.add_mesh(forge3d.primitives.sphere(1.0, 16))
    hit = r.pick(32, 32)
    assert hit is not None and hit["row"] is None and hit["col"] is None
    assert np.linalg.norm([hit["x"], hit["y"], hit["z"]]) == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("xy, exc", [((200, 0), ValueError), ((0, 100), ValueError), ((-1, 0), ValueError),
                                     (("a", 0), TypeError)])
def test_pick_outside_the_image(xy, exc):
    r = flat()
    with pytest.raises(exc):
        r.pick(*xy)
