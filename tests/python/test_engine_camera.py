"""forge3d.engine cameras: orbit, look-at, automatic distance, top-down."""

import math

import numpy as np
import pytest

import forge3d
import forge3d.primitives as prim
from _engine_util import H, W, foreground, grab
from forge3d.engine import MeshSurfaceView, OrbitCamera, TopDownCamera


# -- camera -----------------------------------------------------------------


def test_default_orbit_camera_matches_the_renderers_automatic_view(engine):
    engine.add_view(MeshSurfaceView(prim.cube(1.0)))
    ours = foreground(grab(engine), engine)
    engine.renderer.reset_camera()
    auto = foreground(np.array(engine.renderer.render_frame()), engine)
    assert ours.sum() > 1000
    assert (ours != auto).mean() < 0.01


def test_orbit_camera_changes_the_image_and_full_turn_restores_it(engine):
    engine.add_view(MeshSurfaceView(prim.cube(1.0), color=(0.8, 0.8, 0.8)))
    # A ball off-centre, so turning moves it (written whole: a mapped
    # view's previous contents are undefined).
    th, ph = np.meshgrid(np.linspace(0, np.pi, 9), np.linspace(0, 2 * np.pi, 17), indexing="ij")
    unit = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], -1)
    q = (np.arange(8)[:, None] * 17 + np.arange(16)).ravel()
    tris = np.stack([q, q + 17, q + 1, q + 1, q + 17, q + 18], 1).reshape(-1, 3)
    ball = forge3d.Mesh(np.zeros((9 * 17, 3), np.float32), tris.astype(np.uint32),
                        normals=unit.reshape(-1, 3).astype(np.float32))
    with ball.write_vertices() as v:
        v[:] = unit.reshape(-1, 3) * 0.3 + np.float32([1.2, 0.0, 0.0])
    engine.add_view(MeshSurfaceView(ball, color=(1.0, 0.0, 0.0)))
    before = grab(engine)
    engine.camera.orbit(90.0, 20.0)
    turned = grab(engine)
    assert (before != turned).any(-1).mean() > 0.05
    engine.camera.orbit(270.0, -20.0)
    np.testing.assert_array_equal(grab(engine), before)

    auto = foreground(grab(engine), engine).sum()
    engine.camera.zoom(1.5)  # an automatic distance zooms too
    assert foreground(grab(engine), engine).sum() > 1.5 * auto
    engine.camera.zoom(1 / 1.5)

    engine.camera.fit(engine.renderer)
    base = foreground(grab(engine), engine).sum()
    assert base == pytest.approx(auto, rel=0.01)
    engine.camera.zoom(1.5)
    assert foreground(grab(engine), engine).sum() > 1.5 * base
    engine.camera.zoom(1 / 3)
    assert foreground(grab(engine), engine).sum() < 0.7 * base


def test_orbit_camera_look_at_and_clamping():
    cam = OrbitCamera()
    cam.look_at((3.0, 4.0, 0.0), (0.0, 0.0, 0.0))
    assert cam.distance == pytest.approx(5.0)
    assert cam.elevation_deg == pytest.approx(0.0)
    assert cam.azimuth_deg == pytest.approx(math.degrees(math.atan2(3, 4)))
    eye, target = cam.resolve(((-1, -1, -1), (1, 1, 1)), 4 / 3)
    assert eye == pytest.approx((3.0, 4.0, 0.0), abs=1e-9) and target == (0.0, 0.0, 0.0)
    cam.orbit(0.0, 200.0)
    assert cam.elevation_deg == 89.0
    cam.orbit(-365.0, -500.0)
    assert cam.elevation_deg == -89.0
    assert cam.azimuth_deg == pytest.approx((math.degrees(math.atan2(3, 4)) - 5.0) % 360.0)
    assert OrbitCamera(elevation_deg=95).elevation_deg == 89.0
    cam.look_at((0, 0, 10), (0, 0, 0))  # straight down: clamped just off the vertical
    assert cam.elevation_deg == 89.0 and cam.distance == pytest.approx(10.0)
    cam.zoom(2.0)
    assert cam.distance == pytest.approx(5.0)
    cam.elevation_deg = -120  # attributes clamp and wrap too
    cam.azimuth_deg = -90
    assert (cam.elevation_deg, cam.azimuth_deg) == (-89.0, 270.0)
    with pytest.raises(TypeError, match="azimuth_deg"):
        cam.azimuth_deg = None


BOX_CORNERS = np.array(
    [[x, y, z] for z in (-0.5, 0.5) for y in (-0.5, 0.5) for x in (-0.5, 0.5)], np.float32
)
BOX_TRIANGLES = np.array(
    [
        [0, 2, 1],
        [1, 2, 3],
        [4, 5, 6],
        [5, 7, 6],
        [0, 1, 4],
        [1, 5, 4],
        [2, 6, 3],
        [3, 6, 7],
        [0, 4, 2],
        [2, 4, 6],
        [1, 3, 5],
        [3, 7, 5],
    ],
    np.uint32,
)


def test_automatic_distance_follows_the_scene_and_fits_it(engine):
    box = forge3d.Mesh(BOX_CORNERS, BOX_TRIANGLES)
    engine.add_view(MeshSurfaceView(box))
    cam, r = engine.camera, engine.renderer
    e1, t1 = cam.resolve(r.scene_bounds(), W / H)
    small = foreground(grab(engine), engine).sum()
    box.set_vertices(BOX_CORNERS * 4 + np.float32([1, 2, 3]))
    e2, t2 = cam.resolve(r.scene_bounds(), W / H)
    # The aim point scales and moves with the scene (it is the box's centre
    # moved across the view so the box is centred in the image).
    assert np.subtract(t2, (1.0, 2.0, 3.0)) == pytest.approx(4 * np.array(t1), abs=1e-3)
    d1 = np.linalg.norm(np.subtract(e1, t1))
    d2 = np.linalg.norm(np.subtract(e2, t2))
    assert d2 == pytest.approx(4 * d1, rel=0.03)
    fg = foreground(grab(engine), engine)
    assert fg.sum() == pytest.approx(small, rel=0.05)  # framed the same way
    assert not (fg[0].any() or fg[-1].any() or fg[:, 0].any() or fg[:, -1].any())
    # Centred: equal margins on each side, to a pixel or two.
    rows, cols = np.flatnonzero(fg.any(1)), np.flatnonzero(fg.any(0))
    assert abs(rows[0] - (H - 1 - rows[-1])) <= 2 and abs(cols[0] - (W - 1 - cols[-1])) <= 2
    # Also at a zoomed-out automatic distance.
    cam.zoom(0.5)
    fg = foreground(grab(engine), engine)
    rows, cols = np.flatnonzero(fg.any(1)), np.flatnonzero(fg.any(0))
    assert fg.sum() < 0.5 * small
    assert abs(rows[0] - (H - 1 - rows[-1])) <= 2 and abs(cols[0] - (W - 1 - cols[-1])) <= 2


def test_top_down_camera_and_none(engine):
    engine.add_view(MeshSurfaceView(prim.plane(2.0, 1), color=(1, 1, 1)))
    engine.camera = TopDownCamera()
    fg = foreground(grab(engine), engine)
    # the square fills the full height, centred, aspect kept
    assert fg[:, W // 2].all() and fg[H // 2].sum() == pytest.approx(H, abs=2)
    engine.renderer.set_camera((0, -0.1, 50), (0, 0, 0))
    engine.camera = None  # the renderer's own camera; None resets it to auto
    auto = foreground(grab(engine), engine)
    engine.renderer.reset_camera()
    np.testing.assert_array_equal(
        auto, foreground(np.array(engine.renderer.render_frame()), engine)
    )




def test_one_orbit_camera_in_the_renderer():
    """The renderer's orbit camera is the automatic view, OrbitCamera holds
    its parameters only, and orbit_view reports what it uses."""
    r = forge3d.Renderer(W, H)
    r.add_mesh(forge3d.Mesh(BOX_CORNERS * 3 + np.float32([5, 0, 1]), BOX_TRIANGLES))
    auto = np.array(r.render())
    r.set_camera_orbit()
    assert np.array_equal(np.array(r.render()), auto)
    # The Python camera applies the same orbit: its default equals the automatic view.
    OrbitCamera().apply(r)
    assert np.array_equal(np.array(r.render()), auto)
    # A different orbit is a different picture; zoom magnifies it.
    r.set_camera_orbit(120.0, 60.0)
    turned = np.array(r.render())
    assert not np.array_equal(turned, auto)
    bg = turned[0, 0]
    fg = lambda img: (img != bg).any(-1).sum()  # noqa: E731
    r.set_camera_orbit(120.0, 60.0, zoom=1.3)  # area about 1.3**2 = 1.69 times
    assert 1.5 * fg(turned) < fg(np.array(r.render())) < 1.9 * fg(turned)
    # orbit_view: the eye at distance along (azimuth, elevation) from the target.
    eye, target = forge3d.orbit_view(
        r.scene_bounds(), W / H, azimuth_deg=90.0, elevation_deg=0.0, distance=7.0, target=(1, 2, 3)
    )
    assert target == (1.0, 2.0, 3.0) and eye == pytest.approx((8.0, 2.0, 3.0), abs=1e-12)
    # distance=None fits the box; zoom divides that distance.
    e1, t1 = forge3d.orbit_view(r.scene_bounds(), W / H, target=(5, 0, 1))
    e2, t2 = forge3d.orbit_view(r.scene_bounds(), W / H, target=(5, 0, 1), zoom=2.0)
    d = lambda e, t: float(np.linalg.norm(np.subtract(e, t)))  # noqa: E731
    assert d(e2, t2) == pytest.approx(d(e1, t1) / 2, rel=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "exc", "name"),
    [
        ({"fovy_deg": 180}, ValueError, "fovy_deg"),
        ({"distance": 0}, ValueError, "distance"),
        ({"zoom": -1}, ValueError, "zoom"),
        ({"target": (1, 2)}, ValueError, "target"),
        ({"azimuth_deg": "north"}, TypeError, "azimuth_deg"),
        ({"elevation_deg": float("nan")}, ValueError, "elevation_deg"),
    ],
)
def test_orbit_arguments_are_named(kwargs, exc, name):
    r = forge3d.Renderer(8, 8)
    with pytest.raises(exc, match=name):
        r.set_camera_orbit(**kwargs)
    with pytest.raises(exc, match=name):
        forge3d.orbit_view(((0, 0, 0), (1, 1, 1)), 1.0, **kwargs)
    with pytest.raises(ValueError, match="aspect"):
        forge3d.orbit_view(((0, 0, 0), (1, 1, 1)), 0.0)
    with pytest.raises(ValueError, match="bounds"):
        forge3d.orbit_view(((0, 0, 0), (1, -1, 1)), 1.0)
