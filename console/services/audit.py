"""Reading and verifying the audit trail."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from console.domain.audit import AuditEntry, ChainProblem, verify_chain
from console.domain.identity import Actor, Role
from console.errors import ValidationError
from console.services.base import Service
from console.storage.repositories.audit import AuditQuery


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What an administrator asks of the trail; every part optional."""

    actor_id: int | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    action_prefix: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 500


@dataclass(frozen=True, slots=True)
class ChainReport:
    records: int
    problem: ChainProblem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


class AuditService(Service):
    def search(self, actor: Actor, wanted: AuditFilter) -> Sequence[AuditEntry]:
        for moment in (wanted.since, wanted.until):
            if moment is not None and moment.utcoffset() is None:
                raise ValidationError("Search dates need a time zone (local dates are converted "
                                      "to UTC by the screen).", field="since")
        if wanted.since and wanted.until and wanted.since >= wanted.until:
            raise ValidationError(
                "The 'from' date must be before the 'to' date.", field="since"
            )
        if not 1 <= wanted.limit <= 10_000:
            raise ValidationError("Show between 1 and 10000 records.", field="limit")
        with self._db.read() as uow:
            self.authorise(uow, actor, [Role.ADMINISTRATOR])
            return uow.audit.search(AuditQuery(
                actor_id=wanted.actor_id,
                entity_type=wanted.entity_type or None,
                entity_id=(wanted.entity_id or "").strip() or None,
                action_prefix=wanted.action_prefix or None,
                since=wanted.since, until=wanted.until, limit=wanted.limit,
            ))

    def verify(self) -> ChainReport:
        """Walk the whole chain. Needs no identity: anyone may check integrity."""
        with self._db.read() as uow:
            head = uow.audit.head()
            count = 0

            def counted() -> Iterator[AuditEntry]:
                nonlocal count
                for entry in uow.audit.iterate():
                    count += 1
                    yield entry

            problem = verify_chain(counted(), head)
        return ChainReport(records=count, problem=problem)
