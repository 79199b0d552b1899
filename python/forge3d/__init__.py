"""forge3d: a headless GPU renderer (Rust, wgpu) with a zero-copy boundary.

Rendered frames reach NumPy, Arrow and DLPack consumers as the very memory
the GPU wrote into; every CPU copy forge3d makes is recorded in a copy
ledger you can inspect with :func:`copy_ledger`.

Example::

    import forge3d
    r = forge3d.Renderer(640, 480)
    rgba = r.render_triangle_rgba()        # (480, 640, 4) uint8, zero-copy
    frame = rgba.base                      # the forge3d.Frame that owns it
    with forge3d.copy_ledger() as ledger:
        r.render_triangle_png("triangle.png")
    print(ledger.report())
"""

from __future__ import annotations

from ._forge3d import (
    ExternalArray,
    ExternalBuffer,
    Frame,
    Plane,
    GpuError,
    Heightmap,
    MappedWrite,
    Mesh,
    MeshStyle,
    Points,
    Renderer,
    __version__,
    copy_totals,
    device_info,
    orbit_view,
    readback_pool_stats,
    synchronize,
)
from .ledger import CopyLedger, CopyRecord, copy_ledger
from . import datasets, engine, geo, interop, primitives, window  # noqa: E402
from .geo import open_dem  # noqa: E402  (submodules users reach as attributes)
from .window import NoDisplayError, show  # noqa: E402

__all__ = [
    "CopyLedger",
    "CopyRecord",
    "ExternalArray",
    "ExternalBuffer",
    "Frame",
    "Plane",
    "GpuError",
    "Heightmap",
    "MappedWrite",
    "Mesh",
    "Points",
    "Renderer",
    "__version__",
    "copy_ledger",
    "copy_totals",
    "interop",
    "primitives",
    "device_info",
    "datasets",
    "engine",
    "readback_pool_stats",
    "synchronize",
    "orbit_view",
    "MeshStyle",
    "open_dem",
    "show",
    "window",
    "NoDisplayError",
]
