"""How a logged side effect reads on every screen that shows one."""

from __future__ import annotations

from datetime import datetime, timedelta

from console.domain.side_effects import Grade, SideEffect
from console.domain.units import format_quantity
from console.errors import ValidationError
from console.ui.session.common import clock_time, duration_text, parse_event_time

GRADE_WORDS = {grade: grade.word.capitalize() for grade in Grade}
"""``Mild`` … ``Death``: the CTCAE words beside each grade button."""


def time_or_now(text: str, now: datetime, *, field: str) -> datetime | None:
    """A time box read like the other bedside time boxes (blank is now, ``HH:MM`` today), with
    a refusal naming ``field``."""
    try:
        return parse_event_time(text, now)
    except ValidationError as error:
        raise ValidationError(error.message, field=field) from None


def time_open(effect: SideEffect, now: datetime) -> str:
    """``open 25 min`` (or ``resolved 10:40``)."""
    if effect.is_open:
        return f"open {duration_text(max(now - effect.onset_at, timedelta(0)))}"
    when = f" {clock_time(effect.resolved_at)}" if effect.resolved_at else ""
    outcome = effect.outcome.label.lower() if effect.outcome else ""
    return f"{outcome}{when}"


def headline(effect: SideEffect) -> str:
    """``Nausea — grade 2 (moderate), serious`` for a list line."""
    text = f"{effect.term} — grade {effect.grade.value} ({effect.grade.word})"
    return text + (", SERIOUS" if effect.serious else "")


def detail_line(effect: SideEffect) -> str:
    """Onset, relationship, action, treatments and outcome in one line."""
    parts = [f"onset {clock_time(effect.onset_at)}", f"{effect.relationship.label.lower()}",
             f"infusion: {effect.action.label.lower()}"]
    parts += [f"{t.medication_name} {format_quantity(t.dose, t.unit)} {t.route.label} "
              f"{clock_time(t.given_at)}" for t in effect.treatments]
    if effect.outcome is None:
        parts.append("no outcome yet")
    else:
        parts.append(effect.outcome.label.lower() + (
            f" {clock_time(effect.resolved_at)}" if effect.resolved_at else ""))
    if effect.notification is not None:
        parts.append(f"{effect.notification.clinician_name} told "
                     f"{clock_time(effect.notification.at)}")
    return " · ".join(parts)


def timeline_lines(effect: SideEffect) -> list[tuple[datetime, str]]:
    """What the session timeline shows for one effect: its onset, each rescue dose, the
    clinician told, and the resolution."""
    lines = [(effect.onset_at, f"{clock_time(effect.onset_at)}  ◆ Side effect: {effect.summary}"
                               f"  · {effect.recorded_by}")]
    for treatment in effect.treatments:
        lines.append((treatment.given_at, f"{clock_time(treatment.given_at)}  ◆ Rescue for "
                                          f"{effect.term}: {treatment.description}"))
    told = effect.notification
    if told is not None:
        lines.append((told.at, f"{clock_time(told.at)}  ◆ {told.clinician_name} told of "
                               f"{effect.term}  · {told.recorded_by}"))
    if effect.resolved_at is not None and effect.outcome is not None:
        lines.append((effect.resolved_at, f"{clock_time(effect.resolved_at)}  ◆ {effect.term}: "
                                          f"{effect.outcome.label.lower()}"))
    return lines
