"""Bad input gets a clear Python exception naming the argument and the fix."""

import os
import subprocess
import sys

import numpy as np
import pytest

import forge3d


@pytest.mark.parametrize("width", [0, -1, -(2**40)])
def test_non_positive_width_is_a_value_error_naming_width(width):
    with pytest.raises(ValueError, match=r"width must be between 1 and"):
        forge3d.Renderer(width, 10)


def test_size_past_the_device_limit_names_the_limit(device):
    limit = device["max_texture_dimension"]
    with pytest.raises(ValueError, match=rf"height must be between 1 and {limit}.*got {limit + 1}"):
        forge3d.Renderer(16, limit + 1)
    with pytest.raises(ValueError, match="height"):
        forge3d.Renderer(16, 2**40)


@pytest.mark.parametrize("bad", [1.5, 512.0, "512", None, True, [4]])
def test_non_integer_sizes_are_type_errors(bad):
    with pytest.raises(TypeError, match="width must be an integer"):
        forge3d.Renderer(bad, 10)
    with pytest.raises(TypeError, match="height must be an integer"):
        forge3d.Renderer(10, bad)


def test_numpy_integers_are_accepted():
    r = forge3d.Renderer(np.int64(17), np.uint16(9))
    assert (r.width, r.height) == (17, 9)


@pytest.mark.parametrize(
    "bg, exc, match",
    [
        ((1, 2), ValueError, "3 .RGB. or 4"),
        ((0, 0, 256), ValueError, r"background\[2\] must be between 0 and 255"),
        ((0, 0, -1, 0), ValueError, r"background\[2\]"),
        ((0.5, 0, 0), TypeError, r"background\[0\] must be an integer"),
        (7, TypeError, "background must be a sequence"),
    ],
)
def test_bad_backgrounds_are_rejected(bg, exc, match):
    with pytest.raises(exc, match=match):
        forge3d.Renderer(8, 8, background=bg)


def test_failed_background_update_leaves_the_renderer_unchanged():
    r = forge3d.Renderer(8, 8, background=(1, 2, 3))
    with pytest.raises(ValueError):
        r.background = (1, 2, 300)
    assert r.background == (1, 2, 3, 255)


def test_png_into_a_missing_directory_is_an_os_error_with_the_path(tmp_path):
    r = forge3d.Renderer(8, 8)
    bad = tmp_path / "no" / "such" / "dir" / "x.png"
    with pytest.raises(OSError, match=str(bad.parent)):
        r.render_triangle_png(str(bad))
    with pytest.raises(OSError, match="x.png"):
        r.render_triangle_frame().to_png(bad)


def test_png_onto_a_directory_or_empty_path_is_a_value_error(tmp_path):
    r = forge3d.Renderer(8, 8)
    with pytest.raises(ValueError, match="is a directory"):
        r.render_triangle_png(tmp_path)
    with pytest.raises(ValueError, match="must not be empty"):
        r.render_triangle_png("")
    with pytest.raises(TypeError):
        r.render_triangle_png(42)


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    full = dict(os.environ, **env)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=full, timeout=120
    )


def test_no_matching_adapter_is_a_gpu_error_naming_the_fix():
    code = (
        "import forge3d\n"
        "try:\n"
        "    forge3d.Renderer(8, 8)\n"
        "except forge3d.GpuError as e:\n"
        "    print('GpuError:', e)\n"
    )
    out = _run(code, FORGE3D_ADAPTER="no-such-adapter-xyz")
    assert out.returncode == 0, out.stderr
    assert "GpuError: no GPU adapter available" in out.stdout
    assert "mesa-vulkan-drivers" in out.stdout
    assert "FORGE3D_ADAPTER" in out.stdout
    assert issubclass(forge3d.GpuError, RuntimeError)


def test_unknown_backend_name_is_a_value_error():
    code = (
        "import forge3d\n"
        "try:\n"
        "    forge3d.device_info()\n"
        "except ValueError as e:\n"
        "    print('ValueError:', e)\n"
    )
    out = _run(code, FORGE3D_BACKEND="vulcan")
    assert "ValueError: FORGE3D_BACKEND: unknown backend \"vulcan\"" in out.stdout, out


def test_backend_filter_selects_that_backend():
    out = _run("import forge3d; print(forge3d.device_info()['backend'])", FORGE3D_BACKEND="vulkan")
    assert out.stdout.strip() == "vulkan", out.stderr


def test_device_info_reports_the_adapter(device):
    for key in ("name", "backend", "device_type", "driver", "max_texture_dimension", "software"):
        assert key in device
    assert device["max_texture_dimension"] >= 2048
    assert isinstance(device["software"], bool)
    if device["device_type"] == "cpu":
        assert device["software"]
