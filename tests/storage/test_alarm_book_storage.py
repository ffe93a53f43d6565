"""The alarm book as stored: current state in ``alarm`` plus the append-only ``alarm_event``
history. A book saved step by step and read back is the book the pure engine holds — ids,
priorities, conditions, acknowledgements, escalations, resolutions and audio pauses — and the
``active_only`` read gives the same active alarms and next id."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from console.domain.alarms import (
    AlarmAction,
    AlarmBook,
    AlarmCondition,
    AlarmKind,
    AlarmParameter,
    AlarmPriority,
    device_feed_lost,
    observation_overdue,
)
from console.domain.clock import ManualClock
from console.errors import NotFound, ValidationError
from console.services.container import Services
from console.storage.rows import AlarmEventRow, AlarmRow
from console.storage.unit_of_work import Database
from tests.conftest import TEST_START

P, L, M, H = AlarmParameter, AlarmPriority.LOW, AlarmPriority.MEDIUM, AlarmPriority.HIGH
MIN = timedelta(minutes=1)


@dataclass(frozen=True)
class Ward:
    """A seeded clinic and what a new session row needs."""

    database: Database
    patient_id: int
    protocol_id: int
    user_id: int

    def new_session(self, at: datetime = TEST_START) -> int:
        with self.database.write() as uow:
            return uow.sessions.add(patient_id=self.patient_id, protocol_id=self.protocol_id,
                                    at=at, by=self.user_id).id


@pytest.fixture
def ward(services: Services, database: Database) -> Ward:
    services.demo.seed()
    nurse = services.auth.sign_in("nkim", "nurse-demo-1")
    with database.read() as uow:
        patient, protocol = next((p.id, protocols[0].id) for p in uow.patients.list_all()
                                 if (protocols := list(uow.protocols.for_patient(p.id))))
    return Ward(database, patient, protocol, nurse.user_id)


def stored(database: Database, session_id: int, *, active_only: bool = False) -> AlarmBook:
    with database.read() as uow:
        return uow.monitoring.book(session_id, active_only=active_only)


def save(database: Database, session_id: int, before: AlarmBook, after: AlarmBook) -> None:
    with database.write() as uow:
        uow.monitoring.save(session_id, before, after, by_id=None, by_name="Nora Kim, RN")


def same(read: AlarmBook, book: AlarmBook) -> None:
    """Equal in every alarm and in next_id. ``updated_at`` is the time of the last stored
    event, which the engine moves even when a feed changed nothing: never later than it."""
    assert replace(read, updated_at=None) == replace(book, updated_at=None)
    if book.updated_at is None:
        assert read.updated_at is None
    else:
        assert read.updated_at is None or read.updated_at <= book.updated_at


def condition(parameter: AlarmParameter, priority: AlarmPriority, value: int | None = None,
              kind: AlarmKind = AlarmKind.PHYSIOLOGICAL) -> AlarmCondition:
    return AlarmCondition(parameter, priority, value,
                          f"{parameter.value} {value} — {priority.action} (“quoted”, −5)", kind)


def test_a_book_saved_step_by_step_reads_back_as_the_engine_holds_it(ward: Ward) -> None:
    sid = ward.new_session()
    t = TEST_START
    steps: list[AlarmBook] = [AlarmBook()]

    def step(book: AlarmBook) -> AlarmBook:
        save(ward.database, sid, steps[-1], book)
        steps.append(book)
        same(stored(ward.database, sid), book)
        return book

    book = step(AlarmBook().update([condition(P.SYSTOLIC, M, 165),
                                    condition(P.SPO2, L, 95)], at=t).book)
    book = step(book.acknowledge(2, by_name="Nora Kim, RN", action=AlarmAction.OBSERVED,
                                 at=t + MIN))
    book = step(book.update([condition(P.SYSTOLIC, H, 185), condition(P.SPO2, L, 94)],
                            at=t + 2 * MIN).book)  # systolic escalates
    book = step(book.pause_audio(at=t + 3 * MIN))
    book = step(book.acknowledge(1, by_name="Dr Priya Patel", action=AlarmAction.OTHER,
                                 note="Rate halved, BP repeated", at=t + 4 * MIN))
    overdue = observation_overdue(due_at=t, now=t + 5 * MIN)
    assert overdue is not None
    book = step(book.update([condition(P.SYSTOLIC, M, 150), overdue, device_feed_lost("Mon 1")],
                            at=t + 5 * MIN, assessed={P.SYSTOLIC}).book)  # SpO2 not judged
    # SpO2 resolves first although it was raised after systolic; the book keeps that order
    book = step(book.update([condition(P.SYSTOLIC, M, 150)], at=t + 6 * MIN,
                            assessed={P.SYSTOLIC, P.SPO2}).book)
    book = step(book.update([], at=t + 7 * MIN).book)
    assert [a.id for a in book.resolved] == [2, 1, 3, 4]

    read = stored(ward.database, sid)
    systolic = read.find(1)
    assert (systolic.priority, systolic.condition.priority, systolic.condition.value) == \
        (H, M, 150)
    assert [(e.from_priority, e.to_priority, e.at) for e in systolic.escalations] == \
        [(M, H, t + 2 * MIN)]
    assert [(a.by_name, a.action, a.priority, a.note) for a in systolic.acknowledgements] == \
        [("Dr Priya Patel", AlarmAction.OTHER, H, "Rate halved, BP repeated")]
    assert read.find(2).acknowledgements[0].priority is L
    assert read.updated_at == t + 7 * MIN
    assert read.next_id == 5
    with ward.database.read() as uow:
        kinds = uow.session.scalars(
            select(AlarmEventRow.kind).join(AlarmRow).where(AlarmRow.session_id == sid,
                                                           AlarmRow.number == 1)
            .order_by(AlarmEventRow.id)).all()
    assert kinds == ["raised", "escalated", "audio_paused", "acknowledged", "resolved"]


def test_the_audio_pause_and_its_end_are_kept(ward: Ward) -> None:
    sid = ward.new_session()
    t = TEST_START
    raised = AlarmBook().update([condition(P.HEART_RATE, H, 140)], at=t).book
    save(ward.database, sid, AlarmBook(), raised)
    paused = raised.pause_audio(at=t + MIN)
    save(ward.database, sid, raised, paused)
    read = stored(ward.database, sid)
    assert read.find(1).audio_paused_until == t + 3 * MIN
    assert not read.should_sound(t + 2 * MIN)
    assert read.should_sound(t + 3 * MIN)  # still active after two minutes: sounds again
    worse = paused.update([condition(P.HEART_RATE, H, 150), condition(P.SPO2, H, 88)],
                          at=t + 2 * MIN).book
    save(ward.database, sid, paused, worse)
    read = stored(ward.database, sid)
    same(read, worse)
    assert read.find(2).should_sound(t + 2 * MIN)  # raised during the pause: sounds at once


def test_the_peak_reading_and_a_pending_resolution_are_kept(ward: Ward) -> None:
    sid = ward.new_session()
    t, delay = TEST_START, timedelta(seconds=60)
    raised = AlarmBook().update([condition(P.SYSTOLIC, H, 186)], at=t, resolve_after=delay).book
    better = raised.update([condition(P.SYSTOLIC, M, 165)], at=t + MIN,
                           resolve_after=delay).book
    clearing = better.update([], at=t + 2 * MIN, resolve_after=delay).book
    for before, after in ((AlarmBook(), raised), (raised, better), (better, clearing)):
        save(ward.database, sid, before, after)
        same(stored(ward.database, sid), after)
    alarm = stored(ward.database, sid).find(1)
    assert (alarm.worst.value, alarm.condition.value, alarm.latched) == (186, 165, True)
    assert alarm.active
    assert alarm.clearing_since == t + 2 * MIN  # absent, but not yet for a minute
    gone = clearing.update([], at=t + 3 * MIN, resolve_after=delay).book
    save(ward.database, sid, clearing, gone)
    alarm = stored(ward.database, sid).find(1)
    assert (alarm.resolved_at, alarm.clearing_since) == (t + 3 * MIN, None)


def test_active_only_gives_the_same_active_alarms_and_next_id(ward: Ward) -> None:
    sid = ward.new_session()
    t = TEST_START
    book = AlarmBook()
    for cycle in range(12):  # many raise/resolve cycles: resolved ones pile up
        up = book.update([condition(P.SPO2, M, 92), condition(P.RESPIRATORY_RATE, H, 7)],
                         at=t + 2 * cycle * MIN, assessed=None).book
        save(ward.database, sid, book, up)
        book = up.update([condition(P.RESPIRATORY_RATE, H, 7)],
                         at=t + (2 * cycle + 1) * MIN).book
        save(ward.database, sid, up, book)
    same(stored(ward.database, sid), book)
    active = stored(ward.database, sid, active_only=True)
    assert active.active == book.active
    assert active.resolved == ()
    assert active.next_id == book.next_id == 14
    assert active.updated_at == stored(ward.database, sid).updated_at
    assert [a.id for a in book.active] == [2]  # respiratory rate never cleared


def test_books_of_two_sessions_do_not_mix(ward: Ward) -> None:
    first, second = ward.new_session(), ward.new_session()
    book = AlarmBook().update([condition(P.SPO2, H, 88)], at=TEST_START).book
    save(ward.database, first, AlarmBook(), book)
    assert stored(ward.database, second) == AlarmBook()
    assert stored(ward.database, second, active_only=True) == AlarmBook()
    other = AlarmBook().update([condition(P.HEART_RATE, M, 120)], at=TEST_START).book
    save(ward.database, second, AlarmBook(), other)
    assert [a.parameter for a in stored(ward.database, first).active] == [P.SPO2]
    assert stored(ward.database, second).find(1).parameter is P.HEART_RATE


def test_saving_an_unchanged_book_writes_nothing(ward: Ward) -> None:
    sid = ward.new_session()
    book = AlarmBook().update([condition(P.SPO2, M, 93)], at=TEST_START).book
    save(ward.database, sid, AlarmBook(), book)

    def count() -> tuple[int, int]:
        with ward.database.read() as uow:
            return (uow.session.scalar(select(func.count()).select_from(AlarmRow)) or 0,
                    uow.session.scalar(select(func.count()).select_from(AlarmEventRow)) or 0)

    before = count()
    save(ward.database, sid, book, book)
    assert count() == before == (1, 1)


# ---------------------------------------------------------------- property

PARAMETERS = [P.SYSTOLIC, P.SPO2, P.OBSERVATION_OVERDUE, P.DEVICE_FEED]
KIND = {P.OBSERVATION_OVERDUE: AlarmKind.PROCESS, P.DEVICE_FEED: AlarmKind.TECHNICAL}

# Few parameters, each present or not at every feed, so alarms continue, escalate, resolve
# out of raise order and come back.
feeds = st.builds(
    lambda found, judged: ("update", [condition(p, pr, v, KIND.get(p, AlarmKind.PHYSIOLOGICAL))
                                      for p, (pr, v) in zip(PARAMETERS, found, strict=True)
                                      if pr is not None], judged),
    st.tuples(*[st.tuples(st.sampled_from([M, None, L, H]),
                          st.integers(0, 300) | st.none())] * len(PARAMETERS)),
    st.none() | st.frozensets(st.sampled_from(PARAMETERS), min_size=1))
acknowledgements = st.tuples(
    st.just("acknowledge"), st.integers(1, 8), st.sampled_from(list(AlarmAction)),
    st.sampled_from(["", "Repositioned the probe", "Rate halved ‐ BP repeated"]))
pauses = st.tuples(st.just("pause"))
operations = st.lists(st.tuples(st.sampled_from([0, 1, 30, 90, 150]),
                                st.one_of(feeds, feeds, acknowledgements, pauses)),
                      min_size=4, max_size=30)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(steps=operations, delay=st.sampled_from([timedelta(0), timedelta(seconds=60)]))
@example(delay=timedelta(0), steps=[  # resolved in another order than raised
    (0, ("update", [condition(P.SYSTOLIC, M, 165), condition(P.SPO2, L, 95)], None)),
    (60, ("update", [condition(P.SYSTOLIC, M, 165)], None)),
    (60, ("update", [], None))])
def test_any_history_reads_back_as_the_engine_holds_it(
        ward: Ward, steps: list[tuple[int, tuple[object, ...]]], delay: timedelta) -> None:
    clock = ManualClock(TEST_START)
    sid = ward.new_session()
    book = AlarmBook()
    for seconds, operation in steps:  # zero seconds too: several changes in one moment
        clock.advance(timedelta(seconds=seconds))
        now = clock.now()
        match operation:
            case ("update", conditions, judged):
                after = book.update(conditions, at=now, assessed=judged,  # type: ignore[arg-type]
                                    resolve_after=delay).book
            case ("acknowledge", number, action, note):
                try:
                    after = book.acknowledge(number, by_name="Nora Kim, RN", action=action,  # type: ignore[arg-type]
                                             at=now, note=note)  # type: ignore[arg-type]
                except (ValidationError, NotFound):
                    continue  # already acknowledged, "other" without a note, or no such alarm
            case _:
                after = book.pause_audio(at=now)
        save(ward.database, sid, book, after)
        book = after
        same(stored(ward.database, sid), book)
    active = stored(ward.database, sid, active_only=True)
    assert (active.active, active.resolved, active.next_id) == (book.active, (), book.next_id)
