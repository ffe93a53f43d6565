"""Schema migrations, run from code (no alembic.ini in the working directory).

SQLite databases are upgraded at start after a copy of the file is kept. PostgreSQL is never
upgraded silently: the console refuses to start on an old schema and an administrator runs
``migrate``.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DatabaseError, OperationalError

from console.errors import SchemaOutOfDate, StorageUnavailable
from console.paths import migrations_path
from console.storage.engine import sqlite_path

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision this code knows. Kept here so start-up need not import Alembic to learn
# it; tests check it against the migration scripts.
HEAD_REVISION = "0005_side_effects"

log = logging.getLogger("console.storage.migrate")


@dataclass(frozen=True, slots=True)
class SchemaState:
    current: str | None
    head: str

    @property
    def is_empty(self) -> bool:
        return self.current is None

    @property
    def is_current(self) -> bool:
        return self.current == self.head


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def script_head() -> str:
    """The head revision according to the migration scripts (imports Alembic)."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory(str(migrations_path())).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migration chain must have exactly one head, found {heads}")
    return heads[0]


def schema_state(engine: Engine) -> SchemaState:
    """Which revision the database is at, reading ``alembic_version`` directly."""
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                if inspect(connection).get_table_names():
                    raise StorageUnavailable(
                        "The database holds tables but is not a console database. "
                        "Choose another file or an empty database."
                    )
                return SchemaState(current=None, head=HEAD_REVISION)
            current = connection.scalar(text("SELECT version_num FROM alembic_version"))
    except DatabaseError as exc:
        raise StorageUnavailable(_describe_open_failure(engine, exc)) from exc
    return SchemaState(current=current, head=HEAD_REVISION)


def _describe_open_failure(engine: Engine, exc: DatabaseError) -> str:
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    detail = str(exc.orig)
    if path is not None:
        if "not a database" in detail or "malformed" in detail:
            return (
                f"The file {path} is not a console database or is damaged ({detail}). It was "
                "left untouched. Restore the latest backup or choose another file."
            )
        return (
            f"The database file {path} cannot be opened ({detail}). "
            "Check the folder's permissions."
        )
    return (
        f"The database server cannot be reached ({detail}). Check the address, that the server "
        "is running and that this PC may connect to it."
    )


def check_integrity(engine: Engine) -> None:
    """SQLite's quick check: refuse to work on a damaged file."""
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect() as connection:
            result = connection.scalar(text("PRAGMA quick_check"))
    except DatabaseError as exc:
        raise StorageUnavailable(_describe_open_failure(engine, exc)) from exc
    if result != "ok":
        raise StorageUnavailable(
            f"The database failed its integrity check ({result}). It was left untouched: "
            "restore the latest backup (see 'restore' in the README)."
        )


def backup_before_upgrade(database: Path, backup_dir: Path, from_revision: str | None) -> Path:
    """A consistent copy of the SQLite file, taken before any upgrade touches it."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = backup_dir / f"pre-migration-{from_revision or 'empty'}-{stamp}.sqlite3"
    source = sqlite3.connect(database)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    return target


def upgrade_to_head(engine: Engine) -> None:
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def prepare_schema(
    engine: Engine, *, backup_dir: Path, allow_upgrade: bool, require_current: bool = True
) -> SchemaState:
    """Bring the schema to head where that is safe, or explain why the console cannot start.

    ``require_current=False`` accepts any known revision as it is (read-only checks).
    """
    check_integrity(engine)
    state = schema_state(engine)
    if state.is_current:
        return state
    if not require_current and state.current is not None and _known_revision(state.current):
        return state
    if state.current is not None and not _known_revision(state.current):
        raise StorageUnavailable(
            f"The database is at schema '{state.current}', which this console does not know: "
            "it was written by a newer version. Install the newer console on this PC."
        )
    if not allow_upgrade and engine.dialect.name == "sqlite":
        raise SchemaOutOfDate(
            f"The database schema is at '{state.current or 'empty'}' but this console needs "
            f"'{state.head}'. Start the console once (it upgrades SQLite after keeping a copy), "
            "or run: main.py --data-dir <folder> migrate")
    if not allow_upgrade:
        raise SchemaOutOfDate(
            f"The database schema is at '{state.current or 'empty'}' but this console needs "
            f"'{state.head}'. An administrator must run: main.py migrate --database-url <url>"
        )
    database = sqlite_path(engine.url.render_as_string(hide_password=False))
    if database is not None and state.current is not None:
        copy = backup_before_upgrade(database, backup_dir, state.current)
        log.info("copied the database to %s before upgrading", copy)
    try:
        upgrade_to_head(engine)
    except OperationalError as exc:
        raise StorageUnavailable(
            f"The database could not be upgraded ({exc.orig}). Nothing was changed."
        ) from exc
    log.info("database schema upgraded from %s to %s", state.current, state.head)
    return schema_state(engine)


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory

    try:
        ScriptDirectory(str(migrations_path())).get_revision(revision)
    except Exception:  # noqa: BLE001 - Alembic raises several types for an unknown id
        return False
    return True
