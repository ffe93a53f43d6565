"""Helpers for the alarm presentation tests (no tests in here): a session's alarm book fed with
real observations through the domain's ``evaluate`` on a manual clock, and a sound output that
records what it was asked to play."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from console.domain.alarms import (
    DEFAULT_THRESHOLDS,
    Alarm,
    AlarmAction,
    AlarmBook,
    AlarmParameter,
    AlarmPriority,
    assessed,
    evaluate,
)
from console.domain.clock import ManualClock
from console.domain.vitals import VitalValues

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
NORMAL = {"heart_rate": 80, "systolic": 128, "diastolic": 82, "spo2": 97,
          "respiratory_rate": 14}
HIGH_SPO2 = {**NORMAL, "spo2": 89}  # SpO2 ≤91: high (red)
MEDIUM_SPO2 = {**NORMAL, "spo2": 93}  # SpO2 92-93: medium (yellow)
LOW_SPO2 = {**NORMAL, "spo2": 95}  # SpO2 94-95: low (cyan)
MEDIUM_SBP = {**NORMAL, "systolic": 166}  # SBP ≥160: medium
HIGH_SPO2_MEDIUM_SBP = {**NORMAL, "spo2": 89, "systolic": 166}


class Ward:
    """One session's alarms: observations in, ``book`` out, time moved by hand."""

    def __init__(self) -> None:
        self.clock = ManualClock(START)
        self.book = AlarmBook()

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def advance(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta))

    def observe(self, **readings: int) -> AlarmBook:
        """A full set of vitals recorded now (what is normal in it resolves its alarm)."""
        values = VitalValues(**readings)
        conditions = evaluate(values, baseline=None, thresholds=DEFAULT_THRESHOLDS)
        self.book = self.book.update(conditions, at=self.now, assessed=assessed(values)).book
        return self.book

    def alarm(self, parameter: AlarmParameter) -> Alarm:
        return next(a for a in (*self.book.active, *self.book.resolved)
                    if a.parameter is parameter)

    def acknowledge(self, parameter: AlarmParameter, action: AlarmAction = AlarmAction.OBSERVED,
                    note: str = "", by_name: str = "Nora Kim, RN") -> AlarmBook:
        self.book = self.book.acknowledge(self.alarm(parameter).id, by_name=by_name,
                                          action=action, at=self.now, note=note)
        return self.book

    def pause_audio(self) -> AlarmBook:
        self.book = self.book.pause_audio(at=self.now)
        return self.book


class RecordingOutput:
    """A sound output that hears nothing and remembers every request."""

    available = True
    description = "Alarm tones play on the test speaker."

    def __init__(self) -> None:
        self.events: list[tuple[str, AlarmPriority | None]] = []

    def play(self, priority: AlarmPriority) -> None:
        self.events.append(("play", priority))

    def stop(self) -> None:
        self.events.append(("stop", None))

    @property
    def plays(self) -> list[AlarmPriority | None]:
        return [priority for kind, priority in self.events if kind == "play"]

    def take(self) -> list[tuple[str, AlarmPriority | None]]:
        """The requests since the last ``take``."""
        events, self.events = self.events, []
        return events
