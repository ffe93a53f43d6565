"""A set of observations as entered at the bedside or sent by a monitor."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal

from console.errors import ValidationError


class VitalSource(enum.StrEnum):
    MANUAL = "manual"
    DEVICE = "device"


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

    def __post_init__(self) -> None:
        ranges = {
            "heart_rate": (0, 300, "Heart rate"), "systolic": (0, 300, "Systolic BP"),
            "diastolic": (0, 250, "Diastolic BP"), "spo2": (0, 100, "SpO2"),
            "respiratory_rate": (0, 80, "Respiratory rate"), "pain_nrs": (0, 10, "Pain (NRS)"),
            "sedation_rass": (-5, 4, "RASS"),
        }
        for name, (low, high, label) in ranges.items():
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                raise ValidationError(f"{label} must be from {low} to {high}.", field=name)
        if self.temperature_c is not None and not Decimal(25) <= self.temperature_c <= 45:
            raise ValidationError("Temperature must be 25 to 45 °C.", field="temperature_c")
        if (self.systolic is None) != (self.diastolic is None):
            raise ValidationError("Enter both systolic and diastolic pressure.",
                                  field="diastolic")
        if self.systolic is not None and self.diastolic is not None \
                and self.diastolic >= self.systolic:
            raise ValidationError("Diastolic must be below systolic. Check the reading.",
                                  field="diastolic")
        if all(getattr(self, f.name) is None for f in fields(self)):
            raise ValidationError("Enter at least one observation.", field="heart_rate")

    def as_dict(self) -> dict[str, str | int | None]:
        return {f.name: (str(v) if isinstance(v := getattr(self, f.name), Decimal) else v)
                for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, str | int | None]) -> VitalValues:
        temperature = data.get("temperature_c")
        return cls(**{**{k: v for k, v in data.items() if k != "temperature_c"},  # type: ignore[arg-type]
                      "temperature_c": None if temperature is None else Decimal(str(temperature))})


@dataclass(frozen=True, slots=True)
class VitalSign:
    id: int
    at: datetime
    values: VitalValues
    source: VitalSource
    by_name: str
    corrects_id: int | None = None
    correction_reason: str | None = None
