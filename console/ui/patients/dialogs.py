"""Registering or correcting a patient, and recording the contraindication screen.

Both dialogs stay open until the service accepts what was typed: a ``ValidationError`` is shown
under the form with the field at fault outlined, and everything typed is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from console.domain.patients import (
    Answer,
    Contraindication,
    Patient,
    ScreeningAnswer,
    Sex,
)
from console.errors import ValidationError
from console.services.patients import PatientDetails
from console.ui.admin.dialogs import SubmitDialog
from console.ui.widgets.banners import AllergyBanner, IdentityBanner
from console.ui.widgets.inputs import Choice, DateField

DATE_OF_BIRTH_NEEDED = ("Enter the date of birth: type the day, the month's first letters and "
                        "the year, for example 14Mar1968.")


class PatientDialog(SubmitDialog):
    """Register a patient, or correct one (with a reason kept in the audit trail)."""

    def __init__(self, *, diagnoses: Sequence[str],
                 submit: Callable[[PatientDetails, str], Patient],
                 patient: Patient | None = None, parent: QWidget | None = None) -> None:
        super().__init__(
            title="Register patient" if patient is None else f"Edit {patient.display_name}",
            accept_text="Register patient" if patient is None else "Save changes",
            parent=parent,
        )
        self.setObjectName("patientDialog")
        self.setMinimumWidth(620)
        self._submit = submit
        self.editing = patient
        self.saved_patient: Patient | None = None

        self.mrn_edit = QLineEdit()
        self.mrn_edit.setObjectName("mrnEdit")
        self.mrn_edit.setMaxLength(32)
        self.mrn_edit.setPlaceholderText("as printed on the wristband")
        self.family_edit = QLineEdit()
        self.family_edit.setObjectName("familyNameEdit")
        self.family_edit.setMaxLength(100)
        self.family_edit.setPlaceholderText("as on the patient's ID")
        self.given_edit = QLineEdit()
        self.given_edit.setObjectName("givenNameEdit")
        self.given_edit.setMaxLength(100)
        self.given_edit.setPlaceholderText("as on the patient's ID")
        self.born_edit = DateField()
        self.born_edit.setObjectName("dateOfBirthEdit")
        self.born_edit.setFixedWidth(220)
        self.sex_combo = Choice()
        self.sex_combo.setObjectName("sexCombo")
        self.sex_combo.addItem("Choose…", "")
        for sex in Sex:
            self.sex_combo.addItem(sex.value.capitalize(), sex.value)
        self.diagnosis_combo = Choice()
        self.diagnosis_combo.setObjectName("diagnosisCombo")
        self.diagnosis_combo.addItem("Not recorded", "")
        for diagnosis in diagnoses:
            self.diagnosis_combo.addItem(diagnosis, diagnosis)
        self.allergies_edit = QPlainTextEdit()
        self.allergies_edit.setObjectName("allergiesEdit")
        self.allergies_edit.setTabChangesFocus(True)
        self.allergies_edit.setFixedHeight(80)
        self.allergies_edit.setPlaceholderText(
            "Each allergy and the reaction, for example: penicillin — rash. "
            "Leave empty if none are known.")
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setMaxLength(500)
        self.reason_edit.setPlaceholderText("for example: MRN corrected from the wristband")

        born_help = QLabel("Type the day, month and year, for example 14Mar1968.")
        born_help.setObjectName("muted")
        self.form.addRow("MRN", self.mrn_edit)
        self.form.addRow("Family name", self.family_edit)
        self.form.addRow("Given name", self.given_edit)
        self.form.addRow("Date of birth", self.born_edit)
        self.form.addRow("", born_help)
        self.form.addRow("Sex", self.sex_combo)
        self.form.addRow("Pain diagnosis", self.diagnosis_combo)
        self.form.addRow("Allergies", self.allergies_edit)

        if patient is None:
            self.set_intro("Check the name, MRN and date of birth against the patient's "
                           "wristband or ID: they identify the patient on every screen.")
        else:
            self.set_intro("Correct the record. The old and new values are kept in the audit "
                           "trail with your name.")
            self.mrn_edit.setText(patient.mrn)
            self.family_edit.setText(patient.family_name)
            self.given_edit.setText(patient.given_name)
            self.born_edit.set_value(patient.date_of_birth)
            self.sex_combo.setCurrentIndex(self.sex_combo.findData(patient.sex.value))
            if patient.diagnosis and self.diagnosis_combo.findData(patient.diagnosis) < 0:
                self.diagnosis_combo.addItem(patient.diagnosis, patient.diagnosis)
            self.diagnosis_combo.setCurrentIndex(
                max(0, self.diagnosis_combo.findData(patient.diagnosis)))
            self.allergies_edit.setPlainText(patient.allergies)
            self.form.addRow("Reason for the change", self.reason_edit)
        self.mrn_edit.setFocus()

    def fields(self) -> Mapping[str, QWidget]:
        return {
            "mrn": self.mrn_edit,
            "family_name": self.family_edit,
            "given_name": self.given_edit,
            "date_of_birth": self.born_edit,
            "sex": self.sex_combo,
            "diagnosis": self.diagnosis_combo,
            "allergies": self.allergies_edit,
            "reason": self.reason_edit,
        }

    def details(self) -> PatientDetails:
        born: date | None = self.born_edit.value()
        if born is None:
            raise ValidationError(DATE_OF_BIRTH_NEEDED, field="date_of_birth")
        return PatientDetails(
            mrn=self.mrn_edit.text(),
            family_name=self.family_edit.text(),
            given_name=self.given_edit.text(),
            date_of_birth=born,
            sex=str(self.sex_combo.currentData() or ""),
            diagnosis=str(self.diagnosis_combo.currentData() or ""),
            allergies=self.allergies_edit.toPlainText(),
        )

    def submit_form(self) -> None:
        self.saved_patient = self._submit(self.details(), self.reason_edit.text())


ANSWER_LABELS = ((Answer.YES, "Yes"), (Answer.NO, "No"), (Answer.UNKNOWN, "Unknown"))
YES_NEEDS_DETAILS = "Required for yes: what, since when, how treated"


class ScreeningDialog(SubmitDialog):
    """The seven contraindication questions: Yes, No or Unknown, with details.

    Only answers that changed are recorded; each keeps who answered and when.
    """

    def __init__(self, *, patient: Patient, today: date,
                 current: Mapping[Contraindication, ScreeningAnswer],
                 submit: Callable[[Mapping[Contraindication, tuple[Answer, str]]], object],
                 parent: QWidget | None = None) -> None:
        super().__init__(title="Contraindication screen", accept_text="Save screen",
                         parent=parent)
        self.setObjectName("screeningDialog")
        self.setMinimumWidth(1080)
        self._submit = submit
        self.banner = IdentityBanner()
        self.banner.show_patient(patient, today)
        self.allergies = AllergyBanner()
        self.allergies.show_allergies(patient)
        intro = QLabel(
            "Ask the patient and check the record. A 'Yes' needs details: what, since when, how "
            "treated. Only changed answers are recorded, each with your name and the time.")
        intro.setWordWrap(True)
        self.choices: dict[Contraindication, dict[Answer, QRadioButton]] = {}
        self.groups: dict[Contraindication, QButtonGroup] = {}
        self.details: dict[Contraindication, QLineEdit] = {}

        grid_widget = QWidget()
        grid = QGridLayout(grid_widget)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(8)
        for column, title in enumerate(("Question", "Answer", "", "", "Details")):
            if title:
                heading = QLabel(title)
                heading.setObjectName("columnHeading")
                grid.addWidget(heading, 0, column)
        for row, item in enumerate(Contraindication, start=1):
            label = QLabel(item.label)
            grid.addWidget(label, row, 0)
            group = QButtonGroup(self)
            group.setExclusive(True)
            self.groups[item] = group
            self.choices[item] = {}
            for offset, (answer, text) in enumerate(ANSWER_LABELS):
                button = QRadioButton(text)
                button.setObjectName(f"{item.value}-{answer.value}")
                group.addButton(button)
                self.choices[item][answer] = button
                grid.addWidget(button, row, 1 + offset)
            details = QLineEdit()
            details.setObjectName(f"{item.value}-details")
            details.setMaxLength(500)
            details.setMinimumWidth(300)
            self.details[item] = details
            grid.addWidget(details, row, 4)
            answered = current.get(item)
            if answered is not None:
                self.choices[item][answered.answer].setChecked(True)
                details.setText(answered.details)
            self._placeholder(item)
            group.buttonToggled.connect(lambda _button, _on, item=item: self._placeholder(item))
        grid.setColumnStretch(4, 1)
        self.form.addRow(self.banner)
        self.form.addRow(self.allergies)
        self.form.addRow(intro)
        self.form.addRow(grid_widget)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The wrapped introduction needs its second line: grow to the height the layout needs
        # at this width, so the last question is never clipped.
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            needed = layout.totalHeightForWidth(self.width())
            if needed > self.height():
                self.resize(self.width(), needed)

    def _placeholder(self, item: Contraindication) -> None:
        yes = self.choices[item][Answer.YES].isChecked()
        self.details[item].setPlaceholderText(YES_NEEDS_DETAILS if yes else "optional")

    def choose(self, item: Contraindication, answer: Answer) -> None:
        self.choices[item][answer].setChecked(True)

    def answers(self) -> dict[Contraindication, tuple[Answer, str]]:
        """Every question with an answer chosen (questions left blank are not sent)."""
        chosen: dict[Contraindication, tuple[Answer, str]] = {}
        for item, buttons in self.choices.items():
            for answer, button in buttons.items():
                if button.isChecked():
                    chosen[item] = (answer, self.details[item].text())
        return chosen

    def fields(self) -> Mapping[str, QWidget]:
        return {item.value: edit for item, edit in self.details.items()}

    def submit_form(self) -> None:
        self._submit(self.answers())
