"""A travelling wave on a subdivided cube, computed by a Taichi kernel.

Every frame a Taichi kernel (``ti.types.ndarray`` arguments) writes the
displaced positions, the per-vertex wave height and the vertex normals into
arrays made with ``forge3d.interop.external_array`` (Rust-owned, 64-byte
aligned memory that Taichi writes in place on the CPU); an Observer then
uploads them with ``mesh.set_vertices`` / ``set_normals`` / ``set_scalars``
(one CPU copy each, straight from those arrays), and the Engine renders the
mesh colored by wave height.

Without Taichi the same computation runs in NumPy (a note says so on stderr).

    python examples/wave_cube.py --frames 60 --out wave_frames --size 640x480
    python examples/wave_cube.py --out wave.mp4        # needs imageio-ffmpeg
"""

# No `from __future__ import annotations`: Taichi reads the kernels' annotations.
import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import forge3d
from forge3d.engine import Engine, Observer, ScalarFieldView
from forge3d.interop import external_array

try:
    import taichi as ti
except ImportError:  # the NumPy fallback below does the same work
    ti = None

AMPLITUDE = 0.08  # wave height, in units of the cube's half edge
WAVENUMBER = 6.0  # radians per unit of length along the travel direction
DIRECTION = (0.6, 0.0, 0.8)  # the wave travels this way (up and east)
OMEGA = 2.0 * np.pi  # one period per second


def subdivided_cube(n: int = 24, size: float = 2.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A cube of edge ``size`` whose 6 faces are ``n`` x ``n`` grids.

    Returns (positions (V, 3) float32, face normals (V, 3) float32,
    triangles (T, 3) uint32), V = 6 (n + 1)^2, T = 12 n^2, counter-clockwise
    seen from outside. Vertices on the cube's edges are repeated per face.
    """
    h = size / 2
    g = np.linspace(-h, h, n + 1, dtype=np.float32)
    u, v = np.meshgrid(g, g, indexing="xy")
    u, v = u.ravel(), v.ravel()
    one = np.full_like(u, h)
    faces = []  # (positions, normal); u x v points along the normal
    for axis in range(3):
        for sign in (1.0, -1.0):
            a, b = (axis + 1) % 3, (axis + 2) % 3
            p = np.empty((u.size, 3), np.float32)
            p[:, axis] = sign * one
            p[:, a] = u if sign > 0 else v
            p[:, b] = v if sign > 0 else u
            nrm = np.zeros(3, np.float32)
            nrm[axis] = sign
            faces.append((p, nrm))
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="xy")
    k = (j * (n + 1) + i).ravel()
    quad = np.stack([k, k + 1, k + n + 2, k, k + n + 2, k + n + 1], 1).reshape(-1, 3)
    pos = np.concatenate([p for p, _ in faces])
    nrm = np.concatenate([np.broadcast_to(q, p.shape) for p, q in faces]).astype(np.float32)
    tri = np.concatenate([quad + f * (n + 1) ** 2 for f in range(6)]).astype(np.uint32)
    return pos, nrm, tri


if ti is not None:

    @ti.kernel
    def _wave_kernel(
        base: ti.types.ndarray(dtype=ti.f32, ndim=2),
        radial: ti.types.ndarray(dtype=ti.f32, ndim=2),
        pos: ti.types.ndarray(dtype=ti.f32, ndim=2),
        height: ti.types.ndarray(dtype=ti.f32, ndim=1),
        t: ti.f32,
        amp: ti.f32,
        k: ti.f32,
        omega: ti.f32,
    ):
        for i in range(base.shape[0]):
            phase = k * (
                DIRECTION[0] * base[i, 0] + DIRECTION[1] * base[i, 1] + DIRECTION[2] * base[i, 2]
            )
            s = amp * ti.sin(phase - omega * t)
            height[i] = s
            for c in ti.static(range(3)):
                pos[i, c] = base[i, c] + s * radial[i, c]

    @ti.kernel
    def _normals_kernel(
        pos: ti.types.ndarray(dtype=ti.f32, ndim=2),
        tri: ti.types.ndarray(dtype=ti.i32, ndim=2),
        nrm: ti.types.ndarray(dtype=ti.f32, ndim=2),
    ):
        for i in range(nrm.shape[0]):
            for c in ti.static(range(3)):
                nrm[i, c] = 0.0
        for f in range(tri.shape[0]):
            a, b, c = tri[f, 0], tri[f, 1], tri[f, 2]
            pa = ti.Vector([pos[a, 0], pos[a, 1], pos[a, 2]])
            pb = ti.Vector([pos[b, 0], pos[b, 1], pos[b, 2]])
            pc = ti.Vector([pos[c, 0], pos[c, 1], pos[c, 2]])
            fn = (pb - pa).cross(pc - pa)  # area-weighted face normal
            for d in ti.static(range(3)):
                nrm[a, d] += fn[d]
                nrm[b, d] += fn[d]
                nrm[c, d] += fn[d]
        for i in range(nrm.shape[0]):
            v = ti.Vector([nrm[i, 0], nrm[i, 1], nrm[i, 2]])
            v = v / ti.max(v.norm(), 1e-12)
            for c in ti.static(range(3)):
                nrm[i, c] = v[c]


_TAICHI_READY = False


def _init_taichi() -> None:
    global _TAICHI_READY
    if not _TAICHI_READY:
        ti.init(arch=ti.cpu)
        _TAICHI_READY = True


def _wave_numpy(base, radial, pos, height, t, amp, k, omega) -> None:
    phase = k * (base @ np.asarray(DIRECTION, np.float32))
    np.multiply(np.sin(phase - omega * t), amp, out=height)
    np.add(base, height[:, None] * radial, out=pos)


def _normals_numpy(pos, tri, nrm) -> None:
    pa, pb, pc = pos[tri[:, 0]], pos[tri[:, 1]], pos[tri[:, 2]]
    fn = np.cross(pb - pa, pc - pa)
    nrm[:] = 0.0
    for c in range(3):
        np.add.at(nrm, tri[:, c], fn)
    nrm /= np.maximum(np.linalg.norm(nrm, axis=1, keepdims=True), 1e-12)


class CubeWave(Observer):
    """Writes the wave into external arrays each frame, then uploads them.

    Args:
        mesh: the cube mesh (positions are replaced every frame).
        view: the ScalarFieldView that colors it by wave height.
        base: the undisplaced positions (V, 3) float32.
        tri: triangles (T, 3).
        backend: "taichi" or "numpy".
    """

    def __init__(
        self,
        mesh: forge3d.Mesh,
        view: ScalarFieldView,
        base: np.ndarray,
        tri: np.ndarray,
        backend: str,
    ) -> None:
        super().__init__(name=f"wave ({backend})", sort=0)
        self.mesh, self.view, self.backend = mesh, view, backend
        n = base.shape[0]
        # Everything the kernels read or write lives in Rust-owned external arrays.
        self.base = external_array((n, 3))
        self.base[:] = base
        self.radial = external_array((n, 3))
        self.radial[:] = base / np.linalg.norm(base, axis=1, keepdims=True)
        self.tri = external_array(tri.shape, np.int32)
        self.tri[:] = tri
        self.pos = external_array((n, 3))
        self.nrm = external_array((n, 3))
        self.height = external_array((n,))

    def setup(self, engine: Engine) -> None:
        if self.backend == "taichi":
            _init_taichi()

    def update(self, dt: float) -> None:
        t = self.engine.time
        if self.backend == "taichi":
            _wave_kernel(
                self.base, self.radial, self.pos, self.height, t, AMPLITUDE, WAVENUMBER, OMEGA
            )
            _normals_kernel(self.pos, self.tri, self.nrm)
        else:
            _wave_numpy(
                self.base, self.radial, self.pos, self.height, t, AMPLITUDE, WAVENUMBER, OMEGA
            )
            _normals_numpy(self.pos, self.tri, self.nrm)
        self.mesh.set_vertices(self.pos)  # one copy: external array -> GPU upload memory
        self.mesh.set_normals(self.nrm)
        self.view.set_values(self.height)


def build(
    size: tuple[int, int] = (320, 240),
    fps: float = 30,
    subdivisions: int = 24,
    backend: str = "auto",
) -> Engine:
    """An Engine with the wave cube and its observer (not started yet).

    ``backend``: "taichi", "numpy" or "auto" (Taichi when it is installed).
    """
    if backend == "auto":
        backend = "taichi" if ti is not None else "numpy"
        if ti is None:
            print(
                "wave_cube: taichi is not installed; computing the wave with NumPy", file=sys.stderr
            )
    elif backend == "taichi" and ti is None:
        raise ModuleNotFoundError(
            "backend='taichi' needs taichi: pip install taichi", name="taichi"
        )
    elif backend not in ("taichi", "numpy"):
        raise ValueError(f"backend must be 'auto', 'taichi' or 'numpy', got {backend!r}")
    base, normals, tri = subdivided_cube(subdivisions)
    mesh = forge3d.Mesh(base, tri, normals)
    engine = Engine("wave cube", width=size[0], height=size[1], fps=fps)
    view = engine.add_view(
        ScalarFieldView(mesh, np.zeros(len(base), np.float32), "magma", (-AMPLITUDE, AMPLITUDE))
    )
    engine.add_observer(CubeWave(mesh, view, base, tri, backend))
    engine.renderer.set_ambient(0.3)
    engine.camera.elevation_deg = 25.0
    engine.camera.fit(engine.renderer)  # frame the cube once; the wave does not move the camera
    engine.camera.zoom(0.9)  # leave room for the bulges
    return engine


def run(
    frames: int = 30,
    out: str | Path | None = "wave_frames",
    size: tuple[int, int] = (320, 240),
    *,
    fps: float = 30,
    backend: str = "auto",
    callback: Callable[[forge3d.Frame, int], Any] | None = None,
) -> Engine:
    """Renders ``frames`` frames into ``out`` (a directory of PNGs, or .mp4;
    None writes nothing) and returns the (closed) Engine."""
    engine = build(size, fps, backend=backend)
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
        raise argparse.ArgumentTypeError(f"size must be WxH, e.g. 320x240; got {text!r}") from None
    return w, h


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=30, help="frames to render (default 30)")
    ap.add_argument("--out", default="wave_frames", help="directory for PNGs, or a .mp4 file")
    ap.add_argument("--size", type=_size, default=(320, 240), help="WxH (default 320x240)")
    ap.add_argument("--fps", type=float, default=30.0)
    ap.add_argument("--backend", choices=["auto", "taichi", "numpy"], default="auto")
    args = ap.parse_args(argv)
    engine = run(args.frames, args.out, args.size, fps=args.fps, backend=args.backend)
    s = engine.stats
    print(f"wrote {s['frames']} frames to {args.out} ({s['fps']:.1f} frames/s)")


if __name__ == "__main__":
    main()
