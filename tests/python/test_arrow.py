"""forge3d.arrow: every producer in, zero-copy where promised, tables to terrain."""

import numpy as np
import pytest

import forge3d
import forge3d.arrow as fa
from conftest import address

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")
pd = pytest.importorskip("pandas")

Z = np.arange(12, dtype=np.float32).reshape(3, 4) * 1.5


def arrow_address(col) -> int:
    """Data address of a single-chunk float32 Arrow column, via pyarrow."""
    arr = pa.array(col) if not isinstance(col, pa.ChunkedArray) else col.chunk(0)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.chunk(0)
    return arr.buffers()[1].address + arr.offset * 4


def producers():
    flat = Z.ravel()
    out = {
        "pyarrow": pa.array(flat),
        "pyarrow_chunked_1": pa.chunked_array([pa.array(flat)]),
        "polars": pl.Series(flat),
        "pandas_numpy": pd.Series(flat),
        "pandas_arrow": pd.Series(pa.array(flat), dtype=pd.ArrowDtype(pa.float32())),
    }
    try:
        import arro3.core as a3

        out["arro3"] = a3.Array.from_arrow(pa.array(flat))
    except ImportError:
        pass
    try:
        import nanoarrow as na

        out["nanoarrow"] = na.Array(pa.array(flat))
    except ImportError:
        pass
    return out


@pytest.mark.parametrize("name", list(producers()))
def test_single_chunk_float32_columns_are_borrowed(name):
    col = producers()[name]
    with forge3d.copy_ledger() as ledger:
        hm = fa.heightmap(col, shape=(3, 4))
    assert ledger.copies == 0, ledger.report()
    assert hm.borrowed
    np.testing.assert_array_equal(np.asarray(hm), Z)
    # The upload's one copy reads the Arrow buffer itself.
    r = forge3d.Renderer(16, 16)
    with forge3d.copy_ledger() as ledger:
        r.add_terrain(col, shape=(3, 4))
    (rec,) = ledger.records
    assert rec.operation == "upload" and rec.source_ptr == hm.ptr


def test_pyarrow_buffer_address_is_the_upload_source():
    arr = pa.array(Z.ravel())
    r = forge3d.Renderer(16, 16)
    with forge3d.copy_ledger() as ledger:
        r.add_terrain(arr, shape=(3, 4))
    assert ledger.records[0].source_ptr == arr.buffers()[1].address


def test_duckdb_results_are_accepted():
    duckdb = pytest.importorskip("duckdb")
    df = pd.DataFrame({"z": Z.ravel()})
    res = duckdb.sql("select z from df").arrow()
    col = (res.read_all() if hasattr(res, "read_all") else res)["z"]
    hm = fa.heightmap(col, shape=(3, 4))
    np.testing.assert_array_equal(np.asarray(hm), Z)


def test_sliced_arrays_respect_their_offset():
    base = pa.array(np.arange(20, dtype=np.float32))
    sliced = base.slice(4, 12)
    hm = fa.heightmap(sliced, shape=(3, 4))
    np.testing.assert_array_equal(np.asarray(hm), np.arange(4, 16, dtype=np.float32).reshape(3, 4))
    assert hm.ptr == base.buffers()[1].address + 4 * 4


def test_fixed_shape_tensors_carry_their_shape():
    frame_like = forge3d.Heightmap(Z)
    tensor = pa.array(frame_like)
    with forge3d.copy_ledger() as ledger:
        hm = fa.heightmap(tensor)
    assert ledger.copies == 0 and hm.shape == (3, 4)
    np.testing.assert_array_equal(np.asarray(hm), Z)
    with pytest.raises(ValueError, match=r"shape=\(4, 3\) does not match the tensor's shape \(3, 4\)"):
        fa.heightmap(tensor, shape=(4, 3))


def test_nulls_become_holes_in_one_recorded_conversion():
    arr = pa.array([1.0, None, 3.0, 4.0, 5.0, 6.0], type=pa.float32())
    with forge3d.copy_ledger() as ledger:
        hm = fa.heightmap(arr, shape=(2, 3))
    (rec,) = ledger.records
    assert rec.operation == "convert" and "1 nulls -> NaN" in rec.reason
    v = np.asarray(hm)
    assert np.isnan(v[0, 1]) and v[1, 2] == 6.0
    r = forge3d.Renderer(16, 16)
    r.add_terrain(arr, shape=(2, 3))
    assert r.terrain_info()["holes"] == 1


def test_chunks_are_concatenated_in_one_recorded_copy():
    ca = pa.chunked_array([pa.array(Z.ravel()[:5]), pa.array(Z.ravel()[5:])])
    with forge3d.copy_ledger() as ledger:
        hm = fa.heightmap(ca, shape=(3, 4))
    (rec,) = ledger.records
    assert "2 chunks concatenated" in rec.reason
    np.testing.assert_array_equal(np.asarray(hm), Z)
    with pytest.raises(ValueError, match="copy=False"):
        fa.heightmap(ca, shape=(3, 4), copy=False)


@pytest.mark.parametrize("typ", [pa.int16(), pa.int32(), pa.uint16(), pa.float64(), pa.float16(), pa.int64()])
def test_other_numeric_types_are_converted_once(typ):
    vals = np.arange(12).astype(typ.to_pandas_dtype())
    with forge3d.copy_ledger() as ledger:
        hm = fa.heightmap(pa.array(vals, type=typ), shape=(3, 4))
    assert ledger.copies == 1 and "-> float32" in ledger.records[0].reason
    np.testing.assert_array_equal(np.asarray(hm), np.arange(12, dtype=np.float32).reshape(3, 4))


@pytest.mark.parametrize(
    "col, exc, match",
    [
        (pa.array(["a", "b", "c", "d"]), TypeError, "not a real number type"),
        (pa.array([[1.0], [2.0, 3.0]]), TypeError, "list column"),
        (pa.array([True, False, True, False]), TypeError, "not a real number type"),
    ],
)
def test_non_numeric_columns_are_type_errors(col, exc, match):
    with pytest.raises(exc, match=match):
        fa.heightmap(col, shape=(2, 2))


def test_flat_columns_need_a_matching_shape():
    col = pa.array(Z.ravel())
    with pytest.raises(ValueError, match=r"a flat Arrow column of 12 values needs shape=\(rows, cols\)"):
        fa.heightmap(col)
    with pytest.raises(ValueError, match=r"shape=\(5, 4\) holds 20 values but the column has 12"):
        forge3d.Renderer(8, 8).add_terrain(col, shape=(5, 4))


# ---- out ---------------------------------------------------------------------


def test_conversions_out_share_memory():
    frame = forge3d.Renderer(40, 30).render_triangle_frame()
    t = fa.to_pyarrow(frame)
    assert t.storage.values.buffers()[1].address == frame.ptr
    s = fa.to_polars(frame)
    assert address(s.to_physical().to_numpy(allow_copy=False)) == frame.ptr
    p = fa.to_pandas(frame)
    assert len(p) == 1
    assert p.array._pa_array.chunk(0).storage.values.buffers()[1].address == frame.ptr


def test_frames_table_has_one_chunk_per_frame_without_copies():
    r = forge3d.Renderer(32, 24)
    frames = [r.render_triangle_frame() for _ in range(3)]
    with forge3d.copy_ledger() as ledger:
        t = fa.frames_table(frames, index=range(3), azimuth=[0.0, 45.0, 90.0])
    assert ledger.copies == 0
    assert t.num_rows == 3 and t.column("frame").num_chunks == 3
    for i, f in enumerate(frames):
        assert t.column("frame").chunk(i).storage.values.buffers()[1].address == f.ptr
    assert t.column("azimuth").to_pylist() == [0.0, 45.0, 90.0]
    with pytest.raises(ValueError, match="2 values for 3 frames"):
        fa.frames_table(frames, index=[0, 1])
    with pytest.raises(ValueError, match="same shape"):
        fa.frames_table([frames[0], forge3d.Renderer(8, 8).render_triangle_frame()])


def test_heightmap_to_table_round_trips_with_z_zero_copy():
    hm = forge3d.Heightmap(Z, spacing=(2.0, 3.0), origin=(10.0, 20.0))
    t = hm.to_table()
    assert t.column_names == ["x", "y", "z"] and t.num_rows == 12
    assert t.column("z").chunk(0).buffers()[1].address == hm.ptr
    # Row 0 is north: its y is the largest.
    assert t.column("y").to_pylist()[0] == 20.0 + 2 * 3.0
    back = fa.terrain_from_table(t)
    np.testing.assert_array_equal(np.asarray(back), Z)
    assert back.spacing == (2.0, 3.0) and back.origin == (10.0, 20.0)


# ---- dataframe to terrain -----------------------------------------------------


@pytest.fixture(scope="module")
def dem():
    from matplotlib import cbook

    return cbook.get_sample_data("jacksboro_fault_dem.npz")["elevation"]


def long_frame(z, shuffle=True):
    rows, cols = z.shape
    yy, xx = np.mgrid[0:rows, 0:cols]
    df = pd.DataFrame({"x": (500.0 + xx * 30.0).ravel(), "y": (9000.0 + (rows - 1 - yy) * 30.0).ravel(), "z": z.ravel()})
    return df.sample(frac=1.0, random_state=1) if shuffle else df


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow", "reader", "duckdb"])
def test_a_real_dem_round_trips_through_a_shuffled_long_table(dem, kind):
    df = long_frame(dem)
    if kind == "polars":
        table = pl.from_pandas(df)
    elif kind == "pyarrow":
        table = pa.Table.from_pandas(df, preserve_index=False)
    elif kind == "reader":
        table = pa.Table.from_pandas(df, preserve_index=False).to_reader(max_chunksize=10_000)
    elif kind == "duckdb":
        duckdb = pytest.importorskip("duckdb")
        table = duckdb.sql("select * from df")
    else:
        table = df
    hm, info = fa.terrain_from_table(table, return_info=True)
    assert info["lattice"] and info["rows_read"] == dem.size and info["rows_skipped"] == 0
    np.testing.assert_array_equal(np.asarray(hm), dem.astype(np.float32))
    assert hm.spacing == (30.0, 30.0) and hm.origin == (500.0, 9000.0)


def test_scattered_points_agree_with_an_independent_numpy_binning():
    rng = np.random.default_rng(7)
    n = 5000
    x, y = rng.uniform(0, 100, n), rng.uniform(0, 50, n)
    z = rng.normal(size=n).astype(np.float32)
    df = pd.DataFrame({"x": x, "y": y, "z": z})
    for agg, fn in [("mean", np.mean), ("min", np.min), ("max", np.max), ("count", len)]:
        hm = fa.terrain_from_table(df, resolution=10.0, agg=agg)
        got = np.asarray(hm)
        rows, cols = got.shape
        col = np.minimum(((x - x.min()) / 10.0).astype(int), cols - 1)
        row = rows - 1 - np.minimum(((y - y.min()) / 10.0).astype(int), rows - 1)
        for k in range(0, n, 97):
            sel = (row == row[k]) & (col == col[k])
            assert got[row[k], col[k]] == pytest.approx(float(fn(z[sel])), rel=1e-5, abs=1e-5)


def test_bounds_bin_like_an_independent_numpy_binning_in_one_pass():
    rng = np.random.default_rng(11)
    n = 20000
    x, y = rng.uniform(-20, 120, n), rng.uniform(-10, 60, n)
    z = rng.normal(size=n)
    df = pd.DataFrame({"x": x, "y": y, "z": z})
    box = (0.0, 0.0, 100.0, 50.0)
    inside = (x >= 0) & (x <= 100) & (y >= 0) & (y <= 50)
    col = np.minimum((x[inside] / 4.0).astype(int), 24)
    row = 9 - np.minimum((y[inside] / 5.0).astype(int), 9)
    zi = z[inside]
    for agg in ["mean", "min", "max", "first", "last", "count"]:
        # Buckets on 3 threads, and the direct scatter on one.
        hm, info = fa.terrain_from_table(df, shape=(10, 25), bounds=box, agg=agg, threads=3,
                                         return_info=True)
        assert info["rows_outside"] == n - inside.sum() and info["rows_skipped"] == 0
        assert info["rows_read"] == n and not info["lattice"]
        assert hm.spacing == (4.0, 5.0) and hm.origin == (2.0, 2.5)
        got = np.asarray(hm)
        for r, c in [(0, 0), (9, 24), (4, 13), (9, 0), (0, 24)]:
            sel = zi[(row == r) & (col == c)]
            want = {"mean": lambda v: v.mean(), "min": np.min, "max": np.max,
                    "first": lambda v: v[0], "last": lambda v: v[-1], "count": len}[agg](sel)
            assert got[r, c] == pytest.approx(float(np.float32(want)), rel=1e-6), (agg, r, c)
        one = fa.terrain_from_table(df, shape=(10, 25), bounds=box, agg=agg, threads=1)
        np.testing.assert_array_equal(np.asarray(one), got)


@pytest.mark.parametrize("agg", ["mean", "min", "max", "first", "last", "count"])
def test_buckets_and_the_direct_scatter_give_the_same_grids(dem, agg):
    df = long_frame(dem)
    for kw in [{}, {"resolution": 75.0}, {"shape": (40, 70)}]:
        a, ia = fa.terrain_from_table(df, agg=agg, return_info=True, threads=3, **kw)
        b, ib = fa.terrain_from_table(df, agg=agg, return_info=True, threads=1, **kw)
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        assert ia == ib and ia["lattice"] == (not kw)
    # Off the lattice by a hair: both paths notice and bin instead.
    df.loc[df.index[-1], "x"] += 7.0
    a = fa.terrain_from_table(df, agg=agg, return_info=True, threads=3)
    b = fa.terrain_from_table(df, agg=agg, return_info=True, threads=1)
    assert not a[1]["lattice"] and a[1] == b[1]
    np.testing.assert_array_equal(np.asarray(a[0]), np.asarray(b[0]))


def test_nulls_duplicates_and_nan_coordinates():
    t = pa.table({
        "x": pa.array([0.0, 1.0, 0.0, 1.0, None, np.nan, 0.0]),
        "y": pa.array([0.0, 0.0, 1.0, 1.0, 0.5, 0.5, 0.0]),
        "z": pa.array([1.0, 2.0, 3.0, 4.0, 9.0, 9.0, 5.0], type=pa.float32()),
    })
    hm, info = fa.terrain_from_table(t, return_info=True)
    assert info["rows_skipped"] == 2 and info["lattice"]
    np.testing.assert_array_equal(np.asarray(hm), [[3.0, 4.0], [3.0, 2.0]])  # duplicate (0,0): mean of 1 and 5
    hm = fa.terrain_from_table(t, agg="last")
    assert np.asarray(hm)[1, 0] == 5.0


@pytest.mark.parametrize(
    "table, kwargs, exc, match",
    [
        (pa.table({"x": [], "y": [], "z": []}), {}, ValueError, "no rows"),
        (pa.table({"x": [1.0], "y": [1.0], "z": [1.0]}), {}, ValueError, "two distinct"),
        (pa.table({"x": ["a", "b"], "y": [0.0, 1.0], "z": [0.0, 1.0]}), {}, TypeError, "not a real number type"),
        (pa.table({"lon": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, 1.0]}), {}, ValueError, 'no column named "x"'),
        (pa.table({"x": [0.0, 1e12], "y": [0.0, 1e12], "z": [0.0, 1.0]}), {"resolution": 1.0}, ValueError, "coarser resolution"),
        (pa.table({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, 1.0]}), {"agg": "median"}, ValueError, "agg must be one of"),
        (pa.table({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, 1.0]}), {"fill": "zero"}, ValueError, "fill must be"),
        (pa.table({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, np.inf]}), {}, ValueError, "infinite"),
        ([1, 2, 3], {}, TypeError, "__arrow_c_stream__"),
        (pa.table({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, 1.0]}), {"bounds": (0, 0, 1)}, ValueError, "bounds must be four numbers"),
        (pa.table({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, 1.0]}), {"bounds": "0 0 1 1"}, TypeError, "bounds must be four numbers"),
        (pa.table({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, 1.0]}), {"bounds": (1, 0, 0, 1)}, ValueError, "xmin < xmax"),
        (pa.table({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, 1.0]}), {"shape": (2, 2), "bounds": (5, 5, 6, 6)}, ValueError, "none of the 2 rows lies inside bounds"),
        (pa.table({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, np.inf]}), {"shape": (2, 2), "bounds": (0, 0, 1, 1)}, ValueError, "infinite"),
        (pa.table({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, 1.0]}), {"threads": 0}, ValueError, "threads must be an int from 1"),
        (pa.table({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, 1.0]}), {"threads": 257}, ValueError, "to 256"),
        (pa.table({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, 1.0]}), {"threads": "2"}, TypeError, "threads must be an int"),
        (pa.table({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, 1.0]}), {"bounds": (0, 0, 1, 1, 2)}, ValueError, "got 5 numbers"),
        (pa.table({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, 1.0]}), {"device": "tpu"}, ValueError, "device must be one of"),
        (pa.table({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, 1.0]}), {"device": 1}, TypeError, "device must be a str"),
        (pa.table({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, np.inf]}), {"device": "gpu"}, ValueError, "infinite"),
        (pa.table({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, 1.0]}), {"shape": (2, 2), "bounds": (5, 5, 6, 6), "device": "gpu"}, ValueError, "none of the 2 rows lies inside bounds"),
    ],
)
def test_bad_tables_are_clear_errors(table, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fa.terrain_from_table(table, **kwargs)


def test_fill_nearest_leaves_no_holes_and_renders():
    t = pa.table({"x": [0.0, 10.0, 0.0, 10.0], "y": [0.0, 0.0, 10.0, 10.0], "z": [1.0, 2.0, 3.0, 4.0]})
    hm = fa.terrain_from_table(t, shape=(8, 8), fill="nearest")
    assert not np.isnan(np.asarray(hm)).any()
    r = forge3d.Renderer(32, 32)
    r.add_terrain(hm)
    assert r.terrain_info()["holes"] == 0
    hm = fa.terrain_from_table(t, shape=(8, 8))
    assert np.isnan(np.asarray(hm)).sum() == 60


# --- pandas frames read in place ---------------------------------------------


def test_pandas_number_columns_are_read_in_place_with_the_same_result():
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    from forge3d.arrow import _pandas_numpy_columns

    rng = np.random.default_rng(5)
    n = 5000
    df = pd.DataFrame({
        "x": rng.uniform(0, 100, n),
        "y": rng.integers(0, 80, n),  # int64: converted in Rust, as from Arrow
        "z": rng.normal(0, 10, n).astype(np.float32),
        "other": ["a"] * n,  # not asked for: never looked at
    })
    df.loc[::97, "z"] = np.nan
    df.loc[::131, "x"] = np.nan
    fast = _pandas_numpy_columns(df, ("x", "y", "z"))
    assert fast is not None and fast.column_names == ["x", "y", "z"]
    for name in "xyz":  # the same memory, no conversion
        assert fast[name].chunks[0].buffers()[1].address == df[name].to_numpy().ctypes.data
    for kw in ({}, {"resolution": 7.5, "agg": "max"}, {"shape": (20, 30), "agg": "count"},
               {"resolution": 5.0, "agg": "last", "fill": "nearest"}):
        a, ia = fa.terrain_from_table(df, return_info=True, **kw)
        b, ib = fa.terrain_from_table(pa.Table.from_pandas(df), return_info=True, **kw)
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        assert ia == ib and ia["rows_skipped"] == len(set(range(0, n, 97)) | set(range(0, n, 131)))


def test_pandas_extension_columns_take_pandas_own_export():
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from forge3d.arrow import _pandas_numpy_columns

    df = pd.DataFrame({"x": [0.0, 1.0, 0.0, 1.0], "y": [0.0, 0.0, 1.0, 1.0],
                       "z": pd.array([1, None, 3, 4], dtype="Int64")})
    assert _pandas_numpy_columns(df, ("x", "y", "z")) is None
    hm, info = fa.terrain_from_table(df, return_info=True)
    assert info["rows_skipped"] == 1
    assert np.isnan(np.asarray(hm)).sum() == 1
    dup = pd.DataFrame([[0.0, 0.0, 1.0]], columns=["x", "x", "z"])
    assert _pandas_numpy_columns(dup, ("x", "y", "z")) is None


def test_tensor_metadata_is_read_as_json_with_dim_names_and_spacing():
    """pyarrow writes dim_names (and spaces) into the tensor's JSON metadata;
    the heights are read all the same, and without a copy."""
    h = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = pa.fixed_shape_tensor(pa.float32(), (3, 4), dim_names=["y", "x"])
    arr = pa.ExtensionArray.from_storage(t, pa.FixedSizeListArray.from_arrays(pa.array(h.ravel()), 12))
    assert arr.type.dim_names == ["y", "x"]
    hm = forge3d.Heightmap(arr)
    assert hm.shape == (3, 4) and np.array_equal(np.asarray(hm), h)
    assert hm.borrowed


AGGS = ["mean", "min", "max", "first", "last", "count"]


@pytest.mark.parametrize("agg", AGGS)
def test_the_gpu_grids_cell_for_cell_as_the_cpu(dem, agg):
    rng = np.random.default_rng(5)
    n = 50000
    x, y = rng.uniform(-20, 120, n), rng.uniform(-10, 60, n)
    # A quarter exactly on cell edges; holes of every kind.
    x[::4], y[::4] = np.round(x[::4]), np.round(y[::4])
    z = rng.normal(scale=300.0, size=n)
    x[5::101], y[7::103], z[9::107] = np.nan, np.inf, np.nan
    df = pd.DataFrame({"x": x, "y": y, "z": z})
    for kw in [{"resolution": 2.0}, {"shape": (30, 70), "bounds": (0.0, 0.0, 100.0, 50.0)},
               {"bounds": (0.0, 0.0, 100.0, 50.0), "fill": -1.0}, {"shape": (30, 70), "fill": "nearest"}]:
        c, ic = fa.terrain_from_table(df, agg=agg, device="cpu", return_info=True, **kw)
        g, ig = fa.terrain_from_table(df, agg=agg, device="gpu", return_info=True, **kw)
        assert ic.pop("device") == "cpu" and ig.pop("device") == "gpu"
        assert ic == ig, kw
        assert (c.spacing, c.origin) == (g.spacing, g.origin)
        if agg == "mean":
            np.testing.assert_allclose(np.asarray(g), np.asarray(c), rtol=3e-7, atol=0)
        else:
            np.testing.assert_array_equal(np.asarray(g), np.asarray(c))
    # A DEM's lattice, shuffled: placed exactly on the GPU too.
    lat = long_frame(dem)
    c = fa.terrain_from_table(lat, agg=agg, device="cpu")
    g, info = fa.terrain_from_table(lat, agg=agg, device="gpu", return_info=True)
    assert info["lattice"] and info["device"] == "gpu"
    np.testing.assert_array_equal(np.asarray(g), np.asarray(c))


def test_the_gpu_grid_is_the_mapped_memory_it_was_read_into():
    rng = np.random.default_rng(2)
    n = 200000
    t = pa.table({"x": rng.uniform(0, 1, n), "y": rng.uniform(0, 1, n),
                  "z": rng.uniform(0, 1, n)})
    with forge3d.copy_ledger() as ledger:
        hm, info = fa.terrain_from_table(t, shape=(256, 256), bounds=(0, 0, 1, 1), agg="max",
                                         device="gpu", return_info=True)
    assert info["device"] == "gpu"
    # The one copy of the rows (x and y as they are, z to float32), each
    # record reading the table's own buffers; nothing copies the grid.
    records = ledger.records
    cols = {name: t.column(name).chunk(0).buffers()[1].address for name in "xyz"}
    assert {r.source_ptr for r in records} == set(cols.values()), ledger.report()
    assert sum(r.bytes for r in records) == 3 * 8 * n, ledger.report()
    assert all("upload memory" in r.reason for r in records)
    a = np.asarray(hm)
    assert address(a) == hm.ptr
    cpu = fa.terrain_from_table(t, shape=(256, 256), bounds=(0, 0, 1, 1), agg="max", device="cpu")
    np.testing.assert_array_equal(a, np.asarray(cpu))


def test_the_gpu_records_the_conversion_of_a_float32_column_and_its_upload():
    n = 100000
    rng = np.random.default_rng(4)
    t = pa.table({"x": rng.uniform(0, 1, n), "y": rng.uniform(0, 1, n),
                  "z": rng.uniform(0, 1, n).astype(np.float32)})
    with forge3d.copy_ledger() as ledger:
        fa.terrain_from_table(t, shape=(300, 300), bounds=(0, 0, 1, 1), agg="min", device="gpu")
    zbuf = t.column("z").chunk(0).buffers()[1].address
    converted = [r for r in ledger.records if r.source_ptr == zbuf]
    assert len(converted) == 1 and converted[0].bytes == 4 * n, ledger.report()
    assert "to float64" in converted[0].reason
    # x, y and z (from the float64 scratch) into upload memory.
    assert sum(r.bytes for r in ledger.records if "upload memory" in r.reason) == 3 * 8 * n


def test_device_auto_bins_on_the_cpu_on_a_software_renderer():
    t = pa.table({"x": [0.0, 1.0, 0.0, 1.0], "y": [0.0, 0.0, 1.0, 1.0], "z": [1.0, 2.0, 3.0, 4.0]})
    _, info = fa.terrain_from_table(t, shape=(300, 300), return_info=True)
    software = forge3d.device_info()["software"]
    assert info["device"] == ("cpu" if software else "gpu")
    _, info = fa.terrain_from_table(t, return_info=True)  # 2 x 2: too small for the GPU
    assert info["device"] == "cpu"
