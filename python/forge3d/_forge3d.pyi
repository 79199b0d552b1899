"""Type stubs for the native module forge3d._forge3d."""

import os
from collections.abc import Callable
from typing import Any, Literal, Sequence, TypeAlias, overload

import numpy as np
import numpy.typing as npt

__version__: str

class GpuError(RuntimeError):
    """No GPU adapter, a GPU validation/out-of-memory error, or a lost device."""

class Frame:
    """A rendered RGBA8 image of shape (height, width, 4).

    Its bytes are the mapped readback memory the GPU wrote into, tightly
    packed for any width. ``np.asarray(frame)``, ``memoryview(frame)``,
    ``pa.array(frame)``, ``pl.Series(frame)`` and ``np.from_dlpack(frame)``
    share that memory (no CPU copy); the memory returns to forge3d's pool
    when the last of them is gone.

    Frames pickle over their memory: with protocol 5 and a
    ``buffer_callback`` (Dask, ``multiprocessing`` with protocol 5) the
    pixels travel as an out-of-band ``PickleBuffer`` (no copy); older
    protocols copy them once (``pickle_copy`` in the copy ledger). An
    unpickled frame borrows the buffer it is given (``origin ==
    "borrowed"``; read-only when that buffer is, as after protocol < 5).
    """

    def __reduce_ex__(self, protocol: int, /) -> tuple[Any, tuple[Any, ...]]: ...
    def __sizeof__(self) -> int: ...
    @property
    def width(self) -> int:
        """Width in pixels."""
    @property
    def height(self) -> int:
        """Height in pixels."""
    @property
    def shape(self) -> tuple[int, int, int]:
        """(height, width, 4)"""
    @property
    def nbytes(self) -> int:
        """height * width * 4: the bytes of the image, tightly packed."""
    @property
    def ptr(self) -> int:
        """Address of the first byte (equal to NumPy's data pointer of any view)."""
    @property
    def origin(self) -> str:
        """Where the memory lives: "mapped_readback" for rendered frames."""
    def pixel(self, x: int, y: int) -> tuple[int, int, int, int]:
        """RGBA of column x, row y (row 0 is the top). IndexError outside the frame."""
    def to_numpy(self) -> npt.NDArray[np.uint8]:
        """A (height, width, 4) uint8 view of the frame; ``.base`` is the frame. No copy."""
    def to_png(self, path: str | os.PathLike[str]) -> None:
        """Write a PNG file. OSError (with the path) if it cannot be written,
        ValueError for an empty path or a directory. Recorded in the copy
        ledger as ``png_encode``."""
    def _repr_png_(self) -> bytes: ...
    def __buffer__(self, flags: int, /) -> memoryview: ...
    def __arrow_c_schema__(self) -> object:
        """Arrow schema capsule: an ``arrow.fixed_shape_tensor`` field over this object's memory (dtype and shape as in NumPy)."""
    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]:
        """(schema, array) capsules: one tensor element over this object's memory (no copy)."""
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """Stream capsule of one chunk: this object's memory (no copy)."""
    def __dlpack__(
        self,
        *,
        stream: Any = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[int, int] | None = None,
        copy: bool | None = None,
    ) -> object:
        """DLPack capsule (CPU). ``copy=True`` makes one recorded copy; otherwise none."""
    def __dlpack_device__(self) -> tuple[int, int]:
        """(1, 0): CPU memory."""

class Plane:
    """A float32 plane rendered beside a frame by ``render(outputs=...)``:
    ``depth`` of shape (height, width), the distance from the camera to the
    surface seen at each pixel in world units (for the top-down camera, from
    the image plane), or ``xyz`` of shape (height, width, 3), the world
    position of that surface. NaN where nothing was drawn. Water does not
    write depth, so both see the ground under it.

    Its memory is mapped readback memory the GPU wrote into, like a
    Frame's: ``np.asarray(plane)``, ``plane.to_numpy()``, ``pa.array(plane)``
    and ``np.from_dlpack(plane)`` share it (no CPU copy).
    """

    @property
    def name(self) -> Literal["depth", "xyz"]:
        """"depth" or "xyz"."""
    @property
    def shape(self) -> tuple[int, ...]:
        """(height, width) for depth, (height, width, 3) for xyz."""
    @property
    def dtype(self) -> str:
        """"float32"."""
    @property
    def nbytes(self) -> int:
        """Bytes of the plane."""
    @property
    def ptr(self) -> int:
        """Address of the first byte (equal to NumPy's data pointer of any view)."""
    @property
    def origin(self) -> str:
        """Where the memory lives: "mapped_readback"."""
    def to_numpy(self) -> npt.NDArray[np.float32]:
        """A float32 view of the plane; ``.base`` is the plane. No copy."""
    def __buffer__(self, flags: int, /) -> memoryview: ...
    def __arrow_c_schema__(self) -> object:
        """Arrow schema capsule: an ``arrow.fixed_shape_tensor`` field over this object's memory (dtype and shape as in NumPy)."""
    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]:
        """(schema, array) capsules: one tensor element over this object's memory (no copy)."""
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """Stream capsule of one chunk: this object's memory (no copy)."""
    def __dlpack__(
        self,
        *,
        stream: Any = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[int, int] | None = None,
        copy: bool | None = None,
    ) -> object:
        """DLPack capsule (CPU). ``copy=True`` makes one recorded copy; otherwise none."""
    def __dlpack_device__(self) -> tuple[int, int]:
        """(1, 0): CPU memory."""

class Heightmap:
    """A 2-D float32 height grid with spacing, origin and nodata.

    Args:
        values: 2-D array (rows, cols) of real numbers, or an Arrow column
            (with ``shape``) or ``arrow.fixed_shape_tensor`` (see
            ``forge3d.arrow.heightmap``). float32 C-contiguous
            arrays are borrowed without a copy (read-only if the source is);
            other dtypes (float64, float16, int8..int64, uint8..uint64) and
            non-contiguous or byte-swapped layouts are converted once (recorded
            in the copy ledger). bool, complex, object and string arrays raise
            TypeError.
        spacing: world units between columns and rows, ``(dx, dy)`` or one
            number for both (default (1.0, 1.0)).
        origin: georeferenced (x, y) of the centre of the lower-left cell
            (last row, first column; default (0.0, 0.0)); metadata only:
            rendering places that cell at world (0, 0).
        nodata: sentinel value marking holes (NaN always does).
        copy: NumPy 2 convention: None borrows when possible, False raises
            ValueError if a conversion is needed, True always copies.
        crs: the coordinate reference system of origin (WKT, PROJ or
            "EPSG:<code>" text), kept as metadata.
        crs_spacing: (dx, dy) in the CRS's units when ``spacing`` is in
            other units (a geographic CRS in degrees drawn with spacing in
            metres, as ``open_dem`` does); ``transform``, ``bounds``,
            ``to_world`` and ``look_at_geo`` use it. Default: ``spacing``.

    The values export through the buffer protocol (``np.asarray(hm)``),
    ``__arrow_c_array__`` (``arrow.fixed_shape_tensor``, float32, with
    spacing, origin, nodata and crs in the field metadata) and DLPack, all
    sharing memory. ``forge3d.open_dem`` reads GeoTIFF/COG files and
    ``Heightmap.from_xarray`` DataArrays (see ``forge3d.geo``).

    Heightmaps pickle like Frames (values as an out-of-band
    ``PickleBuffer`` with protocol 5, one recorded ``pickle_copy`` below),
    with spacing, origin, nodata, crs and crs_spacing.

    Example::

        hm = forge3d.Heightmap(dem.astype(np.float32), spacing=30.0, nodata=-9999)
        renderer.add_terrain(hm)
    """

    def __reduce_ex__(self, protocol: int, /) -> tuple[Any, tuple[Any, ...]]: ...
    def __sizeof__(self) -> int: ...

    def __init__(
        self,
        values: npt.ArrayLike,
        spacing: float | tuple[float, float] | None = None,
        origin: float | tuple[float, float] | None = None,
        *,
        nodata: float | None = None,
        shape: tuple[int, int] | None = None,
        copy: bool | None = None,
        crs: str | None = None,
        crs_spacing: float | tuple[float, float] | None = None,
    ) -> None: ...
    @staticmethod
    def from_xarray(da: Any, *, copy: bool | None = None) -> Heightmap:
        """The heightmap of a 2-D ``xarray.DataArray`` (see ``forge3d.geo``)."""
    @property
    def crs(self) -> str | None:
        """The CRS as given (WKT from ``open_dem`` and ``from_xarray``), or None."""
    @property
    def crs_spacing(self) -> tuple[float, float] | None:
        """(dx, dy) in the CRS's units when ``spacing`` is in other units
        (degrees drawn as metres), else None."""
    @property
    def transform(self) -> tuple[float, float, float, float, float, float]:
        """Affine transform (a, b, c, d, e, f) from (col, row) of a cell's
        corner to (x, y): x = a col + c, y = e row + f (north-up, e < 0),
        as rasterio's ``Affine`` (``Affine(*hm.transform)``)."""
    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top): the outer edges of the cells in the CRS."""
    def to_world(self, x: float, y: float, z: float | None = None) -> tuple[float, float, float | None]:
        """World coordinates (as rendered: the lower-left cell at (0, 0)) of
        the point (x, y) given in the heightmap's CRS, in float64; z is kept."""
    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols)"""
    @property
    def spacing(self) -> tuple[float, float]:
        """(dx, dy): world units between columns and between rows."""
    @property
    def origin(self) -> tuple[float, float]:
        """(x, y) of the lower-left cell; metadata (rendering puts that cell at world (0, 0))."""
    @property
    def nodata(self) -> float | None:
        """The value read as a hole, or None."""
    @property
    def dtype(self) -> str:
        """Always "float32"."""
    @property
    def ptr(self) -> int:
        """Address of the first value."""
    @property
    def borrowed(self) -> bool:
        """True when the values are the caller's memory (not copied)."""
    def to_numpy(self) -> npt.NDArray[np.float32]:
        """(rows, cols) float32 view of the values. No copy."""
    def to_table(self) -> Any:
        """Long x, y, z table, one row per cell (row-major, row 0 = north):
        a pyarrow.Table when pyarrow is installed, otherwise an object with
        ``__arrow_c_stream__``. z is the heightmap's memory (no copy), NaN for holes."""
    def __buffer__(self, flags: int, /) -> memoryview: ...
    def __arrow_c_schema__(self) -> object:
        """Arrow schema capsule: an ``arrow.fixed_shape_tensor`` field over this object's memory (dtype and shape as in NumPy)."""
    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]:
        """(schema, array) capsules: one tensor element over this object's memory (no copy)."""
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """Stream capsule of one chunk: this object's memory (no copy)."""
    def __dlpack__(
        self,
        *,
        stream: Any = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[int, int] | None = None,
        copy: bool | None = None,
    ) -> object:
        """DLPack capsule (CPU). ``copy=True`` makes one recorded copy; otherwise none."""
    def __dlpack_device__(self) -> tuple[int, int]:
        """(1, 0): CPU memory."""

class Renderer:
    """An offscreen renderer of a fixed size on the shared GPU context.

    Args:
        width, height: image size in pixels, integers in 1..max_texture_dimension
            (see ``device_info()``). Other types raise TypeError, sizes out of
            range ValueError.
        background: clear color, 3 or 4 integers 0..255 (default (20, 22, 28, 255)).

    What it draws is its scene: an ordered list of layers (a terrain, meshes
    and point sets), drawn by one call, ``render()``, which returns a
    ``Frame``; ``frame.to_numpy()``, ``frame.to_png(path)`` and the Arrow /
    DLPack exports read it without copies. The older ``render_*_rgba`` /
    ``render_*_png`` / ``render_*_frame`` names are aliases.

    Example::

        r = forge3d.Renderer(640, 480)
        r.add_terrain(heights)
        frame = r.render()
        rgba = frame.to_numpy()           # (480, 640, 4) uint8; rgba.base is the Frame
        frame.to_png("terrain.png")
    """

    def __init__(
        self, width: int, height: int, *, background: tuple[int, ...] | None = None
    ) -> None: ...
    @property
    def width(self) -> int:
        """Image width in pixels."""
    @property
    def height(self) -> int:
        """Image height in pixels."""
    @property
    def background(self) -> tuple[int, int, int, int]:
        """Clear color as (r, g, b, a) integers 0..255. Settable (3 or 4 components)."""
    @background.setter
    def background(self, value: tuple[int, ...]) -> None: ...
    @overload
    def render(self, *, outputs: None = None) -> Frame: ...
    @overload
    def render(self, *, outputs: Sequence[Literal["rgba", "depth", "xyz"]]) -> tuple[Frame | Plane, ...]: ...
    def render(self, *, outputs: Sequence[Literal["rgba", "depth", "xyz"]] | None = None) -> Frame | tuple[Frame | Plane, ...]:
        """Render whatever the scene holds (terrain, meshes, points; the
        background alone when empty) with the current camera and lighting;
        returns the Frame, whose memory is the mapped readback buffer (zero
        CPU copies). Pending vertex uploads are copied on the GPU first, in
        one submission. The GIL is released while rendering.

        With ``outputs``, a sequence of names, returns a tuple in that order:
        ``"rgba"`` the Frame, ``"depth"`` and ``"xyz"`` float32 ``Plane``\ s
        unprojected on the GPU from the same render's depth buffer and read
        back like the frame (zero CPU copies)::

            rgba, depth, xyz = r.render(outputs=("rgba", "depth", "xyz"))

        Depth and xyz need 3-D layers (an empty scene gives all NaN).
        Unknown or repeated names raise ValueError."""
    def pick(self, x: int, y: int) -> dict[str, Any] | None:
        """What is under pixel (``x``, ``y``) (column, row; row 0 is the top):
        ``{"x", "y", "z"}`` the world position of the surface seen there,
        ``"distance"`` from the camera, and ``"row"``/``"col"`` the terrain
        cell whose footprint holds (x, y) (None off the terrain; for a mesh
        or point seen above the terrain, the cell beneath it); None where
        nothing is drawn. Renders the scene once (depth and xyz). ValueError
        for a pixel outside the image."""
    @property
    def layers(self) -> list[tuple[int, str]]:
        """(id, kind) of every layer in drawing order; kind is "terrain" or "mesh"."""
    def profile(self, frames: int | None = 10, *, warmup: int | None = 1) -> dict[str, Any]:
        """Render the scene ``warmup`` times untimed, then ``frames`` times timed,
        and return where each frame's time went: medians in milliseconds.
        On the CPU: ``cpu_prepare_ms`` (the layers' uploads and compute passes
        recorded and submitted), ``cpu_record_ms`` (the frame's passes and
        readback copy recorded and submitted), ``cpu_wait_ms`` (until the
        frame is mapped for reading) and ``cpu_total_ms``. On the GPU, where
        the device has timestamps (``gpu_timestamps``): ``gpu_prepare_ms``,
        ``gpu_queue_ms`` (the gap between that submission and the frame's),
        ``gpu_clear_ms`` (the background written by compute, FORGE3D_CLEAR),
        ``gpu_render_ms``, ``gpu_pack_ms`` (widths whose rows need packing),
        ``gpu_copy_ms`` (the frame into readback memory) and ``gpu_total_ms``.
        A step a frame did not run counts 0 in it."""
    def render_triangle_frame(self) -> Frame:
        """Render the test triangle alone (the scene is not drawn); returns the Frame."""
    def render_triangle_rgba(self) -> npt.NDArray[np.uint8]:
        """``render_triangle_frame().to_numpy()``: a (height, width, 4) uint8 C-contiguous,
        writable array whose memory is the Frame's (``arr.base``). Zero CPU copies."""
    def render_triangle_png(self, path: str | os.PathLike[str]) -> None:
        """``render_triangle_frame().to_png(path)``."""
    def add_terrain(
        self,
        heights: npt.ArrayLike | Heightmap,
        spacing: float | tuple[float, float] | None = None,
        exaggeration: float = 1.0,
        *,
        colormap: str | Any = "viridis",
        height_range: tuple[float, float] | None = None,
        nodata: float | None = None,
        shape: tuple[int, int] | None = None,
        copy: bool | None = None,
        norm: Literal["linear", "log"] | None = None,
        levels: Any = None,
    ) -> None:
        """Upload a 2-D height grid as this renderer's terrain (replacing any previous one).

        Args:
            heights: (rows, cols) array, at least 2x2 (larger than the device's
                textures is fine: they are split into tiles of texture layers
                and drawn as one surface; on a CPU adapter no larger than
                the host memory available, MemoryError otherwise), a Heightmap (whose spacing and
                nodata are the defaults; ``forge3d.open_dem`` reads one from
                a GeoTIFF), or a 2-D ``xarray.DataArray`` (read by
                ``Heightmap.from_xarray``). Row 0 is north (top in the
                default and top-down views).
            spacing: world units between columns and rows, (dx, dy) or one
                number (default (1.0, 1.0)); finite and positive.
            exaggeration: vertical scale, finite and positive.
            colormap: viridis, magma, terrain or gray (append _r to reverse;
                no matplotlib needed), any matplotlib colormap by name or
                ``Colormap`` object, or an (N, 3) / (N, 4) array of colours
                (uint8, or floats in [0, 1]) read as N equal bins.
            height_range: (min, max) heights mapped to the colormap ends;
                default: the data's min and max, ignoring holes.
            nodata: sentinel marking holes (e.g. -32768, -9999); NaN always does,
                and so do the masked cells of a ``np.ma`` masked array.
                Holes are not drawn.
            shape: (rows, cols) of a flat Arrow column (pyarrow, Polars,
                pandas, DuckDB, ...); Arrow input is described in forge3d.arrow.
            copy: NumPy 2 convention: None borrows when possible, False raises
                ValueError if a conversion would be needed, True always copies.
            norm, levels: how heights map to the colormap (``"log"``, or bin
                boundaries); see ``set_color_scale``.

        Copies: float32 C-contiguous input is read straight from your memory
        into GPU upload memory (one CPU copy, ``upload`` in the ledger, source
        pointer = ``heights.ctypes.data``). Other dtypes and layouts are first
        converted once (``convert``), then uploaded. Your array is never
        modified. Raises ValueError/TypeError naming the argument for bad
        input (wrong ndim or dtype, +-inf heights, all holes, bad spacing,
        ...); a failed call leaves the previous terrain in place.

        Example::

            r = forge3d.Renderer(1280, 720)
            r.add_terrain(dem, spacing=(30.0, 30.0), exaggeration=2.0, nodata=-32768)
            rgba = r.render_terrain_rgba()
        """
    def add_terrain_from_table(
        self,
        table: Any,
        x: str = "x",
        y: str = "y",
        z: str = "z",
        *,
        resolution: float | tuple[float, float] | None = None,
        shape: tuple[int, int] | None = None,
        bounds: tuple[float, float, float, float] | None = None,
        agg: Literal["mean", "min", "max", "first", "last", "count"] = "mean",
        fill: str | float | None = None,
        threads: int | None = None,
        device: Literal["auto", "cpu", "gpu"] = "auto",
        exaggeration: float = 1.0,
        colormap: str | Any = "viridis",
        height_range: tuple[float, float] | None = None,
        norm: Literal["linear", "log"] | None = None,
        levels: Any = None,
    ) -> dict[str, Any]:
        """Grid the x, y, z points of a table into this renderer's terrain (replacing any previous one).

        Args:
            table, x, y, z, resolution, shape, bounds, agg, fill, threads, device:
                as ``forge3d.arrow.terrain_from_table``, whose grid this is.
            exaggeration, colormap, height_range, norm, levels: as ``add_terrain``.

        Returns ``terrain_from_table``'s info dict (``device`` says where the
        rows were binned).

        Binned on the GPU, the grid stays there: the GPU copies it into the
        height texture, with no readback and no CPU copy of the grid (the
        rows' one copy into upload memory is all the copy ledger holds).
        ``fill="nearest"`` grids with empty cells come back to be filled on
        the CPU, then go up once more. Binned on the CPU, the grid is
        uploaded as ``add_terrain`` uploads heights. The grid's cell size is
        the terrain's spacing, and ``look_at_geo`` takes the table's x, y
        (a grid kept on the GPU gives it heights back one cell at a time). Bad arguments
        raise as ``terrain_from_table`` and ``add_terrain`` do; a failed
        call leaves the previous terrain in place.

        Example::

            r = forge3d.Renderer(1920, 1080)
            info = r.add_terrain_from_table(df, shape=(4000, 4000), bounds=box, agg="max")
            frame = r.render()
        """
    def terrain_info(self) -> dict[str, Any]:
        """spacing, exaggeration, colormap, height_range (in effect), data_range, holes, nodata,
        heights_memory ("texture", or "buffer": a host-mapped storage buffer, the default on
        CPU adapters; FORGE3D_TERRAIN_HEIGHTS chooses), heights_tiles ((bands of rows, column
        tiles) the heights are split into on the GPU: column tiles only when rows are wider
        than the device's textures), relief_cells_per_texel (1, or more when the heights are
        larger than a texture: shadows and occlusion are then computed per block of cells),
        norm, levels, contours
        (interval, major_every, color, width_px), shadows (softness), ambient_occlusion
        (strength, radius), water (level, color, depth_shading), base (depth, color); each
        None when off. relief_passes: (shadow, occlusion) passes computed since each was
        turned on (they run only when the sun or their settings change; turned off, their
        texture is freed). grid: (columns, rows) of grid cells
        drawn (``set_terrain_detail``). Look settings belong to the terrain:
        ``add_terrain`` starts afresh."""
    def set_colormap(self, name: Any) -> None:
        """A colormap as ``add_terrain`` takes it: a built-in or matplotlib name, a
        matplotlib ``Colormap`` or an array of colours; ValueError/TypeError otherwise."""
    def set_contours(
        self,
        interval: float | None,
        *,
        major_every: int = 5,
        color: tuple[float, ...] = (0.0, 0.0, 0.0, 0.6),
        width_px: float = 1.0,
    ) -> None:
        """Contour lines of the terrain every ``interval`` height units (in
        the heights' own units, before exaggeration), drawn in the shader on
        the bilinear height at a constant width of ``width_px`` pixels (in
        (0, 32]), anti-aliased, in oblique and top-down views alike; every
        ``major_every``-th line (0: none) is twice as wide. ``color`` is 3 or
        4 floats in [0, 1], alpha the opacity. ``None`` removes the lines.
        Needs a terrain; on error nothing changes."""
    def set_shadows(self, enabled: bool = True, *, softness: float = 0.5) -> None:
        """Cast shadows of the terrain from the sun (``set_sun``), computed on
        the GPU at the heights' resolution: for each cell the horizon towards
        the sun is searched over the exaggerated heights, and the cell is lit
        where the sun is above it. ``softness`` is the sun's apparent size in
        degrees ([0, 45]; 0: hard edges), over which a shadow's edge fades.
        Recomputed only when the sun or softness changes (new heights make a
        new terrain), inside the next render; drawn by sampling the result
        bilinearly. A pillar of height h on flat ground casts a shadow of
        length h / tan(elevation) away from the sun. Meshes and points do
        not cast shadows. ``set_shadows(False)`` turns them off. Needs a
        terrain; on error nothing changes."""
    def set_ambient_occlusion(self, strength: float = 0.6, radius: float | None = None) -> None:
        """Ambient occlusion of the terrain: how much of the sky each cell
        sees, from the horizon in 16 directions within ``radius`` world units
        (default 32 cells), computed on the GPU at the heights' resolution
        and cached like the shadows. The lighting is scaled by ``1 -
        strength * (1 - open sky)``, so valley floors darken and ridges do
        not. ``strength`` in [0, 1]; 0 turns it off. On by default (strength
        0.6, radius 32 cells): valleys read as carved, which the sun's
        shading alone does not show. It costs one pass over the heights per
        new terrain or radius (milliseconds on a GPU, seconds for a 2048x2048
        DEM on lavapipe); ``set_ambient_occlusion(0)`` skips it. Needs a
        terrain; on error nothing changes."""
    def set_water(
        self,
        level: float | None,
        *,
        color: tuple[float, ...] = (0.16, 0.38, 0.62),
        depth_shading: bool = True,
        opacity: float = 0.85,
        depth_scale: float | None = None,
    ) -> None:
        """A flat water surface at height ``level`` (the heights' units),
        drawn over every part of the terrain below it and blended over the
        ground (``color`` 3 or 4 floats in [0, 1]; ``opacity`` in [0, 1]
        multiplies its alpha). With ``depth_shading`` the water darkens and
        grows more opaque with depth, over ``depth_scale`` height units
        (default: a quarter of the depth from the level to the lowest
        height). No water over holes. With ``set_base`` the walls show the
        water's cross-section. ``None`` removes the water. Needs a terrain;
        ValueError for a level that is not finite; on error nothing
        changes."""
    def set_terrain_detail(self, cells: int | None = None) -> None:
        """How many grid cells per side the terrain's geometry is drawn with
        (at most the heights' own; an int in 1..4096). The default, None,
        is half the image's larger side within 64..1024, which suits a view
        of the whole terrain. Colour, normals, shadows and contours are
        computed per pixel at full resolution either way; the grid decides
        where the edges of holes and of the terrain fall and, in oblique
        views, the silhouettes. Raise it when the camera shows a part of a
        large terrain (``set_camera_top_down(extent=...)`` of a tile: with
        ``cells`` at least the heights' size, every cell's edge is exact).
        ``terrain_info()["grid"]`` tells the grid drawn. Belongs to the
        terrain (``add_terrain`` starts afresh); ValueError/TypeError for
        other values."""
    def set_base(
        self,
        enabled: bool = True,
        *,
        depth: float | None = None,
        color: tuple[float, ...] = (0.42, 0.36, 0.3),
    ) -> None:
        """A solid base: side walls from the terrain's edge down to ``depth``
        height units below its lowest height (default a tenth of the height
        range, at least 1), shaded by the sun, as in a 3-D printed relief.
        Holes get no walls (the walls follow the outer edge only).
        ``set_base(False)`` removes it. Needs a terrain; on error nothing
        changes."""
    def add_overlay(
        self,
        image: Any,
        *,
        extent: tuple[float, float, float, float] | None = None,
        units: Literal["world", "cells", "crs"] = "world",
        opacity: float = 1.0,
        blend: Literal["over", "multiply", "screen"] = "over",
    ) -> int:
        """Drape an image over the terrain; returns the overlay's id.

        ``image`` is (rows, cols, 3) or (rows, cols, 4): uint8 0..255, or
        floats (float16/32/64) in [0, 1]; a NumPy array, anything with the
        buffer protocol, or an Arrow ``fixed_shape_tensor``. C-contiguous
        uint8 RGBA is copied once, from its own memory, into GPU upload
        memory (the copy ledger shows one ``upload``); anything else is
        first converted to RGBA8 (one recorded ``convert``). Any size up to
        the device's texture limit: its mip levels are made on the GPU
        (alpha-weighted means, so transparent pixels do not darken their
        neighbours) and it is sampled trilinearly, so a large orthophoto
        minifies without aliasing.

        Without ``extent`` it covers the whole terrain (the cells'
        footprint). ``extent`` is (left, right, bottom, top) in world units
        as drawn (``units="world"``), in the CRS of a georeferenced terrain
        (``units="crs"``), or (col_start, col_stop, row_start, row_stop) of
        the heights (``units="cells"``, like ``heights[row_start:row_stop,
        col_start:col_stop]``). The image colours the terrain (before
        lighting, under contours): ``"over"`` by its alpha times
        ``opacity``, ``"multiply"`` darkens, ``"screen"`` lightens. Up to 8
        overlays stack in the order added. ValueError/TypeError for the
        wrong ndim, channels or element type, NaN or values outside [0, 1],
        an inverted extent or one wholly outside the terrain; needs a
        terrain; on error nothing changes."""
    def remove_overlay(self, id: int) -> bool:
        """Remove overlay ``id``; False when there was none."""
    @property
    def overlays(self) -> list[dict[str, Any]]:
        """The terrain's overlays in drawing order: dicts of ``id``,
        ``shape`` (rows, cols), ``opacity`` and ``blend``."""
    def set_color_scale(self, norm: Literal["linear", "log"] | None = None, levels: Any = None) -> None:
        """How heights map to the colormap: ``norm="linear"`` (default) or
        ``"log"`` over the height range (which must then be positive; heights
        at or below zero take the low end), or discrete bins between
        ``levels`` (2 to 64 strictly increasing boundaries; bin i, between
        ``levels[i]`` and ``levels[i + 1]``, takes the colour at the middle of
        the colormap's i-th of ``len(levels) - 1`` equal slices; heights
        outside take the end bins). Also keywords of ``add_terrain``; on error
        nothing changes."""
    def set_height_range(self, min: float, max: float) -> None:
        """Heights min..max map to the colormap ends (finite, min < max)."""
    def reset_height_range(self) -> None:
        """Back to the data's own min and max."""
    def set_sun(self, azimuth_deg: float, elevation_deg: float, intensity: float | None = None) -> None:
        """Sun direction: degrees clockwise from north, degrees above the horizon (-90..90)."""
    def set_ambient(self, ambient: float) -> None:
        """Ambient light in [0, 1]. ``set_sun(..., intensity=0)`` with ambient 1 renders unlit colors."""
    def set_camera(
        self,
        eye: tuple[float, float, float],
        target: tuple[float, float, float],
        up: tuple[float, float, float] = (0.0, 0.0, 1.0),
        fovy_deg: float = 45.0,
        znear: float | None = None,
        zfar: float | None = None,
    ) -> None:
        """Perspective look-at camera in world units: x east (columns * dx),
        y north ((rows - 1 - row) * dy), z up (height * exaggeration)."""
    def set_camera_orbit(
        self,
        azimuth_deg: float = 200.0,
        elevation_deg: float = 35.0,
        *,
        distance: float | None = None,
        target: tuple[float, float, float] | None = None,
        fovy_deg: float = 45.0,
        zoom: float = 1.0,
    ) -> None:
        """Perspective camera on a sphere around ``target``, z up: the eye at
        ``target + distance * (sin(az) cos(el), cos(az) cos(el), sin(el))``,
        azimuth in degrees clockwise from north (+y), elevation in degrees
        above the horizon (clamped to [-89, 89]). ``distance=None`` fits the
        scene box into 96 % of the image at each render, divided by ``zoom``;
        ``target=None`` aims at the box, centred in the image. The defaults
        are the automatic view (``reset_camera``). ``forge3d.orbit_view``
        returns the eye and target this camera uses."""
    def look_at_geo(
        self,
        x: float,
        y: float,
        z: float | None = None,
        *,
        azimuth_deg: float = 200.0,
        elevation_deg: float = 35.0,
        distance: float | None = None,
        fovy_deg: float = 45.0,
        zoom: float = 1.0,
    ) -> tuple[float, float, float]:
        """Aims the orbit camera (``set_camera_orbit``) at the point (x, y)
        given in the terrain heightmap's CRS (the terrain must come from a
        Heightmap, ``open_dem``, a DataArray or ``add_terrain_from_table``),
        computed in float64 so that projected coordinates in the millions
        keep their precision. ``z`` (height units) defaults to the nearest
        cell's height (copied back from the GPU, one cell, where the host
        keeps no heights: dask-backed DataArrays, grids kept on the GPU); the world
        target (x, y, z * exaggeration) is returned. A point outside the
        terrain or over a hole needs ``z``."""
    def set_camera_top_down(self, *, extent: tuple[float, float, float, float] | None = None) -> None:
        """Orthographic view straight down, +y (north) up. Without ``extent``
        it frames the whole scene (aspect kept). ``extent`` is (left, right,
        bottom, top) in world units (x east, y north, as ``set_camera``):
        that box is mapped exactly onto the image, its edges on the image's
        edges, so a box of ``width * p`` by ``height * p`` gives square
        pixels of ``p`` world units, and neighbouring boxes render
        neighbouring images that join without a seam (what
        ``forge3d.dask.render_tiles`` does). ValueError for values that are
        not finite or an empty or inverted box; TypeError for anything but 4
        numbers."""
    def reset_camera(self) -> None:
        """The default oblique view that frames the whole terrain."""
    def set_msaa(self, samples: int) -> None:
        """1 (off) or 4 samples per pixel."""
    def render_terrain_frame(self) -> Frame:
        """Alias of ``render()`` that raises RuntimeError before add_terrain."""
    def render_terrain_rgba(self) -> npt.NDArray[np.uint8]:
        """Alias of ``render().to_numpy()`` that raises RuntimeError before add_terrain."""
    def render_terrain_png(self, path: str | os.PathLike[str]) -> None:
        """Alias of ``render().to_png(path)`` that raises RuntimeError before add_terrain."""
    def add_mesh(
        self,
        mesh: Mesh | Points,
        *,
        style: MeshStyle | str | None = None,
        color: tuple[float, ...] | None = None,
        colormap: Any = None,
        scalar_range: tuple[float, float] | None = None,
        size: float | None = None,
    ) -> int:
        """Add a Mesh or Points to the scene; returns its id.

        style: a :class:`MeshStyle` (``MeshStyle.points(size=3)``; then no
        other keyword), or its kind's name with keywords: "surface" (default for Mesh: lit, ``color`` multiplies the
        vertex colors; light gray by default), "wireframe" (1-pixel edges of
        ``color``), "scalars" (lit, colored by ``mesh.set_scalars`` values
        through ``colormap``, normalised by ``scalar_range`` or the values'
        min/max), "points" (default for Points: unlit discs of ``size``
        pixels, default ``points.size``; ``colormap`` colors by scalars).
        ``color`` is 3 or 4 floats in [0, 1]. The scene keeps a reference;
        later ``set_vertices`` calls show in the next render.

        Example: ``rid = r.add_mesh(forge3d.primitives.sphere(), color=(1, .5, 0))``
        """
    def set_mesh_style(
        self,
        id: int,
        *,
        style: MeshStyle | str,
        color: tuple[float, ...] | None = None,
        colormap: Any = None,
        scalar_range: tuple[float, float] | None = None,
        size: float | None = None,
    ) -> None:
        """Change how mesh ``id`` is drawn (a MeshStyle, or keywords as in add_mesh)."""
    def points_raster(self, id: int) -> str | None:
        """How the last frame rasterised mesh ``id``'s points: "compute" or
        "triangles" (None before a frame drew it as points). FORGE3D_POINTS chooses."""
    def remove_mesh(self, id: int) -> bool:
        """Remove mesh ``id`` from the scene; False when there was none."""
    def clear_meshes(self) -> None:
        """Remove every mesh and point set (the terrain stays)."""
    @property
    def mesh_ids(self) -> list[int]:
        """Ids of the scene's meshes in drawing order."""
    def scene_bounds(self) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
        """((xmin, ymin, zmin), (xmax, ymax, zmax)) the default camera frames:
        the union of the layers' bounds: the terrain, and the mesh positions last
        set with a copy or written through write_vertices() (a unit cube when empty)."""
    def render_frame(self) -> Frame:
        """Alias of ``render()``."""
    def render_rgba(self) -> npt.NDArray[np.uint8]:
        """Alias of ``render().to_numpy()``."""
    def render_png(self, path: str | os.PathLike[str]) -> None:
        """Alias of ``render().to_png(path)``."""

class MeshStyle:
    """How a mesh or point set is drawn: made by one of the static methods
    below, checked when made (a bad color, colormap, range or size raises
    there), and given to ``Renderer.add_mesh(mesh, style=...)`` or
    ``set_mesh_style(id, style=...)``. Immutable; equal when all fields are.

    Example: ``r.add_mesh(pts, style=forge3d.MeshStyle.points(size=4, colormap="magma"))``
    """
    @staticmethod
    def surface(color: tuple[float, ...] | None = None) -> MeshStyle:
        """Lit, filled triangles; ``color`` (RGB(A) floats in [0, 1], default
        light gray) multiplies the vertex colors or is the color."""
    @staticmethod
    def wireframe(color: tuple[float, ...] | None = None) -> MeshStyle:
        """Triangle edges as 1-pixel lines of ``color`` (default dark gray)."""
    @staticmethod
    def scalars(colormap: Any = None, scalar_range: tuple[float, float] | None = None) -> MeshStyle:
        """Lit triangles colored by the mesh's scalars through ``colormap``
        (default viridis); ``scalar_range`` (min, max) defaults to the scalars' own."""
    @staticmethod
    def points(
        size: float | None = None,
        color: tuple[float, ...] | None = None,
        colormap: Any = None,
        scalar_range: tuple[float, float] | None = None,
    ) -> MeshStyle:
        """Each vertex a disc of ``size`` pixels (default 2, at most 1024),
        unlit; ``color`` multiplies the vertex colors; ``colormap`` colors by
        scalars instead."""
    @property
    def kind(self) -> Literal["surface", "wireframe", "scalars", "points"]:
        """The style's kind."""
    @property
    def color(self) -> tuple[float, float, float, float] | None:
        """RGBA floats, or None for "scalars"."""
    @property
    def colormap(self) -> str | None:
        """The colormap name, or None when the style has none."""
    @property
    def scalar_range(self) -> tuple[float, float] | None:
        """(min, max) mapped to the colormap's ends; None: the scalars' own."""
    @property
    def size(self) -> float | None:
        """Point diameter in pixels, or None for triangle styles."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class MappedWrite:
    """Context manager returned by ``write_vertices()`` (and ``write_normals``,
    ``write_colors``, ``write_scalars``, ``write_positions``).

    ``with mesh.write_vertices() as v:`` yields a float32 NumPy array of shape
    (N, components) ((N,) for scalars) over mapped GPU upload memory
    (``v.base.origin == "mapped_upload"`` on Vulkan and Metal); write every
    row inside the block (the previous contents are undefined). On leaving
    the block the data becomes the attribute with 0 CPU copies, and ``v``
    turns read-only: writes after the block raise ``ValueError`` instead of
    silently never reaching the GPU. The memory stays valid while ``v``
    lives, so stale views never crash. If the block raises, nothing is
    uploaded. Bounds (for the default camera) are not recomputed from mapped
    writes. On other backends the view is host memory copied once at exit
    (recorded in the ledger).
    """
    def __enter__(self) -> npt.NDArray[np.float32]: ...
    def __exit__(self, exc_type: object = None, _exc: object = None, _tb: object = None) -> bool: ...

class Mesh:
    """A triangle mesh in GPU vertex buffers, one per attribute.

    Attributes and what each setter accepts (NumPy arrays, buffers, or a
    DataFrame / Arrow table of that many numeric columns, e.g.
    ``df[["x", "y", "z"]]``, uploaded column by column and interleaved on
    the GPU):

    - vertices (positions): float32 (N, 3) or flat (3N,)
    - normals: float32 (N, 3); without them faces are shaded flat
    - texcoords: float32 (N, 2)
    - colors: float32 (N, 4) in [0, 1], or uint8 (N, 4) used as unorm (no
      conversion to float; strided uint8 is packed once, recorded)
    - scalars: float32 (N,), drawn through a colormap (style="scalars")
    - indices: uint32 / int32 / int64, (T, 3) or flat, each in 0..N

    Copies: C-contiguous float32 (uint8 for colors) is copied once, straight
    from the caller's memory into GPU upload memory (ledger: one "upload"
    whose source pointer is the array's). Other dtypes or strides are
    converted once first (recorded); ``copy=False`` raises ``ValueError``
    instead. ``copy=True`` is accepted and behaves like ``None`` (an upload
    is always a copy). The GPU copy runs before the next render. Row counts
    must equal ``vertex_count`` (``ValueError`` otherwise; ``resize(n)``
    changes it). Float attributes must be finite: NaN or inf raises
    ``ValueError`` naming the row, and nothing is uploaded. The caller's
    arrays are never modified.

    Example::

        mesh = forge3d.Mesh(verts, indices=tris)
        r.add_mesh(mesh)
        for frame in range(100):
            step(verts)               # the simulation writes verts
            mesh.set_vertices(verts)  # one copy
            r.render_png(f"f{frame:03}.png")
    """
    def __init__(
        self,
        vertices: Any,
        indices: Any = None,
        normals: Any = None,
        colors: Any = None,
        texcoords: Any = None,
        dynamic: bool = True,
        *,
        copy: bool | None = None,
    ) -> None: ...
    @property
    def vertex_count(self) -> int:
        """Vertices (rows); ``len(obj)`` is the same."""
    @property
    def triangle_count(self) -> int:
        """Triangles drawn: index_count / 3, or vertex_count / 3 without indices."""
    @property
    def index_count(self) -> int | None:
        """Indices set with set_indices, or None (vertices drawn in order)."""
    @property
    def dynamic(self) -> bool:
        """False: the setters raise (the mesh is uploaded once)."""
    @property
    def bounds(self) -> tuple[tuple[float, float, float], tuple[float, float, float]] | None:
        """((xmin, ymin, zmin), (xmax, ymax, zmax)) of the positions last set with a copy (None before, or after resize)."""
    @property
    def color_format(self) -> str | None:
        """"float32", "uint8" (read as unorm on the GPU) or None (no colors)."""
    @property
    def attributes(self) -> list[str]:
        """Names of the attributes given so far ("positions", "normals", "texcoords", "colors", "scalars", "indices")."""
    @property
    def scalar_range(self) -> tuple[float, float] | None:
        """(min, max) of the scalars last set with a copy, or None."""
    def __len__(self) -> int: ...
    def set_vertices(self, vertices: Any, *, copy: bool | None = None) -> None:
        """Replaces the positions: (N, 3) float32, one copy (see the class docstring)."""
    def set_normals(self, normals: Any, *, copy: bool | None = None) -> None:
        """Per-vertex normals, float32 (N, 3); without them faces are shaded flat."""
    def set_texcoords(self, texcoords: Any, *, copy: bool | None = None) -> None:
        """Texture coordinates, float32 (N, 2); kept on the GPU for custom use."""
    def set_colors(self, colors: Any, *, copy: bool | None = None) -> None:
        """float32 (N, 4) in [0, 1], or uint8 (N, 4) kept as uint8 on the GPU (unorm)."""
    def set_scalars(self, scalars: Any, *, copy: bool | None = None) -> None:
        """One float32 value per vertex, drawn through a colormap (style "scalars", or "points" with a colormap)."""
    def set_indices(self, indices: Any | None) -> None:
        """Triangles (a multiple of 3 indices, each below vertex_count); None draws vertices in order."""
    def read_vertices(self) -> ExternalArray:
        """The positions as the GPU holds them now: an (N, 3) float32 ExternalArray over readback memory (one GPU copy, no CPU copy)."""
    def read_normals(self) -> ExternalArray:
        """The normals as the GPU holds them: (N, 3) float32 (see ``read_vertices``)."""
    def read_texcoords(self) -> ExternalArray:
        """The texture coordinates: (N, 2) float32 (see ``read_vertices``)."""
    def read_colors(self) -> ExternalArray:
        """The colours: (N, 4) float32, or uint8 when set as uint8 (see ``read_vertices``)."""
    def read_scalars(self) -> ExternalArray:
        """The scalars: (N, 1) float32 (see ``read_vertices``)."""
    def resize(self, n: int) -> None:
        """Changes the vertex count; attributes must be set again (indices are kept if all < n)."""
    def write_vertices(self) -> MappedWrite:
        """Zero-copy write of the positions: ``with obj.write_vertices() as v: v[:] = ...``."""
    def write_normals(self) -> MappedWrite:
        """Zero-copy write of the float32 (N, 3) normals."""
    def write_colors(self) -> MappedWrite:
        """Zero-copy write of float32 (N, 4) colors."""
    def write_scalars(self) -> MappedWrite:
        """Zero-copy write of the (N,) float32 scalars."""

class Points:
    """A point set for particle simulations: positions (N, 3), optional colors
    (float32 (N, 4) or uint8 (N, 4)) and scalars, drawn as discs of ``size``
    pixels. Setters, copies and errors as for :class:`Mesh`.

    Example::

        pts = forge3d.Points(pos, colors=rgba_u8, size=3.0)
        r.add_mesh(pts)
    """
    def __init__(self, positions: Any, colors: Any = None, size: float = 2.0, *, copy: bool | None = None) -> None: ...
    @property
    def size(self) -> float:
        """Diameter in pixels, in (0, 1024]; read when the points are added to a renderer."""
    @size.setter
    def size(self, value: float) -> None: ...
    @property
    def vertex_count(self) -> int:
        """Vertices (rows); ``len(obj)`` is the same."""
    @property
    def bounds(self) -> tuple[tuple[float, float, float], tuple[float, float, float]] | None:
        """((xmin, ymin, zmin), (xmax, ymax, zmax)) of the positions last set with a copy (None before, or after resize)."""
    @property
    def color_format(self) -> str | None:
        """"float32", "uint8" (read as unorm on the GPU) or None (no colors)."""
    @property
    def attributes(self) -> list[str]:
        """Names of the attributes given so far ("positions", "normals", "texcoords", "colors", "scalars", "indices")."""
    @property
    def scalar_range(self) -> tuple[float, float] | None:
        """(min, max) of the scalars last set with a copy, or None."""
    def __len__(self) -> int: ...
    def set_vertices(self, vertices: Any, *, copy: bool | None = None) -> None:
        """Replaces the positions: (N, 3) float32, one copy (see the class docstring)."""
    def set_positions(self, positions: Any, *, copy: bool | None = None) -> None:
        """Same as set_vertices."""
    def set_colors(self, colors: Any, *, copy: bool | None = None) -> None:
        """float32 (N, 4) in [0, 1], or uint8 (N, 4) kept as uint8 on the GPU (unorm)."""
    def set_scalars(self, scalars: Any, *, copy: bool | None = None) -> None:
        """One float32 value per vertex, drawn through a colormap (style "scalars", or "points" with a colormap)."""
    def read_vertices(self) -> ExternalArray:
        """The positions as the GPU holds them now: an (N, 3) float32 ExternalArray over readback memory (one GPU copy, no CPU copy)."""
    def read_normals(self) -> ExternalArray:
        """The normals as the GPU holds them: (N, 3) float32 (see ``read_vertices``)."""
    def read_texcoords(self) -> ExternalArray:
        """The texture coordinates: (N, 2) float32 (see ``read_vertices``)."""
    def read_colors(self) -> ExternalArray:
        """The colours: (N, 4) float32, or uint8 when set as uint8 (see ``read_vertices``)."""
    def read_scalars(self) -> ExternalArray:
        """The scalars: (N, 1) float32 (see ``read_vertices``)."""
    def resize(self, n: int) -> None:
        """Changes the vertex count; attributes must be set again (indices are kept if all < n)."""
    def write_vertices(self) -> MappedWrite:
        """Zero-copy write of the positions: ``with obj.write_vertices() as v: v[:] = ...``."""
    def write_positions(self) -> MappedWrite:
        """Same as write_vertices."""
    def write_colors(self) -> MappedWrite:
        """Zero-copy write of float32 (N, 4) colors."""
    def write_scalars(self) -> MappedWrite:
        """Zero-copy write of the (N,) float32 scalars."""

class ExternalArray:
    """Writable memory forge3d allocated for the caller: Rust-allocated
    (64-byte aligned, ``origin == "rust"``) or mapped GPU upload memory
    (``"mapped_upload"``). ``ExternalBuffer`` is its former name, kept as
    an alias.

    NumPy sees it without a copy (``np.asarray(buf)``; arrays made by
    ``forge3d.interop.external_array`` have it as ``base``), Arrow as an
    ``arrow.fixed_shape_tensor`` (``pa.array(buf)``), DLPack consumers as a
    CPU tensor (``np.from_dlpack(buf)``).
    """
    @property
    def shape(self) -> list[int]:
        """The array's shape."""
    @property
    def dtype(self) -> str:
        """"float32", "uint8", "int32" or "uint32"."""
    @property
    def nbytes(self) -> int:
        """Size in bytes."""
    @property
    def ptr(self) -> int:
        """Address of the first byte."""
    @property
    def origin(self) -> str:
        """"rust" (allocated by forge3d), "mapped_upload" (GPU upload memory) or
        "mapped_readback" (a mesh attribute read back with ``read_vertices`` and the like)."""
    def to_numpy(self) -> npt.NDArray[Any]:
        """A NumPy view of the memory; ``.base`` is this object. No copy."""
    def __buffer__(self, flags: int, /) -> memoryview: ...
    def __arrow_c_schema__(self) -> object:
        """Arrow schema capsule: an ``arrow.fixed_shape_tensor`` field over this object's memory (dtype and shape as in NumPy)."""
    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]:
        """(schema, array) capsules: one tensor element over this object's memory (no copy)."""
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """Stream capsule of one chunk: this object's memory (no copy)."""
    def __dlpack__(
        self,
        *,
        stream: object | None = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[int, int] | None = None,
        copy: bool | None = None,
    ) -> object:
        """DLPack capsule (CPU). ``copy=True`` makes one recorded copy; otherwise none."""
    def __dlpack_device__(self) -> tuple[int, int]:
        """(1, 0): CPU memory."""

def _external_array(shape: list[int], dtype: str = "float32", zero: bool = False) -> npt.NDArray[Any]: ...
def _cube(size: float = 1.0) -> Mesh: ...
def _sphere(radius: float = 1.0, segments: int = 32) -> Mesh: ...
def _plane(size: float = 1.0, resolution: int = 1) -> Mesh: ...
def _copy_to_vertex_buffer(mesh: Mesh | Points, attribute: str, src: Any, *, copy: bool | None = None) -> None: ...

def device_info() -> dict[str, Any]:
    """The adapter forge3d renders on: name, backend, device_type, driver,
    driver_info, vendor, software, max_texture_dimension (FORGE3D_MAX_TEXTURE_SIDE may
    lower it), max_texture_array_layers, max_buffer_size, max_storage_buffer_binding_size,
    tiled_rendering, other_adapters. Raises GpuError when there is none."""


ExternalBuffer: TypeAlias = ExternalArray

class ArrowStream:
    """A record batch exported through ``__arrow_c_stream__`` (Heightmap.to_table without pyarrow)."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def __len__(self) -> int: ...

def _terrain_from_table(
    table: Any,
    x: str,
    y: str,
    z: str,
    *,
    resolution: float | tuple[float, float] | None = None,
    shape: tuple[int, int] | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    agg: str,
    fill: str | float | None = None,
    threads: int | None = None,
    device: str | None = None,
) -> tuple[Heightmap, dict[str, Any]]:
    """See forge3d.arrow.terrain_from_table."""

class _GridPartial:
    """The accumulators of some rows of a table (see `grid::partial`). The
    step that continues or merges them takes them over (no copy when this
    object is their only holder); it is then consumed."""

    @property
    def rows_read(self) -> int:
        """Rows read into this partial (valid or not)."""
    @property
    def nbytes(self) -> int:
        """Bytes of accumulators (0 once consumed)."""
    @property
    def consumed(self) -> bool:
        """True once a later step took the accumulators over."""
    def __sizeof__(self) -> int:
        """The object's size with its accumulators (what Dask's ``sizeof``
        and memory accounting read)."""
    def __reduce_ex__(self, protocol: int, /) -> tuple[Any, tuple[Any, ...]]:
        """Pickles over the accumulators (protocol 5: an out-of-band
        ``PickleBuffer``, no copy; older protocols: one recorded copy)."""

class _PartialBytes:
    """A partial grid's accumulators as bytes, for its pickle's out-of-band
    buffer."""

    @property
    def nbytes(self) -> int:
        """Bytes of accumulators."""
    def __buffer__(self, flags: int, /) -> memoryview: ...
    def __arrow_c_schema__(self) -> object: ...
    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def __dlpack__(
        self,
        *,
        stream: Any = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[int, int] | None = None,
        copy: bool | None = None,
    ) -> object: ...
    def __dlpack_device__(self) -> tuple[int, int]: ...

def _grid_partial_from_pickle(
    data: Any, agg: str, cells: int, rows_read: int, skipped: int, outside: int
) -> _GridPartial: ...
def _grid_check(
    *,
    resolution: float | tuple[float, float] | None = None,
    shape: tuple[int, int] | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    agg: str,
    fill: str | float | None = None,
    threads: int | None = None,
) -> None:
    """Checks the options (before any part is read)."""
def _grid_scan(
    table: Any,
    x: str,
    y: str,
    z: str,
    *,
    resolution: float | tuple[float, float] | None = None,
    shape: tuple[int, int] | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    agg: str,
    threads: int | None = None,
) -> tuple[Any, ...] | None:
    """The extent pass of one part, or None when the options need none."""
def _grid_merge_scans(scans: Sequence[tuple[Any, ...]]) -> tuple[Any, ...]:
    """The extent passes of the parts, merged."""
def _grid_geometry(
    scan: tuple[Any, ...] | None,
    *,
    resolution: float | tuple[float, float] | None = None,
    shape: tuple[int, int] | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    agg: str,
    lattice: bool,
) -> tuple[Any, ...]:
    """The geometry from the merged extent pass (None when none was needed)."""
def _grid_bin(
    prev: _GridPartial | None,
    table: Any,
    x: str,
    y: str,
    z: str,
    geometry: tuple[Any, ...],
    *,
    resolution: float | tuple[float, float] | None = None,
    shape: tuple[int, int] | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    agg: str,
    threads: int | None = None,
) -> _GridPartial | None:
    """One part binned over `geometry`, continuing `prev` (the partial of the
    parts before it, or None): a _GridPartial, or None when a point lies off
    a lattice geometry."""
def _grid_merge(a: _GridPartial, b: _GridPartial) -> _GridPartial:
    """Two partials merged, `a`'s rows first."""
def _grid_finish(
    part: _GridPartial,
    geometry: tuple[Any, ...],
    scan: tuple[Any, ...] | None,
    *,
    resolution: float | tuple[float, float] | None = None,
    shape: tuple[int, int] | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    agg: str,
    fill: str | float | None = None,
) -> tuple[Heightmap, dict[str, Any]]:
    """The heightmap (and info) of the merged partial."""

def synchronize() -> None:
    """Block until all submitted GPU work (uploads included) has finished."""

def copy_totals() -> tuple[int, int]:
    """Process-wide (copies, bytes) recorded by the copy ledger since start."""

def readback_pool_stats() -> dict[str, int | str]:
    """Pool counters.

    Readback: ``created``, ``reused``, ``in_use``, ``pooled``,
    ``pooled_bytes``. Uploads: ``upload_buffers_created``, of which
    ``upload_buffers_host_cached`` are in host-cached memory, and
    ``upload_memory``, the policy from ``FORGE3D_UPLOAD_MEMORY`` (``"auto"``,
    ``"host"`` or ``"driver"``). Uniforms: ``uniform_writes``, the layer
    uniforms frames have written (a layer's is written only when it
    changes, e.g. with the camera), and ``staging_belts``, the staging
    memory they were written through (one per frame prepared at once,
    reused).
    """

def _arrow_heightmap_meta(obj: Any) -> str | None: ...
def _frame_from_pickle(data: Any, height: int, width: int) -> Frame: ...
def _heightmap_from_pickle(
    data: Any,
    rows: int,
    cols: int,
    spacing: tuple[float, float],
    origin: tuple[float, float],
    nodata: float | None,
    crs: str | None,
    crs_spacing: tuple[float, float] | None,
) -> Heightmap: ...
def _ledger_open() -> int: ...
def _ledger_records(start: int) -> list[tuple[str, int, int, str]]: ...
def _ledger_close(start: int) -> None: ...
def _ledger_convert(bytes: int, source_ptr: int, reason: str) -> None: ...
def _ledger_encode(format: str, bytes: int, source_ptr: int, reason: str) -> None: ...
def orbit_view(
    bounds: tuple[tuple[float, float, float], tuple[float, float, float]],
    aspect: float,
    *,
    azimuth_deg: float = 200.0,
    elevation_deg: float = 35.0,
    distance: float | None = None,
    target: tuple[float, float, float] | None = None,
    fovy_deg: float = 45.0,
    zoom: float = 1.0,
) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """The (eye, target) that ``Renderer.set_camera_orbit`` with these
    arguments uses for a scene box ``((xmin, ymin, zmin), (xmax, ymax, zmax))``
    (e.g. ``renderer.scene_bounds()``) in an image of ``aspect`` = width / height."""
def _run_window(
    renderer: Renderer,
    on_frame: Callable[[int, int], bool | None],
    on_input: Callable[[str, tuple[Any, ...], int, int], bool | None],
    *,
    title: str,
    width: int,
    height: int,
    fps: float,
    frames: int | None = None,
) -> int:
    """Opens a window on ``renderer``'s scene and runs it until it is closed;
    returns the frames shown. ``on_frame(width, height)`` runs before each
    frame and ``on_input(kind, data, width, height)`` for each input
    ("drag": (dx, dy, button, shift), "wheel": (notches,), "key": (name,));
    either returning False closes the window, and an exception closes it
    and is raised here. Use ``forge3d.show`` or ``Engine(interactive=True)``."""

def _display_problem() -> str | None:
    """Why no window can open in this process (no display named, or none
    reachable), or None when one can."""
