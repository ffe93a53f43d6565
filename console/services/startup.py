"""Opening the database the configuration names, with clear reasons when that cannot be done."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from console.config import AppConfig
from console.errors import StorageUnavailable
from console.storage.engine import make_engine, sqlite_path
from console.storage.migrate import SchemaState, prepare_schema
from console.storage.unit_of_work import Database

log = logging.getLogger("console.services.startup")


def ensure_writable_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageUnavailable(
            f"The data folder {folder} cannot be created ({exc.strerror}). "
            "Choose another with --data-dir."
        ) from exc
    # Try a real write: permission bits alone do not tell (administrators, read-only mounts,
    # immutable folders, full disks).
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise StorageUnavailable(
            f"The data folder {folder} is read-only ({exc.strerror}). Give this user write "
            "access or choose another folder with --data-dir."
        ) from exc


def open_database(
    config: AppConfig, *, upgrade: bool | None = None, require_current: bool = True
) -> tuple[Database, SchemaState]:
    """Open and check the database; ``upgrade=None`` means: upgrade SQLite, never PostgreSQL.

    ``require_current=False`` opens an older known schema as it is, for read-only commands.
    """
    ensure_writable_folder(config.data_dir)
    database_file = sqlite_path(config.database_url)
    if database_file is not None:
        ensure_writable_folder(database_file.parent)
        if database_file.exists() and not os.access(database_file, os.R_OK | os.W_OK):
            raise StorageUnavailable(
                f"The database file {database_file} is read-only. Give this user write access."
            )
    if database_file is not None and not require_current and not database_file.exists():
        raise StorageUnavailable(
            f"There is no console database at {database_file}. Check --data-dir (or "
            "--database-url); nothing was created.")
    engine = make_engine(config.database_url)
    allow = (engine.dialect.name == "sqlite") if upgrade is None else upgrade
    try:
        state = prepare_schema(engine, backup_dir=config.backup_dir, allow_upgrade=allow,
                               require_current=require_current)
    except BaseException:
        engine.dispose()
        raise
    log.info("database open (%s, schema %s)", engine.dialect.name, state.current)
    return Database(engine), state
