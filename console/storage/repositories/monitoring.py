"""What a monitored session keeps besides its observations: device artifacts and the alarm
book. The book is stored as its current state (``alarm``) plus an append-only history
(``alarm_event``); ``book`` rebuilds the domain ``AlarmBook`` from both, and ``save`` writes
what changed between two books."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.alarms import (
    Acknowledgement,
    Alarm,
    AlarmAction,
    AlarmBook,
    AlarmCondition,
    AlarmKind,
    AlarmParameter,
    AlarmPriority,
    Escalation,
)
from console.domain.vitals import DeviceArtifact
from console.storage.rows import AlarmEventRow, AlarmRow, DeviceArtifactRow


def _condition_json(condition: AlarmCondition) -> str:
    return json.dumps({k: (v.value if hasattr(v, "value") else v)
                       for k, v in asdict(condition).items()}, sort_keys=True)


def _condition(text: str) -> AlarmCondition:
    data = json.loads(text)
    return AlarmCondition(AlarmParameter(data["parameter"]), AlarmPriority(data["priority"]),
                          data["value"], data["rule"], AlarmKind(data["kind"]))


class MonitoringRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # ------------------------------------------------------------------ artifacts
    def add_artifact(self, session_id: int, *, at: datetime, field: str, value: str,
                     reason: str, device: str) -> DeviceArtifact:
        row = DeviceArtifactRow(session_id=session_id, at=at, field=field, value=value[:60],
                                reason=reason, device=device[:60])
        self._session.add(row)
        self._session.flush()
        return DeviceArtifact(row.id, at, field, row.value, reason, row.device)

    def artifacts(self, session_id: int) -> tuple[DeviceArtifact, ...]:
        rows = self._session.scalars(
            select(DeviceArtifactRow).where(DeviceArtifactRow.session_id == session_id)
            .order_by(DeviceArtifactRow.at, DeviceArtifactRow.id)).all()
        return tuple(DeviceArtifact(r.id, r.at, r.field, r.value, r.reason, r.device)
                     for r in rows)

    # ------------------------------------------------------------------ the alarm book
    def book(self, session_id: int, *, active_only: bool = False) -> AlarmBook:
        """The session's alarm book. ``active_only`` leaves resolved alarms out: enough to
        feed a new observation, and it keeps a long session's ingest cost flat."""
        query = select(AlarmRow).where(AlarmRow.session_id == session_id)
        if active_only:
            query = query.where(AlarmRow.resolved_at.is_(None))
        rows = self._session.scalars(query.order_by(AlarmRow.number)).all()
        last_number = self._session.scalar(
            select(func.max(AlarmRow.number)).where(AlarmRow.session_id == session_id)) or 0
        last_change = self._session.scalar(
            select(func.max(AlarmEventRow.at)).join(AlarmRow)
            .where(AlarmRow.session_id == session_id))
        history: dict[int, list[AlarmEventRow]] = defaultdict(list)
        if rows:
            for event in self._session.scalars(
                    select(AlarmEventRow).where(AlarmEventRow.alarm_id.in_([r.id for r in rows]))
                    .order_by(AlarmEventRow.at, AlarmEventRow.id)).all():
                history[event.alarm_id].append(event)
        alarms = [self._alarm(row, history[row.id]) for row in rows]
        # Resolved alarms in the order they resolved (as the engine appends them), which is
        # the order their "resolved" events were written, not the order they were raised.
        resolved_event = {row.number: max((e.id for e in history[row.id]
                                           if e.kind == "resolved"), default=0)
                          for row in rows}
        return AlarmBook(active=tuple(a for a in alarms if a.active),
                         resolved=tuple(sorted((a for a in alarms if not a.active),
                                               key=lambda a: (resolved_event[a.id], a.id))),
                         next_id=last_number + 1, updated_at=last_change)

    @staticmethod
    def _alarm(row: AlarmRow, events: Iterable[AlarmEventRow]) -> Alarm:
        acknowledgements: list[Acknowledgement] = []
        escalations: list[Escalation] = []
        for event in events:
            if event.kind == "acknowledged":
                acknowledgements.append(Acknowledgement(
                    event.at, event.by_name, AlarmAction(event.action or "other"),
                    AlarmPriority(event.priority), event.note))
            elif event.kind == "escalated":
                escalations.append(Escalation(event.at, AlarmPriority(event.from_priority
                                                                      or event.priority),
                                              AlarmPriority(event.priority)))
        return Alarm(id=row.number, parameter=AlarmParameter(row.parameter),
                     kind=AlarmKind(row.kind), priority=AlarmPriority(row.priority),
                     condition=_condition(row.condition), raised_at=row.raised_at,
                     acknowledgements=tuple(acknowledgements), escalations=tuple(escalations),
                     resolved_at=row.resolved_at, audio_paused_until=row.audio_paused_until,
                     clearing_since=row.clearing_since,
                     peak=None if row.peak_condition is None else _condition(row.peak_condition))

    def save(self, session_id: int, before: AlarmBook, after: AlarmBook, *,
             by_id: int | None = None, by_name: str = "") -> None:
        """Write what changed from ``before`` to ``after`` (raises, escalations,
        acknowledgements, audio pauses, resolutions)."""
        old = {a.id: a for a in (*before.active, *before.resolved)}
        changed = [a for a in (*after.active, *after.resolved) if old.get(a.id) != a]
        if not changed:
            return
        rows = {r.number: r for r in self._session.scalars(
            select(AlarmRow).where(AlarmRow.session_id == session_id,
                                   AlarmRow.number.in_([a.id for a in changed]))).all()}
        for alarm in changed:
            previous = old.get(alarm.id)
            row = rows.get(alarm.id)
            if row is None:
                row = AlarmRow(session_id=session_id, number=alarm.id,
                               parameter=alarm.parameter.value, kind=alarm.kind.value,
                               priority=alarm.priority.value,
                               condition=_condition_json(alarm.condition),
                               raised_at=alarm.raised_at)
                self._session.add(row)
                self._session.flush()
                self._event(row, "raised", alarm.raised_at, alarm.condition.priority)
            row.priority = alarm.priority.value
            row.condition = _condition_json(alarm.condition)
            row.resolved_at = alarm.resolved_at
            row.audio_paused_until = alarm.audio_paused_until
            row.clearing_since = alarm.clearing_since
            row.peak_condition = None if alarm.peak is None else _condition_json(alarm.peak)
            seen_escalations = 0 if previous is None else len(previous.escalations)
            for escalation in alarm.escalations[seen_escalations:]:
                self._event(row, "escalated", escalation.at, escalation.to_priority,
                            from_priority=escalation.from_priority)
            seen_acks = 0 if previous is None else len(previous.acknowledgements)
            for ack in alarm.acknowledgements[seen_acks:]:
                self._event(row, "acknowledged", ack.at, ack.priority, by_id=by_id,
                            by_name=ack.by_name, action=ack.action.value, note=ack.note)
            paused = alarm.audio_paused_until
            if paused is not None and previous is not None \
                    and paused != previous.audio_paused_until \
                    and len(alarm.acknowledgements) == seen_acks:
                self._event(row, "audio_paused", after.updated_at or paused, alarm.priority,
                            by_id=by_id, by_name=by_name)
            if alarm.resolved_at is not None and (previous is None
                                                  or previous.resolved_at is None):
                self._event(row, "resolved", alarm.resolved_at, alarm.priority)
        self._session.flush()

    def _event(self, row: AlarmRow, kind: str, at: datetime, priority: AlarmPriority, *,
               by_id: int | None = None, by_name: str = "",
               from_priority: AlarmPriority | None = None, action: str | None = None,
               note: str = "") -> None:
        self._session.add(AlarmEventRow(
            alarm_id=row.id, kind=kind, at=at, by_id=by_id, by_name=by_name,
            priority=priority.value,
            from_priority=None if from_priority is None else from_priority.value,
            action=action, note=note))
