"""In-session alarms: CLINICAL.md thresholds at every edge, the baseline SBP rule, several
conditions at once, the clinic's table validation, and the alarm lifecycle over time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain.alarms import (
    AUDIO_PAUSE,
    DEFAULT_THRESHOLDS,
    AlarmAction,
    AlarmBook,
    AlarmCondition,
    AlarmKind,
    AlarmParameter,
    AlarmPriority,
    AlarmThresholds,
    Bands,
    Side,
    assessed,
    at,
    beyond,
    device_feed_lost,
    evaluate,
    independent_check_missing,
    observation_overdue,
)
from console.domain.scales import PossLevel
from console.domain.vitals import VitalValues
from console.errors import NotFound, ValidationError

H, M, L = AlarmPriority.HIGH, AlarmPriority.MEDIUM, AlarmPriority.LOW
P = AlarmParameter
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def check(values: VitalValues, *, baseline: VitalValues | None = None,
          thresholds: AlarmThresholds = DEFAULT_THRESHOLDS, **extra: object
          ) -> dict[AlarmParameter, AlarmCondition]:
    conditions = evaluate(values, baseline=baseline, thresholds=thresholds,
                          **extra)  # type: ignore[arg-type]
    by_parameter = {c.parameter: c for c in conditions}
    assert len(by_parameter) == len(conditions), "one condition per parameter"
    return by_parameter


def bp(systolic: int, diastolic: int | None = None) -> VitalValues:
    if diastolic is None:
        diastolic = min(70, systolic - 1)
    return VitalValues(systolic=systolic, diastolic=diastolic)


# ---------------------------------------------------------------- presentation (IEC 60601-1-8)


@pytest.mark.parametrize(
    ("priority", "colour", "flash", "pulses", "marker"),
    [
        (H, "red", (Decimal("1.4"), Decimal("2.8")), 10, "***"),
        (M, "yellow", (Decimal("0.4"), Decimal("0.8")), 3, "**"),
        (L, "cyan", None, 1, "*"),
    ],
)
def test_priority_presentation(priority: AlarmPriority, colour: str,
                               flash: tuple[Decimal, Decimal] | None, pulses: int,
                               marker: str) -> None:
    assert priority.colour == colour
    assert priority.flash_hz == flash
    assert priority.tone_pulses == pulses
    assert priority.marker == marker
    assert priority.duty_cycle_percent == ((100, 100) if flash is None else (20, 60))


def test_priorities_rank_high_above_medium_above_low() -> None:
    assert H.rank > M.rank > L.rank


# ---------------------------------------------------------------- every threshold edge

# (reading, expected priority or None): just inside, on, and just outside each bound,
# approached from both directions (CLINICAL.md "Vital signs: alarms and gates").
SYSTOLIC_EDGES = [(1, H), (89, H), (90, H), (91, None), (120, None), (159, None), (160, M),
                  (161, M), (180, M), (181, H), (182, H), (300, H)]
DIASTOLIC_EDGES = [(30, None), (99, None), (100, M), (101, M), (110, M), (111, H), (112, H)]
HEART_RATE_EDGES = [(0, H), (39, H), (40, H), (41, M), (50, M), (51, None), (75, None),
                    (110, None), (111, M), (130, M), (131, H), (132, H), (300, H)]
SPO2_EDGES = [(0, H), (90, H), (91, H), (92, M), (93, M), (94, L), (95, L), (96, None),
              (100, None)]
RR_EDGES = [(0, H), (7, H), (8, H), (9, M), (11, M), (12, None), (16, None), (20, None),
            (21, M), (24, M), (25, H), (26, H), (80, H)]


@pytest.mark.parametrize(("reading", "expected"), SYSTOLIC_EDGES)
def test_systolic_edges(reading: int, expected: AlarmPriority | None) -> None:
    found = check(bp(reading))
    assert (found[P.SYSTOLIC].priority if P.SYSTOLIC in found else None) is expected
    assert set(found) <= {P.SYSTOLIC}


@pytest.mark.parametrize(("reading", "expected"), DIASTOLIC_EDGES)
def test_diastolic_edges(reading: int, expected: AlarmPriority | None) -> None:
    found = check(bp(150, reading))
    assert (found[P.DIASTOLIC].priority if P.DIASTOLIC in found else None) is expected
    assert set(found) <= {P.DIASTOLIC}


@pytest.mark.parametrize(("reading", "expected"), HEART_RATE_EDGES)
def test_heart_rate_edges(reading: int, expected: AlarmPriority | None) -> None:
    found = check(VitalValues(heart_rate=reading))
    assert (found[P.HEART_RATE].priority if found else None) is expected


@pytest.mark.parametrize(("reading", "expected"), SPO2_EDGES)
def test_spo2_edges(reading: int, expected: AlarmPriority | None) -> None:
    found = check(VitalValues(spo2=reading))
    assert (found[P.SPO2].priority if found else None) is expected


@pytest.mark.parametrize(("reading", "expected"), RR_EDGES)
def test_respiratory_rate_edges(reading: int, expected: AlarmPriority | None) -> None:
    found = check(VitalValues(respiratory_rate=reading))
    assert (found[P.RESPIRATORY_RATE].priority if found else None) is expected


@pytest.mark.parametrize(
    ("rass", "parameter", "expected"),
    [(-5, P.SEDATION, H), (-4, P.SEDATION, H), (-3, P.SEDATION, H), (-2, P.SEDATION, M),
     (-1, None, None), (0, None, None), (1, None, None), (2, P.AGITATION, M),
     (3, P.AGITATION, H), (4, P.AGITATION, H)],
)
def test_rass_edges(rass: int, parameter: AlarmParameter | None,
                    expected: AlarmPriority | None) -> None:
    found = check(VitalValues(sedation_rass=rass))
    if parameter is None:
        assert found == {}
    else:
        assert list(found) == [parameter]
        assert found[parameter].priority is expected


@pytest.mark.parametrize(
    ("poss", "expected"),
    [(PossLevel.SLEEPING, None), (PossLevel.AWAKE, None), (PossLevel.SLIGHTLY_DROWSY, None),
     (PossLevel.FREQUENTLY_DROWSY, M), (PossLevel.SOMNOLENT, H)],
)
def test_poss_levels(poss: PossLevel, expected: AlarmPriority | None) -> None:
    found = check(VitalValues(heart_rate=70), poss=poss)
    assert (found[P.SEDATION].priority if found else None) is expected


@pytest.mark.parametrize(("moaa_s", "expected"),
                         [(5, None), (4, None), (3, M), (2, H), (1, H), (0, H)])
def test_moaa_s_scores(moaa_s: int, expected: AlarmPriority | None) -> None:
    found = check(VitalValues(heart_rate=70), moaa_s=moaa_s)
    assert (found[P.SEDATION].priority if found else None) is expected


def test_moaa_s_outside_its_scale_is_refused() -> None:
    with pytest.raises(ValidationError, match="MOAA/S is scored 0 to 5"):
        check(VitalValues(heart_rate=70), moaa_s=6)


def test_distressing_hallucinations_are_a_medium_agitation_alarm() -> None:
    found = check(VitalValues(sedation_rass=0), distressing_hallucinations=True)
    assert found[P.AGITATION].priority is M
    assert "hallucinations" in found[P.AGITATION].rule
    # RASS +3 outranks the hallucinations on the same parameter
    assert check(VitalValues(sedation_rass=3),
                 distressing_hallucinations=True)[P.AGITATION].priority is H


def test_sedation_scales_together_the_worst_wins() -> None:
    found = check(VitalValues(sedation_rass=-2), poss=PossLevel.SOMNOLENT)
    assert found[P.SEDATION].priority is H
    assert found[P.SEDATION].rule.startswith("POSS 4 — at or above 4:")


# ---------------------------------------------------------------- sentences a nurse reads


@pytest.mark.parametrize(
    ("values", "parameter", "rule"),
    [
        (VitalValues(spo2=91), P.SPO2,
         "SpO2 91 % — at or below 91 %: pause the infusion and call the clinician."),
        (VitalValues(spo2=95), P.SPO2,
         "SpO2 95 % — at or below 95 %: check the patient and watch the trend."),
        (bp(181), P.SYSTOLIC,
         "SBP 181 mmHg — above 180 mmHg: pause the infusion and call the clinician."),
        (bp(160), P.SYSTOLIC, "SBP 160 mmHg — at or above 160 mmHg: notify the clinician and "
                              "consider slowing the infusion."),
        (bp(150, 111), P.DIASTOLIC,
         "DBP 111 mmHg — above 110 mmHg: pause the infusion and call the clinician."),
        (VitalValues(heart_rate=45), P.HEART_RATE,
         "Heart rate 45 /min — at or below 50 /min: notify the clinician and consider slowing "
         "the infusion."),
        (VitalValues(respiratory_rate=8), P.RESPIRATORY_RATE,
         "Resp. rate 8 /min — at or below 8 /min: pause the infusion and call the clinician."),
        (VitalValues(sedation_rass=-3), P.SEDATION,
         "RASS −3 — at or below −3: pause the infusion and call the clinician."),
        (VitalValues(sedation_rass=2), P.AGITATION,
         "RASS +2 — at or above +2: notify the clinician and consider slowing the infusion."),
    ],
)
def test_rule_sentences(values: VitalValues, parameter: AlarmParameter, rule: str) -> None:
    condition = check(values)[parameter]
    assert condition.rule == rule
    assert condition.kind is AlarmKind.PHYSIOLOGICAL
    assert condition.message == f"{condition.priority.marker} {rule}"


# ---------------------------------------------------------------- SBP against the baseline


@pytest.mark.parametrize(
    ("baseline", "reading", "expected"),
    [
        (120, 149, None), (120, 150, None),  # exactly 25 % above is not "more than 25 %"
        (120, 151, M), (100, 125, None), (100, 126, M),
        (121, 151, None), (121, 152, M),  # 121 × 1.25 = 151.25
        (80, 100, None), (80, 101, M),  # a low baseline alarms below the absolute 160
        (150, 185, H),  # the absolute red bound still wins
        (100, 90, H),  # the low bound is unaffected by the baseline
    ],
)
def test_systolic_rise_over_baseline(baseline: int, reading: int,
                                     expected: AlarmPriority | None) -> None:
    found = check(bp(reading), baseline=bp(baseline))
    assert (found[P.SYSTOLIC].priority if found else None) is expected


def test_baseline_rule_sentence_shows_the_patients_numbers() -> None:
    condition = check(bp(151), baseline=bp(120))[P.SYSTOLIC]
    assert condition.rule == (
        "SBP 151 mmHg — more than 25 % above this patient's baseline of 120 mmHg (above "
        "150 mmHg): notify the clinician and consider slowing the infusion.")


def test_baseline_tie_with_absolute_medium_reports_the_absolute_rule() -> None:
    condition = check(bp(165), baseline=bp(120))[P.SYSTOLIC]
    assert condition.priority is M
    assert condition.rule.startswith("SBP 165 mmHg — at or above 160 mmHg")


@pytest.mark.parametrize("baseline", [None, VitalValues(heart_rate=70)])
def test_no_baseline_systolic_means_no_relative_rule(baseline: VitalValues | None) -> None:
    assert check(bp(155), baseline=baseline) == {}


def test_relative_rule_follows_the_clinic_percentage_and_can_be_switched_off() -> None:
    twenty = replace(DEFAULT_THRESHOLDS, systolic_rise_percent=Decimal(20))
    assert check(bp(145), baseline=bp(120), thresholds=twenty)[P.SYSTOLIC].priority is M
    off = replace(DEFAULT_THRESHOLDS, systolic_rise_percent=None)
    assert check(bp(155), baseline=bp(120), thresholds=off) == {}


# ---------------------------------------------------------------- several conditions at once


def test_every_parameter_in_alarm_is_reported_high_first() -> None:
    values = VitalValues(heart_rate=131, systolic=185, diastolic=105, spo2=94,
                         respiratory_rate=8, sedation_rass=-2)
    conditions = evaluate(values, baseline=bp(120), thresholds=DEFAULT_THRESHOLDS)
    assert [(c.parameter, c.priority) for c in conditions] == [
        (P.SYSTOLIC, H), (P.HEART_RATE, H), (P.RESPIRATORY_RATE, H),
        (P.DIASTOLIC, M), (P.SEDATION, M), (P.SPO2, L),
    ]


def test_normal_observations_raise_nothing() -> None:
    values = VitalValues(heart_rate=75, systolic=130, diastolic=80, spo2=98,
                         respiratory_rate=14, temperature_c=Decimal("36.8"), pain_nrs=6,
                         sedation_rass=0)
    assert evaluate(values, baseline=bp(120), thresholds=DEFAULT_THRESHOLDS) == []


def test_only_what_was_measured_is_assessed() -> None:
    assert assessed(VitalValues(heart_rate=80)) == {P.HEART_RATE}
    assert assessed(bp(120)) == {P.SYSTOLIC, P.DIASTOLIC}
    assert assessed(VitalValues(sedation_rass=0)) == {P.SEDATION, P.AGITATION}
    assert assessed(VitalValues(spo2=99), moaa_s=5) == {P.SPO2, P.SEDATION}
    assert P.AGITATION in assessed(VitalValues(spo2=99), hallucinations_assessed=True)


# ---------------------------------------------------------------- the clinic's table


def test_default_table_is_the_clinical_table() -> None:
    t = AlarmThresholds()
    assert t == DEFAULT_THRESHOLDS
    assert t.systolic == Bands(above=Side(medium=at(160), high=beyond(180)),
                               below=Side(high=at(90)))
    assert t.diastolic == Bands(above=Side(medium=at(100), high=beyond(110)))
    assert t.systolic_rise_percent == Decimal(25)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"spo2": Bands(below=Side(low=at(95), medium=at(96), high=at(91)))},
         "SpO2: the medium-priority cut-off (at or below 96 %) must be lower than the "
         "low-priority cut-off (at or below 95 %)."),
        ({"heart_rate": Bands(above=Side(medium=at(131), high=at(131)),
                              below=Side(medium=at(50), high=at(40)))},
         "Heart rate: the high-priority cut-off (at or above 131 /min) must be higher than "
         "the medium-priority cut-off (at or above 131 /min)."),
        ({"systolic": Bands(above=Side(medium=at(110), high=beyond(180)),
                            below=Side(high=at(90)))},
         "SBP: the medium-priority cut-off (at or above 110 mmHg) would alarm at a normal "
         "reading of 120 mmHg."),
        ({"systolic": Bands(above=Side(medium=at(160)), below=Side(high=at(90)))},
         "SBP: the high-priority (red) alarm for high readings cannot be switched off"),
        ({"spo2": Bands(below=Side(low=at(95), medium=at(93)))},
         "SpO2: the high-priority (red) alarm for low readings cannot be switched off"),
        ({"respiratory_rate": Bands(above=Side(medium=at(21), high=at(90)),
                                    below=Side(medium=at(11), high=at(8)))},
         "Resp. rate: the high-priority cut-off (at or above 90 /min) can never be reached"),
        ({"sedation_rass": Bands(below=Side(medium=at(0), high=at(-3)))},
         "RASS: the medium-priority cut-off (at or below 0) would alarm at a normal reading "
         "of 0."),
        ({"systolic_rise_percent": Decimal(0)}, "SBP rise over baseline"),
        ({"systolic_rise_percent": Decimal("NaN")}, "SBP rise over baseline"),
        ({"systolic_rise_percent": Decimal(150)}, "SBP rise over baseline"),
    ],
)
def test_inconsistent_tables_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        replace(DEFAULT_THRESHOLDS, **change)  # type: ignore[arg-type]
    assert message in caught.value.message
    assert caught.value.field == next(iter(change))


def test_a_clinic_table_moves_the_bounds() -> None:
    strict_spo2 = replace(DEFAULT_THRESHOLDS,
                          spo2=Bands(below=Side(low=at(96), medium=at(94), high=at(92))))
    strict_spo2.validate()
    assert check(VitalValues(spo2=92), thresholds=strict_spo2)[P.SPO2].priority is H
    assert check(VitalValues(spo2=96), thresholds=strict_spo2)[P.SPO2].priority is L
    assert check(VitalValues(spo2=92))[P.SPO2].priority is M


# ---------------------------------------------------------------- technical and process


def test_observation_overdue_is_low_process() -> None:
    assert observation_overdue(due_at=T0, now=T0) is None
    assert observation_overdue(due_at=T0, now=T0 - MIN) is None
    late = observation_overdue(due_at=T0, now=T0 + timedelta(seconds=1))
    assert late is not None
    assert (late.priority, late.kind, late.value) == (L, AlarmKind.PROCESS, 1)
    seven = observation_overdue(due_at=T0, now=T0 + 7 * MIN)
    assert seven is not None
    assert seven.rule.startswith("Observations overdue by 7 min")


def test_device_feed_lost_is_medium_technical() -> None:
    condition = device_feed_lost("Monitor 2")
    assert (condition.parameter, condition.priority, condition.kind) == \
        (P.DEVICE_FEED, M, AlarmKind.TECHNICAL)
    assert "Monitor 2" in condition.rule
    assert "by hand" in condition.rule


def test_independent_check_missing_is_medium_process() -> None:
    condition = independent_check_missing()
    assert (condition.parameter, condition.priority, condition.kind) == \
        (P.INDEPENDENT_CHECK, M, AlarmKind.PROCESS)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        observation_overdue(due_at=T0.replace(tzinfo=None), now=T0)


# ---------------------------------------------------------------- lifecycle


def spo2(reading: int) -> list[AlarmCondition]:
    return evaluate(VitalValues(spo2=reading), baseline=None, thresholds=DEFAULT_THRESHOLDS)


def test_raise_acknowledge_resolve() -> None:
    first = AlarmBook().update(spo2(93), at=T0)
    (alarm,) = first.raised
    assert (alarm.id, alarm.parameter, alarm.priority, alarm.raised_at) == (1, P.SPO2, M, T0)
    assert not alarm.acknowledged
    assert alarm.active
    assert first.book.should_sound(T0)
    assert first.book.sounding_priority(T0) is M

    kept = first.book.update(spo2(92), at=T0 + MIN)
    assert kept.raised == kept.escalated == kept.resolved == ()
    assert kept.book.active[0].id == 1
    assert kept.book.active[0].condition.value == 92

    book = kept.book.acknowledge(1, by_name="RN Okafor", action=AlarmAction.RATE_REDUCED,
                                 at=T0 + 2 * MIN)
    acked = book.find(1)
    assert (acked.acknowledged_at, acked.acknowledged_by, acked.action) == \
        (T0 + 2 * MIN, "RN Okafor", AlarmAction.RATE_REDUCED)

    cleared = book.update(spo2(97), at=T0 + 5 * MIN)
    (gone,) = cleared.resolved
    assert gone.resolved_at == T0 + 5 * MIN
    assert not gone.active
    assert gone.acknowledged_by == "RN Okafor"  # the record keeps who responded
    assert cleared.book.active == ()
    assert cleared.book.resolved == (gone,)
    assert not cleared.book.should_sound(T0 + 5 * MIN)
    assert cleared.book.highest_active is None


def test_reraise_after_resolution_is_a_new_alarm() -> None:
    book = AlarmBook().update(spo2(91), at=T0).book
    book = book.update([], at=T0 + MIN).book
    again = book.update(spo2(91), at=T0 + 2 * MIN)
    (alarm,) = again.raised
    assert alarm.id == 2
    assert alarm.raised_at == T0 + 2 * MIN
    assert [a.id for a in again.book.resolved] == [1]


def test_escalation_needs_a_fresh_acknowledgement_and_sounds_again() -> None:
    book = AlarmBook().update(spo2(95), at=T0).book
    book = book.acknowledge(1, by_name="RN Okafor", action=AlarmAction.OBSERVED, at=T0 + MIN)
    assert not book.should_sound(T0 + MIN)
    worse = book.update(spo2(90), at=T0 + 2 * MIN)
    (alarm,) = worse.escalated
    assert worse.raised == ()
    assert alarm.id == 1
    assert alarm.priority is H
    assert [(e.from_priority, e.to_priority, e.at) for e in alarm.escalations] == \
        [(L, H, T0 + 2 * MIN)]
    assert not alarm.acknowledged
    assert alarm.acknowledged_by is None
    assert worse.book.should_sound(T0 + 2 * MIN)
    assert worse.book.sounding_priority(T0 + 2 * MIN) is H
    book = worse.book.acknowledge(1, by_name="Dr Haddad", action=AlarmAction.PAUSED,
                                  at=T0 + 3 * MIN)
    alarm = book.find(1)
    assert alarm.acknowledged_by == "Dr Haddad"
    assert alarm.action is AlarmAction.PAUSED
    assert [(a.by_name, a.priority) for a in alarm.acknowledgements] == \
        [("RN Okafor", L), ("Dr Haddad", H)]


def test_an_improving_condition_keeps_the_peak_priority_until_it_clears() -> None:
    book = AlarmBook().update(spo2(90), at=T0).book
    update = book.update(spo2(93), at=T0 + MIN)
    alarm = update.book.active[0]
    assert alarm.priority is H
    assert alarm.condition.priority is M
    assert update.escalated == update.resolved == ()


def test_an_observation_without_the_parameter_does_not_clear_its_alarm() -> None:
    book = AlarmBook().update(spo2(91), at=T0).book
    hr_only = VitalValues(heart_rate=80)
    update = book.update(
        evaluate(hr_only, baseline=None, thresholds=DEFAULT_THRESHOLDS),
        at=T0 + MIN, assessed=assessed(hr_only))
    assert update.resolved == ()
    assert [a.id for a in update.book.active] == [1]
    with_spo2 = VitalValues(heart_rate=80, spo2=97)
    update = update.book.update(
        evaluate(with_spo2, baseline=None, thresholds=DEFAULT_THRESHOLDS),
        at=T0 + 2 * MIN, assessed=assessed(with_spo2))
    assert [a.id for a in update.resolved] == [1]


def test_audio_pause_lasts_two_minutes_then_a_still_active_alarm_sounds() -> None:
    book = AlarmBook().update(spo2(91), at=T0).book
    book = book.pause_audio(at=T0 + MIN)
    assert timedelta(minutes=2) == AUDIO_PAUSE
    assert not book.should_sound(T0 + MIN)
    assert not book.should_sound(T0 + 3 * MIN - timedelta(seconds=1))
    assert book.highest_active is H  # the red light stays on while the tone is paused
    assert book.should_sound(T0 + 3 * MIN)
    # cleared during the pause: nothing sounds afterwards
    cleared = book.update(spo2(98), at=T0 + 2 * MIN).book
    assert not cleared.should_sound(T0 + 4 * MIN)


def test_an_alarm_raised_during_a_pause_sounds_at_once() -> None:
    book = AlarmBook().update(spo2(93), at=T0).book.pause_audio(at=T0)
    book = book.update([*spo2(93), independent_check_missing()], at=T0 + MIN).book
    assert book.should_sound(T0 + MIN)
    assert book.find(1).should_sound(T0 + MIN) is False
    assert book.find(2).should_sound(T0 + MIN) is True


def test_acknowledging_pauses_that_alarms_tone_for_two_minutes() -> None:
    book = AlarmBook().update([*spo2(93), device_feed_lost("Monitor 1")], at=T0).book
    device = next(a for a in book.active if a.parameter is P.DEVICE_FEED)
    assert device.kind is AlarmKind.TECHNICAL
    book = book.acknowledge(device.id, by_name="RN Okafor", action=AlarmAction.OTHER,
                            note="Reseated the cable", at=T0)
    assert book.find(device.id).should_sound(T0 + MIN) is False
    assert book.find(device.id).should_sound(T0 + 2 * MIN) is True
    assert book.find(device.id).acknowledgements[0].note == "Reseated the cable"


def test_complete_picture_clears_technical_conditions() -> None:
    overdue = observation_overdue(due_at=T0, now=T0 + 5 * MIN)
    assert overdue is not None
    book = AlarmBook().update([overdue], at=T0 + 5 * MIN).book
    assert book.active[0].priority is L
    assert book.update([], at=T0 + 6 * MIN).book.active == ()


def test_a_resolved_alarm_can_still_be_acknowledged() -> None:
    book = AlarmBook().update(spo2(91), at=T0).book.update([], at=T0 + MIN).book
    book = book.acknowledge(1, by_name="RN Okafor", action=AlarmAction.CLINICIAN_CALLED,
                            at=T0 + 2 * MIN)
    alarm = book.find(1)
    assert alarm.acknowledged_by == "RN Okafor"
    assert not alarm.active


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"by_name": "  ", "action": AlarmAction.OBSERVED}, ValidationError, "who"),
        ({"by_name": "RN Okafor", "action": AlarmAction.OTHER}, ValidationError,
         "Describe the action"),
    ],
)
def test_acknowledgement_needs_a_person_and_an_action(kwargs: dict[str, object],
                                                      error: type[Exception],
                                                      text: str) -> None:
    book = AlarmBook().update(spo2(91), at=T0).book
    with pytest.raises(error, match=text):
        book.acknowledge(1, at=T0, **kwargs)  # type: ignore[arg-type]


def test_acknowledging_twice_or_an_unknown_alarm_is_refused() -> None:
    book = AlarmBook().update(spo2(91), at=T0).book
    book = book.acknowledge(1, by_name="RN Okafor", action=AlarmAction.PAUSED, at=T0)
    with pytest.raises(ValidationError, match="already acknowledged by RN Okafor"):
        book.acknowledge(1, by_name="RN Lee", action=AlarmAction.PAUSED, at=T0 + MIN)
    with pytest.raises(NotFound):
        book.acknowledge(9, by_name="RN Lee", action=AlarmAction.PAUSED, at=T0 + MIN)


def test_time_never_runs_backwards_in_the_book() -> None:
    book = AlarmBook().update(spo2(91), at=T0).book
    with pytest.raises(ValueError, match="earlier"):
        book.update([], at=T0 - MIN)
    with pytest.raises(ValueError, match="naive"):
        book.pause_audio(at=T0.replace(tzinfo=None))


# ---------------------------------------------------------------- properties


def _rank(conditions: list[AlarmCondition], parameter: AlarmParameter) -> int:
    return next((c.priority.rank for c in conditions if c.parameter is parameter), 0)


def _values(field_name: str, reading: int) -> VitalValues:
    if field_name == "systolic":
        return bp(reading)
    return VitalValues(**{field_name: reading})


MONOTONE = [("systolic", P.SYSTOLIC, 1, 300, 120), ("heart_rate", P.HEART_RATE, 0, 300, 75),
            ("spo2", P.SPO2, 0, 100, 100), ("respiratory_rate", P.RESPIRATORY_RATE, 0, 80, 16),
            ("sedation_rass", P.SEDATION, -5, 4, 0), ("sedation_rass", P.AGITATION, -5, 4, 0)]


@given(case=st.sampled_from(MONOTONE), data=st.data(),
       baseline=st.none() | st.integers(min_value=80, max_value=200))
def test_further_beyond_a_bound_never_lowers_the_priority(
        case: tuple[str, AlarmParameter, int, int, int], data: st.DataObject,
        baseline: int | None) -> None:
    field_name, parameter, low, high, normal = case
    a = data.draw(st.integers(min_value=low, max_value=high))
    b = data.draw(st.integers(min_value=low, max_value=high))
    near, far = (min(a, b), max(a, b)) if min(a, b) >= normal else (max(a, b), min(a, b))
    if not (min(a, b) >= normal or max(a, b) <= normal):
        return  # the two readings sit on different sides of normal
    base = bp(baseline) if baseline is not None else None
    ranks = [_rank(evaluate(_values(field_name, v), baseline=base,
                            thresholds=DEFAULT_THRESHOLDS), parameter) for v in (near, far)]
    assert ranks[1] >= ranks[0]


@given(medium=st.integers(min_value=76, max_value=200),
       gap=st.integers(min_value=1, max_value=90),
       low_medium=st.integers(min_value=2, max_value=74),
       low_gap=st.integers(min_value=1, max_value=60),
       a=st.integers(min_value=0, max_value=300), b=st.integers(min_value=0, max_value=300))
def test_monotone_for_any_valid_clinic_table(medium: int, gap: int, low_medium: int,
                                             low_gap: int, a: int, b: int) -> None:
    low_high = low_medium - low_gap
    if medium + gap > 300 or low_high < 0:
        return
    table = replace(DEFAULT_THRESHOLDS, heart_rate=Bands(
        above=Side(medium=at(medium), high=at(medium + gap)),
        below=Side(medium=at(low_medium), high=at(low_high))))
    ranks = {v: _rank(evaluate(VitalValues(heart_rate=v), baseline=None, thresholds=table),
                      P.HEART_RATE) for v in (a, b)}
    if 75 <= a <= b or b <= a <= 75:
        assert ranks[b] >= ranks[a]


@given(st.lists(st.tuples(st.sampled_from([None, 85, 91, 93, 95, 98]), st.booleans(),
                          st.booleans()), max_size=12))
def test_the_book_keeps_one_active_alarm_per_parameter(
        steps: list[tuple[int | None, bool, bool]]) -> None:
    book = AlarmBook()
    moment = T0
    for reading, feed_lost, pause in steps:
        moment += MIN
        conditions = [] if reading is None else spo2(reading)
        if feed_lost:
            conditions.append(device_feed_lost("Monitor 1"))
        update = book.update(conditions, at=moment)
        book = update.book.pause_audio(at=moment) if pause else update.book
        parameters = [a.parameter for a in book.active]
        assert len(parameters) == len(set(parameters))
        assert {c.parameter for c in conditions} == set(parameters)
        ids = [a.id for a in (*book.active, *book.resolved)]
        assert len(ids) == len(set(ids))
        assert all(a.resolved_at is not None for a in book.resolved)
        assert all(a.priority.rank >= a.condition.priority.rank for a in book.active)
        assert book.should_sound(moment + AUDIO_PAUSE) is bool(book.active)


def test_a_resolve_delay_stops_a_value_hovering_on_a_threshold_from_flapping() -> None:
    delay = timedelta(seconds=30)
    sec = timedelta(seconds=1)
    book = AlarmBook().update(spo2(93), at=T0, resolve_after=delay).book
    # 97 % for 15 s, back to 93 %: the same alarm continues, nothing new is raised.
    step = book.update(spo2(97), at=T0 + 15 * sec, resolve_after=delay)
    assert step.resolved == ()
    assert step.book.active[0].clearing_since == T0 + 15 * sec
    step = step.book.update(spo2(93), at=T0 + 30 * sec, resolve_after=delay)
    assert step.raised == ()
    assert step.book.active[0].clearing_since is None
    # 97 % held for the whole delay: resolved at the reading that completes it.
    step = step.book.update(spo2(97), at=T0 + 45 * sec, resolve_after=delay)
    step = step.book.update(spo2(97), at=T0 + 60 * sec, resolve_after=delay)
    assert step.resolved == ()
    step = step.book.update(spo2(97), at=T0 + 75 * sec, resolve_after=delay)
    (gone,) = step.resolved
    assert gone.resolved_at == T0 + 75 * sec
    assert gone.clearing_since is None
    assert step.book.next_id == 2  # one alarm for the whole episode


def test_without_a_delay_an_absent_condition_resolves_at_once() -> None:
    book = AlarmBook().update(spo2(93), at=T0).book
    assert len(book.update(spo2(97), at=T0 + MIN).resolved) == 1


def test_an_escalated_alarm_keeps_the_reading_that_set_its_priority() -> None:
    def sbp(value: int) -> list[AlarmCondition]:
        return evaluate(VitalValues(systolic=value, diastolic=80), baseline=None,
                        thresholds=DEFAULT_THRESHOLDS)
    book = AlarmBook().update(sbp(165), at=T0).book
    assert not book.active[0].latched
    book = book.update(sbp(186), at=T0 + MIN).book
    book = book.update(sbp(170), at=T0 + 2 * MIN).book
    (alarm,) = book.active
    assert alarm.priority is AlarmPriority.HIGH
    assert alarm.condition.value == 170
    assert alarm.worst.value == 186
    assert alarm.latched
