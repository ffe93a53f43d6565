"""Typed observation boxes → VitalValues: every mistake gets a message naming its box."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain.scales import DissociationScale, PossLevel, SedationScale
from console.domain.vital_entry import entry_fields, entry_texts, parse_observations
from console.domain.vitals import VitalValues
from console.errors import ValidationError

RASS = {"sedation": SedationScale.RASS, "dissociation": DissociationScale.CADSS_6}


def test_a_full_row_parses() -> None:
    values = parse_observations({"heart_rate": "72", "systolic": "124", "diastolic": "78",
                                 "spo2": "98", "respiratory_rate": "14",
                                 "temperature_c": "36.8", "etco2": "38", "pain_nrs": "3",
                                 "sedation_rass": "−2", "dissociation": "4"}, **RASS)
    assert values == VitalValues(heart_rate=72, systolic=124, diastolic=78, spo2=98,
                                 respiratory_rate=14, temperature_c=Decimal("36.8"), etco2=38,
                                 pain_nrs=3, sedation_rass=-2, dissociation=4)
    assert values.mean_arterial == 93


@pytest.mark.parametrize(("texts", "field", "words"), [
    ({"heart_rate": "7O"}, "heart_rate", "whole number"),
    ({"heart_rate": "72.5"}, "heart_rate", "whole number"),
    ({"spo2": "101"}, "spo2", "0 to 100"),
    ({"systolic": "120", "diastolic": "130"}, "diastolic", "below systolic"),
    ({"systolic": "120"}, "diastolic", "both"),
    ({"respiratory_rate": "-3"}, "respiratory_rate", "0 to 80"),
    ({"temperature_c": "36,8"}, "temperature_c", "point"),
    ({"temperature_c": "98.6"}, "temperature_c", "°F"),
    ({"temperature_c": "warm"}, "temperature_c", "number"),
    ({"pain_nrs": "11"}, "pain_nrs", "0 to 10"),
    ({"sedation_rass": "+5"}, "sedation_rass", "-5 to 4"),
    ({"dissociation": "30"}, "dissociation", "CADSS-6 is scored 0 to 24"),
    ({"heart_rate": ""}, "heart_rate", "at least one"),
])
def test_mistakes_name_their_box(texts: dict[str, str], field: str, words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_observations(texts, **RASS)
    assert refused.value.field == field
    assert words in refused.value.message


def test_poss_and_moaa_s_scales() -> None:
    poss = parse_observations({"sedation_poss": "s"}, sedation=SedationScale.POSS,
                              dissociation=DissociationScale.CADSS)
    assert poss.sedation_poss is PossLevel.SLEEPING
    with pytest.raises(ValidationError, match="S, 1, 2, 3 or 4"):
        parse_observations({"sedation_poss": "5"}, sedation=SedationScale.POSS,
                           dissociation=DissociationScale.CADSS)
    with pytest.raises(ValidationError, match="Unknown observation"):
        parse_observations({"sedation_rass": "0"}, sedation=SedationScale.MOAA_S,
                           dissociation=DissociationScale.CADSS)
    moaa = parse_observations({"sedation_moaa_s": "3", "dissociation": "60"},
                              sedation=SedationScale.MOAA_S,
                              dissociation=DissociationScale.CADSS)
    assert (moaa.sedation_moaa_s, moaa.dissociation) == (3, 60)


def test_every_scale_has_ten_boxes_with_its_own_sedation_box() -> None:
    for scale in SedationScale:
        names = [f.name for f in entry_fields(scale, DissociationScale.CADSS)]
        assert len(names) == 10
        assert scale.vital_field in names


@given(hr=st.integers(0, 300), sbp=st.integers(1, 300), gap=st.integers(1, 200),
       rass=st.integers(-5, 4), pain=st.integers(0, 10), temp=st.decimals("25", "45", places=1))
def test_texts_round_trip(hr: int, sbp: int, gap: int, rass: int, pain: int,
                          temp: Decimal) -> None:
    dbp = max(0, sbp - gap)
    values = VitalValues(heart_rate=hr, systolic=sbp, diastolic=min(dbp, 250), pain_nrs=pain,
                         sedation_rass=rass, temperature_c=temp)
    texts = entry_texts(values, **RASS)
    assert parse_observations(texts, **RASS) == values
