"""The session screen while the infusion runs: alarms from typed and monitor values, the
acknowledgement recorded by the service, the overdue-observation alarm, and the chart fed."""

from __future__ import annotations

from datetime import timedelta

from console.domain.alarms import AlarmAction, AlarmPriority
from console.services.monitoring import DeviceValue
from tests.ui.session.test_session_screen import click, open_view, running


def _save(qtbot, view, **texts: str) -> None:  # type: ignore[no-untyped-def]
    entry = view.observations
    for name, text in texts.items():
        qtbot.keyClicks(entry.edits[name], text)
    click(qtbot, entry.save_button)


def test_a_typed_high_pressure_raises_a_red_alarm_that_the_nurse_acknowledges(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse)
    view = open_view(qtbot, services, nurse, clock, record.id)
    alarms = view.monitor.alarms
    assert not alarms.bar.isVisible()

    _save(qtbot, view, systolic="186", diastolic="84")
    assert alarms.bar.isVisible()
    assert alarms.bar.priority is AlarmPriority.HIGH
    assert "SBP 186 mmHg" in alarms.bar.message.text()
    (row,) = alarms.list_panel.rows
    dialog = alarms.list_panel.open_acknowledge(row.alarm.id)
    dialog.choose(AlarmAction.CLINICIAN_CALLED)
    dialog.try_submit()

    stored = services.monitoring.alarms(nurse, record.id).find(row.alarm.id)
    assert stored.acknowledged_by == "Nora Kim, RN"
    assert stored.action is AlarmAction.CLINICIAN_CALLED
    assert any("Alarm acknowledged by Nora Kim, RN: clinician called" in line
               for line in view.timeline.lines())
    # Lights stay on until the pressure is back in range; then the bar goes out.
    assert alarms.bar.isVisible()
    _save(qtbot, view, systolic="132", diastolic="80")
    assert not alarms.bar.isVisible()


def test_an_overdue_observation_raises_the_cyan_alarm_and_a_set_clears_it(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse)
    view = open_view(qtbot, services, nurse, clock, record.id)
    clock.advance(timedelta(minutes=20))
    view.reload()
    alarms = view.monitor.alarms
    assert alarms.bar.priority is AlarmPriority.LOW
    assert "Observations overdue" in alarms.bar.message.text()

    _save(qtbot, view, heart_rate="76", systolic="128", diastolic="80", spo2="97",
          respiratory_rate="14")
    assert not alarms.bar.isVisible()


def test_a_monitor_result_reaches_the_chart_and_the_alarm_bar(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse)
    view = open_view(qtbot, services, nurse, clock, record.id)
    clock.advance(timedelta(minutes=1))
    update = services.monitoring.ingest(
        record.id, [DeviceValue("spo2", 90, clock.now()), DeviceValue("heart_rate", 88,
                                                                      clock.now())],
        device="Bed 3 monitor")
    view.monitor.apply_update(update)
    assert view.monitor.alarms.bar.priority is AlarmPriority.HIGH
    assert "SpO2 90" in view.monitor.alarms.bar.message.text()
    assert update.vital is not None
    assert update.vital.id in view.monitor.charted


def test_a_time_picked_on_the_chart_becomes_the_onset_and_the_effect_a_chart_marker(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    from console.domain.side_effects import Grade
    from console.ui.side_effects.log_dialog import LogSideEffectDialog
    from tests.ui.session.test_side_effects_panel import choose

    record = running(services, nurse)
    view = open_view(qtbot, services, nurse, clock, record.id)
    clock.advance(timedelta(minutes=25))
    picked = clock.now() - timedelta(minutes=10)
    view.monitor.chart.time_picked.emit(picked)
    dialog = view.side_effects.active_dialog
    assert isinstance(dialog, LogSideEffectDialog)
    assert dialog.onset.text() == f"{picked.astimezone():%H:%M}"
    choose(dialog.effect, "Nausea")
    click(qtbot, dialog.grades[Grade.MILD])
    choose(dialog.relationship, "Probable")
    click(qtbot, dialog.save_button)

    (effect,) = services.side_effects.for_session(nurse, record.id)
    assert effect.onset_at == picked.replace(second=0, microsecond=0)
    labels = [m.text for m in view.monitor.chart.markers() if m.kind == "side_effect"]
    assert labels == ["Nausea (grade 1)"]


def test_a_signed_record_changed_behind_the_console_is_flagged_in_red(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock, database_url
):
    from sqlalchemy import create_engine, text

    from console.domain.bedside import DischargeChecklist
    from tests.ui.session_support import no_side_effects_review

    record = running(services, nurse)
    clock.advance(timedelta(hours=4))
    services.sessions.stop(nurse, record.id, completed=True)
    services.sessions.discharge(nurse, record.id, DischargeChecklist(
        padss=10, alert_as_baseline=True, no_hallucinations=True, vitals_within_20_percent=True,
        escort_present=True, no_driving_advised=True))
    no_side_effects_review(services, nurse, record.id)
    services.sessions.sign(nurse, record.id, password="nurse-demo-1")
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text('UPDATE vital_sign SET "values" = :tampered '
                                'WHERE session_id = :sid'),
                           {"tampered": '{"heart_rate": 60}', "sid": record.id})
    engine.dispose()
    view = open_view(qtbot, services, nurse, clock, record.id)
    assert "NO LONGER MATCHES ITS SIGNATURE" in view.locked_banner.text()
    assert view.locked_banner.property("kind") == "danger"


def test_the_chart_reads_monitor_sets_once_then_only_new_ones(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse)
    stored = []
    for _ in range(3):
        clock.advance(timedelta(seconds=15))
        update = services.monitoring.ingest(
            record.id, [DeviceValue("heart_rate", 80, clock.now())], device="Bed 3 monitor")
        stored.append(update.vital.id)
    view = open_view(qtbot, services, nurse, clock, record.id)
    assert set(stored) <= view.monitor.charted
    _x, y = view.monitor.chart.series("heart_rate")
    assert list(y[-3:]) == [80, 80, 80]  # after the baseline set
    clock.advance(timedelta(seconds=15))
    later = services.monitoring.ingest(
        record.id, [DeviceValue("heart_rate", 95, clock.now())], device="Bed 3 monitor")
    view.reload()  # no bridge on this PC: the re-read catches up with what was stored
    assert later.vital.id in view.monitor.charted
    _x, y = view.monitor.chart.series("heart_rate")
    assert list(y[-4:]) == [80, 80, 80, 95]
