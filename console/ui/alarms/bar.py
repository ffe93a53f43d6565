"""The alarm bar: the highest active alarm, across the top of the session screen.

IEC 60601-1-8 visual signals (clinical notes §6.1): red for high priority, flashing within
1.4-2.8 Hz; yellow for medium, flashing within 0.4-0.8 Hz; cyan for low, steady. The light
stays on while the tone is paused: only the condition ending (the alarm resolving) puts it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from console.domain.alarms import Alarm, AlarmPriority
from console.ui.alarms.text import alarm_sentence, by_urgency, priority_tag

PREFERRED_DUTY_PERCENT = 50


def flash_timing(priority: AlarmPriority) -> tuple[int, int] | None:
    """(ms on, ms off) of one flash for ``priority``, or ``None`` for a steady light.

    The middle of the frequency range the standard allows (2.1 Hz high, 0.6 Hz medium) at a
    50 % duty cycle, kept inside the allowed duty range.
    """
    if priority.flash_hz is None:
        return None
    slowest, fastest = priority.flash_hz
    period_ms = Decimal(1000) / ((slowest + fastest) / 2)
    least, most = priority.duty_cycle_percent
    duty = min(max(PREFERRED_DUTY_PERCENT, least), most)
    on_ms = round(period_ms * duty / 100)
    return on_ms, round(period_ms) - on_ms


class AlarmBar(QFrame):
    """``*** HIGH``, the alarm's sentence in large bold text, and how many more alarms are
    active. Hidden while no alarm is active. One timer flashes it, running only while the bar
    is visible and its alarm's priority flashes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmBar")
        self.tag = QLabel(self)
        self.tag.setObjectName("alarmTag")
        self.message = QLabel(self)
        self.message.setObjectName("alarmMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.more = QLabel(self)
        self.more.setObjectName("alarmMore")
        self.more.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(16)
        layout.addWidget(self.tag, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.more, 0, Qt.AlignmentFlag.AlignVCenter)
        self.flash_timer = QTimer(self)
        self.flash_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.flash_timer.timeout.connect(self._toggle)
        self.alarm: Alarm | None = None
        self._timing: tuple[int, int] | None = None
        self._lit = True
        self.hide()

    # ------------------------------------------------------------------ what is shown
    def show_alarms(self, active: Sequence[Alarm]) -> None:
        """Show the most urgent of the ``active`` alarms, or hide when there are none."""
        if not active:
            self.alarm = None
            self._timing = None
            self.hide()
            return
        top = by_urgency(active)[0]
        previous = self.alarm
        self.alarm = top
        self.tag.setText(priority_tag(top.priority))
        self.message.setText(alarm_sentence(top))
        others = len(active) - 1
        self.more.setText("" if others == 0 else
                          f"+{others} more alarm{'s' if others > 1 else ''}")
        self.more.setVisible(others > 0)
        self.setAccessibleName(f"Alarm: {top.priority.value} priority")
        self.setAccessibleDescription(alarm_sentence(top))
        if previous is None or previous.priority is not top.priority:
            self._timing = flash_timing(top.priority)
            self._lit = True  # a new light starts on
            self._apply_style()
            self.flash_timer.stop()
        self.show()
        self._sync_timer()

    @property
    def priority(self) -> AlarmPriority | None:
        return None if self.alarm is None else self.alarm.priority

    @property
    def lit(self) -> bool:
        """True in the bright phase of a flash (always, for a steady light)."""
        return self._lit

    # ------------------------------------------------------------------ flashing
    def _sync_timer(self) -> None:
        wanted = self._timing is not None and self.isVisible()
        if not wanted:
            self.flash_timer.stop()
            if not self._lit:
                self._lit = True
                self._apply_style()
        elif not self.flash_timer.isActive() and self._timing is not None:
            on_ms, off_ms = self._timing
            self.flash_timer.start(on_ms if self._lit else off_ms)

    def _toggle(self) -> None:
        if self._timing is None:
            self.flash_timer.stop()
            return
        self._lit = not self._lit
        on_ms, off_ms = self._timing
        self.flash_timer.setInterval(on_ms if self._lit else off_ms)
        self._apply_style()

    def _apply_style(self) -> None:
        priority = "none" if self.alarm is None else self.alarm.priority.value
        for widget in (self, self.tag, self.message, self.more):
            widget.setProperty("priority", priority)
            widget.setProperty("lit", self._lit)
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        self.update()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._sync_timer()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._sync_timer()

