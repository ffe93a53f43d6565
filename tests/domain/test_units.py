"""Numbers as clinicians read and type them: formatting, parsing, lb to kg (CLINICAL.md §4)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from console.domain.units import (
    LB_PER_KG,
    Unit,
    format_number,
    format_quantity,
    parse_quantity,
    pounds_to_kg,
    round_to,
)
from console.errors import ValidationError

D = Decimal


# ---------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("0.35"), "0.35"),
        (D(".35"), "0.35"),  # leading zero always
        (D("25"), "25"),
        (D("25.0"), "25"),  # never a trailing zero in a dose
        (D("25.00"), "25"),
        (D("24.50"), "24.5"),
        (D("24.5"), "24.5"),
        (D("100"), "100"),
        (D("1E+2"), "100"),  # no exponent, and the zeros of an integer stay
        (D("2.5E+2"), "250"),
        (D("0.001"), "0.001"),
        (D("1.5E-3"), "0.0015"),
        (D("0.0500"), "0.05"),
        (D("0"), "0"),
        (D("0.000"), "0"),
        (D("-0.0"), "0"),
        (D("300.10"), "300.1"),
        (D("1000.000"), "1000"),
    ],
)
def test_format_number(value: Decimal, shown: str) -> None:
    assert format_number(value) == shown


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (D("24.5"), Unit.ML_PER_H, "24.5 mL/h"),
        (D("24.50"), Unit.ML_PER_H, "24.5 mL/h"),
        (D("0.35"), Unit.MG_PER_KG_H, "0.35 mg/kg/h"),
        (D("25.0"), Unit.MG, "25 mg"),
        (D("98.0"), Unit.ML, "98 mL"),
        (D("50"), Unit.MCG, "50 mcg"),
        (D("70"), Unit.KG, "70 kg"),
        (D("0.5"), Unit.MG_PER_KG, "0.5 mg/kg"),
        (D("24.5"), Unit.MG_PER_H, "24.5 mg/h"),
        (D("1.0"), Unit.MG_PER_ML, "1 mg/mL"),
        (D("40"), Unit.MINUTES, "40 min"),
        (D("4.0"), Unit.HOURS, "4 h"),
    ],
)
def test_format_quantity(value: Decimal, unit: Unit, shown: str) -> None:
    assert format_quantity(value, unit) == shown


@pytest.mark.parametrize("unit", list(Unit))
def test_every_unit_is_shown_in_the_safe_spelling_after_a_space(unit: Unit) -> None:
    shown = format_quantity(D("2.50"), unit)
    assert shown == f"2.5 {unit.value}"
    assert "cc" not in shown
    assert "µ" not in shown
    assert "μ" not in shown  # the Greek letter mu, not only the micro sign


def test_millilitres_and_micrograms_never_read_as_cc_or_micro_sign() -> None:
    assert Unit.ML.value == "mL"
    assert Unit.MCG.value == "mcg"
    assert Unit.ML_PER_H.value == "mL/h"
    assert Unit.MG_PER_ML.value == "mg/mL"


# ---------------------------------------------------------------- parsing: accepted


@pytest.mark.parametrize(
    ("raw", "unit", "expected"),
    [
        ("24.5", Unit.ML_PER_H, D("24.5")),
        (" 24.5 mL/h ", Unit.ML_PER_H, D("24.5")),
        ("24.5mL/h", Unit.ML_PER_H, D("24.5")),
        ("24.5 ml/hr", Unit.ML_PER_H, D("24.5")),
        ("24.5 cc/h", Unit.ML_PER_H, D("24.5")),  # typed cc is understood, never shown
        ("0.35 mg/kg/h", Unit.MG_PER_KG_H, D("0.35")),
        ("0.35 MG/KG/HR", Unit.MG_PER_KG_H, D("0.35")),
        (".35", Unit.MG_PER_KG_H, D("0.35")),
        ("72.4 kg", Unit.KG, D("72.4")),
        ("70", Unit.KG, D("70")),
        ("+70", Unit.KG, D("70")),
        ("\n 72.4 kg\n", Unit.KG, D("72.4")),  # pasted with a newline
        ("\t1 mg/mL\r\n", Unit.MG_PER_ML, D("1")),
        ("40 min", Unit.MINUTES, D("40")),
        ("4 h", Unit.HOURS, D("4")),
        ("50 µg", Unit.MCG, D("50")),
        ("25 mg", Unit.MG, D("25")),
        (D("24.5"), Unit.ML_PER_H, D("24.5")),
        (70, Unit.KG, D("70")),
        (24.5, Unit.ML_PER_H, D("24.5")),
        (0.1, Unit.ML_PER_H, D("0.1")),  # the float's shortest repr, not 0.1000000000000000055…
    ],
)
def test_parse_quantity_accepts(raw: str | Decimal | int | float, unit: Unit,
                                expected: Decimal) -> None:
    value = parse_quantity(raw, unit=unit, field="f", label="Value")
    assert value == expected
    assert isinstance(value, Decimal)
    assert str(value) == str(expected)


# ---------------------------------------------------------------- parsing: refused


def _refusal(raw: str | Decimal | int | float, unit: Unit = Unit.ML_PER_H) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse_quantity(raw, unit=unit, field="pump_rate", label="Pump rate")
    assert caught.value.field == "pump_rate"
    return caught.value


def test_decimal_comma_is_refused_with_the_decimal_point_spelling() -> None:
    error = _refusal("0,35", Unit.MG_PER_KG_H)
    assert "0.35" in error.message
    assert "comma" in error.message


def test_decimal_comma_with_a_unit_is_refused_too() -> None:
    error = _refusal("24,5 mL/h")
    assert "24.5" in error.message


@pytest.mark.parametrize(
    ("raw", "kg"),
    [("70 lb", "31.8 kg"), ("220 lbs", "99.8 kg"), ("154 pounds", "69.9 kg"), ("220lb", "99.8 kg")],
)
def test_pounds_in_a_kilogram_field_are_refused_with_the_conversion(raw: str, kg: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_quantity(raw, unit=Unit.KG, field="weight_kg", label="Weight")
    assert caught.value.field == "weight_kg"
    assert kg in caught.value.message
    assert "kg only" in caught.value.message


def test_pounds_in_another_field_are_refused_without_a_weight_conversion() -> None:
    error = _refusal("70 lb", Unit.MG)
    assert " kg" not in error.message
    assert "'lb'" in error.message


def test_a_dose_in_a_rate_field_is_refused() -> None:
    error = _refusal("24.5 mg")
    assert "mL/h" in error.message
    assert "'mg'" in error.message


@pytest.mark.parametrize(
    ("raw", "unit"),
    [
        ("24.5 mg/h", Unit.ML_PER_H),  # dose rate in the pump-rate field
        ("0.35 mg/kg", Unit.MG_PER_KG_H),
        ("72 g", Unit.KG),
        ("4 h", Unit.MINUTES),
        ("1 mg", Unit.MG_PER_ML),
        ("24.5 mL/h extra", Unit.ML_PER_H),
    ],
)
def test_another_unit_is_refused(raw: str, unit: Unit) -> None:
    error = _refusal(raw, unit)
    assert unit.value in error.message


@pytest.mark.parametrize(
    "raw",
    ["abc", "", "   ", "\n", "nan", "NaN", "inf", "Infinity", "-inf", "1e3", "1E-2", "12..5",
     "twenty", "0x10", "-", "."],
)
def test_words_and_non_numbers_are_refused(raw: str) -> None:
    error = _refusal(raw)
    assert "mL/h" in error.message  # says what to enter instead
    assert "24.5" in error.message  # with an example


@pytest.mark.parametrize("raw", ["-1", "0", "0.0", "-0", "-24.5 mL/h", "0 mL/h", ".0"])
def test_zero_and_negative_text_is_refused(raw: str) -> None:
    error = _refusal(raw)
    assert "more than zero" in error.message


@pytest.mark.parametrize(
    "raw",
    [D("NaN"), D("sNaN"), D("Infinity"), D("-Infinity"), float("nan"), float("inf"),
     float("-inf")],
)
def test_non_finite_values_are_refused(raw: Decimal | float) -> None:
    error = _refusal(raw)
    assert "must be a number" in error.message


@pytest.mark.parametrize("raw", [D(0), D("-0.1"), 0, -3, 0.0, -24.5])
def test_non_positive_values_are_refused(raw: Decimal | int | float) -> None:
    error = _refusal(raw)
    assert "more than zero" in error.message


def test_an_empty_field_asks_for_the_value_with_an_example() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_quantity("  ", unit=Unit.KG, field="weight_kg", label="Weight")
    assert caught.value.message == "Enter weight: a number in kg, for example 72.4."


# ---------------------------------------------------------------- lb to kg and rounding


@pytest.mark.parametrize(
    ("pounds", "kg"),
    [
        (D("220"), D("99.8")),
        (D("154"), D("69.9")),
        (D("70"), D("31.8")),
        (D("2.20462262185"), D("1.0")),
        (D("66.1"), D("30.0")),
        (D("551.2"), D("250.0")),
        (D("1"), D("0.5")),  # 0.4536 rounds half up to 0.5
    ],
)
def test_pounds_to_kg(pounds: Decimal, kg: Decimal) -> None:
    assert pounds_to_kg(pounds) == kg


def test_the_pound_constant_matches_the_international_pound() -> None:
    # 1 lb = 0.45359237 kg exactly; the constant is good to 12 significant digits.
    assert abs(LB_PER_KG * D("0.45359237") - 1) < D("1E-11")


@pytest.mark.parametrize(
    ("value", "step", "rounded"),
    [
        (D("12.25"), D("0.1"), D("12.3")),  # half up, not to even
        (D("12.35"), D("0.1"), D("12.4")),
        (D("12.249999"), D("0.1"), D("12.2")),
        (D("0.0005"), D("0.001"), D("0.001")),
        (D("0.0004999"), D("0.001"), D("0.000")),
        (D("24.5"), D("0.1"), D("24.5")),
        (D("0.04"), D("0.1"), D("0.0")),
    ],
)
def test_round_to_is_half_up_to_a_multiple_of_the_step(value: Decimal, step: Decimal,
                                                       rounded: Decimal) -> None:
    assert round_to(value, step) == rounded
