"""What the Today list and the session screen share: times read at the bedside, the clock the
services use, inline errors kept where the nurse acted, and small input helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from console.domain.units import Unit, format_quantity
from console.errors import UserFacingError, ValidationError
from console.services.session_records import SessionRecord, SessionStage
from console.services.sessions import SessionService
from console.ui.forms import mark_invalid
from console.ui.messages import InlineMessage
from console.ui.widgets.inputs import QuantityField

STAGE_LABELS = {
    SessionStage.PREPARING: "Preparing",
    SessionStage.RUNNING: "RUNNING",
    SessionStage.PAUSED: "PAUSED",
    SessionStage.RECOVERY: "Recovery",
    SessionStage.AWAITING_SIGNATURE: "Awaiting signature",
    SessionStage.SIGNED: "Signed",
    SessionStage.CANCELLED: "Cancelled",
}


class ServiceClock:
    """The clock the services use (so screens and records agree on what 'now' is)."""

    def __init__(self, sessions: SessionService) -> None:
        self._sessions = sessions

    def now(self) -> datetime:
        return self._sessions.now()


def repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


def set_kind(widget: QWidget, kind: str) -> None:
    if widget.property("kind") != kind:
        widget.setProperty("kind", kind)
        repolish(widget)


def clock_time(moment: datetime | None) -> str:
    return "—" if moment is None else f"{moment.astimezone():%H:%M}"


def duration_text(span: timedelta | None) -> str:
    """``3 h 05 min`` / ``12 min`` / ``—``: durations read from the bedside."""
    if span is None:
        return "—"
    minutes = max(int(span.total_seconds() // 60), 0)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def amount(value: Decimal | None, unit: Unit) -> str:
    return "—" if value is None else format_quantity(value, unit)


def due_text(due: datetime | None, now: datetime) -> tuple[str, bool]:
    """How long until the next observation, and whether it is overdue."""
    if due is None:
        return "—", False
    left = due - now
    if left < timedelta(0):
        late = int((-left).total_seconds() // 60)
        return (f"OVERDUE {late} min" if late else "DUE NOW"), True
    return f"in {int(left.total_seconds() // 60)} min ({clock_time(due)})", False


def parse_event_time(text: str, now: datetime) -> datetime | None:
    """Blank means now; ``HH:MM`` (or ``HHMM``) is that time today, local, for a late entry."""
    raw = text.strip().replace(".", ":")
    if not raw or raw.lower() == "now":
        return None
    if ":" not in raw and raw.isdigit() and len(raw) in (3, 4):
        raw = f"{raw[:-2]}:{raw[-2:]}"
    try:
        hours, minutes = (int(part) for part in raw.split(":"))
        shown = time(hours, minutes)
    except ValueError as exc:
        raise ValidationError("Enter the time as HH:MM (24-hour), or leave it blank for now.",
                              field="at") from exc
    local_now = now.astimezone()
    return local_now.replace(hour=shown.hour, minute=shown.minute, second=0, microsecond=0)


def time_edit(parent: QWidget | None = None) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setPlaceholderText("now")
    edit.setMaxLength(5)
    edit.setFixedWidth(90)
    edit.setToolTip("Leave blank for now, or type the time it happened (HH:MM) for a late "
                    "entry: the record marks it as late.")
    edit.setAccessibleName("Time it happened")
    return edit


def whole_number(edit: QLineEdit, *, field: str, label: str) -> int | None:
    text = edit.text().strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise ValidationError(f"{label} must be a whole number (you entered '{text}').",
                              field=field) from exc


class Section(QFrame):
    """A titled card with an inline message line; ``act`` runs one service call.

    A ``UserFacingError`` is shown in this card (the field at fault marked, everything typed
    kept); on success the new record is handed to ``on_record``.
    """

    def __init__(self, title: str, *, name: str, on_record: Callable[[SessionRecord], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionCard")
        self.setAccessibleName(name)
        self._on_record = on_record
        self.title = QLabel(title, self)
        self.title.setObjectName("sessionCardTitle")
        self.message = InlineMessage(self)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(14, 10, 14, 12)
        self.body.setSpacing(8)
        self.body.addWidget(self.title)

    def finish(self) -> None:
        """Call after the subclass added its rows: the message goes last."""
        self.body.addWidget(self.message)

    def fields(self) -> Mapping[str, QWidget]:
        return {}

    def act(self, call: Callable[[], SessionRecord]) -> bool:
        self.message.clear_message()
        for widget in self.fields().values():
            if isinstance(widget, QuantityField):
                widget.clear_error()
            else:
                mark_invalid(widget, False)
        try:
            record = call()
        except UserFacingError as error:
            self.show_error(error)
            return False
        self._on_record(record)
        return True

    def show_error(self, error: UserFacingError) -> None:
        self.message.show_error(error.message)
        widget = self.fields().get(error.field or "")
        if isinstance(widget, QuantityField):
            widget.show_error(error.message)
            widget.focus()
        elif widget is not None:
            mark_invalid(widget, True)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
        reveal(self.message)


def reveal(widget: QWidget) -> None:
    """Scroll the enclosing scroll area so ``widget`` is in view: a message or button shown
    below the fold of a short screen is one the nurse never sees."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if isinstance(parent, QScrollArea):
        parent.ensureWidgetVisible(widget, 0, 24)


def caption(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("muted")
    label.setWordWrap(True)
    return label
