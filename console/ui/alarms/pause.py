"""The audio-pause button: silence the tone for two minutes, with a live countdown."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QPushButton, QWidget

from console.domain.alarms import AUDIO_PAUSE, AlarmBook
from console.domain.clock import Clock
from console.ui.alarms.text import set_style_property

COUNTDOWN_TICK_MS = 250


def minutes_seconds(duration: timedelta) -> str:
    """``1:42``: whole seconds, rounded up (a pause never shows 0:00 while it lasts)."""
    seconds = max(0, math.ceil(duration.total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


def audio_pause_remaining(book: AlarmBook, now: datetime) -> timedelta | None:
    """How long until the paused tone may sound again, or ``None`` when the tone is not paused
    (no active alarm, or an alarm is sounding now)."""
    if not book.active or book.should_sound(now):
        return None
    ends = [a.audio_paused_until for a in book.active if a.audio_paused_until is not None]
    return min(ends) - now if ends else None


class AudioPauseButton(QPushButton):
    """``Silence 2:00`` while a tone sounds; ``Silenced 1:42``, counting down and disabled,
    while the audio is paused; disabled and idle when nothing sounds. Its own timer reads the
    injected clock, so it re-enables itself when the pause ends between two screen updates."""

    def __init__(self, *, clock: Clock, on_pause: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audioPauseButton")
        self.setAutoDefault(False)
        self.setToolTip(
            f"Silence the alarm tone for {minutes_seconds(AUDIO_PAUSE)} min. The alarm light "
            "stays on, and a new or worse alarm sounds at once.")
        self._clock = clock
        self._book = AlarmBook()
        self.countdown_timer = QTimer(self)
        self.countdown_timer.setInterval(COUNTDOWN_TICK_MS)
        self.countdown_timer.timeout.connect(self.refresh)
        self.clicked.connect(on_pause)
        self.refresh()

    def show_book(self, book: AlarmBook, now: datetime) -> None:
        self._book = book
        self.refresh(now)

    @property
    def paused(self) -> bool:
        return bool(self.property("paused"))

    def refresh(self, now: datetime | None = None) -> None:
        moment = self._clock.now() if now is None else now
        remaining = audio_pause_remaining(self._book, moment)
        if remaining is None:
            self.setText(f"Silence {minutes_seconds(AUDIO_PAUSE)}")
            self.setEnabled(self._book.should_sound(moment))
            self.setAccessibleName("Silence the alarm tone")
            self.countdown_timer.stop()
        else:
            self.setText(f"Silenced {minutes_seconds(remaining)}")
            self.setEnabled(False)
            self.setAccessibleName(f"Alarm tone silenced for {minutes_seconds(remaining)}")
            if not self.countdown_timer.isActive():
                self.countdown_timer.start()
        set_style_property(self, "paused", remaining is not None)
