"""Real DEMs in: GeoTIFF/COG files written with rasterio, NetCDF through
xarray, dask-backed DataArrays; spacing, origin, orientation, holes and CRS
come out as in the source."""

import math

import dask.array as dsa
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import rasterio
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr
from matplotlib import cbook
from rasterio.enums import Resampling
from rasterio.transform import Affine, from_origin

import forge3d
import forge3d.arrow
from forge3d.geo import _metres_per_degree

NODATA = -32768
X0, Y0, CELL = 500_000.0, 4_000_000.0, 10.0  # UTM 16N, top-left corner


@pytest.fixture(scope="module")
def jacksboro():
    z = np.asarray(cbook.get_sample_data("jacksboro_fault_dem.npz")["elevation"]).astype(np.int16)
    z[:6, :9] = NODATA  # a corner of nodata
    return z


def write(path, z, transform, crs="EPSG:32616", nodata=NODATA, **kw):
    with rasterio.open(
        path, "w", driver=kw.pop("driver", "GTiff"), height=z.shape[0], width=z.shape[1],
        count=1, dtype=z.dtype, crs=crs, transform=transform, nodata=nodata, **kw,
    ) as ds:
        ds.write(z, 1)
    return path


def expected(z):
    e = z.astype(np.float32)
    e[z == NODATA] = np.nan
    return e


def test_utm_geotiff_opens_to_the_same_heights_spacing_origin_and_holes(tmp_path, jacksboro):
    path = write(tmp_path / "utm.tif", jacksboro, from_origin(X0, Y0, CELL, CELL))
    with forge3d.copy_ledger() as ledger:
        hm = forge3d.open_dem(path)
    rows, cols = jacksboro.shape
    assert hm.shape == (rows, cols) and hm.spacing == (CELL, CELL)
    assert hm.origin == (X0 + CELL / 2, Y0 - CELL * (rows - 0.5))  # lower-left cell centre
    np.testing.assert_array_equal(np.asarray(hm), expected(jacksboro))
    assert "UTM zone 16N" in hm.crs
    with rasterio.open(path) as ds:
        assert Affine(*hm.transform) == ds.transform
        assert hm.bounds == tuple(ds.bounds)
    # One recorded conversion: int16 with masked cells -> float32 with NaN holes.
    assert [r.operation for r in ledger.records] == ["convert"]
    r = forge3d.Renderer(160, 120)
    r.add_terrain(hm)
    assert r.terrain_info()["holes"] == 6 * 9
    assert r.terrain_info()["spacing"] == (CELL, CELL)


def test_south_up_and_east_to_west_files_are_read_north_up(tmp_path, jacksboro):
    rows, cols = jacksboro.shape
    north_up = forge3d.open_dem(write(tmp_path / "n.tif", jacksboro, from_origin(X0, Y0, CELL, CELL)))
    # The same ground stored bottom row first (a positive y step).
    south = Affine(CELL, 0, X0, 0, CELL, Y0 - rows * CELL)
    south_up = forge3d.open_dem(write(tmp_path / "s.tif", jacksboro[::-1].copy(), south))
    west = Affine(-CELL, 0, X0 + cols * CELL, 0, -CELL, Y0)
    east_to_west = forge3d.open_dem(write(tmp_path / "w.tif", jacksboro[:, ::-1].copy(), west))
    for hm in (south_up, east_to_west):
        np.testing.assert_array_equal(np.asarray(hm), np.asarray(north_up))
        assert hm.origin == pytest.approx(north_up.origin) and hm.spacing == north_up.spacing
        assert hm.bounds == pytest.approx(north_up.bounds)


def test_geographic_crs_spacing_in_metres_at_the_centre_latitude(tmp_path, jacksboro):
    rows, cols = jacksboro.shape
    step = 1 / 3600  # one arc second
    path = write(tmp_path / "geo.tif", jacksboro, from_origin(-97.5, 33.5, step, step), crs="EPSG:4326")
    hm = forge3d.open_dem(path)
    lat = 33.5 - step * rows / 2
    east, north = _metres_per_degree(lat)
    assert hm.spacing == pytest.approx((step * east, step * north), rel=1e-12)
    # About 25.8 m by 30.8 m at 33.4 degrees north.
    assert hm.spacing == pytest.approx((25.8, 30.8), abs=0.1)
    assert hm.origin == pytest.approx((-97.5 + step / 2, 33.5 - step * (rows - 0.5)))
    # Placement stays in degrees: transform and bounds are the file's.
    with rasterio.open(path) as ds:
        assert hm.transform == pytest.approx(tuple(ds.transform)[:6])
        assert hm.bounds == pytest.approx(tuple(ds.bounds))
    deg = forge3d.open_dem(path, units="degrees")
    assert deg.spacing == pytest.approx((step, step)) and deg.bounds == pytest.approx(hm.bounds)
    with pytest.raises(ValueError, match="units"):
        forge3d.open_dem(path, units="feet")
    # look_at_geo and to_world map degrees to the metres drawn.
    r = forge3d.Renderer(64, 48)
    r.add_terrain(hm)
    row, col = 100, 200
    lon, lat = -97.5 + step * (col + 0.5), 33.5 - step * (row + 0.5)
    target = r.look_at_geo(lon, lat)
    assert target[:2] == pytest.approx((col * hm.spacing[0], (rows - 1 - row) * hm.spacing[1]))
    assert target[2] == float(jacksboro[row, col])
    assert hm.to_world(lon, lat)[:2] == pytest.approx(target[:2])
    # The CRS step survives the Arrow field.
    back = forge3d.arrow.heightmap(forge3d.arrow.heightmap_table(hm))
    assert (back.spacing, back.bounds) == (hm.spacing, pytest.approx(hm.bounds))


def test_float32_file_with_nan_nodata_is_borrowed_as_read(tmp_path, jacksboro):
    z = expected(jacksboro)
    path = write(tmp_path / "f.tif", z, from_origin(X0, Y0, CELL, CELL), nodata=float("nan"))
    with forge3d.copy_ledger() as ledger:
        hm = forge3d.open_dem(path)
    np.testing.assert_array_equal(np.asarray(hm), z)
    assert hm.nodata is None and hm.borrowed and ledger.records == []
    assert forge3d.Renderer(64, 48).add_terrain(hm) is None


def test_cog_with_overviews_reads_an_overview_under_max_size(tmp_path, jacksboro):
    rows, cols = jacksboro.shape
    path = write(
        tmp_path / "cog.tif", jacksboro, from_origin(X0, Y0, CELL, CELL),
        tiled=True, blockxsize=128, blockysize=128,
    )
    with rasterio.open(path, "r+") as ds:
        ds.build_overviews([2, 4], Resampling.average)
    with rasterio.open(path, overview_level=1) as ov:  # the 4x overview
        overview = ov.read(1, masked=True)
    hm = forge3d.open_dem(path, max_size=110)
    assert max(hm.shape) <= 110 and hm.shape == overview.shape
    # The values are the overview's (averages), not a nearest-neighbour
    # decimation of the full-resolution band.
    got = np.asarray(hm)
    want = overview.astype(np.float32).filled(np.nan)
    np.testing.assert_array_equal(got, want)
    nearest = jacksboro[::4, ::4].astype(np.float32)
    assert not np.array_equal(np.nan_to_num(got[10:, 10:]), nearest[10:, 10:])
    assert hm.spacing == pytest.approx((CELL * cols / hm.shape[1], CELL * rows / hm.shape[0]))
    assert hm.bounds == pytest.approx(forge3d.open_dem(path).bounds)


def test_window_and_bounds_read_the_same_part(tmp_path, jacksboro):
    path = write(tmp_path / "w.tif", jacksboro, from_origin(X0, Y0, CELL, CELL))
    a = forge3d.open_dem(path, window=((100, 200), (50, 250)))
    b = forge3d.open_dem(path, bounds=(X0 + 500, Y0 - 2000, X0 + 2500, Y0 - 1000))
    np.testing.assert_array_equal(np.asarray(a), jacksboro[100:200, 50:250].astype(np.float32))
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert a.origin == b.origin == (X0 + 505, Y0 - 1995)


def test_netcdf_dataset_through_xarray(tmp_path, jacksboro):
    rows, cols = jacksboro.shape
    x = X0 + CELL / 2 + CELL * np.arange(cols)
    y = Y0 - CELL / 2 - CELL * np.arange(rows)
    da = xr.DataArray(jacksboro, dims=("y", "x"), coords={"y": y, "x": x}, name="z")
    da.encoding["_FillValue"] = NODATA
    xr.Dataset({"z": da}).to_netcdf(tmp_path / "dem.nc")
    with xr.open_dataset(tmp_path / "dem.nc") as ds:
        hm = forge3d.Heightmap.from_xarray(ds["z"])
        r = forge3d.Renderer(64, 48)
        r.add_terrain(ds["z"])  # accepted directly
    np.testing.assert_array_equal(np.asarray(hm), expected(jacksboro))
    assert hm.spacing == (CELL, CELL) and hm.origin == (x[0], y[-1])
    assert r.terrain_info()["holes"] == 6 * 9


def test_ascending_y_is_flipped_once_and_refused_with_copy_false(jacksboro):
    rows, cols = jacksboro.shape
    z = expected(jacksboro)
    y_up = xr.DataArray(z[::-1].copy(), dims=("y", "x"), coords={"y": np.arange(rows) * 2.0, "x": np.arange(cols) * 3.0})
    with forge3d.copy_ledger() as ledger:
        hm = forge3d.Heightmap.from_xarray(y_up)
    np.testing.assert_array_equal(np.asarray(hm), z)
    assert hm.spacing == (3.0, 2.0) and hm.origin == (0.0, 0.0)
    assert [r.operation for r in ledger.records] == ["convert"]
    with pytest.raises(ValueError, match="copy=False"):
        forge3d.Heightmap.from_xarray(y_up, copy=False)
    # North-up float32: borrowed, no copy.
    north = xr.DataArray(z, dims=("y", "x"), coords={"y": -np.arange(rows) * 2.0, "x": np.arange(cols) * 3.0})
    with forge3d.copy_ledger() as ledger:
        hm = forge3d.Heightmap.from_xarray(north, copy=False)
    assert ledger.records == [] and hm.ptr == z.ctypes.data


def test_lat_lon_dataarrays_are_read_by_name_and_units(jacksboro):
    rows, cols = 30, 40
    z = np.arange(rows * cols, dtype=np.float32).reshape(rows, cols)
    lat = 33.0 - 0.01 * np.arange(rows)
    lon = -98.0 + 0.01 * np.arange(cols)
    # Stored (lon, lat): still read as rows of latitude.
    t = xr.DataArray(z.T.copy(), dims=("lon", "lat"), coords={"lon": lon, "lat": lat})
    hm = forge3d.Heightmap.from_xarray(t)
    assert hm.shape == (rows, cols)
    np.testing.assert_array_equal(np.asarray(hm), z)
    # No CRS, but latitude and longitude: spacing in metres, placement in degrees.
    east, north = _metres_per_degree(float(lat.mean()))
    assert hm.spacing == pytest.approx((0.01 * east, 0.01 * north))
    assert hm.bounds == pytest.approx((-98.005, lat.min() - 0.005, lon.max() + 0.005, 33.005))
    # CF units name them too.
    cf = xr.DataArray(z, dims=("a", "b"), coords={"a": ("a", lat, {"units": "degrees_north"}), "b": ("b", lon, {"units": "degrees_east"})})
    assert forge3d.Heightmap.from_xarray(cf).spacing == pytest.approx(hm.spacing)


def test_a_spacing_override_is_what_look_at_geo_maps_to(tmp_path, jacksboro):
    hm = forge3d.open_dem(write(tmp_path / "o.tif", jacksboro, from_origin(X0, Y0, CELL, CELL)))
    r = forge3d.Renderer(64, 48)
    r.add_terrain(hm, spacing=20.0)
    target = r.look_at_geo(X0 + CELL * 50.5, Y0 - CELL * (jacksboro.shape[0] - 10.5))
    assert target[:2] == (20.0 * 50, 20.0 * 10)
    assert target[2] == float(jacksboro[-11, 50])


def test_rioxarray_crs_and_nodata(tmp_path, jacksboro):
    path = write(tmp_path / "r.tif", jacksboro, from_origin(X0, Y0, CELL, CELL))
    da = rioxarray.open_rasterio(path, masked=False).isel(band=0)
    hm = forge3d.Heightmap.from_xarray(da)
    # Unmasked: the values as stored, with rio.nodata as the hole value.
    np.testing.assert_array_equal(np.asarray(hm), jacksboro.astype(np.float32))
    assert hm.nodata == NODATA
    r = forge3d.Renderer(64, 48)
    r.add_terrain(hm)
    assert r.terrain_info()["holes"] == 6 * 9
    assert "UTM zone 16N" in hm.crs and hm.bounds == pytest.approx(forge3d.open_dem(path).bounds)


@pytest.mark.parametrize("store", ["texture", "buffer"])
def test_a_dask_backed_dataarray_is_computed_straight_into_upload_memory(jacksboro, store, monkeypatch):
    monkeypatch.setenv("FORGE3D_TERRAIN_HEIGHTS", store)
    rows, cols = jacksboro.shape
    z = expected(jacksboro)
    north_up = {"y": -np.arange(rows) * 30.0, "x": np.arange(cols) * 30.0}
    eager = xr.DataArray(z, dims=("y", "x"), coords=north_up)
    # The same ground stored south-up, lazily, in chunks across band edges.
    south_up = {"y": north_up["y"][::-1], "x": north_up["x"]}  # ascending
    lazy = xr.DataArray(dsa.from_array(z[::-1].copy(), chunks=(37, 128)), dims=("y", "x"), coords=south_up)
    frames, ledgers, infos = [], [], []
    for da in (eager, lazy):
        r = forge3d.Renderer(160, 120)
        with forge3d.copy_ledger() as ledger:
            r.add_terrain(da)
        frames.append(np.array(r.render()))
        ledgers.append(ledger.records)
        infos.append(r.terrain_info())
    assert infos[1]["heights_memory"] == store
    assert np.array_equal(frames[0], frames[1])
    assert (infos[1]["holes"], infos[1]["data_range"]) == (infos[0]["holes"], infos[0]["data_range"])
    # No CPU copy but the upload, which the chunks were computed into.
    (rec,) = ledgers[1]
    assert rec.operation == "upload" and rec.bytes == z.nbytes and "dask chunks written in place" in rec.reason
    # A Heightmap keeps its values on the CPU: chunks into forge3d memory.
    with forge3d.copy_ledger() as ledger:
        hm = forge3d.Heightmap.from_xarray(lazy)
    np.testing.assert_array_equal(np.asarray(hm), z)
    assert [x.operation for x in ledger.records] == ["convert"]
    with pytest.raises(ValueError, match="dask"):
        forge3d.Heightmap.from_xarray(lazy, copy=False)


def test_a_failing_dask_computation_raises_itself_and_leaves_the_renderer_as_it_was():
    def boom(block):
        raise ZeroDivisionError("chunk 3 failed")

    good = xr.DataArray(np.ones((64, 64), np.float32), dims=("y", "x"), coords={"y": -np.arange(64.0), "x": np.arange(64.0)})
    bad = good.copy(data=dsa.from_array(np.ones((64, 64), np.float32), chunks=16).map_blocks(boom, dtype=np.float32))
    r = forge3d.Renderer(32, 32)
    r.add_terrain(good)
    before = np.array(r.render())
    with pytest.raises(ZeroDivisionError, match="chunk 3 failed"):
        r.add_terrain(bad)
    assert np.array_equal(np.array(r.render()), before)
    # look_at_geo of a dask terrain: no heights on the CPU, so the height
    # is read back from the GPU's copy (one cell).
    values = np.arange(64 * 64, dtype=np.float32).reshape(64, 64)
    values[3, 10] = np.nan
    lazy = good.copy(data=dsa.from_array(values, chunks=32))
    r.add_terrain(lazy)
    with pytest.raises(ValueError, match="outside the terrain"):
        r.look_at_geo(10.0, 10.0)
    # Row 0 is y = 0 (north), row 63 is y = -63 (origin (0, -63)).
    assert r.look_at_geo(10.0, -10.0) == (10.0, 53.0, float(values[10, 10]))
    assert r.look_at_geo(63.0, -63.0) == (63.0, 0.0, float(values[63, 63]))
    with pytest.raises(ValueError, match="over a hole"):
        r.look_at_geo(10.0, -3.0)
    assert r.look_at_geo(10.0, -10.0, 1.0) == (10.0, 53.0, 1.0)


def test_georeferencing_survives_parquet_and_ipc(tmp_path, jacksboro):
    hm = forge3d.open_dem(write(tmp_path / "a.tif", jacksboro, from_origin(X0, Y0, CELL, CELL)))
    table = forge3d.arrow.heightmap_table(hm, "dem")
    assert table.column(0).chunk(0).buffers()[-1].address == hm.ptr  # no copy
    pq.write_table(table, tmp_path / "dem.parquet")
    with pa.OSFile(str(tmp_path / "dem.arrow"), "wb") as f, pa.ipc.new_file(f, table.schema) as w:
        w.write_table(table)
    back = [
        pq.read_table(tmp_path / "dem.parquet"),
        pa.ipc.open_file(str(tmp_path / "dem.arrow")).read_all(),
    ]
    for col in back:
        h2 = forge3d.arrow.heightmap(col)
        assert (h2.spacing, h2.origin, h2.nodata, h2.crs) == (hm.spacing, hm.origin, hm.nodata, hm.crs)
        np.testing.assert_array_equal(np.asarray(h2), np.asarray(hm))
    # Explicit arguments win over the metadata.
    assert forge3d.arrow.heightmap(back[0], spacing=2.0).spacing == (2.0, 2.0)


def test_look_at_geo_aims_at_a_projected_point_in_float64(tmp_path, jacksboro):
    rows, cols = jacksboro.shape
    hm = forge3d.open_dem(write(tmp_path / "l.tif", jacksboro, from_origin(X0, Y0, CELL, CELL)))
    r = forge3d.Renderer(160, 120)
    r.add_terrain(hm, exaggeration=2.0)
    row, col = 200, 300
    x, y = X0 + CELL * (col + 0.5), Y0 - CELL * (row + 0.5)  # that cell's centre
    target = r.look_at_geo(x + 1.0, y - 1.0)  # within the cell
    assert target == (CELL * col + 1.0, CELL * (rows - 1 - row) - 1.0, 2.0 * float(jacksboro[row, col]))
    assert hm.to_world(x, y) == (CELL * col, CELL * (rows - 1 - row), None)
    # The cell is at the image centre, in front of the camera.
    frame = np.array(r.render())
    assert r.look_at_geo(x, y, 500.0, distance=50.0)[2] == 1000.0
    near = np.array(r.render())
    assert not np.array_equal(frame, near)
    with pytest.raises(ValueError, match="outside the terrain"):
        r.look_at_geo(X0 - 1000, Y0)
    with pytest.raises(ValueError, match="hole"):
        r.look_at_geo(X0 + 5, Y0 - 5)
    with pytest.raises(ValueError, match="x must be finite"):
        r.look_at_geo(math.inf, Y0)
    with pytest.raises(RuntimeError, match="georeferenced terrain"):
        forge3d.Renderer(8, 8).look_at_geo(X0, Y0)


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda p: forge3d.open_dem(p / "missing.tif"), OSError, "missing.tif"),
        (lambda p: forge3d.open_dem(p / "text.tif"), OSError, "text.tif"),
        (lambda p: forge3d.open_dem(p / "two.tif"), ValueError, "2 bands; pass band"),
        (lambda p: forge3d.open_dem(p / "two.tif", band=3), ValueError, "band"),
        (lambda p: forge3d.open_dem(p / "rot.tif"), ValueError, "rotated or sheared"),
        (lambda p: forge3d.open_dem(p / "nodata.tif"), ValueError, "every cell"),
        (lambda p: forge3d.open_dem(p / "one.tif", window=((0, 1), (0, 5))), ValueError, "window"),
        (lambda p: forge3d.open_dem(p / "one.tif", window="all"), TypeError, "window"),
        (lambda p: forge3d.open_dem(p / "one.tif", bounds=(3, 0, 1, 1)), ValueError, "bounds"),
        (lambda p: forge3d.open_dem(p / "one.tif", bounds=(0, 0, 9, 3)), ValueError, "bounds .* inside"),
        (lambda p: forge3d.open_dem(p / "one.tif", max_size=1), ValueError, "max_size"),
        (lambda p: forge3d.Heightmap.from_xarray(xr.DataArray(np.zeros((2, 3, 4)))), ValueError, "2-D"),
        (lambda p: forge3d.Heightmap.from_xarray(np.zeros((3, 3))), TypeError, "DataArray"),
        (
            lambda p: forge3d.Heightmap.from_xarray(
                xr.DataArray(np.zeros((3, 3)), dims=("y", "x"), coords={"y": [0, 2, 1], "x": [0, 1, 2]})
            ),
            ValueError,
            "not monotonic",
        ),
        (
            lambda p: forge3d.Heightmap.from_xarray(
                xr.DataArray(np.zeros((3, 3)), dims=("y", "x"), coords={"y": [0, 1, 3], "x": [0, 1, 2]})
            ),
            ValueError,
            "irregular.*terrain_from_table",
        ),
    ],
)
def test_bad_input_is_named(tmp_path, call, exc, match):
    z = np.arange(12, dtype=np.int16).reshape(3, 4)
    write(tmp_path / "one.tif", z, from_origin(0, 3, 1, 1))
    (tmp_path / "text.tif").write_text("not a raster")
    with rasterio.open(tmp_path / "two.tif", "w", driver="GTiff", height=3, width=4, count=2, dtype="int16") as ds:
        ds.write(np.stack([z, z]))
    write(tmp_path / "rot.tif", z, Affine(1, 0.2, 0, 0.1, -1, 3))
    write(tmp_path / "nodata.tif", np.full((3, 4), NODATA, np.int16), from_origin(0, 3, 1, 1))
    with pytest.raises(exc, match=match):
        call(tmp_path)
