"""Every wrong argument type or range raises an error that names the
argument; negative integers are a ValueError (not pyo3's OverflowError)."""

import numpy as np
import pytest

import forge3d
import forge3d.arrow


@pytest.fixture(scope="module")
def r():
    return forge3d.Renderer(32, 32)


def cases(r):
    f = r.render_triangle_frame()
    m = forge3d.Mesh(np.zeros((3, 3), np.float32))
    p = forge3d.Points(np.zeros((3, 3), np.float32))
    h = np.ones((4, 4), np.float32)
    table = {"x": np.zeros(4), "y": np.zeros(4), "z": np.zeros(4)}
    return [
        (lambda: r.set_msaa(-1), ValueError, "samples"),
        (lambda: r.set_msaa("4"), TypeError, "samples"),
        (lambda: r.remove_mesh(-1), ValueError, "id"),
        (lambda: r.remove_mesh(1.5), TypeError, "id"),
        (lambda: r.set_mesh_style(-1, style="surface"), ValueError, "id"),
        (lambda: f.pixel(-1, 0), ValueError, "x"),
        (lambda: f.pixel(0, -1), ValueError, "y"),
        (lambda: f.pixel("0", 0), TypeError, "x"),
        (lambda: forge3d.primitives.sphere(1, -3), ValueError, "segments"),
        (lambda: forge3d.primitives.sphere("1"), TypeError, "radius"),
        (lambda: forge3d.primitives.plane(1, -1), ValueError, "resolution"),
        (lambda: forge3d.primitives.cube("big"), TypeError, "size"),
        (lambda: forge3d.arrow.terrain_from_table(table, shape=(-2, 4)), ValueError, "shape[0]"),
        (lambda: forge3d.arrow.terrain_from_table(table, shape=(2,)), ValueError, "shape"),
        (lambda: r.set_camera("a", (0, 0, 0)), TypeError, "eye"),
        (lambda: r.set_camera((1, 2), (0, 0, 0)), ValueError, "eye"),
        (lambda: r.set_camera((0, 0, 5), (0, 0, "x")), TypeError, "target[2]"),
        (lambda: r.set_camera((0, 0, 5), (0, 0, 0), up=(0, 1)), ValueError, "up"),
        (lambda: r.set_camera((0, 0, 5), (0, 0, 0), fovy_deg="wide"), TypeError, "fovy_deg"),
        (lambda: r.set_camera((0, 0, 5), (0, 0, 0), znear="x"), TypeError, "znear"),
        (lambda: r.set_sun("north", 30), TypeError, "azimuth_deg"),
        (lambda: r.set_sun(0, "high"), TypeError, "elevation_deg"),
        (lambda: r.set_ambient("x"), TypeError, "ambient"),
        (lambda: r.set_height_range("a", 1), TypeError, "min"),
        (lambda: r.add_terrain(h, exaggeration="x"), TypeError, "exaggeration"),
        (lambda: r.add_terrain(h, height_range=(0,)), ValueError, "height_range"),
        (lambda: r.add_terrain(h, nodata="x"), TypeError, "nodata"),
        (lambda: r.add_terrain(h, shape=(-4, 4)), ValueError, "shape[0]"),
        (lambda: r.add_mesh(m, scalar_range="x"), TypeError, "scalar_range"),
        (lambda: r.add_mesh(p, size="x"), TypeError, "size"),
        (lambda: forge3d.Points(np.zeros((3, 3), np.float32), size="x"), TypeError, "size"),
        (lambda: setattr(p, "size", "x"), TypeError, "size"),
        (lambda: forge3d.Heightmap(h, nodata="x"), TypeError, "nodata"),
        (lambda: forge3d.Heightmap(h, shape=(4, -4)), ValueError, "shape[1]"),
        (lambda: m.resize(-1), ValueError, "n"),
        (lambda: m.resize(2**25), ValueError, "n"),
        # flags and names: pyo3 would say only "'int' object is not an instance of 'bool'"
        (lambda: r.add_terrain(h, copy=1), TypeError, "copy"),
        (lambda: forge3d.Heightmap(h, copy="no"), TypeError, "copy"),
        (lambda: m.set_vertices(np.zeros((3, 3), np.float32), copy=0), TypeError, "copy"),
        (lambda: forge3d.Mesh(np.zeros((3, 3), np.float32), dynamic=1), TypeError, "dynamic"),
        (lambda: r.add_terrain(h, colormap=3), TypeError, "colormap"),
        (lambda: r.set_colormap(None), TypeError, "name"),
        (lambda: r.add_mesh(m, style=b"surface"), TypeError, "style"),
        (lambda: r.set_mesh_style(0, style=["points"]), TypeError, "style"),
        (lambda: forge3d.arrow.terrain_from_table(table, x=0), TypeError, "x"),
        (lambda: forge3d.arrow.terrain_from_table(table, agg=None), TypeError, "agg"),
        (lambda: forge3d.interop.copy_to_vertex_buffer(m, 5, np.zeros((3, 3), np.float32)),
         TypeError, "attribute"),
        (lambda: forge3d.Renderer(np.array([4]), 8), TypeError, "width"),
        # a point set's positions are called positions
        (lambda: forge3d.Points([[0, 0, 0]]), TypeError, "positions"),
        (lambda: p.set_positions(np.zeros((4, 3), np.float32)), ValueError, "positions"),
        (lambda: p.set_positions(np.full((3, 3), np.nan, np.float32)), ValueError, "positions"),
        (lambda: r.add_mesh(None), TypeError, "mesh"),
        (lambda: r.add_mesh(p, colormap="magma", scalar_range=(1, 0)), ValueError, "scalar_range"),
        # a keyword the style does not use is still checked
        (lambda: r.add_mesh(m, colormap="nope"), ValueError, "colormap"),
        (lambda: r.add_mesh(m, size=-1), ValueError, "size"),
        # numbers that do not survive float32
        (lambda: forge3d.Points(np.zeros((3, 3), np.float32), size=5e-324), ValueError, "size"),
        (lambda: forge3d.primitives.sphere(1e300), ValueError, "radius"),
        (lambda: forge3d.primitives.cube(1e300), ValueError, "size"),
        (lambda: forge3d.Heightmap(h, spacing=1e300), ValueError, "spacing"),
        (lambda: forge3d.Heightmap(h, spacing=(1.0, 1e38)), ValueError, "spacing"),
    ]


def test_every_wrong_argument_is_named(r):
    failures = []
    for i, (call, exc, name) in enumerate(cases(r)):
        try:
            call()
        except exc as e:
            if not str(e).startswith(name):
                failures.append(f"case {i}: {type(e).__name__}: {e} (expected to start with {name!r})")
        except Exception as e:  # noqa: BLE001 - reported
            failures.append(f"case {i}: {type(e).__name__}: {e} (expected {exc.__name__})")
        else:
            failures.append(f"case {i}: no error (expected {exc.__name__} naming {name!r})")
    assert not failures, "\n".join(failures)


def test_defaults_still_apply(r):
    s = forge3d.primitives.sphere()
    assert s.vertex_count > 0
    assert forge3d.Points(np.zeros((3, 3), np.float32)).size == 2.0
    assert forge3d.Mesh(np.zeros((3, 3), np.float32)).dynamic is True
    assert forge3d.Mesh(np.zeros((3, 3), np.float32), dynamic=np.bool_(False)).dynamic is False
    assert forge3d.Points(np.zeros((3, 3), np.float32)).attributes == ["positions"]
    r.set_camera((0, -5, 5), (0, 0, 0))
    r.set_msaa(np.int64(4))
    r.set_msaa(1)
    assert r.remove_mesh(np.uint32(12345)) is False
