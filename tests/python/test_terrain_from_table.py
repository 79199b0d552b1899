"""Renderer.add_terrain_from_table: rows to a terrain in one call. Binned on
the GPU, the grid is copied into the height texture by the GPU alone; it
must draw exactly what the same grid drawn through a Heightmap draws."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pyarrow as pa
import pytest

import forge3d
import forge3d.arrow as fa

AGGS = ["mean", "min", "max", "first", "last", "count"]


def scattered(n=60000, seed=3):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 100, n), rng.uniform(0, 60, n)
    z = 40 * np.sin(x / 9) * np.cos(y / 7) + rng.normal(0, 2.0, n)
    # Rows every kind of invalid: skipped, as terrain_from_table skips them.
    x[5::97], y[11::89], z[7::83] = np.nan, np.inf, np.nan
    return pa.table({"x": x, "y": y, "z": z})


def draw(add, **look):
    r = forge3d.Renderer(240, 160)
    out = add(r)
    if look:
        r.set_contours(look["contours"])
    r.set_camera_orbit(azimuth_deg=35.0, elevation_deg=40.0)
    rgba, xyz = r.render(outputs=("rgba", "xyz"))
    return r, out, rgba.to_numpy().copy(), xyz.to_numpy().copy()


def same_info(a, b):
    keys = ["grid", "spacing", "height_range", "data_range", "holes", "exaggeration", "colormap"]
    return {k: a[k] for k in keys} == {k: b[k] for k in keys}


@pytest.mark.parametrize("agg", AGGS)
@pytest.mark.parametrize("kw", [
    {"shape": (90, 150)},
    {"shape": (90, 150), "bounds": (10.0, 5.0, 90.0, 55.0), "fill": -3.5},
    {"resolution": 0.9, "fill": "nearest"},
])
def test_the_gpu_grid_draws_exactly_as_the_same_grid_through_a_heightmap(agg, kw):
    t = scattered()
    r1, info, rgba1, xyz1 = draw(lambda r: r.add_terrain_from_table(
        t, agg=agg, device="gpu", colormap="terrain", **kw), contours=8.0)
    assert info["device"] == "gpu"
    hm, info2 = fa.terrain_from_table(t, agg=agg, device="gpu", return_info=True, **kw)
    assert info == info2
    r2, _, rgba2, xyz2 = draw(lambda r: r.add_terrain(hm, colormap="terrain"), contours=8.0)
    i1, i2 = r1.terrain_info(), r2.terrain_info()
    assert same_info(i1, i2), (i1, i2)
    # Kept on the GPU (a texture) unless nearest had cells to fill on the CPU.
    came_back = kw.get("fill") == "nearest" and agg != "count" and info["empty_cells"] > 0
    if came_back:
        assert i1["heights_memory"] == i2["heights_memory"]
    else:
        assert i1["heights_memory"] == "texture"
    heights = np.asarray(hm)
    assert i1["data_range"] == (float(np.nanmin(heights)), float(np.nanmax(heights)))
    assert i1["holes"] == int(np.isnan(heights).sum())
    assert i1["spacing"] == pytest.approx(hm.spacing)
    np.testing.assert_array_equal(rgba1, rgba2)
    np.testing.assert_array_equal(xyz1, xyz2)
    # Something is drawn: a terrain, not the background.
    assert len(np.unique(rgba1.reshape(-1, 4), axis=0)) > 50


@pytest.mark.parametrize("agg", ["max", "mean"])
def test_the_cpu_grid_draws_as_the_gpu_grid(agg):
    """device="cpu" grids on the CPU and uploads like add_terrain; the two
    devices' grids are equal (mean within float32 rounding), so the frames
    are too (mean: within one level where rounding crosses a colour step)."""
    t = scattered(seed=9)
    _, ic, c, _ = draw(lambda r: r.add_terrain_from_table(t, shape=(80, 120), agg=agg,
                                                          device="cpu"))
    _, ig, g, _ = draw(lambda r: r.add_terrain_from_table(t, shape=(80, 120), agg=agg,
                                                          device="gpu"))
    assert ic.pop("device") == "cpu" and ig.pop("device") == "gpu" and ic == ig
    diff = np.abs(c.astype(int) - g.astype(int))
    assert diff.max() <= (0 if agg == "max" else 1), diff.max()


def test_the_grid_never_comes_back_to_the_cpu():
    """The copy ledger holds the rows' one copy into upload memory (from the
    table's own buffers) and nothing else: no readback, no heights upload."""
    rng = np.random.default_rng(1)
    n = 100000
    t = pa.table({"x": rng.uniform(0, 1, n), "y": rng.uniform(0, 1, n), "z": rng.uniform(0, 1, n)})
    r = forge3d.Renderer(64, 64)
    with forge3d.copy_ledger() as ledger:
        info = r.add_terrain_from_table(t, shape=(300, 300), bounds=(0, 0, 1, 1), agg="max",
                                        device="gpu")
    assert info["device"] == "gpu"
    cols = {t.column(k).chunk(0).buffers()[1].address for k in "xyz"}
    assert {rec.source_ptr for rec in ledger.records} == cols, ledger.report()
    assert sum(rec.bytes for rec in ledger.records) == 3 * 8 * n, ledger.report()
    assert all("rows into mapped upload memory" in rec.reason for rec in ledger.records)
    # The heightmap path copies the grid once more (heights into the GPU).
    hm = fa.terrain_from_table(t, shape=(300, 300), bounds=(0, 0, 1, 1), agg="max", device="gpu")
    with forge3d.copy_ledger() as ledger:
        r.add_terrain(hm)
    assert [rec.bytes for rec in ledger.records] == [300 * 300 * 4], ledger.report()


def test_a_shuffled_lattice_is_placed_exactly_and_an_off_lattice_point_rebins():
    rows, cols = 70, 110
    yy, xx = np.mgrid[0:rows, 0:cols]
    z = (50 * np.sin(xx / 11.0) + 30 * np.cos(yy / 9.0)).astype(np.float64)
    x, y = 100.0 + xx * 5.0, 200.0 + (rows - 1 - yy) * 5.0
    order = np.random.default_rng(0).permutation(rows * cols)
    t = pa.table({"x": x.ravel()[order], "y": y.ravel()[order], "z": z.ravel()[order]})
    r, info, _, _ = draw(lambda r: r.add_terrain_from_table(t, device="gpu"))
    assert info["lattice"] and info["shape"] == (rows, cols) and info["empty_cells"] == 0
    ti = r.terrain_info()
    z32 = z.astype(np.float32)
    assert ti["data_range"] == (float(z32.min()), float(z32.max())) and ti["holes"] == 0
    assert ti["spacing"] == (5.0, 5.0)
    # Aimed by the table's own coordinates; the height at the point is read
    # back from the grid on the GPU (node (row 59, col 10) is x 150, y 250).
    assert r.look_at_geo(100.0 + 20 * 5.0, 200.0, z=1.0) == (100.0, 0.0, 1.0)
    assert r.look_at_geo(150.0, 250.0) == (50.0, 50.0, float(z32[rows - 1 - 10, 10]))
    assert r.look_at_geo(100.0 + 109 * 5.0, 200.0 + 69 * 5.0)[2] == float(z32[0, 109])
    # One point between the nodes: binned instead, as terrain_from_table bins.
    t2 = pa.table({"x": np.append(t["x"].to_numpy(), 107.3), "y": np.append(t["y"].to_numpy(), 207.3),
                   "z": np.append(t["z"].to_numpy(), 0.0)})
    r2, info2, rgba2, _ = draw(lambda r: r.add_terrain_from_table(t2, device="gpu"))
    hm = fa.terrain_from_table(t2, device="cpu")
    assert not info2["lattice"] and info2["shape"] == hm.shape
    _, _, rgba3, _ = draw(lambda r: r.add_terrain(hm))
    assert np.abs(rgba2.astype(int) - rgba3.astype(int)).max() <= 1


def test_a_grid_that_came_back_answers_look_at_geo():
    t = scattered()
    r = forge3d.Renderer(64, 64)
    info = r.add_terrain_from_table(t, shape=(60, 100), device="cpu")
    assert info["device"] == "cpu"
    hm = fa.terrain_from_table(t, shape=(60, 100), device="cpu")
    x0, y0 = hm.origin
    h = float(np.asarray(hm)[-1, 0])
    assert r.look_at_geo(x0, y0)[2] == pytest.approx(h)


def test_bad_input_names_the_argument_and_keeps_the_previous_terrain():
    t = scattered()
    r = forge3d.Renderer(120, 80)
    r.add_terrain_from_table(t, shape=(40, 60), device="gpu")
    before = r.render().to_numpy().copy()
    info_before = r.terrain_info()
    cases = [
        ({"bounds": (500.0, 500.0, 600.0, 600.0), "shape": (10, 10)}, ValueError,
         "none of the 60000 rows lies inside bounds"),
        ({"agg": "median"}, ValueError, "agg"),
        ({"device": "tpu"}, ValueError, "device"),
        ({"fill": "linear"}, ValueError, "fill must be None"),
        ({"shape": (40, 60), "colormap": "no-such-map"}, ValueError, "colormap"),
        ({"shape": (40, 60), "exaggeration": -1.0}, ValueError, "exaggeration"),
        ({"shape": (40, 60), "x": "lon"}, ValueError, "lon"),
        ({"shape": (1, 60)}, ValueError, r"shape must be at least \(2, 2\)"),
    ]
    for kw, exc, msg in cases:
        kw = {"device": "gpu", **kw}
        with pytest.raises(exc, match=msg):
            r.add_terrain_from_table(t, **kw)
    # Heights the GPU cannot tell from holes: refused before the texture is touched.
    huge = pa.table({"x": [0.0, 1.0, 0.0, 1.0], "y": [0.0, 0.0, 1.0, 1.0],
                     "z": [1.0, 2.0, 3.0, -3.0e38]})
    with pytest.raises(ValueError, match="1e38"):
        r.add_terrain_from_table(huge, shape=(40, 60), bounds=(0, 0, 1, 1), device="gpu")
    # Also where nearest fill brings the grid back (it has empty cells).
    with pytest.raises(ValueError, match="1e38"):
        r.add_terrain_from_table(huge, shape=(40, 60), bounds=(0, 0, 1, 1), device="gpu",
                                 fill="nearest")
    with pytest.raises(TypeError, match="__arrow_c_stream__"):
        r.add_terrain_from_table(np.zeros((10, 3)), device="gpu")
    np.testing.assert_array_equal(r.render().to_numpy(), before)
    assert r.terrain_info() == info_before


def test_device_auto_picks_the_cpu_on_a_software_renderer():
    r = forge3d.Renderer(32, 32)
    info = r.add_terrain_from_table(scattered(), shape=(300, 300))
    software = forge3d.device_info()["software"]
    assert info["device"] == ("cpu" if software else "gpu")


def test_pandas_columns_are_read_in_place():
    t = scattered().to_pandas()
    r = forge3d.Renderer(32, 32)
    with forge3d.copy_ledger() as ledger:
        r.add_terrain_from_table(t, shape=(50, 50), agg="min", device="gpu")
    ptrs = {int(t[k].to_numpy().__array_interface__["data"][0]) for k in "xyz"}
    assert {rec.source_ptr for rec in ledger.records} == ptrs, ledger.report()


SIDE = 512


def test_a_grid_wider_than_the_devices_textures_is_tiled_on_the_gpu(tmp_path):
    """On a device with 512-texel textures a 700 x 1300 grid is split into
    2 bands x 3 column tiles; the GPU's copy fills them as upload memory would."""
    out = tmp_path / "out.npz"
    code = textwrap.dedent(f"""
        import json, numpy as np, pyarrow as pa, forge3d, forge3d.arrow as fa
        assert forge3d.device_info()["max_texture_dimension"] == {SIDE}
        rows, cols = 700, 1300
        yy, xx = np.mgrid[0:rows, 0:cols]
        z = 200 * np.exp(-((xx - 400) ** 2 + (yy - 300) ** 2) / 2e4) + 10 * np.sin(xx / 37.0)
        z[100:140, 900:960] = np.nan  # a hole crossing no tile edge
        keep = ~np.isnan(z)
        t = pa.table({{"x": (xx * 2.0)[keep], "y": ((rows - 1 - yy) * 2.0)[keep], "z": z[keep]}})
        def draw(add):
            r = forge3d.Renderer(320, 200)
            info = add(r)
            r.set_camera_orbit(azimuth_deg=30.0, elevation_deg=40.0)
            rgba, xyz = r.render(outputs=("rgba", "xyz"))
            return r.terrain_info(), info, rgba.to_numpy().copy(), xyz.to_numpy().copy()
        ti, info, rgba, xyz = draw(lambda r: r.add_terrain_from_table(
            t, shape=(rows, cols), bounds=(0.0, 0.0, (cols - 1) * 2.0, (rows - 1) * 2.0),
            agg="max", device="gpu"))
        hm = fa.terrain_from_table(t, shape=(rows, cols),
                                   bounds=(0.0, 0.0, (cols - 1) * 2.0, (rows - 1) * 2.0),
                                   agg="max", device="cpu")
        ti2, _, rgba2, xyz2 = draw(lambda r: r.add_terrain(hm))
        np.savez({str(out)!r}, rgba=rgba, xyz=xyz, rgba2=rgba2, xyz2=xyz2)
        # Heights read back from the tiled texture, one cell each, in every
        # band and column tile (cell centres from the grid's origin).
        r = forge3d.Renderer(64, 64)
        r.add_terrain_from_table(t, shape=(rows, cols),
                                 bounds=(0.0, 0.0, (cols - 1) * 2.0, (rows - 1) * 2.0),
                                 agg="max", device="gpu")
        cells = [(0, 0), (699, 1299), (600, 1000), (300, 520), (511, 511), (512, 434)]
        (x0, y0), (dx, dy) = hm.origin, hm.spacing
        got = [r.look_at_geo(x0 + c * dx, y0 + (rows - 1 - w) * dy)[2] for w, c in cells]
        want = [float(np.asarray(hm)[w, c]) for w, c in cells]
        print(json.dumps([ti["heights_tiles"], ti["holes"], ti2["holes"], info["device"],
                          ti["data_range"], ti2["data_range"], got, want]))
    """)
    env = dict(os.environ, FORGE3D_MAX_TEXTURE_SIDE=str(SIDE), FORGE3D_TERRAIN_HEIGHTS="texture")
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    tiles, holes, holes2, device, dr, dr2, got, want = json.loads(p.stdout.strip().splitlines()[-1])
    assert tuple(tiles) == (2, 3) and device == "gpu"
    assert got == want
    assert holes == holes2 == 40 * 60 and dr == dr2
    z = np.load(out)
    np.testing.assert_array_equal(z["rgba"], z["rgba2"])
    np.testing.assert_array_equal(z["xyz"], z["xyz2"])
