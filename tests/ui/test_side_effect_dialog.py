"""Logging a side effect in one step, against the real services on the demonstration clinic."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from console.domain.infusion import EventKind, PumpState
from console.domain.side_effects import Grade, InfusionAction, Outcome
from console.ui.side_effects.log_dialog import LogSideEffectDialog
from tests.ui.session_support import choose, click, demo_nurse, running


@pytest.fixture
def nurse(services):  # type: ignore[no-untyped-def]
    return demo_nurse(services)


def open_dialog(qtbot, services, nurse, clock, session_id: int, **kw) -> LogSideEffectDialog:  # type: ignore[no-untyped-def]
    dialog = LogSideEffectDialog(side_effects=services.side_effects, sessions=services.sessions,
                                 actor=nurse, clock=clock, session_id=session_id, **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill_nausea(qtbot, dialog, grade: int = 2) -> None:  # type: ignore[no-untyped-def]
    choose(dialog.effect, "Nausea")
    click(qtbot, dialog.grades[Grade(grade)])
    choose(dialog.relationship, "Probable")


def logged(services, nurse, session_id: int):  # type: ignore[no-untyped-def]
    return services.side_effects.for_session(nurse, session_id)


def test_nausea_grade_2_with_ondansetron_4_mg_iv_is_logged_in_one_step(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse, clock)
    dialog = open_dialog(qtbot, services, nurse, clock, record.id)
    fill_nausea(qtbot, dialog)
    click(qtbot, dialog.treatments.add_button)
    row = dialog.treatments.rows[0]
    choose(row.drug, "ondansetron")
    assert row.range.text() == "list: 4–8 mg"
    assert [row.route.itemText(i) for i in range(row.route.count())] == ["IV", "PO"]
    assert row.given_by.text() == "Nora Kim, RN"
    qtbot.keyClicks(row.dose, "4")
    with qtbot.waitSignal(dialog.accepted):
        click(qtbot, dialog.save_button)

    (effect,) = logged(services, nurse, record.id)
    assert effect.term == "Nausea"
    assert effect.grade is Grade.MODERATE
    assert effect.action is InfusionAction.NOT_CHANGED
    assert effect.onset_at == clock.now()
    assert effect.is_open
    assert effect.outcome is None
    (treatment,) = effect.treatments
    assert (treatment.medication_name, treatment.dose, treatment.route.label,
            treatment.given_by) == ("ondansetron", Decimal(4), "IV", "Nora Kim, RN")
    assert not dialog.asking_notification  # grade 2: no clinician prompt


def test_other_with_an_empty_description_is_refused_in_place_and_nothing_is_lost(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse, clock)
    dialog = open_dialog(qtbot, services, nurse, clock, record.id)
    choose(dialog.effect, "Other (describe)")
    assert dialog.other_text.isVisible()
    click(qtbot, dialog.grades[Grade.MILD])
    choose(dialog.relationship, "Possible")
    qtbot.keyClicks(dialog.notes, "Jaw clenching on and off")
    click(qtbot, dialog.save_button)

    assert dialog.isVisible()
    assert "Describe the effect" in dialog.message.text()
    assert dialog.other_text.property("invalid") is True
    assert dialog.focusWidget() is dialog.other_text
    assert dialog.notes.toPlainText() == "Jaw clenching on and off"
    assert dialog.grades[Grade.MILD].isChecked()
    assert logged(services, nurse, record.id) == ()

    qtbot.keyClicks(dialog.other_text, "jaw tension")
    with qtbot.waitSignal(dialog.accepted):
        click(qtbot, dialog.save_button)
    (effect,) = logged(services, nurse, record.id)
    assert effect.term == "Other: jaw tension"
    assert effect.notes == "Jaw clenching on and off"


def test_an_onset_in_the_future_is_refused_with_the_onset_marked(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse, clock)
    dialog = open_dialog(qtbot, services, nurse, clock, record.id)
    fill_nausea(qtbot, dialog)
    later = (clock.now() + timedelta(hours=1)).astimezone()
    qtbot.keyClicks(dialog.onset, f"{later:%H:%M}")
    click(qtbot, dialog.save_button)

    assert dialog.onset.property("invalid") is True
    if later.date() == clock.now().astimezone().date():
        assert "in the future" in dialog.message.text()
    assert dialog.onset.text() == f"{later:%H:%M}"
    assert logged(services, nurse, record.id) == ()


def test_a_rescue_dose_outside_the_list_is_refused_with_the_allowed_range(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse, clock)
    dialog = open_dialog(qtbot, services, nurse, clock, record.id)
    fill_nausea(qtbot, dialog)
    row = dialog.treatments.add_row("ondansetron")
    qtbot.keyClicks(row.dose, "20")
    click(qtbot, dialog.save_button)

    assert "4–8 mg" in dialog.message.text()
    assert row.dose.property("invalid") is True
    assert row.dose.text() == "20"
    assert logged(services, nurse, record.id) == ()


def test_paused_pauses_the_infusion_once_and_links_the_effect_to_that_pause(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse, clock)
    dialog = open_dialog(qtbot, services, nurse, clock, record.id)
    fill_nausea(qtbot, dialog)
    click(qtbot, dialog.action_buttons[InfusionAction.PAUSED])
    assert dialog.entry.currentText() == "Pause the infusion now"
    assert dialog.save_button.text() == "Pause and log"
    changed = []
    dialog.record_changed.connect(changed.append)
    with qtbot.waitSignal(dialog.accepted):
        click(qtbot, dialog.save_button)

    after = services.sessions.get(nurse, record.id)
    assert after.progress.state is PumpState.PAUSED
    pauses = [e for e in after.events if e.kind is EventKind.PAUSE]
    assert len(pauses) == 1
    assert pauses[0].reason == "Side effect: Nausea"
    (effect,) = logged(services, nurse, record.id)
    assert effect.action is InfusionAction.PAUSED
    (link,) = services.side_effects.linkable_events(nurse, record.id)
    assert effect.linked_event_id == link.id
    assert link.linked_effect_ids == (effect.id,)
    assert changed
    assert changed[-1].progress.state is PumpState.PAUSED


def test_a_refused_infusion_action_saves_nothing_at_all(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse, clock)
    dialog = open_dialog(qtbot, services, nurse, clock, record.id)
    fill_nausea(qtbot, dialog)
    click(qtbot, dialog.action_buttons[InfusionAction.RATE_REDUCED])
    assert dialog.new_rate.isVisible()
    qtbot.keyClicks(dialog.new_rate.edit, "3")  # below the titration range
    click(qtbot, dialog.save_button)

    assert dialog.isVisible()
    assert "Nothing was saved" in dialog.message.text()
    assert dialog.new_rate.input.property("invalid") is True
    after = services.sessions.get(nurse, record.id)
    assert [e.kind for e in after.events] == [EventKind.START]
    assert logged(services, nurse, record.id) == ()

    dialog.new_rate.edit.clear()
    qtbot.keyClicks(dialog.new_rate.edit, "14")
    with qtbot.waitSignal(dialog.accepted):
        click(qtbot, dialog.save_button)
    after = services.sessions.get(nurse, record.id)
    assert after.progress.rate_ml_per_h == Decimal(14)
    (effect,) = logged(services, nurse, record.id)
    assert effect.action is InfusionAction.RATE_REDUCED


def test_a_form_fault_is_found_before_the_infusion_is_touched(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse, clock)
    dialog = open_dialog(qtbot, services, nurse, clock, record.id)
    choose(dialog.effect, "Vomiting")
    click(qtbot, dialog.grades[Grade.MODERATE])  # no relationship chosen
    click(qtbot, dialog.action_buttons[InfusionAction.STOPPED])
    click(qtbot, dialog.save_button)

    assert dialog.relationship.property("invalid") is True
    assert services.sessions.get(nurse, record.id).progress.state is PumpState.RUNNING
    assert logged(services, nurse, record.id) == ()


def test_grade_3_asks_to_notify_the_clinician_and_records_who_and_when(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse, clock)
    dialog = open_dialog(qtbot, services, nurse, clock, record.id)
    choose(dialog.effect, "Hypertension")
    click(qtbot, dialog.grades[Grade.SEVERE])
    choose(dialog.relationship, "Probable")
    click(qtbot, dialog.save_button)

    assert dialog.isVisible()
    assert dialog.asking_notification
    form = dialog.notify_form
    assert form is not None
    assert form.title.text() == "Notify the clinician now"
    assert "grade 3 (severe)" in form.reason.text()
    (effect,) = logged(services, nurse, record.id)
    assert effect.notification_pending

    clock.advance(timedelta(minutes=2))
    form.choose("Dr Priya Patel")
    with qtbot.waitSignal(dialog.accepted):
        click(qtbot, form.record_button)
    (effect,) = logged(services, nurse, record.id)
    assert effect.notification is not None
    assert effect.notification.clinician_name == "Dr Priya Patel"
    assert effect.notification.clinician_user_id is not None
    assert effect.notification.at == clock.now()


def test_a_clinician_without_an_account_can_be_named(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse, clock)
    dialog = open_dialog(qtbot, services, nurse, clock, record.id)
    fill_nausea(qtbot, dialog, grade=2)
    click(qtbot, dialog.serious_yes)
    click(qtbot, dialog.save_button)
    form = dialog.notify_form
    assert form is not None
    assert dialog.asking_notification
    form.choose("Dr Lee (on call)")
    with qtbot.waitSignal(dialog.accepted):
        click(qtbot, form.record_button)
    (effect,) = logged(services, nurse, record.id)
    assert effect.notification is not None
    assert effect.notification.clinician_name == "Dr Lee (on call)"
    assert effect.notification.clinician_user_id is None


def test_an_onset_picked_on_the_chart_is_preset_and_a_resolution_before_it_refused(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse, clock)
    picked = clock.now() - timedelta(minutes=10)
    dialog = open_dialog(qtbot, services, nurse, clock, record.id, onset=picked)
    assert dialog.onset.text() == f"{picked.astimezone():%H:%M}"
    fill_nausea(qtbot, dialog, grade=1)
    choose(dialog.outcome, "Resolved")
    assert dialog.resolved_at.isVisible()
    qtbot.keyClicks(dialog.resolved_at, f"{(picked - timedelta(minutes=5)).astimezone():%H:%M}")
    click(qtbot, dialog.save_button)
    assert dialog.resolved_at.property("invalid") is True
    assert "before the onset" in dialog.message.text()
    assert logged(services, nurse, record.id) == ()

    dialog.resolved_at.clear()
    with qtbot.waitSignal(dialog.accepted):
        click(qtbot, dialog.save_button)
    (effect,) = logged(services, nurse, record.id)
    assert effect.onset_at == picked.replace(second=0, microsecond=0)
    assert effect.outcome is Outcome.RESOLVED
    assert effect.resolved_at == clock.now()
    assert not effect.is_open


def test_the_log_is_keyboard_first_and_enter_saves(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse, clock)
    dialog = open_dialog(qtbot, services, nurse, clock, record.id)
    assert dialog.focusWidget() is dialog.effect
    qtbot.keyClicks(dialog.effect, "Na")
    assert dialog.effect.currentText() == "Nausea"
    qtbot.keyClick(dialog.grades[Grade.MILD], Qt.Key.Key_Space)
    qtbot.keyClicks(dialog.relationship, "Pos")
    assert dialog.relationship.currentText() == "Possible"
    qtbot.keyClicks(dialog.onset, f"{(clock.now() - timedelta(minutes=5)).astimezone():%H%M}")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.onset, Qt.Key.Key_Return)
    (effect,) = logged(services, nurse, record.id)
    assert effect.grade is Grade.MILD
    assert effect.onset_at == clock.now() - timedelta(minutes=5)
