"""x, y, z rows into a grid: forge3d.arrow.terrain_from_table against
datashader's Canvas.points, side by side in one run.

Each library runs in its own process, repetitions alternating; the rows are
written once to .npy files and loaded by each child before timing. Both get
a pandas DataFrame of float64 columns. Two workloads:

- lattice: an n x n DEM exported to XYZ, rows shuffled (one point per cell);
- binned: 4 points per cell of an (n/2) x (n/2) grid, in random order.

datashader is given the exact x/y ranges. forge3d runs twice: finding the
extent and the lattice itself ("forge3d": one extra pass over the rows,
included in its time), and given the same box and shape as datashader
("forge3d-bounds": `bounds=` and `shape=`, one pass, like datashader;
"forge3d-1thread": the same on one thread, `threads=1`, the least CPU
time; "forge3d-gpu": the same binned on the GPU, `device="gpu"`;
"forge3d-gpu-render": that, then the terrain rendered at 1920x1080 and read
back, the rows-to-rendered-terrain time; a renderer made before timing;
"forge3d-gpu-terrain": the same rows to a rendered terrain in one call,
`Renderer.add_terrain_from_table`, whose grid stays on the GPU: no readback
and no second upload; its grid is checked through the frame, which must
equal the one drawn from `terrain_from_table`'s heightmap).
Reported per reduction:
median wall time and median CPU time (all threads, `time.process_time`),
and whether the two grids are equal cell for cell (NaN = NaN; mean on the
GPU within float32 rounding, 2**-23 relative).

With ``--baseline DIR`` (a directory where another forge3d build is
installed, e.g. ``pip install --target DIR forge3d-*.whl``), that build runs
too, as "forge3d-before", the same way as "forge3d": before and after in one
run.

    python benches/peers/grid.py [--rows 16000000] [--reps 3] [--quick] [--libs forge3d-1thread,...]
        [--baseline DIR] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import _run  # noqa: E402

AGGS = ("mean", "min", "max", "first", "last", "count")
LIBS = ("forge3d", "forge3d-bounds", "forge3d-1thread", "forge3d-gpu", "forge3d-gpu-render",
        "forge3d-gpu-terrain", "datashader")
# Rendering is slow on a software renderer: these run for one reduction in quick mode.
RENDERING = ("forge3d-gpu-render", "forge3d-gpu-terrain")


def make_data(d: pathlib.Path, rows: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    n = int(round(rows ** 0.5))
    # Lattice: every node of an n x n grid once, shuffled.
    order = rng.permutation(n * n)
    yy, xx = np.divmod(order, n)
    x = xx.astype(np.float64) * 25.0 + 500_000.0
    y = yy.astype(np.float64) * 25.0 + 4_000_000.0
    z = (300 * np.sin(xx / n * 6) * np.cos(yy / n * 4) + rng.normal(0, 2, n * n)).astype(np.float64)
    np.save(d / "lattice_x.npy", x)
    np.save(d / "lattice_y.npy", y)
    np.save(d / "lattice_z.npy", z)
    # Binned: m x m cells of size 1, 4 points per cell away from the cell
    # edges, plus the two corners so both libraries see the range [0, m].
    m = n // 2
    cells = rng.integers(0, m * m, n * n - 2)
    cy, cx = np.divmod(cells, m)
    bx = np.concatenate([[0.0, float(m)], cx + rng.uniform(0.05, 0.95, cells.size)])
    by = np.concatenate([[0.0, float(m)], cy + rng.uniform(0.05, 0.95, cells.size)])
    bz = rng.normal(100, 30, bx.size)
    np.save(d / "binned_x.npy", bx)
    np.save(d / "binned_y.npy", by)
    np.save(d / "binned_z.npy", bz)
    return {
        "lattice": {"shape": (n, n), "x_range": (x.min() - 12.5, x.max() + 12.5),
                    "y_range": (y.min() - 12.5, y.max() + 12.5)},
        "binned": {"shape": (m, m), "x_range": (0.0, float(m)), "y_range": (0.0, float(m))},
    }


def child(args) -> None:
    import pandas as pd

    d = pathlib.Path(args.data)
    meta = json.loads((d / "meta.json").read_text())[args.workload]
    df = pd.DataFrame({c: np.load(d / f"{args.workload}_{c}.npy") for c in "xyz"})
    rows, cols = meta["shape"]
    if args.lib.startswith("forge3d"):
        if args.lib == "forge3d-before":
            sys.path.insert(0, args.baseline)
        import forge3d
        import forge3d.arrow

        kw = {} if args.workload == "lattice" else {"shape": (rows, cols)}
        if args.lib == "forge3d-before":
            assert os.path.dirname(os.path.dirname(forge3d.__file__)) == args.baseline, (
                f"forge3d-before imported {forge3d.__file__}, not the build in {args.baseline}")
        if args.lib in ("forge3d-bounds", "forge3d-1thread") or args.lib.startswith("forge3d-gpu"):
            (x0, x1), (y0, y1) = meta["x_range"], meta["y_range"]
            kw = {"shape": (rows, cols), "bounds": (x0, y0, x1, y1)}
        if args.lib == "forge3d-1thread":
            kw["threads"] = 1
        if args.lib.startswith("forge3d-gpu"):
            kw["device"] = "gpu"
        renderer = forge3d.Renderer(1920, 1080) if args.lib in RENDERING else None

        def run_terrain():
            info = renderer.add_terrain_from_table(df, "x", "y", "z", agg=args.agg,
                                                   height_range=(-1.0, 1.0), **kw)
            assert info["shape"] == (rows, cols) and info["device"] == "gpu", info
            frame = renderer.render()
            # The terrain covers the middle of the image (not the background).
            assert tuple(frame.to_numpy()[540, 960, :3]) != renderer.background[:3]
            return frame

        def run():
            if args.lib == "forge3d-gpu-terrain":
                return run_terrain()
            hm, info = forge3d.arrow.terrain_from_table(
                df, "x", "y", "z", agg=args.agg, return_info=True, **kw)
            assert info["shape"] == (rows, cols), info
            if "device" in kw:
                assert info["device"] == "gpu", info
            if renderer is not None:
                renderer.add_terrain(hm, height_range=(-1.0, 1.0))
                frame = renderer.render()
                assert frame.to_numpy()[540, 960, 3] == 255
            return hm.to_numpy()
    else:
        import datashader as ds

        cvs = ds.Canvas(plot_width=cols, plot_height=rows, x_range=tuple(meta["x_range"]),
                        y_range=tuple(meta["y_range"]))
        red = getattr(ds, args.agg)("z") if args.agg != "count" else ds.count()

        def run():
            a = cvs.points(df, "x", "y", agg=red)
            # datashader's row 0 is the smallest y; forge3d's is the largest.
            return np.asarray(a.values)[::-1]

    run()  # compile (numba) / warm up, not timed
    wall, cpu = [], []
    for _ in range(args.reps):
        t, c = time.perf_counter(), time.process_time()
        out = run()
        cpu.append(1e3 * (time.process_time() - c))
        wall.append(1e3 * (time.perf_counter() - t))
    if args.lib == "forge3d-gpu-terrain":
        # The grid never left the GPU: it is checked through what it drew,
        # against the frame of the same grid through a heightmap (whose
        # cells are checked against datashader's below).
        drawn = out.to_numpy().copy()
        hm = forge3d.arrow.terrain_from_table(df, "x", "y", "z", agg=args.agg, **kw)
        renderer.add_terrain(hm, height_range=(-1.0, 1.0))
        if not np.array_equal(renderer.render().to_numpy(), drawn):
            raise SystemExit("grid: the terrain drawn from the GPU's grid differs from its heightmap's")
        out = hm.to_numpy()
    np.save(d / f"out_{args.workload}_{args.agg}_{args.lib}.npy", np.asarray(out, np.float32))
    print(json.dumps({"wall_ms": wall, "cpu_ms": cpu}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=float, default=16e6)
    ap.add_argument("--reps", type=int, default=3, help="timed repetitions per child")
    ap.add_argument("--rounds", type=int, default=2, help="alternating child runs per library")
    ap.add_argument("--aggs", default=",".join(AGGS))
    ap.add_argument("--workloads", default="lattice,binned")
    ap.add_argument("--libs", default=",".join(LIBS),
                    help="which of them to run (datashader always runs: the others are checked against it)")
    ap.add_argument("--quick", action="store_true", help="1M rows, one round of one repetition")
    ap.add_argument("--json", help="also write the report here")
    ap.add_argument("--baseline", help="directory holding another forge3d build, run as forge3d-before")
    ap.add_argument("--lib"), ap.add_argument("--data"), ap.add_argument("--agg")
    ap.add_argument("--workload")
    args = ap.parse_args()
    if args.lib:
        return child(args)
    if args.quick:
        args.rows, args.reps, args.rounds = 1e6, 1, 1
    chosen = [lib for lib in args.libs.split(",") if lib]
    unknown = sorted(set(chosen) - set(LIBS))
    if unknown:
        raise SystemExit(f"grid: --libs: unknown {', '.join(unknown)}; choose from {', '.join(LIBS)}")
    run_libs = tuple(lib for lib in LIBS if lib in chosen or lib == "datashader")
    report = {"machine": _run.machine(), "date": _run.stamp(),
              "command": "python benches/peers/grid.py " + " ".join(sys.argv[1:]),
              "rows": int(args.rows), "results": []}
    with tempfile.TemporaryDirectory() as tmp:
        d = pathlib.Path(tmp)
        meta = make_data(d, int(args.rows))
        (d / "meta.json").write_text(json.dumps(meta))
        for workload in args.workloads.split(","):
            for agg in args.aggs.split(","):
                base = [_run.python(), __file__, "--data", tmp, "--agg", agg,
                        "--workload", workload, "--reps", str(args.reps)]
                libs = run_libs if not args.baseline else ("forge3d-before",) + run_libs
                if args.quick and agg != args.aggs.split(",")[0]:
                    # Rendering is slow on a software renderer: once in quick mode.
                    libs = tuple(lib for lib in libs if lib not in RENDERING)
                commands = {lib: base + ["--lib", lib] for lib in libs}
                if args.baseline:
                    commands["forge3d-before"] += ["--baseline", os.path.abspath(args.baseline)]
                res = _run.alternate(commands, args.rounds)
                row = {"workload": workload, "shape": meta[workload]["shape"], "agg": agg}
                for lib, runs in res.items():
                    row[f"{lib}_wall_ms"] = _run.median([w for r in runs for w in r[0]["wall_ms"]])
                    row[f"{lib}_cpu_ms"] = _run.median([c for r in runs for c in r[0]["cpu_ms"]])
                b = np.load(d / f"out_{workload}_{agg}_datashader.npy")
                for lib in libs[:-1]:
                    a = np.load(d / f"out_{workload}_{agg}_{lib}.npy")
                    same = (a == b) | (np.isnan(a) & np.isnan(b))
                    if agg == "mean" and "gpu" in lib:
                        same |= np.isclose(a, b, rtol=2.0 ** -23, atol=0.0)
                    row[f"{lib}_equal_cells"] = float(same.mean())
                    row[f"{lib}_cpu_ratio"] = row["datashader_cpu_ms"] / row[f"{lib}_cpu_ms"]
                    row[f"{lib}_wall_ratio"] = row["datashader_wall_ms"] / row[f"{lib}_wall_ms"]
                report["results"].append(row)
                print(f"{workload:8} {agg:6} " + "  ".join(
                      f"{lib} {row[f'{lib}_wall_ms']:7.1f} ms ({row[f'{lib}_cpu_ms']:7.1f} CPU)"
                      for lib in libs), file=sys.stderr, flush=True)
                for lib in libs[:-1]:
                    if row[f"{lib}_equal_cells"] != 1.0:
                        raise SystemExit(
                            f"grid: {lib} and datashader disagree on {workload}/{agg}: "
                            f"{1 - row[f'{lib}_equal_cells']:.2e} of the cells differ")
    _run.emit(report, args.json)


if __name__ == "__main__":
    main()
