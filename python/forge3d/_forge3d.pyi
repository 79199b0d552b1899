"""Type stubs for the native module forge3d._forge3d."""

import os
from typing import Any

import numpy as np
import numpy.typing as npt

__version__: str

class GpuError(RuntimeError):
    """No GPU adapter, a GPU validation/out-of-memory error, or a lost device."""

class Frame:
    """A rendered RGBA8 image of shape (height, width, 4).

    Its bytes are the mapped readback memory the GPU wrote into, tightly
    packed for any width. ``np.asarray(frame)``, ``memoryview(frame)``,
    ``pa.array(frame)``, ``pl.Series(frame)`` and ``np.from_dlpack(frame)``
    share that memory (no CPU copy); the memory returns to forge3d's pool
    when the last of them is gone.
    """

    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def shape(self) -> tuple[int, int, int]:
        """(height, width, 4)"""
    @property
    def nbytes(self) -> int: ...
    @property
    def ptr(self) -> int:
        """Address of the first byte (equal to NumPy's data pointer of any view)."""
    @property
    def origin(self) -> str:
        """Where the memory lives: "mapped_readback" for rendered frames."""
    def pixel(self, x: int, y: int) -> tuple[int, int, int, int]:
        """RGBA of column x, row y (row 0 is the top). IndexError outside the frame."""
    def to_numpy(self) -> npt.NDArray[np.uint8]:
        """A (height, width, 4) uint8 view of the frame; ``.base`` is the frame. No copy."""
    def to_png(self, path: str | os.PathLike[str]) -> None:
        """Write a PNG file. OSError (with the path) if it cannot be written,
        ValueError for an empty path or a directory. Recorded in the copy
        ledger as ``png_encode``."""
    def _repr_png_(self) -> bytes: ...
    def __buffer__(self, flags: int, /) -> memoryview: ...
    def __arrow_c_schema__(self) -> object:
        """Arrow schema capsule: ``arrow.fixed_shape_tensor`` (uint8, shape [H, W, 4])."""
    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]:
        """(schema, array) capsules: one tensor element over the frame memory (no copy)."""
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """Stream capsule with one chunk: the frame (no copy)."""
    def __dlpack__(
        self,
        *,
        stream: Any = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[int, int] | None = None,
        copy: bool | None = None,
    ) -> object:
        """DLPack capsule (CPU). ``copy=True`` makes one recorded copy; otherwise none."""
    def __dlpack_device__(self) -> tuple[int, int]:
        """(1, 0): CPU memory."""

class Renderer:
    """An offscreen renderer of a fixed size on the shared GPU context.

    Args:
        width, height: image size in pixels, integers in 1..max_texture_dimension
            (see ``device_info()``). Other types raise TypeError, sizes out of
            range ValueError.
        background: clear color, 3 or 4 integers 0..255 (default (20, 22, 28, 255)).

    Example::

        r = forge3d.Renderer(640, 480)
        rgba = r.render_triangle_rgba()   # (480, 640, 4) uint8; rgba.base is a Frame
    """

    def __init__(
        self, width: int, height: int, *, background: tuple[int, ...] | None = None
    ) -> None: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def background(self) -> tuple[int, int, int, int]: ...
    @background.setter
    def background(self, value: tuple[int, ...]) -> None: ...
    def render_triangle_frame(self) -> Frame:
        """Render the colored triangle; returns the Frame. The GIL is released while rendering."""
    def render_triangle_rgba(self) -> npt.NDArray[np.uint8]:
        """Render the colored triangle into a (height, width, 4) uint8 C-contiguous,
        writable array whose memory is the Frame's (``arr.base``). Zero CPU copies."""
    def render_triangle_png(self, path: str | os.PathLike[str]) -> None:
        """Render the colored triangle and write it as a PNG file."""

def device_info() -> dict[str, Any]:
    """The adapter forge3d renders on: name, backend, device_type, driver,
    driver_info, vendor, software, max_texture_dimension, max_buffer_size,
    tiled_rendering, other_adapters. Raises GpuError when there is none."""

def copy_totals() -> tuple[int, int]:
    """Process-wide (copies, bytes) recorded by the copy ledger since start."""

def readback_pool_stats() -> dict[str, int]:
    """Readback pool counters: created, reused, in_use, pooled, pooled_bytes."""

def _ledger_open() -> int: ...
def _ledger_records(start: int) -> list[tuple[str, int, int, str]]: ...
def _ledger_close(start: int) -> None: ...
