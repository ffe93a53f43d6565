"""The patient record's side effects across sessions, follow-ups between sessions, and the
clinic's prompts, against the real services on the demonstration clinic."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from console.domain.bedside import DischargeChecklist
from console.domain.side_effects import (
    FollowUpKind,
    Grade,
    Outcome,
    Relationship,
    SideEffectDraft,
    TreatmentDraft,
)
from console.ui.patients.detail import PatientDetailPanel
from console.ui.side_effects.follow_up import FollowUpDialog
from tests.ui.session_support import click, demo_nurse, running

MRN = "DEMO0005"


@pytest.fixture
def nurse(services):  # type: ignore[no-untyped-def]
    return demo_nurse(services)


def signed_session_with_nausea(services, nurse, clock):  # type: ignore[no-untyped-def]
    """A whole session: nausea grade 2 treated with ondansetron, resolved, then signed."""
    record = running(services, nurse, clock, MRN)
    services.side_effects.log(nurse, record.id, SideEffectDraft(
        "nausea", Grade.MODERATE, False, Relationship.PROBABLE,
        treatments=(TreatmentDraft("ondansetron", "4", "iv"),)))
    clock.advance(timedelta(minutes=15))
    (effect,) = services.side_effects.for_session(nurse, record.id)
    services.side_effects.set_outcome(nurse, effect.id, Outcome.RESOLVED,
                                      resolved_at=clock.now())
    services.sessions.stop(nurse, record.id, completed=False, reason="Patient asked to stop")
    terms = services.side_effects.lists(nurse).effects.codes
    answers = dict.fromkeys(terms)
    answers["nausea"] = 2
    services.side_effects.record_review(nurse, record.id, answers)
    services.sessions.discharge(nurse, record.id, DischargeChecklist(10, True, True, True, True,
                                                                     True))
    services.sessions.sign(nurse, record.id, password="nurse-demo-1")
    return record


def open_record(qtbot, services, nurse) -> PatientDetailPanel:  # type: ignore[no-untyped-def]
    panel = PatientDetailPanel(services=services, actor=nurse)
    qtbot.addWidget(panel)
    panel.resize(1300, 1200)
    panel.show()
    panel.show_patient(services.patients.search(nurse, MRN)[0])
    return panel


def cells(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    model = table.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def add_dialog(qtbot, record) -> FollowUpDialog:  # type: ignore[no-untyped-def]
    click(qtbot, record.side_effects.add_button)
    dialog = record.side_effects.active_dialog
    assert isinstance(dialog, FollowUpDialog)
    return dialog


def test_effects_of_earlier_sessions_are_listed_and_urinary_symptoms_are_prompted(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    signed_session_with_nausea(services, nurse, clock)
    record = open_record(qtbot, services, nurse)
    history = record.side_effects
    ((when, effect, grade, serious, related, action, treatment, outcome),) = cells(
        history.effects_table)
    assert effect == "Nausea"
    assert grade == "2 (moderate)"
    assert serious == "no"
    assert related == "Probable"
    assert action == "Not changed"
    assert treatment == "ondansetron 4 mg IV"
    assert outcome.startswith("Resolved")
    assert when.startswith("24 Nov 2026")
    assert history.prompt_banner.isVisible()
    assert "Ask about urinary symptoms" in history.prompt_banner.text()

    dialog = add_dialog(qtbot, record)
    assert dialog.kind.currentText() == "Urinary symptoms"  # from the prompt
    dialog.text.setPlainText("No frequency, urgency or pain; no blood seen.")
    click(qtbot, dialog.accept_button)
    assert not history.prompt_banner.isVisible()
    ((_day, kind, findings, by),) = cells(history.follow_table)
    assert kind == "Urinary symptoms"
    assert findings == "No frequency, urgency or pain; no blood seen."
    assert by.startswith("Nora Kim, RN")


def test_liver_test_values_are_saved_with_their_date(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = open_record(qtbot, services, nurse)
    history = record.side_effects
    assert history.effects_empty.isVisible()
    dialog = add_dialog(qtbot, record)
    dialog.choose_kind(FollowUpKind.LIVER_TESTS)
    assert dialog.liver_box.isVisible()
    dialog.observed_on.set_value((clock.now() - timedelta(days=3)).date())
    for name, value in (("alt_u_per_l", "32"), ("ast_u_per_l", "28"), ("ggt_u_per_l", "41"),
                        ("bilirubin", "12")):
        qtbot.keyClicks(dialog.liver[name], value)
    click(qtbot, dialog.accept_button)

    patient = services.patients.search(nurse, MRN)[0]
    (saved,) = services.side_effects.follow_ups(nurse, patient.id)
    assert saved.kind is FollowUpKind.LIVER_TESTS
    assert saved.observed_on == (clock.now() - timedelta(days=3)).date()
    assert saved.liver is not None
    assert saved.liver.alt_u_per_l == Decimal(32)
    assert saved.liver.bilirubin == Decimal(12)
    ((day, kind, findings, _by),) = cells(history.follow_table)
    assert day == "21 Nov 2026"
    assert kind == "Liver tests"
    assert findings == "ALT 32 U/L, AST 28 U/L, GGT 41 U/L, bilirubin 12 µmol/L"
    assert "Follow-up saved: liver tests" in history.message.text()


def test_a_liver_value_that_is_not_a_number_is_refused_in_place(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = open_record(qtbot, services, nurse)
    dialog = add_dialog(qtbot, record)
    dialog.choose_kind(FollowUpKind.LIVER_TESTS)
    qtbot.keyClicks(dialog.liver["alt_u_per_l"], "32")
    qtbot.keyClicks(dialog.liver["ast_u_per_l"], "2,8")
    click(qtbot, dialog.accept_button)

    assert dialog.isVisible()
    assert "'2,8' is not a number" in dialog.message.text()
    assert dialog.liver["ast_u_per_l"].property("invalid") is True
    assert dialog.liver["alt_u_per_l"].text() == "32"
    patient = services.patients.search(nurse, MRN)[0]
    assert services.side_effects.follow_ups(nurse, patient.id) == ()


def test_a_follow_up_dated_in_the_future_is_refused(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = open_record(qtbot, services, nurse)
    dialog = add_dialog(qtbot, record)
    dialog.choose_kind(FollowUpKind.PSYCHIATRIC)
    dialog.observed_on.set_value((clock.now() + timedelta(days=2)).date())
    dialog.text.setPlainText("Vivid dreams for two nights after the session.")
    click(qtbot, dialog.accept_button)
    assert "in the future" in dialog.message.text()
    assert dialog.observed_on.property("invalid") is True
    assert dialog.text.toPlainText() == "Vivid dreams for two nights after the session."
