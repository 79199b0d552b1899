"""A native window on a renderer: look around a scene with the mouse.

:func:`show` opens a window on a :class:`forge3d.Renderer`'s scene (the same
layers, drawn at the window's size) and returns when it is closed; the
engine's ``Engine(interactive=True)`` runs its frame loop in one. The
window draws each frame straight onto its surface: nothing is read back
unless you ask (``s`` for a screenshot; ``Engine.record`` and callbacks).

Controls (:class:`forge3d.engine.OrbitControls`): drag to orbit, shift-drag
or right-drag to pan, wheel to zoom, ``r`` to reset the view, ``s`` to save
a screenshot, ``q`` or Escape to close. The camera is an
:class:`forge3d.engine.OrbitCamera`: what you see when the window closes is
its state, and ``camera.apply(renderer)`` renders the same view headless.

A window needs a display (an X server: ``DISPLAY``; Xvfb provides a
virtual one). Without one, :func:`show` and ``Engine(interactive=True)``
raise :class:`NoDisplayError`.

Example::

    import forge3d
    r = forge3d.Renderer(1280, 720)
    r.add_terrain(heights, colormap="terrain")
    cam = forge3d.show(r)                  # look around; close the window
    r.render().to_png("view.png")          # the last view, headless
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._forge3d import Renderer, _display_problem, _run_window
from .engine._checks import _check_int, _check_positive
from .engine.camera import OrbitCamera
from .engine.controls import OrbitControls

__all__ = ["NoDisplayError", "display_problem", "show"]


class NoDisplayError(RuntimeError):
    """No window can open here: no display is set or none is reachable.
    The message says why and how to render headless instead."""


def display_problem() -> str | None:
    """Why no window can open in this process, or None when one can.

    Checks that a display is named (``DISPLAY``) and that it answers.
    """
    return _display_problem()


def _require_display(what: str) -> None:
    problem = _display_problem()
    if problem is not None:
        raise NoDisplayError(f"{what}: {problem}")


def _view_args(renderer: Any, camera: Any) -> OrbitCamera:
    """Checks the (renderer, camera) that :func:`show` and the Jupyter
    viewer take; returns the camera (a new automatic one for None)."""
    if not isinstance(renderer, Renderer):
        raise TypeError(f"renderer must be a forge3d.Renderer, got {type(renderer).__name__}")
    if camera is None:
        return OrbitCamera()
    if not isinstance(camera, OrbitCamera):
        raise TypeError(
            f"camera must be a forge3d.engine.OrbitCamera or None, got {type(camera).__name__}"
        )
    return camera


class _Screenshots:
    """Writes ``{stem}-NNN.png`` files (numbered from 1, never overwriting)
    into ``folder``: the renderer's scene with ``camera()`` applied (the
    view as the input so far left it)."""

    def __init__(
        self,
        renderer: Renderer,
        folder: str | os.PathLike[str],
        stem: str,
        camera: Callable[[], Any] = lambda: None,
    ) -> None:
        self.renderer = renderer
        self.folder = Path(folder)
        self.stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem) or "forge3d"
        self.camera = camera
        self.saved: list[Path] = []

    def __call__(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        n = len(self.saved) + 1
        while (path := self.folder / f"{self.stem}-{n:03d}.png").exists():
            n += 1
        cam = self.camera()
        if cam is not None:
            cam.apply(self.renderer)
        # Whole or not at all: written aside, then renamed into place.
        part = path.with_name(f".{path.name}.part")
        self.renderer.render().to_png(part)
        os.replace(part, path)
        self.saved.append(path)
        print(f"forge3d: saved {path}", file=sys.stderr)
        return path


def run_window(
    renderer: Renderer,
    on_frame: Callable[[int, int], bool | None],
    controls: Callable[[], OrbitControls | None],
    *,
    title: str,
    size: tuple[int, int],
    fps: float,
    frames: int | None = None,
    screenshot: Callable[[], Any] | None = None,
) -> int:
    """The loop :func:`show` and the engine share: ``on_frame(width,
    height)`` before each frame (False closes), input to the controls
    ``controls()`` gives (or, where it gives None, only the close and
    screenshot keys); returns frames shown."""

    def on_input(kind: str, data: tuple[Any, ...], width: int, height: int) -> bool:
        c = controls()
        if c is not None:
            return c.handle(kind, data, (width, height))
        if kind == "key":
            if data[0] == "s" and screenshot is not None:
                screenshot()
            return data[0] not in ("q", "escape")
        return True

    return _run_window(
        renderer,
        on_frame,
        on_input,
        title=title,
        width=size[0],
        height=size[1],
        fps=float(fps),
        frames=frames,
    )


def show(
    renderer: Renderer,
    *,
    camera: OrbitCamera | None = None,
    title: str = "forge3d",
    width: int | None = None,
    height: int | None = None,
    fps: float = 60,
    frames: int | None = None,
    screenshot_dir: str | os.PathLike[str] = ".",
) -> OrbitCamera:
    """Opens a window on ``renderer``'s scene and returns its camera when the
    window is closed.

    Args:
        renderer: the scene to look at (unchanged, except that its camera is
            the window's last view when the call returns).
        camera: the :class:`forge3d.engine.OrbitCamera` to start from and
            move (default: a new one, the renderer's automatic view).
        title: the window's title (and the screenshots' file name).
        width, height: the window's first size (default: the renderer's).
        fps: frames a second the window aims at.
        frames: close after this many frames (default: when you close it).
        screenshot_dir: where ``s`` writes ``{title}-001.png``, ... (the
            renderer's size, the window's view).

    Raises:
        NoDisplayError: no display here (render headless instead).

    Example::

        cam = forge3d.show(r)
        print(cam)                       # OrbitCamera(azimuth_deg=..., ...)
        cam.apply(other_renderer)        # the same view elsewhere
    """
    camera = _view_args(renderer, camera)
    if not isinstance(title, str):
        raise TypeError(f"title must be a str, got {type(title).__name__}")
    w = renderer.width if width is None else _check_int("width", width)
    h = renderer.height if height is None else _check_int("height", height)
    rate = _check_positive("fps", fps)
    limit = None if frames is None else _check_int("frames", frames)
    _require_display("show")
    shots = _Screenshots(renderer, screenshot_dir, title, lambda: camera)
    controls = OrbitControls(camera, renderer, on_screenshot=shots)

    def on_frame(width: int, height: int) -> bool:
        camera.apply(renderer)
        return True

    run_window(
        renderer,
        on_frame,
        lambda: controls,
        title=title,
        size=(w, h),
        fps=rate,
        frames=limit,
        screenshot=shots,
    )
    camera.apply(renderer)
    return camera
