"""Pump-style soft and hard limits, and the findings they produce.

A soft limit warns: going on needs a reason. A hard limit refuses. Every finding is returned,
not just the first, each with a sentence a nurse understands.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from console.domain.units import Unit, format_number, format_quantity
from console.errors import ValidationError


class Severity(enum.StrEnum):
    SOFT = "soft"
    HARD = "hard"


class Direction(enum.StrEnum):
    ABOVE = "above"
    BELOW = "below"


class LimitParameter(enum.StrEnum):
    RATE_MG_PER_KG_H = "rate_mg_per_kg_h"
    RATE_MG_PER_H = "rate_mg_per_h"
    BOLUS_MG_PER_KG = "bolus_mg_per_kg"
    BOLUS_MINUTES = "bolus_minutes"
    SESSION_TOTAL_MG_PER_KG = "session_total_mg_per_kg"
    SESSION_TOTAL_MG = "session_total_mg"
    SESSION_MINUTES = "session_minutes"
    DOSE_MG = "dose_mg"

    @property
    def label(self) -> str:
        return _LABELS[self][0]

    @property
    def unit(self) -> Unit:
        return _LABELS[self][1]


_LABELS: dict[LimitParameter, tuple[str, Unit]] = {
    LimitParameter.RATE_MG_PER_KG_H: ("Dose rate", Unit.MG_PER_KG_H),
    LimitParameter.RATE_MG_PER_H: ("Rate", Unit.MG_PER_H),
    LimitParameter.BOLUS_MG_PER_KG: ("Bolus", Unit.MG_PER_KG),
    LimitParameter.BOLUS_MINUTES: ("Bolus push time", Unit.MINUTES),
    LimitParameter.SESSION_TOTAL_MG_PER_KG: ("Session total", Unit.MG_PER_KG),
    LimitParameter.SESSION_TOTAL_MG: ("Session total", Unit.MG),
    LimitParameter.SESSION_MINUTES: ("Session length", Unit.MINUTES),
    LimitParameter.DOSE_MG: ("Dose", Unit.MG),
}


@dataclass(frozen=True, slots=True)
class LimitRange:
    """Bounds for one parameter; ``None`` means no bound on that side."""

    soft_min: Decimal | None = None
    soft_max: Decimal | None = None
    hard_min: Decimal | None = None
    hard_max: Decimal | None = None

    def validate(self, parameter: LimitParameter) -> None:
        """Refuse inconsistent sets: negatives, a minimum above its maximum, soft outside hard."""
        name = f"{parameter.label} ({parameter.unit.value})"
        values = {"soft minimum": self.soft_min, "soft maximum": self.soft_max,
                  "hard minimum": self.hard_min, "hard maximum": self.hard_max}
        for which, value in values.items():
            if value is not None and (not value.is_finite() or value < 0):
                raise ValidationError(f"{name}: the {which} must be a number of zero or more.",
                                      field=parameter.value)
        pairs = [
            ("soft minimum", self.soft_min, "soft maximum", self.soft_max),
            ("hard minimum", self.hard_min, "hard maximum", self.hard_max),
            ("hard minimum", self.hard_min, "soft minimum", self.soft_min),
            ("soft maximum", self.soft_max, "hard maximum", self.hard_max),
            ("hard minimum", self.hard_min, "soft maximum", self.soft_max),
            ("soft minimum", self.soft_min, "hard maximum", self.hard_max),
        ]
        for low_name, low, high_name, high in pairs:
            if low is not None and high is not None and low > high:
                raise ValidationError(
                    f"{name}: the {low_name} ({format_number(low)}) is above the {high_name} "
                    f"({format_number(high)}). "
                    "A soft limit must lie inside the hard limits, and a minimum below its "
                    "maximum.", field=parameter.value,
                )


LimitTable = Mapping[LimitParameter, LimitRange]


def validate_table(table: LimitTable) -> None:
    for parameter, bounds in table.items():
        bounds.validate(parameter)


_SHOWN_STEP = Decimal("0.001")
_FINEST_STEP = Decimal("1E-12")


@dataclass(frozen=True, slots=True)
class LimitFinding:
    parameter: LimitParameter
    severity: Severity
    direction: Direction
    value: Decimal
    bound: Decimal

    @property
    def message(self) -> str:
        what = self.parameter.label
        unit = self.parameter.unit
        limit = "maximum" if self.direction is Direction.ABOVE else "minimum"
        head = (f"{what} {format_quantity(self._shown_value(), unit)} is {self.direction.value} "
                f"the {self.severity.value} {limit} of {format_quantity(self.bound, unit)}")
        if self.severity is Severity.HARD:
            return f"{head}: not allowed. Change the dose to within the limit."
        return f"{head}: give a reason to go on, or change the dose."

    def _shown_value(self) -> Decimal:
        """The value to 0.001 (exact figures can carry 28 digits), with more digits only when
        needed so it never reads as on or inside the bound it crossed."""
        above = self.direction is Direction.ABOVE
        step = _SHOWN_STEP
        shown = self.value.quantize(step, rounding=ROUND_HALF_UP)
        while (shown <= self.bound if above else shown >= self.bound) and step > _FINEST_STEP:
            step /= 10
            shown = self.value.quantize(step, rounding=ROUND_HALF_UP)
        return shown


def check(
    table: LimitTable, parameter: LimitParameter, *, low: Decimal, high: Decimal
) -> list[LimitFinding]:
    """Findings for a value known to lie between ``low`` and ``high`` (exact and rounded).

    Upper bounds are checked against the larger and lower bounds against the smaller, so
    rounding can never carry a value across a limit unnoticed.
    """
    bounds = table.get(parameter)
    if bounds is None:
        return []
    findings: list[LimitFinding] = []
    if bounds.hard_max is not None and high > bounds.hard_max:
        findings.append(LimitFinding(parameter, Severity.HARD, Direction.ABOVE, high,
                                     bounds.hard_max))
    elif bounds.soft_max is not None and high > bounds.soft_max:
        findings.append(LimitFinding(parameter, Severity.SOFT, Direction.ABOVE, high,
                                     bounds.soft_max))
    if bounds.hard_min is not None and low < bounds.hard_min:
        findings.append(LimitFinding(parameter, Severity.HARD, Direction.BELOW, low,
                                     bounds.hard_min))
    elif bounds.soft_min is not None and low < bounds.soft_min:
        findings.append(LimitFinding(parameter, Severity.SOFT, Direction.BELOW, low,
                                     bounds.soft_min))
    return findings
