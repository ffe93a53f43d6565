"""A lean line item for the live chart: what ``PlotCurveItem`` does, minus what costs per frame.

``LineItem`` draws finite runs of (x, y) as polylines (a NaN breaks the line) or, with
``pairs=True``, every two points as one segment (bars, reference lines), with one cosmetic pen
and no antialiasing. Compared with ``PlotCurveItem`` it:

- builds ``QPolygonF``s straight from numpy once per ``setData`` (no ``QPainterPath``);
- has a fixed bounding rectangle, the view it is drawn in (``set_bounds``), so new data never
  changes its geometry and Qt never has to recompute it;
- marks only what changed as needing a repaint: appending a sample to a 12-hour line repaints
  the last few pixel columns on screen, not the whole plot;
- can put a small square on every point (``dots``), for sparse manual readings, so a lone
  reading between two gaps is still seen.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPen, QPolygonF

import pyqtgraph as pg  # isort: skip
import pyqtgraph.functions as fn  # isort: skip

DOT_PX = 5.0


def _polygon(x: np.ndarray, y: np.ndarray) -> QPolygonF:
    polygon = fn.create_qpolygonf(x.size)
    memory = fn.ndarray_from_qpolygonf(polygon)
    memory[:, 0] = x
    memory[:, 1] = y
    return polygon


class LineItem(pg.GraphicsObject):  # type: ignore[misc]
    """Polylines (or segments) from numpy arrays; see the module docstring."""

    def __init__(self, pen: QPen, *, pairs: bool = False) -> None:
        super().__init__()
        self._pen = QPen(pen)
        self._pairs = pairs
        self._x: np.ndarray = np.empty(0)
        self._y: np.ndarray = np.empty(0)
        self._polygons: list[QPolygonF] = []
        self._dots: QPolygonF | None = None  # points drawn as small squares
        self._bounds = QRectF()
        self._pixel = 0.0  # one pixel in x data units
        self.setFlag(self.GraphicsItemFlag.ItemUsesExtendedStyleOption, False)

    # ------------------------------------------------------------------ data
    def getData(self) -> tuple[np.ndarray, np.ndarray]:
        return self._x, self._y

    def setData(self, x: np.ndarray, y: np.ndarray, *, dots: bool = False) -> None:
        """Draw these points; only the part that differs from the last data is repainted."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        old_x, old_y = self._x, self._y
        self._x, self._y = x, y
        self._polygons = []
        if self._pairs:
            keep = np.isfinite(y[0::2]) & np.isfinite(y[1::2])
            if not keep.all():
                pick = np.repeat(keep, 2)
                x, y = x[pick], y[pick]
            if x.size:
                self._polygons.append(_polygon(x, y))
        elif x.size:
            finite = np.isfinite(y)
            lone = np.zeros(x.size, dtype=bool)
            if finite.all():
                self._polygons.append(_polygon(x, y))
            else:
                edges = np.flatnonzero(np.diff(np.concatenate(([False], finite, [False]))))
                for start, stop in zip(edges[0::2], edges[1::2], strict=True):
                    if stop - start == 1 or (stop - start == 2 and x[start] == x[start + 1]):
                        lone[start:stop] = True  # a reading between two gaps: a dot
                    else:
                        self._polygons.append(_polygon(x[start:stop], y[start:stop]))
            shown = finite if dots else lone
            self._dots = _polygon(x[shown], y[shown]) if shown.any() else None
        else:
            self._dots = None
        self._update_changed(old_x, old_y)

    def _update_changed(self, old_x: np.ndarray, old_y: np.ndarray) -> None:
        new_x, new_y = self._x, self._y
        shared = min(old_x.size, new_x.size)
        # bitwise comparison: a NaN (a break in the line) equals the same NaN
        differs = np.flatnonzero(
            (old_x[:shared] != new_x[:shared])
            | (old_y[:shared].view(np.int64) != new_y[:shared].view(np.int64)))
        first = int(differs[0]) if differs.size else shared
        if first == old_x.size == new_x.size:
            return  # nothing changed
        if first <= 1 or self._bounds.isEmpty():
            self.update()
            return
        # repaint from the last unchanged point (the segment into the first changed one) on
        left = min(old_x[first - 1], new_x[first - 1])
        right = max(old_x[-1] if old_x.size else left, new_x[-1] if new_x.size else left)
        pad = 3 * self._pixel
        bounds = self._bounds
        self.update(QRectF(left - pad, bounds.top(), right - left + 2 * pad, bounds.height()))

    # ------------------------------------------------------------------ look
    def pen(self) -> QPen:
        return QPen(self._pen)

    def setPen(self, pen: QPen) -> None:
        self._pen = QPen(pen)
        self.update()

    def set_bounds(self, rect: QRectF, pixels: int) -> None:
        """The area this item may draw in (the view, ``pixels`` wide): its fixed bounding
        rectangle."""
        self._pixel = rect.width() / max(pixels, 1)
        if rect != self._bounds:
            self.prepareGeometryChange()
            self._bounds = QRectF(rect)

    # ------------------------------------------------------------------ Qt
    def boundingRect(self) -> QRectF:
        return self._bounds

    def dataBounds(self, axis: int, frac: float = 1.0,
                   orthoRange: Any = None) -> tuple[float, float] | tuple[None, None]:
        values = self._x if axis == 0 else self._y
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return None, None
        return float(finite.min()), float(finite.max())

    def paint(self, painter: QPainter, *_: Any) -> None:
        if not self._polygons and self._dots is None:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(self._pen)
        if self._pairs:
            for polygon in self._polygons:
                painter.drawLines(polygon)  # type: ignore[call-overload]  # pairs of points
        else:
            for polygon in self._polygons:
                painter.drawPolyline(polygon)
        if self._dots is not None:
            dot = QPen(self._pen)
            dot.setWidthF(DOT_PX)
            dot.setCapStyle(Qt.PenCapStyle.SquareCap)
            painter.setPen(dot)
            painter.drawPoints(self._dots)

