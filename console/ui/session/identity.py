"""Confirming the patient by two identifiers before anything is done for them.

The nurse reads the wristband: the name shown must match, and the MRN (or date of birth) is
typed from the wristband, not picked, so the wrong row in a list cannot slip through.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from PySide6.QtWidgets import QCheckBox, QLineEdit, QListWidget, QListWidgetItem, QWidget

from console.domain.identity import Actor
from console.domain.patients import Patient
from console.errors import UserFacingError, ValidationError
from console.services.container import Services
from console.ui.admin.dialogs import SubmitDialog
from console.ui.widgets.banners import AllergyBanner, IdentityBanner

NOT_CONFIRMED = ("The second identifier does not match this patient. Read the MRN or date of "
                 "birth from the wristband again.")


def _dob_forms(born: date) -> set[str]:
    return {f"{born:%d%b%Y}".lower(), f"{born:%d %b %Y}".lower(), born.isoformat(),
            f"{born:%d/%m/%Y}", f"{born:%d.%m.%Y}"}


def second_identifier_matches(patient: Patient, typed: str) -> bool:
    text = " ".join(typed.split()).lower()
    if not text:
        return False
    return text == patient.mrn.lower() or text in _dob_forms(patient.date_of_birth)


class IdentityConfirmation(QWidget):
    """The patient's banner, 'name matches' and the typed second identifier."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.banner = IdentityBanner(self)
        self.allergies = AllergyBanner(self)
        self.name_matches = QCheckBox("The name on the wristband matches", self)
        self.name_matches.setObjectName("nameMatchesCheck")
        self.second = QLineEdit(self)
        self.second.setObjectName("secondIdentifierEdit")
        self.second.setPlaceholderText("MRN or date of birth (14Mar1968), read from the "
                                       "wristband")
        self.second.setMaxLength(40)
        self.patient: Patient | None = None

    def show_patient(self, patient: Patient | None, today: date) -> None:
        self.patient = patient
        self.banner.show_patient(patient, today)
        self.allergies.show_allergies(patient)
        self.name_matches.setChecked(False)
        self.second.clear()

    def check(self) -> Patient:
        if self.patient is None:
            raise ValidationError("Choose the patient first.", field="patient")
        if not self.name_matches.isChecked():
            raise ValidationError("Check the name on the wristband and tick the box.",
                                  field="name")
        if not second_identifier_matches(self.patient, self.second.text()):
            raise ValidationError(NOT_CONFIRMED, field="second")
        return self.patient


class ConfirmPatientDialog(SubmitDialog):
    """Before a session opens: is this the patient in the chair?"""

    def __init__(self, *, patient: Patient, today: date, parent: QWidget | None = None) -> None:
        super().__init__(title="Confirm the patient", accept_text="Confirmed — open session",
                         parent=parent)
        self.setObjectName("confirmPatientDialog")
        self.setMinimumWidth(640)
        self.set_intro("Check two identifiers against the wristband before opening the session.")
        self.identity = IdentityConfirmation(self)
        self.identity.show_patient(patient, today)
        self.form.addRow(self.identity.banner)
        self.form.addRow(self.identity.allergies)
        self.form.addRow(self.identity.name_matches)
        self.form.addRow("Second identifier", self.identity.second)

    def fields(self) -> Mapping[str, QWidget]:
        return {"name": self.identity.name_matches, "second": self.identity.second}

    def submit_form(self) -> None:
        self.identity.check()


class CheckInDialog(SubmitDialog):
    """Find the patient, confirm two identifiers, check in (a session in 'preparing')."""

    def __init__(self, *, services: Services, actor: Actor, today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__(title="Check in patient", accept_text="Check in", parent=parent)
        self.setObjectName("checkInDialog")
        self.setMinimumWidth(720)
        self._services = services
        self._actor = actor
        self._today = today
        self.session_id: int | None = None
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("checkInSearchEdit")
        self.search_edit.setPlaceholderText("Family or given name, or MRN")
        self.search_edit.setMaxLength(100)
        self.results = QListWidget(self)
        self.results.setObjectName("checkInResults")
        self.results.setMinimumHeight(150)
        self.identity = IdentityConfirmation(self)
        self.form.addRow("Find", self.search_edit)
        self.form.addRow(self.results)
        self.form.addRow(self.identity.banner)
        self.form.addRow(self.identity.allergies)
        self.form.addRow(self.identity.name_matches)
        self.form.addRow("Second identifier", self.identity.second)
        self.search_edit.textChanged.connect(self.search)
        self.results.currentRowChanged.connect(self._chosen)
        self.patients: list[Patient] = []
        self.search()

    def fields(self) -> Mapping[str, QWidget]:
        return {"name": self.identity.name_matches, "second": self.identity.second,
                "patient": self.results, "protocol": self.results}

    def search(self) -> None:
        try:
            found = self._services.patients.search(self._actor, self.search_edit.text())
        except UserFacingError as error:
            self.message.show_error(error.message)
            return
        self.patients = list(found)[:50]
        self.results.clear()
        for patient in self.patients:
            QListWidgetItem(patient.two_identifiers, self.results)
        self.identity.show_patient(None, self._today)

    def choose(self, patient_id: int) -> None:
        row = next(i for i, p in enumerate(self.patients) if p.id == patient_id)
        self.results.setCurrentRow(row)

    def _chosen(self, row: int) -> None:
        patient = self.patients[row] if 0 <= row < len(self.patients) else None
        self.identity.show_patient(patient, self._today)

    def try_submit(self) -> None:
        # Every expected refusal (no verified protocol, an open session) stays in this dialog.
        self.message.clear_message()
        try:
            self.submit_form()
        except UserFacingError as error:
            self.show_validation_error(ValidationError(error.message, field=error.field))
        else:
            self.accept()

    def submit_form(self) -> None:
        patient = self.identity.check()
        record = self._services.sessions.check_in(self._actor, patient.id)
        self.session_id = record.id
