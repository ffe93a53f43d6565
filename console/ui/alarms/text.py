"""Wording and order shared by the alarm widgets."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from PySide6.QtWidgets import QWidget

from console.domain.alarms import Alarm, AlarmPriority


def clock_time(moment: datetime) -> str:
    """Local wall-clock time on screen (the domain keeps UTC)."""
    return f"{moment.astimezone():%H:%M}"


def priority_tag(priority: AlarmPriority) -> str:
    """``*** HIGH``: the monitors' marker, then the priority in words (colour is not enough)."""
    return f"{priority.marker} {priority.value.upper()}"


def by_urgency(alarms: Iterable[Alarm]) -> list[Alarm]:
    """Highest priority first; within one priority the unacknowledged, then the newest."""
    return sorted(alarms, key=lambda a: (-a.priority.rank, a.acknowledged,
                                         -a.raised_at.timestamp(), a.id))


def set_style_property(widget: QWidget, name: str, value: object) -> None:
    """Set a property the theme selects on, and redraw the widget if it changed."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


def alarm_sentence(alarm: Alarm) -> str:
    """What the alarm is about: the reading that set its priority, and — when a later reading
    is less severe — that reading too, so a red bar never carries a yellow sentence."""
    if not alarm.latched:
        return alarm.condition.rule
    now = alarm.condition.value
    latest = "" if now is None else f" Latest reading {now}; the alarm stays until it resolves."
    return f"{alarm.worst.rule}{latest}"
