"""A headless frame loop: views, observers, an orbit camera and recording.

:class:`Engine` owns one :class:`forge3d.Renderer`. You add *views* (how a
mesh or point set is drawn) and *observers* (objects whose ``update(dt)``
runs once per frame, in ``sort`` order), then tick a fixed number of frames
at a fixed time step with :meth:`Engine.start`. Every rendered frame is a
:class:`forge3d.Frame` (the GPU's readback memory itself, no CPU copy) that
reaches your callback and, while :meth:`Engine.record` is active, a PNG
sequence or an MP4 file.

Example::

    import numpy as np
    import forge3d, forge3d.primitives as prim
    from forge3d.engine import Engine, MeshSurfaceView, Observer

    class Spin(Observer):
        def update(self, dt):
            self.engine.camera.orbit(90.0 * dt, 0.0)   # 90 degrees a second

    eng = Engine("demo", width=320, height=240, fps=30)
    eng.add_view(MeshSurfaceView(prim.sphere(1.0, 48), color=(0.9, 0.4, 0.2)))
    eng.add_observer(Spin())
    with eng.record("frames/"):        # frames/frame_00000.png ...
        eng.start(frames=30)
    eng.screenshot("last.png")

Nothing here opens a window: ``Engine(..., interactive=True)`` raises
:class:`NotImplementedError`.
"""

from __future__ import annotations

import math
import os
import time as _time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, Self, runtime_checkable

import numpy as np

from ._forge3d import Frame, Mesh, Points, Renderer

__all__ = [
    "Camera",
    "Engine",
    "MeshSurfaceView",
    "MeshWireframeView",
    "Observer",
    "OrbitCamera",
    "PointsView",
    "Recorder",
    "ScalarFieldView",
    "TopDownCamera",
    "View",
]

Color = Sequence[float]
Vec3 = tuple[float, float, float]
FrameCallback = Callable[[Frame, int], Any]

#: File suffixes :meth:`Engine.record` writes as a video (through imageio-ffmpeg).
VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi", ".webm")
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".gif")


# --------------------------------------------------------------------------
# argument checks


def _check_int(name: str, value: Any, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value}")
    return v


def _check_positive(name: str, value: Any) -> float:
    v = _check_real(name, value)
    if v <= 0.0:
        raise ValueError(f"{name} must be positive, got {value}")
    return v


def _check_vec3(name: str, value: Any) -> Vec3:
    try:
        items = [float(v) for v in value]
    except TypeError:
        raise TypeError(f"{name} must be 3 numbers (x, y, z), got {value!r}") from None
    except ValueError:
        raise ValueError(f"{name} must be 3 numbers (x, y, z), got {value!r}") from None
    if len(items) != 3:
        raise ValueError(f"{name} must have 3 components (x, y, z), got {len(items)}")
    if not all(math.isfinite(v) for v in items):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return (items[0], items[1], items[2])


def _check_color(name: str, value: Any) -> tuple[float, ...] | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be 3 or 4 floats in [0, 1], got {value!r}")
    try:
        items = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be 3 or 4 floats in [0, 1], got {value!r}") from None
    if len(items) not in (3, 4):
        raise ValueError(f"{name} must have 3 (RGB) or 4 (RGBA) components, got {len(items)}")
    if not all(0.0 <= v <= 1.0 for v in items):
        raise ValueError(f"{name} components must be in [0, 1], got {value!r}")
    return items


def _check_range(name: str, value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    try:
        lo, hi = value
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be (min, max), got {value!r}") from None
    lo, hi = _check_real(f"{name}[0]", lo), _check_real(f"{name}[1]", hi)
    if not lo < hi:
        raise ValueError(f"{name} must have min < max, got {value!r}")
    return (lo, hi)


# --------------------------------------------------------------------------
# views


class View:
    """How one :class:`forge3d.Mesh` or :class:`forge3d.Points` is drawn.

    A view is inert until :meth:`Engine.add_view` puts it in the engine's
    renderer (``renderer.add_mesh``). Changing a property of an added view
    (``color``, ``colormap``, ...) restyles it at once (``set_mesh_style``);
    the geometry itself is shared, never copied: update it with the mesh's
    own setters (``set_vertices``...) and the next frame shows the change.

    Subclasses set :attr:`style`; use :class:`MeshSurfaceView`,
    :class:`MeshWireframeView`, :class:`PointsView` or
    :class:`ScalarFieldView`.
    """

    style: str = "surface"
    _geometry_types: tuple[type, ...] = (Mesh,)

    def __init__(self, geometry: Mesh | Points, *, color: Color | None = None) -> None:
        if not isinstance(geometry, self._geometry_types):
            names = " or ".join(f"forge3d.{t.__name__}" for t in self._geometry_types)
            raise TypeError(
                f"{type(self).__name__}: geometry must be a {names}, got {type(geometry).__name__}"
            )
        self.geometry = geometry
        self._color = _check_color("color", color)
        self.id: int | None = None
        self.engine: Engine | None = None

    @property
    def color(self) -> tuple[float, ...] | None:
        """RGB(A) floats in [0, 1], or None for the geometry's own colors (or
        the style's default). Settable; restyles an added view at once."""
        return self._color

    @color.setter
    def color(self, value: Color | None) -> None:
        self._color = _check_color("color", value)
        self._restyle()

    def style_kwargs(self) -> dict[str, Any]:
        """The keywords given to ``renderer.add_mesh`` / ``set_mesh_style``."""
        kw: dict[str, Any] = {"style": self.style}
        if self._color is not None:
            kw["color"] = self._color
        return kw

    def _restyle(self) -> None:
        if self.engine is not None and self.id is not None:
            self.engine.renderer.set_mesh_style(self.id, **self.style_kwargs())

    def __repr__(self) -> str:
        where = f"id={self.id}" if self.id is not None else "not added"
        return f"{type(self).__name__}({type(self.geometry).__name__}, {where})"


class MeshSurfaceView(View):
    """A mesh drawn as a lit, filled surface.

    Args:
        mesh: a :class:`forge3d.Mesh` (shared, not copied).
        color: RGB(A) floats in [0, 1]; None uses the mesh's vertex colors
            when it has them, otherwise the renderer's default color.

    Example::

        eng.add_view(MeshSurfaceView(forge3d.primitives.cube(1.0), color=(0.2, 0.6, 1.0)))
    """

    style = "surface"

    def __init__(self, mesh: Mesh, color: Color | None = None) -> None:
        super().__init__(mesh, color=color)

    @property
    def mesh(self) -> Mesh:
        """The drawn mesh (the caller's object)."""
        return self.geometry  # type: ignore[return-value]


class MeshWireframeView(MeshSurfaceView):
    """A mesh drawn as the edges of its triangles.

    Args:
        mesh: a :class:`forge3d.Mesh` (shared, not copied).
        color: RGB(A) floats in [0, 1] (None: the renderer's default).

    Example::

        eng.add_view(MeshWireframeView(forge3d.primitives.sphere(1.0, 16), color=(1, 1, 1)))
    """

    style = "wireframe"


class PointsView(View):
    """A point set drawn as discs of ``size`` pixels.

    Args:
        points: a :class:`forge3d.Points` (shared, not copied).
        size: disc diameter in pixels; None uses ``points.size``.
        color: RGB(A) floats in [0, 1]; None uses the points' own colors
            (or scalars), else the renderer's default.

    Example::

        pts = forge3d.Points(xyz.astype(np.float32), colors=rgba_uint8, size=3.0)
        eng.add_view(PointsView(pts))
    """

    style = "points"
    _geometry_types = (Points,)

    def __init__(
        self, points: Points, size: float | None = None, color: Color | None = None
    ) -> None:
        super().__init__(points, color=color)
        self._size = None if size is None else _check_positive("size", size)

    @property
    def points(self) -> Points:
        """The drawn point set (the caller's object)."""
        return self.geometry  # type: ignore[return-value]

    @property
    def size(self) -> float | None:
        """Disc diameter in pixels (None: ``points.size``). Settable."""
        return self._size

    @size.setter
    def size(self, value: float | None) -> None:
        self._size = None if value is None else _check_positive("size", value)
        self._restyle()

    def style_kwargs(self) -> dict[str, Any]:
        kw = super().style_kwargs()
        if self._size is not None:
            kw["size"] = self._size
        return kw


class ScalarFieldView(View):
    """A mesh colored by one value per vertex through a colormap.

    Args:
        mesh: a :class:`forge3d.Mesh` (shared, not copied).
        values: one number per vertex, uploaded with ``mesh.set_scalars``:
            one CPU copy from float32 C-contiguous memory (other dtypes are
            converted once first); None keeps the scalars the mesh already has.
        colormap: viridis, magma, terrain or gray (append ``_r`` to reverse).
        scalar_range: (min, max) mapped to the colormap's ends; None uses the
            range of the values last uploaded with a copy.

    Example::

        view = eng.add_view(ScalarFieldView(mesh, temperature, "magma", (0.0, 100.0)))
        view.set_values(new_temperature)      # one copy, next frame shows it
    """

    style = "scalars"

    def __init__(
        self,
        mesh: Mesh,
        values: Any = None,
        colormap: str = "viridis",
        scalar_range: tuple[float, float] | None = None,
    ) -> None:
        super().__init__(mesh)
        if not isinstance(colormap, str):
            raise TypeError(f"colormap must be a str, got {type(colormap).__name__}")
        self._colormap = colormap
        self._range = _check_range("scalar_range", scalar_range)
        if values is not None:
            self.set_values(values)

    @property
    def mesh(self) -> Mesh:
        """The drawn mesh (the caller's object)."""
        return self.geometry  # type: ignore[return-value]

    def set_values(self, values: Any) -> None:
        """Uploads one value per vertex (``mesh.set_scalars``, one CPU copy)."""
        self.geometry.set_scalars(values)

    @property
    def colormap(self) -> str:
        """The colormap name. Settable; restyles an added view at once."""
        return self._colormap

    @colormap.setter
    def colormap(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"colormap must be a str, got {type(value).__name__}")
        old, self._colormap = self._colormap, value
        try:
            self._restyle()
        except Exception:
            self._colormap = old
            raise

    @property
    def scalar_range(self) -> tuple[float, float] | None:
        """(min, max) mapped to the colormap's ends, or None (the data's range). Settable."""
        return self._range

    @scalar_range.setter
    def scalar_range(self, value: tuple[float, float] | None) -> None:
        self._range = _check_range("scalar_range", value)
        self._restyle()

    def style_kwargs(self) -> dict[str, Any]:
        kw = super().style_kwargs()
        kw["colormap"] = self._colormap
        if self._range is not None:
            kw["scalar_range"] = self._range
        return kw


# --------------------------------------------------------------------------
# observers


class Observer:
    """Something that runs once per frame inside :meth:`Engine.start`.

    Subclass it and override any of :meth:`setup`, :meth:`update` and
    :meth:`teardown` (all no-ops here). Each ``start()`` call runs
    ``setup(engine)`` for every observer, then ``update(dt)`` once per frame
    for every observer in ascending ``sort`` order (ties keep the order they
    were added in), then ``teardown()`` (in reverse order), also when a frame
    raised. An observer added while the engine runs is set up at once and
    updated from the next frame on.

    Args:
        name: a label (default: the class name).
        sort: the position in each frame's update order; lower runs first.

    Example::

        class Wave(Observer):
            def setup(self, engine):
                self.mesh = engine.views[0].mesh
            def update(self, dt):
                t = self.engine.time
                ...                                 # compute positions
                self.mesh.set_vertices(positions)   # one copy

        eng.add_observer(Wave(sort=-1))             # before sort=0 observers
    """

    name: str = ""
    sort: float = 0.0
    engine: Engine | None = None

    def __init__(self, name: str | None = None, sort: float = 0) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a str or None, got {type(name).__name__}")
        self.name: str = name if name is not None else type(self).__name__
        self.sort: float = _check_real("sort", sort)
        #: The engine while set up (assigned before ``setup`` runs), else None.
        self.engine: Engine | None = None

    def setup(self, engine: Engine) -> None:
        """Called at the beginning of each :meth:`Engine.start` (``self.engine`` is set)."""

    def update(self, dt: float) -> None:
        """Called once per frame, before the frame renders; ``dt`` = 1 / fps seconds."""

    def teardown(self) -> None:
        """Called at the end of each :meth:`Engine.start` and by :meth:`Engine.close`."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, sort={self.sort:g})"


class _FunctionObserver(Observer):
    def __init__(self, fn: Callable[[float], Any], name: str | None, sort: float) -> None:
        super().__init__(name or getattr(fn, "__name__", "function"), sort)
        self._fn = fn

    def update(self, dt: float) -> None:
        self._fn(dt)


# --------------------------------------------------------------------------
# cameras


@runtime_checkable
class Camera(Protocol):
    """Anything with ``apply(renderer)``; the engine calls it before each render."""

    def apply(self, renderer: Renderer) -> None: ...


def _basis(direction: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    f = -direction / np.linalg.norm(direction)
    s = np.cross(f, up)
    s /= np.linalg.norm(s)
    return f, s, np.cross(s, f)


class OrbitCamera:
    """A perspective camera on a sphere around ``target`` (z is up).

    The eye sits at ``target + distance * (sin(az) cos(el), cos(az) cos(el),
    sin(el))``: azimuth in degrees clockwise from north (+y), as the sun's in
    ``Renderer.set_sun``; elevation in degrees above the horizon, clamped to
    [-89, 89]. The defaults (200, 35) are the renderer's automatic view.

    Args:
        target: the point looked at; None: the centre of the scene's bounds
            (``renderer.scene_bounds()``), re-read every frame.
        azimuth_deg, elevation_deg: the eye's direction from the target.
        distance: eye-target distance in world units; None: the smallest
            distance at which the whole scene box fits the image, recomputed
            every frame (so it follows changing geometry; :meth:`fit` freezes it).
        fovy_deg: vertical field of view in degrees, in (0, 180).

    Example::

        cam = eng.camera                      # Engine's default OrbitCamera
        cam.orbit(30, 10).zoom(1.5)           # turn, tilt up, move closer
        cam.look_at((4, -4, 3), (0, 0, 0))    # or place it explicitly
    """

    UP: Vec3 = (0.0, 0.0, 1.0)
    _azimuth = 200.0
    _elevation = 35.0

    def __init__(
        self,
        target: Sequence[float] | None = None,
        azimuth_deg: float = 200.0,
        elevation_deg: float = 35.0,
        distance: float | None = None,
        fovy_deg: float = 45.0,
    ) -> None:
        self.target: Vec3 | None = None if target is None else _check_vec3("target", target)
        self.azimuth_deg = azimuth_deg
        self.elevation_deg = elevation_deg
        self.distance: float | None = (
            None if distance is None else _check_positive("distance", distance)
        )
        fovy = _check_real("fovy_deg", fovy_deg)
        if not 0.0 < fovy < 180.0:
            raise ValueError(f"fovy_deg must be in (0, 180), got {fovy_deg}")
        self.fovy_deg = fovy
        self._auto_scale = 1.0  # zoom applied to an automatic distance

    @staticmethod
    def _clamp(elevation: float) -> float:
        return max(-89.0, min(89.0, elevation))

    @property
    def azimuth_deg(self) -> float:
        """Degrees clockwise from north (+y), in [0, 360). Settable (wrapped)."""
        return self._azimuth

    @azimuth_deg.setter
    def azimuth_deg(self, value: float) -> None:
        self._azimuth = _check_real("azimuth_deg", value) % 360.0

    @property
    def elevation_deg(self) -> float:
        """Degrees above the horizon, in [-89, 89]. Settable (clamped)."""
        return self._elevation

    @elevation_deg.setter
    def elevation_deg(self, value: float) -> None:
        self._elevation = self._clamp(_check_real("elevation_deg", value))

    def direction(self) -> np.ndarray:
        """Unit vector from the target towards the eye."""
        az, el = math.radians(self.azimuth_deg), math.radians(self.elevation_deg)
        return np.array([math.sin(az) * math.cos(el), math.cos(az) * math.cos(el), math.sin(el)])

    def orbit(self, d_azimuth_deg: float, d_elevation_deg: float = 0.0) -> OrbitCamera:
        """Turns the eye around the target by the given degrees; returns self."""
        self.azimuth_deg = self._azimuth + _check_real("d_azimuth_deg", d_azimuth_deg)
        self.elevation_deg = self._elevation + _check_real("d_elevation_deg", d_elevation_deg)
        return self

    def zoom(self, factor: float) -> OrbitCamera:
        """Divides the distance by ``factor`` (> 1 moves closer); returns self."""
        f = _check_positive("factor", factor)
        if self.distance is None:
            self._auto_scale /= f
        else:
            self.distance /= f
        return self

    def look_at(self, eye: Sequence[float], target: Sequence[float]) -> OrbitCamera:
        """Places the eye at ``eye`` looking at ``target``; returns self.

        Sets target, distance, azimuth and elevation (clamped to +-89, so an
        eye straight above the target ends up just off the vertical).
        """
        e, t = _check_vec3("eye", eye), _check_vec3("target", target)
        d = np.subtract(e, t)
        dist = float(np.linalg.norm(d))
        if dist == 0.0:
            raise ValueError("eye and target must differ")
        self.target, self.distance, self._auto_scale = t, dist, 1.0
        self.elevation_deg = math.degrees(math.asin(max(-1.0, min(1.0, d[2] / dist))))
        if abs(d[0]) > 0.0 or abs(d[1]) > 0.0:
            self.azimuth_deg = math.degrees(math.atan2(d[0], d[1]))
        return self

    def resolve(
        self, bounds: tuple[Sequence[float], Sequence[float]], aspect: float
    ) -> tuple[Vec3, Vec3]:
        """(eye, target) for a scene box ``((xmin, ymin, zmin), (xmax, ymax, zmax))``
        and an image of ``aspect`` = width / height."""
        lo, hi = np.asarray(bounds[0], dtype=float), np.asarray(bounds[1], dtype=float)
        target = np.asarray(self.target, dtype=float) if self.target is not None else (lo + hi) / 2
        direction = self.direction()
        if self.distance is not None:
            dist = self.distance
        else:
            dist = self._fit_distance(lo, hi, target, direction, aspect) * self._auto_scale
        eye = target + direction * dist
        return (tuple(float(v) for v in eye), tuple(float(v) for v in target))  # type: ignore[return-value]

    def _fit_distance(
        self,
        lo: np.ndarray,
        hi: np.ndarray,
        target: np.ndarray,
        direction: np.ndarray,
        aspect: float,
    ) -> float:
        # The smallest distance (to ~1 %) at which all 8 corners of the box
        # project inside 96 % of the image, like the renderer's automatic view.
        corners = np.array(
            [[(lo, hi)[(i >> k) & 1][k] for k in range(3)] for i in range(8)], dtype=float
        )
        rel = corners - target
        radius = max(float(np.linalg.norm(rel, axis=1).max()), 1e-6)
        f, s, u = _basis(direction, np.asarray(self.UP))
        tan_y = math.tan(math.radians(self.fovy_deg) / 2)
        tan_x = tan_y * aspect

        def fits(d: float) -> bool:
            v = rel - direction * d  # corner relative to the eye
            z = v @ f
            if (z <= 0).any():
                return False
            return bool(
                (np.abs(v @ s) <= 0.96 * tan_x * z).all()
                and (np.abs(v @ u) <= 0.96 * tan_y * z).all()
            )

        half = math.atan(min(tan_x, tan_y))
        lo_d, hi_d = radius * 0.05, radius / math.sin(half) * 1.05
        for _ in range(24):
            mid = 0.5 * (lo_d + hi_d)
            if fits(mid):
                hi_d = mid
            else:
                lo_d = mid
        return hi_d

    def fit(self, renderer: Renderer) -> OrbitCamera:
        """Freezes target and distance at the values that frame ``renderer``'s
        current scene (so later geometry changes do not move the camera); returns self."""
        eye, target = self.resolve(renderer.scene_bounds(), renderer.width / renderer.height)
        self.target = target
        self.distance = float(np.linalg.norm(np.subtract(eye, target)))
        self._auto_scale = 1.0
        return self

    def apply(self, renderer: Renderer) -> None:
        """Sets ``renderer``'s camera (``set_camera``) to this camera's current view."""
        eye, target = self.resolve(renderer.scene_bounds(), renderer.width / renderer.height)
        renderer.set_camera(eye, target, self.UP, self.fovy_deg)

    def __repr__(self) -> str:
        return (
            f"OrbitCamera(target={self.target}, azimuth_deg={self.azimuth_deg:g}, "
            f"elevation_deg={self.elevation_deg:g}, distance={self.distance}, "
            f"fovy_deg={self.fovy_deg:g})"
        )


class TopDownCamera:
    """An orthographic view straight down that frames the scene's x/y extent
    (``renderer.set_camera_top_down()``); +y is up in the image.

    Example::

        eng.camera = TopDownCamera()
    """

    def apply(self, renderer: Renderer) -> None:
        """Sets ``renderer``'s camera to the top-down view."""
        renderer.set_camera_top_down()

    def __repr__(self) -> str:
        return "TopDownCamera()"


# --------------------------------------------------------------------------
# recording


def _progress_bar(total: int, desc: str) -> Any:
    """A tqdm progress bar when tqdm is installed, otherwise None."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=desc, unit="frame", leave=False)


class Recorder:
    """Writes the frames an :class:`Engine` renders while it is active.

    Made by :meth:`Engine.record`; not constructed directly. A directory
    path gets one PNG per frame (``frame_00000.png``, ``frame_00001.png``,
    ...; ``Frame.to_png``, which encodes straight from the frame's memory);
    a path ending in .mp4 (or .mov, .mkv, .avi, .webm) is encoded with
    imageio-ffmpeg, which receives the frame memory itself (no copy). Use it
    as a context manager, or call :meth:`close` (``Engine.close`` does too).

    Attributes:
        path: the directory or video file.
        kind: "png" or "video".
        frames_written: how many frames it has written.
        files: the PNG files written (empty for a video).
    """

    def __init__(
        self, engine: Engine, path: str | os.PathLike[str], *, fps: float, prefix: str
    ) -> None:
        self.engine: Engine | None = engine
        self.path = Path(path)
        self.fps = fps
        self.prefix = prefix
        self.frames_written = 0
        self.files: list[Path] = []
        self._writer: Any = None
        suffix = self.path.suffix.lower()
        if suffix in VIDEO_SUFFIXES:
            self.kind = "video"
            try:
                import imageio_ffmpeg
            except ImportError:
                raise ModuleNotFoundError(
                    f"record({str(path)!r}) writes video through imageio-ffmpeg, which is not "
                    "installed: pip install imageio-ffmpeg (or record into a directory to get "
                    "PNG frames)",
                    name="imageio_ffmpeg",
                ) from None
            if self.path.is_dir():
                raise ValueError(f"path: {str(path)!r} is a directory, not a video file")
            if not self.path.parent.is_dir():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            r = engine.renderer
            self._writer = imageio_ffmpeg.write_frames(
                str(self.path),
                (r.width, r.height),
                pix_fmt_in="rgba",
                fps=fps,
                macro_block_size=2,
            )
            self._writer.send(None)  # start the encoder
        else:
            if suffix in _IMAGE_SUFFIXES:
                raise ValueError(
                    f"path: record() takes a directory (PNG sequence) or a video file "
                    f"({', '.join(VIDEO_SUFFIXES)}), got {str(path)!r}; "
                    "use Engine.screenshot() for a single image"
                )
            if self.path.exists() and not self.path.is_dir():
                raise ValueError(f"path: {str(path)!r} exists and is not a directory")
            self.path.mkdir(parents=True, exist_ok=True)
            self.kind = "png"

    @property
    def active(self) -> bool:
        """True until :meth:`close`."""
        return self.engine is not None

    def write(self, frame: Frame) -> None:
        """Writes one frame (the engine calls this for every rendered frame)."""
        if not self.active:
            raise RuntimeError("this recorder is closed")
        if self.kind == "video":
            self._writer.send(memoryview(frame))
        else:
            file = self.path / f"{self.prefix}{self.frames_written:05d}.png"
            frame.to_png(file)
            self.files.append(file)
        self.frames_written += 1

    def close(self) -> None:
        """Finishes the file(s) and detaches from the engine; safe to call twice."""
        engine, self.engine = self.engine, None
        if engine is not None and engine._recorder is self:
            engine._recorder = None
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()  # waits for ffmpeg to finish the file

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "active" if self.active else "closed"
        n = self.frames_written
        return f"Recorder({str(self.path)!r}, kind={self.kind!r}, frames={n}, {state})"


# --------------------------------------------------------------------------
# the engine


class Engine:
    """A headless frame loop around one :class:`forge3d.Renderer`.

    Args:
        title: a label (used for progress bars).
        width, height: image size in pixels (positive ints; default 1280x720).
        fps: frames per simulated second; every frame advances
            :attr:`time` by ``dt = 1 / fps`` whatever the wall-clock time.
        interactive: must be False: windows are not implemented yet and
            True raises :class:`NotImplementedError`.
        background: clear color, 3 or 4 ints 0..255 (renderer default if None).

    Attributes:
        renderer: the :class:`forge3d.Renderer` (use it for terrain, lighting...).
        camera: applied before every render: an :class:`OrbitCamera` (the
            default), a :class:`TopDownCamera`, anything with
            ``apply(renderer)``, or None for the renderer's own camera
            (``renderer.set_camera`` / ``reset_camera``).
        time: simulated seconds, advanced by ``dt`` at the start of each frame.
        frame_index: frames ticked so far; during a frame's updates and its
            callback it is that frame's 0-based index.
        views, observers: what was added (observers in update order).

    Nothing is copied by the engine itself: views share your meshes, and
    frames reach callbacks and recorders as the renderer's Frames.

    Example::

        eng = Engine("wave", width=640, height=360, fps=30)
        view = eng.add_view(ScalarFieldView(mesh, heights, "magma"))
        eng.add_observer(MyWave())
        frames = []
        eng.start(frames=10, callback=lambda frame, i: frames.append(np.array(frame)))
    """

    def __init__(
        self,
        title: str = "forge3d",
        width: int = 1280,
        height: int = 720,
        fps: float = 60,
        interactive: bool = False,
        *,
        background: Sequence[int] | None = None,
    ) -> None:
        if not isinstance(title, str):
            raise TypeError(f"title must be a str, got {type(title).__name__}")
        if not isinstance(interactive, bool):
            raise TypeError(f"interactive must be a bool, got {type(interactive).__name__}")
        if interactive:
            raise NotImplementedError(
                "Engine(interactive=True): forge3d renders headless only, interactive windows "
                "are not implemented yet; use interactive=False with start(frames=N), "
                "record(path) or screenshot(path)"
            )
        self.title = title
        w = _check_int("width", width)
        h = _check_int("height", height)
        self._fps = _check_positive("fps", fps)
        self.interactive = False
        self.renderer = (
            Renderer(w, h) if background is None else Renderer(w, h, background=tuple(background))
        )
        self.time = 0.0
        self.frame_index = 0
        self.views: list[View] = []
        self._observers: list[Observer] = []
        self._active: list[Observer] = []  # set up during the current start()
        self._order = 0
        self._camera: Camera | None = None
        self.camera = OrbitCamera()
        self._recorder: Recorder | None = None
        self._running = False
        self._closed = False
        self.stats: dict[str, float] = {"frames": 0, "seconds": 0.0, "fps": 0.0}

    # -- properties -------------------------------------------------------

    @property
    def width(self) -> int:
        """Image width in pixels."""
        return self.renderer.width

    @property
    def height(self) -> int:
        """Image height in pixels."""
        return self.renderer.height

    @property
    def fps(self) -> float:
        """Frames per simulated second (read-only)."""
        return self._fps

    @property
    def dt(self) -> float:
        """The fixed time step, 1 / fps seconds."""
        return 1.0 / self._fps

    @property
    def running(self) -> bool:
        """True inside :meth:`start`."""
        return self._running

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._closed

    @property
    def observers(self) -> list[Observer]:
        """The observers in update order (a new list)."""
        return list(self._observers)

    @property
    def recorder(self) -> Recorder | None:
        """The active :class:`Recorder`, or None."""
        return self._recorder

    @property
    def camera(self) -> Camera | None:
        """The camera applied before every render (settable; None: the renderer's own)."""
        return self._camera

    @camera.setter
    def camera(self, value: Camera | None) -> None:
        if value is not None and not callable(getattr(value, "apply", None)):
            raise TypeError(
                "camera must be an OrbitCamera, a TopDownCamera, an object with "
                f"apply(renderer), or None; got {type(value).__name__}"
            )
        self._camera = value
        if value is None and hasattr(self, "renderer"):
            self.renderer.reset_camera()

    def _check_open(self, what: str) -> None:
        if self._closed:
            raise RuntimeError(f"{what}: this Engine is closed")

    # -- views ------------------------------------------------------------

    def add_view(self, view: View) -> View:
        """Adds ``view`` to the scene (``renderer.add_mesh``) and returns it.

        The view's geometry is shared, not copied. Raises TypeError for a
        non-View and ValueError for a view already in an engine.
        """
        self._check_open("add_view")
        if not isinstance(view, View):
            raise TypeError(
                "view must be a forge3d.engine View (MeshSurfaceView, ...), "
                f"got {type(view).__name__}"
            )
        if view.engine is not None:
            raise ValueError(f"view: {view!r} is already in an engine; remove_view it first")
        view.id = self.renderer.add_mesh(view.geometry, **view.style_kwargs())
        view.engine = self
        self.views.append(view)
        return view

    def remove_view(self, view: View) -> bool:
        """Removes ``view`` from the scene; False when it was not in this engine."""
        if view.engine is not self or view not in self.views:
            return False
        self.views.remove(view)
        if view.id is not None:
            self.renderer.remove_mesh(view.id)
        view.id, view.engine = None, None
        return True

    # -- observers --------------------------------------------------------

    def add_observer(
        self, observer: Observer | Callable[[float], Any], *, sort: float | None = None
    ) -> Observer:
        """Adds an observer and returns it.

        ``observer`` is an :class:`Observer`, or a plain function ``f(dt)``
        that becomes one (``sort`` then sets its order, default 0). Observers
        update in ascending ``sort``; ties keep the order they were added in.
        Added during :meth:`start`, it is set up at once and updates from the
        next frame on.
        """
        self._check_open("add_observer")
        if not isinstance(observer, Observer):
            if callable(observer):
                observer = _FunctionObserver(observer, None, 0 if sort is None else sort)
            else:
                raise TypeError(
                    f"observer must be a forge3d.engine.Observer or a callable f(dt), "
                    f"got {type(observer).__name__}"
                )
        elif sort is not None:
            observer.sort = _check_real("sort", sort)
        if any(o is observer for o in self._observers):
            raise ValueError(f"observer: {observer!r} was already added")
        if not getattr(observer, "name", ""):  # a subclass that skipped Observer.__init__
            observer.name = type(observer).__name__
        _check_real("sort", observer.sort)
        observer._engine_order = self._order  # type: ignore[attr-defined]
        self._order += 1
        self._observers.append(observer)
        self._sort_observers()
        if self._running:
            self._setup(observer)
        return observer

    def remove_observer(self, observer: Observer) -> bool:
        """Removes an observer (tearing it down if it is set up); False when absent."""
        for i, o in enumerate(self._observers):
            if o is observer:
                del self._observers[i]
                if any(a is observer for a in self._active):
                    self._active = [a for a in self._active if a is not observer]
                    observer.teardown()
                    observer.engine = None
                return True
        return False

    def _sort_observers(self) -> None:
        self._observers.sort(key=lambda o: (o.sort, getattr(o, "_engine_order", 0)))

    def _setup(self, observer: Observer) -> None:
        observer.engine = self
        self._active.append(observer)
        observer.setup(self)

    def _teardown_all(self) -> None:
        errors: list[Exception] = []
        while self._active:
            observer = self._active.pop()
            try:
                observer.teardown()
            except Exception as e:  # keep tearing the others down
                errors.append(e)
            finally:
                observer.engine = None
        if errors:
            raise errors[0]

    # -- frames -----------------------------------------------------------

    def render(self) -> Frame:
        """Renders the current state (camera applied, no tick, no observers)."""
        self._check_open("render")
        if self._camera is not None:
            self._camera.apply(self.renderer)
        return self.renderer.render_frame()

    def screenshot(self, path: str | os.PathLike[str]) -> Frame:
        """Renders the current state (no tick) and writes it as a PNG file.

        Missing parent directories are created. Returns the Frame (the PNG
        is encoded straight from its memory).

        Example::

            eng.screenshot("out/still.png")
        """
        p = Path(path)
        if p.parent != Path("") and not p.parent.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
        frame = self.render()
        frame.to_png(p)
        return frame

    def record(
        self, path: str | os.PathLike[str], *, fps: float | None = None, prefix: str = "frame_"
    ) -> Recorder:
        """Starts recording every frame :meth:`start` renders; returns the :class:`Recorder`.

        Args:
            path: a directory (created if missing) for ``{prefix}00000.png``,
                ... , or a video file ending in .mp4 (.mov, .mkv, .avi, .webm),
                which needs imageio-ffmpeg (ModuleNotFoundError naming it
                otherwise).
            fps: the video's frame rate (default: the engine's fps).
            prefix: PNG file name prefix.

        Use it as a context manager, or call ``recorder.close()``. While it
        is active, :meth:`start` shows a progress bar when tqdm is installed.

        Example::

            with eng.record("frames/"):
                eng.start(frames=120)
        """
        self._check_open("record")
        if self._recorder is not None:
            raise RuntimeError(
                f"record: already recording to {str(self._recorder.path)!r}; "
                "close that recorder first"
            )
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a str, got {type(prefix).__name__}")
        rate = self._fps if fps is None else _check_positive("fps", fps)
        self._recorder = Recorder(self, path, fps=rate, prefix=prefix)
        return self._recorder

    def start(
        self,
        frames: int | None = None,
        callback: FrameCallback | None = None,
        *,
        progress: bool | None = None,
    ) -> int:
        """Ticks ``frames`` frames at the fixed step ``dt`` and returns how many rendered.

        Per frame: :attr:`time` += dt; every observer's ``update(dt)`` in
        ``sort`` order; the camera is applied; one frame renders
        (``renderer.render_frame()``); ``callback(frame, frame_index)`` gets
        the :class:`forge3d.Frame` (its memory is the GPU readback, not a
        copy; keep it, or ``np.asarray(frame)``, as long as you like); the
        active recorder writes it; :attr:`frame_index` += 1. Observers are
        set up before the first frame and torn down after the last one, also
        when a frame raises.

        Args:
            frames: how many frames, a positive int (required: there is no
                interactive loop).
            callback: ``f(frame, index)`` called for each frame.
            progress: show a tqdm progress bar (when tqdm is installed);
                None shows one while recording.

        Example::

            n = eng.start(frames=60, callback=lambda f, i: f.to_png(f"f{i}.png"))
        """
        self._check_open("start")
        if frames is None:
            raise ValueError(
                "frames is required: Engine is not interactive, so start() needs "
                "frames=N (a positive int) to know when to stop"
            )
        n = _check_int("frames", frames)
        if callback is not None and not callable(callback):
            raise TypeError(
                f"callback must be callable f(frame, index), got {type(callback).__name__}"
            )
        if progress is not None and not isinstance(progress, bool):
            raise TypeError(f"progress must be a bool or None, got {type(progress).__name__}")
        if self._running:
            raise RuntimeError("start: the engine is already running (start() called from a frame)")
        show = progress if progress is not None else self._recorder is not None
        bar = _progress_bar(n, self.title) if show else None
        self._running = True
        t0 = _time.perf_counter()
        done = 0
        try:
            self._sort_observers()
            for observer in list(self._observers):
                if not any(a is observer for a in self._active):
                    self._setup(observer)
            dt = self.dt
            for _ in range(n):
                self.time += dt
                for observer in list(self._observers):
                    if any(a is observer for a in self._active):
                        observer.update(dt)
                frame = self.render()
                if callback is not None:
                    callback(frame, self.frame_index)
                if self._recorder is not None:
                    self._recorder.write(frame)
                del frame
                self.frame_index += 1
                done += 1
                if bar is not None:
                    bar.update(1)
        finally:
            self._running = False
            if bar is not None:
                bar.close()
            seconds = _time.perf_counter() - t0
            self.stats = {
                "frames": done,
                "seconds": seconds,
                "fps": done / seconds if seconds > 0 else 0.0,
            }
            self._teardown_all()
        return done

    def step(self, callback: FrameCallback | None = None) -> int:
        """One frame: ``start(frames=1, callback=callback)``."""
        return self.start(1, callback)

    # -- lifetime ---------------------------------------------------------

    def close(self) -> None:
        """Tears down observers still set up, finishes an active recording,
        removes the views from the renderer. Safe to call twice."""
        if self._closed:
            return
        try:
            self._teardown_all()
        finally:
            if self._recorder is not None:
                self._recorder.close()
            for view in list(self.views):
                self.remove_view(view)
            self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"Engine({self.title!r}, {self.width}x{self.height}, fps={self._fps:g}, "
            f"views={len(self.views)}, observers={len(self._observers)}, "
            f"frame_index={self.frame_index})"
        )
