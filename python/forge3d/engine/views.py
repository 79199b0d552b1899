"""Views: how a mesh or point set is drawn by an :class:`~forge3d.engine.Engine`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._forge3d import Mesh, MeshStyle, Points
from ._checks import Color

if TYPE_CHECKING:
    from . import Engine


# --------------------------------------------------------------------------
# values checked by the renderer's own style checks (forge3d.MeshStyle), so
# a view refuses exactly what add_mesh would


def _color(value: Color | None) -> tuple[float, ...] | None:
    if value is None:
        return None
    MeshStyle.surface(color=value)
    return tuple(float(v) for v in value)


def _range(value: tuple[float, float] | None) -> tuple[float, float] | None:
    if value is None:
        return None
    MeshStyle.scalars(scalar_range=value)
    lo, hi = value
    return (float(lo), float(hi))


def _size(value: float | None) -> float | None:
    if value is None:
        return None
    MeshStyle.points(size=value)
    return float(value)


# --------------------------------------------------------------------------
# views


class View:
    """How one :class:`forge3d.Mesh` or :class:`forge3d.Points` is drawn.

    A view is inert until :meth:`Engine.add_view` puts it in the engine's
    renderer (``renderer.add_mesh``). Changing a property of an added view
    (``color``, ``colormap``, ...) restyles it at once (``set_mesh_style``);
    the geometry itself is shared, never copied: update it with the mesh's
    own setters (``set_vertices``...) and the next frame shows the change.

    Subclasses set :attr:`style`; use :class:`MeshSurfaceView`,
    :class:`MeshWireframeView`, :class:`PointsView` or
    :class:`ScalarFieldView`.
    """

    style: str = "surface"
    _geometry_types: tuple[type, ...] = (Mesh,)

    def __init__(self, geometry: Mesh | Points, *, color: Color | None = None) -> None:
        if not isinstance(geometry, self._geometry_types):
            names = " or ".join(f"forge3d.{t.__name__}" for t in self._geometry_types)
            raise TypeError(
                f"{type(self).__name__}: geometry must be a {names}, got {type(geometry).__name__}"
            )
        self.geometry = geometry
        self._color = _color(color)
        self.id: int | None = None
        self.engine: Engine | None = None

    @property
    def color(self) -> tuple[float, ...] | None:
        """RGB(A) floats in [0, 1], or None for the geometry's own colors (or
        the style's default). Settable; restyles an added view at once."""
        return self._color

    @color.setter
    def color(self, value: Color | None) -> None:
        self._color = _color(value)
        self._restyle()

    def style_kwargs(self) -> dict[str, Any]:
        """The keywords given to ``renderer.add_mesh`` / ``set_mesh_style``."""
        kw: dict[str, Any] = {"style": self.style}
        if self._color is not None:
            kw["color"] = self._color
        return kw

    def _restyle(self) -> None:
        if self.engine is not None and self.id is not None:
            self.engine.renderer.set_mesh_style(self.id, **self.style_kwargs())

    def __repr__(self) -> str:
        where = f"id={self.id}" if self.id is not None else "not added"
        return f"{type(self).__name__}({type(self.geometry).__name__}, {where})"


class MeshSurfaceView(View):
    """A mesh drawn as a lit, filled surface.

    Args:
        mesh: a :class:`forge3d.Mesh` (shared, not copied).
        color: RGB(A) floats in [0, 1]; None uses the mesh's vertex colors
            when it has them, otherwise the renderer's default color.

    Example::

        eng.add_view(MeshSurfaceView(forge3d.primitives.cube(1.0), color=(0.2, 0.6, 1.0)))
    """

    style = "surface"

    def __init__(self, mesh: Mesh, color: Color | None = None) -> None:
        super().__init__(mesh, color=color)

    @property
    def mesh(self) -> Mesh:
        """The drawn mesh (the caller's object)."""
        return self.geometry  # type: ignore[return-value]


class MeshWireframeView(MeshSurfaceView):
    """A mesh drawn as the edges of its triangles.

    Args:
        mesh: a :class:`forge3d.Mesh` (shared, not copied).
        color: RGB(A) floats in [0, 1] (None: the renderer's default).

    Example::

        eng.add_view(MeshWireframeView(forge3d.primitives.sphere(1.0, 16), color=(1, 1, 1)))
    """

    style = "wireframe"


class PointsView(View):
    """A point set drawn as discs of ``size`` pixels.

    Args:
        points: a :class:`forge3d.Points` (shared, not copied).
        size: disc diameter in pixels; None uses ``points.size``.
        color: RGB(A) floats in [0, 1]; None uses the points' own colors
            (or scalars), else the renderer's default.

    Example::

        pts = forge3d.Points(xyz.astype(np.float32), colors=rgba_uint8, size=3.0)
        eng.add_view(PointsView(pts))
    """

    style = "points"
    _geometry_types = (Points,)

    def __init__(
        self, points: Points, size: float | None = None, color: Color | None = None
    ) -> None:
        super().__init__(points, color=color)
        self._size = _size(size)

    @property
    def points(self) -> Points:
        """The drawn point set (the caller's object)."""
        return self.geometry  # type: ignore[return-value]

    @property
    def size(self) -> float | None:
        """Disc diameter in pixels (None: ``points.size``). Settable."""
        return self._size

    @size.setter
    def size(self, value: float | None) -> None:
        self._size = _size(value)
        self._restyle()

    def style_kwargs(self) -> dict[str, Any]:
        kw = super().style_kwargs()
        if self._size is not None:
            kw["size"] = self._size
        return kw


class ScalarFieldView(View):
    """A mesh colored by one value per vertex through a colormap.

    Args:
        mesh: a :class:`forge3d.Mesh` (shared, not copied).
        values: one number per vertex, uploaded with ``mesh.set_scalars``:
            one CPU copy from float32 C-contiguous memory (other dtypes are
            converted once first); None keeps the scalars the mesh already has.
        colormap: viridis, magma, terrain or gray (append ``_r`` to reverse), any
            matplotlib colormap (name or object), or an (N, 3|4) array of colours.
        scalar_range: (min, max) mapped to the colormap's ends; None uses the
            range of the values last uploaded with a copy.

    Example::

        view = eng.add_view(ScalarFieldView(mesh, temperature, "magma", (0.0, 100.0)))
        view.set_values(new_temperature)      # one copy, next frame shows it
    """

    style = "scalars"

    def __init__(
        self,
        mesh: Mesh,
        values: Any = None,
        colormap: Any = "viridis",
        scalar_range: tuple[float, float] | None = None,
    ) -> None:
        super().__init__(mesh)
        if colormap is None or isinstance(colormap, (bool, int, float, bytes)):
            raise TypeError(
                "colormap must be a name, a matplotlib Colormap or an array of colours, "
                f"got {type(colormap).__name__}"
            )
        self._colormap = colormap
        self._range = _range(scalar_range)
        if values is not None:
            self.set_values(values)

    @property
    def mesh(self) -> Mesh:
        """The drawn mesh (the caller's object)."""
        return self.geometry  # type: ignore[return-value]

    def set_values(self, values: Any) -> None:
        """Uploads one value per vertex (``mesh.set_scalars``, one CPU copy)."""
        self.geometry.set_scalars(values)

    @property
    def colormap(self) -> str:
        """The colormap name. Settable; restyles an added view at once."""
        return self._colormap

    @colormap.setter
    def colormap(self, value: str) -> None:
        if value is None or isinstance(value, (bool, int, float, bytes)):
            raise TypeError(
                "colormap must be a name, a matplotlib Colormap or an array of colours, "
                f"got {type(value).__name__}"
            )
        old, self._colormap = self._colormap, value
        try:
            self._restyle()
        except Exception:
            self._colormap = old
            raise

    @property
    def scalar_range(self) -> tuple[float, float] | None:
        """(min, max) mapped to the colormap's ends, or None (the data's range). Settable."""
        return self._range

    @scalar_range.setter
    def scalar_range(self, value: tuple[float, float] | None) -> None:
        self._range = _range(value)
        self._restyle()

    def style_kwargs(self) -> dict[str, Any]:
        kw = super().style_kwargs()
        kw["colormap"] = self._colormap
        if self._range is not None:
            kw["scalar_range"] = self._range
        return kw
