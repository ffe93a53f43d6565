"""Drugs, routes and dosing forms the drug library knows."""

from __future__ import annotations

import enum
from decimal import Decimal

from console.errors import ValidationError


class Drug(enum.StrEnum):
    """Racemic ketamine and esketamine are different drugs (esketamine ~2x as potent)."""

    KETAMINE = "ketamine"
    ESKETAMINE = "esketamine"

    @property
    def label(self) -> str:
        return {Drug.KETAMINE: "ketamine (racemic)", Drug.ESKETAMINE: "esketamine"}[self]


class Route(enum.StrEnum):
    IV_CONTINUOUS = "iv-continuous"
    INTRANASAL = "intranasal"
    ORAL = "oral"

    @property
    def label(self) -> str:
        return {Route.IV_CONTINUOUS: "IV continuous infusion", Route.INTRANASAL: "intranasal",
                Route.ORAL: "oral"}[self]

    @property
    def is_infusion(self) -> bool:
        return self is Route.IV_CONTINUOUS


class DosingForm(enum.StrEnum):
    """How the clinician wrote the dose; stored so the record shows the clinician's own form."""

    RATE_DURATION = "rate-duration"  # 0.35 mg/kg/h for 4 h
    TOTAL_OVER_TIME = "total-over-time"  # 0.5 mg/kg over 40 min
    FIXED_DOSE = "fixed-dose"  # 50 mg (intranasal, oral)

    @property
    def label(self) -> str:
        return {DosingForm.RATE_DURATION: "rate × duration",
                DosingForm.TOTAL_OVER_TIME: "total over time",
                DosingForm.FIXED_DOSE: "fixed dose (mg)"}[self]


VIAL_STRENGTHS_MG_PER_ML = (Decimal(10), Decimal(50), Decimal(100))


def require_same_drug(protocol_drug: Drug, entry_drug: Drug) -> None:
    if protocol_drug is not entry_drug:
        raise ValidationError(
            f"This protocol is for {protocol_drug.label} but the library entry is for "
            f"{entry_drug.label}. They are different drugs and doses do not transfer; choose "
            f"a {protocol_drug.label} entry.", field="drug",
        )


def forms_for(route: Route) -> tuple[DosingForm, ...]:
    if route.is_infusion:
        return (DosingForm.RATE_DURATION, DosingForm.TOTAL_OVER_TIME)
    return (DosingForm.FIXED_DOSE,)
