"""The copy ledger, seen from Python.

Every CPU-side copy or conversion of bulk bytes inside forge3d is recorded
as ``(operation, bytes, source_ptr, reason)`` on the thread that made it.
Open a :func:`copy_ledger` around the calls you want to audit::

    with forge3d.copy_ledger() as ledger:
        rgba = renderer.render_triangle_rgba()
    assert ledger.copies == 0           # the frame was never copied
    print(ledger.report())
"""

from __future__ import annotations

from dataclasses import dataclass

from . import _forge3d


@dataclass(frozen=True)
class CopyRecord:
    """One CPU copy or conversion recorded by forge3d."""

    operation: str
    """Kind of copy, e.g. ``"upload"``, ``"convert"``, ``"png_encode"``,
    ``"jpeg_encode"``."""
    bytes: int
    """Bytes read from the source."""
    source_ptr: int
    """Address of the first source byte."""
    reason: str
    """Why the copy was needed."""


class CopyLedger:
    """Context manager collecting the copies made on this thread while open.

    Ledgers nest; each sees the records made since it was entered. After the
    ``with`` block, :attr:`records` keeps what was recorded inside it.
    """

    def __init__(self) -> None:
        self._start: int | None = None
        self._records: list[CopyRecord] = []

    def __enter__(self) -> "CopyLedger":
        if self._start is not None:
            raise RuntimeError("this copy_ledger is already open; create a new one to nest")
        self._records = []
        self._start = _forge3d._ledger_open()
        return self

    def __exit__(self, *exc: object) -> None:
        start, self._start = self._start, None
        if start is not None:
            self._records = self._fetch(start)
            _forge3d._ledger_close(start)

    @staticmethod
    def _fetch(start: int) -> list[CopyRecord]:
        return [CopyRecord(*r) for r in _forge3d._ledger_records(start)]

    @property
    def records(self) -> list[CopyRecord]:
        """The records so far (live while the ledger is open)."""
        if self._start is not None:
            return self._fetch(self._start)
        return list(self._records)

    @property
    def copies(self) -> int:
        """Number of recorded copies and conversions."""
        return len(self.records)

    @property
    def bytes(self) -> int:
        """Total bytes read by the recorded copies."""
        return sum(r.bytes for r in self.records)

    def report(self) -> str:
        """A human-readable table of the records."""
        recs = self.records
        lines = [f"copy ledger: {len(recs)} CPU copies, {sum(r.bytes for r in recs)} bytes"]
        for r in recs:
            lines.append(
                f"  {r.operation:<12} {r.bytes:>12} B  from 0x{r.source_ptr:x}  ({r.reason})"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        state = "open" if self._start is not None else "closed"
        return f"<CopyLedger {state}: {self.copies} copies, {self.bytes} bytes>"


def copy_ledger() -> CopyLedger:
    """Open a ledger of forge3d's CPU copies on this thread (use with ``with``)."""
    return CopyLedger()


def _record_encode(format: str, nbytes: int, source_ptr: int, reason: str) -> None:
    """Notes an image encoded from a frame's memory by forge3d's Python
    helpers (``"png"`` or ``"jpeg"``: recorded as ``png_encode`` /
    ``jpeg_encode``)."""
    _forge3d._ledger_encode(format, int(nbytes), int(source_ptr), reason)


def _record_convert(nbytes: int, source_ptr: int, reason: str) -> None:
    """Notes a conversion forge3d's Python helpers made (e.g. np.copyto)."""
    _forge3d._ledger_convert(int(nbytes), int(source_ptr), reason)
