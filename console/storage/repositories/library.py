from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.library import LibraryEntry
from console.domain.protocols import LibraryStatus, LibraryVersion
from console.errors import NotFound
from console.storage.repositories.signatures import to_signature
from console.storage.rows import LibraryEntryRow, SignatureRow
from console.storage.serialization import entry_from_json, entry_to_json


class LibraryRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _to_version(self, row: LibraryEntryRow) -> LibraryVersion:
        approval = None
        if row.approval_id is not None:
            signature = self._session.get(SignatureRow, row.approval_id)
            approval = None if signature is None else to_signature(signature)
        return LibraryVersion(
            id=row.id, lineage_id=row.lineage_id, version=row.version,
            status=LibraryStatus(row.status), entry=entry_from_json(row.definition),
            created_at=row.created_at, created_by=row.created_by, approval=approval,
            retired_reason=row.retired_reason,
        )

    def count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(LibraryEntryRow)) or 0

    def get(self, entry_id: int) -> LibraryVersion:
        return self._to_version(self._row(entry_id))

    def list_all(self) -> Sequence[LibraryVersion]:
        rows = self._session.scalars(
            select(LibraryEntryRow).order_by(LibraryEntryRow.name, LibraryEntryRow.version.desc())
        ).all()
        return [self._to_version(row) for row in rows]

    def versions(self, lineage_id: int) -> Sequence[LibraryVersion]:
        rows = self._session.scalars(
            select(LibraryEntryRow).where(LibraryEntryRow.lineage_id == lineage_id)
            .order_by(LibraryEntryRow.version)
        ).all()
        return [self._to_version(row) for row in rows]

    def add(
        self, entry: LibraryEntry, *, lineage_id: int | None, version: int, at: datetime,
        by: int | None,
    ) -> LibraryVersion:
        row = LibraryEntryRow(
            lineage_id=lineage_id or 0, version=version, status=LibraryStatus.DRAFT.value,
            name=" ".join(entry.name.split()), drug=entry.drug.value, route=entry.route.value,
            definition=entry_to_json(entry), created_at=at, created_by=by,
        )
        self._session.add(row)
        self._session.flush()
        if lineage_id is None:
            row.lineage_id = row.id
            self._session.flush()
        return self._to_version(row)

    def set_status(
        self, entry_id: int, status: LibraryStatus, *, approval_id: int | None = None,
        retired_at: datetime | None = None, reason: str | None = None,
    ) -> LibraryVersion:
        row = self._row(entry_id, for_update=True)
        row.status = status.value
        if approval_id is not None:
            row.approval_id = approval_id
        if retired_at is not None:
            row.retired_at, row.retired_reason = retired_at, reason
        self._session.flush()
        return self._to_version(row)

    def _row(self, entry_id: int, *, for_update: bool = False) -> LibraryEntryRow:
        statement = select(LibraryEntryRow).where(LibraryEntryRow.id == entry_id)
        if for_update:
            statement = statement.with_for_update()
        row = self._session.scalar(statement)
        if row is None:
            raise NotFound(f"Library entry #{entry_id} does not exist. Refresh the list.")
        return row
