"""Regression tests for failures found by an adversarial pass: out-of-memory
renders, renders from many threads, panics and aborts at the FFI edge."""

import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import forge3d


def run_isolated(code: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Runs `code` in a fresh interpreter: a crash fails the test, not the run."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=timeout,
    )


def test_out_of_memory_render_fails_alone_and_does_not_poison_the_pool():
    out = run_isolated(
        """
        import resource, psutil, forge3d
        small = forge3d.Renderer(64, 64)
        small.render_triangle_rgba()
        big = forge3d.Renderer(8192, 8192)
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        vms = psutil.Process().memory_info().vms
        resource.setrlimit(resource.RLIMIT_AS, (vms + (64 << 20), hard))
        try:
            big.render_triangle_rgba()
        except forge3d.GpuError as e:
            assert "out of memory" in str(e), e
            assert "readback buffer" in str(e), e
        else:
            raise SystemExit("the render under the memory limit did not fail")
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        # Nothing broken went back to the pool, and no error is left over
        # for the next, unrelated call.
        assert forge3d.readback_pool_stats()["in_use"] == 0, forge3d.readback_pool_stats()
        a = small.render_triangle_rgba()
        assert a.shape == (64, 64, 4)
        for _ in range(2):
            f = big.render_triangle_rgba()
            assert f.shape == (8192, 8192, 4)
            assert f[4096, 4096, 3] == 255
            del f
        print("ok")
        """
    )
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr + out.stdout


def test_renders_from_many_threads_never_fail_to_map():
    # Each thread owns a renderer; a map callback fired by another thread's
    # poll used to leave this thread's mapping unfinished ("mapping the
    # readback buffer failed: None"), about 1 in 400 renders on lavapipe.
    threads, per_thread = 8, 400
    errors: list[BaseException] = []
    done = [0]
    lock = threading.Lock()

    def work(seed):
        try:
            r = forge3d.Renderer(48 + seed, 32)
            r.add_mesh(forge3d.Points(np.random.default_rng(seed).random((64, 3), dtype=np.float32)))
            for _ in range(per_thread):
                a = r.render_rgba()
                assert a.shape == (32, 48 + seed, 4)
                with lock:
                    done[0] += 1
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors[:3]
    assert done[0] == threads * per_thread
