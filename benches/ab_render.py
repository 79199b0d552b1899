"""Render timings for comparing two builds side by side: run it under each
build in turn, interleaved (e.g. PYTHONPATH=<build A> python benches/ab_render.py,
then build B, repeated), and compare the JSON lines it prints.

    python benches/ab_render.py [--reps N]   (default 25)
"""
import argparse, json, statistics, time
import numpy as np
import forge3d

def med(fn, n):
    ts = []
    for _ in range(n):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)

ap = argparse.ArgumentParser()
ap.add_argument("--reps", type=int, default=25)
reps = ap.parse_args().reps
out = {}
r = forge3d.Renderer(4096, 4096); r.render_triangle_rgba()
out["render_triangle_rgba 4096"] = 1e3 * med(r.render_triangle_rgba, reps)
n = 2048
y, x = np.mgrid[0:n, 0:n].astype(np.float32) / n
h = (300 * np.sin(6 * x) * np.cos(4 * y) + 100 * np.sin(20 * x * y)).astype(np.float32)
for size in (1024, 4096):
    rr = forge3d.Renderer(size, size); rr.add_terrain(h); rr.render_terrain_rgba()
    out[f"render_terrain_rgba {size} (2048^2 DEM)"] = 1e3 * med(rr.render_terrain_rgba, reps)
m = forge3d.primitives.sphere(1.0, 256)
rm = forge3d.Renderer(1920, 1080); rm.add_mesh(m); rm.render_rgba()
out["render mesh 1920x1080 (sphere 256)"] = 1e3 * med(rm.render_rgba, reps)
print(json.dumps(out))
