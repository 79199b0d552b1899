"""forge3d.jupyter.Viewer in a real browser: headless Chromium (Debian's
package) driven by Playwright opens a page that loads the widget's ES
module and speaks the Jupyter widget protocol to the Viewer in this
process: the kernel's side is ipywidgets itself (its comm replaced by one
that carries messages over HTTP to the page), the page's side a small
model that applies "update" messages (binary buffers included) and posts
"custom" messages back. Pointer, wheel and key input are Chromium's own
events on the widget's image.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

import forge3d
from forge3d.engine import OrbitCamera

try:
    import anywidget  # noqa: F401
except ImportError:
    if os.environ.get("CI"):
        raise
    pytest.skip("forge3d.jupyter needs anywidget (scripts/test.sh installs it)", allow_module_level=True)
from forge3d.jupyter import Viewer  # noqa: E402

W, H = 320, 240


def _scene() -> forge3d.Renderer:
    r = forge3d.Renderer(W, H)
    y, x = np.mgrid[0:96, 0:128].astype(np.float32)
    z = (np.sin(x / 9.0) * np.cos(y / 13.0) * 18.0 + x * 0.25 + 30.0).astype(np.float32)
    r.add_terrain(z, colormap="terrain")
    return r


def _expected(camera: OrbitCamera) -> np.ndarray:
    r = _scene()
    camera.apply(r)
    return np.asarray(r.render())


def _diff(a: np.ndarray, b: np.ndarray) -> float:
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


class Wire:
    """The kernel's end of a widget's comm: what ipywidgets sends is kept
    for the page; what the page posts is handed to the widget."""

    comm_id = "forge3d-test-viewer"
    kernel = True

    def __init__(self, data: dict, buffers: list) -> None:
        self.messages: list[tuple[dict, list[bytes]]] = [(dict(data, method="open"), buffers)]
        self.cond = threading.Condition()
        self.handler = None
        self.lock = threading.Lock()  # a kernel handles one message at a time

    def send(self, data=None, metadata=None, buffers=None) -> None:
        with self.cond:
            self.messages.append((data, [bytes(b) for b in buffers or []]))
            self.cond.notify_all()

    def on_msg(self, callback) -> None:
        self.handler = callback

    def close(self, *a, **k) -> None:
        pass

    def deliver(self, content: dict) -> None:
        with self.lock:
            self.handler({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})

    def customs(self) -> list[dict]:
        with self.cond:
            return [d["content"] for d, _ in self.messages if d.get("method") == "custom"]


PAGE = """<!doctype html>
<html><body><div id="out"></div>
<script type="module">
const values = {};
const listeners = {};
const fire = (ev, ...a) => (listeners[ev] || []).slice().forEach((cb) => cb(...a));
const model = {
  get: (k) => values[k],
  set: (k, v) => { values[k] = v; },
  save_changes: () => {},
  on: (ev, cb) => { (listeners[ev] ||= []).push(cb); },
  off: () => {},
  send: (content) => fetch("/custom", { method: "POST", body: JSON.stringify(content) }),
};
async function apply(m) {
  const state = m.data.state || {};
  const paths = m.data.buffer_paths || [];
  for (let i = 0; i < paths.length; i++) {
    const bytes = await (await fetch(`/buffer/${m.index}/${i}`)).arrayBuffer();
    state[paths[i][0]] = new DataView(bytes);
  }
  if (m.data.method === "custom") { fire("msg:custom", m.data.content, []); return; }
  Object.assign(values, state);
  for (const k of Object.keys(state)) fire("change:" + k, model, state[k]);
}
let seen = 0;
let started = false;
async function loop() {
  for (;;) {
    const batch = await (await fetch(`/messages?since=${seen}`)).json();
    for (const m of batch) {
      await apply(m);
      seen = m.index + 1;
      if (!started) {
        started = true;
        const mod = await import("/widget.js");
        mod.default.render({ model, el: document.getElementById("out") });
      }
    }
  }
}
loop();
</script></body></html>
"""


class Host:
    """Serves the page, the widget's module and the messages."""

    def __init__(self, viewer: Viewer, wire: Wire) -> None:
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a) -> None:
                pass

            def _reply(self, body: bytes, kind: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path == "/":
                    self._reply(PAGE.encode(), "text/html")
                elif self.path == "/widget.js":
                    self._reply(str(viewer._esm).encode(), "text/javascript")
                elif self.path.startswith("/messages"):
                    since = int(self.path.split("since=")[1])
                    with wire.cond:
                        wire.cond.wait_for(lambda: len(wire.messages) > since, timeout=10)
                        batch = [
                            {"index": i, "data": d, "buffers": len(b)}
                            for i, (d, b) in enumerate(wire.messages)
                            if i >= since
                        ]
                    self._reply(json.dumps(batch).encode(), "application/json")
                elif self.path.startswith("/buffer/"):
                    _, _, i, j = self.path.split("/")
                    self._reply(wire.messages[int(i)][1][int(j)], "application/octet-stream")
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                n = int(self.headers["Content-Length"])
                content = json.loads(self.rfile.read(n))
                wire.deliver(content)
                host.received.append(content)
                self._reply(b"{}", "application/json")

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address) -> None:
                # A page closed while its long poll was answered: not an error.
                if not isinstance(sys.exc_info()[1], ConnectionError):
                    super().handle_error(request, client_address)

        self.received: list[dict] = []
        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def _viewer(monkeypatch, **kwargs) -> tuple[Viewer, Wire]:
    import ipywidgets.comm

    wires: list[Wire] = []

    def create_comm(**args):
        wires.append(Wire(args.get("data", {}), args.get("buffers", [])))
        return wires[-1]

    monkeypatch.setattr(ipywidgets.comm, "create_comm", create_comm)
    viewer = Viewer(_scene(), **kwargs)
    # The Viewer's own comm (a DOMWidget opens one for its Layout first).
    (wire,) = [w for w in wires if "frame_number" in w.messages[0][0].get("state", {})]
    return viewer, wire


@pytest.fixture
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if chromium is None:
        msg = "Chromium and playwright are needed (apt-get install chromium; pip install playwright)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield b
        b.close()


def _page_pixels(page) -> np.ndarray:
    """The image the page shows, decoded by the browser."""
    data = page.evaluate(
        """() => {
        const img = document.querySelector("img.forge3d-viewer");
        const c = document.createElement("canvas");
        c.width = img.naturalWidth; c.height = img.naturalHeight;
        const g = c.getContext("2d");
        g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        let s = ""; for (let i = 0; i < d.length; i += 8192) s += String.fromCharCode(...d.subarray(i, i + 8192));
        return [c.width, c.height, btoa(s)];
    }"""
    )
    w, h, b64 = data
    return np.frombuffer(base64.b64decode(b64), np.uint8).reshape(h, w, 4)


def _shown_frame(page) -> int:
    v = page.evaluate('() => document.querySelector("img.forge3d-viewer")?.dataset.frame')
    return int(v) if v else 0


def _wait_shown(page, viewer: Viewer, want: np.ndarray, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        if _shown_frame(page) == viewer.frame_number:
            got = _page_pixels(page)
            if _diff(got, want) < 0.5:
                return got
        if time.monotonic() > deadline:
            pytest.fail(
                f"{what}: page shows frame {_shown_frame(page)} of {viewer.frame_number}; "
                f"differs from the headless render by {_diff(_page_pixels(page), want):.2f}"
            )
        time.sleep(0.05)


def test_viewer_in_a_browser_moves_the_camera_and_gets_new_frames(monkeypatch, browser):
    viewer, wire = _viewer(monkeypatch, format="png")
    host = Host(viewer, wire)
    try:
        page = browser.new_page(viewport={"width": 800, "height": 600})
        page.goto(host.url)
        page.wait_for_selector("img.forge3d-viewer[data-frame='1']", timeout=30_000)
        # The frame appears: the renderer's automatic view, pixel for pixel.
        start = _wait_shown(page, viewer, _expected(OrbitCamera()), "the first frame")
        assert len(np.unique(start.reshape(-1, 4), axis=0)) > 200
        box = page.locator("img.forge3d-viewer").bounding_box()
        assert (box["width"], box["height"]) == (W, H)
        cx, cy = box["x"] + W / 2, box["y"] + H / 2

        # A drag of 100 px to the right: +40 degrees of azimuth on the
        # Python side, and a new frame of that view arrives.
        page.mouse.move(cx, cy)
        page.mouse.down()
        page.mouse.move(cx + 100, cy, steps=5)
        page.mouse.up()
        deadline = time.monotonic() + 30
        while viewer.camera.azimuth_deg != pytest.approx(240.0) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert viewer.camera.azimuth_deg == pytest.approx(240.0)
        turned = _wait_shown(page, viewer, _expected(OrbitCamera(azimuth_deg=240.0)), "the drag")
        assert _diff(turned, start) > 5.0
        assert {m["type"] for m in host.received} == {"input"}
        assert all(mv[2] == "left" and not mv[3] for m in host.received for mv in m["moves"])

        # The wheel, one notch away from the user: 1.15x closer.
        page.mouse.wheel(0, -100)
        zoomed = OrbitCamera(azimuth_deg=240.0).zoom(1.15)
        _wait_shown(page, viewer, _expected(zoomed), "the wheel")
        assert viewer.camera.to_dict()["zoom"] == pytest.approx(1.15)

        # r (the image has focus after a click): the first view again.
        page.keyboard.press("r")
        _wait_shown(page, viewer, start, "r")

        # Setting the camera from Python sends its frame.
        viewer.camera = OrbitCamera(azimuth_deg=90.0, elevation_deg=60.0)
        _wait_shown(page, viewer, _expected(OrbitCamera(azimuth_deg=90.0, elevation_deg=60.0)), "set")
        page.close()
    finally:
        host.close()


def test_viewer_sends_at_a_bounded_rate_and_loses_no_motion(monkeypatch, browser):
    viewer, wire = _viewer(monkeypatch, format="jpeg", max_fps=4)
    host = Host(viewer, wire)
    try:
        page = browser.new_page(viewport={"width": 800, "height": 600})
        page.goto(host.url)
        page.wait_for_selector("img.forge3d-viewer[data-frame='1']", timeout=30_000)
        box = page.locator("img.forge3d-viewer").bounding_box()
        cx, cy = box["x"] + W / 2, box["y"] + H / 2
        before = viewer.frame_number
        page.mouse.move(cx - 60, cy)
        page.mouse.down()
        page.mouse.move(cx + 60, cy, steps=60)  # 60 moves of 2 px
        page.mouse.up()
        deadline = time.monotonic() + 30
        while viewer.camera.azimuth_deg != pytest.approx(248.0) and time.monotonic() < deadline:
            time.sleep(0.05)
        # All 120 px arrived (200 + 120 * 0.4 degrees) ...
        assert viewer.camera.azimuth_deg == pytest.approx(248.0)
        # ... in far fewer messages and frames than moves: one frame for
        # each message, once the last has arrived.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (
            viewer._shown == viewer._state(viewer.camera)
            and _shown_frame(page) == viewer.frame_number
            and len(host.received) == viewer.frame_number - before
        ):
            time.sleep(0.05)
        sent = viewer.frame_number - before
        assert 1 <= sent < 20, sent
        assert len(host.received) == sent
        # JPEG frames: the page decodes them.
        assert _diff(_page_pixels(page)[..., :3], _expected(OrbitCamera(azimuth_deg=248.0))[..., :3]) < 6
        page.close()
    finally:
        host.close()


def test_viewer_renders_only_when_the_view_changes(monkeypatch):
    viewer, wire = _viewer(monkeypatch, format="png")
    n = viewer.frame_number
    assert n == 1
    wire.deliver({"type": "input", "moves": [], "notches": 0})
    wire.deliver({"type": "key", "name": "x"})
    assert viewer.frame_number == n
    assert wire.customs() == [{"type": "idle"}, {"type": "idle"}]
    assert viewer.refresh() is False
    wire.deliver({"type": "input", "moves": [[10, 0, "left", False]], "notches": 0})
    assert viewer.frame_number == n + 1 and viewer.camera.azimuth_deg == pytest.approx(204.0)
    viewer.update()  # explicit, after a scene change
    assert viewer.frame_number == n + 2
    # A turn then a pan in one message: each applied as what it was.
    wire.deliver({"type": "input", "moves": [[5, 0, "left", False], [3, 0, "left", True]]})
    assert viewer.camera.azimuth_deg == pytest.approx(206.0) and viewer.camera.target is not None
    assert viewer.frame_number == n + 3
    # Malformed input is dropped (what came before it counts), never raised
    # into the kernel, and always answered.
    idle = len(wire.customs())
    wire.deliver({"type": "input", "moves": [[5, 0, "left", False], [1, 0, "fourth", False]]})
    assert viewer.camera.azimuth_deg == pytest.approx(208.0) and viewer.frame_number == n + 4
    wire.deliver({"type": "input", "moves": "nonsense"})
    wire.deliver(["not", "a", "dict"])  # type: ignore[arg-type]
    assert len(wire.customs()) == idle + 2 and viewer.frame_number == n + 4


@pytest.mark.parametrize("fmt", ["jpeg", "png"])
def test_viewer_frames_are_encoded_once_and_recorded(monkeypatch, fmt):
    import forge3d

    viewer, wire = _viewer(monkeypatch, format=fmt)
    with forge3d.copy_ledger() as ledger:
        wire.deliver({"type": "input", "moves": [[10, 0, "left", False]], "notches": 0})
    # The render copies nothing; the encoding reads the frame once.
    w, h = viewer.width, viewer.height
    assert [(r.operation, r.bytes) for r in ledger.records] == [(f"{fmt}_encode", w * h * 4)]
    with pytest.raises(ValueError, match="format must be 'png' or 'jpeg', got 'gif'"):
        forge3d._forge3d._ledger_encode("gif", 1, 0, "test")


def test_viewer_exports_a_still_image(monkeypatch):
    from PIL import Image

    viewer, _ = _viewer(monkeypatch, format="png")
    bundle = viewer._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    still = np.asarray(Image.open(io.BytesIO(base64.b64decode(data["image/png"]))))
    assert _diff(still, _expected(OrbitCamera())) == 0.0


def test_viewer_in_a_notebook_exported_to_html_is_a_still_image(monkeypatch):
    """nbconvert (no widget state saved) shows the frame as an <img>."""
    import re

    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert")
    from PIL import Image

    viewer, _ = _viewer(monkeypatch, format="png")
    bundle = viewer._repr_mimebundle_()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("viewer")
    cell.outputs = [nbformat.v4.new_output("display_data", data=bundle[0] if isinstance(bundle, tuple) else bundle)]
    nb.cells.append(cell)
    html, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    (b64,) = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    still = np.asarray(Image.open(io.BytesIO(base64.b64decode(b64))))
    assert _diff(still, _expected(OrbitCamera())) == 0.0


def test_viewer_checks_its_arguments(monkeypatch):
    r = _scene()
    with pytest.raises(TypeError, match="renderer must be a forge3d.Renderer"):
        Viewer("r")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="camera must be"):
        Viewer(r, camera="top")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="format must be 'jpeg' or 'png'"):
        Viewer(r, format="gif")
    with pytest.raises(ValueError, match="quality"):
        Viewer(r, quality=0)
    with pytest.raises(ValueError, match="max_fps"):
        Viewer(r, max_fps=0)
    viewer, _ = _viewer(monkeypatch)
    with pytest.raises(TypeError, match="OrbitCamera"):
        viewer.camera = "north"  # type: ignore[assignment]


def test_without_anywidget_the_import_says_what_to_install():
    code = "import sys; sys.modules['anywidget'] = None; import forge3d.jupyter"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode != 0
    assert "pip install anywidget" in out.stderr
