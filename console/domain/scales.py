"""Bedside sedation scales besides RASS (CLINICAL.md "Scales", clinical notes §2.3).

RASS lives on ``VitalValues.sedation_rass``. The clinic may chart POSS or MOAA/S instead; these
types let the alarm rules read either without inventing a number for a letter ("S").
"""

from __future__ import annotations

import enum

from console.errors import ValidationError


class PossLevel(enum.StrEnum):
    """Pasero Opioid-induced Sedation Scale. S and 1–2 are acceptable; 3 and 4 are not."""

    SLEEPING = "S"  # sleeping, easy to arouse
    AWAKE = "1"  # awake and alert
    SLIGHTLY_DROWSY = "2"  # slightly drowsy, easily aroused
    FREQUENTLY_DROWSY = "3"  # drifts off mid-conversation: reduce dose, notify prescriber
    SOMNOLENT = "4"  # minimal or no response: stop the drug, support breathing, call for help

    @property
    def depth(self) -> int:
        """How deep the sedation is, for comparison: S and 1 are both 0 (easy to arouse)."""
        return {"S": 0, "1": 0, "2": 2, "3": 3, "4": 4}[self.value]


MOAA_S_RANGE = (0, 5)  # 5 responds readily to name … 0 no response to a trapezius squeeze
RASS_RANGE = (-5, 4)


def check_moaa_s(score: int) -> int:
    """A MOAA/S score as charted, refused outside 0–5."""
    low, high = MOAA_S_RANGE
    if not low <= score <= high:
        raise ValidationError(f"MOAA/S is scored {low} to {high}.", field="moaa_s")
    return score


def format_rass(score: int) -> str:
    """RASS with its sign, as written on the scale: +2, 0, −3."""
    if score > 0:
        return f"+{score}"
    if score < 0:
        return f"−{-score}"
    return "0"
