"""A bad-input matrix over every public entry point that takes arrays or
numbers (_matrix_cases.py): wrong dtypes and ndims, odd strides, arrays that
exist only by their shape, NaN/inf, read-only and masked arrays, empty
arrays, lists, None, negative and non-integer numbers, strings.

A case passes when the call succeeds (for input that is legitimately
accepted, whose result is then checked against the input) or raises an
ordinary Exception whose message names the argument. It fails on a crash,
an abort, a hang, a BaseException such as pyo3's PanicException, a message
that does not name the argument, accepted bad input, a wrong result, or a
caller's array that changed. Cases run batched in child processes
(_harness.py); a case that kills its process is run again alone, so the
failure is pinned to it. Known bugs are listed in _known_failures.py.
"""

import pytest

import _harness
from _known_failures import KNOWN
from _matrix_cases import CASES, judge, symptom


@pytest.fixture(scope="module")
def matrix():
    return _harness.run_cases("_matrix_cases", CASES)


def _param(cid):
    if cid in KNOWN:
        return pytest.param(cid, id=cid, marks=pytest.mark.xfail(strict=True, reason=KNOWN[cid]))
    return pytest.param(cid, id=cid)


@pytest.mark.parametrize("cid", [_param(c) for c in CASES])
def test_bad_input(cid, matrix):
    results, _ = matrix
    case = CASES[cid]
    why = judge(case, results.get(cid))
    assert why is None, f"{why}\nreproduce: {case.reproducer()}"


def test_every_process_death_is_pinned_to_a_case(matrix):
    _, unexplained = matrix
    assert not unexplained, [
        (u["note"], u["rc"], u["cases"][:5], u["stderr"][-1500:]) for u in unexplained
    ]


def test_known_failures_are_cases_of_the_matrix():
    assert not set(KNOWN) - set(CASES), sorted(set(KNOWN) - set(CASES))


def test_the_matrix_covers_the_input_kinds_the_issue_names():
    values = {cid.rsplit("=", 1)[1] for cid in CASES}
    for kind in ("dtype_bool", "dtype_complex", "dtype_object", "dtype_str", "dtype_datetime64",
                 "ndim0", "ndim1_flat", "ndim_plus1", "noncontig", "neg_strides",
                 "shape_only_rows", "shape_only_square", "nan", "inf", "readonly", "masked",
                 "empty", "list", "none", "neg", "float", "str"):
        assert kind in values, kind
    entries = {cid.split(":", 1)[0] for cid in CASES}
    for entry in ("Renderer", "Renderer.add_terrain", "Renderer.add_mesh", "Renderer.set_camera",
                  "Renderer.set_sun", "Renderer.set_ambient", "Renderer.background=",
                  "Renderer.set_msaa", "Heightmap", "Mesh", "Points", "Mesh.set_vertices",
                  "Mesh.set_colors", "Mesh.set_scalars", "Mesh.set_normals",
                  "Mesh.set_texcoords", "Mesh.set_indices", "Mesh.resize",
                  "arrow.terrain_from_table", "interop.external_array",
                  "interop.copy_to_vertex_buffer", "primitives.sphere", "primitives.cube",
                  "primitives.plane", "Frame.pixel", "Renderer.remove_mesh"):
        assert entry in entries, entry


# -- the harness itself can fail -------------------------------------------------


@pytest.fixture(scope="module")
def selftest():
    import _selftest_cases

    results, unexplained = _harness.run_cases(
        "_selftest_cases", _selftest_cases.CASES, batch_size=20, case_timeout=3
    )
    return _selftest_cases.CASES, results, unexplained


@pytest.mark.parametrize("cid, words", [
    ("abort", "crashed"),
    ("segfault", "crashed"),
    ("hang", "hung"),
    ("panic", "BaseException that is not an Exception"),
    ("modifies", "input was modified"),
    ("unnamed", "does not name argname"),
    ("accepts", "bad input was accepted"),
    ("wrong", "the result is wrong"),
])
def test_the_verdict_catches(selftest, cid, words):
    cases, results, _ = selftest
    why = judge(cases[cid], results.get(cid))
    assert why is not None and words in symptom(why), why


def test_the_verdict_passes_a_good_case_and_every_crash_is_pinned(selftest):
    cases, results, unexplained = selftest
    assert judge(cases["passes"], results["passes"]) is None
    # Three cases killed their batch; each was pinned when it ran alone.
    assert not unexplained, unexplained
