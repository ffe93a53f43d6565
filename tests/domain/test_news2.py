"""NEWS2 against the RCP 2017 chart (clinical notes §6.2): each band edge, totals, risk bands,
and that it stays supplementary (the alarm engine never reads it)."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import console.domain.alarms
from console.domain.alarms import DEFAULT_THRESHOLDS, evaluate
from console.domain.news2 import (
    ClinicalRisk,
    Consciousness,
    News2Parameter,
    consciousness_from,
    news2,
    score_consciousness,
    score_pulse,
    score_respiratory_rate,
    score_spo2_scale_1,
    score_systolic,
    score_temperature,
)
from console.domain.scales import PossLevel
from console.domain.vitals import VitalValues
from console.errors import ValidationError

N = News2Parameter


@pytest.mark.parametrize(("rate", "score"), [
    (0, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (80, 3)])
def test_respiratory_rate(rate: int, score: int) -> None:
    assert score_respiratory_rate(rate) == score


@pytest.mark.parametrize(("spo2", "score"), [
    (0, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)])
def test_spo2_scale_1(spo2: int, score: int) -> None:
    assert score_spo2_scale_1(spo2) == score


@pytest.mark.parametrize(("sbp", "score"), [
    (1, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3),
    (300, 3)])
def test_systolic(sbp: int, score: int) -> None:
    assert score_systolic(sbp) == score


@pytest.mark.parametrize(("pulse", "score"), [
    (0, 3), (40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2),
    (131, 3), (300, 3)])
def test_pulse(pulse: int, score: int) -> None:
    assert score_pulse(pulse) == score


@pytest.mark.parametrize(("celsius", "score"), [
    ("25", 3), ("35.0", 3), ("35.04", 3), ("35.05", 1), ("35.1", 1), ("36.0", 1), ("36.1", 0),
    ("38.0", 0), ("38.1", 1), ("39.0", 1), ("39.1", 2), ("45", 2)])
def test_temperature(celsius: str, score: int) -> None:
    assert score_temperature(Decimal(celsius)) == score


@pytest.mark.parametrize(("level", "score"), [
    (Consciousness.ALERT, 0), (Consciousness.NEW_CONFUSION, 3), (Consciousness.VOICE, 3),
    (Consciousness.PAIN, 3), (Consciousness.UNRESPONSIVE, 3)])
def test_consciousness(level: Consciousness, score: int) -> None:
    assert score_consciousness(level) == score


def full(*, rr: int = 16, spo2: int = 98, sbp: int = 125, hr: int = 72,
         temp: str = "36.8") -> VitalValues:
    return VitalValues(respiratory_rate=rr, spo2=spo2, systolic=sbp, diastolic=70, heart_rate=hr,
                       temperature_c=Decimal(temp))


@pytest.mark.parametrize(
    ("values", "oxygen", "level", "total", "risk"),
    [
        (full(), False, Consciousness.ALERT, 0, ClinicalRisk.LOW),
        (full(rr=22, hr=95, temp="38.5"), False, Consciousness.ALERT, 4, ClinicalRisk.LOW),
        (full(spo2=91), False, Consciousness.ALERT, 3, ClinicalRisk.LOW_MEDIUM),
        (full(), False, Consciousness.NEW_CONFUSION, 3, ClinicalRisk.LOW_MEDIUM),
        (full(rr=22, hr=95, temp="38.5"), True, Consciousness.ALERT, 6, ClinicalRisk.MEDIUM),
        (full(spo2=92, sbp=95), False, Consciousness.ALERT, 4, ClinicalRisk.LOW),
        (full(spo2=91, sbp=95), False, Consciousness.ALERT, 5, ClinicalRisk.MEDIUM),
        (full(rr=25, hr=115), True, Consciousness.ALERT, 7, ClinicalRisk.HIGH),
        (full(rr=8, spo2=85, sbp=85, hr=35, temp="34.0"), True, Consciousness.UNRESPONSIVE, 20,
         ClinicalRisk.HIGH),
    ],
)
def test_totals_and_risk_bands(values: VitalValues, oxygen: bool, level: Consciousness,
                               total: int, risk: ClinicalRisk) -> None:
    result = news2(values, on_oxygen=oxygen, consciousness=level)
    assert result.total == total
    assert result.risk is risk
    assert result.score(N.AIR_OR_OXYGEN) == (2 if oxygen else 0)
    assert result.supplementary
    assert "supplementary" in result.note


def test_each_parameter_score_is_reported() -> None:
    result = news2(full(rr=10, spo2=94, sbp=105, hr=45, temp="39.5"), on_oxygen=False,
                   consciousness=Consciousness.ALERT)
    assert dict(result.parameters) == {
        N.RESPIRATORY_RATE: 1, N.SPO2: 1, N.AIR_OR_OXYGEN: 0, N.SYSTOLIC: 1, N.PULSE: 1,
        N.CONSCIOUSNESS: 0, N.TEMPERATURE: 2}
    assert result.total == 6


def test_missing_parameters_are_named_not_scored_as_zero() -> None:
    with pytest.raises(ValidationError, match="NEWS2 needs respiratory rate, temperature"):
        news2(VitalValues(spo2=97, systolic=120, diastolic=70, heart_rate=70),
              on_oxygen=False, consciousness=Consciousness.ALERT)


def test_expected_dissociation_scores_in_news2_but_raises_no_alarm() -> None:
    values = full()
    assert news2(values, on_oxygen=False,
                 consciousness=Consciousness.NEW_CONFUSION).risk is ClinicalRisk.LOW_MEDIUM
    assert evaluate(values, baseline=values, thresholds=DEFAULT_THRESHOLDS) == []


def test_the_alarm_engine_never_imports_news2() -> None:
    source = Path(console.domain.alarms.__file__).read_text(encoding="utf-8")
    imported = {node.module for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.ImportFrom)}
    assert "console.domain.news2" not in imported


@given(rr=st.integers(0, 80), spo2=st.integers(0, 100), sbp=st.integers(1, 300),
       hr=st.integers(0, 300),
       temp=st.decimals(min_value=25, max_value=45, places=1),
       oxygen=st.booleans(), level=st.sampled_from(list(Consciousness)))
def test_total_is_the_sum_of_parameters_within_0_to_20(
        rr: int, spo2: int, sbp: int, hr: int, temp: Decimal, oxygen: bool,
        level: Consciousness) -> None:
    values = VitalValues(respiratory_rate=rr, spo2=spo2, systolic=sbp, diastolic=min(sbp - 1, 120),
                         heart_rate=hr, temperature_c=temp)
    result = news2(values, on_oxygen=oxygen, consciousness=level)
    scores = [score for _, score in result.parameters]
    assert len(scores) == 7
    assert result.total == sum(scores)
    assert 0 <= result.total <= 20
    assert all(0 <= score <= 3 for score in scores)
    if result.total >= 7:
        assert result.risk is ClinicalRisk.HIGH
    elif result.total >= 5:
        assert result.risk is ClinicalRisk.MEDIUM
    elif 3 in scores:
        assert result.risk is ClinicalRisk.LOW_MEDIUM
    else:
        assert result.risk is ClinicalRisk.LOW


@pytest.mark.parametrize(("values", "level"), [
    (VitalValues(heart_rate=70), Consciousness.ALERT),  # no sedation score charted
    (VitalValues(sedation_rass=0), Consciousness.ALERT),
    (VitalValues(sedation_rass=1), Consciousness.ALERT),
    (VitalValues(sedation_rass=-1), Consciousness.VOICE),
    (VitalValues(sedation_rass=-3), Consciousness.VOICE),
    (VitalValues(sedation_rass=-4), Consciousness.PAIN),
    (VitalValues(sedation_rass=-5), Consciousness.UNRESPONSIVE),
    (VitalValues(sedation_poss=PossLevel.SLEEPING), Consciousness.ALERT),
    (VitalValues(sedation_poss=PossLevel.SLIGHTLY_DROWSY), Consciousness.VOICE),
    (VitalValues(sedation_poss=PossLevel.SOMNOLENT), Consciousness.PAIN),
    (VitalValues(sedation_moaa_s=5), Consciousness.ALERT),
    (VitalValues(sedation_moaa_s=3), Consciousness.VOICE),
    (VitalValues(sedation_moaa_s=1), Consciousness.PAIN),
    (VitalValues(sedation_moaa_s=0), Consciousness.UNRESPONSIVE),
])
def test_consciousness_follows_the_charted_sedation_score(values: VitalValues,
                                                          level: Consciousness) -> None:
    assert consciousness_from(values) is level
