"""A growable (x, y) series for a live chart: numpy storage that doubles when full.

Appending is amortised O(1): the arrays are reallocated only when the capacity runs out, and
then to twice the size. ``x`` is float64 seconds (pyqtgraph's clip-to-view searches it and is
slow on any other dtype) and is kept sorted: a late manual entry is inserted in its place.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


class SeriesBuffer:
    """Samples of one channel. ``x`` and ``y`` are views of the filled part, not copies."""

    __slots__ = ("_n", "_x", "_y", "version")

    def __init__(self, capacity: int = 1024) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._x: FloatArray = np.empty(capacity, dtype=np.float64)
        self._y: FloatArray = np.empty(capacity, dtype=np.float64)
        self._n = 0
        self.version = 0  # bumped on every change: the chart redraws a channel only if it moved

    def __len__(self) -> int:
        return self._n

    @property
    def capacity(self) -> int:
        return int(self._x.shape[0])

    @property
    def x(self) -> FloatArray:
        return self._x[: self._n]

    @property
    def y(self) -> FloatArray:
        return self._y[: self._n]

    def last(self) -> tuple[float, float] | None:
        if self._n == 0:
            return None
        return float(self._x[self._n - 1]), float(self._y[self._n - 1])

    def append(self, x: float, y: float) -> None:
        """Add one sample; in time order this is O(1) amortised, out of order O(n)."""
        n = self._n
        if n == self._x.shape[0]:
            self._grow()
        if n == 0 or x >= self._x[n - 1]:
            self._x[n] = x
            self._y[n] = y
        else:
            at = int(np.searchsorted(self._x[:n], x, side="right"))
            self._x[at + 1: n + 1] = self._x[at:n]
            self._y[at + 1: n + 1] = self._y[at:n]
            self._x[at] = x
            self._y[at] = y
        self._n = n + 1
        self.version += 1

    def clear(self) -> None:
        self._n = 0
        self.version += 1

    def nearest(self, x: float) -> int | None:
        """Index of the sample closest in time to ``x`` (``None`` when empty)."""
        n = self._n
        if n == 0:
            return None
        xs = self._x[:n]
        at = int(np.searchsorted(xs, x))
        if at <= 0:
            return 0
        if at >= n:
            return n - 1
        return at if xs[at] - x < x - xs[at - 1] else at - 1

    def _grow(self) -> None:
        capacity = self._x.shape[0] * 2
        for name in ("_x", "_y"):
            old: FloatArray = getattr(self, name)
            new = np.empty(capacity, dtype=np.float64)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)
