"""Frames and Heightmaps cross processes: pickle protocol 5 with out-of-band
buffers (no copy), in-band protocol 5, and protocols 0-4 (one recorded copy)."""

import concurrent.futures
import multiprocessing
import pickle

import numpy as np
import pytest

import forge3d


def _terrain_renderer(seed=0, size=(64, 48)):
    r = forge3d.Renderer(*size)
    r.add_terrain(np.random.default_rng(seed).random((32, 32)).astype(np.float32) * 5)
    return r


def test_frame_protocol5_out_of_band_shares_memory_and_records_no_copy():
    f = _terrain_renderer().render()
    buffers = []
    with forge3d.copy_ledger() as ledger:
        data = pickle.dumps(f, protocol=5, buffer_callback=buffers.append)
        g = pickle.loads(data, buffers=buffers)
    assert ledger.copies == 0, ledger.report()
    assert len(buffers) == 1 and buffers[0].raw().nbytes == f.nbytes
    assert len(data) < 200  # the pixels are not in the stream
    assert g.ptr == f.ptr and g.shape == f.shape
    assert np.asarray(g).__array_interface__["data"][0] == f.ptr
    assert g.origin == "borrowed"


def test_frame_protocol5_in_band_is_an_independent_writable_copy():
    r = _terrain_renderer()
    f = r.render()
    before = np.array(f)
    with forge3d.copy_ledger() as ledger:
        g = pickle.loads(pickle.dumps(f, protocol=5))
    assert ledger.copies == 0  # the pickle stream holds the bytes; forge3d copied none
    assert g.ptr != f.ptr
    view = np.asarray(g)
    assert view.flags.writeable
    np.testing.assert_array_equal(view, before)
    view[0, 0] = (1, 2, 3, 4)
    assert f.pixel(0, 0) == tuple(before[0, 0])


@pytest.mark.parametrize("protocol", [0, 2, 4])
def test_frame_old_protocols_make_one_recorded_copy(protocol):
    f = _terrain_renderer().render()
    with forge3d.copy_ledger() as ledger:
        data = pickle.dumps(f, protocol=protocol)
    assert [(r.operation, r.bytes, r.source_ptr) for r in ledger.records] == [
        ("pickle_copy", f.nbytes, f.ptr)
    ]
    g = pickle.loads(data)
    np.testing.assert_array_equal(np.asarray(g), np.asarray(f))
    # Unpickled over the immutable bytes the unpickler made: read-only.
    assert not np.asarray(g).flags.writeable
    with pytest.raises(TypeError, match="read-only"):
        memoryview(g).cast("B")[0] = 1


def test_unpickled_frame_shares_no_memory_with_a_released_buffer(collect):
    # Frames return their mapped memory to a pool when released; an
    # unpickled frame must not see later renders written into it.
    r = _terrain_renderer(1)
    f = r.render()
    snapshot = np.array(f)
    in_band = pickle.loads(pickle.dumps(f, protocol=5))
    buffers = []
    data = pickle.dumps(f, protocol=5, buffer_callback=buffers.append)
    out_of_band = pickle.loads(data, buffers=buffers)
    del f, buffers
    collect()
    r.add_terrain(np.zeros((32, 32), np.float32))
    for _ in range(4):
        later = r.render()
        assert not np.array_equal(np.asarray(later), snapshot)
        del later
        collect()
    np.testing.assert_array_equal(np.asarray(in_band), snapshot)
    # The out-of-band copy keeps the original memory alive (it is that memory).
    np.testing.assert_array_equal(np.asarray(out_of_band), snapshot)


def test_heightmap_round_trips_with_its_metadata_for_every_protocol():
    values = np.arange(12, dtype=np.float32).reshape(3, 4)
    values[1, 2] = np.nan
    hm = forge3d.Heightmap(
        values, spacing=(2.0, 3.0), origin=(5.0, 6.0), nodata=-1.0,
        crs="EPSG:32633", crs_spacing=(0.5, 0.25),
    )
    for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
        with forge3d.copy_ledger() as ledger:
            h = pickle.loads(pickle.dumps(hm, protocol=protocol))
        assert ledger.copies == (1 if protocol < 5 else 0), (protocol, ledger.report())
        assert (h.shape, h.spacing, h.origin, h.nodata, h.crs, h.crs_spacing) == (
            (3, 4), (2.0, 3.0), (5.0, 6.0), -1.0, "EPSG:32633", (0.5, 0.25)
        )
        np.testing.assert_array_equal(np.asarray(h), values)
        assert h.transform == hm.transform


def test_heightmap_out_of_band_is_the_same_memory_and_keeps_read_only():
    values = np.random.default_rng(2).random((50, 40)).astype(np.float32)
    values.setflags(write=False)
    hm = forge3d.Heightmap(values)
    buffers = []
    h = pickle.loads(pickle.dumps(hm, protocol=5, buffer_callback=buffers.append), buffers=buffers)
    assert h.ptr == hm.ptr == values.__array_interface__["data"][0]
    assert not np.asarray(h).flags.writeable
    # An unpickled heightmap draws like the original.
    a, b = _terrain_renderer(), _terrain_renderer()
    a.add_terrain(hm)
    b.add_terrain(h)
    np.testing.assert_array_equal(np.asarray(a.render()), np.asarray(b.render()))


def test_damaged_pickle_data_raises_a_clear_error():
    with pytest.raises(ValueError, match=r"Frame: the pickled data must be 48 contiguous bytes"):
        forge3d._forge3d._frame_from_pickle(b"abc", 3, 4)
    with pytest.raises(TypeError, match="Heightmap: the pickled data must be a buffer"):
        forge3d._forge3d._heightmap_from_pickle(None, 2, 2, (1.0, 1.0), (0.0, 0.0), None, None, None)
    with pytest.raises(ValueError, match="not contiguous"):
        strided = np.zeros((2, 48), np.uint8)[:, ::2]
        forge3d._forge3d._frame_from_pickle(strided, 3, 4)


def test_misaligned_heightmap_data_is_copied_once_and_recorded():
    raw = bytearray(4 * 6 + 1)
    view = memoryview(raw)[1:]
    np.frombuffer(view, np.float32)[:] = np.arange(6)
    with forge3d.copy_ledger() as ledger:
        h = forge3d._forge3d._heightmap_from_pickle(view, 2, 3, (1.0, 1.0), (0.0, 0.0), None, None, None)
    assert [r.operation for r in ledger.records] == ["unpickle_align"]
    np.testing.assert_array_equal(np.asarray(h), np.arange(6, dtype=np.float32).reshape(2, 3))


def _render_in_child(seed):
    import numpy as np

    import forge3d

    r = forge3d.Renderer(64, 48)
    r.add_terrain(np.random.default_rng(seed).random((32, 32)).astype(np.float32) * 5)
    return r.render(), forge3d.Heightmap(np.full((4, 5), seed, np.float32), spacing=2.0)


def test_frames_come_back_from_a_process_pool():
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx) as pool:
        frame, hm = pool.submit(_render_in_child, 3).result(timeout=120)
    local = _terrain_renderer(3).render()
    np.testing.assert_array_equal(np.asarray(frame), np.asarray(local))
    assert hm.spacing == (2.0, 2.0) and np.asarray(hm).tolist() == [[3.0] * 5] * 4
