"""Hypothesis fuzzing of the Arrow import (_arrow_fuzz_worker.py): pyarrow
arrays and chunked arrays of every type pyarrow makes, sliced and chunked,
with and without nulls, passed to forge3d.Heightmap(arr, shape=...),
Renderer.add_terrain(arr, shape=...), forge3d.Mesh(table),
Mesh.set_vertices(table) and forge3d.arrow.terrain_from_table(table).
Numeric input without nulls must come through exactly (compared with
NumPy's float32); everything else must raise an ordinary Exception; the
input must not change.

The examples run in two child processes, so a crash fails its combination
(with the example that was running) instead of killing pytest. Examples are
derandomized, so every run tries the same ones; FORGE3D_FUZZ_SEED=<int>
explores others, FORGE3D_FUZZ_EXAMPLES=<n> changes how many (default 200
per numeric combination, n // 8 per non-numeric type).
"""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("pyarrow")
pytest.importorskip("hypothesis")

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "_arrow_fuzz_worker.py")
sys.path.insert(0, HERE)
from _arrow_fuzz_worker import COMBOS  # noqa: E402

# Combinations that fail on the current extension (xfail(strict=True)): none.
KNOWN: dict[str, str] = {}


def _run(combos, timeout=300):
    """Runs combos in one child; restarts after the one running when it died."""
    results = {}
    todo = list(combos)
    env = dict(os.environ, NODEVICE_SELECT=os.environ.get("NODEVICE_SELECT", "1"),
               PYTHONFAULTHANDLER="1")
    while todo:
        try:
            out = subprocess.run([sys.executable, WORKER, *todo], capture_output=True, text=True,
                                 timeout=timeout, env=env, cwd=HERE)
            stdout, stderr, rc = out.stdout, out.stderr, out.returncode
        except subprocess.TimeoutExpired as e:
            stdout = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            stderr, rc = "timed out", "timeout"
        last = {}
        for line in stdout.splitlines():
            try:
                msg = json.loads(line)
            except json.JSONDecodeError:
                continue
            if "status" in msg:
                results[msg["combo"]] = msg
            elif "example" in msg:
                last[msg["combo"]] = msg["example"]
        rest = [c for c in todo if c not in results]
        if rest:
            dead = rest[0]
            results[dead] = {"combo": dead, "status": "crashed", "rc": rc,
                             "errors": [f"the process died (rc={rc}) during example: "
                                        f"{last.get(dead, '(none)')}\n{stderr[-3000:]}"]}
            rest = rest[1:]
        todo = rest
    return results


@pytest.fixture(scope="module")
def fuzz():
    halves = [COMBOS[0::2], COMBOS[1::2]]
    with ThreadPoolExecutor(2) as pool:
        parts = list(pool.map(_run, halves))
    return {k: v for p in parts for k, v in p.items()}


def _param(combo):
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN[combo])] if combo in KNOWN else []
    return pytest.param(combo, id=combo, marks=marks)


@pytest.mark.parametrize("combo", [_param(c) for c in COMBOS])
def test_arrow_import_fuzz(combo, fuzz):
    res = fuzz[combo]
    assert res["status"] == "passed", "\n".join(res.get("errors", [])) or res


def test_every_arrow_type_family_is_fuzzed():
    kinds = {c.split("/")[2] for c in COMBOS if c.count("/") == 2}
    for k in ("bool", "decimal128", "string", "binary", "date32", "timestamp", "dict_float",
              "list", "struct", "null", "run_end_encoded", "string_view", "tensor"):
        assert k in kinds, k
    targets = {c.split("/")[0] for c in COMBOS}
    assert targets == {"heightmap", "add_terrain", "mesh", "set_vertices", "terrain_from_table"}
