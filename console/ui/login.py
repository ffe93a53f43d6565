"""Signing in, first-run setup, and replacing a temporary password."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from console import __version__
from console.domain.identity import MIN_PASSWORD_LENGTH, Actor
from console.errors import PasswordChangeRequired, UserFacingError, ValidationError
from console.services.container import Services
from console.ui.forms import form_layout, mark_invalid, password_field, primary_button
from console.ui.messages import InlineMessage


def _card(parent: QWidget) -> tuple[QFrame, QVBoxLayout]:
    card = QFrame(parent)
    card.setObjectName("card")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(32, 28, 32, 28)
    layout.setSpacing(14)
    return card, layout


def _centred(dialog: QDialog, card: QFrame, footer: str) -> None:
    outer = QVBoxLayout(dialog)
    outer.setContentsMargins(40, 40, 40, 24)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card)
    row.addStretch(1)
    outer.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(1)
    note = QLabel(footer, dialog)
    note.setObjectName("muted")
    note.setAlignment(Qt.AlignmentFlag.AlignCenter)
    outer.addWidget(note)


class LoginDialog(QDialog):
    """Sign-in. On success ``actor`` holds who signed in.

    A reset password is replaced here too, before the console opens.
    """

    def __init__(
        self, *, services: Services, clinic_name: str, database_label: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self.actor: Actor | None = None
        self.setWindowTitle("Ketamine Infusion Console — Sign in")
        self.setMinimumSize(720, 560)
        card, layout = _card(self)
        card.setFixedWidth(440)
        clinic = QLabel(clinic_name or "Ketamine Infusion Console", card)
        clinic.setObjectName("title")
        clinic.setWordWrap(True)
        subtitle = QLabel("Ketamine Infusion Console · sign in to continue", card)
        subtitle.setObjectName("subtitle")
        self.username = QLineEdit(card)
        self.username.setPlaceholderText("user name")
        self.username.setMaxLength(64)
        self.password = password_field("password", card)
        self.message = InlineMessage(card)
        self.sign_in_button = primary_button("Sign in", card)
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self._sign_in)
        form = form_layout()
        form.addRow("User name", self.username)
        form.addRow("Password", self.password)
        for widget in (clinic, subtitle):
            layout.addWidget(widget)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.sign_in_button)
        _centred(self, card, f"{database_label} · version {__version__}")
        self.username.setFocus()

    def _sign_in(self) -> None:
        username, password = self.username.text(), self.password.text()
        if not username.strip() or not password:
            self.message.show_error("Enter your user name and password.")
            return
        try:
            self.actor = self._services.auth.sign_in(username, password)
        except PasswordChangeRequired as required:
            self.actor = self._replace_password(username, password, required.message)
        except UserFacingError as error:
            self.password.clear()
            self.password.setFocus()
            self.message.show_error(error.message)
            return
        if self.actor is not None:
            self.accept()

    def _replace_password(self, username: str, current: str, why: str) -> Actor | None:
        dialog = ChangePasswordDialog(
            services=self._services, username=username, current_password=current,
            explanation=why, parent=self,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.actor
        self.password.clear()
        self.message.show_info("Sign in again when you are ready to choose a new password.")
        return None


class ChangePasswordDialog(QDialog):
    """Choose a new password. With ``current_password`` given, the current field is hidden."""

    def __init__(
        self, *, services: Services, username: str, current_password: str | None = None,
        explanation: str = "", parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._username = username
        self.actor: Actor | None = None
        self.setWindowTitle("Choose a new password")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        if explanation:
            text = QLabel(explanation, self)
            text.setWordWrap(True)
            layout.addWidget(text)
        hint = QLabel(
            f"At least {MIN_PASSWORD_LENGTH} characters, not containing your user name.", self
        )
        hint.setObjectName("muted")
        layout.addWidget(hint)
        form = form_layout()
        self.current = password_field(parent=self)
        if current_password is not None:
            self.current.setText(current_password)
        else:
            form.addRow("Current password", self.current)
        self.new = password_field(parent=self)
        self.confirm = password_field(parent=self)
        form.addRow("New password", self.new)
        form.addRow("New password again", self.confirm)
        layout.addLayout(form)
        self.message = InlineMessage(self)
        layout.addWidget(self.message)
        save = primary_button("Save new password", self)
        save.setDefault(True)
        save.clicked.connect(self._save)
        layout.addWidget(save)
        self.resize(480, self.sizeHint().height())

    def _save(self) -> None:
        mark_invalid(self.confirm, False)
        if self.new.text() != self.confirm.text():
            mark_invalid(self.confirm, True)
            self.message.show_error("The two new passwords differ. Type the same one twice.")
            return
        try:
            self.actor = self._services.auth.change_password(
                self._username, self.current.text(), self.new.text()
            )
        except ValidationError as error:
            mark_invalid(self.new, True)
            self.message.show_error(error.message)
            return
        except UserFacingError as error:
            self.message.show_error(error.message)
            return
        self.accept()


class SetupDialog(QDialog):
    """First start on an empty database: name the clinic and create its first administrator."""

    def __init__(self, *, services: Services, database_label: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self.actor: Actor | None = None
        self.setWindowTitle("Ketamine Infusion Console — First-time setup")
        self.setMinimumSize(760, 620)
        card, layout = _card(self)
        card.setFixedWidth(520)
        title = QLabel("Set up this clinic", card)
        title.setObjectName("title")
        intro = QLabel(
            "This database is empty. Name the clinic and create the first administrator, who "
            "will then create the nurses' and clinicians' accounts.", card)
        intro.setWordWrap(True)
        intro.setObjectName("subtitle")
        self.clinic_name = QLineEdit(card)
        self.clinic_name.setMaxLength(120)
        self.full_name = QLineEdit(card)
        self.full_name.setMaxLength(100)
        self.username = QLineEdit(card)
        self.username.setMaxLength(32)
        self.password = password_field(parent=card)
        self.confirm = password_field(parent=card)
        form = form_layout()
        form.addRow("Clinic name", self.clinic_name)
        form.addRow("Administrator's full name", self.full_name)
        form.addRow("User name", self.username)
        form.addRow("Password", self.password)
        form.addRow("Password again", self.confirm)
        self.message = InlineMessage(card)
        create = primary_button("Create clinic and administrator", card)
        create.setDefault(True)
        create.clicked.connect(self._create)
        for widget in (title, intro):
            layout.addWidget(widget)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(create)
        _centred(self, card, f"{database_label} · version {__version__}")
        self._fields = {
            "clinic_name": self.clinic_name, "full_name": self.full_name,
            "username": self.username, "password": self.password,
        }

    def _create(self) -> None:
        for each in (*self._fields.values(), self.confirm):
            mark_invalid(each, False)
        if self.password.text() != self.confirm.text():
            mark_invalid(self.confirm, True)
            self.message.show_error("The two passwords differ. Type the same one twice.")
            return
        try:
            self.actor = self._services.setup.initialise(
                clinic_name=self.clinic_name.text(), username=self.username.text(),
                full_name=self.full_name.text(), password=self.password.text(),
            )
        except UserFacingError as error:
            field: QLineEdit | None = self._fields.get(error.field or "")
            if field is not None:
                mark_invalid(field, True)
                field.setFocus()
            self.message.show_error(error.message)
            return
        self.accept()
