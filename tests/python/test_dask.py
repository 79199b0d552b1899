"""forge3d.dask on a real distributed.LocalCluster (two worker processes,
one thread each): tables gridded on the workers, frames rendered there."""

import os
import sys
import threading
import time

import numpy as np
import pytest

import cloudpickle  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402

import forge3d  # noqa: E402
import forge3d.arrow  # noqa: E402
import forge3d.dask  # noqa: E402

# The workers import this module's functions by value (they cannot import
# the test module itself).
cloudpickle.register_pickle_by_value(sys.modules[__name__])

AGGS = ["mean", "min", "max", "first", "last", "count"]


@pytest.fixture(scope="module")
def points_parquet(tmp_path_factory):
    """4M shuffled rows in 8 Parquet files: scattered points with NaN and
    null rows, plus a shuffled lattice (a DEM exported to XYZ)."""
    rng = np.random.default_rng(11)
    n = 4_000_000
    x = rng.uniform(500_000.0, 502_000.0, n)
    y = rng.uniform(4_100_000.0, 4_101_500.0, n)
    z = rng.normal(300.0, 40.0, n)
    x[::997] = np.nan
    z[5::1009] = np.nan
    df = pd.DataFrame({"x": x, "y": y, "z": z, "intensity": rng.integers(0, 255, n)})
    path = tmp_path_factory.mktemp("lidar") / "points"
    dd.from_pandas(df, npartitions=8, sort=False).to_parquet(path, write_index=False)
    return path


def _equal(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(((a == b) | (np.isnan(a) & np.isnan(b))).all())


@pytest.mark.parametrize("agg", AGGS)
def test_parquet_dataset_grids_as_one_process_for_every_reduction(client, points_parquet, agg):
    ddf = dd.read_parquet(points_parquet)
    assert ddf.npartitions == 8
    local = ddf.compute()
    with client.as_current():
        got, info = forge3d.dask.terrain_from_table(ddf, agg=agg, resolution=4.0, return_info=True)
    want, want_info = forge3d.arrow.terrain_from_table(
        local, agg=agg, resolution=4.0, device="cpu", return_info=True
    )
    assert _equal(got, want), agg
    assert (got.spacing, got.origin) == (want.spacing, want.origin)
    assert info == want_info
    assert info["rows_read"] == 4_000_000 and info["rows_skipped"] > 0


def test_bounds_and_shape_read_the_rows_once_and_equal_one_process(client, points_parquet):
    ddf = dd.read_parquet(points_parquet, columns=["x", "y", "z"])
    box = (500_500.0, 4_100_200.0, 501_500.0, 4_101_000.0)
    with client.as_current():
        got, info = forge3d.dask.terrain_from_table(
            ddf, agg="max", shape=(400, 500), bounds=box, fill="nearest", return_info=True
        )
    want, want_info = forge3d.arrow.terrain_from_table(
        ddf.compute(), agg="max", shape=(400, 500), bounds=box, fill="nearest",
        device="cpu", return_info=True,
    )
    assert _equal(got, want) and info == want_info
    assert info["rows_outside"] > 0 and not np.isnan(np.asarray(got)).any()


def test_a_shuffled_lattice_is_detected_across_partitions(client):
    rng = np.random.default_rng(3)
    n = 700
    yy, xx = np.divmod(rng.permutation(n * n), n)
    df = pd.DataFrame({"e": xx * 30.0 + 1e5, "n": yy * 30.0 + 2e5, "h": rng.normal(0, 50, n * n)})
    ddf = dd.from_pandas(df, npartitions=6, sort=False)
    with client.as_current():
        got, info = forge3d.dask.terrain_from_table(ddf, "e", "n", "h", return_info=True)
    want, want_info = forge3d.arrow.terrain_from_table(df, "e", "n", "h", device="cpu", return_info=True)
    assert info["lattice"] and info == want_info and info["empty_cells"] == 0
    assert _equal(got, want)
    # One point off the lattice (in the last partition): bins, as one process does.
    df.loc[len(df)] = [1e5 + 45.0, 2e5 + 15.0, 1.0]
    ddf = dd.from_pandas(df, npartitions=6, sort=False)
    with client.as_current():
        got, info = forge3d.dask.terrain_from_table(ddf, "e", "n", "h", return_info=True)
    want, want_info = forge3d.arrow.terrain_from_table(df, "e", "n", "h", device="cpu", return_info=True)
    assert not info["lattice"] and info == want_info and _equal(got, want)


def test_arrow_backed_partitions_and_the_default_scheduler(client):
    rng = np.random.default_rng(8)
    n = 200_000
    df = pd.DataFrame({
        "x": pd.array(rng.uniform(0, 10, n), dtype="float64[pyarrow]"),
        "y": pd.array(rng.uniform(0, 5, n), dtype="float32[pyarrow]"),
        "z": pd.array(np.where(rng.random(n) < 0.01, None, rng.normal(0, 1, n)), dtype="float64[pyarrow]"),
    })
    ddf = dd.from_pandas(df, npartitions=5)
    want = forge3d.arrow.terrain_from_table(df, agg="last", resolution=0.05, device="cpu")
    with client.as_current():
        on_cluster = forge3d.dask.terrain_from_table(ddf, agg="last", resolution=0.05)
    threaded = forge3d.dask.terrain_from_table(ddf, agg="last", resolution=0.05, chains=3)
    assert _equal(on_cluster, want) and _equal(threaded, want)


def test_bad_arguments_raise_before_any_work(client):
    ddf = dd.from_pandas(pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0], "z": [1.0, 2.0]}), npartitions=1)
    with pytest.raises(TypeError, match="ddf must be a dask.dataframe.DataFrame"):
        forge3d.dask.terrain_from_table(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(ValueError, match=r"z: no column named 'height'; the DataFrame has \['x', 'y', 'z'\]"):
        forge3d.dask.terrain_from_table(ddf, z="height")
    with pytest.raises(ValueError, match="agg must be one of"):
        forge3d.dask.terrain_from_table(ddf, agg="median")
    with pytest.raises(ValueError, match="bounds must be finite"):
        forge3d.dask.terrain_from_table(ddf, bounds=(0, 0, 0, 1), shape=(4, 4))
    with pytest.raises(ValueError, match="chains must be a positive int"):
        forge3d.dask.terrain_from_table(ddf, chains=0)


def test_errors_in_the_rows_reach_the_caller_as_in_one_process(client):
    df = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [0.0, 1.0, 2.0], "z": ["a", "b", "c"]})
    with pytest.raises(Exception) as single:
        forge3d.arrow.terrain_from_table(df, device="cpu")
    with client.as_current(), pytest.raises(type(single.value), match="z column"):
        forge3d.dask.terrain_from_table(dd.from_pandas(df, npartitions=2))


def _setup(r):
    r.add_terrain(forge3d.datasets.jacksboro(), exaggeration=2.0, colormap="terrain")


def _view(r, azimuth):
    r.set_camera_orbit(azimuth_deg=float(azimuth), elevation_deg=30.0)
    return r.render()


def _slow_view(r, azimuth):
    time.sleep(0.4)
    return _view(r, azimuth)


def _local_frames(angles, w=160, h=120):
    r = forge3d.Renderer(w, h)
    _setup(r)
    return [np.array(_view(r, a)) for a in angles]


def test_map_frames_of_16_angles_equals_local_renders(client):
    angles = [i * 22.5 for i in range(16)]
    with client.as_current():
        frames = forge3d.dask.map_frames(_view, angles, width=160, height=120, setup=_setup, progress=False)
    assert len(frames) == 16 and all(isinstance(f, forge3d.Frame) for f in frames)
    # Unpickled over the bytes the transport received: no further copy.
    assert {f.origin for f in frames} == {"borrowed"}
    for got, want in zip(frames, _local_frames(angles)):
        np.testing.assert_array_equal(np.asarray(got), want)
    assert len({np.asarray(f).tobytes() for f in frames}) == 16
    # Each worker kept its renderer: setup ran once per worker, not per frame.
    counts = client.run(lambda: len(forge3d.dask._RENDERERS))
    assert sorted(counts.values()) <= [1, 1] and sum(counts.values()) >= 1


def test_map_frames_as_one_arrow_table_and_without_a_cluster():
    angles = [10, 100, 190]
    table = forge3d.dask.map_frames(
        _view, angles, width=160, height=120, setup=_setup, as_table=True, progress=False
    )
    assert table.column_names == ["frame", "param"] and table.column("param").to_pylist() == angles
    assert table.column("frame").num_chunks == 3
    for i, want in enumerate(_local_frames(angles)):
        got = np.asarray(table.column("frame").chunk(i).to_numpy_ndarray()[0])
        np.testing.assert_array_equal(got, want)
    with pytest.raises(TypeError, match="fn must return the forge3d.Frame"):
        forge3d.dask.map_frames(lambda r, p: None, [1], width=8, height=8, progress=False)
    with pytest.raises(ValueError, match="width must be a positive int"):
        forge3d.dask.map_frames(_view, [1], width=0, height=8)


def test_a_worker_killed_mid_batch_is_retried_and_the_batch_completes(client):
    angles = list(range(0, 360, 30))
    pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    result = {}

    def run():
        with client.as_current():
            result["frames"] = forge3d.dask.map_frames(
                _slow_view, angles, width=160, height=120, setup=_setup, progress=False
            )

    t = threading.Thread(target=run)
    t.start()
    time.sleep(1.5)  # some frames are done or running on both workers
    assert "frames" not in result  # mid-batch
    os.kill(victim, 9)
    t.join(timeout=240)
    assert not t.is_alive()
    frames = result["frames"]
    for got, want in zip(frames, _local_frames(angles)):
        np.testing.assert_array_equal(np.asarray(got), want)
    client.wait_for_workers(2, timeout=120)
    assert victim not in client.run(os.getpid).values()
