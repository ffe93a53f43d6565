"""Today: every session checked in today or still open, with what the nurse must watch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.clock import Clock
from console.domain.identity import Actor
from console.domain.units import Unit
from console.errors import UserFacingError
from console.services.container import Services
from console.services.session_records import SessionStage, SessionSummary
from console.ui.admin.common import configure_table
from console.ui.messages import InlineMessage
from console.ui.session.common import STAGE_LABELS, amount, clock_time, due_text, duration_text
from console.ui.session.identity import CheckInDialog, ConfirmPatientDialog
from console.ui.session.view import SessionView
from console.ui.widgets.dialog_host import DialogHost

if TYPE_CHECKING:
    from console.ui.devices import DeviceBridge

REFRESH_MS = 15_000
OVERDUE_COLOUR = QColor("#5ee7f0")  # IEC 60601-1-8 low priority: cyan, steady
ACTIVE = {SessionStage.RUNNING, SessionStage.PAUSED, SessionStage.RECOVERY}

Index = QModelIndex | QPersistentModelIndex


class SessionTableModel(QAbstractTableModel):
    PATIENT, STAGE, RATE, DELIVERED, ELAPSED, REMAINING, NEXT_OBS = range(7)
    HEADERS = ("Patient (name · MRN · DOB)", "Stage", "Rate", "Delivered", "Elapsed",
               "Remaining", "Next observation")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[SessionSummary] = []
        self.now: datetime | None = None

    def set_rows(self, rows: Sequence[SessionSummary], now: datetime) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.now = now
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def overdue(self, row: int) -> bool:
        summary = self.rows[row]
        return (summary.stage in ACTIVE and self.now is not None
                and summary.next_observation_due is not None
                and summary.next_observation_due < self.now)

    def text(self, row: int, column: int) -> str:
        s = self.rows[row]
        started = s.stage not in {SessionStage.PREPARING, SessionStage.CANCELLED}
        if column == self.PATIENT:
            return s.patient.two_identifiers
        if column == self.STAGE:
            return STAGE_LABELS[s.stage]
        if column == self.RATE:
            return amount(s.rate_ml_per_h, Unit.ML_PER_H) if s.stage is SessionStage.RUNNING \
                else "—"
        if column == self.DELIVERED:
            return amount(s.delivered_mg, Unit.MG) if started else "—"
        if column == self.ELAPSED:
            return duration_text(s.running_time) if started else "—"
        if column == self.REMAINING:
            return duration_text(s.remaining) if s.stage in {SessionStage.RUNNING,
                                                             SessionStage.PAUSED} else "—"
        if s.stage not in ACTIVE or self.now is None:
            return f"checked in {clock_time(s.checked_in_at)}" \
                if s.stage is SessionStage.PREPARING else "—"
        return due_text(s.next_observation_due, self.now)[0]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.NEXT_OBS \
                and self.overdue(row):
            return QBrush(OVERDUE_COLOUR)
        if role == Qt.ItemDataRole.FontRole and (
                column in {self.RATE, self.STAGE}
                or (column == self.NEXT_OBS and self.overdue(row))):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column == self.NEXT_OBS \
                and self.overdue(row):
            return "Observation overdue: record vitals now."
        return None

    def summary(self, row: int) -> SessionSummary:
        return self.rows[row]


class TodayView(QWidget):
    """The day's sessions; opening one confirms the patient, then shows the session screen.

    A session cancelled before the start leaves the list (it stays in the patient's record);
    a line under the list counts them.

    ``refresh()`` re-reads the list (also every 15 s, and when the area is opened).
    """

    LIST_PAGE, SESSION_PAGE = range(2)

    def __init__(self, *, services: Services, actor: Actor, clock: Clock,
                 monitor: DeviceBridge | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("todayView")
        self._services = services
        self._monitor = monitor  # the monitor feed, followed by the open session screen
        self._actor = actor
        self._clock = clock
        self.dialogs = DialogHost()
        self.session_view: SessionView | None = None

        title = QLabel("Today", self)
        title.setObjectName("title")
        self.check_in_button = QPushButton("Check in patient…", self)
        self.check_in_button.setObjectName("checkInButton")
        self.check_in_button.setProperty("role", "primary")
        self.check_in_button.clicked.connect(self.check_in)
        self.open_button = QPushButton("Open session", self)
        self.open_button.setObjectName("openSessionButton")
        self.open_button.clicked.connect(self.open_selected)
        self.model = SessionTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("todayTable")
        self.table.setModel(self.model)
        configure_table(self.table, sortable=False)
        header = self.table.horizontalHeader()
        for column, width in ((0, 500), (1, 130), (2, 110), (3, 100), (4, 110), (5, 130)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(lambda _index: self.open_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.empty_label = QLabel("No sessions yet today. Check in the first patient.", self)
        self.empty_label.setObjectName("muted")
        self.cancelled_label = QLabel(self)
        self.cancelled_label.setObjectName("muted")
        self.cancelled_label.hide()
        self.message = InlineMessage(self)
        hint = QLabel("Open a session with a double-click, Enter or Open session: the patient "
                      "is confirmed by two identifiers first. An overdue observation shows in "
                      "cyan.", self)
        hint.setObjectName("muted")
        hint.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.open_button)
        top.addWidget(self.check_in_button)
        list_page = QWidget(self)
        page_layout = QVBoxLayout(list_page)
        page_layout.setContentsMargins(16, 16, 16, 16)
        page_layout.setSpacing(10)
        page_layout.addLayout(top)
        page_layout.addWidget(hint)
        page_layout.addWidget(self.message)
        page_layout.addWidget(self.empty_label)
        page_layout.addWidget(self.table, 1)
        page_layout.addWidget(self.cancelled_label)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(list_page)
        self.session_holder = QWidget(self)
        self.session_layout = QVBoxLayout(self.session_holder)
        self.session_layout.setContentsMargins(0, 0, 0, 0)
        self.pages.addWidget(self.session_holder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    # ------------------------------------------------------------------ reading
    def today(self) -> date:
        return self._clock.now().astimezone().date()

    def refresh(self) -> None:
        if self.pages.currentIndex() == self.SESSION_PAGE and self.session_view is not None:
            self.session_view.reload()
            return
        selected = self.selected()
        try:
            rows = self._services.sessions.today(self._actor)
        except UserFacingError as error:
            self.message.show_error(error.message)
            return
        cancelled = [r for r in rows if r.stage is SessionStage.CANCELLED]
        rows = [r for r in rows if r.stage is not SessionStage.CANCELLED]
        self.model.set_rows(rows, self._clock.now())
        self.empty_label.setVisible(not rows)
        self.cancelled_label.setText(
            f"Cancelled before the start today: {len(cancelled)} (kept in the patients' "
            "records)." if cancelled else "")
        self.cancelled_label.setVisible(bool(cancelled))
        if selected is not None:
            self.select(selected.id)
        self._update_buttons()

    def selected(self) -> SessionSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.summary(rows[0].row()) if rows else None

    def select(self, session_id: int) -> None:
        for row, summary in enumerate(self.model.rows):
            if summary.id == session_id:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.selected() is not None)

    # ------------------------------------------------------------------ actions
    def check_in(self) -> None:
        self.message.clear_message()
        dialog = CheckInDialog(services=self._services, actor=self._actor, today=self.today(),
                               parent=self)

        def accepted() -> None:
            self.refresh()
            if dialog.session_id is not None:
                self.select(dialog.session_id)
                self.show_session(dialog.session_id)

        self.dialogs.open_dialog(dialog, accepted)

    def open_selected(self) -> None:
        summary = self.selected()
        if summary is None:
            return
        dialog = ConfirmPatientDialog(patient=summary.patient, today=self.today(), parent=self)
        self.dialogs.open_dialog(dialog, lambda: self.show_session(summary.id))

    def show_session(self, session_id: int) -> None:
        """Show the session screen (the patient has been confirmed)."""
        self.close_session()
        view = SessionView(services=self._services, actor=self._actor, clock=self._clock,
                           session_id=session_id, parent=self.session_holder)
        if self._monitor is not None:
            view.attach_monitor(self._monitor)
        view.back_requested.connect(self.back_to_list)
        view.cancelled.connect(lambda: self._session_cancelled(view))
        self.session_layout.addWidget(view)
        self.session_view = view
        self.pages.setCurrentIndex(self.SESSION_PAGE)

    def close_session(self) -> None:
        if self.session_view is not None:
            self.session_view.stop_timers()
            self.session_layout.removeWidget(self.session_view)
            self.session_view.deleteLater()
            self.session_view = None

    def _session_cancelled(self, view: SessionView) -> None:
        record = view.record
        self.back_to_list()
        if record is not None:
            self.message.show_info(
                f"Session for {record.patient.display_name} cancelled: "
                f"{record.cancelled_reason}.")

    def back_to_list(self) -> None:
        self.close_session()
        self.pages.setCurrentIndex(self.LIST_PAGE)
        self.refresh()
