"""forge3d.dask.render_tiles: a z/x/y pyramid of shaded-relief tiles of a
chunked dask array (a real DEM), rendered on a real distributed.LocalCluster
(two worker processes), seamless across tile and chunk borders."""

import json
import os
import sys
import warnings

import numpy as np
import pytest

import cloudpickle  # noqa: E402
import dask.array as da  # noqa: E402
from PIL import Image  # noqa: E402

import forge3d  # noqa: E402
import forge3d.dask  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from golden import MAX_MEAN, MAX_OFF, compare, jacksboro  # noqa: E402

cloudpickle.register_pickle_by_value(sys.modules[__name__])

T = 64  # tile size in the tests: the Jacksboro DEM (344 x 403) spans 6 x 7 tiles at level 3


@pytest.fixture(scope="module")
def dem():
    heights, spacing = jacksboro()
    return heights.astype(np.float32), spacing


def level_heights(heights, z, tile_size=T):
    """The heights a level draws, computed here with NumPy: the DEM
    coarsened by 2**(L - z) (block means, holes ignored), padded with holes
    to whole tiles. Returns (heights, cell factor, pixels per cell)."""
    R, C = heights.shape
    L = max(0, int(np.ceil(np.log2(max(R, C) / tile_size))))
    h = heights.astype(np.float64)
    if z <= L:
        f, m = 2 ** (L - z), 1
        h = np.pad(h, [(0, -R % f), (0, -C % f)], constant_values=np.nan)
        blocks = h.reshape(h.shape[0] // f, f, h.shape[1] // f, f)
        n = np.isfinite(blocks).sum(axis=(1, 3))
        s = np.where(np.isfinite(blocks), blocks, 0.0).sum(axis=(1, 3))
        h = np.where(n > 0, s / np.maximum(n, 1), np.nan)
    else:
        f, m = 1, 2 ** (z - L)
    c = tile_size // m
    ny, nx = -(-h.shape[0] // c), -(-h.shape[1] // c)
    h = np.pad(h, [(0, ny * c - h.shape[0]), (0, nx * c - h.shape[1])], constant_values=np.nan)
    return h.astype(np.float32), f, m


def whole_render(heights, spacing, z, info, *, shadows, sun=(315.0, 45.0), contours=None,
                 height_range):
    """One render of the whole level with the camera render_tiles reports."""
    h, f, m = level_heights(heights, z)
    assert tuple(info["shape"]) == h.shape
    assert tuple(info["cell_size"]) == pytest.approx((spacing[0] * f, spacing[1] * f))
    r = forge3d.Renderer(h.shape[1] * m, h.shape[0] * m, background=(0, 0, 0, 0))
    r.add_terrain(h, spacing=(spacing[0] * f, spacing[1] * f), colormap="terrain",
                  height_range=height_range)
    r.set_terrain_detail(min(4096, max(h.shape) - 1))
    r.set_sun(*sun)
    if shadows:
        r.set_shadows(True, softness=0.5)
    if contours is not None:
        r.set_contours(contours)
    r.set_camera_top_down(extent=info["extent"])
    return r.render().to_numpy().copy()


def stitch(folder, z, tiles):
    ny, nx = tiles
    img = np.zeros((ny * T, nx * T, 4), np.uint8)
    for x in range(nx):
        for y in range(ny):
            p = os.path.join(folder, str(z), str(x), f"{y}.png")
            if os.path.exists(p):
                with Image.open(p) as im:
                    im.verify()
                with Image.open(p) as im:
                    assert im.size == (T, T) and im.mode == "RGBA", p
                    img[y * T:(y + 1) * T, x * T:(x + 1) * T] = np.asarray(im)
    return img


def test_pyramid_on_the_cluster_is_seamless_and_every_tile_a_valid_png(client, dem, tmp_path):
    heights, spacing = dem
    chunked = da.from_array(heights, chunks=(100, 120))  # chunk borders cut across tiles
    out = tmp_path / "tiles"
    with client.as_current():
        res = forge3d.dask.render_tiles(
            chunked, zoom_levels=range(0, 5), tile_size=T, out=out, spacing=spacing,
            shadows=True, contours=50.0, progress=False,
        )
    lo, hi = float(heights.min()), float(heights.max())
    assert res["path"] == os.fspath(out) and res["format"] == "png"
    files = [os.path.join(d, f) for d, _, fs in os.walk(out) for f in fs if f.endswith(".png")]
    assert len(files) == res["written"] == sum(v["written"] for v in res["levels"].values())
    # Level 0 is one tile; each level doubles the tiles per side of the
    # pyramid's square (8 x 8 at level 3), and only those over the DEM
    # (344 x 403 cells: 6 x 7 tiles) exist.
    assert [res["levels"][z]["tiles"] for z in range(5)] == [(1, 1), (2, 2), (3, 4), (6, 7), (11, 13)]
    meta = json.loads((out / "tiles.json").read_text())
    assert meta["tile_size"] == T and sorted(meta["levels"]) == ["0", "1", "2", "3", "4"]
    for z in range(5):
        info = res["levels"][z]
        if z >= 3:
            assert info["blocks"] != (1, 1) and info["halo"] > 3  # halos were used
        got = stitch(out, z, info["tiles"])
        want = whole_render(heights, spacing, z, info, shadows=True, contours=50.0,
                            height_range=(lo, hi))
        mean, off = compare(got, want)
        assert mean <= MAX_MEAN and off <= MAX_OFF, (z, mean, off)
        assert (want[..., 3] > 0).mean() > 0.5  # the terrain is drawn
    # Tile files hold what the tiles hold: the north-west tile of level 3.
    with Image.open(out / "3" / "0" / "0.png") as im:
        nw = np.asarray(im)
    assert nw[..., 3].min() == 255 and nw[..., :3].std() > 10


def test_without_halos_the_borders_show_and_arrays_come_back_lazily(dem):
    heights, spacing = dem
    chunked = da.from_array(heights, chunks=(128, 128))
    kw = dict(zoom_levels=[3], tile_size=T, spacing=spacing, shadows=True, sun=(300.0, 20.0),
              block_tiles=1)
    res = forge3d.dask.render_tiles(chunked, **kw)
    image = res["levels"][3]["image"]
    assert isinstance(image, da.Array) and image.dtype == np.uint8
    assert image.shape == (6 * T, 7 * T, 4)
    got = image.compute(scheduler="threads")
    lo, hi = float(heights.min()), float(heights.max())
    want = whole_render(heights, spacing, 3, res["levels"][3], shadows=True, sun=(300.0, 20.0),
                        height_range=(lo, hi))
    mean, off = compare(got, want)
    assert mean <= MAX_MEAN and off <= MAX_OFF, (mean, off)
    # The same blocks with no halo: shading and shadows break at every tile
    # border, far past the tolerance.
    with pytest.warns(RuntimeWarning, match="halo=0"):
        bare = forge3d.dask.render_tiles(chunked, halo=0, **kw)["levels"][3]["image"]
    mean0, off0 = compare(bare.compute(scheduler="threads"), want)
    assert off0 > 2 * MAX_OFF and mean0 > MAX_MEAN, (mean0, off0)


def test_holes_nodata_xarray_and_webp(dem, tmp_path):
    xr = pytest.importorskip("xarray")
    heights, spacing = dem
    h = heights.copy()
    h[:200, :] = -9999.0  # the northern part is nodata: its tiles are not written
    h[:, :100] = -9999.0  # and so is a western strip
    h[300, 300] = np.inf  # one infinite cell is a hole, not an error
    before = h.copy()
    arr = xr.DataArray(
        da.from_array(h, chunks=(128, 128)), dims=("y", "x"),
        coords={"y": 1000.0 - spacing[1] * np.arange(h.shape[0]), "x": spacing[0] * np.arange(h.shape[1])},
    )
    res = forge3d.dask.render_tiles(arr, zoom_levels=[3], tile_size=T, out=tmp_path / "w",
                                    nodata=-9999.0, format="webp")
    assert res["levels"][3]["cell_size"] == pytest.approx(spacing)  # from the coordinates
    # Tile columns 0 (cells 0..63) and rows 0-2 (cells 0..191) hold only
    # nodata: not written.
    assert not (tmp_path / "w" / "3" / "0").exists()
    assert sorted(os.listdir(tmp_path / "w" / "3" / "1")) == ["3.webp", "4.webp", "5.webp"]
    with Image.open(tmp_path / "w" / "3" / "1" / "3.webp") as im:
        px = np.asarray(im.convert("RGBA"))
    # Tile (x=1, y=3) covers cells 192..255 by 64..127, one pixel per cell:
    # pixel (i, j) is centred (just east and south of) cell (192 + i, 64 +
    # j). Cells 192..199 and 64..99 are holes, so a pixel is drawn where its
    # cell and the cells east and south of it are data: rows from 8 (cell
    # 200), columns from 36 (cell 100).
    assert px[:8, :, 3].max() == 0 and px[:, :36, 3].max() == 0
    assert px[8:, 36:, 3].min() == 255
    np.testing.assert_array_equal(h, before)  # the caller's array untouched


def test_bad_arguments_name_the_argument(dem):
    heights, _ = dem
    d = da.from_array(heights, chunks=128)
    cases = [
        (dict(zoom_levels=3), TypeError, "range"),
        (dict(zoom_levels=[]), ValueError, "zoom_levels"),
        (dict(zoom_levels=[1, 1]), ValueError, "repeat"),
        (dict(zoom_levels=[0], tile_size=100), ValueError, "tile_size"),
        (dict(zoom_levels=[0], tile_size=4096), ValueError, "tile_size"),
        (dict(zoom_levels=[0], format="jpg"), ValueError, "format"),
        (dict(zoom_levels=[0], spacing=(0, 1)), ValueError, "spacing"),
        (dict(zoom_levels=[0], sun=(0, 120)), ValueError, "elevation"),
        (dict(zoom_levels=[0], halo=5000), ValueError, "halo"),
        (dict(zoom_levels=[0], exaggeration=float("nan")), ValueError, "exaggeration"),
        (dict(zoom_levels=[0], height_range=(5, 1)), ValueError, "height_range"),
        (dict(zoom_levels=[0], contours={"major_every": 2}), ValueError, "interval"),
        (dict(zoom_levels=[20], tile_size=16), ValueError, "zoom level 20"),
        (dict(zoom_levels=[0], halo=2.5), TypeError, "halo"),
        (dict(zoom_levels=[0], block_tiles=0), ValueError, "block_tiles"),
        (dict(zoom_levels=[0], nodata="x"), TypeError, "nodata"),
        (dict(zoom_levels=[0], colormap="no-such-map"), ValueError, "colormap"),
        (dict(zoom_levels=[0], colormap=[[1, 2]]), ValueError, "colormap"),
        (dict(zoom_levels=[0], contours={"interval": 5, "colour": (0, 0, 0)}), ValueError, "colour"),
        (dict(zoom_levels=[0], contours={"interval": -5}), ValueError, "interval"),
    ]
    for kw, exc, words in cases:
        with pytest.raises(exc, match=words):
            forge3d.dask.render_tiles(d, **kw)
    with pytest.raises(ValueError, match="2-D"):
        forge3d.dask.render_tiles(da.zeros(10), zoom_levels=[0])
    with pytest.raises(TypeError, match="dask.array"):
        forge3d.dask.render_tiles("dem.tif", zoom_levels=[0])
    with pytest.raises(ValueError, match="no finite height"):
        forge3d.dask.render_tiles(da.full((64, 64), np.nan), zoom_levels=[0])


def test_a_low_sun_past_the_widest_halo_warns(dem):
    heights, spacing = dem
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        forge3d.dask.render_tiles(da.from_array(heights, chunks=128), zoom_levels=[3],
                                  tile_size=T, spacing=(1.0, 1.0), shadows=True, sun=(0, 2))
    assert any("shadows reach" in str(x.message) for x in w)


def test_lighting_of_one_call_does_not_leak_into_the_next(dem):
    heights, spacing = dem
    d = da.from_array(heights, chunks=128)
    kw = dict(zoom_levels=[1], tile_size=T, spacing=spacing)
    first = forge3d.dask.render_tiles(d, **kw)["levels"][1]["image"].compute(scheduler="sync")
    bright = forge3d.dask.render_tiles(d, ambient=1.0, sun=(90, 10), **kw)["levels"][1]["image"]
    assert not np.array_equal(bright.compute(scheduler="sync"), first)
    again = forge3d.dask.render_tiles(d, **kw)["levels"][1]["image"].compute(scheduler="sync")
    np.testing.assert_array_equal(again, first)


def test_a_memmap_is_read_by_chunk_and_xarray_orientation_is_followed(dem, tmp_path):
    import pickle

    xr = pytest.importorskip("xarray")
    heights, spacing = dem
    path = tmp_path / "dem.f32"
    heights.tofile(path)
    mm = np.memmap(path, dtype=np.float32, mode="r", shape=heights.shape)
    kw = dict(zoom_levels=[2], tile_size=T, spacing=spacing)
    res = forge3d.dask.render_tiles(mm, **kw)
    image = res["levels"][2]["image"]
    # The graph names the file; it does not carry its 554 KB of heights.
    assert len(pickle.dumps(dict(image.__dask_graph__()))) < heights.nbytes / 4
    want = forge3d.dask.render_tiles(da.from_array(heights, chunks=100), **kw)["levels"][2]["image"]
    got = image.compute(scheduler="sync")
    np.testing.assert_array_equal(got, want.compute(scheduler="sync"))
    # A DataArray with y ascending (row 0 south) and dims (x, y) is turned
    # north-up in (y, x) order: the same tiles.
    south_up = xr.DataArray(
        heights[::-1].T, dims=("x", "y"),
        coords={"x": spacing[0] * np.arange(heights.shape[1]), "y": spacing[1] * np.arange(heights.shape[0])},
    )
    flipped = forge3d.dask.render_tiles(south_up, zoom_levels=[2], tile_size=T)["levels"][2]
    assert flipped["cell_size"] == pytest.approx((spacing[0] * 2, spacing[1] * 2))
    np.testing.assert_array_equal(flipped["image"].compute(scheduler="sync"), got)
