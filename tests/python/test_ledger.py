"""The copy ledger records forge3d's CPU copies, and only while open."""

import numpy as np
import pytest

import forge3d


def test_png_encoding_is_recorded_with_the_frame_as_source(tmp_path):
    r = forge3d.Renderer(64, 48)
    frame = r.render_triangle_frame()
    with forge3d.copy_ledger() as ledger:
        frame.to_png(tmp_path / "a.png")
    (rec,) = ledger.records
    assert rec.operation == "png_encode"
    assert rec.bytes == 64 * 48 * 4
    assert rec.source_ptr == frame.ptr
    assert "PNG" in rec.reason
    assert "png_encode" in ledger.report()


def test_ledgers_nest_and_close():
    r = forge3d.Renderer(16, 16)
    frame = r.render_triangle_frame()
    with forge3d.copy_ledger() as outer:
        frame._repr_png_()
        with forge3d.copy_ledger() as inner:
            np.from_dlpack(frame, copy=True)
        assert inner.copies == 1
        assert outer.copies == 2
    assert outer.copies == 2 and inner.copies == 1
    assert outer.bytes == 2 * 16 * 16 * 4


def test_a_ledger_cannot_be_entered_twice():
    ledger = forge3d.copy_ledger()
    with ledger:
        with pytest.raises(RuntimeError, match="already open"):
            ledger.__enter__()


def test_process_totals_grow_with_recorded_copies():
    r = forge3d.Renderer(16, 16)
    frame = r.render_triangle_frame()
    n0, b0 = forge3d.copy_totals()
    frame._repr_png_()
    n1, b1 = forge3d.copy_totals()
    assert (n1 - n0, b1 - b0) == (1, 16 * 16 * 4)
