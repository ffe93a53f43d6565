"""The alarm list and the acknowledge dialog, driven by real alarm books."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from console.domain.alarms import AlarmAction, AlarmParameter
from console.errors import ConflictError, UserFacingError
from console.ui.alarms import AcknowledgeAlarmDialog, AlarmListPanel
from console.ui.alarms.acknowledge import CHOOSE_ACTION
from console.ui.alarms.text import clock_time
from tests.ui.test_alarms_support import (
    HIGH_SPO2,
    HIGH_SPO2_MEDIUM_SBP,
    MEDIUM_SBP,
    NORMAL,
    Ward,
)


class Acknowledgements:
    """The call-back: records calls, raises what it is told to, and feeds the book on."""

    def __init__(self, ward: Ward) -> None:
        self.ward = ward
        self.calls: list[tuple[int, AlarmAction, str]] = []
        self.fail_with: UserFacingError | None = None

    def __call__(self, alarm_id: int, action: AlarmAction, note: str) -> None:
        self.calls.append((alarm_id, action, note))
        if self.fail_with is not None:
            raise self.fail_with
        self.ward.book = self.ward.book.acknowledge(alarm_id, by_name="Nora Kim, RN",
                                                    action=action, at=self.ward.now, note=note)


@pytest.fixture
def ward() -> Ward:
    return Ward()


@pytest.fixture
def acknowledgements(ward: Ward) -> Acknowledgements:
    return Acknowledgements(ward)


@pytest.fixture
def panel(qtbot, themed, acknowledgements):  # type: ignore[no-untyped-def]
    widget = AlarmListPanel(user_name="Nora Kim, RN", on_acknowledge=acknowledgements)
    qtbot.addWidget(widget)
    widget.resize(1000, 500)
    widget.show()
    return widget


def _open(panel, qtbot, row: int = 0) -> AcknowledgeAlarmDialog:  # type: ignore[no-untyped-def]
    button = panel.rows[row].acknowledge_button
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog_host.active_dialog
    assert isinstance(dialog, AcknowledgeAlarmDialog)
    return dialog


def _press_acknowledge(dialog: AcknowledgeAlarmDialog, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)


def test_no_alarms_says_so(panel, ward) -> None:  # type: ignore[no-untyped-def]
    panel.show_book(ward.observe(**NORMAL), ward.now)
    assert panel.rows == []
    assert panel.empty.isVisible()
    assert panel.empty.text() == "No alarms in this session."


def test_rows_show_priority_rule_times_and_acknowledgement(panel, ward) -> None:  # type: ignore[no-untyped-def]
    ward.observe(**MEDIUM_SBP)
    ward.advance(minutes=1)
    ward.acknowledge(AlarmParameter.SYSTOLIC, AlarmAction.RATE_REDUCED, note="to 20 mL/h")
    ward.advance(minutes=2)
    panel.show_book(ward.observe(**HIGH_SPO2_MEDIUM_SBP), ward.now)
    high, medium = panel.rows
    spo2, sbp = ward.alarm(AlarmParameter.SPO2), ward.alarm(AlarmParameter.SYSTOLIC)
    assert high.tag.text() == "*** HIGH"
    assert high.rule.text() == spo2.condition.rule
    assert high.history.text() == f"Raised {clock_time(spo2.raised_at)}"
    assert high.acknowledgement.text() == "Not acknowledged"
    assert high.acknowledge_button is not None
    assert medium.tag.text() == "** MEDIUM"
    assert medium.acknowledgement.text() == (
        f"Acknowledged {clock_time(sbp.acknowledged_at)} by Nora Kim, RN: "
        "Infusion rate reduced — to 20 mL/h")
    assert medium.acknowledge_button is None  # nothing left to acknowledge


def test_resolved_alarms_are_greyed_then_leave_the_list(panel, ward) -> None:  # type: ignore[no-untyped-def]
    ward.observe(**HIGH_SPO2)
    ward.advance(minutes=3)
    panel.show_book(ward.observe(**NORMAL), ward.now)
    (row,) = panel.rows
    assert row.property("state") == "resolved"
    assert row.rule.property("state") == "resolved"
    assert row.history.text().endswith(f"resolved {clock_time(ward.now)}")
    assert row.acknowledge_button is not None  # charting after the event is still possible
    ward.advance(minutes=15, seconds=1)
    panel.show_book(ward.book, ward.now)
    assert panel.rows == []


def test_an_escalation_shows_and_asks_for_a_new_acknowledgement(panel, ward) -> None:  # type: ignore[no-untyped-def]
    ward.observe(**{**NORMAL, "spo2": 93})
    ward.acknowledge(AlarmParameter.SPO2)
    ward.advance(minutes=1)
    panel.show_book(ward.observe(**HIGH_SPO2), ward.now)
    (row,) = panel.rows
    assert row.tag.text() == "*** HIGH"
    assert f"medium → high {clock_time(ward.now)}" in row.history.text()
    assert row.acknowledgement.text().startswith("Worse since it was acknowledged")
    assert row.acknowledge_button is not None


def test_rows_are_kept_while_nothing_changes(panel, ward) -> None:  # type: ignore[no-untyped-def]
    panel.show_book(ward.observe(**HIGH_SPO2), ward.now)
    first = panel.rows[0]
    ward.advance(seconds=1)
    panel.show_book(ward.book, ward.now)  # the screen's one-second tick
    assert panel.rows[0] is first


def test_acknowledge_needs_an_action(panel, ward, acknowledgements, qtbot) -> None:  # type: ignore[no-untyped-def]
    panel.show_book(ward.observe(**HIGH_SPO2), ward.now)
    dialog = _open(panel, qtbot)
    assert dialog.summary.text().startswith("*** HIGH  SpO2 89 %")
    _press_acknowledge(dialog, qtbot)
    assert dialog.isVisible()
    assert dialog.message.text() == CHOOSE_ACTION
    assert dialog.action_box.property("invalid") is True
    assert acknowledgements.calls == []


def test_other_needs_a_note_checked_by_the_domain(panel, ward, acknowledgements, qtbot) -> None:  # type: ignore[no-untyped-def]
    panel.show_book(ward.observe(**HIGH_SPO2), ward.now)
    dialog = _open(panel, qtbot)
    dialog.choose(AlarmAction.OTHER)
    dialog.note_edit.setPlainText("   ")
    _press_acknowledge(dialog, qtbot)
    assert dialog.isVisible()
    assert dialog.message.text() == "Describe the action taken."  # the domain's wording
    assert dialog.note_edit.property("invalid") is True
    assert acknowledgements.calls == []

    dialog.note_edit.setPlainText("Sat the patient up, oxygen 2 L/min")
    _press_acknowledge(dialog, qtbot)
    alarm_id = ward.alarm(AlarmParameter.SPO2).id
    assert acknowledgements.calls == [
        (alarm_id, AlarmAction.OTHER, "Sat the patient up, oxygen 2 L/min")]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert panel.dialog_host.active_dialog is None


def test_a_plain_action_needs_no_note(panel, ward, acknowledgements, qtbot) -> None:  # type: ignore[no-untyped-def]
    panel.show_book(ward.observe(**HIGH_SPO2), ward.now)
    dialog = _open(panel, qtbot)
    qtbot.mouseClick(dialog.action_buttons[AlarmAction.PAUSED], Qt.MouseButton.LeftButton)
    _press_acknowledge(dialog, qtbot)
    assert acknowledgements.calls == [(ward.alarm(AlarmParameter.SPO2).id, AlarmAction.PAUSED, "")]
    panel.show_book(ward.book, ward.now)  # the screen shows the book the service returned
    assert panel.rows[0].acknowledgement.text().endswith("by Nora Kim, RN: Infusion paused")
    assert panel.rows[0].acknowledge_button is None


@pytest.mark.parametrize("error", [
    ConflictError("Tom Lopez, RN acknowledged this alarm a moment ago."),
    UserFacingError("The database cannot be reached. Try again in a moment."),
])
def test_a_call_back_error_stays_in_the_dialog(panel, ward, acknowledgements, qtbot,  # type: ignore[no-untyped-def]
                                               error: UserFacingError) -> None:
    panel.show_book(ward.observe(**HIGH_SPO2), ward.now)
    dialog = _open(panel, qtbot)
    dialog.choose(AlarmAction.CLINICIAN_CALLED)
    dialog.note_edit.setPlainText("Dr Patel on her way")
    acknowledgements.fail_with = error
    _press_acknowledge(dialog, qtbot)
    assert dialog.isVisible()  # no message box over the alarm; what was typed is kept
    assert dialog.message.isVisible()
    assert dialog.message.text() == error.message
    assert dialog.note() == "Dr Patel on her way"
    assert dialog.chosen_action() is AlarmAction.CLINICIAN_CALLED

    acknowledgements.fail_with = None  # try again
    _press_acknowledge(dialog, qtbot)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert len(acknowledgements.calls) == 2


def test_already_acknowledged_elsewhere_is_caught_before_the_call(panel, ward, acknowledgements,  # type: ignore[no-untyped-def]
                                                                  qtbot) -> None:
    panel.show_book(ward.observe(**HIGH_SPO2), ward.now)
    dialog = _open(panel, qtbot)
    ward.advance(seconds=5)
    ward.acknowledge(AlarmParameter.SPO2, by_name="Tom Lopez, RN")  # at another PC
    panel.show_book(ward.book, ward.now)
    dialog.choose(AlarmAction.OBSERVED)
    _press_acknowledge(dialog, qtbot)
    assert dialog.isVisible()
    assert dialog.message.text() == "This alarm was already acknowledged by Tom Lopez, RN."
    assert acknowledgements.calls == []
