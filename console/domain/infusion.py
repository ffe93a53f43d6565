"""The infusion timeline: events, what state they leave the pump in, and the dose they delivered.

Cumulative doses come from the recorded event times (never from a timer): the rate in force
between two events times the time between them, plus any bolus.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from console.domain.units import STEP_AMOUNT, round_to
from console.errors import ValidationError

SECONDS_PER_HOUR = Decimal(3600)
LATE_ENTRY_AFTER = timedelta(minutes=2)


class EventKind(enum.StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    RATE_CHANGE = "rate-change"
    BOLUS = "bolus"
    STOP = "stop"

    @property
    def label(self) -> str:
        return {EventKind.START: "Started", EventKind.PAUSE: "Paused",
                EventKind.RESUME: "Resumed", EventKind.RATE_CHANGE: "Rate changed",
                EventKind.BOLUS: "Bolus", EventKind.STOP: "Stopped"}[self]


class PumpState(enum.StrEnum):
    NOT_STARTED = "not started"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


class StopKind(enum.StrEnum):
    COMPLETED = "completed"
    EARLY = "early"


@dataclass(frozen=True, slots=True)
class InfusionEvent:
    kind: EventKind
    at: datetime
    entered_at: datetime
    by_name: str
    rate_ml_per_h: Decimal | None = None
    bolus_mg: Decimal | None = None
    reason: str = ""
    stop_kind: StopKind | None = None
    authorised_by: str = ""

    @property
    def late_entry(self) -> bool:
        """Entered noticeably after the time it records (the record marks it as such)."""
        return self.entered_at - self.at > LATE_ENTRY_AFTER


_ALLOWED: dict[PumpState, frozenset[EventKind]] = {
    PumpState.NOT_STARTED: frozenset({EventKind.START}),
    PumpState.RUNNING: frozenset({EventKind.PAUSE, EventKind.RATE_CHANGE, EventKind.BOLUS,
                                  EventKind.STOP}),
    PumpState.PAUSED: frozenset({EventKind.RESUME, EventKind.STOP}),
    PumpState.STOPPED: frozenset(),
}


def state_after(events: Sequence[InfusionEvent]) -> PumpState:
    state = PumpState.NOT_STARTED
    for event in events:
        state = _next_state(state, event.kind)
    return state


def _next_state(state: PumpState, kind: EventKind) -> PumpState:
    if kind not in _ALLOWED[state]:
        raise ValidationError(
            f"The infusion is {state.value}: it cannot be {kind.label.lower()} now.",
            field="event")
    return {
        EventKind.START: PumpState.RUNNING, EventKind.RESUME: PumpState.RUNNING,
        EventKind.PAUSE: PumpState.PAUSED, EventKind.STOP: PumpState.STOPPED,
    }.get(kind, state)


def check_next_event(events: Sequence[InfusionEvent], event: InfusionEvent,
                     *, not_before: datetime, now: datetime) -> None:
    """Refuse an event that the timeline cannot take, with a message that says why."""
    _next_state(state_after(events), event.kind)
    if event.at > now + timedelta(seconds=5):
        raise ValidationError("The event time is in the future. Enter the time it happened.",
                              field="at")
    earliest = events[-1].at if events else not_before
    if event.at < earliest:
        raise ValidationError(
            f"The event time is before the previous entry ({earliest.astimezone():%H:%M}). "
            "Events are recorded in the order they happened.", field="at")
    if event.kind in {EventKind.START, EventKind.RATE_CHANGE, EventKind.RESUME} \
            and (event.rate_ml_per_h is None or event.rate_ml_per_h <= 0):
        raise ValidationError("Enter the pump rate in mL/h.", field="rate_ml_per_h")
    if event.kind is EventKind.BOLUS and (event.bolus_mg is None or event.bolus_mg <= 0):
        raise ValidationError("Enter the bolus dose in mg.", field="bolus_mg")
    if event.kind is EventKind.PAUSE and len(event.reason.strip()) < 3:
        raise ValidationError("Give the reason for pausing.", field="reason")
    if event.kind is EventKind.STOP:
        if event.stop_kind is None:
            raise ValidationError("Say whether the infusion completed or stopped early.",
                                  field="stop_kind")
        if event.stop_kind is StopKind.EARLY and len(event.reason.strip()) < 3:
            raise ValidationError("Give the reason for stopping early.", field="reason")


@dataclass(frozen=True, slots=True)
class Progress:
    """What the timeline says now: state, rate, time and dose so far."""

    state: PumpState
    rate_ml_per_h: Decimal
    started_at: datetime | None
    running_time: timedelta
    delivered_mg: Decimal
    infused_ml: Decimal


def progress(events: Sequence[InfusionEvent], concentration_mg_per_ml: Decimal,
             until: datetime) -> Progress:
    """Integrate the recorded rates over the recorded times up to ``until``."""
    state = PumpState.NOT_STARTED
    rate = Decimal(0)
    infused_ml = Decimal(0)
    bolus_mg = Decimal(0)
    running = timedelta(0)
    started_at: datetime | None = None
    last_at: datetime | None = None
    for event in events:
        if event.at > until:
            break
        if state is PumpState.RUNNING and last_at is not None:
            infused_ml += _volume(rate, event.at - last_at)
            running += event.at - last_at
        state = _next_state(state, event.kind)
        if event.kind is EventKind.START:
            started_at = event.at
        if event.kind in {EventKind.START, EventKind.RATE_CHANGE, EventKind.RESUME}:
            rate = event.rate_ml_per_h or Decimal(0)
        if event.kind is EventKind.BOLUS:
            bolus_mg += event.bolus_mg or Decimal(0)
        last_at = event.at
    if state is PumpState.RUNNING and last_at is not None and until > last_at:
        infused_ml += _volume(rate, until - last_at)
        running += until - last_at
    delivered = infused_ml * concentration_mg_per_ml + bolus_mg
    return Progress(
        state=state, rate_ml_per_h=rate if state is PumpState.RUNNING else Decimal(0),
        started_at=started_at, running_time=running,
        delivered_mg=round_to(delivered, STEP_AMOUNT),
        infused_ml=round_to(infused_ml, STEP_AMOUNT),
    )


def _volume(rate_ml_per_h: Decimal, span: timedelta) -> Decimal:
    seconds = Decimal(span.days * 86400 + span.seconds) + Decimal(span.microseconds) / 10**6
    return rate_ml_per_h * seconds / SECONDS_PER_HOUR


def time_to_limit(delivered_mg: Decimal, rate_mg_per_h: Decimal,
                  limit_mg: Decimal) -> timedelta | None:
    """How long until ``limit_mg`` is crossed at the current rate (None: never / not running)."""
    if rate_mg_per_h <= 0:
        return None
    remaining = limit_mg - delivered_mg
    if remaining <= 0:
        return timedelta(0)
    return timedelta(seconds=float(remaining / rate_mg_per_h * SECONDS_PER_HOUR))
