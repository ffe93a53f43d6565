"""Backups while the console runs, and restores that check everything before touching anything."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from console.domain.identity import Actor
from console.errors import StorageUnavailable, ValidationError
from console.services.container import Services, build_services
from console.storage.engine import make_engine, sqlite_path
from console.storage.migrate import HEAD_REVISION
from console.storage.unit_of_work import Database


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def user_names(path: Path) -> list[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return sorted(row[0] for row in connection.execute("SELECT username FROM user_account"))
    finally:
        connection.close()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """File backups are a SQLite matter; PostgreSQL's refusal is tested without a server."""
    return f"sqlite:///{tmp_path / 'console.sqlite3'}"


@pytest.fixture
def live_file(database: Database) -> Path:
    path = sqlite_path(database.engine.url.render_as_string(hide_password=False))
    assert path is not None
    return path


def reopen(path: Path, clock) -> tuple[Database, Services]:
    database = Database(make_engine(f"sqlite:///{path}"))
    return database, build_services(database, clock)


# ---------------------------------------------------------------- backup


def test_a_backup_is_a_complete_checked_copy(
    services: Services, admin: Actor, staff, live_file: Path, tmp_path: Path,
) -> None:
    target = tmp_path / "copies" / "monday.sqlite3"
    target.parent.mkdir()
    result = services.backup.backup(target)
    assert result.path == target
    assert result.revision == HEAD_REVISION
    assert result.size_bytes == target.stat().st_size > 0
    assert user_names(target) == ["admin", "dpatel", "nkim"]
    assert not target.with_name(target.name + ".partial").exists()
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file
    copy.close()


def test_a_backup_taken_during_an_open_write_transaction_holds_only_committed_data(
    services: Services, admin: Actor, live_file: Path, tmp_path: Path,
) -> None:
    other = sqlite3.connect(live_file, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE user_account SET full_name = 'Uncommitted Name'")
        result = services.backup.backup(tmp_path / "during-write.sqlite3")
        other.execute("ROLLBACK")
    finally:
        other.close()
    with sqlite3.connect(result.path) as copy:
        names = copy.execute("SELECT full_name FROM user_account").fetchall()
    copy.close()
    assert names == [("Ada Admin",)]
    database, checked = reopen(result.path, None)
    try:
        assert checked.audit.verify().intact
    finally:
        database.dispose()


def test_a_backup_never_overwrites_a_file(
    services: Services, admin: Actor, live_file: Path, tmp_path: Path,
) -> None:
    target = tmp_path / "exists.sqlite3"
    target.write_bytes(b"precious")
    with pytest.raises(ValidationError, match="already exists") as caught:
        services.backup.backup(target)
    assert caught.value.field == "path"
    assert target.read_bytes() == b"precious"


def test_a_backup_into_a_missing_folder_is_refused(
    services: Services, admin: Actor, live_file: Path, tmp_path: Path,
) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        services.backup.backup(tmp_path / "nowhere" / "b.sqlite3")
    assert not (tmp_path / "nowhere").exists()


def test_the_default_backup_name_carries_the_time(services: Services, tmp_path: Path) -> None:
    assert services.backup.default_backup_name(tmp_path) == (
        tmp_path / "console-backup-20261124T090000Z.sqlite3")


def test_postgresql_backups_are_refused_with_advice(tmp_path: Path, clock) -> None:
    database = Database(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/console"))
    try:
        services = build_services(database, clock)
        with pytest.raises(StorageUnavailable, match="pg_dump"):
            services.backup.backup(tmp_path / "b.sqlite3")
        with pytest.raises(StorageUnavailable, match="pg_dump"):
            services.backup.restore(tmp_path / "b.sqlite3")
    finally:
        database.dispose()
    assert not (tmp_path / "b.sqlite3").exists()


# ---------------------------------------------------------------- restore


@pytest.fixture
def backup_file(services: Services, admin: Actor, live_file: Path, tmp_path: Path) -> Path:
    return services.backup.backup(tmp_path / "backup.sqlite3").path


def test_restore_puts_the_backup_in_place_and_keeps_the_current_file(
    services: Services, stored, admin: Actor, live_file: Path, backup_file: Path, clock,
) -> None:
    records_in_backup = len(stored.trail())
    services.users.create_user(admin, username="later", full_name="Added Later", role="nurse",
                               temporary_password="fresh-start-pass")
    backup_digest = digest(backup_file)
    result = services.backup.restore(backup_file)
    assert result.restored_from == backup_file
    assert result.audit_records == records_in_backup
    kept = result.previous_kept_at
    assert kept.parent == live_file.parent
    assert kept.name.startswith("console.before-restore-")
    assert user_names(kept) == ["admin", "later"]  # the replaced data survives, complete
    assert user_names(live_file) == ["admin"]
    assert digest(backup_file) == backup_digest  # the backup itself was only read
    assert sorted(p.name for p in backup_file.parent.glob("backup.sqlite3*")) == [
        "backup.sqlite3"]
    database, restored = reopen(live_file, clock)
    try:
        assert restored.audit.verify().intact
        assert restored.auth.sign_in("admin", "first-clinic-pass") == admin
    finally:
        database.dispose()


def test_restore_refuses_a_file_that_is_not_sqlite(
    services: Services, admin: Actor, live_file: Path, tmp_path: Path,
) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(os.urandom(8192))
    before = digest(live_file)
    with pytest.raises(ValidationError, match="not a SQLite file"):
        services.backup.restore(junk)
    assert digest(live_file) == before
    assert not list(live_file.parent.glob("*before-restore*"))


def test_restore_refuses_a_sqlite_file_of_another_program(
    services: Services, admin: Actor, live_file: Path, tmp_path: Path,
) -> None:
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    connection.close()
    with pytest.raises(ValidationError, match="not a console database"):
        services.backup.restore(other)
    assert user_names(live_file) == ["admin"]


def test_restore_refuses_a_backup_whose_audit_trail_was_tampered(
    services: Services, admin: Actor, live_file: Path, backup_file: Path,
) -> None:
    with sqlite3.connect(backup_file) as connection:
        connection.execute("UPDATE audit_record SET actor_name = 'Mallory' WHERE sequence = 1")
    connection.close()
    before = digest(live_file)
    with pytest.raises(ValidationError, match=r"audit trail does not verify.*#1"):
        services.backup.restore(backup_file)
    assert digest(live_file) == before
    assert not list(live_file.parent.glob("*before-restore*"))


def test_restore_refuses_the_live_database_itself(
    services: Services, admin: Actor, live_file: Path,
) -> None:
    with pytest.raises(ValidationError, match="live database itself"):
        services.backup.restore(live_file)


def test_restore_refuses_a_missing_file(
    services: Services, admin: Actor, live_file: Path, tmp_path: Path,
) -> None:
    with pytest.raises(ValidationError, match="no file"):
        services.backup.restore(tmp_path / "absent.sqlite3")


def test_restore_mends_a_damaged_database(
    services: Services, database: Database, admin: Actor, live_file: Path, backup_file: Path,
    clock,
) -> None:
    database.dispose()
    damaged = bytearray(live_file.read_bytes())
    damaged[4096:] = os.urandom(len(damaged) - 4096)
    live_file.write_bytes(bytes(damaged))
    result = services.backup.restore(backup_file)
    assert result.previous_kept_at.read_bytes()[:4096] == bytes(damaged[:4096])
    reopened, restored = reopen(live_file, clock)
    try:
        assert restored.audit.verify().intact
        with reopened.engine.connect() as connection:
            assert connection.scalar(text("PRAGMA integrity_check")) == "ok"
    finally:
        reopened.dispose()
