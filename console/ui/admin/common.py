"""Small helpers the administration screens share: local times, tables, invalid marks, and
the card, reason box and scrolling page of the versioned-settings tabs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QAbstractItemModel, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QScrollArea,
    QTableView,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from console.errors import UserFacingError
from console.ui.forms import mark_invalid
from console.ui.widgets.record_table import SORT_ROLE as SORT_ROLE

# Month names are spelled out here, not taken from the C library's locale, so a time reads the
# same on every clinic PC ("24 Nov 2026 14:05") whatever language the operating system uses.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def local(moment: datetime) -> datetime:
    """A stored (UTC-aware) time in the PC's local time zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a naive datetime reached the screen; stored times are UTC-aware")
    return moment.astimezone()


def format_date(day: date) -> str:
    return f"{day.day:02d} {_MONTHS[day.month - 1]} {day.year}"


def format_local_time(moment: datetime) -> str:
    """``24 Nov 2026 14:05`` in local time."""
    shown = local(moment)
    return f"{format_date(shown.date())} {shown:%H:%M}"


def format_clock_time(moment: datetime, *, now: datetime) -> str:
    """``14:05`` when the moment falls on today's local date, else ``25 Nov 2026 14:05``."""
    shown = local(moment)
    if shown.date() == local(now).date():
        return f"{shown:%H:%M}"
    return format_local_time(moment)


def start_of_local_day(day: date) -> datetime:
    """Local midnight at the start of ``day`` as a UTC-aware time (daylight saving respected)."""
    naive_local = datetime.combine(day, time())
    return naive_local.astimezone().astimezone(UTC)


def local_day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """From local midnight of ``first`` to local midnight after ``last`` (both days included)."""
    return start_of_local_day(first), start_of_local_day(last + timedelta(days=1))


def configure_table(view: QTableView, *, sortable: bool) -> None:
    """Whole-row single selection, alternating rows, no editing, readable defaults."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setSortingEnabled(sortable)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setDefaultAlignment(
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    )
    view.horizontalHeader().setStretchLastSection(True)


def sorted_table(model: QAbstractItemModel, *, name: str, sort_column: int,
                 order: Qt.SortOrder, widths: Iterable[tuple[int, int]],
                 parent: QWidget) -> tuple[QSortFilterProxyModel, QTableView]:
    """A sortable table of ``model`` (through a proxy sorting by ``SORT_ROLE``), sorted by
    ``sort_column``, whose listed ``(column, width)`` columns start at that width and can be
    resized by hand."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(proxy)
    configure_table(table, sortable=True)
    table.sortByColumn(sort_column, order)
    header = table.horizontalHeader()
    for column, width in widths:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(column, width)
    return proxy, table


def fixed_table(columns: Sequence[str], name: str) -> QTableWidget:
    """A read-only, unsorted table of ``columns``, every column but the last as wide as its
    contents."""
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    configure_table(table, sortable=False)
    header = table.horizontalHeader()
    for column in range(len(columns) - 1):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    return table


def card(title: str, *parts: QWidget | QLayout) -> QFrame:
    """A titled card holding ``parts`` (widgets and layouts) one under the other."""
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(18, 14, 18, 16)
    layout.setSpacing(10)
    heading = QLabel(title)
    heading.setObjectName("sectionTitle")
    layout.addWidget(heading)
    for part in parts:
        if isinstance(part, QWidget):
            layout.addWidget(part)
        else:
            layout.addLayout(part)
    return frame


def scrolling_page(panel: QWidget, content: QWidget) -> None:
    """Make ``content`` (at most 1200 px wide, top left) the whole of ``panel``, scrolling."""
    content.setMaximumWidth(1200)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(content)
    outer = QVBoxLayout(panel)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scroll)


def reason_edit(name: str, placeholder: str, parent: QWidget | None = None) -> QLineEdit:
    """The box for the reason a save needs; typing in it clears its red outline."""
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setMaxLength(500)
    edit.setPlaceholderText(placeholder)
    edit.textEdited.connect(lambda _text: mark_invalid(edit, False))
    return edit


def mark_reason_refused(reason: QLineEdit, error: UserFacingError) -> None:
    """When a save was refused for its reason, outline the reason box in red and go to it."""
    if error.field == "reason":
        mark_invalid(reason, True)
        reason.setFocus(Qt.FocusReason.OtherFocusReason)
