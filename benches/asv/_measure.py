"""Helpers shared by the asv benchmarks: fresh-process measurements and the
published-wheel baseline."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Read /proc/self/status (VmRSS, VmHWM) in bytes; prefixed to the scripts.
STATUS = r"""
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(key)
"""

RSS_SCRIPT = STATUS + r"""
import sys
import forge3d


size = int(sys.argv[1])
# Context and pipelines first, so only the frame itself is measured.
forge3d.Renderer(64, 64).render_triangle_rgba()
r = forge3d.Renderer(size, size)
before = status("VmRSS")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak (VmHWM) to the current RSS
rgba = r.render_triangle_rgba()
assert rgba.shape == (size, size, 4)
print((status("VmHWM") - before) / 2**20)
"""

TERRAIN_MEMORY_SCRIPT = STATUS + r"""
import sys
import numpy as np
import forge3d


n, frame = int(sys.argv[1]), int(sys.argv[2])
# Context and pipelines first, then the input, so only forge3d's work counts.
warm = forge3d.Renderer(64, 64)
warm.add_terrain(np.zeros((4, 4), np.float32))
warm.render_terrain_rgba()
del warm
h = np.empty((n, n), np.float32)
for i in range(0, n, 512):
    y, x = np.mgrid[i:i + 512, 0:n].astype(np.float32) / n
    h[i:i + 512] = 300 * np.sin(6 * x) * np.cos(4 * y)
del y, x
base = status("VmRSS") - h.nbytes
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak (VmHWM) to the current RSS
r = forge3d.Renderer(frame, frame)
r.add_terrain(h)
rgba = r.render_terrain_rgba()
print((status("VmHWM") - base) / (h.nbytes + rgba.nbytes))
"""

TABLE_MEMORY_SCRIPT = STATUS + r"""
import gc, sys
sys.path.insert(0, sys.argv[2])
import bench_arrow
import forge3d.arrow as fa


side = int(sys.argv[1])
df = bench_arrow.lattice_frame(side)
fa.terrain_from_table(df.iloc[:1000])  # threads, imports: not the grid's cost
gc.collect()
base = status("VmRSS")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak (VmHWM) to the current RSS
hm = fa.terrain_from_table(df)
assert hm.shape == (side, side)
print((status("VmHWM") - base) / (side * side * 4))
"""

TIME_SCRIPT = r"""
import sys, time, statistics
import forge3d
size, reps = int(sys.argv[1]), int(sys.argv[2])
r = forge3d.Renderer(size, size)
r.render_triangle_rgba()
times = []
for _ in range(reps):
    t0 = time.perf_counter()
    a = r.render_triangle_rgba()
    times.append(time.perf_counter() - t0)
    del a
print(statistics.median(times))
"""


_WARM_RENDERER = None


def warm_gpu(seconds: float = 0.3) -> None:
    """Renders large frames back to back for `seconds`, so that a GPU that
    idled runs at its working clock during the measurement that follows.

    After a few seconds without work (here: while a child process of the
    report measures memory) an NVIDIA GPU drops to its idle clock, 345 MHz
    on the H200 against 1980 MHz, and a loop of small renders does not
    raise it again: 512x512 terrain renders of a 2048^2 DEM measured
    1.8-4.5 ms instead of 0.44 ms, with NVML reading 345 MHz throughout.
    Two seconds of 4096^2 renders brought the clock and the 0.44 ms back.
    On CPU adapters (lavapipe) there is no such clock: nothing is done."""
    global _WARM_RENDERER
    import forge3d

    if forge3d.device_info().get("software"):
        return
    if _WARM_RENDERER is None:
        _WARM_RENDERER = forge3d.Renderer(4096, 4096)
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        _WARM_RENDERER.render_triangle_rgba()


def peak_rss_growth_mib(size: int) -> float:
    """ru_maxrss growth of a fresh process rendering one size x size frame."""
    out = subprocess.run(
        [sys.executable, "-c", RSS_SCRIPT, str(size)],
        capture_output=True, text=True, check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def terrain_peak_memory_ratio(n: int, frame: int) -> float:
    """(peak RSS - RSS before the input existed) / (input + frame) bytes."""
    out = subprocess.run(
        [sys.executable, "-c", TERRAIN_MEMORY_SCRIPT, str(n), str(frame)],
        capture_output=True, text=True, check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def table_peak_memory_ratio(side: int) -> float:
    """Peak RSS growth of terrain_from_table on a shuffled side x side
    lattice (pandas), over the bytes of the float32 grid it returns; the
    table exists before the measurement starts."""
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run(
        [sys.executable, "-c", TABLE_MEMORY_SCRIPT, str(side), here],
        capture_output=True, text=True, check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def baseline_python() -> str | None:
    """The interpreter of a virtualenv holding the published forge3d wheel
    (FORGE3D_BASELINE_PYTHON, else .venv-baseline/bin/python)."""
    cand = os.environ.get("FORGE3D_BASELINE_PYTHON") or str(ROOT / ".venv-baseline" / "bin" / "python")
    return cand if os.path.exists(cand) else None


def median_render_seconds(python: str, size: int, reps: int) -> float:
    """Median wall time of render_triangle_rgba at size x size in `python`."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    out = subprocess.run(
        [python, "-c", TIME_SCRIPT, str(size), str(reps)],
        capture_output=True, text=True, check=True, env=env, cwd="/",
    )
    return float(out.stdout.strip().splitlines()[-1])
