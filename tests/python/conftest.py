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
