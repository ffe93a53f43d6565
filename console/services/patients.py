"""The patient register and each patient's contraindication screen."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from console.domain.identity import Actor, Role
from console.domain.patients import (
    DEFAULT_DIAGNOSES,
    Answer,
    Contraindication,
    Patient,
    ScreeningAnswer,
    Sex,
    check_date_of_birth,
    normalise_mrn,
    normalise_name,
)
from console.errors import ValidationError
from console.services.base import Service

EVERYONE = tuple(Role)
SCREENERS = (Role.CLINICIAN, Role.NURSE)
DIAGNOSES_SETTING = "clinic.diagnoses"


@dataclass(frozen=True, slots=True)
class PatientDetails:
    """What a person types to register or correct a patient."""

    mrn: str
    family_name: str
    given_name: str
    date_of_birth: date
    sex: Sex | str
    diagnosis: str = ""
    allergies: str = ""


def _clean(details: PatientDetails, today: date, diagnoses: Sequence[str]) -> dict[str, object]:
    try:
        sex = Sex(details.sex)
    except ValueError as exc:
        raise ValidationError("Choose the patient's sex: female, male, other or unknown.",
                              field="sex") from exc
    diagnosis = " ".join(details.diagnosis.split())
    if diagnosis and diagnosis not in diagnoses:
        raise ValidationError("Choose the pain diagnosis from the clinic's list.",
                              field="diagnosis")
    allergies = details.allergies.strip()
    if len(allergies) > 2000:
        raise ValidationError("Keep the allergies under 2000 characters.", field="allergies")
    return {
        "mrn": normalise_mrn(details.mrn),
        "family_name": normalise_name(details.family_name, field="family_name",
                                      label="family name"),
        "given_name": normalise_name(details.given_name, field="given_name",
                                     label="given name"),
        "date_of_birth": check_date_of_birth(details.date_of_birth, today),
        "sex": sex.value,
        "diagnosis": diagnosis,
        "allergies": allergies,
    }


def _public(patient: Patient) -> dict[str, object]:
    return {"mrn": patient.mrn, "family_name": patient.family_name,
            "given_name": patient.given_name, "date_of_birth": patient.date_of_birth.isoformat(),
            "sex": patient.sex.value, "diagnosis": patient.diagnosis,
            "allergies": patient.allergies}


class PatientService(Service):
    def diagnoses(self) -> tuple[str, ...]:
        with self._db.read() as uow:
            raw = uow.settings.get(DIAGNOSES_SETTING)
        return DEFAULT_DIAGNOSES if raw is None else tuple(json.loads(raw))

    def set_diagnoses(self, actor: Actor, diagnoses: Sequence[str]) -> tuple[str, ...]:
        """The clinic's pain-diagnosis list. Patients keep the diagnosis text they were given,
        so a record made under an older list keeps its meaning."""
        cleaned = [" ".join(item.split()) for item in diagnoses]
        cleaned = [item for item in cleaned if item]
        if not cleaned:
            raise ValidationError("Keep at least one diagnosis in the list.", field="diagnoses")
        for item in cleaned:
            if not 2 <= len(item) <= 120:
                raise ValidationError(f"'{item}': each diagnosis is 2 to 120 characters.",
                                      field="diagnoses")
        if len({item.lower() for item in cleaned}) != len(cleaned):
            raise ValidationError("The list names a diagnosis twice.", field="diagnoses")
        with self._db.write() as uow:
            self.authorise(uow, actor, (Role.ADMINISTRATOR,))
            before = self.diagnoses()
            if tuple(cleaned) == before:
                return before
            uow.settings.put(DIAGNOSES_SETTING, json.dumps(cleaned), at=self.now(),
                             by=actor.user_id)
            self.audit(uow, actor, "settings.changed", entity_type="setting",
                       entity_id=DIAGNOSES_SETTING, old={"value": list(before)},
                       new={"value": cleaned})
        return tuple(cleaned)

    def register(self, actor: Actor, details: PatientDetails) -> Patient:
        values = _clean(details, self.now().date(), self.diagnoses())
        with self._db.write() as uow:
            self.authorise(uow, actor, EVERYONE)
            existing = uow.patients.find_by_mrn(str(values["mrn"]))
            if existing is not None:
                raise ValidationError(
                    f"MRN {values['mrn']} already belongs to {existing.display_name} (born "
                    f"{existing.date_of_birth:%d %b %Y}). Open that record instead.",
                    field="mrn")
            patient = uow.patients.add(values={**values, "created_at": self.now(),
                                               "updated_at": self.now()})
            self.audit(uow, actor, "patient.created", entity_type="patient",
                       entity_id=patient.id, new=_public(patient))
            return patient

    def update(self, actor: Actor, patient_id: int, details: PatientDetails, *,
               reason: str = "") -> Patient:
        values = _clean(details, self.now().date(), self.diagnoses())
        with self._db.write() as uow:
            self.authorise(uow, actor, EVERYONE)
            before = uow.patients.get(patient_id)
            clash = uow.patients.find_by_mrn(str(values["mrn"]))
            if clash is not None and clash.id != patient_id:
                raise ValidationError(f"MRN {values['mrn']} already belongs to another patient.",
                                      field="mrn")
            after = uow.patients.update(patient_id, {**values, "updated_at": self.now()})
            if _public(before) != _public(after):
                self.audit(uow, actor, "patient.updated", entity_type="patient",
                           entity_id=patient_id, old=_public(before), new=_public(after),
                           reason=reason.strip() or None)
            return after

    def get(self, actor: Actor, patient_id: int) -> Patient:
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            return uow.patients.get(patient_id)

    def search(self, actor: Actor, text: str = "", born: date | None = None) -> Sequence[Patient]:
        if len(text) > 100:
            raise ValidationError("Search with at most 100 characters.", field="search")
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            return uow.patients.search(text=text.strip(), born=born)

    def screen(self, actor: Actor, patient_id: int) -> dict[Contraindication, ScreeningAnswer]:
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            return uow.patients.current_screen(patient_id)

    def record_screen(
        self, actor: Actor, patient_id: int,
        answers: Mapping[Contraindication, tuple[Answer, str]],
    ) -> dict[Contraindication, ScreeningAnswer]:
        """Record answers; a "yes" needs details. Only changed answers are written."""
        with self._db.write() as uow:
            self.authorise(uow, actor, SCREENERS)
            for item, (answer, details) in answers.items():
                if answer is Answer.YES and len(details.strip()) < 3:
                    raise ValidationError(f"{item.label}: answered yes — describe it (what, "
                                          "since when, how treated).", field=item.value)
            uow.patients.get(patient_id)
            current = uow.patients.current_screen(patient_id)
            for item, (answer, details) in answers.items():
                before = current.get(item)
                text = details.strip()
                if before is not None and before.answer is answer and before.details == text:
                    continue
                uow.patients.add_answer(patient_id, item, answer, text, by=actor.user_id,
                                        at=self.now())
                self.audit(uow, actor, "patient.screen_answered", entity_type="patient",
                           entity_id=patient_id,
                           old=None if before is None else {item.value: before.answer.value,
                                                            "details": before.details},
                           new={item.value: answer.value, "details": text})
            return uow.patients.current_screen(patient_id)
