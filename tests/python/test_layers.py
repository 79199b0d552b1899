"""One scene of layers, one render call: render() returns a Frame of
whatever the scene holds, and the older render_* names are aliases of it."""

import numpy as np
import pytest

import forge3d


@pytest.fixture()
def scene():
    r = forge3d.Renderer(96, 64)
    y, x = np.mgrid[0:32, 0:32].astype(np.float32)
    r.add_terrain(np.sin(x / 5) * np.cos(y / 7) * 4)
    cube = r.add_mesh(forge3d.primitives.cube(4.0))
    pts = r.add_mesh(forge3d.Points(np.random.default_rng(0).random((50, 3), np.float32) * 30))
    return r, cube, pts


def test_render_returns_a_frame_of_the_whole_scene(scene):
    r, _, _ = scene
    frame = r.render()
    assert isinstance(frame, forge3d.Frame) and frame.shape == (64, 96, 4)
    a = frame.to_numpy()
    assert a.base is frame
    assert (a[..., :3] != np.array(r.background[:3])).any(-1).mean() > 0.1


def test_the_older_names_draw_the_same_picture(scene, tmp_path):
    r, _, _ = scene
    want = r.render().to_numpy().copy()
    for got in (r.render_rgba(), r.render_frame().to_numpy(), r.render_terrain_rgba(),
                r.render_terrain_frame().to_numpy()):
        np.testing.assert_array_equal(got, want)
    r.render().to_png(tmp_path / "a.png")
    r.render_png(tmp_path / "b.png")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_layers_are_listed_in_drawing_order_and_terrain_keeps_its_place(scene):
    r, cube, pts = scene
    (tid, kind), *meshes = r.layers
    assert kind == "terrain" and meshes == [(cube, "mesh"), (pts, "mesh")]
    r.add_terrain(np.zeros((8, 8), np.float32))
    assert r.layers[0] == (tid, "terrain"), "a new terrain replaces the old one in place"
    assert r.mesh_ids == [cube, pts]
    assert r.remove_mesh(tid) is False, "the terrain's id is not a mesh"
    r.clear_meshes()
    assert r.layers == [(tid, "terrain")]


def test_an_empty_scene_renders_the_background():
    r = forge3d.Renderer(16, 8, background=(1, 2, 3, 255))
    assert r.layers == []
    a = r.render().to_numpy()
    assert (a == np.array([1, 2, 3, 255], np.uint8)).all()


def test_the_test_triangle_is_drawn_alone():
    r = forge3d.Renderer(32, 32)
    r.add_mesh(forge3d.primitives.cube())
    tri = r.render_triangle_rgba()
    assert tuple(tri[0, 0]) == r.background and tri[20, 16, 0] > 0
    assert r.layers[0][1] == "mesh", "the scene is untouched"
