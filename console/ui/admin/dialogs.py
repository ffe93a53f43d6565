"""Dialogs of the Users tab.

Each dialog is handed a ``submit`` callable that makes the service call. The dialog stays open
until that call succeeds: a ``ValidationError`` is shown inline under the form, with the field at
fault marked and everything typed kept; any other expected error is shown as a message box.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.identity import MIN_PASSWORD_LENGTH, Role, User
from console.errors import UserFacingError, ValidationError
from console.ui.forms import mark_invalid
from console.ui.messages import InlineMessage, show_user_error

PASSWORDS_DIFFER = "The two passwords are not the same. Type the temporary password twice."


@dataclass(frozen=True, slots=True)
class UserForm:
    """What the administrator typed into the user dialog."""

    username: str
    full_name: str
    role: Role
    temporary_password: str


class SubmitDialog(QDialog):
    """A form, an inline message under it, and OK/Cancel; OK runs ``submit_form``."""

    def __init__(self, *, title: str, accept_text: str, danger: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(520)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setVerticalSpacing(10)
        self.message = InlineMessage(self)
        self.buttons = QDialogButtonBox(self)
        self.accept_button: QPushButton = self.buttons.addButton(
            accept_text, QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.accept_button.setDefault(True)
        self.accept_button.setProperty("role", "danger" if danger else "primary")
        self.cancel_button: QPushButton = self.buttons.addButton(
            QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.try_submit)
        self.buttons.rejected.connect(self.reject)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.intro.hide()
        layout = QVBoxLayout(self)
        layout.setSpacing(14)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def showEvent(self, event: QShowEvent) -> None:
        # The theme draws the default button bold; make room for that, so the text is never
        # clipped, and apply the role property set after the button box first polished it.
        for button in (self.accept_button, self.cancel_button):
            button.style().unpolish(button)
            button.style().polish(button)
            bold = QFont(button.font())
            bold.setBold(True)
            button.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(button.text()) + 48)
        super().showEvent(event)

    def _make_room(self) -> None:
        """Grow to fit a message that just appeared, so no input is squeezed under another."""
        hint = self.sizeHint()
        if self.width() < hint.width() or self.height() < hint.height():
            self.resize(max(self.width(), hint.width()), max(self.height(), hint.height()))

    def set_intro(self, text: str) -> None:
        self.intro.setText(text)
        self.intro.show()

    def fields(self) -> Mapping[str, QWidget]:
        """The input for each ``ValidationError.field`` name this dialog can mark."""
        return {}

    def submit_form(self) -> None:
        raise NotImplementedError

    def try_submit(self) -> None:
        self.message.clear_message()
        for widget in self.fields().values():
            mark_invalid(widget, False)
        try:
            self.submit_form()
        except ValidationError as error:
            self.show_validation_error(error)
        except UserFacingError as error:
            self.show_refusal(error)
        else:
            self.accept()

    def show_refusal(self, error: UserFacingError) -> None:
        """A refusal that is not about one field of the form: a message box."""
        show_user_error(self, error)

    def show_validation_error(self, error: ValidationError) -> None:
        self.message.show_error(error.message)
        self._make_room()
        widget = self.fields().get(error.field or "")
        if widget is not None:
            mark_invalid(widget, True)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)


def _password_edit(placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    edit.setMaxLength(256)
    return edit


class UserDialog(SubmitDialog):
    """Create an account (user name, full name, role, temporary password twice) or edit one
    (full name and role; the user name never changes, it is what the audit trail refers to)."""

    def __init__(self, *, submit: Callable[[UserForm], User], user: User | None = None,
                 own_account: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(
            title="New user" if user is None else f"Edit {user.full_name}",
            accept_text="Create account" if user is None else "Save changes",
            parent=parent,
        )
        self.setObjectName("userDialog")
        self._submit = submit
        self.editing = user
        self.saved_user: User | None = None

        self.username_edit = QLineEdit()
        self.username_edit.setObjectName("usernameEdit")
        self.username_edit.setPlaceholderText("for example j.smith")
        self.username_edit.setMaxLength(32)
        self.full_name_edit = QLineEdit()
        self.full_name_edit.setObjectName("fullNameEdit")
        self.full_name_edit.setPlaceholderText("as it should appear on signatures")
        self.full_name_edit.setMaxLength(100)
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("roleCombo")
        for role in Role:
            self.role_combo.addItem(role.label, role)
        self.password_edit = _password_edit(f"at least {MIN_PASSWORD_LENGTH} characters")
        self.password_edit.setObjectName("passwordEdit")
        self.confirm_edit = _password_edit("the same password again")
        self.confirm_edit.setObjectName("confirmEdit")

        if user is None:
            self.set_intro(
                "The person signs in with this user name and the temporary password, and must "
                "then choose a password of their own."
            )
            self.form.addRow("User name", self.username_edit)
            self.form.addRow("Full name", self.full_name_edit)
            self.form.addRow("Role", self.role_combo)
            self.form.addRow("Temporary password", self.password_edit)
            self.form.addRow("Confirm password", self.confirm_edit)
            self.username_edit.setFocus()
        else:
            self.username_edit.setText(user.username)
            self.username_edit.setReadOnly(True)
            self.username_edit.setEnabled(False)
            self.username_edit.setToolTip(
                "A user name never changes: the audit trail refers to it."
            )
            self.full_name_edit.setText(user.full_name)
            self.role_combo.setCurrentIndex(self.role_combo.findData(user.role))
            if own_account:
                self.role_combo.setEnabled(False)
                self.role_combo.setToolTip(
                    "You cannot change your own role. Ask another administrator."
                )
            self.form.addRow("User name", self.username_edit)
            self.form.addRow("Full name", self.full_name_edit)
            self.form.addRow("Role", self.role_combo)
            self.full_name_edit.setFocus()

    def fields(self) -> Mapping[str, QWidget]:
        return {
            "username": self.username_edit,
            "full_name": self.full_name_edit,
            "role": self.role_combo,
            "password": self.password_edit,
            "confirm": self.confirm_edit,
        }

    def form_values(self) -> UserForm:
        return UserForm(
            username=self.username_edit.text(),
            full_name=self.full_name_edit.text(),
            role=Role(self.role_combo.currentData()),
            temporary_password=self.password_edit.text(),
        )

    def submit_form(self) -> None:
        if self.editing is None and self.password_edit.text() != self.confirm_edit.text():
            raise ValidationError(PASSWORDS_DIFFER, field="confirm")
        self.saved_user = self._submit(self.form_values())


class ReasonDialog(SubmitDialog):
    """Ask why (deactivating, reactivating): the reason goes into the audit record."""

    def __init__(self, *, title: str, explanation: str, accept_text: str,
                 submit: Callable[[str], object], danger: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(title=title, accept_text=accept_text, danger=danger, parent=parent)
        self.setObjectName("reasonDialog")
        self._submit = submit
        self.set_intro(explanation)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setPlaceholderText("Why? This is kept in the audit trail.")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(96)
        self.form.addRow("Reason", self.reason_edit)
        self.reason_edit.setFocus()

    def fields(self) -> Mapping[str, QWidget]:
        return {"reason": self.reason_edit}

    def submit_form(self) -> None:
        self._submit(self.reason_edit.toPlainText())


class ResetPasswordDialog(SubmitDialog):
    """Set a temporary password (typed twice) that the person must replace at next sign-in."""

    def __init__(self, *, user: User, submit: Callable[[str], object],
                 parent: QWidget | None = None) -> None:
        super().__init__(title=f"Reset password for {user.full_name}",
                         accept_text="Set temporary password", parent=parent)
        self.setObjectName("resetPasswordDialog")
        self._submit = submit
        self.set_intro(
            f"Give {user.full_name} ({user.username}) this temporary password in person. "
            "They must choose a new password when they next sign in. A lock after failed "
            "sign-ins is cleared too."
        )
        self.password_edit = _password_edit(f"at least {MIN_PASSWORD_LENGTH} characters")
        self.password_edit.setObjectName("passwordEdit")
        self.confirm_edit = _password_edit("the same password again")
        self.confirm_edit.setObjectName("confirmEdit")
        self.form.addRow("Temporary password", self.password_edit)
        self.form.addRow("Confirm password", self.confirm_edit)
        self.password_edit.setFocus()

    def fields(self) -> Mapping[str, QWidget]:
        return {"password": self.password_edit, "confirm": self.confirm_edit}

    def submit_form(self) -> None:
        if self.password_edit.text() != self.confirm_edit.text():
            raise ValidationError(PASSWORDS_DIFFER, field="confirm")
        self._submit(self.password_edit.text())
