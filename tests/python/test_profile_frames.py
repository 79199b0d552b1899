"""Renderer.profile: where a frame's time goes, on the CPU and (with
timestamps, which lavapipe has) on the GPU."""

from __future__ import annotations

import numpy as np
import pytest

import forge3d

CPU = ("cpu_prepare_ms", "cpu_record_ms", "cpu_wait_ms", "cpu_total_ms")


def test_an_empty_scene_times_the_render_and_the_copy():
    r = forge3d.Renderer(256, 128)  # rows of 1024 bytes: no packing
    p = r.profile(5, warmup=1)
    assert p["frames"] == 5
    assert all(p[k] >= 0 for k in CPU)
    # Medians of parts are not parts of medians, but no part exceeds the whole.
    assert max(p[k] for k in CPU[:3]) <= p["cpu_total_ms"]
    if forge3d.device_info()["backend"] == "vulkan":
        assert p["gpu_timestamps"]
        assert {"gpu_render_ms", "gpu_copy_ms", "gpu_total_ms"} <= set(p)
        assert "gpu_pack_ms" not in p and "gpu_prepare_ms" not in p
        assert p["gpu_render_ms"] > 0 and p["gpu_copy_ms"] > 0
        assert p["gpu_render_ms"] + p["gpu_copy_ms"] <= p["gpu_total_ms"] * 1.5 + 0.01


def test_packed_rows_and_compute_drawn_points_have_their_own_steps(monkeypatch):
    monkeypatch.setenv("FORGE3D_POINTS", "compute")
    r = forge3d.Renderer(250, 100)  # 1000-byte rows: packed on the GPU
    pts = forge3d.Points(np.random.default_rng(0).random((20000, 3), dtype=np.float32), size=2)
    r.add_mesh(pts)
    p = r.profile(3)
    if forge3d.device_info()["backend"] != "vulkan":
        pytest.skip("GPU steps need timestamps (checked on Vulkan)")
    for k in ("gpu_prepare_ms", "gpu_pack_ms", "gpu_render_ms", "gpu_copy_ms"):
        assert p[k] > 0, (k, p)
    # The compute passes are the prepare step's; the frame still renders
    # the same (profiling changes nothing drawn).
    assert r.points_raster(r.mesh_ids[0]) == "compute"
    assert np.array_equal(r.render().to_numpy(), r.render().to_numpy())


def test_profiling_leaves_the_frames_and_the_readback_pool_as_they_were():
    r = forge3d.Renderer(64, 64)
    r.add_mesh(forge3d.primitives.sphere(0.5, 16), color=(1, 0, 0))
    before = r.render().to_numpy().copy()
    r.profile(4)
    assert np.array_equal(r.render().to_numpy(), before)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"frames": 0}, "frames"), ({"frames": 10_001}, "frames"), ({"warmup": -1}, "warmup")],
)
def test_bad_counts_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        forge3d.Renderer(16, 16).profile(**kwargs)


def test_a_count_must_be_an_int():
    with pytest.raises(TypeError, match="frames"):
        forge3d.Renderer(16, 16).profile(2.5)


def test_a_frame_of_many_tiles_is_timed_whole(monkeypatch):
    # 1 MiB tiles of 1000-pixel rows: 262 rows each, 31 tiles of marks.
    monkeypatch.setenv("FORGE3D_TILE_MIB", "1")
    r = forge3d.Renderer(1000, 8000)
    p = r.profile(2, warmup=0)
    if not p["gpu_timestamps"]:
        pytest.skip("GPU steps need timestamps (lavapipe has them)")
    # Every tile's render and copy are in the GPU's total: it is most of the
    # time the CPU waited, not a part of it.
    assert p["gpu_total_ms"] >= 0.5 * p["cpu_wait_ms"], p
    assert p["gpu_render_ms"] + p["gpu_copy_ms"] <= p["gpu_total_ms"] * 1.01 + 0.01
