"""Banners that must not be missed: who the patient is, allergies, drug, and record state."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from console.domain.drugs import Drug
from console.domain.patients import Patient


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


class Banner(QLabel):
    """A full-width message strip: ``kind`` is danger (red), warning (amber), info or muted."""

    def __init__(self, parent: QWidget | None = None, *, kind: str = "info") -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.set_kind(kind)
        self.hide()

    def set_kind(self, kind: str) -> None:
        self.setProperty("kind", kind)
        _repolish(self)

    def show_text(self, text: str, *, kind: str | None = None) -> None:
        if kind is not None:
            self.set_kind(kind)
        self.setText(text)
        self.show()

    def clear_text(self) -> None:
        self.clear()
        self.hide()

    @property
    def kind(self) -> str:
        return str(self.property("kind"))


class IdentityBanner(QFrame):
    """The patient's two identifiers (name, MRN, date of birth), large, whenever one is shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("identityBanner")
        self.identifiers = QLabel(self)
        self.identifiers.setObjectName("identityText")
        self.identifiers.setWordWrap(True)
        self.identifiers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel(self)
        self.details.setObjectName("identityDetail")
        self.details.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(2)
        layout.addWidget(self.identifiers)
        layout.addWidget(self.details)
        self.patient: Patient | None = None
        self.show_patient(None)

    def show_patient(self, patient: Patient | None, today: date | None = None) -> None:
        """Show ``patient`` (their age on ``today``, the clinic's local date), or nobody."""
        self.patient = patient
        empty = patient is None or today is None
        for widget in (self, self.identifiers, self.details):
            widget.setProperty("empty", empty)
        if patient is None or today is None:
            self.patient = None
            self.identifiers.setText("No patient selected")
            self.details.setText("Search by name, MRN or date of birth, then choose the patient.")
        else:
            self.identifiers.setText(patient.two_identifiers)
            parts = [f"Age {patient.age_on(today)}", patient.sex.value.capitalize()]
            if patient.diagnosis:
                parts.append(patient.diagnosis)
            self.details.setText(" · ".join(parts))
        for widget in (self, self.identifiers, self.details):
            _repolish(widget)


class AllergyBanner(QLabel):
    """Allergies in red when any are recorded; a quiet line when none are."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("allergyBanner")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_allergies(None)

    def show_allergies(self, patient: Patient | None) -> None:
        if patient is None:
            self.hide()
            return
        allergies = " ".join(patient.allergies.split())
        if allergies:
            self.setProperty("kind", "present")
            self.setText(f"ALLERGIES: {allergies}")
        else:
            self.setProperty("kind", "none")
            self.setText("Allergies: none recorded")
        _repolish(self)
        self.show()

    @property
    def present(self) -> bool:
        return self.property("kind") == "present"


DRUG_NOTES = {
    Drug.KETAMINE: "KETAMINE (racemic)",
    Drug.ESKETAMINE: "ESKETAMINE — about twice as potent as racemic ketamine; doses do not "
                     "transfer",
}


class DrugBadge(QLabel):
    """Which drug, impossible to overlook: ketamine and esketamine look different."""

    def __init__(self, parent: QWidget | None = None, *, wrap: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("drugBadge")
        self.setWordWrap(wrap)
        self.show_drug(None)

    def show_drug(self, drug: Drug | None) -> None:
        self.drug = drug
        if drug is None:
            self.setProperty("drug", "none")
            self.setText("No drug chosen")
        else:
            self.setProperty("drug", drug.value)
            self.setText(DRUG_NOTES[drug])
        _repolish(self)
