"""Recording rendered frames: PNG sequences, or video through imageio-ffmpeg."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from .._forge3d import Frame

if TYPE_CHECKING:
    from . import Engine


FrameCallback = Callable[[Frame, int], Any]

#: File suffixes :meth:`Engine.record` writes as a video (through imageio-ffmpeg).
VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi", ".webm")
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".gif")

# --------------------------------------------------------------------------
# recording


def _check_prefix(prefix: object) -> str:
    """A PNG file name prefix that keeps every file inside the recording's
    directory: no path separator, no ``..``, not absolute."""
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a str, got {type(prefix).__name__}")
    seps = {"/", "\\", os.sep} | ({os.altsep} if os.altsep else set())
    bad = (
        "contains a path separator" if any(sep in prefix for sep in seps)
        else "contains '..'" if ".." in prefix
        else "is an absolute path" if os.path.isabs(prefix) or Path(prefix).drive
        else "contains a NUL character" if "\0" in prefix
        else None
    )
    if bad is not None:
        raise ValueError(
            f"prefix {prefix!r} {bad}: it is the start of a file name inside the "
            "recording directory, so it cannot name another directory; put the directory "
            "in path and keep prefix a plain name, e.g. record('../frames', prefix='x_')"
        )
    return prefix


def _progress_bar(total: int | None, desc: str) -> Any:
    """A tqdm progress bar when tqdm is installed, otherwise None."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=desc, unit="frame", leave=False)


class Recorder:
    """Writes the frames an :class:`Engine` renders while it is active.

    Made by :meth:`Engine.record`; not constructed directly. A directory
    path gets one PNG per frame (``frame_00000.png``, ``frame_00001.png``,
    ...; ``Frame.to_png``, which encodes straight from the frame's memory);
    a path ending in .mp4 (or .mov, .mkv, .avi, .webm) is encoded with
    imageio-ffmpeg, which receives the frame memory itself (no copy). Use it
    as a context manager, or call :meth:`close` (``Engine.close`` does too).

    Attributes:
        path: the directory or video file.
        kind: "png" or "video".
        frames_written: how many frames it has written.
        files: the PNG files written (empty for a video).
    """

    def __init__(
        self, engine: Engine, path: str | os.PathLike[str], *, fps: float, prefix: str
    ) -> None:
        self.engine: Engine | None = engine
        self.path = Path(path)
        self.fps = fps
        self.prefix = _check_prefix(prefix)
        self.frames_written = 0
        self.files: list[Path] = []
        self._writer: Any = None
        suffix = self.path.suffix.lower()
        if suffix in VIDEO_SUFFIXES:
            self.kind = "video"
            try:
                import imageio_ffmpeg
            except ImportError:
                raise ModuleNotFoundError(
                    f"record({str(path)!r}) writes video through imageio-ffmpeg, which is not "
                    "installed: pip install imageio-ffmpeg (or record into a directory to get "
                    "PNG frames)",
                    name="imageio_ffmpeg",
                ) from None
            if self.path.is_dir():
                raise ValueError(f"path: {str(path)!r} is a directory, not a video file")
            if not self.path.parent.is_dir():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            r = engine.renderer
            self._writer = imageio_ffmpeg.write_frames(
                str(self.path),
                (r.width, r.height),
                pix_fmt_in="rgba",
                fps=fps,
                macro_block_size=2,
            )
            self._writer.send(None)  # start the encoder
        else:
            if suffix in _IMAGE_SUFFIXES:
                raise ValueError(
                    f"path: record() takes a directory (PNG sequence) or a video file "
                    f"({', '.join(VIDEO_SUFFIXES)}), got {str(path)!r}; "
                    "use Engine.screenshot() for a single image"
                )
            if self.path.exists() and not self.path.is_dir():
                raise ValueError(f"path: {str(path)!r} exists and is not a directory")
            self.path.mkdir(parents=True, exist_ok=True)
            self.kind = "png"

    @property
    def active(self) -> bool:
        """True until :meth:`close`."""
        return self.engine is not None

    def write(self, frame: Frame) -> None:
        """Writes one frame (the engine calls this for every rendered frame)."""
        if not self.active:
            raise RuntimeError("this recorder is closed")
        if self.kind == "video":
            self._writer.send(memoryview(frame))
        else:
            file = self.path / f"{self.prefix}{self.frames_written:05d}.png"
            frame.to_png(file)
            self.files.append(file)
        self.frames_written += 1

    def close(self) -> None:
        """Finishes the file(s) and detaches from the engine; safe to call twice."""
        engine, self.engine = self.engine, None
        if engine is not None and engine._recorder is self:
            engine._recorder = None
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()  # waits for ffmpeg to finish the file

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "active" if self.active else "closed"
        n = self.frames_written
        return f"Recorder({str(self.path)!r}, kind={self.kind!r}, frames={n}, {state})"
