"""One window-modal dialog at a time, opened without a nested event loop."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog


class DialogHost:
    """Opens a dialog with ``open()`` (window-modal), runs ``on_accepted`` if it is accepted,
    then deletes it. ``active_dialog`` is the one open now, if any (tests drive it directly)."""

    def __init__(self) -> None:
        self._dialog: QDialog | None = None

    @property
    def active_dialog(self) -> QDialog | None:
        return self._dialog

    def open_dialog(self, dialog: QDialog, on_accepted: Callable[[], None]) -> None:
        self._dialog = dialog

        def finished(result: int) -> None:
            if self._dialog is dialog:
                self._dialog = None
            dialog.deleteLater()
            if result == QDialog.DialogCode.Accepted:
                on_accepted()

        dialog.finished.connect(finished)
        dialog.open()
