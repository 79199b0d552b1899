"""Observers: objects whose ``update(dt)`` runs once per frame, in ``sort`` order."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._checks import _check_real

if TYPE_CHECKING:
    from . import Engine


# --------------------------------------------------------------------------
# observers


class Observer:
    """Something that runs once per frame inside :meth:`Engine.start`.

    Subclass it and override any of :meth:`setup`, :meth:`update` and
    :meth:`teardown` (all no-ops here). Each ``start()`` call runs
    ``setup(engine)`` for every observer, then ``update(dt)`` once per frame
    for every observer in ascending ``sort`` order (ties keep the order they
    were added in), then ``teardown()`` (in reverse order), also when a frame
    raised. An observer added while the engine runs is set up at once and
    updated from the next frame on.

    Args:
        name: a label (default: the class name).
        sort: the position in each frame's update order; lower runs first.

    Example::

        class Wave(Observer):
            def setup(self, engine):
                self.mesh = engine.views[0].mesh
            def update(self, dt):
                t = self.engine.time
                ...                                 # compute positions
                self.mesh.set_vertices(positions)   # one copy

        eng.add_observer(Wave(sort=-1))             # before sort=0 observers
    """

    name: str = ""
    sort: float = 0.0
    engine: Engine | None = None

    def __init__(self, name: str | None = None, sort: float = 0) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a str or None, got {type(name).__name__}")
        self.name: str = name if name is not None else type(self).__name__
        self.sort: float = _check_real("sort", sort)
        #: The engine while set up (assigned before ``setup`` runs), else None.
        self.engine: Engine | None = None

    def setup(self, engine: Engine) -> None:
        """Called at the beginning of each :meth:`Engine.start` (``self.engine`` is set)."""

    def update(self, dt: float) -> None:
        """Called once per frame, before the frame renders; ``dt`` = 1 / fps seconds."""

    def teardown(self) -> None:
        """Called at the end of each :meth:`Engine.start` and by :meth:`Engine.close`."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, sort={self.sort:g})"


class _FunctionObserver(Observer):
    def __init__(self, fn: Callable[[float], Any], name: str | None, sort: float) -> None:
        super().__init__(name or getattr(fn, "__name__", "function"), sort)
        self._fn = fn

    def update(self, dt: float) -> None:
        self._fn(dt)
