"""A set of observations as entered at the bedside or sent by a monitor.

Impossible values are refused here (``VitalValues`` cannot hold them); values that are possible
but unlikely are reported by ``implausible`` so a nurse confirms them, and a monitor's are kept
but flagged as artifacts (a spike is never silently dropped).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from console.domain.scales import PossLevel
from console.errors import ValidationError


class VitalSource(enum.StrEnum):
    MANUAL = "manual"
    DEVICE = "device"


# field: (lowest possible, highest possible, label, unit)
POSSIBLE: dict[str, tuple[int, int, str, str]] = {
    "heart_rate": (0, 300, "Heart rate", "/min"),
    "systolic": (0, 300, "Systolic BP", "mmHg"),
    "diastolic": (0, 250, "Diastolic BP", "mmHg"),
    "spo2": (0, 100, "SpO2", "%"),
    "respiratory_rate": (0, 80, "Respiratory rate", "/min"),
    "etco2": (0, 150, "End-tidal CO2", "mmHg"),
    "pain_nrs": (0, 10, "Pain (NRS)", ""),
    "sedation_rass": (-5, 4, "RASS", ""),
    "sedation_moaa_s": (0, 5, "MOAA/S", ""),
    "dissociation": (0, 92, "Dissociation (CADSS)", ""),
}

# Possible but unusual in a seated outpatient: a nurse confirms, a monitor's value is an artifact.
PLAUSIBLE: dict[str, tuple[int, int]] = {
    "heart_rate": (30, 200),
    "systolic": (60, 250),
    "diastolic": (30, 150),
    "spo2": (70, 100),
    "respiratory_rate": (4, 45),
    "etco2": (10, 80),
}
PLAUSIBLE_TEMPERATURE = (Decimal(34), Decimal(41))
MIN_PULSE_PRESSURE = 10


@dataclass(frozen=True, slots=True)
class VitalValues:
    heart_rate: int | None = None
    systolic: int | None = None
    diastolic: int | None = None
    spo2: int | None = None
    respiratory_rate: int | None = None
    temperature_c: Decimal | None = None
    pain_nrs: int | None = None
    sedation_rass: int | None = None
    etco2: int | None = None
    sedation_poss: PossLevel | None = None
    sedation_moaa_s: int | None = None
    dissociation: int | None = None

    def __post_init__(self) -> None:
        for name, (low, high, label, unit) in POSSIBLE.items():
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(f"{label} must be a whole number.", field=name)
            if not low <= value <= high:
                shown = f" {unit}" if unit and unit != "/min" else unit
                raise ValidationError(
                    f"{label} must be from {low} to {high}{shown}. Check the reading.",
                    field=name)
        if self.temperature_c is not None and not Decimal(25) <= self.temperature_c <= 45:
            raise ValidationError("Temperature must be 25 to 45 °C.", field="temperature_c")
        if self.sedation_poss is not None and not isinstance(self.sedation_poss, PossLevel):
            raise ValidationError("POSS is S, 1, 2, 3 or 4.", field="sedation_poss")
        if (self.systolic is None) != (self.diastolic is None):
            raise ValidationError("Enter both systolic and diastolic pressure.",
                                  field="diastolic" if self.diastolic is None else "systolic")
        if self.systolic is not None and self.diastolic is not None \
                and self.diastolic >= self.systolic:
            raise ValidationError("Diastolic must be below systolic. Check the reading.",
                                  field="diastolic")
        if all(getattr(self, f.name) is None for f in fields(self)):
            raise ValidationError("Enter at least one observation.", field="heart_rate")

    @property
    def mean_arterial(self) -> int | None:
        """MAP = (SBP + 2 × DBP) / 3, rounded half up: derived, never entered."""
        if self.systolic is None or self.diastolic is None:
            return None
        mean = (Decimal(self.systolic) + 2 * Decimal(self.diastolic)) / 3
        return int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def present(self) -> tuple[str, ...]:
        """The names of the fields that hold a value."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name) is not None)

    def as_dict(self) -> dict[str, str | int | None]:
        result: dict[str, str | int | None] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, PossLevel):
                value = value.value
            result[f.name] = value
        return result

    @classmethod
    def from_dict(cls, data: dict[str, str | int | None]) -> VitalValues:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        temperature = values.pop("temperature_c", None)
        poss = values.pop("sedation_poss", None)
        return cls(**values,  # type: ignore[arg-type]
                   temperature_c=None if temperature is None else Decimal(str(temperature)),
                   sedation_poss=None if poss is None else PossLevel(str(poss)))


@dataclass(frozen=True, slots=True)
class Implausible:
    """A value that is possible but unusual: the nurse confirms it, a monitor's is an artifact."""

    field: str
    message: str


def implausible(values: VitalValues) -> tuple[Implausible, ...]:
    """Every value outside what a seated outpatient plausibly shows, in field order."""
    found: list[Implausible] = []
    for name, (low, high) in PLAUSIBLE.items():
        value = getattr(values, name)
        if value is not None and not low <= value <= high:
            label, unit = POSSIBLE[name][2:]
            shown = f"{value} {unit}" if unit != "/min" else f"{value}/min"
            found.append(Implausible(name, f"{label} {shown} is unusual (expected {low}–{high})"
                                           ": re-measure, then confirm if it is right."))
    if values.temperature_c is not None:
        low_t, high_t = PLAUSIBLE_TEMPERATURE
        if not low_t <= values.temperature_c <= high_t:
            found.append(Implausible("temperature_c", f"Temperature {values.temperature_c} °C "
                                     f"is unusual (expected {low_t}–{high_t} °C): re-measure, "
                                     "then confirm if it is right."))
    if values.systolic is not None and values.diastolic is not None \
            and values.systolic - values.diastolic < MIN_PULSE_PRESSURE:
        found.append(Implausible("diastolic", f"Blood pressure {values.systolic}/"
                                 f"{values.diastolic} has a pulse pressure under "
                                 f"{MIN_PULSE_PRESSURE} mmHg: re-measure, then confirm if it "
                                 "is right."))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class VitalSign:
    """One stored set. A correction is a new set pointing at the one it corrects
    (``corrects_id``); the original stays, marked ``corrected_by``. ``confirmed`` names the
    unusual values the nurse confirmed after re-measuring."""

    id: int
    at: datetime
    values: VitalValues
    source: VitalSource
    by_name: str
    corrects_id: int | None = None
    correction_reason: str | None = None
    entered_at: datetime | None = None
    device: str | None = None
    confirmed: tuple[str, ...] = ()
    corrected_by: int | None = None

    @property
    def superseded(self) -> bool:
        return self.corrected_by is not None


@dataclass(frozen=True, slots=True)
class DeviceArtifact:
    """A monitor value kept but not charted as real or judged by the alarms: impossible,
    implausible, or flagged by the parser. ``value`` is the text as received."""

    id: int
    at: datetime
    field: str
    value: str
    reason: str
    device: str
