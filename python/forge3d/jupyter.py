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
viewer) the output is a still image: the frame shown when the output was
made.

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
from .ledger import _record_encode
from .window import _Screenshots, _view_args

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

  let url = null;        // the URL shown
  let loading = null;    // the URL being decoded
  let inflight = false;  // an input was sent: wait for its frame (or "idle")
  let last = 0;
  let timer = null;
  // Motion waiting to be sent, a segment per (button, shift): a turn is
  // never applied as a pan.
  let moves = [];
  let notches = 0;

  const size = () => { img.style.width = model.get("width") + "px"; };
  const release = (u) => { if (u) URL.revokeObjectURL(u); };
  const arrived = () => { inflight = false; flush(); };
  // Each frame comes with a new frame_number (the bytes may be the same).
  const show = () => {
    const data = model.get("frame");
    if (!data || data.byteLength === 0) return;
    const next = URL.createObjectURL(new Blob([data], { type: "image/" + model.get("format") }));
    const number = model.get("frame_number");
    release(loading);
    loading = next;
    img.onload = () => {
      if (loading !== next) return;
      release(url);
      url = next;
      loading = null;
      img.dataset.frame = String(number);
      arrived();
    };
    img.onerror = () => { if (loading === next) { release(next); loading = null; arrived(); } };
    img.src = next;
    size();
  };

  // One input message at a time, at most max_fps a second.
  const flush = () => {
    if (inflight || (moves.length === 0 && notches === 0)) return;
    const now = performance.now();
    const gap = 1000 / Math.max(1, model.get("max_fps"));
    if (now - last < gap) {
      if (timer === null) timer = setTimeout(() => { timer = null; flush(); }, gap - (now - last));
      return;
    }
    model.send({ type: "input", moves, notches });
    moves = [];
    notches = 0;
    inflight = true;
    last = now;
    // Never wait for ever (a lost message): go on after 2 s.
    setTimeout(() => { if (inflight && performance.now() - last >= 2000) arrived(); }, 2000);
  };

  let drag = null;
  const end = (e) => {
    drag = null;
    if (e && img.hasPointerCapture(e.pointerId)) img.releasePointerCapture(e.pointerId);
  };
  img.addEventListener("pointerdown", (e) => {
    img.focus();
    img.setPointerCapture(e.pointerId);
    drag = { x: e.clientX, y: e.clientY, button: ["left", "middle", "right"][e.button] || "left" };
    e.preventDefault();
  });
  img.addEventListener("pointermove", (e) => {
    if (drag === null) return;
    if (e.buttons === 0) { end(e); return; }
    // Image pixels, whatever size the page shows it at.
    const scale = img.naturalWidth > 0 && img.clientWidth > 0 ? img.naturalWidth / img.clientWidth : 1;
    const dx = (e.clientX - drag.x) * scale;
    const dy = (e.clientY - drag.y) * scale;
    drag.x = e.clientX;
    drag.y = e.clientY;
    const top = moves[moves.length - 1];
    if (top && top[2] === drag.button && top[3] === e.shiftKey) { top[0] += dx; top[1] += dy; }
    else moves.push([dx, dy, drag.button, e.shiftKey]);
    flush();
  });
  img.addEventListener("pointerup", end);
  img.addEventListener("pointercancel", end);
  img.addEventListener("lostpointercapture", () => { drag = null; });
  img.addEventListener("contextmenu", (e) => e.preventDefault());
  img.addEventListener("wheel", (e) => {
    const per = e.deltaMode === 1 ? 3 : e.deltaMode === 2 ? 1 : 100;
    notches += -e.deltaY / per;
    e.preventDefault();
    flush();
  }, { passive: false });
  img.addEventListener("keydown", (e) => {
    if (e.key === "r" || e.key === "s") {
      model.send({ type: "key", name: e.key });
      e.preventDefault();
    }
  });

  model.on("change:frame_number", show);
  model.on("change:width", size);
  model.on("msg:custom", (msg) => { if (msg && msg.type === "idle") arrived(); });
  show();
  return () => { release(url); release(loading); if (timer !== null) clearTimeout(timer); };
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
        camera = _view_args(renderer, camera)
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
        h, w = rgba.shape[:2]
        out = io.BytesIO()
        # Images over the frame's memory (no copy); JPEG reads it as RGBX.
        if self.format == "png":
            image = Image.frombuffer("RGBA", (w, h), rgba, "raw", "RGBA", 0, 1)
            image.save(out, format="PNG", compress_level=1)
        else:
            image = Image.frombuffer("RGBX", (w, h), rgba, "raw", "RGBX", 0, 1)
            image.save(out, format="JPEG", quality=self._quality)
        _record_encode(self.format, rgba.nbytes, rgba.ctypes.data, "Jupyter viewer frame")
        return out.getvalue()

    # -- input ----------------------------------------------------------------

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """Input from the page: ``{"type": "input", "moves": [[dx, dy,
        button, shift], ...], "notches": n}`` or ``{"type": "key", "name":
        k}``. Each message is answered by a frame or, when the view did not
        change (or the input was malformed), by ``{"type": "idle"}``."""
        changed = False
        try:
            if isinstance(content, dict):
                try:
                    if content.get("type") == "input":
                        self._apply_input(content)
                    elif content.get("type") == "key":
                        self._controls.key(str(content.get("name", "")))
                except (TypeError, ValueError):
                    pass  # malformed input from a page: what came before it counts
                changed = self.refresh()
        finally:
            if not changed:
                self.send({"type": "idle"})

    def _apply_input(self, content: dict[str, Any]) -> None:
        size = (self.width, self.height)
        for move in content.get("moves") or []:
            dx, dy, button, shift = move
            if button not in ("left", "right", "middle"):
                raise ValueError(f"button {button!r}")
            self._controls.drag(float(dx), float(dy), button=button, shift=bool(shift), size=size)
        notches = float(content.get("notches") or 0.0)
        if notches:
            self._controls.wheel(notches)

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
