"""A read-only table model over a list of records: one record a row, one column a field."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractProxyModel,
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView

Index = QModelIndex | QPersistentModelIndex

SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # a value that sorts correctly, per cell

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class RecordTableModel[T](QAbstractTableModel):
    """Rows are ``records()``; a subclass names its ``COLUMNS`` and says what a cell shows.

    ``data`` answers each role from a hook a subclass overrides where it needs to: ``text``
    (shown), ``sort_value`` (``SORT_ROLE``), ``foreground``, ``bold``, ``tooltip``; the columns in
    ``RIGHT_ALIGNED`` are aligned right. Every hook but ``text`` answers nothing by default.
    """

    COLUMNS: ClassVar[tuple[str, ...]] = ()
    RIGHT_ALIGNED: ClassVar[tuple[int, ...]] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._records: list[T] = []

    # ------------------------------------------------------------------ records

    def set_records(self, records: Iterable[T]) -> None:
        with self.resetting():
            self._records = list(records)

    @contextmanager
    def resetting(self) -> Iterator[None]:
        """Brackets a change of the records (and whatever they are shown with) as a reset."""
        self.beginResetModel()
        try:
            yield
        finally:
            self.endResetModel()

    def records(self) -> Sequence[T]:
        return tuple(self._records)

    def record_at(self, row: int) -> T:
        return self._records[row]

    def key(self, record: T) -> object:
        """What ``row_of`` finds a record by: its ``id`` unless a subclass says otherwise."""
        found: Any = record
        return found.id

    def row_of(self, key: object) -> int | None:
        for row, record in enumerate(self._records):
            if self.key(record) == key:
                return row
        return None

    # ------------------------------------------------------------------ hooks

    def text(self, record: T, column: int) -> str:
        raise NotImplementedError

    def sort_value(self, record: T, column: int) -> Any:
        return None

    def foreground(self, record: T, column: int) -> QColor | None:
        return None

    def bold(self, record: T, column: int) -> bool:
        return False

    def tooltip(self, record: T, column: int) -> str | None:
        return None

    def header_tooltip(self, section: int) -> str | None:
        return None

    # ------------------------------------------------------------------ Qt

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tooltip(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self._records[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(record, column)
        if role == SORT_ROLE:
            return self.sort_value(record, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            color = self.foreground(record, column)
            return None if color is None else QBrush(color)
        if role == Qt.ItemDataRole.FontRole:
            return bold_font() if self.bold(record, column) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(record, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.RIGHT_ALIGNED:
            return _RIGHT
        return None


def bold_font() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


def selected_record[R](view: QAbstractItemView, model: RecordTableModel[R]) -> R | None:
    """The record on the selected row of ``view``, which shows ``model`` (maybe sorted by a
    proxy); None when no row is selected."""
    rows = view.selectionModel().selectedRows()
    if not rows:
        return None
    shown = view.model()
    index = shown.mapToSource(rows[0]) if isinstance(shown, QAbstractProxyModel) else rows[0]
    return model.record_at(index.row())


def select_record[R](view: QAbstractItemView, model: RecordTableModel[R], key: object, *,
                     clear_if_missing: bool = True) -> int | None:
    """Select, make current and scroll to the row of the record with this ``key``; its row in
    ``model``, or None when it is not there (the selection is then cleared, if so asked)."""
    row = model.row_of(key)
    if row is None:
        if clear_if_missing:
            view.clearSelection()
        return None
    index = model.index(row, 0)
    shown = view.model()
    if isinstance(shown, QAbstractProxyModel):
        index = shown.mapFromSource(index)
    view.selectionModel().setCurrentIndex(
        index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        | QItemSelectionModel.SelectionFlag.Rows)
    view.scrollTo(index)
    return row
