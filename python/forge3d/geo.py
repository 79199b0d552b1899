"""Real DEMs in: GeoTIFF/COG files through rasterio, and xarray DataArrays.

    import forge3d

    hm = forge3d.open_dem("dem.tif", max_size=4096)   # any GDAL raster
    r = forge3d.Renderer(1280, 720)
    r.add_terrain(hm)                                  # or r.add_terrain(data_array)
    r.look_at_geo(612_345.0, 3_678_901.0)              # a point in the file's CRS
    r.render().to_png("dem.png")

Both readers return a :class:`forge3d.Heightmap` whose rows run north to
south, with ``spacing`` (world units between columns and rows), ``origin``
(the centre of the lower-left cell, in the CRS), ``nodata``/holes and
``crs`` (WKT) set, so ``transform`` and ``bounds`` describe it in the CRS.

Units: a projected CRS keeps its units (usually metres). A geographic CRS
(degrees) has its spacing converted to metres at the DEM's centre latitude
(WGS 84 ellipsoid), so that heights in metres and the ground share a scale;
``units="degrees"`` keeps degrees (then pass ``exaggeration`` to taste).
``origin`` and ``bounds`` stay in the CRS's own units either way.

rasterio is optional: ``pip install forge3d[geo]`` (rasterio, xarray,
rioxarray, dask).
"""

from __future__ import annotations

import math
import os
from typing import Any, Literal

import numpy as np

from . import _forge3d
from ._forge3d import Heightmap

__all__ = ["heightmap_from_xarray", "open_dem", "terrain_from_xarray"]

Units = Literal["metres", "degrees"]


# --------------------------------------------------------------------------
# shared


def _metres_per_degree(lat_deg: float) -> tuple[float, float]:
    """(east, north) metres per degree of longitude and latitude at
    ``lat_deg`` on the WGS 84 ellipsoid (series to the cos 6 term; the
    error is below a millimetre per degree)."""
    p = math.radians(lat_deg)
    north = 111132.92 - 559.82 * math.cos(2 * p) + 1.175 * math.cos(4 * p) - 0.0023 * math.cos(6 * p)
    east = 111412.84 * math.cos(p) - 93.5 * math.cos(3 * p) + 0.118 * math.cos(5 * p)
    return east, north


def _check_units(units: Any) -> Units:
    if units not in ("metres", "degrees"):
        raise ValueError(f"units must be 'metres' or 'degrees', got {units!r}")
    return units


def _spacing_in(
    geographic: bool, dx: float, dy: float, centre_lat: float, units: Units
) -> tuple[float, float]:
    """(dx, dy) in metres for a geographic CRS unless ``units='degrees'``."""
    if not geographic or units == "degrees":
        return dx, dy
    east, north = _metres_per_degree(centre_lat)
    return dx * east, dy * north


def _wkt(crs: Any) -> str | None:
    if crs is None:
        return None
    to_wkt = getattr(crs, "to_wkt", None)
    return to_wkt() if callable(to_wkt) else str(crs)


# --------------------------------------------------------------------------
# GeoTIFF / COG through rasterio


def _rasterio():
    try:
        import rasterio
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "forge3d.open_dem needs rasterio: pip install forge3d[geo] (or pip install rasterio)"
        ) from e
    return rasterio


def open_dem(
    path: str | os.PathLike[str],
    *,
    band: int | None = None,
    max_size: int | None = None,
    window: Any = None,
    bounds: tuple[float, float, float, float] | None = None,
    units: Units = "metres",
) -> Heightmap:
    """Reads one band of a GeoTIFF/COG (any raster GDAL reads) as a Heightmap.

    Args:
        path: the file (or a GDAL path such as ``/vsicurl/...``).
        band: 1-based band number; may be left out for single-band files.
        max_size: the largest number of rows or columns to read; larger
            rasters are read decimated (nearest neighbour), from the file's
            overviews where it has them, so a 40000x40000 COG opens in
            bounded memory and time. The spacing grows accordingly.
        window: pixels to read, ``((row_start, row_stop), (col_start,
            col_stop))`` or a ``rasterio.windows.Window``.
        bounds: ``(left, bottom, right, top)`` in the file's CRS, instead of
            ``window``.
        units: for a geographic CRS, ``"metres"`` (default) converts the
            spacing to metres at the centre latitude; ``"degrees"`` keeps it.

    Returns:
        A Heightmap: values float32 (a float32 band is used as read; other
        types are converted once, recorded), rows north to south, cells
        that are nodata or masked in the file as holes, ``crs`` as WKT.

    Raises:
        OSError: the path does not exist or is not a raster (naming it).
        ValueError: a multiband file without ``band``, a band out of range,
            a rotated or sheared transform, a bad window, bounds or
            max_size, or a raster that is all nodata.
    """
    rasterio = _rasterio()
    from rasterio.windows import Window, from_bounds

    units = _check_units(units)
    if max_size is not None and (isinstance(max_size, bool) or not isinstance(max_size, (int, np.integer)) or max_size < 2):
        raise ValueError(f"max_size must be an integer >= 2 (rows or columns), got {max_size!r}")
    if window is not None and bounds is not None:
        raise ValueError("pass window (pixels) or bounds (CRS coordinates), not both")
    try:
        ds = rasterio.open(path)
    except rasterio.errors.RasterioIOError as e:
        raise OSError(f"path {os.fspath(path)!r}: cannot open as a raster ({e})") from e
    with ds:
        if band is None:
            if ds.count != 1:
                raise ValueError(
                    f"path {os.fspath(path)!r} has {ds.count} bands; pass band=1..{ds.count}"
                )
            band = 1
        if isinstance(band, bool) or not isinstance(band, (int, np.integer)) or not 1 <= band <= ds.count:
            raise ValueError(f"band must be an integer in 1..{ds.count} for {os.fspath(path)!r}, got {band!r}")
        t = ds.transform
        if t.b != 0 or t.d != 0:
            raise ValueError(
                f"path {os.fspath(path)!r} has a rotated or sheared transform {tuple(t)[:6]}; "
                "warp it to a north-up grid first (e.g. gdalwarp or rioxarray's reproject)"
            )
        if bounds is not None:
            try:
                left, bottom, right, top = (float(v) for v in bounds)
            except (TypeError, ValueError):
                raise TypeError(f"bounds must be (left, bottom, right, top), got {bounds!r}") from None
            if not (left < right and bottom < top):
                raise ValueError(f"bounds must have left < right and bottom < top, got {bounds!r}")
            window = from_bounds(left, bottom, right, top, transform=t).round_offsets().round_lengths()
            b = ds.bounds
            if left < b.left or right > b.right or bottom < b.bottom or top > b.top:
                raise ValueError(
                    f"bounds {tuple(bounds)} must lie inside the raster's bounds "
                    f"({b.left}, {b.bottom}, {b.right}, {b.top})"
                )
        if window is None:
            window = Window(0, 0, ds.width, ds.height)
        elif not isinstance(window, Window):
            try:
                (r0, r1), (c0, c1) = window
                window = Window.from_slices((int(r0), int(r1)), (int(c0), int(c1)))
            except (TypeError, ValueError):
                raise TypeError(
                    "window must be ((row_start, row_stop), (col_start, col_stop)) or a "
                    f"rasterio.windows.Window, got {window!r}"
                ) from None
        full = Window(0, 0, ds.width, ds.height)
        inside = (
            window.col_off >= 0
            and window.row_off >= 0
            and window.col_off + window.width <= ds.width
            and window.row_off + window.height <= ds.height
        )
        if window.width < 2 or window.height < 2 or not inside:
            raise ValueError(
                f"window {window} must lie inside the raster ({full.height} rows, "
                f"{full.width} cols) and be at least 2x2"
            )
        rows, cols = int(window.height), int(window.width)
        factor = 1
        if max_size is not None and max(rows, cols) > max_size:
            factor = math.ceil(max(rows, cols) / max_size)
        out_shape = (math.ceil(rows / factor), math.ceil(cols / factor))
        dtype = ds.dtypes[band - 1]
        nodata = ds.nodatavals[band - 1]
        # float32 whose only holes are NaN is used as read (borrowed, no
        # conversion); otherwise nodata and mask cells come as a mask.
        from rasterio.enums import MaskFlags

        nan_holes_only = (
            dtype == "float32"
            and (nodata is None or math.isnan(nodata))
            and all(f in (MaskFlags.all_valid, MaskFlags.nodata) for f in ds.mask_flag_enums[band - 1])
        )
        data = ds.read(band, window=window, out_shape=out_shape, masked=not nan_holes_only)
        # Cell size of what was read (a decimated read spans the same ground).
        dx = abs(t.a) * cols / out_shape[1]
        dy = abs(t.e) * rows / out_shape[0]
        wt = ds.window_transform(window)
        left, top = wt.c, wt.f
        if t.e > 0:  # south-up: row 0 is the south edge
            data = data[::-1]
            top = wt.f + t.e * rows
        if t.a < 0:  # east-to-west columns
            data = data[:, ::-1]
            left = wt.c + t.a * cols
        crs = ds.crs
    centre_lat = top - dy * out_shape[0] / 2
    sx, sy = _spacing_in(bool(crs is not None and crs.is_geographic), dx, dy, centre_lat, units)
    origin = (left + dx / 2, top - dy * (out_shape[0] - 0.5))
    # The CRS's own cell size, where the drawn one is in other units.
    crs_spacing = None if (sx, sy) == (dx, dy) else (dx, dy)
    holes = np.isnan(data) if nan_holes_only else np.ma.getmaskarray(data)
    if holes.all():
        raise ValueError(
            f"path {os.fspath(path)!r}: every cell read is nodata ({nodata}) or masked; "
            "check band, window and the file's nodata value"
        )
    if nan_holes_only:
        values: Any = data
    elif not np.ma.is_masked(data):
        values = data.data  # nothing masked: borrowed (float32) or converted once
    else:
        values = data  # masked cells become holes in one recorded conversion
    return Heightmap(
        values, (sx, sy), origin, nodata=_float_nodata(nodata, dtype), crs=_wkt(crs),
        crs_spacing=crs_spacing,
    )


def _float_nodata(nodata: Any, dtype: str) -> float | None:
    """The nodata value as the float32 heights hold it (None when unset or
    NaN; masked reads already turned those cells into holes)."""
    if nodata is None:
        return None
    v = float(nodata)
    if math.isnan(v) or not math.isfinite(np.float32(v)):
        return None
    return v


# --------------------------------------------------------------------------
# xarray


def _coord_step(da: Any, dim: str) -> tuple[float, bool]:
    """(|step|, ascending) of a regular 1-D coordinate ``dim``."""
    if dim not in da.coords:
        raise ValueError(
            f"da: dimension {dim!r} has no coordinate; give it one (spacing comes from the "
            "coordinate steps) or use forge3d.Heightmap(values, spacing=...)"
        )
    c = np.asarray(da.coords[dim].values, dtype=np.float64)
    if c.ndim != 1 or c.size < 2:
        raise ValueError(f"da: coordinate {dim!r} must be 1-D with at least 2 values")
    d = np.diff(c)
    step = float(np.median(d))
    if step == 0 or not np.all(np.sign(d) == np.sign(step)):
        raise ValueError(
            f"da: coordinate {dim!r} is not monotonic; sort it (da.sortby({dim!r})) or use "
            "forge3d.arrow.terrain_from_table for scattered points"
        )
    if not np.allclose(d, step, rtol=1e-6, atol=0):
        raise ValueError(
            f"da: coordinate {dim!r} is irregular (steps from {d.min()} to {d.max()}); regrid "
            "it, or use forge3d.arrow.terrain_from_table(x, y, z) for irregular points"
        )
    return abs(step), step > 0


Y_NAMES = ("y", "lat", "latitude", "northing", "rlat", "nav_lat")
X_NAMES = ("x", "lon", "longitude", "easting", "rlon", "nav_lon")


def _xy_dims(da: Any) -> tuple[str, str]:
    """(y dim, x dim): rioxarray's when it knows them, else by name or CF
    units (lat/lon, degrees_north/east), else the two dims in order."""
    rio = getattr(da, "rio", None) if _has_rioxarray() else None
    if rio is not None:
        try:
            return rio.y_dim, rio.x_dim
        except Exception:  # noqa: BLE001 - rioxarray raises its own types when unsure
            pass

    def kind(dim: str) -> str | None:
        units = str(da.coords[dim].attrs.get("units", "")) if dim in da.coords else ""
        if dim.lower() in Y_NAMES or units.startswith("degrees_n"):
            return "y"
        if dim.lower() in X_NAMES or units.startswith("degrees_e"):
            return "x"
        return None

    a, b = da.dims
    if (kind(a), kind(b)) == ("x", "y"):
        return b, a
    return a, b


def _looks_geographic(da: Any, ydim: str, xdim: str) -> bool:
    """Latitude/longitude coordinates by CF units or names (no CRS given)."""
    def units(dim: str) -> str:
        return str(da.coords[dim].attrs.get("units", "")).lower() if dim in da.coords else ""

    by_units = units(ydim).startswith("degrees_n") and units(xdim).startswith("degrees_e")
    by_name = ydim.lower() in ("lat", "latitude") and xdim.lower() in ("lon", "longitude")
    return by_units or by_name


def _has_rioxarray() -> bool:
    try:
        import rioxarray  # noqa: F401
    except ImportError:
        return False
    return True


def _nodata_of(da: Any) -> float | None:
    rio = getattr(da, "rio", None) if _has_rioxarray() else None
    candidates = []
    if rio is not None:
        try:
            candidates += [rio.nodata, rio.encoded_nodata]
        except Exception:  # noqa: BLE001
            pass
    for key in ("_FillValue", "nodata", "missing_value"):
        candidates += [da.attrs.get(key), da.encoding.get(key)]
    for v in candidates:
        if v is None:
            continue
        v = float(np.asarray(v).ravel()[0])
        if not math.isnan(v):
            return v
    return None


def _describe(da: Any, units: Units) -> dict[str, Any]:
    """Everything a DataArray says about its grid: the (y, x)-ordered data,
    whether rows/cols must be flipped to run north-up, spacing, origin,
    nodata and CRS."""
    if not (hasattr(da, "dims") and hasattr(da, "coords") and hasattr(da, "attrs")):
        raise TypeError(f"da must be an xarray.DataArray, got {type(da).__name__}")
    if da.ndim != 2:
        raise ValueError(
            f"da must be 2-D (y, x), got dims {da.dims}; select a band or time first, "
            "e.g. da.isel(band=0)"
        )
    units = _check_units(units)
    ydim, xdim = _xy_dims(da)
    if set((ydim, xdim)) != set(da.dims):
        raise ValueError(f"da: cannot tell y and x dims apart in {da.dims}")
    da = da.transpose(ydim, xdim)
    dy, y_up = _coord_step(da, ydim)
    dx, x_up = _coord_step(da, xdim)
    y = np.asarray(da.coords[ydim].values, dtype=np.float64)
    x = np.asarray(da.coords[xdim].values, dtype=np.float64)
    crs = None
    if _has_rioxarray():
        try:
            crs = da.rio.crs
        except Exception:  # noqa: BLE001
            crs = None
    nodata = _nodata_of(da)
    centre_lat = float((y.min() + y.max()) / 2)
    geographic = crs.is_geographic if crs is not None else _looks_geographic(da, ydim, xdim)
    spacing = _spacing_in(geographic, dx, dy, centre_lat, units)
    return {
        "data": da.data,
        "flip_rows": y_up,
        "flip_cols": not x_up,
        "spacing": spacing,
        "crs_spacing": None if spacing == (dx, dy) else (dx, dy),
        "origin": (float(x.min()), float(y.min())),
        "nodata": None if nodata is None or not math.isfinite(np.float32(nodata)) else nodata,
        "crs": _wkt(crs),
    }


def _is_dask(data: Any) -> bool:
    return hasattr(data, "dask") or type(data).__module__.startswith("dask")


def heightmap_from_xarray(da: Any, *, copy: bool | None = None, units: Units = "metres") -> Heightmap:
    """A Heightmap from a 2-D ``xarray.DataArray`` (also ``Heightmap.from_xarray``).

    Spacing comes from the coordinate steps (regular coordinates required),
    orientation from their direction: rows north to south; an ascending y
    (south-up) or descending x coordinate is flipped in one recorded
    conversion. nodata comes from rioxarray's ``rio.nodata`` or the
    ``_FillValue``, ``nodata`` or ``missing_value`` attributes or encoding;
    the CRS from rioxarray when it is installed. A dask-backed DataArray is
    computed chunk by chunk straight into forge3d-owned memory (no full
    intermediate NumPy array; one recorded ``convert``): a Heightmap keeps
    its values on the CPU. ``Renderer.add_terrain(da)`` instead writes a
    dask array's chunks straight into GPU upload memory. ``copy`` as for
    Heightmap (``copy=False`` raises when a flip or conversion is needed).
    """
    d = _describe(da, units)
    data, flip_rows, flip_cols = d["data"], d["flip_rows"], d["flip_cols"]
    if _is_dask(data):
        values = _dask_into_forge3d_memory(data, flip_rows, flip_cols, copy)
    else:
        values = np.asarray(data)
        if flip_rows or flip_cols:
            if copy is False:
                raise ValueError(
                    "da: its coordinates run south-up or east-to-west, so the rows or columns "
                    "must be flipped in a conversion, but copy=False; pass copy=None to allow it"
                )
            values = values[:: -1 if flip_rows else 1, :: -1 if flip_cols else 1]
    return Heightmap(
        values, d["spacing"], d["origin"], nodata=d["nodata"], copy=copy, crs=d["crs"],
        crs_spacing=d["crs_spacing"],
    )


class _DaskTerrain:
    """A dask-backed DataArray as ``Renderer.add_terrain`` takes it: the
    grid's placement, and ``_forge3d_fill``, which computes the chunks of
    rows ``row0 .. row0 + n`` straight into a band of GPU upload memory."""

    def __init__(self, d: dict[str, Any]) -> None:
        data = d["data"]
        data = data[:: -1 if d["flip_rows"] else 1, :: -1 if d["flip_cols"] else 1]
        self._data = data.astype(np.float32)
        self.shape = tuple(int(n) for n in data.shape)
        self.spacing, self.origin, self.nodata = d["spacing"], d["origin"], d["nodata"]
        self.crs_spacing = d["crs_spacing"]
        self.crs = d["crs"]

    def _forge3d_fill(self, row0: int, n: int, pitch: int, view: memoryview) -> None:
        import dask.array as dsa

        cols = self.shape[1]
        band = np.ndarray((n, cols), np.float32, buffer=view, strides=(4 * pitch, 4))
        try:
            dsa.store(self._data[row0 : row0 + n], band, lock=False)
        finally:
            del band


def terrain_from_xarray(da: Any, *, copy: bool | None = None) -> Any:
    """What ``Renderer.add_terrain(da)`` draws: a Heightmap for a NumPy-backed
    DataArray (see :func:`heightmap_from_xarray`), or for a dask-backed one a
    producer whose chunks are computed straight into GPU upload memory, band
    by band (no intermediate array at all; the ledger records the one
    upload)."""
    d = _describe(da, "metres")
    if _is_dask(d["data"]):
        return _DaskTerrain(d)
    return heightmap_from_xarray(da, copy=copy)


def _dask_into_forge3d_memory(data: Any, flip_rows: bool, flip_cols: bool, copy: bool | None) -> Any:
    """Computes a dask array chunk by chunk into a new float32 array owned by
    forge3d (flipped on the way when asked), recording the bytes written."""
    import dask.array as dsa

    if copy is False:
        raise ValueError(
            "da is dask-backed: it must be computed into new memory, but copy=False; pass "
            "copy=None to allow it"
        )
    rows, cols = data.shape
    out = _forge3d._external_array([rows, cols], "float32", False)
    target = out[:: -1 if flip_rows else 1, :: -1 if flip_cols else 1]
    dsa.store(data.astype(np.float32), target, lock=False)
    _forge3d._ledger_convert(
        out.nbytes, 0, f"da: dask chunks computed into forge3d memory ({rows}x{cols} float32)"
    )
    return out
