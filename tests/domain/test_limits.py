"""Pump-style soft and hard limits: consistent tables, exclusive bounds, readable findings."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from console.domain.library import default_esketamine_iv, default_ketamine_iv
from console.domain.limits import (
    Direction,
    LimitFinding,
    LimitParameter,
    LimitRange,
    Severity,
    check,
    validate_table,
)
from console.errors import ValidationError

D = Decimal
P = LimitParameter
KETAMINE = default_ketamine_iv().limits
NUMBER = r"(?:0|[1-9]\d*)(?:\.\d*[1-9])?"


# ---------------------------------------------------------------- LimitRange.validate


@pytest.mark.parametrize(
    ("bounds", "names"),
    [
        (LimitRange(soft_max=D(2), hard_max=D(1)), ("soft maximum (2)", "hard maximum (1)")),
        (LimitRange(soft_min=D("0.05"), hard_min=D("0.1")),
         ("hard minimum (0.1)", "soft minimum (0.05)")),
        (LimitRange(soft_min=D("0.6"), soft_max=D("0.5")),
         ("soft minimum (0.6)", "soft maximum (0.5)")),
        (LimitRange(hard_min=D(3), hard_max=D(2)), ("hard minimum (3)", "hard maximum (2)")),
        (LimitRange(hard_min=D(3), soft_max=D(2)), ("hard minimum (3)", "soft maximum (2)")),
        (LimitRange(soft_min=D(3), hard_max=D(2)), ("soft minimum (3)", "hard maximum (2)")),
        # numbers in the message are formatted like every other number
        (LimitRange(soft_max=D("5E+1"), hard_max=D("40.0")),
         ("soft maximum (50)", "hard maximum (40)")),
        (LimitRange(soft_min=D("0.50"), soft_max=D("0.40")),
         ("soft minimum (0.5)", "soft maximum (0.4)")),
    ],
)
def test_validate_refuses_inconsistent_bounds(bounds: LimitRange, names: tuple[str, str]) -> None:
    with pytest.raises(ValidationError) as caught:
        bounds.validate(P.RATE_MG_PER_H)
    assert caught.value.field == "rate_mg_per_h"
    assert caught.value.message.startswith("Rate (mg/h): ")
    low, high = names
    assert f"the {low} is above the {high}" in caught.value.message


@pytest.mark.parametrize("which", ["soft_min", "soft_max", "hard_min", "hard_max"])
@pytest.mark.parametrize("bad", [D(-1), D("-0.001"), D("NaN"), D("sNaN"), D("Infinity"),
                                 D("-Infinity")])
def test_validate_refuses_negative_and_non_finite_bounds(which: str, bad: Decimal) -> None:
    bounds = LimitRange(**{which: bad})
    with pytest.raises(ValidationError) as caught:
        bounds.validate(P.SESSION_TOTAL_MG)
    assert caught.value.field == "session_total_mg"
    kind, side = which.split("_")
    expected = f"Session total (mg): the {kind} {side}imum must be a number of zero or more."
    assert caught.value.message == expected


@pytest.mark.parametrize(
    "bounds",
    [
        LimitRange(),
        LimitRange(soft_max=D(1), hard_max=D(1)),  # a soft limit may sit on the hard one
        LimitRange(soft_min=D(0), hard_min=D(0)),
        LimitRange(hard_min=D(5)),
        LimitRange(soft_min=D("0.1"), soft_max=D("0.1")),
        LimitRange(hard_min=D(1), soft_min=D(2), soft_max=D(3), hard_max=D(4)),
    ],
)
def test_validate_accepts_consistent_bounds(bounds: LimitRange) -> None:
    bounds.validate(P.RATE_MG_PER_KG_H)  # must not raise


def test_the_shipped_tables_are_consistent() -> None:
    validate_table(default_ketamine_iv().limits)
    validate_table(default_esketamine_iv().limits)
    with pytest.raises(ValidationError):
        validate_table({**KETAMINE, P.RATE_MG_PER_H: LimitRange(soft_max=D(200), hard_max=D(100))})


# ---------------------------------------------------------------- check: boundaries


def _found(parameter: LimitParameter, value: str) -> list[tuple[Severity, Direction]]:
    findings = check(KETAMINE, parameter, low=D(value), high=D(value))
    for finding in findings:
        assert finding.parameter is parameter
        assert finding.value == D(value)
    return [(f.severity, f.direction) for f in findings]


SOFT_ABOVE = [(Severity.SOFT, Direction.ABOVE)]
HARD_ABOVE = [(Severity.HARD, Direction.ABOVE)]
SOFT_BELOW = [(Severity.SOFT, Direction.BELOW)]
HARD_BELOW = [(Severity.HARD, Direction.BELOW)]


@pytest.mark.parametrize(
    ("parameter", "value", "expected"),
    [
        # "below 0.1 or above 0.5" soft, "above 1.0" hard: the bound itself is allowed
        (P.RATE_MG_PER_KG_H, "0.35", []),
        (P.RATE_MG_PER_KG_H, "0.1", []),
        (P.RATE_MG_PER_KG_H, "0.0999999", SOFT_BELOW),
        (P.RATE_MG_PER_KG_H, "0.01", SOFT_BELOW),
        (P.RATE_MG_PER_KG_H, "0.5", []),
        (P.RATE_MG_PER_KG_H, "0.500", []),
        (P.RATE_MG_PER_KG_H, "0.5000001", SOFT_ABOVE),
        (P.RATE_MG_PER_KG_H, "1.0", SOFT_ABOVE),  # on the hard bound: still only soft
        (P.RATE_MG_PER_KG_H, "1.0000001", HARD_ABOVE),  # a hard finding replaces the soft one
        (P.RATE_MG_PER_KG_H, "2", HARD_ABOVE),
        (P.RATE_MG_PER_H, "25", []),
        (P.RATE_MG_PER_H, "25.01", SOFT_ABOVE),
        (P.RATE_MG_PER_H, "100", SOFT_ABOVE),
        (P.RATE_MG_PER_H, "100.01", HARD_ABOVE),
        (P.BOLUS_MG_PER_KG, "0.35", []),
        (P.BOLUS_MG_PER_KG, "0.351", SOFT_ABOVE),
        (P.BOLUS_MG_PER_KG, "0.5", SOFT_ABOVE),
        (P.BOLUS_MG_PER_KG, "0.501", HARD_ABOVE),
        (P.BOLUS_MINUTES, "5", []),  # "pushed in under 5 min" is refused; 5 min is not
        (P.BOLUS_MINUTES, "4.99", HARD_BELOW),
        (P.BOLUS_MINUTES, "1", HARD_BELOW),
        (P.BOLUS_MINUTES, "60", []),
        (P.SESSION_TOTAL_MG_PER_KG, "2", []),
        (P.SESSION_TOTAL_MG_PER_KG, "2.001", SOFT_ABOVE),
        (P.SESSION_TOTAL_MG_PER_KG, "3", SOFT_ABOVE),
        (P.SESSION_TOTAL_MG_PER_KG, "3.001", HARD_ABOVE),
        (P.SESSION_TOTAL_MG, "200", []),
        (P.SESSION_TOTAL_MG, "200.1", SOFT_ABOVE),
        (P.SESSION_TOTAL_MG, "300", SOFT_ABOVE),
        (P.SESSION_TOTAL_MG, "300.1", HARD_ABOVE),
        (P.SESSION_MINUTES, "240", []),  # "above 4 h" soft
        (P.SESSION_MINUTES, "241", SOFT_ABOVE),
        (P.SESSION_MINUTES, "360", SOFT_ABOVE),
        (P.SESSION_MINUTES, "361", HARD_ABOVE),  # "above 6 h" hard
        (P.DOSE_MG, "1000", []),  # not in the IV table: no finding
    ],
)
def test_check_bounds_are_exclusive(parameter: LimitParameter, value: str,
                                    expected: list[tuple[Severity, Direction]]) -> None:
    assert _found(parameter, value) == expected


def test_check_reports_the_bound_it_crossed() -> None:
    (soft,) = check(KETAMINE, P.RATE_MG_PER_KG_H, low=D("0.75"), high=D("0.75"))
    assert soft.bound == D("0.5")
    (hard,) = check(KETAMINE, P.RATE_MG_PER_KG_H, low=D("1.2"), high=D("1.2"))
    assert hard.bound == D("1.0")
    (below,) = check(KETAMINE, P.RATE_MG_PER_KG_H, low=D("0.05"), high=D("0.05"))
    assert below.bound == D("0.1")


def test_check_uses_high_for_maxima_and_low_for_minima() -> None:
    # exact 0.499, rounded 0.501: the rounded figure crosses the soft maximum
    (above,) = check(KETAMINE, P.RATE_MG_PER_KG_H, low=D("0.499"), high=D("0.501"))
    assert above.direction is Direction.ABOVE
    assert above.value == D("0.501")
    # exact 0.1, rounded 0.099: the rounded figure crosses the soft minimum
    (below,) = check(KETAMINE, P.RATE_MG_PER_KG_H, low=D("0.099"), high=D("0.1"))
    assert below.direction is Direction.BELOW
    assert below.value == D("0.099")
    # a span that crosses both sides reports both
    both = check(KETAMINE, P.RATE_MG_PER_KG_H, low=D("0.05"), high=D("1.5"))
    assert [(f.severity, f.direction, f.value) for f in both] == [
        (Severity.HARD, Direction.ABOVE, D("1.5")),
        (Severity.SOFT, Direction.BELOW, D("0.05")),
    ]


def test_hard_minimum_replaces_the_soft_minimum() -> None:
    table = {P.BOLUS_MINUTES: LimitRange(hard_min=D(5), soft_min=D(10))}
    assert [(f.severity, f.bound) for f in check(table, P.BOLUS_MINUTES, low=D(7), high=D(7))] \
        == [(Severity.SOFT, D(10))]
    assert [(f.severity, f.bound) for f in check(table, P.BOLUS_MINUTES, low=D(3), high=D(3))] \
        == [(Severity.HARD, D(5))]
    assert check(table, P.BOLUS_MINUTES, low=D(10), high=D(10)) == []


# ---------------------------------------------------------------- finding messages


@pytest.mark.parametrize(
    ("finding", "expected"),
    [
        (LimitFinding(P.RATE_MG_PER_KG_H, Severity.SOFT, Direction.ABOVE, D("0.75"), D("0.5")),
         "Dose rate 0.75 mg/kg/h is above the soft maximum of 0.5 mg/kg/h: give a reason to go "
         "on, or change the dose."),
        (LimitFinding(P.RATE_MG_PER_H, Severity.HARD, Direction.ABOVE, D("108.0"), D(100)),
         "Rate 108 mg/h is above the hard maximum of 100 mg/h: not allowed. Change the dose to "
         "within the limit."),
        (LimitFinding(P.BOLUS_MINUTES, Severity.HARD, Direction.BELOW, D(3), D(5)),
         "Bolus push time 3 min is below the hard minimum of 5 min: not allowed. Change the "
         "dose to within the limit."),
        (LimitFinding(P.RATE_MG_PER_KG_H, Severity.SOFT, Direction.BELOW, D("0.05"), D("0.1")),
         "Dose rate 0.05 mg/kg/h is below the soft minimum of 0.1 mg/kg/h: give a reason to go "
         "on, or change the dose."),
        (LimitFinding(P.SESSION_TOTAL_MG, Severity.HARD, Direction.ABOVE, D("312.50"), D(300)),
         "Session total 312.5 mg is above the hard maximum of 300 mg: not allowed. Change the "
         "dose to within the limit."),
    ],
)
def test_finding_message(finding: LimitFinding, expected: str) -> None:
    assert finding.message == expected


@pytest.mark.parametrize(
    ("value", "bound", "direction", "shown"),
    [
        # an exact figure with 28 digits is shown to 0.001 ...
        (D(4) / D(3), D(1), Direction.ABOVE, "1.333"),
        (D(2) / D(3), D("0.5"), Direction.ABOVE, "0.667"),
        (D(93) + D(1) / D(3), D(25), Direction.ABOVE, "93.333"),
        # ... with more digits only when 0.001 would read as on or inside the bound
        (D("1.0002"), D(1), Direction.ABOVE, "1.0002"),
        (D("100.02"), D(100), Direction.ABOVE, "100.02"),
        (D("1.00041"), D(1), Direction.ABOVE, "1.0004"),
        (D("1.00005"), D(1), Direction.ABOVE, "1.0001"),
        (D("0.09995"), D("0.1"), Direction.BELOW, "0.09995"),
        (D("0.09999"), D("0.1"), Direction.BELOW, "0.09999"),
        (D("4.9999"), D(5), Direction.BELOW, "4.9999"),
        (D(1) + D(1) / D(3) * D("1E-6"), D(1), Direction.ABOVE, "1.0000003"),
    ],
)
def test_finding_message_shows_a_readable_value_that_is_beyond_its_bound(
    value: Decimal, bound: Decimal, direction: Direction, shown: str
) -> None:
    finding = LimitFinding(P.RATE_MG_PER_KG_H, Severity.HARD, direction, value, bound)
    assert finding.message.startswith(f"Dose rate {shown} mg/kg/h is {direction.value} the ")
    assert finding.value == value  # the finding keeps the full figure for the record


_FINDINGS = [
    finding
    for parameter, bounds in KETAMINE.items()
    for value in (D("0.001"), D("0.0999"), D("4.9"), D("0.36"), D("0.6"), D("1.5"), D("26"),
                  D("250"), D("301"), D("361"), D(1000), D(10) / D(3))
    for finding in check({parameter: bounds}, parameter, low=value, high=value)
]


def test_the_message_cases_cover_every_parameter_severity_and_direction() -> None:
    assert {f.parameter for f in _FINDINGS} == set(KETAMINE)
    assert {(f.severity, f.direction) for f in _FINDINGS} == {
        (Severity.SOFT, Direction.ABOVE), (Severity.HARD, Direction.ABOVE),
        (Severity.SOFT, Direction.BELOW), (Severity.HARD, Direction.BELOW),
    }


@pytest.mark.parametrize("finding", _FINDINGS, ids=lambda f: f"{f.parameter}-{f.value:.4}")
def test_every_finding_message_is_a_sentence_with_value_bound_unit_and_what_to_do(
    finding: LimitFinding,
) -> None:
    message = finding.message
    unit = re.escape(finding.parameter.unit.value)
    assert message[0].isupper()
    assert message.endswith(".")
    assert message.startswith(finding.parameter.label)
    match = re.search(rf" ({NUMBER}) {unit} is (above|below) the (soft|hard) (maximum|minimum) "
                      rf"of ({NUMBER}) {unit}: ", message)
    assert match is not None, message
    shown, direction, severity, limit, bound = match.groups()
    assert D(bound) == finding.bound
    assert direction == finding.direction.value
    assert severity == finding.severity.value
    assert limit == ("maximum" if finding.direction is Direction.ABOVE else "minimum")
    assert abs(D(shown) - finding.value) < D("0.001")
    if finding.direction is Direction.ABOVE:
        assert D(shown) > finding.bound
    else:
        assert D(shown) < finding.bound
    if finding.severity is Severity.HARD:
        assert message.endswith("not allowed. Change the dose to within the limit.")
    else:
        assert message.endswith("give a reason to go on, or change the dose.")
