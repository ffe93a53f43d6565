from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.patients import Patient, Sex
from console.storage.rows import PatientRow


def to_patient(row: PatientRow) -> Patient:
    return Patient(
        id=row.id,
        mrn=row.mrn,
        family_name=row.family_name,
        given_name=row.given_name,
        date_of_birth=row.date_of_birth,
        sex=Sex(row.sex),
    )


class PatientRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(PatientRow)) or 0

    def add(self, *, values: Mapping[str, Any]) -> Patient:
        row = PatientRow(**values)
        self._session.add(row)
        self._session.flush()
        return to_patient(row)

    def list_all(self) -> Sequence[Patient]:
        rows = self._session.scalars(
            select(PatientRow).order_by(PatientRow.family_name, PatientRow.given_name)
        ).all()
        return [to_patient(row) for row in rows]
