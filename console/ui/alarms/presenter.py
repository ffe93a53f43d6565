"""One object the session screen feeds: the alarm book in, bar, list, pause button and tone out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject

from console.domain.alarms import AlarmAction, AlarmBook
from console.domain.clock import Clock
from console.errors import UserFacingError
from console.ui.alarms.bar import AlarmBar
from console.ui.alarms.list_panel import AlarmListPanel
from console.ui.alarms.pause import AudioPauseButton
from console.ui.alarms.tones import SoundOutput, TonePlayer, default_sound_output


class AlarmPresenter:
    """Builds the alarm widgets and keeps them showing one ``AlarmBook``.

    The screen lays out ``bar`` (top, full width), ``pause_button`` (beside the bar or with the
    infusion actions) and ``list_panel``, and calls ``show_book(book, now)`` after every
    monitoring result and on its one-second tick. ``on_acknowledge(alarm_id, action, note)``
    and ``on_pause_audio()`` make the service calls and then show the new book; either may
    raise a ``UserFacingError`` (shown in the acknowledge dialog, or in the alarm list).
    ``sound_output`` defaults to the best this PC has (``default_sound_output``); ``parent``
    owns the tone's timer (the screen). Call ``stop`` when the screen closes.
    """

    def __init__(self, *, clock: Clock, user_name: str,
                 on_acknowledge: Callable[[int, AlarmAction, str], None],
                 on_pause_audio: Callable[[], None],
                 sound_output: SoundOutput | None = None,
                 parent: QObject | None = None) -> None:
        self._on_pause_audio = on_pause_audio
        self._clock = clock
        self.book = AlarmBook()
        self.bar = AlarmBar()
        self.list_panel = AlarmListPanel(user_name=user_name, on_acknowledge=on_acknowledge)
        self.pause_button = AudioPauseButton(clock=clock, on_pause=self._pause_audio)
        output = default_sound_output() if sound_output is None else sound_output
        self.tone = TonePlayer(output=output, clock=clock, parent=parent)
        self.list_panel.set_sound_status(audible=output.available, text=output.description)

    def show_book(self, book: AlarmBook, now: datetime) -> None:
        self.book = book
        self.bar.show_alarms(book.active)
        self.list_panel.show_book(book, now)
        self.pause_button.show_book(book, now)
        self.tone.show_book(book, now)

    def stop(self) -> None:
        """Silence the tone and stop every timer (the session screen closes or changes)."""
        self.tone.stop()
        self.bar.show_alarms(())
        self.pause_button.show_book(AlarmBook(), self._clock.now())

    def _pause_audio(self) -> None:
        self.list_panel.clear_error()
        try:
            self._on_pause_audio()
        except UserFacingError as error:
            self.list_panel.show_error(error.message)
