"""One row of observations, keyboard first: Tab through the boxes, Enter saves."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation

from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton, QWidget

from console.domain.clock import Clock
from console.domain.identity import Actor
from console.domain.vitals import VitalSign, VitalValues
from console.errors import ValidationError
from console.services.session_records import SessionRecord
from console.services.sessions import SessionService
from console.ui.session.common import Section, clock_time, parse_event_time, time_edit, whole_number

FIELDS = (
    ("heart_rate", "HR", "/min"), ("systolic", "SBP", "mmHg"), ("diastolic", "DBP", "mmHg"),
    ("spo2", "SpO2", "%"), ("respiratory_rate", "RR", "/min"), ("temperature_c", "Temp", "°C"),
    ("pain_nrs", "Pain", "0–10"), ("sedation_rass", "RASS", "+4…−5"),
)


def vitals_text(values: VitalValues) -> str:
    parts = []
    if values.heart_rate is not None:
        parts.append(f"HR {values.heart_rate}")
    if values.systolic is not None:
        parts.append(f"BP {values.systolic}/{values.diastolic}")
    if values.spo2 is not None:
        parts.append(f"SpO2 {values.spo2}%")
    if values.respiratory_rate is not None:
        parts.append(f"RR {values.respiratory_rate}")
    if values.temperature_c is not None:
        parts.append(f"T {values.temperature_c} °C")
    if values.pain_nrs is not None:
        parts.append(f"pain {values.pain_nrs}/10")
    if values.sedation_rass is not None:
        parts.append(f"RASS {values.sedation_rass:+d}")
    return "  ·  ".join(parts)


def vital_line(vital: VitalSign) -> str:
    return f"{clock_time(vital.at)}  {vitals_text(vital.values)}  — {vital.by_name}"


class VitalsEntry(Section):
    """Heart rate, blood pressure, SpO2 and respiratory rate; temperature, pain, RASS optional."""

    def __init__(self, title: str, *, sessions: SessionService, actor: Actor, clock: Clock,
                 session_id: int, on_record: Callable[[SessionRecord], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(title, name="vitals", on_record=on_record, parent=parent)
        self.setObjectName("sessionCard")
        self._sessions = sessions
        self._actor = actor
        self._clock = clock
        self._session_id = session_id
        self.edits: dict[str, QLineEdit] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        for index, (name, label, unit) in enumerate(FIELDS):
            row, column = 2 * (index // 5), index % 5
            head = QLabel(f"{label} <span style='color:#9aa5b1'>{unit}</span>", self)
            head.setObjectName("vitalLabel")
            edit = QLineEdit(self)
            edit.setObjectName(f"vital-{name}")
            edit.setAccessibleName(label)
            edit.setMaxLength(5)
            edit.setFixedWidth(86)
            edit.returnPressed.connect(self.save)
            self.edits[name] = edit
            grid.addWidget(head, row, column)
            grid.addWidget(edit, row + 1, column)
        self.at_edit = time_edit(self)
        self.at_edit.returnPressed.connect(self.save)
        grid.addWidget(QLabel("Time", self), 2, 3)
        grid.addWidget(self.at_edit, 3, 3)
        self.save_button = QPushButton("Save vitals", self)
        self.save_button.setObjectName("saveVitalsButton")
        self.save_button.setProperty("role", "primary")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        grid.addWidget(self.save_button, 3, 4)
        grid.setColumnStretch(5, 1)
        self.last = QLabel(self)
        self.last.setObjectName("muted")
        self.body.addLayout(grid)
        self.body.addWidget(self.last)
        self.finish()

    def fields(self) -> Mapping[str, QWidget]:
        return {**self.edits, "at": self.at_edit}

    def show_record(self, record: SessionRecord) -> None:
        self.last.setText(f"Last: {vital_line(record.vitals[-1])}" if record.vitals
                          else "No observations yet.")

    def values(self) -> VitalValues:
        numbers = {name: whole_number(self.edits[name], field=name, label=label)
                   for name, label, _unit in FIELDS if name != "temperature_c"}
        temperature_text = self.edits["temperature_c"].text().strip()
        temperature = None
        if temperature_text:
            try:
                temperature = Decimal(temperature_text)
            except InvalidOperation as exc:
                raise ValidationError("Temperature must be a number in °C, like 36.8.",
                                      field="temperature_c") from exc
        return VitalValues(temperature_c=temperature, **numbers)

    def moment(self) -> datetime | None:
        return parse_event_time(self.at_edit.text(), self._clock.now())

    def save(self) -> None:
        saved = self.act(lambda: self._sessions.record_vitals(
            self._actor, self._session_id, self.values(), at=self.moment()))
        if saved:
            for edit in (*self.edits.values(), self.at_edit):
                edit.clear()
            self.edits["heart_rate"].setFocus()
            self.message.show_info("Saved.")
