"""A Jupyter widget that shows a renderer's frames and moves its camera.

``Viewer(renderer)`` (anywidget; ``pip install anywidget pillow``) shows the
scene in a notebook, VS Code or any Jupyter front end. Drag to orbit,
shift-drag or right-drag to pan, wheel to zoom; with the image focused
(click it), ``r`` resets the view and ``s`` saves a screenshot. These are
the window's controls (:class:`forge3d.engine.OrbitControls`) on the same
:class:`forge3d.engine.OrbitCamera`, so ``viewer.camera`` renders the same
view headless.

Frames travel as JPEG (default) or PNG at the renderer's size. A frame is
rendered only when the view changes (input, or ``viewer.camera = ...``) or
when you call :meth:`Viewer.update` after changing the scene; the page asks
for the next one only when the last has arrived, at most ``max_fps`` a
second. Where no widget can run (a notebook exported to HTML, GitHub's
viewer) the output is the last frame as a still image.

Example::

    import forge3d
    from forge3d.jupyter import Viewer

    r = forge3d.Renderer(800, 500)
    r.add_terrain(forge3d.datasets.jacksboro(), colormap="terrain")
    viewer = Viewer(r)
    viewer                                  # the last line of a cell shows it
    # ... look around, then:
    cam = viewer.camera                     # an OrbitCamera
    cam.apply(r); r.render().to_png("view.png")
"""

from __future__ import annotations

import base64
import io
import os
import time
from typing import Any

try:
    import anywidget
    import traitlets
except ImportError as e:  # pragma: no cover - exercised without anywidget
    raise ModuleNotFoundError(
        "forge3d.jupyter needs anywidget: pip install anywidget pillow"
    ) from e

from ._forge3d import Renderer
from .engine.camera import OrbitCamera
from .engine.controls import OrbitControls
from .window import _Screenshots

__all__ = ["Viewer"]

_ESM = r"""
// forge3d Viewer: shows frames, sends pointer, wheel and key input back.
function render({ model, el }) {
  const img = document.createElement("img");
  img.className = "forge3d-viewer";
  img.draggable = false;
  img.tabIndex = 0;
  img.alt = "forge3d frame";
  el.appendChild(img);

  let url = null;
  let inflight = false;   // an input was sent; wait for its frame
  let sentAt = 0;
  let last = 0;
  let pending = { dx: 0, dy: 0, notches: 0, button: "left", shift: false };
  let timer = null;

  const size = () => {
    img.style.width = model.get("width") + "px";
    img.style.height = model.get("height") + "px";
  };
  const show = () => {
    const data = model.get("frame");
    if (!data || data.byteLength === 0) return;
    const next = URL.createObjectURL(new Blob([data], { type: "image/" + model.get("format") }));
    const number = model.get("frame_number");
    img.onload = () => {
      if (url) URL.revokeObjectURL(url);
      url = next;
      img.dataset.frame = String(number);
      inflight = false;
      flush();
    };
    img.src = next;
    size();
  };

  // One input message at a time, at most max_fps a second; what arrives
  // meanwhile is summed into the next one.
  const flush = () => {
    const now = performance.now();
    if (inflight && now - sentAt < 2000) return;
    if (pending.dx === 0 && pending.dy === 0 && pending.notches === 0) return;
    const gap = 1000 / Math.max(1, model.get("max_fps"));
    if (now - last < gap) {
      if (timer === null) timer = setTimeout(() => { timer = null; flush(); }, gap - (now - last));
      return;
    }
    model.send({ type: "input", ...pending });
    pending = { dx: 0, dy: 0, notches: 0, button: pending.button, shift: pending.shift };
    inflight = true;
    sentAt = last = now;
  };

  let drag = null;
  img.addEventListener("pointerdown", (e) => {
    img.focus();
    img.setPointerCapture(e.pointerId);
    drag = { x: e.clientX, y: e.clientY };
    pending.button = ["left", "middle", "right"][e.button] || "left";
    e.preventDefault();
  });
  img.addEventListener("pointermove", (e) => {
    if (drag === null) return;
    // Image pixels, whatever size the page shows it at.
    const scale = img.naturalWidth > 0 && img.clientWidth > 0 ? img.naturalWidth / img.clientWidth : 1;
    pending.dx += (e.clientX - drag.x) * scale;
    pending.dy += (e.clientY - drag.y) * scale;
    pending.shift = e.shiftKey;
    drag = { x: e.clientX, y: e.clientY };
    flush();
  });
  const end = (e) => {
    drag = null;
    if (img.hasPointerCapture(e.pointerId)) img.releasePointerCapture(e.pointerId);
  };
  img.addEventListener("pointerup", end);
  img.addEventListener("pointercancel", end);
  img.addEventListener("contextmenu", (e) => e.preventDefault());
  img.addEventListener("wheel", (e) => {
    const per = e.deltaMode === 1 ? 3 : e.deltaMode === 2 ? 1 : 100;
    pending.notches += -e.deltaY / per;
    e.preventDefault();
    flush();
  }, { passive: false });
  img.addEventListener("keydown", (e) => {
    if (e.key === "r" || e.key === "s") {
      model.send({ type: "key", name: e.key });
      e.preventDefault();
    }
  });

  model.on("change:frame", show);
  model.on("change:width", size);
  model.on("change:height", size);
  model.on("msg:custom", (msg) => {
    if (msg && msg.type === "idle") { inflight = false; flush(); }
  });
  show();
  return () => { if (url) URL.revokeObjectURL(url); };
}
export default { render };
"""

_CSS = """
.forge3d-viewer { display: block; max-width: 100%; height: auto; cursor: grab;
  touch-action: none; user-select: none; outline: none; }
.forge3d-viewer:active { cursor: grabbing; }
"""


class Viewer(anywidget.AnyWidget):
    """Shows ``renderer``'s scene in a notebook and moves its camera.

    Args:
        renderer: the scene (its size is the frames' size; its camera is
            set to the viewer's before each frame).
        camera: the :class:`forge3d.engine.OrbitCamera` to start from and
            move (default: a new one, the renderer's automatic view).
        format: "jpeg" (default; smaller) or "png" (exact).
        quality: JPEG quality, 1..95.
        max_fps: at most this many frames a second while you drag.
        screenshot_dir: where ``s`` writes ``forge3d-001.png``, ...

    Attributes:
        frame_number: frames sent so far.

    Raises:
        ModuleNotFoundError: Pillow is missing (frames are encoded with it).
    """

    _esm = _ESM
    _css = _CSS
    frame = traitlets.Bytes(b"").tag(sync=True)
    format = traitlets.Unicode("jpeg").tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)
    max_fps = traitlets.Float(30.0).tag(sync=True)
    frame_number = traitlets.Int(0).tag(sync=True)

    def __init__(
        self,
        renderer: Renderer,
        *,
        camera: OrbitCamera | None = None,
        format: str = "jpeg",
        quality: int = 85,
        max_fps: float = 30.0,
        screenshot_dir: str | os.PathLike[str] = ".",
    ) -> None:
        if not isinstance(renderer, Renderer):
            raise TypeError(f"renderer must be a forge3d.Renderer, got {type(renderer).__name__}")
        if camera is None:
            camera = OrbitCamera()
        elif not isinstance(camera, OrbitCamera):
            raise TypeError(
                f"camera must be a forge3d.engine.OrbitCamera or None, got {type(camera).__name__}"
            )
        if format not in ("jpeg", "png"):
            raise ValueError(f"format must be 'jpeg' or 'png', got {format!r}")
        if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 95:
            raise ValueError(f"quality must be an int in 1..95, got {quality!r}")
        if isinstance(max_fps, bool) or not isinstance(max_fps, (int, float)) or not max_fps > 0:
            raise ValueError(f"max_fps must be a positive number, got {max_fps!r}")
        try:
            import PIL.Image  # noqa: F401
        except ImportError as e:
            raise ModuleNotFoundError(
                "forge3d.jupyter.Viewer encodes frames with Pillow: pip install pillow"
            ) from e
        super().__init__(
            format=format,
            width=renderer.width,
            height=renderer.height,
            max_fps=float(max_fps),
        )
        self._renderer = renderer
        self._quality = quality
        self._shots = _Screenshots(renderer, screenshot_dir, "forge3d")
        self._controls = OrbitControls(camera, renderer, on_screenshot=self._shots)
        self._shown: tuple[Any, ...] | None = None
        self.render_seconds = 0.0
        self.on_msg(self._on_msg)
        self.update()

    # -- the view -----------------------------------------------------------

    @property
    def renderer(self) -> Renderer:
        """The renderer whose scene is shown."""
        return self._renderer

    @property
    def camera(self) -> OrbitCamera:
        """The camera the frames are drawn with (an :class:`OrbitCamera`,
        moved in place by input). Set it to another to change the view;
        ``viewer.camera.apply(renderer)`` gives the same view headless."""
        return self._controls.camera

    @camera.setter
    def camera(self, value: OrbitCamera) -> None:
        if not isinstance(value, OrbitCamera):
            raise TypeError(f"camera must be a forge3d.engine.OrbitCamera, got {type(value).__name__}")
        self._controls = OrbitControls(value, self._renderer, on_screenshot=self._shots)
        self.refresh()

    @staticmethod
    def _state(cam: OrbitCamera) -> tuple[Any, ...]:
        v = cam.to_dict()
        return tuple(v[k] for k in sorted(v))

    def refresh(self) -> bool:
        """Renders and sends a frame if the view changed since the last one;
        True when it did."""
        if self._state(self.camera) == self._shown:
            return False
        self.update()
        return True

    def update(self) -> None:
        """Renders and sends a frame now (call it after changing the scene)."""
        cam = self.camera
        t0 = time.perf_counter()
        cam.apply(self._renderer)
        encoded = self._encode(self._renderer.render())
        self.render_seconds = time.perf_counter() - t0
        self._shown = self._state(cam)
        with self.hold_sync():  # one message: the page sees both together
            self.frame = encoded
            self.frame_number += 1

    def _encode(self, frame: Any) -> bytes:
        import numpy as np
        from PIL import Image

        rgba = np.asarray(frame)  # the frame's memory, no copy
        out = io.BytesIO()
        if self.format == "png":
            Image.fromarray(rgba, "RGBA").save(out, format="PNG", compress_level=1)
        else:
            Image.fromarray(rgba[..., :3], "RGB").save(out, format="JPEG", quality=self._quality)
        return out.getvalue()

    # -- input ----------------------------------------------------------------

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        size = (self.width, self.height)
        changed = False
        if kind == "input":
            dx, dy = float(content.get("dx", 0.0)), float(content.get("dy", 0.0))
            button = content.get("button", "left")
            if button not in ("left", "right", "middle"):
                button = "left"
            if dx or dy:
                self._controls.drag(dx, dy, button=button, shift=bool(content.get("shift")), size=size)
            notches = float(content.get("notches", 0.0))
            if notches:
                self._controls.wheel(notches)
            changed = self.refresh()
        elif kind == "key":
            self._controls.key(str(content.get("name", "")))
            changed = self.refresh()
        if not changed:
            self.send({"type": "idle"})

    # -- outside a widget front end ------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget, plus the last frame as a still image for front ends
        (and exported HTML) that cannot run widgets."""
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict) and self.frame:
            data[f"image/{self.format}"] = base64.b64encode(self.frame).decode("ascii")
        return bundle

    def __repr__(self) -> str:
        return (
            f"Viewer({self.width}x{self.height}, {self.format}, frames={self.frame_number}, "
            f"camera={self.camera!r})"
        )
