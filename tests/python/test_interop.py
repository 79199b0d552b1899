"""forge3d.interop: Rust-allocated arrays that simulations write into, the
same-array-or-one-copy helper, and their exports."""

import numpy as np
import pyarrow as pa
import pytest

import forge3d
from forge3d.interop import ExternalBuffer, ensure_external_array, external_array

from conftest import address


@pytest.mark.parametrize("dtype", [np.float32, np.uint8, np.int32, np.uint32])
def test_external_arrays_are_aligned_writable_rust_memory(dtype):
    a = external_array((1000, 3), dtype)
    assert a.shape == (1000, 3) and a.dtype == dtype
    assert a.flags.c_contiguous and a.flags.writeable
    assert address(a) % 64 == 0
    assert isinstance(a.base, ExternalBuffer)
    assert a.base.origin == "rust" and a.base.ptr == address(a) and a.base.nbytes == a.nbytes


def test_zero_fills_and_an_int_shape_is_one_dimension():
    a = external_array(4097, zero=True)
    assert a.shape == (4097,) and not a.any()
    assert external_array((0, 3)).shape == (0, 3)


def test_exports_share_the_one_allocation():
    a = external_array((64, 3), zero=True)
    buf = a.base
    via_dlpack = np.from_dlpack(buf)
    arrow = pa.array(buf)
    assert address(via_dlpack) == address(a)
    assert arrow.storage.values.buffers()[1].address == address(a)
    a[5, 1] = 7.5  # written through one view, seen through the others
    assert via_dlpack[5, 1] == 7.5
    assert arrow.storage.values[5 * 3 + 1].as_py() == 7.5


def test_bad_shapes_dtypes_and_sizes_are_named():
    with pytest.raises(ValueError, match="shape must be non-negative integers"):
        external_array((-1, 3))
    with pytest.raises(ValueError, match="shape must be non-negative integers"):
        external_array((2.5, 3))
    with pytest.raises(TypeError, match="dtype: float64 is not supported; use float32"):
        external_array(3, np.float64)
    with pytest.raises(TypeError, match="not in native byte order"):
        external_array(3, ">f4")
    with pytest.raises(ValueError, match="too large"):
        external_array((2**62, 2**62))
    # Past what the allocator gives: a MemoryError, not an abort.
    with pytest.raises(MemoryError, match=r"cannot allocate 1125899906842624 bytes"):
        external_array((2**50,), np.uint8)


def test_ensure_external_array_returns_a_fitting_array_itself():
    a = np.zeros((10, 3), np.float32)
    with forge3d.copy_ledger() as ledger:
        assert ensure_external_array(a) is a
        e = external_array((10, 3))
        assert ensure_external_array(e) is e
    assert ledger.copies == 0


def _read_only():
    a = np.arange(30, dtype=np.float32).reshape(10, 3)
    a.setflags(write=False)
    return a


@pytest.mark.parametrize(
    "make, why",
    [
        (lambda: np.arange(30, dtype=np.float64).reshape(10, 3), "float64 -> float32"),
        (lambda: np.arange(60, dtype=np.float32).reshape(10, 6)[:, ::2], "not C-contiguous"),
        (_read_only, "read-only"),
    ],
)
def test_ensure_external_array_copies_anything_else_once(make, why):
    src = make()
    before = src.copy()
    with forge3d.copy_ledger() as ledger:
        out = ensure_external_array(src)
    (rec,) = ledger.records
    assert rec.operation == "convert" and rec.source_ptr == address(src) and why in rec.reason
    assert isinstance(out.base, ExternalBuffer) and out.dtype == np.float32 and out.flags.c_contiguous
    np.testing.assert_array_equal(out, before.astype(np.float32))
    np.testing.assert_array_equal(src, before)  # the caller's array is untouched


def test_ensure_external_array_takes_lists_and_refuses_lossy_casts():
    out = ensure_external_array([[1, 2, 3], [4, 5, 6]])
    assert out.dtype == np.float32 and out.tolist() == [[1, 2, 3], [4, 5, 6]]
    colors = ensure_external_array(np.full((4, 4), 255, np.uint8), np.uint8)
    assert colors.dtype == np.uint8
    with pytest.raises(TypeError, match=r"arr: float64 values cannot become uint8 .*astype"):
        ensure_external_array(np.ones((4, 4)), np.uint8)
    with pytest.raises(TypeError, match=r"np.round\(arr\).astype\(np.int32\)"):
        ensure_external_array(np.ones(3), np.int32)
    with pytest.raises(TypeError, match="arr: complex128 values cannot become float32"):
        ensure_external_array(np.ones(3, complex))
    with pytest.raises(ValueError, match=r"arr: values outside uint8's range"):
        ensure_external_array(np.array([0, 256]), np.uint8)


def test_one_name_for_memory_forge3d_allocates_for_the_caller():
    a = external_array((4, 3))
    assert type(a.base) is forge3d.ExternalArray and type(a.base).__name__ == "ExternalArray"
    assert forge3d.ExternalBuffer is forge3d.ExternalArray  # the former name still works
    assert repr(a.base).startswith("ExternalArray(shape=[4, 3]")
