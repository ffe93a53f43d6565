"""Numbers as clinicians read and type them.

Shown: always a leading zero (0.35), never a trailing zero in a dose (25 mg, not 25.0 mg), a
space before the unit, "mL" not "cc", "mcg" not "µg". Typed: a plain decimal number, optionally
followed by the unit the field expects; anything else is refused with a message saying what to
enter instead.
"""

from __future__ import annotations

import enum
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from console.errors import ValidationError


class Unit(enum.StrEnum):
    MG = "mg"
    MCG = "mcg"
    ML = "mL"
    KG = "kg"
    LB = "lb"  # only for a scale reading that is converted to kg before anything is stored
    MG_PER_KG = "mg/kg"
    MG_PER_KG_H = "mg/kg/h"
    MG_PER_H = "mg/h"
    ML_PER_H = "mL/h"
    MG_PER_ML = "mg/mL"
    MINUTES = "min"
    HOURS = "h"


# Spellings people type for each unit (compared case-insensitively, spaces removed).
_ALIASES: dict[Unit, tuple[str, ...]] = {
    Unit.MG: ("mg",),
    Unit.MCG: ("mcg", "µg", "ug"),
    Unit.ML: ("ml", "cc"),
    Unit.KG: ("kg", "kgs"),
    Unit.LB: ("lb", "lbs", "pound", "pounds"),
    Unit.MG_PER_KG: ("mg/kg",),
    Unit.MG_PER_KG_H: ("mg/kg/h", "mg/kg/hr", "mg/kg/hour"),
    Unit.MG_PER_H: ("mg/h", "mg/hr", "mg/hour"),
    Unit.ML_PER_H: ("ml/h", "ml/hr", "ml/hour", "cc/h", "cc/hr"),
    Unit.MG_PER_ML: ("mg/ml",),
    Unit.MINUTES: ("min", "mins", "minutes", "minute"),
    Unit.HOURS: ("h", "hr", "hrs", "hour", "hours"),
}
_POUNDS = ("lb", "lbs", "pound", "pounds", "#")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_NUMBER_THEN_TEXT = re.compile(r"^\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+))\s*(.*?)\s*$")

STEP_RATE = Decimal("0.1")  # mL/h: what infusion pumps accept
STEP_AMOUNT = Decimal("0.1")  # mg and mL
STEP_PER_KG = Decimal("0.001")  # mg/kg and mg/kg/h figures derived for display and checks
LB_PER_KG = Decimal("2.20462262185")


def round_to(value: Decimal, step: Decimal) -> Decimal:
    """Round half up to a multiple of ``step`` (the documented rounding everywhere)."""
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def format_number(value: Decimal) -> str:
    """Leading zero, no trailing zeros, no exponent: 0.35, 25, 24.5."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in {"-0", ""}:
        text = "0"
    return text


def format_quantity(value: Decimal, unit: Unit) -> str:
    return f"{format_number(value)} {unit.value}"


def _unit_of(text: str) -> Unit | None:
    key = text.replace(" ", "").lower()
    for unit, spellings in _ALIASES.items():
        if key in spellings:
            return unit
    return None


def parse_quantity(
    raw: str | Decimal | int | float, *, unit: Unit, field: str, label: str
) -> Decimal:
    """A positive, finite number for a field measured in ``unit``.

    Accepts "24.5" or "24.5 mL/h"; refuses decimal commas, other units, pounds where kilograms
    are expected, words, and values that are not finite or not positive, each with a message.
    """
    if isinstance(raw, Decimal | int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        value = _parse_text(raw, unit=unit, field=field, label=label)
    if not value.is_finite():
        raise ValidationError(f"{label} must be a number.", field=field)
    if value <= 0:
        raise ValidationError(
            f"{label} must be more than zero (you entered {format_number(value)}).", field=field
        )
    return value


def _parse_text(raw: str, *, unit: Unit, field: str, label: str) -> Decimal:
    text = " ".join(raw.split())
    expected = f"a number in {unit.value}, for example {_example(unit)}"
    if not text:
        raise ValidationError(f"Enter {label.lower()}: {expected}.", field=field)
    match = _NUMBER_THEN_TEXT.match(text)
    if match is None:
        raise ValidationError(f"{label} must be {expected} (you entered '{raw.strip()}').",
                              field=field)
    number, suffix = match.group(1), match.group(2)
    if "," in number:
        raise ValidationError(
            f"{label}: use a decimal point, not a comma ({number.replace(',', '.')} "
            f"rather than {number}).", field=field,
        )
    if suffix:
        if unit is Unit.KG and suffix.replace(" ", "").lower() in _POUNDS:
            raise ValidationError(
                f"{label} is recorded in kg only. {number} lb is "
                f"{format_number(round_to(Decimal(number) / LB_PER_KG, STEP_AMOUNT))} kg: "
                "enter the weight in kg (the weight screen can convert a reading in lb).",
                field=field,
            )
        typed = _unit_of(suffix)
        if typed is None or typed is not unit:
            raise ValidationError(
                f"{label} is measured in {unit.value}; '{suffix}' does not fit. "
                f"Enter {expected}.", field=field,
            )
    if not _NUMBER.match(number):
        raise ValidationError(f"{label} must be {expected}.", field=field)
    try:
        return Decimal(number)
    except InvalidOperation as exc:
        raise ValidationError(f"{label} must be {expected}.", field=field) from exc


def _example(unit: Unit) -> str:
    return {
        Unit.KG: "72.4", Unit.LB: "160", Unit.MG_PER_KG_H: "0.35", Unit.MG_PER_KG: "0.5",
        Unit.MG_PER_ML: "1", Unit.ML_PER_H: "24.5", Unit.MINUTES: "40", Unit.HOURS: "4",
    }.get(unit, "25")


def pounds_to_kg(pounds: Decimal) -> Decimal:
    """A reading in lb converted to kg, rounded to 0.1 kg (shown to the nurse before saving)."""
    return round_to(pounds / LB_PER_KG, STEP_AMOUNT)
