"""The session screen against real services: what the nurse at the bedside would notice."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from console.domain.vitals import VitalValues
from console.ui.session import SessionView
from tests.ui.session_support import double_checked, no_side_effects_review, programmed


def running(services, nurse):  # type: ignore[no-untyped-def]
    record = programmed(services, nurse)
    double_checked(services, record)
    services.sessions.record_vitals(nurse, record.id, VitalValues(
        heart_rate=72, systolic=124, diastolic=78, spo2=98, respiratory_rate=14))
    return services.sessions.start(nurse, record.id)


def open_view(qtbot, services, nurse, clock, session_id: int) -> SessionView:  # type: ignore[no-untyped-def]
    view = SessionView(services=services, actor=nurse, clock=clock, session_id=session_id)
    qtbot.addWidget(view)
    view.resize(1400, 880)
    view.show()
    return view


def visible_text(root: QWidget) -> str:
    parts = [w.text() for w in root.findChildren(QLabel) if w.isVisible()]
    parts += [w.text() for w in root.findChildren(QLineEdit) if w.isVisible()]
    return "\n".join(parts)


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_checker_never_sees_the_program_and_a_mismatch_keeps_start_disabled(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = programmed(services, nurse)
    view = open_view(qtbot, services, nurse, clock, record.id)
    assert view.program.tiles["ml_h"].text() == "24.5 mL/h"  # the first nurse sees it

    click(qtbot, view.double_check.begin_button)
    assert view.blind_mode
    qtbot.keyClicks(view.blind.username, "tlopez")
    qtbot.keyClicks(view.blind.password, "nurse-demo-2")
    qtbot.keyClicks(view.blind.weight.edit, "70")
    qtbot.keyClicks(view.blind.concentration.edit, "1")
    qtbot.keyClicks(view.blind.rate.edit, "25")
    view.reload()  # the periodic re-read must not bring the figures back
    shown = visible_text(view)
    assert "24.5" not in shown
    assert "70 kg" not in shown
    assert "1 mg/mL" not in shown
    assert not view.program.isVisible()
    assert not view.checklist.isVisible()

    click(qtbot, view.blind.compare_button)
    assert not view.blind_mode
    assert view.double_check.mismatches.isVisible()
    assert "pump rate" in view.double_check.mismatches.text()
    assert not view.checklist.start_button.isEnabled()
    assert view.checklist.status_of("double_check") == "failed"


def test_a_match_and_baseline_vitals_enable_start_and_the_live_rate_shows(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = programmed(services, nurse)
    view = open_view(qtbot, services, nurse, clock, record.id)
    click(qtbot, view.double_check.begin_button)
    for edit, text in ((view.blind.username, "tlopez"), (view.blind.password, "nurse-demo-2"),
                       (view.blind.weight.edit, "70"), (view.blind.concentration.edit, "1"),
                       (view.blind.rate.edit, "24.5")):
        qtbot.keyClicks(edit, text)
    qtbot.keyClick(view.blind.rate.edit, Qt.Key.Key_Return)  # Enter compares
    assert "Matched" in view.double_check.status.text()
    assert not view.checklist.start_button.isEnabled()  # baseline vitals still missing

    edits = view.baseline.edits
    for name, text in (("heart_rate", "72"), ("systolic", "124"), ("diastolic", "78"),
                       ("spo2", "98"), ("respiratory_rate", "14")):
        qtbot.keyClicks(edits[name], text)
    qtbot.keyClick(edits["respiratory_rate"], Qt.Key.Key_Return)  # Enter saves
    assert view.checklist.status_of("baseline") == "passed"
    assert view.checklist.start_button.isEnabled()

    click(qtbot, view.checklist.start_button)
    assert view.stage_label.text() == "RUNNING"
    assert view.live.rate.text() == "24.5 mL/h"
    clock.advance(timedelta(minutes=30))
    view.reload()
    assert view.live.delivered.text() == "12.3 mg"  # 24.5 mL/h × 0.5 h × 1 mg/mL
    assert view.live.elapsed.text() == "30 min"


def test_pausing_needs_a_reason_shown_where_the_nurse_acted(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse)
    view = open_view(qtbot, services, nurse, clock, record.id)
    actions = view.infusion_actions
    click(qtbot, actions.buttons["pause"])
    click(qtbot, actions.confirm)
    assert actions.message.isVisible()
    assert "reason" in actions.message.text().lower()
    assert view.stage_label.text() == "RUNNING"

    qtbot.keyClicks(actions.reason, "Patient nauseated")
    click(qtbot, actions.confirm)
    assert view.stage_label.text() == "PAUSED"
    assert view.live.rate.text() == "PAUSED"
    assert actions.buttons["resume"].isEnabled()
    assert any("Paused — Patient nauseated" in line for line in view.timeline.lines())


def test_a_rate_outside_the_titration_range_asks_a_clinician_to_sign_in(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse)
    view = open_view(qtbot, services, nurse, clock, record.id)
    actions = view.infusion_actions
    click(qtbot, actions.buttons["rate"])
    qtbot.keyClicks(actions.rate.edit, "40")
    click(qtbot, actions.confirm)
    assert actions.clinician_user.isVisible()
    assert actions.clinician_password.isVisible()
    assert "clinician" in actions.message.text()
    assert actions.rate.text() == "40"  # what was typed is kept
    assert view.live.rate.text() == "24.5 mL/h"

    qtbot.keyClicks(actions.clinician_user, "dpatel")
    qtbot.keyClicks(actions.clinician_password, "doctor-demo-1")
    qtbot.keyClicks(actions.reason, "Pain not controlled")
    click(qtbot, actions.confirm)
    assert view.live.rate.text() == "40 mL/h"
    assert any("authorised by Dr Priya Patel" in line for line in view.timeline.lines())


def test_stop_discharge_sign_locks_the_record_and_an_addendum_appears_under_it(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse)
    clock.advance(timedelta(minutes=20))
    view = open_view(qtbot, services, nurse, clock, record.id)
    actions = view.infusion_actions
    click(qtbot, actions.buttons["stop"])
    actions.early.setChecked(True)
    qtbot.keyClicks(actions.reason, "Patient asked to stop")
    click(qtbot, actions.confirm)
    assert view.stage_label.text() == "Recovery"
    assert view.discharge.isVisible()
    assert not actions.isVisible()

    view.discharge.padss.setValue(8)
    for box in view.discharge.boxes.values():
        box.setChecked(True)
    click(qtbot, view.discharge.save_button)
    assert "PADSS is 8" in view.discharge.message.text()
    view.discharge.padss.setValue(10)
    click(qtbot, view.discharge.save_button)
    assert view.sign.isVisible()
    no_side_effects_review(services, nurse, record.id)

    qtbot.keyClicks(view.sign.password, "wrong-password")
    click(qtbot, view.sign.sign_button)
    assert view.sign.message.isVisible()
    assert not view.locked_banner.isVisible()
    qtbot.keyClicks(view.sign.password, "nurse-demo-1")
    click(qtbot, view.sign.sign_button)
    assert view.locked_banner.isVisible()
    assert "SIGNED AND LOCKED" in view.locked_banner.text()
    assert "Administered by Nora Kim, RN" in view.locked_banner.text()
    assert "Signature checked: the record is as signed." in view.locked_banner.text()
    assert not view.observations.isVisible()
    assert not view.sign.isVisible()
    assert not view.discharge.isVisible()

    click(qtbot, view.addenda.add_button)
    view.addenda.text.setPlainText("Mild nausea at 09:10 settled without treatment.")
    qtbot.keyClicks(view.addenda.reason, "Omitted from the record")
    qtbot.keyClicks(view.addenda.password, "nurse-demo-1")
    click(qtbot, view.addenda.save_button)
    assert "Mild nausea at 09:10" in view.addenda.listing.text()
    assert "Entered by Nora Kim, RN" in view.addenda.listing.text()
    assert view.locked_banner.isVisible()  # the original stays signed above


def test_a_silence_since_the_last_heartbeat_shows_as_a_gap_to_check(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse)
    start = clock.now().astimezone()
    clock.advance(timedelta(minutes=12))
    view = open_view(qtbot, services, nurse, clock, record.id)
    assert view.gap_banner.isVisible()
    assert (f"not running from {start:%H:%M} to "
            f"{(start + timedelta(minutes=12)):%H:%M}") in view.gap_banner.text()
    assert services.sessions.get(nurse, record.id).gap is None  # the screen said it is alive
    view.reload()
    assert view.gap_banner.isVisible()  # stays until the nurse has checked the pump
    click(qtbot, view.gap_ack)
    assert not view.gap_banner.isVisible()


def test_an_open_session_without_gap_shows_no_gap_banner(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse)
    clock.advance(timedelta(minutes=1))
    view = open_view(qtbot, services, nurse, clock, record.id)
    assert not view.gap_banner.isVisible()


def test_a_weight_read_in_pounds_is_converted_visibly_and_saved_in_kg(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    patient = services.patients.search(nurse, "DEMO0005")[0]
    record = services.sessions.check_in(nurse, patient.id)
    view = open_view(qtbot, services, nurse, clock, record.id)
    view.weight.unit.setCurrentIndex(1)
    qtbot.keyClicks(view.weight.reading, "154")
    assert "154 lb = 69.9 kg" in view.weight.converted.text()
    click(qtbot, view.weight.save_button)
    assert services.sessions.get(nurse, record.id).weight_kg == Decimal("69.9")
    assert "69.9 kg" in view.weight.current.text()
