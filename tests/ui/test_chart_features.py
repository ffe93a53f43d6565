"""What the monitoring issue asks of the live chart: scores, corrections, artifacts, gaps, big
figures in alarm colours, markers, hover and following live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from PySide6.QtCore import Qt

import console.ui  # noqa: F401  (sets PYQTGRAPH_QT_LIB before pyqtgraph is imported)
from console.domain.alarms import AlarmParameter, AlarmPriority
from console.domain.scales import DissociationScale, MonitoringScales, PossLevel, SedationScale
from console.domain.vitals import DeviceArtifact, VitalSign, VitalSource, VitalValues
from console.ui.charts import VitalsChart
from console.ui.charts.figures import ALARM_COLOURS

START = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def chart(qtbot):  # type: ignore[no-untyped-def]
    widget = VitalsChart(capacity=64)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.set_start(START)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _sign(ident: int, seconds: float, *, source: VitalSource = VitalSource.MANUAL,
          corrects: int | None = None, corrected_by: int | None = None,
          **values: object) -> VitalSign:
    return VitalSign(ident, START + timedelta(seconds=seconds),
                     VitalValues(**values),  # type: ignore[arg-type]
                     source, "nurse", corrects_id=corrects, corrected_by=corrected_by)


def _artifact(ident: int, seconds: float, field: str, value: str) -> DeviceArtifact:
    return DeviceArtifact(ident, START + timedelta(seconds=seconds), field, value,
                          "implausible", "monitor-1")


# ------------------------------------------------------------------ lower panel: the scores
def test_pain_sedation_and_dissociation_share_the_lower_panel(chart: VitalsChart) -> None:
    chart.append(_sign(1, 0, pain_nrs=6, sedation_rass=-1, dissociation=12))
    chart.append(_sign(2, 900, pain_nrs=3, sedation_rass=0, dissociation=6))
    chart.redraw()
    for key in ("pain_nrs", "sedation_rass", "dissociation"):
        assert chart.curves[key] in chart.scores_plot.items
        assert chart.curves[key].isVisible()
    assert not chart.curves["sedation_poss"].isVisible()
    # dissociation (CADSS-6 by default, 0–24) is drawn onto 0–10; the right axis reads scores
    _, drawn = chart.curves["dissociation"].getData()
    assert list(drawn) == pytest.approx([12 * 10 / 24, 6 * 10 / 24])
    ticks = chart.scores_plot.getAxis("right")._tickLevels[0]
    assert (10.0, "24") in ticks
    assert chart.value_labels["pain_nrs"].text() == "3"
    assert chart.value_labels["sedation"].text() == "0"
    assert chart.value_labels["dissociation"].text() == "6"
    assert chart.figure("sedation").caption.text() == "RASS"


def test_sedation_is_charted_on_the_clinic_scale(chart: VitalsChart) -> None:
    chart.set_scales(MonitoringScales(sedation=SedationScale.POSS,
                                      dissociation=DissociationScale.CADSS))
    chart.append(_sign(1, 0, sedation_poss=PossLevel.SLEEPING))
    chart.append(_sign(2, 600, sedation_poss=PossLevel.FREQUENTLY_DROWSY))
    chart.append(_sign(3, 1200, sedation_poss=PossLevel.AWAKE))
    chart.redraw()
    assert chart.curves["sedation_poss"].isVisible()
    assert not chart.curves["sedation_rass"].isVisible()
    _, depth = chart.curves["sedation_poss"].getData()
    assert list(depth) == [0.0, 3.0, 0.0]  # S and 1 are both depth 0
    assert chart.value_labels["sedation"].text() == "1"  # the level as charted, not its depth
    assert "POSS S" in chart.hover_at(0.0)
    assert chart.figure("sedation").caption.text() == "POSS"
    assert chart.figure("dissociation").caption.text() == "CADSS"

    chart.set_scales(MonitoringScales(sedation=SedationScale.MOAA_S))
    chart.append(_sign(4, 1800, sedation_moaa_s=3))
    chart.redraw()
    assert chart.value_labels["sedation"].text() == "3"
    assert chart.figure("sedation").caption.text() == "MOAA/S"


def test_upper_panel_has_the_vitals_and_end_tidal_co2_when_sent(chart: VitalsChart) -> None:
    assert chart.figure("etco2").isHidden()
    chart.append(_sign(1, 0, source=VitalSource.DEVICE, heart_rate=80, systolic=132,
                       diastolic=84, spo2=97, respiratory_rate=14, etco2=38))
    chart.redraw()
    for key in ("heart_rate", "systolic", "diastolic", "spo2", "respiratory_rate", "etco2"):
        assert chart.curves[key] in chart.vitals_plot.items
    assert not chart.figure("etco2").isHidden()
    assert chart.value_labels["etco2"].text() == "38"
    assert chart.value_labels["bp"].text() == "132/84"
    assert chart.figure("bp").note.text() == "(100)"  # the derived mean pressure


def test_blood_pressure_is_a_bar_from_diastolic_to_systolic(chart: VitalsChart) -> None:
    chart.append(_sign(1, 0, systolic=130, diastolic=80))
    chart.append(_sign(2, 900, systolic=150, diastolic=95))
    chart.redraw()
    x, y = chart.bp_bars.getData()
    assert list(x) == [0.0, 0.0, 900.0, 900.0]
    assert list(y) == [80.0, 130.0, 95.0, 150.0]
    assert chart.bp_bars.pen().widthF() > 1  # sparse readings: wide bars
    colour = chart.bp_bars.pen().color()
    assert min(colour.red(), colour.green(), colour.blue()) > 0x40  # grey, not a colour
    assert max(colour.red(), colour.green(), colour.blue()) - min(
        colour.red(), colour.green(), colour.blue()) < 16


# ------------------------------------------------------------------ corrections
def test_a_correction_takes_the_original_off_the_line(chart: VitalsChart) -> None:
    chart.append(_sign(1, 0, heart_rate=70, pain_nrs=2))
    chart.append(_sign(2, 300, heart_rate=150, pain_nrs=9))  # a typing error
    chart.append(_sign(3, 600, heart_rate=74))
    chart.redraw()
    assert list(chart.series("heart_rate")[1]) == [70, 150, 74]
    chart.append(_sign(4, 420, corrects=2, heart_rate=75, pain_nrs=4))
    chart.redraw()
    x, y = chart.series("heart_rate")
    assert list(x) == [0.0, 420.0, 600.0]  # the correction at its own time
    assert list(y) == [70, 75, 74]
    assert list(chart.series("pain_nrs")[1]) == [2, 4]
    assert 150.0 not in chart.curves["heart_rate"].getData()[1]
    # the superseded original arriving again (a re-read) stays off
    chart.append(_sign(2, 300, corrected_by=4, heart_rate=150, pain_nrs=9))
    chart.redraw()
    assert list(chart.series("heart_rate")[1]) == [70, 75, 74]


def test_replacing_the_vitals_leaves_out_superseded_sets(chart: VitalsChart) -> None:
    chart.append(_sign(9, 50, heart_rate=99))
    chart.replace_vitals([
        _sign(1, 0, heart_rate=70),
        _sign(2, 300, corrected_by=3, heart_rate=150),
        _sign(3, 360, corrects=2, heart_rate=76),
        _sign(5, 900, heart_rate=71),
        _sign(6, 960, heart_rate=200),  # corrected, but its flag not yet re-read
        _sign(7, 990, corrects=6, heart_rate=72),
    ], [_artifact(100, 700, "spo2", "41")])
    chart.redraw()
    x, y = chart.series("heart_rate")
    assert list(x) == [0.0, 360.0, 900.0, 990.0]
    assert list(y) == [70, 76, 71, 72]
    assert list(chart.artifacts("spo2")[1]) == [41.0]
    assert chart.value_labels["heart_rate"].text() == "72"


# ------------------------------------------------------------------ artifacts
def test_artifacts_are_hollow_markers_off_the_line(chart: VitalsChart) -> None:
    for i in range(6):
        chart.append(_sign(i + 1, i * 5, source=VitalSource.DEVICE, spo2=97))
    chart.add_artifacts([_artifact(50, 12, "spo2", "38"), _artifact(51, 27, "heart_rate", "3")])
    chart.add_artifacts([_artifact(50, 12, "spo2", "38"),  # the same artifact again
                         _artifact(52, 13, "spo2", "---"),  # not a number: not drawn
                         _artifact(53, 14, "temperature_c", "12")])  # not charted
    chart.redraw()
    assert 38.0 not in chart.series("spo2")[1]
    assert 38.0 not in chart.curves["spo2"].getData()[1]
    assert list(chart.artifacts("spo2")[1]) == [38.0]
    assert chart.value_labels["spo2"].text() == "97"  # never a big figure
    assert chart.value_labels["heart_rate"].text() == "—"
    spots = chart.artifact_items["vitals"].points()
    assert len(spots) == 2
    assert all(spot.brush().style() == Qt.BrushStyle.NoBrush for spot in spots)
    assert "SpO2 38 artifact" in chart.hover_at(12.0)


# ------------------------------------------------------------------ gaps
def test_the_line_breaks_where_the_monitor_sent_nothing(chart: VitalsChart) -> None:
    chart.set_live_window(None)
    for t in [*range(0, 1_800), *range(2_400, 3_600)]:  # ten minutes lost at 0:30
        chart.append_values(float(t), {"heart_rate": 80})
    chart.redraw()
    x, y = chart.curves["heart_rate"].getData()
    breaks = np.flatnonzero(np.isnan(y))
    assert breaks.size == 1
    assert x[breaks[0] - 1] < 1_800
    assert x[breaks[0] + 1] >= 2_400


def test_manual_readings_are_joined_and_dotted(chart: VitalsChart) -> None:
    chart.set_live_window(None)
    for i in range(12):
        chart.append(_sign(i + 1, i * 900, heart_rate=70 + i))
    chart.redraw()
    _, y = chart.curves["heart_rate"].getData()
    assert np.isfinite(y).all()
    assert chart.curves["heart_rate"]._dots is not None  # a square on each reading


# ------------------------------------------------------------------ big figures
def test_big_figures_take_the_colour_of_their_alarm(chart: VitalsChart) -> None:
    chart.append(_sign(1, 0, heart_rate=88, systolic=170, diastolic=112, spo2=90,
                       respiratory_rate=14))
    chart.redraw()
    chart.set_alarm_states({AlarmParameter.SPO2: AlarmPriority.HIGH,
                            AlarmParameter.SYSTOLIC: AlarmPriority.MEDIUM,
                            AlarmParameter.DIASTOLIC: AlarmPriority.HIGH,
                            AlarmParameter.DEVICE_FEED: AlarmPriority.LOW})
    assert chart.figure("spo2").priority is AlarmPriority.HIGH
    assert chart.figure("bp").priority is AlarmPriority.HIGH  # the worse of SBP and DBP
    assert chart.figure("heart_rate").priority is None
    assert ALARM_COLOURS[AlarmPriority.HIGH] in chart.figure("spo2").styleSheet()
    assert "#e5484d" in chart.figure("spo2").styleSheet()  # red

    chart.set_alarm_states({AlarmParameter.RESPIRATORY_RATE: AlarmPriority.LOW,
                            AlarmParameter.AGITATION: AlarmPriority.MEDIUM})
    assert chart.figure("spo2").priority is None
    assert ALARM_COLOURS[AlarmPriority.HIGH] not in chart.figure("spo2").styleSheet()
    assert "#5ee7f0" in chart.figure("respiratory_rate").styleSheet()  # cyan
    assert "#f5c451" in chart.figure("sedation").styleSheet()  # yellow
    chart.set_alarm_states({})
    assert all(tile.priority is None for tile in chart.figures.tiles.values())


def test_big_figures_are_large_enough_to_read_across_the_room(chart: VitalsChart) -> None:
    chart.append(_sign(1, 0, heart_rate=88))
    chart.redraw()
    for key in ("heart_rate", "bp", "spo2", "respiratory_rate"):
        label = chart.value_labels[key]
        assert label.fontInfo().pixelSize() >= 40
        assert label.fontInfo().bold()
    assert chart.value_labels["pain_nrs"].fontInfo().pixelSize() >= 28


# ------------------------------------------------------------------ markers
def test_side_effects_and_alarms_have_their_own_markers(chart: VitalsChart) -> None:
    effect = chart.add_side_effect_marker(START + timedelta(minutes=20), "Nausea")
    alarm = chart.add_alarm_marker(START + timedelta(minutes=25), "*** SpO2 89",
                                   AlarmPriority.HIGH)
    note = chart.add_marker(START + timedelta(minutes=30), "Note", "#ffffff")
    assert (effect.kind, effect.x, effect.text) == ("side_effect", 1200.0, "Nausea")
    assert (alarm.kind, alarm.x, alarm.priority) == ("alarm", 1500.0, AlarmPriority.HIGH)
    assert alarm.colour == ALARM_COLOURS[AlarmPriority.HIGH]
    styles = {m.kind: m.lines[0].pen.style() for m in (effect, alarm, note)}
    assert len(set(styles.values())) == 3  # dotted, solid and dash-dot lines
    assert effect.lines[0].label.textItem.toPlainText() == "◆ Nausea"
    assert alarm.lines[0].label.textItem.toPlainText() == "▲ *** SpO2 89"
    assert effect.colour not in ALARM_COLOURS.values()
    for marker in (effect, alarm):
        assert all(line in plot.items
                   for line, plot in zip(marker.lines, chart.plots, strict=True))
    chart.set_events([])  # infusion markers are replaced; these stay
    assert {m.kind for m in chart.markers()} == {"side_effect", "alarm", "note"}
    chart.remove_marker(note)
    assert note not in chart.markers()
    assert note.lines[0] not in chart.vitals_plot.items


# ------------------------------------------------------------------ hover and following
def test_hover_gives_the_exact_value_and_time_as_a_tooltip(chart: VitalsChart) -> None:
    chart.append(_sign(1, 125, heart_rate=72, systolic=128, diastolic=82))
    chart.append(_sign(2, 190, pain_nrs=5))
    chart.add_side_effect_marker(130.0, "Dizziness")
    chart.redraw()
    text = chart.hover_at(133.0)
    clock = (START + timedelta(seconds=125)).astimezone().strftime("%H:%M:%S")
    assert text.startswith(f"+0:02 ({clock})")
    assert "HR 72 /min" in text
    assert "BP 128/82 (97) mmHg" in text
    assert "◆ Dizziness" in text
    assert chart.graphics.toolTip() == text
    chart.clear_hover()
    assert chart.graphics.toolTip() == ""


def test_one_click_returns_to_following_live(chart: VitalsChart, qtbot) -> None:  # type: ignore[no-untyped-def]
    chart.set_live_window(timedelta(minutes=30))
    for t in range(0, 7_200, 5):
        chart.append_values(float(t), {"heart_rate": 70})
    chart.redraw()
    chart.vitals_plot.getViewBox().translateBy(x=-3_000)
    chart.vitals_plot.getViewBox().sigRangeChangedManually.emit([True, False])
    assert not chart.following
    _, drawn = chart.curves["heart_rate"].getData()
    assert drawn.size > 0  # the panned-to part is drawn straight away
    qtbot.mouseClick(chart.follow_button, Qt.MouseButton.LeftButton)
    assert chart.following
    left, right = chart.x_range()
    assert left <= 7_195 <= right


def test_a_redraw_with_nothing_new_sets_no_data(chart: VitalsChart) -> None:
    for t in range(100):
        chart.append_values(float(t), {"heart_rate": 70, "spo2": 97})
    chart.redraw()
    drawn = {key: chart.curves[key].getData()[0] for key in ("heart_rate", "spo2")}
    chart.redraw()
    assert all(chart.curves[key].getData()[0] is drawn[key] for key in drawn)
    chart.append_values(100.0, {"heart_rate": 71})
    chart.redraw()
    assert chart.curves["heart_rate"].getData()[0] is not drawn["heart_rate"]
    assert chart.curves["spo2"].getData()[0] is drawn["spo2"]


def test_a_one_sample_spike_in_twelve_hours_is_drawn_at_full_zoom_out(
        chart: VitalsChart) -> None:
    chart.set_live_window(None)
    hours = 12 * 3600
    x = np.arange(hours, dtype=np.float64)
    spo2 = np.full(hours, 97.0)
    spo2[29_001] = 79.0
    heart = np.full(hours, 72.0)
    heart[40_000] = 171.0
    for t, saturation, rate in zip(x.tolist(), spo2.tolist(), heart.tolist(), strict=True):
        chart.append_values(t, {"spo2": saturation, "heart_rate": rate})
    chart.redraw()
    chart.grab()
    left, right = chart.x_range()
    assert left <= 0
    assert right >= hours - 1
    for key, spike in (("spo2", 79.0), ("heart_rate", 171.0)):
        drawn_x, drawn_y = chart.curves[key].getData()
        assert drawn_x.size <= 2 * chart.vitals_plot.getViewBox().width() + 8
        assert spike in drawn_y


def test_a_short_chart_puts_two_vitals_to_a_row(chart: VitalsChart, qtbot) -> None:  # type: ignore[no-untyped-def]
    assert not chart.figures.compact
    chart.resize(1200, 300)
    qtbot.waitUntil(lambda: chart.figures.compact)
    assert chart.figures.minimumSizeHint().height() <= 300
    assert chart.value_labels["heart_rate"].fontInfo().pixelSize() >= 36
    chart.resize(1200, 800)
    qtbot.waitUntil(lambda: not chart.figures.compact)


def test_the_gap_rule_can_be_set(chart: VitalsChart) -> None:
    chart.set_live_window(None)
    for t in (0, 60, 120, 180, 240, 600, 660):
        chart.append_values(float(t), {"heart_rate": 80})
    chart.redraw()
    assert np.isnan(chart.curves["heart_rate"].getData()[1]).sum() == 1  # 6 min > 3 × 1 min
    chart.set_gap_rule(factor=10.0)
    chart.redraw()
    assert np.isfinite(chart.curves["heart_rate"].getData()[1]).all()
    chart.set_gap_rule(factor=1.0, minimum=timedelta(minutes=7))  # the minimum wins
    chart.redraw()
    assert np.isfinite(chart.curves["heart_rate"].getData()[1]).all()
