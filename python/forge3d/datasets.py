"""Sample DEMs for examples, tests and the gallery, from matplotlib's
sample data (``pip install matplotlib``), as ``forge3d.Heightmap`` objects
north-up with their spacing in metres and their geographic origin.

    hm = forge3d.datasets.jacksboro()      # 344x403, int16 metres, ~30 m cells
    hm = forge3d.datasets.topobathy()      # 91x120, float32 metres, land and sea

Nothing is downloaded: the files ship with matplotlib.
"""

from __future__ import annotations

import numpy as np

from . import _forge3d

__all__ = ["jacksboro", "topobathy"]

# Metres per degree of latitude and (at the equator) of longitude.
_LAT_M = 110_574.0
_LON_M = 111_320.0


def _sample(name: str):
    try:
        from matplotlib import cbook
    except ImportError as e:  # pragma: no cover - matplotlib is a test dependency
        raise ImportError(
            f"forge3d.datasets needs matplotlib for its sample data ({name}); "
            "install it with `pip install matplotlib`"
        ) from e
    return cbook.get_sample_data(name)


def jacksboro() -> _forge3d.Heightmap:
    """The Jacksboro fault DEM (Tennessee; 344 rows x 403 columns, int16
    metres converted to float32 once), spacing in metres at its latitude."""
    dem = _sample("jacksboro_fault_dem.npz")
    lat = np.deg2rad(float(dem["ymin"]))
    dx = float(dem["dx"]) * _LON_M * np.cos(lat)
    dy = float(dem["dy"]) * _LAT_M
    z = np.asarray(dem["elevation"], dtype=np.float32)
    # xmin/ymin are the grid's edges; the origin is the lower-left cell's centre.
    origin = (float(dem["xmin"]) + float(dem["dx"]) / 2, float(dem["ymin"]) + float(dem["dy"]) / 2)
    return _forge3d.Heightmap(
        z, (dx, dy), origin, crs="EPSG:4326", crs_spacing=(float(dem["dx"]), float(dem["dy"]))
    )


def topobathy() -> _forge3d.Heightmap:
    """Topography and bathymetry off the coast of Washington State (91 rows
    x 120 columns, metres; negative below sea level), flipped to north-up,
    spacing in metres at its centre latitude."""
    d = _sample("topobathy.npz")
    lon, lat = np.asarray(d["longitude"], np.float64), np.asarray(d["latitude"], np.float64)
    z = np.asarray(d["topo"], dtype=np.float32)
    if lat[0] < lat[-1]:  # row 0 south: forge3d's row 0 is north
        z = np.ascontiguousarray(z[::-1])
    dlon, dlat = float(np.mean(np.diff(lon))), float(abs(np.mean(np.diff(lat))))
    mid = np.deg2rad(float(lat.mean()))
    lon0 = float(lon.min()) - 360.0 if lon.min() > 180 else float(lon.min())
    return _forge3d.Heightmap(
        z,
        (dlon * _LON_M * np.cos(mid), dlat * _LAT_M),
        (lon0, float(lat.min())),
        crs="EPSG:4326",
        crs_spacing=(dlon, dlat),
    )
