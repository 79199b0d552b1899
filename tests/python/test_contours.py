"""Contour lines: drawn where the height crosses a level, at a constant
pixel width whatever the zoom, major lines wider, removable."""

import numpy as np
import pytest

import forge3d

BG = (20, 22, 28)


def ramp_view(width, **contours):
    """Top-down, unlit, white terrain over heights 0.5..63.5 (no level at an edge)."""
    r = forge3d.Renderer(width, width // 4)
    r.add_terrain(np.tile(np.arange(64, dtype=np.float32) + 0.5, (16, 1)), colormap="gray", height_range=(-2.0, -1.0))
    r.set_camera_top_down()
    r.set_sun(0, 90, intensity=0.0)
    r.set_ambient(1.0)
    r.set_ambient_occlusion(0)  # exact line colours: no occlusion on the ramp
    if contours:
        r.set_contours(**contours)
    return r


def line_runs(r):
    """(height at the run's centre, width in pixels) of each red run along
    the middle row."""
    a = np.array(r.render())
    row = a[a.shape[0] // 2, :, :3].astype(int)
    fg = np.flatnonzero((row != BG).any(1))
    row = row[fg[0] : fg[-1] + 1]
    red = (row[:, 1] < 200) & (row[:, 0] > 200)
    runs, x = [], 0
    while x < len(red):
        if red[x]:
            start = x
            while x < len(red) and red[x]:
                x += 1
            centre = (start + x - 1) / 2
            runs.append((0.5 + 63.0 * centre / (len(row) - 1), x - start))
        x += 1
    return runs


def test_lines_lie_where_the_height_crosses_each_level():
    runs = line_runs(ramp_view(512, interval=16.0, major_every=0, color=(1, 0, 0), width_px=2.0))
    assert [round(h) for h, _ in runs] == [16, 32, 48]
    px = 63.0 / 500  # height units per pixel here
    for (h, _), level in zip(runs, (16, 32, 48)):
        assert abs(h - level) <= 1.5 * px


def test_the_width_is_in_pixels_whatever_the_zoom():
    for width_px in (1.0, 3.0):
        widths = []
        for frame in (512, 1024, 2048):
            runs = line_runs(ramp_view(frame, interval=16.0, major_every=0, color=(1, 0, 0), width_px=width_px))
            assert len(runs) == 3
            widths.append([w for _, w in runs])
        # The ramp is 4x magnified from the first frame to the last; the
        # lines keep their width in pixels (give or take the anti-aliased edge).
        assert max(max(w) for w in widths) - min(min(w) for w in widths) <= 1, widths
        assert abs(np.mean(widths) - width_px) <= 1.5
    thin = np.mean([w for _, w in line_runs(ramp_view(1024, interval=16.0, major_every=0, color=(1, 0, 0), width_px=1.0))])
    wide = np.mean([w for _, w in line_runs(ramp_view(1024, interval=16.0, major_every=0, color=(1, 0, 0), width_px=6.0))])
    assert wide >= thin + 4


def test_major_lines_are_twice_as_wide_and_none_removes_all():
    r = ramp_view(1024, interval=8.0, major_every=2, color=(1, 0, 0), width_px=2.0)
    runs = line_runs(r)
    assert [round(h) for h, _ in runs] == [8, 16, 24, 32, 40, 48, 56]
    major = [w for h, w in runs if round(h) % 16 == 0]
    minor = [w for h, w in runs if round(h) % 16 == 8]
    assert min(major) >= max(minor) + 1
    assert r.terrain_info()["contours"][:2] == (8.0, 2)
    plain = np.array(ramp_view(1024).render())
    r.set_contours(None)
    assert np.array_equal(np.array(r.render()), plain)
    assert r.terrain_info()["contours"] is None


def test_opacity_mixes_the_line_colour_in():
    runs_full = ramp_view(512, interval=16.0, major_every=0, color=(1, 0, 0, 1.0), width_px=4.0)
    half = ramp_view(512, interval=16.0, major_every=0, color=(1, 0, 0, 0.5), width_px=4.0)
    a, b = np.array(runs_full.render()), np.array(half.render())
    y = a.shape[0] // 2
    x = int(np.argmin(a[y, :, 1]))  # the middle of a full-opacity line
    assert tuple(a[y, x, :3]) == (255, 0, 0)
    assert abs(int(b[y, x, 1]) - 128) <= 2 and b[y, x, 0] == 255


def test_contours_follow_an_oblique_view():
    y, x = np.mgrid[0:64, 0:64].astype(np.float32)
    hill = (40 * np.exp(-((x - 32) ** 2 + (y - 32) ** 2) / 300)).astype(np.float32)
    r = forge3d.Renderer(256, 256)
    r.add_terrain(hill, colormap="terrain")
    plain = np.array(r.render())
    r.set_contours(4.0, color=(0, 0, 0, 1.0), width_px=1.5)
    lined = np.array(r.render())
    changed = (plain != lined).any(-1)
    assert 0.01 < changed.mean() < 0.4
    # Only darker: lines are drawn over the terrain, nothing else moves.
    assert (lined[changed][:, :3].sum(-1) <= plain[changed][:, :3].sum(-1)).all()


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"interval": 0.0}, ValueError, "interval must be a positive"),
        ({"interval": -5.0}, ValueError, "interval"),
        ({"interval": float("nan")}, ValueError, "interval"),
        ({"interval": float("inf")}, ValueError, "interval"),
        ({"interval": "10"}, TypeError, "interval"),
        ({"interval": 5.0, "width_px": 0.0}, ValueError, "width_px"),
        ({"interval": 5.0, "width_px": 100.0}, ValueError, "width_px"),
        ({"interval": 5.0, "color": (2, 0, 0)}, ValueError, "color"),
        ({"interval": 5.0, "color": "red"}, TypeError, "color"),
        ({"interval": 5.0, "major_every": -1}, ValueError, "major_every"),
        ({"interval": 5.0, "major_every": 1.5}, TypeError, "major_every"),
    ],
)
def test_bad_contours_are_named_and_change_nothing(kwargs, exc, match):
    r = ramp_view(256, interval=16.0)
    before = np.array(r.render())
    with pytest.raises(exc, match=match):
        r.set_contours(**kwargs)
    assert np.array_equal(np.array(r.render()), before)


def test_contours_need_a_terrain():
    with pytest.raises(RuntimeError, match="terrain"):
        forge3d.Renderer(8, 8).set_contours(10.0)
