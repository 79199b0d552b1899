"""FORGE3D_TERRAIN_PREPASS: the terrain drawn depth first, then shaded where
its depth is equal, must draw exactly what one pass draws (colour, depth,
xyz, picking), for rough surfaces whose folds overlap many times, holes,
MSAA, water, a base, contours and overlays; and a bad value is an error."""

from __future__ import annotations

import numpy as np
import pytest

import forge3d


def rough(seed=1):
    rng = np.random.default_rng(seed)
    h = rng.normal(100, 30, (240, 320)).astype(np.float32)
    h[40:70, 100:150] = np.nan  # a hole
    h[200:, :20] = -9999.0  # nodata
    return h


def scene(monkeypatch, mode, msaa, detail):
    monkeypatch.setenv("FORGE3D_TERRAIN_PREPASS", mode)
    r = forge3d.Renderer(200, 150)
    if msaa > 1:
        r.set_msaa(msaa)
    r.add_terrain(rough(), colormap="terrain", nodata=-9999.0)
    # A grid coarser than the heights: holes then fall inside drawn cells.
    r.set_terrain_detail(detail)
    r.set_contours(15.0)
    r.set_water(80.0)
    r.set_base(depth=50.0)
    img = np.zeros((32, 48, 4), np.uint8)
    img[..., 0], img[..., 3] = 200, 255
    r.add_overlay(img, opacity=0.4)
    r.set_camera_orbit(azimuth_deg=30.0, elevation_deg=30.0)
    rgba, depth, xyz = r.render(outputs=("rgba", "depth", "xyz"))
    picked = r.pick(100, 75)
    return rgba.to_numpy().copy(), depth.to_numpy().copy(), xyz.to_numpy().copy(), picked


@pytest.mark.parametrize("msaa, detail", [(1, None), (4, None), (1, 50)])
def test_the_depth_prepass_draws_exactly_what_one_pass_draws(monkeypatch, msaa, detail):
    one = scene(monkeypatch, "off", msaa, detail)
    two = scene(monkeypatch, "on", msaa, detail)
    for a, b in zip(one[:3], two[:3]):
        np.testing.assert_array_equal(a, b)
    assert one[3] == two[3]
    # The scene is what it should be: terrain, holes and background all seen.
    assert len(np.unique(one[0].reshape(-1, 4), axis=0)) > 100
    assert np.isnan(one[2]).any() and np.isfinite(one[2]).any()


def test_a_bad_prepass_value_names_the_choices(monkeypatch):
    r = forge3d.Renderer(32, 32)
    r.add_terrain(rough())
    monkeypatch.setenv("FORGE3D_TERRAIN_PREPASS", "sometimes")
    with pytest.raises(ValueError, match="FORGE3D_TERRAIN_PREPASS.*off.*on"):
        r.render()
    monkeypatch.setenv("FORGE3D_TERRAIN_PREPASS", "")
    r.render()
