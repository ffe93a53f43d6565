"""Inputs that refuse what a clinician should not be able to enter by accident.

* ``QuantityField``: a number typed as text ("0.35" or "0.35 mg/kg/h"), parsed by the domain's
  ``parse_quantity``; its message (decimal comma, wrong unit, lb in a kg field, words) is shown
  right under the field.
* ``DateField``: a date typed as ``14Mar1968`` that starts *blank*, so an untouched default can
  never be saved as somebody's date of birth.
* ``WholeNumberSpin`` and ``Choice``: a spin box and a drop-down that ignore the mouse wheel,
  so scrolling a form never changes a count or a choice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.domain.units import Unit, format_number, parse_quantity
from console.ui.forms import mark_invalid

_BLANK = QDate(1900, 1, 1)
_START = QDate(1970, 1, 1)


class Choice(QComboBox):
    """A drop-down that the mouse wheel leaves alone: scrolling a form never changes a choice."""

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()


class FieldError(QLabel):
    """The message under one field; empty hides it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldError")
        self.setWordWrap(True)
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.show()

    def clear_message(self) -> None:
        self.clear()
        self.hide()


class QuantityField(QWidget):
    """A number in one unit, with the unit shown beside it and any refusal shown under it.

    With ``choices`` the input is an editable drop-down (for example the library's standard
    concentrations); anything typed into it is parsed the same way.

    Signals:
        edited(): the text changed (typed or chosen).
    """

    edited = Signal()

    def __init__(self, *, unit: Unit, field: str, label: str, placeholder: str = "",
                 choices: tuple[Decimal, ...] | None = None, width: int = 150,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unit = unit
        self.field = field
        self.label = label
        self.combo: QComboBox | None = None
        if choices is not None:
            self.combo = Choice(self)
            self.combo.setEditable(True)
            self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            line = self.combo.lineEdit()
            if line is None:  # pragma: no cover - an editable combo always has one
                raise RuntimeError("editable combo without a line edit")
            self.edit: QLineEdit = line
            self.combo.setFixedWidth(width)
            self.set_choices(choices)
            self.input: QWidget = self.combo
        else:
            self.edit = QLineEdit(self)
            self.edit.setFixedWidth(width)
            self.edit.setMaxLength(40)
            self.input = self.edit
        self.edit.setPlaceholderText(placeholder)
        self.edit.setAccessibleName(label)
        self.unit_label = QLabel(unit.value, self)
        self.unit_label.setObjectName("unitLabel")
        self.error = FieldError(self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        row.addWidget(self.input)
        row.addWidget(self.unit_label)
        row.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addLayout(row)
        column.addWidget(self.error)
        self.edit.textChanged.connect(self.edited)

    def set_choices(self, choices: tuple[Decimal, ...]) -> None:
        if self.combo is None:
            return
        typed = self.edit.text()
        self.combo.blockSignals(True)
        self.combo.clear()
        for value in choices:
            self.combo.addItem(format_number(value))
        self.combo.setCurrentIndex(-1)
        self.combo.blockSignals(False)
        self.edit.setText(typed)

    def text(self) -> str:
        return self.edit.text()

    def set_value(self, value: Decimal | None) -> None:
        self.edit.setText("" if value is None else format_number(value))

    def is_blank(self) -> bool:
        return not self.edit.text().strip()

    def quantity(self) -> Decimal:
        """The number typed; raises ``ValidationError`` (naming this field) if it is unusable."""
        return parse_quantity(self.edit.text(), unit=self.unit, field=self.field,
                              label=self.label)

    def show_error(self, message: str) -> None:
        self.error.show_message(message)
        mark_invalid(self.input, True)

    def clear_error(self) -> None:
        self.error.clear_message()
        mark_invalid(self.input, False)

    def focus(self) -> None:
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)


class DateField(QDateEdit):
    """A date typed day, month name, year (``14Mar1968``) or picked from a calendar, that
    starts blank ("Not entered").

    ``value()`` is ``None`` until a date is entered, so a date nobody typed is never saved.
    """

    def __init__(self, parent: QWidget | None = None, *, blank_text: str = "Not entered",
                 start: QDate = _START) -> None:
        super().__init__(parent)
        self._start = start
        self.setDisplayFormat("dd MMM yyyy")
        self.setMinimumDate(_BLANK)
        self.setMaximumDate(QDate(2199, 12, 31))
        self.setSpecialValueText(blank_text)
        self.setCalendarPopup(True)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        self.setDate(_BLANK)
        self.setToolTip("Type the day, the month's first letters and the year, for example "
                        "14Mar1968, or pick the date from the calendar.")
        calendar = self.calendarWidget()
        calendar.installEventFilter(self)

    def value(self) -> date | None:
        day = self.date()
        if day == _BLANK:
            return None
        return date(day.year(), day.month(), day.day())

    def set_value(self, day: date | None) -> None:
        self.setDate(_BLANK if day is None else QDate(day.year, day.month, day.day))

    def clear_value(self) -> None:
        self.setDate(_BLANK)

    def is_blank(self) -> bool:
        return self.date() == _BLANK

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Open the calendar on a plausible page, not on the blank marker's January 1900.
        if watched is self.calendarWidget() and event.type() == QEvent.Type.Show \
                and self.is_blank():
            self.calendarWidget().setCurrentPage(self._start.year(), self._start.month())
        return super().eventFilter(watched, event)

    def stepBy(self, steps: int) -> None:
        if self.is_blank():
            return  # stepping from "Not entered" would invent a date
        super().stepBy(steps)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        typed = event.text()
        whole = self.lineEdit().selectedText() == self.lineEdit().text()
        if self.is_blank() and typed.strip():
            self.setDate(self._start)
            self.setSelectedSection(QDateTimeEdit.Section.DaySection)
        elif typed.isdigit() and whole:
            # Everything selected (Ctrl+A): start again from the day.
            self.setSelectedSection(QDateTimeEdit.Section.DaySection)
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and whole:
            self.clear_value()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if not self.is_blank():
            self.setSelectedSection(QDateTimeEdit.Section.DaySection)

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()  # scrolling the form must never change a date of birth


class WholeNumberSpin(QSpinBox):
    """A whole number that the mouse wheel leaves alone."""

    def __init__(self, *, minimum: int, maximum: int, suffix: str = "", width: int = 130,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(minimum, maximum)
        self.setSuffix(suffix)
        self.setFixedWidth(width)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()
