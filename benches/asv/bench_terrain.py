"""asv benchmarks for terrain (targets in docs/benchmarks.md).
Run: asv run --python=same [--quick]."""

import statistics
import sys
import time

import numpy as np

import forge3d

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import _measure  # noqa: E402


def dem(n, dtype=np.float32):
    y, x = np.mgrid[0:n, 0:n].astype(np.float32) / n
    z = 300 * np.sin(6 * x) * np.cos(4 * y) + 100 * np.sin(20 * x * y)
    return np.ascontiguousarray(z, dtype=dtype)


class AddTerrain:
    """add_terrain is one copy: compare with one warm np.copyto of the same bytes."""

    params = [1024, 4096]
    param_names = ["size"]
    number = 1
    repeat = (3, 20, 10.0)

    def setup(self, size):
        self.h = dem(size)
        self.dst = np.empty_like(self.h)
        np.copyto(self.dst, self.h)
        self.r = forge3d.Renderer(512, 512)
        self.r.add_terrain(self.h)
        # The GPU-side copy is asynchronous; each timed call starts idle.
        forge3d.synchronize()

    def time_add_terrain(self, size):
        self.r.add_terrain(self.h)

    def time_np_copyto(self, size):
        np.copyto(self.dst, self.h)

    def track_add_terrain_over_copyto(self, size):
        """Median add_terrain time / median np.copyto time, same run (target <= 1.25)."""
        a, c = [], []
        for _ in range(9):
            forge3d.synchronize()
            t = time.perf_counter()
            self.r.add_terrain(self.h)
            a.append(time.perf_counter() - t)
            t = time.perf_counter()
            np.copyto(self.dst, self.h)
            c.append(time.perf_counter() - t)
        return statistics.median(a) / statistics.median(c)

    track_add_terrain_over_copyto.unit = "x"


class RenderTerrain:
    params = [512, 1024, 4096]
    param_names = ["size"]

    def setup(self, size):
        self.r = forge3d.Renderer(size, size)
        self.r.add_terrain(dem(2048))
        self.r.render_terrain_rgba()

    def time_render_terrain_rgba(self, size):
        self.r.render_terrain_rgba()


class RenderRoughTerrain:
    """A noise terrain, whose folds overlap many times per pixel, rendered
    with and without the depth pre-pass (FORGE3D_TERRAIN_PREPASS)."""

    params = ["off", "on"]
    param_names = ["prepass"]

    def setup(self, prepass):
        import os

        os.environ["FORGE3D_TERRAIN_PREPASS"] = prepass
        rng = np.random.default_rng(0)
        self.r = forge3d.Renderer(512, 512)
        self.r.add_terrain(rng.normal(100, 30, (512, 512)).astype(np.float32))
        self.r.render()

    def teardown(self, prepass):
        import os

        os.environ.pop("FORGE3D_TERRAIN_PREPASS", None)

    def time_render_rough_terrain(self, prepass):
        self.r.render()


class Terrain8192:
    """An 8192^2 heightmap (256 MiB) added and rendered at 1024^2."""

    timeout = 600
    number = 1
    repeat = (1, 3, 60.0)

    def setup(self):
        self.h = dem(8192)
        self.r = forge3d.Renderer(1024, 1024)

    def time_add_and_render_8192(self):
        self.r.add_terrain(self.h)
        self.r.render_terrain_rgba()


def track_terrain_8192_peak_memory_over_input_plus_frame():
    """Peak RSS growth of add_terrain + render of an 8192^2 float32 heightmap
    at 1024^2, divided by (input + frame) bytes, in a fresh process (target <= 1.25).
    On CPU adapters the GPU's own memory (the height texture) is host memory
    and counts here."""
    return _measure.terrain_peak_memory_ratio(8192, 1024)


track_terrain_8192_peak_memory_over_input_plus_frame.unit = "x"
# On a 2-core CPU adapter the first frame computes ambient occlusion over
# 67M cells (about 50 s), close to asv's default 60 s limit.
track_terrain_8192_peak_memory_over_input_plus_frame.timeout = 300
