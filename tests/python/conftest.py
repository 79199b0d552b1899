import gc

import numpy as np
import pytest

import forge3d


@pytest.fixture(scope="session")
def device():
    return forge3d.device_info()


@pytest.fixture
def renderer():
    return forge3d.Renderer(320, 240)


def address(arr: np.ndarray) -> int:
    return int(arr.__array_interface__["data"][0])


@pytest.fixture
def collect():
    def run():
        for _ in range(3):
            gc.collect()

    return run


@pytest.fixture
def engine():
    """A 160x120 headless forge3d.engine.Engine, closed after the test."""
    from _engine_util import H, W
    from forge3d.engine import Engine

    eng = Engine("test", width=W, height=H, fps=25)
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def client():
    """A distributed client on a real LocalCluster: two worker processes of
    one thread each, closed after the module."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=40,
    )
    c = Client(cluster, set_as_default=False)
    try:
        yield c
    finally:
        c.close()
        cluster.close()
