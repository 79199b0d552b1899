"""The main job: render a real DEM with forge3d, write a PNG, print the copy report.

Uses matplotlib's sample DEM (Jacksboro fault, int16, 344x403) when matplotlib
is installed, and a procedural terrain otherwise.
"""

import sys

import numpy as np

import forge3d
from forge3d._validate import ptr


def load_dem():
    try:
        from matplotlib import cbook

        dem = cbook.get_sample_data("jacksboro_fault_dem.npz")
    except Exception as e:  # matplotlib missing or without its sample data
        print(f"(matplotlib sample DEM unavailable: {e}; using a procedural terrain)")
        y, x = np.mgrid[0:512, 0:512] / 512.0
        z = 400 * np.sin(6 * x) * np.cos(4 * y) + 300 * np.exp(-((x - 0.6) ** 2 + (y - 0.4) ** 2) * 20)
        return "procedural terrain", z.astype(np.float32), (30.0, 30.0)
    z = dem["elevation"]
    # Degrees to metres at the DEM's latitude.
    lat = np.deg2rad(float(dem["ymin"]))
    spacing = (float(dem["dx"]) * 111_320 * np.cos(lat), float(dem["dy"]) * 110_574)
    return "Jacksboro fault DEM (matplotlib sample, int16)", z, spacing


def main(out: str) -> int:
    info = forge3d.device_info()
    print(f"forge3d {forge3d.__version__} on {info['name']} ({info['backend']}, {info['device_type']})")
    name, z, spacing = load_dem()
    print(f"input: {name}, shape {z.shape}, dtype {z.dtype}, spacing {spacing[0]:.1f} x {spacing[1]:.1f} m")

    r = forge3d.Renderer(1280, 720)
    r.set_msaa(4)
    with forge3d.copy_ledger() as ledger:
        r.add_terrain(z, spacing=spacing, exaggeration=2.0, colormap="terrain")
        rgba = r.render_terrain_rgba()
    rgba.base.to_png(out)
    print(f"wrote {out}: {rgba.shape[1]}x{rgba.shape[0]} RGBA")
    print(f"frame -> NumPy: data pointer 0x{ptr(rgba):x} == GPU readback 0x{rgba.base.ptr:x}: {ptr(rgba) == rgba.base.ptr}")
    print(ledger.report())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "forge3d_demo.png"))
