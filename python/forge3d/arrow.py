"""forge3d and Arrow: heightmaps and frames as Arrow arrays, tables as terrain.

``import forge3d.arrow`` gives one way in and out for NumPy, pandas, Polars,
pyarrow, DuckDB, arro3 and nanoarrow, all through the Arrow PyCapsule
interface (``__arrow_c_array__`` / ``__arrow_c_stream__``):

* :func:`heightmap` and ``Renderer.add_terrain`` accept any Arrow column or
  ``arrow.fixed_shape_tensor``. A single-chunk float32 column without nulls
  is borrowed (no copy); nulls become NaN (holes), chunks are concatenated
  and other numeric types converted, each in one recorded pass.
* ``Frame`` and ``Heightmap`` export ``arrow.fixed_shape_tensor`` arrays over
  their own memory; :func:`to_pyarrow`, :func:`to_polars`, :func:`to_pandas`
  wrap them, and :func:`frames_table` puts many frames in one table with one
  chunk per frame.
* :func:`terrain_from_table` turns x, y, z points (a DEM exported to XYZ, or
  scattered samples) into a ``Heightmap``, in Rust, streaming.

Example::

    import forge3d, forge3d.arrow, polars as pl
    df = pl.read_csv("dem.xyz", separator=" ", has_header=False, new_columns=["x", "y", "z"])
    hm = forge3d.arrow.terrain_from_table(df)
    r = forge3d.Renderer(1280, 720)
    r.add_terrain(hm)
    r.render_terrain_png("dem.png")
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from . import _forge3d
from ._forge3d import Frame, Heightmap

__all__ = [
    "frames_table",
    "heightmap",
    "terrain_from_table",
    "to_pandas",
    "to_polars",
    "to_pyarrow",
    "heightmap_table",
]


def heightmap(
    obj: Any,
    shape: tuple[int, int] | None = None,
    *,
    spacing: float | tuple[float, float] | None = None,
    origin: float | tuple[float, float] | None = None,
    nodata: float | None = None,
    copy: bool | None = None,
) -> Heightmap:
    """A :class:`forge3d.Heightmap` from an Arrow column, tensor or NumPy array.

    Args:
        obj: anything exporting ``__arrow_c_array__`` or ``__arrow_c_stream__``
            (pyarrow Array/ChunkedArray/table column, Polars Series, pandas
            Series, arro3/nanoarrow arrays, DuckDB results), an
            ``arrow.fixed_shape_tensor`` array of one 2-D tensor, or a 2-D
            NumPy array.
        shape: ``(rows, cols)`` for a flat column (row-major); a mismatch
            with the column's length is a ValueError quoting both.
        spacing, origin, nodata: as for :class:`forge3d.Heightmap`.
        copy: None borrows when possible; False raises ValueError when a
            conversion (nulls, chunks, dtype) would be needed; True copies.

    Copies: none for a single-chunk float32 column without nulls (the
    Heightmap's memory is the Arrow buffer); otherwise one ``convert`` record
    in the copy ledger. Strings, lists and other non-numeric types raise
    TypeError.

    Example::

        hm = forge3d.arrow.heightmap(pl.Series(z.ravel()), shape=z.shape)

    A Heightmap's Arrow field (``pa.field(hm)``, and the one-column table of
    :func:`heightmap_table`, which survives Parquet and IPC files) carries
    its spacing, origin, nodata and CRS in the field metadata (key
    ``forge3d.heightmap``); they are read back here, from a one-column
    table or an object exporting that schema, unless given. A bare
    ``pa.array(hm)`` has no field, so none of them.
    """
    meta = _heightmap_meta(obj)
    if _is_table(obj):
        if obj.num_columns != 1:
            raise ValueError(
                f"obj: a table of {obj.num_columns} columns; pass one column, e.g. "
                "forge3d.arrow.heightmap(table.select(['heights']))"
            )
        obj = obj.column(0)
    spacing_from_meta = spacing is None and "spacing" in meta
    if spacing is None:
        spacing = meta.get("spacing")
    if origin is None:
        origin = meta.get("origin")
    if nodata is None:
        nodata = meta.get("nodata")
    return Heightmap(
        obj, spacing, origin, nodata=nodata, shape=shape, copy=copy, crs=meta.get("crs"),
        crs_spacing=meta.get("crs_spacing") if spacing_from_meta else None,
    )


def _is_table(obj: Any) -> bool:
    return hasattr(obj, "schema") and hasattr(obj, "num_columns") and hasattr(obj, "column")


def _heightmap_meta(obj: Any) -> dict[str, Any]:
    """The ``forge3d.heightmap`` field metadata of an Arrow object (or of a
    one-column pyarrow Table's field), or {}."""
    import json

    if _is_table(obj) and obj.num_columns == 1:
        raw = (obj.schema.field(0).metadata or {}).get(b"forge3d.heightmap")
        text = None if raw is None else raw.decode()
    elif hasattr(obj, "__arrow_c_schema__"):
        text = _forge3d._arrow_heightmap_meta(obj)
    else:
        return {}
    if text is None:
        return {}
    try:
        meta = json.loads(text)
    except ValueError as e:
        raise ValueError(f"obj: malformed forge3d.heightmap field metadata ({e})") from None
    if not isinstance(meta, dict):
        raise ValueError("obj: malformed forge3d.heightmap field metadata (not an object)")
    return {k: (tuple(v) if isinstance(v, list) else v) for k, v in meta.items() if v is not None}


def _pyarrow():
    try:
        import pyarrow
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("forge3d.arrow needs pyarrow for this call: pip install pyarrow") from e
    return pyarrow


def to_pyarrow(obj: Frame | Heightmap) -> Any:
    """The frame or heightmap as a ``pyarrow.FixedShapeTensorArray`` of one
    element, sharing memory (no copy). ``.to_numpy_ndarray()`` gives the
    tensor back as NumPy, still without a copy."""
    return _pyarrow().array(obj)


def heightmap_table(hm: Heightmap, name: str = "heights") -> Any:
    """A one-column ``pyarrow.Table`` holding ``hm`` (no copy) whose field
    carries its spacing, origin, nodata and CRS, so that it survives
    Parquet and IPC files: ``forge3d.arrow.heightmap(pq.read_table(path))``
    gives the heightmap back, georeferenced."""
    pa = _pyarrow()
    if not isinstance(hm, Heightmap):
        raise TypeError(f"hm must be a forge3d.Heightmap, got {type(hm).__name__}")
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    field = pa.field(hm).with_name(name)
    return pa.Table.from_arrays([pa.array(hm)], schema=pa.schema([field]))


def to_polars(obj: Frame | Heightmap) -> Any:
    """The frame or heightmap as a Polars Series of one element (an Extension
    of ``Array(dtype, size)``), sharing memory (no copy)."""
    import polars as pl

    return pl.Series(obj)


def to_pandas(obj: Frame | Heightmap) -> Any:
    """The frame or heightmap as a one-element pandas Series with an
    ``ArrowDtype`` (the Arrow array inside shares memory: no copy). pandas has
    no tensor dtype of its own; ``np.asarray(obj)`` is the NumPy route."""
    import pandas as pd

    arr = to_pyarrow(obj)
    return pd.Series(arr, dtype=pd.ArrowDtype(arr.type))


def frames_table(frames: Sequence[Frame] | Iterable[Frame], **columns: Sequence[Any]) -> Any:
    """A ``pyarrow.Table`` with a ``frame`` column holding each frame as one
    chunk (frames are never concatenated or copied) plus metadata columns.

    Args:
        frames: rendered frames, all of the same shape.
        **columns: one value per frame each, e.g. ``index=range(n)``,
            ``azimuth=[...]``; chunked the same way as the frames.

    Example::

        t = forge3d.arrow.frames_table(frames, index=range(len(frames)), azimuth=az)
    """
    pa = _pyarrow()
    frames = list(frames)
    if not frames:
        raise ValueError("frames: pass at least one Frame")
    shapes = {f.shape for f in frames}
    if len(shapes) != 1:
        raise ValueError(f"frames: all frames must have the same shape, got {sorted(shapes)}")
    chunks = [pa.array(f) for f in frames]
    cols = {"frame": pa.chunked_array(chunks, type=chunks[0].type)}
    for name, values in columns.items():
        values = list(values)
        if len(values) != len(frames):
            raise ValueError(f"{name}: {len(values)} values for {len(frames)} frames")
        col = pa.array(values)
        cols[name] = pa.chunked_array([col.slice(i, 1) for i in range(len(values))], type=col.type)
    return pa.table(cols)


def _pandas_numpy_columns(table: Any, names: Sequence[str]) -> Any:
    """The named columns of a pandas DataFrame as a pyarrow Table over the
    same memory, when every one is a NumPy-backed number column; else None.

    pandas' own ``__arrow_c_stream__`` converts the whole frame with
    ``from_pandas`` semantics: every float column is scanned for NaN to
    build a null bitmap, on each of the two passes. Read in place, NaN stays
    NaN, which ``terrain_from_table`` skips exactly as it skips nulls.
    """
    if not type(table).__module__.startswith("pandas") or not hasattr(table, "columns"):
        return None
    if not all(isinstance(n, str) for n in names):
        return None  # the general path names the argument
    try:
        import numpy as np
        import pyarrow as pa
    except ImportError:
        return None
    columns = {}
    for name in dict.fromkeys(names):
        try:
            if name not in table.columns or not table.columns.is_unique:
                return None  # the general path names the problem
        except TypeError:
            return None
        col = table[name]
        if not isinstance(col.dtype, np.dtype) or col.dtype.kind not in "fiu":
            return None  # extension, Arrow-backed, object: pandas' export knows them
        columns[name] = pa.array(col.to_numpy(copy=False))
    return pa.table(columns)


def terrain_from_table(
    table: Any,
    x: str = "x",
    y: str = "y",
    z: str = "z",
    *,
    resolution: float | tuple[float, float] | None = None,
    shape: tuple[int, int] | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    agg: str = "mean",
    fill: str | float | None = None,
    threads: int | None = None,
    device: str = "auto",
    return_info: bool = False,
) -> Heightmap | tuple[Heightmap, dict[str, Any]]:
    """Grid the x, y, z points of a table into a :class:`forge3d.Heightmap`.

    Args:
        table: anything exporting ``__arrow_c_stream__``: pandas or Polars
            DataFrame, pyarrow Table or RecordBatchReader, DuckDB relation.
            Tables are streamed twice (extent, then values), so memory is
            about the output grid plus one record batch; a one-shot
            RecordBatchReader is read once and its batches kept.
        x, y, z: column names; any real number types. Rows with a null or
            NaN x, y or z are skipped (counted in the info).
        resolution: cell size ``(dx, dy)`` (or one number) for binning.
        shape: ``(rows, cols)`` of the output, for binning.
        bounds: ``(xmin, ymin, xmax, ymax)``: the grid covers exactly this
            box (with ``shape``, cells of ``(xmax - xmin) / cols`` by
            ``(ymax - ymin) / rows``; with ``resolution``, the last column
            and row reach past the box when it is not a whole number of
            cells). Both edges are inclusive: a point on ``xmax`` falls into
            the last column. Points outside are dropped and counted
            (``rows_outside``). With ``shape`` or ``resolution`` the table
            is read once instead of twice (no extent pass), and mean keeps
            dense per-cell sums (16 bytes per cell); without, the automatic
            shape counts the points inside the box. No lattice detection:
            points are binned.
        agg: how points in one cell combine: mean, min, max, first, last,
            count.
        fill: what empty cells hold: None (NaN, a hole), "nearest" (the
            nearest filled cell, in grid steps), or a number.
        threads: worker threads. 1: the points are applied straight to the
            grid on the calling thread, the least CPU time per row (for
            many tables gridded at once in separate processes: a process
            pool, Dask workers; the call holds the GIL).
            2 or more: points are sorted into cache-sized buckets that the
            threads apply (more CPU time, less wall time with 3 or more
            cores). None (default): the machine's cores, at most 8, and one
            thread's direct scatter when it has fewer than 3. Results are
            the same either way. With ``device="gpu"``, the threads that
            copy the rows into upload memory.
        device: where the points are binned. ``"gpu"``: the rows are copied
            once into mapped upload memory (x and y as float64, z as
            float32, or float64 for mean), kept on the GPU and binned there
            with atomics; the
            grid comes back as the mapped memory the GPU wrote (no CPU
            copy). Cells are computed in float64 exactly as on the CPU, so
            min, max, first, last and count equal the CPU's cell for cell,
            and mean (summed in 64-bit fixed point, scaled so that the
            largest cell sum keeps 61 bits) equals it within float32
            rounding. Needs a GPU with float64 and 64-bit atomics (Vulkan on
            NVIDIA, AMD, lavapipe; not Metal) and GPU memory for 20 bytes per
            row (24 for mean); at most 4294967294 rows.
            ``"cpu"``: the CPU passes described above. ``"auto"`` (default):
            the GPU when it can and is not a software renderer, and the grid
            has at least 65,536 cells; the CPU otherwise. ``info["device"]``
            says which binned. The extent pass (without ``bounds``) runs on
            the CPU either way.
        return_info: also return a dict with ``lattice``, ``rows_read``,
            ``rows_skipped``, ``rows_outside``, ``empty_cells``, ``shape``,
            ``device`` (``"cpu"`` or ``"gpu"``).

    Without ``resolution`` or ``shape``, points on a regular lattice (a DEM
    exported to XYZ, in any row order) are detected and placed exactly, one
    cell per point; scattered points get about one point per cell. Row 0 of
    the result is the largest y (north); ``origin`` is the lower-left cell.

    Example::

        hm = forge3d.arrow.terrain_from_table(df, resolution=25.0, agg="max", fill="nearest")
    """
    fast = _pandas_numpy_columns(table, (x, y, z))
    hm, info = _forge3d._terrain_from_table(
        table if fast is None else fast, x, y, z, resolution=resolution, shape=shape,
        bounds=bounds, agg=agg, fill=fill, threads=threads, device=device,
    )
    return (hm, info) if return_info else hm
