"""'My account': who is signed in, and changing one's own password."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from console.domain.identity import Actor
from console.services.container import Services
from console.ui.login import ChangePasswordDialog
from console.ui.messages import InlineMessage


class AccountPanel(QWidget):
    def __init__(self, *, services: Services, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._actor = actor
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        title = QLabel("My account", self)
        title.setObjectName("sectionTitle")
        layout.addWidget(title)
        form = QFormLayout()
        form.addRow("Name on signatures", QLabel(actor.full_name, self))
        form.addRow("User name", QLabel(actor.username, self))
        form.addRow("Role", QLabel(actor.role.label, self))
        layout.addLayout(form)
        self.change_button = QPushButton("Change my password…", self)
        self.change_button.clicked.connect(self._change_password)
        self.message = InlineMessage(self)
        layout.addWidget(self.change_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def _change_password(self) -> None:
        dialog = ChangePasswordDialog(
            services=self._services, username=self._actor.username, parent=self
        )
        if dialog.exec():
            self.message.show_info("Your password was changed.")
