"""NEWS2 (Royal College of Physicians, 2017; clinical notes §6.2) — SUPPLEMENTARY INFORMATION ONLY.

NEWS2 must never drive the in-session alarms. It was built for unplanned deterioration, not for
the planned effects of a supervised ketamine infusion: the expected dissociation scores as "new
confusion" (3 points on its own) and the expected rises in blood pressure and heart rate score
too, so during an infusion it overstates risk by design. The alarms come from
``console.domain.alarms`` and the clinic's threshold table; this module only computes a score
that may be shown beside the observations, labelled as supplementary.

Only SpO2 scale 1 is implemented: scale 2 (hypercapnic target 88–92 %) must be chosen for a
patient by a clinician and is not used in this setting.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from console.domain.scales import PossLevel
from console.domain.vitals import VitalValues
from console.errors import ValidationError

SUPPLEMENTARY = ("NEWS2 is supplementary information only: expected dissociation scores as "
                 "new confusion, so it does not drive the alarms.")


class Consciousness(enum.StrEnum):
    """ACVPU. Anything but Alert scores 3 — including the dissociation ketamine is expected
    to cause."""

    ALERT = "A"
    NEW_CONFUSION = "C"
    VOICE = "V"
    PAIN = "P"
    UNRESPONSIVE = "U"


class News2Parameter(enum.StrEnum):
    RESPIRATORY_RATE = "respiratory_rate"
    SPO2 = "spo2"
    AIR_OR_OXYGEN = "air_or_oxygen"
    SYSTOLIC = "systolic"
    PULSE = "pulse"
    CONSCIOUSNESS = "consciousness"
    TEMPERATURE = "temperature"


class ClinicalRisk(enum.StrEnum):
    """RCP Chart 4 bands."""

    LOW = "low"  # aggregate 0–4
    LOW_MEDIUM = "low-medium"  # a single parameter scores 3 (aggregate below 5)
    MEDIUM = "medium"  # aggregate 5–6
    HIGH = "high"  # aggregate 7 or more


# ---------------------------------------------------------------- each parameter (RCP table)


def score_respiratory_rate(per_min: int) -> int:
    if per_min <= 8:
        return 3
    if per_min <= 11:
        return 1
    if per_min <= 20:
        return 0
    if per_min <= 24:
        return 2
    return 3


def score_spo2_scale_1(percent: int) -> int:
    if percent <= 91:
        return 3
    if percent <= 93:
        return 2
    if percent <= 95:
        return 1
    return 0


def score_air_or_oxygen(on_oxygen: bool) -> int:
    return 2 if on_oxygen else 0


def score_systolic(mmhg: int) -> int:
    if mmhg <= 90:
        return 3
    if mmhg <= 100:
        return 2
    if mmhg <= 110:
        return 1
    if mmhg <= 219:
        return 0
    return 3


def score_pulse(per_min: int) -> int:
    if per_min <= 40:
        return 3
    if per_min <= 50:
        return 1
    if per_min <= 90:
        return 0
    if per_min <= 110:
        return 1
    if per_min <= 130:
        return 2
    return 3


def score_consciousness(level: Consciousness) -> int:
    return 0 if level is Consciousness.ALERT else 3


def score_temperature(celsius: Decimal) -> int:
    """Bands are in steps of 0.1 °C: the reading is first rounded half up to 0.1 °C, as it
    would be charted."""
    t = celsius.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if t <= Decimal("35.0"):
        return 3
    if t <= Decimal("36.0"):
        return 1
    if t <= Decimal("38.0"):
        return 0
    if t <= Decimal("39.0"):
        return 1
    return 2


# ---------------------------------------------------------------- the aggregate


@dataclass(frozen=True, slots=True)
class News2Score:
    """A NEWS2 result. Supplementary information only: never an alarm input."""

    parameters: tuple[tuple[News2Parameter, int], ...]

    @property
    def total(self) -> int:
        return sum(score for _, score in self.parameters)

    def score(self, parameter: News2Parameter) -> int:
        return dict(self.parameters)[parameter]

    @property
    def any_single_three(self) -> bool:
        return any(score == 3 for _, score in self.parameters)

    @property
    def risk(self) -> ClinicalRisk:
        if self.total >= 7:
            return ClinicalRisk.HIGH
        if self.total >= 5:
            return ClinicalRisk.MEDIUM
        if self.any_single_three:
            return ClinicalRisk.LOW_MEDIUM
        return ClinicalRisk.LOW

    @property
    def supplementary(self) -> bool:
        """Always true: a reminder for every caller that this is not alarm logic."""
        return True

    @property
    def note(self) -> str:
        return SUPPLEMENTARY


def news2(values: VitalValues, *, on_oxygen: bool,
          consciousness: Consciousness) -> News2Score:
    """NEWS2 from a full set of observations (SUPPLEMENTARY: see the module docstring).

    NEWS2 needs all seven parameters; a set with any missing is refused, naming what is
    missing, rather than showing a score that looks lower than it is.
    """
    rr, spo2, sbp = values.respiratory_rate, values.spo2, values.systolic
    pulse, temperature = values.heart_rate, values.temperature_c
    if rr is None or spo2 is None or sbp is None or pulse is None or temperature is None:
        missing = [name for name, value in (("respiratory rate", rr), ("SpO2", spo2),
                                            ("systolic BP", sbp), ("pulse", pulse),
                                            ("temperature", temperature)) if value is None]
        raise ValidationError(f"NEWS2 needs {', '.join(missing)} as well.", field="news2")
    return News2Score((
        (News2Parameter.RESPIRATORY_RATE, score_respiratory_rate(rr)),
        (News2Parameter.SPO2, score_spo2_scale_1(spo2)),
        (News2Parameter.AIR_OR_OXYGEN, score_air_or_oxygen(on_oxygen)),
        (News2Parameter.SYSTOLIC, score_systolic(sbp)),
        (News2Parameter.PULSE, score_pulse(pulse)),
        (News2Parameter.CONSCIOUSNESS, score_consciousness(consciousness)),
        (News2Parameter.TEMPERATURE, score_temperature(temperature)),
    ))


def consciousness_from(values: VitalValues) -> Consciousness:
    """ACVPU for NEWS2 from the sedation score charted with the set (alert when none):
    RASS 0 or POSS S/1 or MOAA/S 5 is alert; light to moderate sedation responds to voice;
    deeper sedation to pain; RASS −5 or MOAA/S 0 is unresponsive."""
    if values.sedation_rass is not None:
        depth = -values.sedation_rass
        return (Consciousness.ALERT if depth <= 0 else Consciousness.VOICE if depth <= 3
                else Consciousness.PAIN if depth == 4 else Consciousness.UNRESPONSIVE)
    if values.sedation_poss is not None:
        return {PossLevel.SLEEPING: Consciousness.ALERT, PossLevel.AWAKE: Consciousness.ALERT,
                PossLevel.SLIGHTLY_DROWSY: Consciousness.VOICE,
                PossLevel.FREQUENTLY_DROWSY: Consciousness.VOICE,
                PossLevel.SOMNOLENT: Consciousness.PAIN}[values.sedation_poss]
    if values.sedation_moaa_s is not None:
        score = values.sedation_moaa_s
        return (Consciousness.ALERT if score == 5 else Consciousness.VOICE if score >= 3
                else Consciousness.PAIN if score >= 1 else Consciousness.UNRESPONSIVE)
    return Consciousness.ALERT
