"""Patients as the record identifies them: always by two identifiers (name with MRN and DOB)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime

from console.errors import ValidationError


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


DEFAULT_DIAGNOSES = (
    "Complex regional pain syndrome (CRPS)",
    "Neuropathic pain",
    "Fibromyalgia",
    "Chronic post-surgical pain",
    "Phantom limb pain",
    "Chronic headache / migraine",
    "Other chronic pain",
)


class Contraindication(enum.StrEnum):
    UNCONTROLLED_HYPERTENSION = "uncontrolled-hypertension"
    PSYCHOSIS_HISTORY = "psychosis-history"
    PREGNANCY = "pregnancy"
    SEVERE_LIVER_DISEASE = "severe-liver-disease"
    RAISED_ICP_OR_IOP = "raised-icp-iop"
    SUBSTANCE_MISUSE = "substance-misuse"
    INTERACTING_MEDICATION = "interacting-medication"

    @property
    def label(self) -> str:
        return {
            Contraindication.UNCONTROLLED_HYPERTENSION: "Uncontrolled hypertension",
            Contraindication.PSYCHOSIS_HISTORY: "History of psychosis",
            Contraindication.PREGNANCY: "Pregnancy",
            Contraindication.SEVERE_LIVER_DISEASE: "Severe liver disease",
            Contraindication.RAISED_ICP_OR_IOP: "Raised intracranial or intraocular pressure",
            Contraindication.SUBSTANCE_MISUSE: "Substance misuse",
            Contraindication.INTERACTING_MEDICATION: "Interacting medication",
        }[self]


class Answer(enum.StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ScreeningAnswer:
    item: Contraindication
    answer: Answer
    details: str
    answered_by: str
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class Patient:
    id: int
    mrn: str
    family_name: str
    given_name: str
    date_of_birth: date
    sex: Sex
    diagnosis: str = ""
    allergies: str = ""

    @property
    def display_name(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}"

    @property
    def two_identifiers(self) -> str:
        return f"{self.display_name} · MRN {self.mrn} · DOB {self.date_of_birth:%d %b %Y}"

    def age_on(self, day: date) -> int:
        years = day.year - self.date_of_birth.year
        if (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day):
            years -= 1
        return years


MRN_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")
NAME_PATTERN = re.compile(r"^[^\d\t\n\r;<>]{1,100}$")


def normalise_mrn(raw: str) -> str:
    mrn = raw.strip().upper()
    if not MRN_PATTERN.fullmatch(mrn):
        raise ValidationError(
            "The MRN is 3 to 32 letters, digits or dashes, as printed on the patient's wristband.",
            field="mrn",
        )
    return mrn


def normalise_name(raw: str, *, field: str, label: str) -> str:
    name = " ".join(raw.split())
    if not name or not NAME_PATTERN.fullmatch(name):
        raise ValidationError(f"Enter the {label} as on the patient's ID (letters, no digits).",
                              field=field)
    return name


def check_date_of_birth(born: date, today: date) -> date:
    if born > today:
        raise ValidationError("The date of birth is in the future. Check the year.",
                              field="date_of_birth")
    try:
        oldest = today.replace(year=today.year - 120)
    except ValueError:  # 29 February, 120 years before a year without one
        oldest = today.replace(year=today.year - 120, day=28)
    if born < oldest:
        raise ValidationError("The date of birth is more than 120 years ago. Check the year.",
                              field="date_of_birth")
    return born
