"""Typed mesh styles (forge3d.MeshStyle): made and checked by the core, the
same styles as add_mesh's keywords, and the checks the engine's views use."""

import numpy as np
import pytest

import forge3d
from forge3d import MeshStyle
from forge3d import primitives as prim
from forge3d.engine import MeshSurfaceView, PointsView, ScalarFieldView


def test_fields_defaults_repr_and_equality():
    s = MeshStyle.points(size=3, colormap="magma", scalar_range=(0, 10))
    assert (s.kind, s.size, s.colormap, s.scalar_range) == ("points", 3.0, "magma", (0.0, 10.0))
    assert s.color == (1.0, 1.0, 1.0, 1.0)
    assert repr(s).startswith("MeshStyle.points(size=3")
    assert s == MeshStyle.points(size=3.0, colormap="magma", scalar_range=(0.0, 10.0))
    assert s != MeshStyle.points(size=4, colormap="magma", scalar_range=(0, 10))
    assert hash(s) == hash(MeshStyle.points(size=3, colormap="magma", scalar_range=(0, 10)))
    assert MeshStyle.surface().color == pytest.approx((0.8, 0.8, 0.8, 1.0))
    assert MeshStyle.wireframe((1, 0, 0)).color == (1.0, 0.0, 0.0, 1.0)
    sc = MeshStyle.scalars()
    assert (sc.kind, sc.colormap, sc.scalar_range, sc.color, sc.size) == (
        "scalars",
        "viridis",
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("make", "exc", "name"),
    [
        (lambda: MeshStyle.surface(color=(2, 0, 0)), ValueError, "color"),
        (lambda: MeshStyle.surface(color="red"), TypeError, "color"),
        (lambda: MeshStyle.wireframe(color=(1, 0)), ValueError, "color"),
        (lambda: MeshStyle.scalars(colormap="no_such_map"), ValueError, "colormap"),
        (lambda: MeshStyle.scalars(colormap=3), TypeError, "colormap"),
        (lambda: MeshStyle.scalars(scalar_range=(1, 0)), ValueError, "scalar_range"),
        (lambda: MeshStyle.scalars(scalar_range=(0, 1e300)), ValueError, "scalar_range"),
        (lambda: MeshStyle.points(size=0), ValueError, "size"),
        (lambda: MeshStyle.points(size=5e-324), ValueError, "size"),
        (lambda: MeshStyle.points(size=True), TypeError, "size"),
    ],
)
def test_bad_parts_are_refused_when_made(make, exc, name):
    with pytest.raises(exc, match=name):
        make()


def _render(style=None, **kw):
    r = forge3d.Renderer(96, 72)
    pts = forge3d.Points(np.random.default_rng(1).random((200, 3), np.float32), size=5.0)
    mesh = prim.sphere(1.0, 16)
    mesh_id = r.add_mesh(mesh, style=style, **kw)
    r.add_mesh(pts, style="points")
    return r, mesh_id, np.array(r.render())


@pytest.mark.parametrize(
    ("obj", "kw"),
    [
        (MeshStyle.surface(color=(1, 0.5, 0)), {"color": (1, 0.5, 0)}),
        (MeshStyle.wireframe(), {"style": "wireframe"}),
        (MeshStyle.points(size=4, color=(0, 1, 0)), {"style": "points", "size": 4, "color": (0, 1, 0)}),
    ],
)
def test_a_style_object_draws_what_its_keywords_draw(obj, kw):
    r, mid, by_object = _render(obj)
    _, _, by_keywords = _render(**kw)
    assert np.array_equal(by_object, by_keywords)
    # set_mesh_style takes the object too, and changes the picture.
    r.set_mesh_style(mid, style=MeshStyle.surface(color=(0, 0, 1)))
    restyled = np.array(r.render())
    assert not np.array_equal(restyled, by_object)
    r.set_mesh_style(mid, style=obj)
    assert np.array_equal(np.array(r.render()), by_object)


def test_a_style_object_with_keywords_is_refused():
    r = forge3d.Renderer(16, 16)
    with pytest.raises(TypeError, match="MeshStyle"):
        r.add_mesh(prim.cube(1.0), style=MeshStyle.surface(), color=(1, 0, 0))
    mid = r.add_mesh(prim.cube(1.0))
    with pytest.raises(TypeError, match="MeshStyle"):
        r.set_mesh_style(mid, style=MeshStyle.points(), size=3)
    with pytest.raises(TypeError, match="style"):
        r.set_mesh_style(mid, style=None)
    with pytest.raises(ValueError, match="surface, wireframe, scalars, points"):
        r.add_mesh(prim.cube(1.0), style="dots")
    assert r.mesh_ids == [mid]


def test_views_refuse_what_the_renderer_refuses():
    """The engine's views check through MeshStyle: one set of rules."""
    pts = forge3d.Points(np.zeros((2, 3), np.float32))
    for bad in (0, 2000, float("nan")):
        with pytest.raises(ValueError, match="size"):
            PointsView(pts, size=bad)
        with pytest.raises(ValueError, match="size"):
            MeshStyle.points(size=bad)
    with pytest.raises(ValueError, match="color"):
        MeshSurfaceView(prim.cube(1.0), color=(0, 0, 1.5))
    with pytest.raises(ValueError, match="scalar_range"):
        ScalarFieldView(prim.cube(1.0), None, scalar_range=(0, float("inf")))
    assert PointsView(pts, size=2.7).size == 2.7
