"""Heights larger than one GPU texture: split into tiles of texture layers
and drawn as one surface, with the same look.

Two ways: a real 20000 x 20000 DEM on a device whose textures are narrower
(lavapipe's 16384), and small DEMs in a child process whose device is asked
for textures of at most 512 texels (FORGE3D_MAX_TEXTURE_SIDE), compared
pixel for pixel with the same DEM drawn untiled here."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import forge3d

SIDE = 512  # the emulated device's texture side


def hills(rows, cols):
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float32)
    h = 200 * np.exp(-((x - 0.3 * cols) ** 2 + (y - 0.4 * rows) ** 2) / (2 * (0.12 * cols) ** 2))
    h += 120 * np.exp(-((x - 0.75 * cols) ** 2 + (y - 0.6 * rows) ** 2) / (2 * (0.08 * cols) ** 2))
    h += 10 * np.sin(x / 37) * np.cos(y / 23)
    return h.astype(np.float32)


# What both processes draw: `scene(h, relief)` returns the frame and terrain_info.
SCENE = '''
import numpy as np, forge3d

def scene(h, relief):
    r = forge3d.Renderer(320, 200)
    r.add_terrain(h, colormap="terrain", spacing=(2.0, 2.0))
    if relief:
        r.set_sun(250.0, 20.0)
        r.set_shadows(softness=1.0)
        r.set_ambient_occlusion(0.6)
    else:
        r.set_ambient_occlusion(0)
        r.set_contours(25.0, major_every=4)
        r.set_water(40.0)
        img = np.zeros((64, 96, 4), np.uint8)
        img[..., 0] = np.arange(96, dtype=np.uint8)[None, :] * 2
        img[::8, :, 1] = 255
        img[..., 3] = 255
        r.add_overlay(img, opacity=0.5)
    r.set_camera_orbit(azimuth_deg=30.0, elevation_deg=40.0)
    rgba, xyz = r.render(outputs=("rgba", "xyz"))
    info = r.terrain_info()
    return rgba.to_numpy().copy(), xyz.to_numpy().copy(), info
'''


def run_emulated(tmp_path, shape, relief, heights_memory="texture"):
    """The scene drawn in a child process on a device with SIDE-texel
    textures; returns (rgba, xyz, heights_tiles, relief_cells_per_texel)."""
    out = tmp_path / "out.npz"
    code = SCENE + textwrap.dedent(f"""
        import json, sys
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        from test_terrain_tiled import hills
        assert forge3d.device_info()["max_texture_dimension"] == {SIDE}
        rgba, xyz, info = scene(hills(*{shape!r}), {relief!r})
        np.savez({str(out)!r}, rgba=rgba, xyz=xyz)
        print(json.dumps([info["heights_tiles"], info["relief_cells_per_texel"],
                          info["heights_memory"]]))
    """)
    env = dict(os.environ, FORGE3D_MAX_TEXTURE_SIDE=str(SIDE),
               FORGE3D_TERRAIN_HEIGHTS=heights_memory)
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    tiles, stride, memory = json.loads(p.stdout.strip().splitlines()[-1])
    assert memory == heights_memory
    z = np.load(out)
    return z["rgba"], z["xyz"], tuple(tiles), stride


def here(h, relief, monkeypatch):
    monkeypatch.setenv("FORGE3D_TERRAIN_HEIGHTS", "texture")
    ns: dict = {}
    exec(SCENE, ns)
    rgba, xyz, info = ns["scene"](h, relief)
    assert info["heights_tiles"] == (1, 1) and info["relief_cells_per_texel"] == 1
    return rgba, xyz


def test_an_emulated_small_device_must_allow_frames_and_names_its_limit(monkeypatch):
    code = "import forge3d; forge3d.device_info()"
    env = dict(os.environ, FORGE3D_MAX_TEXTURE_SIDE="100")
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode != 0 and "FORGE3D_MAX_TEXTURE_SIDE=100 must be at least 256" in p.stderr


@pytest.mark.parametrize("shape, tiles", [((700, 1300), (2, 3)), ((300, 1100), (1, 3)),
                                          ((1030, 400), (3, 1))])
def test_tiled_heights_draw_exactly_as_untiled(tmp_path, monkeypatch, shape, tiles):
    """Contours, water and an overlay over heights split into column tiles
    and bands (layers of at most 512 x 512): the same pixels and the same
    world positions as the one-layer texture, because every read returns
    the same height."""
    h = hills(*shape)
    rgba_t, xyz_t, got_tiles, _ = run_emulated(tmp_path, shape, relief=False)
    assert got_tiles == tiles
    rgba, xyz = here(h, False, monkeypatch)
    assert (rgba[..., :3] != rgba[0, 0, :3]).any(axis=-1).mean() > 0.2  # the terrain fills it
    np.testing.assert_array_equal(rgba_t, rgba)
    np.testing.assert_array_equal(xyz_t, xyz)


def test_shadows_and_occlusion_of_tiled_heights_look_the_same(tmp_path, monkeypatch):
    """Past the texture side the relief is computed per block of cells
    (3 x 3 here): the picture stays the same within a level or two, with
    no seams at the tiles' borders."""
    shape = (700, 1300)
    h = hills(*shape)
    rgba_t, _, tiles, stride = run_emulated(tmp_path, shape, relief=True)
    assert tiles == (2, 3) and stride == 3
    rgba, _ = here(h, True, monkeypatch)
    d = np.abs(rgba_t[..., :3].astype(int) - rgba[..., :3])
    assert d.mean() < 0.5 and np.percentile(d, 99) <= 6, (d.mean(), np.percentile(d, 99))
    # The shadows are there: the low sun leaves part of the terrain dark.
    assert (rgba_t[..., :3].sum(-1) < rgba[..., :3].sum(-1).max() * 0.4).mean() > 0.01


def test_a_pillars_shadow_keeps_its_length_when_relief_is_per_block(tmp_path):
    """A pillar 30 high casts a shadow 30 / tan(elevation) long: with relief
    per 3 x 3 cells it is still that long, within one block."""
    n, height, pc, elevation = 1100, 30.0, 700, 30.0
    code = textwrap.dedent(f"""
        import numpy as np, forge3d
        h = np.zeros(({n}, {n}), np.float32)
        h[545:555, {pc - 4}:{pc + 5}] = {height}
        r = forge3d.Renderer(480, 480)
        r.add_terrain(h, colormap=np.full((2, 3), 0.5, np.float32))
        r.set_ambient_occlusion(0)
        # A top-down view of 160 x 160 cells around the pillar, mostly west of it.
        r.set_camera_top_down(extent=({pc - 140}, {pc + 20}, {n - 1 - 630}, {n - 1 - 470}))
        r.set_sun(90.0, {elevation}, 0.7)
        r.set_ambient(0.3)
        r.set_shadows(softness=0.0)
        rgba, xyz = r.render(outputs=("rgba", "xyz"))
        assert r.terrain_info()["relief_cells_per_texel"] == 3
        np.savez({str(tmp_path / "p.npz")!r}, rgba=rgba.to_numpy(), xyz=xyz.to_numpy())
    """)
    env = dict(os.environ, FORGE3D_MAX_TEXTURE_SIDE=str(SIDE))
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    z = np.load(tmp_path / "p.npz")
    xyz, red = z["xyz"], z["rgba"][..., 0].astype(float)
    row_px = int(np.nanargmin(np.abs(xyz[:, 240, 1] - (n - 1 - 550))))
    x, red = xyz[row_px, :, 0], red[row_px]
    lit = 255 * 0.5 * (0.3 + 0.7 * math.sin(math.radians(elevation)))
    dark_level = 255 * 0.5 * 0.3
    dark = (red < (lit + dark_level) / 2) & (x < pc - 6)
    length = (pc - 4) - x[dark].min()
    want = height / math.tan(math.radians(elevation))
    assert abs(length - want) <= 3.0, (length, want)
    assert not (dark & (x < pc - 4 - want - 3)).any()


def test_heights_past_host_memory_on_a_cpu_adapter_are_a_memory_error(device):
    if not device["software"]:
        pytest.skip("on a GPU the heights go to its own memory")
    huge = np.broadcast_to(np.float32(1), (100_000, 100_000))  # 37 GiB, past this host
    with pytest.raises(MemoryError, match=r"\(100000, 100000\) needs 37\.\d GiB of GPU memory, "
                       "which on this CPU adapter .* is host memory"):
        forge3d.Renderer(8, 8).add_terrain(huge)


def test_a_20000_square_dem_renders_on_this_device(device):
    """The size the issue names for this machine: 1.6 GB of float32, wider
    than lavapipe's 16384-texel textures. A plane's colour at known cells on
    both sides of the column-tile border shows every read lands in the
    right tile; the host memory it takes stays within the heights' GPU copy
    (host memory on a CPU adapter) plus bounded working memory."""
    n = 20000
    if device["max_texture_dimension"] >= n:
        pytest.skip("this device's textures are not narrower than 20000")
    h = np.empty((n, n), np.float32)
    np.add(np.arange(n, dtype=np.float32)[None, :] * 0.5,
           np.arange(n, dtype=np.float32)[:, None] * 0.25, out=h)  # 0 .. 14999.25
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets the peak resident size
        rss = lambda key: int(next(l for l in open("/proc/self/status")
                                   if l.startswith(key)).split()[1]) * 1024
        base = rss("VmRSS:")
    except OSError:
        base = None
    r = forge3d.Renderer(64, 64)
    r.add_terrain(h, colormap="gray")
    r.set_ambient_occlusion(0)
    r.set_sun(0.0, 90.0, 0.0)
    r.set_ambient(1.0)
    info = r.terrain_info()
    tiles = info["heights_tiles"]
    assert tiles[1] >= 2, info
    tile_cols = math.ceil(n / tiles[1])
    # 64 x 64 cells around the first tile border, rows 9000..9063.
    c0, r0 = tile_cols - 32, 9000
    r.set_camera_top_down(extent=(c0 - 0.5, c0 + 63.5, n - 1 - r0 - 63.5, n - 1 - r0 + 0.5))
    img = r.render().to_numpy()[..., 0].astype(float)
    cols = c0 + np.arange(64)[None, :]
    rows = r0 + np.arange(64)[:, None]
    lo, hi = info["data_range"]
    assert (lo, hi) == (0.0, 0.75 * (n - 1))
    want = 255 * (0.5 * cols + 0.25 * rows - lo) / (hi - lo)
    # The gray colormap's 256 levels: within a level and a half everywhere.
    assert np.abs(img - want).max() <= 1.5, np.abs(img - want).max()
    if base is not None:
        extra = rss("VmHWM:") - base
        gpu_copy = h.nbytes if device["software"] else 0
        assert extra < gpu_copy + (512 << 20), (extra >> 20, gpu_copy >> 20)
