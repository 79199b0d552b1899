"""The terrain's look besides its colormap: cast shadows, ambient occlusion,
draped overlays, water and a solid base, each checked against what it must
show at known pixels (analytic checks; the golden scenes are in golden.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import forge3d

GRAY = np.full((2, 3), 0.5, np.float32)  # a constant albedo of 0.5


def top_down(h, w=256, hh=256, **kw):
    """A top-down view of `h` with ambient occlusion off (it is on by
    default), so that each test turns on only what it checks."""
    r = forge3d.Renderer(w, hh)
    r.add_terrain(h, **kw)
    r.set_ambient_occlusion(0)
    r.set_camera_top_down()
    return r


def shade_row(r, row_px):
    """(world x, red level) of every pixel of image row `row_px`."""
    rgba, xyz = r.render(outputs=("rgba", "xyz"))
    return xyz.to_numpy()[row_px, :, 0], rgba.to_numpy()[row_px, :, 0].astype(float)


# -- cast shadows -------------------------------------------------------------


@pytest.mark.parametrize("elevation", [30.0, 45.0])
def test_a_pillar_casts_a_shadow_of_length_h_over_tan_e_away_from_the_sun(elevation):
    n, height, pc = 129, 10.0, 100
    h = np.zeros((n, n), np.float32)
    h[63:66, pc] = height  # three cells wide, so the middle row's shadow is whole
    r = top_down(h, 512, 512, colormap=GRAY)
    r.set_sun(90.0, elevation, 0.7)  # from the east: shadows point west (-x)
    r.set_ambient(0.3)
    # Pixel row through the pillar's cell (row 64 is world y = 64).
    xyz = r.render(outputs=("xyz",))[0].to_numpy()
    row_px = int(np.nanargmin(np.abs(xyz[:, 256, 1] - 64.0)))
    x, lit = shade_row(r, row_px)
    ground = np.abs(x - pc) > 2.5  # the pillar's own slopes are lit differently
    assert lit[ground].max() - lit[ground].min() < 3  # no shadows yet
    r.set_shadows(softness=0.0)
    x, red = shade_row(r, row_px)
    lit_level, dark_level = 255 * 0.5 * (0.3 + 0.7 * math.sin(math.radians(elevation))), 255 * 0.5 * 0.3
    dark = red < (lit_level + dark_level) / 2
    # The slopes around the pillar are lit differently; look from 2.5 cells away.
    west = dark & (x < pc - 2.5)
    east = dark & (x > pc + 2.5)
    assert not east.any(), "no shadow on the sun's side"
    length = pc - x[west].min()
    want = height / math.tan(math.radians(elevation))
    assert abs(length - want) <= 1.0, (length, want)
    # Inside the shadow the ground gets ambient light only.
    inside = (x < pc - 2) & (x > pc - want + 1)
    assert np.all(np.abs(red[inside] - dark_level) <= 3)


def test_shadows_follow_the_sun_and_turn_off():
    h = np.zeros((65, 65), np.float32)
    h[32, 32] = 8.0
    r = top_down(h, 256, 256, colormap=GRAY)
    r.set_sun(90.0, 30.0)
    plain = r.render().to_numpy().copy()
    r.set_shadows()
    east_sun = r.render().to_numpy().copy()
    r.set_sun(270.0, 30.0)  # recomputed for the new sun
    west_sun = r.render().to_numpy().copy()
    left, right = (slice(None), slice(0, 120)), (slice(None), slice(136, None))
    assert (east_sun[left] != plain[left]).any() and (east_sun[right] == plain[right]).all()
    assert (west_sun[right] != plain[right]).any()
    r.set_shadows(False)
    r.set_sun(90.0, 30.0)
    assert np.array_equal(r.render().to_numpy(), plain)


def test_soft_shadows_fade_over_the_suns_size():
    h = np.zeros((129, 129), np.float32)
    h[:, 64:] = 20.0  # a cliff along x = 64, the sun in the east, low
    r = top_down(h, 512, 512, colormap=GRAY, height_range=(-20, 20))
    r.set_sun(90.0, 20.0, 0.7)
    r.set_ambient(0.3)
    r.set_shadows(softness=0.0)
    x, hard = shade_row(r, 256)
    r.set_shadows(softness=8.0)
    x2, soft = shade_row(r, 256)
    ground = (x > 2) & (x < 62)
    levels = lambda v: len(np.unique(np.round(v[ground] / 4)))
    assert levels(soft) > levels(hard)
    # Hard: 20 / tan(20 deg) = 55 cells of shadow from the cliff at 64.
    dark = hard < hard[ground].max() - 20
    assert abs((64 - x[ground & dark].min()) - 20 / math.tan(math.radians(20))) <= 1.5


def test_meshes_beside_shadowed_terrain_still_render():
    h = np.zeros((33, 33), np.float32)
    h[16, 16] = 5
    r = forge3d.Renderer(128, 128)
    r.add_terrain(h)
    r.set_shadows()
    r.set_ambient_occlusion(0.5)
    r.add_mesh(forge3d.primitives.sphere(3.0, 16), color=(1.0, 0.0, 0.0))
    img = r.render().to_numpy()
    assert ((img[..., 0] > 150) & (img[..., 1] < 60)).any()


# -- ambient occlusion --------------------------------------------------------


def test_with_the_sun_off_a_valley_floor_is_darker_than_a_ridge_top():
    y, x = np.mgrid[0:96, 0:129].astype(np.float32)
    h = (12 * np.cos(2 * np.pi * x / 64)).astype(np.float32)  # ridges at x = 0, 64, 128
    r = top_down(h, 512, 384, colormap=GRAY)
    r.set_sun(0.0, 45.0, 0.0)  # no direct light
    r.set_ambient(1.0)
    _, flat = shade_row(r, 192)
    assert flat.max() - flat.min() < 2  # ambient alone is even
    r.set_ambient_occlusion(1.0, radius=24.0)
    xs, red = shade_row(r, 192)
    ridge = red[np.abs(xs - 64) < 1].mean()
    valley = red[np.abs(xs - 32) < 1].mean()
    assert ridge > valley + 15, (ridge, valley)
    assert ridge > 0.5 * 255 - 8  # a ridge top sees (nearly) the whole sky
    r.set_ambient_occlusion(0.0)  # off again
    _, back = shade_row(r, 192)
    assert np.array_equal(back, flat)


def test_flat_ground_is_not_occluded():
    r = top_down(np.zeros((40, 40), np.float32), 128, 128, colormap=GRAY)
    r.set_sun(0.0, 45.0, 0.0)
    r.set_ambient(1.0)
    plain = r.render().to_numpy().copy()
    r.set_ambient_occlusion(1.0)
    assert np.abs(r.render().to_numpy().astype(int) - plain).max() <= 1


# -- overlays -----------------------------------------------------------------


def flat_lit(n=64, w=256):
    """A flat terrain seen from above, lit evenly at full strength."""
    r = top_down(np.zeros((n, n), np.float32), w, w, colormap=GRAY)
    r.set_sun(0.0, 90.0, 0.0)
    r.set_ambient(1.0)
    return r


def test_an_overlay_colours_its_extent_and_only_it():
    r = flat_lit()
    img = np.zeros((8, 8, 4), np.uint8)
    img[...] = (255, 0, 0, 255)
    # Cells 0..32 of the columns, all rows: the left half.
    r.add_overlay(img, extent=(0, 32, 0, 64), units="cells")
    rgba = r.render().to_numpy()
    assert tuple(rgba[128, 40]) == (255, 0, 0, 255)
    assert tuple(rgba[128, 216]) == (128, 128, 128, 255)


def test_overlay_pixels_land_where_the_image_says():
    r = flat_lit(64, 256)
    img = np.zeros((2, 2, 3), np.uint8)
    img[0, 0] = (255, 0, 0)  # top-left: north-west
    img[0, 1] = (0, 255, 0)
    img[1, 0] = (0, 0, 255)
    img[1, 1] = (255, 255, 255)
    r.add_overlay(img)
    rgba = r.render().to_numpy()
    # Quadrant centres (bilinear sampling blends only near the middle).
    assert tuple(rgba[48, 48, :3]) == (255, 0, 0)
    assert tuple(rgba[48, 208, :3]) == (0, 255, 0)
    assert tuple(rgba[208, 48, :3]) == (0, 0, 255)
    assert tuple(rgba[208, 208, :3]) == (255, 255, 255)


def test_world_and_crs_extents():
    r = forge3d.Renderer(256, 256)
    r.add_terrain(np.zeros((64, 64), np.float32), spacing=10.0, colormap=GRAY)
    r.set_camera_top_down()
    r.set_sun(0, 90, 0)
    r.set_ambient(1)
    blue = np.zeros((1, 1, 4), np.uint8)
    blue[...] = (0, 0, 255, 255)
    # World x 0..315 (the left half of 0..630), all of y.
    r.add_overlay(blue, extent=(-5, 315, -5, 635))
    rgba = r.render().to_numpy()
    assert tuple(rgba[128, 60, :3]) == (0, 0, 255)
    assert tuple(rgba[128, 200, :3]) == (128, 128, 128)
    with pytest.raises(ValueError, match="georeferenced"):
        r.add_overlay(blue, extent=(0, 1, 0, 1), units="crs")


def test_overlays_stack_in_order_and_blend():
    r = flat_lit()
    red = np.zeros((1, 1, 4), np.uint8)
    red[...] = (255, 0, 0, 255)
    half_green = np.zeros((1, 1, 4), np.uint8)
    half_green[...] = (0, 255, 0, 255)
    a = r.add_overlay(red)
    b = r.add_overlay(half_green, opacity=0.5)
    px = r.render().to_numpy()[128, 128]
    assert abs(int(px[0]) - 128) <= 1 and abs(int(px[1]) - 128) <= 1 and px[2] == 0
    assert [o["id"] for o in r.overlays] == [a, b]
    assert r.remove_overlay(a) and not r.remove_overlay(a)
    white = np.full((1, 1, 3), 255, np.uint8)
    r.remove_overlay(b)
    r.add_overlay(white, blend="multiply")
    assert tuple(r.render().to_numpy()[128, 128, :3]) == (128, 128, 128)
    r.add_overlay(np.zeros((1, 1, 3), np.uint8), blend="screen")
    assert tuple(r.render().to_numpy()[128, 128, :3]) == (128, 128, 128)


def test_overlay_under_contours_and_lighting():
    # Lit from the side, a red overlay is shaded like the terrain.
    y, x = np.mgrid[0:64, 0:64].astype(np.float32)
    r = top_down((x * 0.5).astype(np.float32), colormap=GRAY)
    r.set_sun(90.0, 45.0, 0.7)
    r.set_ambient(0.3)
    red = np.zeros((1, 1, 4), np.uint8)
    red[...] = (255, 0, 0, 255)
    r.add_overlay(red)
    px = r.render().to_numpy()[128, 128]
    assert 120 < px[0] < 255 and px[1] == 0


def test_uint8_rgba_is_uploaded_with_one_copy_from_its_own_memory():
    r = flat_lit()
    img = np.zeros((100, 60, 4), np.uint8)
    with forge3d.copy_ledger() as ledger:
        r.add_overlay(img)
    recs = [c for c in ledger.records]
    assert len(recs) == 1, recs
    assert recs[0].operation == "upload" and recs[0].source_ptr == img.ctypes.data
    assert recs[0].bytes == img.nbytes


@pytest.mark.parametrize(
    "img",
    [np.zeros((10, 12, 3), np.uint8), np.zeros((10, 12, 4), np.float32), np.zeros((10, 12, 3), np.float64),
     np.zeros((12, 10, 4), np.uint8).transpose(1, 0, 2)],
    ids=["rgb8", "f32", "f64", "strided"],
)
def test_other_images_are_converted_once_then_uploaded(img):
    r = flat_lit()
    with forge3d.copy_ledger() as ledger:
        r.add_overlay(img)
    ops = [c.operation for c in ledger.records]
    assert ops == ["convert", "upload"], ops


def arrow_tensor(pa, a):
    """`a` as a one-element Arrow ``fixed_shape_tensor`` array."""
    tensor_type = pa.fixed_shape_tensor(pa.from_numpy_dtype(a.dtype), list(a.shape))
    storage = pa.FixedSizeListArray.from_arrays(pa.array(a.ravel()), a.size)
    return pa.ExtensionArray.from_storage(tensor_type, storage)


def test_float_and_arrow_overlays():
    pa = pytest.importorskip("pyarrow")
    r = flat_lit()
    img = np.zeros((4, 4, 4), np.float32)
    img[..., 2] = 1.0
    img[..., 3] = 1.0
    r.add_overlay(img)
    assert tuple(r.render().to_numpy()[128, 128, :3]) == (0, 0, 255)
    r.remove_overlay(r.overlays[0]["id"])
    t = np.zeros((4, 4, 4), np.uint8)
    t[..., 1] = 255
    t[..., 3] = 255
    with forge3d.copy_ledger() as ledger:
        r.add_overlay(arrow_tensor(pa, t))
    assert [c.operation for c in ledger.records] == ["upload"]
    assert tuple(r.render().to_numpy()[128, 128, :3]) == (0, 255, 0)


@pytest.mark.parametrize(
    "img, exc, match",
    [
        (np.zeros((4, 4), np.uint8), ValueError, "dimensions"),
        (np.zeros((4, 4, 2), np.uint8), ValueError, "channels"),
        (np.full((4, 4, 3), np.nan, np.float32), ValueError, "NaN"),
        (np.full((4, 4, 3), 1.5, np.float32), ValueError, r"\[0, 1\]"),
        (np.zeros((4, 4, 3), np.uint16), TypeError, "uint8"),
        (np.zeros((0, 4, 3), np.uint8), ValueError, "empty"),
        ("not an image", TypeError, "image must be"),
    ],
)
def test_bad_overlay_images(img, exc, match):
    r = flat_lit()
    with pytest.raises(exc, match=match):
        r.add_overlay(img)
    assert r.overlays == []


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(extent=(10, 0, 0, 10), units="cells"), "start < stop"),
        (dict(extent=(0, 10, 10, 0)), "left < right and bottom < top"),
        (dict(extent=(100, 200, 100, 200)), "outside the terrain"),
        (dict(extent=(0, 1, 2)), "4 numbers"),
        (dict(extent=(0, float("nan"), 0, 1)), "finite"),
        (dict(units="pixels", extent=(0, 1, 0, 1)), "units"),
        (dict(opacity=1.5), "opacity"),
        (dict(blend="add"), "blend must be one of over, multiply, screen"),
    ],
)
def test_bad_overlay_arguments(kw, match):
    r = flat_lit()
    with pytest.raises(ValueError, match=match):
        r.add_overlay(np.zeros((2, 2, 4), np.uint8), **kw)
    assert r.overlays == []


def test_at_most_eight_overlays():
    r = flat_lit()
    for _ in range(8):
        r.add_overlay(np.zeros((1, 1, 4), np.uint8))
    with pytest.raises(ValueError, match="at most 8"):
        r.add_overlay(np.zeros((1, 1, 4), np.uint8))


# -- water --------------------------------------------------------------------


def test_water_fills_below_the_level_and_not_above():
    y, x = np.mgrid[0:64, 0:64].astype(np.float32)
    r = top_down(x.copy(), colormap=GRAY, height_range=(-100, 100))  # height = world x
    r.set_sun(0.0, 90.0, 0.0)
    r.set_ambient(1.0)
    r.set_water(20.0, color=(0.0, 0.0, 1.0), opacity=1.0, depth_shading=False)
    rgba, xyz = r.render(outputs=("rgba", "xyz"))
    rgba, wx = rgba.to_numpy(), xyz.to_numpy()[128, :, 0]
    below, above = (wx < 19.5), (wx > 20.5) & (wx < 63)
    assert np.all(rgba[128, below, 2] == 255) and np.all(rgba[128, below, 0] == 0)
    assert np.all(rgba[128, above, 2] == rgba[128, above, 0])  # gray ground
    # Depth shading: deeper water is darker.
    r.set_water(20.0, color=(0.0, 0.0, 1.0), opacity=1.0)
    row = r.render().to_numpy()[128]
    shallow, deep = row[np.argmin(np.abs(wx - 18)), 2], row[np.argmin(np.abs(wx - 2)), 2]
    assert deep < shallow - 20
    r.set_water(None)
    assert np.all(r.render().to_numpy()[128, below, 0] == r.render().to_numpy()[128, below, 2])


def test_water_in_an_oblique_view_is_flat_and_blended():
    y, x = np.mgrid[0:64, 0:64].astype(np.float32)
    h = (10 * np.hypot(x - 32, y - 32) / 32).astype(np.float32)  # a bowl
    r = forge3d.Renderer(200, 160)
    r.add_terrain(h)
    plain = r.render().to_numpy().copy()
    r.set_water(5.0, color=(0.0, 0.2, 1.0))
    wet = r.render().to_numpy()
    changed = np.abs(wet.astype(int) - plain).max(-1) > 10
    assert 0.05 < changed.mean() < 0.6
    assert (wet[changed][:, 2] > wet[changed][:, 0]).mean() > 0.9


@pytest.mark.parametrize("level", [float("nan"), float("inf")])
def test_water_levels_must_be_finite(level):
    r = flat_lit()
    with pytest.raises(ValueError, match="level must be a finite"):
        r.set_water(level)
    assert r.terrain_info()["water"] is None


def test_water_arguments_are_checked():
    r = flat_lit()
    with pytest.raises(ValueError, match="opacity"):
        r.set_water(1.0, opacity=2.0)
    with pytest.raises(ValueError, match="color"):
        r.set_water(1.0, color=(2.0, 0.0, 0.0))
    with pytest.raises(ValueError, match="depth_scale"):
        r.set_water(1.0, depth_scale=0.0)
    assert r.terrain_info()["water"] is None


# -- solid base ---------------------------------------------------------------


def test_a_base_adds_walls_seen_from_the_side_not_from_above():
    y, x = np.mgrid[0:48, 0:64].astype(np.float32)
    h = (5 + 3 * np.sin(x / 6)).astype(np.float32)
    r = top_down(h, 200, 160, colormap=GRAY)
    above = r.render().to_numpy().copy()
    r.set_base(True, color=(0.0, 1.0, 0.0))
    assert np.abs(r.render().to_numpy().astype(int) - above).max() <= 1
    r.set_camera_orbit(200.0, 20.0)
    walls = r.render().to_numpy()
    green = (walls[..., 1] > 2 * walls[..., 0] + 10) & (walls[..., 1] > 2 * walls[..., 2] + 10)
    assert green.mean() > 0.02
    r.set_base(False)
    none = r.render().to_numpy()
    green = (none[..., 1] > 2 * none[..., 0] + 10) & (none[..., 1] > 2 * none[..., 2] + 10)
    assert not green.any()


def test_holes_get_no_walls_inside():
    h = np.full((48, 48), 10.0, np.float32)
    h[16:32, 16:32] = np.nan
    r = forge3d.Renderer(200, 200)
    r.add_terrain(h)
    r.set_camera_orbit(200.0, 60.0)
    r.set_sun(0, 90, 0)
    r.set_ambient(1)
    r.background = (0, 0, 0, 255)
    plain = r.render().to_numpy().copy()
    r.set_base(True, color=(0.0, 1.0, 0.0))
    based = r.render().to_numpy()
    # Looking down into the hole, nothing new is drawn there: the pixels
    # that show background through the hole still do.
    hole = (plain[..., :3] == 0).all(-1)
    centre = np.zeros_like(hole)
    centre[70:130, 70:130] = True
    assert (hole & centre).sum() > 100
    assert (based[hole & centre][:, :3] == 0).all()


def test_base_arguments_are_checked():
    r = flat_lit()
    with pytest.raises(ValueError, match="depth"):
        r.set_base(True, depth=-1.0)
    with pytest.raises(TypeError, match="enabled"):
        r.set_base("yes")
    assert r.terrain_info()["base"] is None


# -- settings and errors ------------------------------------------------------


def test_look_settings_are_reported_and_need_a_terrain():
    r = forge3d.Renderer(64, 64)
    for call in (lambda: r.set_shadows(), lambda: r.set_ambient_occlusion(0.5), lambda: r.set_water(1.0),
                 lambda: r.set_base(), lambda: r.add_overlay(np.zeros((1, 1, 4), np.uint8))):
        with pytest.raises(RuntimeError, match="terrain"):
            call()
    r.add_terrain(np.zeros((8, 8), np.float32))
    r.set_shadows(softness=2.0)
    r.set_ambient_occlusion(0.4, radius=3.0)
    r.set_water(0.5)
    r.set_base(True, depth=2.0)
    info = r.terrain_info()
    assert info["shadows"] == 2.0
    assert info["ambient_occlusion"][0] == pytest.approx(0.4) and info["ambient_occlusion"][1] == 3.0
    assert info["water"][0] == 0.5 and info["base"][0] == 2.0
    # A new terrain starts afresh: the default look, occlusion on.
    r.add_terrain(np.zeros((8, 8), np.float32))
    info = r.terrain_info()
    assert (info["shadows"], info["water"], info["base"]) == (None,) * 3
    assert info["ambient_occlusion"][0] == pytest.approx(0.6) and info["ambient_occlusion"][1] is None


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda r: r.set_shadows(softness=-1.0), "softness"),
        (lambda r: r.set_shadows(softness=float("nan")), "softness"),
        (lambda r: r.set_ambient_occlusion(1.5), "strength"),
        (lambda r: r.set_ambient_occlusion(0.5, radius=0.0), "radius"),
    ],
)
def test_bad_relief_arguments(call, match):
    r = flat_lit()
    r.set_ambient_occlusion(0.3, radius=5.0)
    before = r.terrain_info()
    with pytest.raises(ValueError, match=match):
        call(r)
    info = r.terrain_info()
    assert info == before and info["shadows"] is None


# -- sample data --------------------------------------------------------------


def test_sample_dems_are_north_up_heightmaps_in_metres():
    pytest.importorskip("matplotlib")
    from matplotlib import cbook

    jb = forge3d.datasets.jacksboro()
    assert jb.shape == (344, 403) and 60 < jb.spacing[0] < 100 and jb.crs == "EPSG:4326"
    tb = forge3d.datasets.topobathy()
    raw = cbook.get_sample_data("topobathy.npz")
    assert tb.shape == raw["topo"].shape
    # The source's row 0 is its southernmost latitude; here row 0 is north.
    assert np.array_equal(np.asarray(tb)[0], raw["topo"][-1])
    left, bottom, right, top = tb.bounds
    assert top == pytest.approx(float(raw["latitude"].max()) + tb.crs_spacing[1] / 2, abs=1e-4)
    assert 2000 < tb.spacing[0] < 3000 and 2000 < tb.spacing[1] < 3000


def test_a_large_overlay_is_averaged_not_aliased_when_minified():
    r = flat_lit(64, 128)
    checker = np.zeros((1024, 1024, 4), np.uint8)
    checker[..., 3] = 255
    checker[(np.arange(1024)[:, None] + np.arange(1024)) % 2 == 0, :3] = 255
    r.add_overlay(checker)
    px = r.render().to_numpy()[16:112, 16:112, 0].astype(int)
    # 8 image pixels per screen pixel: each is the mean of its mip level,
    # (nearly) mid gray, never black or white.
    assert abs(px.mean() - 128) < 6 and px.min() > 100 and px.max() < 156


def test_transparent_image_pixels_do_not_darken_their_opaque_neighbours_in_mips():
    r = flat_lit(64, 128)
    img = np.zeros((1024, 1024, 4), np.uint8)
    img[::2, :] = (255, 255, 255, 255)  # every other row white, the rest transparent black
    r.add_overlay(img)
    px = r.render().to_numpy()[64, 64]
    # Half coverage of white over gray 128: about 191, not 128 (which a
    # plain average of the transparent black would give).
    assert abs(int(px[0]) - 191) <= 8, px


# -- more of the same, from other directions and inputs -----------------------


@pytest.mark.parametrize("azimuth", [0.0, 45.0, 180.0, 225.0, 300.0])
def test_a_pillars_shadow_points_away_from_the_sun_at_any_azimuth(azimuth):
    """The shadow's far end lies h / tan(e) from the pillar, opposite the
    sun (azimuth clockwise from north, +y north, +x east)."""
    n, height, elevation, pc = 129, 10.0, 35.0, 64
    h = np.zeros((n, n), np.float32)
    h[pc - 1 : pc + 2, pc - 1 : pc + 2] = height  # a 3x3 pillar at world (64, 64)
    r = top_down(h, 512, 512, colormap=GRAY)
    r.set_sun(azimuth, elevation, 0.7)
    r.set_ambient(0.3)
    r.set_shadows(softness=0.0)
    rgba, xyz = r.render(outputs=("rgba", "xyz"))
    red, p = rgba.to_numpy()[..., 0].astype(float), xyz.to_numpy()
    lit = 255 * 0.5 * (0.3 + 0.7 * math.sin(math.radians(elevation)))
    dark = 255 * 0.5 * 0.3
    dx, dy = p[..., 0] - pc, p[..., 1] - pc
    # The slopes around the pillar (central differences reach 2 cells out,
    # mixed bilinearly) are lit differently: look from 3.5 cells away.
    ground = np.isfinite(dx) & ((np.abs(dx) > 3.5) | (np.abs(dy) > 3.5))
    shadow = ground & (red < (lit + dark) / 2)
    assert shadow.sum() > 50
    away = np.array([-math.sin(math.radians(azimuth)), -math.cos(math.radians(azimuth))])
    # Every shadowed pixel lies on the far side of the pillar from the sun.
    along = dx[shadow] * away[0] + dy[shadow] * away[1]
    assert along.min() > 0, along.min()
    # Its far end: the pillar's edge (1.5 cells from the centre along the
    # direction, more on a diagonal) plus h / tan(e), within a cell.
    edge = 1.5 / max(abs(away[0]), abs(away[1]))
    want = edge + height / math.tan(math.radians(elevation))
    assert abs(along.max() - want) <= 1.0 + 0.5 * (edge - 1.5), (along.max(), want)


def test_relief_passes_run_only_when_their_inputs_change():
    y, x = np.mgrid[0:64, 0:64].astype(np.float32)
    r = forge3d.Renderer(96, 96)
    r.add_terrain((8 * np.sin(x / 6) * np.cos(y / 7)).astype(np.float32))
    r.set_shadows()
    assert r.terrain_info()["relief_passes"] == (0, 0)  # computed inside a render
    r.render()
    assert r.terrain_info()["relief_passes"] == (1, 1)
    r.render()
    r.set_camera_orbit(120.0, 30.0)  # the view changes, the relief does not
    r.render()
    r.set_ambient(0.5)
    r.set_colormap("magma")
    r.render()
    assert r.terrain_info()["relief_passes"] == (1, 1)
    r.set_sun(200.0, 30.0)  # the shadows follow the sun; occlusion does not
    r.render()
    assert r.terrain_info()["relief_passes"] == (2, 1)
    r.set_ambient_occlusion(0.6, radius=5.0)  # a new radius: occlusion again
    r.render()
    r.render()
    assert r.terrain_info()["relief_passes"] == (2, 2)
    # Turned off, occlusion's texture is freed; turned on, computed afresh.
    r.set_ambient_occlusion(0)
    assert r.terrain_info()["relief_passes"] == (2, 0)
    r.render()
    r.set_ambient_occlusion(0.6, radius=5.0)
    r.render()
    assert r.terrain_info()["relief_passes"] == (2, 1)
    r.add_terrain(np.zeros((8, 8), np.float32))  # a new terrain starts afresh
    assert r.terrain_info()["relief_passes"] == (0, 0)


def test_points_and_meshes_leave_the_terrains_shadows_as_they_were():
    h = np.zeros((65, 65), np.float32)
    h[31:34, 31:34] = 8.0
    r = forge3d.Renderer(256, 256)
    r.add_terrain(h, colormap=GRAY)
    r.set_ambient_occlusion(0)
    # A fixed view, so that adding meshes does not refit the camera.
    r.set_camera_orbit(180.0, 60.0, distance=120.0, target=(32.0, 32.0, 0.0))
    r.set_sun(90.0, 30.0)
    r.set_shadows()
    alone, xyz = r.render(outputs=("rgba", "xyz"))
    alone, xyz = alone.to_numpy().copy(), xyz.to_numpy().copy()
    # Points above the north-east corner and a sphere at the south-west one.
    pts = np.float32([[60, 60, 20], [58, 62, 20], [62, 58, 20]])
    r.add_mesh(forge3d.Points(pts, size=4.0), color=(1.0, 0.0, 0.0))
    r.add_mesh(forge3d.primitives.sphere(3.0, 12), color=(0.0, 0.0, 1.0))
    both = r.render().to_numpy()
    assert ((both[..., 0] > 200) & (both[..., 1] < 40)).any()  # the points are drawn
    assert ((both[..., 2] > 150) & (both[..., 0] < 60)).any()  # and the sphere
    # West of the pillar, the shadow (8 / tan 30 = 13.9 cells long) is there
    # and unchanged, pixel for pixel.
    x, y = xyz[..., 0], xyz[..., 1]
    west = (x > 12) & (x < 30) & (np.abs(y - 32) < 4)
    assert west.sum() > 100
    assert np.array_equal(both[west], alone[west])
    lit = alone[(x > 40) & (np.abs(y - 32) < 4)][:, 0].astype(int)
    assert (alone[west][:, 0] < lit.min() - 20).sum() > 50


def test_overlays_from_a_memoryview_and_a_float_arrow_tensor():
    pa = pytest.importorskip("pyarrow")
    r = flat_lit()
    img = np.zeros((2, 2, 4), np.uint8)
    img[...] = (255, 0, 255, 255)
    with forge3d.copy_ledger() as ledger:
        r.add_overlay(memoryview(img))
    assert [(c.operation, c.source_ptr) for c in ledger.records] == [("upload", img.ctypes.data)]
    assert tuple(r.render().to_numpy()[128, 128, :3]) == (255, 0, 255)
    r.remove_overlay(r.overlays[0]["id"])
    f = np.zeros((3, 3, 3), np.float32)
    f[..., 0] = 0.5
    with forge3d.copy_ledger() as ledger:
        r.add_overlay(arrow_tensor(pa, f))
    assert [c.operation for c in ledger.records] == ["convert", "upload"]
    px = r.render().to_numpy()[128, 128, :3].astype(int)
    assert abs(px[0] - 128) <= 1 and px[1] == 0 and px[2] == 0


def test_an_overlay_placed_in_crs_coordinates():
    # A georeferenced 64x64 terrain: lower-left cell centre at (500000, 4000000),
    # 10 m cells, drawn 10 world units apart.
    hm = forge3d.Heightmap(np.zeros((64, 64), np.float32), 10.0, (500_000.0, 4_000_000.0),
                           crs="EPSG:32616")
    r = forge3d.Renderer(256, 256)
    r.add_terrain(hm, colormap=GRAY)
    r.set_ambient_occlusion(0)
    r.set_camera_top_down()
    r.set_sun(0, 90, 0)
    r.set_ambient(1)
    blue = np.zeros((1, 1, 4), np.uint8)
    blue[...] = (0, 0, 255, 255)
    # The eastern half in CRS metres: x from the 33rd column's left edge.
    r.add_overlay(blue, extent=(500_315.0, 500_635.0, 3_999_995.0, 4_000_635.0), units="crs")
    rgba = r.render().to_numpy()
    assert tuple(rgba[128, 200, :3]) == (0, 0, 255)
    assert tuple(rgba[128, 60, :3]) == (128, 128, 128)
