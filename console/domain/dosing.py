"""Dose arithmetic: from a verified order, a measured weight and a concentration to pump figures.

Rounding (half up) is explicit and the rounded figure is the one shown, stored and checked:

* pump rate ``mL/h = rate mg/h / concentration``, rounded to 0.1 mL/h (what a pump accepts);
* the delivered ``mg/h = mL/h × concentration`` follows from the rounded pump rate, to 0.1 mg;
* totals ``mg = mg/h × hours`` and ``mL = mL/h × hours``, to 0.1 mg and 0.1 mL;
* per-kg figures derived for display and checks, to 0.001 mg/kg(/h);
* bolus ``mg = mg/kg × kg`` to 0.1 mg and ``mL = mg / concentration`` to 0.1 mL.

Upper limits are checked against the largest of the ordered (exact) value, what the pump or
syringe really gives at the rounded mL figures, and the rounded value shown; lower limits against
the smallest; so rounding never hides a limit.

Worked example: 0.35 mg/kg/h for 4 h at 70 kg and 1 mg/mL gives 24.5 mg/h, 24.5 mL/h, 98 mg and
98 mL.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from console.domain.drugs import VIAL_STRENGTHS_MG_PER_ML, DosingForm, Drug, require_same_drug
from console.domain.library import LibraryEntry
from console.domain.limits import LimitFinding, LimitParameter, LimitTable, Severity, check
from console.domain.units import (
    STEP_AMOUNT,
    STEP_PER_KG,
    STEP_RATE,
    Unit,
    format_quantity,
    round_to,
)
from console.errors import ValidationError

MINUTES_PER_HOUR = Decimal(60)


@dataclass(frozen=True, slots=True)
class DoseOrder:
    """The dose as the clinician wrote it, in one of the dosing forms."""

    drug: Drug
    form: DosingForm
    concentration_mg_per_ml: Decimal | None = None
    rate_mg_per_kg_h: Decimal | None = None
    total_mg_per_kg: Decimal | None = None
    dose_mg: Decimal | None = None
    duration_minutes: Decimal | None = None
    bolus_mg_per_kg: Decimal | None = None
    bolus_minutes: Decimal | None = None

    def __post_init__(self) -> None:
        needs: dict[DosingForm, tuple[str, ...]] = {
            DosingForm.RATE_DURATION: ("rate_mg_per_kg_h", "duration_minutes",
                                       "concentration_mg_per_ml"),
            DosingForm.TOTAL_OVER_TIME: ("total_mg_per_kg", "duration_minutes",
                                         "concentration_mg_per_ml"),
            DosingForm.FIXED_DOSE: ("dose_mg",),
        }
        dose_fields = {"rate_mg_per_kg_h", "total_mg_per_kg", "dose_mg"}
        required = needs[self.form]
        for name in required:
            if getattr(self, name) is None:
                raise ValidationError(
                    f"A dose written as {self.form.label} needs {_FIELD_LABELS[name]}.",
                    field=name,
                )
        for name in dose_fields - set(required):
            if getattr(self, name) is not None:
                raise ValidationError(
                    f"A dose written as {self.form.label} is not given in "
                    f"{_FIELD_LABELS[name]}; clear that field or change the dosing form.",
                    field=name,
                )
        for name in (*required, "bolus_mg_per_kg", "bolus_minutes"):
            value: Decimal | None = getattr(self, name)
            if value is not None and (not value.is_finite() or value <= 0):
                label = _FIELD_LABELS[name]
                raise ValidationError(f"{label[0].upper()}{label[1:]} must be a number more "
                                      "than zero.", field=name)
        if (self.bolus_mg_per_kg is None) != (self.bolus_minutes is None):
            missing = "bolus_minutes" if self.bolus_minutes is None else "bolus_mg_per_kg"
            raise ValidationError("A bolus needs both a dose (mg/kg) and a push time (min).",
                                  field=missing)

    @property
    def has_bolus(self) -> bool:
        return self.bolus_mg_per_kg is not None


_FIELD_LABELS = {
    "rate_mg_per_kg_h": "a rate in mg/kg/h",
    "total_mg_per_kg": "a total dose in mg/kg",
    "dose_mg": "a dose in mg",
    "duration_minutes": "a duration in minutes",
    "concentration_mg_per_ml": "a concentration in mg/mL",
    "bolus_mg_per_kg": "a bolus dose in mg/kg",
    "bolus_minutes": "a bolus push time in minutes",
}


@dataclass(frozen=True, slots=True)
class DosePlan:
    """Every figure derived from an order and a weight, rounded, with every limit finding."""

    order: DoseOrder
    weight_kg: Decimal
    rate_mg_per_kg_h: Decimal | None
    mg_per_h: Decimal | None
    ml_per_h: Decimal | None
    duration_minutes: Decimal | None
    total_mg: Decimal
    total_mg_per_kg: Decimal
    volume_ml: Decimal | None
    bolus_mg: Decimal | None
    bolus_ml: Decimal | None
    findings: tuple[LimitFinding, ...]

    @property
    def hard_findings(self) -> tuple[LimitFinding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.HARD)

    @property
    def soft_findings(self) -> tuple[LimitFinding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.SOFT)

    @property
    def refused(self) -> bool:
        return bool(self.hard_findings)

    def summary(self) -> str:
        """One line with the dose per kg, the weight used and the calculated amounts together."""
        weight = format_quantity(self.weight_kg, Unit.KG)
        if self.rate_mg_per_kg_h is None or self.ml_per_h is None or self.mg_per_h is None:
            return f"{format_quantity(self.total_mg, Unit.MG)} (weight {weight})"
        return (f"{format_quantity(self.rate_mg_per_kg_h, Unit.MG_PER_KG_H)} × {weight} = "
                f"{format_quantity(self.mg_per_h, Unit.MG_PER_H)} = "
                f"{format_quantity(self.ml_per_h, Unit.ML_PER_H)}; total "
                f"{format_quantity(self.total_mg, Unit.MG)} in "
                f"{format_quantity(self.volume_ml or Decimal(0), Unit.ML)}")


def check_weight(weight_kg: Decimal, entry: LibraryEntry) -> None:
    if not weight_kg.is_finite() or weight_kg <= 0:
        raise ValidationError("Weight must be a measured number of kg, more than zero.",
                              field="weight_kg")
    if not entry.weight_min_kg <= weight_kg <= entry.weight_max_kg:
        raise ValidationError(
            f"Weight {format_quantity(weight_kg, Unit.KG)} is outside "
            f"{format_quantity(entry.weight_min_kg, Unit.KG)}–"
            f"{format_quantity(entry.weight_max_kg, Unit.KG)}. Check that it was measured in kg "
            "(not lb); outside this range the dose cannot be calculated.", field="weight_kg",
        )


def check_concentration(concentration: Decimal, entry: LibraryEntry) -> None:
    shown = format_quantity(concentration, Unit.MG_PER_ML)
    if concentration in VIAL_STRENGTHS_MG_PER_ML:
        raise ValidationError(
            f"{shown} is a vial strength: it means an undiluted vial was entered as the bag. "
            "Enter the diluted bag's concentration (usually 1 or 2 mg/mL).",
            field="concentration_mg_per_ml",
        )
    if concentration > entry.max_concentration_mg_per_ml:
        raise ValidationError(
            f"{shown} is above the highest infusion concentration allowed, "
            f"{format_quantity(entry.max_concentration_mg_per_ml, Unit.MG_PER_ML)}. "
            "Dilute further.", field="concentration_mg_per_ml",
        )


def calculate(order: DoseOrder, weight_kg: Decimal, entry: LibraryEntry) -> DosePlan:
    """Derive every figure for ``order`` at ``weight_kg`` and check it against ``entry``.

    Raises ``ValidationError`` for input that cannot be dosed at all (wrong drug, weight outside
    the hard range, a vial strength as the bag, a form the route does not use).
    """
    require_same_drug(order.drug, entry.drug)
    if order.form not in entry.forms:
        raise ValidationError(
            f"{entry.route.label.capitalize()} doses are written as "
            f"{' or '.join(form.label for form in entry.forms)}, not {order.form.label}.",
            field="form",
        )
    check_weight(weight_kg, entry)
    if order.form is DosingForm.FIXED_DOSE:
        return _fixed_dose(order, weight_kg, entry)
    return _infusion(order, weight_kg, entry)


def _infusion(order: DoseOrder, weight_kg: Decimal, entry: LibraryEntry) -> DosePlan:
    concentration = _required(order.concentration_mg_per_ml)
    check_concentration(concentration, entry)
    minutes = _required(order.duration_minutes)
    # Exact figures divide by the minutes last, so no inexact "hours" (40/60 = 0.666…) creeps
    # into a total and pushes a dose that sits exactly on a limit over it.
    if order.form is DosingForm.RATE_DURATION:
        exact_rate_per_kg = _required(order.rate_mg_per_kg_h)
        exact_mg_per_h = exact_rate_per_kg * weight_kg
        exact_infused = exact_mg_per_h * minutes / MINUTES_PER_HOUR
        dose_field = "rate_mg_per_kg_h"
    else:
        exact_infused = _required(order.total_mg_per_kg) * weight_kg
        exact_mg_per_h = exact_infused * MINUTES_PER_HOUR / minutes
        exact_rate_per_kg = _required(order.total_mg_per_kg) * MINUTES_PER_HOUR / minutes
        dose_field = "total_mg_per_kg"
    ml_per_h = round_to(exact_mg_per_h / concentration, STEP_RATE)
    if ml_per_h <= 0:
        raise ValidationError(
            "The rate works out below 0.1 mL/h, which a pump cannot run. Check the dose and the "
            "concentration.", field=dose_field,
        )
    # What the pump really gives at the rounded mL/h; checked alongside the ordered and the
    # shown figures, because rounding the pump rate up and the shown mg down could hide it.
    delivered_mg_per_h = ml_per_h * concentration
    delivered_rate_per_kg = delivered_mg_per_h / weight_kg
    delivered_infused = delivered_mg_per_h * minutes / MINUTES_PER_HOUR
    mg_per_h = round_to(delivered_mg_per_h, STEP_AMOUNT)
    rate_per_kg = round_to(delivered_rate_per_kg, STEP_PER_KG)
    infused_mg = round_to(delivered_infused, STEP_AMOUNT)
    volume_ml = round_to(ml_per_h * minutes / MINUTES_PER_HOUR, STEP_AMOUNT)

    bolus_mg = bolus_ml = None
    exact_bolus_mg = delivered_bolus_mg = Decimal(0)
    if order.has_bolus:
        if not entry.bolus_allowed:
            raise ValidationError(
                "This library entry does not allow a bolus. Remove the bolus, or ask for an "
                "entry that allows one.", field="bolus_mg_per_kg",
            )
        exact_bolus_mg = _required(order.bolus_mg_per_kg) * weight_kg
        bolus_mg = round_to(exact_bolus_mg, STEP_AMOUNT)
        bolus_ml = round_to(bolus_mg / concentration, STEP_AMOUNT)
        if bolus_ml <= 0:
            raise ValidationError(
                "The bolus works out below 0.1 mL at this concentration, which cannot be drawn "
                "up. Check the bolus dose and the concentration.", field="bolus_mg_per_kg",
            )
        delivered_bolus_mg = bolus_ml * concentration
    total_mg = infused_mg + (bolus_mg or Decimal(0))

    table = entry.limits
    findings = [
        *_check_all(table, LimitParameter.RATE_MG_PER_KG_H, exact_rate_per_kg,
                    delivered_rate_per_kg, rate_per_kg),
        *_check_all(table, LimitParameter.RATE_MG_PER_H, exact_mg_per_h, delivered_mg_per_h,
                    mg_per_h),
        *_totals(entry, weight_kg, exact_infused + exact_bolus_mg,
                 delivered_infused + delivered_bolus_mg, total_mg),
        *check(table, LimitParameter.SESSION_MINUTES, low=minutes, high=minutes),
    ]
    if order.has_bolus:
        minutes_push = _required(order.bolus_minutes)
        findings.extend([
            *_check_all(table, LimitParameter.BOLUS_MG_PER_KG, _required(order.bolus_mg_per_kg),
                        (bolus_mg or Decimal(0)) / weight_kg, delivered_bolus_mg / weight_kg),
            *check(table, LimitParameter.BOLUS_MINUTES, low=minutes_push, high=minutes_push),
        ])
    return DosePlan(
        order=order, weight_kg=weight_kg, rate_mg_per_kg_h=rate_per_kg, mg_per_h=mg_per_h,
        ml_per_h=ml_per_h, duration_minutes=minutes, total_mg=total_mg,
        total_mg_per_kg=round_to(total_mg / weight_kg, STEP_PER_KG), volume_ml=volume_ml,
        bolus_mg=bolus_mg, bolus_ml=bolus_ml, findings=tuple(findings),
    )


def _check_all(
    table: LimitTable, parameter: LimitParameter, *values: Decimal
) -> list[LimitFinding]:
    """Upper bounds against the largest of the figures, lower bounds against the smallest."""
    return check(table, parameter, low=min(values), high=max(values))


def _totals(
    entry: LibraryEntry, weight_kg: Decimal, *totals_mg: Decimal
) -> list[LimitFinding]:
    high = max(totals_mg)
    low = min(totals_mg)
    return [
        *check(entry.limits, LimitParameter.SESSION_TOTAL_MG, low=low, high=high),
        *check(entry.limits, LimitParameter.SESSION_TOTAL_MG_PER_KG, low=low / weight_kg,
               high=round_to(high / weight_kg, STEP_PER_KG).max(high / weight_kg)),
    ]


def _fixed_dose(order: DoseOrder, weight_kg: Decimal, entry: LibraryEntry) -> DosePlan:
    exact = _required(order.dose_mg)
    dose = round_to(exact, STEP_AMOUNT)
    findings = [
        *check(entry.limits, LimitParameter.DOSE_MG, low=min(exact, dose), high=max(exact, dose)),
        *_totals(entry, weight_kg, exact, dose),
    ]
    return DosePlan(
        order=order, weight_kg=weight_kg, rate_mg_per_kg_h=None, mg_per_h=None, ml_per_h=None,
        duration_minutes=order.duration_minutes, total_mg=dose,
        total_mg_per_kg=round_to(dose / weight_kg, STEP_PER_KG), volume_ml=None,
        bolus_mg=None, bolus_ml=None, findings=tuple(findings),
    )


def _required(value: Decimal | None) -> Decimal:
    if value is None:  # DoseOrder.__post_init__ makes this unreachable for valid orders
        raise ValidationError("A required dose figure is missing.")
    return value
