"""Arrays for simulations: memory forge3d owns, and the one-copy path into
GPU vertex buffers.

The pattern users of Taichi's ``ti.types.ndarray`` arguments know: allocate
the array the simulation writes once, hand it to the kernel every frame,
and upload it with a single copy::

    import numpy as np, forge3d
    from forge3d.interop import external_array, copy_to_vertex_buffer

    pos = external_array((n, 3))             # 64-byte aligned, Rust-owned
    step(pos)                                # e.g. a Taichi kernel writing pos
    mesh.set_vertices(pos)                   # one CPU copy, from pos itself

For zero CPU copies write into the mapped upload memory instead:
``with mesh.write_vertices() as v: step(v)``.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ._forge3d import ExternalArray, ExternalBuffer, _copy_to_vertex_buffer, _external_array
from .ledger import _record_convert

__all__ = [
    "ExternalArray",
    "ExternalBuffer",
    "copy_to_vertex_buffer",
    "ensure_external_array",
    "external_array",
    "external_array_from",
]

_COMPONENTS = {
    "vertices": 3,
    "positions": 3,
    "normals": 3,
    "texcoords": 2,
    "colors": 4,
    "scalars": 1,
}


def _dtype_name(dtype: Any) -> str:
    try:
        dt = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"dtype: {dtype!r} is not a NumPy dtype") from e
    if dt.byteorder == ">" or (dt.byteorder == "=" and not np.little_endian):
        raise TypeError(f"dtype: {dt} is not in native byte order")
    if dt not in (np.float32, np.uint8, np.int32, np.uint32):
        raise TypeError(
            f"dtype: {dt} is not supported; use float32 (vertex data), uint8 "
            "(colors), int32 or uint32 (indices)"
        )
    return dt.name


def external_array(
    shape: int | tuple[int, ...], dtype: Any = np.float32, zero: bool = False
) -> np.ndarray:
    """A NumPy array over new Rust-allocated, 64-byte-aligned memory.

    Args:
        shape: the array's shape, e.g. ``(n, 3)`` for n positions.
        dtype: float32 (default), uint8, int32 or uint32.
        zero: fill with zeros; otherwise the contents are undefined (like
            ``np.empty``).

    Returns:
        A writable, C-contiguous ``np.ndarray`` whose ``base`` is a
        :class:`forge3d.ExternalArray`, which also exports the memory
        through ``__arrow_c_array__`` (``arrow.fixed_shape_tensor``) and
        ``__dlpack__``. Nothing is copied; Taichi kernels taking
        ``ti.types.ndarray`` write into it directly.

    Example::

        pos = forge3d.interop.external_array((1024, 3), zero=True)
        mesh = forge3d.Points(pos)
    """
    dims = _shape_dims(shape)
    return _external_array(dims, _dtype_name(dtype), bool(zero))


def external_array_from(mesh: Any, attribute: str = "vertices") -> np.ndarray:
    """A NumPy array seeded with a mesh's (or point set's) current data, to
    hand to a simulation that then streams it back each frame.

    The attribute is read back from the GPU with one GPU copy into
    forge3d-owned memory (no CPU copy: ``mesh.read_vertices()`` and the other
    ``read_*`` methods); the array's ``base`` is that
    :class:`forge3d.ExternalArray`, writable and exported like a Frame
    (buffer protocol, Arrow, DLPack), so Taichi kernels taking
    ``ti.types.ndarray`` write into it directly.

    Args:
        mesh: a ``forge3d.Mesh`` or ``forge3d.Points``.
        attribute: ``"vertices"`` (or ``"positions"``), ``"normals"``,
            ``"texcoords"``, ``"colors"`` or ``"scalars"``.

    Example::

        mesh = forge3d.primitives.sphere(1.0, 64)
        pos = forge3d.interop.external_array_from(mesh)   # (N, 3) float32
        for step in range(100):
            simulate(pos)                                 # writes pos in place
            mesh.set_vertices(pos)                        # one copy per frame
    """
    name = {"positions": "vertices"}.get(attribute, attribute)
    if name not in _COMPONENTS:
        raise ValueError(
            f"attribute must be one of {sorted(_COMPONENTS)}, got {attribute!r}"
        )
    read = getattr(mesh, f"read_{name}", None)
    if read is None:
        raise TypeError(f"mesh must be a forge3d.Mesh or forge3d.Points, got {type(mesh).__name__}")
    return read().to_numpy()


def _shape_dims(shape: Any) -> list[int]:
    """``shape`` as a list of dimensions; errors name ``shape``."""
    try:
        dims: tuple[Any, ...] = (operator.index(shape),)  # ints, NumPy ints, 0-d int arrays
    except TypeError:
        try:
            dims = tuple(shape)
        except TypeError:
            raise TypeError(
                f"shape must be an int or a sequence of ints, e.g. (n, 3); got "
                f"{type(shape).__name__} {shape!r}"
            ) from None
    if any(not isinstance(d, (int, np.integer)) or d < 0 for d in dims):
        raise ValueError(f"shape must be non-negative integers, got {shape!r}")
    if any(d > np.iinfo(np.int64).max for d in dims):
        raise ValueError(f"shape {shape!r} is too large: each dimension must fit in 64 bits")
    return [int(d) for d in dims]


def ensure_external_array(arr: Any, dtype: Any = np.float32) -> np.ndarray:
    """``arr`` itself when it is a C-contiguous, writable NumPy array of
    ``dtype``; otherwise one recorded copy into a new :func:`external_array`.

    For an integer ``dtype`` the values must survive the cast: floats do
    not become integers (round them yourself) and integers must fit, or it
    raises. To float32, values convert as ``astype`` does.

    Use it once, before a simulation loop, so every later frame writes into
    memory that uploads with a single copy.

    Example::

        pos = ensure_external_array(np.random.rand(100, 3))  # float64: copied once
        assert ensure_external_array(pos) is pos
    """
    name = _dtype_name(dtype)
    if (
        isinstance(arr, np.ndarray)
        and arr.dtype == np.dtype(name)
        and arr.flags.c_contiguous
        and arr.flags.writeable
        and arr.flags.aligned
    ):
        return arr
    try:
        src = np.asarray(arr)
    except (TypeError, ValueError) as e:
        raise type(e)(f"arr cannot be read as an array: {e}") from e
    want = np.dtype(name)
    if src.dtype.kind not in "biuf":
        raise TypeError(f"arr: {src.dtype} values cannot become {name}")
    if want.kind in "iu" and src.dtype.kind == "f":
        hint = (
            "np.round(arr * 255).astype(np.uint8) for colors in [0, 1]"
            if name == "uint8"
            else f"np.round(arr).astype(np.{name})"
        )
        raise TypeError(
            f"arr: {src.dtype} values cannot become {name} without rounding; convert them "
            f"yourself, e.g. {hint}"
        )
    if want.kind in "iu" and src.size and not np.can_cast(src.dtype, want, "safe"):
        info = np.iinfo(want)
        if src.min() < info.min or src.max() > info.max:
            raise ValueError(
                f"arr: values outside {name}'s range [{info.min}, {info.max}]; clip them "
                f"first (np.clip(arr, {info.min}, {info.max}))"
            )
    try:
        out = external_array(src.shape, name)
    except MemoryError as e:
        raise MemoryError(f"arr: no memory for a copy of shape {src.shape}: {e}") from e
    np.copyto(out, src, casting="unsafe")
    why = []
    if src.dtype != np.dtype(name):
        why.append(f"{src.dtype} -> {name}")
    if not src.flags.c_contiguous:
        why.append("not C-contiguous")
    if not src.flags.writeable:
        why.append("read-only")
    if not isinstance(arr, np.ndarray):
        why.append(f"{type(arr).__name__} -> ndarray")
    _record_convert(
        src.nbytes,
        src.__array_interface__["data"][0],
        "ensure_external_array: " + (", ".join(why) or "unaligned"),
    )
    return out


def copy_to_vertex_buffer(
    mesh: Any, attribute: str, src: Any, cols: int | None = None, *, copy: bool | None = None
) -> None:
    """Copies ``src`` into ``mesh``'s GPU vertex buffer for ``attribute``.

    The general form of ``mesh.set_vertices(src)`` and friends: one CPU copy
    from ``src``'s memory into GPU upload memory (recorded in the ledger),
    or one recorded conversion first when ``src`` is not C-contiguous
    float32 (``copy=False`` raises instead).

    Args:
        mesh: a :class:`forge3d.Mesh` or :class:`forge3d.Points`.
        attribute: "vertices", "normals", "texcoords", "colors" or "scalars".
        src: shape ``(mesh.vertex_count, cols)`` or flat; NumPy, buffer, or a
            DataFrame / Arrow table of ``cols`` columns.
        cols: components per row, checked against the attribute's (3, 3, 2,
            4, 1); ``None`` takes the attribute's.
    """
    if not isinstance(attribute, str):
        raise TypeError(
            "attribute must be a str, one of vertices, normals, texcoords, colors, scalars; "
            f"got {type(attribute).__name__} {attribute!r}"
        )
    want = _COMPONENTS.get(attribute)
    if want is None:
        raise ValueError(
            "attribute must be one of vertices, normals, texcoords, colors, scalars; "
            f"got {attribute!r}"
        )
    if cols is not None:
        try:
            cols = operator.index(cols)
        except TypeError:
            raise TypeError(f"cols must be an int (components per row), got {cols!r}") from None
    if cols is not None and cols != want:
        raise ValueError(f"cols: {attribute} have {want} components per row, got cols={cols}")
    _copy_to_vertex_buffer(mesh, attribute, src, copy=copy)
