"""Built-in meshes with normals, texcoords and indices.

Each call returns a new :class:`forge3d.Mesh` whose attributes were uploaded
once (positions, normals, texcoords and indices are generated in Rust and
copied into GPU upload memory; the ledger records those copies).

Example::

    import forge3d, forge3d.primitives as prim
    r = forge3d.Renderer(320, 240)
    r.add_mesh(prim.sphere(1.0, 48), color=(0.9, 0.4, 0.2))
    r.render_png("sphere.png")
"""

from __future__ import annotations

from ._forge3d import Mesh, _cube, _plane, _sphere

__all__ = ["cube", "plane", "sphere"]


def cube(size: float = 1.0) -> Mesh:
    """An axis-aligned cube of edge ``size`` centred on the origin.

    24 vertices (4 per face, so each face has its own normal) and 12
    counter-clockwise triangles. ``size`` must be positive and finite.
    """
    return _cube(size)


def sphere(radius: float = 1.0, segments: int = 32) -> Mesh:
    """A UV sphere of ``radius`` centred on the origin.

    ``segments`` divisions around the z axis (3..4096) and ``segments // 2``
    (at least 2) from pole to pole; normals point outward, texcoords are
    (longitude, latitude) in [0, 1].
    """
    return _sphere(radius, segments)


def plane(size: float = 1.0, resolution: int = 1) -> Mesh:
    """A square of edge ``size`` in the z = 0 plane, centred on the origin.

    Split into ``resolution`` x ``resolution`` cells (1..4096), facing +z
    (normals (0, 0, 1)); a grid to displace, e.g. for a wave simulation.
    """
    return _plane(size, resolution)
