"""The gates before the start on the session screen: the blood-pressure override given on the
spot by a clinician, reasons for warnings, cancelling before the start; and the bolus."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import Qt

from console.domain.dosing import DoseOrder
from console.domain.drugs import DosingForm, Drug
from console.domain.library import default_ketamine_iv
from console.domain.protocols import Titration
from console.domain.vitals import VitalValues
from console.errors import AuthenticationFailed
from console.services.audit import AuditFilter
from console.services.protocols import ProtocolDraft
from console.services.session_records import SessionStage
from console.ui.session import SessionView
from console.ui.session.today import TodayView
from tests.ui.session_support import double_checked, programmed


def checked(services, nurse):  # type: ignore[no-untyped-def]
    """Programmed and double-checked by a second nurse: only the baseline vitals are left."""
    record = programmed(services, nurse)
    return double_checked(services, record)


def open_view(qtbot, services, nurse, clock, session_id: int) -> SessionView:  # type: ignore[no-untyped-def]
    view = SessionView(services=services, actor=nurse, clock=clock, session_id=session_id)
    qtbot.addWidget(view)
    view.resize(1400, 880)
    view.show()
    qtbot.waitExposed(view)
    return view


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isVisible(), f"{button.objectName()} is hidden"
    assert button.isEnabled(), f"{button.objectName()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def baseline(qtbot, view: SessionView, systolic: str, diastolic: str) -> None:  # type: ignore[no-untyped-def]
    edits = view.baseline.edits
    for name, text in (("heart_rate", "72"), ("systolic", systolic),
                       ("diastolic", diastolic), ("spo2", "98"), ("respiratory_rate", "14")):
        qtbot.keyClicks(edits[name], text)
    qtbot.keyClick(edits["respiratory_rate"], Qt.Key.Key_Return)


def audit(services, action: str):  # type: ignore[no-untyped-def]
    reader = services.auth.sign_in("admin", "clinic-demo-1")
    return services.audit.search(reader, AuditFilter(action_prefix=action))


# ---------------------------------------------------------------------- the BP gate
def test_a_clinician_overrides_the_bp_gate_on_the_nurses_screen(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = checked(services, nurse)
    view = open_view(qtbot, services, nurse, clock, record.id)
    checklist = view.checklist
    baseline(qtbot, view, "190", "95")
    assert checklist.status_of("bp_gate") == "failed"
    assert "190/95 mmHg is above 180/100" in checklist.check_labels["bp_gate"].text()
    assert not checklist.start_button.isEnabled()
    assert "blood pressure before start" in checklist.blocked.text()
    assert checklist.override_box.isVisible()
    for field in (checklist.override_user, checklist.override_password,
                  checklist.override_reason, checklist.override_button):
        assert field.isVisible(), field.objectName()
    assert checklist.override_user.text() == "", "a nurse's screen: the clinician types theirs"

    # A wrong clinician password is refused where it was typed.
    qtbot.keyClicks(checklist.override_user, "dpatel")
    qtbot.keyClicks(checklist.override_password, "not-the-password")
    qtbot.keyClicks(checklist.override_reason, "Known hypertension, reviewed at the bedside")
    click(qtbot, checklist.override_button)
    assert checklist.message.isVisible()
    assert checklist.message.text() == AuthenticationFailed.GENERIC
    assert checklist.override_password.text() == "", "a refused password is not kept"
    assert checklist.override_user.text() == "dpatel"
    assert checklist.override_reason.text() == "Known hypertension, reviewed at the bedside"
    assert checklist.status_of("bp_gate") == "failed"
    assert not checklist.start_button.isEnabled()
    assert audit(services, "session.check_overridden") == []

    # A nurse cannot override, even with her own correct password.
    checklist.override_user.clear()
    qtbot.keyClicks(checklist.override_user, "tlopez")
    qtbot.keyClicks(checklist.override_password, "nurse-demo-2")
    click(qtbot, checklist.override_button)
    assert checklist.message.isVisible()
    assert checklist.status_of("bp_gate") == "failed"
    assert audit(services, "session.check_overridden") == []

    # The clinician, on the spot.
    checklist.override_user.clear()
    qtbot.keyClicks(checklist.override_user, "dpatel")
    qtbot.keyClicks(checklist.override_password, "doctor-demo-1")
    qtbot.keyClick(checklist.override_password, Qt.Key.Key_Return)  # Enter overrides
    assert not checklist.message.isVisible()
    assert checklist.status_of("bp_gate") == "passed"
    shown = checklist.check_labels["bp_gate"].text()
    assert "Overridden by Dr Priya Patel" in shown
    assert "Known hypertension, reviewed at the bedside" in shown
    assert not checklist.override_box.isVisible()
    assert checklist.start_button.isEnabled()
    overridden = audit(services, "session.check_overridden")
    assert len(overridden) == 1
    assert overridden[0].actor_id == services.auth.sign_in("dpatel", "doctor-demo-1").user_id
    assert overridden[0].reason == "Known hypertension, reviewed at the bedside"

    click(qtbot, checklist.start_button)
    assert view.stage_label.text() == "RUNNING"
    started = services.sessions.get(nurse, record.id)
    assert started.stage is SessionStage.RUNNING


def test_an_override_needs_a_reason(qtbot, services, nurse, clock):  # type: ignore[no-untyped-def]
    record = checked(services, nurse)
    services.sessions.record_vitals(nurse, record.id, VitalValues(
        heart_rate=72, systolic=195, diastolic=105, spo2=98, respiratory_rate=14))
    view = open_view(qtbot, services, nurse, clock, record.id)
    checklist = view.checklist
    qtbot.keyClicks(checklist.override_user, "dpatel")
    qtbot.keyClicks(checklist.override_password, "doctor-demo-1")
    click(qtbot, checklist.override_button)
    assert checklist.message.text() == ("Give a reason for overriding the check (at least a few "
                                        "words).")
    assert checklist.override_reason.property("invalid") is True
    assert checklist.status_of("bp_gate") == "failed"
    assert not checklist.start_button.isEnabled()


def test_a_clinicians_own_screen_offers_their_user_name(qtbot, services, nurse, clock):  # type: ignore[no-untyped-def]
    record = checked(services, nurse)
    services.sessions.record_vitals(nurse, record.id, VitalValues(
        heart_rate=72, systolic=190, diastolic=95, spo2=98, respiratory_rate=14))
    patel = services.auth.sign_in("dpatel", "doctor-demo-1")
    view = open_view(qtbot, services, patel, clock, record.id)
    checklist = view.checklist
    assert checklist.override_user.text() == "dpatel"
    qtbot.keyClicks(checklist.override_password, "doctor-demo-1")
    qtbot.keyClicks(checklist.override_reason, "Chronic hypertension, asymptomatic")
    click(qtbot, checklist.override_button)
    assert checklist.status_of("bp_gate") == "passed"
    assert "Overridden by Dr Priya Patel" in checklist.check_labels["bp_gate"].text()


# ---------------------------------------------------------------------- warnings at Start
def test_a_raised_bp_is_a_warning_and_start_waits_for_a_reason(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = checked(services, nurse)
    view = open_view(qtbot, services, nurse, clock, record.id)
    checklist = view.checklist
    baseline(qtbot, view, "165", "85")
    assert checklist.status_of("bp_gate") == "warning"
    assert not checklist.override_box.isVisible()
    reason = checklist.warning_reasons["bp_gate"]
    qtbot.waitUntil(reason.isVisible, timeout=3000)  # a new row is shown on the next turn
    assert checklist.start_button.isEnabled(), "a warning does not block; it needs a reason"

    click(qtbot, checklist.start_button)
    assert checklist.message.isVisible()
    assert "165/85 mmHg is raised" in checklist.message.text()
    assert checklist.warning_reasons["bp_gate"].property("invalid") is True
    assert view.stage_label.text() == "Preparing"

    qtbot.keyClicks(checklist.warning_reasons["bp_gate"], "Clinician informed, anxious today")
    click(qtbot, checklist.start_button)
    assert view.stage_label.text() == "RUNNING"
    assert any("Started" in line and "bp_gate: Clinician informed, anxious today" in line
               for line in view.timeline.lines())


# ---------------------------------------------------------------------- cancelling
def test_cancelling_before_the_start_needs_a_reason_and_leaves_the_today_list(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = programmed(services, nurse)
    today = TodayView(services=services, actor=nurse, clock=clock)
    qtbot.addWidget(today)
    today.resize(1400, 880)
    today.show()
    qtbot.waitExposed(today)
    assert today.model.rowCount() == 1
    today.show_session(record.id)
    view = today.session_view
    assert view is not None
    cancel = view.cancel
    assert cancel.isVisible()
    assert not cancel.reason.isVisible()

    click(qtbot, cancel.open_button)
    assert cancel.reason.isVisible()
    click(qtbot, cancel.confirm_button)
    assert cancel.message.text() == ("Give a reason for cancelling the session (at least a few "
                                     "words).")
    assert cancel.reason.property("invalid") is True
    assert services.sessions.get(nurse, record.id).stage is SessionStage.PREPARING

    click(qtbot, cancel.keep_button)
    assert not cancel.reason.isVisible()
    click(qtbot, cancel.open_button)
    qtbot.keyClicks(cancel.reason, "Patient unwell with a fever, rebooked")
    click(qtbot, cancel.confirm_button)

    assert today.session_view is None
    assert today.pages.currentIndex() == TodayView.LIST_PAGE
    assert today.model.rowCount() == 0, "a cancelled session is not an active one"
    assert today.cancelled_label.isVisible()
    assert today.cancelled_label.text().startswith("Cancelled before the start today: 1")
    assert today.message.text() == ("Session for ALVAREZ, Sofia cancelled: Patient unwell with "
                                    "a fever, rebooked.")
    stored = services.sessions.get(nurse, record.id)
    assert stored.stage is SessionStage.CANCELLED
    assert stored.cancelled_reason == "Patient unwell with a fever, rebooked"
    assert audit(services, "session.cancelled")[0].reason == (
        "Patient unwell with a fever, rebooked")


def test_a_cancelled_session_shows_why_and_takes_nothing_more(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = programmed(services, nurse)
    services.sessions.cancel(nurse, record.id, reason="Pump fault, no spare pump")
    view = open_view(qtbot, services, nurse, clock, record.id)
    assert view.stage_label.text() == "Cancelled"
    assert view.locked_banner.text() == "Cancelled: Pump fault, no spare pump"
    assert not view.cancel.isVisible()
    assert not view.checklist.start_button.isEnabled()
    assert not view.weight.isEnabled()


def test_a_running_session_cannot_be_cancelled(qtbot, services, nurse, clock):  # type: ignore[no-untyped-def]
    record = checked(services, nurse)
    services.sessions.record_vitals(nurse, record.id, VitalValues(
        heart_rate=72, systolic=124, diastolic=78, spo2=98, respiratory_rate=14))
    services.sessions.start(nurse, record.id)
    view = open_view(qtbot, services, nurse, clock, record.id)
    assert not view.cancel.isVisible()
    assert not view.infusion_actions.buttons["bolus"].isEnabled(), "no bolus ordered"


# ---------------------------------------------------------------------- the bolus
def with_bolus(services, nurse) -> None:  # type: ignore[no-untyped-def]
    """DEMO0005's protocol revised to order a 0.2 mg/kg bolus over 5 min, and verified."""
    patel = services.auth.sign_in("dpatel", "doctor-demo-1")
    okafor = services.auth.sign_in("dokafor", "doctor-demo-2")
    entry = services.library.create_draft(patel, replace(
        default_ketamine_iv(), name="Ketamine bolus and infusion", bolus_allowed=True))
    services.library.approve(patel, entry.id, password="doctor-demo-1")
    patient = services.patients.search(nurse, "DEMO0005")[0]
    current = services.protocols.in_force(patel, patient.id)
    revised = services.protocols.revise(patel, current.id, ProtocolDraft(
        library_entry_id=entry.id,
        order=DoseOrder(Drug.KETAMINE, DosingForm.RATE_DURATION,
                        concentration_mg_per_ml=Decimal(1), rate_mg_per_kg_h=Decimal("0.35"),
                        duration_minutes=Decimal(240), bolus_mg_per_kg=Decimal("0.2"),
                        bolus_minutes=Decimal(5)),
        course=current.course, titration=Titration(Decimal("0.1"), Decimal("0.5")),
        planning_weight_kg=Decimal(70)))
    services.protocols.verify(okafor, revised.id, password="doctor-demo-2")


def test_the_ordered_bolus_is_recorded_and_more_is_refused(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    with_bolus(services, nurse)
    record = checked(services, nurse)
    services.sessions.record_vitals(nurse, record.id, VitalValues(
        heart_rate=72, systolic=124, diastolic=78, spo2=98, respiratory_rate=14))
    services.sessions.start(nurse, record.id)
    view = open_view(qtbot, services, nurse, clock, record.id)
    actions = view.infusion_actions
    click(qtbot, actions.buttons["bolus"])
    assert actions.bolus.isVisible()
    assert not actions.reason.isVisible()

    qtbot.keyClicks(actions.bolus.edit, "20")
    click(qtbot, actions.confirm)
    assert actions.message.text() == "The ordered bolus is 14 mg; 20 mg is more. Not allowed."
    assert actions.bolus.text() == "20", "what was typed is kept"
    assert not any("Bolus" in line for line in view.timeline.lines())

    actions.bolus.edit.clear()
    qtbot.keyClicks(actions.bolus.edit, "14 mg")
    qtbot.keyClick(actions.bolus.edit, Qt.Key.Key_Return)  # Enter records
    assert actions.message.text() == "Recorded."
    assert not actions.bolus.isVisible()
    assert any("Bolus 14 mg" in line and "Nora Kim, RN" in line
               for line in view.timeline.lines())
    assert view.live.delivered.text() == "14 mg"
