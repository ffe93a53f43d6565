"""SQLite backup files: consistent copies, strict checks, restores that keep what they replace."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console.errors import ValidationError
from console.storage.backup import backup_sqlite, inspect_backup, replace_database
from console.storage.engine import make_engine
from console.storage.migrate import HEAD_REVISION, upgrade_to_head


def console_file(path: Path, marker: str) -> Path:
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade_to_head(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO setting (key, value, updated_at) VALUES "
                f"('marker', '{marker}', '2026-11-24 09:00:00')")
    finally:
        engine.dispose()
    return path


def marker(path: Path) -> str:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(connection.execute("SELECT value FROM setting WHERE key='marker'")
                   .fetchone()[0])
    finally:
        connection.close()


def test_backup_and_inspect(tmp_path: Path) -> None:
    live = console_file(tmp_path / "live.sqlite3", "live")
    result = backup_sqlite(live, tmp_path / "copy.sqlite3")
    assert result.revision == HEAD_REVISION
    assert inspect_backup(result.path).revision == HEAD_REVISION
    assert marker(result.path) == "live"


def test_inspect_refuses_a_copy_that_fails_its_integrity_check(tmp_path: Path) -> None:
    copy = backup_sqlite(console_file(tmp_path / "live.sqlite3", "live"),
                         tmp_path / "copy.sqlite3").path
    data = bytearray(copy.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for index in range(3 * page, 6 * page):
        data[index] ^= 0x33
    copy.write_bytes(bytes(data))
    with pytest.raises(ValidationError, match=r"integrity check|cannot be read"):
        inspect_backup(copy)


def test_inspect_refuses_a_sqlite_file_without_a_schema_version(tmp_path: Path) -> None:
    path = console_file(tmp_path / "live.sqlite3", "live")
    connection = sqlite3.connect(path)
    try:
        connection.execute("DROP TABLE alembic_version")
        connection.commit()
    finally:
        connection.close()
    with pytest.raises(ValidationError, match="not a console database"):
        inspect_backup(path)


def test_replace_keeps_every_previous_file_even_within_one_second(tmp_path: Path) -> None:
    live = tmp_path / "console.sqlite3"
    console_file(live, "first")
    # Whatever second the restores happen in, the name for it is already taken.
    now = datetime.now(UTC)
    taken = []
    for offset in range(-1, 6):
        stamp = (now + timedelta(seconds=offset)).strftime("%Y%m%dT%H%M%SZ")
        path = tmp_path / f"console.before-restore-{stamp}.sqlite3"
        path.write_bytes(b"an earlier kept file")
        taken.append(path)
    kept_first = replace_database(live, console_file(tmp_path / "b1.sqlite3", "second"))
    kept_second = replace_database(live, console_file(tmp_path / "b2.sqlite3", "third"))
    assert all(path.read_bytes() == b"an earlier kept file" for path in taken)
    assert kept_first != kept_second
    assert marker(kept_first) == "first"
    assert marker(kept_second) == "second"
    assert marker(live) == "third"
    assert kept_first.name.startswith("console.before-restore-")
    assert kept_first.suffix == ".sqlite3"


def test_replace_when_there_is_no_current_file(tmp_path: Path) -> None:
    live = tmp_path / "console.sqlite3"
    replace_database(live, console_file(tmp_path / "b1.sqlite3", "restored"))
    assert marker(live) == "restored"
    assert not list(tmp_path.glob("*before-restore*"))


def test_replace_keeps_a_damaged_current_file_as_it_was(tmp_path: Path) -> None:
    live = tmp_path / "console.sqlite3"
    live.write_bytes(os.urandom(16384))
    damaged = live.read_bytes()
    kept = replace_database(live, console_file(tmp_path / "b1.sqlite3", "restored"))
    assert kept.read_bytes() == damaged
    assert marker(live) == "restored"
