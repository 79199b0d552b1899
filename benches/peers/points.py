"""Point sets: forge3d against pygfx, side by side in one run.

Each library runs in its own process, repetitions alternating. Both draw the
same N random points of a cube as 2-pixel screen-space discs, fitted to the
view by the library's own camera, and hand the frame to NumPy:

- static: render an unchanged point set and read the frame back
  (forge3d: ``Renderer.render().to_numpy()``, zero-copy; pygfx:
  ``np.asarray(canvas.draw())`` on a ``rendercanvas`` offscreen canvas);
- stream: replace the positions, then render and read back (forge3d:
  ``Points.set_vertices``; pygfx: write ``geometry.positions.data`` and
  ``update_full()``).

forge3d runs as chosen by default (``FORGE3D_POINTS=auto``) and, as
"forge3d-triangles" and "forge3d-compute", with each way of rasterising
points forced (``--libs`` picks the runs).

Reported per case: median milliseconds per frame of each library, the ratio
pygfx / forge3d (above 1: forge3d faster), how forge3d rasterised the points,
and the fraction of pixels each frame covers (a check that all draw the
points).

    python benches/peers/points.py [--sizes 1920x1080,4096x4096] [--counts 100000,1000000,4000000]
                                   [--libs forge3d,forge3d-triangles,pygfx]
                                   [--reps 20] [--rounds 2] [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import _run  # noqa: E402

LIBS = ("forge3d", "forge3d-triangles", "forge3d-compute", "pygfx")
# FORGE3D_POINTS for each forge3d run.
RASTER = {"forge3d": "auto", "forge3d-triangles": "triangles", "forge3d-compute": "compute"}
SIZE_PX = 2.0


def positions(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1.0, 1.0, (n, 3)).astype(np.float32)


def child(args) -> None:
    w, h = (int(v) for v in args.size.split("x"))
    n = args.count
    pos = positions(n, 0)
    moved = [positions(n, s) for s in (1, 2)]
    raster = None
    if args.lib in RASTER:
        import os

        os.environ["FORGE3D_POINTS"] = RASTER[args.lib]
        import forge3d

        r = forge3d.Renderer(w, h)
        pts = forge3d.Points(pos, size=SIZE_PX)

        def frame():
            return r.render().to_numpy()

        empty = frame().copy()
        mesh_id = r.add_mesh(pts, color=(1.0, 1.0, 1.0))

        def raster():
            return r.points_raster(mesh_id)

        def set_positions(p):
            pts.set_vertices(p)

        device = forge3d.device_info() if hasattr(forge3d, "device_info") else {}
    else:
        import pygfx as gfx
        from rendercanvas.offscreen import RenderCanvas

        canvas = RenderCanvas(size=(w, h), pixel_ratio=1)
        renderer = gfx.renderers.WgpuRenderer(canvas)
        geom = gfx.Geometry(positions=pos.copy())
        scene = gfx.Scene()
        points = gfx.Points(geom, gfx.PointsMaterial(size=SIZE_PX, color=(1, 1, 1, 1)))
        camera = gfx.PerspectiveCamera(45, w / h)
        camera.show_object(points)
        canvas.request_draw(lambda: renderer.render(scene, camera))

        def frame():
            return np.asarray(canvas.draw())

        empty = frame().copy()
        scene.add(points)

        def set_positions(p):
            geom.positions.data[:] = p
            geom.positions.update_full()

        device = {}
    img = frame()  # pipelines, first upload: not timed
    # Pixels that differ from the frame without points.
    coverage = float((img[..., :3] != empty[..., :3]).any(axis=-1).mean())
    static = []
    for _ in range(args.reps):
        t = time.perf_counter()
        frame()
        static.append(1e3 * (time.perf_counter() - t))
    stream = []
    for i in range(args.reps):
        t = time.perf_counter()
        set_positions(moved[i % 2])
        frame()
        stream.append(1e3 * (time.perf_counter() - t))
    print(json.dumps({"static_ms": static, "stream_ms": stream, "coverage": coverage,
                      "device": str(device), "raster": raster() if raster else None}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1920x1080,4096x4096")
    ap.add_argument("--counts", default="100000,1000000,4000000")
    ap.add_argument("--reps", type=int, default=20, help="timed frames per child and mode")
    ap.add_argument("--rounds", type=int, default=2, help="alternating child runs per library")
    ap.add_argument("--libs", default="forge3d,forge3d-triangles,pygfx",
                    help="comma-separated runs among " + ", ".join(LIBS))
    ap.add_argument("--quick", action="store_true", help="320x240, 10k and 100k points, 2 frames")
    ap.add_argument("--json", help="also write the report here")
    ap.add_argument("--lib"), ap.add_argument("--size"), ap.add_argument("--count", type=int)
    args = ap.parse_args()
    if args.lib:
        return child(args)
    libs = [x for x in args.libs.split(",") if x]
    unknown = sorted(set(libs) - set(LIBS))
    if unknown or "pygfx" not in libs or not any(x in RASTER for x in libs):
        raise SystemExit(f"--libs: pygfx and at least one of {', '.join(RASTER)} from "
                         f"{', '.join(LIBS)}, got {args.libs!r}")
    if args.quick:
        args.sizes, args.counts, args.reps, args.rounds = "320x240", "10000,100000", 2, 1
    report = {"machine": _run.machine(), "date": _run.stamp(),
              "command": "python benches/peers/points.py " + " ".join(sys.argv[1:]), "results": []}
    for size in args.sizes.split(","):
        for count in (int(c) for c in args.counts.split(",")):
            base = [_run.python(), __file__, "--size", size, "--count", str(count),
                    "--reps", str(args.reps)]
            res = _run.alternate({lib: base + ["--lib", lib] for lib in libs}, args.rounds)
            row = {"size": size, "points": count}
            for lib, runs in res.items():
                for mode in ("static", "stream"):
                    row[f"{lib}_{mode}_ms"] = _run.median([t for r in runs for t in r[0][f"{mode}_ms"]])
                row[f"{lib}_coverage"] = min(r[0]["coverage"] for r in runs)
                if lib in RASTER:
                    row[f"{lib}_raster"] = runs[0][0]["raster"]
            for lib in libs:
                for mode in ("static", "stream"):
                    if lib in RASTER:
                        row[f"{lib}_{mode}_ratio"] = row[f"pygfx_{mode}_ms"] / row[f"{lib}_{mode}_ms"]
            report["results"].append(row)
            for lib in libs:
                if lib == "pygfx":
                    continue
                print(f"{size:>9} {count:>8} {lib:<17} ({row[f'{lib}_raster']:>9}) static "
                      f"{row[f'{lib}_static_ms']:7.2f} ms vs pygfx {row['pygfx_static_ms']:7.2f} ms "
                      f"({row[f'{lib}_static_ratio']:5.2f}x)   stream {row[f'{lib}_stream_ms']:7.2f} ms "
                      f"vs {row['pygfx_stream_ms']:7.2f} ms ({row[f'{lib}_stream_ratio']:5.2f}x)   "
                      f"coverage {row[f'{lib}_coverage']:.3f} / {row['pygfx_coverage']:.3f}",
                      file=sys.stderr, flush=True)
            for lib in libs:
                if not row[f"{lib}_coverage"] > 0:
                    raise SystemExit(f"points: {lib} drew nothing at {size} with {count} points")
            for lib in libs:
                # A forced choice is honoured at these frame sizes.
                want = RASTER.get(lib)
                if want in ("triangles", "compute") and row[f"{lib}_raster"] != want:
                    raise SystemExit(f"points: {lib} rasterised by {row[f'{lib}_raster']}")
    _run.emit(report, args.json)


if __name__ == "__main__":
    main()
