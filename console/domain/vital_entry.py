"""Turning what a nurse typed into a ``VitalValues``: one message per field that says what is
wrong and what to type instead. Screens hand the raw text here; nothing is parsed in a widget.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from console.domain.scales import DissociationScale, PossLevel, SedationScale
from console.domain.vitals import VitalValues
from console.errors import ValidationError

MINUS_SIGNS = "−–-"  # U+2212, en dash, hyphen: all read as minus on a RASS score


@dataclass(frozen=True, slots=True)
class EntryField:
    name: str
    label: str
    unit: str
    example: str


def entry_fields(sedation: SedationScale,
                 dissociation: DissociationScale) -> tuple[EntryField, ...]:
    """The boxes of one observation row, in the order a nurse reads them off the monitor."""
    sedation_field = {
        SedationScale.RASS: EntryField("sedation_rass", "RASS", "+4…−5", "0"),
        SedationScale.POSS: EntryField("sedation_poss", "POSS", "S, 1–4", "1"),
        SedationScale.MOAA_S: EntryField("sedation_moaa_s", "MOAA/S", "5…0", "5"),
    }[sedation]
    return (
        EntryField("heart_rate", "HR", "/min", "72"),
        EntryField("systolic", "SBP", "mmHg", "124"),
        EntryField("diastolic", "DBP", "mmHg", "78"),
        EntryField("spo2", "SpO2", "%", "98"),
        EntryField("respiratory_rate", "RR", "/min", "14"),
        EntryField("temperature_c", "Temp", "°C", "36.8"),
        EntryField("etco2", "EtCO2", "mmHg", "38"),
        EntryField("pain_nrs", "Pain", "0–10", "3"),
        sedation_field,
        EntryField("dissociation", dissociation.short_label,
                   f"0–{dissociation.max_score}", "4"),
    )


def _whole(text: str, item: EntryField, *, signed: bool = False) -> int:
    cleaned = text.replace(" ", "")
    if signed and cleaned[:1] in MINUS_SIGNS:
        cleaned = "-" + cleaned[1:]
    if cleaned.startswith("+") and signed:
        cleaned = cleaned[1:]
    if not cleaned.lstrip("-").isdigit():
        hint = " Use a point for decimals." if "," in text else ""
        raise ValidationError(f"{item.label} must be a whole number, like {item.example} "
                              f"(you entered '{text}').{hint}", field=item.name)
    return int(cleaned)


def _temperature(text: str, item: EntryField) -> Decimal:
    if "," in text:
        raise ValidationError(f"Write the temperature with a point, like 36.8 (you entered "
                              f"'{text}').", field=item.name)
    cleaned = text.replace("°C", "").replace("°", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValidationError(f"Temperature must be a number in °C, like 36.8 (you entered "
                              f"'{text}').", field=item.name) from exc
    if not value.is_finite():
        raise ValidationError("Temperature must be a number in °C, like 36.8.",
                              field=item.name)
    if value > 50:
        raise ValidationError(f"Temperature is charted in °C: {text} looks like °F. Enter it "
                              "in °C, like 36.8.", field=item.name)
    return value


def parse_observations(texts: Mapping[str, str], *, sedation: SedationScale,
                       dissociation: DissociationScale) -> VitalValues:
    """The typed boxes as one set. Empty boxes stay empty; anything else must parse and be
    possible (``VitalValues`` refuses the impossible). Unknown box names are refused."""
    items = {item.name: item for item in entry_fields(sedation, dissociation)}
    unknown = set(texts) - set(items)
    if unknown:
        raise ValidationError(f"Unknown observation {sorted(unknown)[0]!r}.",
                              field=sorted(unknown)[0])
    values: dict[str, object] = {}
    for name, raw in texts.items():
        text = raw.strip()
        if not text:
            continue
        item = items[name]
        if name == "temperature_c":
            values[name] = _temperature(text, item)
        elif name == "sedation_poss":
            try:
                values[name] = PossLevel(text.upper())
            except ValueError as exc:
                raise ValidationError(f"POSS is S, 1, 2, 3 or 4 (you entered '{text}').",
                                      field=name) from exc
        else:
            values[name] = _whole(text, item, signed=name == "sedation_rass")
    result = VitalValues(**values)  # type: ignore[arg-type]
    if result.dissociation is not None and result.dissociation > dissociation.max_score:
        raise ValidationError(f"{dissociation.short_label} is scored 0 to "
                              f"{dissociation.max_score}; {result.dissociation} is outside it. "
                              "Check the total.", field="dissociation")
    return result


def entry_texts(values: VitalValues, *, sedation: SedationScale,
                dissociation: DissociationScale) -> dict[str, str]:
    """A stored set back as box texts (to pre-fill a correction)."""
    texts: dict[str, str] = {}
    for item in entry_fields(sedation, dissociation):
        value = getattr(values, item.name)
        if value is None:
            texts[item.name] = ""
        elif isinstance(value, PossLevel):
            texts[item.name] = value.value
        elif item.name == "sedation_rass" and value > 0:
            texts[item.name] = f"+{value}"
        else:
            texts[item.name] = str(value)
    return texts
