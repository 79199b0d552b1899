"""Shared by the engine tests: the image size of the `engine` fixture
(conftest.py) and image helpers."""

import numpy as np

W, H = 160, 120


def foreground(rgba, engine_or_renderer):
    bg = np.array(
        engine_or_renderer.renderer.background[:3]
        if hasattr(engine_or_renderer, "renderer")
        else engine_or_renderer.background[:3]
    )
    return (np.asarray(rgba)[..., :3] != bg).any(-1)


def grab(engine):
    """A copy of the engine's current image (the Frame's memory returns to the pool)."""
    return np.array(engine.render())
