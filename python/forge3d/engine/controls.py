"""Mouse and keyboard to an :class:`OrbitCamera`: one model for the native
window (:func:`forge3d.show`, ``Engine(interactive=True)``) and the Jupyter
widget (:class:`forge3d.jupyter.Viewer`), so a view found by hand is the
camera's state and renders the same headless.

Controls:

* drag (left button): orbit: right turns the scene right (azimuth up),
  down lifts the eye (elevation up);
* shift + drag, right or middle drag: pan (the scene follows the pointer);
* wheel: zoom (away from you: closer);
* ``r``: back to the view the controls started with;
* ``s``: save a screenshot (what ``on_screenshot`` does; the window writes
  a PNG);
* ``q`` or Escape: close (the window; the widget ignores it).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .._forge3d import Renderer
from ._checks import _check_real
from .camera import OrbitCamera

__all__ = ["OrbitControls"]


class OrbitControls:
    """Turns pointer and key input into changes of an :class:`OrbitCamera`.

    Args:
        camera: the camera to move (changed in place).
        renderer: the renderer whose scene the camera frames (its bounds
            give an automatic camera's target and distance when panning).
        on_screenshot: called with no arguments for the ``s`` key.

    Attributes:
        degrees_per_pixel: orbit speed (default 0.4).
        zoom_per_notch: zoom factor per wheel notch (default 1.15).

    Example::

        cam = OrbitCamera()
        controls = OrbitControls(cam, renderer)
        controls.drag(120, 0)        # the scene turns 48 degrees to the right
        controls.wheel(2)            # closer by 1.15 ** 2
        cam.apply(renderer)          # the same view headless
    """

    degrees_per_pixel = 0.4
    zoom_per_notch = 1.15

    def __init__(
        self,
        camera: OrbitCamera,
        renderer: Renderer,
        *,
        on_screenshot: Callable[[], Any] | None = None,
    ) -> None:
        if not isinstance(camera, OrbitCamera):
            raise TypeError(
                f"camera must be a forge3d.engine.OrbitCamera, got {type(camera).__name__}"
            )
        self.camera = camera
        self.renderer = renderer
        self.on_screenshot = on_screenshot
        self._start = copy.deepcopy(camera)

    def drag(
        self,
        dx: float,
        dy: float,
        *,
        button: str = "left",
        shift: bool = False,
        size: tuple[int, int] | None = None,
    ) -> None:
        """The pointer moved by (``dx``, ``dy``) pixels (y down) with ``button``
        ("left", "right" or "middle") held; ``size`` is the view's (width,
        height) in pixels (default: the renderer's)."""
        dx, dy = _check_real("dx", dx), _check_real("dy", dy)
        if button not in ("left", "right", "middle"):
            raise ValueError(f"button must be 'left', 'right' or 'middle', got {button!r}")
        if button == "left" and not shift:
            self.camera.orbit(dx * self.degrees_per_pixel, dy * self.degrees_per_pixel)
        else:
            self.pan(dx, dy, size=size)

    def pan(self, dx: float, dy: float, *, size: tuple[int, int] | None = None) -> None:
        """Moves the target across the view so the scene follows a pointer
        moved by (``dx``, ``dy``) pixels (y down)."""
        w, h = size if size is not None else (self.renderer.width, self.renderer.height)
        cam = self.camera
        if cam.target is None or cam.distance is None:
            # An automatic camera: freeze it where it is for this view's aspect.
            eye, target = cam.resolve(self.renderer.scene_bounds(), w / h)
            cam.target = target
            cam.distance = float(np.linalg.norm(np.subtract(eye, target)))
            cam._auto_scale = 1.0
        assert cam.target is not None and cam.distance is not None
        # World units per pixel at the target's depth.
        per_px = 2.0 * cam.distance * math.tan(math.radians(cam.fovy_deg) / 2.0) / h
        forward = -cam.direction()
        right = np.cross(forward, OrbitCamera.UP)
        norm = float(np.linalg.norm(right))
        if norm < 1e-9:  # looking straight down or up
            az = math.radians(cam.azimuth_deg)
            right = np.array([math.cos(az), -math.sin(az), 0.0])
        else:
            right = right / norm
        up = np.cross(right, forward)
        move = (-dx * right + dy * up) * per_px
        cam.target = tuple(float(v) for v in np.add(cam.target, move))  # type: ignore[assignment]

    def wheel(self, notches: float) -> None:
        """The wheel turned ``notches`` (positive: away from the user, closer)."""
        n = _check_real("notches", notches)
        self.camera.zoom(self.zoom_per_notch**n)

    def key(self, name: str) -> bool:
        """A key was pressed (its character, or "escape"); False means close."""
        if name == "r":
            self.reset()
        elif name == "s" and self.on_screenshot is not None:
            self.on_screenshot()
        elif name in ("q", "escape"):
            return False
        return True

    def reset(self) -> None:
        """Puts the camera back as it was when these controls were made."""
        start = self._start
        cam = self.camera
        cam.target, cam.distance, cam.fovy_deg = start.target, start.distance, start.fovy_deg
        cam.azimuth_deg, cam.elevation_deg = start.azimuth_deg, start.elevation_deg
        cam._auto_scale = start._auto_scale

    def handle(self, kind: str, data: tuple[Any, ...], size: tuple[int, int]) -> bool:
        """Dispatches one input as the window and the widget send it:
        ("drag", (dx, dy, button, shift)), ("wheel", (notches,)) or
        ("key", (name,)); False means close."""
        if kind == "drag":
            dx, dy, button, shift = data
            self.drag(dx, dy, button=button, shift=bool(shift), size=size)
        elif kind == "wheel":
            self.wheel(data[0])
        elif kind == "key":
            return self.key(str(data[0]))
        else:
            raise ValueError(f"kind must be 'drag', 'wheel' or 'key', got {kind!r}")
        return True

    def __repr__(self) -> str:
        return f"OrbitControls({self.camera!r})"
