"""Element types of buffer-protocol inputs (read through pyo3's buffer API):
every numeric format is read as its value, byte order included; formats
that are not numbers are refused by name."""

import array

import numpy as np
import pytest

import forge3d


@pytest.mark.parametrize(
    "dtype", ["<f4", ">f4", "<f8", ">f8", "<f2", "i1", "<i2", ">i2", "<i4", ">i8", "u1", ">u2", "<u4", ">u8"]
)
def test_every_numeric_format_is_read_as_its_value(dtype):
    values = (np.arange(12).reshape(3, 4) * 3 + 1).astype(dtype)
    hm = forge3d.Heightmap(values)
    assert np.array_equal(np.asarray(hm), values.astype(np.float32))
    mesh = forge3d.Mesh(np.arange(9).reshape(3, 3).astype(dtype))
    assert mesh.bounds == ((0.0, 1.0, 2.0), (6.0, 7.0, 8.0))


def test_python_buffers_without_numpy():
    # array.array exports native formats "d" and "l" (8-byte long here).
    hm = forge3d.Heightmap(memoryview(array.array("d", range(6))).cast("B").cast("d", (2, 3)))
    assert np.array_equal(np.asarray(hm), np.arange(6, dtype=np.float32).reshape(2, 3))
    m = forge3d.Mesh(memoryview(array.array("l", range(9))))
    assert m.vertex_count == 3


@pytest.mark.parametrize(
    ("make", "what"),
    [
        (lambda shape: memoryview(bytes(12)).cast("c", shape), "char"),
        (lambda shape: memoryview(bytes(12)).cast("?", shape), "bool"),
        (lambda shape: np.zeros(shape, complex), "complex"),
        (lambda shape: np.zeros(shape, object), "object"),
    ],
)
def test_non_numbers_are_refused_by_name(make, what):
    with pytest.raises(TypeError, match=f"values: {what} values"):
        forge3d.Heightmap(make((3, 4)))
    mesh = forge3d.Mesh(np.zeros((12, 3), np.float32))
    with pytest.raises(TypeError, match=f"scalars: {what} values"):
        mesh.set_scalars(make((12,)))
