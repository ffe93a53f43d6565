"""Backups while the console runs, and restores that never lose the current file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from console.domain.clock import Clock
from console.errors import StorageUnavailable, ValidationError
from console.services.audit import AuditService
from console.storage.backup import BackupFile, backup_sqlite, inspect_backup, replace_database
from console.storage.engine import make_engine, sqlite_path
from console.storage.unit_of_work import Database


@dataclass(frozen=True, slots=True)
class RestoreResult:
    restored_from: Path
    previous_kept_at: Path | None
    audit_records: int


class BackupService:
    def __init__(self, *, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    def _database_file(self) -> Path:
        path = sqlite_path(self._db.engine.url.render_as_string(hide_password=False))
        if path is None:
            raise StorageUnavailable(
                "This console uses a PostgreSQL server: back it up on the server with "
                "pg_dump (see 'Backups' in the README)."
            )
        return path

    def backup(self, target: Path) -> BackupFile:
        return backup_sqlite(self._database_file(), target.expanduser().resolve())

    def default_backup_name(self, folder: Path) -> Path:
        stamp = self._clock.now().strftime("%Y%m%dT%H%M%SZ")
        return folder / f"console-backup-{stamp}.sqlite3"

    def restore(self, source: Path) -> RestoreResult:
        """Check ``source`` fully (file, integrity, schema, audit trail) before any change."""
        database = self._database_file()
        source = source.expanduser().resolve()
        if source == database.resolve():
            raise ValidationError("That is the live database itself; choose a backup file.")
        inspect_backup(source)
        backup_db = Database(make_engine(f"sqlite:///file:{source}?mode=ro&uri=true"))
        try:
            report = AuditService(database=backup_db, clock=self._clock).verify()
        finally:
            backup_db.dispose()
        if report.problem is not None:
            raise ValidationError(
                f"{source.name} was refused: its audit trail does not verify ({report.problem})."
            )
        self._db.dispose()
        kept = replace_database(database, source)
        return RestoreResult(restored_from=source, previous_kept_at=kept,
                             audit_records=report.records)
