"""Consistent copies of a SQLite database, and restoring one without losing the current file."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from console.errors import StorageUnavailable, ValidationError

SQLITE_MAGIC = b"SQLite format 3\x00"
CONSOLE_TABLES = frozenset({"alembic_version", "audit_record", "audit_head", "user_account"})


@dataclass(frozen=True, slots=True)
class BackupFile:
    path: Path
    revision: str
    size_bytes: int


def backup_sqlite(database: Path, target: Path) -> BackupFile:
    """Copy a live database with SQLite's online backup API (safe while the console runs)."""
    if target.exists():
        raise ValidationError(
            f"{target} already exists. Choose a new file name so no backup is overwritten.",
            field="path",
        )
    if not target.parent.is_dir():
        raise ValidationError(f"The folder {target.parent} does not exist.", field="path")
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise StorageUnavailable(f"The backup could not be written ({exc}).") from exc
    finally:
        source.close()
    checked = inspect_backup(partial)
    partial.replace(target)
    return BackupFile(path=target, revision=checked.revision, size_bytes=target.stat().st_size)


def inspect_backup(path: Path) -> BackupFile:
    """Refuse anything that is not an intact console database."""
    if not path.is_file():
        raise ValidationError(f"There is no file at {path}.", field="path")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise ValidationError(
                f"{path.name} is not a console database (it is not a SQLite file).",
                field="path",
            )
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
            revision = (
                connection.execute("SELECT version_num FROM alembic_version").fetchone()
                if "alembic_version" in tables else None
            )
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise ValidationError(f"{path.name} cannot be read as a database ({exc}).") from exc
    if result != "ok":
        raise ValidationError(f"{path.name} failed its integrity check ({result}).", field="path")
    if not tables >= CONSOLE_TABLES or revision is None:
        raise ValidationError(
            f"{path.name} is a SQLite file but not a console database.", field="path"
        )
    return BackupFile(path=path, revision=str(revision[0]), size_bytes=path.stat().st_size)


def replace_database(database: Path, backup: Path) -> Path | None:
    """Put ``backup`` in place of ``database``; the current file (if any) is kept beside it,
    renamed, and its path returned."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = database.with_name(f"{database.stem}.before-restore-{stamp}{database.suffix}")
    number = 1
    while kept.exists():  # never overwrite an earlier kept file (two restores in one second)
        number += 1
        kept = database.with_name(
            f"{database.stem}.before-restore-{stamp}-{number}{database.suffix}"
        )
    if database.exists():
        # Fold the WAL into the main file so the kept copy is complete on its own; a damaged
        # file is kept as it is, with its WAL beside it.
        try:
            connection = sqlite3.connect(database)
            try:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                connection.close()
        except sqlite3.DatabaseError:
            wal = Path(str(database) + "-wal")
            if wal.exists():
                shutil.copy2(wal, Path(str(kept) + "-wal"))
        shutil.copy2(database, kept)
    staging = database.with_name(database.name + ".restoring")
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(staging)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    for suffix in ("-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    staging.replace(database)
    return kept if kept.exists() else None
