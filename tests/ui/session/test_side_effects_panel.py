"""Side effects on the session screen: the panel, the timeline, the discharge review and the
signature, against the real services on the demonstration clinic."""

from __future__ import annotations

from datetime import timedelta

from console.domain.infusion import EventKind
from console.domain.side_effects import Grade, InfusionAction
from console.ui.session import SessionView
from console.ui.side_effects.log_dialog import LogSideEffectDialog
from console.ui.side_effects.notify import NotifyDialog
from console.ui.side_effects.update_dialog import UpdateSideEffectDialog
from tests.ui.session_support import choose, click, running


def open_view(qtbot, services, nurse, clock, session_id: int) -> SessionView:  # type: ignore[no-untyped-def]
    view = SessionView(services=services, actor=nurse, clock=clock, session_id=session_id)
    qtbot.addWidget(view)
    view.resize(1400, 900)
    view.show()
    return view


def log_from_panel(qtbot, view, effect: str, grade: Grade, *,  # type: ignore[no-untyped-def]
                   action: InfusionAction | None = None) -> LogSideEffectDialog:
    click(qtbot, view.side_effects.log_button)
    dialog = view.side_effects.active_dialog
    assert isinstance(dialog, LogSideEffectDialog)
    choose(dialog.effect, effect)
    click(qtbot, dialog.grades[grade])
    choose(dialog.relationship, "Probable")
    if action is not None:
        click(qtbot, dialog.action_buttons[action])
    click(qtbot, dialog.save_button)
    return dialog


def test_a_logged_effect_stays_open_on_the_screen_and_goes_on_the_timeline(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse, clock)
    view = open_view(qtbot, services, nurse, clock, record.id)
    panel = view.side_effects
    assert panel.isVisible()
    assert panel.summary.text() == "None logged."
    with qtbot.waitSignal(panel.effects_changed) as emitted:
        log_from_panel(qtbot, view, "Nausea", Grade.MODERATE)

    (effect,) = emitted.args[0]
    assert effect.term == "Nausea"
    (row,) = panel.rows
    assert row.property("state") == "open"
    assert row.headline.text() == "Nausea — grade 2 (moderate)"
    assert not row.flag.isVisible()
    assert panel.summary.text() == "1 open"
    clock.advance(timedelta(minutes=12))
    view.reload()
    assert row.age.text() == "open 12 min"
    assert any("◆ Side effect: Nausea, Grade 2 (moderate)" in line
               for line in view.timeline.lines())

    click(qtbot, row.update_button)
    update = panel.active_dialog
    assert isinstance(update, UpdateSideEffectDialog)
    choose(update.outcome, "Resolved")
    click(qtbot, update.save_button)
    (row,) = panel.rows
    assert row.property("state") == "closed"
    assert row.age.text() == f"resolved {clock.now().astimezone():%H:%M}"
    assert panel.summary.text() == "0 open, 1 resolved"
    assert any("Nausea: resolved" in line for line in view.timeline.lines())


def test_a_grade_3_effect_is_amber_until_the_clinician_notification_is_recorded(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse, clock)
    view = open_view(qtbot, services, nurse, clock, record.id)
    panel = view.side_effects
    dialog = log_from_panel(qtbot, view, "Hypertension", Grade.SEVERE)
    assert dialog.asking_notification
    click(qtbot, dialog.later_button)  # the nurse goes to the patient first

    (row,) = panel.rows
    assert row.property("state") == "notify"
    assert row.flag.isVisible()
    assert "NEEDS CLINICIAN NOTIFICATION" in row.flag.text()
    assert "waiting for clinician notification" in panel.summary.text()

    click(qtbot, row.notify_button)
    notify = panel.active_dialog
    assert isinstance(notify, NotifyDialog)
    notify.form.choose("Dr Chidi Okafor")
    click(qtbot, notify.form.record_button)
    (row,) = panel.rows
    assert row.property("state") == "open"
    assert not row.flag.isVisible()
    assert "Dr Chidi Okafor told" in row.detail.text()
    assert any("Dr Chidi Okafor told of Hypertension" in line for line in view.timeline.lines())


def test_paused_from_the_log_pauses_the_screen_once(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse, clock)
    view = open_view(qtbot, services, nurse, clock, record.id)
    log_from_panel(qtbot, view, "Vomiting", Grade.MODERATE, action=InfusionAction.PAUSED)

    assert view.stage_label.text() == "PAUSED"
    assert view.infusion_actions.buttons["resume"].isEnabled()
    pauses = [line for line in view.timeline.lines() if "Paused" in line]
    assert len(pauses) == 1
    assert "Side effect: Vomiting" in pauses[0]
    (effect,) = view.side_effects.effects
    after = services.sessions.get(nurse, record.id)
    assert [e.kind for e in after.events] == [EventKind.START, EventKind.PAUSE]
    assert effect.linked_event_id is not None
    assert "infusion: paused" in view.side_effects.rows[0].detail.text()


def test_the_discharge_review_is_prefilled_and_signing_waits_for_the_open_effect(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse, clock)
    view = open_view(qtbot, services, nurse, clock, record.id)
    log_from_panel(qtbot, view, "Nausea", Grade.MODERATE)
    clock.advance(timedelta(minutes=20))
    actions = view.infusion_actions
    click(qtbot, actions.buttons["stop"])
    click(qtbot, actions.confirm)  # completed as planned
    assert view.stage_label.text() == "Recovery"

    review = view.side_effect_review
    assert review.isVisible()
    nausea = review.rows["nausea"]
    assert nausea.present.isChecked()
    assert nausea.grade.currentText() == "Grade 2 (moderate)"
    assert nausea.label.property("logged") is True
    click(qtbot, review.save_button)  # the other items are not answered yet
    assert "Answer every item" in review.message.text()
    assert review.rows["headache"].none.property("invalid") is True
    assert nausea.present.isChecked()  # nothing chosen is lost

    click(qtbot, review.rest_none_button)
    click(qtbot, review.save_button)
    assert review.message.text() == "Review saved."
    assert "Nausea (grade 2)" in review.status.text()
    assert review.blockers.isVisible()
    assert "Nausea (onset" in review.blockers.text()
    assert "has no outcome" in review.blockers.text()

    view.discharge.padss.setValue(10)
    for box in view.discharge.boxes.values():
        box.setChecked(True)
    click(qtbot, view.discharge.save_button)
    assert view.sign.isVisible()
    qtbot.keyClicks(view.sign.password, "nurse-demo-1")
    click(qtbot, view.sign.sign_button)
    assert "cannot be signed yet" in view.sign.message.text()
    assert "has no outcome" in view.sign.message.text()
    assert not view.locked_banner.isVisible()

    (row,) = view.side_effects.rows
    click(qtbot, row.update_button)
    update = view.side_effects.active_dialog
    assert isinstance(update, UpdateSideEffectDialog)
    choose(update.outcome, "Resolved")
    click(qtbot, update.save_button)
    assert not review.blockers.isVisible()
    qtbot.keyClicks(view.sign.password, "nurse-demo-1")
    click(qtbot, view.sign.sign_button)
    assert view.locked_banner.isVisible()
    assert not view.side_effects.log_button.isVisible()
    assert not view.side_effects.rows[0].update_button.isVisible()
