"""FORGE3D_CLEAR: the color target cleared by a compute pass gives the same
frames as the render pass's clear (every tile, packed rows, a transparent
background, other backgrounds set between frames), and MSAA targets keep
the pass's clear."""

from __future__ import annotations

import numpy as np
import pytest

import forge3d


def scene(kind):
    if kind == "terrain":
        r = forge3d.Renderer(250, 130)  # 1000-byte rows: packed on the GPU
        r.add_terrain(np.random.default_rng(0).random((64, 64), dtype=np.float32))
    elif kind == "transparent":
        r = forge3d.Renderer(256, 128, background=(10, 200, 30, 0))
        r.add_mesh(forge3d.primitives.sphere(0.5, 16), color=(1, 0, 0))
    elif kind == "points":
        r = forge3d.Renderer(320, 240)
        pts = np.random.default_rng(1).random((50000, 3), dtype=np.float32)
        r.add_mesh(forge3d.Points(pts, size=2))
    elif kind == "msaa":
        r = forge3d.Renderer(128, 128)
        r.set_msaa(4)
        r.add_mesh(forge3d.primitives.cube(0.5), color=(0, 1, 0))
    else:
        r = forge3d.Renderer(1024, 600)  # 1 MiB tiles below: 256 rows each
        r.add_mesh(forge3d.primitives.sphere(0.8, 24), color=(0, 0, 1))
    return r


@pytest.mark.parametrize("kind", ["terrain", "transparent", "points", "msaa", "tiled"])
def test_a_compute_clear_draws_the_frames_the_pass_clear_draws(monkeypatch, kind):
    if kind == "tiled":
        monkeypatch.setenv("FORGE3D_TILE_MIB", "1")
    frames = {}
    for mode in ("pass", "compute"):
        monkeypatch.setenv("FORGE3D_CLEAR", mode)
        frames[mode] = scene(kind).render().to_numpy().copy()
    assert np.array_equal(frames["pass"], frames["compute"])
    bg = frames["compute"][0, 0].tolist()
    assert bg == ([10, 200, 30, 0] if kind == "transparent" else [20, 22, 28, 255])


def test_a_new_background_is_filled_in_the_next_frame(monkeypatch):
    monkeypatch.setenv("FORGE3D_CLEAR", "compute")
    r = forge3d.Renderer(64, 64)
    assert r.render().to_numpy()[3, 3].tolist() == [20, 22, 28, 255]
    r.background = (200, 100, 50, 255)
    img = r.render().to_numpy()
    assert (img.reshape(-1, 4) == [200, 100, 50, 255]).all()


def test_the_clear_is_a_step_of_its_own_in_the_profile(monkeypatch):
    monkeypatch.setenv("FORGE3D_CLEAR", "compute")
    p = forge3d.Renderer(256, 64).profile(3)
    if not p["gpu_timestamps"]:
        pytest.skip("GPU steps need timestamps (lavapipe has them)")
    assert p["gpu_clear_ms"] > 0
    monkeypatch.setenv("FORGE3D_CLEAR", "pass")
    assert "gpu_clear_ms" not in forge3d.Renderer(256, 64).profile(3)


def test_an_unknown_choice_names_the_variable_and_the_choices(monkeypatch):
    monkeypatch.setenv("FORGE3D_CLEAR", "fast")
    with pytest.raises(ValueError, match="FORGE3D_CLEAR.*auto.*pass.*compute"):
        forge3d.Renderer(16, 16).render()
