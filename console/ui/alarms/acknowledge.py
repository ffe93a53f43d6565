"""Acknowledging an alarm: what the nurse did, and a note (required for "other")."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import cast

from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.alarms import Alarm, AlarmAction
from console.errors import UserFacingError, ValidationError
from console.ui.admin.dialogs import SubmitDialog
from console.ui.alarms.text import alarm_sentence, clock_time, priority_tag

ACTION_LABELS: dict[AlarmAction, str] = {
    AlarmAction.RATE_REDUCED: "Infusion rate reduced",
    AlarmAction.PAUSED: "Infusion paused",
    AlarmAction.CLINICIAN_CALLED: "Clinician called",
    AlarmAction.OBSERVED: "Patient observed, no change needed",
    AlarmAction.OTHER: "Other (describe it in the note)",
}
CHOOSE_ACTION = "Choose what you did about the alarm."


class AcknowledgeAlarmDialog(SubmitDialog):
    """Choose the action taken and write a note; Acknowledge first checks the entry with the
    domain's rules (``check``), then calls ``submit``. Every expected error, from either,
    is shown in place and the dialog stays open with what was typed."""

    def __init__(self, *, alarm: Alarm, user_name: str,
                 check: Callable[[AlarmAction, str], None],
                 submit: Callable[[AlarmAction, str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(title="Acknowledge alarm", accept_text="Acknowledge", parent=parent)
        self.setObjectName("acknowledgeAlarmDialog")
        self.setMinimumWidth(600)
        self.alarm = alarm
        self._check = check
        self._submit = submit
        self.summary = QLabel(f"{priority_tag(alarm.priority)}  {alarm_sentence(alarm)}", self)
        self.summary.setObjectName("ackAlarmSummary")
        self.summary.setProperty("priority", alarm.priority.value)
        self.summary.setWordWrap(True)
        raised = f"Raised {clock_time(alarm.raised_at)}"
        if alarm.resolved_at is not None:
            raised += f" · resolved {clock_time(alarm.resolved_at)}"
        if user_name.strip():
            raised += f" · acknowledging as {user_name.strip()}"
        self.set_intro(raised)
        cast(QVBoxLayout, self.layout()).insertWidget(0, self.summary)

        self.action_box = QFrame(self)
        self.action_box.setObjectName("ackActions")
        choices = QVBoxLayout(self.action_box)
        choices.setContentsMargins(0, 0, 0, 0)
        choices.setSpacing(6)
        self.action_group = QButtonGroup(self)
        self.action_buttons: dict[AlarmAction, QRadioButton] = {}
        for action, label in ACTION_LABELS.items():
            button = QRadioButton(label, self.action_box)
            button.setObjectName(f"ackAction_{action.value}")
            self.action_group.addButton(button)
            self.action_buttons[action] = button
            choices.addWidget(button)
            button.toggled.connect(self._update_note_hint)
        self.form.addRow("What did you do?", self.action_box)

        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setObjectName("ackNoteEdit")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(88)
        self.form.addRow("Note", self.note_edit)
        self._update_note_hint()

    # ------------------------------------------------------------------ the entry
    def chosen_action(self) -> AlarmAction | None:
        for action, button in self.action_buttons.items():
            if button.isChecked():
                return action
        return None

    def choose(self, action: AlarmAction) -> None:
        self.action_buttons[action].setChecked(True)

    def note(self) -> str:
        return self.note_edit.toPlainText()

    def _update_note_hint(self) -> None:
        if self.chosen_action() is AlarmAction.OTHER:
            self.note_edit.setPlaceholderText("Required: describe what you did.")
        else:
            self.note_edit.setPlaceholderText("Optional: anything the record should say.")

    # ------------------------------------------------------------------ submitting
    def fields(self) -> Mapping[str, QWidget]:
        return {"action": self.action_box, "note": self.note_edit}

    def submit_form(self) -> None:
        action = self.chosen_action()
        if action is None:
            raise ValidationError(CHOOSE_ACTION, field="action")
        note = self.note()
        self._check(action, note)
        self._submit(action, note)

    def show_refusal(self, error: UserFacingError) -> None:
        """Shown in place, the call-back's refusals too (someone else acknowledged it first,
        the database is unreachable): never a message box over an alarm."""
        self.message.show_error(error.message)
        self._make_room()
