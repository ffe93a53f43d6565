"""During the infusion: live figures from the record, one-click actions, and the timeline."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QWidget,
)

from console.domain.clock import Clock
from console.domain.identity import Actor
from console.domain.infusion import EventKind, InfusionEvent, PumpState
from console.domain.side_effects import SideEffect
from console.domain.units import STEP_PER_KG, Unit, format_quantity, round_to
from console.domain.vitals import VitalSign, VitalSource
from console.errors import PermissionDenied, UserFacingError
from console.services.session_records import SessionRecord
from console.services.sessions import SessionService
from console.ui.forms import password_field
from console.ui.session.common import (
    Section,
    caption,
    clock_time,
    due_text,
    duration_text,
    parse_event_time,
    set_kind,
    time_edit,
)
from console.ui.session.vitals import vital_line
from console.ui.widgets.figures import FigureTile
from console.ui.widgets.inputs import QuantityField

Apply = Callable[[SessionRecord], None]


def event_line(event: InfusionEvent) -> str:
    text = f"{clock_time(event.at)}  {event.kind.label}"
    if event.rate_ml_per_h is not None:
        text += f" at {format_quantity(event.rate_ml_per_h, Unit.ML_PER_H)}"
    if event.bolus_mg is not None:
        text += f" {format_quantity(event.bolus_mg, Unit.MG)}"
    if event.stop_kind is not None:
        text += f" ({event.stop_kind.value})"
    if event.reason:
        text += f" — {event.reason}"
    text += f"  · {event.by_name}"
    if event.authorised_by:
        text += f", authorised by {event.authorised_by}"
    if event.late_entry:
        text += f"  [LATE ENTRY, recorded {clock_time(event.entered_at)}]"
    return text


class LivePanel(QWidget):
    """Rate, dose and time from ``record.progress`` (recorded events, never a widget timer)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rate = FigureTile("PUMP RATE", name="liveRateTile", emphasis=True, parent=self)
        self.delivered = FigureTile("Delivered", name="deliveredTile", parent=self)
        self.elapsed = FigureTile("Running time", name="elapsedTile", parent=self)
        self.remaining = FigureTile("Remaining", name="remainingTile", parent=self)
        self.next_obs = FigureTile("Next observation", name="nextObservationTile", parent=self)
        self.next_obs.setObjectName("observationTile")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        for column, tile in enumerate((self.rate, self.delivered, self.elapsed, self.remaining,
                                       self.next_obs)):
            tile.value.setObjectName("liveValue")
            grid.addWidget(tile, 0, column)
            grid.setColumnStretch(column, 1)

    def show_record(self, record: SessionRecord, now: datetime) -> bool:
        """Returns whether the next observation is overdue."""
        progress = record.progress
        state = progress.state
        if state is PumpState.PAUSED:
            self.rate.set_value("PAUSED", "pump stopped")
        elif state is PumpState.STOPPED:
            self.rate.set_value("STOPPED")
        else:
            self.rate.set_value(format_quantity(progress.rate_ml_per_h, Unit.ML_PER_H),
                                "" if record.program is None else
                                format_quantity(record.program.concentration_mg_per_ml,
                                                Unit.MG_PER_ML))
        per_kg = ""
        if record.program is not None and record.program.weight_kg > 0:
            per_kg = format_quantity(round_to(progress.delivered_mg / record.program.weight_kg,
                                              STEP_PER_KG), Unit.MG_PER_KG) \
                + f" at {format_quantity(record.program.weight_kg, Unit.KG)}"
        self.delivered.set_value(format_quantity(progress.delivered_mg, Unit.MG), per_kg)
        self.elapsed.set_value(duration_text(progress.running_time),
                               f"started {clock_time(progress.started_at)}")
        remaining = record.remaining
        self.remaining.set_value(duration_text(remaining) if state is not PumpState.STOPPED
                                 else "—", "" if remaining is None or state is
                                 PumpState.STOPPED else f"ends about "
                                 f"{clock_time(now + remaining)} if not paused")
        text, overdue = due_text(record.next_observation_due, now)
        self.next_obs.set_value(text.split(" (")[0], "record vitals now" if overdue else
                                f"due {clock_time(record.next_observation_due)}")
        set_kind(self.next_obs, "overdue" if overdue else "")
        set_kind(self.next_obs.value, "overdue" if overdue else "")
        return overdue


class ActionsSection(Section):
    """Pause, Resume, Change rate, Bolus and Stop; each with an editable time (late entry)."""

    ACTIONS = ("pause", "resume", "rate", "bolus", "stop")

    def __init__(self, *, sessions: SessionService, actor: Actor, clock: Clock,
                 session_id: int, on_record: Apply, parent: QWidget | None = None) -> None:
        super().__init__("Infusion actions", name="actions", on_record=on_record, parent=parent)
        self._sessions, self._actor, self._id, self._clock = sessions, actor, session_id, clock
        self.mode = ""
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text in (("pause", "Pause…"), ("resume", "Resume"),
                          ("rate", "Change rate…"), ("bolus", "Bolus…"), ("stop", "Stop…")):
            button = QPushButton(text, self)
            button.setObjectName(f"{key}ActionButton")
            button.setProperty("action", key)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, k=key: self.choose(k))
            self.buttons[key] = button
            row.addWidget(button)
        row.addStretch(1)
        self.body.addLayout(row)

        self.form = QWidget(self)
        self.form.setObjectName("actionForm")
        form = QGridLayout(self.form)
        form.setContentsMargins(0, 6, 0, 0)
        form.setHorizontalSpacing(10)
        self.form_title = QLabel(self.form)
        self.form_title.setObjectName("subsectionTitle")
        self.rate = QuantityField(unit=Unit.ML_PER_H, field="rate_ml_per_h", label="New rate",
                                  width=120, parent=self.form)
        self.bolus = QuantityField(unit=Unit.MG, field="bolus_mg", label="Bolus", width=120,
                                   parent=self.form)
        self.completed = QRadioButton("Completed as planned", self.form)
        self.completed.setObjectName("stopCompleted")
        self.early = QRadioButton("Stopped early", self.form)
        self.early.setObjectName("stopEarly")
        self.stop_group = QButtonGroup(self)
        self.stop_group.addButton(self.completed)
        self.stop_group.addButton(self.early)
        self.completed.setChecked(True)
        self.reason = QLineEdit(self.form)
        self.reason.setObjectName("actionReason")
        self.reason.setMaxLength(500)
        self.clinician_note = caption("", self.form)
        self.clinician_user = QLineEdit(self.form)
        self.clinician_user.setObjectName("clinicianUsername")
        self.clinician_user.setPlaceholderText("Clinician's user name")
        self.clinician_password = password_field("Clinician's password", self.form)
        self.clinician_password.setObjectName("clinicianPassword")
        self.at_edit = time_edit(self.form)
        self.confirm = QPushButton("Record", self.form)
        self.confirm.setObjectName("confirmActionButton")
        self.confirm.setProperty("role", "primary")
        self.confirm.setAutoDefault(False)
        self.confirm.clicked.connect(self.submit)
        self.cancel = QPushButton("Cancel", self.form)
        self.cancel.setAutoDefault(False)
        self.cancel.clicked.connect(lambda: self.choose(""))
        form.addWidget(self.form_title, 0, 0, 1, 4)
        form.addWidget(self.rate, 1, 0)
        form.addWidget(self.bolus, 1, 0)
        form.addWidget(self.completed, 1, 0)
        form.addWidget(self.early, 1, 1)
        form.addWidget(self.reason, 2, 0, 1, 2)
        form.addWidget(self.clinician_note, 3, 0, 1, 4)
        form.addWidget(self.clinician_user, 4, 0)
        form.addWidget(self.clinician_password, 4, 1)
        form.addWidget(QLabel("Time", self.form), 5, 0)
        form.addWidget(self.at_edit, 5, 1)
        form.addWidget(self.cancel, 5, 2)
        form.addWidget(self.confirm, 5, 3)
        form.setColumnStretch(4, 1)
        self.body.addWidget(self.form)
        self.finish()
        for edit in (self.reason, self.rate.edit, self.bolus.edit, self.at_edit,
                     self.clinician_password):
            edit.returnPressed.connect(self.submit)
        self.choose("")

    def fields(self) -> Mapping[str, QWidget]:
        return {"rate_ml_per_h": self.rate, "bolus_mg": self.bolus, "reason": self.reason,
                "at": self.at_edit, "stop_kind": self.completed}

    def set_clinician_needed(self, needed: bool) -> None:
        for widget in (self.clinician_note, self.clinician_user, self.clinician_password):
            widget.setVisible(needed)

    def choose(self, mode: str) -> None:
        self.mode = mode
        self.message.clear_message()
        self.form.setVisible(bool(mode))
        self.rate.setVisible(mode == "rate")
        self.bolus.setVisible(mode == "bolus")
        self.completed.setVisible(mode == "stop")
        self.early.setVisible(mode == "stop")
        self.reason.setVisible(mode in {"pause", "rate", "stop"})
        self.set_clinician_needed(False)
        self.at_edit.clear()
        self.reason.clear()
        self.rate.edit.clear()
        self.bolus.edit.clear()
        self.form_title.setText({"pause": "Pause the infusion", "resume": "Resume the infusion",
                                 "rate": "Change the pump rate", "bolus": "Give the bolus",
                                 "stop": "Stop the infusion"}.get(mode, ""))
        self.reason.setPlaceholderText({"pause": "Reason for pausing (required)",
                                        "rate": "Reason (required outside the titration range)",
                                        "stop": "Reason (required if stopped early)"}.get(mode, ""))
        self.confirm.setText({"pause": "Record pause", "resume": "Record resume",
                              "rate": "Record new rate", "bolus": "Record bolus",
                              "stop": "Record stop"}.get(mode, "Record"))
        for key, button in self.buttons.items():
            button.setProperty("chosen", key == mode)
            button.style().unpolish(button)
            button.style().polish(button)
        focus = {"pause": self.reason, "rate": self.rate.edit, "bolus": self.bolus.edit}
        if mode in focus:
            focus[mode].setFocus()

    def show_record(self, record: SessionRecord) -> None:
        state = record.progress.state
        running = state is PumpState.RUNNING
        editable = not record.locked and record.discharge is None
        self.buttons["pause"].setEnabled(editable and running)
        self.buttons["resume"].setEnabled(editable and state is PumpState.PAUSED)
        self.buttons["rate"].setEnabled(editable and running)
        self.buttons["bolus"].setEnabled(editable and running
                                         and record.protocol.order.bolus_mg_per_kg is not None)
        self.buttons["stop"].setEnabled(editable and state in {PumpState.RUNNING,
                                                                PumpState.PAUSED})
        if self.mode and not self.buttons[self.mode].isEnabled():
            self.choose("")

    def _call(self) -> SessionRecord:
        s, actor, sid = self._sessions, self._actor, self._id
        at = parse_event_time(self.at_edit.text(), self._clock.now())
        if self.mode == "pause":
            return s.pause(actor, sid, reason=self.reason.text(), at=at)
        if self.mode == "resume":
            return s.resume(actor, sid, at=at)
        if self.mode == "rate":
            return s.change_rate(actor, sid, self.rate.text(), reason=self.reason.text(), at=at,
                                 clinician_username=self.clinician_user.text().strip()
                                 if self.clinician_user.isVisible() else "",
                                 clinician_password=self.clinician_password.text())
        if self.mode == "bolus":
            return s.bolus(actor, sid, self.bolus.text(), at=at)
        return s.stop(actor, sid, completed=self.completed.isChecked(),
                      reason=self.reason.text(), at=at)

    def submit(self) -> None:
        if not self.mode:
            return
        if self.act(self._call):
            self.choose("")
            self.message.show_info("Recorded.")
        else:
            self.clinician_password.clear()

    def show_error(self, error: UserFacingError) -> None:
        if self.mode == "rate" and isinstance(error, PermissionDenied):
            self.set_clinician_needed(True)
            self.clinician_note.setText(error.message + " The clinician signs in below and "
                                        "a reason is needed.")
            self.clinician_user.setFocus()
        super().show_error(error)


class TimelineList(QListWidget):
    """Events, hand-entered observations and alarms in the order they happened; late entries
    and corrections marked. Monitor sets are on the chart, not listed one by one.

    Signals:
        correct_requested(VitalSign): a hand-entered set was double-clicked.
    """

    correct_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline")
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setToolTip("Double-click an observation to correct it.")
        self.itemDoubleClicked.connect(self._double_clicked)
        self._locked = False
        self._record: SessionRecord | None = None
        self._side_effect_lines: list[tuple[datetime, str]] = []

    def set_side_effects(self, effects: Sequence[SideEffect]) -> None:
        """Add the session's side effects (onset, rescue doses, clinician told, resolution)."""
        # Imported here: the side-effect screens build on this package's common helpers.
        from console.ui.side_effects.text import timeline_lines as side_effect_timeline_lines

        self._side_effect_lines = [line for effect in effects
                                   for line in side_effect_timeline_lines(effect)]
        if self._record is not None:
            self.show_record(self._record)

    def show_record(self, record: SessionRecord) -> None:
        self._locked = record.locked
        self._record = record
        self.clear()
        entries: list[tuple[datetime, int, str, bool, object]] = [
            (record.checked_in_at, 0, f"{clock_time(record.checked_in_at)}  Checked in  · "
                                      f"{record.checked_in_by}", False, None)]
        entries += [(e.at, 1, event_line(e), e.kind in {EventKind.PAUSE, EventKind.STOP}, None)
                    for e in record.events]
        entries += [(v.at, 2, "    " + vital_line(v), False, v) for v in record.vitals
                    if v.source is VitalSource.MANUAL]
        for alarm in (*record.alarms.active, *record.alarms.resolved):
            entries.append((alarm.raised_at, 3, f"{clock_time(alarm.raised_at)}  "
                            f"{alarm.condition.message}", True, None))
            for ack in alarm.acknowledgements:
                note = f" — {ack.note}" if ack.note else ""
                entries.append((ack.at, 3, f"{clock_time(ack.at)}  Alarm acknowledged by "
                                f"{ack.by_name}: {ack.action.label}{note}", False, None))
        entries += [(at, 4, text, True, None) for at, text in self._side_effect_lines]
        for _at, _order, text, strong, payload in sorted(entries, key=lambda e: (e[0], e[1])):
            item = QListWidgetItem(text, self)
            item.setData(Qt.ItemDataRole.UserRole, payload)
            font = item.font()
            if strong or "LATE ENTRY" in text:
                font.setBold(True)
            if isinstance(payload, VitalSign) and payload.superseded:
                font.setStrikeOut(True)
            item.setFont(font)
        self.scrollToBottom()

    def _double_clicked(self, item: QListWidgetItem) -> None:
        payload = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(payload, VitalSign) and not payload.superseded and not self._locked:
            self.correct_requested.emit(payload)

    def lines(self) -> list[str]:
        return [self.item(row).text() for row in range(self.count())]
