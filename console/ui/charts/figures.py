"""The column of large current values beside the chart, coloured by alarm priority.

Read at arm's length in a dim room: big, heavy digits on a dark tile in the channel's own colour;
a parameter in alarm turns its whole tile the priority colour (high red, medium yellow, low cyan)
with dark digits, so the alarm is seen before the number is read. A tile's look changes only when
its text or priority changes (style sheets are not re-applied every redraw).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from console.domain.alarms import AlarmPriority

BACKGROUND = "#14181d"
PANEL = "#1c232b"
BORDER = "#2c3640"
MUTED = "#9aa5b1"
ALARM_COLOURS = {AlarmPriority.HIGH: "#e5484d", AlarmPriority.MEDIUM: "#f5c451",
                 AlarmPriority.LOW: "#5ee7f0"}
ALARM_TEXT = "#0b0e11"  # digits on an alarm-coloured tile


class FigureTile(QFrame):
    """One parameter: a caption (name and unit), a large value and an optional note line."""

    def __init__(self, key: str, caption: str, colour: str, *, size: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.colour = colour
        self.size_px = size
        self.priority: AlarmPriority | None = None
        self.setObjectName("chartFigure")
        self.caption = QLabel(caption, self)
        self.caption.setObjectName("chartFigureCaption")
        self.value = QLabel("—", self)
        self.value.setObjectName("chartFigureValue")
        self.value.setAccessibleName(caption)
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.note = QLabel("", self)
        self.note.setObjectName("chartFigureNote")
        self.note.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.note.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.note)
        self._apply_style()

    def set_text(self, text: str, note: str = "") -> None:
        if self.value.text() != text:
            self.value.setText(text)
        if self.note.text() != note:
            self.note.setText(note)
            self.note.setVisible(bool(note))

    def set_priority(self, priority: AlarmPriority | None) -> None:
        if priority is not self.priority:
            self.priority = priority
            self.setProperty("priority", "" if priority is None else priority.value)
            self._apply_style()

    def _apply_style(self) -> None:
        if self.priority is None:
            background, text, caption, border = PANEL, self.colour, MUTED, BORDER
        else:
            background = ALARM_COLOURS[self.priority]
            text = caption = ALARM_TEXT
            border = background
        self.setStyleSheet(
            f"QFrame#chartFigure {{ background-color: {background}; border: 2px solid {border};"
            " border-radius: 6px; }"
            " QLabel { background: transparent; border: none; }"
            f" QLabel#chartFigureCaption {{ color: {caption}; font-size: 15px;"
            " font-weight: 600; }"
            f" QLabel#chartFigureValue {{ color: {text}; font-size: {self.size_px}px;"
            " font-weight: 700; }"
            f" QLabel#chartFigureNote {{ color: {caption}; font-size: 14px; }}")


class FigureColumn(QWidget):
    """Tiles for the vitals, one above the other, and the three scores in a row below them."""

    def __init__(self, vitals: list[tuple[str, str, str]], scores: list[tuple[str, str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chartFigures")
        self.setStyleSheet(f"QWidget#chartFigures {{ background-color: {BACKGROUND}; }}")
        self.tiles: dict[str, FigureTile] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 0, 0, 0)
        grid.setSpacing(6)
        for row, (key, caption, colour) in enumerate(vitals):
            tile = FigureTile(key, caption, colour, size=46, parent=self)
            grid.addWidget(tile, row, 0, 1, len(scores))
            self.tiles[key] = tile
        for col, (key, caption, colour) in enumerate(scores):
            tile = FigureTile(key, caption, colour, size=30, parent=self)
            grid.addWidget(tile, len(vitals), col)
            self.tiles[key] = tile
        grid.setRowStretch(len(vitals) + 1, 1)
        self.setMinimumWidth(250)
