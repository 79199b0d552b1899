"""asv benchmarks for meshes and point sets (targets in docs/benchmarks.md).
Run: asv run --python=same [--quick]."""

import statistics
import time

import numpy as np

import forge3d
import forge3d.primitives as prim

SIZES = [10_000, 100_000, 1_000_000, 4_000_000]


def positions(n, seed=0):
    return np.random.default_rng(seed).random((n, 3), dtype=np.float32)


def panda3d_array(n):
    """Panda3D's path: a dynamic GeomVertexData (v3 format) of n rows, written
    through a memoryview of its GeomVertexArrayData; None without panda3d."""
    try:
        from panda3d.core import Geom, GeomVertexData, GeomVertexFormat
    except ImportError:
        return None
    vdata = GeomVertexData("bench", GeomVertexFormat.get_v3(), Geom.UH_dynamic)
    vdata.unclean_set_num_rows(n)
    return vdata


def panda3d_copy(vdata, src):
    memoryview(vdata.modify_array(0)).cast("B")[:] = memoryview(src).cast("B")


def ratio(fn, ref, reps=15):
    """Median time of fn / median time of ref, interleaved in one run."""
    a, b = [], []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        a.append(time.perf_counter() - t)
        t = time.perf_counter()
        ref()
        b.append(time.perf_counter() - t)
    return statistics.median(a) / statistics.median(b)


class SetVertices:
    """set_vertices is one copy: compare with one warm np.copyto of the same
    bytes and with Panda3D's memoryview copy, same run."""

    params = SIZES
    param_names = ["vertices"]
    number = 1
    repeat = (3, 20, 10.0)

    def setup(self, n):
        self.src = positions(n)
        self.dst = np.empty_like(self.src)
        np.copyto(self.dst, self.src)
        self.points = forge3d.Points(self.src)
        for _ in range(3):
            self.points.set_vertices(self.src)
        self.vdata = panda3d_array(n)
        if self.vdata is not None:
            panda3d_copy(self.vdata, self.src)

    def time_set_vertices(self, n):
        self.points.set_vertices(self.src)

    def time_np_copyto(self, n):
        np.copyto(self.dst, self.src)

    def time_panda3d_memoryview(self, n):
        if self.vdata is None:
            raise NotImplementedError("panda3d is not installed")
        panda3d_copy(self.vdata, self.src)

    def track_set_vertices_over_copyto(self, n):
        """Target <= 1.25."""
        return ratio(lambda: self.points.set_vertices(self.src), lambda: np.copyto(self.dst, self.src))

    track_set_vertices_over_copyto.unit = "x"

    def track_panda3d_over_set_vertices(self, n):
        """> 1 means forge3d's copy is faster than Panda3D's."""
        if self.vdata is None:
            raise NotImplementedError("panda3d is not installed")
        return ratio(lambda: panda3d_copy(self.vdata, self.src), lambda: self.points.set_vertices(self.src))

    track_panda3d_over_set_vertices.unit = "x"


def wave_frames(resolution, frames=2):
    """Positions of a waving plane at `frames` instants (precomputed, so the
    loop measures forge3d, not NumPy)."""
    mesh = prim.plane(2.0, resolution)
    n = mesh.vertex_count
    u = np.linspace(-1, 1, resolution + 1, dtype=np.float32)
    x, y = np.meshgrid(u, u)
    out = []
    for k in range(frames):
        z = 0.1 * np.sin(8 * x + k * 0.5) * np.cos(6 * y)
        out.append(np.ascontiguousarray(np.stack([x, y, z], -1).reshape(n, 3), dtype=np.float32))
    return mesh, out


def wave_fps(mesh, frames, width, height, count):
    r = forge3d.Renderer(width, height)
    r.add_mesh(mesh, color=(0.3, 0.6, 0.9))
    r.set_camera((0, -2.5, 1.8), (0, 0, 0))
    mesh.set_vertices(frames[0])
    r.render_frame()
    t = time.perf_counter()
    for i in range(count):
        mesh.set_vertices(frames[i % len(frames)])
        f = r.render_frame()
        del f
    return count / (time.perf_counter() - t)


class WaveLoop:
    """Frames per second of the wave loop (set_vertices + render + zero-copy
    readback) at 1920x1080; goal on an H100: >= 120 fps at 1M vertices."""

    params = [100_000, 1_000_000]
    param_names = ["vertices"]
    timeout = 600

    def setup(self, n):
        res = {100_000: 315, 1_000_000: 999}[n]
        self.mesh, self.frames = wave_frames(res)

    def track_fps(self, n):
        return wave_fps(self.mesh, self.frames, 1920, 1080, 3)

    track_fps.unit = "fps"
