"""Patients as the record identifies them: always by two identifiers (name and MRN or DOB)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Patient:
    id: int
    mrn: str
    family_name: str
    given_name: str
    date_of_birth: date
    sex: Sex

    @property
    def display_name(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}"

    @property
    def two_identifiers(self) -> str:
        return f"{self.display_name} · MRN {self.mrn} · DOB {self.date_of_birth.isoformat()}"
