"""Drug library entries: what a clinic allows for one drug by one route, with its limits.

The shipped defaults follow CLINICAL.md; a clinic changes them through versioned, audited
library entries that a clinician must approve before use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from console.domain.drugs import DosingForm, Drug, Route, forms_for
from console.domain.limits import LimitParameter, LimitRange, LimitTable, validate_table
from console.errors import ValidationError

D = Decimal
STANDARD_CONCENTRATIONS = (D(1), D(2))
MAX_CONCENTRATION = D(10)
WEIGHT_MIN_KG = D(30)
WEIGHT_MAX_KG = D(250)
WEIGHT_CHANGE_WARN_PERCENT = D(10)


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    name: str
    drug: Drug
    route: Route
    limits: LimitTable
    standard_concentrations_mg_per_ml: tuple[Decimal, ...] = STANDARD_CONCENTRATIONS
    max_concentration_mg_per_ml: Decimal = MAX_CONCENTRATION
    weight_min_kg: Decimal = WEIGHT_MIN_KG
    weight_max_kg: Decimal = WEIGHT_MAX_KG
    weight_change_warn_percent: Decimal = WEIGHT_CHANGE_WARN_PERCENT
    bolus_allowed: bool = False
    minimum_age_years: int = 18
    sessions_per_7_days_soft: int = 5
    sessions_per_course_soft: int = 10
    forms: tuple[DosingForm, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.forms:
            object.__setattr__(self, "forms", forms_for(self.route))
        self.validate()

    def validate(self) -> None:
        if not 3 <= len(" ".join(self.name.split())) <= 120:
            raise ValidationError("Give the library entry a name (3 to 120 characters).",
                                  field="name")
        validate_table(self.limits)
        if not D(0) < self.weight_min_kg < self.weight_max_kg:
            raise ValidationError("The weight range needs a minimum above zero and below its "
                                  "maximum.", field="weight_min_kg")
        if self.max_concentration_mg_per_ml <= 0:
            raise ValidationError("The maximum concentration must be more than zero.",
                                  field="max_concentration_mg_per_ml")
        for concentration in self.standard_concentrations_mg_per_ml:
            if not D(0) < concentration <= self.max_concentration_mg_per_ml:
                raise ValidationError(
                    f"Standard concentration {concentration} mg/mL is outside 0 to the maximum "
                    f"{self.max_concentration_mg_per_ml} mg/mL.",
                    field="standard_concentrations_mg_per_ml",
                )
        if not 0 <= self.minimum_age_years <= 120:
            raise ValidationError("The minimum age must be 0 to 120 years.",
                                  field="minimum_age_years")
        if not 1 <= self.sessions_per_7_days_soft <= 7:
            raise ValidationError("Sessions per 7 days must be 1 to 7.",
                                  field="sessions_per_7_days_soft")
        if not 1 <= self.sessions_per_course_soft <= 100:
            raise ValidationError("Sessions per course must be 1 to 100.",
                                  field="sessions_per_course_soft")
        if not 0 < self.weight_change_warn_percent <= 50:
            raise ValidationError("The weight-change warning must be above 0 and at most 50%.",
                                  field="weight_change_warn_percent")


def default_ketamine_iv() -> LibraryEntry:
    """Racemic ketamine, IV continuous, outpatient chronic pain (CLINICAL.md defaults)."""
    return LibraryEntry(
        name="Ketamine (racemic) IV continuous — outpatient chronic pain",
        drug=Drug.KETAMINE,
        route=Route.IV_CONTINUOUS,
        limits={
            LimitParameter.RATE_MG_PER_KG_H: LimitRange(soft_min=D("0.1"), soft_max=D("0.5"),
                                                        hard_max=D("1.0")),
            LimitParameter.RATE_MG_PER_H: LimitRange(soft_max=D(25), hard_max=D(100)),
            LimitParameter.BOLUS_MG_PER_KG: LimitRange(soft_max=D("0.35"), hard_max=D("0.5")),
            LimitParameter.BOLUS_MINUTES: LimitRange(hard_min=D(5)),
            LimitParameter.SESSION_TOTAL_MG_PER_KG: LimitRange(soft_max=D(2), hard_max=D(3)),
            LimitParameter.SESSION_TOTAL_MG: LimitRange(soft_max=D(200), hard_max=D(300)),
            LimitParameter.SESSION_MINUTES: LimitRange(soft_max=D(240), hard_max=D(360)),
        },
    )


def default_esketamine_iv() -> LibraryEntry:
    """Esketamine is a separate drug (about twice as potent): its own entry, halved limits."""
    return LibraryEntry(
        name="Esketamine IV continuous — outpatient chronic pain",
        drug=Drug.ESKETAMINE,
        route=Route.IV_CONTINUOUS,
        limits={
            LimitParameter.RATE_MG_PER_KG_H: LimitRange(soft_min=D("0.05"), soft_max=D("0.25"),
                                                        hard_max=D("0.5")),
            LimitParameter.RATE_MG_PER_H: LimitRange(soft_max=D("12.5"), hard_max=D(50)),
            LimitParameter.BOLUS_MG_PER_KG: LimitRange(soft_max=D("0.175"), hard_max=D("0.25")),
            LimitParameter.BOLUS_MINUTES: LimitRange(hard_min=D(5)),
            LimitParameter.SESSION_TOTAL_MG_PER_KG: LimitRange(soft_max=D(1), hard_max=D("1.5")),
            LimitParameter.SESSION_TOTAL_MG: LimitRange(soft_max=D(100), hard_max=D(150)),
            LimitParameter.SESSION_MINUTES: LimitRange(soft_max=D(240), hard_max=D(360)),
        },
    )
