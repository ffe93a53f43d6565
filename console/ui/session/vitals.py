"""Observations, keyboard first: Tab through the boxes, Enter saves.

The boxes follow the clinic's scales (sedation on RASS, POSS or MOAA/S; dissociation on CADSS
or CADSS-6). What was typed is parsed by the domain (``parse_observations``). An unusual value
is not saved until the nurse re-measures and presses "Confirm and save"; a saved set is
corrected with a reason in ``CorrectVitalsDialog``, and the original stays on the record.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.clock import Clock
from console.domain.identity import Actor
from console.domain.scales import MonitoringScales
from console.domain.vital_entry import entry_fields, entry_texts, parse_observations
from console.domain.vitals import VitalSign, VitalSource, VitalValues
from console.errors import ConfirmationRequired, UserFacingError
from console.services.session_records import SessionRecord
from console.services.sessions import SessionService
from console.ui.forms import mark_invalid
from console.ui.messages import InlineMessage
from console.ui.session.common import (
    Section,
    clock_time,
    parse_event_time,
    reveal,
    time_edit,
)

SaveCall = Callable[[VitalValues, Collection[str]], SessionRecord]


# Each reading shown, in this order, when it was charted: the field and how it reads.
_READINGS: tuple[tuple[str, Callable[[VitalValues], str]], ...] = (
    ("heart_rate", lambda v: f"HR {v.heart_rate}"),
    ("systolic", lambda v: f"BP {v.systolic}/{v.diastolic} ({v.mean_arterial})"),
    ("spo2", lambda v: f"SpO2 {v.spo2}%"),
    ("respiratory_rate", lambda v: f"RR {v.respiratory_rate}"),
    ("temperature_c", lambda v: f"T {v.temperature_c} °C"),
    ("etco2", lambda v: f"EtCO2 {v.etco2}"),
    ("pain_nrs", lambda v: f"pain {v.pain_nrs}/10"),
    ("sedation_rass", lambda v: f"RASS {v.sedation_rass:+d}" if v.sedation_rass else "RASS 0"),
    ("sedation_poss", lambda v: f"POSS {v.sedation_poss.value}" if v.sedation_poss else ""),
    ("sedation_moaa_s", lambda v: f"MOAA/S {v.sedation_moaa_s}"),
    ("dissociation", lambda v: f"dissociation {v.dissociation}"),
)


def vitals_text(values: VitalValues) -> str:
    return "  ·  ".join(text(values) for field, text in _READINGS
                        if getattr(values, field) is not None)


def vital_line(vital: VitalSign) -> str:
    text = f"{clock_time(vital.at)}  {vitals_text(vital.values)}  — {vital.by_name}"
    if vital.source is VitalSource.DEVICE:
        text += " (monitor)"
    if vital.confirmed:
        text += "  [unusual value confirmed]"
    if vital.corrects_id is not None:
        text += f"  [CORRECTION: {vital.correction_reason}]"
    if vital.superseded:
        text += "  [CORRECTED — see the correction]"
    return text


class ObservationGrid(QWidget):
    """One row of boxes for the clinic's scales; ``texts()`` is what was typed."""

    def __init__(self, scales: MonitoringScales, *, on_enter: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scales = scales
        self.edits: dict[str, QLineEdit] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        for index, item in enumerate(entry_fields(scales.sedation, scales.dissociation)):
            row, column = 2 * (index // 5), index % 5
            head = QLabel(f"{item.label} <span style='color:#9aa5b1'>{item.unit}</span>", self)
            head.setObjectName("vitalLabel")
            edit = QLineEdit(self)
            edit.setObjectName(f"vital-{item.name}")
            edit.setAccessibleName(item.label)
            edit.setPlaceholderText(item.example)
            edit.setMaxLength(6)
            edit.setFixedWidth(86)
            edit.returnPressed.connect(on_enter)
            self.edits[item.name] = edit
            grid.addWidget(head, row, column)
            grid.addWidget(edit, row + 1, column)
        grid.setColumnStretch(5, 1)
        self.grid = grid

    def texts(self) -> dict[str, str]:
        return {name: edit.text() for name, edit in self.edits.items()}

    def values(self) -> VitalValues:
        return parse_observations(self.texts(), sedation=self.scales.sedation,
                                  dissociation=self.scales.dissociation)

    def fill(self, values: VitalValues) -> None:
        texts = entry_texts(values, sedation=self.scales.sedation,
                            dissociation=self.scales.dissociation)
        for name, edit in self.edits.items():
            edit.setText(texts.get(name, ""))

    def clear(self) -> None:
        for edit in self.edits.values():
            edit.clear()
            mark_invalid(edit, False)

    def first(self) -> QLineEdit:
        return next(iter(self.edits.values()))


class ConfirmationGate:
    """An unusual value waits here until the nurse re-measures and confirms it. Changing a
    flagged box drops the pending confirmation, so a new value is judged again."""

    def __init__(self, button: QPushButton, grid: ObservationGrid) -> None:
        self.button = button
        self.pending: tuple[str, ...] = ()
        self._grid = grid
        button.setObjectName("confirmVitalsButton")
        button.setProperty("role", "warning")
        button.setAutoDefault(False)
        button.hide()
        for edit in grid.edits.values():
            edit.textEdited.connect(lambda _text: self.reset())

    def ask(self, error: ConfirmationRequired) -> None:
        self.pending = error.fields
        self.button.setText(f"Re-measured — confirm and save ({len(error.fields)})"
                            if len(error.fields) > 1 else "Re-measured — confirm and save")
        self.button.show()
        for name in error.fields:
            edit = self._grid.edits.get(name)
            if edit is not None:
                mark_invalid(edit, True)

    def reset(self) -> None:
        self.pending = ()
        self.button.hide()


class VitalsEntry(Section):
    """The observation row of the session screen (baseline, during, recovery)."""

    def __init__(self, title: str, *, sessions: SessionService, actor: Actor, clock: Clock,
                 session_id: int, on_record: Callable[[SessionRecord], None],
                 scales: MonitoringScales | None = None, parent: QWidget | None = None) -> None:
        super().__init__(title, name="vitals", on_record=on_record, parent=parent)
        self.setObjectName("sessionCard")
        self._sessions = sessions
        self._actor = actor
        self._clock = clock
        self._session_id = session_id
        self._record: SessionRecord | None = None
        self.grid = ObservationGrid(scales or MonitoringScales(), on_enter=self.save,
                                    parent=self)
        self.edits = self.grid.edits
        self.at_edit = time_edit(self)
        self.at_edit.returnPressed.connect(self.save)
        self.grid.grid.addWidget(QLabel("Time", self), 0, 5)
        self.grid.grid.addWidget(self.at_edit, 1, 5)
        self.save_button = QPushButton("Save vitals", self)
        self.save_button.setObjectName("saveVitalsButton")
        self.save_button.setProperty("role", "primary")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.grid.grid.addWidget(self.save_button, 3, 5)
        self.gate = ConfirmationGate(QPushButton(self), self.grid)
        self.gate.button.clicked.connect(self.confirm)
        self.last = QLabel(self)
        self.last.setObjectName("muted")
        self.last.setWordWrap(True)
        self.correct_button = QPushButton("Correct…", self)
        self.correct_button.setObjectName("correctVitalsButton")
        self.correct_button.setAutoDefault(False)
        self.correct_button.setToolTip("Correct the last observation you or a colleague "
                                       "entered; the original stays on the record.")
        self.correct_button.clicked.connect(self.correct_last)
        last_row = QHBoxLayout()
        last_row.addWidget(self.last, 1)
        last_row.addWidget(self.correct_button)
        self.body.addWidget(self.grid)
        self.body.addLayout(last_row)
        self.finish()
        # Right under the message that explains it, so the two are seen together.
        self.body.addWidget(self.gate.button, 0, Qt.AlignmentFlag.AlignLeft)
        self.dialog: CorrectVitalsDialog | None = None

    def fields(self) -> Mapping[str, QWidget]:
        return {**self.edits, "at": self.at_edit}

    def show_record(self, record: SessionRecord) -> None:
        self._record = record
        last = latest_manual(record)
        self.last.setText(f"Last: {vital_line(last)}" if last else "No observations yet.")
        self.correct_button.setVisible(last is not None and not record.locked)

    def values(self) -> VitalValues:
        return self.grid.values()

    def moment(self) -> datetime | None:
        return parse_event_time(self.at_edit.text(), self._clock.now())

    def save(self, confirmed: Collection[str] = ()) -> None:
        def call() -> SessionRecord:
            return self._sessions.record_vitals(self._actor, self._session_id, self.values(),
                                                at=self.moment(), confirm=confirmed)
        if self.act(call):
            self.gate.reset()
            self.grid.clear()
            self.at_edit.clear()
            self.grid.first().setFocus()
            self.message.show_info("Saved.")

    def confirm(self) -> None:
        self.save(self.gate.pending)

    def show_error(self, error: UserFacingError) -> None:
        super().show_error(error)
        if isinstance(error, ConfirmationRequired):
            self.gate.ask(error)
            reveal(self.gate.button)

    def correct_last(self) -> None:
        last = None if self._record is None else latest_manual(self._record)
        if last is not None:
            self.open_correction(last)

    def open_correction(self, vital: VitalSign) -> None:
        dialog = CorrectVitalsDialog(
            vital, scales=self.grid.scales, parent=self,
            save=lambda values, reason, confirmed: self._sessions.correct_vitals(
                self._actor, self._session_id, vital.id, values, reason=reason,
                confirm=confirmed))
        dialog.saved.connect(self._corrected)
        self.dialog = dialog
        dialog.open()

    def _corrected(self, record: object) -> None:
        if isinstance(record, SessionRecord):
            self._on_record(record)
            self.message.show_info("Correction saved; the original stays on the record.")


def latest_manual(record: SessionRecord) -> VitalSign | None:
    """The last hand-entered set still standing (not itself corrected)."""
    for vital in reversed(record.vitals):
        if vital.source is VitalSource.MANUAL and not vital.superseded:
            return vital
    return None


class CorrectVitalsDialog(QDialog):
    """Correct one saved set: the original is shown above, unchanged; a reason is required."""

    saved = Signal(object)

    def __init__(self, vital: VitalSign, *, scales: MonitoringScales,
                 save: Callable[[VitalValues, str, Collection[str]], SessionRecord],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("correctVitalsDialog")
        self.setWindowTitle(f"Correct the observation of {clock_time(vital.at)}")
        self.setModal(True)
        self._save = save
        original = QLabel(f"Original: {vital_line(vital)}", self)
        original.setObjectName("originalVitals")
        original.setWordWrap(True)
        self.grid = ObservationGrid(scales, on_enter=self.submit, parent=self)
        self.grid.fill(vital.values)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("correctionReason")
        self.reason.setPlaceholderText("Why is it corrected? (required, e.g. typed into the "
                                       "wrong box)")
        self.reason.setMaxLength(500)
        self.reason.returnPressed.connect(self.submit)
        self.message = InlineMessage(self)
        self.gate = ConfirmationGate(QPushButton(self), self.grid)
        self.gate.button.clicked.connect(lambda: self.submit(self.gate.pending))
        self.save_button = QPushButton("Save correction", self)
        self.save_button.setObjectName("saveCorrectionButton")
        self.save_button.setProperty("role", "primary")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(lambda: self.submit())
        cancel = QPushButton("Cancel", self)
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.gate.button)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(original)
        layout.addWidget(QLabel("Corrected values", self))
        layout.addWidget(self.grid)
        layout.addWidget(self.reason)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def submit(self, confirmed: Collection[str] = ()) -> None:
        self.message.clear_message()
        for edit in (*self.grid.edits.values(), self.reason):
            mark_invalid(edit, False)
        try:
            record = self._save(self.grid.values(), self.reason.text(), confirmed)
        except UserFacingError as error:
            self.message.show_error(error.message)
            target = self.grid.edits.get(error.field or "") \
                or (self.reason if error.field == "reason" else None)
            if target is not None:
                mark_invalid(target, True)
                target.setFocus()
            if isinstance(error, ConfirmationRequired):
                self.gate.ask(error)
            return
        self.saved.emit(record)
        self.accept()
