"""The one-line summary of an observation set, as the timeline and the last-set line show it."""

from __future__ import annotations

from decimal import Decimal

from console.domain.scales import PossLevel
from console.domain.vitals import VitalValues
from console.ui.session.vitals import vitals_text


def test_every_reading_in_its_order() -> None:
    values = VitalValues(heart_rate=72, systolic=120, diastolic=80, spo2=97,
                         respiratory_rate=14, temperature_c=Decimal("36.8"), etco2=38,
                         pain_nrs=4, sedation_rass=-2, sedation_poss=PossLevel.SLIGHTLY_DROWSY,
                         sedation_moaa_s=4, dissociation=12)
    assert vitals_text(values) == "  ·  ".join([
        "HR 72", f"BP 120/80 ({values.mean_arterial})", "SpO2 97%", "RR 14", "T 36.8 °C",
        "EtCO2 38", "pain 4/10", "RASS -2", f"POSS {PossLevel.SLIGHTLY_DROWSY.value}",
        "MOAA/S 4", "dissociation 12"])


def test_only_what_was_charted() -> None:
    assert vitals_text(VitalValues(spo2=95, sedation_rass=0)) == "SpO2 95%  ·  RASS 0"
    assert vitals_text(VitalValues(sedation_rass=1)) == "RASS +1"
