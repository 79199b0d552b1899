"""forge3d._validate: zero-copy compatibility checks and pointers."""

import numpy as np

import forge3d
from forge3d._validate import check_zero_copy_compatibility, ptr


def test_contiguous_float32_is_compatible():
    a = np.zeros((4, 5), np.float32)
    info = check_zero_copy_compatibility(a, "heights", np.float32)
    assert info["compatible"] and info["issues"] == []
    assert info["ptr"] == a.ctypes.data
    assert info["c_contiguous"] and info["aligned"]
    assert info["shape"] == (4, 5) and info["dtype"] == "float32"


def test_each_problem_is_named_with_its_fix():
    a = np.zeros((4, 6), np.float64)[:, ::2]
    info = check_zero_copy_compatibility(a, "heights", np.float32)
    assert not info["compatible"]
    text = "\n".join(info["issues"])
    assert "heights: not C-contiguous; use np.ascontiguousarray(heights)" in text
    assert "astype(np.float32)" in text


def test_misaligned_views_are_reported():
    raw = np.zeros(17, np.uint8)
    a = raw[1:].view(np.float32)
    info = check_zero_copy_compatibility(a, "h")
    assert not info["aligned"] and not info["compatible"]
    assert "not aligned to 4 bytes" in info["issues"][0]


def test_objects_without_memory_are_reported_not_raised():
    info = check_zero_copy_compatibility(object(), "x")
    assert not info["compatible"] and "exposes no array memory" in info["issues"][0]


def test_ptr_agrees_across_numpy_frames_and_buffers():
    frame = forge3d.Renderer(8, 8).render_triangle_frame()
    assert ptr(frame) == frame.ptr == ptr(np.asarray(frame)) == ptr(memoryview(frame))
    info = check_zero_copy_compatibility(frame, "frame", np.uint8)
    assert info["compatible"] and info["ptr"] == frame.ptr
