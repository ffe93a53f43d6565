"""The clinic's monitoring settings as stored: the alarm table to and from JSON (exact both ways,
strict on load), and the choice of sedation and dissociation scales."""

from __future__ import annotations

import copy
import json
from dataclasses import FrozenInstanceError, fields, replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain.alarms import (
    DEFAULT_THRESHOLDS,
    AlarmThresholds,
    Bands,
    Cutoff,
    Side,
    at,
    beyond,
    thresholds_from_dict,
    thresholds_to_dict,
)
from console.domain.scales import DissociationScale, MonitoringScales, SedationScale
from console.domain.vitals import VitalValues
from console.errors import ValidationError

# ---------------------------------------------------------------- the stored form


def test_the_default_table_is_stored_the_way_clinical_md_writes_it() -> None:
    table = thresholds_to_dict(DEFAULT_THRESHOLDS)
    assert table["systolic"] == {"above": {"medium": {"at": 160}, "high": {"beyond": 180}},
                                 "below": {"high": {"at": 90}}}
    assert table["spo2"] == {"above": {},
                             "below": {"low": {"at": 95}, "medium": {"at": 93},
                                       "high": {"at": 91}}}
    assert table["sedation_rass"] == {"above": {},
                                      "below": {"medium": {"at": -2}, "high": {"at": -3}}}
    assert table["systolic_rise_percent"] == "25"
    assert list(table) == [*(f.name for f in fields(AlarmThresholds))], "every field, in order"


def test_the_stored_form_survives_json_and_reads_back_equal() -> None:
    text = json.dumps(thresholds_to_dict(DEFAULT_THRESHOLDS))
    assert thresholds_from_dict(json.loads(text)) == DEFAULT_THRESHOLDS


@pytest.mark.parametrize(("percent", "stored"), [
    (None, None), (Decimal(25), "25"), (Decimal("12.5"), "12.5"), (Decimal("100"), "100"),
])
def test_the_sbp_rise_is_a_decimal_string_or_off(percent: Decimal | None,
                                                 stored: str | None) -> None:
    thresholds = replace(DEFAULT_THRESHOLDS, systolic_rise_percent=percent)
    table = thresholds_to_dict(thresholds)
    assert table["systolic_rise_percent"] == stored
    back = thresholds_from_dict(table)
    assert back.systolic_rise_percent == percent
    assert str(back.systolic_rise_percent) == str(percent)


def test_a_whole_number_percentage_is_read_too() -> None:
    table = thresholds_to_dict(DEFAULT_THRESHOLDS) | {"systolic_rise_percent": 30}
    assert thresholds_from_dict(table).systolic_rise_percent == Decimal(30)


# ---------------------------------------------------------------- refused on load


def _default_table() -> dict[str, Any]:
    return copy.deepcopy(thresholds_to_dict(DEFAULT_THRESHOLDS))


def _edit(path: tuple[str, ...], value: object) -> dict[str, Any]:
    table = _default_table()
    target = table
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return table


def _without(*path: str) -> dict[str, Any]:
    table = _default_table()
    target = table
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return table


REFUSED: dict[str, tuple[object, str, str]] = {
    # name: (table, words the message must contain, field)
    "not a table": ([1, 2], "table of named entries", "thresholds"),
    "unknown parameter": (_edit(("temperature",), {"above": {}, "below": {}}),
                          "unknown entry 'temperature'", "thresholds"),
    "unknown side": (_edit(("heart_rate", "sideways"), {}), "unknown entry 'sideways'",
                     "heart_rate"),
    "unknown priority": (_edit(("spo2", "below", "critical"), {"at": 85}),
                         "unknown entry 'critical'", "spo2"),
    "unknown cut-off kind": (_edit(("systolic", "above", "high"), {"over": 180}),
                             "unknown entry 'over'", "systolic"),
    "both at and beyond": (_edit(("systolic", "above", "high"), {"at": 180, "beyond": 180}),
                           "exactly one of 'at' or 'beyond'", "systolic"),
    "empty cut-off": (_edit(("systolic", "above", "high"), {}),
                      "exactly one of 'at' or 'beyond'", "systolic"),
    "fractional cut-off": (_edit(("heart_rate", "above", "high"), {"at": 130.5}),
                           "whole number", "heart_rate"),
    "cut-off as text": (_edit(("heart_rate", "above", "high"), {"at": "131"}),
                        "whole number", "heart_rate"),
    "cut-off as true": (_edit(("heart_rate", "above", "high"), {"at": True}),
                        "whole number", "heart_rate"),
    "missing parameter": (_without("diastolic"), "missing diastolic", "thresholds"),
    "missing sbp rise": (_without("systolic_rise_percent"), "missing systolic_rise_percent",
                         "thresholds"),
    "missing side": (_without("diastolic", "below"), "both 'above' and 'below'", "diastolic"),
    "side not a table": (_edit(("diastolic", "below"), None), "table of named entries",
                         "diastolic"),
    "rise as float": (_edit(("systolic_rise_percent",), 25.0), "percentage",
                      "systolic_rise_percent"),
    "rise not a number": (_edit(("systolic_rise_percent",), "a lot"), "not a number",
                          "systolic_rise_percent"),
    "rise of zero": (_edit(("systolic_rise_percent",), "0"), "above 0",
                     "systolic_rise_percent"),
    "rise not finite": (_edit(("systolic_rise_percent",), "NaN"), "above 0",
                        "systolic_rise_percent"),
    "priorities out of order": (
        _edit(("systolic", "above"), {"medium": {"at": 185}, "high": {"beyond": 180}}),
        "must be higher than the medium-priority cut-off", "systolic"),
    "red alarm switched off": (_edit(("spo2", "below"), {"low": {"at": 95}}),
                               "cannot be switched off", "spo2"),
    "alarm at a normal reading": (_edit(("heart_rate", "above", "medium"), {"at": 70}),
                                  "normal reading", "heart_rate"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_a_table_that_cannot_be_used_is_refused_with_a_clear_reason(name: str) -> None:
    table, words, field = REFUSED[name]
    with pytest.raises(ValidationError) as refused:
        thresholds_from_dict(table)
    assert words in refused.value.message
    assert refused.value.field == field


def test_the_unknown_entry_message_says_what_was_expected() -> None:
    with pytest.raises(ValidationError,
                       match=r"SpO2 \(spo2\), below: unknown entry 'critical'; "
                             r"expected low, medium, high"):
        thresholds_from_dict(_edit(("spo2", "below", "critical"), {"at": 85}))


# ---------------------------------------------------------------- round trip, any valid table

# (normal reading, lowest, highest) per band, as the table validates them.
_BANDS = {
    "systolic": (120, 0, 300), "diastolic": (70, 0, 250), "heart_rate": (75, 0, 300),
    "spo2": (100, 0, 100), "respiratory_rate": (16, 0, 80), "sedation_rass": (0, -5, 4),
    "agitation_rass": (0, -5, 4), "sedation_poss": (0, 0, 4), "sedation_moaa_s": (5, 0, 5),
}


@st.composite
def _sides(draw: st.DrawFn, band: str, side: str) -> Side:
    normal, lowest, highest = _BANDS[band]
    rising = side == "above"
    room = list(range(normal + 1, highest + 1) if rising else range(normal - 1, lowest - 1, -1))
    default_side: Side = getattr(getattr(DEFAULT_THRESHOLDS, band), side)
    red_required = bool(default_side.tiers())  # the red alarms the clinic cannot switch off
    optional = draw(st.lists(st.sampled_from(["low", "medium"]), unique=True, max_size=2))
    names: list[str] = [n for n in ("low", "medium") if n in optional]
    if red_required or draw(st.booleans()):
        names.append("high")
    if not room:
        return Side()
    names = names[-len(room):]
    edges = sorted(draw(st.lists(st.sampled_from(room), min_size=len(names),
                                 max_size=len(names), unique=True)),
                   key=room.index)  # nearest to normal first
    cutoffs: dict[str, Cutoff] = {}
    for name, edge in zip(names, edges, strict=True):
        if draw(st.booleans()):
            cutoffs[name] = beyond(edge - 1 if rising else edge + 1)
        else:
            cutoffs[name] = at(edge)
    return Side(**cutoffs)


@st.composite
def thresholds(draw: st.DrawFn) -> AlarmThresholds:
    bands = {band: Bands(above=draw(_sides(band, "above")), below=draw(_sides(band, "below")))
             for band in _BANDS}
    percent = draw(st.none() | st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100),
                                           places=2))
    return AlarmThresholds(**bands, systolic_rise_percent=percent)


@given(thresholds())
def test_any_valid_table_survives_storage_exactly(table: AlarmThresholds) -> None:
    stored = thresholds_to_dict(table)
    back = thresholds_from_dict(json.loads(json.dumps(stored)))
    assert back == table
    assert str(back.systolic_rise_percent) == str(table.systolic_rise_percent)
    assert thresholds_to_dict(back) == stored


# ---------------------------------------------------------------- the scales


def test_each_sedation_scale_names_the_vital_field_it_is_charted_in() -> None:
    vital_fields = {f.name for f in fields(VitalValues)}
    assert {s: s.vital_field for s in SedationScale} == {
        SedationScale.RASS: "sedation_rass", SedationScale.POSS: "sedation_poss",
        SedationScale.MOAA_S: "sedation_moaa_s"}
    assert all(s.vital_field in vital_fields for s in SedationScale)
    assert [s.short_label for s in SedationScale] == ["RASS", "POSS", "MOAA/S"]
    assert all(s.short_label in s.label for s in SedationScale)


def test_the_dissociation_scales_and_their_ranges() -> None:
    assert {s: s.max_score for s in DissociationScale} == {
        DissociationScale.CADSS: 92, DissociationScale.CADSS_6: 24}
    assert DissociationScale.CADSS.label == "CADSS total (0 to 92)"
    assert DissociationScale.CADSS_6.label == "CADSS-6 (0 to 24)"


def test_the_default_scales_are_rass_and_cadss_6_and_cannot_be_changed_in_place() -> None:
    scales = MonitoringScales()
    assert (scales.sedation, scales.dissociation) == (SedationScale.RASS,
                                                      DissociationScale.CADSS_6)
    with pytest.raises(FrozenInstanceError):
        scales.sedation = SedationScale.POSS  # type: ignore[misc]


@pytest.mark.parametrize(("scale", "score", "accepted"), [
    (DissociationScale.CADSS_6, 0, True),
    (DissociationScale.CADSS_6, 24, True),
    (DissociationScale.CADSS_6, 25, False),
    (DissociationScale.CADSS_6, 92, False),
    (DissociationScale.CADSS_6, -1, False),
    (DissociationScale.CADSS, 25, True),
    (DissociationScale.CADSS, 92, True),
    (DissociationScale.CADSS, 93, False),
    (DissociationScale.CADSS, -1, False),
])
def test_a_dissociation_score_must_fit_the_chosen_scale(scale: DissociationScale, score: int,
                                                        accepted: bool) -> None:
    scales = MonitoringScales(dissociation=scale)
    if accepted:
        assert scales.check_dissociation(score) == score
    else:
        with pytest.raises(ValidationError, match=f"scored 0 to {scale.max_score}") as refused:
            scales.check_dissociation(score)
        assert refused.value.field == "dissociation"
        assert scale.short_label in refused.value.message


@pytest.mark.parametrize("score", [True, 12.0, "12"])
def test_a_dissociation_score_is_a_whole_number(score: object) -> None:
    with pytest.raises(ValidationError, match="whole number"):
        MonitoringScales().check_dissociation(score)  # type: ignore[arg-type]
