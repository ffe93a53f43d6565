"""Engines for SQLite (one PC) and PostgreSQL (several PCs).

SQLite runs in WAL mode with ``synchronous=FULL``: every commit is synced to the disk before the
console shows the entry as saved, so it survives a killed process and a power cut (NORMAL would
survive only a killed process). Writers start with ``BEGIN IMMEDIATE`` so two writers queue on
the busy timeout instead of failing half-way through a unit of work.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from console.errors import StorageUnavailable

BUSY_TIMEOUT_MS = 10_000
BEGIN_MODE = "console_begin_mode"


def sqlite_path(url: str) -> Path | None:
    """The database file behind a SQLite URL, or ``None`` for other databases or memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageUnavailable(
            f"The database address is not valid ({exc}). "
            "Use sqlite:///path/to/file or postgresql+psycopg://user@host/db."
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, echo=echo)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(
            parsed, echo=echo, pool_pre_ping=True, connect_args={"connect_timeout": 10}
        )
    raise StorageUnavailable(
        f"The database type '{backend}' is not supported. Use SQLite or PostgreSQL."
    )


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    engine = create_engine(url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    read_only = make_url(url).query.get("mode") == "ro"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN, so writers can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            if sqlite_path(url) is not None and not read_only:
                _switch_to_wal(cursor)
            cursor.execute("PRAGMA synchronous=FULL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(BEGIN_MODE, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _switch_to_wal(cursor: sqlite3.Cursor) -> None:
    """WAL mode, but never by writing to a damaged file.

    Switching the journal mode rewrites the file header, so a file still in rollback-journal
    mode (new, or just restored from a backup) is checked first; a damaged one is left as it
    is for the integrity check to refuse with a clear message.
    """
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    if cursor.execute("PRAGMA quick_check").fetchone()[0] != "ok":
        return
    cursor.execute("PRAGMA journal_mode=WAL")


def writer(engine: Engine) -> Engine:
    """The same engine, but transactions take the write lock at BEGIN on SQLite."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
    return engine
