"""Infusion sessions and what hangs off them: the timeline, observations, double checks and
addenda. Append-only parts come back as domain objects; the session row itself is handed to
the service locked, so its columns change inside the unit of work."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.bedside import Addendum, DoubleCheckAttempt
from console.domain.infusion import EventKind, InfusionEvent, StopKind
from console.domain.vitals import VitalSign, VitalSource, VitalValues
from console.errors import NotFound
from console.storage.repositories.signatures import to_signature
from console.storage.rows import (
    AddendumRow,
    DoubleCheckRow,
    InfusionEventRow,
    InfusionSessionRow,
    SignatureRow,
    UserRow,
    VitalSignRow,
)


class SessionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # ------------------------------------------------------------------ the session row
    def lock(self, session_id: int) -> InfusionSessionRow:
        row = self._session.get(InfusionSessionRow, session_id, with_for_update=True)
        if row is None:
            raise NotFound(f"Session #{session_id} does not exist. Open it from Today.")
        return row

    def add(self, *, patient_id: int, protocol_id: int, at: datetime,
            by: int) -> InfusionSessionRow:
        row = InfusionSessionRow(patient_id=patient_id, protocol_id=protocol_id,
                                 checked_in_at=at, checked_in_by=by, check_overrides="{}")
        self._session.add(row)
        self._session.flush()
        return row

    def today_or_open(self, since: datetime) -> Sequence[InfusionSessionRow]:
        """Checked in since ``since``, or not yet signed nor cancelled (any day)."""
        return self._session.scalars(
            select(InfusionSessionRow).where(
                (InfusionSessionRow.checked_in_at >= since)
                | (InfusionSessionRow.signature_id.is_(None)
                   & InfusionSessionRow.cancelled_reason.is_(None)))
            .order_by(InfusionSessionRow.checked_in_at)).all()

    def open_for_patient(self, patient_id: int) -> InfusionSessionRow | None:
        return self._session.scalar(select(InfusionSessionRow).where(
            InfusionSessionRow.patient_id == patient_id,
            InfusionSessionRow.signature_id.is_(None),
            InfusionSessionRow.cancelled_reason.is_(None)))

    def previous_weight(self, patient_id: int, *, excluding: int) -> Decimal | None:
        return self._session.scalar(
            select(InfusionSessionRow.weight_kg)
            .where(InfusionSessionRow.patient_id == patient_id,
                   InfusionSessionRow.id != excluding,
                   InfusionSessionRow.weight_kg.is_not(None))
            .order_by(InfusionSessionRow.checked_in_at.desc()).limit(1))

    def for_patient(self, patient_id: int) -> Sequence[InfusionSessionRow]:
        return self._session.scalars(
            select(InfusionSessionRow).where(InfusionSessionRow.patient_id == patient_id)
            .order_by(InfusionSessionRow.checked_in_at)).all()

    def started_elsewhere(self, patient_id: int, *,
                          excluding: int) -> list[tuple[datetime, int]]:
        """(check-in time, protocol id) of the patient's other sessions that were started."""
        rows = self._session.execute(
            select(InfusionSessionRow.checked_in_at, InfusionSessionRow.protocol_id)
            .where(InfusionSessionRow.patient_id == patient_id,
                   InfusionSessionRow.id != excluding,
                   InfusionSessionRow.cancelled_reason.is_(None),
                   InfusionSessionRow.id.in_(
                       select(InfusionEventRow.session_id)
                       .where(InfusionEventRow.kind == EventKind.START.value)))).all()
        return [(at, protocol_id) for at, protocol_id in rows]

    # ------------------------------------------------------------------ the timeline
    def events(self, session_id: int) -> list[InfusionEvent]:
        names = self.names()
        rows = self._session.scalars(
            select(InfusionEventRow).where(InfusionEventRow.session_id == session_id)
            .order_by(InfusionEventRow.at, InfusionEventRow.id)).all()
        return [InfusionEvent(
            kind=EventKind(e.kind), at=e.at, entered_at=e.entered_at,
            by_name=names.get(e.by_id, ""), rate_ml_per_h=e.rate_ml_per_h,
            bolus_mg=e.bolus_mg, reason=e.reason,
            stop_kind=None if e.stop_kind is None else StopKind(e.stop_kind),
            authorised_by=names.get(e.authorised_by or 0, "")) for e in rows]

    def add_event(self, session_id: int, event: InfusionEvent, *, by: int,
                  authorised_by: int | None) -> None:
        self._session.add(InfusionEventRow(
            session_id=session_id, kind=event.kind.value, at=event.at,
            entered_at=event.entered_at, by_id=by, rate_ml_per_h=event.rate_ml_per_h,
            bolus_mg=event.bolus_mg, reason=event.reason,
            stop_kind=None if event.stop_kind is None else event.stop_kind.value,
            authorised_by=authorised_by))
        self._session.flush()

    # ------------------------------------------------------------------ observations
    def vitals(self, session_id: int, *, source: VitalSource | None = None,
               after_id: int = 0) -> list[VitalSign]:
        """Sets in time order, corrected ones included (marked ``corrected_by``); only one
        ``source`` if given, and only those stored after ``after_id`` (for a chart catching
        up)."""
        names = self.names()
        query = select(VitalSignRow).where(VitalSignRow.session_id == session_id)
        if source is not None:
            query = query.where(VitalSignRow.source == source.value)
        if after_id:
            query = query.where(VitalSignRow.id > after_id)
        rows = self._session.scalars(query.order_by(VitalSignRow.at, VitalSignRow.id)).all()
        ids = [v.id for v in rows]
        corrected_by: dict[int, int] = {}
        for start in range(0, len(ids), 500):
            corrected_by.update((old, new) for old, new in self._session.execute(
                select(VitalSignRow.corrects_id, VitalSignRow.id)
                .where(VitalSignRow.corrects_id.in_(ids[start:start + 500]))).all()
                if old is not None)
        return [self._sign(v, names, corrected_by.get(v.id)) for v in rows]

    @staticmethod
    def _sign(v: VitalSignRow, names: dict[int, str], corrected_by: int | None) -> VitalSign:
        return VitalSign(id=v.id, at=v.at, values=VitalValues.from_dict(json.loads(v.values)),
                         source=VitalSource(v.source),
                         by_name=names.get(v.by_id or 0, v.device or "device"),
                         corrects_id=v.corrects_id, correction_reason=v.correction_reason,
                         entered_at=v.entered_at, device=v.device,
                         confirmed=tuple(json.loads(v.confirmed or "[]")),
                         corrected_by=corrected_by)

    def latest_manual(self, session_id: int, *, at_or_before: datetime | None = None,
                      with_pressure: bool = False) -> VitalSign | None:
        """The latest hand-entered set not later corrected (the baseline when asked for the
        latest before the start), without loading the whole session."""
        query = select(VitalSignRow).where(
            VitalSignRow.session_id == session_id,
            VitalSignRow.source == VitalSource.MANUAL.value)
        if at_or_before is not None:
            query = query.where(VitalSignRow.at <= at_or_before)
        names = self.names()
        for row in self._session.scalars(
                query.order_by(VitalSignRow.at.desc(), VitalSignRow.id.desc()).limit(50)):
            if self._session.scalar(select(VitalSignRow.id).where(
                    VitalSignRow.corrects_id == row.id)) is not None:
                continue
            sign = self._sign(row, names, None)
            if not with_pressure or sign.values.systolic is not None:
                return sign
        return None

    def values_after(self, session_id: int, at: datetime) -> list[VitalValues]:
        """The values of every set taken after ``at`` that still stands (not corrected)."""
        rows = self._session.scalars(select(VitalSignRow).where(
            VitalSignRow.session_id == session_id, VitalSignRow.at > at)).all()
        corrected = {r.corrects_id for r in rows}
        return [VitalValues.from_dict(json.loads(r.values)) for r in rows
                if r.id not in corrected]

    def vital(self, session_id: int, vital_id: int) -> VitalSign:
        row = self._session.get(VitalSignRow, vital_id)
        if row is None or row.session_id != session_id:
            raise NotFound(f"Observation #{vital_id} is not part of this session.")
        later = self._session.scalar(select(VitalSignRow.id).where(
            VitalSignRow.corrects_id == vital_id))
        return self._sign(row, self.names(), later)

    def add_vitals(self, session_id: int, values: VitalValues, *, at: datetime,
                   entered_at: datetime, source: VitalSource, by: int | None,
                   device: str | None = None, confirmed: Sequence[str] = (),
                   corrects_id: int | None = None,
                   correction_reason: str | None = None) -> int:
        row = VitalSignRow(session_id=session_id, at=at, entered_at=entered_at,
                           source=source.value, by_id=by,
                           values=json.dumps(values.as_dict(), sort_keys=True),
                           device=device, confirmed=json.dumps(list(confirmed)),
                           corrects_id=corrects_id, correction_reason=correction_reason)
        self._session.add(row)
        self._session.flush()
        return row.id

    # ------------------------------------------------------------------ double checks
    def double_checks(self, session_id: int) -> tuple[DoubleCheckAttempt, ...]:
        names = self.names()
        rows = self._session.scalars(select(DoubleCheckRow).where(
            DoubleCheckRow.session_id == session_id).order_by(DoubleCheckRow.id)).all()
        return tuple(DoubleCheckAttempt(checker_name=names.get(c.checker_id, ""), at=c.at,
                                        mismatches=tuple(json.loads(c.mismatches)))
                     for c in rows)

    def add_double_check(self, session_id: int, *, checker: int, at: datetime,
                         entered: dict[str, str], mismatches: Sequence[str]) -> None:
        self._session.add(DoubleCheckRow(
            session_id=session_id, checker_id=checker, at=at, entered=json.dumps(entered),
            mismatches=json.dumps(list(mismatches))))
        self._session.flush()

    # ------------------------------------------------------------------ addenda
    def addenda(self, session_id: int) -> tuple[Addendum, ...]:
        names = self.names()
        rows = self._session.scalars(select(AddendumRow).where(
            AddendumRow.session_id == session_id).order_by(AddendumRow.id)).all()
        result = []
        for row in rows:
            signature = None
            if row.signature_id is not None:
                signature_row = self._session.get(SignatureRow, row.signature_id)
                signature = None if signature_row is None else to_signature(signature_row)
            result.append(Addendum(text=row.text, reason=row.reason,
                                   by_name=names.get(row.by_id, ""), at=row.at,
                                   signature=signature))
        return tuple(result)

    def add_addendum(self, session_id: int, *, text: str, reason: str, by: int,
                     at: datetime) -> AddendumRow:
        row = AddendumRow(session_id=session_id, text=text, reason=reason, by_id=by, at=at)
        self._session.add(row)
        self._session.flush()
        return row

    # ------------------------------------------------------------------ people
    def names(self) -> dict[int, str]:
        """Every user's printed name, read once per unit of work (several reads of one
        session's parts each need it; a monitor message was reading it twice)."""
        cached: dict[int, str] | None = self._session.info.get("user_names")
        if cached is None:
            cached = dict(self._session.execute(select(UserRow.id, UserRow.full_name)).all())
            self._session.info["user_names"] = cached
        return cached
