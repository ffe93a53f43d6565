"""The Audit trail tab: search the trail, read one record's before and after, verify the chain."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import (
    QDate,
    QEvent,
    QObject,
    Qt,
)
from PySide6.QtGui import QFont, QFontDatabase, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QCompleter,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from console.domain.audit import AuditEntry
from console.domain.identity import Actor, User
from console.errors import UserFacingError, ValidationError
from console.services.audit import AuditFilter
from console.services.container import Services
from console.ui.admin.common import (
    format_local_time,
    local,
    local_day_range,
    sorted_table,
)
from console.ui.forms import mark_invalid
from console.ui.messages import InlineMessage
from console.ui.widgets.record_table import RecordTableModel, select_record, selected_record

SEARCH_LIMIT = 500

# Record types the console writes today; the box also takes any other type typed in.
KNOWN_RECORD_TYPES = ("user", "setting", "patient")
ANY_RECORD_TYPE = "Any"

# Offered as completions in "Action starts with"; a prefix such as "auth." matches a family.
KNOWN_ACTIONS = (
    "auth.",
    "auth.account_locked",
    "auth.identity_confirmed",
    "auth.session_locked",
    "auth.sign_in_failed",
    "auth.signed_in",
    "auth.signed_out",
    "clinic.initialised",
    "patient.",
    "patient.created",
    "settings.changed",
    "user.",
    "user.created",
    "user.deactivated",
    "user.password_changed",
    "user.password_reset",
    "user.reactivated",
    "user.unlocked",
    "user.updated",
)

ANY_TIME, TODAY, LAST_7_DAYS, LAST_30_DAYS, BETWEEN = range(5)
PERIODS = ("Any time", "Today", "Last 7 days", "Last 30 days", "Between dates")

_CHAIN_STYLE = """
QLabel#chainStatus { padding: 8px 12px; border-radius: 4px; font-weight: 600; }
QLabel#chainStatus[kind="intact"] {
    background-color: #14532d; color: #e3fcec; border: 1px solid #34c759;
}
QLabel#chainStatus[kind="broken"] {
    background-color: #7f1d1d; color: #ffffff; border: 2px solid #ff5c5c;
}
"""


def pretty_values(raw: str | None, decoded: Mapping[str, Any] | None) -> str:
    """Indented JSON for reading; the raw text if it is not JSON (a tampered record)."""
    if raw is None:
        return "(nothing recorded)"
    if decoded is None:
        return raw
    return json.dumps(decoded, indent=2, sort_keys=True, ensure_ascii=False)


def _decode(entry: AuditEntry, which: str) -> Mapping[str, Any] | None:
    try:
        return entry.decoded_old() if which == "old" else entry.decoded_new()
    except (ValueError, TypeError):
        return None


def record_label(entry: AuditEntry, user_names: Mapping[str, str]) -> str:
    label = f"{entry.entity_type} #{entry.entity_id}"
    if entry.entity_type == "user" and entry.entity_id in user_names:
        label += f" ({user_names[entry.entity_id]})"
    return label


class AuditTableModel(RecordTableModel[AuditEntry]):
    """Audit records as rows: number, local time, user, action, record, reason."""

    COLUMNS = ("#", "Time", "User", "Action", "Record", "Reason")
    SEQUENCE, TIME, USER, ACTION, RECORD, REASON = range(6)
    RIGHT_ALIGNED = (SEQUENCE,)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._user_names: Mapping[str, str] = {}

    def set_entries(self, entries: Sequence[AuditEntry],
                    user_names: Mapping[str, str] | None = None) -> None:
        """``user_names`` maps a user id (as text) to a user name, to label user records."""
        with self.resetting():
            self._records = list(entries)
            self._user_names = dict(user_names or {})

    def entry_at(self, row: int) -> AuditEntry:
        return self.record_at(row)

    def key(self, entry: AuditEntry) -> object:
        return entry.sequence

    def text(self, entry: AuditEntry, column: int) -> str:
        match column:
            case self.SEQUENCE:
                return str(entry.sequence)
            case self.TIME:
                return format_local_time(entry.at)
            case self.USER:
                return entry.actor_name
            case self.ACTION:
                return entry.action
            case self.RECORD:
                return record_label(entry, self._user_names)
            case _:
                return entry.reason or ""

    def sort_value(self, entry: AuditEntry, column: int) -> Any:
        if column in (self.SEQUENCE, self.TIME):
            return entry.sequence
        return self.text(entry, column).casefold()

    def tooltip(self, entry: AuditEntry, column: int) -> str | None:
        if column == self.REASON and entry.reason:
            return entry.reason
        return None


class _EnterSearches(QObject):
    """Return/Enter in a date box runs the search, as it does in the text boxes."""

    def __init__(self, panel: AuditPanel) -> None:
        super().__init__(panel)
        self._panel = panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._panel.search()
            return True
        return False


class AuditPanel(QWidget):
    """Filters, the matching records newest first, one record's detail, and chain verification."""

    def __init__(self, *, services: Services, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditPanel")
        self._services = services
        self._actor = actor
        self._user_names: dict[str, str] = {}
        self._build_filters()
        self._build_results()
        self._build_detail()

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([330, 270])

        verify_bar = QHBoxLayout()
        verify_bar.addWidget(self.results_label, 1)
        verify_bar.addWidget(self.verify_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addWidget(self.filters)
        layout.addWidget(self.filter_message)
        layout.addWidget(self.chain_status)
        layout.addLayout(verify_bar)
        layout.addWidget(splitter, 1)
        self._set_dates(self._today(), self._today())
        self._period_changed(ANY_TIME)
        self._show_detail(None)

    # ------------------------------------------------------------------ building
    def _build_filters(self) -> None:
        self.filters = QFrame(self)
        self.filters.setObjectName("card")
        self.user_combo = QComboBox(self.filters)
        self.user_combo.setObjectName("auditUserCombo")
        self.user_combo.setMinimumContentsLength(22)
        self.user_combo.addItem("Anyone", None)
        self.type_combo = QComboBox(self.filters)
        self.type_combo.setObjectName("auditTypeCombo")
        self.type_combo.setEditable(True)
        self.type_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.type_combo.addItems([ANY_RECORD_TYPE, *KNOWN_RECORD_TYPES])
        self.type_combo.setToolTip("Choose a record type, or type another one.")
        type_completer = self.type_combo.completer()
        if type_completer is not None:
            type_completer.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
        self.type_combo.setMinimumContentsLength(10)
        self.record_id_edit = QLineEdit(self.filters)
        self.record_id_edit.setObjectName("auditRecordIdEdit")
        self.record_id_edit.setPlaceholderText("any")
        self.record_id_edit.setMaxLength(64)
        self.action_edit = QLineEdit(self.filters)
        self.action_edit.setObjectName("auditActionEdit")
        self.action_edit.setPlaceholderText("e.g. user.  or  auth.sign_in")
        self.action_edit.setMaxLength(60)
        completer = QCompleter(list(KNOWN_ACTIONS), self.action_edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.action_edit.setCompleter(completer)
        self.period_combo = QComboBox(self.filters)
        self.period_combo.setObjectName("auditPeriodCombo")
        self.period_combo.addItems(list(PERIODS))
        self.from_edit = self._date_edit("auditFromEdit")
        self.to_edit = self._date_edit("auditToEdit")
        self.search_button = QPushButton("Search", self.filters)
        self.search_button.setObjectName("auditSearchButton")
        self.search_button.setProperty("role", "primary")
        self.search_button.setAutoDefault(False)
        self.clear_button = QPushButton("Clear filters", self.filters)
        self.clear_button.setObjectName("auditClearButton")
        self.clear_button.setAutoDefault(False)

        grid = QGridLayout(self.filters)
        grid.setContentsMargins(14, 10, 14, 10)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(8)
        fields: list[tuple[str, QWidget, int]] = [
            ("User", self.user_combo, 3), ("Record type", self.type_combo, 2),
            ("Record id", self.record_id_edit, 1), ("Action starts with", self.action_edit, 3),
        ]
        for number, (text, widget, stretch) in enumerate(fields):
            label = QLabel(text, self.filters)
            label.setBuddy(widget)
            grid.addWidget(label, 0, 2 * number)
            grid.addWidget(widget, 0, 2 * number + 1)
            grid.setColumnStretch(2 * number + 1, stretch)
        dates = QHBoxLayout()
        dates.setSpacing(8)
        self.from_label = QLabel("from", self.filters)
        self.to_label = QLabel("to", self.filters)
        dates.addWidget(self.period_combo)
        dates.addWidget(self.from_label)
        dates.addWidget(self.from_edit)
        dates.addWidget(self.to_label)
        dates.addWidget(self.to_edit)
        dates.addStretch(1)
        dates.addWidget(self.clear_button)
        dates.addWidget(self.search_button)
        when = QLabel("When", self.filters)
        when.setBuddy(self.period_combo)
        when.setToolTip("Local dates; both the first and the last day are included.")
        grid.addWidget(when, 1, 0)
        grid.addLayout(dates, 1, 1, 1, 7)

        self.filter_message = InlineMessage(self)
        self.search_button.clicked.connect(self.search)
        self.clear_button.clicked.connect(self.clear_filters)
        self.record_id_edit.returnPressed.connect(self.search)
        self.action_edit.returnPressed.connect(self.search)
        line = self.type_combo.lineEdit()
        if line is not None:
            line.returnPressed.connect(self.search)
        enter = _EnterSearches(self)
        for widget in (self.from_edit, self.to_edit):
            widget.installEventFilter(enter)
        self.period_combo.currentIndexChanged.connect(self._period_changed)
        self.from_edit.userDateChanged.connect(self._date_typed)
        self.to_edit.userDateChanged.connect(self._date_typed)

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit(self.filters)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd MMM yyyy")
        edit.setMinimumDate(QDate(2000, 1, 1))
        edit.setMaximumDate(QDate(2199, 12, 31))
        return edit

    def _build_results(self) -> None:
        self.model = AuditTableModel(self)
        self.proxy, self.table = sorted_table(
            self.model, name="auditTable", sort_column=AuditTableModel.SEQUENCE,
            order=Qt.SortOrder.DescendingOrder,
            widths=((0, 70), (1, 170), (2, 210), (3, 210), (4, 200)), parent=self)
        self.table.selectionModel().selectionChanged.connect(
            lambda _selected, _deselected: self._show_detail(self.selected_entry())
        )
        self.results_label = QLabel(self)
        self.results_label.setObjectName("auditResultsLabel")
        self.verify_button = QPushButton("Verify chain", self)
        self.verify_button.setObjectName("auditVerifyButton")
        self.verify_button.setAutoDefault(False)
        self.verify_button.setToolTip(
            "Check every audit record against its hash and the one before it, to show that "
            "nothing was altered, inserted or deleted."
        )
        self.verify_button.clicked.connect(self.verify_chain)
        self.chain_status = QLabel(self)
        self.chain_status.setObjectName("chainStatus")
        self.chain_status.setStyleSheet(_CHAIN_STYLE)
        self.chain_status.setWordWrap(True)
        self.chain_status.hide()

    def _build_detail(self) -> None:
        self.detail = QFrame(self)
        self.detail.setObjectName("card")
        self.detail_title = QLabel(self.detail)
        title_font = QFont(self.detail_title.font())
        title_font.setBold(True)
        self.detail_title.setFont(title_font)
        self.detail_title.setWordWrap(True)
        self.detail_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_meta = QLabel(self.detail)
        self.detail_meta.setWordWrap(True)
        self.detail_meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.before_view = QPlainTextEdit(self.detail)
        self.before_view.setObjectName("auditBeforeView")
        self.after_view = QPlainTextEdit(self.detail)
        self.after_view.setObjectName("auditAfterView")
        sides = QHBoxLayout()
        sides.setSpacing(12)
        sides_titles = (("Before (as recorded; times in UTC)", self.before_view),
                        ("After", self.after_view))
        for title, view in sides_titles:
            view.setReadOnly(True)
            view.setFont(mono)
            view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
            column = QVBoxLayout()
            heading = QLabel(title, self.detail)
            heading.setObjectName("muted")
            column.addWidget(heading)
            column.addWidget(view, 1)
            sides.addLayout(column, 1)
        layout = QVBoxLayout(self.detail)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)
        layout.addWidget(self.detail_title)
        layout.addWidget(self.detail_meta)
        layout.addLayout(sides, 1)

    # ------------------------------------------------------------------ filters
    def _today(self) -> date:
        return local(self._services.audit.now()).date()

    def _period_changed(self, period: int) -> None:
        today = self._today()
        first = {TODAY: today, LAST_7_DAYS: today - timedelta(days=6),
                 LAST_30_DAYS: today - timedelta(days=29)}.get(period)
        if first is not None:
            self._set_dates(first, today)
        for widget in (self.from_label, self.from_edit, self.to_label, self.to_edit):
            widget.setHidden(period == ANY_TIME)

    def _set_dates(self, first: date, last: date) -> None:
        for edit, day in ((self.from_edit, first), (self.to_edit, last)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)

    def _date_typed(self) -> None:
        if self.period_combo.currentIndex() != BETWEEN:
            self.period_combo.blockSignals(True)
            self.period_combo.setCurrentIndex(BETWEEN)
            self.period_combo.blockSignals(False)

    def current_filter(self) -> AuditFilter:
        """What the filter boxes ask for, as the audit service takes it."""
        record_type = " ".join(self.type_combo.currentText().split()).lower()
        if record_type in ("", ANY_RECORD_TYPE.lower()):
            record_type = ""
        period = self.period_combo.currentIndex()
        since = until = None
        if period != ANY_TIME:
            if period != BETWEEN:
                self._period_changed(period)  # "Today" means today, also after midnight
            first, last = self.from_edit.date().toPython(), self.to_edit.date().toPython()
            if not isinstance(first, date) or not isinstance(last, date):
                raise ValidationError("Enter both dates.", field="since")
            if last < first:
                raise ValidationError(
                    "The 'from' date must be on or before the 'to' date.", field="since"
                )
            since, until = local_day_range(first, last)
        return AuditFilter(
            actor_id=self.user_combo.currentData(),
            entity_type=record_type or None,
            entity_id=self.record_id_edit.text().strip() or None,
            action_prefix=self.action_edit.text().strip() or None,
            since=since,
            until=until,
            limit=SEARCH_LIMIT,
        )

    def clear_filters(self) -> None:
        self.user_combo.setCurrentIndex(0)
        self.type_combo.setCurrentIndex(0)
        self.type_combo.setEditText(ANY_RECORD_TYPE)
        self.record_id_edit.clear()
        self.action_edit.clear()
        self.period_combo.setCurrentIndex(ANY_TIME)
        self.search()

    # ------------------------------------------------------------------ reading
    def refresh(self) -> None:
        """Reload the list of users for the filter, then run the current search again."""
        try:
            users = self._services.users.list_users(self._actor)
        except UserFacingError as error:
            self._fail(error)
            return
        self._fill_users(users)
        self.search()

    def _fill_users(self, users: Sequence[User]) -> None:
        wanted = self.user_combo.currentData()
        self._user_names = {str(user.id): user.username for user in users}
        self.user_combo.blockSignals(True)
        self.user_combo.clear()
        self.user_combo.addItem("Anyone", None)
        for user in sorted(users, key=lambda u: u.full_name.casefold()):
            suffix = "" if user.active else ", inactive"
            self.user_combo.addItem(f"{user.full_name} ({user.username}{suffix})", user.id)
        found = self.user_combo.findData(wanted) if wanted is not None else 0
        self.user_combo.setCurrentIndex(max(found, 0))
        self.user_combo.blockSignals(False)

    def search(self) -> None:
        """Run the search the filters describe; problems are shown above the results."""
        self.filter_message.clear_message()
        for widget in (self.from_edit, self.to_edit, self.record_id_edit, self.action_edit):
            mark_invalid(widget, False)
        selected = self.selected_entry()
        try:
            wanted = self.current_filter()
            entries = self._services.audit.search(self._actor, wanted)
        except ValidationError as error:
            self.filter_message.show_error(error.message)
            if error.field in ("since", "until"):
                mark_invalid(self.from_edit, True)
                mark_invalid(self.to_edit, True)
            return
        except UserFacingError as error:
            self._fail(error)
            return
        self.model.set_entries(entries, self._user_names)
        self.results_label.setText(self._results_text(len(entries), wanted))
        if selected is not None and self.select_sequence(selected.sequence):
            return
        self.table.scrollToTop()
        self._show_detail(None)

    @staticmethod
    def _results_text(count: int, wanted: AuditFilter) -> str:
        if count >= wanted.limit:
            return (f"Showing the newest {wanted.limit} records. Narrow the filters "
                    "(user, dates, action) to see older ones.")
        if count == 0:
            return "No audit records match these filters."
        return f"{count} record{'' if count == 1 else 's'}, newest first."

    def _fail(self, error: UserFacingError) -> None:
        self.model.set_entries([])
        self.results_label.clear()
        self._show_detail(None)
        self.filter_message.show_error(error.message)

    def selected_entry(self) -> AuditEntry | None:
        return selected_record(self.table, self.model)

    def select_sequence(self, sequence: int) -> bool:
        """Select the record with this number if it is in the results."""
        row = select_record(self.table, self.model, sequence, clear_if_missing=False)
        if row is None:
            return False
        self._show_detail(self.model.entry_at(row))
        return True

    def _show_detail(self, entry: AuditEntry | None) -> None:
        if entry is None:
            self.detail_title.setText("Select a record to see what changed")
            self.detail_meta.setText(
                "The values before and after the change appear here, side by side."
            )
            self.before_view.clear()
            self.after_view.clear()
            return
        old, new = _decode(entry, "old"), _decode(entry, "new")
        self.detail_title.setText(
            f"Record #{entry.sequence} · {entry.action} · "
            f"{record_label(entry, self._user_names)}"
        )
        lines = [f"{format_local_time(entry.at)} by {entry.actor_name}"]
        if entry.reason:
            lines.append(f"Reason: {entry.reason}")
        if old and new:
            changed = sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))
            if changed:
                lines.append("Changed: " + ", ".join(changed))
        self.detail_meta.setText("\n".join(lines))
        self.before_view.setPlainText(pretty_values(entry.old_values, old))
        self.after_view.setPlainText(pretty_values(entry.new_values, new))

    # ------------------------------------------------------------------ integrity
    def verify_chain(self) -> None:
        """Walk the whole chain and say plainly whether it is intact, or where it breaks."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            report = self._services.audit.verify()
        except UserFacingError as error:
            self._show_chain("broken", f"Could not check the audit trail: {error.message}")
            return
        finally:
            QApplication.restoreOverrideCursor()
        checked = format_local_time(self._services.audit.now())
        if report.problem is None:
            self._show_chain(
                "intact",
                f"✓ Audit trail intact: {report.records} records checked ({checked}).",
            )
            return
        problem = report.problem
        self._show_chain(
            "broken",
            f"✗ Audit trail BROKEN at record #{problem.sequence}: {problem.reason}. Keep this "
            "database unchanged as evidence and contact your IT support.",
        )
        self.select_sequence(problem.sequence)

    def _show_chain(self, kind: str, text: str) -> None:
        self.chain_status.setProperty("kind", kind)
        self.chain_status.setText(text)
        self.chain_status.style().unpolish(self.chain_status)
        self.chain_status.style().polish(self.chain_status)
        self.chain_status.show()

    @property
    def chain_intact(self) -> bool | None:
        """The last verification's outcome (None before the first)."""
        kind = self.chain_status.property("kind")
        return None if not kind or self.chain_status.isHidden() else kind == "intact"
