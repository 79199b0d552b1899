"""Terrain: heights in with one copy, shaded terrain out through the zero-copy Frame path."""

import numpy as np
import pytest

import forge3d
from conftest import address

VIRIDIS_TOP = np.array([253, 231, 37])
VIRIDIS_BOTTOM = np.array([68, 1, 84])


def ramp(rows=48, cols=64, dtype=np.float32):
    return np.tile(np.arange(cols, dtype=np.float64), (rows, 1)).astype(dtype)


def unlit_top_down(r):
    r.set_camera_top_down()
    r.set_sun(0, 90, intensity=0.0)
    r.set_ambient(1.0)
    try:
        r.set_ambient_occlusion(0)  # colormap colours, undarkened
    except RuntimeError:
        pass  # no terrain yet: the caller compares renders set up alike


# ---- one copy in ------------------------------------------------------------


def test_float32_heights_are_read_from_the_callers_memory_with_one_copy():
    h = np.random.default_rng(0).random((300, 333), dtype=np.float32)
    r = forge3d.Renderer(64, 64)
    with forge3d.copy_ledger() as ledger:
        r.add_terrain(h, spacing=(1.0, 1.0), exaggeration=2.0)
    (rec,) = ledger.records
    assert rec.operation == "upload"
    assert rec.source_ptr == h.ctypes.data
    assert rec.bytes == h.nbytes


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int16, np.int32, np.uint16, np.int8, np.uint64])
def test_other_dtypes_are_converted_once_then_uploaded(dtype):
    h = ramp(dtype=dtype)
    r = forge3d.Renderer(64, 64)
    with forge3d.copy_ledger() as ledger:
        r.add_terrain(h)
    convert, upload = ledger.records
    assert convert.operation == "convert" and convert.source_ptr == h.ctypes.data
    assert np.dtype(dtype).name in convert.reason and "float32" in convert.reason
    assert convert.bytes == h.nbytes
    assert upload.operation == "upload" and upload.bytes == h.size * 4
    assert upload.source_ptr != h.ctypes.data
    assert r.terrain_info()["data_range"] == (0.0, 63.0)


def test_non_contiguous_and_byteswapped_inputs_are_converted_once():
    base = ramp(48, 128)
    for h, why in [(base[:, ::2], "not C-contiguous"), (base.astype(">f4"), "byte order"), (np.asfortranarray(base), "not C-contiguous")]:
        r = forge3d.Renderer(32, 32)
        with forge3d.copy_ledger() as ledger:
            r.add_terrain(h)
        assert [x.operation for x in ledger.records] == ["convert", "upload"], why
        assert why in ledger.records[0].reason
        lo, hi = r.terrain_info()["data_range"]
        assert (lo, hi) == (float(h.min()), float(h.max()))


def test_copy_false_refuses_conversions_with_the_fix():
    r = forge3d.Renderer(32, 32)
    r.add_terrain(ramp(), copy=False)
    for h in (ramp(dtype=np.float64), ramp()[:, ::2], ramp(dtype=np.int16)):
        with pytest.raises(ValueError, match=r"copy=False.*np\.ascontiguousarray\(heights, dtype=np\.float32\)"):
            r.add_terrain(h, copy=False)


def test_copy_true_always_copies():
    h = ramp()
    r = forge3d.Renderer(32, 32)
    with forge3d.copy_ledger() as ledger:
        r.add_terrain(h, copy=True)
    assert [x.operation for x in ledger.records] == ["convert", "upload"]
    assert ledger.records[0].source_ptr == h.ctypes.data


def test_the_callers_array_is_never_modified():
    h = ramp()
    h[3, 3] = np.nan
    h[5, 5] = -9999
    before = h.copy()
    flags = (h.flags.writeable, h.flags.c_contiguous)
    r = forge3d.Renderer(32, 32)
    r.add_terrain(h, nodata=-9999)
    r.render_terrain_rgba()
    np.testing.assert_array_equal(h, before)
    assert (h.flags.writeable, h.flags.c_contiguous) == flags


def test_read_only_arrays_are_accepted():
    h = ramp()
    h.flags.writeable = False
    r = forge3d.Renderer(32, 32)
    with forge3d.copy_ledger() as ledger:
        r.add_terrain(h)
    assert ledger.records[0].source_ptr == h.ctypes.data


# ---- pixels -----------------------------------------------------------------


def test_top_down_unlit_highest_and_lowest_cells_show_the_colormap_ends():
    h = np.zeros((40, 50), np.float32)
    h[10:14, 30:34] = 100.0  # highest
    h[25:29, 5:9] = -50.0  # lowest
    r = forge3d.Renderer(250, 200)
    r.add_terrain(h)
    unlit_top_down(r)
    rgba = r.render_terrain_rgba()
    # Cell (row, col) sits at x = col / 49 * 249, y = row / 39 * 199.
    top = rgba[int(11.5 / 39 * 199), int(31.5 / 49 * 249), :3].astype(int)
    low = rgba[int(26.5 / 39 * 199), int(6.5 / 49 * 249), :3].astype(int)
    assert np.abs(top - VIRIDIS_TOP).max() <= 3, top
    assert np.abs(low - VIRIDIS_BOTTOM).max() <= 3, low


def test_height_range_and_colormap_change_the_colors():
    r = forge3d.Renderer(128, 96)
    r.add_terrain(ramp())
    unlit_top_down(r)
    r.set_colormap("gray")
    a = r.render_terrain_rgba()
    assert a[48, 2, 0] < 10 and a[48, 125, 0] > 245
    r.set_height_range(0.0, 200.0)
    b = r.render_terrain_rgba()
    assert 70 < b[48, 125, 0] < 90  # 63/200 of the way up the gray ramp
    r.reset_height_range()
    np.testing.assert_array_equal(r.render_terrain_rgba(), a)


def test_nan_and_nodata_cells_render_as_background():
    h = np.ones((40, 40), np.float32)
    h[10:20, 10:20] = np.nan
    h[10:20, 25:35] = -32768
    r = forge3d.Renderer(200, 200, background=(1, 2, 3, 255))
    r.add_terrain(h, nodata=-32768)
    r.set_camera_top_down()
    rgba = r.render_terrain_rgba()
    at = lambda row, col: tuple(rgba[int(row / 39 * 199), int(col / 39 * 199)])
    assert at(15, 15) == (1, 2, 3, 255)
    assert at(15, 30) == (1, 2, 3, 255)
    assert at(30, 15) != (1, 2, 3, 255)
    assert r.terrain_info()["holes"] == 200


def test_int16_dem_nodata_sentinel_is_a_hole():
    h = np.full((30, 30), 500, np.int16)
    h[:, :15] = -32768
    r = forge3d.Renderer(100, 100)
    r.add_terrain(h, nodata=-32768)
    r.set_camera_top_down()
    rgba = r.render_terrain_rgba()
    bg = np.array(r.background, np.uint8)
    assert (rgba[50, 5] == bg).all() and not (rgba[50, 95] == bg).all()
    assert r.terrain_info()["data_range"] == (500.0, 500.0)


def _coverage(rgba, bg):
    return (rgba != np.array(bg, np.uint8)).any(axis=2)


def test_spacing_changes_the_aspect():
    h = np.ones((20, 20), np.float32)
    widths = []
    for spacing in [(1.0, 1.0), (2.0, 1.0)]:
        r = forge3d.Renderer(300, 300)
        r.add_terrain(h, spacing=spacing)
        r.set_camera_top_down()
        cov = _coverage(r.render_terrain_rgba(), r.background)
        cols, rows = cov.any(axis=0).sum(), cov.any(axis=1).sum()
        widths.append(cols / rows)
    assert abs(widths[0] - 1.0) < 0.02
    assert abs(widths[1] - 2.0) < 0.05


def test_exaggeration_changes_the_oblique_silhouette():
    y, x = np.mgrid[-32:32, -32:32]
    h = (20 * np.exp(-(x**2 + y**2) / 200.0)).astype(np.float32)
    silhouettes = []
    for ex in (0.1, 3.0):
        r = forge3d.Renderer(160, 120)
        r.add_terrain(h, exaggeration=ex)
        r.set_camera(eye=(32, -90, 40), target=(32, 32, 5))
        silhouettes.append(_coverage(r.render_terrain_rgba(), r.background).sum())
    assert silhouettes[1] > silhouettes[0] + 200, silhouettes


def ridge(rows=40, cols=81):
    """A north-south ridge: the west half rises eastwards, the east half falls."""
    x = np.arange(cols, dtype=np.float32)
    return np.tile(40.0 - np.abs(x - cols // 2), (rows, 1)).astype(np.float32)


def lit_top_down(h, *, azimuth, elevation=35.0, exaggeration=1.0, spacing=(1.0, 1.0), size=(162, 80)):
    r = forge3d.Renderer(*size)
    r.add_terrain(h, spacing=spacing, exaggeration=exaggeration, colormap="gray")
    r.set_camera_top_down()
    r.set_sun(azimuth, elevation, intensity=1.0)
    r.set_ambient(0.2)
    return r.render_terrain_rgba()[..., :3].astype(int)


def test_lambert_shading_follows_the_sun_and_the_slopes():
    h = ridge()
    # Mirror-image pixels of the two flanks: same height, so the same gray
    # before shading; only the facing of their slope differs.
    row, west, east = 40, 40, 121
    from_west = lit_top_down(h, azimuth=270)
    from_east = lit_top_down(h, azimuth=90)
    assert from_west[row, west].sum() > from_east[row, west].sum() + 30
    assert from_east[row, east].sum() > from_west[row, east].sum() + 30
    np.testing.assert_allclose(from_west[row, west], from_east[row, east], atol=2)
    # Overhead sun: both flanks alike; steeper slopes are darker.
    overhead = lit_top_down(h, azimuth=0, elevation=90)
    np.testing.assert_allclose(overhead[row, west], overhead[row, east], atol=2)
    steep = lit_top_down(h, azimuth=0, elevation=90, exaggeration=4.0)
    assert steep[row, west].sum() < overhead[row, west].sum() - 30


def test_normals_scale_with_exaggeration_over_spacing():
    # Normals come from central differences of heights * exaggeration over
    # the spacing: scaling both alike leaves the shading (and, top-down,
    # the image) unchanged.
    h = ridge()
    a = lit_top_down(h, azimuth=0, elevation=90, exaggeration=1.0, spacing=(1.0, 1.0))
    b = lit_top_down(h, azimuth=0, elevation=90, exaggeration=3.0, spacing=(3.0, 3.0))
    c = lit_top_down(h, azimuth=0, elevation=90, exaggeration=3.0, spacing=(1.0, 1.0))
    assert np.abs(a - b).max() <= 2
    assert np.abs(a - c).max() > 30


def test_default_view_frames_the_whole_terrain():
    h = ramp(100, 150) / 10.0  # relief small against the extent, as in a DEM
    r = forge3d.Renderer(320, 200)
    r.add_terrain(h)
    cov = _coverage(r.render_terrain_rgba(), r.background)
    # Nothing touches the border, yet the terrain fills a good part of it.
    assert not cov[0].any() and not cov[-1].any() and not cov[:, 0].any() and not cov[:, -1].any()
    assert cov.mean() > 0.2


def test_rendered_terrain_frames_are_zero_copy():
    r = forge3d.Renderer(333, 200)
    r.add_terrain(ramp())
    with forge3d.copy_ledger() as ledger:
        rgba = r.render_terrain_rgba()
    assert ledger.copies == 0
    assert isinstance(rgba.base, forge3d.Frame) and address(rgba) == rgba.base.ptr
    assert rgba.shape == (200, 333, 4)


def test_msaa_smooths_edges_without_moving_them():
    h = np.zeros((16, 16), np.float32)
    r = forge3d.Renderer(200, 150)
    r.add_terrain(h)
    r.set_camera(eye=(7.5, -20, 10), target=(7.5, 7.5, 0))
    plain = r.render_terrain_rgba().copy()
    r.set_msaa(4)
    smooth = r.render_terrain_rgba()
    bg = np.array(r.background, np.uint8)
    edge_plain = set(map(tuple, np.unique(plain.reshape(-1, 4), axis=0)))
    edge_smooth = set(map(tuple, np.unique(smooth.reshape(-1, 4), axis=0)))
    assert len(edge_smooth) > len(edge_plain)  # blended edge colors appear
    diff = (_coverage(plain, bg) != _coverage(smooth, bg)).mean()
    assert diff < 0.01


def test_png_written(tmp_path):
    r = forge3d.Renderer(64, 48)
    r.add_terrain(ramp())
    r.render_terrain_png(tmp_path / "t.png")
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"


def test_a_4096_square_terrain_renders():
    y, x = np.mgrid[0:4096, 0:4096].astype(np.float32) / 512.0
    h = np.sin(x) * np.cos(y)
    r = forge3d.Renderer(256, 256)
    r.add_terrain(h)
    info = r.terrain_info()
    assert info["holes"] == 0 and info["data_range"][1] <= 1.0
    rgba = r.render_terrain_rgba()
    assert _coverage(rgba, r.background).mean() > 0.2


# ---- errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    "heights, match",
    [
        (np.zeros(10, np.float32), r"heights must be 2-D \(rows, cols\), got 1-D"),
        (np.zeros((2, 2, 2), np.float32), "got 3-D"),
        (np.zeros((1, 5), np.float32), r"at least 2x2, got shape \(1, 5\)"),
    ],
)
def test_bad_shapes_are_value_errors(heights, match):
    with pytest.raises(ValueError, match=match):
        forge3d.Renderer(8, 8).add_terrain(heights)


def test_rows_past_the_texture_limit_are_drawn_from_column_tiles(device, monkeypatch):
    limit = device["max_texture_dimension"]
    h = np.zeros((2, limit + 1), np.float32)
    h[:, ::2] = 1.0
    monkeypatch.setenv("FORGE3D_TERRAIN_HEIGHTS", "texture")
    r = forge3d.Renderer(8, 8)
    r.add_terrain(h)
    info = r.terrain_info()
    assert info["heights_tiles"] == (1, 2) and info["relief_cells_per_texel"] == 2
    assert info["data_range"] == (0.0, 1.0)
    assert np.asarray(r.render()).shape == (8, 8, 4)


def test_shapes_that_no_tiling_fits_are_rejected(device):
    limit, layers = device["max_texture_dimension"], device["max_texture_array_layers"]
    cols = limit * (layers + 1)  # more column tiles than layers
    with pytest.raises(ValueError, match=rf"shape \(2, {cols}\) does not fit this device's "
                       "textures even when tiled.*downsample"):
        forge3d.Renderer(8, 8).add_terrain(np.broadcast_to(np.float32(0), (2, cols)))


@pytest.mark.parametrize(
    "heights, kind",
    [
        (np.zeros((4, 4), bool), "bool"),
        (np.zeros((4, 4), np.complex64), "complex"),
        (np.zeros((4, 4), object), "object"),
        (np.array([["a", "b"], ["c", "d"]]), "heights"),
    ],
)
def test_non_numeric_dtypes_are_type_errors(heights, kind):
    with pytest.raises(TypeError, match=kind):
        forge3d.Renderer(8, 8).add_terrain(heights)


def test_nested_lists_are_accepted_with_a_recorded_conversion():
    r = forge3d.Renderer(8, 8)
    with forge3d.copy_ledger() as ledger:
        r.add_terrain([[0, 1, 2], [3, 4, 5]])
    assert "Python sequence" in ledger.records[0].reason
    assert r.terrain_info()["data_range"] == (0.0, 5.0)


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinite_heights_are_rejected(value):
    h = ramp()
    h[4, 4] = value
    with pytest.raises(ValueError, match="infinite value"):
        forge3d.Renderer(8, 8).add_terrain(h)


def test_masked_arrays_draw_masked_cells_as_holes():
    # rasterio's read(masked=True) and netCDF readers hand out np.ma arrays.
    h = ramp(dtype=np.int16)
    mask = np.zeros(h.shape, bool)
    mask[10:20, 5:15] = True
    m = np.ma.masked_array(h, mask=mask)
    r = forge3d.Renderer(64, 48)
    unlit_top_down(r)
    with forge3d.copy_ledger() as ledger:
        r.add_terrain(m)
    assert [(x.operation, x.source_ptr) for x in ledger.records][0] == ("convert", h.ctypes.data)
    assert "masked" in ledger.records[0].reason
    assert [x.operation for x in ledger.records] == ["convert", "upload"]
    assert r.terrain_info()["holes"] == 100
    # The caller's data and mask are untouched.
    assert (h == ramp(dtype=np.int16)).all() and (m.mask == mask).all()
    # Same pixels as NaN holes in a float32 array.
    ref = forge3d.Renderer(64, 48)
    unlit_top_down(ref)
    f = h.astype(np.float32)
    f[mask] = np.nan
    ref.add_terrain(f)
    np.testing.assert_array_equal(r.render_terrain_rgba(), ref.render_terrain_rgba())
    with pytest.raises(ValueError, match=r"masked array with 100 masked cell\(s\).*copy=False.*filled\(np.nan\)"):
        r.add_terrain(m, copy=False)
    # Nothing masked: the data is read in place, as any float32 array.
    plain = np.ma.masked_array(ramp())
    with forge3d.copy_ledger() as ledger:
        r.add_terrain(plain)
    assert [(x.operation, x.source_ptr) for x in ledger.records] == [("upload", plain.data.ctypes.data)]
    # copy= holds for the data of an unmasked masked array too.
    with pytest.raises(ValueError, match="copy=False"):
        r.add_terrain(np.ma.masked_array(h), copy=False)
    hm = forge3d.Heightmap(np.ma.masked_array(ramp()), copy=True)
    assert not hm.borrowed
    # A filled conversion is forge3d's memory, not the caller's.
    hm = forge3d.Heightmap(np.ma.masked_array(ramp(), mask=mask))
    assert not hm.borrowed and np.isnan(np.asarray(hm)[mask]).all()
    assert not np.isnan(np.asarray(hm)[~mask]).any()
    # A masked array of a rejected dtype gets the usual error.
    with pytest.raises(TypeError, match="heights"):
        r.add_terrain(np.ma.masked_array(np.ones((4, 4), bool), mask=np.eye(4, dtype=bool)))


def test_all_nodata_is_rejected():
    with pytest.raises(ValueError, match="every value is NaN or nodata"):
        forge3d.Renderer(8, 8).add_terrain(np.full((4, 4), np.nan, np.float32))
    with pytest.raises(ValueError, match="every value is NaN or nodata"):
        forge3d.Renderer(8, 8).add_terrain(np.full((4, 4), -9999, np.int16), nodata=-9999)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(spacing=(np.nan, 1.0)), ValueError, "spacing must be finite"),
        (dict(spacing=(1.0, np.inf)), ValueError, "spacing must be finite"),
        (dict(spacing=0.0), ValueError, "spacing must be positive"),
        (dict(spacing=(1.0, -2.0)), ValueError, "spacing must be positive"),
        (dict(spacing="big"), TypeError, "spacing must be a number or a pair"),
        (dict(exaggeration=np.inf), ValueError, "exaggeration must be a positive finite"),
        (dict(exaggeration=0.0), ValueError, "exaggeration"),
        (dict(colormap="jet2"), ValueError, 'colormap: unknown name "jet2".*viridis, magma, terrain, gray'),
        (dict(height_range=(5.0, 1.0)), ValueError, "height_range must be two finite numbers with min < max"),
        (dict(nodata=np.inf), ValueError, "nodata must be finite or NaN"),
    ],
)
def test_bad_options_are_named(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        forge3d.Renderer(8, 8).add_terrain(ramp(), **kwargs)


def test_a_failed_add_terrain_keeps_the_previous_terrain():
    r = forge3d.Renderer(32, 32)
    r.add_terrain(ramp(), colormap="magma")
    before = r.terrain_info()
    bad = ramp()
    bad[0, 0] = np.inf
    with pytest.raises(ValueError):
        r.add_terrain(bad)
    with pytest.raises(ValueError):
        r.add_terrain(ramp(), spacing=-1)
    assert r.terrain_info() == before


def test_render_and_settings_before_add_terrain_are_runtime_errors():
    r = forge3d.Renderer(8, 8)
    for call in (r.render_terrain_rgba, r.render_terrain_frame, r.terrain_info, lambda: r.set_colormap("gray")):
        with pytest.raises(RuntimeError, match=r"call add_terrain\(heights\) first"):
            call()


def test_bad_scene_settings_are_rejected():
    r = forge3d.Renderer(8, 8)
    r.add_terrain(ramp())
    with pytest.raises(ValueError, match="msaa samples must be 1 .off. or 4, got 3"):
        r.set_msaa(3)
    with pytest.raises(ValueError, match="parallel"):
        r.set_camera(eye=(0, 0, 10), target=(0, 0, 0), up=(0, 0, 1))
    with pytest.raises(ValueError, match="eye and target must differ"):
        r.set_camera(eye=(1, 1, 1), target=(1, 1, 1))
    with pytest.raises(ValueError, match="fovy_deg"):
        r.set_camera(eye=(0, -5, 5), target=(0, 0, 0), fovy_deg=190)
    for kw, match in [
        ({"znear": 0.0}, "znear must be a positive number"),
        ({"znear": float("nan")}, "znear must be a positive number"),
        ({"zfar": float("nan")}, "zfar must be a positive number"),
        ({"zfar": -1.0}, "zfar must be a positive number"),
        ({"znear": 2.0, "zfar": 1.0}, r"zfar must be greater than znear \(2\)"),
    ]:
        with pytest.raises(ValueError, match=match):
            r.set_camera(eye=(0, -5, 5), target=(0, 0, 0), **kw)
    # zfar (or znear) alone, past the automatic other one: a valid
    # projection that clips everything this camera otherwise sees.
    r.set_camera(eye=(0, -5, 5), target=(0, 0, 0))
    seen = r.render_terrain_rgba()
    assert (seen != seen[0, 0]).any()
    for kw in ({"zfar": 1e-3}, {"znear": 1e4}):
        r.set_camera(eye=(0, -5, 5), target=(0, 0, 0), **kw)
        img = r.render_terrain_rgba()
        assert (img == img[0, 0]).all(), kw
    with pytest.raises(ValueError, match="elevation_deg"):
        r.set_sun(0, 120)
    with pytest.raises(ValueError, match="ambient"):
        r.set_ambient(2.0)
    with pytest.raises(ValueError, match="height_range"):
        r.set_height_range(3, 3)
    with pytest.raises(ValueError, match="colormap"):
        r.set_colormap("nope")
