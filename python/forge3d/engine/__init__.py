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

``Engine(..., interactive=True)`` runs the same loop in a native window
(:mod:`forge3d.window`): :meth:`Engine.start` then returns when the window
is closed, and the mouse moves the camera (:class:`OrbitControls`).
"""

from __future__ import annotations

import os
import time as _time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Self

from .._forge3d import Frame, Renderer
from ._checks import _check_int, _check_positive, _check_real
from .camera import Camera, OrbitCamera, TopDownCamera
from .controls import OrbitControls
from .observer import Observer, _FunctionObserver
from .recording import FrameCallback, Recorder, _check_prefix, _progress_bar
from .views import MeshSurfaceView, MeshWireframeView, PointsView, ScalarFieldView, View

__all__ = [
    "Camera",
    "Engine",
    "MeshSurfaceView",
    "MeshWireframeView",
    "Observer",
    "OrbitCamera",
    "OrbitControls",
    "PointsView",
    "Recorder",
    "ScalarFieldView",
    "TopDownCamera",
    "View",
]


# --------------------------------------------------------------------------
# the engine


class Engine:
    """A headless frame loop around one :class:`forge3d.Renderer`.

    Args:
        title: a label (used for progress bars).
        width, height: image size in pixels (positive ints; default 1280x720).
        fps: frames per simulated second; every frame advances
            :attr:`time` by ``dt = 1 / fps`` whatever the wall-clock time.
        interactive: True runs :meth:`start` in a native window (drag to
            orbit, shift- or right-drag to pan, wheel to zoom, ``r`` reset,
            ``s`` screenshot, ``q``/Escape close; see :mod:`forge3d.window`).
            Raises :class:`forge3d.NoDisplayError` where no display is
            reachable: use False (headless) there.
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
            from ..window import _require_display

            _require_display("Engine(interactive=True)")
        self.title = title
        w = _check_int("width", width)
        h = _check_int("height", height)
        self._fps = _check_positive("fps", fps)
        self.interactive = interactive
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
        #: Where ``s`` in the window writes screenshots (interactive engines).
        self.screenshot_dir: str | os.PathLike[str] = "."

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
            prefix: PNG file name prefix: a plain name; one with a path
                separator, ``..`` or an absolute path raises ValueError
                (files stay inside ``path``).

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
        _check_prefix(prefix)
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
        """Ticks frames at the fixed step ``dt`` and returns how many it ticked.

        Per frame: :attr:`time` += dt; every observer's ``update(dt)`` in
        ``sort`` order; the camera is applied; one frame renders
        (``renderer.render_frame()``); ``callback(frame, frame_index)`` gets
        the :class:`forge3d.Frame` (its memory is the GPU readback, not a
        copy; keep it, or ``np.asarray(frame)``, as long as you like); the
        active recorder writes it; :attr:`frame_index` += 1. Observers are
        set up before the first frame and torn down after the last one, also
        when a frame raises.

        In an interactive engine the frames are drawn in a window at the
        engine's fps and the call returns when the window is closed (or
        after ``frames`` frames). The mouse moves an :class:`OrbitCamera`
        (:class:`OrbitControls`); ``s`` writes ``{title}-001.png``, ... into
        :attr:`screenshot_dir`. Frames are read back only for ``callback``
        and an active recorder (at the engine's width x height).

        Args:
            frames: how many frames, a positive int (required unless the
                engine is interactive).
            callback: ``f(frame, index)`` called for each frame.
            progress: show a tqdm progress bar (when tqdm is installed);
                None shows one while recording.

        Example::

            n = eng.start(frames=60, callback=lambda f, i: f.to_png(f"f{i}.png"))
        """
        self._check_open("start")
        if frames is None and not self.interactive:
            raise ValueError(
                "frames is required: Engine is not interactive, so start() needs "
                "frames=N (a positive int) to know when to stop"
            )
        n = None if frames is None else _check_int("frames", frames)
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
        dt = self.dt

        def tick(render: bool) -> None:
            nonlocal done
            self.time += dt
            for observer in list(self._observers):
                if any(a is observer for a in self._active):
                    observer.update(dt)
            if render or callback is not None or self._recorder is not None:
                frame = self.render()
                if callback is not None:
                    callback(frame, self.frame_index)
                if self._recorder is not None:
                    self._recorder.write(frame)
                del frame
            elif self._camera is not None:
                self._camera.apply(self.renderer)
            self.frame_index += 1
            done += 1
            if bar is not None:
                bar.update(1)

        try:
            self._sort_observers()
            for observer in list(self._observers):
                if not any(a is observer for a in self._active):
                    self._setup(observer)
            if self.interactive:
                self._run_window(n, tick)
            else:
                assert n is not None
                for _ in range(n):
                    tick(True)
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

    def _run_window(self, frames: int | None, tick: Callable[[bool], None]) -> None:
        """The interactive loop: ``tick(False)`` before each window frame
        (the window draws it; nothing is read back unless asked)."""
        from ..window import _require_display, _Screenshots, run_window

        _require_display("Engine.start (interactive)")
        shots = _Screenshots(
            self.renderer, self.screenshot_dir, self.title, lambda: self._camera
        )
        # Made now, so that r goes back to the camera as the window opened.
        controls: list[OrbitControls] = []

        def current() -> OrbitControls | None:
            # The camera may be replaced by an observer; controls follow it.
            cam = self._camera
            if not isinstance(cam, OrbitCamera):
                return None
            if not controls or controls[0].camera is not cam:
                controls[:] = [OrbitControls(cam, self.renderer, on_screenshot=shots)]
            return controls[0]

        current()

        ticked = 0

        def on_frame(width: int, height: int) -> bool:
            nonlocal ticked
            if frames is not None and ticked >= frames:
                return False
            tick(False)
            ticked += 1
            return True

        run_window(
            self.renderer,
            on_frame,
            current,
            title=self.title,
            size=(self.width, self.height),
            fps=self._fps,
            screenshot=shots,
        )

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
