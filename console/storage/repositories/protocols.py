from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.dosing import DoseOrder
from console.domain.limits import LimitParameter
from console.domain.protocols import Course, PatientProtocol, ProtocolStatus, Titration
from console.errors import NotFound
from console.storage.repositories.signatures import to_signature
from console.storage.rows import ProtocolRow, SignatureRow, UserRow
from console.storage.serialization import order_from_json, order_to_json


class ProtocolRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _to_protocol(self, row: ProtocolRow) -> PatientProtocol:
        signature = None
        if row.verification_id is not None:
            signature_row = self._session.get(SignatureRow, row.verification_id)
            signature = None if signature_row is None else to_signature(signature_row)
        author = self._session.get(UserRow, row.author_id)
        titration = None
        if row.titration_min is not None and row.titration_max is not None:
            titration = Titration(row.titration_min, row.titration_max)
        return PatientProtocol(
            id=row.id, patient_id=row.patient_id, lineage_id=row.lineage_id,
            version=row.version, library_entry_id=row.library_entry_id,
            order=order_from_json(row.dose_order),
            course=Course(row.course_sessions, row.sessions_per_week), titration=titration,
            notes=row.notes, planning_weight_kg=row.planning_weight_kg,
            status=ProtocolStatus(row.status), author_id=row.author_id,
            author_name="" if author is None else author.full_name, created_at=row.created_at,
            override_reasons={LimitParameter(k): v
                              for k, v in json.loads(row.override_reasons).items()},
            contraindication_ack=row.contraindication_ack, verification=signature,
            discontinued_reason=row.discontinued_reason,
        )

    def get(self, protocol_id: int) -> PatientProtocol:
        return self._to_protocol(self._row(protocol_id))

    def for_patient(self, patient_id: int) -> Sequence[PatientProtocol]:
        rows = self._session.scalars(
            select(ProtocolRow).where(ProtocolRow.patient_id == patient_id)
            .order_by(ProtocolRow.lineage_id, ProtocolRow.version.desc())
        ).all()
        return [self._to_protocol(row) for row in rows]

    def next_version(self, lineage_id: int) -> int:
        current = self._session.scalar(
            select(func.max(ProtocolRow.version)).where(ProtocolRow.lineage_id == lineage_id)
        )
        return (current or 0) + 1

    def add(
        self, *, patient_id: int, lineage_id: int | None, version: int, library_entry_id: int,
        order: DoseOrder, course: Course, titration: Titration | None, notes: str,
        planning_weight_kg: Decimal, author_id: int, at: datetime,
        override_reasons: dict[LimitParameter, str],
    ) -> PatientProtocol:
        row = ProtocolRow(
            patient_id=patient_id, lineage_id=lineage_id or 0, version=version,
            library_entry_id=library_entry_id, dose_order=order_to_json(order),
            course_sessions=course.sessions, sessions_per_week=course.sessions_per_week,
            titration_min=None if titration is None else titration.min_mg_per_kg_h,
            titration_max=None if titration is None else titration.max_mg_per_kg_h,
            notes=notes, planning_weight_kg=planning_weight_kg,
            status=ProtocolStatus.DRAFT.value, author_id=author_id, created_at=at,
            override_reasons=json.dumps({k.value: v for k, v in override_reasons.items()},
                                        sort_keys=True),
        )
        self._session.add(row)
        self._session.flush()
        if lineage_id is None:
            row.lineage_id = row.id
            self._session.flush()
        return self._to_protocol(row)

    def update(self, protocol_id: int, changes: dict[str, Any]) -> PatientProtocol:
        row = self._row(protocol_id, for_update=True)
        for name, value in changes.items():
            setattr(row, name, value)
        self._session.flush()
        return self._to_protocol(row)

    def _row(self, protocol_id: int, *, for_update: bool = False) -> ProtocolRow:
        statement = select(ProtocolRow).where(ProtocolRow.id == protocol_id)
        if for_update:
            statement = statement.with_for_update()
        row = self._session.scalar(statement)
        if row is None:
            raise NotFound(f"Protocol #{protocol_id} does not exist. Refresh the patient.")
        return row
