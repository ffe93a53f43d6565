"""The live vital-signs chart of a session: trends, infusion steps, alarm bands and markers.

Built for sessions of many hours (DESIGN.md §5, performance baseline §3):

- every plot item is created once and updated in place with ``setData``;
- each channel keeps its own numpy buffer that doubles when full (``SeriesBuffer``);
- a display timer (4 Hz) redraws only channels whose data changed, whatever the data rate;
- curves use pen width 1, no antialiasing, clip-to-view and peak downsampling at about one
  bin per pixel (``autoDownsampleFactor`` 1): peak mode keeps the minimum and maximum of every
  bin, so a one-sample desaturation is never averaged away;
- x auto-range is off (a scrolling window that follows the newest data), x is float64 seconds
  since the session start, and there is no grid: a few horizontal reference lines instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)

from console.domain.alarms import AlarmPriority, AlarmThresholds, Bands
from console.domain.infusion import EventKind, InfusionEvent
from console.domain.vitals import VitalSign
from console.ui.charts.buffer import SeriesBuffer

# ---------------------------------------------------------- colours (resources/styles/dark.qss)
BACKGROUND = "#14181d"
PANEL = "#1c232b"
BORDER = "#2c3640"
TEXT = "#e6e9ed"
MUTED = "#9aa5b1"
REFERENCE = "#2c3640"
ALARM_COLOURS = {AlarmPriority.HIGH: "#e5484d", AlarmPriority.MEDIUM: "#f5c451",
                 AlarmPriority.LOW: "#5ee7f0"}
EVENT_COLOUR = "#4c9aff"


@dataclass(frozen=True, slots=True)
class Channel:
    key: str
    label: str
    unit: str
    colour: str
    plot: str  # "vitals" or "scores"


CHANNELS: tuple[Channel, ...] = (
    Channel("heart_rate", "HR", "/min", "#2fb383", "vitals"),
    # Blood pressure in near-white: red, yellow and cyan belong to alarms only.
    Channel("systolic", "SBP", "mmHg", "#dfe6ee", "vitals"),
    Channel("diastolic", "DBP", "mmHg", "#dfe6ee", "vitals"),
    Channel("spo2", "SpO2", "%", "#7fb8ff", "vitals"),
    Channel("respiratory_rate", "RR", "/min", "#c39bff", "vitals"),
    Channel("pain_nrs", "Pain", "NRS", "#ff9f5a", "scores"),
    Channel("sedation_rass", "RASS", "", "#5ee7a0", "scores"),
    Channel("dissociation", "Dissociation", "CADSS", "#d7a8ff", "scores"),
)
CHANNEL_KEYS = tuple(c.key for c in CHANNELS)
_BY_KEY = {c.key: c for c in CHANNELS}

# Faint alarm bands: which threshold rows are drawn, on which plot, and how far the outermost
# (high-priority) band reaches past its cut-off.
_BAND_ROWS: tuple[tuple[str, str, float], ...] = (
    ("heart_rate", "vitals", 10), ("systolic", "vitals", 10), ("diastolic", "vitals", 8),
    ("spo2", "vitals", 6), ("respiratory_rate", "vitals", 4),
    ("sedation_rass", "scores", 2), ("agitation_rass", "scores", 1),
)
_BAND_ALPHA = 26
_BAND_SPAN = 1e7  # seconds either side of the start: covers any session


def alarm_bands(thresholds: AlarmThresholds) -> list[tuple[str, str, float, float, AlarmPriority]]:
    """(row, plot, low, high, priority) of each shaded band, from the clinic's threshold table.

    Whole readings are charted, so a band ``≥111`` starts at 110.5; the outermost band of a side
    extends a fixed distance past its cut-off.
    """
    bands: list[tuple[str, str, float, float, AlarmPriority]] = []
    for row, plot, reach in _BAND_ROWS:
        table: Bands = getattr(thresholds, row)
        for rising, side in ((True, table.above), (False, table.below)):
            tiers = side.tiers()
            edges = [cutoff.edge(rising=rising) for _, cutoff in tiers]
            for i, (priority, _) in enumerate(tiers):
                if rising:
                    low = edges[i] - 0.5
                    high = edges[i + 1] - 0.5 if i + 1 < len(edges) else low + reach
                else:
                    high = edges[i] + 0.5
                    low = edges[i + 1] + 0.5 if i + 1 < len(edges) else high - reach
                bands.append((row, plot, low, high, priority))
    return bands


def _colour(value: str | AlarmPriority) -> str:
    return ALARM_COLOURS[value] if isinstance(value, AlarmPriority) else value


def _elapsed(seconds: float) -> str:
    sign = "−" if seconds < 0 else ""
    minutes = int(abs(seconds) // 60)
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


class ElapsedAxis(pg.AxisItem):  # type: ignore[misc]
    """Time since the session start as h:mm, on whole-minute ticks."""

    _STEPS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600)

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        span = max(maxVal - minVal, 1.0)
        wanted = max(size / 110.0, 1.0)  # about one label per 110 px
        major = next((s for s in self._STEPS if span / s <= wanted), self._STEPS[-1])
        minor = next((s for s in reversed(self._STEPS) if s < major), major / 2)
        return [(float(major), 0.0), (float(minor), 0.0)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [_elapsed(v) for v in values]


def _curve(plot: Any, colour: str, name: str) -> Any:
    curve = pg.PlotDataItem(pen=pg.mkPen(colour, width=1), antialias=False, name=name,
                            autoDownsampleFactor=1.0)
    plot.addItem(curve)  # PlotItem.addItem applies the plot's own downsampling: set ours after
    curve.setDownsampling(auto=True, method="peak")
    curve.setClipToView(True)
    return curve


def _reference_lines(plot: Any, values: Iterable[float]) -> None:
    pen = pg.mkPen(REFERENCE, width=1, style=Qt.PenStyle.DashLine)
    for value in values:
        plot.addItem(pg.InfiniteLine(pos=value, angle=0, pen=pen, movable=False),
                     ignoreBounds=True)


@dataclass(slots=True)
class Marker:
    x: float
    text: str
    colour: str
    kind: str  # "event" (replaced by set_events) or "note"
    lines: tuple[Any, ...]


class VitalsChart(QWidget):
    """Trends of one session with a column of large current values beside them."""

    REDRAW_HZ = 4

    def __init__(self, *, thresholds: AlarmThresholds | None = None,
                 live_window: timedelta | None = timedelta(hours=1),
                 capacity: int = 4096, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vitalsChart")
        self._start: datetime | None = None
        self._buffers = {key: SeriesBuffer(capacity) for key in CHANNEL_KEYS}
        self._drawn = dict.fromkeys(CHANNEL_KEYS, -1)
        self._dirty = False
        self._following = True
        self._live_window = None if live_window is None else live_window.total_seconds()
        self._newest: float | None = None
        self._events: list[InfusionEvent] = []
        self._concentration: float | None = None
        self._infusion_running = False
        self._markers: list[Marker] = []
        self._shown_values: dict[str, str] = {}
        self._applied_range: tuple[float, float] | None = None
        self.redraw_count = 0

        # -------------------------------------------------------- plots
        self.graphics = pg.GraphicsLayoutWidget(self)
        self.graphics.setBackground(BACKGROUND)
        self.graphics.setAntialiasing(False)
        layout = self.graphics.ci
        self.vitals_plot = layout.addPlot(row=0, col=0,
                                          axisItems={"bottom": ElapsedAxis("bottom")})
        self.scores_plot = layout.addPlot(row=1, col=0,
                                          axisItems={"bottom": ElapsedAxis("bottom")})
        self.infusion_plot = layout.addPlot(row=2, col=0,
                                            axisItems={"bottom": ElapsedAxis("bottom")})
        layout.layout.setRowStretchFactor(0, 5)
        layout.layout.setRowStretchFactor(1, 2)
        layout.layout.setRowStretchFactor(2, 2)
        self.plots = (self.vitals_plot, self.scores_plot, self.infusion_plot)
        for plot, label, unit in ((self.vitals_plot, "Vitals", ""),
                                  (self.scores_plot, "Scores", ""),
                                  (self.infusion_plot, "Rate", "mL/h")):
            plot.setLabel("left", label, units=unit or None, color=MUTED)
            plot.showGrid(x=False, y=False)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=True, y=False)
            plot.enableAutoRange(x=False, y=False)
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            for side in ("left", "bottom", "right"):
                axis = plot.getAxis(side)
                axis.setPen(pg.mkPen(BORDER))
                axis.setTextPen(pg.mkPen(MUTED))
            plot.getViewBox().sigRangeChangedManually.connect(self._on_user_range)
        self.scores_plot.setXLink(self.vitals_plot)
        self.infusion_plot.setXLink(self.vitals_plot)
        self.vitals_plot.setYRange(0, 200, padding=0)
        self.scores_plot.setYRange(-5, 12, padding=0)
        self.infusion_plot.setYRange(0, 10, padding=0.05)
        self.vitals_plot.getAxis("bottom").setStyle(showValues=False)
        self.scores_plot.getAxis("bottom").setStyle(showValues=False)
        _reference_lines(self.vitals_plot, (50, 100, 150))
        _reference_lines(self.scores_plot, (0, 5, 10))

        self._band_items: list[tuple[Any, QGraphicsRectItem]] = []
        self.set_thresholds(thresholds or AlarmThresholds())

        self.curves: dict[str, Any] = {}
        for channel in CHANNELS:
            plot = self.vitals_plot if channel.plot == "vitals" else self.scores_plot
            self.curves[channel.key] = _curve(plot, channel.colour, channel.label)
        fill = QColor(_BY_KEY["systolic"].colour)
        fill.setAlpha(28)
        # Filled between the drawn (clipped, downsampled) curves, so it follows every scroll.
        self.bp_band = pg.FillBetweenItem(self.curves["systolic"].curve,
                                          self.curves["diastolic"].curve, brush=QBrush(fill))
        self.vitals_plot.addItem(self.bp_band)
        # Rebuilding the fill path is the costliest step of a redraw: do it once, when the
        # diastolic curve (updated after the systolic one, in data and on scrolling) changes.
        self.curves["systolic"].curve.sigPlotChanged.disconnect(self.bp_band.curveChanged)

        # infusion: rate on the left axis, cumulative dose on a right-hand view box
        self.rate_curve = pg.PlotDataItem(pen=pg.mkPen(TEXT, width=1), antialias=False,
                                          name="Rate")
        self.infusion_plot.addItem(self.rate_curve)
        self.dose_view = pg.ViewBox(enableMenu=False)
        self.dose_view.setMouseEnabled(x=False, y=False)
        self.infusion_plot.showAxis("right")
        self.infusion_plot.scene().addItem(self.dose_view)
        self.infusion_plot.getAxis("right").linkToView(self.dose_view)
        self.dose_view.setXLink(self.infusion_plot)
        self.dose_view.enableAutoRange(x=False, y=False)
        self.dose_curve = pg.PlotDataItem(pen=pg.mkPen(MUTED, width=1,
                                                       style=Qt.PenStyle.DashLine),
                                          antialias=False, name="Dose")
        self.dose_view.addItem(self.dose_curve)
        self.infusion_plot.getViewBox().sigResized.connect(self._sync_dose_view)
        self._set_dose_label()

        # hover: one vertical line across all three plots and a text line above them
        hover_pen = pg.mkPen(MUTED, width=1, style=Qt.PenStyle.DotLine)
        self.hover_lines = tuple(pg.InfiniteLine(angle=90, pen=hover_pen, movable=False)
                                 for _ in self.plots)
        for plot, line in zip(self.plots, self.hover_lines, strict=True):
            plot.addItem(line, ignoreBounds=True)
            line.hide()
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)

        # -------------------------------------------------------- widgets around the plots
        self.hover_label = QLabel(" ", self)
        self.hover_label.setObjectName("chartHover")
        self.hover_label.setStyleSheet("font-size: 14px;")
        self.follow_button = QPushButton("Follow live", self)
        self.follow_button.setObjectName("followLive")
        self.follow_button.setToolTip("Return to a window that scrolls with the newest readings")
        self.follow_button.clicked.connect(self.follow_live)
        self.follow_button.setEnabled(False)

        top = QHBoxLayout()
        top.addWidget(self.hover_label, 1)
        top.addWidget(self.follow_button)
        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(top)
        left.addWidget(self.graphics, 1)

        self.value_labels: dict[str, QLabel] = {}
        figures = QWidget(self)
        figures.setObjectName("chartFigures")
        figures.setStyleSheet(
            f"QWidget#chartFigures {{ background-color: {PANEL}; border: 1px solid {BORDER};"
            " border-radius: 8px; }"
            f" QLabel {{ background: transparent; }}"
            f" QLabel[role='caption'] {{ color: {MUTED}; font-size: 15px; }}"
            " QLabel[role='value'] { font-size: 44px; font-weight: 600; }")
        figures.setMinimumWidth(230)
        column = QVBoxLayout(figures)
        column.setContentsMargins(16, 10, 16, 10)
        for key, caption, colour in (("heart_rate", "HR  /min", _BY_KEY["heart_rate"].colour),
                                     ("bp", "BP  mmHg", _BY_KEY["systolic"].colour),
                                     ("spo2", "SpO2  %", _BY_KEY["spo2"].colour),
                                     ("respiratory_rate", "RR  /min",
                                      _BY_KEY["respiratory_rate"].colour)):
            cap = QLabel(caption, figures)
            cap.setProperty("role", "caption")
            value = QLabel("—", figures)
            value.setProperty("role", "value")
            value.setStyleSheet(f"color: {colour};")
            value.setAccessibleName(caption)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            column.addWidget(cap)
            column.addWidget(value)
            self.value_labels[key] = value
        column.addStretch(1)

        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(left, 1)
        outer.addWidget(figures)

        self._timer = QTimer(self)
        self._timer.setInterval(1000 // self.REDRAW_HZ)
        self._timer.timeout.connect(self._tick)
        self._apply_live_range()

    # ------------------------------------------------------------ data in
    def set_start(self, at: datetime) -> None:
        """Time zero of the x axis (the session start); earlier readings chart at negative x."""
        if self._start is not None and any(len(b) for b in self._buffers.values()):
            shift = (self._start - at).total_seconds()
            for buffer in self._buffers.values():
                buffer.x[:] += shift
                buffer.version += 1
            for marker in self._markers:
                marker.x += shift
                for line in marker.lines:
                    line.setValue(marker.x)
            if self._newest is not None:
                self._newest += shift
        self._start = at
        self._refresh_infusion()
        self._dirty = True

    def seconds(self, at: datetime) -> float:
        """x position of ``at``: seconds since the start (the first reading if no start set)."""
        if self._start is None:
            self._start = at
        return (at - self._start).total_seconds()

    def append(self, sample: VitalSign) -> None:
        values = sample.values
        self.append_values(sample.at, {
            "heart_rate": values.heart_rate, "systolic": values.systolic,
            "diastolic": values.diastolic, "spo2": values.spo2,
            "respiratory_rate": values.respiratory_rate, "pain_nrs": values.pain_nrs,
            "sedation_rass": values.sedation_rass,
        })

    def append_values(self, at: datetime | float,
                      values: Mapping[str, float | int | Decimal | None]) -> None:
        """Add readings taken at ``at`` (a time, or seconds since the start); ``None`` skipped."""
        x = at if isinstance(at, float | int) else self.seconds(at)
        x = float(x)
        for key, value in values.items():
            if value is None:
                continue
            buffer = self._buffers.get(key)
            if buffer is None:
                raise KeyError(f"unknown chart channel {key!r}")
            buffer.append(x, float(value))
        if self._newest is None or x > self._newest:
            self._newest = x
        self._dirty = True

    def set_events(self, events: Sequence[InfusionEvent],
                   concentration_mg_per_ml: Decimal | None = None) -> None:
        """Show the infusion timeline: rate steps, cumulative dose, one marker per event."""
        self._events = list(events)
        self._concentration = (None if concentration_mg_per_ml is None
                               else float(concentration_mg_per_ml))
        if self._start is None and self._events:
            self._start = self._events[0].at
        for marker in [m for m in self._markers if m.kind == "event"]:
            self._remove_marker(marker)
        for event in self._events:
            self._add_marker(self.seconds(event.at), _event_text(event), EVENT_COLOUR, "event")
        self._set_dose_label()
        self._refresh_infusion()
        self._dirty = True

    def add_marker(self, at: datetime | float, text: str,
                   colour: str | AlarmPriority = AlarmPriority.MEDIUM) -> Marker:
        """A labelled vertical line (an alarm, a side effect, a note) across all plots."""
        x = float(at) if isinstance(at, float | int) else self.seconds(at)
        return self._add_marker(x, text, _colour(colour), "note")

    def markers(self) -> list[Marker]:
        return list(self._markers)

    def set_thresholds(self, thresholds: AlarmThresholds) -> None:
        for plot, item in self._band_items:
            plot.removeItem(item)
        self._band_items.clear()
        for _row, plot_name, low, high, priority in alarm_bands(thresholds):
            # Only the red (high-priority) zones are shaded: with five channels on one axis the
            # yellow and cyan zones overlapped into a wash that hid the curves.
            if priority is not AlarmPriority.HIGH:
                continue
            plot = self.vitals_plot if plot_name == "vitals" else self.scores_plot
            colour = QColor(ALARM_COLOURS[priority])
            colour.setAlpha(_BAND_ALPHA)
            rect = QGraphicsRectItem(QRectF(-_BAND_SPAN, low, 2 * _BAND_SPAN, high - low))
            rect.setBrush(QBrush(colour))
            rect.setPen(pg.mkPen(None))
            rect.setZValue(-100)
            plot.addItem(rect, ignoreBounds=True)
            self._band_items.append((plot, rect))

    # ------------------------------------------------------------ view
    def follow_live(self) -> None:
        """Return to the scrolling window that keeps the newest readings in view."""
        self._following = True
        self.follow_button.setEnabled(False)
        self._apply_live_range()

    @property
    def following(self) -> bool:
        return self._following

    def set_live_window(self, window: timedelta | None) -> None:
        """Width of the live window; ``None`` shows the whole session."""
        self._live_window = None if window is None else window.total_seconds()
        if self._following:
            self._apply_live_range()

    def live_range(self) -> tuple[float, float]:
        newest = self._newest if self._newest is not None else 0.0
        if self._live_window is None:
            return 0.0, max(newest * 1.02, 600.0)
        window = self._live_window
        left = max(0.0, newest - 0.98 * window)
        return left, left + window

    def x_range(self) -> tuple[float, float]:
        (left, right), _ = self.vitals_plot.getViewBox().viewRange()
        return float(left), float(right)

    def redraw(self) -> None:
        """Push changed buffers to their curves and scroll; the display timer calls this."""
        self._dirty = False
        self.redraw_count += 1
        for key, buffer in self._buffers.items():
            if self._drawn[key] != buffer.version:
                self.curves[key].setData(buffer.x, buffer.y)
                self._drawn[key] = buffer.version
        if self._infusion_running:
            self._refresh_infusion()
        if self._following:
            self._apply_live_range()
        self._update_figures()

    def hover_at(self, x: float) -> str:
        """Show the crosshair at ``x`` seconds and the readings nearest to it; returns the text."""
        for line in self.hover_lines:
            line.setValue(x)
            line.show()
        left, right = self.x_range()
        tolerance = max(2.0, (right - left) / 100.0)
        parts = [f"+{_elapsed(x)}"]
        if self._start is not None:
            parts[0] += f" ({(self._start + timedelta(seconds=x)).astimezone():%H:%M:%S})"
        found = {key: self._value_near(key, x, tolerance) for key in CHANNEL_KEYS}
        for key, label, unit in (("heart_rate", "HR", "/min"), ("bp", "BP", "mmHg"),
                                 ("spo2", "SpO2", "%"), ("respiratory_rate", "RR", "/min"),
                                 ("pain_nrs", "Pain", ""), ("sedation_rass", "RASS", ""),
                                 ("dissociation", "CADSS", "")):
            if key == "bp":
                sbp, dbp = found["systolic"], found["diastolic"]
                if sbp is not None and dbp is not None:
                    parts.append(f"BP {_number(sbp)}/{_number(dbp)} mmHg")
                continue
            value = found[key]
            if value is not None:
                parts.append(f"{label} {_number(value)}{' ' + unit if unit else ''}")
        rate = self._rate_at(x)
        if rate is not None:
            parts.append(f"Rate {rate:.1f} mL/h")
        text = "  ·  ".join(parts)
        self.hover_label.setText(text)
        return text

    def clear_hover(self) -> None:
        for line in self.hover_lines:
            line.hide()
        self.hover_label.setText(" ")

    # ------------------------------------------------------------ Qt
    def showEvent(self, event: QShowEvent) -> None:
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    # ------------------------------------------------------------ internals
    def _tick(self) -> None:
        if self._dirty or self._infusion_running:
            self.redraw()

    def _apply_live_range(self) -> None:
        left, right = self.live_range()
        if (left, right) != self._applied_range:
            self._applied_range = (left, right)
            self.vitals_plot.setXRange(left, right, padding=0)

    def _on_user_range(self, *_: object) -> None:
        self._following = False
        self._applied_range = None
        self.follow_button.setEnabled(True)

    def _on_mouse_moved(self, position: Any) -> None:
        for plot in self.plots:
            if plot.sceneBoundingRect().contains(position):
                x = plot.getViewBox().mapSceneToView(position).x()
                self.hover_at(float(x))
                return
        self.clear_hover()

    def _value_near(self, key: str, x: float, tolerance: float) -> float | None:
        buffer = self._buffers[key]
        index = buffer.nearest(x)
        if index is None or abs(buffer.x[index] - x) > tolerance:
            return None
        return float(buffer.y[index])

    def _update_figures(self) -> None:
        last = {key: self._buffers[key].last() for key in CHANNEL_KEYS}
        texts = {
            "heart_rate": _figure(last["heart_rate"]),
            "spo2": _figure(last["spo2"]),
            "respiratory_rate": _figure(last["respiratory_rate"]),
            "bp": "—" if last["systolic"] is None or last["diastolic"] is None
            else f"{_figure(last['systolic'])}/{_figure(last['diastolic'])}",
        }
        for key, text in texts.items():
            if self._shown_values.get(key) != text:
                self._shown_values[key] = text
                self.value_labels[key].setText(text)

    def _add_marker(self, x: float, text: str, colour: str, kind: str) -> Marker:
        pen = pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine)
        lines = []
        for plot in self.plots:
            labelled = plot is self.vitals_plot
            line = pg.InfiniteLine(
                pos=x, angle=90, pen=pen, movable=False, label=text if labelled else None,
                labelOpts={"position": 0.96, "color": colour, "anchors": [(0, 0), (0, 0)],
                           "fill": pg.mkBrush(BACKGROUND)} if labelled else None)
            plot.addItem(line, ignoreBounds=True)
            lines.append(line)
        marker = Marker(x, text, colour, kind, tuple(lines))
        self._markers.append(marker)
        return marker

    def _remove_marker(self, marker: Marker) -> None:
        for plot, line in zip(self.plots, marker.lines, strict=True):
            plot.removeItem(line)
        self._markers.remove(marker)

    def _set_dose_label(self) -> None:
        unit = "mg" if self._concentration is not None else "mL"
        self.infusion_plot.setLabel("right", "Total", units=unit, color=MUTED)

    def _sync_dose_view(self) -> None:
        self.dose_view.setGeometry(self.infusion_plot.getViewBox().sceneBoundingRect())
        self.dose_view.linkedViewChanged(self.infusion_plot.getViewBox(), self.dose_view.XAxis)

    def _refresh_infusion(self) -> None:
        """Rate steps and cumulative dose from the recorded events, up to the newest time."""
        if not self._events:
            self.rate_curve.setData([], [])
            self.dose_curve.setData([], [])
            self._infusion_running = False
            return
        rate_x: list[float] = []
        rate_y: list[float] = []
        dose_x: list[float] = []
        dose_y: list[float] = []
        rate = 0.0
        total = 0.0
        last_x: float | None = None
        concentration = self._concentration
        for event in self._events:
            x = self.seconds(event.at)
            if last_x is not None:
                total += rate * (x - last_x) / 3600.0 * (concentration or 1.0)
            dose_x.append(x)
            dose_y.append(total)
            rate_x.append(x)
            rate_y.append(rate)
            if event.kind in {EventKind.START, EventKind.RESUME, EventKind.RATE_CHANGE}:
                rate = float(event.rate_ml_per_h or 0)
            elif event.kind in {EventKind.PAUSE, EventKind.STOP}:
                rate = 0.0
            if event.kind is EventKind.BOLUS and concentration is not None:
                total += float(event.bolus_mg or 0)
                dose_x.append(x)
                dose_y.append(total)
            rate_x.append(x)
            rate_y.append(rate)
            last_x = x
        self._infusion_running = rate > 0
        if last_x is not None and self._newest is not None and self._newest > last_x:
            end = self._newest
            total += rate * (end - last_x) / 3600.0 * (concentration or 1.0)
            rate_x.append(end)
            rate_y.append(rate)
            dose_x.append(end)
            dose_y.append(total)
        self.rate_curve.setData(np.asarray(rate_x), np.asarray(rate_y))
        self.dose_curve.setData(np.asarray(dose_x), np.asarray(dose_y))
        top_rate = max(rate_y, default=0.0)
        self.infusion_plot.setYRange(0, max(top_rate * 1.15, 1.0), padding=0)
        self.dose_view.setYRange(0, max(total * 1.15, 1.0), padding=0)

    def _rate_at(self, x: float) -> float | None:
        if not self._events:
            return None
        rate: float | None = None
        for event in self._events:
            if self.seconds(event.at) > x:
                break
            if event.kind in {EventKind.START, EventKind.RESUME, EventKind.RATE_CHANGE}:
                rate = float(event.rate_ml_per_h or 0)
            elif event.kind in {EventKind.PAUSE, EventKind.STOP}:
                rate = 0.0
        return rate


def _event_text(event: InfusionEvent) -> str:
    if event.kind is EventKind.BOLUS and event.bolus_mg is not None:
        return f"Bolus {_number(float(event.bolus_mg))} mg"
    if event.kind in {EventKind.START, EventKind.RATE_CHANGE, EventKind.RESUME} \
            and event.rate_ml_per_h is not None:
        return f"{event.kind.label} {_number(float(event.rate_ml_per_h))} mL/h"
    return event.kind.label


def _number(value: float) -> str:
    if math.isfinite(value) and value == int(value):
        return str(int(value)).replace("-", "−")
    return f"{value:.1f}".replace("-", "−")


def _figure(last: tuple[float, float] | None) -> str:
    return "—" if last is None else _number(last[1])
