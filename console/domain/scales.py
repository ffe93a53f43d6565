"""Bedside sedation scales besides RASS (CLINICAL.md "Scales", clinical notes §2.3).

RASS lives on ``VitalValues.sedation_rass``. The clinic may chart POSS or MOAA/S instead; these
types let the alarm rules read either without inventing a number for a letter ("S").
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

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


# ---------------------------------------------------------------- the clinic's choice of scales


class SedationScale(enum.StrEnum):
    """The sedation scale the clinic charts (CLINICAL.md "Scales": the clinic picks one)."""

    RASS = "rass"
    POSS = "poss"
    MOAA_S = "moaa_s"

    @property
    def label(self) -> str:
        return {
            "rass": "RASS (Richmond Agitation-Sedation Scale, +4 to −5)",
            "poss": "POSS (Pasero Opioid-induced Sedation Scale, S, 1 to 4)",
            "moaa_s": "MOAA/S (Modified Observer's Assessment of Alertness/Sedation, 5 to 0)",
        }[self.value]

    @property
    def short_label(self) -> str:
        return {"rass": "RASS", "poss": "POSS", "moaa_s": "MOAA/S"}[self.value]

    @property
    def vital_field(self) -> str:
        """The ``VitalValues`` field this scale is charted in."""
        return {"rass": "sedation_rass", "poss": "sedation_poss",
                "moaa_s": "sedation_moaa_s"}[self.value]


class DissociationScale(enum.StrEnum):
    """How dissociation is scored: a numeric CADSS total or the short CADSS-6.

    Only scores are recorded; the item wording is copyrighted and is not part of the console.
    """

    CADSS = "cadss"
    CADSS_6 = "cadss_6"

    @property
    def max_score(self) -> int:
        return {"cadss": 92, "cadss_6": 24}[self.value]

    @property
    def short_label(self) -> str:
        return {"cadss": "CADSS", "cadss_6": "CADSS-6"}[self.value]

    @property
    def label(self) -> str:
        return {"cadss": "CADSS total (0 to 92)", "cadss_6": "CADSS-6 (0 to 24)"}[self.value]


@dataclass(frozen=True, slots=True)
class MonitoringScales:
    """The scales the clinic charts sedation and dissociation on."""

    sedation: SedationScale = SedationScale.RASS
    dissociation: DissociationScale = DissociationScale.CADSS_6

    def check_dissociation(self, score: int) -> int:
        """A dissociation score as charted, refused outside the chosen scale's range."""
        scale = self.dissociation
        if isinstance(score, bool) or not isinstance(score, int):
            raise ValidationError(f"A {scale.short_label} score is a whole number.",
                                  field="dissociation")
        if not 0 <= score <= scale.max_score:
            raise ValidationError(
                f"{scale.short_label} is scored 0 to {scale.max_score}; {score} is outside "
                "it. Check the total.", field="dissociation")
        return score
