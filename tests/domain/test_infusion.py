"""The infusion timeline: the event state machine, event checks, late entries and the dose
integrated from the recorded times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain.infusion import (
    EventKind,
    InfusionEvent,
    PumpState,
    StopKind,
    check_next_event,
    progress,
    state_after,
    time_to_limit,
)
from console.errors import ValidationError

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ONE = Decimal(1)


def ev(kind: EventKind, minutes: float, *, rate: str | None = None, bolus: str | None = None,
       reason: str = "", stop: StopKind | None = None,
       entered_minutes: float | None = None) -> InfusionEvent:
    at = T0 + timedelta(minutes=minutes)
    entered = at if entered_minutes is None else T0 + timedelta(minutes=entered_minutes)
    return InfusionEvent(kind=kind, at=at, entered_at=entered, by_name="Nora Kim, RN",
                         rate_ml_per_h=None if rate is None else Decimal(rate),
                         bolus_mg=None if bolus is None else Decimal(bolus), reason=reason,
                         stop_kind=stop)


def start(minutes: float = 0, rate: str = "24.5") -> InfusionEvent:
    return ev(EventKind.START, minutes, rate=rate)


def pause(minutes: float, reason: str = "patient to the bathroom") -> InfusionEvent:
    return ev(EventKind.PAUSE, minutes, reason=reason)


def resume(minutes: float, rate: str = "24.5") -> InfusionEvent:
    return ev(EventKind.RESUME, minutes, rate=rate)


def change(minutes: float, rate: str) -> InfusionEvent:
    return ev(EventKind.RATE_CHANGE, minutes, rate=rate)


def bolus(minutes: float, mg: str) -> InfusionEvent:
    return ev(EventKind.BOLUS, minutes, bolus=mg)


def stop(minutes: float, kind: StopKind = StopKind.COMPLETED, reason: str = "") -> InfusionEvent:
    return ev(EventKind.STOP, minutes, stop=kind, reason=reason)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


# ---------------------------------------------------------------- dose from recorded times


@pytest.mark.parametrize(("events", "concentration", "until", "ml", "mg", "state"), [
    # 24.5 mL/h for 1 h, paused 10 min, 30 mL/h for 0.5 h: 24.5 + 0 + 15 = 39.5 mL
    ([start(0), pause(60), resume(70, "24.5"), change(70, "30")], ONE, 100,
     "39.5", "39.5", PumpState.RUNNING),
    # the same at 2 mg/mL: twice the mg, same mL
    ([start(0), pause(60), resume(70, "24.5"), change(70, "30")], Decimal(2), 100,
     "39.5", "79.0", PumpState.RUNNING),
    # a 5 mg bolus adds mg but no infused volume: 24.5 mL/h × 0.5 h = 12.25 → 12.3
    ([start(0), bolus(15, "5")], ONE, 30, "12.3", "17.3", PumpState.RUNNING),
    # nothing runs while paused: 1 h then a 2 h pause
    ([start(0), pause(60)], ONE, 180, "24.5", "24.5", PumpState.PAUSED),
    # stopped at 4 h: 98 mL, nothing after the stop
    ([start(0), stop(240)], ONE, 600, "98.0", "98.0", PumpState.STOPPED),
    # events after ``until`` do not count yet
    ([start(0), change(60, "70")], ONE, 30, "12.3", "12.3", PumpState.RUNNING),
    # not started: nothing delivered
    ([], ONE, 60, "0", "0", PumpState.NOT_STARTED),
    # 20 mL/h for 45 min, 35 mL/h for 15 min: 15 + 8.75 = 23.75 → 23.8 (half up)
    ([start(0, "20"), change(45, "35")], ONE, 60, "23.8", "23.8", PumpState.RUNNING),
])
def test_progress_integrates_the_recorded_rates_over_the_recorded_times(
        events: list[InfusionEvent], concentration: Decimal, until: float, ml: str, mg: str,
        state: PumpState) -> None:
    result = progress(events, concentration, at(until))
    assert result.infused_ml == Decimal(ml)
    assert result.delivered_mg == Decimal(mg)
    assert result.state is state


def test_progress_reports_running_time_rate_and_start() -> None:
    events = [start(0), pause(60), resume(70, "24.5"), change(70, "30")]
    result = progress(events, ONE, at(100))
    assert result.running_time == timedelta(minutes=90)
    assert result.rate_ml_per_h == Decimal(30)
    assert result.started_at == T0
    paused = progress(events[:2], ONE, at(65))
    assert paused.rate_ml_per_h == 0
    assert paused.running_time == timedelta(minutes=60)


def test_resume_takes_the_rate_it_is_given() -> None:
    # Resumed at a different rate than before the pause: the new rate counts from the resume.
    events = [start(0, "24.5"), pause(30), resume(40, "12")]
    # 24.5 mL/h × 0.5 h + 12 mL/h × 1 h = 24.25 mL, shown to 0.1 mL (half up)
    assert progress(events, ONE, at(100)).infused_ml == Decimal("24.3")


# ---------------------------------------------------------------- state machine

VALID_PATH = [start(0), pause(10), resume(20), change(30, "30"), bolus(31, "5"),
              stop(60)]


def test_a_valid_timeline_walks_through_the_states() -> None:
    states = [state_after(VALID_PATH[:n]) for n in range(len(VALID_PATH) + 1)]
    assert states == [PumpState.NOT_STARTED, PumpState.RUNNING, PumpState.PAUSED,
                      PumpState.RUNNING, PumpState.RUNNING, PumpState.RUNNING,
                      PumpState.STOPPED]


@pytest.mark.parametrize(("events", "bad"), [
    ([start(0)], resume(5)),  # resume when running
    ([start(0)], start(5)),  # start twice
    ([start(0), stop(5)], stop(6)),  # stop twice
    ([start(0), stop(5)], start(6)),  # start after stop
    ([start(0), stop(5)], resume(6)),
    ([start(0), stop(5)], change(6, "30")),
    ([start(0), pause(5)], pause(6)),  # pause twice
    ([start(0), pause(5)], change(6, "30")),  # change rate while paused
    ([start(0), pause(5)], bolus(6, "5")),
    ([], pause(0)),  # nothing before the start
    ([], stop(0)),
    ([], change(0, "30")),
    ([], bolus(0, "5")),
])
def test_impossible_events_are_refused(events: list[InfusionEvent],
                                       bad: InfusionEvent) -> None:
    with pytest.raises(ValidationError, match="cannot be"):
        check_next_event(events, bad, not_before=T0, now=at(120))
    with pytest.raises(ValidationError):
        state_after([*events, bad])


def test_stop_from_pause_is_allowed() -> None:
    events = [start(0), pause(5)]
    check_next_event(events, stop(6, StopKind.EARLY, "patient unwell"), not_before=T0,
                     now=at(10))
    assert state_after([*events, stop(6, StopKind.EARLY, "x")]) is PumpState.STOPPED


# ---------------------------------------------------------------- event checks


@pytest.mark.parametrize(("events", "event", "now", "field"), [
    ([], start(11), 10, "at"),  # a minute in the future
    ([start(0)], pause(20), 19, "at"),
    ([start(10)], pause(9), 30, "at"),  # before the previous event
    ([], start(-1), 30, "at"),  # before check-in
    ([start(0)], pause(5, reason=""), 30, "reason"),
    ([start(0)], pause(5, reason="  a "), 30, "reason"),
    ([start(0)], stop(5, StopKind.EARLY, ""), 30, "reason"),
    ([start(0)], ev(EventKind.STOP, 5), 30, "stop_kind"),
    ([], start(0, "0"), 30, "rate_ml_per_h"),
    ([], ev(EventKind.START, 0), 30, "rate_ml_per_h"),
    ([start(0)], change(5, "-1"), 30, "rate_ml_per_h"),
    ([start(0)], ev(EventKind.BOLUS, 5), 30, "bolus_mg"),
    ([start(0)], bolus(5, "0"), 30, "bolus_mg"),
])
def test_event_checks_refuse_with_the_field_at_fault(
        events: list[InfusionEvent], event: InfusionEvent, now: float, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        check_next_event(events, event, not_before=T0, now=at(now))
    assert refused.value.field == field


@pytest.mark.parametrize(("events", "event", "now"), [
    ([], start(0), 0),
    ([], start(0), -0.05),  # a few seconds of clock skew are tolerated
    ([start(0)], pause(10), 10),
    ([start(0)], pause(0), 10),  # same time as the previous event
    ([start(0)], stop(30, StopKind.COMPLETED), 30),  # a completed stop needs no reason
    ([start(0)], stop(30, StopKind.EARLY, "nausea"), 30),
])
def test_event_checks_accept_good_events(events: list[InfusionEvent], event: InfusionEvent,
                                         now: float) -> None:
    check_next_event(events, event, not_before=T0, now=at(now))


@pytest.mark.parametrize(("recorded", "entered", "late"), [
    (0, 0, False), (0, 2, False), (0, 2.05, True), (0, 30, True), (10, 10.5, False),
])
def test_late_entries_are_marked(recorded: float, entered: float, late: bool) -> None:
    assert ev(EventKind.START, recorded, rate="24.5",
              entered_minutes=entered).late_entry is late


# ---------------------------------------------------------------- time to a limit


@pytest.mark.parametrize(("delivered", "rate", "limit", "expected"), [
    ("112", "63", "140", timedelta(seconds=1600)),  # 28 mg at 63 mg/h = 26 min 40 s
    ("0", "24.5", "98", timedelta(hours=4)),
    ("140", "24.5", "140", timedelta(0)),  # at the limit
    ("150", "24.5", "140", timedelta(0)),  # beyond it
    ("10", "0", "140", None),  # not running
    ("10", "-1", "140", None),
])
def test_time_to_limit(delivered: str, rate: str, limit: str,
                       expected: timedelta | None) -> None:
    assert time_to_limit(Decimal(delivered), Decimal(rate), Decimal(limit)) == expected


# ---------------------------------------------------------------- properties

rates = st.decimals(min_value=Decimal("0.1"), max_value=Decimal(100), places=1)
gaps = st.integers(min_value=0, max_value=90 * 60)


@st.composite
def timelines(draw: st.DrawFn) -> list[InfusionEvent]:
    """A valid random timeline: start, then pauses, resumes, rate changes, boluses, a stop."""
    moment = T0
    events = [InfusionEvent(EventKind.START, moment, moment, "n", rate_ml_per_h=draw(rates))]
    state = PumpState.RUNNING
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        moment += timedelta(seconds=draw(gaps))
        if state is PumpState.RUNNING:
            kind = draw(st.sampled_from([EventKind.PAUSE, EventKind.RATE_CHANGE,
                                         EventKind.BOLUS, EventKind.STOP]))
        else:
            kind = draw(st.sampled_from([EventKind.RESUME, EventKind.STOP]))
        events.append(InfusionEvent(
            kind, moment, moment, "n",
            rate_ml_per_h=draw(rates) if kind in {EventKind.RATE_CHANGE, EventKind.RESUME}
            else None,
            bolus_mg=draw(rates) if kind is EventKind.BOLUS else None,
            reason="because", stop_kind=StopKind.EARLY if kind is EventKind.STOP else None))
        if kind is EventKind.STOP:
            break
        state = PumpState.PAUSED if kind is EventKind.PAUSE else PumpState.RUNNING
    return events


@given(timelines(), st.lists(st.integers(min_value=-600, max_value=20 * 3600), min_size=2,
                             max_size=8),
       st.sampled_from([Decimal(1), Decimal(2), Decimal("0.5")]))
def test_cumulative_dose_never_decreases_as_until_grows(
        events: list[InfusionEvent], offsets: list[int], concentration: Decimal) -> None:
    moments = sorted(T0 + timedelta(seconds=s) for s in offsets)
    doses = [progress(events, concentration, m).delivered_mg for m in moments]
    volumes = [progress(events, concentration, m).infused_ml for m in moments]
    assert doses == sorted(doses)
    assert volumes == sorted(volumes)
    assert all(d >= 0 for d in doses)


@given(timelines())
def test_dose_is_rate_times_running_time_plus_boluses(events: list[InfusionEvent]) -> None:
    """Independent arithmetic: sum each running span's rate × seconds, add the boluses."""
    until = events[-1].at + timedelta(hours=1)
    ml = Decimal(0)
    rate = Decimal(0)
    running = False
    boluses = Decimal(0)
    spans = [*events[1:], InfusionEvent(EventKind.PAUSE, until, until, "n", reason="end")]
    for event, following in zip(events, spans, strict=True):
        if event.rate_ml_per_h is not None:
            rate = event.rate_ml_per_h
        if event.kind is EventKind.BOLUS:
            boluses += event.bolus_mg or 0
        running = event.kind in {EventKind.START, EventKind.RESUME, EventKind.RATE_CHANGE,
                                 EventKind.BOLUS} or (running and event.kind is not
                                                      EventKind.PAUSE and event.kind
                                                      is not EventKind.STOP)
        if running:
            ml += rate * Decimal((following.at - event.at).total_seconds()) / 3600
    result = progress(events, Decimal(2), until)
    assert abs(result.infused_ml - ml) <= Decimal("0.05")
    assert abs(result.delivered_mg - (ml * 2 + boluses)) <= Decimal("0.05")
    assert result.state is state_after(events)


@given(timelines())
def test_every_prefix_of_a_valid_timeline_accepts_its_next_event(
        events: list[InfusionEvent]) -> None:
    for n in range(len(events)):
        check_next_event(events[:n], events[n], not_before=T0, now=events[-1].at)
