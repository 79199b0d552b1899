"""Runs the atheris fuzz target for the buffer and Arrow import
(tests/fuzz/fuzz_import.py) for a bounded time: about 30 s
(-max_total_time, with -runs as a fallback) in a child process. A crash, a
hang, a PanicException or a modified input is a finding: libFuzzer exits
non-zero and writes the input under the test's tmp_path."""

import os
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("atheris")

TARGET = pathlib.Path(__file__).resolve().parents[2] / "fuzz" / "fuzz_import.py"
SECONDS = int(os.environ.get("FORGE3D_FUZZ_SECONDS", "30"))


def _fuzz(tmp_path, *args, env=None, timeout=SECONDS + 240):
    return subprocess.run(
        [sys.executable, str(TARGET), f"-artifact_prefix={tmp_path}/", "-rss_limit_mb=4096",
         "-timeout=60", "-max_len=4096", *args],
        capture_output=True, text=True, timeout=timeout, cwd=tmp_path,
        env=dict(os.environ, NODEVICE_SELECT="1", **(env or {})),
    )


def test_the_import_fuzzer_finds_nothing_in_its_time(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    out = _fuzz(tmp_path, str(corpus), f"-max_total_time={SECONDS}", "-runs=2000000")
    log = (out.stdout + out.stderr)[-6000:]
    findings = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-", "leak-")))
    assert out.returncode == 0 and not findings, f"rc={out.returncode} {findings}\n{log}"
    assert "Done " in log and " runs in " in log, log


def test_a_base_exception_in_the_target_is_reported(tmp_path):
    # The fuzz target turns this one input into a BaseException when asked:
    # the bounded run above would fail the same way on a PanicException.
    seed = tmp_path / "selftest-input"
    seed.write_bytes(b"FORGE3D-SELFTEST")
    out = _fuzz(tmp_path, str(seed), env={"FORGE3D_FUZZ_SELFTEST": "1"}, timeout=120)
    log = out.stdout + out.stderr
    assert out.returncode != 0, log[-3000:]
    assert "Uncaught Python exception" in log and "SelfTestFinding" in log, log[-3000:]
