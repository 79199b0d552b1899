"""forge3d.Heightmap: values borrowed or converted once, exported without copies."""

import numpy as np
import pytest

import forge3d
from conftest import address

pa = pytest.importorskip("pyarrow")


def test_float32_values_are_borrowed_and_shared_with_numpy():
    v = np.random.default_rng(1).random((30, 40), dtype=np.float32)
    with forge3d.copy_ledger() as ledger:
        hm = forge3d.Heightmap(v, spacing=(2.0, 3.0), origin=(100.0, 200.0), nodata=-9999)
    assert ledger.copies == 0
    assert hm.borrowed and hm.ptr == v.ctypes.data
    assert hm.shape == (30, 40) and hm.spacing == (2.0, 3.0) and hm.origin == (100.0, 200.0)
    assert hm.nodata == -9999
    a = np.asarray(hm)
    assert address(a) == v.ctypes.data and a.dtype == np.float32
    np.testing.assert_array_equal(hm.to_numpy(), v)


def test_borrowed_values_keep_the_source_alive(collect):
    v = np.arange(12, dtype=np.float32).reshape(3, 4)
    hm = forge3d.Heightmap(v)
    del v
    collect()
    np.testing.assert_array_equal(np.asarray(hm), np.arange(12, dtype=np.float32).reshape(3, 4))


def test_read_only_sources_export_read_only():
    v = np.zeros((4, 4), np.float32)
    v.flags.writeable = False
    a = np.asarray(forge3d.Heightmap(v))
    assert not a.flags.writeable
    w = np.zeros((4, 4), np.float32)
    assert np.asarray(forge3d.Heightmap(w)).flags.writeable


def test_int16_values_are_converted_once():
    v = np.arange(20, dtype=np.int16).reshape(4, 5)
    with forge3d.copy_ledger() as ledger:
        hm = forge3d.Heightmap(v)
    assert not hm.borrowed and ledger.copies == 1
    np.testing.assert_array_equal(np.asarray(hm), v.astype(np.float32))
    with pytest.raises(ValueError, match="copy=False"):
        forge3d.Heightmap(v, copy=False)


def test_arrow_export_is_a_float32_tensor_over_the_same_memory():
    v = np.ones((6, 7), np.float32)
    hm = forge3d.Heightmap(v)
    with forge3d.copy_ledger() as ledger:
        arr = pa.array(hm)
    assert ledger.copies == 0
    assert arr.type.extension_name == "arrow.fixed_shape_tensor"
    assert arr.type.shape == [6, 7] and arr.type.value_type == pa.float32()
    assert arr.storage.values.buffers()[1].address == v.ctypes.data
    assert address(np.from_dlpack(hm)) == v.ctypes.data


def test_add_terrain_uses_the_heightmaps_spacing_and_nodata_without_copying_first():
    v = np.ones((20, 20), np.float32)
    v[0:5] = -1.0
    hm = forge3d.Heightmap(v, spacing=(2.0, 1.0), nodata=-1.0)
    r = forge3d.Renderer(64, 64)
    with forge3d.copy_ledger() as ledger:
        r.add_terrain(hm)
    (rec,) = ledger.records
    assert rec.operation == "upload" and rec.source_ptr == v.ctypes.data
    info = r.terrain_info()
    assert info["spacing"] == (2.0, 1.0) and info["holes"] == 100 and info["nodata"] == -1.0
    r.add_terrain(hm, spacing=3.0)
    assert r.terrain_info()["spacing"] == (3.0, 3.0)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(spacing=(0.0, 1.0)), ValueError, "spacing must be two positive finite"),
        (dict(origin=(np.nan, 0.0)), ValueError, "origin must be finite"),
        (dict(nodata=np.inf), ValueError, "nodata"),
    ],
)
def test_bad_heightmap_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        forge3d.Heightmap(np.zeros((3, 3), np.float32), **kwargs)


def test_repr():
    hm = forge3d.Heightmap(np.zeros((3, 4), np.float32))
    assert repr(hm).startswith("Heightmap(shape=(3, 4), spacing=(1.0, 1.0)")
