"""The bad-input matrix: every public entry point that takes arrays or
numbers, crossed with the inputs that break array and number handling.

Each case is code (so its reproducer is a one-liner): ``setup`` (statements),
``value`` (the input, bound to ``v``), ``call`` (an expression in which
``$V`` stands for the input) and ``check`` (an expression that must hold
after a call that succeeded). ``expect`` says what a correct forge3d does:
"ok" (the input is documented to work), "raise" (an ordinary Exception whose
message names the argument) or "either" (accepted, or refused like "raise").

Run ``python _matrix_cases.py [substring]`` to run the matrix outside pytest
and print every failing case with its reproducer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PRELUDE = (
    "import math, decimal, numpy as np, forge3d, forge3d.arrow, forge3d.interop, "
    "forge3d.primitives"
)


@dataclass(frozen=True)
class Case:
    id: str
    setup: str
    value: str
    call: str
    names: tuple[str, ...]
    expect: str  # "ok" | "raise" | "either"
    check: str | None = None

    def reproducer(self) -> str:
        code = "; ".join(s for s in (PRELUDE, self.setup, self.call.replace("$V", self.value)) if s)
        return f"python -c {code!r}"


# -- helpers the case code uses ------------------------------------------------


def helpers() -> dict:
    ns: dict = {}
    exec(PRELUDE, ns)
    np = ns["np"]

    def poke(a, value, index=1):
        a = np.array(a)
        a.flat[index] = value
        return a

    def readonly(a):
        a = np.array(a)
        a.flags.writeable = False
        return a

    def misaligned(a):
        a = np.ascontiguousarray(a)
        raw = np.zeros(a.nbytes + a.itemsize, np.uint8)
        out = np.frombuffer(raw.data, a.dtype, count=a.size, offset=1).reshape(a.shape)
        out[...] = a
        return out

    def data_of(v):
        """The values forge3d should read (a mask is not part of them)."""
        if isinstance(v, np.ma.MaskedArray):
            v = np.ma.getdata(v)
        if isinstance(v, (bytes, bytearray, memoryview)):
            v = np.asarray(memoryview(v))
        return np.asarray(v)

    def heights_of(v):
        """Heights as float32, masked cells as NaN."""
        if isinstance(v, np.ma.MaskedArray):
            return np.ma.filled(v.astype(np.float32), np.nan)
        return data_of(v).astype(np.float32)

    def bounds_match(bounds, v, cols=3):
        a = data_of(v).astype(np.float32).reshape(-1, cols)
        if a.shape[0] == 0:
            assert bounds is None, bounds
            return True
        want = (tuple(float(x) for x in a.min(0)), tuple(float(x) for x in a.max(0)))
        assert bounds == want, f"bounds {bounds} != the input's {want}"
        return True

    def range_match(scalar_range, v):
        a = data_of(v).astype(np.float32).ravel()
        want = (float(a.min()), float(a.max()))
        assert scalar_range == want, f"scalar_range {scalar_range} != the input's {want}"
        return True

    def color_format_of(v):
        return "uint8" if data_of(v).dtype == np.uint8 else "float32"

    def data_range_of(v):
        a = heights_of(v)
        return (float(np.nanmin(a)), float(np.nanmax(a)))

    def terrain_matches(r, v):
        got = r.terrain_info()["data_range"]
        want = data_range_of(v)
        assert got == want, f"data_range {got} != the input's {want}"
        return True

    def same_heights(hm, v):
        want = heights_of(v)
        got = np.asarray(hm)
        assert got.shape == want.shape, (got.shape, want.shape)
        assert np.array_equal(got, want, equal_nan=True), "heights differ from the input"
        return True

    def same_values(a, v, dtype):
        want = data_of(v).astype(dtype)
        assert np.array_equal(np.asarray(a), want, equal_nan=True), "values differ from the input"
        return True

    ns.update({k: f for k, f in locals().items() if callable(f) and not k.startswith("_")})
    return ns


# -- input families --------------------------------------------------------------


def _shape_code(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def array_values(shape: tuple[int, ...]) -> dict[str, str]:
    """Inputs for an argument whose good value is a float32 array of `shape`."""
    n = 1
    for s in shape:
        n *= s
    S = _shape_code(shape)
    rest = shape[1:]
    B = f"np.linspace(0, 1, {n}, dtype=np.float32).reshape({S})"
    mask = f"poke(np.zeros({S}, bool), True)"
    vals = {
        "good": B,
        "dtype_bool": f"{B}.astype(bool)",
        "dtype_complex": f"{B}.astype(np.complex64)",
        "dtype_object": f"{B}.astype(object)",
        "dtype_str": f"{B}.astype(str)",
        "dtype_bytes": f"{B}.astype('S8')",
        "dtype_datetime64": f"np.zeros({S}, 'datetime64[s]')",
        "dtype_timedelta64": f"np.zeros({S}, 'm8[s]')",
        "dtype_structured": f"np.zeros({S}, [('a', 'f4'), ('b', 'f4')])",
        "dtype_longdouble": f"{B}.astype(np.longdouble)",
        "dtype_float16": f"{B}.astype(np.float16)",
        "dtype_float64": f"{B}.astype(np.float64)",
        "dtype_int64": f"({B} * 4).astype(np.int64)",
        "dtype_int8": f"({B} * 4).astype(np.int8)",
        "dtype_uint8": f"({B} * 255).astype(np.uint8)",
        "dtype_uint64": f"({B} * 255).astype(np.uint64)",
        "dtype_bigendian": f"{B}.astype('>f4')",
        "ndim0": "np.array(0.5, np.float32)",
        "ndim1_odd": f"np.zeros({n + 1}, np.float32)",
        "ndim_plus1": f"{B}[None]",
        "wrong_rows": f"np.zeros({_shape_code((shape[0] + 1,) + rest)}, np.float32)",
        "noncontig": f"np.repeat({B}, 2, axis=-1)[..., ::2]",
        "neg_strides": f"{B}[::-1]",
        "zero_strides": f"np.broadcast_to({B}[:1], {S})",
        "misaligned": f"misaligned({B})",
        "shape_only_rows": f"np.broadcast_to(np.float32(0.5), {_shape_code((2**31,) + rest)})",
        "shape_only_square": "np.broadcast_to(np.float32(0.5), (100000, 100000))",
        "shape_only_flat": "np.broadcast_to(np.float32(0.5), (2**33,))",
        "nan": f"poke({B}, np.nan)",
        "inf": f"poke({B}, np.inf)",
        "ninf": f"poke({B}, -np.inf)",
        "f64_overflow": f"poke({B}.astype(np.float64), 1e300)",
        "readonly": f"readonly({B})",
        "masked": f"np.ma.masked_array({B}, mask={mask})",
        "masked_all": f"np.ma.masked_array({B}, mask=True)",
        "empty": f"np.zeros({_shape_code((0,) + rest)}, np.float32)",
        "list": f"{B}.tolist()",
        "ragged": "[[0.0, 0.0, 0.0], [0.0, 0.0]]",
        "none": "None",
        "int": "5",
        "float": "0.5",
        "str": "'abc'",
        "bytes": f"{B}.tobytes()",
        "bytearray": f"bytearray({B}.tobytes())",
        "dict": "{}",
        "object": "object()",
        "memoryview": f"memoryview({B})",
    }
    if len(shape) == 2:
        vals["ndim1_flat"] = f"{B}.ravel()"
        vals["wrong_cols"] = f"np.zeros({_shape_code((shape[0], shape[1] + 1))}, np.float32)"
        vals["fortran"] = f"np.asfortranarray({B})"
        vals["neg_strides_2d"] = f"{B}[::-1, ::-1]"
    else:
        vals["column"] = f"{B}[:, None]"
        vals["wrong_cols"] = f"np.zeros(({shape[0]}, 2), np.float32)"
    return vals


# What converts: documented in the Mesh / Heightmap docstrings.
_NUMERIC = {"dtype_float16", "dtype_float64", "dtype_int64", "dtype_int8", "dtype_uint8",
            "dtype_uint64", "dtype_bigendian"}
_LAYOUTS = {"noncontig", "neg_strides", "zero_strides", "misaligned", "readonly", "memoryview",
            "fortran", "neg_strides_2d"}
# The mask is not part of a mesh attribute's values; bytes are a buffer of uint8.
_MESH_EITHER = {"masked", "masked_all", "bytes", "bytearray"}


def mesh_attr_accept(kind: str, ctor: bool) -> tuple[set[str], set[str]]:
    ok = {"good"} | _NUMERIC | _LAYOUTS
    either = set(_MESH_EITHER)
    if kind in ("vertices", "normals", "texcoords", "colors"):
        ok.add("ndim1_flat")
    if kind == "scalars":
        ok.add("column")
    if kind == "colors":
        ok -= {"dtype_int64", "dtype_int8", "dtype_uint64"}  # ambiguous: documented TypeError
    if ctor and kind in ("vertices", "positions"):
        ok.add("wrong_rows")  # a constructor's vertices define the count
        either.add("empty")
    return ok, either


INDEX_BASE = "np.array([[0, 1, 2], [1, 2, 3]], np.uint32)"


def index_values() -> dict[str, str]:
    B = INDEX_BASE
    return {
        "good": B,
        "dtype_int32": f"{B}.astype(np.int32)",
        "dtype_int64": f"{B}.astype(np.int64)",
        "dtype_uint64": f"{B}.astype(np.uint64)",
        "dtype_int16": f"{B}.astype(np.int16)",
        "dtype_uint8": f"{B}.astype(np.uint8)",
        "dtype_bigendian": f"{B}.astype('>u4')",
        "dtype_float32": f"{B}.astype(np.float32)",
        "dtype_float64": f"{B}.astype(np.float64)",
        "dtype_bool": f"{B}.astype(bool)",
        "dtype_complex": f"{B}.astype(complex)",
        "dtype_object": f"{B}.astype(object)",
        "dtype_str": f"{B}.astype(str)",
        "dtype_datetime64": "np.zeros((2, 3), 'datetime64[s]')",
        "dtype_structured": "np.zeros((2, 3), [('a', 'u4')])",
        "ndim0": "np.array(1, np.uint32)",
        "ndim1_flat": f"{B}.ravel()",
        "ndim1_odd": f"{B}.ravel()[:5]",
        "ndim_plus1": f"{B}[None]",
        "wrong_cols": "np.zeros((2, 4), np.uint32)",
        "noncontig": f"np.repeat({B}, 2, axis=1)[:, ::2]",
        "fortran": f"np.asfortranarray({B})",
        "neg_strides": f"{B}[::-1]",
        "zero_strides": f"np.broadcast_to({B}[:1], (2, 3))",
        "misaligned": f"misaligned({B})",
        "readonly": f"readonly({B})",
        "memoryview": f"memoryview({B})",
        "negative_value": "np.array([[0, -1, 2]], np.int64)",
        "out_of_range": "np.array([[0, 1, 4]], np.uint32)",
        "uint32_max": "np.array([[0, 1, 2**32 - 1]], np.uint32)",
        "int64_big": "np.array([[0, 1, 2**40]], np.int64)",
        "int64_min": "np.array([[0, 1, -2**63]], np.int64)",
        "shape_only_rows": "np.broadcast_to(np.uint32(0), (2**31, 3))",
        "shape_only_square": "np.broadcast_to(np.uint32(0), (100000, 100000))",
        "masked": f"np.ma.masked_array({B}, mask={B} == 1)",
        "empty": "np.zeros((0, 3), np.uint32)",
        "list": f"{B}.tolist()",
        "none": "None",
        "int": "3",
        "float": "0.5",
        "str": "'abc'",
        "bytes": f"{B}.tobytes()",
        "object": "object()",
    }


INDEX_OK = {"good", "dtype_int32", "dtype_int64", "dtype_uint64", "dtype_int16", "dtype_uint8",
            "dtype_bigendian", "ndim1_flat", "noncontig", "fortran", "neg_strides", "zero_strides",
            "misaligned", "readonly", "memoryview", "empty", "none"}
INDEX_EITHER = {"masked", "list", "bytes"}


def int_values(good: str) -> dict[str, str]:
    return {
        "good": good, "neg": "-1", "zero": "0", "float": "1.5", "float_whole": "4.0",
        "nan": "math.nan", "inf": "math.inf", "huge": "2**64", "huge_neg": "-2**63 - 1",
        "bool": "True", "str": "'4'", "none": "None", "list": "[4]", "complex": "4j",
        "np_int": "np.int64(4)", "np_uint8": "np.uint8(4)", "np_float": "np.float64(4.0)",
        "np_0d": "np.array(4)", "np_1elem": "np.array([4])", "decimal": "decimal.Decimal(4)",
    }


INT_OK = {"good", "np_int", "np_uint8", "np_0d"}
INT_EITHER = {"bool", "float_whole", "np_float", "np_1elem", "decimal"}


def real_values(good: str) -> dict[str, str]:
    return {
        "good": good, "int": "2", "neg": "-1.0", "zero": "0.0", "nan": "math.nan",
        "inf": "math.inf", "ninf": "-math.inf", "huge_int": "2**1024", "f32_overflow": "1e300",
        "subnormal": "5e-324", "bool": "True", "str": "'1.5'", "none": "None", "list": "[1.5]",
        "complex": "1.5j", "np_f32": "np.float32(1.5)", "np_nan": "np.float32('nan')",
        "np_0d": "np.array(1.5)", "np_1elem": "np.array([1.5])", "decimal": "decimal.Decimal('1.5')",
    }


REAL_OK = {"good", "int", "np_f32", "np_0d"}
REAL_EITHER = {"bool", "decimal", "np_1elem", "subnormal"}


def vec3_values(good: tuple[float, float, float]) -> dict[str, str]:
    g = tuple(float(x) for x in good)
    return {
        "good": repr(g),
        "ints": repr(tuple(int(x) for x in g)),
        "list": repr(list(g)),
        "ndarray": f"np.array({list(g)!r})",
        "len2": repr(g[:2]),
        "len4": repr(g + (1.0,)),
        "nan": f"(math.nan, {g[1]!r}, {g[2]!r})",
        "inf": f"(math.inf, {g[1]!r}, {g[2]!r})",
        "f32_overflow": f"(1e300, {g[1]!r}, {g[2]!r})",
        "huge_int": f"(2**1024, {g[1]!r}, {g[2]!r})",
        "str_items": "('a', 'b', 'c')",
        "str": "'abc'",
        "scalar": "1.0",
        "none": "None",
        "nested": "((0.0,), (1.0,), (2.0,))",
    }


VEC3_OK = {"good", "ints"}
VEC3_EITHER = {"list", "ndarray"}


def color255_values() -> dict[str, str]:
    return {
        "good": "(10, 20, 30)", "rgba": "(10, 20, 30, 40)", "np_ints": "(np.int64(10), np.uint8(20), 30)",
        "list": "[10, 20, 30]", "ndarray_u8": "np.array([10, 20, 30], np.uint8)",
        "bool_items": "(True, False, True)", "len2": "(10, 20)", "len5": "(1, 2, 3, 4, 5)",
        "over": "(0, 0, 256)", "neg": "(0, 0, -1)", "float_items": "(0.5, 0.0, 0.0)",
        "nan_items": "(math.nan, 0, 0)", "str_items": "('a', 'b', 'c')", "str": "'abc'",
        "scalar": "7", "none": "None", "huge_items": "(2**64, 0, 0)",
    }


COLOR255_OK = {"good", "rgba", "np_ints"}
COLOR255_EITHER = {"list", "ndarray_u8", "bool_items"}


def color01_values() -> dict[str, str]:
    return {
        "good": "(1.0, 0.5, 0.0)", "rgba": "(1.0, 0.5, 0.0, 0.5)", "ints": "(1, 0, 0)",
        "list": "[1.0, 0.5, 0.0]", "ndarray": "np.array([1.0, 0.5, 0.0])", "len2": "(1.0, 0.5)",
        "len5": "(1.0, 1.0, 1.0, 1.0, 1.0)", "over": "(2.0, 0.0, 0.0)", "neg": "(-0.5, 0.0, 0.0)",
        "nan_items": "(math.nan, 0.0, 0.0)", "inf_items": "(math.inf, 0.0, 0.0)",
        "str_items": "('a', 'b', 'c')", "str": "'red'", "scalar": "0.5", "none": "None",
        "huge_items": "(2**1024, 0.0, 0.0)",
    }


COLOR01_OK = {"good", "rgba", "ints", "none"}
COLOR01_EITHER = {"list", "ndarray"}


def pair_values(lo: float, hi: float) -> dict[str, str]:
    return {
        "good": repr((lo, hi)), "ints": repr((int(lo), int(hi))), "list": repr([lo, hi]),
        "ndarray": f"np.array({[lo, hi]!r})", "reversed": repr((hi, lo)), "equal": repr((lo, lo)),
        "nan_item": f"({lo!r}, math.nan)", "inf_item": f"({lo!r}, math.inf)",
        "f32_overflow": f"(-1e300, 1e300)", "huge_int_item": f"({lo!r}, 2**1024)",
        "len1": repr((lo,)), "len3": repr((lo, hi, hi)), "str_items": "('a', 'b')",
        "scalar": repr(hi), "str": "'ab'", "none": "None",
    }


PAIR_OK = {"good", "ints", "none"}
PAIR_EITHER = {"list", "ndarray"}


def spacing_values() -> dict[str, str]:
    vals = real_values("30.0")
    vals.update({
        "pair": "(1.0, 2.0)", "pair_ints": "(1, 2)", "pair_list": "[1.0, 2.0]",
        "pair_ndarray": "np.array([1.0, 2.0])", "pair_nan": "(math.nan, 1.0)",
        "pair_neg": "(1.0, -1.0)", "pair_zero": "(0.0, 1.0)", "pair_inf": "(math.inf, 1.0)",
        "pair_overflow": "(1e300, 1.0)", "triple": "(1.0, 2.0, 3.0)", "single": "(1.0,)",
        "pair_str": "('a', 'b')",
    })
    return vals


SPACING_OK = REAL_OK | {"pair", "pair_ints", "none"}
SPACING_EITHER = REAL_EITHER | {"pair_list", "pair_ndarray"}


def shape_values(good: tuple[int, int]) -> dict[str, str]:
    r, c = good
    return {
        "good": repr(good), "list": repr(list(good)), "ndarray": f"np.array({list(good)!r})",
        "float_items": repr((float(r), float(c))), "half": f"(1.5, {c})", "neg": f"(-{r}, -{c})",
        "zero": "(0, 0)", "len1": repr((r * c,)), "len3": repr((r, c, 1)),
        "huge": "(2**31, 2**31)", "huge_int": "(2**64, 1)", "scalar": repr(r * c), "str": "'ab'",
        "none": "None",
    }


SHAPE_OK = {"good", "none"}
SHAPE_EITHER = {"list", "ndarray", "float_items"}


def str_values(good: str, also_ok: tuple[str, ...] = ()) -> dict[str, str]:
    vals = {
        "good": repr(good), "unknown": "'nope'", "empty": "''", "upper": repr(good.upper()),
        "nul": repr(good + "\x00"), "long": "'x' * 100000", "int": "5", "none": "None",
        "bytes": repr(good.encode()), "list": repr([good]), "unicode": repr(good + "\u00e9"),
    }
    for i, s in enumerate(also_ok):
        vals[f"also_{i}"] = repr(s)
    return vals


def str_accept(also_ok: tuple[str, ...] = (), none: str = "raise") -> tuple[set[str], set[str]]:
    ok = {"good"} | {f"also_{i}" for i in range(len(also_ok))}
    either = {"upper", "bytes"}
    if none == "ok":
        ok.add("none")
    elif none == "either":
        either.add("none")
    return ok, either


def bool_values() -> dict[str, str]:
    return {
        "good": "True", "false": "False", "none": "None", "int1": "1", "int0": "0",
        "np_bool": "np.bool_(True)", "str": "'no'", "list": "[]", "float": "2.5",
    }


BOOL_OK = {"good", "false"}
BOOL_EITHER = {"int1", "int0", "np_bool"}


# -- the entry points ---------------------------------------------------------------


CASES: dict[str, Case] = {}


def add(entry: str, arg: str, setup: str, call: str, values: dict[str, str],
        ok: set[str], either: set[str] = frozenset(), *, names: tuple[str, ...] | None = None,
        check: str | None = None, overrides: dict[str, str] | None = None) -> None:
    """One case per value: `ok` values must work, `either` may, the rest must raise."""
    unknown = (set(ok) | set(either)) - set(values) - _LAYOUTS - {"ndim1_flat"}
    assert not unknown, (entry, arg, unknown)  # a typo in an accept set
    for vid, code in values.items():
        expect = "ok" if vid in ok else "either" if vid in either else "raise"
        if overrides and vid in overrides:
            expect = overrides[vid]
        cid = f"{entry}:{arg}={vid}"
        assert cid not in CASES, cid
        CASES[cid] = Case(cid, setup, code, call, names or (arg,), expect, check)


V4 = "V = np.zeros((4, 3), np.float32)"
R = "r = forge3d.Renderer(8, 8)"
TERRAIN = R + "; r.add_terrain(np.arange(16, dtype=np.float32).reshape(4, 4))"
MESH = "m = forge3d.Mesh(np.zeros((4, 3), np.float32))"
POINTS = "p = forge3d.Points(np.zeros((4, 3), np.float32))"

# ---- arrays: terrain ----
_heights = array_values((4, 4))
_h_ok = {"good", "list", "nan", "masked", "wrong_rows", "wrong_cols"} | _NUMERIC | _LAYOUTS
add("Renderer.add_terrain", "heights", R, "r.add_terrain($V)", _heights, _h_ok,
    {"bytes", "bytearray"}, check="terrain_matches(r, v)")
add("Heightmap", "values", "", "forge3d.Heightmap($V)", _heights,
    _h_ok | {"inf", "ninf", "f64_overflow", "masked_all"}, {"bytes", "bytearray", "empty"},
    check="same_heights(result, v)")

# ---- arrays: meshes and point sets ----
_attr_shapes = {"vertices": (4, 3), "normals": (4, 3), "texcoords": (4, 2), "colors": (4, 4),
                "scalars": (4,)}
for _attr, _shape in _attr_shapes.items():
    _vals = array_values(_shape)
    _cols = _shape[1] if len(_shape) == 2 else 1
    _checks = {
        "vertices": "bounds_match(m.bounds, v)",
        "normals": "'normals' in m.attributes",
        "texcoords": "'texcoords' in m.attributes",
        "colors": "m.color_format == color_format_of(v)",
        "scalars": "range_match(m.scalar_range, v)",
    }
    ok, either = mesh_attr_accept(_attr, ctor=False)
    add("Mesh.set_" + _attr, _attr, MESH, f"m.set_{_attr}($V)", _vals, ok, either,
        check=_checks[_attr])
    if _attr in ("normals", "colors", "texcoords"):
        add(f"Mesh({_attr}=)", _attr, V4, f"forge3d.Mesh(V, {_attr}=$V)", _vals, ok | {"none"},
            either, check="v is None or " + _checks[_attr].replace("m.", "result."))
    if _attr in ("vertices", "colors", "scalars"):
        pname = "positions" if _attr == "vertices" else _attr
        add(f"Points.set_{pname}", pname, POINTS, f"p.set_{pname}($V)", _vals,
            *mesh_attr_accept(_attr, ctor=False), check=_checks[_attr].replace("m.", "p."))
    if _attr == "vertices":
        add("Points.set_vertices", "vertices", POINTS, "p.set_vertices($V)", _vals,
            *mesh_attr_accept(_attr, ctor=False), check="bounds_match(p.bounds, v)")
        ok, either = mesh_attr_accept("vertices", ctor=True)
        add("Mesh", "vertices", "", "forge3d.Mesh($V)", _vals, ok, either,
            check="bounds_match(result.bounds, v)")
        add("Points", "positions", "", "forge3d.Points($V)", _vals, ok, either,
            check="bounds_match(result.bounds, v)")
        add("interop.copy_to_vertex_buffer", "src", POINTS,
            "forge3d.interop.copy_to_vertex_buffer(p, 'vertices', $V)", _vals,
            *mesh_attr_accept(_attr, ctor=False), names=("src", "vertices"),
            check="bounds_match(p.bounds, v)")
        # Python-level: converts anything NumPy can (lists too) into float32.
        add("interop.ensure_external_array", "arr", "",
            "forge3d.interop.ensure_external_array($V)", _vals,
            {"good", "list", "wrong_rows", "ndim1_flat", "ndim0", "ndim1_odd", "ndim_plus1",
             "wrong_cols", "empty", "nan", "inf", "ninf", "int", "float"} | _NUMERIC | _LAYOUTS,
            {"dtype_bool", "masked", "masked_all", "bytes", "bytearray", "dtype_longdouble",
             "f64_overflow", "dtype_bytes", "dtype_str", "dtype_object"},
            check="same_values(result, v, np.float32)")
    if _attr == "colors":
        ok, either = mesh_attr_accept("colors", ctor=False)
        add("Points(colors=)", "colors", V4, "forge3d.Points(V, colors=$V)", _vals, ok | {"none"},
            either, check="v is None or result.color_format == color_format_of(v)")

_idx = index_values()
add("Mesh.set_indices", "indices", MESH, "m.set_indices($V)", _idx, INDEX_OK, INDEX_EITHER,
    check="m.index_count == (None if v is None else data_of(v).size)")
add("Mesh(indices=)", "indices", V4, "forge3d.Mesh(V, indices=$V)", _idx, INDEX_OK, INDEX_EITHER,
    check="result.index_count == (None if v is None else data_of(v).size)")

# ---- numbers: the renderer ----
for _i, _arg in enumerate(("width", "height")):
    _call = "forge3d.Renderer($V, 8)" if _i == 0 else "forge3d.Renderer(8, $V)"
    add("Renderer", _arg, "", _call, int_values("16"), INT_OK, INT_EITHER,
        check=f"result.{_arg} == int(v)")
add("Renderer", "background", "", "forge3d.Renderer(8, 8, background=$V)", color255_values(),
    COLOR255_OK | {"none"}, COLOR255_EITHER)
add("Renderer.background=", "background", R, "setattr(r, 'background', $V)", color255_values(),
    COLOR255_OK, COLOR255_EITHER | {"none"},
    check="v is None or r.background[:3] == tuple(int(x) for x in v)[:3]")
add("Renderer.set_msaa", "samples", R, "r.set_msaa($V)", int_values("4"), INT_OK, INT_EITHER)

_cam_good = {"eye": (0.0, -5.0, 5.0), "target": (0.0, 0.0, 0.0), "up": (0.0, 0.0, 1.0)}
for _arg, _good in _cam_good.items():
    _kw = dict(_cam_good)
    _args = ", ".join("$V" if k == _arg else repr(v) for k, v in _kw.items())
    add("Renderer.set_camera", _arg, TERRAIN, f"r.set_camera({_args})", vec3_values(_good),
        VEC3_OK, VEC3_EITHER | ({"none"} if _arg == "up" else set()),
        names=(_arg,))
_CAM = "r.set_camera((0.0, -5.0, 5.0), (0.0, 0.0, 0.0), (0.0, 0.0, 1.0), "
add("Renderer.set_camera", "fovy_deg", TERRAIN, _CAM + "fovy_deg=$V)", real_values("45.0"),
    REAL_OK, REAL_EITHER | {"none"})
add("Renderer.set_camera", "znear", TERRAIN, _CAM + "znear=$V)", real_values("0.5"),
    REAL_OK | {"none"}, REAL_EITHER)
add("Renderer.set_camera", "zfar", TERRAIN, _CAM + "zfar=$V)", real_values("100.0"),
    REAL_OK | {"none"}, REAL_EITHER)

_sun = {"azimuth_deg": ("$V, 30.0", ("azimuth_deg", "azimuth")),
        "elevation_deg": ("30.0, $V", ("elevation_deg", "elevation")),
        "intensity": ("30.0, 30.0, $V", ("intensity",))}
for _arg, (_args, _names) in _sun.items():
    ok = set(REAL_OK) | {"zero"}
    if _arg != "intensity":
        ok.add("neg")
    else:
        ok.add("none")
    add("Renderer.set_sun", _arg, TERRAIN, f"r.set_sun({_args})", real_values("10.0"), ok,
        REAL_EITHER | ({"f32_overflow"} if _arg != "elevation_deg" else set()), names=_names)
add("Renderer.set_ambient", "ambient", TERRAIN, "r.set_ambient($V)", real_values("0.3"),
    {"good", "zero"}, REAL_EITHER - {"decimal", "np_1elem"})
add("Renderer.set_height_range", "min", TERRAIN, "r.set_height_range($V, 10.0)", real_values("0.0"),
    REAL_OK | {"neg", "zero"}, REAL_EITHER)
add("Renderer.set_height_range", "max", TERRAIN, "r.set_height_range(0.0, $V)", real_values("10.0"),
    REAL_OK, REAL_EITHER)
add("Renderer.set_colormap", "name", TERRAIN, "r.set_colormap($V)", str_values("magma", ("gray_r",)),
    *str_accept(("gray_r",)), names=("name", "colormap"))

_H = "np.arange(16, dtype=np.float32).reshape(4, 4)"
add("Renderer.add_terrain", "spacing", R, f"r.add_terrain({_H}, spacing=$V)", spacing_values(),
    SPACING_OK, SPACING_EITHER)
add("Renderer.add_terrain", "exaggeration", R, f"r.add_terrain({_H}, exaggeration=$V)",
    real_values("2.0"), REAL_OK, REAL_EITHER | {"none"},
    check="r.terrain_info()['exaggeration'] == (1.0 if v is None else float(v))")
add("Renderer.add_terrain", "colormap", R, f"r.add_terrain({_H}, colormap=$V)",
    str_values("magma", ("terrain_r",)), *str_accept(("terrain_r",), none="either"))
add("Renderer.add_terrain", "height_range", R, f"r.add_terrain({_H}, height_range=$V)",
    pair_values(0.0, 10.0), PAIR_OK, PAIR_EITHER)
add("Renderer.add_terrain", "nodata", R, f"r.add_terrain({_H}, nodata=$V)", real_values("-9999.0"),
    REAL_OK | {"neg", "zero", "nan", "none", "np_nan"}, REAL_EITHER | {"f32_overflow"})
add("Renderer.add_terrain", "shape", R, f"r.add_terrain({_H}, shape=$V)", shape_values((4, 4)),
    SHAPE_OK, SHAPE_EITHER)
add("Renderer.add_terrain", "copy", R, f"r.add_terrain({_H}, copy=$V)", bool_values(),
    BOOL_OK | {"none"}, BOOL_EITHER)

add("Heightmap", "spacing", "", f"forge3d.Heightmap({_H}, spacing=$V)", spacing_values(),
    SPACING_OK, SPACING_EITHER)
add("Heightmap", "origin", "", f"forge3d.Heightmap({_H}, origin=$V)", spacing_values(),
    SPACING_OK | {"neg", "zero", "pair_neg", "pair_zero"}, SPACING_EITHER | {"f32_overflow", "pair_overflow"})
add("Heightmap", "nodata", "", f"forge3d.Heightmap({_H}, nodata=$V)", real_values("-9999.0"),
    REAL_OK | {"neg", "zero", "nan", "none", "np_nan"}, REAL_EITHER | {"f32_overflow"})
add("Heightmap", "shape", "", f"forge3d.Heightmap({_H}, shape=$V)", shape_values((4, 4)),
    SHAPE_OK, SHAPE_EITHER)
add("Heightmap", "copy", "", f"forge3d.Heightmap({_H}, copy=$V)", bool_values(),
    BOOL_OK | {"none"}, BOOL_EITHER)

# ---- numbers: meshes in the scene ----
_SCENE = R + "; p = forge3d.Points(np.random.default_rng(0).random((8, 3), dtype=np.float32)); " \
    "p.set_scalars(np.arange(8, dtype=np.float32)); c = forge3d.primitives.cube(); " \
    "c.set_scalars(np.arange(24, dtype=np.float32))"
add("Renderer.add_mesh", "mesh", R, "r.add_mesh($V)",
    {"cube": "forge3d.primitives.cube()", "points": "forge3d.Points(np.zeros((4, 3), np.float32))",
     "none": "None", "int": "5", "str": "'mesh'", "ndarray": "np.zeros((4, 3), np.float32)",
     "heightmap": f"forge3d.Heightmap({_H})", "renderer": "forge3d.Renderer(8, 8)",
     "list": "[forge3d.primitives.cube()]"},
    {"cube", "points"})
add("Renderer.add_mesh", "style", _SCENE, "r.add_mesh(c, style=$V)",
    str_values("wireframe", ("scalars", "points", "surface")), *str_accept(("scalars", "points", "surface"), none="ok"))
add("Renderer.add_mesh", "color", _SCENE, "r.add_mesh(c, color=$V)", color01_values(),
    COLOR01_OK, COLOR01_EITHER)
add("Renderer.add_mesh", "colormap", _SCENE, "r.add_mesh(p, colormap=$V)",
    str_values("magma", ("viridis_r",)), *str_accept(("viridis_r",), none="ok"))
add("Renderer.add_mesh(cube)", "colormap", _SCENE, "r.add_mesh(c, colormap=$V)",
    str_values("magma", ("viridis_r",)), *str_accept(("viridis_r",), none="ok"))
add("Renderer.add_mesh", "scalar_range", _SCENE, "r.add_mesh(p, colormap='magma', scalar_range=$V)",
    pair_values(0.0, 10.0), PAIR_OK, PAIR_EITHER)
add("Renderer.add_mesh", "size", _SCENE, "r.add_mesh(p, size=$V)", real_values("3.0"),
    REAL_OK | {"none"}, REAL_EITHER - {"subnormal"})
add("Renderer.add_mesh(cube)", "size", _SCENE, "r.add_mesh(c, size=$V)", real_values("3.0"),
    REAL_OK | {"none"}, REAL_EITHER - {"subnormal"})
_IDS = _SCENE + "; ids = [r.add_mesh(forge3d.primitives.cube()) for _ in range(5)]"
add("Renderer.set_mesh_style", "id", _IDS, "r.set_mesh_style($V, style='wireframe')",
    int_values("ids[0]"), INT_OK, INT_EITHER | {"zero"})
add("Renderer.set_mesh_style", "style", _IDS, "r.set_mesh_style(ids[0], style=$V)",
    str_values("wireframe", ("surface",)), *str_accept(("surface",)))
add("Renderer.set_mesh_style", "size", _IDS, "r.set_mesh_style(ids[0], style='points', size=$V)",
    real_values("3.0"), REAL_OK | {"none"}, REAL_EITHER - {"subnormal"})
add("Renderer.remove_mesh", "id", _IDS, "r.remove_mesh($V)", int_values("ids[0]"),
    INT_OK | {"zero"}, INT_EITHER | {"neg", "huge", "huge_neg"})

add("Frame.pixel", "x", R + "; f = r.render_triangle_frame()", "f.pixel($V, 0)",
    int_values("4") | {"past_edge": "8"}, INT_OK | {"zero"}, INT_EITHER, names=("x", "pixel"))
add("Frame.pixel", "y", R + "; f = r.render_triangle_frame()", "f.pixel(0, $V)",
    int_values("4") | {"past_edge": "8"}, INT_OK | {"zero"}, INT_EITHER, names=("y", "pixel"))

# ---- numbers: meshes ----
for _cls, _setup, _obj in (("Mesh", MESH, "m"), ("Points", POINTS, "p")):
    add(f"{_cls}.resize", "n", _setup, f"{_obj}.resize($V)",
        int_values("6") | {"device_limit": "2**25", "u32_max": "2**32 - 1"},
        INT_OK | {"zero"}, INT_EITHER, check=f"{_obj}.vertex_count == int(v)")
add("Mesh", "dynamic", V4, "forge3d.Mesh(V, dynamic=$V)", bool_values(), BOOL_OK,
    BOOL_EITHER | {"none"}, check="result.dynamic == bool(v)")
add("Mesh.set_vertices", "copy", MESH, "m.set_vertices(np.zeros((4, 3), np.float32), copy=$V)",
    bool_values(), BOOL_OK | {"none"}, BOOL_EITHER)
add("Points", "size", V4, "forge3d.Points(V, size=$V)", real_values("3.0"), REAL_OK,
    REAL_EITHER - {"subnormal"} | {"none"}, check="result.size == (2.0 if v is None else float(v))")
add("Points.size=", "size", POINTS, "setattr(p, 'size', $V)", real_values("3.0"), REAL_OK,
    REAL_EITHER - {"subnormal"}, check="p.size == float(v)")

# ---- numbers: primitives ----
# None may mean the documented default (radius 1, 32 segments, size 1, resolution 1).
add("primitives.sphere", "radius", "", "forge3d.primitives.sphere($V, 8)", real_values("0.5"),
    REAL_OK, REAL_EITHER | {"none"}, check="result.bounds[1][0] == np.float32(1.0 if v is None else v)")
add("primitives.sphere", "segments", "", "forge3d.primitives.sphere(1.0, $V)", int_values("16"),
    INT_OK, INT_EITHER - {"bool"} | {"none"})
add("primitives.cube", "size", "", "forge3d.primitives.cube($V)", real_values("2.0"), REAL_OK,
    REAL_EITHER | {"none"}, check="result.bounds[1][0] == np.float32(1.0 if v is None else v) / 2")
add("primitives.plane", "size", "", "forge3d.primitives.plane($V, 2)", real_values("2.0"), REAL_OK,
    REAL_EITHER | {"none"}, check="result.bounds[1][0] == np.float32(1.0 if v is None else v) / 2")
add("primitives.plane", "resolution", "", "forge3d.primitives.plane(1.0, $V)",
    int_values("8") | {"too_many": "4097"}, INT_OK, INT_EITHER | {"none"},
    check="result.vertex_count == (int(1 if v is None else v) + 1) ** 2")

# ---- numbers: interop ----
add("interop.external_array", "shape", "", "forge3d.interop.external_array($V)",
    int_values("4") | {"tuple": "(4, 3)", "list_shape": "[4, 3]", "neg_item": "(4, -3)",
                       "float_item": "(4, 3.0)", "too_big": "2**40", "too_big_2d": "(2**31, 2**31)"},
    INT_OK | {"zero", "tuple", "list_shape", "list"}, INT_EITHER)
add("interop.external_array", "dtype", "", "forge3d.interop.external_array(4, $V)",
    {"good": "np.float32", "name": "'float32'", "uint8": "np.uint8", "int32": "'int32'",
     "uint32": "np.dtype('uint32')", "float64": "np.float64", "bigendian": "'>f4'", "none": "None",
     "int": "5", "str": "'nope'", "list": "[np.float32]", "object": "object", "complex": "np.complex64"},
    {"good", "name", "uint8", "int32", "uint32"})
add("interop.external_array", "zero", "", "forge3d.interop.external_array(4, zero=$V)",
    bool_values(), BOOL_OK | {"none"}, BOOL_EITHER | {"str", "list", "float"})
add("interop.copy_to_vertex_buffer", "mesh", POINTS,
    "forge3d.interop.copy_to_vertex_buffer($V, 'vertices', np.zeros((4, 3), np.float32))",
    {"points": "p", "none": "None", "int": "5", "ndarray": "np.zeros((4, 3), np.float32)",
     "heightmap": f"forge3d.Heightmap({_H})", "str": "'mesh'"}, {"points"})
add("interop.copy_to_vertex_buffer", "attribute", POINTS,
    "forge3d.interop.copy_to_vertex_buffer(p, $V, np.zeros((4, 3), np.float32))",
    str_values("vertices", ("positions",)) | {"unhashable": "['vertices']"},
    *str_accept(("positions",)))
add("interop.copy_to_vertex_buffer", "cols", POINTS,
    "forge3d.interop.copy_to_vertex_buffer(p, 'vertices', np.zeros((4, 3), np.float32), cols=$V)",
    int_values("3") | {"array3": "np.array([1, 2, 3])"}, {"good", "none"})

# ---- tables: forge3d.arrow.terrain_from_table ----
_TABLE = ("import pyarrow as pa; x, y = np.meshgrid(np.arange(4.0), np.arange(3.0)); "
          "T = pa.table({'x': x.ravel(), 'y': y.ravel(), 'z': (x * 10 + y).ravel()})")
_TFT = "forge3d.arrow.terrain_from_table"
add("arrow.terrain_from_table", "table", _TABLE, f"{_TFT}($V)",
    {"good": "T", "pandas": "T.to_pandas()", "reader": "T.to_reader()", "none": "None",
     "int": "5", "str": "'x y z'", "dict": "{'x': [0.0, 1.0], 'y': [0.0, 1.0], 'z': [1.0, 2.0]}",
     "ndarray": "np.zeros((3, 3))", "array": "pa.array([1.0, 2.0])", "empty": "T.slice(0, 0)",
     "one_row": "T.slice(0, 1)", "str_columns": "pa.table({'x': ['a'], 'y': ['b'], 'z': ['c']})",
     "missing_z": "T.drop(['z'])", "inf_z": "T.set_column(2, 'z', pa.array([np.inf] * 12))",
     "all_null": "pa.table({k: pa.nulls(3, pa.float64()) for k in 'xyz'})",
     "duplicate_names": "pa.Table.from_arrays([T['x'], T['x'], T['z']], names=['x', 'x', 'z'])",
     "decimal": "T.set_column(0, 'x', pa.array([decimal.Decimal(i % 4) for i in range(12)], pa.decimal128(5, 2)))",
     "timestamp": "T.set_column(0, 'x', pa.array(list(range(12)), pa.timestamp('s')))"},
    {"good", "pandas", "reader"}, names=("table", "x", "y", "z"))
for _arg in ("x", "y", "z"):
    add("arrow.terrain_from_table", _arg, _TABLE, f"{_TFT}(T, {_arg}=$V)",
        {"good": repr(_arg), "unknown": "'nope'", "empty": "''", "none": "None", "int": "5",
         "bytes": repr(_arg.encode()), "list": repr([_arg]), "nul": repr(_arg + "\x00")},
        {"good"}, {"bytes"})
add("arrow.terrain_from_table", "resolution", _TABLE, f"{_TFT}(T, resolution=$V)",
    spacing_values(), {"pair", "pair_ints", "none"},
    SPACING_EITHER | {"good", "int", "np_f32", "np_0d", "f32_overflow", "pair_overflow"})
add("arrow.terrain_from_table", "shape", _TABLE, f"{_TFT}(T, shape=$V)", shape_values((3, 4)),
    SHAPE_OK, SHAPE_EITHER)
add("arrow.terrain_from_table", "agg", _TABLE, f"{_TFT}(T, agg=$V)",
    str_values("max", ("count", "first")), *str_accept(("count", "first")))
add("arrow.terrain_from_table", "fill", _TABLE, f"{_TFT}(T, shape=(6, 8), fill=$V)",
    real_values("-1.0") | {"nearest": "'nearest'", "unknown": "'nope'", "tuple": "(1.0,)"},
    REAL_OK | {"neg", "zero", "none", "nearest", "nan", "np_nan"}, REAL_EITHER | {"f32_overflow"})
add("arrow.terrain_from_table", "bounds", _TABLE, f"{_TFT}(T, shape=(3, 4), bounds=$V)",
    {"good": "(0.0, 0.0, 3.0, 2.0)", "ints": "(0, 0, 3, 2)", "list": "[0.0, 0.0, 3.0, 2.0]",
     "np": "np.array([0.0, 0.0, 3.0, 2.0])", "none": "None", "three": "(0.0, 0.0, 3.0)",
     "five": "(0.0, 0.0, 3.0, 2.0, 1.0)", "nan": "(0.0, 0.0, math.nan, 2.0)",
     "inf": "(0.0, 0.0, math.inf, 2.0)", "reversed": "(3.0, 0.0, 0.0, 2.0)",
     "flat": "(0.0, 0.0, 3.0, 0.0)", "outside": "(10.0, 10.0, 20.0, 20.0)",
     "huge": "(-1e308, -1e308, 1e308, 1e308)", "str": "'0 0 3 2'",
     "strs": "('a', 'b', 'c', 'd')", "scalar": "3.0", "dict": "{'xmin': 0}"},
    {"good", "ints", "list", "none"}, {"np"})
add("arrow.terrain_from_table", "threads", _TABLE, f"{_TFT}(T, threads=$V)", int_values("2"),
    INT_OK | {"none"}, INT_EITHER)
add("arrow.terrain_from_table", "device", _TABLE, f"{_TFT}(T, shape=(3, 4), device=$V)",
    str_values("gpu", ("cpu", "auto")), *str_accept(("cpu", "auto"), none="ok"))


# -- the verdict -------------------------------------------------------------------------


def _mentions(message: str, names: tuple[str, ...]) -> bool:
    return any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])", message) for n in names)


def judge(case: Case, res: dict | None) -> str | None:
    """None when the case passed, else what went wrong."""
    if res is None:
        return "no result (the harness lost the case)"
    outcome = res.get("outcome")
    if outcome in ("crashed", "hung"):
        return f"the process {outcome} (rc={res.get('rc')}) when this case ran alone:\n{res.get('stderr', '')[-2000:]}"
    if outcome == "setup_error":
        return f"the case's own set-up failed: {res['message']}"
    problems = []
    if res.get("modified"):
        problems.append(f"the caller's input was modified: {res['modified']}")
    if outcome == "raised":
        kind = f"{res['type']}: {res['message']}"
        if not res["is_exception"]:
            problems.append(f"raised a BaseException that is not an Exception: {kind}")
        elif case.expect == "ok":
            problems.append(f"a documented input was refused: {kind}")
        elif not _mentions(res["message"], case.names):
            problems.append(f"the message does not name {' or '.join(case.names)}: {kind}")
    elif outcome == "returned":
        if case.expect == "raise":
            problems.append(f"bad input was accepted (returned {res.get('result')})")
        elif res.get("check_error"):
            problems.append(f"accepted, but the result is wrong: {res['check_error']}")
    else:
        problems.append(f"unknown outcome {outcome!r}")
    return "; ".join(problems) or None


def symptom(why: str) -> str:
    """One line for an xfail reason: what failed, without the run's details."""
    return why.splitlines()[0][:240]


KNOWN_HEADER = '''"""Cases of the bad-input matrix that fail on the current extension, with
the symptom each showed. test_bad_input_matrix.py marks them
xfail(strict=True): fixing one in src/ makes its case XPASS, which fails
the suite until the entry is deleted here. Every entry is a bug in forge3d
(see the report in the commit that added it); never add one to silence a
regression. `python _matrix_cases.py --write-known` rewrites this file from
a run; review the diff.
"""

KNOWN: dict[str, str] = {
'''


if __name__ == "__main__":  # pragma: no cover - a tool for people
    # python _matrix_cases.py [--write-known] [substring ...]
    import sys

    import _harness

    args = sys.argv[1:]
    write = "--write-known" in args
    args = [a for a in args if a != "--write-known"]
    wanted = [i for i in CASES if not args or any(s in i for s in args)]
    results, unexplained = _harness.run_cases("_matrix_cases", wanted)
    failed = {}
    for cid in wanted:
        why = judge(CASES[cid], results.get(cid))
        if why:
            failed[cid] = why
            print(f"FAIL {cid}\n     {symptom(why)}\n     {CASES[cid].reproducer()}")
    for u in unexplained:
        print("UNEXPLAINED:", u["note"], u["rc"], u["cases"][:5], u["stderr"][-1500:])
    print(f"{len(failed)} of {len(wanted)} cases failed")
    if write:
        with open("_known_failures.py", "w") as f:
            f.write(KNOWN_HEADER)
            for cid, why in failed.items():
                f.write(f"    {cid!r}:\n        {symptom(why)!r},\n")
            f.write("}\n")
