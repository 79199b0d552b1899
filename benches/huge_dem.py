"""A DEM larger than one GPU texture: add_terrain + render time and the
host memory it takes beyond the input.

The heights (a smooth deterministic terrain of hills and ridges, float32)
are filled band by band into one array, so making them needs no more
memory than the array. Then the process's peak resident memory is reset
(``/proc/self/clear_refs``) and ``add_terrain`` + two renders (the first
computes the shadow and occlusion relief, the second reuses it) are timed;
the peak memory above the input is what forge3d took: on a discrete GPU the
upload pool and the frame, on a CPU adapter (lavapipe) also the heights'
texture and the relief textures, which there are host memory.

With ``--check`` the same view is rendered from the heights downsampled 4x
(within any device's texture limit) and the mean difference reported: the
tiled render must show the same picture.

    python benches/huge_dem.py [--size 20000] [--width 1920] [--height 1080]
                               [--no-shadows] [--no-ao] [--check] [--png out.png]
                               [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time

import numpy as np


def fill_dem(n: int, band: int = 1024) -> np.ndarray:
    """n x n heights in metres, computed band by band into one array."""
    out = np.empty((n, n), np.float32)
    x = np.linspace(0.0, 1.0, n, dtype=np.float32)[None, :]
    for y0 in range(0, n, band):
        y = np.linspace(0.0, 1.0, n, dtype=np.float32)[y0:y0 + band, None]
        v = out[y0:y0 + band]
        np.multiply(np.sin(x * 23.0 + y * 7.0), 120.0, out=v)
        v += 80.0 * np.cos(y * 31.0 - x * 11.0)
        v += 900.0 * np.exp(-((x - 0.35) ** 2 + (y - 0.4) ** 2) / 0.02)
        v += 600.0 * np.exp(-((x - 0.7) ** 2 + (y - 0.65) ** 2) / 0.01)
        v += 40.0 * np.sin(x * 170.0 + np.sin(y * 40.0)) * np.cos(y * 130.0)
    return out


def status_kib(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
    raise KeyError(key)


def reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def render(forge3d, h, spacing, args, shadows):
    r = forge3d.Renderer(args.width, args.height)
    r.add_terrain(h, spacing=spacing, colormap="terrain")
    if args.no_ao:
        r.set_ambient_occlusion(0)
    if shadows:
        r.set_shadows(softness=1.0)
    r.set_sun(135.0, 25.0)
    r.set_camera_orbit(azimuth_deg=200.0, elevation_deg=45.0)
    return r


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", type=int, default=20000)
    p.add_argument("--width", type=int, default=1920)
    p.add_argument("--height", type=int, default=1080)
    p.add_argument("--spacing", type=float, default=10.0, help="metres per cell")
    p.add_argument("--no-shadows", action="store_true")
    p.add_argument("--no-ao", action="store_true", help="ambient occlusion off (on by default)")
    p.add_argument("--check", action="store_true")
    p.add_argument("--png")
    p.add_argument("--quick", action="store_true", help="a 2048 DEM at 320x180")
    p.add_argument("--json")
    args = p.parse_args()
    if args.quick:
        args.size, args.width, args.height = 2048, 320, 180
    import forge3d

    info = forge3d.device_info()
    t0 = time.perf_counter()
    h = fill_dem(args.size)
    t_fill = time.perf_counter() - t0
    base_kib = status_kib("VmRSS:")
    can_reset = reset_peak()
    shadows = not args.no_shadows
    t0 = time.perf_counter()
    r = render(forge3d, h, (args.spacing,) * 2, args, shadows)
    t_add = time.perf_counter() - t0
    t0 = time.perf_counter()
    frame = r.render()
    t_first = time.perf_counter() - t0
    del frame
    t0 = time.perf_counter()
    frame = r.render()
    t_second = time.perf_counter() - t0
    peak_kib = status_kib("VmHWM:") if can_reset else None
    ti = r.terrain_info()
    result = {
        "device": info["name"],
        "software": info["software"],
        "max_texture_dimension": info["max_texture_dimension"],
        "size": args.size,
        "input_gib": h.nbytes / 2**30,
        "frame": [args.width, args.height],
        "spacing": args.spacing,
        "shadows": shadows,
        "ambient_occlusion": not args.no_ao,
        "heights_memory": ti["heights_memory"],
        "heights_tiles": ti["heights_tiles"],
        "relief_cells_per_texel": ti["relief_cells_per_texel"],
        "fill_s": t_fill,
        "add_terrain_s": t_add,
        "first_render_s": t_first,
        "second_render_s": t_second,
        "extra_peak_mib": None if peak_kib is None else (peak_kib - base_kib) / 1024,
    }
    img = frame.to_numpy()
    if args.png:
        from PIL import Image

        Image.fromarray(img).save(args.png)
    del r
    if args.check:
        small = np.ascontiguousarray(h[::4, ::4])
        r2 = render(forge3d, small, (4 * args.spacing,) * 2, args, shadows)
        ref = r2.render().to_numpy()
        d = np.abs(img[..., :3].astype(np.int16) - ref[..., :3])
        result["check_mean_abs_diff"] = float(d.mean())
        result["check_p99_abs_diff"] = float(np.percentile(d, 99))
    print(json.dumps(result, indent=1))
    if args.json:
        result["machine"] = platform.node()
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
