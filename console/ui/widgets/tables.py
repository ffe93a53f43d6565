"""A table as tall as its rows (up to a limit), for short lists inside a page that scrolls."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QTableView, QWidget


class FittedTableView(QTableView):
    """Asks for exactly the height of its header and rows (at most ``max_rows`` of them, at
    least one), so a short table never leaves an empty band or hides a row behind a scroll
    bar. Rows that wrap are measured after the columns are laid out."""

    def __init__(self, *, max_rows: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._max_rows = max_rows
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.verticalHeader().sectionResized.connect(lambda *_: self.updateGeometry())
        self.horizontalHeader().sectionResized.connect(lambda *_: self._rows_changed())

    def _rows_changed(self) -> None:
        self.resizeRowsToContents()
        self.updateGeometry()

    def refit(self) -> None:
        """Measure the rows again (call after the model changed)."""
        self._rows_changed()

    def _wanted_height(self) -> int:
        model = self.model()
        rows = 0 if model is None else model.rowCount()
        shown = max(1, min(rows, self._max_rows))
        height = sum(self.rowHeight(row) for row in range(min(rows, shown)))
        height += self.verticalHeader().defaultSectionSize() * max(0, shown - rows)
        header = self.horizontalHeader()
        header_height = header.height() if header.isVisible() else 0
        header_height = max(header_height, header.sizeHint().height())
        return header_height + height + 2 * self.frameWidth() + 2

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._wanted_height())

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), self._wanted_height())


def vertical_scroll(content: QWidget, *, name: str) -> QScrollArea:
    """``content`` in a frameless area that scrolls up and down only: long dialogs stay usable on
    a short screen, with their buttons always in view."""
    scroll = QScrollArea()
    scroll.setObjectName(name)
    scroll.setWidget(content)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return scroll
