"""Verifying a protocol: a second clinician reads it in full, acknowledges any contraindication,
and signs with their password. The service decides; its message is shown in the dialog."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from console.domain.identity import Actor
from console.domain.patients import Answer, Contraindication, Patient, ScreeningAnswer
from console.domain.protocols import LibraryVersion, PatientProtocol
from console.errors import AuthenticationFailed, UserFacingError, ValidationError
from console.services.container import Services
from console.ui.admin.common import format_local_time
from console.ui.admin.dialogs import SubmitDialog
from console.ui.forms import mark_invalid, password_field
from console.ui.protocols.describe import protocol_details
from console.ui.widgets.banners import AllergyBanner, Banner, DrugBadge, IdentityBanner


class SigningDialog(SubmitDialog):
    """A dialog that ends in an electronic signature: the meaning as it will read, and the
    password asked again. Every expected refusal is shown inline, not in a message box."""

    def add_signature_block(self, *, meaning: str, signer: str, when: str,
                            explanation: str) -> None:
        heading = QLabel("Your signature")
        heading.setObjectName("sectionTitle")
        self.signature_meaning = QLabel(f"{meaning} by {signer}, {when}")
        self.signature_meaning.setObjectName("signatureMeaning")
        self.signature_meaning.setWordWrap(True)
        note = QLabel(explanation)
        note.setObjectName("muted")
        note.setWordWrap(True)
        self.password_edit: QLineEdit = password_field("your password")
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.textChanged.connect(lambda: mark_invalid(self.password_edit, False))
        self.form.addRow(heading)
        self.form.addRow(self.signature_meaning)
        self.form.addRow(note)
        self.form.addRow("Password", self.password_edit)

    def try_submit(self) -> None:
        self.message.clear_message()
        for widget in self.fields().values():
            mark_invalid(widget, False)
        try:
            self.submit_form()
        except AuthenticationFailed as error:
            self.password_edit.clear()
            mark_invalid(self.password_edit, True)
            self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.message.show_error(error.message)
        except ValidationError as error:
            self.show_validation_error(error)
        except UserFacingError as error:
            self.message.show_error(error.message)
        else:
            self.accept()


class VerifyDialog(SigningDialog):
    """Read the protocol, acknowledge any reported contraindication, sign as verified."""

    def __init__(self, *, services: Services, actor: Actor, patient: Patient, today: date,
                 protocol: PatientProtocol, entry: LibraryVersion | None,
                 screen: Mapping[Contraindication, ScreeningAnswer],
                 parent: QWidget | None = None) -> None:
        super().__init__(title=f"Verify protocol v{protocol.version} — {patient.display_name}",
                         accept_text="Verify and sign", parent=parent)
        self.setObjectName("verifyDialog")
        self.setMinimumWidth(860)
        self._services = services
        self._actor = actor
        self.protocol = protocol
        self.verified: PatientProtocol | None = None

        self.banner = IdentityBanner()
        self.banner.show_patient(patient, today)
        self.allergies = AllergyBanner()
        self.allergies.show_allergies(patient)
        self.drug_badge = DrugBadge()
        self.drug_badge.show_drug(protocol.order.drug)
        lines = protocol_details(protocol, entry)
        self.headline = QLabel(f"{lines[1]}")
        self.headline.setObjectName("protocolHeadline")
        self.headline.setWordWrap(True)
        self.summary = QLabel("\n".join([lines[0], *lines[2:]]))
        self.summary.setObjectName("protocolSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        card = QFrame()
        card.setObjectName("protocolSummaryCard")
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(14, 10, 14, 12)
        card_layout.setSpacing(6)
        card_layout.addWidget(self.drug_badge, 0, Qt.AlignmentFlag.AlignLeft)
        card_layout.addWidget(self.headline)
        card_layout.addWidget(self.summary)
        self.form.addRow(self.banner)
        self.form.addRow(self.allergies)
        self.form.addRow(card)

        self.positives = [answer for answer in screen.values() if answer.answer is Answer.YES]
        unanswered = [item.label for item in Contraindication if item not in screen]
        self.screen_banner = Banner()
        self.ack_edit = QPlainTextEdit()
        self.ack_edit.setObjectName("ackEdit")
        self.ack_edit.setTabChangesFocus(True)
        self.ack_edit.setFixedHeight(70)
        self.ack_edit.setPlaceholderText(
            "Why this protocol is appropriate despite the reported contraindication")
        self.form.addRow(self.screen_banner)
        if self.positives:
            lines = [f"• {a.item.label}: {a.details}" for a in self.positives]
            self.screen_banner.show_text(
                "Contraindication reported on the screen:\n" + "\n".join(lines), kind="danger")
            self.form.addRow("Acknowledgement", self.ack_edit)
        if unanswered:
            self.screen_banner.show_text(
                (self.screen_banner.text() + "\n\n" if self.positives else "")
                + "The screen is incomplete (" + ", ".join(unanswered) + "). The console will "
                "not accept a verification until every answer is recorded.",
                kind="danger" if self.positives else "warning")
        elif not self.positives:
            self.screen_banner.show_text("Contraindication screen complete: nothing reported.",
                                         kind="ok")

        self.add_signature_block(
            meaning="Verified", signer=actor.full_name,
            when=format_local_time(services.protocols.now()),
            explanation=("Signing binds your printed name, the date and time and the meaning "
                         "“verified” to exactly this version. Enter your password to sign."))
        if self.positives:
            self.ack_edit.setFocus()
        else:
            self.password_edit.setFocus()

    def fields(self) -> Mapping[str, QWidget]:
        return {"contraindication_ack": self.ack_edit, "password": self.password_edit}

    def submit_form(self) -> None:
        ack = self.ack_edit.toPlainText() if self.positives else ""
        self.verified = self._services.protocols.verify(
            self._actor, self.protocol.id, password=self.password_edit.text(),
            contraindication_ack=ack or None)
