"""Frames reach pyarrow, Polars and DLPack consumers without a copy."""

import numpy as np
import pytest

import forge3d
from conftest import address

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")


@pytest.fixture
def frame():
    return forge3d.Renderer(333, 77).render_triangle_frame()


def test_pyarrow_sees_a_fixed_shape_tensor_over_the_frame_memory(frame):
    with forge3d.copy_ledger() as ledger:
        arr = pa.array(frame)
    assert ledger.copies == 0
    assert isinstance(arr.type, pa.FixedShapeTensorType)
    assert arr.type.shape == [77, 333, 4]
    assert arr.type.value_type == pa.uint8()
    assert len(arr) == 1
    values = arr.storage.values
    assert values.buffers()[1].address == frame.ptr
    t = arr.to_numpy_ndarray()
    assert t.shape == (1, 77, 333, 4)
    assert address(t) == frame.ptr
    np.testing.assert_array_equal(t[0], np.asarray(frame))


def test_arrow_schema_capsule_names_the_extension(frame):
    field = pa.field(frame)
    assert field.type.extension_name == "arrow.fixed_shape_tensor"
    assert field.type.shape == [77, 333, 4]
    assert field.type.storage_type == pa.list_(pa.uint8(), 77 * 333 * 4)


def test_arrow_stream_has_one_chunk_sharing_memory(frame):
    ca = pa.chunked_array(frame)
    assert ca.num_chunks == 1
    assert ca.chunk(0).storage.values.buffers()[1].address == frame.ptr


def test_polars_series_shares_memory(frame):
    with forge3d.copy_ledger() as ledger:
        s = pl.Series(frame)
    assert ledger.copies == 0
    assert len(s) == 1
    flat = s.to_physical().to_numpy(allow_copy=False)
    assert flat.shape == (1, 77 * 333 * 4)
    assert address(flat) == frame.ptr


def test_dlpack_shares_memory_unversioned_and_versioned(frame):
    with forge3d.copy_ledger() as ledger:
        a = np.from_dlpack(frame)
    assert ledger.copies == 0
    assert a.shape == (77, 333, 4) and a.dtype == np.uint8
    assert address(a) == frame.ptr
    assert frame.__dlpack_device__() == (1, 0)
    cap = frame.__dlpack__()
    assert "dltensor" in repr(cap)
    capv = frame.__dlpack__(max_version=(1, 0))
    assert "dltensor_versioned" in repr(capv)
    del cap, capv  # unconsumed capsules free their tensors


def test_dlpack_copy_true_makes_one_recorded_copy(frame):
    with forge3d.copy_ledger() as ledger:
        a = np.from_dlpack(frame, copy=True)
    assert address(a) != frame.ptr
    np.testing.assert_array_equal(a, np.asarray(frame))
    assert ledger.copies == 1
    assert ledger.records[0].source_ptr == frame.ptr


def test_dlpack_rejects_streams_and_other_devices(frame):
    with pytest.raises(ValueError, match="stream"):
        frame.__dlpack__(stream=1)
    with pytest.raises(BufferError, match="dl_device"):
        frame.__dlpack__(dl_device=(2, 0))


def test_arrow_export_keeps_the_frame_memory_alive(collect):
    collect()
    r = forge3d.Renderer(64, 32)
    frame = r.render_triangle_frame()
    expected = np.asarray(frame).copy()
    arr = pa.array(frame)
    in_use = forge3d.readback_pool_stats()["in_use"]
    del frame, r
    collect()
    np.testing.assert_array_equal(arr.to_numpy_ndarray()[0], expected)
    assert forge3d.readback_pool_stats()["in_use"] == in_use
    del arr
    collect()
    assert forge3d.readback_pool_stats()["in_use"] == in_use - 1
