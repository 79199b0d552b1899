"""The native window (forge3d.show, Engine(interactive=True)) under a real X
server: Xvfb, driven by xdotool's synthetic input, read back with an X
screenshot and compared with the same view rendered headless.

Each window runs in a child process (one event loop per process, and a
child that hangs cannot hang the suite); the parent drives it and checks
what the X server shows. scripts/test.sh installs Xvfb and xdotool.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import forge3d
from forge3d.engine import Engine, OrbitCamera, OrbitControls

W, H = 320, 240

SCENE = """
import numpy as np, forge3d
def scene(width=320, height=240):
    r = forge3d.Renderer(width, height)
    y, x = np.mgrid[0:96, 0:128].astype(np.float32)
    z = (np.sin(x / 9.0) * np.cos(y / 13.0) * 18.0 + x * 0.25 + 30.0).astype(np.float32)
    r.add_terrain(z, colormap="terrain")
    return r
"""


def _scene(width: int = W, height: int = H) -> forge3d.Renderer:
    ns: dict = {}
    exec(SCENE, ns)
    return ns["scene"](width, height)


def _tools() -> tuple[str, str]:
    xvfb, xdotool = shutil.which("Xvfb"), shutil.which("xdotool")
    if xvfb is None or xdotool is None:
        msg = "Xvfb and xdotool are needed (apt-get install xvfb xdotool; scripts/test.sh does)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return xvfb, xdotool


@pytest.fixture(scope="module")
def display():
    """A private Xvfb display for this module's windows."""
    xvfb, _ = _tools()
    for n in range(90 + os.getpid() % 50, 400):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            break
    name = f":{n}"
    proc = subprocess.Popen(
        [xvfb, name, "-screen", "0", "800x600x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while not Path(f"/tmp/.X11-unix/X{n}").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"Xvfb {name} did not start")
        time.sleep(0.05)
    yield name
    proc.terminate()
    proc.wait(10)


def _xdo(display: str, *args: str) -> str:
    env = dict(os.environ, DISPLAY=display)
    out = subprocess.run(
        ["xdotool", *args], env=env, capture_output=True, text=True, timeout=30, check=True
    )
    return out.stdout.strip()


class Child:
    """A Python child process running ``body`` (after SCENE) on ``display``."""

    def __init__(self, display: str, body: str, tmp: Path, title: str) -> None:
        script = tmp / "child.py"
        script.write_text(SCENE + textwrap.dedent(body))
        env = dict(os.environ, DISPLAY=display)
        self.display, self.title = display, title
        self.proc = subprocess.Popen(
            [sys.executable, str(script)],
            env=env,
            cwd=tmp,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.wid = self._window()

    def _window(self) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                out, err = self.proc.communicate()
                pytest.fail(f"the child exited early ({self.proc.returncode}):\n{out}\n{err}")
            try:
                wid = _xdo(self.display, "search", "--name", f"^{self.title}$")
            except subprocess.CalledProcessError:
                wid = ""
            if wid:
                return wid.splitlines()[0]
            time.sleep(0.1)
        self.proc.kill()
        pytest.fail("no window appeared within 60 s")

    def geometry(self) -> tuple[int, int, int, int]:
        out = _xdo(self.display, "getwindowgeometry", "--shell", self.wid)
        g = dict(line.split("=") for line in out.splitlines())
        return int(g["X"]), int(g["Y"]), int(g["WIDTH"]), int(g["HEIGHT"])

    def shot(self) -> np.ndarray:
        """The window's pixels as the X server has them (RGB)."""
        from PIL import ImageGrab

        x, y, w, h = self.geometry()
        im = ImageGrab.grab(bbox=(x, y, x + w, y + h), xdisplay=self.display)
        return np.asarray(im.convert("RGB"))

    def finish(self, timeout: float = 60) -> tuple[str, str]:
        out, err = self.proc.communicate(timeout=timeout)
        assert self.proc.returncode == 0, f"child failed ({self.proc.returncode}):\n{out}\n{err}"
        return out, err


def _expected(camera: OrbitCamera, size: tuple[int, int] = (W, H)) -> np.ndarray:
    r = _scene(*size)
    camera.apply(r)
    return np.asarray(r.render())[..., :3]


def _diff(a: np.ndarray, b: np.ndarray) -> float:
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def _wait_for(child: Child, want: np.ndarray, what: str, timeout: float = 30) -> np.ndarray:
    """Polls the window until it shows ``want`` (mean difference < 0.5 of
    255, well below what a view change makes); fails naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        got = child.shot()
        d = _diff(got, want)
        if d < 0.5:
            return got
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: the window differs from the headless render by {d:.2f} on average")
        time.sleep(0.1)


SHOW = """
import json, forge3d
r = scene()
cam = forge3d.show(r, title="{title}", fps=30)
# The renderer stays usable headless, at the window's last view.
frame = r.render()
cam2 = forge3d.engine.OrbitCamera(
    azimuth_deg=cam.azimuth_deg, elevation_deg=cam.elevation_deg,
    target=cam.target, distance=cam.distance)
print(json.dumps(dict(azimuth=cam.azimuth_deg, elevation=cam.elevation_deg,
    target=cam.target, distance=cam.distance, zoom=cam.to_dict()["zoom"],
    shape=list(frame.shape))))
"""


def test_show_draws_the_scene_and_the_mouse_moves_the_camera(display, tmp_path):
    title = "forge3d-show-test"
    child = Child(display, SHOW.format(title=title), tmp_path, title)
    x, y, w, h = child.geometry()
    assert (w, h) == (W, H)
    # The first view is the renderer's automatic one, drawn as headless.
    start = _wait_for(child, _expected(OrbitCamera()), "the first frame")
    # Terrain, not the background: many distinct colours.
    assert len(np.unique(start.reshape(-1, 3), axis=0)) > 200

    # Drag right by 100 px: the scene turns right, azimuth + 40 degrees.
    _xdo(display, "mousemove", "--window", child.wid, "160", "120")
    _xdo(display, "mousedown", "1")
    _xdo(display, "mousemove_relative", "--", "100", "0")
    _xdo(display, "mouseup", "1")
    turned = _wait_for(child, _expected(OrbitCamera(azimuth_deg=240.0)), "after the drag")
    assert _diff(turned, start) > 5.0
    # Not the other way round.
    assert _diff(turned, _expected(OrbitCamera(azimuth_deg=160.0))) > 5.0

    # Drag down by 25 px: the eye rises 10 degrees.
    _xdo(display, "mousedown", "1")
    _xdo(display, "mousemove_relative", "--", "0", "25")
    _xdo(display, "mouseup", "1")
    _wait_for(
        child, _expected(OrbitCamera(azimuth_deg=240.0, elevation_deg=45.0)), "after tilting"
    )

    # Wheel away from the user: closer. An XTEST click of button 4 is a
    # press and a release, and winit's X11 backend reports a notch for
    # each (a real wheel arrives as one axis motion): 1.15 ** 2.
    _xdo(display, "click", "4")
    zoomed = OrbitCamera(azimuth_deg=240.0, elevation_deg=45.0).zoom(1.15**2)
    _wait_for(child, _expected(zoomed), "after the wheel")

    # s: a screenshot of this view at the renderer's size.
    _xdo(display, "windowfocus", "--sync", child.wid)
    _xdo(display, "key", "s")
    shot = tmp_path / f"{title}-001.png"
    deadline = time.monotonic() + 20
    while not shot.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    from PIL import Image

    time.sleep(0.3)  # written completely
    assert _diff(np.asarray(Image.open(shot).convert("RGB")), _expected(zoomed)) < 0.5

    # r: back to the first view.
    _xdo(display, "key", "r")
    _wait_for(child, start, "after r")

    # Shift + drag pans: the target leaves the automatic centre.
    _xdo(display, "keydown", "shift")
    _xdo(display, "mousedown", "1")
    _xdo(display, "mousemove_relative", "--", "40", "0")
    _xdo(display, "mouseup", "1")
    _xdo(display, "keyup", "shift")
    deadline = time.monotonic() + 20
    while _diff(child.shot(), start) < 2.0 and time.monotonic() < deadline:
        time.sleep(0.1)

    # q closes the window; show() returns the camera.
    _xdo(display, "key", "q")
    out, _ = child.finish()
    state = json.loads(out.strip().splitlines()[-1])
    assert state["azimuth"] == pytest.approx(200.0)
    assert state["elevation"] == pytest.approx(35.0)
    assert state["target"] is not None and state["distance"] is not None
    assert state["shape"] == [H, W, 4]

    # That camera renders headless what the window showed last.
    cam = OrbitCamera(
        target=state["target"],
        azimuth_deg=state["azimuth"],
        elevation_deg=state["elevation"],
        distance=state["distance"],
    )
    panned = _expected(cam)
    assert _diff(panned, start) > 2.0
    # The scene followed the pointer to the right.
    cols = np.nonzero((np.abs(panned.astype(int) - panned[2, 2]).sum(-1) > 30).any(0))[0]
    cols0 = np.nonzero((np.abs(start.astype(int) - start[2, 2]).sum(-1) > 30).any(0))[0]
    assert cols.mean() > cols0.mean() + 10


ENGINE = """
import json, forge3d
from forge3d.engine import Engine, MeshSurfaceView
import forge3d.primitives as prim
eng = Engine("{title}", width=320, height=240, fps=60, interactive=True)
eng.add_view(MeshSurfaceView(prim.sphere(1.0, 24), color=(0.9, 0.4, 0.2)))
updates = []
eng.add_observer(lambda dt: updates.append(dt))
frames = []
def readbacks():
    s = forge3d.readback_pool_stats()
    return s["created"] + s["reused"]
before = readbacks()
n = eng.start(frames={frames}, callback={callback})
print(json.dumps(dict(n=n, updates=len(updates), frames=len(frames),
    index=eng.frame_index, time=eng.time, interactive=eng.interactive,
    readbacks=readbacks() - before, seconds=eng.stats["seconds"])))
# Headless again afterwards.
eng.interactive = False
print(eng.start(frames=2))
"""


def test_engine_interactive_runs_its_frames_in_a_window(display, tmp_path):
    title = "forge3d-engine-test"
    body = ENGINE.format(
        title=title, frames=40, callback="lambda f, i: frames.append(f.shape)"
    )
    child = Child(display, body, tmp_path, title)
    out, _ = child.finish()
    lines = out.strip().splitlines()
    state = json.loads(lines[-2])
    seconds = state.pop("seconds")
    assert state == {
        "n": 40,
        "updates": 40,
        "frames": 40,
        "index": 40,
        "time": pytest.approx(40 / 60),
        "interactive": True,
        "readbacks": 40,  # one per frame, for the callback
    }
    # Paced at the engine's fps (never faster; a slow device may be slower).
    assert seconds >= 39 / 60
    assert lines[-1] == "2"


def test_engine_interactive_runs_until_the_window_closes(display, tmp_path):
    title = "forge3d-engine-close"
    child = Child(display, ENGINE.format(title=title, frames=None, callback=None), tmp_path, title)
    # It keeps running: the sphere is drawn over the background.
    time.sleep(1.0)
    assert child.proc.poll() is None
    img = child.shot()
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 20
    _xdo(display, "windowclose", child.wid)  # as a window manager's close would
    out, _ = child.finish()
    state = json.loads(out.strip().splitlines()[-2])
    assert state["n"] == state["updates"] > 0
    # No callback, no recorder: nothing was read back.
    assert state["frames"] == 0 and state["readbacks"] == 0


def test_no_display_raises_and_says_what_to_do(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    problem = forge3d.window.display_problem()
    assert problem is not None and "DISPLAY" in problem
    with pytest.raises(forge3d.NoDisplayError, match=r"interactive=False"):
        Engine(interactive=True)
    r = forge3d.Renderer(8, 8)
    with pytest.raises(forge3d.NoDisplayError, match=r"show: no display"):
        forge3d.show(r)
    # The renderer is unchanged and renders headless.
    assert np.asarray(r.render()).shape == (8, 8, 4)


def test_show_checks_its_arguments(monkeypatch):
    r = forge3d.Renderer(8, 8)
    with pytest.raises(TypeError, match="renderer must be a forge3d.Renderer"):
        forge3d.show(np.zeros((8, 8)))
    with pytest.raises(TypeError, match="camera must be a forge3d.engine.OrbitCamera"):
        forge3d.show(r, camera="top")
    with pytest.raises(ValueError, match="fps"):
        forge3d.show(r, fps=0)
    with pytest.raises(ValueError, match="width"):
        forge3d.show(r, width=0)


def test_orbit_controls_move_the_camera_as_documented():
    r = _scene()
    cam = OrbitCamera()
    c = OrbitControls(cam, r)
    c.drag(100, 0)
    assert cam.azimuth_deg == pytest.approx(240.0)
    c.drag(0, -50)
    assert cam.elevation_deg == pytest.approx(15.0)
    c.wheel(2)
    assert cam.to_dict()["zoom"] == pytest.approx(1.15**2)
    c.reset()
    assert (cam.azimuth_deg, cam.elevation_deg, cam.target, cam.distance) == (200, 35, None, None)
    assert cam.to_dict()["zoom"] == 1.0
    # Panning freezes the automatic view where it is, then moves the target
    # by the pixels dragged at the target's depth.
    eye, target = cam.resolve(r.scene_bounds(), W / H)
    c.pan(10, 0, size=(W, H))
    dist = float(np.linalg.norm(np.subtract(eye, target)))
    per_px = 2 * dist * np.tan(np.radians(45 / 2)) / H
    moved = np.subtract(cam.target, target)
    assert np.linalg.norm(moved) == pytest.approx(10 * per_px, rel=1e-6)
    assert moved[2] == pytest.approx(0.0, abs=1e-9)  # horizontal: along the view's right
    assert cam.distance == pytest.approx(dist)
    assert c.key("q") is False and c.key("escape") is False and c.key("x") is True
    with pytest.raises(ValueError, match="button"):
        c.drag(1, 1, button="fourth")
    with pytest.raises(ValueError, match="kind"):
        c.handle("pinch", (1,), (W, H))
    with pytest.raises(TypeError, match="OrbitCamera"):
        OrbitControls("cam", r)  # type: ignore[arg-type]


def test_orbit_camera_round_trips_through_a_dict():
    cam = OrbitCamera(azimuth_deg=164.0, elevation_deg=27.0).zoom(1.3)
    view = cam.to_dict()
    assert view["zoom"] == pytest.approx(1.3) and view["target"] is None
    assert json.loads(json.dumps(view)) == view
    back = OrbitCamera.from_dict(view)
    assert back.to_dict() == view
    r = _scene()
    cam.apply(r)
    first = np.asarray(r.render()).copy()
    back.apply(r)
    assert np.array_equal(np.asarray(r.render()), first)
    # A fixed camera: zoom folds into the distance.
    fixed = OrbitCamera.from_dict({"target": (1, 2, 3), "distance": 10.0, "zoom": 2.0})
    assert fixed.distance == pytest.approx(5.0) and fixed.to_dict()["zoom"] == 1.0
    assert "zoom=1.3" in repr(cam)
    with pytest.raises(ValueError, match="unknown keys"):
        OrbitCamera.from_dict({"azimuth": 3})
    with pytest.raises(ValueError, match="zoom"):
        OrbitCamera.from_dict({"zoom": 0})


DOC = Path(__file__).resolve().parents[2] / "docs" / "interactive.md"
DOC_BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


def test_interactive_doc_has_four_examples():
    assert len(DOC_BLOCKS) == 4


@pytest.mark.parametrize("i, title", [(0, "forge3d"), (1, "spin")])
def test_interactive_doc_window_examples_run(display, tmp_path, i, title):
    """The window examples as written, closed with q once their window shows."""
    child = Child(display, DOC_BLOCKS[i], tmp_path, title)
    deadline = time.monotonic() + 30
    while len(np.unique(child.shot().reshape(-1, 3), axis=0)) <= 20:
        assert time.monotonic() < deadline, "the window shows no scene"
        time.sleep(0.1)
    _xdo(display, "windowfocus", "--sync", child.wid)
    _xdo(display, "key", "q")
    out, _ = child.finish()
    if i == 0:
        assert (tmp_path / "last_view.png").read_bytes()[:4] == b"\x89PNG"
        assert out.startswith("OrbitCamera(")
    else:
        assert out.strip().endswith("frames") and int(out.split()[0]) > 0


@pytest.mark.parametrize("i", [2, 3])
def test_interactive_doc_headless_examples_run(i, tmp_path, monkeypatch):
    if i == 2:
        pytest.importorskip("anywidget")
    monkeypatch.chdir(tmp_path)
    exec(compile(DOC_BLOCKS[i], f"docs/interactive.md block {i}", "exec"), {})
    if i == 3:
        assert (tmp_path / "found_view.png").read_bytes()[:4] == b"\x89PNG"


def test_the_window_redraws_at_its_new_size(display, tmp_path):
    title = "forge3d-resize-test"
    child = Child(display, SHOW.format(title=title), tmp_path, title)
    _wait_for(child, _expected(OrbitCamera()), "the first frame")
    _xdo(display, "windowsize", "--sync", child.wid, "400", "200")
    assert child.geometry()[2:] == (400, 200)
    # The scene at the new size, the view re-fitted to its shape.
    _wait_for(child, _expected(OrbitCamera(), (400, 200)), "after the resize")
    _xdo(display, "windowfocus", "--sync", child.wid)
    _xdo(display, "key", "q")
    out, _ = child.finish()
    # The renderer's own size is unchanged.
    assert json.loads(out.strip().splitlines()[-1])["shape"] == [H, W, 4]


def test_ctrl_c_closes_the_window_and_raises_keyboard_interrupt(display, tmp_path):
    title = "forge3d-sigint-test"
    child = Child(display, SHOW.format(title=title), tmp_path, title)
    child.proc.send_signal(__import__("signal").SIGINT)
    out, err = child.proc.communicate(timeout=60)
    assert child.proc.returncode != 0
    assert "KeyboardInterrupt" in err


TWICE = """
import json, forge3d
from forge3d.window import run_window
r = scene()
shown = []
for k in range(3):
    shown.append(run_window(r, lambda w, h: True, lambda: None, title="{title}",
                            size=(160, 120), fps=60, frames=8))
eng = forge3d.engine.Engine("{title}", width=160, height=120, interactive=True)
print(json.dumps(dict(shown=shown, engine=[eng.start(frames=5), eng.start(frames=5)])))
"""


def _run_script(display: str, tmp_path: Path, name: str, source: str) -> dict:
    """Runs ``SCENE + source`` in a child on ``display``; its last line of
    output, as JSON."""
    script = tmp_path / name
    script.write_text(SCENE + source)
    out = subprocess.run(
        [sys.executable, str(script)],
        env=dict(os.environ, DISPLAY=display),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_windows_open_one_after_another_in_one_process(display, tmp_path):
    state = _run_script(display, tmp_path, "twice.py", TWICE.format(title="forge3d-twice-test"))
    assert state == {"shown": [8, 8, 8], "engine": [5, 5]}


def test_other_python_threads_run_while_a_window_is_open(display, tmp_path):
    title = "forge3d-threads-test"
    source = f"""
import threading, time, json, forge3d
r = scene()
count = [0]
stop = threading.Event()
def spin():
    while not stop.is_set():
        count[0] += 1
        time.sleep(0.001)
t = threading.Thread(target=spin); t.start()
t0 = time.perf_counter()
forge3d.window.run_window(r, lambda w, h: True, lambda: None, title="{title}",
                          size=(160, 120), fps=5, frames=5)
seconds = time.perf_counter() - t0
stop.set(); t.join()
print(json.dumps(dict(rate=count[0] / seconds)))
"""
    state = _run_script(display, tmp_path, "threads.py", source)
    # The window waits for its frames without the interpreter: the thread
    # (sleeping 1 ms a turn, at most 1000 turns a second) is not starved to
    # the window's 5 frames a second.
    assert state["rate"] > 100


ERRORS = """
import json, threading, forge3d
from forge3d.engine import Engine, Observer

class Boom(Observer):
    def setup(self, engine):
        self.n = 0
        self.torn = False
    def update(self, dt):
        self.n += 1
        if self.n == 3:
            raise ZeroDivisionError("observer failed on frame 3")
    def teardown(self):
        self.torn = True

eng = Engine("{title}", width=160, height=120, interactive=True)
boom = eng.add_observer(Boom())
try:
    eng.start()
    raised = None
except ZeroDivisionError as e:
    raised = str(e)
other = []
def elsewhere():
    try:
        forge3d.show(scene(), title="{title}", frames=2)
        other.append("opened")
    except RuntimeError as e:
        other.append(type(e).__name__ + ": " + str(e))
t = threading.Thread(target=elsewhere); t.start(); t.join()
# This thread goes on opening windows.
n = forge3d.window.run_window(scene(), lambda w, h: True, lambda: None,
                              title="{title}", size=(160, 120), fps=60, frames=3)
print(json.dumps(dict(raised=raised, frames=boom.n, torn=boom.torn, other=other, again=n)))
"""


def test_errors_close_the_window_and_reach_the_caller(display, tmp_path):
    source = ERRORS.format(title="forge3d-errors-test")
    state = _run_script(display, tmp_path, "errors.py", source)
    assert state["raised"] == "observer failed on frame 3"
    assert state["frames"] == 3 and state["torn"] is True
    (other,) = state["other"]
    assert other.startswith("RuntimeError: windows open on the thread that opened the first one")
    assert state["again"] == 3
