"""Colormaps beyond the four built-in tables, as 256-entry RGBA8 tables the
renderer registers (``forge3d._forge3d`` calls :func:`table`): any
matplotlib colormap by name or object (when matplotlib is installed), or an
``(N, 3)`` / ``(N, 4)`` array of colours (uint8 0..255 or floats in [0, 1]),
read as matplotlib's ``ListedColormap`` reads it: N equal bins from the low
end of the range to the high end."""

from __future__ import annotations

from typing import Any

import numpy as np

BUILTIN = ("viridis", "magma", "terrain", "gray")


def _matplotlib_colormaps() -> Any:
    try:
        import matplotlib
    except ImportError:
        return None
    return matplotlib.colormaps


def _sample(cmap: Any) -> np.ndarray:
    rgba = np.asarray(cmap(np.linspace(0.0, 1.0, 256)), dtype=np.float64)
    return np.clip(np.rint(rgba * 255.0), 0, 255).astype(np.uint8)


def _from_array(name: str, colors: Any) -> np.ndarray:
    a = np.asarray(colors)
    if a.ndim == 0 or a.dtype == object or a.dtype.kind in "SU":
        raise TypeError(
            f"{name} must be a colormap name, a matplotlib Colormap or an (N, 3) / (N, 4) "
            f"array of colours, got {type(colors).__name__}"
        )
    if a.ndim != 2 or a.shape[1] not in (3, 4) or not 1 <= a.shape[0] <= 65536:
        raise ValueError(
            f"{name} must be an (N, 3) or (N, 4) array of colours with 1 <= N <= 65536, "
            f"got shape {a.shape}"
        )
    if a.dtype == np.uint8:
        rgba = a.astype(np.float64) / 255.0
    elif a.dtype.kind in "fiu" and a.dtype != np.bool_:
        rgba = a.astype(np.float64)
        if not np.isfinite(rgba).all() or rgba.min() < 0.0 or rgba.max() > 1.0:
            raise ValueError(
                f"{name}: float colours must be finite and in [0, 1] (or pass uint8 0..255)"
            )
    else:
        raise TypeError(f"{name}: colours must be uint8 or floats in [0, 1], got dtype {a.dtype}")
    if rgba.shape[1] == 3:
        rgba = np.concatenate([rgba, np.ones((len(rgba), 1))], axis=1)
    # N equal bins over [0, 1], as matplotlib's ListedColormap.
    idx = np.minimum((np.arange(256) * len(rgba)) // 256, len(rgba) - 1)
    return np.clip(np.rint(rgba[idx] * 255.0), 0, 255).astype(np.uint8)


def table(name: str, obj: Any) -> np.ndarray:
    """The (256, 4) uint8 table of ``obj``: a matplotlib colormap name or
    ``Colormap``, or an array of colours. ``name`` is the argument's name,
    for messages."""
    if isinstance(obj, str):
        maps = _matplotlib_colormaps()
        builtin = ", ".join(BUILTIN)
        if maps is None:
            raise ValueError(
                f'{name}: unknown name "{obj}"; the built-in colormaps are {builtin} (append _r '
                "to reverse); install matplotlib (pip install matplotlib) for its colormaps by name"
            )
        if obj not in maps:
            raise ValueError(
                f'{name}: unknown name "{obj}"; choose one of {builtin} (append _r to reverse) '
                "or a matplotlib colormap name such as 'cividis' (list(matplotlib.colormaps))"
            )
        return _sample(maps[obj])
    if callable(obj) and hasattr(obj, "N") and hasattr(obj, "name"):  # a matplotlib Colormap
        return _sample(obj)
    if isinstance(obj, (bytes, bool)) or obj is None:
        raise TypeError(f"{name} must be a colormap name, a matplotlib Colormap or an array of colours, got {obj!r}")
    try:
        np.asarray(obj)
    except Exception:  # noqa: BLE001
        raise TypeError(
            f"{name} must be a colormap name, a matplotlib Colormap or an array of colours, "
            f"got {type(obj).__name__}"
        ) from None
    return _from_array(name, obj)
