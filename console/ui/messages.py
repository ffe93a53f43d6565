"""Showing expected errors in place, the same way on every screen."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from console.errors import UserFacingError


def show_user_error(parent: QWidget | None, error: UserFacingError) -> None:
    """A modal message for an expected failure: what is wrong and what to do next."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(error.title)
    box.setText(error.message)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


class InlineMessage(QLabel):
    """A message line under a form: red for errors, calm for information; empty hides it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setObjectName("inlineMessage")
        self.hide()

    def show_error(self, text: str) -> None:
        self.setProperty("kind", "error")
        self._show(text)

    def show_info(self, text: str) -> None:
        self.setProperty("kind", "info")
        self._show(text)

    def clear_message(self) -> None:
        self.clear()
        self.hide()

    def _show(self, text: str) -> None:
        self.setText(text)
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()
