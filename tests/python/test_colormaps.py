"""Colormaps users already have: matplotlib names and Colormap objects,
arrays of colours; the built-in tables work without matplotlib."""

import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402

import forge3d


def ramp_render(colormap, width=256):
    """Top-down, unlit: column x shows the colour of height x / (width - 1)."""
    r = forge3d.Renderer(width, 32)
    z = np.tile(np.arange(64, dtype=np.float32), (16, 1))
    r.add_terrain(z, colormap=colormap, height_range=(0.0, 63.0))
    r.set_camera_top_down()
    r.set_sun(0, 90, intensity=0.0)
    r.set_ambient(1.0)
    r.set_ambient_occlusion(0)  # a ramp's uphill horizon would darken it
    return np.array(r.render())


def drawn(img):
    """The middle row's drawn pixels (the terrain does not fill the frame)."""
    row = img[img.shape[0] // 2, :, :3].astype(int)
    fg = np.flatnonzero((row != (20, 22, 28)).any(1))
    return row[fg[0] : fg[-1] + 1]


def ends(img):
    row = drawn(img)
    return row[1], row[-2]


def test_a_matplotlib_name_and_object_draw_their_colours():
    for cmap in ("cividis", matplotlib.colormaps["cividis"]):
        lo, hi = ends(ramp_render(cmap))
        c = matplotlib.colormaps["cividis"]
        assert np.abs(lo - np.rint(np.array(c(0.0)[:3]) * 255)).max() <= 6
        assert np.abs(hi - np.rint(np.array(c(1.0)[:3]) * 255)).max() <= 6
    red_blue = LinearSegmentedColormap.from_list("rb", ["red", "blue"])
    lo, hi = ends(ramp_render(red_blue))
    assert lo[0] > 240 and lo[2] < 15 and hi[2] > 240 and hi[0] < 15
    # The same table is one name; the built-in tables keep their names.
    a = forge3d.Renderer(8, 8)
    a.add_terrain(np.zeros((2, 2), np.float32) + [[0, 1], [2, 3]], colormap="cividis")
    name = a.terrain_info()["colormap"]
    assert name.startswith("table:")
    a.set_colormap(matplotlib.colormaps["cividis"])
    assert a.terrain_info()["colormap"] == name
    a.set_colormap("magma")
    assert a.terrain_info()["colormap"] == "magma"


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_an_array_of_colours_is_n_equal_bins(dtype):
    colours = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]], np.uint8)
    table = colours if dtype == np.uint8 else colours.astype(np.float32) / 255
    img = ramp_render(table, width=512)
    row = drawn(img)
    # Four bands of the range, each one colour: sample inside each.
    for k, want in enumerate(colours):
        x = int((k + 0.5) * len(row) / 4)
        assert np.abs(row[x] - want).max() <= 2, (k, row[x])
    # Mesh scalars take the same colormaps.
    r = forge3d.Renderer(16, 16)
    r.add_mesh(forge3d.primitives.cube(1.0), style="scalars", colormap=table)
    r.add_mesh(forge3d.primitives.cube(1.0), style=forge3d.MeshStyle.scalars(colormap="plasma"))


@pytest.mark.parametrize(
    ("colormap", "exc", "match"),
    [
        ("nope", ValueError, 'unknown name "nope".*viridis.*matplotlib'),
        (np.zeros((3, 5)), ValueError, r"\(N, 3\) or \(N, 4\)"),
        (np.full((3, 3), 1.5), ValueError, r"in \[0, 1\]"),
        (np.array([[np.nan, 0, 0]]), ValueError, "finite"),
        (np.zeros((3, 3), bool), TypeError, "uint8 or floats"),
        (7, TypeError, "colormap must be"),
        (["magma"], TypeError, "colormap must be"),
    ],
)
def test_bad_colormaps_are_named_and_change_nothing(colormap, exc, match):
    r = forge3d.Renderer(8, 8)
    r.add_terrain(np.arange(16, dtype=np.float32).reshape(4, 4), colormap="gray")
    with pytest.raises(exc, match=match):
        r.add_terrain(np.arange(16, dtype=np.float32).reshape(4, 4), colormap=colormap)
    with pytest.raises(exc, match=match.replace("colormap must", "name must")):
        r.set_colormap(colormap)
    assert r.terrain_info()["colormap"] == "gray"


def test_the_built_in_tables_work_without_matplotlib():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["matplotlib"] = None  # import matplotlib now fails
        import numpy as np, forge3d
        r = forge3d.Renderer(8, 8)
        r.add_terrain(np.arange(16, dtype=np.float32).reshape(4, 4), colormap="terrain_r")
        r.render()
        try:
            r.set_colormap("cividis")
        except ValueError as e:
            assert "install matplotlib" in str(e), e
            print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def gray_ramp(width=512, **kw):
    """Top-down, unlit, gray colormap over heights 0..63 (column = height)."""
    r = forge3d.Renderer(width, 64)
    z = np.tile(np.arange(64, dtype=np.float32), (16, 1))
    r.add_terrain(z, colormap="gray", **kw)
    r.set_camera_top_down()
    r.set_sun(0, 90, intensity=0.0)
    r.set_ambient(1.0)
    r.set_ambient_occlusion(0)  # a ramp's uphill horizon would darken it
    return r


def height_of(row, x):
    """The height drawn at pixel x of the drawn row (heights 0..63 across)."""
    return 63.0 * x / (len(row) - 1)


def test_levels_make_discrete_bins_with_exact_boundaries():
    r = gray_ramp(levels=[0, 16, 32, 48, 63])
    row = drawn(np.array(r.render()))[:, 0]
    assert set(np.unique(row)) <= {32, 96, 159, 223}  # the four slice middles of gray
    for k, want in enumerate([32, 96, 159, 223]):
        x = int((k + 0.5) * len(row) / 4)
        assert row[x] == want
    # Each boundary falls where the height crosses the level, to a pixel.
    changes = np.flatnonzero(np.diff(row.astype(int)))
    for level, x in zip([16, 32, 48], changes):
        assert abs(height_of(row, x) - level) <= 63 / (len(row) - 1) * 1.5
    info = r.terrain_info()
    assert info["levels"] == [0.0, 16.0, 32.0, 48.0, 63.0] and info["norm"] == "linear"
    # Back to continuous.
    r.set_color_scale()
    assert len(np.unique(drawn(np.array(r.render()))[:, 0])) > 100


def test_log_norm_maps_the_logarithm_of_height():
    r = gray_ramp(height_range=(1.0, 64.0), norm="log")
    row = drawn(np.array(r.render()))[:, 0].astype(int)
    for h in (2.0, 8.0, 32.0):
        x = int(round(h / 63.0 * (len(row) - 1)))
        want = 255 * math.log(h) / math.log(64.0)
        assert abs(row[x] - want) <= 4, (h, row[x], want)
    # Linear would put height 8 near (8 - 1) / 63 of the way: far darker.
    r.set_color_scale(norm="linear")
    lin = drawn(np.array(r.render()))[:, 0].astype(int)
    x8 = int(round(8 / 63 * (len(lin) - 1)))
    assert lin[x8] < row[x8] - 80


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"norm": "sqrt"}, ValueError, "norm must be 'linear' or 'log'"),
        ({"norm": 3}, TypeError, "norm"),
        ({"levels": [1.0]}, ValueError, "levels must have 2 to 64"),
        ({"levels": [0, 2, 1]}, ValueError, "strictly increasing"),
        ({"levels": [0, np.inf]}, ValueError, "finite"),
        ({"levels": "0,1"}, TypeError, "levels must be a sequence"),
        ({"levels": list(range(65))}, ValueError, "2 to 64"),
        ({"norm": "log"}, ValueError, "positive height range"),  # the data start at 0
        ({"norm": "log", "height_range": (-1.0, 5.0)}, ValueError, "positive height range"),
    ],
)
def test_bad_scales_are_named_and_change_nothing(kwargs, exc, match):
    r = gray_ramp()
    before = np.array(r.render())
    z = np.tile(np.arange(64, dtype=np.float32), (16, 1))
    with pytest.raises(exc, match=match):
        r.add_terrain(z, colormap="gray", **kwargs)
    assert np.array_equal(np.array(r.render()), before)
    scale = {k: v for k, v in kwargs.items() if k in ("norm", "levels")}
    if "height_range" not in kwargs:
        with pytest.raises(exc, match=match):
            r.set_color_scale(**scale)
        assert np.array_equal(np.array(r.render()), before)
    # A log scale in effect refuses a height range that is not positive.
    r2 = gray_ramp(height_range=(1.0, 64.0), norm="log")
    with pytest.raises(ValueError, match="positive height range"):
        r2.set_height_range(0.0, 10.0)
