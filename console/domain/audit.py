"""The audit trail's tamper-evident hash chain.

Each record's hash covers its own content and the previous record's hash, so altering,
deleting or inserting a record anywhere breaks every link after it. The content is hashed in a
canonical JSON form that does not depend on the database engine.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.domain.clock import require_aware

GENESIS_HASH = "0" * 64

JsonValues = Mapping[str, Any]


def canonical_json(values: JsonValues | None) -> str | None:
    """Stable text for a set of values: sorted keys, no whitespace, ISO dates, str decimals."""
    if values is None:
        return None
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=_json_default)


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return require_aware(value).isoformat()
    return str(value)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    sequence: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    entity_type: str
    entity_id: str
    old_values: str | None
    new_values: str | None
    reason: str | None
    prev_hash: str
    hash: str

    def decoded_old(self) -> dict[str, Any]:
        return dict(json.loads(self.old_values)) if self.old_values else {}

    def decoded_new(self) -> dict[str, Any]:
        return dict(json.loads(self.new_values)) if self.new_values else {}


def entry_hash(
    *,
    sequence: int,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    entity_type: str,
    entity_id: str,
    old_values: str | None,
    new_values: str | None,
    reason: str | None,
    prev_hash: str,
) -> str:
    content = json.dumps(
        [
            sequence,
            require_aware(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            actor_id,
            actor_name,
            action,
            entity_type,
            entity_id,
            old_values,
            new_values,
            reason,
            prev_hash,
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def recompute(entry: AuditEntry) -> str:
    return entry_hash(
        sequence=entry.sequence,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        action=entry.action,
        entity_type=entry.entity_type,
        entity_id=entry.entity_id,
        old_values=entry.old_values,
        new_values=entry.new_values,
        reason=entry.reason,
        prev_hash=entry.prev_hash,
    )


@dataclass(frozen=True, slots=True)
class ChainProblem:
    sequence: int
    reason: str

    def __str__(self) -> str:
        return f"audit record #{self.sequence}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ChainHead:
    """What the chain's head pointer says: the last sequence number and its hash."""

    sequence: int
    hash: str


def verify_chain(entries: Iterable[AuditEntry], head: ChainHead | None) -> ChainProblem | None:
    """The first problem in the chain, or ``None`` when every link holds.

    ``entries`` must come in sequence order. ``head`` is the separately stored pointer to the
    last record, which catches records deleted from the end.
    """
    expected_sequence = 1
    prev_hash = GENESIS_HASH
    for entry in entries:
        if entry.sequence < expected_sequence:
            return ChainProblem(entry.sequence, "out of sequence (inserted)")
        if entry.sequence > expected_sequence:
            if head is not None and expected_sequence > head.sequence:
                # Nothing is missing: the chain ended where its head says, and this record was
                # added after it with a number of its own choosing.
                return ChainProblem(
                    entry.sequence, "beyond the chain head (added outside the console)"
                )
            return ChainProblem(expected_sequence, "missing (deleted)")
        if entry.prev_hash != prev_hash:
            return ChainProblem(entry.sequence, "does not link to the record before it")
        if recompute(entry) != entry.hash:
            return ChainProblem(entry.sequence, "content does not match its hash (altered)")
        prev_hash = entry.hash
        expected_sequence += 1
    last_sequence = expected_sequence - 1
    if head is None:
        if last_sequence:
            return ChainProblem(last_sequence, "the chain head pointer is missing")
        return None
    if head.sequence != last_sequence:
        return ChainProblem(
            min(head.sequence, last_sequence) + 1,
            f"the chain head says {head.sequence} records but {last_sequence} were found "
            "(records deleted from the end or added outside the console)",
        )
    if head.hash != prev_hash:
        return ChainProblem(last_sequence, "the chain head hash does not match the last record")
    return None
