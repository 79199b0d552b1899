"""atheris fuzz target for forge3d's buffer and Arrow import.

The fuzzer's bytes are decoded into an input (a NumPy array of some dtype,
shape and strides whose bytes come from the fuzzer, so NaN, inf, denormals
and huge integers all occur; an array that exists only by its shape; or a
pyarrow array / chunked array / table of some type, with nulls, an offset
and several chunks) and a target: Heightmap, Renderer.add_terrain, Mesh,
Mesh.set_vertices / set_colors / set_scalars / set_indices, Points, or
forge3d.arrow.terrain_from_table.

An ordinary Exception is the expected answer to bad input. A finding is a
crash (libFuzzer reports the signal), a BaseException that is not an
Exception (pyo3's PanicException), a hang, or the caller's input modified.

    pip install atheris
    NODEVICE_SELECT=1 python tests/fuzz/fuzz_import.py -max_total_time=60 -rss_limit_mb=4096

The address space is capped a few GiB above the warmed-up process, so an
array that exists only by its shape must make a conversion fail with an
exception instead of taking the machine's memory.
"""

from __future__ import annotations

import os
import resource
import sys
import warnings

import atheris

with atheris.instrument_imports():
    import numpy as np
    import pyarrow as pa

    import forge3d
    import forge3d.arrow

DTYPES = [
    np.float32, np.float64, np.float16, np.int8, np.int16, np.int32, np.int64, np.uint8,
    np.uint16, np.uint32, np.uint64, np.bool_, np.complex64, ">f4", ">i8", np.longdouble,
    "datetime64[s]", "m8[ms]", "S4", "U2", [("a", "f4"), ("b", "f4")],
]
ARROW_TYPES = [
    pa.float32(), pa.float64(), pa.float16(), pa.int8(), pa.int16(), pa.int32(), pa.int64(),
    pa.uint8(), pa.uint32(), pa.uint64(), pa.bool_(), pa.date32(), pa.timestamp("ms"),
    pa.decimal128(9, 2), pa.string(), pa.binary(), pa.null(),
]
TARGETS = ["heightmap", "add_terrain", "mesh", "points", "set_vertices", "set_colors",
           "set_scalars", "set_indices", "terrain_from_table"]

_RENDERER = None


def renderer():
    global _RENDERER
    if _RENDERER is None:
        _RENDERER = forge3d.Renderer(8, 8)
    return _RENDERER


# The shape each target takes, to steer half of the inputs past the shape checks.
TARGET_SHAPES = {"heightmap": (None, None), "add_terrain": (None, None), "mesh": (None, 3),
                 "points": (None, 3), "set_vertices": (None, 3), "set_colors": (None, 4),
                 "set_scalars": (None,), "set_indices": (None, 3)}
NUMERIC = [np.float32, np.float64, np.float16, np.int32, np.int64, np.uint8, np.uint32]


def numpy_input(fdp: atheris.FuzzedDataProvider, target: str, rows: int | None = None):
    steer = fdp.ConsumeBool()
    dtype = np.dtype(fdp.PickValueInList(NUMERIC if steer and fdp.ConsumeBool() else DTYPES))
    if steer:
        dims = TARGET_SHAPES[target]
        shape = tuple((rows if rows is not None and i == 0 else fdp.ConsumeIntInRange(2, 6))
                      if d is None else d for i, d in enumerate(dims))
        ndim = len(shape)
    else:
        ndim = fdp.ConsumeIntInRange(0, 3)
        shape = tuple(fdp.ConsumeIntInRange(0, 6) for _ in range(ndim))
    if fdp.ConsumeIntInRange(0, 15) == 0:
        # Exists only by its shape: one element broadcast to billions.
        big = fdp.PickValueInList([(2**31, 3), (100000, 100000), (2**33,), (2**31, 4), (3, 2**31)])
        return np.broadcast_to(np.zeros((), dtype), big)
    n = int(np.prod(shape)) if shape else 1
    raw = fdp.ConsumeBytes(n * dtype.itemsize)
    raw = raw + bytes(n * dtype.itemsize - len(raw))
    arr = np.frombuffer(raw, dtype, count=n).reshape(shape).copy()
    layout = fdp.ConsumeIntInRange(0, 5)
    if layout == 1 and arr.ndim:
        arr = arr[::-1]
    elif layout == 2 and arr.ndim >= 2:
        arr = np.asfortranarray(arr)
    elif layout == 3 and arr.ndim:
        arr = np.repeat(arr, 2, axis=-1)[..., ::2]
    elif layout == 4:
        arr.flags.writeable = False
    elif layout == 5 and arr.ndim:
        arr = np.ma.masked_array(arr, mask=np.frombuffer(
            (fdp.ConsumeBytes(arr.size) + bytes(arr.size))[:arr.size], np.uint8).reshape(arr.shape) & 1)
    return arr


def arrow_array(fdp: atheris.FuzzedDataProvider, n: int):
    typ = fdp.PickValueInList(ARROW_TYPES)
    pad = fdp.ConsumeIntInRange(0, 3)
    total = n + pad
    mask = None
    if fdp.ConsumeBool():
        mask = np.array([fdp.ConsumeBool() for _ in range(total)], bool)
    if pa.types.is_floating(typ) or pa.types.is_integer(typ):
        dt = np.dtype(typ.to_pandas_dtype())
        raw = fdp.ConsumeBytes(total * dt.itemsize)
        raw = raw + bytes(total * dt.itemsize - len(raw))
        full = pa.array(np.frombuffer(raw, dt, count=total), typ, mask=mask)
    elif pa.types.is_null(typ):
        full = pa.nulls(total)
    elif pa.types.is_string(typ):
        full = pa.array([fdp.ConsumeUnicodeNoSurrogates(3) for _ in range(total)], typ, mask=mask)
    elif pa.types.is_binary(typ):
        full = pa.array([fdp.ConsumeBytes(3) for _ in range(total)], typ, mask=mask)
    elif pa.types.is_boolean(typ):
        full = pa.array([fdp.ConsumeBool() for _ in range(total)], typ, mask=mask)
    elif pa.types.is_decimal(typ):
        import decimal

        full = pa.array([decimal.Decimal(fdp.ConsumeIntInRange(-10**6, 10**6)) / 100
                         for _ in range(total)], typ, mask=mask)
    else:
        full = pa.array([fdp.ConsumeIntInRange(0, 10**6) for _ in range(total)], typ, mask=mask)
    arr = full.slice(pad, n)
    chunks = fdp.ConsumeIntInRange(1, 3)
    if chunks > 1 and n:
        cuts = sorted(fdp.ConsumeIntInRange(0, n) for _ in range(chunks - 1))
        bounds = [0, *cuts, n]
        arr = pa.chunked_array([arr.slice(a, b - a) for a, b in zip(bounds, bounds[1:])], type=arr.type)
    return arr


def fingerprint(v):
    if isinstance(v, np.ma.MaskedArray):
        return (fingerprint(np.ma.getdata(v)), fingerprint(np.ma.getmaskarray(v)))
    if isinstance(v, np.ndarray):
        if v.size == 0:
            return (v.shape, v.dtype.str)
        if 0 in v.strides:
            return (v.shape, v.strides, v[(0,) * v.ndim].tobytes())
        return (v.shape, v.strides, v.flags.writeable, v.tobytes(order="A"))
    if isinstance(v, pa.Table):
        return [fingerprint(c) for c in v.columns]
    if isinstance(v, pa.ChunkedArray):
        return [fingerprint(c) for c in v.chunks]
    if isinstance(v, pa.Array):
        return [None if b is None else b.to_pybytes() for b in v.buffers()]
    return None


def call(target: str, fdp: atheris.FuzzedDataProvider):
    use_arrow = fdp.ConsumeBool()
    if target in ("heightmap", "add_terrain"):
        if use_arrow:
            n = fdp.ConsumeIntInRange(0, 16)
            v = arrow_array(fdp, n)
            rows = fdp.ConsumeIntInRange(0, 5)
            shape = (rows, fdp.ConsumeIntInRange(0, 5))
            kw = {"shape": shape}
        else:
            v, kw = numpy_input(fdp, target), {}
        if fdp.ConsumeBool():
            kw["nodata"] = fdp.ConsumeFloat()
        if target == "heightmap":
            return v, lambda: forge3d.Heightmap(v, **kw)
        return v, lambda: renderer().add_terrain(v, **kw)
    if target == "terrain_from_table":
        n = fdp.ConsumeIntInRange(0, 12)
        v = pa.table({k: arrow_array(fdp, n) for k in "xyz"})
        kw = {}
        if fdp.ConsumeBool():
            kw["shape"] = (fdp.ConsumeIntInRange(0, 6), fdp.ConsumeIntInRange(0, 6))
        return v, lambda: forge3d.arrow.terrain_from_table(v, **kw)
    rows = fdp.ConsumeIntInRange(0, 6)
    if use_arrow and target != "set_indices":
        ncols = TARGET_SHAPES[target][-1] if fdp.ConsumeBool() and target != "set_scalars" else \
            fdp.ConsumeIntInRange(1, 4)
        v = pa.table({f"c{i}": arrow_array(fdp, rows) for i in range(ncols or 1)})
    else:
        v = numpy_input(fdp, target, rows)
    if target == "mesh":
        return v, lambda: forge3d.Mesh(v)
    if target == "points":
        return v, lambda: forge3d.Points(v)
    mesh = forge3d.Mesh(np.zeros((rows, 3), np.float32))
    if target == "set_indices" and isinstance(v, np.ndarray) and v.dtype.kind in "iu" and v.size:
        v = v % max(rows, 1) if fdp.ConsumeBool() else v  # mostly in range
    return v, lambda: getattr(mesh, target)(v)


class SelfTestFinding(BaseException):
    """Raised for the input b"FORGE3D-SELFTEST" when FORGE3D_FUZZ_SELFTEST=1, to prove
    that a BaseException reaching the target is reported as a finding."""


SELFTEST = os.environ.get("FORGE3D_FUZZ_SELFTEST") == "1"


def test_one_input(data: bytes) -> None:
    if SELFTEST and data.startswith(b"FORGE3D-SELFTEST"):
        raise SelfTestFinding("self-test finding")
    fdp = atheris.FuzzedDataProvider(data)
    target = fdp.PickValueInList(TARGETS)
    try:
        v, fn = call(target, fdp)
    except Exception:  # noqa: BLE001 - the decoder built something NumPy/pyarrow refuse
        return
    before = fingerprint(v)
    try:
        fn()
    except Exception:  # noqa: BLE001 - an ordinary exception is the answer to bad input
        pass
    # Anything else (PanicException, a BaseException) propagates: atheris reports it.
    if fingerprint(v) != before:
        raise RuntimeError(f"{target}: the caller's input was modified")


def main() -> None:
    warnings.simplefilter("ignore")
    # Warm up, then cap the address space (see the module docstring).
    renderer().add_terrain(np.ones((4, 4), np.float32))
    renderer().render_terrain_rgba()
    import psutil

    headroom = int(os.environ.get("FORGE3D_FUZZ_HEADROOM_GIB", "6")) << 30
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (psutil.Process().memory_info().vms + headroom, hard))
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
