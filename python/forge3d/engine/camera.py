"""Cameras the engine applies to its renderer before each frame."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .._forge3d import Renderer, orbit_view
from ._checks import Vec3, _check_positive, _check_real, _check_vec3


# --------------------------------------------------------------------------
# cameras


@runtime_checkable
class Camera(Protocol):
    """Anything with ``apply(renderer)``; the engine calls it before each render."""

    def apply(self, renderer: Renderer) -> None: ...


class OrbitCamera:
    """A perspective camera on a sphere around ``target`` (z is up): the
    parameters of the renderer's orbit camera (``Renderer.set_camera_orbit``),
    which does the fitting and centring.

    The eye sits at ``target + distance * (sin(az) cos(el), cos(az) cos(el),
    sin(el))``: azimuth in degrees clockwise from north (+y), as the sun's in
    ``Renderer.set_sun``; elevation in degrees above the horizon, clamped to
    [-89, 89]. The defaults (200, 35) are the renderer's automatic view.

    Args:
        target: the point looked at; None: about the centre of the scene's
            bounds (``renderer.scene_bounds()``, re-read every frame), moved
            across the view so the box's projection is centred in the image.
        azimuth_deg, elevation_deg: the eye's direction from the target.
        distance: eye-target distance in world units; None: the smallest
            distance at which the whole scene box fits the image, recomputed
            every frame (so it follows changing geometry; :meth:`fit` freezes it).
        fovy_deg: vertical field of view in degrees, in (0, 180).

    Example::

        cam = eng.camera                      # Engine's default OrbitCamera
        cam.orbit(30, 10).zoom(1.5)           # turn, tilt up, move closer
        cam.look_at((4, -4, 3), (0, 0, 0))    # or place it explicitly
    """

    UP: Vec3 = (0.0, 0.0, 1.0)
    _azimuth = 200.0
    _elevation = 35.0

    def __init__(
        self,
        target: Sequence[float] | None = None,
        azimuth_deg: float = 200.0,
        elevation_deg: float = 35.0,
        distance: float | None = None,
        fovy_deg: float = 45.0,
    ) -> None:
        self.target: Vec3 | None = None if target is None else _check_vec3("target", target)
        self.azimuth_deg = azimuth_deg
        self.elevation_deg = elevation_deg
        self.distance: float | None = (
            None if distance is None else _check_positive("distance", distance)
        )
        fovy = _check_real("fovy_deg", fovy_deg)
        if not 0.0 < fovy < 180.0:
            raise ValueError(f"fovy_deg must be in (0, 180), got {fovy_deg}")
        self.fovy_deg = fovy
        self._auto_scale = 1.0  # zoom applied to an automatic distance

    @staticmethod
    def _clamp(elevation: float) -> float:
        return max(-89.0, min(89.0, elevation))

    @property
    def azimuth_deg(self) -> float:
        """Degrees clockwise from north (+y), in [0, 360). Settable (wrapped)."""
        return self._azimuth

    @azimuth_deg.setter
    def azimuth_deg(self, value: float) -> None:
        self._azimuth = _check_real("azimuth_deg", value) % 360.0

    @property
    def elevation_deg(self) -> float:
        """Degrees above the horizon, in [-89, 89]. Settable (clamped)."""
        return self._elevation

    @elevation_deg.setter
    def elevation_deg(self, value: float) -> None:
        self._elevation = self._clamp(_check_real("elevation_deg", value))

    def direction(self) -> np.ndarray:
        """Unit vector from the target towards the eye."""
        az, el = math.radians(self.azimuth_deg), math.radians(self.elevation_deg)
        return np.array([math.sin(az) * math.cos(el), math.cos(az) * math.cos(el), math.sin(el)])

    def orbit(self, d_azimuth_deg: float, d_elevation_deg: float = 0.0) -> OrbitCamera:
        """Turns the eye around the target by the given degrees; returns self."""
        self.azimuth_deg = self._azimuth + _check_real("d_azimuth_deg", d_azimuth_deg)
        self.elevation_deg = self._elevation + _check_real("d_elevation_deg", d_elevation_deg)
        return self

    def zoom(self, factor: float) -> OrbitCamera:
        """Divides the distance by ``factor`` (> 1 moves closer); returns self."""
        f = _check_positive("factor", factor)
        if self.distance is None:
            self._auto_scale /= f
        else:
            self.distance /= f
        return self

    def look_at(self, eye: Sequence[float], target: Sequence[float]) -> OrbitCamera:
        """Places the eye at ``eye`` looking at ``target``; returns self.

        Sets target, distance, azimuth and elevation (clamped to +-89, so an
        eye straight above the target ends up just off the vertical).
        """
        e, t = _check_vec3("eye", eye), _check_vec3("target", target)
        d = np.subtract(e, t)
        dist = float(np.linalg.norm(d))
        if dist == 0.0:
            raise ValueError("eye and target must differ")
        self.target, self.distance, self._auto_scale = t, dist, 1.0
        self.elevation_deg = math.degrees(math.asin(max(-1.0, min(1.0, d[2] / dist))))
        if abs(d[0]) > 0.0 or abs(d[1]) > 0.0:
            self.azimuth_deg = math.degrees(math.atan2(d[0], d[1]))
        return self

    def _view(self) -> dict[str, Any]:
        """This camera's parameters as ``set_camera_orbit``/``orbit_view`` take them."""
        return {
            "azimuth_deg": self._azimuth,
            "elevation_deg": self._elevation,
            "distance": self.distance,
            "target": self.target,
            "fovy_deg": self.fovy_deg,
            "zoom": 1.0 / self._auto_scale,
        }

    def to_dict(self) -> dict[str, Any]:
        """The camera as ``Renderer.set_camera_orbit`` keyword arguments
        (azimuth_deg, elevation_deg, distance, target, fovy_deg, zoom): plain
        values to store (JSON) and give back to :meth:`from_dict`."""
        v = self._view()
        if v["target"] is not None:
            v["target"] = tuple(float(c) for c in v["target"])
        return v

    @classmethod
    def from_dict(cls, view: dict[str, Any]) -> OrbitCamera:
        """The camera :meth:`to_dict` described (unknown keys are an error)."""
        known = {"azimuth_deg", "elevation_deg", "distance", "target", "fovy_deg", "zoom"}
        extra = set(view) - known
        if extra:
            raise ValueError(f"view: unknown keys {sorted(extra)}; expected some of {sorted(known)}")
        cam = cls(
            target=view.get("target"),
            azimuth_deg=view.get("azimuth_deg", 200.0),
            elevation_deg=view.get("elevation_deg", 35.0),
            distance=view.get("distance"),
            fovy_deg=view.get("fovy_deg", 45.0),
        )
        zoom = view.get("zoom", 1.0)
        if cam.distance is None:
            cam._auto_scale = 1.0 / _check_positive("zoom", zoom)
        elif zoom != 1.0:
            cam.distance /= _check_positive("zoom", zoom)
        return cam

    def resolve(
        self, bounds: tuple[Sequence[float], Sequence[float]], aspect: float
    ) -> tuple[Vec3, Vec3]:
        """(eye, target) for a scene box ``((xmin, ymin, zmin), (xmax, ymax, zmax))``
        and an image of ``aspect`` = width / height (:func:`forge3d.orbit_view`:
        the renderer's own orbit camera computes them)."""
        return orbit_view(bounds, aspect, **self._view())

    def fit(self, renderer: Renderer) -> OrbitCamera:
        """Freezes target and distance at the values that frame ``renderer``'s
        current scene (so later geometry changes do not move the camera); returns self."""
        eye, target = self.resolve(renderer.scene_bounds(), renderer.width / renderer.height)
        self.target = target
        self.distance = float(np.linalg.norm(np.subtract(eye, target)))
        self._auto_scale = 1.0
        return self

    def apply(self, renderer: Renderer) -> None:
        """Sets ``renderer``'s camera to this orbit (``set_camera_orbit``), which
        fits and centres it on the scene at each render."""
        renderer.set_camera_orbit(**self._view())

    def __repr__(self) -> str:
        zoom = "" if self._auto_scale == 1.0 else f", zoom={1.0 / self._auto_scale:g}"
        return (
            f"OrbitCamera(target={self.target}, azimuth_deg={self.azimuth_deg:g}, "
            f"elevation_deg={self.elevation_deg:g}, distance={self.distance}, "
            f"fovy_deg={self.fovy_deg:g}{zoom})"
        )


class TopDownCamera:
    """An orthographic view straight down that frames the scene's x/y extent
    (``renderer.set_camera_top_down()``); +y is up in the image.

    Example::

        eng.camera = TopDownCamera()
    """

    def apply(self, renderer: Renderer) -> None:
        """Sets ``renderer``'s camera to the top-down view."""
        renderer.set_camera_top_down()

    def __repr__(self) -> str:
        return "TopDownCamera()"
