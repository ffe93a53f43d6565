"""Qt table models for the patient register and a patient's contraindication screen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from console.domain.patients import Answer, Contraindication, Patient, ScreeningAnswer
from console.ui.admin.common import format_date, format_local_time
from console.ui.widgets.record_table import RecordTableModel

_POSITIVE = QColor("#ff8a8e")  # a "yes": a contraindication is present
_UNCERTAIN = QColor("#f5c451")  # "unknown": somebody has to find out
_UNANSWERED = QColor("#8a96a3")


class PatientTableModel(RecordTableModel[Patient]):
    """Search results: name ("FAMILY, Given"), MRN, date of birth, age, sex, diagnosis."""

    COLUMNS = ("Name", "MRN", "Date of birth", "Age", "Sex", "Diagnosis")
    NAME, MRN, BORN, AGE, SEX, DIAGNOSIS = range(6)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._today: date | None = None

    def set_patients(self, patients: Sequence[Patient], today: date) -> None:
        """``today`` is the clinic's local date, for the ages."""
        with self.resetting():
            self._records = list(patients)
            self._today = today

    def patients(self) -> Sequence[Patient]:
        return self.records()

    def patient_at(self, row: int) -> Patient:
        return self.record_at(row)

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

    def sort_value(self, patient: Patient, column: int) -> Any:
        if column == self.BORN:
            return patient.date_of_birth.isoformat()
        if column == self.AGE:
            return -patient.date_of_birth.toordinal()
        return self.text(patient, column).casefold()

    def bold(self, patient: Patient, column: int) -> bool:
        return column == self.NAME

    def tooltip(self, patient: Patient, column: int) -> str | None:
        return patient.two_identifiers


ANSWER_TEXT = {Answer.YES: "YES", Answer.NO: "No", Answer.UNKNOWN: "Unknown"}
NOT_ANSWERED = "Not answered"


class ScreeningTableModel(RecordTableModel[Contraindication]):
    """The seven contraindication questions, each with its newest answer, who gave it, when.

    Questions needing attention come first (yes, then unknown, then not answered), the rest in
    the screen's own order, so a reported contraindication is never below the fold.
    """

    COLUMNS = ("Question", "Answer", "Details", "Answered by")
    QUESTION, ANSWER, DETAILS, ANSWERED = range(4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._answers: dict[Contraindication, ScreeningAnswer] = {}
        self._records = list(Contraindication)

    def set_answers(self, answers: Mapping[Contraindication, ScreeningAnswer]) -> None:
        with self.resetting():
            self._answers = dict(answers)
            self._records = sorted(Contraindication, key=self._urgency)

    def _urgency(self, item: Contraindication) -> int:
        answer = self._answers.get(item)
        if answer is None:
            return 2
        return {Answer.YES: 0, Answer.UNKNOWN: 1}.get(answer.answer, 3)

    def item_at(self, row: int) -> Contraindication:
        return self.record_at(row)

    def key(self, item: Contraindication) -> object:
        return item

    def answers(self) -> Mapping[Contraindication, ScreeningAnswer]:
        return dict(self._answers)

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

    def foreground(self, item: Contraindication, column: int) -> QColor | None:
        if column != self.ANSWER:
            return None
        answer = self._answers.get(item)
        if answer is None:
            return _UNANSWERED
        return {Answer.YES: _POSITIVE, Answer.UNKNOWN: _UNCERTAIN}.get(answer.answer)

    def bold(self, item: Contraindication, column: int) -> bool:
        answer = self._answers.get(item)
        return column == self.ANSWER and answer is not None and answer.answer is not Answer.NO

    def tooltip(self, item: Contraindication, column: int) -> str | None:
        answer = self._answers.get(item)
        if answer is None:
            return None
        return (f"{item.label}: {ANSWER_TEXT[answer.answer]}"
                + (f" — {answer.details}" if answer.details else "")
                + f"\nRecorded by {answer.answered_by}, "
                  f"{format_local_time(answer.answered_at)}")


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
