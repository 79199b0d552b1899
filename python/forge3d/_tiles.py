"""Shaded-relief map tiles of a DEM held as a dask array (``forge3d.dask.render_tiles``).

The pyramid is on the DEM's own grid. Level ``L`` is the first whose square
of ``tile_size * 2**L`` pixels holds the DEM at one cell per pixel; a level
``z < L`` draws the DEM coarsened by ``f = 2**(L - z)`` (the mean of each
f x f block of cells, holes ignored), still one cell per pixel; a level
``z > L`` draws the full-resolution cells magnified to ``2**(z - L)``
pixels. Tile (x, y) of a level covers the cells ``[y*c, (y+1)*c)`` by
``[x*c, (x+1)*c)`` of that level's grid (``c`` cells per tile side), row 0
north, so pixel centres fall on cell centres and tiles join exactly.

Each level is cut into blocks of whole tiles; ``dask.array.map_overlap``
gives each block a halo of neighbouring cells wide enough for the normals,
the ambient occlusion radius and the longest shadow, the block is uploaded
once as a terrain, and each of its tiles is rendered top-down with the
orthographic camera over exactly that tile's cells
(``Renderer.set_camera_top_down(extent=...)``).
"""

from __future__ import annotations

import json
import math
import os
import warnings
from typing import Any, Iterable

import numpy as np

from ._dem_input import as_dask_array
from ._forge3d import Renderer

_FORMATS = ("png", "webp")
# Cells of halo that the shading itself reads around a cell (normals and the
# smooth interpolation of magnified cells).
_SHADING_HALO = 3
# Pixel centres sit this far (in pixels) east and south of where the grid
# puts them (on cell centres, or between them when magnified), so that no
# centre lies exactly on a triangle's edge: whether such a pixel is drawn
# would otherwise depend on rounding, which differs between the tile's
# camera and another one.
_NUDGE = (1.0 / 64.0, 1.0 / 128.0)
# The widest halo (cells) and the most grid cells a block's terrain draws
# per side (Renderer.set_terrain_detail's limit): a block of at most 4 tiles
# plus its halo on both sides fits.
_MAX_HALO = 1024
_MAX_GRID = 4096
# A Renderer's own lighting defaults (sun intensity, ambient).
_DEFAULT_INTENSITY = 0.75
_DEFAULT_AMBIENT = 0.3


def _extent(a0: int, b0: int, rows: int, cols: int, nrows: int, spacing, magnify: int):
    """World box (left, right, bottom, top) of the cells [a0, a0+rows) x
    [b0, b0+cols) of a terrain of nrows rows, pixel centres nudged."""
    dx, dy = spacing
    ex, ey = _NUDGE[0] * dx / magnify, _NUDGE[1] * dy / magnify
    return (
        (b0 - 0.5) * dx + ex, (b0 + cols - 0.5) * dx + ex,
        (nrows - 1 - (a0 + rows) + 0.5) * dy - ey, (nrows - 1 - a0 + 0.5) * dy - ey,
    )


def _transparent(r: Renderer) -> None:
    r.background = (0, 0, 0, 0)


def _levels(zoom_levels: Any) -> list[int]:
    if isinstance(zoom_levels, (int, np.integer)) and not isinstance(zoom_levels, bool):
        raise TypeError(
            f"zoom_levels must be a sequence of levels, e.g. range(0, {int(zoom_levels) + 1}) "
            f"for levels 0 to {int(zoom_levels)}; got the int {zoom_levels}"
        )
    try:
        levels = list(zoom_levels)
    except TypeError:
        raise TypeError(
            f"zoom_levels must be a sequence of ints (e.g. range(0, 4)), got {type(zoom_levels).__name__}"
        ) from None
    if not levels:
        raise ValueError("zoom_levels must name at least one level, e.g. range(0, 4)")
    out = []
    for z in levels:
        if isinstance(z, bool) or not isinstance(z, (int, np.integer)) or not 0 <= z <= 30:
            raise ValueError(f"zoom_levels must hold ints in 0..30, got {z!r}")
        out.append(int(z))
    if len(set(out)) != len(out):
        raise ValueError(f"zoom_levels must not repeat a level, got {levels}")
    return sorted(out)


def _real(name: str, v: Any, lo: float | None = None, hi: float | None = None, *, open_lo=False) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(v).__name__}")
    v = float(v)
    bad = not math.isfinite(v) or (lo is not None and (v <= lo if open_lo else v < lo)) or (
        hi is not None and v > hi
    )
    if bad:
        rng = f"{'(' if open_lo else '['}{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]"
        raise ValueError(f"{name} must be a finite number in {rng}, got {v}")
    return v


def _pair(name: str, v: Any, what: str) -> tuple[float, float]:
    if isinstance(v, (str, bytes)) or not hasattr(v, "__len__") or len(v) != 2:
        raise TypeError(f"{name} must be ({what}), got {v!r}")
    return (_real(f"{name}[0]", v[0]), _real(f"{name}[1]", v[1]))


def _coarsen_sums(s, n, f: int):
    """Sums and counts of f x f blocks (the arrays padded to multiples of f)."""
    import dask.array as da

    pad = [(0, (-s.shape[k]) % f) for k in range(2)]
    if any(p for _, p in pad):
        s = da.pad(s, pad, mode="constant", constant_values=0.0)
        n = da.pad(n, pad, mode="constant", constant_values=0)
    s = da.coarsen(np.sum, s, {0: f, 1: f})
    n = da.coarsen(np.sum, n, {0: f, 1: f})
    return s, n


def _mean(s, n):
    """Block means in float64, stored as the float32 the GPU takes (the
    blocks and their halos then travel at half the size)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / np.maximum(n, 1), np.nan).astype(np.float32)


def _render_block(block, *, plan, block_info=None):
    """Render the tiles of one block (with its halo); returns the block's
    RGBA pixels, or the count of tile files written (shape (1, 1))."""
    from .dask import _renderer

    i, j = block_info[None]["chunk-location"][:2]
    rows, cols = plan["row_chunks"][i], plan["col_chunks"][j]
    r0, c0 = sum(plan["row_chunks"][:i]), sum(plan["col_chunks"][:j])
    d0, d1 = plan["depth"]
    top = d0 if i > 0 else 0
    left = d1 if j > 0 else 0
    bottom = d0 if i < len(plan["row_chunks"]) - 1 else 0
    right = d1 if j < len(plan["col_chunks"]) - 1 else 0
    if block.shape != (rows + top + bottom, cols + left + right):
        raise RuntimeError(
            f"render_tiles: block {i, j} arrived as {block.shape}, expected "
            f"{(rows + top + bottom, cols + left + right)} (core {rows}x{cols} with halo)"
        )
    m, c, T = plan["magnify"], plan["cells_per_tile"], plan["tile_size"]
    writing = plan["out"] is not None
    pixels = None if writing else np.zeros((rows * m, cols * m, 4), np.uint8)
    written = 0
    heights = np.ascontiguousarray(block, dtype=np.float32)
    finite = np.isfinite(heights)
    if finite.any():
        dx, dy = plan["spacing"]
        r = _renderer(T, T, _transparent, "forge3d.tiles")
        look = plan["look"]
        r.add_terrain(
            heights, spacing=(dx, dy), exaggeration=look["exaggeration"],
            colormap=look["colormap"], height_range=look["height_range"],
        )
        # Seen from straight above, the grid decides only where the edges
        # of holes fall (shading is per pixel): a block with holes draws
        # every cell's edge, one without keeps the default, coarser grid
        # (its geometry is drawn again for each tile).
        if not finite.all():
            r.set_terrain_detail(min(_MAX_GRID, max(heights.shape) - 1))
        # Lighting belongs to the renderer, which this thread keeps
        # between calls: set all of it every time.
        r.set_sun(*look["sun"], intensity=_DEFAULT_INTENSITY)
        r.set_ambient(_DEFAULT_AMBIENT if look["ambient"] is None else look["ambient"])
        r.set_ambient_occlusion(look["ao"], look["ao_radius"])
        if look["shadows"]:
            r.set_shadows(True, softness=look["softness"])
        if look["contours"] is not None:
            r.set_contours(**look["contours"])
        nrows = heights.shape[0]
        for ti in range(rows // c):
            for tj in range(cols // c):
                a0, b0 = top + ti * c, left + tj * c
                if not finite[a0:a0 + c + 1, b0:b0 + c + 1].any():
                    continue
                r.set_camera_top_down(extent=_extent(a0, b0, c, c, nrows, (dx, dy), m))
                frame = r.render()
                if writing:
                    x, y = (c0 // c) + tj, (r0 // c) + ti
                    folder = os.path.join(plan["out"], str(plan["level"]), str(x))
                    os.makedirs(folder, exist_ok=True)
                    path = os.path.join(folder, f"{y}.{plan['format']}")
                    if plan["format"] == "png":
                        frame.to_png(path)
                    else:
                        from PIL import Image

                        Image.fromarray(frame.to_numpy()).save(path, "WEBP", lossless=True)
                    written += 1
                else:
                    pixels[ti * T:(ti + 1) * T, tj * T:(tj + 1) * T] = frame.to_numpy()
    if writing:
        return np.full((1, 1), written, np.int64)
    return pixels


def render_tiles(
    dem: Any,
    *,
    zoom_levels: Iterable[int],
    tile_size: int = 256,
    out: str | os.PathLike[str] | None = None,
    format: str = "png",
    spacing: float | tuple[float, float] | None = None,
    nodata: float | None = None,
    exaggeration: float = 1.0,
    colormap: Any = "terrain",
    height_range: tuple[float, float] | None = None,
    sun: tuple[float, float] = (315.0, 45.0),
    ambient: float | None = None,
    shadows: bool = False,
    shadow_softness: float = 0.5,
    ambient_occlusion: float = 0.6,
    ao_radius: float | None = None,
    contours: float | dict[str, Any] | None = None,
    halo: int | None = None,
    block_tiles: int | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Render a DEM held as a dask array into z/x/y shaded-relief map tiles
    on Dask workers. See ``docs/scale.md``.

    Args:
        dem: a 2-D ``dask.array`` of heights (from zarr, ``rioxarray`` with
            ``chunks=``), a NumPy array, a ``np.memmap`` (read chunk by
            chunk on the workers: the task graph names the file, not its
            contents), or an ``xarray.DataArray`` over either, read as
            ``Heightmap.from_xarray`` reads it (dims in either order,
            north-up, spacing from the coordinates, in metres for
            geographic ones, nodata from ``rio.nodata`` / ``_FillValue``).
            Row 0 is north. NaN, infinite and ``nodata`` cells are holes,
            drawn transparent.
        zoom_levels: the levels to render, e.g. ``range(0, 5)``. Level 0 is
            one tile covering the whole DEM; each level doubles the tiles
            per side, on the DEM's own grid. Levels up to the first that
            holds the DEM at one cell per pixel draw the DEM coarsened (the
            mean of each block of cells, holes ignored); levels past it
            magnify the cells, up to ``tile_size`` pixels per cell.
        tile_size: pixels per tile side, a power of two in 16..2048.
        out: a folder to write ``{z}/{x}/{y}.png`` (or ``.webp``) into, x
            the tile column from the west, y the tile row from the north,
            plus ``tiles.json`` (the levels, their cell sizes and tile
            counts). Tiles holding no data are not written. ``None``: return
            the levels as dask arrays of RGBA instead (lazy).
        format: ``"png"`` (written by forge3d from the frame's memory) or
            ``"webp"`` (lossless, needs Pillow).
        spacing: cell size (dx, dy) or one number, in world units (default:
            the DataArray's coordinate steps, else 1).
        nodata: a height that marks holes, besides NaN.
        exaggeration, colormap, height_range, sun, ambient: as
            ``Renderer.add_terrain``, ``set_sun(azimuth, elevation)`` and
            ``set_ambient``; ``height_range`` defaults to the DEM's own
            minimum and maximum (one pass over it), the same for every tile.
        shadows, shadow_softness: cast shadows (``Renderer.set_shadows``).
        ambient_occlusion, ao_radius: ``Renderer.set_ambient_occlusion``
            (strength; radius in world units, default 32 cells of each
            level).
        contours: an interval (height units) or the keywords of
            ``Renderer.set_contours`` as a dict (``{"interval": 50,
            "major_every": 4}``); ``None`` for none.
        halo: cells of neighbouring data each block is rendered with, at
            most 1024 (below 3 warns: the normals break at block borders).
            Default: enough for the shading, the occlusion radius and, with
            shadows, the longest shadow the DEM's relief casts at the sun's
            elevation (capped at 1024 cells, with a warning).
        block_tiles: tiles per block side (one terrain upload per block);
            default 4 (fewer when the halo makes a block wider than 4096
            cells, more when a block would be narrower than its halo).
        progress: show a progress bar while writing.

    Returns:
        ``{"path", "format", "tile_size", "written", "levels"}``;
        ``levels[z]`` holds ``tiles`` (rows, cols of tiles), ``shape`` (the
        level's grid of cells, padded to whole tiles), ``cell_size`` (dx,
        dy), ``magnify`` (pixels per cell), ``halo`` (cells), ``blocks``,
        ``extent`` (the world box of the whole level when its heights are
        one terrain) and, with ``out``, ``written`` (tile files); without
        ``out``, ``image``: a lazy dask array of shape ``(rows *
        tile_size, cols * tile_size, 4)`` uint8 (nothing is rendered until
        it is computed) and ``path`` is None.

    Runs on the current ``distributed`` client (each worker thread keeps one
    ``Renderer`` of ``tile_size`` pixels), else on Dask's threaded
    scheduler. Pixel centres sit on cell centres, nudged 1/64 pixel east
    and 1/128 south so that none lies exactly on a triangle's edge. The
    stitched tiles of a level equal one render of that level's heights
    (``shape`` cells of ``cell_size``) with
    ``set_camera_top_down(extent=levels[z]["extent"])`` and the same look,
    within the golden-image tolerance.

    Example::

        import rioxarray
        dem = rioxarray.open_rasterio("dem.tif", chunks=4096).squeeze()
        forge3d.dask.render_tiles(dem, zoom_levels=range(0, 7), out="tiles", shadows=True)
    """
    from .dask import _dask

    dask = _dask()
    import dask.array as da

    levels = _levels(zoom_levels)
    if isinstance(tile_size, bool) or not isinstance(tile_size, (int, np.integer)):
        raise TypeError(f"tile_size must be an int, got {type(tile_size).__name__}")
    T = int(tile_size)
    if not 16 <= T <= 2048 or T & (T - 1):
        raise ValueError(f"tile_size must be a power of two in 16..2048, got {T}")
    if not isinstance(format, str) or format.lower() not in _FORMATS:
        raise ValueError(f"format must be one of {_FORMATS}, got {format!r}")
    fmt = format.lower()
    if fmt == "webp":
        try:
            import PIL.Image  # noqa: F401
        except ImportError as e:
            raise ImportError("format='webp' needs Pillow: pip install pillow") from e
    dem, coord_spacing, coord_nodata = as_dask_array(dem)
    if nodata is None:
        nodata = coord_nodata
    if spacing is None:
        spacing = coord_spacing or (1.0, 1.0)
    if isinstance(spacing, (int, float, np.integer, np.floating)) and not isinstance(spacing, bool):
        spacing = (spacing, spacing)
    dx, dy = _pair("spacing", spacing, "dx, dy")
    if dx <= 0 or dy <= 0:
        raise ValueError(f"spacing must be positive, got ({dx}, {dy})")
    exaggeration = _real("exaggeration", exaggeration, 0.0, open_lo=True)
    sun = _pair("sun", sun, "azimuth_deg, elevation_deg")
    if not -90.0 <= sun[1] <= 90.0:
        raise ValueError(f"sun elevation must be in [-90, 90] degrees, got {sun[1]}")
    if ambient is not None:
        ambient = _real("ambient", ambient, 0.0, 1.0)
    if not isinstance(shadows, (bool, np.bool_)):
        raise TypeError(f"shadows must be True or False, got {type(shadows).__name__}")
    softness = _real("shadow_softness", shadow_softness, 0.0, 45.0)
    ao = _real("ambient_occlusion", ambient_occlusion, 0.0, 1.0)
    if ao_radius is not None:
        ao_radius = _real("ao_radius", ao_radius, 0.0, open_lo=True)
    if contours is None or isinstance(contours, dict):
        contour_kw = None if contours is None else dict(contours)
        if contour_kw is not None and "interval" not in contour_kw:
            raise ValueError("contours as a dict needs 'interval', e.g. {'interval': 50}")
    else:
        contour_kw = {"interval": _real("contours", contours, 0.0, open_lo=True)}
    for name, v, lo, hi in (("halo", halo, 0, _MAX_HALO), ("block_tiles", block_tiles, 1, 1 << 20)):
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name} must be an int or None, got {type(v).__name__}")
        if not lo <= v <= hi:
            raise ValueError(f"{name} must be in {lo}..{hi}, got {v}")
    if halo is not None and halo < _SHADING_HALO:
        warnings.warn(
            f"render_tiles: halo={halo} is narrower than the {_SHADING_HALO} cells the shading "
            "reads; normals (and shadows, occlusion) will break at block borders",
            RuntimeWarning, stacklevel=2,
        )
    from ._colormaps import BUILTIN, table

    if not (isinstance(colormap, str) and colormap.removesuffix("_r") in BUILTIN):
        table("colormap", colormap)  # checked here, before any work on the workers
    if contour_kw is not None:
        unknown = set(contour_kw) - {"interval", "major_every", "color", "width_px"}
        if unknown:
            raise ValueError(
                f"contours has unknown keys {sorted(unknown)}; the keys are interval, "
                "major_every, color and width_px (Renderer.set_contours)"
            )
        contour_kw["interval"] = _real("contours['interval']", contour_kw["interval"], 0.0, open_lo=True)

    heights = dem.astype(np.float64)
    # Holes: NaN, +-inf and nodata alike.
    heights = da.where(da.isfinite(heights), heights, np.nan)
    if nodata is not None:
        nodata = _real("nodata", nodata)
        heights = da.where(heights == nodata, np.nan, heights)
    if height_range is None or shadows:
        lo, hi = dask.compute(da.nanmin(heights), da.nanmax(heights))
        lo, hi = float(lo), float(hi)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError("dem holds no finite height outside nodata: nothing to draw")
    if height_range is not None:
        height_range = _pair("height_range", height_range, "min, max")
        if not height_range[0] < height_range[1]:
            raise ValueError(f"height_range must be (min, max) with min < max, got {height_range}")
    else:
        height_range = (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)
    relief = (hi - lo) * exaggeration if shadows else 0.0

    R, C = heights.shape
    L = max(0, math.ceil(math.log2(max(R, C) / T))) if max(R, C) > T else 0
    for z in levels:
        if z > L and (2 ** (z - L)) > T:
            raise ValueError(
                f"zoom level {z} would draw one cell over {2 ** (z - L)} pixels, more than "
                f"tile_size={T}; the deepest level for this DEM is {L + int(math.log2(T))}"
            )
    look = dict(
        exaggeration=exaggeration, colormap=colormap, height_range=height_range, sun=sun,
        ambient=ambient, ao=ao, ao_radius=ao_radius, shadows=bool(shadows), softness=softness,
        contours=contour_kw,
    )
    # Sums and counts of the finest level, coarsened level by level (exact
    # block means, holes ignored).
    finite = da.isfinite(heights)
    sums = {L: (da.where(finite, heights, 0.0), finite.astype(np.int32))}
    for z in range(L - 1, min(levels) - 1, -1):
        sums[z] = _coarsen_sums(*sums[z + 1], 2)

    out_dir = None if out is None else os.fspath(out)
    results, info = {}, {}
    for z in levels:
        if z <= L:
            f, m = 2 ** (L - z), 1
            s, n = sums[z]
            level = da.map_blocks(_mean, s, n, dtype=np.float32)
        else:
            f, m = 1, 2 ** (z - L)
            level = heights.astype(np.float32)
        c = T // m
        cell = (dx * f, dy * f)
        rows, cols = level.shape
        ny, nx = -(-rows // c), -(-cols // c)
        if (ny * c, nx * c) != (rows, cols):
            level = da.pad(
                level, [(0, ny * c - rows), (0, nx * c - cols)], mode="constant",
                constant_values=np.nan,
            )
        if halo is None:
            need = _SHADING_HALO
            if ao > 0:
                radius = ao_radius if ao_radius is not None else 32 * min(cell)
                ao_cells = math.ceil(radius / min(cell)) + 2
                if ao_cells > _MAX_HALO:
                    warnings.warn(
                        f"render_tiles: at level {z} the occlusion radius spans {ao_cells} cells; "
                        f"the halo is capped at {_MAX_HALO} cells, so occlusion is cut at block "
                        "borders (give a smaller ao_radius)", RuntimeWarning, stacklevel=2,
                    )
                need = max(need, min(_MAX_HALO, ao_cells))
            if shadows and relief > 0:
                low = max(math.radians(sun[1]) - 0.5 * math.radians(softness), math.radians(0.5))
                reach = relief / math.tan(low) / min(cell)
                if reach + 2 > _MAX_HALO:
                    warnings.warn(
                        f"render_tiles: at level {z} shadows reach {reach:.0f} cells; the halo is "
                        f"capped at {_MAX_HALO} cells, so longer shadows are cut at block borders "
                        "(raise the sun, or render that level's heights whole)",
                        RuntimeWarning, stacklevel=2,
                    )
                need = max(need, min(_MAX_HALO, math.ceil(reach) + 2))
            h = need
        else:
            h = int(halo)
        most = max(1, (_MAX_GRID - 2 * h) // c)
        k = block_tiles or max(-(-h // c), min(4, most))
        if k > most:
            raise ValueError(
                f"block_tiles={k} with a halo of {h} cells makes blocks of {k * c + 2 * h} cells a "
                f"side, more than {_MAX_GRID}; use block_tiles <= {most}"
            )
        B = k * c
        if B < 2:
            raise ValueError(
                f"at zoom level {z} a block of block_tiles={k} tile is {B} cell a side; a terrain "
                "needs at least 2x2 cells: raise block_tiles"
            )

        def chunks_of(n_cells: int) -> tuple[int, ...]:
            ch = [B] * (n_cells // B)
            if n_cells % B:
                ch.append(n_cells % B)
            if len(ch) > 1 and ch[-1] < h:
                ch[-2] += ch.pop()
            return tuple(ch)

        rc, cc = chunks_of(ny * c), chunks_of(nx * c)
        level = level.rechunk((rc, cc))
        depth = (min(h, *rc) if len(rc) > 1 else 0, min(h, *cc) if len(cc) > 1 else 0)
        if len(rc) > 1 and h > min(rc) or len(cc) > 1 and h > min(cc):
            raise ValueError(f"halo={h} is wider than a block of {B} cells; raise block_tiles")
        plan = dict(
            row_chunks=rc, col_chunks=cc, depth=depth, magnify=m, cells_per_tile=c, tile_size=T,
            out=out_dir, format=fmt, level=z, spacing=cell, look=look,
        )
        if out_dir is None:
            out_chunks = (tuple(x * m for x in rc), tuple(x * m for x in cc), (4,))
        else:
            out_chunks = ((1,) * len(rc), (1,) * len(cc))
        kwargs = dict(
            depth={0: depth[0], 1: depth[1]}, boundary="none", trim=False, allow_rechunk=False,
            dtype=np.uint8 if out_dir is None else np.int64, chunks=out_chunks, plan=plan,
        )
        if out_dir is None:
            kwargs["new_axis"] = [2]
        if depth == (0, 0):
            kwargs = {k: v for k, v in kwargs.items() if k not in ("depth", "boundary", "trim", "allow_rechunk")}
            results[z] = da.map_blocks(_render_block, level, **kwargs)
        else:
            results[z] = da.map_overlap(_render_block, level, **kwargs)
        info[z] = {
            "tiles": (ny, nx), "shape": (ny * c, nx * c), "cell_size": cell, "magnify": m,
            "halo": h, "blocks": (len(rc), len(cc)),
            "extent": _extent(0, 0, ny * c, nx * c, ny * c, cell, m),
        }
    if out_dir is None:
        for z in levels:
            info[z]["image"] = results[z]
        return {"path": None, "format": None, "tile_size": T, "levels": info, "written": 0}
    os.makedirs(out_dir, exist_ok=True)
    sums_ = [results[z].sum() for z in levels]
    if progress:
        from .dask import _client

        client = _client()
        if client is not None:
            from distributed import progress as show

            futures = client.compute(sums_)
            show(futures)
            counts = client.gather(futures)
        else:
            from dask.diagnostics import ProgressBar

            with ProgressBar():
                counts = dask.compute(*sums_)
    else:
        counts = dask.compute(*sums_)
    total = 0
    for z, n in zip(levels, counts):
        info[z]["written"] = int(n)
        total += int(n)
    meta = {
        "format": fmt, "tile_size": T, "rows": R, "cols": C, "spacing": (dx, dy),
        "levels": {str(z): info[z] for z in levels},
        "layout": "{z}/{x}/{y}." + fmt + ": x the tile column from the west, y the row from the north",
    }
    with open(os.path.join(out_dir, "tiles.json"), "w") as fh:
        json.dump(meta, fh, indent=1)
    return {"path": out_dir, "format": fmt, "tile_size": T, "levels": info, "written": total}
