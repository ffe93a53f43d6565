"""The screen shown while the console is locked: nothing clinical is visible behind it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from console.domain.identity import Actor
from console.errors import UserFacingError
from console.services.auth import AuthService
from console.ui.forms import password_field, primary_button
from console.ui.messages import InlineMessage


class LockPage(QWidget):
    """Asks the signed-in user's password again; what was on screen stays as it was.

    Signals:
        unlocked(): the password was confirmed.
        sign_out_requested(): the user (or a colleague) chose to sign out instead.
    """

    unlocked = Signal()
    sign_out_requested = Signal()

    def __init__(self, *, auth: AuthService, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._auth = auth
        self._actor = actor
        self.setObjectName("lockPage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        card = QFrame(self)
        card.setObjectName("card")
        card.setFixedWidth(460)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(12)
        title = QLabel("Console locked", card)
        title.setObjectName("title")
        who = QLabel(f"{actor.full_name} ({actor.role.label.lower()}) is signed in. "
                     "Enter the password to return to where you were.", card)
        who.setWordWrap(True)
        who.setObjectName("subtitle")
        self.password = password_field("password", card)
        self.password.returnPressed.connect(self._unlock)
        self.message = InlineMessage(card)
        unlock = primary_button("Unlock", card)
        unlock.clicked.connect(self._unlock)
        sign_out = QPushButton("Sign out instead", card)
        sign_out.clicked.connect(self.sign_out_requested.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(sign_out)
        buttons.addStretch(1)
        buttons.addWidget(unlock)
        for widget in (title, who, self.password, self.message):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        outer = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def prepare(self) -> None:
        self.password.clear()
        self.message.clear_message()
        self.password.setFocus()

    def _unlock(self) -> None:
        try:
            self._auth.confirm_identity(self._actor, self.password.text(), purpose="unlock")
        except UserFacingError as error:
            self.password.clear()
            self.message.show_error(error.message)
            return
        self.unlocked.emit()
