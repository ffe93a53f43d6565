"""The live vital-signs chart of a session: trends, infusion steps, alarm zones and markers.

Built for sessions of many hours (DESIGN.md §5; figures in bench/RESULTS.md):

- every plot item is created once and updated in place with ``setData``;
- each channel keeps its own numpy buffer (``SeriesBuffer``) and hands the curve only what is
  in view, peak-decimated from a cached min/max pyramid to about two points per pixel, with a
  NaN wherever the channel had no reading for longer than its gap limit (``connect="finite"``):
  the drawn size does not depend on the session length, and a one-sample spike always survives;
- a channel is re-sent to its curve only when its data, the view or the plot width changed;
- a display timer (4 Hz) redraws, whatever the data rate; following live, the window moves in
  steps of 1/200 of its width (the whole-session view in whole minutes), so most redraws move
  no axis at all;
- curves are lean ``LineItem``s (``items.py``): pen width 1, cosmetic, no antialiasing; no
  grid, a few dashed reference lines instead; blood pressure is a bar per reading (a band when
  dense) from diastolic to systolic, in near-white: red, yellow and cyan mean alarms only.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QHideEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)

from console.domain.alarms import (
    AlarmParameter,
    AlarmPriority,
    AlarmThresholds,
    Bands,
    highest,
)
from console.domain.infusion import EventKind, InfusionEvent
from console.domain.scales import (
    MonitoringScales,
    PossLevel,
    SedationScale,
    format_rass,
)
from console.domain.vitals import DeviceArtifact, VitalSign, VitalValues
from console.errors import ValidationError
from console.ui.charts.buffer import NO_ID, SeriesBuffer
from console.ui.charts.figures import (
    ALARM_COLOURS,
    BACKGROUND,
    BORDER,
    MUTED,
    FigureColumn,
    FigureTile,
)
from console.ui.charts.items import LineItem

TEXT = "#e6e9ed"
REFERENCE = "#2c3640"
EVENT_COLOUR = "#4c9aff"
SIDE_EFFECT_COLOUR = "#e879f9"
BP_COLOUR = "#dfe6ee"
# The BP bars: near-white at about a quarter strength on the background, but opaque (blending
# every bar pixel cost more than the rest of the vitals plot together).
BP_BAR_COLOUR = "#4a4f56"
_HATCH_PX = 3.0  # dense BP: one bar per this many pixels
COMPACT_BELOW_PX = 540  # a chart shorter than this lays its big figures out two to a row
_DOT_SPACING_PX = 8  # readings at least this far apart on average get a dot each


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
    Channel("systolic", "SBP", "mmHg", BP_COLOUR, "vitals"),
    Channel("diastolic", "DBP", "mmHg", BP_COLOUR, "vitals"),
    Channel("spo2", "SpO2", "%", "#7fb8ff", "vitals"),
    Channel("respiratory_rate", "RR", "/min", "#c39bff", "vitals"),
    Channel("etco2", "EtCO2", "mmHg", "#f2a7c3", "vitals"),
    Channel("pain_nrs", "Pain", "", "#ff9f5a", "scores"),
    Channel("sedation_rass", "RASS", "", "#9ad27a", "scores"),
    Channel("sedation_poss", "POSS", "", "#9ad27a", "scores"),
    Channel("sedation_moaa_s", "MOAA/S", "", "#9ad27a", "scores"),
    Channel("dissociation", "CADSS", "", "#d7a8ff", "scores"),
)
CHANNEL_KEYS = tuple(c.key for c in CHANNELS)
_BY_KEY = {c.key: c for c in CHANNELS}
_SEDATION_KEYS = ("sedation_rass", "sedation_poss", "sedation_moaa_s")
_POSS_CODES = tuple(level.value for level in PossLevel)  # "S", "1", "2", "3", "4"

# Which big-figure tile shows an alarm of which parameter.
_TILE_OF_PARAMETER = {
    AlarmParameter.HEART_RATE: "heart_rate", AlarmParameter.SYSTOLIC: "bp",
    AlarmParameter.DIASTOLIC: "bp", AlarmParameter.SPO2: "spo2",
    AlarmParameter.RESPIRATORY_RATE: "respiratory_rate", AlarmParameter.SEDATION: "sedation",
    AlarmParameter.AGITATION: "sedation",
}

# Faint alarm zones: which threshold rows are drawn, on which plot, and how far the outermost
# (high-priority) band reaches past its cut-off.
_BAND_ROWS: tuple[tuple[str, str, float], ...] = (
    ("heart_rate", "vitals", 10), ("systolic", "vitals", 10), ("diastolic", "vitals", 8),
    ("spo2", "vitals", 6), ("respiratory_rate", "vitals", 4),
    ("sedation_rass", "scores", 2), ("agitation_rass", "scores", 1),
    ("sedation_poss", "scores", 1), ("sedation_moaa_s", "scores", 2),
)
# the score rows shaded for each sedation scale (only the clinic's scale is charted)
_SCALE_ROWS = {SedationScale.RASS: {"sedation_rass", "agitation_rass"},
               SedationScale.POSS: {"sedation_poss"},
               SedationScale.MOAA_S: {"sedation_moaa_s"}}
_BAND_ALPHA = 26
_BAND_SPAN = 1e7  # seconds either side of the start: covers any session
_LIVE_STEPS = 200  # following live, the window moves in steps of 1/200 of its width
_WHOLE_STEPS = (60.0, 120.0, 300.0, 600.0, 900.0, 1800.0)


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


def _pen(colour: str | QColor, width: float = 1.0,
         style: Qt.PenStyle = Qt.PenStyle.SolidLine,
         cap: Qt.PenCapStyle = Qt.PenCapStyle.SquareCap) -> Any:
    pen = pg.mkPen(colour, width=width, style=style)
    pen.setCosmetic(True)
    pen.setCapStyle(cap)
    return pen


def _curve(plot: Any, colour: str) -> LineItem:
    curve = LineItem(_pen(colour))
    plot.addItem(curve, ignoreBounds=True)
    return curve


def _reference_lines(plot: Any, values: Iterable[float]) -> LineItem:
    """Dashed horizontal lines at ``values``, drawn as one item (far cheaper than a grid); the
    chart sets their ends to the view (a dashed line far wider than the view is slow)."""
    item = LineItem(_pen(REFERENCE, style=Qt.PenStyle.DashLine), pairs=True)
    ys = np.repeat(np.asarray(list(values), dtype=np.float64), 2)
    item.setData(np.zeros(ys.size), ys)
    item.setZValue(-50)
    plot.addItem(item, ignoreBounds=True)
    return item


@dataclass(slots=True)
class Marker:
    x: float
    text: str
    colour: str
    kind: str  # "event" (replaced by set_events), "alarm", "side_effect" or "note"
    lines: tuple[Any, ...]
    priority: AlarmPriority | None = None


_MARKER_STYLE: dict[str, tuple[Qt.PenStyle, float, str]] = {
    # kind: (line style, label height in the upper plot (0 bottom … 1 top), label prefix)
    "event": (Qt.PenStyle.DashLine, 0.97, ""),
    "alarm": (Qt.PenStyle.SolidLine, 0.87, "▲ "),
    "side_effect": (Qt.PenStyle.DotLine, 0.77, "◆ "),
    "note": (Qt.PenStyle.DashDotLine, 0.67, ""),
}


class VitalsChart(QWidget):
    """Trends of one session with a column of large current values beside them.

    Signals:
        time_picked(datetime): the nurse double-clicked a point in time on the chart.
    """

    REDRAW_HZ = 4
    time_picked = Signal(object)

    def __init__(self, *, thresholds: AlarmThresholds | None = None,
                 live_window: timedelta | None = timedelta(hours=1),
                 scales: MonitoringScales | None = None,
                 capacity: int = 4096, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vitalsChart")
        self._start: datetime | None = None
        self._buffers = {key: SeriesBuffer(capacity) for key in CHANNEL_KEYS}
        self._artifacts = {key: SeriesBuffer(16) for key in CHANNEL_KEYS}
        self._artifact_ids: set[int] = set()
        self._poss_codes = SeriesBuffer(16)  # y: index in _POSS_CODES, so S and 1 stay apart
        self._drawn: dict[str, tuple[object, ...]] = {}
        self._dirty = False
        self._redrawing = False
        self._following = True
        self._live_window = None if live_window is None else live_window.total_seconds()
        self._newest: float | None = None
        self._events: list[InfusionEvent] = []
        self._concentration: float | None = None
        self._infusion_running = False
        self._infusion_ranges: tuple[float, float] | None = None
        self._markers: list[Marker] = []
        self._applied_range: tuple[float, float] | None = None
        self._vitals_top = 200.0
        self._scales = scales or MonitoringScales()
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
                                  (self.scores_plot, "Pain · sedation", ""),
                                  (self.infusion_plot, "Rate", "mL/h")):
            plot.setLabel("left", label, units=unit or None, color=MUTED)
            plot.showGrid(x=False, y=False)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=True, y=False)
            plot.enableAutoRange(x=False, y=False)
            for side in ("left", "bottom", "right"):
                axis = plot.getAxis(side)
                axis.setPen(pg.mkPen(BORDER))
                axis.setTextPen(pg.mkPen(MUTED))
                if side != "bottom":
                    axis.setWidth(52)
            plot.getViewBox().sigRangeChangedManually.connect(self._on_user_range)
        self.scores_plot.setXLink(self.vitals_plot)
        self.infusion_plot.setXLink(self.vitals_plot)
        self.vitals_plot.setYRange(0, 200, padding=0)
        self.infusion_plot.setYRange(0, 10, padding=0.05)
        self.vitals_plot.getAxis("bottom").setStyle(showValues=False)
        self.scores_plot.getAxis("bottom").setStyle(showValues=False)
        self.scores_plot.showAxis("right")
        self._reference_items = (_reference_lines(self.vitals_plot, (50, 100, 150)),
                                 _reference_lines(self.scores_plot, (0, 5, 10)))
        self._scores_group = self.scores_plot.getViewBox().childGroup

        self._band_items: list[tuple[Any, QGraphicsRectItem]] = []
        self._thresholds = thresholds or AlarmThresholds()

        # blood pressure: one bar per reading from diastolic to systolic, under the two lines
        self._bar_width = 1.0
        self.bp_bars = LineItem(_pen(BP_BAR_COLOUR, cap=Qt.PenCapStyle.FlatCap), pairs=True)
        self.vitals_plot.addItem(self.bp_bars, ignoreBounds=True)
        self.curves: dict[str, LineItem] = {}
        for channel in CHANNELS:
            plot = self.vitals_plot if channel.plot == "vitals" else self.scores_plot
            self.curves[channel.key] = _curve(plot, channel.colour)
        # artifacts: hollow circles, never joined into a line
        self.artifact_items = {
            "vitals": pg.ScatterPlotItem(size=11, brush=None, pxMode=True, antialias=False),
            "scores": pg.ScatterPlotItem(size=11, brush=None, pxMode=True, antialias=False),
        }
        self.vitals_plot.addItem(self.artifact_items["vitals"])
        self.scores_plot.addItem(self.artifact_items["scores"])
        for scatter in self.artifact_items.values():
            scatter.hide()  # until there is an artifact to show

        # infusion: rate on the left axis, cumulative dose on a right-hand view box
        self.rate_curve = pg.PlotCurveItem(pen=_pen(TEXT), antialias=False)
        self.infusion_plot.addItem(self.rate_curve)
        self.dose_view = pg.ViewBox(enableMenu=False)
        self.dose_view.setMouseEnabled(x=False, y=False)
        self.infusion_plot.showAxis("right")
        self.infusion_plot.scene().addItem(self.dose_view)
        self.infusion_plot.getAxis("right").linkToView(self.dose_view)
        self.dose_view.setXLink(self.infusion_plot)
        self.dose_view.enableAutoRange(x=False, y=False)
        self.dose_curve = pg.PlotCurveItem(pen=_pen(MUTED, style=Qt.PenStyle.DashLine),
                                           antialias=False)
        self.dose_view.addItem(self.dose_curve)
        self.infusion_plot.getViewBox().sigResized.connect(self._sync_dose_view)
        self._set_dose_label()

        # hover: one vertical line across all three plots and a text line above them
        hover_pen = _pen(MUTED, style=Qt.PenStyle.DotLine)
        self.hover_lines = tuple(pg.InfiniteLine(angle=90, pen=hover_pen, movable=False)
                                 for _ in self.plots)
        for plot, line in zip(self.plots, self.hover_lines, strict=True):
            plot.addItem(line, ignoreBounds=True)
            line.hide()
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.graphics.scene().sigMouseClicked.connect(self._on_mouse_clicked)

        # -------------------------------------------------------- widgets around the plots
        self.hover_label = QLabel(" ", self)
        self.hover_label.setObjectName("chartHover")
        self.hover_label.setStyleSheet(f"font-size: 15px; color: {TEXT};")
        # a long hover text is cut, never widens the chart (the tooltip has all of it)
        self.hover_label.setSizePolicy(QSizePolicy.Policy.Ignored,
                                       QSizePolicy.Policy.Preferred)
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

        self.figures = FigureColumn(
            vitals=[("heart_rate", "HR  /min", _BY_KEY["heart_rate"].colour),
                    ("bp", "BP  mmHg  (mean)", BP_COLOUR),
                    ("spo2", "SpO2  %", _BY_KEY["spo2"].colour),
                    ("respiratory_rate", "RR  /min", _BY_KEY["respiratory_rate"].colour),
                    ("etco2", "EtCO2  mmHg", _BY_KEY["etco2"].colour)],
            scores=[("pain_nrs", "Pain", _BY_KEY["pain_nrs"].colour),
                    ("sedation", "RASS", _BY_KEY["sedation_rass"].colour),
                    ("dissociation", "CADSS", _BY_KEY["dissociation"].colour)],
            parent=self)
        self.figures.tiles["etco2"].hide()  # shown once an end-tidal CO2 reading arrives
        self.value_labels: dict[str, QLabel] = {key: tile.value
                                                for key, tile in self.figures.tiles.items()}

        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(left, 1)
        outer.addWidget(self.figures)

        self._timer = QTimer(self)
        self._timer.setInterval(1000 // self.REDRAW_HZ)
        self._timer.timeout.connect(self._tick)
        self.set_scales(self._scales)
        self._apply_live_range()
        vitals_box = self.vitals_plot.getViewBox()
        vitals_box.sigXRangeChanged.connect(self._on_view_changed)
        vitals_box.sigResized.connect(self._on_view_changed)

    # ------------------------------------------------------------ data in
    def set_start(self, at: datetime) -> None:
        """Time zero of the x axis (the session start); earlier readings chart at negative x."""
        if self._start is not None:
            shift = (self._start - at).total_seconds()
            for buffer in (*self._buffers.values(), *self._artifacts.values(), self._poss_codes):
                if len(buffer):
                    buffer.shift(shift)
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

    def set_scales(self, scales: MonitoringScales) -> None:
        """Chart sedation on the clinic's scale and dissociation on its CADSS range."""
        self._scales = scales
        shown = scales.sedation.vital_field
        for key in _SEDATION_KEYS:
            self.curves[key].setVisible(key == shown)
        self.figures.tiles["sedation"].caption.setText(scales.sedation.short_label)
        self.figures.tiles["dissociation"].caption.setText(scales.dissociation.short_label)
        low = -5.5 if scales.sedation is SedationScale.RASS else -0.5
        self.scores_plot.setYRange(low, 10.5, padding=0)
        top = scales.dissociation.max_score
        right = self.scores_plot.getAxis("right")
        # dissociation is drawn scaled onto 0–10; the right axis reads in its own score
        right.setTicks([[(10.0 * v / top, str(v)) for v in (0, top // 4, top // 2,
                                                             3 * top // 4, top)], []])
        right.setLabel(scales.dissociation.short_label, color=_BY_KEY["dissociation"].colour)
        self.set_thresholds(self._thresholds)
        self._drawn.clear()
        self._dirty = True

    def set_gap_rule(self, *, factor: float = 3.0, minimum: timedelta = timedelta(seconds=30),
                     fallback: timedelta = timedelta(minutes=45)) -> None:
        """A channel's line breaks where it had no reading for longer than ``factor`` times its
        usual spacing (never less than ``minimum``; ``fallback`` until it has a few readings)."""
        for buffer in self._buffers.values():
            buffer.set_gap_rule(factor=factor, minimum=minimum.total_seconds(),
                                fallback=fallback.total_seconds())
        self._dirty = True

    def append(self, sample: VitalSign) -> None:
        """Add one stored set. A correction takes the set it corrects off the chart and is
        plotted at its own time; a superseded set is taken off (or never drawn)."""
        if sample.corrects_id is not None:
            self._remove_set(sample.corrects_id)
        if sample.superseded:
            self._remove_set(sample.id)
            return
        x = self.seconds(sample.at)
        self._add(x, _chart_values(sample.values), sample.id)
        if sample.values.sedation_poss is not None:
            self._poss_codes.append(x, _POSS_CODES.index(sample.values.sedation_poss.value),
                                    sample.id)
        self._dirty = True

    def add_artifacts(self, artifacts: Iterable[DeviceArtifact]) -> None:
        """Monitor values judged implausible: hollow circles at their value, never joined into
        a line, never a big figure. Each artifact is drawn once however often it is given;
        one whose value is not a number, or of a field the chart does not show, is skipped."""
        for artifact in artifacts:
            if artifact.id in self._artifact_ids or artifact.field not in self._artifacts:
                continue
            self._artifact_ids.add(artifact.id)
            try:
                value = float(Decimal(artifact.value.strip()))
            except (ArithmeticError, ValueError):
                continue
            if math.isfinite(value):
                x = self.seconds(artifact.at)
                self._artifacts[artifact.field].append(x, value, artifact.id)
                if self._newest is None or x > self._newest:
                    self._newest = x
        self._dirty = True

    def replace_vitals(self, signs: Sequence[VitalSign],
                       artifacts: Sequence[DeviceArtifact] = ()) -> None:
        """Show exactly these sets and artifacts (a reload): superseded and corrected sets are
        left out, corrections are drawn at their own time."""
        corrected = {s.corrects_id for s in signs if s.corrects_id is not None}
        kept = sorted((s for s in signs if not s.superseded and s.id not in corrected),
                      key=lambda s: s.at)
        for buffer in (*self._buffers.values(), *self._artifacts.values(), self._poss_codes):
            buffer.clear()
        self._artifact_ids.clear()
        columns: dict[str, tuple[list[float], list[float], list[int]]] = {}
        poss: tuple[list[float], list[float], list[int]] = ([], [], [])
        for sign in kept:
            x = self.seconds(sign.at)
            for key, value in _chart_values(sign.values).items():
                if value is None:
                    continue
                xs, ys, ids = columns.setdefault(key, ([], [], []))
                xs.append(x)
                ys.append(float(value.depth) if isinstance(value, PossLevel) else float(value))
                ids.append(sign.id)
            level = sign.values.sedation_poss
            if level is not None:
                poss[0].append(x)
                poss[1].append(float(_POSS_CODES.index(level.value)))
                poss[2].append(sign.id)
        for key, (xs, ys, ids) in columns.items():
            self._buffers[key].extend(xs, ys, ids)
        self._poss_codes.extend(*poss)
        newest = [b.x[-1] for b in self._buffers.values() if len(b)]
        self._newest = max(newest) if newest else None
        self.add_artifacts(artifacts)
        self._dirty = True

    def append_values(self, at: datetime | float,
                      values: Mapping[str, float | int | Decimal | PossLevel | None]) -> None:
        """Add readings taken at ``at`` (a time, or seconds since the start); ``None`` skipped."""
        x = float(at) if isinstance(at, float | int) else self.seconds(at)
        self._add(x, values, NO_ID)
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
            self.remove_marker(marker)
        for event in self._events:
            self._add_marker(self.seconds(event.at), _event_text(event), EVENT_COLOUR, "event")
        self._set_dose_label()
        self._refresh_infusion()
        self._dirty = True

    def add_marker(self, at: datetime | float, text: str,
                   colour: str | AlarmPriority = AlarmPriority.MEDIUM) -> Marker:
        """A labelled vertical line (a note, or anything else) across all plots."""
        return self._add_marker(self._x_of(at), text, _colour(colour), "note")

    def add_alarm_marker(self, at: datetime | float, text: str,
                         priority: AlarmPriority) -> Marker:
        """An alarm raised at ``at``: a solid line in the priority colour, labelled ▲ text."""
        return self._add_marker(self._x_of(at), text, ALARM_COLOURS[priority], "alarm",
                                priority=priority)

    def add_side_effect_marker(self, at: datetime | float, text: str) -> Marker:
        """A side effect at its onset: a dotted magenta line labelled ◆."""
        return self._add_marker(self._x_of(at), text, SIDE_EFFECT_COLOUR, "side_effect")

    def markers(self) -> list[Marker]:
        return list(self._markers)

    def remove_marker(self, marker: Marker) -> None:
        for plot, line in zip(self.plots, marker.lines, strict=True):
            plot.removeItem(line)
        self._markers.remove(marker)

    def set_thresholds(self, thresholds: AlarmThresholds) -> None:
        """Shade the red (high-priority) zones of the clinic's alarm table."""
        self._thresholds = thresholds
        for plot, item in self._band_items:
            plot.removeItem(item)
        self._band_items.clear()
        scale_rows = _SCALE_ROWS[self._scales.sedation]
        for row, plot_name, low, high, priority in alarm_bands(thresholds):
            # Only the red (high-priority) zones are shaded: with five channels on one axis the
            # yellow and cyan zones overlapped into a wash that hid the curves.
            if priority is not AlarmPriority.HIGH:
                continue
            if plot_name == "scores" and row not in scale_rows:
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

    def set_alarm_states(self, states: Mapping[AlarmParameter, AlarmPriority]) -> None:
        """Colour each big figure by the highest active alarm of its parameter (or none)."""
        by_tile: dict[str, list[AlarmPriority]] = {}
        for parameter, priority in states.items():
            tile = _TILE_OF_PARAMETER.get(parameter)
            if tile is not None:
                by_tile.setdefault(tile, []).append(priority)
        for key, tile_widget in self.figures.tiles.items():
            tile_widget.set_priority(highest(by_tile.get(key, ())))

    def figure(self, key: str) -> FigureTile:
        """The big-figure tile ``key`` (heart_rate, bp, spo2, respiratory_rate, etco2,
        pain_nrs, sedation, dissociation)."""
        return self.figures.tiles[key]

    # ------------------------------------------------------------ view
    def follow_live(self) -> None:
        """Return to the scrolling window that keeps the newest readings in view."""
        self._following = True
        self.follow_button.setEnabled(False)
        self._apply_live_range()
        self._draw_series()

    @property
    def following(self) -> bool:
        return self._following

    def set_live_window(self, window: timedelta | None) -> None:
        """Width of the live window; ``None`` shows the whole session."""
        self._live_window = None if window is None else window.total_seconds()
        if self._following:
            self._apply_live_range()
        self._dirty = True

    def live_range(self) -> tuple[float, float]:
        """The x range shown when following live: the last ``live window`` (the window starts
        at the first reading, baseline included, until the session fills it) or, with no live
        window, the whole session. It moves in steps, not with every reading."""
        newest = self._newest if self._newest is not None else 0.0
        firsts = [float(b.x[0]) for b in self._buffers.values() if len(b)]
        earliest = min(0.0, *firsts) if firsts else 0.0
        if self._live_window is None:
            span = max(newest * 1.02 - earliest, 600.0)
            step = next((s for s in reversed(_WHOLE_STEPS) if s <= span / 50), _WHOLE_STEPS[0])
            left = math.floor(earliest / step) * step
            return left, left + math.ceil(span / step) * step
        window = self._live_window
        step = window / _LIVE_STEPS
        left = max(math.floor(earliest / step) * step,
                   math.ceil((newest - 0.98 * window) / step) * step)
        return left, left + window

    def x_range(self) -> tuple[float, float]:
        (left, right), _ = self.vitals_plot.getViewBox().viewRange()
        return float(left), float(right)

    def redraw(self) -> None:
        """Push what changed to the plot items and scroll; the display timer calls this."""
        self._dirty = False
        self.redraw_count += 1
        self._redrawing = True
        try:
            if self._following:
                self._apply_live_range()
        finally:
            self._redrawing = False
        self._draw_series()
        if self._infusion_running:
            self._refresh_infusion()
        self._update_figures()

    def series(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Copies of every reading of channel ``key`` on the line (artifacts not included)."""
        buffer = self._buffers[key]
        return buffer.x.copy(), buffer.y.copy()

    def data_bytes(self) -> int:
        """Bytes held by the chart's series (storage, pyramids, gap indexes)."""
        return sum(b.nbytes() for b in (*self._buffers.values(), *self._artifacts.values(),
                                         self._poss_codes))

    def artifacts(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the readings of ``key`` drawn as artifacts."""
        buffer = self._artifacts[key]
        return buffer.x.copy(), buffer.y.copy()

    def hover_at(self, x: float) -> str:
        """Show the crosshair at the reading nearest to ``x`` seconds, with its exact time and
        every value there; returns the text (also the chart's tooltip)."""
        left, right = self.x_range()
        tolerance = max(2.0, (right - left) / 100.0)
        nearest: list[float] = []
        for buffer in (*self._buffers.values(), *self._artifacts.values()):
            index = buffer.nearest(x)
            if index is not None and abs(buffer.x[index] - x) <= tolerance:
                nearest.append(float(buffer.x[index]))
        at = min(nearest, key=lambda v: abs(v - x)) if nearest else x
        for line in self.hover_lines:
            line.setValue(at)
            line.show()
        parts = [f"+{_elapsed(at)}" + (f" ({self._clock(at)})" if self._start else "")]
        found = {key: self._value_near(key, at, tolerance) for key in CHANNEL_KEYS}
        sedation = self._scales.sedation.vital_field
        for key in ("heart_rate", "bp", "spo2", "respiratory_rate", "etco2", "pain_nrs",
                    sedation, "dissociation"):
            if key == "bp":
                sbp, dbp = found["systolic"], found["diastolic"]
                if sbp is not None and dbp is not None:
                    mean = _mean_arterial(sbp[1], dbp[1])
                    shown_mean = "" if mean is None else f" ({mean})"
                    parts.append(f"BP {_number(sbp[1])}/{_number(dbp[1])}{shown_mean} mmHg"
                                 + self._when(sbp[0], at))
                continue
            hit = found[key]
            if hit is None:
                continue
            channel = _BY_KEY[key]
            label = (self._scales.dissociation.short_label if key == "dissociation"
                     else channel.label)
            shown = self._shown(key, hit[0], hit[1])
            unit = f" {channel.unit}" if channel.unit else ""
            parts.append(f"{label} {shown}{unit}{self._when(hit[0], at)}")
        for key in CHANNEL_KEYS:
            buffer = self._artifacts[key]
            index = buffer.nearest(at)
            if index is not None and abs(buffer.x[index] - at) <= tolerance:
                channel = _BY_KEY[key]
                parts.append(f"{channel.label} {_number(float(buffer.y[index]))} artifact"
                             + self._when(float(buffer.x[index]), at))
        rate = self._rate_at(at)
        if rate is not None:
            parts.append(f"Rate {_number(rate)} mL/h")
        for marker in self._markers:
            if abs(marker.x - at) <= tolerance:
                parts.append(_marker_label(marker).strip())
        text = "  ·  ".join(parts)
        self.hover_label.setText(text)
        self.graphics.setToolTip(text)
        return text

    def clear_hover(self) -> None:
        for line in self.hover_lines:
            line.hide()
        self.hover_label.setText(" ")
        self.graphics.setToolTip("")

    # ------------------------------------------------------------ Qt
    def resizeEvent(self, event: QResizeEvent) -> None:
        # a short chart (the session screen lets it shrink) puts two vitals to a row
        self.figures.set_compact(event.size().height() < COMPACT_BELOW_PX)
        super().resizeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    # ------------------------------------------------------------ internals
    def _x_of(self, at: datetime | float) -> float:
        return float(at) if isinstance(at, float | int) else self.seconds(at)

    def _clock(self, x: float) -> str:
        assert self._start is not None
        return f"{(self._start + timedelta(seconds=x)).astimezone():%H:%M:%S}"

    def _when(self, x: float, at: float) -> str:
        """The reading's own time when it is not the time at the head of the hover text."""
        if abs(x - at) < 0.5 or self._start is None:
            return ""
        return f" at {self._clock(x)}"

    def _add(self, x: float, values: Mapping[str, float | int | Decimal | PossLevel | None],
             ident: int) -> None:
        for key, value in values.items():
            if value is None:
                continue
            buffer = self._buffers.get(key)
            if buffer is None:
                raise KeyError(f"unknown chart channel {key!r}")
            number = float(value.depth) if isinstance(value, PossLevel) else float(value)
            buffer.append(x, number, ident)
        if self._newest is None or x > self._newest:
            self._newest = x

    def _remove_set(self, ident: int) -> None:
        for buffer in (*self._buffers.values(), self._poss_codes):
            buffer.remove_ids(ident)
        self._dirty = True

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

    def _on_view_changed(self, *_: object) -> None:
        # A pan, a zoom or a resize: the curves hold only what was in view, so redo them now
        # (during redraw() the new range is drawn right after it is applied).
        if not self._redrawing:
            self._draw_series()

    def time_at(self, x: float) -> datetime | None:
        """The moment at chart position ``x`` (None before a start is known)."""
        return None if self._start is None else self._start + timedelta(seconds=x)

    def _on_mouse_clicked(self, event: Any) -> None:
        if not event.double():
            return
        position = event.scenePos()
        for plot in self.plots:
            if plot.sceneBoundingRect().contains(position):
                moment = self.time_at(float(plot.getViewBox().mapSceneToView(position).x()))
                if moment is not None:
                    self.time_picked.emit(moment)
                return

    def _on_mouse_moved(self, position: Any) -> None:
        for plot in self.plots:
            if plot.sceneBoundingRect().contains(position):
                x = plot.getViewBox().mapSceneToView(position).x()
                self.hover_at(float(x))
                return
        self.clear_hover()

    def _draw_series(self) -> None:
        """Send each visible channel what is in view, if its data or the view changed."""
        box = self.vitals_plot.getViewBox()
        (left, right), _ = box.viewRange()
        pixels = max(int(box.width()), 1)
        view = (left, right, pixels, self._vitals_top)
        if self._drawn.get("view") != view:
            self._drawn["view"] = view
            vitals_rect = box.viewRect()
            scores_rect = self.scores_plot.getViewBox().viewRect()
            for item in (*self._reference_items, self.bp_bars, *self.curves.values()):
                item.set_bounds(scores_rect if item.parentItem() is self._scores_group
                                else vitals_rect, pixels)
            for item in self._reference_items:
                ys = item.getData()[1]
                item.setData(np.tile(np.array([left, right]), ys.size // 2), ys)
            self._place_labels(left, right)
        top = self._vitals_top
        for key, buffer in self._buffers.items():
            curve = self.curves[key]
            if not curve.isVisible():
                continue
            state = (buffer.version, view)
            if self._drawn.get(key) == state:
                continue
            self._drawn[key] = state
            scale = 10.0 / self._scales.dissociation.max_score if key == "dissociation" else 1.0
            xs, ys = buffer.display(left, right, pixels, scale)
            curve.setData(xs, ys, dots=xs.size * _DOT_SPACING_PX <= pixels)
            if key == "systolic" and ys.size:
                top = max(200.0, math.ceil((float(np.nanmax(ys)) + 10) / 20) * 20)
        if top != self._vitals_top:
            self._vitals_top = top
            self.vitals_plot.setYRange(0, top, padding=0)
            self._draw_series()
            return
        self._draw_bars(pixels, right - left)
        self._draw_artifacts()

    def _draw_bars(self, pixels: int, span: float) -> None:
        sys_curve, dia_curve = self.curves["systolic"], self.curves["diastolic"]
        state = (self._drawn.get("systolic"), self._drawn.get("diastolic"))
        if self._drawn.get("bp_bars") == state:
            return
        self._drawn["bp_bars"] = state
        sx, sy = sys_curve.getData()
        dx, dy = dia_curve.getData()
        if sx is None or dx is None or sx.size == 0 or dx.size == 0:
            self.bp_bars.setData(np.empty(0), np.empty(0))
            return
        xs, lows, highs = _bars(sx, sy, dx, dy)
        per_pixel = pixels / span if span > 0 else 1.0
        spacing = float(np.median(np.diff(xs))) * per_pixel if xs.size > 1 else 14.0
        if spacing < _HATCH_PX:
            # Dense readings: one 1-px bar every few pixels, from the lowest diastolic to the
            # highest systolic in those pixels, reads as a band (a filled polygon cost 6 ms).
            group = np.floor(xs * (per_pixel / _HATCH_PX))
            starts = np.concatenate((np.zeros(1, dtype=np.int64),
                                     np.flatnonzero(np.diff(group)) + 1))
            xs = xs[starts]
            lows = np.minimum.reduceat(lows, starts)
            highs = np.maximum.reduceat(highs, starts)
            width = 1.0
        else:  # a bar per reading, about half the spacing wide, up to 7 px
            width = float(min(7.0, max(1.0, round(spacing * 0.5))))
        bar_x = np.repeat(xs, 2)
        bar_y = np.empty(bar_x.size, dtype=np.float64)
        bar_y[0::2] = lows
        bar_y[1::2] = highs
        if width != self._bar_width:
            self._bar_width = width
            self.bp_bars.setPen(_pen(BP_BAR_COLOUR, width, cap=Qt.PenCapStyle.FlatCap))
        self.bp_bars.setData(bar_x, bar_y)

    def _draw_artifacts(self) -> None:
        state = tuple(b.version for b in self._artifacts.values())
        if self._drawn.get("artifacts") == state:
            return
        self._drawn["artifacts"] = state
        for plot_name, item in self.artifact_items.items():
            spots: list[dict[str, Any]] = []
            for key, buffer in self._artifacts.items():
                channel = _BY_KEY[key]
                if channel.plot != plot_name or not len(buffer):
                    continue
                scale = (10.0 / self._scales.dissociation.max_score if key == "dissociation"
                         else 1.0)
                pen = _pen(channel.colour, 2)
                spots.extend({"pos": (float(px), float(py) * scale), "pen": pen,
                              "symbol": "o"} for px, py in zip(buffer.x, buffer.y, strict=True))
            item.setData(spots)
            item.setVisible(bool(spots))  # an empty scatter still costs 0.2 ms a paint

    def _value_near(self, key: str, x: float, tolerance: float) -> tuple[float, float] | None:
        buffer = self._buffers[key]
        index = buffer.nearest(x)
        if index is None or abs(buffer.x[index] - x) > tolerance:
            return None
        return float(buffer.x[index]), float(buffer.y[index])

    def _shown(self, key: str, x: float, value: float) -> str:
        """A reading as written on its scale (RASS signed, POSS by its letter or number)."""
        if key == "sedation_rass":
            return format_rass(int(value))
        if key == "sedation_poss":
            index = self._poss_codes.nearest(x)
            if index is not None and self._poss_codes.x[index] == x:
                return _POSS_CODES[int(self._poss_codes.y[index])]
            return {0: "S/1"}.get(int(value), _number(value))
        return _number(value)

    def _update_figures(self) -> None:
        tiles = self.figures.tiles
        for key in ("heart_rate", "spo2", "respiratory_rate", "etco2", "pain_nrs",
                    "dissociation"):
            last = self._buffers[key].last()
            if key == "etco2" and last is not None and tiles["etco2"].isHidden():
                tiles["etco2"].show()
            tiles[key].set_text("—" if last is None else _number(last[1]))
        sbp, dbp = self._buffers["systolic"].last(), self._buffers["diastolic"].last()
        if sbp is None or dbp is None:
            tiles["bp"].set_text("—")
        else:
            mean = _mean_arterial(sbp[1], dbp[1])
            tiles["bp"].set_text(f"{_number(sbp[1])}/{_number(dbp[1])}",
                                 "" if mean is None else f"({mean})")
        sedation_key = self._scales.sedation.vital_field
        last = self._buffers[sedation_key].last()
        tiles["sedation"].set_text("—" if last is None
                                   else self._shown(sedation_key, last[0], last[1]))

    def _add_marker(self, x: float, text: str, colour: str, kind: str,
                    priority: AlarmPriority | None = None) -> Marker:
        style, height, _prefix = _MARKER_STYLE[kind]
        # labels of the same kind alternate between two heights, so neighbours do not overlap
        height -= 0.045 * (sum(1 for m in self._markers if m.kind == kind) % 2)
        pen = _pen(colour, style=style)
        marker = Marker(x, text, colour, kind, (), priority)
        label = _marker_label(marker)
        lines = []
        for plot in self.plots:
            labelled = plot is self.vitals_plot
            line = pg.InfiniteLine(
                pos=x, angle=90, pen=pen, movable=False, label=label if labelled else None,
                labelOpts={"position": height, "color": colour, "anchors": [(0, 0), (0, 0)],
                           "fill": pg.mkBrush(BACKGROUND)} if labelled else None)
            plot.addItem(line, ignoreBounds=True)
            lines.append(line)
        marker.lines = tuple(lines)
        self._markers.append(marker)
        left, right = self.x_range()
        self._place_labels(left, right)
        return marker

    def _place_labels(self, left: float, right: float) -> None:
        """Marker labels in the right fifth of the view go to the left of their line, so they
        are not cut off at the edge."""
        for marker in self._markers:
            label = marker.lines[0].label
            if label is None:
                continue
            anchor = (1, 0) if marker.x > left + 0.8 * (right - left) else (0, 0)
            if tuple(label.anchors[0]) != anchor:
                label.anchors = [anchor, anchor]
                label.updatePosition()

    def _set_dose_label(self) -> None:
        unit = "mg" if self._concentration is not None else "mL"
        self.infusion_plot.setLabel("right", "Total", units=unit, color=MUTED)

    def _sync_dose_view(self) -> None:
        self.dose_view.setGeometry(self.infusion_plot.getViewBox().sceneBoundingRect())
        self.dose_view.linkedViewChanged(self.infusion_plot.getViewBox(), self.dose_view.XAxis)

    def _refresh_infusion(self) -> None:
        """Rate steps and cumulative dose from the recorded events, up to the newest time."""
        if not self._events:
            self.rate_curve.setData(np.empty(0), np.empty(0))
            self.dose_curve.setData(np.empty(0), np.empty(0))
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
        ranges = (max(max(rate_y, default=0.0) * 1.15, 1.0), max(total * 1.15, 1.0))
        if ranges != self._infusion_ranges:
            self._infusion_ranges = ranges
            self.infusion_plot.setYRange(0, ranges[0], padding=0)
            self.dose_view.setYRange(0, ranges[1], padding=0)

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


def _bars(sx: np.ndarray, sy: np.ndarray, dx: np.ndarray,
          dy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One bar per drawn time from the lowest diastolic to the highest systolic there (peak
    decimation draws two points per pixel column at one time: they make one bar)."""
    s_ok, d_ok = np.isfinite(sy), np.isfinite(dy)
    sx, sy, dx, dy = sx[s_ok], sy[s_ok], dx[d_ok], dy[d_ok]
    if sx.shape != dx.shape or not np.array_equal(sx, dx):
        # one side of a pair was an artifact: bars only where both are drawn
        common, si, di = np.intersect1d(sx, dx, return_indices=True)
        sx, sy, dx, dy = common, sy[si], common, dy[di]
    if sx.size == 0:
        return sx, sy, dy
    starts = np.concatenate((np.zeros(1, dtype=np.int64), np.flatnonzero(np.diff(sx)) + 1))
    return sx[starts], np.minimum.reduceat(dy, starts), np.maximum.reduceat(sy, starts)


def _chart_values(values: VitalValues) -> dict[str, float | int | Decimal | PossLevel | None]:
    return {
        "heart_rate": values.heart_rate, "systolic": values.systolic,
        "diastolic": values.diastolic, "spo2": values.spo2,
        "respiratory_rate": values.respiratory_rate, "etco2": values.etco2,
        "pain_nrs": values.pain_nrs, "sedation_rass": values.sedation_rass,
        "sedation_poss": values.sedation_poss, "sedation_moaa_s": values.sedation_moaa_s,
        "dissociation": values.dissociation,
    }


@functools.lru_cache(maxsize=256)
def _mean_arterial(systolic: float, diastolic: float) -> int | None:
    """The derived mean pressure of a charted pair (``None`` for a pair that is not a BP)."""
    try:
        return VitalValues(systolic=round(systolic), diastolic=round(diastolic)).mean_arterial
    except ValidationError:
        return None


def _marker_label(marker: Marker) -> str:
    return f"{_MARKER_STYLE[marker.kind][2]}{marker.text}"


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


__all__ = ["CHANNELS", "CHANNEL_KEYS", "Marker", "VitalsChart", "alarm_bands"]
