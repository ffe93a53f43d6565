"""Qt table models for the patient register and a patient's contraindication screen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from console.domain.patients import Answer, Contraindication, Patient, ScreeningAnswer
from console.ui.admin.common import SORT_ROLE, format_date, format_local_time

Index = QModelIndex | QPersistentModelIndex

_POSITIVE = QColor("#ff8a8e")  # a "yes": a contraindication is present
_UNCERTAIN = QColor("#f5c451")  # "unknown": somebody has to find out
_UNANSWERED = QColor("#8a96a3")


class PatientTableModel(QAbstractTableModel):
    """Search results: name ("FAMILY, Given"), MRN, date of birth, age, sex, diagnosis."""

    COLUMNS = ("Name", "MRN", "Date of birth", "Age", "Sex", "Diagnosis")
    NAME, MRN, BORN, AGE, SEX, DIAGNOSIS = range(6)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._patients: list[Patient] = []
        self._today: date | None = None

    def set_patients(self, patients: Sequence[Patient], today: date) -> None:
        """``today`` is the clinic's local date, for the ages."""
        self.beginResetModel()
        self._patients = list(patients)
        self._today = today
        self.endResetModel()

    def patients(self) -> Sequence[Patient]:
        return tuple(self._patients)

    def patient_at(self, row: int) -> Patient:
        return self._patients[row]

    def row_of(self, patient_id: int) -> int | None:
        for row, patient in enumerate(self._patients):
            if patient.id == patient_id:
                return row
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._patients)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        patient = self._patients[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(patient, column)
        if role == SORT_ROLE:
            if column == self.BORN:
                return patient.date_of_birth.isoformat()
            if column == self.AGE:
                return -patient.date_of_birth.toordinal()
            return self.text(patient, column).casefold()
        if role == Qt.ItemDataRole.FontRole and column == self.NAME:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return patient.two_identifiers
        return None

    def text(self, patient: Patient, column: int) -> str:
        match column:
            case self.NAME:
                return patient.display_name
            case self.MRN:
                return patient.mrn
            case self.BORN:
                return format_date(patient.date_of_birth)
            case self.AGE:
                return "" if self._today is None else str(patient.age_on(self._today))
            case self.SEX:
                return patient.sex.value.capitalize()
            case _:
                return patient.diagnosis or "Not recorded"


ANSWER_TEXT = {Answer.YES: "YES", Answer.NO: "No", Answer.UNKNOWN: "Unknown"}
NOT_ANSWERED = "Not answered"


class ScreeningTableModel(QAbstractTableModel):
    """The seven contraindication questions, each with its newest answer, who gave it, when.

    Questions needing attention come first (yes, then unknown, then not answered), the rest in
    the screen's own order, so a reported contraindication is never below the fold.
    """

    COLUMNS = ("Question", "Answer", "Details", "Answered by")
    QUESTION, ANSWER, DETAILS, ANSWERED = range(4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._answers: dict[Contraindication, ScreeningAnswer] = {}
        self._items = tuple(Contraindication)

    def set_answers(self, answers: Mapping[Contraindication, ScreeningAnswer]) -> None:
        self.beginResetModel()
        self._answers = dict(answers)
        self._items = tuple(sorted(Contraindication, key=self._urgency))
        self.endResetModel()

    def _urgency(self, item: Contraindication) -> int:
        answer = self._answers.get(item)
        if answer is None:
            return 2
        return {Answer.YES: 0, Answer.UNKNOWN: 1}.get(answer.answer, 3)

    def item_at(self, row: int) -> Contraindication:
        return self._items[row]

    def answers(self) -> Mapping[Contraindication, ScreeningAnswer]:
        return dict(self._answers)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        answer = self._answers.get(item)
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(item, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.ANSWER:
            if answer is None:
                return QBrush(_UNANSWERED)
            if answer.answer is Answer.YES:
                return QBrush(_POSITIVE)
            if answer.answer is Answer.UNKNOWN:
                return QBrush(_UNCERTAIN)
        if role == Qt.ItemDataRole.FontRole and column == self.ANSWER and answer is not None \
                and answer.answer is not Answer.NO:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and answer is not None:
            return (f"{item.label}: {ANSWER_TEXT[answer.answer]}"
                    + (f" — {answer.details}" if answer.details else "")
                    + f"\nRecorded by {answer.answered_by}, "
                      f"{format_local_time(answer.answered_at)}")
        return None

    def text(self, item: Contraindication, column: int) -> str:
        answer = self._answers.get(item)
        match column:
            case self.QUESTION:
                return item.label
            case self.ANSWER:
                return NOT_ANSWERED if answer is None else ANSWER_TEXT[answer.answer]
            case self.DETAILS:
                return "" if answer is None else answer.details
            case _:
                if answer is None:
                    return ""
                return f"{answer.answered_by} · {format_local_time(answer.answered_at)}"


def screen_summary(answers: Mapping[Contraindication, ScreeningAnswer]) -> tuple[str, str]:
    """A one-line reading of the screen and its kind: ``danger``, ``warning`` or ``info``."""
    positives = [a.item.label for a in answers.values() if a.answer is Answer.YES]
    missing = [item for item in Contraindication if item not in answers]
    unknown = [a.item.label for a in answers.values() if a.answer is Answer.UNKNOWN]
    if positives:
        text = "Contraindication reported: " + ", ".join(positives) + "."
        if missing:
            text += f" {len(missing)} question{'s' if len(missing) > 1 else ''} not answered."
        return text, "danger"
    if len(missing) == len(Contraindication):
        return "Screen not done: no question answered yet.", "warning"
    if missing:
        return (f"Screen incomplete: {len(missing)} of {len(Contraindication)} questions not "
                "answered. A protocol cannot be verified until every answer is recorded."), \
            "warning"
    if unknown:
        return "Screen complete; unknown: " + ", ".join(unknown) + ".", "warning"
    return "Screen complete: no contraindication reported.", "info"
