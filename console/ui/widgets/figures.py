"""Large figures for a dim room: a caption above a number that can be read from the bedside."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

NO_FIGURE = "—"


class FigureTile(QFrame):
    """One derived figure: a small caption and a large value ("24.5 mL/h")."""

    def __init__(self, caption: str, *, name: str, emphasis: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureTile")
        self.setProperty("emphasis", emphasis)
        self.caption = QLabel(caption, self)
        self.caption.setObjectName("figureCaption")
        self.value = QLabel(NO_FIGURE, self)
        self.value.setObjectName("figureValue")
        self.value.setProperty("emphasis", emphasis)
        self.value.setAccessibleName(caption)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = QLabel(self)
        self.note.setObjectName("figureNote")
        self.note.hide()
        self.setAccessibleName(name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 10)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.note)

    def set_value(self, text: str | None, note: str = "", *, refused: bool = False) -> None:
        """Show ``text``; ``refused`` draws it as a figure that must not be used (red)."""
        self.value.setText(text or NO_FIGURE)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        if bool(self.property("refused")) != refused:
            for widget in (self, self.value):
                widget.setProperty("refused", refused)
                widget.style().unpolish(widget)
                widget.style().polish(widget)

    @property
    def refused(self) -> bool:
        return bool(self.property("refused"))

    def text(self) -> str:
        return self.value.text()
