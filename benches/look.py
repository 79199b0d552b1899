"""The terrain look's cost: cast shadows and ambient occlusion recomputed
after ``set_sun`` (GPU passes at the DEM's resolution), a full render with
every feature on, and a cached render against the plain one.

    python benches/look.py            # 4096x4096 DEM, 1920x1080 (a GPU)
    python benches/look.py --quick    # small sizes, once (CI: does not rot)
    python benches/look.py --dem 2048 --width 1280 --height 720   # lavapipe

Each figure is the median of ``--repeat`` timed calls after one warm-up,
measured in one run; wall-clock times include the GPU's work because each
render waits for its readback.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import forge3d


def dem(n: int) -> np.ndarray:
    y, x = np.mgrid[0:n, 0:n].astype(np.float32)
    s = n / 2048
    return (200 * np.sin(x / (97 * s)) * np.cos(y / (131 * s)) + 50 * np.sin(x / (23 * s) + y / (31 * s))).astype(
        np.float32
    )


def timed(f, repeat: int) -> float:
    f()
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dem", type=int, default=4096)
    ap.add_argument("--width", type=int, default=1920)
    ap.add_argument("--height", type=int, default=1080)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.dem, a.width, a.height, a.repeat = 256, 320, 180, 1
    h = dem(a.dem)
    info = forge3d.device_info()
    print(f"# {info.get('name')} ({info.get('backend')}), DEM {a.dem}x{a.dem}, frame {a.width}x{a.height}")

    # Relief passes after set_sun: a tiny frame, so the draw costs nothing
    # next to the passes; the plain tiny render is subtracted.
    small = forge3d.Renderer(16, 16)
    small.add_terrain(h, spacing=10.0)
    small.set_ambient_occlusion(0)  # plain: no relief passes (occlusion is on by default)
    base = timed(lambda: small.render(), a.repeat)
    small.set_shadows()
    small.set_ambient_occlusion(0.6)
    small.render()
    az = iter(np.linspace(0, 360, 10_000))

    def new_sun(ao: bool):
        def go():
            small.set_sun(float(next(az)), 30.0)
            if ao:  # a new radius makes the occlusion pass run again too
                small.set_ambient_occlusion(0.6, radius=float(300 + next(az)))
            small.render()

        return go

    shadows = timed(new_sun(False), a.repeat) - base
    both = timed(new_sun(True), a.repeat) - base
    print(f"shadows recomputed after set_sun          {shadows:8.2f} ms")
    print(f"shadows + ambient occlusion recomputed    {both:8.2f} ms")

    # Full renders at the frame size.
    r = forge3d.Renderer(a.width, a.height)
    r.add_terrain(h, spacing=10.0)
    r.set_ambient_occlusion(0)  # plain: neither shadows nor occlusion
    plain = timed(lambda: r.render(), a.repeat)
    r.set_shadows()
    r.set_ambient_occlusion(0.6)
    r.render()
    cached = timed(lambda: r.render(), a.repeat)
    ortho = np.zeros((1024, 1024, 4), np.uint8)
    ortho[..., 0] = np.linspace(0, 255, 1024, dtype=np.uint8)
    ortho[..., 3] = 160
    r.add_overlay(ortho)
    r.set_contours(50.0)
    r.set_water(-50.0)
    full = timed(lambda: r.render(), a.repeat)
    print(f"render, plain                             {plain:8.2f} ms")
    print(f"render, shadows + AO cached               {cached:8.2f} ms  ({cached / plain:.2f}x plain)")
    print(f"render, shadows+AO+overlay+contours+water {full:8.2f} ms  ({full / plain:.2f}x plain)")


if __name__ == "__main__":
    main()
