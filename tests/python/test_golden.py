"""Each golden scene (tests/python/golden.py) must match its reference PNG
in tests/golden/ within the tolerance that holds between lavapipe and the
H200; a mismatch writes the picture and a difference image to out/golden/."""

import os

import numpy as np
import pytest

pytest.importorskip("PIL")
pytest.importorskip("matplotlib")  # the Jacksboro sample DEM

import golden  # noqa: E402  (tests/python is on sys.path under pytest)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "out", "golden")


@pytest.mark.parametrize("name", list(golden.SCENES))
def test_scene_matches_its_golden_image(name):
    want = golden.read_png(golden.path(name))
    got = golden.SCENES[name]()
    assert got.shape == want.shape, f"{name}: {got.shape} != reference {want.shape}"
    mean, off = golden.compare(got, want)
    if mean > golden.MAX_MEAN or off > golden.MAX_OFF:
        os.makedirs(OUT, exist_ok=True)
        golden.write_png(os.path.join(OUT, f"{name}.png"), got)
        golden.write_png(os.path.join(OUT, f"{name}-diff.png"), golden.diff_image(got, want))
        pytest.fail(
            f"{name}: mean difference {mean:.2f} levels (max {golden.MAX_MEAN}), "
            f"{off:.2%} of pixels off by more than {golden.LEVELS} (max {golden.MAX_OFF:.0%}); "
            f"wrote {os.path.relpath(OUT)}/{name}.png and {name}-diff.png. If the change is "
            f"intended, regenerate with: python tests/python/golden.py --write {name}"
        )


@pytest.mark.parametrize("change", [dict(nan_hole=False), dict(sun=(135.0, 45.0))],
                         ids=["lost_hole", "sun_from_the_other_side"])
def test_the_tolerance_catches_a_real_change(change):
    """Not so loose that a lost hole (4% of the frame) or a sun from the
    other side passes."""
    want = golden.read_png(golden.path("holes"))
    mean, off = golden.compare(golden.holes(**change), want)
    assert off > golden.MAX_OFF or mean > golden.MAX_MEAN, (mean, off)
    mean, off = golden.compare(golden.holes(), want)
    assert mean <= golden.MAX_MEAN and off <= golden.MAX_OFF, (mean, off)


def test_every_reference_has_a_scene():
    pngs = {f[:-4] for f in os.listdir(os.path.dirname(golden.path("x"))) if f.endswith(".png")}
    assert pngs == set(golden.SCENES)
