"""Inputs that used to be accepted and then drawn wrong (or silently
changed) are now either drawn right or refused with a message naming the
argument and the fix."""

import os
import subprocess
import sys

import numpy as np
import pytest

import forge3d
import forge3d.arrow


def covered(r: forge3d.Renderer, a: np.ndarray) -> float:
    return float((a[..., :3] != np.array(r.background[:3])).any(-1).mean())


@pytest.mark.parametrize("up", [(0.0, 1e-30, 0.0), (1e-30, 0.0, 0.0), (0.0, 3e6, 0.0)])
def test_a_tiny_or_huge_camera_up_draws_like_a_unit_one(up):
    def draw(u):
        r = forge3d.Renderer(64, 48)
        r.add_mesh(forge3d.primitives.sphere(1.0, 16))
        r.set_camera((0, 0, 5), (0, 0, 0), up=u)
        return r, r.render_rgba()

    r, ref = draw(tuple(float(np.sign(v)) for v in up))
    _, a = draw(up)
    assert covered(r, ref) > 0.1
    np.testing.assert_array_equal(a, ref)


@pytest.mark.parametrize("up", [(0, 0, 0), (0, 0, 1e-30), (0, 0, -2.0)])
def test_a_zero_or_parallel_camera_up_is_refused(up):
    r = forge3d.Renderer(16, 16)
    with pytest.raises(ValueError, match="up"):
        r.set_camera((0, 0, 5), (0, 0, 0), up=up)


@pytest.mark.parametrize("value", [2e38, -2e38, 3.0e38])
def test_heights_beyond_1e38_are_refused_not_hidden(value):
    r = forge3d.Renderer(16, 16)
    h = np.zeros((4, 4), np.float32)
    h[1, 2] = value
    with pytest.raises(ValueError, match="1e38"):
        r.add_terrain(h)


def test_heights_from_float64_beyond_float32_say_so():
    r = forge3d.Renderer(16, 16)
    h = np.zeros((4, 4))
    h[0, 0] = 1e300
    with pytest.raises(ValueError, match="do not fit float32"):
        r.add_terrain(h)


def test_a_nodata_beyond_float32_is_refused():
    with pytest.raises(ValueError, match="nodata .*does not fit float32"):
        forge3d.Heightmap(np.zeros((4, 4), np.float32), nodata=1e300)
    with pytest.raises(ValueError, match="nodata .*does not fit float32"):
        forge3d.Renderer(8, 8).add_terrain(np.zeros((4, 4), np.float32), nodata=-1e300)


def test_table_heights_beyond_float32_are_refused():
    pa = pytest.importorskip("pyarrow")
    t = pa.table({"x": [0.0, 1.0, 0.0, 1.0], "y": [0.0, 0.0, 1.0, 1.0],
                  "z": [1.0, 2.0, 1e300, 3.0]})
    with pytest.raises(ValueError, match="does not fit float32"):
        forge3d.arrow.terrain_from_table(t, shape=(2, 2))


def test_duplicate_column_names_are_refused():
    pa = pytest.importorskip("pyarrow")
    col = pa.array([0.0, 1.0, 0.0, 1.0])
    df = pa.Table.from_arrays([col, col, col, col], names=["x", "y", "y", "z"])
    with pytest.raises(ValueError, match="2 columns named \"y\""):
        forge3d.arrow.terrain_from_table(df, shape=(2, 2))


@pytest.mark.parametrize("bad", [1.5, -0.25, 255.0])
def test_float_colors_outside_0_1_are_refused(bad):
    m = forge3d.Points(np.zeros((3, 3), np.float32))
    c = np.full((3, 4), 0.5, np.float32)
    c[2, 1] = bad
    before = c.copy()
    with pytest.raises(ValueError, match=r"colors: value .* at row 2, component 1 is outside \[0, 1\]"):
        m.set_colors(c)
    np.testing.assert_array_equal(c, before)
    m.set_colors(np.clip(c, 0, 1))
    assert m.color_format == "float32"


ENV_CASES = {
    "FORGE3D_TILE_MIB": ["-1", "ten", "1.5", str(2**44)],
    "FORGE3D_TERRAIN_HEIGHTS": ["bufer"],
    "FORGE3D_UPLOAD_MEMORY": ["hots"],
}


@pytest.mark.parametrize("name,value", [(k, v) for k, vs in ENV_CASES.items() for v in vs])
def test_bad_environment_values_are_errors_naming_the_variable(name, value):
    code = (
        "import numpy as np, forge3d\n"
        "r = forge3d.Renderer(32, 32)\n"
        "r.add_terrain(np.ones((8, 8), np.float32))\n"
        "r.render_rgba()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=dict(os.environ, **{name: value}))
    assert out.returncode != 0
    assert f"{name}=" in out.stderr and "Error" in out.stderr, out.stderr[-1500:]
    assert "panicked" not in out.stderr


def test_a_non_utf8_environment_value_is_an_error_naming_the_variable():
    code = "import forge3d\nforge3d.Renderer(8, 8).render_triangle_rgba()\n"
    env = {k.encode(): v.encode() for k, v in os.environ.items()}
    env[b"FORGE3D_BACKEND"] = b"\xffvulkan"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120, env=env)
    assert out.returncode != 0
    assert b"FORGE3D_BACKEND=" in out.stderr and b"not valid UTF-8" in out.stderr, out.stderr[-1500:]


def test_points_written_through_a_mapped_view_set_the_bounds_and_are_not_clipped():
    n = 400
    pts = forge3d.Points(np.zeros((n, 3), np.float32), size=6.0)
    r = forge3d.Renderer(96, 96)
    r.add_mesh(pts)
    # Far from the zeros the bounds came from: near/far planes computed
    # from stale bounds clip all of them.
    rng = np.random.default_rng(3)
    far = (rng.random((n, 3), dtype=np.float32) - 0.5) * 10 + np.float32([0, 0, -500])
    with pts.write_vertices() as v:
        v[:] = far
    (lo, hi) = pts.bounds
    np.testing.assert_allclose(lo, far.min(0))
    np.testing.assert_allclose(hi, far.max(0))
    r.set_camera((0, 0, -450), (0, 0, -500), up=(0, 1, 0))
    assert covered(r, r.render_rgba()) > 0.05


def test_writes_into_a_spent_mapped_view_never_reach_the_gpu():
    n = 64
    pts = forge3d.Points(np.zeros((n, 3), np.float32), size=6.0)
    r = forge3d.Renderer(64, 64, background=(0, 0, 0))
    r.add_mesh(pts)
    with pts.write_vertices() as v:
        v[:] = 0.0
    r.set_camera((0, 0, 5), (0, 0, 0), up=(0, 1, 0))
    before = r.render_rgba().copy()
    assert covered(r, before) > 0
    v.flags.writeable = True          # against the contract, but possible
    v[:] = 1000.0                     # would move every point out of view
    np.from_dlpack(v.base)[:] = 1000.0
    np.testing.assert_array_equal(r.render_rgba(), before)


def test_a_masked_array_of_vertex_data_is_refused_not_drawn_with_its_hidden_values():
    pos = np.ma.masked_invalid(np.array([[0, 0, 0], [1, np.nan, 0], [0, 1, 0]], np.float32))
    with pytest.raises(ValueError, match=r"^vertices is a masked array with 1 masked value"):
        forge3d.Mesh(pos)
    pts = forge3d.Points(np.zeros((3, 3), np.float32))
    with pytest.raises(ValueError, match=r"^colors is a masked array"):
        pts.set_colors(np.ma.masked_greater(np.full((3, 4), 0.5, np.float32), 0.4))


def test_a_masked_array_with_nothing_masked_is_read_as_its_data():
    data = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], np.float32)
    m = forge3d.Mesh(np.ma.masked_array(data, mask=False))
    assert m.bounds == ((0.0, 0.0, 0.0), (1.0, 1.0, 0.0))


def test_arrow_bool8_is_refused_like_numpy_bool():
    pa = pytest.importorskip("pyarrow")
    if not hasattr(pa, "bool8"):
        pytest.skip("pyarrow without the bool8 extension type")
    b8 = pa.ExtensionArray.from_storage(pa.bool8(), pa.array(np.array([0, 1] * 8, np.int8)))
    with pytest.raises(TypeError, match=r"^heights: arrow\.bool8 holds booleans"):
        forge3d.Renderer(8, 8).add_terrain(b8, shape=(4, 4))
    t = pa.table({"x": pa.array(np.arange(16.0)), "y": pa.array(np.arange(16.0)), "z": b8})
    with pytest.raises(TypeError, match=r"arrow\.bool8 holds booleans"):
        forge3d.arrow.terrain_from_table(t)
    with pytest.raises(TypeError, match=r'^vertices: column "z".*arrow\.bool8'):
        forge3d.Mesh(t)
