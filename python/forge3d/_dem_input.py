"""A DEM given as a dask array, a NumPy array, a memmap or an xarray.DataArray,
read as a 2-D dask array of heights, row 0 north (for ``forge3d.dask``)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np


class _MemmapChunks:
    """A NumPy memmap as dask.array.from_array reads it: each chunk task maps
    the file again and slices it, and the object pickles as the file's name,
    offset, dtype and shape (a memmap itself pickles its whole contents into
    the task graph)."""

    def __init__(self, m: np.memmap) -> None:
        self.filename, self.offset = os.fspath(m.filename), int(m.offset)
        self.shape, self.dtype, self.ndim = m.shape, m.dtype, m.ndim
        self.order = "F" if (m.flags.f_contiguous and not m.flags.c_contiguous) else "C"

    def __getitem__(self, key):
        m = np.memmap(self.filename, dtype=self.dtype, mode="r", offset=self.offset,
                      shape=self.shape, order=self.order)
        return np.array(m[key])


def as_dask_array(dem: Any):
    """(dask array, (dx, dy) from a DataArray's coordinates or None, its nodata or None)."""
    import dask.array as da

    coord_spacing, coord_nodata = None, None
    if hasattr(dem, "dims") and hasattr(dem, "coords") and hasattr(dem, "attrs"):
        # An xarray.DataArray: its dims, coordinates and nodata as
        # Heightmap.from_xarray reads them (y, x order, north-up, spacing in
        # metres for geographic coordinates, rio.nodata / _FillValue).
        from .geo import _describe

        try:
            d = _describe(dem, "metres")
        except (TypeError, ValueError) as e:
            raise type(e)(f"dem: {e}") from None
        data = d["data"]
        if not isinstance(data, da.Array):
            data = da.from_array(np.asarray(data), chunks="auto")
        if d["flip_rows"]:
            data = data[::-1, :]
        if d["flip_cols"]:
            data = data[:, ::-1]
        dem, coord_spacing, coord_nodata = data, tuple(d["spacing"]), d["nodata"]
    if not isinstance(dem, da.Array):
        if not hasattr(dem, "shape") or not hasattr(dem, "dtype"):
            raise TypeError(
                "dem must be a dask.array (or a NumPy array, memmap or xarray.DataArray), "
                f"got {type(dem).__name__}"
            )
        if isinstance(dem, np.memmap) and getattr(dem, "filename", None) and dem.ndim == 2 and (
            dem.flags.c_contiguous or dem.flags.f_contiguous
        ):
            dem = da.from_array(_MemmapChunks(dem), chunks="auto", meta=np.empty((0, 0), dem.dtype))
        else:
            dem = da.from_array(dem, chunks="auto")
    if dem.ndim != 2:
        raise ValueError(f"dem must be 2-D (rows, cols), got shape {dem.shape}")
    if not (np.issubdtype(dem.dtype, np.floating) or np.issubdtype(dem.dtype, np.integer)):
        raise TypeError(f"dem must hold integer or floating heights, got dtype {dem.dtype}")
    if min(dem.shape) < 2:
        raise ValueError(f"dem must be at least 2x2 cells, got shape {dem.shape}")
    return dem, coord_spacing, coord_nodata
