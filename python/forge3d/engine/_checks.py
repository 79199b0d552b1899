"""Argument checks shared by the engine's classes: each error names the argument."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

Color = Sequence[float]
Vec3 = tuple[float, float, float]

# --------------------------------------------------------------------------
# argument checks


def _check_int(name: str, value: Any, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value}")
    return v


def _check_positive(name: str, value: Any) -> float:
    v = _check_real(name, value)
    if v <= 0.0:
        raise ValueError(f"{name} must be positive, got {value}")
    return v


def _check_vec3(name: str, value: Any) -> Vec3:
    try:
        items = [float(v) for v in value]
    except TypeError:
        raise TypeError(f"{name} must be 3 numbers (x, y, z), got {value!r}") from None
    except ValueError:
        raise ValueError(f"{name} must be 3 numbers (x, y, z), got {value!r}") from None
    if len(items) != 3:
        raise ValueError(f"{name} must have 3 components (x, y, z), got {len(items)}")
    if not all(math.isfinite(v) for v in items):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return (items[0], items[1], items[2])
