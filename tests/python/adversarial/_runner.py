"""Child process of the adversarial harness (_harness.py): runs cases and
reports each as one JSON line on stdout.

Usage: python _runner.py MODULE < ids.json

MODULE (a module next to this file) defines ``CASES`` (id -> case with
``setup``, ``value``, ``call`` and ``check`` code strings) and ``helpers()``
(the names the code may use). For every id the runner prints
``{"start": id}`` before the call and ``{"id": id, ...}`` after it, flushed,
so the parent knows which case was running if the process dies.

Address space is capped (RLIMIT_AS) a few GiB above what the warmed-up
process maps, so an array that exists only by its shape cannot make a
conversion take the machine's memory: the allocation must fail, and the call
must turn that into an ordinary exception.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import time
import traceback
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

HEADROOM = int(os.environ.get("FORGE3D_ADVERSARIAL_HEADROOM_GIB", "6")) << 30


def _limit_address_space() -> None:
    import resource

    import psutil

    vms = psutil.Process().memory_info().vms
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = vms + HEADROOM
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    resource.setrlimit(resource.RLIMIT_AS, (want, hard))


def _warm_up() -> None:
    import numpy as np

    import forge3d

    r = forge3d.Renderer(8, 8)
    r.render_triangle_rgba()
    r.add_terrain(np.arange(16, dtype=np.float32).reshape(4, 4))
    r.render_terrain_rgba()
    r.add_mesh(forge3d.Points(np.zeros((4, 3), np.float32)))
    r.add_mesh(forge3d.primitives.cube())
    r.render_rgba()


# -- snapshots of the caller's input, to prove it was not modified ----------

BIG = 64 << 20


def snapshot(v):
    """Something to compare after the call (None: nothing can change)."""
    import numpy as np

    if isinstance(v, np.ma.MaskedArray):
        return ("masked", snapshot(np.ma.getdata(v)), snapshot(np.ma.getmaskarray(v)))
    if isinstance(v, np.ndarray):
        meta = (v.shape, v.dtype.str, v.strides, v.flags.writeable,
                v.__array_interface__["data"][0])
        if v.dtype.hasobject:
            return ("object", meta, copy.copy(v.ravel().tolist()))
        if 0 in v.strides or v.nbytes > BIG:
            # Views by shape only: sample the first and last element.
            if v.size == 0:
                return ("sampled", meta, b"")
            return ("sampled", meta, v[(0,) * v.ndim].tobytes() + v[(-1,) * v.ndim].tobytes())
        return ("array", meta, v.tobytes(order="A"))
    if isinstance(v, memoryview):
        return ("memoryview", bytes(v))
    if isinstance(v, (list, tuple, dict, set)):
        try:
            return ("container", repr(v), copy.deepcopy(v))
        except Exception:  # noqa: BLE001 - e.g. a list of forge3d objects
            return ("container", repr(v))
    if isinstance(v, (bytearray,)):
        return ("bytearray", bytes(v))
    snap = getattr(v, "_adversarial_snapshot", None)
    if callable(snap):
        return ("custom", snap())
    arrow = _arrow_snapshot(v)
    if arrow is not None:
        return ("arrow", arrow)
    return None


def _arrow_snapshot(v):
    """The bytes of every buffer of a pyarrow Array/ChunkedArray/Table."""
    try:
        import pyarrow as pa
    except ImportError:
        return None
    if isinstance(v, pa.Table):
        return [_arrow_snapshot(c) for c in v.columns]
    if isinstance(v, pa.ChunkedArray):
        return [_arrow_snapshot(c) for c in v.chunks]
    if isinstance(v, pa.Array):
        return [None if b is None else b.to_pybytes() for b in v.buffers()]
    return None


def modified(before, v) -> str | None:
    """None when v matches its snapshot; else what changed."""
    if before is None:
        return None
    after = snapshot(v)
    if before == after:
        return None
    kind = before[0]
    if kind in ("array", "sampled", "object") and after is not None and before[1] != after[1]:
        return f"the array's layout or flags changed: {before[1]} -> {after[1]}"
    return f"the caller's {type(v).__name__} changed (its contents differ after the call)"


# -- running one case -------------------------------------------------------


def run_case(case, helpers) -> dict:
    ns = dict(helpers)
    out: dict = {"id": case.id}
    try:
        exec(case.setup, ns)
        ns["v"] = eval(case.value, ns)
    except BaseException as e:  # noqa: BLE001 - a broken case is reported, not raised
        out["outcome"] = "setup_error"
        out["message"] = f"{type(e).__name__}: {e}"
        out["traceback"] = traceback.format_exc()[-3000:]
        return out
    v = ns["v"]
    before = snapshot(v)
    t0 = time.perf_counter()
    try:
        ns["result"] = eval(case.call.replace("$V", "v"), ns)
    except BaseException as e:  # noqa: BLE001 - PanicException is a BaseException
        out["outcome"] = "raised"
        out["type"] = f"{type(e).__module__}.{type(e).__qualname__}"
        out["is_exception"] = isinstance(e, Exception)
        out["message"] = str(e)[:4000]
        if not isinstance(e, Exception):
            out["traceback"] = traceback.format_exc()[-3000:]
    else:
        out["outcome"] = "returned"
        out["result"] = repr(ns["result"])[:300]
        if case.check:
            try:
                ok = eval(case.check, ns)
            except BaseException as e:  # noqa: BLE001
                out["check_error"] = f"{type(e).__name__}: {e}"[:4000]
            else:
                if not ok:
                    out["check_error"] = f"check {case.check!r} is false"
    out["seconds"] = round(time.perf_counter() - t0, 4)
    out["modified"] = modified(before, v)
    return out


def main() -> None:
    warnings.simplefilter("ignore")  # numpy cast warnings are expected here
    module = __import__(sys.argv[1])
    ids = json.load(sys.stdin)
    _warm_up()
    _limit_address_space()
    helpers = module.helpers()
    for cid in ids:
        print(json.dumps({"start": cid}), flush=True)
        res = run_case(module.CASES[cid], helpers)
        print(json.dumps(res), flush=True)
    print(json.dumps({"done": len(ids)}), flush=True)


if __name__ == "__main__":
    main()
