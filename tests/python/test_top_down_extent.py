"""set_camera_top_down(extent=...) maps a world box exactly onto the image,
and set_terrain_detail chooses the grid the terrain's geometry is drawn
with."""

import numpy as np
import pytest

import forge3d


def ramp(rows=16, cols=24):
    """Heights that rise by 1 per column: each column its own colour."""
    return np.tile(np.arange(cols, dtype=np.float32), (rows, 1))


def renderer(w, h, heights):
    r = forge3d.Renderer(w, h, background=(0, 0, 0, 0))
    r.add_terrain(heights, colormap="gray", height_range=(0, heights.shape[1] - 1))
    r.set_ambient_occlusion(0)
    r.set_sun(0, 90, intensity=0)
    r.set_ambient(1.0)
    return r


def test_one_pixel_per_cell_puts_each_column_in_its_pixel():
    h = ramp()
    r = renderer(24, 16, h)
    # Cell (row, col) is at x = col, y = rows - 1 - row; pixel edges half
    # way between cell centres, centres nudged off the cells' edges.
    r.set_camera_top_down(extent=(-0.5 + 1 / 64, 23.5 + 1 / 64, -0.5, 15.5))
    img = r.render().to_numpy()
    grey = img[8, :23, 0].astype(int)
    want = np.round(np.arange(23) / 23 * 255)
    assert np.abs(grey - want).max() <= 2, (grey, want)
    # The terrain spans the cells' centres: the last column and the bottom
    # row of pixels, centred on (or just past) the last cell centres, are
    # outside it.
    assert (img[:15, :23, 3] == 255).all()
    assert (img[15, :, 3] == 0).all() and (img[:, 23, 3] == 0).all()


def test_neighbouring_boxes_join_into_the_whole_image():
    h = ramp(32, 32) + np.random.default_rng(1).random((32, 32)).astype(np.float32)
    whole_r = renderer(64, 64, h)
    whole_r.set_terrain_detail(31)
    whole_r.set_camera_top_down(extent=(-0.5, 31.5, -0.5, 31.5))
    whole = whole_r.render().to_numpy().copy()
    half = renderer(32, 64, h)
    half.set_terrain_detail(31)
    parts = []
    for left in (-0.5, 15.5):
        half.set_camera_top_down(extent=(left, left + 16, -0.5, 31.5))
        parts.append(half.render().to_numpy().copy())
    stitched = np.concatenate(parts, axis=1)
    off = (np.abs(stitched.astype(int) - whole).max(axis=2) > 8).mean()
    assert off < 0.01, off


def test_the_grid_follows_the_detail_asked():
    r = renderer(128, 128, ramp(600, 700))
    assert r.terrain_info()["grid"] == (64, 64)  # half the image, at least 64
    r.set_terrain_detail(1000)
    assert r.terrain_info()["grid"] == (699, 599)  # never more than the heights have
    r.set_terrain_detail(200)
    assert r.terrain_info()["grid"] == (200, 200)
    r.set_terrain_detail(None)
    assert r.terrain_info()["grid"] == (64, 64)
    r.add_terrain(ramp(600, 700))
    assert r.terrain_info()["grid"] == (64, 64)  # a new terrain starts afresh


def test_bad_values_name_the_argument():
    r = renderer(32, 32, ramp())
    for extent, exc in [
        ((0, 0, 0, 1), ValueError),
        ((0, 1, 2, 1), ValueError),
        ((0, float("nan"), 0, 1), ValueError),
        ((0, 1e300, 0, 1), ValueError),
        ((0, 1, 0), ValueError),
        ("abcd", TypeError),
        ((0, 1, 0, "1"), TypeError),
    ]:
        with pytest.raises(exc, match="extent"):
            r.set_camera_top_down(extent=extent)
    for cells, exc in [(0, ValueError), (5000, ValueError), (2.5, TypeError), ("9", TypeError)]:
        with pytest.raises(exc, match="cells"):
            r.set_terrain_detail(cells)
    with pytest.raises(RuntimeError):
        forge3d.Renderer(8, 8).set_terrain_detail(10)
