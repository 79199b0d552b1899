"""Cases that must fail, to prove the harness and the verdict can fail:
a crash, a hang, a BaseException, a modified input, an unnamed message,
accepted bad input and a wrong result."""

from _matrix_cases import Case
from _matrix_cases import helpers as _matrix_helpers


class FakePanic(BaseException):
    """Stands in for pyo3's PanicException (a BaseException)."""


def _helpers_with_extras() -> dict:
    ns = _matrix_helpers()
    ns["FakePanic"] = FakePanic
    return ns


CASES = {
    c.id: c
    for c in [
        Case("abort", "import os", "np.zeros(3)", "os.abort()", ("v",), "either"),
        Case("segfault", "import ctypes", "0", "ctypes.string_at($V)", ("v",), "either"),
        Case("hang", "import time", "0", "time.sleep(3600)", ("v",), "either"),
        Case("panic", "", "0", "(_ for _ in ()).throw(FakePanic('boom'))", ("v",), "either"),
        Case("modifies", "", "np.zeros(3)", "$V.__setitem__(0, 1.0)", ("v",), "either"),
        Case("unnamed", "", "0", "int('nope')", ("argname",), "raise"),
        Case("accepts", "", "-1", "abs($V)", ("v",), "raise"),
        Case("wrong", "", "np.arange(4.0)", "$V.sum()", ("v",), "ok", "result == 7"),
        Case("passes", "", "np.arange(4.0)", "$V.sum()", ("v",), "ok", "result == 6"),
    ]
}


def helpers() -> dict:
    """The runner's entry point for this module."""
    return _helpers_with_extras()
