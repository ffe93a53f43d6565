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
VITAL_PX = 46  # digits of a vital sign
COMPACT_VITAL_PX = 38  # … on a short chart
SCORE_PX = 30  # digits of a score


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

    def set_size(self, size: int) -> None:
        if size != self.size_px:
            self.size_px = size
            self._apply_style()

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
    """Tiles for the vitals, one above the other, and the three scores in a row below them.

    On a short chart (``set_compact(True)``) the vitals sit two to a row with slightly smaller
    digits, so the column never needs more height than the chart has.
    """

    def __init__(self, vitals: list[tuple[str, str, str]], scores: list[tuple[str, str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chartFigures")
        self.setStyleSheet(f"QWidget#chartFigures {{ background-color: {BACKGROUND}; }}")
        self.tiles: dict[str, FigureTile] = {}
        self._vitals = [key for key, _, _ in vitals]
        self._scores = [key for key, _, _ in scores]
        self.compact: bool | None = None
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(6, 0, 0, 0)
        self._grid.setSpacing(6)
        for key, caption, colour in vitals:
            self.tiles[key] = FigureTile(key, caption, colour, size=VITAL_PX, parent=self)
        for key, caption, colour in scores:
            self.tiles[key] = FigureTile(key, caption, colour, size=SCORE_PX, parent=self)
        self.set_compact(False)

    def set_compact(self, compact: bool) -> None:
        if compact is self.compact:
            return
        self.compact = compact
        grid = self._grid
        for tile in self.tiles.values():
            grid.removeWidget(tile)
        for row in range(grid.rowCount()):
            grid.setRowStretch(row, 0)
        per_row = 2 if compact else 1
        span = len(self._scores) // per_row if compact else len(self._scores)
        for index, key in enumerate(self._vitals):
            tile = self.tiles[key]
            tile.set_size(COMPACT_VITAL_PX if compact else VITAL_PX)
            row, col = divmod(index, per_row)
            grid.addWidget(tile, row, col * span, 1, span if compact else len(self._scores))
        rows = -(-len(self._vitals) // per_row)
        for col, key in enumerate(self._scores):
            grid.addWidget(self.tiles[key], rows, col)
        grid.setRowStretch(rows + 1, 1)
        self.setMinimumWidth(2 * 200 if compact else 250)
