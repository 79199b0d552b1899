"""The README's main job (scripts/demo.py): a real DEM rendered to a PNG,
with the copy report."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_demo_renders_the_jacksboro_dem_and_prints_the_copy_report(tmp_path):
    pytest.importorskip("matplotlib")  # a test dependency: installed in CI
    from PIL import Image

    out = tmp_path / "demo.png"
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py"), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    text = run.stdout
    assert "Jacksboro fault DEM" in text and "dtype int16" in text, text
    assert "GPU readback" in text and ": True" in text, text
    # int16 in: one recorded conversion to float32, then the one upload.
    ops = [line.split()[0] for line in text.splitlines() if line.split()[:1] in (["convert"], ["upload"])]
    assert ops == ["convert", "upload"], text
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert img.shape == (720, 1280, 3)
    # The default view centres the terrain and fills most of the frame with
    # it, in many colors.
    terrain = ~(img == img[0, 0]).all(axis=2)
    assert terrain.mean() > 0.35
    rows, cols = np.flatnonzero(terrain.any(1)), np.flatnonzero(terrain.any(0))
    # (The view centres the box around the heights, whose top corners are
    # above the surface: margins differ by a few percent.)
    assert abs(rows[0] - (719 - rows[-1])) < 0.03 * 720
    assert abs(cols[0] - (1279 - cols[-1])) < 0.03 * 1280
    assert min(rows[0] / 720, cols[0] / 1280) < 0.1
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 500
