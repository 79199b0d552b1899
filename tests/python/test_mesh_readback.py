"""Mesh data back to NumPy: each attribute read from its GPU buffer with
one GPU copy into readback memory and no CPU copy (pointers and ledger),
current after pending uploads and mapped writes."""

from __future__ import annotations

import numpy as np
import pytest

import forge3d


def test_a_primitives_geometry_reads_back():
    s = forge3d.primitives.sphere(2.0, 32)
    v = s.read_vertices().to_numpy()
    n = s.read_normals().to_numpy()
    uv = s.read_texcoords().to_numpy()
    assert v.shape == (len(s), 3) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 2.0, atol=1e-5)
    assert np.allclose(n, v / 2.0, atol=1e-5)
    assert uv.shape == (len(s), 2) and uv.min() >= 0 and uv.max() <= 1


def test_reads_are_zero_copy_and_export_like_a_frame():
    pa = pytest.importorskip("pyarrow")
    v = np.random.default_rng(1).random((1000, 3), dtype=np.float32)
    m = forge3d.Points(v)
    with forge3d.copy_ledger() as ledger:
        back = m.read_vertices()
    assert ledger.records == []
    a = back.to_numpy()
    assert back.origin == "mapped_readback"
    assert a.ctypes.data == back.ptr and a.base is back
    assert np.from_dlpack(back).ctypes.data == back.ptr
    assert pa.array(back).storage.values.buffers()[1].address == back.ptr
    assert np.array_equal(a, v)
    assert a.ctypes.data != v.ctypes.data  # forge3d's memory, not the caller's


def test_reads_see_pending_uploads_and_mapped_writes():
    m = forge3d.Points(np.zeros((64, 3), np.float32))
    new = np.arange(192, dtype=np.float32).reshape(64, 3)
    m.set_vertices(new)  # pending: not drawn yet
    assert np.array_equal(m.read_vertices().to_numpy(), new)
    with m.write_vertices() as w:
        w[:] = -new
    assert np.array_equal(m.read_vertices().to_numpy(), -new)


def test_colors_keep_their_format_and_scalars_read_back():
    v = np.zeros((4, 3), np.float32)
    c8 = np.array([[255, 0, 0, 255], [0, 255, 0, 128], [0, 0, 255, 0], [1, 2, 3, 4]], np.uint8)
    m = forge3d.Mesh(v, colors=c8)
    back = m.read_colors().to_numpy()
    assert back.dtype == np.uint8 and np.array_equal(back, c8)
    cf = np.linspace(0, 1, 16, dtype=np.float32).reshape(4, 4)
    m.set_colors(cf)
    assert np.array_equal(m.read_colors().to_numpy(), cf)
    m.set_scalars(np.float32([1, 2, 3, 4]))
    assert np.array_equal(m.read_scalars().to_numpy()[:, 0], [1, 2, 3, 4])


def test_missing_attributes_are_a_clear_error():
    m = forge3d.Mesh(np.zeros((3, 3), np.float32))
    with pytest.raises(ValueError, match="no normals yet"):
        m.read_normals()
    p = forge3d.Points(np.zeros((3, 3), np.float32))
    with pytest.raises(ValueError, match="no scalars yet"):
        p.read_scalars()


def test_an_empty_point_set_reads_as_empty():
    p = forge3d.Points(np.zeros((0, 3), np.float32))
    assert p.read_vertices().to_numpy().shape == (0, 3)


def test_external_array_from_seeds_a_simulation_that_streams_back():
    mesh = forge3d.primitives.sphere(1.0, 24)
    pos = forge3d.interop.external_array_from(mesh)
    assert isinstance(pos.base, forge3d.ExternalArray) and pos.flags.writeable
    pos *= 2.0  # the "simulation" writes in place
    with forge3d.copy_ledger() as ledger:
        mesh.set_vertices(pos)
    assert [r.operation for r in ledger.records] == ["upload"]
    assert ledger.records[0].source_ptr == pos.ctypes.data
    assert np.allclose(np.linalg.norm(mesh.read_vertices().to_numpy(), axis=1), 2.0, atol=1e-5)
    assert forge3d.interop.external_array_from(mesh, "positions").shape == pos.shape
    with pytest.raises(ValueError, match="attribute must be one of"):
        forge3d.interop.external_array_from(mesh, "uvs")
    with pytest.raises(TypeError, match="forge3d.Mesh or forge3d.Points"):
        forge3d.interop.external_array_from(object())
