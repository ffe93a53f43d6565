"""The audit trail as the services write it: complete, atomic, append-only and tamper-evident."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import delete, insert, select, text, update

from console.domain.audit import entry_hash
from console.domain.clock import ManualClock
from console.domain.identity import Actor
from console.errors import ValidationError
from console.services.audit import AuditFilter
from console.services.container import Services
from console.storage.repositories.audit import AuditRepository
from console.storage.rows import AuditHeadRow, AuditRow


@pytest.fixture
def busy_trail(services: Services, admin: Actor, staff, clock: ManualClock) -> int:
    """A trail with a few records from different people and times; returns its length."""
    clock.advance(timedelta(minutes=1))
    services.settings.rename_clinic(admin, "Riverside Clinic")
    clock.advance(timedelta(minutes=1))
    services.users.update_user(admin, staff.nurse.user_id, full_name="Nora Kim", role="nurse")
    clock.advance(timedelta(minutes=1))
    services.auth.record_sign_out(admin, why="end of day")
    report = services.audit.verify()
    assert report.intact
    return report.records


# ---------------------------------------------------------------- what each record holds


def test_a_record_holds_who_what_which_before_after_why_and_when(
    services: Services, stored, admin: Actor, staff, clock: ManualClock,
) -> None:
    clock.advance(timedelta(hours=2, microseconds=123))
    services.users.deactivate(admin, staff.nurse.user_id, reason="Left the clinic")
    record = stored.last()
    assert record.actor_id == admin.user_id
    assert record.actor_name == "Ada Admin"
    assert record.action == "user.deactivated"
    assert (record.entity_type, record.entity_id) == ("user", str(staff.nurse.user_id))
    assert record.decoded_old() == {"active": True}
    assert record.decoded_new() == {"active": False}
    assert record.reason == "Left the clinic"
    assert record.at == clock.now()
    assert record.at.tzinfo is UTC
    previous = stored.trail()[-2]
    assert record.sequence == previous.sequence + 1
    assert record.prev_hash == previous.hash


def test_renaming_the_clinic_records_old_and_new_names(
    services: Services, stored, admin: Actor,
) -> None:
    services.settings.rename_clinic(admin, "  Riverside   Clinic ")
    assert services.settings.clinic_name() == "Riverside Clinic"
    record = stored.last()
    assert (record.action, record.entity_type, record.entity_id) == (
        "settings.changed", "setting", "clinic.name")
    assert record.decoded_old() == {"value": "Test Clinic"}
    assert record.decoded_new() == {"value": "Riverside Clinic"}


def test_a_bad_clinic_name_is_refused_and_changes_nothing(
    services: Services, stored, admin: Actor,
) -> None:
    before = stored.snapshot()
    with pytest.raises(ValidationError) as caught:
        services.settings.rename_clinic(admin, " x ")
    assert caught.value.field == "clinic_name"
    assert stored.snapshot() == before


# ---------------------------------------------------------------- same transaction


class AuditWriteFailed(Exception):
    pass


@pytest.fixture
def failing_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: AuditRepository, **_: object) -> None:
        raise AuditWriteFailed

    monkeypatch.setattr(AuditRepository, "append", refuse)


CHANGES = {
    "create user": lambda s, a, staff: s.users.create_user(
        a, username="tlopez", full_name="Tomas Lopez", role="nurse",
        temporary_password="tomas-temp-pass"),
    "update user": lambda s, a, staff: s.users.update_user(
        a, staff.nurse.user_id, full_name="Someone Else", role="clinician"),
    "deactivate": lambda s, a, staff: s.users.deactivate(a, staff.nurse.user_id, reason="gone"),
    "reset password": lambda s, a, staff: s.users.reset_password(
        a, staff.nurse.user_id, temporary_password="reset-temp-pass"),
    "unlock": lambda s, a, staff: s.users.unlock(a, staff.nurse.user_id),
    "rename clinic": lambda s, a, staff: s.settings.rename_clinic(a, "Another Clinic"),
    "change password": lambda s, a, staff: s.auth.change_password(
        "nkim", "nurse-temp-pass", "brand-new-pass"),
}


def test_a_change_whose_audit_record_cannot_be_written_is_not_saved(
    services: Services, stored, admin: Actor, staff, request: pytest.FixtureRequest,
) -> None:
    before = stored.snapshot()
    request.getfixturevalue("failing_audit")
    for name, change in CHANGES.items():
        with pytest.raises(AuditWriteFailed):
            change(services, admin, staff)
        assert stored.snapshot() == before, f"{name} was saved without its audit record"


def test_a_failed_sign_in_is_not_counted_without_its_audit_record(
    services: Services, stored, staff, failing_audit: None,
) -> None:
    before = stored.snapshot()
    with pytest.raises(AuditWriteFailed):
        services.auth.sign_in("nkim", "not-the-password")
    assert stored.snapshot() == before


def test_setup_leaves_nothing_behind_when_its_audit_record_fails(
    services: Services, stored, failing_audit: None,
) -> None:
    with pytest.raises(AuditWriteFailed):
        services.setup.initialise(clinic_name="Clinic", username="admin",
                                  full_name="Ada Admin", password="first-clinic-pass")
    assert services.auth.needs_setup()
    assert stored.settings() == {}


# ---------------------------------------------------------------- append-only


def test_the_repository_offers_no_way_to_change_or_remove_records() -> None:
    public = {name for name in dir(AuditRepository) if not name.startswith("_")}
    assert public == {"append", "head", "iterate", "search", "for_entity"}


# ---------------------------------------------------------------- verification and tampering


def test_an_untouched_trail_verifies(services: Services, busy_trail: int, stored) -> None:
    report = services.audit.verify()
    assert report.intact
    assert report.problem is None
    assert report.records == busy_trail == len(stored.trail())


def test_an_empty_trail_verifies(services: Services) -> None:
    report = services.audit.verify()
    assert (report.intact, report.records) == (True, 0)


def _tamper(database, statement) -> None:
    with database.engine.begin() as connection:
        connection.execute(statement)


def test_an_altered_value_is_found(services: Services, database, busy_trail: int) -> None:
    _tamper(database, update(AuditRow).where(AuditRow.sequence == 4)
            .values(new_values='{"role":"administrator"}'))
    problem = services.audit.verify().problem
    assert problem is not None
    assert problem.sequence == 4
    assert "altered" in problem.reason


def test_any_altered_column_is_found_and_undoing_it_mends_the_chain(
    services: Services, database, busy_trail: int,
) -> None:
    with database.engine.connect() as connection:
        original = dict(connection.execute(
            select(AuditRow).where(AuditRow.sequence == 3)).mappings().one())
    for column, forged in [("actor_name", "Someone Else"), ("actor_id", 999),
                           ("reason", "made up"), ("action", "user.deleted"),
                           ("entity_type", "patient"), ("entity_id", "999"),
                           ("old_values", "{}"), ("prev_hash", "2" * 64), ("hash", "1" * 64)]:
        assert original[column] != forged
        _tamper(database, update(AuditRow).where(AuditRow.sequence == 3)
                .values({column: forged}))
        problem = services.audit.verify().problem
        assert problem is not None, column
        assert problem.sequence == 3, column
        _tamper(database, update(AuditRow).where(AuditRow.sequence == 3)
                .values({column: original[column]}))
        assert services.audit.verify().intact, column


def test_an_altered_time_is_found(services: Services, database, busy_trail: int) -> None:
    with database.read() as uow:
        at = next(e.at for e in uow.audit.iterate() if e.sequence == 2)
    _tamper(database, update(AuditRow).where(AuditRow.sequence == 2)
            .values(at=at - timedelta(seconds=1)))
    problem = services.audit.verify().problem
    assert problem is not None
    assert problem.sequence == 2


def test_a_deleted_middle_record_is_found(services: Services, database, busy_trail: int) -> None:
    _tamper(database, delete(AuditRow).where(AuditRow.sequence == 3))
    report = services.audit.verify()
    assert report.problem is not None
    assert report.problem.sequence == 3
    assert "deleted" in report.problem.reason


def test_a_deleted_last_record_is_found(services: Services, database, busy_trail: int) -> None:
    _tamper(database, delete(AuditRow).where(AuditRow.sequence == busy_trail))
    problem = services.audit.verify().problem
    assert problem is not None
    assert problem.sequence == busy_trail


def test_the_last_record_and_its_head_deleted_together_is_found(
    services: Services, database, busy_trail: int,
) -> None:
    """The head pointer was "fixed" too, but to the old hash it cannot know without the chain."""
    _tamper(database, delete(AuditRow).where(AuditRow.sequence == busy_trail))
    _tamper(database, update(AuditHeadRow).values(sequence=busy_trail - 1))
    problem = services.audit.verify().problem
    assert problem is not None
    assert problem.sequence == busy_trail - 1
    assert "head hash" in problem.reason


def test_a_forged_record_appended_outside_the_console_is_found(
    services: Services, database, busy_trail: int, clock: ManualClock,
) -> None:
    with database.read() as uow:
        last = list(uow.audit.iterate())[-1]
    fields = {
        "sequence": busy_trail + 1, "at": clock.now(), "actor_id": None,
        "actor_name": "system", "action": "user.created", "entity_type": "user",
        "entity_id": "77", "old_values": None, "new_values": '{"role":"administrator"}',
        "reason": None, "prev_hash": last.hash,
    }
    # A correct hash: the forger knows the algorithm. Only the head pointer disagrees.
    _tamper(database, insert(AuditRow).values(**fields, hash=entry_hash(**fields)))
    problem = services.audit.verify().problem
    assert problem is not None
    assert problem.sequence == busy_trail + 1


@pytest.mark.parametrize("sequence", [0, -1, -(2**31)])
def test_a_forged_record_numbered_before_the_first_is_found(
    services: Services, database, busy_trail: int, clock: ManualClock, sequence: int,
) -> None:
    fields = {
        "sequence": sequence, "at": clock.now(), "actor_id": None, "actor_name": "system",
        "action": "user.created", "entity_type": "user", "entity_id": "77",
        "old_values": None, "new_values": None, "reason": None, "prev_hash": "f" * 64,
    }
    _tamper(database, insert(AuditRow).values(**fields, hash=entry_hash(**fields)))
    report = services.audit.verify()
    assert report.problem is not None
    assert report.problem.sequence == sequence
    assert "inserted" in report.problem.reason


def test_a_forged_record_far_beyond_the_head_is_named(
    services: Services, database, busy_trail: int, clock: ManualClock,
) -> None:
    fields = {
        "sequence": busy_trail + 50, "at": clock.now(), "actor_id": None,
        "actor_name": "system", "action": "user.created", "entity_type": "user",
        "entity_id": "77", "old_values": None, "new_values": None, "reason": None,
        "prev_hash": "e" * 64,
    }
    _tamper(database, insert(AuditRow).values(**fields, hash=entry_hash(**fields)))
    problem = services.audit.verify().problem
    assert problem is not None
    assert problem.sequence == busy_trail + 50


def test_a_removed_head_pointer_is_found(services: Services, database, busy_trail: int) -> None:
    _tamper(database, delete(AuditHeadRow))
    problem = services.audit.verify().problem
    assert problem is not None
    assert problem.sequence == busy_trail


def test_tampering_with_raw_sql_is_found(services: Services, database, busy_trail: int) -> None:
    """The same, as someone with a database tool would do it (no ORM types involved)."""
    _tamper(database, text("UPDATE audit_record SET reason = 'edited' WHERE sequence = 1"))
    problem = services.audit.verify().problem
    assert problem is not None
    assert problem.sequence == 1


def test_the_console_keeps_appending_after_verification(
    services: Services, database, busy_trail: int, admin: Actor,
) -> None:
    services.auth.record_idle_lock(admin)
    report = services.audit.verify()
    assert (report.intact, report.records) == (True, busy_trail + 1)
    with database.read() as uow:
        sequences = list(uow.session.scalars(select(AuditRow.sequence)
                                             .order_by(AuditRow.sequence)))
    assert sequences == list(range(1, busy_trail + 2))


# ---------------------------------------------------------------- searching


def test_search_filters_and_orders_newest_first(
    services: Services, admin: Actor, staff, busy_trail: int, clock: ManualClock,
) -> None:
    everything = services.audit.search(admin, AuditFilter())
    assert [e.sequence for e in everything] == list(range(busy_trail, 0, -1))

    by_nurse_record = services.audit.search(
        admin, AuditFilter(entity_type="user", entity_id=f" {staff.nurse.user_id} "))
    assert {e.action for e in by_nurse_record} == {"user.created", "user.updated"}

    settings = services.audit.search(admin, AuditFilter(action_prefix="settings."))
    assert [e.action for e in settings] == ["settings.changed"]

    by_admin = services.audit.search(admin, AuditFilter(actor_id=admin.user_id))
    assert by_admin
    assert all(e.actor_id == admin.user_id for e in by_admin)

    start = clock.now() - timedelta(minutes=1)
    window = services.audit.search(admin, AuditFilter(since=start,
                                                      until=start + timedelta(minutes=1)))
    assert [e.action for e in window] == ["user.updated"]

    assert len(services.audit.search(admin, AuditFilter(limit=2))) == 2


def test_search_refuses_impossible_limits(services: Services, stored, admin: Actor) -> None:
    for limit in (0, -1, 10_001):
        with pytest.raises(ValidationError) as caught:
            services.audit.search(admin, AuditFilter(limit=limit))
        assert caught.value.field == "limit"
    assert len(services.audit.search(admin, AuditFilter(limit=10_000))) == len(stored.trail())


def test_search_refuses_a_from_date_after_the_to_date(
    services: Services, admin: Actor, clock: ManualClock,
) -> None:
    with pytest.raises(ValidationError, match="before the 'to' date") as caught:
        services.audit.search(admin, AuditFilter(since=clock.now(), until=clock.now()))
    assert caught.value.field == "since"


def test_search_dates_without_a_time_zone_are_refused(services: Services, admin: Actor) -> None:
    from datetime import datetime

    with pytest.raises(ValidationError, match="time zone"):
        services.audit.search(admin, AuditFilter(since=datetime(2026, 11, 1)))  # noqa: DTZ001


def test_saving_an_account_unchanged_writes_nothing(
    services: Services, admin: Actor, stored,  # type: ignore[no-untyped-def]
) -> None:
    before = stored.trail()
    user = services.users.update_user(admin, admin.user_id, full_name="Ada Admin",
                                      role="administrator")
    assert stored.trail() == before
    assert user.full_name == "Ada Admin"
