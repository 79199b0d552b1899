"""forge3d on Dask: tables past one process's memory, frames on many workers.

``import forge3d.dask`` (needs ``dask``; ``distributed`` for a cluster):

* :func:`terrain_from_table` grids the x, y, z rows of a Dask DataFrame
  (``dask.dataframe.read_parquet`` of a lidar point cloud, or any Dask
  DataFrame over pandas or Arrow-backed partitions) into the same
  :class:`forge3d.Heightmap` as :func:`forge3d.arrow.terrain_from_table`
  gives for the same rows, binning each partition in Rust on the workers.
* :func:`map_frames` renders one frame per parameter on the workers, each
  worker keeping its :class:`forge3d.Renderer` between tasks.
* :func:`render_tiles` renders a DEM held as a ``dask.array`` (zarr,
  rioxarray with chunks, a memmap) into a z/x/y pyramid of shaded-relief
  map tiles on the workers, blocks overlapped by halos so that shading,
  shadows and occlusion join without seams.

Frames and heightmaps come back through pickle protocol 5 with out-of-band
buffers: no serialisation copy beyond what the transport makes. See
``docs/scale.md``.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterable, Sequence

from . import _forge3d
from ._forge3d import Frame, Heightmap, Renderer

__all__ = ["map_frames", "render_tiles", "terrain_from_table"]

# What a chain of partitions returns once a row lies off the lattice
# geometry: the grid is planned again as bins.
_OFF_LATTICE = "forge3d.off_lattice"


def _dask():
    try:
        import dask
    except ImportError as e:  # pragma: no cover - dask is a test dependency
        raise ImportError(
            "forge3d.dask needs dask: pip install 'dask[dataframe]' (and distributed for a cluster)"
        ) from e
    return dask


def _client():
    """The current ``distributed`` client, or None."""
    try:
        from distributed import get_client
    except ImportError:
        return None
    try:
        return get_client()
    except ValueError:
        return None


class _Partition:
    """One partition's own task graph (culled to it), read inside the task
    that bins it: the partition is read on the worker that holds the
    accumulators, instead of being read anywhere and sent there. Dask does
    not look inside it, so it stays one argument."""

    def __init__(self, part: Any) -> None:
        self.key = part.key
        self.graph = dict(part.__dask_graph__().cull({part.key}))

    def read(self, names: Sequence[str]) -> Any:
        from dask.local import get_sync

        from .arrow import _pandas_numpy_columns

        part = get_sync(self.graph, self.key)
        fast = _pandas_numpy_columns(part, names)
        return part if fast is None else fast


def _scan(part, x, y, z, opts):
    return _forge3d._grid_scan(part.read((x, y, z)), x, y, z, **opts)


def _bin(prev, part, x, y, z, geometry, opts):
    if isinstance(prev, str):  # an earlier partition was off the lattice
        return prev
    got = _forge3d._grid_bin(prev, part.read((x, y, z)), x, y, z, geometry, **opts)
    return _OFF_LATTICE if got is None else got


def _merge(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return _OFF_LATTICE
    return _forge3d._grid_merge(a, b)


def _finish(part, geometry, scan, opts):
    if isinstance(part, str):
        return part
    return _forge3d._grid_finish(part, geometry, scan, **opts)


def _worker_threads() -> int:
    client = _client()
    if client is not None:
        return max(1, sum(client.nthreads().values()))
    import os

    return max(1, os.cpu_count() or 1)


def terrain_from_table(
    ddf: Any,
    x: str = "x",
    y: str = "y",
    z: str = "z",
    *,
    resolution: float | tuple[float, float] | None = None,
    shape: tuple[int, int] | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    agg: str = "mean",
    fill: str | float | None = None,
    threads: int | None = 1,
    chains: int | None = None,
    return_info: bool = False,
) -> Heightmap | tuple[Heightmap, dict[str, Any]]:
    """Grid the x, y, z rows of a Dask DataFrame into a :class:`forge3d.Heightmap`.

    The arguments are those of :func:`forge3d.arrow.terrain_from_table`
    (``resolution``, ``shape``, ``bounds``, ``agg``, ``fill``,
    ``return_info``), and so is the result: the same grid, cell for cell,
    as the single-process function on the same rows in the same order
    (mean: within float32 rounding, see below).

    How: without ``bounds`` (or with ``bounds`` but neither ``shape`` nor
    ``resolution``) a first pass over the partitions finds the extent (and
    a lattice, as the single-process function does). Then the partitions
    are split into ``chains`` runs of consecutive partitions; along a run,
    each partition is read and binned in Rust (the same kernels) into the
    accumulators the partitions before it left, taken over without a copy,
    so memory per worker is about one grid of accumulators (4 bytes per
    cell; 16 for mean) plus one partition. The runs' accumulators are merged in partition
    order (exact for count, min, max, first and last; mean adds the
    float64 sums of the runs, so a cell's mean can differ from the single
    pass by float32 rounding) and finished on a worker. If a lattice
    guessed from the extent turns out wrong, the partitions are binned
    again as bins (as the single-process function does).

    Args:
        ddf: a ``dask.dataframe.DataFrame`` (``dd.read_parquet(...)``,
            ``dd.from_pandas(...)``; pandas or Arrow-backed partitions). Only
            the x, y and z columns are read.
        x, y, z: column names.
        threads: threads per partition task: 1 (default) applies points
            straight to the grid, the least CPU time (Dask runs many tasks
            at once); None uses the worker's cores, at most 8.
        chains: runs of partitions binned in parallel; default: the
            cluster's worker threads (or this machine's cores without a
            ``distributed`` client), at most the number of partitions.

    The computation runs on the current ``distributed`` client, else on
    Dask's default scheduler. Errors in the rows (a column that is not a
    number, an infinite height) raise on the caller as they do in the
    single-process function.

    Example::

        import dask.dataframe as dd, forge3d.dask
        from distributed import Client
        client = Client()                         # or Client("scheduler:8786")
        ddf = dd.read_parquet("lidar/*.parquet", columns=["x", "y", "z"])
        hm = forge3d.dask.terrain_from_table(ddf, resolution=1.0, agg="max")
    """
    dask = _dask()
    if not (hasattr(ddf, "to_delayed") and hasattr(ddf, "columns") and hasattr(ddf, "npartitions")):
        raise TypeError(
            f"ddf must be a dask.dataframe.DataFrame, got {type(ddf).__name__}; for a pandas, "
            "Polars or pyarrow table use forge3d.arrow.terrain_from_table, or wrap it with "
            "dask.dataframe.from_pandas(df, npartitions=...)"
        )
    for role, name in (("x", x), ("y", y), ("z", z)):
        if not isinstance(name, str):
            raise TypeError(f"{role} must be a column name (str), got {type(name).__name__}")
        if name not in ddf.columns:
            raise ValueError(
                f"{role}: no column named {name!r}; the DataFrame has {list(ddf.columns)}; pass "
                f"{role}=<column name>"
            )
    if chains is not None and (isinstance(chains, bool) or not isinstance(chains, int) or chains < 1):
        raise ValueError(f"chains must be a positive int or None, got {chains!r}")
    grid = dict(resolution=resolution, shape=shape, bounds=bounds, agg=agg)
    _forge3d._grid_check(**grid, fill=fill, threads=threads)
    delayed = dask.delayed
    parts = [_Partition(p) for p in ddf[list(dict.fromkeys((x, y, z)))].to_delayed()]
    if not parts:
        raise ValueError("ddf has no partitions")
    scan_opts = dict(grid, threads=threads)
    scan = None
    if _forge3d._grid_scan(_empty_table(x, y, z), x, y, z, **scan_opts) is not None:
        scans = [delayed(_scan, pure=True)(p, x, y, z, scan_opts) for p in parts]
        scan = delayed(_forge3d._grid_merge_scans, pure=True)(scans).compute()
    n = min(len(parts), chains or _worker_threads())
    for lattice in (True, False):
        geometry = _forge3d._grid_geometry(scan, **grid, lattice=lattice)
        ends = []
        for i in range(n):
            acc = None
            for p in parts[i * len(parts) // n:(i + 1) * len(parts) // n]:
                acc = delayed(_bin, pure=False)(acc, p, x, y, z, geometry, scan_opts)
            ends.append(acc)
        while len(ends) > 1:
            ends = [
                delayed(_merge, pure=False)(*ends[k:k + 2]) if k + 1 < len(ends) else ends[k]
                for k in range(0, len(ends), 2)
            ]
        out = delayed(_finish, pure=False)(ends[0], geometry, scan, dict(grid, fill=fill)).compute()
        if not isinstance(out, str):
            hm, info = out
            return (hm, info) if return_info else hm
        if not geometry[6]:  # pragma: no cover - bins place every point
            break
    raise RuntimeError("terrain_from_table: binning did not place every point")


def _empty_table(x: str, y: str, z: str) -> Any:
    """A table of no rows, to ask whether the options need an extent pass."""
    import pyarrow as pa

    return pa.table({name: pa.array([], pa.float64()) for name in dict.fromkeys((x, y, z))})


# Renderers kept by each worker process between map_frames tasks, one per
# (thread, size, setup): a renderer is used by one thread at a time.
_RENDERERS: dict[tuple, Renderer] = {}
_RENDERERS_LOCK = threading.Lock()


def _renderer(width: int, height: int, setup: Callable[[Renderer], Any] | None, token: str) -> Renderer:
    key = (threading.get_ident(), width, height, token)
    with _RENDERERS_LOCK:
        r = _RENDERERS.get(key)
    if r is None:
        r = Renderer(width, height)
        if setup is not None:
            setup(r)
        with _RENDERERS_LOCK:
            _RENDERERS[key] = r
    return r


def _render_one(param, fn, setup, width, height, token):
    frame = fn(_renderer(width, height, setup, token), param)
    if not isinstance(frame, Frame):
        raise TypeError(
            f"fn must return the forge3d.Frame of renderer.render(), got {type(frame).__name__}"
        )
    return frame


def map_frames(
    fn: Callable[[Renderer, Any], Frame],
    params: Iterable[Any],
    *,
    width: int,
    height: int,
    setup: Callable[[Renderer], Any] | None = None,
    as_table: bool = False,
    progress: bool = True,
) -> list[Frame] | Any:
    """Render one frame per parameter on Dask workers.

    Each worker thread keeps one :class:`forge3d.Renderer` of ``width`` x
    ``height`` between tasks: ``setup(renderer)`` runs once on it (add the
    terrain, the meshes, the lights), then ``fn(renderer, param)`` runs for
    each parameter it is given (set the camera or the time step) and
    returns ``renderer.render()``. Frames come back through pickle protocol
    5 with out-of-band buffers (no serialisation copy beyond the
    transport's), in the order of ``params``.

    Args:
        fn: ``fn(renderer, param) -> Frame``; a module-level function or a
            picklable callable (``functools.partial``), as Dask needs.
        params: the parameters, one frame each (camera angles, time steps).
        width, height: the frame size.
        setup: ``setup(renderer)``, once per worker renderer.
        as_table: return one pyarrow Table (``forge3d.arrow.frames_table``:
            a ``frame`` column, one chunk per frame, and ``param`` when the
            parameters are Arrow values) instead of a list of Frames.
        progress: show a progress bar (``distributed.progress`` on a
            cluster, ``dask.diagnostics.ProgressBar`` otherwise).

    Runs on the current ``distributed`` client (a worker that dies mid-batch
    has its tasks rerun elsewhere), else on Dask's threaded scheduler.

    Example::

        def setup(r):
            r.add_terrain(forge3d.open_dem("dem.tif"))
        def view(r, azimuth):
            r.set_camera_orbit(azimuth_deg=azimuth)
            return r.render()
        frames = forge3d.dask.map_frames(view, range(0, 360, 10), width=1280, height=720, setup=setup)
    """
    dask = _dask()
    if not callable(fn):
        raise TypeError(f"fn must be callable as fn(renderer, param), got {type(fn).__name__}")
    if setup is not None and not callable(setup):
        raise TypeError(f"setup must be callable as setup(renderer) or None, got {type(setup).__name__}")
    for name, v in (("width", width), ("height", height)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    params = list(params)
    token = dask.base.tokenize(fn, setup, width, height)
    client = _client()
    if client is not None:
        futures = client.map(
            _render_one, params, fn=fn, setup=setup, width=width, height=height, token=token,
            pure=False,
        )
        if progress and futures:
            from distributed import progress as show

            show(futures)
        frames = client.gather(futures)
    else:
        tasks = [
            dask.delayed(_render_one, pure=False)(p, fn, setup, width, height, token) for p in params
        ]
        if progress and tasks:
            from dask.diagnostics import ProgressBar

            with ProgressBar():
                frames = list(dask.compute(*tasks, scheduler="threads"))
        else:
            frames = list(dask.compute(*tasks, scheduler="threads"))
    if not as_table:
        return frames
    from .arrow import frames_table

    try:
        import pyarrow as pa

        pa.array(params)
        return frames_table(frames, param=params)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return frames_table(frames)


from ._tiles import render_tiles  # noqa: E402
