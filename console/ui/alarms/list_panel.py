"""The session's alarms as a list: each active alarm, then those resolved in the last minutes.

Each row says when the alarm was raised, its priority and rule, and who acknowledged it, when,
and what they did; an unacknowledged alarm has an "Acknowledge…" button (an alarm that already
resolved can still be acknowledged, to chart what was done about it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from console.domain.alarms import Alarm, AlarmAction, AlarmBook
from console.ui.alarms.acknowledge import ACTION_LABELS, AcknowledgeAlarmDialog
from console.ui.alarms.text import (
    alarm_sentence,
    by_urgency,
    clock_time,
    priority_tag,
    set_style_property,
)
from console.ui.messages import InlineMessage
from console.ui.widgets.buttons import action_button
from console.ui.widgets.dialog_host import DialogHost

RECENTLY_RESOLVED = timedelta(minutes=15)
NO_ALARMS = "No alarms in this session."


def acknowledgement_text(alarm: Alarm) -> str:
    """Who acknowledged the alarm, when, and what they did; or that nobody has yet."""
    if alarm.acknowledged:
        ack = alarm.acknowledgements[-1]
        text = (f"Acknowledged {clock_time(ack.at)} by {ack.by_name}: "
                f"{ACTION_LABELS[ack.action]}")
        return f"{text} — {ack.note}" if ack.note else text
    if alarm.acknowledgements:
        return "Worse since it was acknowledged: not acknowledged at this priority"
    return "Not acknowledged"


def history_text(alarm: Alarm) -> str:
    parts = [f"Raised {clock_time(alarm.raised_at)}"]
    parts += [f"{escalation.from_priority.value} → {escalation.to_priority.value} "
              f"{clock_time(escalation.at)}" for escalation in alarm.escalations]
    if alarm.resolved_at is not None:
        parts.append(f"resolved {clock_time(alarm.resolved_at)}")
    return " · ".join(parts)


class AlarmRow(QFrame):
    """One alarm: priority tag and rule on top, its history and acknowledgement below."""

    def __init__(self, alarm: Alarm, *, on_acknowledge: Callable[[int], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.alarm = alarm
        self.setObjectName("alarmRow")
        state = "active" if alarm.active else "resolved"
        self.tag = QLabel(priority_tag(alarm.priority), self)
        self.tag.setObjectName("alarmRowTag")
        self.rule = QLabel(alarm_sentence(alarm), self)
        self.rule.setObjectName("alarmRowRule")
        self.rule.setWordWrap(True)
        self.history = QLabel(history_text(alarm), self)
        self.history.setObjectName("alarmRowHistory")
        self.history.setWordWrap(True)
        self.acknowledgement = QLabel(acknowledgement_text(alarm), self)
        self.acknowledgement.setObjectName("alarmRowAck")
        self.acknowledgement.setWordWrap(True)
        for label in (self.rule, self.history, self.acknowledgement):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (self, self.tag, self.rule, self.history, self.acknowledgement):
            widget.setProperty("priority", alarm.priority.value)
            widget.setProperty("state", state)
            widget.setProperty("acknowledged", alarm.acknowledged)
        layout = QGridLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setHorizontalSpacing(12)
        layout.setVerticalSpacing(2)
        # The tag heads the row and the sentence runs the full width under it: the list sits
        # in a narrow column beside the chart, where side by side it wrapped word by word.
        layout.addWidget(self.tag, 0, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.rule, 1, 0, 1, 2)
        layout.addWidget(self.history, 2, 0, 1, 2)
        layout.addWidget(self.acknowledgement, 3, 0, 1, 2)
        layout.setColumnStretch(0, 1)
        self.acknowledge_button: QPushButton | None = None
        if not alarm.acknowledged:
            self.acknowledge_button = action_button(
                self, "Acknowledge…", lambda: on_acknowledge(alarm.id))
            self.acknowledge_button.setProperty("priority", alarm.priority.value)
            self.acknowledge_button.setProperty("state", state)
            layout.addWidget(self.acknowledge_button, 0, 1, Qt.AlignmentFlag.AlignRight)
        self.setAccessibleName(f"{alarm.priority.value} priority alarm, {state}")


class AlarmListPanel(QFrame):
    """Active alarms (most urgent first) and recently resolved ones (greyed).

    ``on_acknowledge(alarm_id, action, note)`` records the acknowledgement; it may raise a
    ``UserFacingError``, which the dialog shows while staying open. ``user_name`` is the
    signed-in user, shown in the dialog and used to check the entry with the domain's rules.
    """

    def __init__(self, *, user_name: str,
                 on_acknowledge: Callable[[int, AlarmAction, str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmListPanel")
        self._user_name = user_name
        self._on_acknowledge = on_acknowledge
        self._book = AlarmBook()
        self._now: datetime | None = None
        self._shown: tuple[Alarm, ...] | None = None
        self.dialog_host = DialogHost()
        self.rows: list[AlarmRow] = []

        self.title = QLabel("Alarms", self)
        self.title.setObjectName("sectionTitle")
        self.sound_note = QLabel(self)
        self.sound_note.setObjectName("alarmSoundNote")
        self.sound_note.setWordWrap(True)
        self.sound_note.hide()
        self.message = InlineMessage(self)
        self.empty = QLabel(NO_ALARMS, self)
        self.empty.setObjectName("muted")
        self._rows_box = QWidget()
        self._rows_box.setObjectName("alarmRows")
        self._rows_layout = QVBoxLayout(self._rows_box)
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(6)
        self._rows_layout.addStretch(1)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("alarmScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self._rows_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.sound_note)
        layout.addWidget(self.message)
        layout.addWidget(self.empty)
        layout.addWidget(self.scroll_area, 1)

    # ------------------------------------------------------------------ what is shown
    def show_book(self, book: AlarmBook, now: datetime) -> None:
        self._book = book
        self._now = now
        recent = [a for a in book.resolved
                  if a.resolved_at is not None and now - a.resolved_at <= RECENTLY_RESOLVED]
        shown = (*by_urgency(book.active),
                 *sorted(recent, key=lambda a: (a.resolved_at, a.id), reverse=True))
        if shown == self._shown:
            return  # nothing changed: keep the rows (focus, hover, selection)
        self._shown = shown
        for row in self.rows:
            self._rows_layout.removeWidget(row)
            row.deleteLater()
        self.rows = []
        for alarm in shown:
            row = AlarmRow(alarm, on_acknowledge=self._acknowledge_clicked,
                           parent=self._rows_box)
            self._rows_layout.insertWidget(self._rows_layout.count() - 1, row)
            self.rows.append(row)
        self.empty.setVisible(not shown)
        self.scroll_area.setVisible(bool(shown))

    def set_sound_status(self, *, audible: bool, text: str) -> None:
        """Say when this PC cannot sound the alarm, so nobody waits for a tone."""
        self.sound_note.setText(text)
        self.sound_note.setVisible(not audible)
        set_style_property(self.sound_note, "audible", audible)

    def show_error(self, text: str) -> None:
        self.message.show_error(text)

    def clear_error(self) -> None:
        self.message.clear_message()

    # ------------------------------------------------------------------ acknowledging
    def _acknowledge_clicked(self, alarm_id: int) -> None:
        self.open_acknowledge(alarm_id)

    def open_acknowledge(self, alarm_id: int) -> AcknowledgeAlarmDialog:
        dialog = AcknowledgeAlarmDialog(
            alarm=self._book.find(alarm_id), user_name=self._user_name,
            check=lambda action, note: self._check(alarm_id, action, note),
            submit=lambda action, note: self._on_acknowledge(alarm_id, action, note),
            parent=self)
        self.dialog_host.open_dialog(dialog, lambda: None)
        return dialog

    def _check(self, alarm_id: int, action: AlarmAction, note: str) -> None:
        """The domain's rules on a copy of the latest book (note needed for "other", not
        acknowledged already); the result is thrown away, the call-back records it."""
        book = self._book
        moments = [m for m in (self._now, book.updated_at) if m is not None]
        if not moments:
            return
        book.acknowledge(alarm_id, by_name=self._user_name or "the signed-in user",
                         action=action, at=max(moments), note=note)
