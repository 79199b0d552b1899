"""Edge cases: misaligned input, read-only memory through DLPack, failed
uploads, malformed Arrow tensors, extreme coordinates."""

import numpy as np
import pytest

import forge3d
import forge3d.arrow as fa

pa = pytest.importorskip("pyarrow")


def test_misaligned_float32_is_converted_not_misread():
    raw = np.zeros(17 * 4 + 1, np.uint8)
    v = np.frombuffer(raw.data, np.float32, count=16, offset=1).reshape(4, 4)
    assert v.ctypes.data % 4 != 0
    with forge3d.copy_ledger() as ledger:
        hm = forge3d.Heightmap(v)
    assert not hm.borrowed and "not 4-byte aligned" in ledger.records[0].reason
    np.testing.assert_array_equal(np.asarray(hm), v)


def test_read_only_memory_stays_read_only_through_dlpack():
    a = np.arange(16, dtype=np.float32).reshape(4, 4)
    a.flags.writeable = False
    hm = forge3d.Heightmap(a)
    d = np.from_dlpack(hm)
    assert not d.flags.writeable
    with pytest.raises(ValueError):
        d[0, 0] = 42
    assert a[0, 0] == 0
    # An unversioned capsule cannot say read-only: it gets a copy.
    with forge3d.copy_ledger() as ledger:
        cap = hm.__dlpack__()
    assert ledger.copies == 1
    del cap
    with pytest.raises(BufferError, match="read-only"):
        hm.__dlpack__(copy=False)
    # Frames are writable and shared.
    frame = forge3d.Renderer(8, 8).render_triangle_frame()
    assert np.from_dlpack(frame).flags.writeable


def test_failed_uploads_never_touch_the_current_terrain():
    n = 4096  # four upload bands: the pool fills up across calls
    y, x = np.mgrid[0:n, 0:n].astype(np.float32) / n
    good = np.sin(6 * x) * np.cos(4 * y)
    r = forge3d.Renderer(96, 96)
    r.add_terrain(good)
    before = r.render_terrain_rgba().copy()
    bad = good.copy()
    bad[-1, -1] = np.inf
    for _ in range(3):
        with pytest.raises(ValueError, match="infinite"):
            r.add_terrain(bad)
    np.testing.assert_array_equal(r.render_terrain_rgba(), before)


class _Exporter:
    """An object exporting a given field + array through __arrow_c_array__."""

    def __init__(self, field, array):
        self.field, self.array = field, array

    def __arrow_c_array__(self, requested_schema=None):
        return self.field.__arrow_c_schema__(), self.array.__arrow_c_array__()[1]


def test_tensor_storage_that_does_not_match_its_shape_is_a_value_error():
    storage = pa.array([[0.0] * 6], type=pa.list_(pa.float32(), 6))
    field = pa.field("t", storage.type, metadata={
        "ARROW:extension:name": "arrow.fixed_shape_tensor",
        "ARROW:extension:metadata": '{"shape":[3,3]}',
    })
    with pytest.raises(ValueError, match=r"needs storage FixedSizeList<9>"):
        fa.heightmap(_Exporter(field, storage))


def test_permuted_tensors_are_refused_not_transposed():
    typ = pa.fixed_shape_tensor(pa.float32(), [2, 3], permutation=[1, 0])
    storage = pa.array([list(range(6))], type=pa.list_(pa.float32(), 6))
    arr = pa.ExtensionArray.from_storage(typ, storage)
    with pytest.raises(ValueError, match="permutation"):
        fa.heightmap(arr)


def test_extreme_coordinates_do_not_crash_the_gridding():
    t = pa.table({"x": [0.0, 1e-10, 1e10], "y": [0.0, 1.0, 2.0], "z": [1.0, 2.0, 3.0]})
    hm = fa.terrain_from_table(t)
    assert hm.shape[0] >= 2 and hm.shape[1] >= 2
    with pytest.raises(ValueError, match="coarser resolution"):
        fa.terrain_from_table(t, resolution=(1e-300, 1.0))
    with pytest.raises(ValueError, match="shape must be at least"):
        fa.terrain_from_table(t, shape=(1, 5))
