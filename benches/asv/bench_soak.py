"""Soak benchmark: memory over 10,000 frames of terrain, a mesh, a point set
and frame exports (NumPy, pyarrow, DLPack), each in a fresh process so its
RSS is its own (figures in docs/benchmarks.md). Not a timed test: it
reports RSS growth after a warm-up, the peak over that start, and the
frame rate.

FORGE3D_SOAK_FRAMES overrides the frame count (scripts/bench.sh --quick
sets it small). Run: asv run --python=same --bench Soak, or
python benches/asv/bench_soak.py [frames] for a table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

FRAMES = int(os.environ.get("FORGE3D_SOAK_FRAMES", "10000"))
KINDS = ["terrain", "mesh", "points", "exports"]

SOAK_SCRIPT = r"""
import json, sys, time
import numpy as np, psutil, forge3d, forge3d.primitives as prim

kind, frames = sys.argv[1], int(sys.argv[2])
warm = max(20, frames // 10)
every = max(1, (frames - warm) // 50)
rng = np.random.default_rng(0)
r = forge3d.Renderer(256, 192)
if kind == "terrain":
    y, x = np.mgrid[0:512, 0:512].astype(np.float32) / 512
    r.add_terrain(300 * np.sin(6 * x) * np.cos(4 * y), spacing=10.0, colormap="terrain")
    def frame(i):
        r.set_sun(i % 360, 35.0)
        r.render_terrain_rgba()
elif kind == "mesh":
    mesh = prim.plane(2.0, 63)
    u = np.linspace(-1, 1, 64, dtype=np.float32)
    gx, gy = np.meshgrid(u, u)
    r.add_mesh(mesh, color=(0.3, 0.6, 0.9))
    r.set_camera((0, -2.5, 1.8), (0, 0, 0))
    pos = np.empty((64 * 64, 3), np.float32)
    def frame(i):
        pos[:, 0], pos[:, 1] = gx.ravel(), gy.ravel()
        pos[:, 2] = (0.1 * np.sin(8 * gx + i * 0.05) * np.cos(6 * gy)).ravel()
        mesh.set_vertices(pos)
        r.render_rgba()
elif kind == "points":
    pos = rng.random((4096, 3), dtype=np.float32)
    pts = forge3d.Points(pos, size=3.0)
    pts.set_colors(rng.integers(0, 256, (4096, 4), dtype=np.uint8))
    r.add_mesh(pts)
    r.set_camera((0.5, -1.5, 1.5), (0.5, 0.5, 0.5))
    def frame(i):
        pos[:, 2] = (pos[:, 2] + 0.001) % 1.0
        pts.set_vertices(pos)
        r.render_rgba()
elif kind == "exports":
    import pyarrow as pa
    r.add_mesh(prim.sphere(0.8, 24), color=(1.0, 0.5, 0.0))
    def frame(i):
        f = r.render_frame()
        a, t, d = np.asarray(f), pa.array(f), np.from_dlpack(f)
        assert a.shape == (192, 256, 4) and len(t) == 1 and d.shape == a.shape
else:
    raise SystemExit(f"unknown kind {kind}")

proc = psutil.Process()
samples = []
t0 = None
for i in range(frames):
    frame(i)
    if i + 1 == warm:
        start = proc.memory_info().rss
        t0 = time.perf_counter()
    elif i + 1 > warm and (i + 1 - warm) % every == 0:
        samples.append(proc.memory_info().rss)
seconds = time.perf_counter() - t0
end = proc.memory_info().rss
print(json.dumps({"kind": kind, "frames": frames, "warm": warm, "start": start, "end": end,
                  "peak": max(samples + [end]), "fps": (frames - warm) / seconds}))
"""


def soak(kind: str, frames: int = FRAMES) -> dict:
    """Runs one workload in a fresh process; RSS figures are in bytes."""
    env = dict(os.environ)
    env.setdefault("NODEVICE_SELECT", "1")
    out = subprocess.run([sys.executable, "-c", SOAK_SCRIPT, kind, str(frames)],
                         capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


class Soak:
    """RSS over FORGE3D_SOAK_FRAMES frames (default 10,000) per workload,
    after a warm-up of a tenth of them (target: flat, a few MiB of noise)."""

    params = KINDS
    param_names = ["workload"]
    timeout = 3600

    def setup_cache(self):
        return {k: soak(k) for k in KINDS}

    def track_rss_growth_after_warmup_mib(self, cache, kind):
        m = cache[kind]
        return (m["end"] - m["start"]) / 2**20

    track_rss_growth_after_warmup_mib.unit = "MiB"

    def track_rss_peak_over_warmup_mib(self, cache, kind):
        m = cache[kind]
        return (m["peak"] - m["start"]) / 2**20

    track_rss_peak_over_warmup_mib.unit = "MiB"

    def track_frames_per_second(self, cache, kind):
        return cache[kind]["fps"]

    track_frames_per_second.unit = "fps"


if __name__ == "__main__":
    frames = int(sys.argv[1]) if len(sys.argv) > 1 else FRAMES
    print("| workload | frames | RSS after warm-up | growth after warm-up | peak over warm-up | fps |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for k in KINDS:
        m = soak(k, frames)
        print(f"| {k} | {m['frames']} (warm-up {m['warm']}) | {m['start'] / 2**20:.1f} MiB | "
              f"{(m['end'] - m['start']) / 2**20:+.2f} MiB | {(m['peak'] - m['start']) / 2**20:+.2f} MiB | "
              f"{m['fps']:.0f} |", flush=True)
