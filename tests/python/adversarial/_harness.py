"""Runs adversarial cases in child processes (_runner.py), many per process,
and pins every crash or hang to its case.

Cases run in batches, two processes at a time (the test machines have two
cores). A batch that dies (a signal, an abort, a non-zero exit) or stops
reporting for ``case_timeout`` seconds is killed. The case it was running
is run again alone, in a process of its own: if that process dies too, the
crash or hang is that case's. The cases the batch had not reached go on in a
new batch, treated the same way, so every crash is pinned to a case that
crashes by itself without running the rest one per process. A death that
the case does not reproduce alone (state left by earlier cases, or a crash
at exit) is recorded in ``unexplained``, and the test suite fails on it.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "_runner.py")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("NODEVICE_SELECT", "1")
    env["PYTHONFAULTHANDLER"] = "1"  # a crash prints the Python stack to stderr
    return env


def run_process(module: str, ids: list[str], case_timeout: float) -> tuple[dict, dict]:
    """Runs `ids` in one child. Returns (results by id, info about the exit)."""
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            [sys.executable, RUNNER, module],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True,
            env=_env(), cwd=HERE,
        )
        lines: queue.Queue = queue.Queue()

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(ids))
        proc.stdin.close()
        results: dict[str, dict] = {}
        current = None
        hung = False
        # The first line waits for the import and the warm-up as well.
        timeout = case_timeout + 60
        while True:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                hung = True
                proc.kill()
                break
            timeout = case_timeout
            if line is None:
                break
            try:
                msg = json.loads(line)
            except json.JSONDecodeError:
                continue  # something the code under test printed
            if "start" in msg:
                current = msg["start"]
            elif "id" in msg:
                results[msg["id"]] = msg
                current = None
        rc = proc.wait()
        reader.join(timeout=5)
        err.seek(0)
        stderr = err.read()
    return results, {"rc": rc, "hung": hung, "current": current, "stderr": stderr[-4000:]}


def run_cases(
    module: str,
    ids: Iterable[str],
    *,
    batch_size: int = 80,
    workers: int = 2,
    case_timeout: float = 90.0,
) -> tuple[dict[str, dict], list[dict]]:
    """Results for every id: the child's report, or {"id", "outcome":
    "crashed" | "hung", "rc", "stderr"} for a case that killed its process
    when run alone. Also returns the process deaths that no case reproduced
    alone (state carried over from earlier cases, or a crash at exit).

    When a batch dies, the case it was running is run again alone (that
    pins a crash to its case), and the cases it had not reached yet go on
    in a new batch, which is treated the same way."""
    ids = list(ids)
    results: dict[str, dict] = {}
    unexplained: list[dict] = []
    lock = threading.Lock()

    def solo(cid: str, batch_info: dict) -> None:
        res, info = run_process(module, [cid], case_timeout)
        with lock:
            if cid in res and info["rc"] == 0:
                results[cid] = res[cid]
                unexplained.append({"cases": [cid], "note": "died in a batch, not alone", **batch_info})
            elif cid in res:
                results[cid] = {**res[cid], "outcome": "crashed", "rc": info["rc"],
                                "stderr": "the case returned, then the process exited with "
                                          f"rc={info['rc']}:\n" + info["stderr"]}
            else:
                results[cid] = {"id": cid, "outcome": "hung" if info["hung"] else "crashed",
                                "rc": info["rc"], "stderr": info["stderr"]}

    def batch(b: list[str]) -> None:
        while b:
            res, info = run_process(module, b, case_timeout)
            with lock:
                results.update(res)
            rest = [i for i in b if i not in res]
            if not rest:
                if info["rc"] != 0:
                    with lock:
                        unexplained.append({"cases": b, "note": "exited non-zero after all cases", **info})
                return
            # rest[0] is the case the process was running when it died.
            solo(rest[0], info)
            b = rest[1:]

    batches = [ids[i:i + batch_size] for i in range(0, len(ids), batch_size)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(batch, batches))
    return results, unexplained
