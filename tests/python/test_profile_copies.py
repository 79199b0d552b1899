"""python/tools/profile_copies.py proves the zero-copy paths end to end."""

import pathlib
import subprocess
import sys

TOOL = pathlib.Path(__file__).resolve().parents[2] / "python" / "tools" / "profile_copies.py"


def run(*args):
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True, timeout=300)


def test_reports_zero_copy_ok_with_pointers_in_verbose_mode():
    out = run("--render-size", "333x200", "--verbose")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "zero-copy OK" in out.stdout
    assert "heights in: (200, 333) float32, 266400 bytes, 1 CPU copy" in out.stdout
    assert "numpy data pointer : 0x" in out.stdout
    assert "copy ledger: 0 CPU copies" in out.stdout
    assert "vertices in: 1200000 bytes, set_vertices 1 CPU copy, write_vertices 0 CPU copies" in out.stdout


def test_bad_size_argument_is_rejected():
    out = run("--render-size", "12by4")
    assert out.returncode == 2
    assert "WIDTHxHEIGHT" in out.stderr
