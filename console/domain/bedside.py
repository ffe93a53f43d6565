"""Bedside rules before, during and after an infusion: weight, preparation, the independent
double check, pre-start checks, observation cadence and the discharge checklist."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from console.domain.signatures import Signature
from console.domain.units import STEP_AMOUNT, Unit, format_quantity, round_to
from console.errors import ValidationError

# ---------------------------------------------------------------- weight


@dataclass(frozen=True, slots=True)
class WeightCheck:
    weight_kg: Decimal
    change_percent: Decimal | None

    @property
    def warns(self) -> bool:
        return self.change_percent is not None and abs(self.change_percent) > Decimal(10)

    def warning(self, threshold: Decimal) -> str | None:
        if self.change_percent is None or abs(self.change_percent) <= threshold:
            return None
        return (f"Weight changed by {self.change_percent:+.1f}% since the last visit. Re-weigh "
                "and check the scale is set to kg; give a reason to go on.")


def compare_weight(weight_kg: Decimal, previous_kg: Decimal | None) -> WeightCheck:
    if previous_kg is None or previous_kg <= 0:
        return WeightCheck(weight_kg, None)
    change = (weight_kg - previous_kg) / previous_kg * 100
    return WeightCheck(weight_kg, change.quantize(Decimal("0.1")))


def measured_today(measured_at: datetime, now: datetime) -> bool:
    """Same local calendar day: a weight from yesterday is not today's weight."""
    return measured_at.astimezone().date() == now.astimezone().date()


# ---------------------------------------------------------------- preparation


@dataclass(frozen=True, slots=True)
class Preparation:
    vial_mg_per_ml: Decimal
    lot: str
    expiry: date
    drawn_mg: Decimal
    diluent: str
    bag_volume_ml: Decimal

    @property
    def drawn_ml(self) -> Decimal:
        return round_to(self.drawn_mg / self.vial_mg_per_ml, Decimal("0.01"))

    @property
    def concentration_mg_per_ml(self) -> Decimal:
        """Final concentration: the drug drawn over the bag's total volume, to 0.01 mg/mL."""
        return round_to(self.drawn_mg / self.bag_volume_ml, Decimal("0.01"))


DILUENTS = ("Sodium chloride 0.9%", "Glucose 5%")


def check_preparation(prep: Preparation, today: date, *, ordered_mg_per_ml: Decimal,
                      vial_strengths: Sequence[Decimal]) -> None:
    if prep.vial_mg_per_ml not in vial_strengths:
        raise ValidationError(
            "Choose the vial strength printed on the vial (10, 50 or 100 mg/mL).",
            field="vial_mg_per_ml")
    lot = prep.lot.strip()
    if not 2 <= len(lot) <= 40:
        raise ValidationError("Enter the lot number printed on the vial.", field="lot")
    if prep.expiry < today:
        raise ValidationError(
            f"The vial expired on {prep.expiry:%d %b %Y}. Do not use it: take another vial.",
            field="expiry")
    if prep.diluent not in DILUENTS:
        raise ValidationError("Choose the diluent: sodium chloride 0.9% or glucose 5%.",
                              field="diluent")
    if prep.drawn_mg <= 0 or prep.bag_volume_ml <= 0:
        raise ValidationError("Enter the mg drawn and the bag volume.", field="drawn_mg")
    if prep.drawn_ml > prep.bag_volume_ml:
        raise ValidationError("The drug volume drawn is more than the bag volume. Check both.",
                              field="bag_volume_ml")
    if prep.concentration_mg_per_ml != ordered_mg_per_ml:
        raise ValidationError(
            f"This bag is {format_quantity(prep.concentration_mg_per_ml, Unit.MG_PER_ML)} but "
            f"the protocol orders {format_quantity(ordered_mg_per_ml, Unit.MG_PER_ML)}. Prepare "
            "the bag as ordered.", field="drawn_mg")


# ---------------------------------------------------------------- independent double check


@dataclass(frozen=True, slots=True)
class DoubleCheckEntry:
    """What the second person typed, without seeing the first person's values."""

    weight_kg: Decimal
    concentration_mg_per_ml: Decimal
    rate_ml_per_h: Decimal


def double_check_mismatches(entry: DoubleCheckEntry, *, weight_kg: Decimal,
                            concentration_mg_per_ml: Decimal,
                            rate_ml_per_h: Decimal) -> list[str]:
    """Each figure the second person entered that differs from the program."""
    mismatches = []
    pairs = [("weight", entry.weight_kg, weight_kg, Unit.KG),
             ("concentration", entry.concentration_mg_per_ml, concentration_mg_per_ml,
              Unit.MG_PER_ML),
             ("pump rate", entry.rate_ml_per_h, rate_ml_per_h, Unit.ML_PER_H)]
    for name, typed, expected, unit in pairs:
        if typed != expected:
            mismatches.append(f"{name}: checker entered {format_quantity(typed, unit)}, the "
                              f"program has {format_quantity(expected, unit)}")
    return mismatches


# ---------------------------------------------------------------- the record's parts


@dataclass(frozen=True, slots=True)
class DoubleCheckAttempt:
    checker_name: str
    at: datetime
    mismatches: tuple[str, ...]

    @property
    def matched(self) -> bool:
        return not self.mismatches


@dataclass(frozen=True, slots=True)
class Addendum:
    text: str
    reason: str
    by_name: str
    at: datetime
    signature: Signature | None


# ---------------------------------------------------------------- pre-start checks


class CheckStatus(enum.StrEnum):
    PASSED = "passed"
    WARNING = "warning"  # a soft finding: a reason lets the nurse go on
    FAILED = "failed"  # blocks the start (some can be overridden by a clinician)


@dataclass(frozen=True, slots=True)
class PreStartCheck:
    key: str
    title: str
    status: CheckStatus
    detail: str
    clinician_override: bool = False  # a failure a clinician may override with a reason

    @property
    def blocks(self) -> bool:
        return self.status is CheckStatus.FAILED


BP_BLOCK_SYSTOLIC = 180
BP_BLOCK_DIASTOLIC = 100
BP_WARN_SYSTOLIC = 160
BP_WARN_DIASTOLIC = 90
BASELINE_WINDOW = timedelta(minutes=30)


def blood_pressure_gate(systolic: int | None, diastolic: int | None) -> PreStartCheck:
    title = "Blood pressure before start"
    if systolic is None or diastolic is None:
        return PreStartCheck("bp_gate", title, CheckStatus.FAILED,
                             "No baseline blood pressure recorded.")
    shown = f"{systolic}/{diastolic} mmHg"
    if systolic > BP_BLOCK_SYSTOLIC or diastolic > BP_BLOCK_DIASTOLIC:
        return PreStartCheck("bp_gate", title, CheckStatus.FAILED,
                             f"{shown} is above 180/100: the start is blocked unless a clinician "
                             "overrides with a reason.", clinician_override=True)
    if systolic >= BP_WARN_SYSTOLIC or diastolic >= BP_WARN_DIASTOLIC:
        return PreStartCheck("bp_gate", title, CheckStatus.WARNING,
                             f"{shown} is raised (≥160/90): notify the clinician; a reason is "
                             "needed to start.")
    return PreStartCheck("bp_gate", title, CheckStatus.PASSED, f"{shown}.")


@dataclass(frozen=True, slots=True)
class Frequency:
    today: int
    last_7_days: int
    in_course: int


def frequency_check(counts: Frequency, *, per_7_days: int, per_course: int) -> PreStartCheck:
    title = "Session frequency"
    if counts.today:
        return PreStartCheck("frequency", title, CheckStatus.FAILED,
                             "This patient already had a session today: a second session the "
                             "same calendar day is not allowed.")
    notes = []
    if counts.last_7_days + 1 > per_7_days:
        notes.append(f"this would be session {counts.last_7_days + 1} in 7 days "
                     f"(more than {per_7_days})")
    if counts.in_course + 1 > per_course:
        notes.append(f"session {counts.in_course + 1} of a course planned at {per_course}")
    if notes:
        return PreStartCheck("frequency", title, CheckStatus.WARNING,
                             "; ".join(notes).capitalize() + ": a reason is needed.")
    return PreStartCheck("frequency", title, CheckStatus.PASSED,
                         f"Session {counts.in_course + 1} of the course; "
                         f"{counts.last_7_days} in the last 7 days.")


# ---------------------------------------------------------------- observation cadence


@dataclass(frozen=True, slots=True)
class Cadence:
    """Clinic observation cadence (CLINICAL.md): dense after the start and each increase."""

    dense_every: timedelta = timedelta(minutes=5)
    dense_for: timedelta = timedelta(minutes=15)
    routine_every: timedelta = timedelta(minutes=15)
    recovery_every: timedelta = timedelta(minutes=15)


def next_observation_due(*, started_at: datetime | None, intensifiers: Sequence[datetime],
                         last_observation: datetime | None, stopped_at: datetime | None,
                         cadence: Cadence | None = None) -> datetime | None:
    """When the next observation is due.

    ``intensifiers`` are rate increases and boluses: like the start, each is followed by
    observations every 5 minutes for 15 minutes; otherwise every 15 minutes, and every 15
    minutes of recovery after the stop.
    """
    cadence = cadence or Cadence()
    if started_at is None:
        return None
    if stopped_at is not None:
        since = last_observation if last_observation and last_observation > stopped_at \
            else stopped_at
        return since + cadence.recovery_every
    latest = max((started_at, *intensifiers))
    if last_observation is None or last_observation < latest:
        return latest + cadence.dense_every
    if last_observation < latest + cadence.dense_for:
        return last_observation + cadence.dense_every
    return last_observation + cadence.routine_every


# ---------------------------------------------------------------- discharge


@dataclass(frozen=True, slots=True)
class DischargeChecklist:
    padss: int
    alert_as_baseline: bool
    no_hallucinations: bool
    vitals_within_20_percent: bool
    escort_present: bool
    no_driving_advised: bool
    notes: str = ""

    def problems(self) -> list[str]:
        problems = []
        if not 0 <= self.padss <= 10:
            raise ValidationError("PADSS is scored 0 to 10.", field="padss")
        if self.padss < 9:
            problems.append(f"PADSS is {self.padss}: discharge needs 9 or more")
        for ok, text in ((self.alert_as_baseline, "alertness is not back to baseline"),
                         (self.no_hallucinations, "hallucinations are still present"),
                         (self.vitals_within_20_percent, "vitals are not within 20% of baseline"),
                         (self.escort_present, "no responsible adult escort"),
                         (self.no_driving_advised, "'no driving until tomorrow' not given")):
            if not ok:
                problems.append(text)
        return problems


def within_20_percent(value: Decimal | int, baseline: Decimal | int) -> bool:
    if baseline == 0:
        return value == 0
    return abs(Decimal(value) - Decimal(baseline)) <= Decimal(baseline) * Decimal("0.2")


@dataclass(frozen=True, slots=True)
class Readiness:
    checks: tuple[PreStartCheck, ...] = field(default=())

    @property
    def blocking(self) -> tuple[PreStartCheck, ...]:
        return tuple(c for c in self.checks if c.blocks)

    @property
    def warnings(self) -> tuple[PreStartCheck, ...]:
        return tuple(c for c in self.checks if c.status is CheckStatus.WARNING)


def rounded_mg(value: Decimal) -> Decimal:
    return round_to(value, STEP_AMOUNT)
