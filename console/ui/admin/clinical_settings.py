"""The Clinical tab: who may verify protocols, and the clinic's pain-diagnosis list."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.identity import Actor
from console.errors import UserFacingError
from console.services.container import Services
from console.ui.messages import InlineMessage


def _card(title: str, *widgets: QWidget) -> QFrame:
    card = QFrame()
    card.setObjectName("card")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(18, 14, 18, 14)
    heading = QLabel(title)
    heading.setObjectName("sectionTitle")
    layout.addWidget(heading)
    for widget in widgets:
        layout.addWidget(widget)
    return card


class ClinicalSettingsPanel(QWidget):
    """Each setting is saved, validated and audited by the services, on its own button."""

    def __init__(self, *, services: Services, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self.second_verifier = QCheckBox(
            "A second clinician must verify each protocol (not the one who wrote it)")
        self.verifier_reason = QLineEdit()
        self.verifier_reason.setPlaceholderText("Reason for the change (required)")
        self.save_verifier = QPushButton("Save verification rule")
        self.save_verifier.clicked.connect(self.save_verifier_rule)
        self.verifier_message = InlineMessage()
        self.diagnoses = QPlainTextEdit()
        self.diagnoses.setObjectName("diagnosesEdit")
        self.diagnoses.setMinimumHeight(170)
        self.save_diagnoses_button = QPushButton("Save diagnosis list")
        self.save_diagnoses_button.clicked.connect(self.save_diagnoses)
        self.diagnoses_message = InlineMessage()
        hint = QLabel("One diagnosis per line. Patients keep the diagnosis they were given when "
                      "the list changes.")
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(14)
        layout.addWidget(_card("Protocol verification", self.second_verifier,
                               self.verifier_reason, self.save_verifier, self.verifier_message))
        layout.addWidget(_card("Pain diagnoses", hint, self.diagnoses,
                               self.save_diagnoses_button, self.diagnoses_message))
        layout.addStretch(1)

    def refresh(self) -> None:
        self.second_verifier.setChecked(self._services.settings.verifier_must_differ())
        self.verifier_reason.clear()
        self.diagnoses.setPlainText("\n".join(self._services.patients.diagnoses()))
        self.verifier_message.clear_message()
        self.diagnoses_message.clear_message()

    def save_verifier_rule(self) -> None:
        try:
            self._services.settings.set_verifier_must_differ(
                self._actor, self.second_verifier.isChecked(),
                reason=self.verifier_reason.text())
        except UserFacingError as error:
            self.verifier_message.show_error(error.message)
            return
        self.verifier_reason.clear()
        self.verifier_message.show_info("Saved.")

    def save_diagnoses(self) -> None:
        try:
            saved = self._services.patients.set_diagnoses(
                self._actor, self.diagnoses.toPlainText().splitlines())
        except UserFacingError as error:
            self.diagnoses_message.show_error(error.message)
            return
        self.diagnoses.setPlainText("\n".join(saved))
        self.diagnoses_message.show_info(f"Saved: {len(saved)} diagnoses.")
