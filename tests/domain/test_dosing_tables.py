"""Published regimens (clinical reference §1.2) through ``calculate()``: all figures and findings.

Figures were worked by hand from the documented rounding (half up; mL/h to 0.1, mg and mL to 0.1,
per-kg figures to 0.001; delivered mg/h = mL/h × concentration), not copied from the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

import pytest

from console.domain.dosing import DoseOrder, DosePlan, calculate
from console.domain.drugs import DosingForm, Drug
from console.domain.library import LibraryEntry, default_esketamine_iv, default_ketamine_iv
from console.domain.limits import Direction, LimitParameter, Severity
from console.domain.units import format_number
from console.errors import ValidationError

D = Decimal
P = LimitParameter
SOFT, HARD = Severity.SOFT, Severity.HARD
ABOVE, BELOW = Direction.ABOVE, Direction.BELOW

KETAMINE = default_ketamine_iv()
KETAMINE_BOLUS = replace(KETAMINE, bolus_allowed=True)
ESKETAMINE = default_esketamine_iv()

Finding = tuple[LimitParameter, Severity, Direction]


def rate_order(rate: str, minutes: str, concentration: str = "1", *, drug: Drug = Drug.KETAMINE,
               bolus: tuple[str, str] | None = None) -> DoseOrder:
    return DoseOrder(
        drug=drug, form=DosingForm.RATE_DURATION, concentration_mg_per_ml=D(concentration),
        rate_mg_per_kg_h=D(rate), duration_minutes=D(minutes),
        bolus_mg_per_kg=D(bolus[0]) if bolus else None,
        bolus_minutes=D(bolus[1]) if bolus else None,
    )


def total_order(total: str, minutes: str, concentration: str = "1") -> DoseOrder:
    return DoseOrder(
        drug=Drug.KETAMINE, form=DosingForm.TOTAL_OVER_TIME,
        concentration_mg_per_ml=D(concentration), total_mg_per_kg=D(total),
        duration_minutes=D(minutes),
    )


@dataclass(frozen=True)
class Case:
    id: str
    order: DoseOrder
    weight: str
    # rate mg/kg/h, mg/h, mL/h, total mg, total mg/kg, volume mL
    figures: tuple[str, str, str, str, str, str]
    findings: frozenset[Finding] = frozenset()
    bolus: tuple[str, str] | None = None  # bolus mg, bolus mL
    entry: LibraryEntry = field(default=KETAMINE)


def found(*items: Finding) -> frozenset[Finding]:
    return frozenset(items)


CASES = [
    # ---- the worked example: 0.35 mg/kg/h for 4 h at 70 kg and 1 mg/mL
    Case("worked-example", rate_order("0.35", "240"), "70",
         ("0.35", "24.5", "24.5", "98", "1.4", "98")),
    # ---- the same order from a 2 mg/mL bag: 12.25 mL/h rounds half up to 12.3 mL/h, which
    # delivers 24.6 mg/h (0.351 mg/kg/h); 4 h gives 98.4 mg in 49.2 mL
    Case("worked-example-2-mg-per-ml", rate_order("0.35", "240", "2"), "70",
         ("0.351", "24.6", "12.3", "98.4", "1.406", "49.2")),
    # 24.85 mg/h / 2 = 12.425 mL/h rounds down to 12.4 (24.8 mg/h delivered)
    Case("2-mg-per-ml-rounds-down", rate_order("0.35", "240", "2"), "71",
         ("0.349", "24.8", "12.4", "99.2", "1.397", "49.6")),
    # mL/h halves exactly with the double-strength bag when no rounding is needed
    Case("1-mg-per-ml-80-kg", rate_order("0.35", "240", "1"), "80",
         ("0.35", "28", "28", "112", "1.4", "112"), found((P.RATE_MG_PER_H, SOFT, ABOVE))),
    Case("2-mg-per-ml-80-kg", rate_order("0.35", "240", "2"), "80",
         ("0.35", "28", "14", "112", "1.4", "56"), found((P.RATE_MG_PER_H, SOFT, ABOVE))),
    # ---- CRPS RCT [S6]: 0.35 mg/kg/h at 100 kg is 35 mg/h, over the 25 mg/h soft cap ...
    Case("crps-rct-uncapped-100-kg", rate_order("0.35", "240"), "100",
         ("0.35", "35", "35", "140", "1.4", "140"), found((P.RATE_MG_PER_H, SOFT, ABOVE))),
    # ... and capped at 25 mg/h (0.25 mg/kg/h) it is the RCT's 100 mg per 4 h at 25 mL/h
    Case("crps-rct-capped-100-kg", rate_order("0.25", "240"), "100",
         ("0.25", "25", "25", "100", "1", "100")),
    # ---- Cleveland Clinic [S11]: 0.5 mg/kg over 40 min is 0.75 mg/kg/h
    Case("cleveland-0.5-mg-per-kg-over-40-min", total_order("0.5", "40"), "70",
         ("0.75", "52.5", "52.5", "35", "0.5", "35"),
         found((P.RATE_MG_PER_KG_H, SOFT, ABOVE), (P.RATE_MG_PER_H, SOFT, ABOVE))),
    # 26.25 mL/h -> 26.3 mL/h delivers 52.6 mg/h; 40 min of that is 35.07 -> 35.1 mg, 17.5 mL
    Case("cleveland-2-mg-per-ml", total_order("0.5", "40", "2"), "70",
         ("0.751", "52.6", "26.3", "35.1", "0.501", "17.5"),
         found((P.RATE_MG_PER_KG_H, SOFT, ABOVE), (P.RATE_MG_PER_H, SOFT, ABOVE))),
    # ---- rate limits: 1.0 mg/kg/h sits on the hard maximum (soft only); a hair above is hard
    Case("rate-on-hard-maximum", rate_order("1.0", "60"), "70",
         ("1", "70", "70", "70", "1", "70"),
         found((P.RATE_MG_PER_KG_H, SOFT, ABOVE), (P.RATE_MG_PER_H, SOFT, ABOVE))),
    Case("rate-above-hard-maximum", rate_order("1.01", "60"), "70",
         ("1.01", "70.7", "70.7", "70.7", "1.01", "70.7"),
         found((P.RATE_MG_PER_KG_H, HARD, ABOVE), (P.RATE_MG_PER_H, SOFT, ABOVE))),
    Case("rate-and-mg-per-h-above-hard", rate_order("1.2", "60"), "90",
         ("1.2", "108", "108", "108", "1.2", "108"),
         found((P.RATE_MG_PER_KG_H, HARD, ABOVE), (P.RATE_MG_PER_H, HARD, ABOVE))),
    Case("rate-below-soft-minimum", rate_order("0.05", "240"), "70",
         ("0.05", "3.5", "3.5", "14", "0.2", "14"), found((P.RATE_MG_PER_KG_H, SOFT, BELOW))),
    # 7.13 mg/h -> 7.1 mL/h: the pump gives 0.0996 mg/kg/h, below the 0.1 soft minimum, even
    # though the figure shown rounds back to 0.1
    Case("delivered-rate-below-soft-minimum", rate_order("0.1", "60"), "71.3",
         ("0.1", "7.1", "7.1", "7.1", "0.1", "7.1"), found((P.RATE_MG_PER_KG_H, SOFT, BELOW))),
    # 166.67 mL/h -> 166.7 mL/h of 0.6 mg/mL gives 100.02 mg/h (shown 100): above both hard maxima
    Case("delivered-rate-above-hard-maximum", rate_order("1.0", "60", "0.6"), "100",
         ("1", "100", "166.7", "100", "1", "166.7"),
         found((P.RATE_MG_PER_KG_H, HARD, ABOVE), (P.RATE_MG_PER_H, HARD, ABOVE))),
    # ---- session length: above 4 h soft, above 6 h hard; the bound itself is allowed
    Case("session-6-h", rate_order("0.3", "360"), "60",
         ("0.3", "18", "18", "108", "1.8", "108"), found((P.SESSION_MINUTES, SOFT, ABOVE))),
    Case("session-6-h-1-min", rate_order("0.3", "361"), "60",
         ("0.3", "18", "18", "108.3", "1.805", "108.3"), found((P.SESSION_MINUTES, HARD, ABOVE))),
    Case("session-7-h", rate_order("0.3", "420"), "60",
         ("0.3", "18", "18", "126", "2.1", "126"),
         found((P.SESSION_MINUTES, HARD, ABOVE), (P.SESSION_TOTAL_MG_PER_KG, SOFT, ABOVE))),
    # ---- session totals: above 2 mg/kg or 200 mg soft, above 3 mg/kg or 300 mg hard
    Case("total-above-300-mg", rate_order("0.5", "300"), "125",
         ("0.5", "62.5", "62.5", "312.5", "2.5", "312.5"),
         found((P.RATE_MG_PER_H, SOFT, ABOVE), (P.SESSION_TOTAL_MG, HARD, ABOVE),
               (P.SESSION_TOTAL_MG_PER_KG, SOFT, ABOVE), (P.SESSION_MINUTES, SOFT, ABOVE))),
    Case("total-exactly-300-mg-and-3-mg-per-kg", rate_order("0.5", "360"), "100",
         ("0.5", "50", "50", "300", "3", "300"),
         found((P.RATE_MG_PER_H, SOFT, ABOVE), (P.SESSION_TOTAL_MG, SOFT, ABOVE),
               (P.SESSION_TOTAL_MG_PER_KG, SOFT, ABOVE), (P.SESSION_MINUTES, SOFT, ABOVE))),
    Case("total-above-3-mg-per-kg", rate_order("0.8", "240"), "60",
         ("0.8", "48", "48", "192", "3.2", "192"),
         found((P.RATE_MG_PER_KG_H, SOFT, ABOVE), (P.RATE_MG_PER_H, SOFT, ABOVE),
               (P.SESSION_TOTAL_MG_PER_KG, HARD, ABOVE))),
    # 3 mg/kg over 245 min: exactly on the hard maximum, so soft only (245/60 h is not a finite
    # decimal, which must not push the exact total over the bound)
    Case("total-over-time-on-hard-maximum", total_order("3", "245"), "30",
         ("0.733", "22", "22", "89.8", "2.993", "89.8"),
         found((P.RATE_MG_PER_KG_H, SOFT, ABOVE), (P.SESSION_TOTAL_MG_PER_KG, SOFT, ABOVE),
               (P.SESSION_MINUTES, SOFT, ABOVE))),
    # ---- bolus on an entry that allows one (0.35 mg/kg soft, 0.5 mg/kg hard, under 5 min hard)
    Case("bolus-within-limits", rate_order("0.35", "240", bolus=("0.3", "5")), "70",
         ("0.35", "24.5", "24.5", "119", "1.7", "98"), bolus=("21", "21"),
         entry=KETAMINE_BOLUS),
    Case("bolus-above-soft", rate_order("0.35", "240", bolus=("0.4", "10")), "70",
         ("0.35", "24.5", "24.5", "126", "1.8", "98"), found((P.BOLUS_MG_PER_KG, SOFT, ABOVE)),
         bolus=("28", "28"), entry=KETAMINE_BOLUS),
    Case("bolus-above-hard", rate_order("0.35", "240", bolus=("0.6", "10")), "70",
         ("0.35", "24.5", "24.5", "140", "2", "98"), found((P.BOLUS_MG_PER_KG, HARD, ABOVE)),
         bolus=("42", "42"), entry=KETAMINE_BOLUS),
    Case("bolus-pushed-in-under-5-min", rate_order("0.35", "240", bolus=("0.3", "4")), "70",
         ("0.35", "24.5", "24.5", "119", "1.7", "98"), found((P.BOLUS_MINUTES, HARD, BELOW)),
         bolus=("21", "21"), entry=KETAMINE_BOLUS),
    # 0.5 mg/kg at 71 kg is 35.5 mg; 17.75 mL rounds up to 17.8 mL of 2 mg/mL, which holds
    # 35.6 mg = 0.501 mg/kg: above the hard maximum
    Case("bolus-volume-rounding-crosses-hard", rate_order("0.35", "240", "2", bolus=("0.5", "5")),
         "71", ("0.349", "24.8", "12.4", "134.7", "1.897", "49.6"),
         found((P.BOLUS_MG_PER_KG, HARD, ABOVE)), bolus=("35.5", "17.8"), entry=KETAMINE_BOLUS),
    # ---- esketamine has its own entry with halved limits
    Case("esketamine-within-limits", rate_order("0.15", "240", drug=Drug.ESKETAMINE), "70",
         ("0.15", "10.5", "10.5", "42", "0.6", "42"), entry=ESKETAMINE),
    Case("racemic-dose-on-esketamine", rate_order("0.35", "240", drug=Drug.ESKETAMINE), "70",
         ("0.35", "24.5", "24.5", "98", "1.4", "98"),
         found((P.RATE_MG_PER_KG_H, SOFT, ABOVE), (P.RATE_MG_PER_H, SOFT, ABOVE),
               (P.SESSION_TOTAL_MG_PER_KG, SOFT, ABOVE)), entry=ESKETAMINE),
    Case("esketamine-above-hard", rate_order("0.6", "240", drug=Drug.ESKETAMINE), "70",
         ("0.6", "42", "42", "168", "2.4", "168"),
         found((P.RATE_MG_PER_KG_H, HARD, ABOVE), (P.RATE_MG_PER_H, SOFT, ABOVE),
               (P.SESSION_TOTAL_MG, HARD, ABOVE), (P.SESSION_TOTAL_MG_PER_KG, HARD, ABOVE)),
         entry=ESKETAMINE),
]


def _figures(plan: DosePlan) -> tuple[Decimal | None, ...]:
    return (plan.rate_mg_per_kg_h, plan.mg_per_h, plan.ml_per_h, plan.total_mg,
            plan.total_mg_per_kg, plan.volume_ml)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_regimen_figures(case: Case) -> None:
    plan = calculate(case.order, D(case.weight), case.entry)
    assert _figures(plan) == tuple(D(x) for x in case.figures)
    # and they read as written: no trailing zero, leading zero kept
    assert tuple(format_number(x) for x in _figures(plan) if x is not None) == case.figures
    if case.bolus is None:
        assert plan.bolus_mg is None
        assert plan.bolus_ml is None
    else:
        assert (plan.bolus_mg, plan.bolus_ml) == (D(case.bolus[0]), D(case.bolus[1]))
    assert plan.weight_kg == D(case.weight)
    assert plan.duration_minutes == case.order.duration_minutes
    assert plan.order is case.order


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_regimen_findings(case: Case) -> None:
    plan = calculate(case.order, D(case.weight), case.entry)
    got = [(f.parameter, f.severity, f.direction) for f in plan.findings]
    assert len(got) == len(set(got))  # one finding per parameter and side
    assert frozenset(got) == case.findings
    assert plan.refused == any(severity is HARD for _, severity, _ in case.findings)
    assert set(plan.hard_findings) | set(plan.soft_findings) == set(plan.findings)
    for finding in plan.findings:
        bounds = case.entry.limits[finding.parameter]
        expected_bound = {
            (SOFT, ABOVE): bounds.soft_max, (HARD, ABOVE): bounds.hard_max,
            (SOFT, BELOW): bounds.soft_min, (HARD, BELOW): bounds.hard_min,
        }[finding.severity, finding.direction]
        assert finding.bound == expected_bound


def test_worked_example_summary_shows_dose_per_kg_weight_and_amounts_together() -> None:
    plan = calculate(rate_order("0.35", "240"), D(70), KETAMINE)
    assert plan.summary() == (
        "0.35 mg/kg/h × 70 kg = 24.5 mg/h = 24.5 mL/h; total 98 mg in 98 mL"
    )
    assert plan.findings == ()
    assert not plan.refused


def test_crps_finding_names_the_rate_and_the_cap() -> None:
    plan = calculate(rate_order("0.35", "240"), D(100), KETAMINE)
    (finding,) = plan.findings
    assert finding.value == D(35)
    assert finding.bound == D(25)
    assert finding.message == ("Rate 35 mg/h is above the soft maximum of 25 mg/h: give a reason "
                               "to go on, or change the dose.")


def test_delivered_rate_finding_shows_what_the_pump_really_gives() -> None:
    plan = calculate(rate_order("1.0", "60", "0.6"), D(100), KETAMINE)
    messages = {f.parameter: f.message for f in plan.findings}
    assert messages[P.RATE_MG_PER_H].startswith(
        "Rate 100.02 mg/h is above the hard maximum of 100 mg/h")
    assert messages[P.RATE_MG_PER_KG_H].startswith(
        "Dose rate 1.0002 mg/kg/h is above the hard maximum of 1 mg/kg/h")


def test_total_over_time_finding_message_is_readable() -> None:
    # 1 mg/kg over 45 min is 1.3333… mg/kg/h: shown to 0.001, not to 28 digits
    plan = calculate(total_order("1", "45"), D(70), KETAMINE)
    (rate,) = (f for f in plan.findings if f.parameter is P.RATE_MG_PER_KG_H)
    assert rate.severity is HARD
    assert rate.message.startswith("Dose rate 1.333 mg/kg/h is above the hard maximum of 1 mg/kg/h")


# ---------------------------------------------------------------- refused outright


def _refused(order: DoseOrder, weight: str = "70",
             entry: LibraryEntry = KETAMINE) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        calculate(order, D(weight), entry)
    return caught.value


def test_bolus_on_the_default_entry_is_refused() -> None:
    assert KETAMINE.bolus_allowed is False
    error = _refused(rate_order("0.35", "240", bolus=("0.3", "5")))
    assert error.field == "bolus_mg_per_kg"
    assert "does not allow a bolus" in error.message


def test_esketamine_order_against_the_racemic_entry_is_refused() -> None:
    error = _refused(rate_order("0.15", "240", drug=Drug.ESKETAMINE))
    assert error.field == "drug"
    assert "esketamine" in error.message
    assert "ketamine (racemic)" in error.message
    assert "different drugs" in error.message


def test_racemic_order_against_the_esketamine_entry_is_refused() -> None:
    error = _refused(rate_order("0.35", "240"), entry=ESKETAMINE)
    assert error.field == "drug"


@pytest.mark.parametrize("concentration", ["10", "50", "100", "10.0", "50.00", "1E+2"])
def test_vial_strength_concentration_is_refused_as_an_undiluted_vial(concentration: str) -> None:
    error = _refused(rate_order("0.35", "240", concentration))
    assert error.field == "concentration_mg_per_ml"
    assert "undiluted vial" in error.message
    assert f"{format_number(D(concentration))} mg/mL is a vial strength" in error.message


@pytest.mark.parametrize("concentration", ["10.5", "12", "20", "25", "99"])
def test_concentration_above_the_maximum_is_refused(concentration: str) -> None:
    error = _refused(rate_order("0.35", "240", concentration))
    assert error.field == "concentration_mg_per_ml"
    assert "above the highest infusion concentration allowed, 10 mg/mL" in error.message
    assert "Dilute" in error.message


@pytest.mark.parametrize("concentration", ["9.9", "8", "0.6", "0.5"])
def test_other_concentrations_up_to_the_maximum_are_accepted(concentration: str) -> None:
    plan = calculate(rate_order("0.35", "240", concentration), D(70), KETAMINE)
    assert plan.ml_per_h is not None


@pytest.mark.parametrize("weight", ["29.9", "250.1", "20", "300", "500"])
def test_weight_outside_the_range_is_refused(weight: str) -> None:
    error = _refused(rate_order("0.35", "240"), weight)
    assert error.field == "weight_kg"
    assert "outside 30 kg–250 kg" in error.message
    assert "(not lb)" in error.message


@pytest.mark.parametrize("weight", ["0", "-70", "NaN", "Infinity", "-Infinity", "sNaN"])
def test_weight_that_is_not_a_positive_number_is_refused(weight: str) -> None:
    error = _refused(rate_order("0.35", "240"), weight)
    assert error.field == "weight_kg"
    assert "more than zero" in error.message


@pytest.mark.parametrize("weight", ["30", "250"])
def test_weight_on_the_range_bounds_is_accepted(weight: str) -> None:
    plan = calculate(rate_order("0.35", "240"), D(weight), KETAMINE)
    assert plan.weight_kg == D(weight)


_BASE = {"drug": Drug.KETAMINE, "concentration_mg_per_ml": D(1), "duration_minutes": D(240)}


@pytest.mark.parametrize(
    ("form", "fields", "field_name", "words"),
    [
        # missing what the form needs
        (DosingForm.RATE_DURATION, {"duration_minutes": D(240), "concentration_mg_per_ml": D(1)},
         "rate_mg_per_kg_h", "needs a rate in mg/kg/h"),
        (DosingForm.RATE_DURATION, {"rate_mg_per_kg_h": D("0.35"),
                                    "concentration_mg_per_ml": D(1)},
         "duration_minutes", "needs a duration in minutes"),
        (DosingForm.RATE_DURATION, {"rate_mg_per_kg_h": D("0.35"), "duration_minutes": D(240)},
         "concentration_mg_per_ml", "needs a concentration in mg/mL"),
        (DosingForm.TOTAL_OVER_TIME, {"duration_minutes": D(40), "concentration_mg_per_ml": D(1)},
         "total_mg_per_kg", "needs a total dose in mg/kg"),
        (DosingForm.TOTAL_OVER_TIME, {"total_mg_per_kg": D("0.5"),
                                      "concentration_mg_per_ml": D(1)},
         "duration_minutes", "needs a duration in minutes"),
        (DosingForm.FIXED_DOSE, {}, "dose_mg", "needs a dose in mg"),
        # carrying another form's dose field
        (DosingForm.RATE_DURATION, {**_BASE, "rate_mg_per_kg_h": D("0.35"),
                                    "total_mg_per_kg": D("1.4")},
         "total_mg_per_kg", "not given in a total dose in mg/kg"),
        (DosingForm.RATE_DURATION, {**_BASE, "rate_mg_per_kg_h": D("0.35"), "dose_mg": D(98)},
         "dose_mg", "not given in a dose in mg"),
        (DosingForm.TOTAL_OVER_TIME, {**_BASE, "total_mg_per_kg": D("0.5"),
                                      "rate_mg_per_kg_h": D("0.75")},
         "rate_mg_per_kg_h", "not given in a rate in mg/kg/h"),
        (DosingForm.FIXED_DOSE, {"dose_mg": D(50), "rate_mg_per_kg_h": D("0.35")},
         "rate_mg_per_kg_h", "not given in a rate in mg/kg/h"),
        # half a bolus
        (DosingForm.RATE_DURATION, {**_BASE, "rate_mg_per_kg_h": D("0.35"),
                                    "bolus_mg_per_kg": D("0.3")},
         "bolus_minutes", "needs both a dose (mg/kg) and a push time"),
        (DosingForm.RATE_DURATION, {**_BASE, "rate_mg_per_kg_h": D("0.35"),
                                    "bolus_minutes": D(5)},
         "bolus_mg_per_kg", "needs both a dose (mg/kg) and a push time"),
    ],
)
def test_order_with_missing_or_foreign_fields_is_refused(
    form: DosingForm, fields: dict[str, object], field_name: str, words: str
) -> None:
    kwargs = {"drug": Drug.KETAMINE, **fields}
    with pytest.raises(ValidationError) as caught:
        DoseOrder(form=form, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field_name
    assert words in caught.value.message


@pytest.mark.parametrize(
    "field_name",
    ["rate_mg_per_kg_h", "duration_minutes", "concentration_mg_per_ml", "bolus_mg_per_kg",
     "bolus_minutes"],
)
@pytest.mark.parametrize("bad", ["0", "-0", "-1", "-0.35", "NaN", "sNaN", "Infinity", "-Infinity"])
def test_non_positive_or_non_finite_inputs_are_refused(field_name: str, bad: str) -> None:
    values = {"rate_mg_per_kg_h": D("0.35"), "duration_minutes": D(240),
              "concentration_mg_per_ml": D(1), "bolus_mg_per_kg": D("0.3"),
              "bolus_minutes": D(5), field_name: D(bad)}
    with pytest.raises(ValidationError) as caught:
        DoseOrder(drug=Drug.KETAMINE, form=DosingForm.RATE_DURATION, **values)
    assert caught.value.field == field_name
    assert caught.value.message.endswith("must be a number more than zero.")


def test_non_positive_concentration_message_keeps_the_unit_spelling() -> None:
    with pytest.raises(ValidationError) as caught:
        rate_order("0.35", "240", "0")
    assert caught.value.message == "A concentration in mg/mL must be a number more than zero."


@pytest.mark.parametrize("bad", ["0", "-3", "NaN", "Infinity"])
def test_non_positive_total_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        total_order(bad, "40")
    assert caught.value.field == "total_mg_per_kg"


def test_a_fixed_dose_order_is_refused_on_an_infusion_entry() -> None:
    order = DoseOrder(drug=Drug.KETAMINE, form=DosingForm.FIXED_DOSE, dose_mg=D(50))
    error = _refused(order)
    assert error.field == "form"
    assert "rate × duration or total over time" in error.message


def test_a_rate_below_what_a_pump_can_run_is_refused() -> None:
    # 0.001 mg/kg/h × 30 kg = 0.03 mg/h = 0.03 mL/h at 1 mg/mL, which rounds to 0
    error = _refused(rate_order("0.001", "60"), "30")
    assert error.field == "rate_mg_per_kg_h"
    assert "below 0.1 mL/h" in error.message
    # 0.001 mg/kg over 60 min is the same dose written as a total: the total is at fault
    error = _refused(total_order("0.001", "60"), "30")
    assert error.field == "total_mg_per_kg"
    # 0.05 mL/h rounds half up to 0.1 mL/h: allowed
    plan = calculate(rate_order("0.0025", "60", "1.5"), D(30), KETAMINE)
    assert plan.ml_per_h == D("0.1")


def test_a_bolus_too_small_to_draw_up_is_refused() -> None:
    # 0.001 mg/kg × 30 kg = 0.03 mg, which is 0 mL to 0.1 mL
    error = _refused(rate_order("0.35", "240", bolus=("0.001", "5")), "30", KETAMINE_BOLUS)
    assert error.field == "bolus_mg_per_kg"
    assert "below 0.1 mL" in error.message
