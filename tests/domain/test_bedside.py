"""Bedside rules: weight change, preparation, the blind double check, the BP and frequency gates,
observation cadence, the discharge checklist and what a set of vital signs may hold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain.bedside import (
    CheckStatus,
    DischargeChecklist,
    DoubleCheckEntry,
    Frequency,
    Preparation,
    blood_pressure_gate,
    check_preparation,
    compare_weight,
    double_check_mismatches,
    frequency_check,
    measured_today,
    next_observation_due,
    within_20_percent,
)
from console.domain.drugs import VIAL_STRENGTHS_MG_PER_ML
from console.domain.vitals import VitalValues
from console.errors import ValidationError

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)


def minutes(m: float) -> datetime:
    return T0 + timedelta(minutes=m)


# ---------------------------------------------------------------- weight


@pytest.mark.parametrize(("now", "before", "change", "warns"), [
    ("70", None, None, False),
    ("70", "0", None, False),
    ("77", "70", "10.0", False),  # exactly 10 %: no warning
    ("77.1", "70", "10.1", True),
    ("63", "70", "-10.0", False),
    ("62.9", "70", "-10.1", True),
    ("100", "70", "42.9", True),
    ("70", "70", "0.0", False),
])
def test_compare_weight_warns_above_ten_percent(now: str, before: str | None,
                                                change: str | None, warns: bool) -> None:
    check = compare_weight(Decimal(now), None if before is None else Decimal(before))
    assert check.change_percent == (None if change is None else Decimal(change))
    assert check.warns is warns
    message = check.warning(Decimal(10))
    assert (message is not None) is warns
    if warns:
        assert f"{Decimal(change or 0):+.1f}%" in (message or "")


def test_measured_today_is_the_same_calendar_day() -> None:
    assert measured_today(T0, T0 + timedelta(hours=3))
    assert not measured_today(T0 - timedelta(days=1), T0)


# ---------------------------------------------------------------- preparation

GOOD = Preparation(Decimal(50), "LOT123", date(2027, 1, 1), Decimal(100), "Sodium chloride 0.9%",
                   Decimal(100))


def prep(**changes: object) -> Preparation:
    values = {"vial_mg_per_ml": GOOD.vial_mg_per_ml, "lot": GOOD.lot, "expiry": GOOD.expiry,
              "drawn_mg": GOOD.drawn_mg, "diluent": GOOD.diluent,
              "bag_volume_ml": GOOD.bag_volume_ml, **changes}
    return Preparation(**values)  # type: ignore[arg-type]


def check(preparation: Preparation, ordered: str = "1") -> None:
    check_preparation(preparation, TODAY, ordered_mg_per_ml=Decimal(ordered),
                      vial_strengths=VIAL_STRENGTHS_MG_PER_ML)


def test_a_good_preparation_passes_and_derives_its_figures() -> None:
    check(GOOD)
    assert GOOD.drawn_ml == Decimal(2)
    assert GOOD.concentration_mg_per_ml == Decimal(1)
    check(prep(drawn_mg=Decimal(200), vial_mg_per_ml=Decimal(100)), ordered="2")
    check(prep(expiry=TODAY))  # expires today: still usable today
    check(prep(diluent="Glucose 5%"))


@pytest.mark.parametrize(("bad", "ordered", "field", "words"), [
    (prep(expiry=date(2026, 11, 23)), "1", "expiry", "expired"),
    (prep(vial_mg_per_ml=Decimal(20)), "1", "vial_mg_per_ml", "vial strength"),
    (prep(vial_mg_per_ml=Decimal(1)), "1", "vial_mg_per_ml", "vial strength"),
    (prep(drawn_mg=Decimal(200)), "1", "drawn_mg", "protocol orders 1 mg/mL"),  # 2 mg/mL bag
    (prep(), "2", "drawn_mg", "protocol orders 2 mg/mL"),
    (prep(drawn_mg=Decimal(101)), "1", "drawn_mg", "1.01 mg/mL"),
    # 10 mg/mL vial, 1000 mg = 100 mL drawn into a 50 mL bag
    (prep(vial_mg_per_ml=Decimal(10), drawn_mg=Decimal(1000), bag_volume_ml=Decimal(50)), "20",
     "bag_volume_ml", "more than the bag volume"),
    (prep(lot=" "), "1", "lot", "lot"),
    (prep(diluent="Water"), "1", "diluent", "diluent"),
    (prep(drawn_mg=Decimal(0)), "1", "drawn_mg", "mg drawn"),
    (prep(bag_volume_ml=Decimal(0)), "1", "drawn_mg", "bag volume"),
])
def test_check_preparation_refuses(bad: Preparation, ordered: str, field: str,
                                   words: str) -> None:
    with pytest.raises(ValidationError, match=words) as refused:
        check(bad, ordered)
    assert refused.value.field == field


# ---------------------------------------------------------------- double check


def test_double_check_lists_each_mismatch() -> None:
    program = {"weight_kg": Decimal(70), "concentration_mg_per_ml": Decimal(1),
               "rate_ml_per_h": Decimal("24.5")}
    assert double_check_mismatches(DoubleCheckEntry(Decimal(70), Decimal(1), Decimal("24.5")),
                                   **program) == []
    # 24.50 is the same number as 24.5
    assert double_check_mismatches(
        DoubleCheckEntry(Decimal("70.0"), Decimal("1.00"), Decimal("24.50")), **program) == []
    one = double_check_mismatches(DoubleCheckEntry(Decimal(70), Decimal(1), Decimal("245")),
                                  **program)
    assert one == ["pump rate: checker entered 245 mL/h, the program has 24.5 mL/h"]
    three = double_check_mismatches(DoubleCheckEntry(Decimal(7), Decimal(2), Decimal(25)),
                                    **program)
    assert [m.split(":")[0] for m in three] == ["weight", "concentration", "pump rate"]
    assert "checker entered 7 kg, the program has 70 kg" in three[0]


# ---------------------------------------------------------------- gates


@pytest.mark.parametrize(("sbp", "dbp", "status", "override"), [
    (128, 80, CheckStatus.PASSED, False),
    (159, 89, CheckStatus.PASSED, False),
    (160, 80, CheckStatus.WARNING, False),
    (150, 90, CheckStatus.WARNING, False),
    (165, 85, CheckStatus.WARNING, False),
    (180, 100, CheckStatus.WARNING, False),  # the block is *above* 180/100
    (181, 80, CheckStatus.FAILED, True),
    (150, 101, CheckStatus.FAILED, True),
    (190, 95, CheckStatus.FAILED, True),
    (None, None, CheckStatus.FAILED, False),  # no baseline: no override either
    (128, None, CheckStatus.FAILED, False),
])
def test_blood_pressure_gate(sbp: int | None, dbp: int | None, status: CheckStatus,
                             override: bool) -> None:
    gate = blood_pressure_gate(sbp, dbp)
    assert gate.key == "bp_gate"
    assert gate.status is status
    assert gate.blocks is (status is CheckStatus.FAILED)
    assert gate.clinician_override is override


@pytest.mark.parametrize(("counts", "status", "words"), [
    (Frequency(0, 0, 0), CheckStatus.PASSED, "Session 1 of the course"),
    (Frequency(0, 4, 9), CheckStatus.PASSED, "Session 10"),
    (Frequency(1, 1, 1), CheckStatus.FAILED, "same calendar day"),
    (Frequency(1, 0, 0), CheckStatus.FAILED, "same calendar day"),
    (Frequency(0, 5, 5), CheckStatus.WARNING, "session 6 in 7 days"),
    (Frequency(0, 2, 10), CheckStatus.WARNING, "11 of a course planned at 10"),
    (Frequency(0, 5, 10), CheckStatus.WARNING, "in 7 days (more than 5); session 11"),
])
def test_frequency_check(counts: Frequency, status: CheckStatus, words: str) -> None:
    result = frequency_check(counts, per_7_days=5, per_course=10)
    assert result.status is status
    assert words.lower() in result.detail.lower()
    assert not result.clinician_override


# ---------------------------------------------------------------- observation cadence


@pytest.mark.parametrize(("intensifiers", "last", "stopped", "due"), [
    ([], None, None, 5),  # nothing since the start: 5 min after it
    ([], 0, None, 5),  # dense for the first 15 min
    ([], 5, None, 10),
    ([], 14, None, 19),
    ([], 15, None, 30),  # then every 15 min
    ([], 40, None, 55),
    ([60], 50, None, 65),  # a rate increase at 60 min: 5 min after it
    ([60], 62, None, 67),  # and dense for 15 min after it
    ([60], 75, None, 90),
    ([30, 60], 61, None, 66),  # the latest intensifier counts
    ([], 100, 240, 255),  # recovery: 15 min after the stop
    ([], 250, 240, 265),  # and 15 min after each recovery observation
])
def test_next_observation_due(intensifiers: list[float], last: float | None,
                              stopped: float | None, due: float) -> None:
    assert next_observation_due(
        started_at=T0, intensifiers=[minutes(m) for m in intensifiers],
        last_observation=None if last is None else minutes(last),
        stopped_at=None if stopped is None else minutes(stopped)) == minutes(due)


def test_nothing_is_due_before_the_start() -> None:
    assert next_observation_due(started_at=None, intensifiers=[], last_observation=T0,
                                stopped_at=None) is None


# ---------------------------------------------------------------- discharge

READY = DischargeChecklist(10, True, True, True, True, True)


@pytest.mark.parametrize(("checklist", "problems"), [
    (READY, []),
    (DischargeChecklist(9, True, True, True, True, True), []),
    (DischargeChecklist(8, True, True, True, True, True),
     ["PADSS is 8: discharge needs 9 or more"]),
    (DischargeChecklist(10, False, True, True, True, True), ["alertness is not back to baseline"]),
    (DischargeChecklist(10, True, False, True, True, True), ["hallucinations are still present"]),
    (DischargeChecklist(10, True, True, False, True, True),
     ["vitals are not within 20% of baseline"]),
    (DischargeChecklist(10, True, True, True, False, True), ["no responsible adult escort"]),
    (DischargeChecklist(10, True, True, True, True, False),
     ["'no driving until tomorrow' not given"]),
    (DischargeChecklist(3, False, False, True, True, True),
     ["PADSS is 3: discharge needs 9 or more", "alertness is not back to baseline",
      "hallucinations are still present"]),
])
def test_discharge_checklist_problems(checklist: DischargeChecklist,
                                      problems: list[str]) -> None:
    assert checklist.problems() == problems


@pytest.mark.parametrize("padss", [-1, 11])
def test_padss_outside_0_to_10_is_refused(padss: int) -> None:
    with pytest.raises(ValidationError, match="0 to 10"):
        DischargeChecklist(padss, True, True, True, True, True).problems()


@pytest.mark.parametrize(("value", "baseline", "ok"), [
    (120, 100, True), (121, 100, False), (80, 100, True), (79, 100, False), (0, 0, True),
    (1, 0, False),
])
def test_within_20_percent(value: int, baseline: int, ok: bool) -> None:
    assert within_20_percent(value, baseline) is ok


# ---------------------------------------------------------------- vital signs


@pytest.mark.parametrize(("values", "field"), [
    ({"spo2": 101}, "spo2"),
    ({"spo2": -1}, "spo2"),
    ({"heart_rate": -5}, "heart_rate"),
    ({"respiratory_rate": -1}, "respiratory_rate"),
    ({"systolic": -120, "diastolic": -80}, "systolic"),
    ({"systolic": 120, "diastolic": 120}, "diastolic"),  # diastolic must be below systolic
    ({"systolic": 80, "diastolic": 120}, "diastolic"),
    ({"systolic": 120}, "diastolic"),  # half a blood pressure
    ({"diastolic": 80}, "systolic"),  # the missing half is named
    ({"pain_nrs": 11}, "pain_nrs"),
    ({"sedation_rass": -6}, "sedation_rass"),
    ({"temperature_c": Decimal(50)}, "temperature_c"),
    ({}, "heart_rate"),  # nothing entered
])
def test_vital_values_are_validated(values: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        VitalValues(**values)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_vital_values_round_trip() -> None:
    values = VitalValues(heart_rate=72, systolic=128, diastolic=80, spo2=100, respiratory_rate=14,
                         temperature_c=Decimal("36.8"), pain_nrs=0, sedation_rass=-5)
    assert VitalValues.from_dict(values.as_dict()) == values
    assert VitalValues(spo2=0).spo2 == 0


@given(st.integers(min_value=1, max_value=300), st.integers(min_value=1, max_value=250))
def test_blood_pressure_is_accepted_only_with_diastolic_below_systolic(sbp: int,
                                                                       dbp: int) -> None:
    if dbp < sbp:
        assert VitalValues(systolic=sbp, diastolic=dbp).diastolic == dbp
    else:
        with pytest.raises(ValidationError):
            VitalValues(systolic=sbp, diastolic=dbp)


@given(st.integers(min_value=60, max_value=300), st.integers(min_value=30, max_value=140))
def test_bp_gate_blocks_exactly_above_180_or_100(sbp: int, dbp: int) -> None:
    gate = blood_pressure_gate(sbp, dbp)
    assert gate.blocks is (sbp > 180 or dbp > 100)
    assert (gate.status is CheckStatus.WARNING) is (
        not gate.blocks and (sbp >= 160 or dbp >= 90))
