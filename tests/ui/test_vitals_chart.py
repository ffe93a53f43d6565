"""The live vitals chart: data reaches the curves, items are built once, spikes survive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

import console.ui  # noqa: F401  (sets PYQTGRAPH_QT_LIB before pyqtgraph is imported)
from console.domain.alarms import AlarmPriority, AlarmThresholds
from console.domain.infusion import EventKind, InfusionEvent, StopKind
from console.domain.vitals import VitalSign, VitalSource, VitalValues
from console.ui.charts import CHANNEL_KEYS, SeriesBuffer, VitalsChart, alarm_bands

START = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def chart(qtbot):  # type: ignore[no-untyped-def]
    widget = VitalsChart(capacity=16)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.set_start(START)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _sign(seconds: float, **values: int) -> VitalSign:
    return VitalSign(1, START + timedelta(seconds=seconds), VitalValues(**values),
                     VitalSource.DEVICE, "monitor")


def _fill(chart: VitalsChart, count: int, **overrides: dict[int, float]) -> None:
    for i in range(count):
        values = {"heart_rate": 70.0, "systolic": 120.0, "diastolic": 80.0, "spo2": 98.0,
                  "respiratory_rate": 14.0}
        for key, spikes in overrides.items():
            values[key] = spikes.get(i, values[key])
        chart.append_values(float(i), values)


def test_appended_samples_reach_the_curves(chart: VitalsChart) -> None:
    chart.append(_sign(0, heart_rate=72, systolic=130, diastolic=85, spo2=97))
    chart.append(_sign(5, heart_rate=75, spo2=96))
    chart.redraw()
    x, y = chart.series("heart_rate")
    assert x.dtype == np.float64
    assert list(x) == [0.0, 5.0]
    assert list(y) == [72.0, 75.0]
    drawn_x, drawn_y = chart.curves["heart_rate"].getData()
    assert list(drawn_x) == [0.0, 5.0]
    assert list(drawn_y) == [72.0, 75.0]
    x, y = chart.series("systolic")
    assert list(x) == [0.0]
    assert list(y) == [130.0]
    assert len(chart.series("respiratory_rate")[0]) == 0
    assert len(chart.curves["respiratory_rate"].getData()[0]) == 0
    assert chart.value_labels["heart_rate"].text() == "75"
    assert chart.value_labels["bp"].text() == "130/85"
    assert chart.value_labels["spo2"].text() == "96"
    assert chart.value_labels["respiratory_rate"].text() == "—"


def test_plot_items_are_created_once(chart: VitalsChart) -> None:
    curves = dict(chart.curves)
    items = {id(plot): list(plot.items) for plot in chart.plots}
    for i in range(300):
        chart.append_values(float(i), {"heart_rate": 70 + i % 3, "spo2": 98})
        if i % 50 == 0:
            chart.redraw()
    chart.redraw()
    assert chart.curves == curves
    assert all(chart.curves[k] is curves[k] for k in CHANNEL_KEYS)
    assert {id(plot): list(plot.items) for plot in chart.plots} == items


def test_buffer_grows_past_its_capacity_and_keeps_order() -> None:
    buffer = SeriesBuffer(4)
    for i in range(10):
        buffer.append(float(i), float(i * 10))
    assert len(buffer) == 10
    assert buffer.capacity >= 10
    assert list(buffer.x) == [float(i) for i in range(10)]
    assert list(buffer.y) == [float(i * 10) for i in range(10)]
    buffer.append(4.5, -1.0)  # a late manual entry goes in its place
    assert list(buffer.x[4:7]) == [4.0, 4.5, 5.0]
    assert buffer.y[5] == -1.0
    assert buffer.nearest(4.6) == 5
    assert buffer.nearest(-3) == 0
    assert buffer.nearest(99) == 10


def test_chart_buffers_grow_past_the_initial_capacity(chart: VitalsChart) -> None:
    _fill(chart, 100)  # the fixture's capacity is 16
    chart.redraw()
    x, y = chart.series("spo2")
    assert len(x) == 100
    np.testing.assert_array_equal(x, np.arange(100, dtype=np.float64))
    assert (y == 98.0).all()


def test_a_single_sample_desaturation_survives_downsampling(chart: VitalsChart) -> None:
    chart.resize(500, 400)  # a narrow chart: many samples per pixel
    chart.set_live_window(None)  # the whole session in view
    _fill(chart, 10_000, spo2={6_543: 85.0}, heart_rate={2_001: 160.0})
    chart.redraw()
    chart.grab()  # lay out and paint at the narrow size
    x, y = chart.curves["spo2"].getData()
    assert len(x) < 2_500, "the curve should be downsampled at this width"
    assert y.min() == 85.0
    assert 6_500 <= x[int(np.argmin(y))] <= 6_600
    hr_x, hr_y = chart.curves["heart_rate"].getData()
    assert hr_y.max() == 160.0
    assert len(hr_x) < 2_500


def test_follow_live_returns_to_the_newest_data(chart: VitalsChart) -> None:
    chart.set_live_window(timedelta(minutes=30))
    _fill(chart, 4_000)
    chart.redraw()
    left, right = chart.x_range()
    assert left <= 3_999 <= right
    assert right - left == pytest.approx(1_800, rel=0.01)

    chart.vitals_plot.getViewBox().translateBy(x=-2_000)  # the user pans back
    chart._on_user_range()  # what a mouse drag reports
    assert not chart.following
    assert chart.follow_button.isEnabled()
    _fill(chart, 4_100)
    chart.redraw()
    assert chart.x_range()[1] < 3_000  # not scrolled while the user looks back

    chart.follow_live()
    left, right = chart.x_range()
    assert chart.following
    assert not chart.follow_button.isEnabled()
    assert left <= 4_099 <= right


def test_mouse_pan_stops_following(chart: VitalsChart) -> None:
    _fill(chart, 100)
    chart.redraw()
    chart.vitals_plot.getViewBox().sigRangeChangedManually.emit([True, False])
    assert not chart.following


def test_infusion_events_become_markers_and_steps(chart: VitalsChart) -> None:
    def event(minutes: int, kind: EventKind, **kw: object) -> InfusionEvent:
        at = START + timedelta(minutes=minutes)
        return InfusionEvent(kind, at, at, "nurse", **kw)  # type: ignore[arg-type]

    events = [
        event(0, EventKind.START, rate_ml_per_h=Decimal(10)),
        event(30, EventKind.RATE_CHANGE, rate_ml_per_h=Decimal(20)),
        event(40, EventKind.BOLUS, bolus_mg=Decimal(5)),
        event(60, EventKind.STOP, stop_kind=StopKind.COMPLETED),
    ]
    chart.set_events(events, concentration_mg_per_ml=Decimal(1))
    texts = [(m.text, m.x) for m in chart.markers()]
    assert texts == [("Started 10 mL/h", 0.0), ("Rate changed 20 mL/h", 1800.0),
                     ("Bolus 5 mg", 2400.0), ("Stopped", 3600.0)]
    marker = chart.markers()[0]
    assert marker.lines[0] in chart.vitals_plot.items
    assert marker.lines[0].label.textItem.toPlainText() == "Started 10 mL/h"
    _x, y = chart.rate_curve.getData()
    assert y.max() == 20.0
    assert y[-1] == 0.0
    _, dose = chart.dose_curve.getData()
    assert dose[-1] == pytest.approx(10 * 0.5 + 20 * 0.5 + 5)  # mL/h × h × mg/mL + bolus

    chart.set_events(events[:2])  # replaced, not added to
    assert [m.text for m in chart.markers()] == ["Started 10 mL/h", "Rate changed 20 mL/h"]


def test_alarm_markers_take_the_priority_colour(chart: VitalsChart) -> None:
    marker = chart.add_marker(START + timedelta(minutes=12), "** SpO2 93 %",
                              AlarmPriority.MEDIUM)
    assert marker.x == 720.0
    assert marker.colour == "#f5c451"
    assert all(line in plot.items for line, plot in zip(marker.lines, chart.plots, strict=True))


def test_hover_shows_the_values_and_time_of_a_known_point(chart: VitalsChart) -> None:
    chart.append(_sign(60, heart_rate=72, systolic=130, diastolic=85, spo2=97,
                       respiratory_rate=16, pain_nrs=4))
    chart.append_values(START + timedelta(seconds=60), {"dissociation": 6})
    chart.append(_sign(600, heart_rate=90))
    chart.redraw()
    text = chart.hover_at(61.0)
    assert text.startswith("+0:01 (")
    for part in ("HR 72 /min", "BP 130/85 (100) mmHg", "SpO2 97 %", "RR 16 /min", "Pain 4",
                 "CADSS-6 6"):
        assert part in text
    assert "90" not in text
    assert chart.hover_label.text() == text
    assert chart.graphics.toolTip() == text
    assert chart.hover_lines[0].value() == 60.0  # on the reading, not the cursor
    assert chart.hover_lines[0].isVisible()


def test_threshold_bands_follow_the_clinic_table() -> None:
    bands = alarm_bands(AlarmThresholds())
    spo2 = [(low, high, p) for row, _plot, low, high, p in bands if row == "spo2"]
    assert spo2 == [(93.5, 95.5, AlarmPriority.LOW), (91.5, 93.5, AlarmPriority.MEDIUM),
                    (85.5, 91.5, AlarmPriority.HIGH)]
    heart = [(low, high, p) for row, _plot, low, high, p in bands if row == "heart_rate"]
    assert heart == [(110.5, 130.5, AlarmPriority.MEDIUM), (130.5, 140.5, AlarmPriority.HIGH),
                     (40.5, 50.5, AlarmPriority.MEDIUM), (30.5, 40.5, AlarmPriority.HIGH)]
    assert {plot for row, plot, *_ in bands if row == "sedation_rass"} == {"scores"}
