"""x, y, z rows of a Dask DataFrame into a grid on a 2-worker cluster:
forge3d.dask.terrain_from_table against datashader's Dask path
(``Canvas.points`` on the same ``dask.dataframe``), side by side in one run.

The rows (4 points per cell of an (n/2) x (n/2) grid, in random order) are
written once as a Parquet dataset of ``--partitions`` files; each library
runs in its own process, which starts its own
``distributed.LocalCluster(n_workers=2, threads_per_worker=1)``, reads the
dataset with ``dask.dataframe.read_parquet`` and grids it with the same box
and shape (datashader's ``x_range``/``y_range`` and ``plot_width``/
``plot_height``; forge3d's ``bounds`` and ``shape``), once untimed (numba
compiles, workers warm up) and ``--reps`` times timed. Repetitions alternate
between the libraries (``--rounds``).

Reported per reduction (mean and max): the median wall time, each
worker's peak resident memory during the timed grids above its memory
after the untimed one (the working memory a grid costs a worker,
partitions read included, one-time imports and compilation not; sampled
every 5 ms; the larger of the two workers), and whether the grids agree
cell for cell (mean within float32 rounding, 2**-23 relative).

    python benches/peers/dask_grid.py [--rows 16000000] [--partitions 16] [--reps 3] [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import _run  # noqa: E402

AGGS = ("mean", "max")
LIBS = ("forge3d", "datashader")


def make_data(d: pathlib.Path, rows: int, partitions: int, seed: int = 0) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    m = int(round((rows / 4) ** 0.5))
    cells = rng.integers(0, m * m, rows)
    cy, cx = np.divmod(cells, m)
    x = cx + rng.uniform(0.05, 0.95, rows)
    y = cy + rng.uniform(0.05, 0.95, rows)
    z = rng.normal(100, 30, rows)
    out = d / "points"
    out.mkdir()
    step = -(-rows // partitions)
    for i, k in enumerate(range(0, rows, step)):
        t = pa.table({"x": x[k:k + step], "y": y[k:k + step], "z": z[k:k + step]})
        pq.write_table(t, out / f"part.{i:04d}.parquet")
    return {"shape": (m, m), "range": (0.0, float(m)), "path": str(out)}


class PeakRss:
    """The largest resident memory each of `pids` reaches while it runs,
    sampled every 5 ms from this process (``ru_maxrss`` would include the
    worker's start-up)."""

    def __init__(self, pids):
        import threading

        import psutil

        self.procs = {p: psutil.Process(p) for p in pids}
        self.peak = {p: 0 for p in pids}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self):
        while not self.done.wait(0.005):
            for p, proc in self.procs.items():
                self.peak[p] = max(self.peak[p], proc.memory_info().rss)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()


def child(args) -> None:
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    meta = json.loads((pathlib.Path(args.data) / "meta.json").read_text())
    rows, cols = meta["shape"]
    lo, hi = meta["range"]
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=40)
    client = Client(cluster)
    ddf = dd.read_parquet(meta["path"])
    if args.lib == "forge3d":
        import forge3d.dask

        client.run(lambda: __import__("forge3d.dask"))

        def run():
            hm = forge3d.dask.terrain_from_table(
                ddf, agg=args.agg, shape=(rows, cols), bounds=(lo, lo, hi, hi))
            return np.asarray(hm)
    else:
        import datashader as ds

        client.run(lambda: __import__("datashader"))
        cvs = ds.Canvas(plot_width=cols, plot_height=rows, x_range=(lo, hi), y_range=(lo, hi))
        red = getattr(ds, args.agg)("z")

        def run():
            a = cvs.points(ddf, "x", "y", agg=red)
            # datashader's row 0 is the smallest y; forge3d's is the largest.
            return np.asarray(a.values)[::-1]

    import os

    import psutil

    pids = list(client.run(os.getpid).values())
    run()  # compile (numba) / warm up (first reads, imports on the workers), not timed
    before = {p: psutil.Process(p).memory_info().rss for p in pids}
    wall = []
    with PeakRss(pids) as peak:
        for _ in range(args.reps):
            t = time.perf_counter()
            out = run()
            wall.append(1e3 * (time.perf_counter() - t))
    growth = max(peak.peak[p] - before[p] for p in pids)
    np.save(pathlib.Path(args.data) / f"out_{args.agg}_{args.lib}.npy", np.asarray(out, np.float32))
    client.close()
    cluster.close()
    print(json.dumps({"wall_ms": wall, "worker_peak_mib": growth / 2**20}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=float, default=16e6)
    ap.add_argument("--partitions", type=int, default=16)
    ap.add_argument("--reps", type=int, default=3, help="timed repetitions per child")
    ap.add_argument("--rounds", type=int, default=2, help="alternating child runs per library")
    ap.add_argument("--aggs", default=",".join(AGGS))
    ap.add_argument("--quick", action="store_true", help="1M rows, one round of one repetition")
    ap.add_argument("--json", help="also write the report here")
    ap.add_argument("--lib"), ap.add_argument("--data"), ap.add_argument("--agg")
    args = ap.parse_args()
    if args.lib:
        return child(args)
    if args.quick:
        args.rows, args.reps, args.rounds, args.partitions = 1e6, 1, 1, 4
    report = {"machine": _run.machine(), "date": _run.stamp(),
              "command": "python benches/peers/dask_grid.py " + " ".join(sys.argv[1:]),
              "rows": int(args.rows), "partitions": args.partitions, "workers": 2,
              "results": []}
    with tempfile.TemporaryDirectory() as tmp:
        d = pathlib.Path(tmp)
        meta = make_data(d, int(args.rows), args.partitions)
        (d / "meta.json").write_text(json.dumps(meta))
        for agg in args.aggs.split(","):
            base = [_run.python(), __file__, "--data", tmp, "--agg", agg, "--reps", str(args.reps)]
            res = _run.alternate({lib: base + ["--lib", lib] for lib in LIBS}, args.rounds)
            row = {"agg": agg, "shape": meta["shape"]}
            for lib, runs in res.items():
                row[f"{lib}_wall_ms"] = _run.median([w for r in runs for w in r[0]["wall_ms"]])
                row[f"{lib}_worker_peak_mib"] = max(r[0]["worker_peak_mib"] for r in runs)
            a = np.load(d / f"out_{agg}_forge3d.npy")
            b = np.load(d / f"out_{agg}_datashader.npy")
            same = (a == b) | (np.isnan(a) & np.isnan(b))
            if agg == "mean":
                same |= np.isclose(a, b, rtol=2.0 ** -23, atol=0.0)
            row["equal_cells"] = float(same.mean())
            row["wall_ratio"] = row["datashader_wall_ms"] / row["forge3d_wall_ms"]
            report["results"].append(row)
            print(f"{agg:5} " + "  ".join(
                f"{lib} {row[f'{lib}_wall_ms']:8.1f} ms, worker +{row[f'{lib}_worker_peak_mib']:6.0f} MiB"
                for lib in LIBS) + f"  ratio {row['wall_ratio']:.2f}x", file=sys.stderr, flush=True)
            if row["equal_cells"] != 1.0:
                raise SystemExit(f"dask_grid: forge3d and datashader disagree on {agg}: "
                                 f"{1 - row['equal_cells']:.2e} of the cells differ")
    _run.emit(report, args.json)


if __name__ == "__main__":
    main()
