"""Engines, connection settings and the portable UTC datetime type."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import StatementError

from console.errors import StorageUnavailable
from console.storage.base import UTCDateTime
from console.storage.engine import BUSY_TIMEOUT_MS, make_engine, sqlite_path, writer


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    return tmp_path / "engine.sqlite3"


def test_sqlite_connections_use_wal_foreign_keys_full_sync_and_a_busy_timeout(
    sqlite_file: Path,
) -> None:
    engine = make_engine(f"sqlite:///{sqlite_file}")
    try:
        with engine.connect() as connection:
            pragma = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
            }
    finally:
        engine.dispose()
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 2,  # FULL: a commit survives a power cut, not only a killed process
        "busy_timeout": BUSY_TIMEOUT_MS,
    }
    assert BUSY_TIMEOUT_MS >= 5000
    # WAL is a property of the file: a plain sqlite3 connection sees it too.
    raw = sqlite3.connect(sqlite_file)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()


def test_every_pooled_sqlite_connection_gets_the_settings(sqlite_file: Path) -> None:
    engine = make_engine(f"sqlite:///{sqlite_file}")
    try:
        with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    finally:
        engine.dispose()


def test_sqlite_foreign_keys_are_enforced(sqlite_file: Path) -> None:
    engine = make_engine(f"sqlite:///{sqlite_file}")
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
            connection.exec_driver_sql(
                "CREATE TABLE child (id INTEGER PRIMARY KEY, "
                "parent_id INTEGER REFERENCES parent(id))")
        with pytest.raises(Exception, match="FOREIGN KEY"), engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO child (id, parent_id) VALUES (1, 99)")
    finally:
        engine.dispose()


def test_the_writer_engine_takes_the_write_lock_at_begin(sqlite_file: Path) -> None:
    engine = make_engine(f"sqlite:///{sqlite_file}")
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        with writer(engine).connect() as connection, connection.begin():
            # BEGIN IMMEDIATE took the RESERVED lock although nothing was written yet:
            # another writer cannot start.
            other = sqlite3.connect(sqlite_file, timeout=0)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            finally:
                other.close()
    finally:
        engine.dispose()


def test_sqlite_memory_urls_work_without_wal() -> None:
    engine = make_engine("sqlite://")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "memory"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "address is not valid"),
        ("mysql://user@host/db", "'mysql' is not supported"),
    ],
)
def test_bad_database_addresses_are_refused_clearly(url: str, message: str) -> None:
    with pytest.raises(StorageUnavailable, match=message):
        make_engine(url)


def test_a_plain_postgresql_url_uses_psycopg_3() -> None:
    engine = make_engine("postgresql://user@127.0.0.1:1/db")
    try:
        assert engine.url.drivername == "postgresql+psycopg"
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


def test_sqlite_path() -> None:
    assert sqlite_path("sqlite:////tmp/x/console.sqlite3") == Path("/tmp/x/console.sqlite3")
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("sqlite:///:memory:") is None
    assert sqlite_path("postgresql+psycopg://u@h/db") is None


# ---------------------------------------------------------------- UTCDateTime

probe_metadata = MetaData()
probe = Table(
    "utc_probe", probe_metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime()),
)


@pytest.fixture
def probe_engine(database_url: str):
    engine = make_engine(database_url)
    probe_metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_utc_datetime_refuses_naive_times(probe_engine) -> None:
    naive = datetime(2026, 11, 24, 9, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(StatementError) as caught, probe_engine.begin() as connection:
        connection.execute(insert(probe).values(id=1, at=naive))
    assert isinstance(caught.value.orig, ValueError)
    assert "naive" in str(caught.value.orig)
    with probe_engine.connect() as connection:
        assert connection.scalar(select(probe.c.id)) is None  # nothing was stored


def test_utc_datetime_returns_aware_utc_for_any_stored_offset(probe_engine) -> None:
    tokyo = timezone(timedelta(hours=9))
    moment = datetime(2026, 11, 24, 18, 30, 15, 123456, tzinfo=tokyo)
    with probe_engine.begin() as connection:
        connection.execute(insert(probe).values(id=1, at=moment))
        connection.execute(insert(probe).values(id=2, at=None))
    with probe_engine.connect() as connection:
        stored = connection.scalar(select(probe.c.at).where(probe.c.id == 1))
        empty = connection.scalar(select(probe.c.at).where(probe.c.id == 2))
    assert stored == moment
    assert stored.tzinfo is UTC
    assert stored.hour == 9  # 18:30 in Tokyo is 09:30 UTC
    assert stored.microsecond == 123456
    assert empty is None


def test_utc_datetime_stores_utc_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'probe.sqlite3'}")
    try:
        probe_metadata.create_all(engine)
        minus_five = timezone(timedelta(hours=-5))
        with engine.begin() as connection:
            connection.execute(insert(probe).values(
                id=1, at=datetime(2026, 11, 24, 4, 0, tzinfo=minus_five)))
        with engine.connect() as connection:
            raw = connection.execute(text("SELECT at FROM utc_probe")).scalar()
    finally:
        engine.dispose()
    assert str(raw).startswith("2026-11-24 09:00:00")
