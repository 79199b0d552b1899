"""Golden-image scenes: each renders a small, fixed picture that a change
to the renderer must keep. The reference PNGs live in tests/golden/;
``test_golden.py`` compares every scene with its PNG under a tolerance that
holds between Mesa's lavapipe and NVIDIA hardware (mean error and the share
of pixels off by more than a few levels; see ``compare``).

Regenerate the references deliberately, after checking the new pictures:

    python tests/python/golden.py --write [scene ...]
"""

from __future__ import annotations

import os
import sys

import numpy as np

import forge3d

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "golden")
W, H = 256, 192

# A pixel counts as off when a channel differs by more than this many levels;
# rasterisers may differ on edge pixels (coverage rules, interpolation), and
# lighting may round differently, so a few pixels are allowed to be off.
LEVELS = 24
MAX_OFF = 0.01  # share of pixels
MAX_MEAN = 1.5  # mean absolute difference over all channels, in levels


def jacksboro():
    """matplotlib's sample DEM (Jacksboro fault, int16, 344x403) and its
    spacing in metres."""
    from matplotlib import cbook

    dem = cbook.get_sample_data("jacksboro_fault_dem.npz")
    lat = np.deg2rad(float(dem["ymin"]))
    return dem["elevation"], (float(dem["dx"]) * 111_320 * np.cos(lat), float(dem["dy"]) * 110_574)


def _dem_renderer():
    z, spacing = jacksboro()
    r = forge3d.Renderer(W, H)
    r.add_terrain(z, spacing=spacing, exaggeration=2.0, colormap="terrain")
    return r


def triangle():
    return forge3d.Renderer(W, H).render_triangle_rgba()


def jacksboro_default_view():
    return _dem_renderer().render().to_numpy()


def jacksboro_top_down():
    r = _dem_renderer()
    r.set_camera_top_down()
    return r.render().to_numpy()


def contours():
    """Jacksboro with contour lines every 50 m (major lines every 200 m)."""
    r = _dem_renderer()
    r.set_contours(50.0, major_every=4, color=(0.1, 0.05, 0.0, 0.8), width_px=1.5)
    return r.render().to_numpy()


def relief():
    """Jacksboro under a low sun with cast shadows and ambient occlusion."""
    r = _dem_renderer()
    r.set_sun(300.0, 25.0)
    r.set_shadows(softness=1.0)
    r.set_ambient_occlusion(0.8)
    return r.render().to_numpy()


def draped():
    """Jacksboro in gray with a draped image (a grid of roads, nearly
    opaque), water up to 420 m and a solid base, seen from the south-west."""
    z, _ = jacksboro()
    r = _dem_renderer()
    r.set_colormap("gray")
    roads = np.zeros((z.shape[0], z.shape[1], 4), np.uint8)
    for k in range(3):
        roads[k::48, :] = (230, 90, 30, 230)
        roads[:, k::48] = (230, 90, 30, 230)
    r.add_overlay(roads)
    r.set_water(420.0)
    r.set_base(True)
    r.set_camera_orbit(215.0, 30.0)
    return r.render().to_numpy()


def shadows():
    """Jacksboro top-down under a low sun from the north-west, hard cast
    shadows alone (no occlusion): shadows fall to the south-east."""
    r = _dem_renderer()
    r.set_ambient_occlusion(0)
    r.set_camera_top_down()
    r.set_sun(315.0, 20.0)
    r.set_shadows(softness=0.0)
    return r.render().to_numpy()


def ambient_occlusion():
    """Jacksboro in gray, the sun off: ambient light and occlusion alone."""
    r = _dem_renderer()
    r.set_colormap("gray")
    r.set_sun(0.0, 45.0, 0.0)
    r.set_ambient(1.0)
    r.set_ambient_occlusion(1.0)
    return r.render().to_numpy()


def smooth_hill():
    """A 32x32 smooth hill magnified top-down: no cell shows as a square."""
    y, x = np.mgrid[0:32, 0:32].astype(np.float32)
    h = 8.0 * np.exp(-((x - 15.5) ** 2 + (y - 15.5) ** 2) / 60.0)
    r = forge3d.Renderer(W, H)
    r.add_terrain(h.astype(np.float32), colormap="gray", height_range=(-20.0, -10.0))
    r.set_camera_top_down()
    r.set_sun(300.0, 35.0)
    return r.render().to_numpy()


def color_scale():
    """Jacksboro top-down in six discrete bins of a colour array, with a
    logarithmic scale over the same range beside it (two terrains, one
    picture each half)."""
    z, spacing = jacksboro()
    colours = np.uint8([[40, 70, 160], [60, 150, 90], [170, 190, 80], [200, 150, 70],
                        [150, 110, 90], [240, 240, 240]])
    halves = []
    for kw in (dict(colormap=colours, levels=[0, 150, 250, 300, 350, 400, 500]),
               dict(colormap="magma", norm="log", height_range=(50.0, 500.0))):
        r = forge3d.Renderer(W // 2, H)
        r.add_terrain(z, spacing=spacing, exaggeration=2.0, **kw)
        r.set_camera_top_down()
        halves.append(r.render().to_numpy())
    return np.concatenate(halves, axis=1)


def overlays():
    """Jacksboro top-down with two overlays: a checkerboard over a window
    given in cells and a translucent red band multiplied over the whole."""
    z, _ = jacksboro()
    r = _dem_renderer()
    r.set_camera_top_down()
    checker = np.zeros((64, 64, 4), np.uint8)  # squares of 8x8 pixels
    checker[..., 3] = 255
    k = np.arange(64) // 8
    checker[(np.add.outer(k, k) % 2) == 0, :3] = 255
    r.add_overlay(checker, extent=(50, 250, 60, 200), units="cells")
    band = np.zeros((4, 1, 4), np.float32)
    band[1:3] = (1.0, 0.2, 0.2, 1.0)
    band[[0, 3]] = (1.0, 1.0, 1.0, 1.0)
    r.add_overlay(band, blend="multiply", opacity=0.8)
    return r.render().to_numpy()


def water():
    """Jacksboro with water up to 380 m, from the south-east."""
    r = _dem_renderer()
    r.set_water(380.0)
    r.set_camera_orbit(135.0, 35.0)
    return r.render().to_numpy()


def base():
    """Jacksboro on a solid base, seen low from the south."""
    r = _dem_renderer()
    r.set_base(True)
    r.set_camera_orbit(180.0, 15.0)
    return r.render().to_numpy()


def transparent():
    """The holes scene over a background with alpha 0: nothing drawn stays
    transparent (the alpha channel is compared too)."""
    y, x = np.mgrid[0:96, 0:128].astype(np.float32)
    z = 20 * np.sin(x / 14) * np.cos(y / 11)
    z[30:60, 40:80] = np.nan
    r = forge3d.Renderer(W, H, background=(0, 0, 0, 0))
    r.add_terrain(z, colormap="viridis")
    r.set_camera_orbit(200.0, 40.0)
    return r.render().to_numpy()


def depth():
    """Jacksboro's depth plane (distance from the camera), near white to far
    black over the drawn range, and 0 where nothing is drawn."""
    r = _dem_renderer()
    (plane,) = r.render(outputs=("depth",))
    d = plane.to_numpy()
    ok = np.isfinite(d)
    lo, hi = d[ok].min(), d[ok].max()
    g = np.zeros(d.shape, np.uint8)
    g[ok] = np.rint(255 * (hi - d[ok]) / (hi - lo)).astype(np.uint8)
    return np.stack([g, g, g, np.full_like(g, 255)], -1)


def mesh():
    r = forge3d.Renderer(W, H)
    r.add_mesh(forge3d.primitives.sphere(1.0, 48), color=(0.9, 0.5, 0.2))
    # A pyramid with per-vertex colors beside it, and a wireframe floor.
    v = np.float32([[1.6, -0.7, -1.0], [2.9, -0.7, -1.0], [2.9, 0.7, -1.0], [1.6, 0.7, -1.0],
                    [2.25, 0.0, 0.6]])
    idx = np.uint32([0, 1, 4, 1, 2, 4, 2, 3, 4, 3, 0, 4, 0, 2, 1, 0, 3, 2])
    c = np.uint8([[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255], [255, 255, 0, 255],
                  [255, 255, 255, 255]])
    r.add_mesh(forge3d.Mesh(v, idx, colors=c))
    floor = forge3d.primitives.plane(6.0, 6)
    r.add_mesh(floor, style="wireframe", color=(0.6, 0.6, 0.65))
    r.set_camera((1.0, -6.0, 4.0), (1.0, 0.0, 0.0))
    r.set_sun(300.0, 40.0)
    return r.render().to_numpy()


def points():
    r = forge3d.Renderer(W, H)
    t = np.linspace(0, 4 * np.pi, 400, dtype=np.float32)
    pos = np.stack([np.cos(t) * (1 + t / 8), np.sin(t) * (1 + t / 8), t / 6], 1).astype(np.float32)
    colors = np.stack([np.linspace(0, 255, 400), np.full(400, 128), np.linspace(255, 0, 400),
                       np.full(400, 255)], 1).astype(np.uint8)
    r.add_mesh(forge3d.Points(pos, colors=colors, size=6.0))
    r.set_camera((0.0, -7.0, 5.0), (0.0, 0.0, 1.0))
    return r.render().to_numpy()


def holes(nan_hole=True, sun=(315.0, 45.0)):
    y, x = np.mgrid[0:96, 0:128].astype(np.float32)
    z = 20 * np.sin(x / 14) * np.cos(y / 11)
    if nan_hole:
        z[30:60, 40:80] = np.nan
    z[70:90, 10:30] = -9999.0  # a nodata hole
    r = forge3d.Renderer(W, H)
    r.add_terrain(z, spacing=1.0, exaggeration=1.0, colormap="magma", nodata=-9999.0)
    r.set_sun(*sun)
    r.set_camera_top_down()
    return r.render().to_numpy()


SCENES = {
    f.__name__: f
    for f in (triangle, jacksboro_default_view, jacksboro_top_down, contours, relief, draped, shadows,
              ambient_occlusion, smooth_hill, color_scale, overlays, water, base, transparent, depth, mesh,
              points, holes)
}


def path(name: str) -> str:
    return os.path.join(GOLDEN, f"{name}.png")


def read_png(p: str) -> np.ndarray:
    from PIL import Image

    with Image.open(p) as im:
        return np.asarray(im.convert("RGBA"))


def write_png(p: str, rgba: np.ndarray) -> None:
    from PIL import Image

    Image.fromarray(np.ascontiguousarray(rgba)).save(p)


def compare(got: np.ndarray, want: np.ndarray) -> tuple[float, float]:
    """(mean absolute difference in levels, share of pixels off by more
    than LEVELS in some channel)."""
    d = np.abs(got.astype(np.int16) - want.astype(np.int16))
    return float(d.mean()), float((d.max(-1) > LEVELS).mean())


def diff_image(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Red where the pictures differ (brighter for more), over a gray copy of
    the reference."""
    d = np.abs(got.astype(np.int16) - want.astype(np.int16)).max(-1)
    gray = (want[..., :3].mean(-1) * 0.3).astype(np.uint8)
    out = np.stack([np.maximum(gray, np.clip(d * 4, 0, 255).astype(np.uint8)), gray, gray,
                    np.full_like(gray, 255)], -1)
    return out


if __name__ == "__main__":  # pragma: no cover - a tool for people
    args = sys.argv[1:]
    if "--write" not in args:
        print(__doc__)
        sys.exit(2)
    names = [a for a in args if a != "--write"] or list(SCENES)
    os.makedirs(GOLDEN, exist_ok=True)
    for n in names:
        write_png(path(n), SCENES[n]())
        print("wrote", os.path.relpath(path(n)))
