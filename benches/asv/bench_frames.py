"""asv benchmarks: rendering, frame export and memory (performance targets
in docs/benchmarks.md). Run: asv run --python=same [--quick]."""

import sys

import numpy as np

import forge3d

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import _measure  # noqa: E402


class RenderTriangle:
    params = [512, 2048, 4096]
    param_names = ["size"]

    def setup(self, size):
        self.r = forge3d.Renderer(size, size)
        self.r.render_triangle_rgba()

    def time_render_triangle_rgba(self, size):
        self.r.render_triangle_rgba()


class FrameExport:
    """Export is O(1): 4096^2 must be within 2x of 64^2."""

    params = [64, 4096]
    param_names = ["size"]

    def setup(self, size):
        self.frame = forge3d.Renderer(size, size).render_triangle_frame()
        try:
            import pyarrow

            self.pa = pyarrow
        except ImportError:
            self.pa = None
        try:
            import polars

            self.pl = polars
        except ImportError:
            self.pl = None

    def time_to_numpy(self, size):
        np.asarray(self.frame)

    def time_to_numpy_frame_view(self, size):
        self.frame.to_numpy()

    def time_to_dlpack(self, size):
        np.from_dlpack(self.frame)

    def time_to_pyarrow(self, size):
        if self.pa is None:
            raise NotImplementedError("pyarrow not installed")
        self.pa.array(self.frame)

    def time_to_polars(self, size):
        if self.pl is None:
            raise NotImplementedError("polars not installed")
        self.pl.Series(self.frame)


def track_peak_rss_growth_4096_mib():
    """Peak RSS growth of one 4096^2 frame in a fresh process (target <= 70.4 MiB)."""
    return _measure.peak_rss_growth_mib(4096)


track_peak_rss_growth_4096_mib.unit = "MiB"


class SpeedupOverPublished:
    """Median time of the published forge3d 1.45 wheel's render_triangle_rgba
    divided by ours, measured back to back in the same run (target >= 20)."""

    params = [512, 2048, 4096]
    param_names = ["size"]
    unit = "x"
    timeout = 600

    def setup(self, size):
        self.baseline = _measure.baseline_python()
        if self.baseline is None:
            raise NotImplementedError("no .venv-baseline (scripts/bench.sh creates it)")

    def track_speedup(self, size):
        reps = 3 if size >= 4096 else 5
        theirs = _measure.median_render_seconds(self.baseline, size, reps)
        ours = _measure.median_render_seconds(sys.executable, size, reps)
        return theirs / ours
