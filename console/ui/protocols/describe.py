"""Protocols and library entries in words and figures, the same way on every screen.

Numbers follow the clinical conventions of ``format_quantity``: a leading zero, no trailing
zero, a space before the unit.
"""

from __future__ import annotations

from decimal import Decimal

from console.domain.dosing import DoseOrder, DosePlan, calculate
from console.domain.drugs import DosingForm, Drug, Route
from console.domain.protocols import (
    LibraryStatus,
    LibraryVersion,
    PatientProtocol,
    ProtocolStatus,
    Titration,
)
from console.domain.units import Unit, format_number, format_quantity
from console.errors import UserFacingError
from console.ui.admin.common import format_local_time

STATUS_TEXT = {
    ProtocolStatus.DRAFT: "Draft — awaiting verification",
    ProtocolStatus.VERIFIED: "Verified — in force",
    ProtocolStatus.SUPERSEDED: "Superseded",
    ProtocolStatus.DISCONTINUED: "Discontinued",
}

LIBRARY_STATUS_TEXT = {
    LibraryStatus.DRAFT: "Draft — awaiting approval",
    LibraryStatus.APPROVED: "Approved — in use",
    LibraryStatus.RETIRED: "Retired",
}


def drug_name(drug: Drug) -> str:
    """``Ketamine (racemic)`` or ``Esketamine``."""
    label = drug.label
    return label[:1].upper() + label[1:]


def route_name(route: Route) -> str:
    """``IV continuous infusion``, ``Intranasal`` or ``Oral``."""
    label = route.label
    return label[:1].upper() + label[1:]


def duration_text(minutes: Decimal) -> str:
    """``4 h``, ``3 h 30 min`` or ``40 min``."""
    whole_hours, rest = divmod(minutes, Decimal(60))
    if whole_hours and rest:
        return f"{format_number(whole_hours)} h {format_number(rest)} min"
    if whole_hours:
        return f"{format_number(whole_hours)} h"
    return format_quantity(minutes, Unit.MINUTES)


def order_text(order: DoseOrder) -> str:
    """The dose as the clinician wrote it: ``0.35 mg/kg/h for 4 h · 1 mg/mL``."""
    if order.form is DosingForm.RATE_DURATION and order.rate_mg_per_kg_h is not None:
        dose = format_quantity(order.rate_mg_per_kg_h, Unit.MG_PER_KG_H)
        if order.duration_minutes is not None:
            dose += f" for {duration_text(order.duration_minutes)}"
    elif order.form is DosingForm.TOTAL_OVER_TIME and order.total_mg_per_kg is not None:
        dose = format_quantity(order.total_mg_per_kg, Unit.MG_PER_KG)
        if order.duration_minutes is not None:
            dose += f" over {duration_text(order.duration_minutes)}"
    elif order.dose_mg is not None:
        dose = format_quantity(order.dose_mg, Unit.MG)
    else:
        dose = order.form.label
    parts = [dose]
    if order.concentration_mg_per_ml is not None:
        parts.append(format_quantity(order.concentration_mg_per_ml, Unit.MG_PER_ML))
    if order.bolus_mg_per_kg is not None and order.bolus_minutes is not None:
        parts.append(f"bolus {format_quantity(order.bolus_mg_per_kg, Unit.MG_PER_KG)} over "
                     f"{duration_text(order.bolus_minutes)}")
    return " · ".join(parts)


def plan_text(plan: DosePlan) -> str:
    """What the pump is set to at the weight used: ``24.5 mL/h (24.5 mg/h) at 70 kg; 98 mg``."""
    weight = format_quantity(plan.weight_kg, Unit.KG)
    if plan.ml_per_h is None or plan.mg_per_h is None:  # a fixed dose: no pump figures
        return (f"{format_quantity(plan.total_mg, Unit.MG)} "
                f"({format_quantity(plan.total_mg_per_kg, Unit.MG_PER_KG)}) at {weight}")
    text = (f"{format_quantity(plan.ml_per_h, Unit.ML_PER_H)} "
            f"({format_quantity(plan.mg_per_h, Unit.MG_PER_H)}) at {weight} · total "
            f"{format_quantity(plan.total_mg, Unit.MG)}")
    if plan.volume_ml is not None:
        text += f" in {format_quantity(plan.volume_ml, Unit.ML)}"
    return text


def plan_for(protocol: PatientProtocol, entry: LibraryVersion | None) -> DosePlan | None:
    """The figures at the protocol's planning weight, if its library entry still allows them."""
    if entry is None:
        return None
    try:
        return calculate(protocol.order, protocol.planning_weight_kg, entry.entry)
    except UserFacingError:
        return None


def titration_text(titration: Titration | None) -> str:
    if titration is None:
        return "no titration range (the rate is fixed)"
    return (f"{format_number(titration.min_mg_per_kg_h)}–"
            f"{format_quantity(titration.max_mg_per_kg_h, Unit.MG_PER_KG_H)}")


def protocol_dose_summary(protocol: PatientProtocol, entry: LibraryVersion | None) -> str:
    """One line for a table: drug, dose as written, and the pump figures at the planning
    weight."""
    text = f"{drug_name(protocol.order.drug)} · {order_text(protocol.order)}"
    plan = plan_for(protocol, entry)
    if plan is not None and plan.ml_per_h is not None:
        text += (f" → {format_quantity(plan.ml_per_h, Unit.ML_PER_H)} at "
                 f"{format_quantity(plan.weight_kg, Unit.KG)}")
    elif plan is not None and entry is not None:  # a fixed dose: its route and mg/kg
        text += (f" {entry.entry.route.label} → "
                 f"{format_quantity(plan.total_mg_per_kg, Unit.MG_PER_KG)} at "
                 f"{format_quantity(plan.weight_kg, Unit.KG)}")
    else:
        text += f" · planning weight {format_quantity(protocol.planning_weight_kg, Unit.KG)}"
    return text


def protocol_details(protocol: PatientProtocol, entry: LibraryVersion | None, *,
                     brief: bool = False) -> list[str]:
    """Every line a clinician or nurse needs to read a protocol in full; ``brief`` leaves out
    what a protocol table row already shows (version, status, dose, author, verification)."""
    lines = [] if brief else [
        f"v{protocol.version} · {STATUS_TEXT[protocol.status]}",
        f"{drug_name(protocol.order.drug)} · {order_text(protocol.order)} · planning weight "
        f"{format_quantity(protocol.planning_weight_kg, Unit.KG)}",
    ]
    plan = plan_for(protocol, entry)
    if plan is not None:
        lines.append(f"At {format_quantity(plan.weight_kg, Unit.KG)}: {plan.summary()}")
    course = protocol.course
    lines.append(f"Course: {course.sessions} session{'' if course.sessions == 1 else 's'}, "
                 f"{course.sessions_per_week} a week · Titration: "
                 f"{titration_text(protocol.titration)}")
    for parameter, reason in protocol.override_reasons.items():
        lines.append(f"Soft limit overridden — {parameter.label} ({parameter.unit.value}): "
                     f"{reason}")
    if protocol.contraindication_ack:
        lines.append(f"Contraindication acknowledged: {protocol.contraindication_ack}")
    if protocol.notes:
        lines.append(f"Notes: {protocol.notes}")
    if not brief:
        signed = f"Written by {protocol.author_name}, {format_local_time(protocol.created_at)}"
        if protocol.verification is not None:
            signed += f" · {protocol.verification.manifestation()}"
        lines.append(signed)
    if entry is not None:
        lines.append(f"Library entry: {entry.entry.name} v{entry.version} "
                     f"({entry.status.value})")
    if protocol.discontinued_reason:
        lines.append(f"Discontinued: {protocol.discontinued_reason}")
    return lines
