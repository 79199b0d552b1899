"""Map tiles per second: forge3d.dask.render_tiles on a LocalCluster of 1
and of 2 workers (one thread each), the same DEM and pyramid.

The DEM is a deterministic fractal terrain (sums of octaves of smoothed
noise, float32) saved as .npy and read chunk by chunk through a memmap
(``dask.array.from_array`` in chunks of 2048), as a DEM too large for one
process would be. Each cluster renders the pyramid once untimed (worker
start-up, GPU context, the first renderer), then ``--reps`` timed runs into
fresh folders; the median is reported as tiles/s with the tiles written.

    python benches/tiles.py [--size 8192] [--tile 256] [--levels 0-5]
                            [--workers 1,2] [--shadows] [--reps 3] [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np


def fractal_dem(n: int, seed: int = 7) -> np.ndarray:
    """n x n heights in metres: octaves of bilinearly upsampled noise."""
    rng = np.random.default_rng(seed)
    out = np.zeros((n, n), np.float32)
    amp, cells = 600.0, 4
    while cells <= n:
        coarse = rng.standard_normal((cells + 1, cells + 1)).astype(np.float32)
        t = np.linspace(0, cells, n, dtype=np.float32)
        i = np.minimum(t.astype(np.int64), cells - 1)
        f = t - i
        rows = coarse[i] * (1 - f)[:, None] + coarse[i + 1] * f[:, None]
        out += amp * (rows[:, i] * (1 - f) + rows[:, i + 1] * f)
        amp *= 0.5
        cells *= 2
    return out


class NpyFile:
    """A .npy file as dask.array.from_array reads it: each chunk task opens
    the file as a memmap and slices it; pickles as its path (a memmap
    itself would pickle its whole contents into the graph)."""

    def __init__(self, path: str) -> None:
        self.path = path
        a = np.load(path, mmap_mode="r")
        self.shape, self.dtype, self.ndim = a.shape, a.dtype, a.ndim

    def __getitem__(self, key):
        return np.array(np.load(self.path, mmap_mode="r")[key])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=8192, help="DEM side in cells")
    ap.add_argument("--tile", type=int, default=256)
    ap.add_argument("--levels", default="0-5", help="first-last zoom level")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--shadows", action="store_true", help="cast shadows (wider halos)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="a 1024x1024 DEM, levels 0-2, one rep")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    if args.quick:
        args.size, args.levels, args.reps = 1024, "0-2", 1
    first, last = (int(v) for v in args.levels.split("-"))
    workers = [int(w) for w in args.workers.split(",")]

    import dask.array as da
    from distributed import Client, LocalCluster

    import forge3d
    import forge3d.dask

    tmp = tempfile.mkdtemp(prefix="forge3d-tiles-")
    try:
        path = os.path.join(tmp, "dem.npy")
        np.save(path, fractal_dem(args.size))
        dem = da.from_array(NpyFile(path), chunks=2048)
        kw = dict(zoom_levels=range(first, last + 1), tile_size=args.tile, spacing=10.0,
                  shadows=args.shadows, contours=100.0)
        rows = []
        for w in workers:
            with LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                              dashboard_address=None, silence_logs=40) as cluster, \
                    Client(cluster) as client:
                written = forge3d.dask.render_tiles(dem, out=os.path.join(tmp, "warm"), **kw)["written"]
                times = []
                for k in range(args.reps):
                    out = os.path.join(tmp, f"w{w}-{k}")
                    t0 = time.perf_counter()
                    res = forge3d.dask.render_tiles(dem, out=out, **kw)
                    times.append(time.perf_counter() - t0)
                    assert res["written"] == written
                    shutil.rmtree(out)
                adapter = client.run(lambda: forge3d.device_info()["name"])
            sec = statistics.median(times)
            rows.append({"workers": w, "tiles": written, "seconds": sec, "tiles_per_s": written / sec,
                         "adapter": sorted(set(adapter.values()))})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    base = rows[0]["tiles_per_s"]
    for r in rows:
        r["scaling"] = r["tiles_per_s"] / base
    report = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                   f"Python {platform.python_version()}",
        "adapter": rows[0]["adapter"], "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": "python " + " ".join(sys.argv), "dem": f"{args.size}x{args.size} float32",
        "tile_size": args.tile, "levels": args.levels, "shadows": args.shadows, "results": rows,
    }
    print(f"{report['machine']}; adapter {report['adapter']}; DEM {report['dem']}, "
          f"tiles of {args.tile}, levels {args.levels}, shadows {args.shadows}")
    print("| workers | tiles | seconds | tiles/s | scaling |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['workers']} | {r['tiles']} | {r['seconds']:.2f} | {r['tiles_per_s']:.1f} | {r['scaling']:.2f}x |")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
