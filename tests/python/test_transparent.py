"""Transparent output: a background with alpha 0 stays alpha 0 wherever
nothing is drawn, drawn pixels are opaque, and to_png keeps the alpha."""

import numpy as np
import pytest
from PIL import Image

import forge3d


def _scene(kind):
    r = forge3d.Renderer(96, 72, background=(10, 20, 30, 0))
    if kind == "terrain":
        y, x = np.mgrid[0:32, 0:32].astype(np.float32)
        z = np.sin(x / 5) * np.cos(y / 7) * 4
        z[10:14, 10:14] = np.nan  # a hole shows the background too
        r.add_terrain(z)
    elif kind == "mesh":
        r.add_mesh(forge3d.primitives.sphere(1.0, 16))
    else:
        r.add_mesh(forge3d.Points(np.random.default_rng(0).random((50, 3), np.float32), size=6.0))
    return r


@pytest.mark.parametrize("kind", ["terrain", "mesh", "points"])
@pytest.mark.parametrize("msaa", [1, 4])
def test_nothing_drawn_is_transparent_and_png_keeps_it(kind, msaa, tmp_path):
    r = _scene(kind)
    r.set_msaa(msaa)
    a = np.array(r.render())
    alpha = a[..., 3]
    drawn = alpha > 0
    assert 0.02 < drawn.mean() < 0.98
    # Corners are background: its color with alpha 0.
    for y, x in [(0, 0), (0, -1), (-1, 0), (-1, -1)]:
        assert tuple(a[y, x]) == (10, 20, 30, 0)
    # What is drawn is opaque; with MSAA, edge pixels are partly covered
    # (their alpha is the coverage), never more than a pixel away from a
    # fully covered or an empty one.
    if msaa == 1:
        assert (alpha[drawn] == 255).all()
    else:
        partial = (alpha > 0) & (alpha < 255)
        assert partial.mean() < 0.5 * drawn.mean()
    if msaa == 1:
        assert set(np.unique(alpha)) <= {0, 255}
    path = tmp_path / "t.png"
    r.render().to_png(path)
    png = Image.open(path)
    assert png.mode == "RGBA"
    assert np.array_equal(np.asarray(png), a)
