"""1024 points on a circle, colored by angle, rotating and pulsing.

An Observer rewrites the point positions every frame (one
``points.set_vertices`` copy from a ``forge3d.interop.external_array``);
the colors (uint8 RGBA, hue by angle) are uploaded once and travel with
their points. The Engine looks straight down with an orbit camera at a
fixed distance, so the pulse shows as a change of radius.

    python examples/circle_points.py --frames 60 --out circle_frames --size 400x400
"""

from __future__ import annotations

import argparse
import colorsys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import forge3d
from forge3d.engine import Engine, Observer, OrbitCamera, PointsView
from forge3d.interop import external_array

N_POINTS = 1024
TURNS_PER_SECOND = 0.25
PULSE_HZ = 1.0
PULSE = 0.25  # the radius swings between 1 - PULSE and 1 + PULSE


def hue_colors(n: int) -> np.ndarray:
    """(n, 4) uint8 RGBA, the hue going once around the color wheel."""
    rgb = [colorsys.hsv_to_rgb(i / n, 0.9, 1.0) for i in range(n)]
    out = np.empty((n, 4), np.uint8)
    out[:, :3] = np.round(np.asarray(rgb) * 255)
    out[:, 3] = 255
    return out


class RotatePulse(Observer):
    """Turns the circle at TURNS_PER_SECOND and pulses its radius at PULSE_HZ."""

    def __init__(self, points: forge3d.Points) -> None:
        super().__init__(name="rotate+pulse")
        self.points = points
        n = points.vertex_count
        self.angles = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
        self.pos = external_array((n, 3), zero=True)  # z stays 0

    def positions(self, t: float) -> np.ndarray:
        """Writes the positions at time ``t`` into the external array and returns it."""
        radius = 1.0 + PULSE * np.sin(2.0 * np.pi * PULSE_HZ * t)
        theta = self.angles + 2.0 * np.pi * TURNS_PER_SECOND * t
        self.pos[:, 0] = radius * np.cos(theta)
        self.pos[:, 1] = radius * np.sin(theta)
        return self.pos

    def update(self, dt: float) -> None:
        self.points.set_vertices(self.positions(self.engine.time))  # one copy


def build(size: tuple[int, int] = (320, 320), fps: float = 30, point_size: float = 4.0) -> Engine:
    """An Engine showing the circle (not started yet)."""
    points = forge3d.Points(
        np.zeros((N_POINTS, 3), np.float32), hue_colors(N_POINTS), size=point_size
    )
    engine = Engine(
        "circle points", width=size[0], height=size[1], fps=fps, background=(10, 10, 14)
    )
    engine.add_view(PointsView(points))
    obs = engine.add_observer(RotatePulse(points))
    points.set_vertices(obs.positions(0.0))
    # Straight down (as far as the orbit camera goes), far enough for the largest radius.
    engine.camera = OrbitCamera(target=(0, 0, 0), azimuth_deg=180, elevation_deg=89, distance=3.8)
    return engine


def run(
    frames: int = 30,
    out: str | Path | None = "circle_frames",
    size: tuple[int, int] = (320, 320),
    *,
    fps: float = 30,
    callback: Callable[[forge3d.Frame, int], Any] | None = None,
) -> Engine:
    """Renders ``frames`` frames into ``out`` (a directory of PNGs, or .mp4;
    None writes nothing) and returns the (closed) Engine."""
    engine = build(size, fps)
    try:
        if out is None:
            engine.start(frames=frames, callback=callback)
        else:
            with engine.record(out):
                engine.start(frames=frames, callback=callback)
    finally:
        engine.close()
    return engine


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must be WxH, e.g. 320x320; got {text!r}") from None
    return w, h


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=30, help="frames to render (default 30)")
    ap.add_argument("--out", default="circle_frames", help="directory for PNGs, or a .mp4 file")
    ap.add_argument("--size", type=_size, default=(320, 320), help="WxH (default 320x320)")
    ap.add_argument("--fps", type=float, default=30.0)
    args = ap.parse_args(argv)
    engine = run(args.frames, args.out, args.size, fps=args.fps)
    s = engine.stats
    print(f"wrote {s['frames']} frames to {args.out} ({s['fps']:.1f} frames/s)")


if __name__ == "__main__":
    main()
