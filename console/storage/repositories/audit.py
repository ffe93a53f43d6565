from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Select, Table, bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from console.domain.audit import GENESIS_HASH, AuditEntry, ChainHead, JsonValues, canonical_json
from console.domain.audit import entry_hash as compute_hash
from console.storage.rows import AuditHeadRow, AuditRow

HEAD_ID = 1
_HEAD = cast(Table, AuditHeadRow.__table__)
_RECORDS = cast(Table, AuditRow.__table__)
_LOCK_HEAD = (select(_HEAD.c.sequence, _HEAD.c.hash)
              .where(_HEAD.c.id == HEAD_ID).with_for_update())
_INSERT_RECORD = _RECORDS.insert()
_MOVE_HEAD = (_HEAD.update().where(_HEAD.c.id == HEAD_ID)
              .values(sequence=bindparam("new_sequence"), hash=bindparam("new_hash")))


def to_entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        sequence=row.sequence,
        at=row.at,
        actor_id=row.actor_id,
        actor_name=row.actor_name,
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        old_values=row.old_values,
        new_values=row.new_values,
        reason=row.reason,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


@dataclass(frozen=True, slots=True)
class AuditQuery:
    actor_id: int | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    action_prefix: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 500
    offset: int = 0


class AuditRepository:
    """Appends to the chain and reads it; there is deliberately no update or delete."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def append(
        self,
        *,
        at: datetime,
        actor_id: int | None,
        actor_name: str,
        action: str,
        entity_type: str,
        entity_id: str,
        old_values: JsonValues | None = None,
        new_values: JsonValues | None = None,
        reason: str | None = None,
    ) -> AuditEntry:
        # Locking the head row serialises audit writers across connections and PCs, so the
        # chain can never fork. (On SQLite the writer already holds the database lock.)
        head = self._locked_head()
        sequence = head.sequence + 1
        prev_hash = head.hash
        old_text, new_text = canonical_json(old_values), canonical_json(new_values)
        digest = compute_hash(
            sequence=sequence,
            at=at,
            actor_id=actor_id,
            actor_name=actor_name,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            old_values=old_text,
            new_values=new_text,
            reason=reason,
            prev_hash=prev_hash,
        )
        entry = AuditEntry(
            sequence=sequence,
            at=at,
            actor_id=actor_id,
            actor_name=actor_name,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            old_values=old_text,
            new_values=new_text,
            reason=reason,
            prev_hash=prev_hash,
            hash=digest,
        )
        # Plain statements on the tables, compiled once: no ORM bookkeeping for rows that are
        # never read back in this unit of work (this is on the path of every clinical entry).
        self._session.execute(_INSERT_RECORD, asdict(entry))
        self._session.execute(_MOVE_HEAD, {"new_sequence": sequence, "new_hash": digest})
        return entry

    def _locked_head(self) -> ChainHead:
        """The head, locked for this transaction; created (at the genesis) if missing.

        Before the first record there is no row to lock, so two first writers could both
        start the chain. The row is inserted with ON CONFLICT DO NOTHING instead: the second
        writer waits for the first to commit, then locks and extends the first one's row.
        """
        row = self._session.execute(_LOCK_HEAD).one_or_none()
        if row is None:
            dialect = self._session.get_bind().dialect.name
            insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
            self._session.execute(
                insert(_HEAD).values(id=HEAD_ID, sequence=0, hash=GENESIS_HASH)
                .on_conflict_do_nothing(index_elements=[_HEAD.c.id])
            )
            row = self._session.execute(_LOCK_HEAD).one_or_none()
            if row is None:
                raise RuntimeError("the audit chain head row could not be created")
        return ChainHead(sequence=row.sequence, hash=row.hash)

    def head(self) -> ChainHead | None:
        row = self._session.execute(
            select(_HEAD.c.sequence, _HEAD.c.hash).where(_HEAD.c.id == HEAD_ID)).one_or_none()
        return None if row is None else ChainHead(sequence=row.sequence, hash=row.hash)

    def iterate(self, batch_size: int = 2000) -> Iterator[AuditEntry]:
        """Every record in sequence order, read in batches so memory stays flat.

        The first batch has no lower bound: a record forged with a number below 1 must reach
        verification too, not be skipped.
        """
        last: int | None = None
        while True:
            statement = select(AuditRow).order_by(AuditRow.sequence).limit(batch_size)
            if last is not None:
                statement = statement.where(AuditRow.sequence > last)
            rows = self._session.scalars(statement).all()
            if not rows:
                return
            for row in rows:
                yield to_entry(row)
            last = rows[-1].sequence
            self._session.expunge_all()

    def search(self, query: AuditQuery) -> Sequence[AuditEntry]:
        statement = self._filtered(query).order_by(AuditRow.sequence.desc())
        rows = self._session.scalars(statement.limit(query.limit).offset(query.offset)).all()
        return [to_entry(row) for row in rows]

    def for_entity(self, entity_type: str, entity_id: str) -> Sequence[AuditEntry]:
        return self.search(AuditQuery(entity_type=entity_type, entity_id=entity_id, limit=10_000))

    @staticmethod
    def _filtered(query: AuditQuery) -> Select[AuditRow]:
        statement = select(AuditRow)
        if query.actor_id is not None:
            statement = statement.where(AuditRow.actor_id == query.actor_id)
        if query.entity_type:
            statement = statement.where(AuditRow.entity_type == query.entity_type)
        if query.entity_id:
            statement = statement.where(AuditRow.entity_id == query.entity_id)
        if query.action_prefix:
            statement = statement.where(AuditRow.action.startswith(query.action_prefix))
        if query.since is not None:
            statement = statement.where(AuditRow.at >= query.since)
        if query.until is not None:
            statement = statement.where(AuditRow.at < query.until)
        return statement
