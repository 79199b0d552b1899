"""Measure forge3d's performance targets on this machine and print a Markdown table.

    python benches/report.py [--quick] [--json out.json]

Each figure is a median over repeated calls in this one run; ratios compare
figures measured side by side in this run. The asv suite (benches/asv) runs
the same measurements under asv; this script exists to take them in one go
on machines without asv (e.g. a GPU host).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

import forge3d

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "asv"))
import _measure  # noqa: E402


def median_time(fn, reps, before=None):
    # A GPU that idled (e.g. during a child process's measurement) would
    # otherwise be timed at its idle clock (see _measure.warm_gpu).
    _measure.warm_gpu()
    ts = []
    for _ in range(reps):
        if before:
            before()
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def dem(n):
    out = np.empty((n, n), np.float32)
    for i in range(0, n, 512):
        y, x = np.mgrid[i : i + 512, 0:n].astype(np.float32) / n
        out[i : i + 512] = 300 * np.sin(6 * x) * np.cos(4 * y) + 100 * np.sin(20 * x * y)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    ap.add_argument("--json", help="also write the figures as JSON")
    ap.add_argument("--reps", type=int, default=15, help="repetitions per median (default 15)")
    ap.add_argument("--only", action="append", choices=["frames", "terrain", "mesh", "arrow"],
                    help="measure only these sections (repeatable; default all)")
    args = ap.parse_args()
    want = set(args.only or ["frames", "terrain", "mesh", "arrow"])
    reps = 3 if args.quick else args.reps
    info = forge3d.device_info()
    rows = []

    def add(name, value, unit, target=""):
        rows.append((name, value, unit, target))
        print(f"{name}: {value:.4g} {unit}", file=sys.stderr)

    if "frames" in want:
        for size in (512, 2048, 4096):
            r = forge3d.Renderer(size, size)
            r.render_triangle_rgba()
            add(f"render_triangle_rgba {size}x{size}", 1e3 * median_time(r.render_triangle_rgba, reps), "ms",
                "<= 4 ms on H100 at 4096" if size == 4096 else "")
        baseline = _measure.baseline_python()
        if baseline:
            for size in (512, 2048, 4096):
                n = 3 if size == 4096 else 5
                theirs = _measure.median_render_seconds(baseline, size, n)
                ours = _measure.median_render_seconds(sys.executable, size, n)
                add(f"published forge3d 1.45 render_triangle_rgba {size}x{size}", 1e3 * theirs, "ms")
                add(f"speedup over forge3d 1.45 at {size}x{size}", theirs / ours, "x", ">= 20")
        add("peak RSS growth, one 4096x4096 frame", _measure.peak_rss_growth_mib(4096), "MiB", "<= 70.4 MiB")

        for size in (64, 4096):
            frame = forge3d.Renderer(size, size).render_triangle_frame()
            for label, fn in [("numpy", lambda: np.asarray(frame)), ("dlpack", lambda: np.from_dlpack(frame))]:
                add(f"export {label} {size}x{size}", 1e6 * median_time(fn, 200), "us", "4096 within 2x of 64")
            try:
                import pyarrow as pa

                add(f"export pyarrow {size}x{size}", 1e6 * median_time(lambda: pa.array(frame), 200), "us",
                    "4096 within 2x of 64")
            except ImportError:
                pass

    if "terrain" in want:
        h = dem(4096)
        dst = np.empty_like(h)
        np.copyto(dst, h)
        r = forge3d.Renderer(512, 512)
        r.add_terrain(h)
        add_t = median_time(lambda: r.add_terrain(h), reps * 2, before=forge3d.synchronize)
        copy_t = median_time(lambda: np.copyto(dst, h), reps * 2)
        add("add_terrain 4096x4096 float32", 1e3 * add_t, "ms")
        add("np.copyto 4096x4096 float32 (warm)", 1e3 * copy_t, "ms")
        add("add_terrain / np.copyto", add_t / copy_t, "x", "<= 1.25")

        terrain = dem(2048)
        for size in (512, 1024, 4096):
            rr = forge3d.Renderer(size, size)
            rr.add_terrain(terrain)
            rr.render_terrain_rgba()
            add(f"render_terrain_rgba {size}x{size} (2048^2 DEM)", 1e3 * median_time(rr.render_terrain_rgba, reps), "ms")
            # Where that time goes (GPU timestamps where the device has them):
            # tells a slower GPU from a longer wait when the figure above moves.
            p = rr.profile(reps, warmup=0)
            for key in ("gpu_render_ms", "gpu_copy_ms", "cpu_wait_ms"):
                if key in p:
                    add(f"  {key} {size}x{size} (Renderer.profile)", p[key], "ms")

        big = dem(8192)
        r8 = forge3d.Renderer(1024, 1024)
        t = time.perf_counter()
        r8.add_terrain(big)
        r8.render_terrain_rgba()
        add("8192^2 add_terrain + render at 1024^2 (first)", 1e3 * (time.perf_counter() - t), "ms")
        del big, r8
        add("8192^2 peak memory / (input + frame)", _measure.terrain_peak_memory_ratio(8192, 1024), "x", "<= 1.25")

    if "mesh" in want:
        # Meshes: set_vertices against np.copyto and Panda3D, and the wave loop.
        import bench_mesh

        for n in bench_mesh.SIZES:
            src = bench_mesh.positions(n)
            dst = np.empty_like(src)
            np.copyto(dst, src)
            pts = forge3d.Points(src)
            for _ in range(3):
                pts.set_vertices(src)
            k = max(reps * 2, 31 if n <= 100_000 else 9)
            sv = bench_mesh.ratio(lambda: pts.set_vertices(src), lambda: np.copyto(dst, src), k)
            add(f"set_vertices / np.copyto, {n} vertices", sv, "x", "<= 1.25")
            vdata = bench_mesh.panda3d_array(n)
            if vdata is not None:
                bench_mesh.panda3d_copy(vdata, src)
                p3 = bench_mesh.ratio(lambda: bench_mesh.panda3d_copy(vdata, src), lambda: pts.set_vertices(src), k)
                add(f"Panda3D memoryview copy / set_vertices, {n} vertices", p3, "x", "> 1: forge3d faster")
            del pts
        for n, res in ((100_000, 315), (1_000_000, 999)):
            mesh, frames = bench_mesh.wave_frames(res)
            count = 3 if info["software"] else 120
            add(f"wave loop fps, {n} vertices, 1920x1080", bench_mesh.wave_fps(mesh, frames, 1920, 1080, count),
                "fps", ">= 120 at 1M on H100" if n == 1_000_000 else "")
            del mesh, frames

    # forge3d.arrow: dataframe to terrain against pandas' pivot, same data.
    try:
        if "arrow" not in want:
            raise ImportError("not requested")
        import pandas as pd  # noqa: F401

        import bench_arrow
        import forge3d.arrow as fa

        df = bench_arrow.lattice_frame(4096)
        ours = median_time(lambda: fa.terrain_from_table(df), 3)
        pivot = median_time(lambda: df.pivot(index="y", columns="x", values="z"), 3)
        add("terrain_from_table, 16M-row shuffled lattice (pandas)", 1e3 * ours, "ms")
        add("DataFrame.pivot, same data", 1e3 * pivot, "ms")
        add("speedup of terrain_from_table over pivot", pivot / ours, "x", ">= 10")
        del df
        if os.path.exists("/proc/self/clear_refs"):
            add("terrain_from_table peak memory / grid bytes (16M rows)",
                _measure.table_peak_memory_ratio(4096), "x", "about 1: grid + one batch")
        import pyarrow as pa
        import polars as pl

        for side in (64, 4096):
            v = np.ones((side, side), np.float32)
            hm = forge3d.Heightmap(v)
            col, ser = pa.array(v.ravel()), pl.Series(v.ravel())
            for label, fn in [
                ("import pyarrow", lambda: fa.heightmap(col, shape=(side, side))),
                ("import polars", lambda: fa.heightmap(ser, shape=(side, side))),
                ("export pyarrow", lambda: pa.array(hm)),
                ("export polars", lambda: pl.Series(hm)),
            ]:
                add(f"heightmap {label} {side}x{side}", 1e6 * median_time(fn, 200), "us", "4096 within 2x of 64")
    except ImportError as e:
        print(f"(forge3d.arrow figures skipped: {e})", file=sys.stderr)

    print(f"Machine: {platform.node()} ({os.cpu_count()} CPUs), adapter {info['name']} "
          f"({info['backend']}, {info['device_type']}, driver {info['driver']} {info['driver_info']})")
    cmd = "python benches/report.py" + (" --quick" if args.quick else f" --reps {reps}")
    cmd += "".join(f" --only {o}" for o in args.only or [])
    print(f"Date: {time.strftime('%Y-%m-%d')}  Command: {cmd}\n")
    print("| measurement | value | unit | target |")
    print("| --- | ---: | --- | --- |")
    for name, value, unit, target in rows:
        print(f"| {name} | {value:.4g} | {unit} | {target} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"device": info, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
