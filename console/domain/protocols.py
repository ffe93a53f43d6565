"""A patient's protocol: the clinician's order, written against an approved library entry.

Verified protocols never change: an edit makes a new version that needs its own verification.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from console.domain.dosing import DoseOrder
from console.domain.library import LibraryEntry
from console.domain.limits import LimitParameter
from console.domain.signatures import Signature
from console.errors import ValidationError


class ProtocolStatus(enum.StrEnum):
    DRAFT = "draft"
    VERIFIED = "verified"
    SUPERSEDED = "superseded"
    DISCONTINUED = "discontinued"

    @property
    def in_force(self) -> bool:
        return self is ProtocolStatus.VERIFIED


class LibraryStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    RETIRED = "retired"


@dataclass(frozen=True, slots=True)
class Course:
    """How often and for how long: the frequency limits are checked against it."""

    sessions: int
    sessions_per_week: int

    def __post_init__(self) -> None:
        if not 1 <= self.sessions <= 100:
            raise ValidationError("A course is 1 to 100 sessions.", field="course_sessions")
        if not 1 <= self.sessions_per_week <= 7:
            raise ValidationError("Sessions per week must be 1 to 7 (at most one a day).",
                                  field="sessions_per_week")


@dataclass(frozen=True, slots=True)
class Titration:
    """The range (mg/kg/h) within which a nurse may move the rate without a new order."""

    min_mg_per_kg_h: Decimal
    max_mg_per_kg_h: Decimal

    def __post_init__(self) -> None:
        if not self.min_mg_per_kg_h.is_finite() or not self.max_mg_per_kg_h.is_finite():
            raise ValidationError("The titration range needs two numbers.", field="titration")
        if not Decimal(0) < self.min_mg_per_kg_h <= self.max_mg_per_kg_h:
            raise ValidationError(
                "The titration range needs a lowest rate above zero and not above the highest.",
                field="titration",
            )

    def contains(self, rate_mg_per_kg_h: Decimal) -> bool:
        return self.min_mg_per_kg_h <= rate_mg_per_kg_h <= self.max_mg_per_kg_h


@dataclass(frozen=True, slots=True)
class PatientProtocol:
    id: int
    patient_id: int
    lineage_id: int
    version: int
    library_entry_id: int
    order: DoseOrder
    course: Course
    titration: Titration | None
    notes: str
    planning_weight_kg: Decimal
    status: ProtocolStatus
    author_id: int
    author_name: str
    created_at: datetime
    override_reasons: dict[LimitParameter, str]
    contraindication_ack: str | None
    verification: Signature | None
    discontinued_reason: str | None = None

    @property
    def label(self) -> str:
        return f"v{self.version} · {self.status.value}"


@dataclass(frozen=True, slots=True)
class LibraryVersion:
    """One version of a library entry, with its state and approval signature."""

    id: int
    lineage_id: int
    version: int
    status: LibraryStatus
    entry: LibraryEntry
    created_at: datetime
    created_by: int | None
    approval: Signature | None
    retired_reason: str | None

    @property
    def label(self) -> str:
        return f"{self.entry.name} · v{self.version} · {self.status.value}"
