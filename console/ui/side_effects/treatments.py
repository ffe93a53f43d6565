"""Rescue doses as the nurse types them: one row a dose, from the clinic's rescue list."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from console.domain.side_effects import (
    RescueList,
    RescueMedication,
    TreatmentDraft,
    check_dose,
    check_treatment_time,
    parse_dose,
)
from console.errors import ValidationError
from console.ui.forms import mark_invalid
from console.ui.session.common import time_edit
from console.ui.side_effects.text import time_or_now
from console.ui.widgets.inputs import Choice

FIELDS = ("medication_code", "dose", "route", "given_at", "given_by")
MAX_ROWS = 6


class TreatmentRow:
    """Drug (from the list), dose with its unit and the list's range, route (the drug's
    routes only), time (blank is now) and who gave it (the signed-in user unless changed)."""

    def __init__(self, parent: QWidget, rescue: RescueList, *, given_by: str,
                 on_remove: Callable[[TreatmentRow], None]) -> None:
        self.rescue = rescue
        self.drug = Choice(parent)
        self.drug.setObjectName("treatmentDrug")
        self.drug.setAccessibleName("Rescue medication")
        self.drug.addItem("Choose the drug…", "")
        for medication in rescue.items:
            self.drug.addItem(medication.name, medication.code)
        self.drug.setMinimumWidth(150)
        self.dose = QLineEdit(parent)
        self.dose.setObjectName("treatmentDose")
        self.dose.setAccessibleName("Dose")
        self.dose.setMaxLength(12)
        self.dose.setFixedWidth(80)
        self.unit = QLabel("", parent)
        self.unit.setObjectName("unitLabel")
        self.range = QLabel("", parent)
        self.range.setObjectName("muted")
        self.range.setMinimumWidth(96)
        self.route = Choice(parent)
        self.route.setObjectName("treatmentRoute")
        self.route.setAccessibleName("Route")
        self.route.setMinimumWidth(90)
        self.at = time_edit(parent)
        self.at.setObjectName("treatmentTime")
        self.at.setFixedWidth(72)
        self.at.setToolTip("Blank for now, or the time it was given (HH:MM).")
        self.given_by = QLineEdit(given_by, parent)
        self.given_by.setObjectName("treatmentGivenBy")
        self.given_by.setAccessibleName("Given by")
        self.given_by.setMaxLength(100)
        self.given_by.setMinimumWidth(150)
        self.remove = QPushButton("Remove", parent)
        self.remove.setObjectName("removeTreatmentButton")
        self.remove.setToolTip("Remove this dose (nothing is saved until you log the effect)")
        self.remove.setAccessibleName("Remove this dose")
        self.remove.setAutoDefault(False)
        self.remove.clicked.connect(lambda: on_remove(self))
        self.drug.currentIndexChanged.connect(self._drug_chosen)
        self._drug_chosen()

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.drug, self.dose, self.unit, self.range, self.route, self.at,
                self.given_by, self.remove)

    def fields(self) -> Mapping[str, QWidget]:
        return {"medication_code": self.drug, "dose": self.dose, "route": self.route,
                "given_at": self.at, "given_by": self.given_by}

    def medication(self) -> RescueMedication | None:
        return self.rescue.find(str(self.drug.currentData() or ""))

    def choose(self, code: str) -> None:
        self.drug.setCurrentIndex(max(0, self.drug.findData(code)))

    def _drug_chosen(self) -> None:
        medication = self.medication()
        self.route.clear()
        if medication is None:
            self.unit.setText("")
            self.range.setText("")
            self.route.setEnabled(False)
            return
        self.unit.setText(medication.unit.value)
        self.range.setText(f"list: {medication.dose_range}")
        self.range.setToolTip(f"The clinic's list gives one dose of {medication.description}.")
        for route in medication.routes:
            self.route.addItem(route.label, route.value)
        self.route.setEnabled(len(medication.routes) > 1)

    def draft(self, now: datetime) -> TreatmentDraft:
        medication = self.medication()
        if medication is None:
            raise ValidationError("Choose the rescue drug given, or remove the dose row.",
                                  field="medication_code")
        return TreatmentDraft(medication.code, self.dose.text(),
                              str(self.route.currentData() or ""),
                              given_at=time_or_now(self.at.text(), now, field="given_at"),
                              given_by=self.given_by.text())

    def check(self, onset: datetime, now: datetime) -> TreatmentDraft:
        """The draft, checked against the list (range, route) and the onset: a refusal names
        the field in this row."""
        draft = self.draft(now)
        medication = self.medication()
        if medication is not None:
            check_dose(medication, parse_dose(draft.dose, medication), draft.route)
        check_treatment_time(draft.given_at or now, onset_at=onset, now=now)
        return draft

    def clear_marks(self) -> None:
        for widget in self.fields().values():
            mark_invalid(widget, False)


class TreatmentRows(QWidget):
    """Zero or more dose rows and an "Add rescue dose" button."""

    def __init__(self, rescue: RescueList, *, given_by: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("treatmentRows")
        self.rescue = rescue
        self._given_by = given_by
        self.rows: list[TreatmentRow] = []
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(6)
        self.headings = []
        for column, text in enumerate(("Drug", "Dose", "", "", "Route", "Time", "Given by")):
            heading = QLabel(text, self)
            heading.setObjectName("columnHeading")
            self.headings.append(heading)
            self.grid.addWidget(heading, 0, column)
        self.add_button = QPushButton("+ Add rescue dose", self)
        self.add_button.setObjectName("addTreatmentButton")
        self.add_button.setAutoDefault(False)
        self.add_button.setToolTip("A dose from the clinic's rescue-medication list: "
                                   + "; ".join(m.description for m in rescue.items))
        self.add_button.clicked.connect(lambda: self.add_row())
        self.grid.setColumnStretch(8, 1)
        self._relayout()

    def add_row(self, code: str = "") -> TreatmentRow:
        row = TreatmentRow(self, self.rescue, given_by=self._given_by, on_remove=self.remove_row)
        if code:
            row.choose(code)
        self.rows.append(row)
        self._relayout()
        row.drug.setFocus(Qt.FocusReason.OtherFocusReason)
        return row

    def remove_row(self, row: TreatmentRow) -> None:
        self.rows.remove(row)
        for widget in row.widgets():
            self.grid.removeWidget(widget)
            widget.deleteLater()
        self._relayout()
        self.add_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _relayout(self) -> None:
        for heading in self.headings:
            heading.setVisible(bool(self.rows))
        for index, row in enumerate(self.rows, start=1):
            for column, widget in enumerate(row.widgets()):
                self.grid.addWidget(widget, index, column)
        self.grid.removeWidget(self.add_button)
        self.grid.addWidget(self.add_button, len(self.rows) + 1, 0, 1, 3,
                            Qt.AlignmentFlag.AlignLeft)
        self.add_button.setEnabled(len(self.rows) < MAX_ROWS)

    def clear_marks(self) -> None:
        for row in self.rows:
            row.clear_marks()

    def checked(self, onset: datetime, now: datetime) -> tuple[TreatmentDraft, ...]:
        """Every row's draft; a refusal marks the field in its row and is raised."""
        drafts = []
        for row in self.rows:
            try:
                drafts.append(row.check(onset, now))
            except ValidationError as error:
                self.mark(row, error)
                raise
        return tuple(drafts)

    def mark(self, row: TreatmentRow, error: ValidationError) -> None:
        widget = row.fields().get(error.field or "")
        if widget is not None:
            mark_invalid(widget, True)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def mark_for_service(self, error: ValidationError, code: str | None = None) -> bool:
        """Mark the row a service refusal is about (the first row, or the first of ``code``);
        whether it was one of these fields."""
        if error.field not in FIELDS or not self.rows:
            return False
        row = next((r for r in self.rows if code and r.drug.currentData() == code),
                   self.rows[0])
        self.mark(row, error)
        return True
