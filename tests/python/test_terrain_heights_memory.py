"""Where terrain heights live on the GPU (FORGE3D_TERRAIN_HEIGHTS): a texture
filled by GPU copies, or a host-mapped storage buffer the shader reads
(the default on CPU adapters). Both must draw the same pixels."""

import os
import subprocess
import sys

import numpy as np
import pytest

import forge3d


def dem(rows, cols, seed=0):
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float32)
    rng = np.random.default_rng(seed)
    h = 40 * np.sin(x / (cols / 9)) * np.cos(y / (rows / 7)) + rng.random((rows, cols), dtype=np.float32)
    return h.astype(np.float32)


def render(monkeypatch, mode, heights, size=(96, 80), **kw):
    monkeypatch.setenv("FORGE3D_TERRAIN_HEIGHTS", mode)
    r = forge3d.Renderer(*size)
    r.add_terrain(heights, exaggeration=3.0, **kw)
    return r, r.render_terrain_rgba().copy()


def test_texture_and_buffer_draw_identical_pixels_with_holes_and_nodata(monkeypatch):
    h = dem(300, 420)
    h[40:70, 100:180] = np.nan
    h[200:220, 10:30] = -9999.0
    before = h.copy()
    frames = {}
    for mode in ("texture", "buffer"):
        r, frames[mode] = render(monkeypatch, mode, h, nodata=-9999.0)
        info = r.terrain_info()
        assert info["heights_memory"] == mode
        assert info["holes"] == 30 * 80 + 20 * 20
    np.testing.assert_array_equal(h, before)  # the caller's array is untouched
    assert frames["texture"].std() > 10  # a real picture, not a blank frame
    np.testing.assert_array_equal(frames["texture"], frames["buffer"])


def test_auto_picks_the_buffer_on_cpu_adapters_and_the_texture_elsewhere(monkeypatch):
    monkeypatch.delenv("FORGE3D_TERRAIN_HEIGHTS", raising=False)
    r = forge3d.Renderer(32, 32)
    r.add_terrain(dem(20, 30))
    software = forge3d.device_info()["software"]
    assert r.terrain_info()["heights_memory"] == ("buffer" if software else "texture")


@pytest.mark.parametrize("mode", ["texture", "buffer"])
def test_one_copy_from_the_callers_memory_either_way(monkeypatch, mode):
    monkeypatch.setenv("FORGE3D_TERRAIN_HEIGHTS", mode)
    h = dem(123, 77)
    r = forge3d.Renderer(32, 32)
    with forge3d.copy_ledger() as ledger:
        r.add_terrain(h)
    (rec,) = ledger.records
    assert (rec.operation, rec.source_ptr, rec.bytes) == ("upload", h.ctypes.data, h.nbytes)
    assert r.terrain_info()["heights_memory"] == mode


def test_heights_larger_than_one_storage_binding_are_drawn_from_several(monkeypatch):
    # 2100 rows of 16384: 137 MB, more than llvmpipe's 128 MiB binding limit,
    # so the buffer is bound as two bands of rows.
    rows, cols = 2100, 16384
    if cols > forge3d.device_info()["max_texture_dimension"]:
        pytest.skip("this device's textures are narrower than 16384")
    h = np.empty((rows, cols), np.float32)
    y = np.arange(rows, dtype=np.float32)[:, None]
    x = np.arange(cols, dtype=np.float32)[None, :]
    np.multiply(np.sin(x / 900.0), 200.0, out=h)
    h += 150.0 * np.cos(y / 150.0)
    frames = {}
    for mode in ("texture", "buffer"):
        r, frames[mode] = render(monkeypatch, mode, h, size=(128, 48))
        assert r.terrain_info()["heights_memory"] == mode
        del r
    assert frames["texture"].std() > 10
    np.testing.assert_array_equal(frames["texture"], frames["buffer"])


def test_replacing_a_buffer_terrain_reuses_memory_without_mixing_terrains(monkeypatch):
    monkeypatch.setenv("FORGE3D_TERRAIN_HEIGHTS", "buffer")
    terrains = [dem(256, 256, seed=s) * (1 + s) for s in range(4)]
    fresh = []
    for h in terrains:
        r = forge3d.Renderer(64, 64)
        r.add_terrain(h)
        fresh.append(r.render_terrain_rgba().copy())
    r = forge3d.Renderer(64, 64)
    for h, want in zip(terrains, fresh):
        r.add_terrain(h)
        np.testing.assert_array_equal(r.render_terrain_rgba(), want)
    assert not np.array_equal(fresh[0], fresh[1])


def test_a_failed_upload_leaves_the_buffer_terrain_as_it_was(monkeypatch):
    monkeypatch.setenv("FORGE3D_TERRAIN_HEIGHTS", "buffer")
    good = dem(200, 200)
    r = forge3d.Renderer(64, 64)
    r.add_terrain(good)
    before = r.render_terrain_rgba().copy()
    for _ in range(3):  # each failure gives its buffer back; none leaks in
        bad = dem(200, 200, seed=5)
        bad[150, 17] = np.inf
        with pytest.raises(ValueError, match="infinite"):
            r.add_terrain(bad)
        np.testing.assert_array_equal(r.render_terrain_rgba(), before)
        assert r.terrain_info()["heights_memory"] == "buffer"


def test_an_unknown_setting_is_a_value_error_naming_the_choices():
    code = "import numpy as np, forge3d; forge3d.Renderer(8, 8).add_terrain(np.ones((4, 4), np.float32))"
    env = dict(os.environ, FORGE3D_TERRAIN_HEIGHTS="vram")
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert p.returncode == 1
    assert "ValueError" in p.stderr
    assert "FORGE3D_TERRAIN_HEIGHTS" in p.stderr and "auto, texture, buffer" in p.stderr


@pytest.mark.parametrize("mode", ["texture", "buffer"])
def test_rejected_heights_of_the_same_shape_leave_the_previous_terrain_drawn(monkeypatch, mode):
    # The texture store refills a same-shape terrain's texture in place: an
    # input rejected after its copy (all holes, or an infinity) must not
    # have reached it, nor the ledger.
    r, first = render(monkeypatch, mode, dem(64, 48))
    bad_inputs = [np.full((64, 48), np.nan, np.float32), dem(64, 48, seed=1)]
    bad_inputs[1][63, 47] = np.inf
    for bad in bad_inputs:
        with forge3d.copy_ledger() as ledger:
            with pytest.raises(ValueError, match="nothing to draw|infinite"):
                r.add_terrain(bad)
        assert ledger.copies == 0, ledger.report()
        assert r.terrain_info()["heights_memory"] == mode
        np.testing.assert_array_equal(r.render_terrain_rgba(), first)
