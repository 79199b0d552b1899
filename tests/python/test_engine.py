"""forge3d.engine: the headless frame loop, its views, observers, camera and recorder."""

import importlib.util
import itertools
import sys
import types
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

import forge3d
import forge3d.primitives as prim
from _engine_util import H, W, foreground, grab
from conftest import address
from forge3d.engine import (
    Engine,
    MeshSurfaceView,
    MeshWireframeView,
    Observer,
    OrbitCamera,
    PointsView,
    ScalarFieldView,
    TopDownCamera,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_example(name):
    path = EXAMPLES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"forge3d_example_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class Log(Observer):
    def __init__(self, log, name, sort=0):
        super().__init__(name=name, sort=sort)
        self.log = log

    def setup(self, engine):
        assert self.engine is engine
        self.log.append(("setup", self.name))

    def update(self, dt):
        self.log.append(("update", self.name, self.engine.frame_index))

    def teardown(self):
        self.log.append(("teardown", self.name))


# -- observers and the clock ------------------------------------------------


def test_observers_run_in_sort_order_setup_update_teardown(engine):
    log = []
    engine.add_observer(Log(log, "a", sort=5))
    engine.add_observer(Log(log, "b", sort=-1))
    engine.add_observer(Log(log, "c", sort=5))  # ties keep insertion order: a before c
    engine.add_observer(lambda dt: log.append(("update", "fn", engine.frame_index)), sort=2)
    assert [o.name for o in engine.observers] == ["b", "<lambda>", "a", "c"]

    assert engine.start(frames=2) == 2

    expected = [("setup", "b"), ("setup", "a"), ("setup", "c")]
    for i in range(2):
        expected += [
            ("update", "b", i),
            ("update", "fn", i),
            ("update", "a", i),
            ("update", "c", i),
        ]
    expected += [("teardown", "c"), ("teardown", "a"), ("teardown", "b")]
    assert log == expected
    assert all(o.engine is None for o in engine.observers)


def test_each_start_sets_up_and_tears_down_again(engine):
    log = []
    engine.add_observer(Log(log, "a"))
    engine.start(frames=1)
    engine.start(frames=1)
    assert log == [("setup", "a"), ("update", "a", 0), ("teardown", "a")] + [
        ("setup", "a"),
        ("update", "a", 1),
        ("teardown", "a"),
    ]


def test_dt_is_fixed_and_time_advances_by_it(engine):
    seen = []

    class Clock(Observer):
        def update(self, dt):
            seen.append((dt, self.engine.time, self.engine.frame_index))

    engine.add_observer(Clock())
    assert engine.dt == pytest.approx(1 / 25) and engine.fps == 25
    engine.start(frames=5)
    assert [s[0] for s in seen] == [engine.dt] * 5
    assert [s[2] for s in seen] == [0, 1, 2, 3, 4]
    assert [s[1] for s in seen] == pytest.approx([0.04, 0.08, 0.12, 0.16, 0.20])
    assert engine.frame_index == 5 and engine.time == pytest.approx(0.2)
    engine.start(frames=3)  # the clock goes on
    assert engine.frame_index == 8 and engine.time == pytest.approx(8 / 25)
    assert engine.stats["frames"] == 3


def test_observer_added_during_a_run_is_set_up_at_once_and_updated_next_frame(engine):
    log = []
    late = Log(log, "late")

    class Adder(Observer):
        def update(self, dt):
            log.append(("update", "adder", self.engine.frame_index))
            if self.engine.frame_index == 0:
                self.engine.add_observer(late)

    engine.add_observer(Adder())
    engine.start(frames=2)
    assert log == [
        ("update", "adder", 0),
        ("setup", "late"),
        ("update", "adder", 1),
        ("update", "late", 1),
        ("teardown", "late"),
    ]


def test_teardown_runs_when_an_update_raises(engine):
    log = []

    class Boom(Observer):
        def update(self, dt):
            raise KeyError("boom")

    engine.add_observer(Log(log, "a", sort=-1))
    engine.add_observer(Boom())
    with pytest.raises(KeyError, match="boom"):
        engine.start(frames=3)
    assert log == [("setup", "a"), ("update", "a", 0), ("teardown", "a")]
    assert not engine.running and engine.frame_index == 0


def test_subclass_without_super_init_works(engine):
    seen = []

    class Bare(Observer):
        def __init__(self, tag):
            self.tag = tag

        def update(self, dt):
            seen.append((self.tag, self.engine is engine))

    obs = engine.add_observer(Bare("x"))
    assert obs.name == "Bare" and obs.sort == 0
    engine.start(frames=2)
    assert seen == [("x", True), ("x", True)]


def test_remove_observer_stops_its_updates(engine):
    log = []
    a = engine.add_observer(Log(log, "a"))
    assert engine.remove_observer(a) is True
    assert engine.remove_observer(a) is False
    engine.start(frames=2)
    assert log == []


# -- frames -----------------------------------------------------------------


def test_callback_receives_zero_copy_frames(engine):
    engine.add_view(MeshSurfaceView(prim.cube(1.0), color=(0.9, 0.3, 0.2)))
    got = []

    def keep(frame, index):
        arr = np.asarray(frame)
        got.append(
            (
                index,
                type(frame),
                frame.shape,
                address(arr) == frame.ptr,
                foreground(arr, engine).sum(),
            )
        )

    engine.render()  # first render creates the target
    with forge3d.copy_ledger() as ledger:
        assert engine.start(frames=3, callback=keep) == 3
    assert [g[0] for g in got] == [0, 1, 2]
    assert all(g[1] is forge3d.Frame for g in got)
    assert all(g[2] == (H, W, 4) for g in got)
    assert all(g[3] for g in got)
    assert all(g[4] > 500 for g in got)  # the cube is drawn
    assert ledger.copies == 0, ledger.report()


def test_record_directory_writes_the_frames_as_pngs(engine, tmp_path):
    engine.add_view(MeshSurfaceView(prim.sphere(1.0, 24), color=(0.2, 0.7, 0.3)))
    engine.add_observer(lambda dt: engine.camera.orbit(30.0))
    copies = []
    out = tmp_path / "frames" / "run1"
    with engine.record(out) as rec:
        assert engine.recorder is rec and rec.kind == "png"
        engine.start(frames=4, callback=lambda f, i: copies.append(np.array(f)))
    assert engine.recorder is None and not rec.active
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [f"frame_{i:05d}.png" for i in range(4)]
    assert rec.files == files and rec.frames_written == 4
    for f, want in zip(files, copies, strict=True):
        img = mpimg.imread(f)
        assert img.shape == (H, W, 4)
        np.testing.assert_array_equal(np.round(img * 255).astype(np.uint8), want)
    assert not np.array_equal(copies[0], copies[1])  # the camera moved


def test_record_keeps_recording_across_starts_until_closed(engine, tmp_path):
    rec = engine.record(tmp_path / "seq", prefix="img_")
    engine.start(frames=2)
    engine.start(frames=1)
    rec.close()
    engine.start(frames=1)
    assert sorted(p.name for p in (tmp_path / "seq").iterdir()) == [
        "img_00000.png",
        "img_00001.png",
        "img_00002.png",
    ]
    with pytest.raises(RuntimeError, match="closed"):
        rec.write(engine.render())


@pytest.mark.parametrize(
    "prefix, why",
    [
        ("../x_", "path separator"),
        ("sub/x_", "path separator"),
        ("sub\\x_", "path separator"),
        ("..", "'..'"),
        ("..x_", "'..'"),
        ("/tmp/x_", "path separator"),
        ("x\0_", "NUL"),
    ],
)
def test_record_prefix_cannot_leave_the_directory(engine, tmp_path, prefix, why):
    out = tmp_path / "a" / "frames"
    with pytest.raises(ValueError, match=rf"prefix .* {why}.*put the directory in path"):
        engine.record(out, prefix=prefix)
    # Nothing was created, inside the directory or next to it, and no recorder is left.
    assert engine.recorder is None
    assert not (tmp_path / "a").exists()
    engine.start(frames=1)
    assert sorted(p.name for p in tmp_path.rglob("*")) == []
    # A plain prefix still works, and its files stay in the directory.
    with engine.record(out, prefix="x_") as rec:
        engine.start(frames=1)
    assert [p.name for p in out.iterdir()] == ["x_00000.png"]
    assert rec.files == [out / "x_00000.png"]
    with pytest.raises(TypeError, match="prefix must be a str"):
        engine.record(out, prefix=b"x_")


def test_second_record_while_recording_raises(engine, tmp_path):
    with engine.record(tmp_path / "a"), pytest.raises(RuntimeError, match="already recording"):
        engine.record(tmp_path / "b")


def test_record_mp4_without_imageio_ffmpeg_names_the_package(engine, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # import fails
    with pytest.raises(ImportError, match="pip install imageio-ffmpeg"):
        engine.record(tmp_path / "out.mp4")
    assert engine.recorder is None


def test_record_mp4_streams_frame_memory_to_imageio_ffmpeg(engine, tmp_path, monkeypatch):
    calls = {}

    def write_frames(path, size, **kw):
        calls.update(path=path, size=size, **kw)
        calls["frames"] = frames = []
        try:
            while True:
                data = yield
                if data is not None:
                    frames.append(bytes(data))
        finally:
            calls["closed"] = True

    monkeypatch.setitem(
        sys.modules, "imageio_ffmpeg", types.SimpleNamespace(write_frames=write_frames)
    )
    engine.add_view(MeshSurfaceView(prim.cube(1.0)))
    copies = []
    with engine.record(tmp_path / "movie.mp4") as rec:
        engine.start(frames=3, callback=lambda f, i: copies.append(np.array(f)))
    assert rec.kind == "video" and rec.frames_written == 3
    assert calls["path"] == str(tmp_path / "movie.mp4")
    assert calls["size"] == (W, H) and calls["pix_fmt_in"] == "rgba" and calls["fps"] == 25
    assert calls["closed"] is True
    assert [f == c.tobytes() for f, c in zip(calls["frames"], copies, strict=True)] == [True] * 3


def test_record_mp4_with_imageio_ffmpeg_when_installed(engine, tmp_path):
    iio = pytest.importorskip("imageio_ffmpeg")  # optional dependency
    engine.add_view(MeshSurfaceView(prim.cube(1.0)))
    with engine.record(tmp_path / "movie.mp4"):
        engine.start(frames=5)
    assert iio.count_frames_and_secs(str(tmp_path / "movie.mp4"))[0] == 5


def test_progress_bar_uses_tqdm_when_installed(engine, tmp_path, monkeypatch):
    bars = []

    class FakeBar:
        def __init__(self, total, desc, unit, leave):
            self.total, self.desc, self.n, self.closed = total, desc, 0, False
            bars.append(self)

        def update(self, n):
            self.n += n

        def close(self):
            self.closed = True

    auto = types.ModuleType("tqdm.auto")
    auto.tqdm = FakeBar
    pkg = types.ModuleType("tqdm")
    pkg.auto = auto
    monkeypatch.setitem(sys.modules, "tqdm", pkg)
    monkeypatch.setitem(sys.modules, "tqdm.auto", auto)

    engine.start(frames=2)  # not recording: no bar
    assert bars == []
    with engine.record(tmp_path / "p"):
        engine.start(frames=3)
    assert [(b.total, b.n, b.closed, b.desc) for b in bars] == [(3, 3, True, "test")]
    engine.start(frames=2, progress=True)
    assert (bars[-1].total, bars[-1].n) == (2, 2)


def test_progress_without_tqdm_is_silent(engine, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with engine.record(tmp_path / "q"):
        assert engine.start(frames=2, progress=True) == 2
    assert capsys.readouterr() == ("", "")


def test_screenshot_writes_a_png_without_ticking(engine, tmp_path):
    log = []
    engine.add_observer(Log(log, "a"))
    engine.add_view(MeshSurfaceView(prim.cube(1.0), color=(1.0, 1.0, 0.0)))
    path = tmp_path / "shots" / "still.png"
    frame = engine.screenshot(path)
    assert isinstance(frame, forge3d.Frame)
    img = mpimg.imread(path)
    assert img.shape == (H, W, 4)
    np.testing.assert_array_equal(np.round(img * 255).astype(np.uint8), np.asarray(frame))
    assert foreground(np.asarray(frame), engine).sum() > 500
    assert log == [] and engine.frame_index == 0 and engine.time == 0.0


# -- views ------------------------------------------------------------------


def test_views_draw_and_remove(engine):
    empty = grab(engine)
    assert not foreground(empty, engine).any()
    cube = engine.add_view(MeshSurfaceView(prim.cube(1.0), color=(1.0, 0.0, 0.0)))
    assert cube.id in engine.renderer.mesh_ids and engine.views == [cube]
    red = grab(engine)
    fg = foreground(red, engine)
    assert fg.sum() > 1000
    assert (red[fg][:, 0] > red[fg][:, 1]).all()  # lit red: red dominates

    cube.color = (0.0, 0.0, 1.0)  # restyles the added view at once
    blue = grab(engine)
    assert (blue[fg][:, 2] > blue[fg][:, 0]).all()

    assert engine.remove_view(cube) is True
    assert cube.id is None and engine.views == [] and engine.renderer.mesh_ids == []
    assert engine.remove_view(cube) is False
    np.testing.assert_array_equal(grab(engine), empty)


def test_wireframe_covers_fewer_pixels_than_the_surface(engine):
    engine.camera = OrbitCamera(target=(0, 0, 0), distance=4.0)
    sphere = prim.sphere(1.0, 16)
    view = engine.add_view(MeshSurfaceView(sphere))
    surface = foreground(grab(engine), engine).sum()
    engine.remove_view(view)
    engine.add_view(MeshWireframeView(sphere, color=(1, 1, 1)))
    wire = foreground(grab(engine), engine).sum()
    assert 50 < wire < 0.8 * surface


def test_points_view_size_changes_the_discs(engine):
    rng = np.random.default_rng(1)
    pts = forge3d.Points(rng.uniform(-1, 1, (64, 3)).astype(np.float32), size=2.0)
    engine.camera = OrbitCamera(target=(0, 0, 0), distance=6.0)
    view = engine.add_view(PointsView(pts, color=(1.0, 1.0, 1.0)))
    small = foreground(grab(engine), engine).sum()
    view.size = 8.0
    big = foreground(grab(engine), engine).sum()
    assert small > 30 and big > 4 * small


def test_scalar_field_view_colors_by_values_and_set_values_changes_them(engine):
    mesh = prim.plane(2.0, 8)
    n = mesh.vertex_count
    engine.camera = TopDownCamera()
    engine.renderer.set_sun(0, 90, intensity=0.0)
    engine.renderer.set_ambient(1.0)
    view = engine.add_view(ScalarFieldView(mesh, np.zeros(n, np.float32), "gray", (0.0, 1.0)))
    dark = grab(engine)
    view.set_values(np.ones(n))  # float64: converted once, then uploaded
    bright = grab(engine)
    c = (H // 2, W // 2)
    assert dark[c][:3].max() < 40 and bright[c][:3].min() > 215
    view.colormap = "gray_r"
    assert grab(engine)[c][:3].max() < 40
    view.scalar_range = (0.0, 4.0)  # 1.0 is a quarter of the way: bright-ish in gray_r
    assert 150 < grab(engine)[c][0] < 215
    assert mesh.scalar_range == (1.0, 1.0)


def test_a_view_belongs_to_one_engine(engine):
    view = engine.add_view(MeshSurfaceView(prim.cube(1.0)))
    with pytest.raises(ValueError, match="already in an engine"):
        engine.add_view(view)
    other = Engine("other", width=32, height=32)
    try:
        with pytest.raises(ValueError, match="already in an engine"):
            other.add_view(view)
        assert other.remove_view(view) is False
    finally:
        other.close()


# -- arguments and lifetime -------------------------------------------------


def test_interactive_without_a_display_raises_no_display_error(monkeypatch):
    # Windows themselves are tested under Xvfb in test_window.py.
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(forge3d.NoDisplayError, match="interactive=False"):
        Engine("x", width=32, height=32, interactive=True)
    with pytest.raises(TypeError, match="interactive must be a bool"):
        Engine("x", width=32, height=32, interactive=1)  # type: ignore[arg-type]
    # Made interactive afterwards, start() checks too.
    eng = Engine("x", width=32, height=32)
    eng.interactive = True
    with pytest.raises(forge3d.NoDisplayError, match="no display"):
        eng.start()


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"width": 0}, ValueError, "width"),
        ({"height": -3}, ValueError, "height"),
        ({"width": 32.0}, TypeError, "width"),
        ({"width": True}, TypeError, "width"),
        ({"fps": 0}, ValueError, "fps"),
        ({"fps": float("nan")}, ValueError, "fps"),
        ({"fps": "60"}, TypeError, "fps"),
        ({"title": 3}, TypeError, "title"),
        ({"interactive": 1}, TypeError, "interactive"),
    ],
)
def test_bad_engine_arguments(kwargs, exc, match):
    args = {"title": "x", "width": 32, "height": 32} | kwargs
    with pytest.raises(exc, match=match):
        Engine(**args)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda e: e.start(), ValueError, "frames is required"),
        (lambda e: e.start(frames=0), ValueError, "frames"),
        (lambda e: e.start(frames=2.0), TypeError, "frames"),
        (lambda e: e.start(frames=True), TypeError, "frames"),
        (lambda e: e.start(frames=1, callback=3), TypeError, "callback"),
        (lambda e: e.start(frames=1, progress="yes"), TypeError, "progress"),
        (lambda e: e.add_view(prim.cube(1.0)), TypeError, "view"),
        (lambda e: e.add_observer(3), TypeError, "observer"),
        (lambda e: e.record("frame.png"), ValueError, "screenshot"),
        (lambda e: e.record("d", fps=-1), ValueError, "fps"),
        (lambda e: setattr(e, "camera", "orbit"), TypeError, "camera"),
        (
            lambda e: MeshSurfaceView(forge3d.Points(np.zeros((2, 3), np.float32))),
            TypeError,
            "Mesh",
        ),
        (lambda e: PointsView(prim.cube(1.0)), TypeError, "Points"),
        (lambda e: MeshSurfaceView(prim.cube(1.0), color=(2, 0, 0)), ValueError, "color"),
        (lambda e: MeshSurfaceView(prim.cube(1.0), color="red"), TypeError, "color"),
        (
            lambda e: PointsView(forge3d.Points(np.zeros((2, 3), np.float32)), size=0),
            ValueError,
            "size",
        ),
        (lambda e: ScalarFieldView(prim.cube(1.0), np.zeros(3)), ValueError, "scalars"),
        (
            lambda e: ScalarFieldView(prim.cube(1.0), None, scalar_range=(1, 0)),
            ValueError,
            "scalar_range",
        ),
        (lambda e: ScalarFieldView(prim.cube(1.0), None, colormap=3), TypeError, "colormap"),
        (lambda e: Observer(sort="first"), TypeError, "sort"),
        (lambda e: OrbitCamera(fovy_deg=180), ValueError, "fovy_deg"),
        (lambda e: OrbitCamera(distance=0), ValueError, "distance"),
        (lambda e: OrbitCamera(target=(0, 0)), ValueError, "target"),
        (lambda e: OrbitCamera().zoom(0), ValueError, "factor"),
        (lambda e: OrbitCamera().look_at((1, 1, 1), (1, 1, 1)), ValueError, "differ"),
    ],
)
def test_bad_arguments_raise_clearly(engine, call, exc, match):
    with pytest.raises(exc, match=match):
        call(engine)


def test_bad_colormap_is_rejected_when_added(engine):
    mesh = prim.cube(1.0)
    view = ScalarFieldView(mesh, np.zeros(mesh.vertex_count), colormap="no_such_map")
    with pytest.raises(ValueError, match="colormap"):
        engine.add_view(view)
    assert engine.views == [] and view.engine is None


def test_close_tears_down_and_forbids_further_use(tmp_path):
    eng = Engine("c", width=32, height=32)
    view = eng.add_view(MeshSurfaceView(prim.cube(1.0)))
    rec = eng.record(tmp_path / "c")
    with eng:
        eng.start(frames=1)
    assert eng.closed and view.engine is None and not rec.active
    assert eng.renderer.mesh_ids == []
    with pytest.raises(RuntimeError, match="closed"):
        eng.start(frames=1)
    eng.close()  # twice is fine


# -- the examples -------------------------------------------------------------


def test_wave_example_frames_change_and_taichi_matches_numpy():
    wave = load_example("wave_cube")
    assert wave.ti is not None, "taichi must be installed for the example's kernel"
    runs = {}
    for backend in ("taichi", "numpy"):
        frames = []
        eng = wave.run(
            3,
            None,
            (W, H),
            backend=backend,
            callback=lambda f, i, out=frames: out.append(np.array(f)),
        )
        assert eng.stats["frames"] == 3 and eng.closed
        runs[backend] = frames
    taichi, numpy_ = runs["taichi"], runs["numpy"]
    for a, b in itertools.pairwise(taichi):
        assert (a != b).any(-1).sum() > 100  # the wave moved
    for a, b in zip(taichi, numpy_, strict=True):
        assert np.abs(a.astype(int) - b).max() <= 2


def test_wave_example_main_writes_pngs(tmp_path, capsys):
    wave = load_example("wave_cube")
    wave.main(
        ["--frames", "2", "--out", str(tmp_path / "w"), "--size", "64x48", "--backend", "numpy"]
    )
    files = sorted((tmp_path / "w").iterdir())
    assert [f.name for f in files] == ["frame_00000.png", "frame_00001.png"]
    assert mpimg.imread(files[0]).shape == (48, 64, 4)
    assert "wrote 2 frames" in capsys.readouterr().out


def test_circle_example_rotates_and_pulses(tmp_path):
    circle = load_example("circle_points")
    frames = []
    circle.run(4, tmp_path / "c", (W, W), fps=8, callback=lambda f, i: frames.append(np.array(f)))
    assert len(list((tmp_path / "c").iterdir())) == 4
    bg = np.array([10, 10, 14])
    radii = []
    for img in frames:
        fg = (img[..., :3] != bg).any(-1)
        ys, xs = np.nonzero(fg)
        radii.append(np.hypot(xs - W / 2, ys - W / 2).mean())
        hues = {tuple(c // 64) for c in img[fg][:, :3]}
        assert len(hues) >= 6  # many colors around the circle
    assert np.ptp(radii) > 5  # the radius pulses
    assert (frames[0] != frames[1]).any(-1).sum() > 100
