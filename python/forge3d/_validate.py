"""Zero-copy checks for arrays crossing the forge3d boundary."""

from __future__ import annotations

from typing import Any

import numpy as np


def ptr(arr: Any) -> int:
    """Address of the first element of ``arr``.

    Accepts NumPy arrays, forge3d objects with a ``ptr`` attribute, and any
    object exporting the buffer protocol (viewed, not copied, through NumPy).

    Example::

        rgba = renderer.render_triangle_rgba()
        assert ptr(rgba) == rgba.base.ptr
    """
    if isinstance(arr, np.ndarray):
        return int(arr.__array_interface__["data"][0])
    p = getattr(arr, "ptr", None)
    if isinstance(p, int):
        return p
    try:
        view = np.asarray(memoryview(arr))
    except TypeError as e:
        raise TypeError(
            f"ptr: expected a NumPy array or an object with the buffer protocol, "
            f"got {type(arr).__name__}"
        ) from e
    return int(view.__array_interface__["data"][0])


def check_zero_copy_compatibility(
    arr: Any, name: str = "array", dtype: Any = None
) -> dict[str, Any]:
    """Report whether ``arr`` can cross into forge3d without a copy.

    Checks that ``arr`` is a NumPy array (or buffer) that is C-contiguous,
    has a non-null data pointer, is aligned to its item size, and (when
    ``dtype`` is given) has that dtype.

    Returns a dict with ``compatible`` (bool), ``issues`` (list of strings,
    each naming ``name`` and the fix), ``ptr``, ``dtype``, ``shape``,
    ``c_contiguous``, ``aligned`` and ``alignment`` (the largest power of two,
    up to 64, that divides the address).

    Example::

        info = check_zero_copy_compatibility(heights, "heights", np.float32)
        if not info["compatible"]:
            print("\\n".join(info["issues"]))
    """
    issues: list[str] = []
    if not isinstance(arr, np.ndarray):
        try:
            arr = np.asarray(memoryview(arr))
        except TypeError:
            return {
                "name": name,
                "compatible": False,
                "issues": [f"{name}: {type(arr).__name__} exposes no array memory; pass a NumPy array"],
                "ptr": 0,
                "dtype": None,
                "shape": None,
                "c_contiguous": False,
                "aligned": False,
                "alignment": 0,
            }
    address = int(arr.__array_interface__["data"][0])
    c_contig = bool(arr.flags.c_contiguous)
    if not c_contig:
        issues.append(f"{name}: not C-contiguous; use np.ascontiguousarray({name})")
    if dtype is not None and arr.dtype != np.dtype(dtype):
        want = np.dtype(dtype).name
        issues.append(f"{name}: dtype is {arr.dtype.name}, expected {want}; use {name}.astype(np.{want})")
    if address == 0 and arr.size > 0:
        issues.append(f"{name}: data pointer is null")
    if arr.size == 0:
        issues.append(f"{name}: array is empty")
    aligned = address % max(arr.dtype.itemsize, 1) == 0
    if not aligned:
        issues.append(f"{name}: address 0x{address:x} is not aligned to {arr.dtype.itemsize} bytes; use np.array({name})")
    alignment = 64
    while alignment > 1 and address % alignment:
        alignment //= 2
    return {
        "name": name,
        "compatible": not issues,
        "issues": issues,
        "ptr": address,
        "dtype": arr.dtype.name,
        "shape": tuple(arr.shape),
        "c_contiguous": c_contig,
        "aligned": aligned,
        "alignment": alignment if address else 0,
    }
