from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from console.domain.patients import Answer, Contraindication, Patient, ScreeningAnswer, Sex
from console.errors import NotFound
from console.storage.rows import PatientRow, ScreeningAnswerRow, UserRow


def to_patient(row: PatientRow) -> Patient:
    return Patient(
        id=row.id,
        mrn=row.mrn,
        family_name=row.family_name,
        given_name=row.given_name,
        date_of_birth=row.date_of_birth,
        sex=Sex(row.sex),
        diagnosis=row.diagnosis,
        allergies=row.allergies,
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

    def get(self, patient_id: int) -> Patient:
        return to_patient(self._row(patient_id))

    def find_by_mrn(self, mrn: str) -> Patient | None:
        row = self._session.scalar(select(PatientRow).where(PatientRow.mrn == mrn))
        return None if row is None else to_patient(row)

    def update(self, patient_id: int, changes: Mapping[str, Any]) -> Patient:
        row = self._row(patient_id, for_update=True)
        for name, value in changes.items():
            setattr(row, name, value)
        self._session.flush()
        return to_patient(row)

    def list_all(self) -> Sequence[Patient]:
        rows = self._session.scalars(
            select(PatientRow).order_by(PatientRow.family_name, PatientRow.given_name)
        ).all()
        return [to_patient(row) for row in rows]

    def search(
        self, *, text: str = "", born: date | None = None, limit: int = 200
    ) -> Sequence[Patient]:
        statement = select(PatientRow)
        for word in text.lower().split():
            # autoescape: a typed % or _ is a character to find, not a wildcard.
            statement = statement.where(or_(
                func.lower(PatientRow.family_name).contains(word, autoescape=True),
                func.lower(PatientRow.given_name).contains(word, autoescape=True),
                func.lower(PatientRow.mrn).contains(word, autoescape=True),
            ))
        if born is not None:
            statement = statement.where(PatientRow.date_of_birth == born)
        rows = self._session.scalars(
            statement.order_by(PatientRow.family_name, PatientRow.given_name).limit(limit)
        ).all()
        return [to_patient(row) for row in rows]

    def add_answer(
        self, patient_id: int, item: Contraindication, answer: Answer, details: str, *,
        by: int, at: datetime,
    ) -> None:
        self._session.add(ScreeningAnswerRow(
            patient_id=patient_id, item=item.value, answer=answer.value, details=details,
            answered_by=by, answered_at=at,
        ))
        self._session.flush()

    def current_screen(self, patient_id: int) -> dict[Contraindication, ScreeningAnswer]:
        """The newest answer per item (older answers stay in the table and the audit trail)."""
        rows = self._session.execute(
            select(ScreeningAnswerRow, UserRow.full_name)
            .join(UserRow, UserRow.id == ScreeningAnswerRow.answered_by)
            .where(ScreeningAnswerRow.patient_id == patient_id)
            .order_by(ScreeningAnswerRow.id)
        ).all()
        current: dict[Contraindication, ScreeningAnswer] = {}
        for row, name in rows:
            item = Contraindication(row.item)
            current[item] = ScreeningAnswer(
                item=item, answer=Answer(row.answer), details=row.details, answered_by=name,
                answered_at=row.answered_at,
            )
        return current

    def _row(self, patient_id: int, *, for_update: bool = False) -> PatientRow:
        statement = select(PatientRow).where(PatientRow.id == patient_id)
        if for_update:
            statement = statement.with_for_update()
        row = self._session.scalar(statement)
        if row is None:
            raise NotFound(f"Patient #{patient_id} does not exist. Search again.")
        return row
