"""Properties of the dose arithmetic, checked against an independent model in exact fractions.

The model below restates the documented rounding (``console/domain/dosing.py``) with
``fractions.Fraction``: half up, mL/h to 0.1, mg and mL to 0.1, per-kg figures to 0.001, the pump
delivering mL/h × concentration and a bolus syringe holding bolus mL × concentration. For each
limited parameter it keeps every figure that stands for it: the ordered (exact) value, what the
pump or syringe really delivers, and the rounded value shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from console.domain.dosing import DoseOrder, DosePlan, calculate
from console.domain.drugs import DosingForm, Drug
from console.domain.library import LibraryEntry, default_esketamine_iv, default_ketamine_iv
from console.domain.limits import Direction, LimitParameter, Severity
from console.domain.units import Unit, format_number, format_quantity, parse_quantity, pounds_to_kg
from console.errors import ValidationError

D = Decimal
Q = Fraction
P = LimitParameter
KETAMINE = replace(default_ketamine_iv(), bolus_allowed=True)
ESKETAMINE = replace(default_esketamine_iv(), bolus_allowed=True)
CONCENTRATIONS = [D("0.5"), D(1), D(2), D("2.5"), D(5), D(8)]
TENTH = Q(1, 10)
THOUSANDTH = Q(1, 1000)
SHOWN_NUMBER = re.compile(r"(0|[1-9]\d*)(\.\d*[1-9])?")


def half_up(value: Fraction, step: Fraction) -> Fraction:
    assert value >= 0
    return math.floor(value / step + Q(1, 2)) * step


# ---------------------------------------------------------------- the independent model


@dataclass(frozen=True)
class Expected:
    figures: dict[str, Fraction | None]
    ordered: dict[LimitParameter, Fraction]  # the exact figures the clinician asked for
    delivered: dict[LimitParameter, Fraction]  # what the pump or syringe really gives
    shown: dict[LimitParameter, Fraction]  # the rounded figures on screen

    def values(self, parameter: LimitParameter) -> list[Fraction]:
        return [table[parameter] for table in (self.ordered, self.delivered, self.shown)
                if parameter in table]

    def unrounded(self, parameter: LimitParameter) -> list[Fraction]:
        return [table[parameter] for table in (self.ordered, self.delivered)
                if parameter in table]


@dataclass(frozen=True)
class Refused:
    field: str  # the input the refusal names


def q(value: Decimal | None) -> Fraction:
    assert value is not None
    return Q(value)


def model(order: DoseOrder, weight: Decimal) -> Expected | Refused:
    w, c, m = Q(weight), Q(order.concentration_mg_per_ml), Q(order.duration_minutes)
    if order.form is DosingForm.RATE_DURATION:
        rate = Q(order.rate_mg_per_kg_h)
    else:
        rate = Q(order.total_mg_per_kg) * 60 / m
    ordered_mg_h = rate * w
    ml_h = half_up(ordered_mg_h / c, TENTH)
    if ml_h == 0:
        return Refused("rate_mg_per_kg_h" if order.form is DosingForm.RATE_DURATION
                       else "total_mg_per_kg")
    delivered_mg_h = ml_h * c
    mg_h = half_up(delivered_mg_h, TENTH)
    infused = half_up(delivered_mg_h * m / 60, TENTH)
    bolus_mg = bolus_ml = None
    ordered_bolus = delivered_bolus = Q(0)
    ordered: dict[LimitParameter, Fraction] = {}
    delivered: dict[LimitParameter, Fraction] = {}
    shown: dict[LimitParameter, Fraction] = {}
    if order.bolus_mg_per_kg is not None:
        assert order.bolus_minutes is not None
        ordered_bolus = Q(order.bolus_mg_per_kg) * w
        bolus_mg = half_up(ordered_bolus, TENTH)
        bolus_ml = half_up(bolus_mg / c, TENTH)
        if bolus_ml == 0:
            return Refused("bolus_mg_per_kg")
        delivered_bolus = bolus_ml * c
        ordered[P.BOLUS_MG_PER_KG] = Q(order.bolus_mg_per_kg)
        delivered[P.BOLUS_MG_PER_KG] = delivered_bolus / w
        shown[P.BOLUS_MG_PER_KG] = bolus_mg / w
        ordered[P.BOLUS_MINUTES] = Q(order.bolus_minutes)
    total = infused + (bolus_mg or 0)
    ordered_total = ordered_mg_h * m / 60 + ordered_bolus
    delivered_total = delivered_mg_h * m / 60 + delivered_bolus
    figures: dict[str, Fraction | None] = {
        "rate_mg_per_kg_h": half_up(delivered_mg_h / w, THOUSANDTH),
        "mg_per_h": mg_h,
        "ml_per_h": ml_h,
        "total_mg": total,
        "total_mg_per_kg": half_up(total / w, THOUSANDTH),
        "volume_ml": half_up(ml_h * m / 60, TENTH),
        "bolus_mg": bolus_mg,
        "bolus_ml": bolus_ml,
    }
    ordered |= {P.RATE_MG_PER_KG_H: rate, P.RATE_MG_PER_H: ordered_mg_h,
                P.SESSION_TOTAL_MG: ordered_total, P.SESSION_TOTAL_MG_PER_KG: ordered_total / w,
                P.SESSION_MINUTES: m}
    delivered |= {P.RATE_MG_PER_KG_H: delivered_mg_h / w, P.RATE_MG_PER_H: delivered_mg_h,
                  P.SESSION_TOTAL_MG: delivered_total,
                  P.SESSION_TOTAL_MG_PER_KG: delivered_total / w}
    shown |= {P.RATE_MG_PER_KG_H: figures["rate_mg_per_kg_h"], P.RATE_MG_PER_H: mg_h,
              P.SESSION_TOTAL_MG: total, P.SESSION_TOTAL_MG_PER_KG: figures["total_mg_per_kg"]}
    return Expected(figures, ordered, delivered, shown)


def plan_figures(plan: DosePlan) -> dict[str, Decimal | None]:
    return {name: getattr(plan, name) for name in (
        "rate_mg_per_kg_h", "mg_per_h", "ml_per_h", "total_mg", "total_mg_per_kg", "volume_ml",
        "bolus_mg", "bolus_ml")}


def expected_findings(expected: Expected, entry: LibraryEntry
                      ) -> set[tuple[LimitParameter, Severity, Direction]]:
    """Upper bounds against the largest figure, lower bounds against the smallest; hard first."""
    result = set()
    for parameter, bounds in entry.limits.items():
        values = expected.values(parameter)
        if not values:
            continue
        high, low = max(values), min(values)
        if bounds.hard_max is not None and high > bounds.hard_max:
            result.add((parameter, Severity.HARD, Direction.ABOVE))
        elif bounds.soft_max is not None and high > bounds.soft_max:
            result.add((parameter, Severity.SOFT, Direction.ABOVE))
        if bounds.hard_min is not None and low < bounds.hard_min:
            result.add((parameter, Severity.HARD, Direction.BELOW))
        elif bounds.soft_min is not None and low < bounds.soft_min:
            result.add((parameter, Severity.SOFT, Direction.BELOW))
    return result


# ---------------------------------------------------------------- generated orders


def thousandths(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda n: D(n) / 1000)


weights = st.integers(300, 2500).map(lambda n: D(n) / 10)  # 30–250 kg to 0.1 kg
rates = thousandths(10, 2000)  # 0.01–2 mg/kg/h
totals = thousandths(10, 5000)  # 0.01–5 mg/kg
minutes = st.integers(5, 480).map(D)
concentrations = st.sampled_from(CONCENTRATIONS)
boluses = st.none() | st.tuples(thousandths(10, 700), st.integers(1, 15).map(D))


@st.composite
def orders(draw: st.DrawFn) -> tuple[DoseOrder, Decimal, LibraryEntry]:
    entry = draw(st.sampled_from([KETAMINE, ESKETAMINE]))
    form = draw(st.sampled_from([DosingForm.RATE_DURATION, DosingForm.TOTAL_OVER_TIME]))
    bolus = draw(boluses)
    order = DoseOrder(
        drug=entry.drug, form=form, concentration_mg_per_ml=draw(concentrations),
        rate_mg_per_kg_h=draw(rates) if form is DosingForm.RATE_DURATION else None,
        total_mg_per_kg=draw(totals) if form is DosingForm.TOTAL_OVER_TIME else None,
        duration_minutes=draw(minutes),
        bolus_mg_per_kg=bolus[0] if bolus else None, bolus_minutes=bolus[1] if bolus else None,
    )
    return order, draw(weights), entry


def _rate(rate: str, minutes_: int, concentration: str,
          bolus: tuple[str, int] | None = None, drug: Drug = Drug.KETAMINE) -> DoseOrder:
    return DoseOrder(drug=drug, form=DosingForm.RATE_DURATION,
                     concentration_mg_per_ml=D(concentration), rate_mg_per_kg_h=D(rate),
                     duration_minutes=D(minutes_),
                     bolus_mg_per_kg=D(bolus[0]) if bolus else None,
                     bolus_minutes=D(bolus[1]) if bolus else None)


# Cases where only rounding carries a figure over a bound (each failed before the fix):
EDGE_CASES = [
    # 80.08 mL/h -> 80.1 mL/h of 2.5 mg/mL gives 1.00025 mg/kg/h, shown as 1.000
    (_rate("1", 60, "2.5"), D("200.2"), KETAMINE),
    # a 0.5 mg/kg bolus at 71 kg: 17.8 mL of 2 mg/mL holds 0.501 mg/kg
    (_rate("0.35", 240, "2", bolus=("0.5", 5)), D(71), KETAMINE),
    # 3 mg/kg over 245 min: exactly on the hard maximum, not over it
    (DoseOrder(drug=Drug.KETAMINE, form=DosingForm.TOTAL_OVER_TIME,
               concentration_mg_per_ml=D(1), total_mg_per_kg=D(3), duration_minutes=D(245)),
     D(30), KETAMINE),
    # a rate so low the pump cannot run it, and a bolus too small to draw up
    (_rate("0.01", 60, "8"), D(30), KETAMINE),
    (_rate("0.35", 60, "8", bolus=("0.01", 5)), D(30), KETAMINE),
]


def with_edge_cases[F: Callable[..., None]](test: F) -> F:
    for case in EDGE_CASES:
        test = example(case)(test)
    return test


def calculate_or_refuse(order: DoseOrder, weight: Decimal, entry: LibraryEntry
                        ) -> tuple[DosePlan, Expected] | None:
    """The plan and the model's figures; None (after checking the refusal) when refused."""
    expected = model(order, weight)
    if isinstance(expected, Refused):
        with pytest.raises(ValidationError) as caught:
            calculate(order, weight, entry)
        assert caught.value.field == expected.field
        return None
    return calculate(order, weight, entry), expected


# ---------------------------------------------------------------- figures


@given(orders())
@with_edge_cases
def test_figures_follow_the_documented_rounding(case: tuple[DoseOrder, Decimal, LibraryEntry]
                                                ) -> None:
    result = calculate_or_refuse(*case)
    if result is None:
        return
    plan, expected = result
    got = {name: None if value is None else Q(value) for name, value in plan_figures(plan).items()}
    assert got == expected.figures


@given(orders())
@with_edge_cases
def test_pump_rate_is_a_multiple_of_a_tenth_and_shown_figures_read_cleanly(
    case: tuple[DoseOrder, Decimal, LibraryEntry],
) -> None:
    result = calculate_or_refuse(*case)
    if result is None:
        return
    plan, _ = result
    assert plan.ml_per_h is not None
    assert plan.ml_per_h >= D("0.1")
    assert plan.ml_per_h % D("0.1") == 0
    for value in plan_figures(plan).values():
        if value is not None:
            assert SHOWN_NUMBER.fullmatch(format_number(value)), value
    texts = [plan.summary(), *(finding.message for finding in plan.findings)]
    for text in texts:
        assert re.search(r"(?<![\d])\.\d", text) is None, text  # no missing leading zero
        for number in re.findall(r"\d[\d.]*\d|\d", text):
            assert SHOWN_NUMBER.fullmatch(number), (number, text)  # no trailing zero


@given(weight=st.integers(300, 1250).map(lambda n: D(n) / 10), rate=rates, minutes_=minutes,
       concentration=concentrations)
def test_amounts_scale_linearly_with_weight(weight: Decimal, rate: Decimal, minutes_: Decimal,
                                            concentration: Decimal) -> None:
    order = _rate(str(rate), int(minutes_), str(concentration))
    one = calculate_or_refuse(order, weight, KETAMINE)
    two = calculate_or_refuse(order, 2 * weight, KETAMINE)
    if one is None or two is None:
        return
    (p1, _), (p2, _) = one, two
    c, hours = Q(concentration), Q(minutes_) / 60
    ml1, ml2 = q(p1.ml_per_h), q(p2.ml_per_h)
    # each mL/h is within 0.05 of the exact r·w/c, so ml2 − 2·ml1 is within 0.15; being a
    # multiple of 0.1 it is at most one pump step
    assert abs(ml2 - 2 * ml1) <= TENTH
    # mg = mL × c rounded to 0.1: at most c·0.1 from the pump step plus 0.05 + 2·0.05 rounding
    assert abs(q(p2.mg_per_h) - 2 * q(p1.mg_per_h)) <= c * TENTH + Q(15, 100)
    assert abs(q(p2.total_mg) - 2 * q(p1.total_mg)) <= c * TENTH * hours + Q(15, 100)
    assert abs(q(p2.volume_ml) - 2 * q(p1.volume_ml)) <= TENTH * hours + Q(15, 100)
    # and before rounding the amounts are exactly proportional: each figure is within its
    # rounding of the exact rate × weight
    for weight_, plan in ((Q(weight), p1), (2 * Q(weight), p2)):
        exact_mg_h = Q(rate) * weight_
        assert abs(q(plan.ml_per_h) - exact_mg_h / c) <= Q(5, 100)
        assert abs(q(plan.mg_per_h) - exact_mg_h) <= c * Q(5, 100) + Q(5, 100)
        assert abs(q(plan.total_mg) - exact_mg_h * hours) <= c * Q(5, 100) * hours + Q(5, 100)


@given(weight=weights, rate=rates, thirds=st.integers(2, 160), concentration=concentrations)
def test_the_two_infusion_forms_agree_on_equivalent_orders(
    weight: Decimal, rate: Decimal, thirds: int, concentration: Decimal
) -> None:
    # minutes a multiple of 3, so rate × minutes / 60 is a finite decimal: the same dose exactly
    minutes_ = D(3 * thirds)
    total = rate * minutes_ / 60
    assert Q(total) == Q(rate) * Q(minutes_) / 60
    as_rate = _rate(str(rate), int(minutes_), str(concentration))
    as_total = DoseOrder(drug=Drug.KETAMINE, form=DosingForm.TOTAL_OVER_TIME,
                         concentration_mg_per_ml=concentration, total_mg_per_kg=total,
                         duration_minutes=minutes_)
    a = calculate_or_refuse(as_rate, weight, KETAMINE)
    b = calculate_or_refuse(as_total, weight, KETAMINE)
    assert (a is None) == (b is None)
    if a is None or b is None:
        return
    assert plan_figures(a[0]) == plan_figures(b[0])
    assert a[0].findings == b[0].findings


@given(weight=weights, total=totals, minutes_=minutes, concentration=concentrations)
def test_the_two_forms_agree_within_rounding_for_any_duration(
    weight: Decimal, total: Decimal, minutes_: Decimal, concentration: Decimal
) -> None:
    # 0.5 mg/kg over 40 min against 0.75 mg/kg/h for 40 min, where the rate may not be a
    # finite decimal (1 mg/kg over 45 min is 1.333… mg/kg/h, written to 28 digits)
    as_total = DoseOrder(drug=Drug.KETAMINE, form=DosingForm.TOTAL_OVER_TIME,
                         concentration_mg_per_ml=concentration, total_mg_per_kg=total,
                         duration_minutes=minutes_)
    rate = total * 60 / minutes_
    as_rate = _rate(str(rate), int(minutes_), str(concentration))
    a = calculate_or_refuse(as_total, weight, KETAMINE)
    b = calculate_or_refuse(as_rate, weight, KETAMINE)
    if a is None or b is None:
        return
    (pa, _), (pb, _) = a, b
    c, hours = Q(concentration), Q(minutes_) / 60
    assert abs(q(pa.ml_per_h) - q(pb.ml_per_h)) <= TENTH
    assert abs(q(pa.mg_per_h) - q(pb.mg_per_h)) <= c * TENTH + TENTH
    assert abs(q(pa.total_mg) - q(pb.total_mg)) <= c * TENTH * hours + TENTH
    assert abs(q(pa.total_mg) - Q(total) * Q(weight)) <= c * Q(5, 100) * hours + Q(5, 100)


# ---------------------------------------------------------------- limits


@given(orders())
@with_edge_cases
def test_every_figure_beyond_a_hard_limit_has_a_hard_finding(
    case: tuple[DoseOrder, Decimal, LibraryEntry],
) -> None:
    result = calculate_or_refuse(*case)
    if result is None:
        return
    plan, expected = result
    hard = {(f.parameter, f.direction) for f in plan.hard_findings}
    for parameter, bounds in case[2].limits.items():
        values = expected.values(parameter)  # exact, delivered and rounded
        if bounds.hard_max is not None and any(v > bounds.hard_max for v in values):
            assert (parameter, Direction.ABOVE) in hard, (parameter, values)
        if bounds.hard_min is not None and any(v < bounds.hard_min for v in values):
            assert (parameter, Direction.BELOW) in hard, (parameter, values)
    assert plan.refused == bool(hard)


@given(orders())
@with_edge_cases
def test_a_hard_finding_means_a_figure_really_crossed_the_bound(
    case: tuple[DoseOrder, Decimal, LibraryEntry],
) -> None:
    result = calculate_or_refuse(*case)
    if result is None:
        return
    plan, expected = result
    for finding in plan.hard_findings:
        bounds = case[2].limits[finding.parameter]
        values = expected.values(finding.parameter)
        if finding.direction is Direction.ABOVE:
            assert finding.bound == bounds.hard_max
            assert finding.value > finding.bound
            assert any(v > finding.bound for v in values)
        else:
            assert finding.bound == bounds.hard_min
            assert finding.value < finding.bound
            assert any(v < finding.bound for v in values)


@given(orders())
@with_edge_cases
def test_rounding_never_hides_a_crossed_limit(case: tuple[DoseOrder, Decimal, LibraryEntry]
                                              ) -> None:
    result = calculate_or_refuse(*case)
    if result is None:
        return
    plan, expected = result
    rank = {None: 0, Severity.SOFT: 1, Severity.HARD: 2}
    worst = {(f.parameter, f.direction): rank[f.severity] for f in plan.findings}
    for parameter, bounds in case[2].limits.items():
        # the unrounded figures: what was ordered and what the pump or syringe really gives
        for value in expected.unrounded(parameter):
            above = (2 if bounds.hard_max is not None and value > bounds.hard_max
                     else 1 if bounds.soft_max is not None and value > bounds.soft_max else 0)
            below = (2 if bounds.hard_min is not None and value < bounds.hard_min
                     else 1 if bounds.soft_min is not None and value < bounds.soft_min else 0)
            assert worst.get((parameter, Direction.ABOVE), 0) >= above, (parameter, value)
            assert worst.get((parameter, Direction.BELOW), 0) >= below, (parameter, value)


@given(orders())
@with_edge_cases
def test_findings_are_exactly_those_the_figures_imply(
    case: tuple[DoseOrder, Decimal, LibraryEntry],
) -> None:
    result = calculate_or_refuse(*case)
    if result is None:
        return
    plan, expected = result
    got = [(f.parameter, f.severity, f.direction) for f in plan.findings]
    assert len(got) == len(set(got))
    assert set(got) == expected_findings(expected, case[2])


# ---------------------------------------------------------------- units


@given(
    value=st.integers(0, 6).flatmap(
        lambda places: st.decimals(min_value=D(1) / 10**places, max_value=D(100_000),
                                   places=places)),
    unit=st.sampled_from(list(Unit)),
    padding=st.sampled_from(["", " ", "\n", " \n\t", "\r\n  "]),
)
def test_format_then_parse_gives_the_same_value(value: Decimal, unit: Unit, padding: str) -> None:
    shown = format_quantity(value, unit)
    assert parse_quantity(shown, unit=unit, field="f", label="Value") == value
    assert parse_quantity(f"{padding}{shown}{padding}", unit=unit, field="f", label="V") == value
    bare = format_number(value)
    assert parse_quantity(bare, unit=unit, field="f", label="Value") == value
    assert SHOWN_NUMBER.fullmatch(bare)


@given(pounds=st.integers(1, 6000).map(lambda n: D(n) / 10))
def test_pounds_to_kg_is_within_half_a_tenth_of_the_exact_conversion(pounds: Decimal) -> None:
    kg = pounds_to_kg(pounds)
    exact = Q(pounds) * Q("0.45359237")  # the international pound, exactly
    # 0.05 from rounding to 0.1 kg, plus 1e-9 for the 12-digit lb/kg constant at a tie
    assert abs(Q(kg) - exact) <= Q(5, 100) + Q(1, 10**9)
    assert kg % D("0.1") == 0
