"""Taichi kernels (CPU arch, ``ti.types.ndarray``) write forge3d memory in place.

Taichi is a test dependency: this module is not skipped when it is missing.
(No ``from __future__ import annotations``: Taichi reads the kernels'
annotations at definition time.)
"""

import numpy as np
import pytest
import taichi as ti

import forge3d
import forge3d.primitives as prim
from conftest import address
from forge3d.engine import Engine, MeshSurfaceView, Observer, OrbitCamera
from forge3d.interop import external_array

W, H = 160, 120
N = 16  # plane resolution: (N + 1)^2 vertices


@ti.kernel
def bump(
    base: ti.types.ndarray(dtype=ti.f32, ndim=2),
    out: ti.types.ndarray(dtype=ti.f32, ndim=2),
    height: ti.f32,
):
    for i in range(base.shape[0]):
        x, y = base[i, 0], base[i, 1]
        out[i, 0] = x
        out[i, 1] = y
        out[i, 2] = height * ti.exp(-8.0 * (x * x + y * y))


@pytest.fixture(scope="module", autouse=True)
def taichi_cpu():
    ti.init(arch=ti.cpu)
    yield


def flat_plane():
    """The plane primitive and a copy of its flat positions (z = 0)."""
    n = (N + 1) ** 2
    g = np.linspace(-1.0, 1.0, N + 1, dtype=np.float32)
    x, y = np.meshgrid(g, g)
    base = external_array((n, 3), zero=True)
    base[:, 0], base[:, 1] = x.ravel(), y.ravel()
    return prim.plane(2.0, N), base


def side_view(renderer):
    renderer.set_camera((0.0, -4.0, 0.8), (0.0, 0.0, 0.3))


def coverage(rgba, renderer):
    return (np.asarray(rgba)[..., :3] != np.array(renderer.background[:3])).any(-1)


def test_taichi_kernel_writes_an_external_array_in_place_then_set_vertices_shows_it():
    mesh, base = flat_plane()
    r = forge3d.Renderer(W, H)
    r.add_mesh(mesh, color=(0.9, 0.6, 0.2))
    side_view(r)
    flat = coverage(np.array(r.render_frame()), r)

    pos = external_array(base.shape)
    ptr = address(pos)
    bump(base, pos, 1.0)
    assert address(pos) == ptr and isinstance(pos.base, forge3d.ExternalBuffer)
    np.testing.assert_allclose(
        pos[:, 2], np.exp(-8.0 * (base[:, 0] ** 2 + base[:, 1] ** 2)), rtol=1e-5
    )

    with forge3d.copy_ledger() as ledger:
        mesh.set_vertices(pos)
    assert ledger.copies == 1, ledger.report()
    assert ledger.records[0].source_ptr == ptr
    assert mesh.bounds[1][2] == pytest.approx(1.0)

    bumped = coverage(np.array(r.render_frame()), r)
    # Seen from the side, the flat plane is a thin band; the bump rises above it.
    assert bumped.sum() > flat.sum() + 300
    rows = np.nonzero(bumped.any(1))[0]
    flat_rows = np.nonzero(flat.any(1))[0]
    assert rows.min() < flat_rows.min() - 10


def test_taichi_kernel_writes_the_mapped_upload_memory_without_a_copy():
    mesh, base = flat_plane()
    reference, _ = flat_plane()
    r = forge3d.Renderer(W, H)
    r.add_mesh(mesh, color=(0.3, 0.6, 0.9))
    side_view(r)
    flat = np.array(r.render_frame())

    with forge3d.copy_ledger() as ledger, mesh.write_vertices() as v:
        assert v.shape == (mesh.vertex_count, 3) and v.dtype == np.float32
        bump(base, v, 0.8)
    assert ledger.copies == 0, ledger.report()
    assert not v.flags.writeable  # read-only after the block
    via_view = np.array(r.render_frame())
    assert (via_view != flat).any(-1).sum() > 300

    # the same positions uploaded with a copy render the same image
    pos = external_array(base.shape)
    bump(base, pos, 0.8)
    np.testing.assert_array_equal(v, pos)
    r2 = forge3d.Renderer(W, H)
    reference.set_vertices(pos)
    r2.add_mesh(reference, color=(0.3, 0.6, 0.9))
    side_view(r2)
    np.testing.assert_array_equal(np.array(r2.render_frame()), via_view)


def test_taichi_observer_animates_engine_frames():
    mesh, base = flat_plane()

    class Bump(Observer):
        def update(self, dt):
            with mesh.write_vertices() as v:
                bump(base, v, float(np.sin(2 * np.pi * self.engine.time)))

    eng = Engine("taichi", width=W, height=H, fps=8)
    try:
        eng.add_view(MeshSurfaceView(mesh, color=(0.8, 0.8, 0.8)))
        eng.camera = OrbitCamera(target=(0, 0, 0), azimuth_deg=180, elevation_deg=10, distance=4.0)
        eng.add_observer(Bump())
        frames = []
        eng.start(frames=3, callback=lambda f, i: frames.append(np.array(f)))
    finally:
        eng.close()
    heights = [np.nonzero(coverage(f, eng.renderer).any(1))[0].min() for f in frames]
    # sin(2 pi t) at t = 1/8, 2/8, 3/8: 0.71, 1.0, 0.71 -> the top row rises, then falls
    assert heights[1] < heights[0] - 3 and heights[2] > heights[1] + 3
