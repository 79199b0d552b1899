"""Shading is continuous under magnification: slopes are interpolated
between texels like the heights, so no DEM cell shows as a flat square."""

import numpy as np

import forge3d


def test_a_magnified_smooth_hill_shows_no_texel_sized_steps():
    y, x = np.mgrid[0:32, 0:32].astype(np.float32)
    z = (8 * np.exp(-((x - 15.5) ** 2 + (y - 15.5) ** 2) / 60)).astype(np.float32)
    r = forge3d.Renderer(1024, 1024)
    # One colour everywhere (the range lies below the data): what varies is the shading.
    r.add_terrain(z, colormap="gray", height_range=(-100, -99))
    r.set_sun(270, 30)
    r.set_camera_top_down()
    img = np.array(r.render())[..., 0].astype(int)
    assert img.max() - img.min() > 100  # the hill is lit and shaded
    # Each texel covers 32 pixels: nearest-texel normals changed the shade
    # by up to tens of levels at every texel border. Now, between any two
    # neighbouring pixels, at most a few levels (the 8-bit rounding).
    for line in (img[512, 16:1008], img[16:1008, 512], img[300, 16:1008], img[16:1008, 700]):
        steps = np.abs(np.diff(line))
        assert steps.max() <= 3, steps.max()
