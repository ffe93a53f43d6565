"""The audit repository: appends link records, reads walk them all, the schema forbids forks."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from console.domain.audit import GENESIS_HASH, ChainHead, entry_hash, verify_chain
from console.storage.repositories.audit import AuditQuery
from console.storage.rows import AuditRow

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def append(uow, number: int, **overrides: object):
    values = {"at": T0 + timedelta(seconds=number), "actor_id": number % 2 or None,
              "actor_name": f"person {number}", "action": "test.appended",
              "entity_type": "thing", "entity_id": str(number),
              "new_values": {"n": number}, **overrides}
    return uow.audit.append(**values)


def test_the_first_record_links_to_genesis_and_creates_the_head(database) -> None:
    with database.write() as uow:
        assert uow.audit.head() is None
        first = append(uow, 1)
    assert (first.sequence, first.prev_hash) == (1, GENESIS_HASH)
    with database.read() as uow:
        assert uow.audit.head() == ChainHead(1, first.hash)


def test_records_link_and_the_head_follows(database) -> None:
    with database.write() as uow:
        entries = [append(uow, n) for n in range(1, 6)]
    for earlier, later in itertools.pairwise(entries):
        assert later.prev_hash == earlier.hash
        assert later.sequence == earlier.sequence + 1
    with database.read() as uow:
        assert uow.audit.head() == ChainHead(5, entries[-1].hash)
        stored = list(uow.audit.iterate())
    assert stored == entries  # read back exactly as written, times included


def test_iterate_reads_every_record_across_batches(database) -> None:
    with database.write() as uow:
        for n in range(1, 11):
            append(uow, n)
    with database.read() as uow:
        batched = [e.sequence for e in uow.audit.iterate(batch_size=3)]
        assert verify_chain(uow.audit.iterate(batch_size=3), uow.audit.head()) is None
    assert batched == list(range(1, 11))


def test_a_rolled_back_append_leaves_no_record_and_no_head(database) -> None:
    class Abandon(Exception):
        pass

    def abandoned() -> None:
        with database.write() as uow:
            append(uow, 1)
            raise Abandon

    with pytest.raises(Abandon):
        abandoned()
    with database.read() as uow:
        assert uow.audit.head() is None
        assert list(uow.audit.iterate()) == []


def test_the_schema_refuses_a_second_record_after_the_same_predecessor(database) -> None:
    """A fork (two records claiming the same predecessor) cannot be stored at all."""
    with database.write() as uow:
        first = append(uow, 1)
        append(uow, 2)
    fields = {"sequence": 3, "at": T0, "actor_id": None, "actor_name": "x", "action": "fork",
              "entity_type": "thing", "entity_id": "1", "old_values": None,
              "new_values": None, "reason": None, "prev_hash": first.hash}
    with pytest.raises(IntegrityError), database.engine.begin() as connection:
        connection.execute(insert(AuditRow).values(**fields, hash=entry_hash(**fields)))


def test_the_schema_refuses_a_duplicate_sequence(database) -> None:
    with database.write() as uow:
        first = append(uow, 1)
    fields = {"sequence": 1, "at": T0, "actor_id": None, "actor_name": "x", "action": "dup",
              "entity_type": "thing", "entity_id": "1", "old_values": None,
              "new_values": None, "reason": None, "prev_hash": first.hash}
    with pytest.raises(IntegrityError), database.engine.begin() as connection:
        connection.execute(insert(AuditRow).values(**fields, hash="a" * 64))


def test_values_are_stored_in_canonical_form(database) -> None:
    with database.write() as uow:
        entry = append(uow, 1, old_values={"b": 2, "a": datetime(2026, 1, 1, tzinfo=UTC)},
                       new_values=None, reason="why")
    with database.read() as uow:
        stored = next(iter(uow.audit.iterate()))
    assert stored.old_values == '{"a":"2026-01-01T00:00:00+00:00","b":2}'
    assert stored.new_values is None
    assert stored.reason == "why"
    assert stored == entry


def test_search_filters(database) -> None:
    with database.write() as uow:
        for n in range(1, 7):
            append(uow, n, action="user.created" if n <= 3 else "settings.changed")
    with database.read() as uow:
        def found(**query: object) -> list[int]:
            return [e.sequence for e in uow.audit.search(AuditQuery(**query))]

        assert found() == [6, 5, 4, 3, 2, 1]
        assert found(action_prefix="user.") == [3, 2, 1]
        assert found(actor_id=1) == [5, 3, 1]
        assert found(entity_type="thing", entity_id="4") == [4]
        assert found(since=T0 + timedelta(seconds=2), until=T0 + timedelta(seconds=4)) == [3, 2]
        assert found(limit=2, offset=1) == [5, 4]
        assert [e.sequence for e in uow.audit.for_entity("thing", "2")] == [2]


def test_two_first_records_written_at_once_both_succeed(database) -> None:
    """The very first append has no head row to lock: a second writer must wait, not fail."""
    first_appended, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def first() -> None:
        try:
            with database.write() as uow:
                append(uow, 1)
                first_appended.set()
                release.wait(timeout=20)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
            first_appended.set()

    def second() -> None:
        try:
            first_appended.wait(timeout=20)
            with database.write() as uow:
                append(uow, 2)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_appended.wait(timeout=20)
    time.sleep(0.3)  # let the second writer reach the point where it waits for the first
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    with database.read() as uow:
        entries = list(uow.audit.iterate())
        assert verify_chain(entries, uow.audit.head()) is None
    assert [(e.sequence, e.entity_id) for e in entries] == [(1, "1"), (2, "2")]
