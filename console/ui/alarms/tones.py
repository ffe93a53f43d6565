"""The alarm tone: the IEC 60601-1-8 burst of the sounding priority, repeated while it sounds.

The bursts are bundled WAV files (``resources/sounds``, written by ``make_tones.py`` there):
high 10 pulses, medium 3, low a single pulse. ``TonePlayer`` decides WHEN a burst plays, from
the ``AlarmBook`` (``sounding_priority``, which already honours audio pauses and escalations);
a ``SoundOutput`` plays it:

- ``QtSoundOutput``: Qt's ``QSoundEffect`` (PySide6's QtMultimedia, with an audio output found);
  it needs no media back-end plugin, so the installer leaves FFmpeg out;
- ``WinSoundOutput``: Windows' own ``winsound`` when QtMultimedia is not installed;
- ``CommandSoundOutput``: elsewhere, the desktop's own player (``paplay``, ``pw-play`` or
  ``aplay``) when QtMultimedia is not installed;
- ``SilentOutput``: no way to make a sound (no audio device, the offscreen platform in tests).
  The alarm list then says so, so nobody relies on a tone that cannot play.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, QUrl
from PySide6.QtGui import QGuiApplication

from console.domain.alarms import AlarmBook, AlarmPriority
from console.domain.clock import Clock
from console.paths import resource_path

log = logging.getLogger("console.ui.alarms")

# From the start of one burst to the start of the next (IEC 60601-1-8 allows 2.5-15 s of
# silence between high bursts, 2.5-30 s between medium ones; low need not repeat). The high
# burst lasts 3.6 s and the medium one 1 s.
REPEAT_EVERY: dict[AlarmPriority, timedelta | None] = {
    AlarmPriority.HIGH: timedelta(seconds=8),
    AlarmPriority.MEDIUM: timedelta(seconds=10),
    AlarmPriority.LOW: None,
}
CHECK_EVERY_MS = 250
NO_SCREEN_PLATFORMS = frozenset({"offscreen", "minimal"})


def tone_file(priority: AlarmPriority) -> Path:
    return resource_path("sounds", f"alarm_{priority.value}.wav")


class SoundOutput(Protocol):
    """Plays one burst of a priority's tone; ``stop`` cuts off what is playing."""

    @property
    def available(self) -> bool:
        """False when nothing can be heard: the screen must say so."""
        ...

    @property
    def description(self) -> str: ...

    def play(self, priority: AlarmPriority) -> None: ...

    def stop(self) -> None: ...


class SilentOutput:
    """No sound at all, and says why."""

    def __init__(self, reason: str = "no audio output was found") -> None:
        self.reason = reason

    @property
    def available(self) -> bool:
        return False

    @property
    def description(self) -> str:
        return f"This PC cannot play alarm tones ({self.reason}): watch the screen."

    def play(self, priority: AlarmPriority) -> None:
        pass

    def stop(self) -> None:
        pass


class QtSoundOutput:
    """``QSoundEffect`` per priority, loaded once, all on one audio output."""

    def __init__(self, device: Any, sound_effect: Any) -> None:
        self._device_name = str(device.description())
        self._effects: dict[AlarmPriority, Any] = {}
        for priority in AlarmPriority:
            effect = sound_effect()
            effect.setAudioDevice(device)
            effect.setSource(QUrl.fromLocalFile(str(tone_file(priority))))
            effect.setVolume(1.0)
            self._effects[priority] = effect

    @property
    def available(self) -> bool:
        return True

    @property
    def description(self) -> str:
        return f"Alarm tones play on {self._device_name}."

    def play(self, priority: AlarmPriority) -> None:
        for other, effect in self._effects.items():
            if other is not priority:
                effect.stop()
        self._effects[priority].play()

    def stop(self) -> None:
        for effect in self._effects.values():
            effect.stop()


class WinSoundOutput:  # pragma: no cover - Windows only
    """Windows' ``PlaySound`` (the standard library's ``winsound``): no Qt module needed."""

    def __init__(self) -> None:
        self._failed = False

    @property
    def available(self) -> bool:
        return not self._failed

    @property
    def description(self) -> str:
        if self._failed:
            return SilentOutput("Windows could not play the tone").description
        return "Alarm tones play on the Windows default sound device."

    def play(self, priority: AlarmPriority) -> None:
        if sys.platform == "win32":
            import winsound

            flags = winsound.SND_FILENAME | winsound.SND_ASYNC | winsound.SND_NODEFAULT
            try:
                winsound.PlaySound(str(tone_file(priority)), flags)
            except RuntimeError:
                if not self._failed:
                    log.warning("Windows could not play the alarm tone", exc_info=True)
                self._failed = True

    def stop(self) -> None:
        if sys.platform == "win32":
            import winsound

            try:
                winsound.PlaySound(None, 0)
            except RuntimeError:
                log.debug("stopping the alarm tone failed", exc_info=True)


class CommandSoundOutput:
    """The desktop's command-line player, one process per burst, stopped by terminating it."""

    PLAYERS = ("paplay", "pw-play", "aplay")

    def __init__(self, program: str) -> None:
        self._program = program
        self._process: subprocess.Popen[bytes] | None = None
        self._failed = False

    @classmethod
    def find(cls) -> CommandSoundOutput | None:
        for name in cls.PLAYERS:
            program = shutil.which(name)
            if program is not None:
                return cls(program)
        return None

    @property
    def available(self) -> bool:
        return not self._failed

    @property
    def description(self) -> str:
        if self._failed:
            return SilentOutput("the sound player failed").description
        return f"Alarm tones play through {Path(self._program).name}."

    def play(self, priority: AlarmPriority) -> None:
        self.stop()
        try:
            self._process = subprocess.Popen(
                [self._program, str(tone_file(priority))], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            if not self._failed:
                log.warning("the alarm tone could not be played", exc_info=True)
            self._failed = True

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                process.kill()


def default_sound_output() -> SoundOutput:
    """The best way this PC has to sound an alarm (needs the QApplication to exist)."""
    platform = QGuiApplication.platformName() if QGuiApplication.instance() else ""
    if platform in NO_SCREEN_PLATFORMS:
        return SilentOutput(f"the {platform} display has no sound")
    try:
        # Not in PySide6-Essentials; on Linux it also needs the PulseAudio client library.
        from PySide6.QtMultimedia import (  # type: ignore[import-not-found,unused-ignore]
            QMediaDevices,
            QSoundEffect,
        )
    except ImportError as error:
        if sys.platform == "win32":  # pragma: no cover - Windows only
            return WinSoundOutput()
        player = CommandSoundOutput.find()
        if player is not None:
            return player
        log.warning("no alarm sound: Qt Multimedia cannot be loaded (%s)", error)
        return SilentOutput("the sound module is not installed")
    device = QMediaDevices.defaultAudioOutput()
    if device.isNull():
        if not QMediaDevices.audioOutputs():
            log.warning("no alarm sound: no audio output device")
            return SilentOutput("no audio output was found")
        device = QMediaDevices.audioOutputs()[0]
    return QtSoundOutput(device, QSoundEffect)


class TonePlayer(QObject):
    """Plays the burst of ``book.sounding_priority(now)`` and repeats it while it sounds.

    A burst starts at once when the sounding priority rises, or when an alarm starts sounding
    that was not sounding before (raised, escalated, or its audio pause ran out); the tone
    stops at once when nothing should sound (paused, acknowledged, resolved). Its own timer
    reads the injected clock, so repeats and the end of a pause need no screen update.
    """

    def __init__(self, *, output: SoundOutput, clock: Clock,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.output = output
        self._clock = clock
        self._book = AlarmBook()
        self._playing: AlarmPriority | None = None
        self._burst_started: datetime | None = None
        self._sounding_ids: frozenset[int] = frozenset()
        self.check_timer = QTimer(self)
        self.check_timer.setInterval(CHECK_EVERY_MS)
        self.check_timer.timeout.connect(self.tick)

    @property
    def playing(self) -> AlarmPriority | None:
        """The priority whose tone is sounding now (between bursts too)."""
        return self._playing

    def show_book(self, book: AlarmBook, now: datetime) -> None:
        self._book = book
        self._evaluate(now)

    def tick(self) -> None:
        self._evaluate(self._clock.now())

    def stop(self) -> None:
        """Silence and forget the book (the session screen closes)."""
        self._book = AlarmBook()
        self.check_timer.stop()
        self._sounding_ids = frozenset()
        if self._playing is not None:
            self._playing = None
            self._burst_started = None
        self.output.stop()

    def _evaluate(self, now: datetime) -> None:
        sounding = {a.id: a.priority for a in self._book.active if a.should_sound(now)}
        priority = self._book.sounding_priority(now)
        started = frozenset(sounding) - self._sounding_ids
        self._sounding_ids = frozenset(sounding)
        if priority is None:
            if self._playing is not None:
                self._playing = None
                self._burst_started = None
                self.output.stop()
        else:
            repeat = REPEAT_EVERY[priority]
            # News at a lower priority than the tone playing is covered by that tone.
            news = any(sounding[alarm_id] is priority for alarm_id in started)
            due = (priority is not self._playing or news
                   or (repeat is not None and self._burst_started is not None
                       and now - self._burst_started >= repeat))
            if due:
                self._playing = priority
                self._burst_started = now
                self.output.play(priority)
        if self._book.active and not self.check_timer.isActive():
            self.check_timer.start()
        elif not self._book.active:
            self.check_timer.stop()
