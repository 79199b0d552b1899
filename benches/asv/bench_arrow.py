"""asv benchmarks for forge3d.arrow (targets in docs/benchmarks.md).
Run: asv run --python=same [--quick]."""

import sys
import time

import numpy as np

import forge3d
import forge3d.arrow as fa

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import _measure  # noqa: E402


def lattice_frame(n):
    """A long x, y, z pandas DataFrame of an n x n lattice, rows shuffled."""
    import pandas as pd

    yy, xx = np.mgrid[0:n, 0:n]
    z = (np.sin(xx / 50.0) * np.cos(yy / 70.0) * 100).astype(np.float32)
    order = np.random.default_rng(0).permutation(n * n)
    return pd.DataFrame({"x": (xx.ravel() * 30.0)[order], "y": (yy.ravel() * 30.0)[order], "z": z.ravel()[order]})


class TerrainFromTable:
    """16M-row regular lattice: forge3d vs DataFrame.pivot (target >= 10x)."""

    params = [4096]
    param_names = ["side"]
    timeout = 900
    number = 1
    repeat = (1, 3, 120.0)

    def setup(self, side):
        self.df = lattice_frame(side)
        self.r = forge3d.Renderer(512, 512)

    def time_terrain_from_table(self, side):
        fa.terrain_from_table(self.df)

    def time_add_terrain_from_table(self, side):
        """Rows to the renderer's terrain (kept on the GPU when binned there)."""
        self.r.add_terrain_from_table(self.df)

    def time_pandas_pivot(self, side):
        self.df.pivot(index="y", columns="x", values="z")

    def track_speedup_over_pandas_pivot(self, side):
        t = time.perf_counter()
        self.df.pivot(index="y", columns="x", values="z")
        pivot = time.perf_counter() - t
        t = time.perf_counter()
        fa.terrain_from_table(self.df)
        ours = time.perf_counter() - t
        return pivot / ours

    track_speedup_over_pandas_pivot.unit = "x"

    def track_peak_memory_over_grid(self, side):
        """Peak RSS growth / grid bytes, in a fresh process (target: about
        1, the grid plus one record batch)."""
        return _measure.table_peak_memory_ratio(side)

    track_peak_memory_over_grid.unit = "x"


class HeightmapInterop:
    """Import/export of a heightmap in constant time (4096^2 within 2x of 64^2)."""

    params = [64, 4096]
    param_names = ["side"]

    def setup(self, side):
        import pyarrow as pa
        import polars as pl

        self.pa, self.pl = pa, pl
        self.values = np.ones((side, side), np.float32)
        self.hm = forge3d.Heightmap(self.values)
        self.col = pa.array(self.values.ravel())
        self.series = pl.Series(self.values.ravel())

    def time_import_pyarrow(self, side):
        fa.heightmap(self.col, shape=(side, side))

    def time_import_polars(self, side):
        fa.heightmap(self.series, shape=(side, side))

    def time_import_numpy(self, side):
        forge3d.Heightmap(self.values)

    def time_export_pyarrow(self, side):
        self.pa.array(self.hm)

    def time_export_polars(self, side):
        self.pl.Series(self.hm)

    def time_export_numpy(self, side):
        np.asarray(self.hm)
