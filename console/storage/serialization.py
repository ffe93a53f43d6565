"""Domain values <-> the JSON text kept in rows (decimals as strings, enums as values)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from console.domain.dosing import DoseOrder
from console.domain.drugs import DosingForm, Drug, Route
from console.domain.library import LibraryEntry
from console.domain.limits import LimitParameter, LimitRange

_RANGE_FIELDS = ("soft_min", "soft_max", "hard_min", "hard_max")
_ORDER_DECIMALS = ("concentration_mg_per_ml", "rate_mg_per_kg_h", "total_mg_per_kg", "dose_mg",
                   "duration_minutes", "bolus_mg_per_kg", "bolus_minutes")


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _undec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def entry_to_dict(entry: LibraryEntry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "drug": entry.drug.value,
        "route": entry.route.value,
        "limits": {
            parameter.value: {name: _dec(getattr(bounds, name)) for name in _RANGE_FIELDS}
            for parameter, bounds in entry.limits.items()
        },
        "standard_concentrations_mg_per_ml": [
            _dec(value) for value in entry.standard_concentrations_mg_per_ml
        ],
        "max_concentration_mg_per_ml": _dec(entry.max_concentration_mg_per_ml),
        "weight_min_kg": _dec(entry.weight_min_kg),
        "weight_max_kg": _dec(entry.weight_max_kg),
        "weight_change_warn_percent": _dec(entry.weight_change_warn_percent),
        "bolus_allowed": entry.bolus_allowed,
        "minimum_age_years": entry.minimum_age_years,
        "sessions_per_7_days_soft": entry.sessions_per_7_days_soft,
        "sessions_per_course_soft": entry.sessions_per_course_soft,
        "forms": [form.value for form in entry.forms],
    }


def entry_from_dict(data: dict[str, Any]) -> LibraryEntry:
    return LibraryEntry(
        name=data["name"],
        drug=Drug(data["drug"]),
        route=Route(data["route"]),
        limits={
            LimitParameter(key): LimitRange(
                **{name: _undec(raw.get(name)) for name in _RANGE_FIELDS}
            )
            for key, raw in data["limits"].items()
        },
        standard_concentrations_mg_per_ml=tuple(
            Decimal(value) for value in data["standard_concentrations_mg_per_ml"]
        ),
        max_concentration_mg_per_ml=Decimal(data["max_concentration_mg_per_ml"]),
        weight_min_kg=Decimal(data["weight_min_kg"]),
        weight_max_kg=Decimal(data["weight_max_kg"]),
        weight_change_warn_percent=Decimal(data["weight_change_warn_percent"]),
        bolus_allowed=bool(data["bolus_allowed"]),
        minimum_age_years=int(data["minimum_age_years"]),
        sessions_per_7_days_soft=int(data["sessions_per_7_days_soft"]),
        sessions_per_course_soft=int(data["sessions_per_course_soft"]),
        forms=tuple(DosingForm(value) for value in data["forms"]),
    )


def entry_to_json(entry: LibraryEntry) -> str:
    return json.dumps(entry_to_dict(entry), sort_keys=True, separators=(",", ":"))


def entry_from_json(text: str) -> LibraryEntry:
    return entry_from_dict(json.loads(text))


def order_to_dict(order: DoseOrder) -> dict[str, Any]:
    data: dict[str, Any] = {"drug": order.drug.value, "form": order.form.value}
    data.update({name: _dec(getattr(order, name)) for name in _ORDER_DECIMALS})
    return data


def order_from_dict(data: dict[str, Any]) -> DoseOrder:
    return DoseOrder(
        drug=Drug(data["drug"]), form=DosingForm(data["form"]),
        **{name: _undec(data.get(name)) for name in _ORDER_DECIMALS},
    )


def order_to_json(order: DoseOrder) -> str:
    return json.dumps(order_to_dict(order), sort_keys=True, separators=(",", ":"))


def order_from_json(text: str) -> DoseOrder:
    return order_from_dict(json.loads(text))
