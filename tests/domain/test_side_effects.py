"""The side-effect log's rules: CTCAE grades, outcomes, the clinic's lists, times on the
session timeline, rescue doses within the list's limits, the link between an action and the
infusion entry that did it, the discharge review, the signing blockers, follow-ups and the
prompts repeated exposure calls for."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from console.domain.infusion import EventKind, InfusionEvent, PumpState, StopKind
from console.domain.side_effects import (
    CLOCK_SKEW,
    DEFAULT_EFFECT_TERMS,
    DEFAULT_RESCUE_MEDICATIONS,
    LIVER_TESTS_AFTER_SESSIONS,
    LIVER_TESTS_EVERY_DAYS,
    MAX_NOTES,
    OTHER_CODE,
    AdministrationRoute,
    DischargeReview,
    EffectList,
    EffectTerm,
    Exposure,
    FollowUp,
    FollowUpDraft,
    FollowUpKind,
    Grade,
    InfusionAction,
    ListKind,
    LiverTests,
    Notification,
    Outcome,
    Relationship,
    RescueMedication,
    SideEffect,
    action_for,
    build_review,
    check_action,
    check_dose,
    check_follow_up,
    check_grade_and_serious,
    check_notes,
    check_onset,
    check_other_text,
    check_outcome_for_grade,
    check_resolution,
    check_review_against_effects,
    check_treatment_time,
    follow_up_prompts,
    parse_dose,
    signing_blockers,
    validate_effect_terms,
    validate_rescue_medications,
)
from console.domain.units import Unit
from console.errors import ValidationError

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)
D = Decimal


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


EFFECTS = EffectList(ListKind.EFFECTS, 1, DEFAULT_EFFECT_TERMS, "shipped default", T0, "why")
ONDANSETRON = DEFAULT_RESCUE_MEDICATIONS[0]


def effect(term: str = "nausea", grade: Grade = Grade.MODERATE, *, effect_id: int = 1,
           session_id: int = 1, onset: datetime = T0, outcome: Outcome | None = None,
           serious: bool = False, notified: bool = False) -> SideEffect:
    label = next(t.label for t in DEFAULT_EFFECT_TERMS if t.code == term)
    return SideEffect(
        id=effect_id, session_id=session_id, patient_id=1, term_code=term, term_label=label,
        effect_list_version=1, other_text="jaw tension" if term == OTHER_CODE else "",
        onset_at=onset, grade=grade, serious=serious, relationship=Relationship.PROBABLE,
        action=InfusionAction.NOT_CHANGED, linked_event_id=None, treatments=(),
        outcome=outcome, resolved_at=None if outcome is None or not outcome.closes else onset,
        outcome_note="", notes="", recorded_by="Nora Kim, RN", recorded_at=onset,
        notification=Notification("Dr Priya Patel", 4, onset, "Nora Kim, RN", onset)
        if notified else None)


def event(kind: EventKind, minutes: float, *, rate: str | None = None,
          stop_kind: StopKind | None = None) -> InfusionEvent:
    return InfusionEvent(kind=kind, at=at(minutes), entered_at=at(minutes), by_name="N",
                         rate_ml_per_h=None if rate is None else D(rate),
                         reason="because", stop_kind=stop_kind)


# ---------------------------------------------------------------- enumerations


@pytest.mark.parametrize(("grade", "word", "label"), [
    (Grade.MILD, "mild", "Grade 1 (mild)"),
    (Grade.MODERATE, "moderate", "Grade 2 (moderate)"),
    (Grade.SEVERE, "severe", "Grade 3 (severe)"),
    (Grade.LIFE_THREATENING, "life-threatening", "Grade 4 (life-threatening)"),
    (Grade.DEATH, "death", "Grade 5 (death)"),
])
def test_grades_use_the_ctcae_wording(grade: Grade, word: str, label: str) -> None:
    assert grade.word == word
    assert grade.label == label
    assert grade.definition


@pytest.mark.parametrize(("outcome", "closes"), [
    (Outcome.RESOLVED, True), (Outcome.RESOLVED_WITH_SEQUELAE, True), (Outcome.FATAL, True),
    (Outcome.RESOLVING, False), (Outcome.NOT_RESOLVED, False), (Outcome.UNKNOWN, False),
])
def test_only_resolved_sequelae_and_fatal_close_an_effect(outcome: Outcome,
                                                          closes: bool) -> None:
    assert outcome.closes is closes
    assert effect(outcome=outcome).is_open is not closes
    assert effect(outcome=outcome).awaiting_outcome is False
    assert effect().is_open
    assert effect().awaiting_outcome


@pytest.mark.parametrize(("action", "kind"), [
    (InfusionAction.NOT_CHANGED, None), (InfusionAction.NOT_APPLICABLE, None),
    (InfusionAction.RATE_REDUCED, EventKind.RATE_CHANGE), (InfusionAction.PAUSED,
                                                          EventKind.PAUSE),
    (InfusionAction.STOPPED, EventKind.STOP),
])
def test_each_infusion_action_names_the_event_that_does_it(action: InfusionAction,
                                                           kind: EventKind | None) -> None:
    assert action.event_kind is kind


@pytest.mark.parametrize(("grade", "serious", "needs"), [
    (Grade.MILD, False, False), (Grade.MODERATE, False, False), (Grade.MODERATE, True, True),
    (Grade.SEVERE, False, True), (Grade.LIFE_THREATENING, False, True),
])
def test_grade_three_or_serious_needs_the_clinician_told(grade: Grade, serious: bool,
                                                          needs: bool) -> None:
    logged = effect(grade=grade, serious=serious)
    assert logged.needs_notification is needs
    assert logged.notification_pending is needs
    assert effect(grade=grade, serious=serious, notified=True).notification_pending is False


def test_an_effect_reads_as_picked() -> None:
    assert effect("other").term == "Other: jaw tension"
    assert effect("hallucinations").term == "Hallucinations / vivid dreams"
    assert "Grade 2 (moderate)" in effect().summary


# ---------------------------------------------------------------- the clinic's lists


def test_the_shipped_lists_are_valid_and_follow_clinical_md() -> None:
    assert validate_effect_terms(DEFAULT_EFFECT_TERMS) == DEFAULT_EFFECT_TERMS
    assert validate_rescue_medications(DEFAULT_RESCUE_MEDICATIONS) == DEFAULT_RESCUE_MEDICATIONS
    assert len(DEFAULT_EFFECT_TERMS) == 19
    assert DEFAULT_EFFECT_TERMS[-1].code == OTHER_CODE
    described = {m.code: m.description for m in DEFAULT_RESCUE_MEDICATIONS}
    assert described == {"ondansetron": "ondansetron 4–8 mg IV/PO",
                         "midazolam": "midazolam 0.5–2 mg IV",
                         "clonidine": "clonidine 0.05–0.2 mg PO",
                         "labetalol": "labetalol 5–20 mg IV"}


@pytest.mark.parametrize(("terms", "message"), [
    ([EffectTerm("nausea", "Nausea"), EffectTerm("nausea", "Sickness"),
      EffectTerm("other", "Other")], "used twice"),
    ([EffectTerm("nausea", "Nausea"), EffectTerm("sick", "nausea"),
      EffectTerm("other", "Other")], "listed twice"),
    ([EffectTerm("nausea", "Nausea")], "Keep the 'other' item"),
    ([EffectTerm("other", "Other")], "besides 'other'"),
    ([EffectTerm("Blurred vision", "Blurred vision"), EffectTerm("other", "Other")],
     "lower-case"),
    ([EffectTerm("nausea", " "), EffectTerm("other", "Other")], "label"),
])
def test_an_effect_list_that_would_lose_meaning_is_refused(terms: list[EffectTerm],
                                                           message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_effect_terms(terms)


def test_effect_terms_are_tidied() -> None:
    tidy = validate_effect_terms([EffectTerm(" Jaw_tension ", "  Jaw   tension "),
                                  EffectTerm("other", "Other")])
    assert tidy[0] == EffectTerm("jaw_tension", "Jaw tension")


@pytest.mark.parametrize(("change", "message"), [
    ({"min_dose": D(9)}, "above its highest"),
    ({"min_dose": D(0)}, "above zero"),
    ({"max_dose": D(-1)}, "above zero"),
    ({"routes": ()}, "at least one route"),
    ({"unit": Unit.ML}, "mg or mcg"),
    ({"max_doses_per_session": 0}, "1 to 20"),
    ({"name": "x"}, "name"),
])
def test_a_rescue_medication_with_impossible_limits_is_refused(change: dict[str, object],
                                                               message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_rescue_medications([replace(ONDANSETRON, **change)])  # type: ignore[arg-type]


def test_two_medications_with_one_code_are_refused() -> None:
    with pytest.raises(ValidationError, match="used twice"):
        validate_rescue_medications([ONDANSETRON, replace(ONDANSETRON, name="Zofran")])


# ---------------------------------------------------------------- rescue doses

positive = st.decimals(min_value=D("0.01"), max_value=D(500), places=2)


@given(low=positive, high=positive, dose=positive)
def test_any_dose_within_the_list_limits_is_accepted_and_any_outside_refused(
        low: Decimal, high: Decimal, dose: Decimal) -> None:
    assume(low <= high)
    medication = RescueMedication("drug", "drug", Unit.MG, (AdministrationRoute.IV,), low, high)
    if low <= dose <= high:
        assert check_dose(medication, dose, "iv") is AdministrationRoute.IV
    else:
        with pytest.raises(ValidationError, match="outside the clinic's list") as refused:
            check_dose(medication, dose, "iv")
        assert medication.dose_range in refused.value.message
        assert refused.value.field == "dose"


@pytest.mark.parametrize(("dose", "ok"), [
    ("3.9", False), ("4", True), ("6", True), ("8", True), ("8.1", False), ("80", False),
])
def test_ondansetron_doses_at_the_edges(dose: str, ok: bool) -> None:
    if ok:
        check_dose(ONDANSETRON, D(dose), AdministrationRoute.PO)
    else:
        with pytest.raises(ValidationError, match="one dose is 4–8 mg"):
            check_dose(ONDANSETRON, D(dose), AdministrationRoute.PO)


def test_a_route_not_on_the_list_is_refused_naming_the_allowed_ones() -> None:
    with pytest.raises(ValidationError, match="ondansetron IV or PO only") as refused:
        check_dose(ONDANSETRON, D(4), AdministrationRoute.IM)
    assert refused.value.field == "route"
    with pytest.raises(ValidationError, match="IV or PO only"):
        check_dose(ONDANSETRON, D(4), "by mouth")


def test_the_count_per_session_is_kept_when_the_list_sets_one() -> None:
    once = replace(ONDANSETRON, max_doses_per_session=2)
    check_dose(once, D(4), "iv", doses_already_given=1)
    with pytest.raises(ValidationError, match=r"already been given 2 times.*allows 2"):
        check_dose(once, D(4), "iv", doses_already_given=2)
    check_dose(ONDANSETRON, D(4), "iv", doses_already_given=12)  # no count set


@pytest.mark.parametrize(("typed", "value"), [("4", D(4)), ("4 mg", D(4)), (D("0.5"),
                                                                            D("0.5"))])
def test_a_dose_is_read_in_the_list_unit(typed: str | Decimal, value: Decimal) -> None:
    assert parse_dose(typed, ONDANSETRON) == value


@pytest.mark.parametrize("typed", ["4 mL", "four", "", "0", "-4", "4,5"])
def test_a_dose_that_is_not_a_dose_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError):
        parse_dose(typed, ONDANSETRON)


# ---------------------------------------------------------------- times


@pytest.mark.parametrize(("onset", "ok", "message"), [
    (at(0), True, ""),
    (at(30), True, ""),
    (at(30) + CLOCK_SKEW, True, ""),
    (at(30) + CLOCK_SKEW + timedelta(seconds=1), False, "in the future"),
    (at(-1), False, "before this session began"),
])
def test_the_onset_lies_on_the_session_timeline(onset: datetime, ok: bool,
                                                message: str) -> None:
    if ok:
        assert check_onset(onset, session_began=T0, now=at(30)) == onset
    else:
        with pytest.raises(ValidationError, match=message) as refused:
            check_onset(onset, session_began=T0, now=at(30))
        assert refused.value.field == "onset_at"


def test_a_naive_onset_is_refused() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        check_onset(datetime(2026, 11, 24, 9, 10), session_began=T0,  # noqa: DTZ001
                    now=at(30))


@pytest.mark.parametrize(("outcome", "resolved", "message"), [
    (None, None, None),
    (Outcome.RESOLVING, None, None),
    (Outcome.UNKNOWN, None, None),
    (Outcome.RESOLVED, at(20), None),
    (Outcome.RESOLVED, at(10), None),
    (Outcome.FATAL, at(20), None),
    (Outcome.RESOLVED, None, "needs the time"),
    (Outcome.RESOLVED_WITH_SEQUELAE, None, "needs the time"),
    (Outcome.RESOLVED, at(9), "before the onset"),
    (Outcome.RESOLVED, at(31), "in the future"),
    (Outcome.RESOLVING, at(20), "leaves the effect open"),
    (None, at(20), "Choose the outcome"),
])
def test_resolution_times(outcome: Outcome | None, resolved: datetime | None,
                          message: str | None) -> None:
    if message is None:
        check_resolution(outcome, resolved, onset_at=at(10), now=at(30))
    else:
        with pytest.raises(ValidationError, match=message):
            check_resolution(outcome, resolved, onset_at=at(10), now=at(30))


def test_a_dose_is_given_after_the_onset_and_not_in_the_future() -> None:
    check_treatment_time(at(10), onset_at=at(10), now=at(30))
    with pytest.raises(ValidationError, match="before the effect's onset"):
        check_treatment_time(at(9), onset_at=at(10), now=at(30))
    with pytest.raises(ValidationError, match="in the future"):
        check_treatment_time(at(31), onset_at=at(10), now=at(30))


# ---------------------------------------------------------------- grades and outcomes


def test_grade_five_is_death_serious_and_fatal() -> None:
    check_grade_and_serious(Grade.DEATH, True)
    with pytest.raises(ValidationError, match="always serious"):
        check_grade_and_serious(Grade.DEATH, False)
    check_outcome_for_grade(Outcome.FATAL, Grade.DEATH)
    check_outcome_for_grade(None, Grade.DEATH)
    with pytest.raises(ValidationError, match="grade 5"):
        check_outcome_for_grade(Outcome.FATAL, Grade.SEVERE)
    with pytest.raises(ValidationError, match="fatal"):
        check_outcome_for_grade(Outcome.RESOLVED, Grade.DEATH)


# ---------------------------------------------------------------- free text


@pytest.mark.parametrize(("code", "text", "result"), [
    ("other", "  jaw   tension ", "jaw tension"),
    ("nausea", "", ""),
    ("nausea", "   ", ""),
])
def test_other_text_is_tidied(code: str, text: str, result: str) -> None:
    assert check_other_text(code, text) == result


@pytest.mark.parametrize(("code", "text", "message"), [
    ("other", "", "Describe the effect"),
    ("other", "  ", "Describe the effect"),
    ("other", "ab", "Describe the effect"),
    ("other", "x" * 201, "under 200"),
    ("nausea", "queasy", "only for 'other'"),
])
def test_other_text_refusals(code: str, text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as refused:
        check_other_text(code, text)
    assert refused.value.field == "other_text"


def test_notes_have_a_length_limit() -> None:
    assert check_notes(" settled ") == "settled"
    assert check_notes("x" * MAX_NOTES) == "x" * MAX_NOTES
    with pytest.raises(ValidationError, match="under 2000"):
        check_notes("x" * (MAX_NOTES + 1))


# ---------------------------------------------------------------- action and infusion entry


PAUSE = event(EventKind.PAUSE, 12)
LOWER = event(EventKind.RATE_CHANGE, 12, rate="12")
HIGHER = event(EventKind.RATE_CHANGE, 12, rate="30")
EARLY_STOP = event(EventKind.STOP, 12, stop_kind=StopKind.EARLY)
COMPLETED = event(EventKind.STOP, 12, stop_kind=StopKind.COMPLETED)


@pytest.mark.parametrize(("action", "linked", "state", "message"), [
    (InfusionAction.NOT_CHANGED, None, PumpState.RUNNING, None),
    (InfusionAction.NOT_APPLICABLE, None, PumpState.STOPPED, None),
    (InfusionAction.NOT_APPLICABLE, None, PumpState.NOT_STARTED, None),
    (InfusionAction.NOT_APPLICABLE, None, PumpState.RUNNING, "was running"),
    (InfusionAction.PAUSED, PAUSE, PumpState.RUNNING, None),
    (InfusionAction.RATE_REDUCED, LOWER, PumpState.RUNNING, None),
    (InfusionAction.STOPPED, EARLY_STOP, PumpState.RUNNING, None),
    (InfusionAction.PAUSED, None, PumpState.RUNNING, "with the infusion controls"),
    (InfusionAction.STOPPED, None, PumpState.RUNNING, "with the infusion controls"),
    (InfusionAction.PAUSED, LOWER, PumpState.RUNNING, "not 'paused'"),
    (InfusionAction.STOPPED, PAUSE, PumpState.RUNNING, "not 'stopped'"),
    (InfusionAction.RATE_REDUCED, HIGHER, PumpState.RUNNING, "did not lower"),
    (InfusionAction.STOPPED, COMPLETED, PumpState.RUNNING, "early stop"),
    (InfusionAction.NOT_CHANGED, PAUSE, PumpState.RUNNING, "takes no infusion event"),
])
def test_an_action_agrees_with_its_infusion_entry(action: InfusionAction,
                                                  linked: InfusionEvent | None,
                                                  state: PumpState, message: str | None) -> None:
    def check() -> None:
        check_action(action, event=linked, rate_before=D(24), onset_at=at(10),
                     state_at_onset=state)

    if message is None:
        check()
    else:
        with pytest.raises(ValidationError, match=message):
            check()


def test_an_entry_before_the_onset_is_not_the_action_taken_for_it() -> None:
    with pytest.raises(ValidationError, match="before this effect's onset"):
        check_action(InfusionAction.PAUSED, event=PAUSE, rate_before=D(24), onset_at=at(13),
                     state_at_onset=PumpState.PAUSED)


@pytest.mark.parametrize(("linked", "action"), [
    (PAUSE, InfusionAction.PAUSED), (LOWER, InfusionAction.RATE_REDUCED),
    (EARLY_STOP, InfusionAction.STOPPED), (HIGHER, None), (COMPLETED, None),
    (event(EventKind.START, 0, rate="24"), None), (event(EventKind.RESUME, 20, rate="24"),
                                                   None),
])
def test_the_action_an_infusion_entry_stands_for(linked: InfusionEvent,
                                                 action: InfusionAction | None) -> None:
    assert action_for(linked, D(24)) is action


# ---------------------------------------------------------------- discharge review

codes = [t.code for t in DEFAULT_EFFECT_TERMS]
answer = st.one_of(st.none(), st.sampled_from(list(Grade)))


@given(answers=st.fixed_dictionaries(dict.fromkeys(codes, answer)), dropped=st.sampled_from(codes))
def test_a_review_is_complete_only_when_every_item_is_answered(
        answers: dict[str, Grade | None], dropped: str) -> None:
    other = "jaw tension" if answers[OTHER_CODE] is not None else ""
    review = build_review(EFFECTS, answers, other_text=other)
    assert [a.term_code for a in review] == codes
    assert {a.term_code: a.grade for a in review} == answers
    incomplete = {c: g for c, g in answers.items() if c != dropped}
    label = next(t.label for t in DEFAULT_EFFECT_TERMS if t.code == dropped)
    with pytest.raises(ValidationError, match="Answer every item") as refused:
        build_review(EFFECTS, incomplete, other_text=other)
    assert label in refused.value.message


def test_a_review_refuses_unknown_items_bad_grades_and_an_undescribed_other() -> None:
    nothing = dict.fromkeys(codes)
    with pytest.raises(ValidationError, match="Not on version 1"):
        build_review(EFFECTS, {**nothing, "hiccups": None})
    with pytest.raises(ValidationError, match="grade from 1 to 5"):
        build_review(EFFECTS, {**nothing, "nausea": 7})
    with pytest.raises(ValidationError, match="Describe the effect"):
        build_review(EFFECTS, {**nothing, OTHER_CODE: 1})
    with pytest.raises(ValidationError, match="only for 'other' when it is present"):
        build_review(EFFECTS, nothing, other_text="jaw tension")
    [other] = [a for a in build_review(EFFECTS, {**nothing, OTHER_CODE: 1},
                                       other_text="jaw tension") if a.present]
    assert other.detail == "jaw tension"


def test_a_logged_effect_is_present_in_the_review_at_least_at_its_grade() -> None:
    nothing = dict.fromkeys(codes)
    logged = [effect("nausea", Grade.MODERATE)]
    check_review_against_effects(build_review(EFFECTS, {**nothing, "nausea": 2}), logged)
    check_review_against_effects(build_review(EFFECTS, {**nothing, "nausea": 3}), logged)
    for too_low in (None, 1):
        with pytest.raises(ValidationError, match=r"Nausea was logged .* grade 2 or higher"):
            check_review_against_effects(build_review(EFFECTS, {**nothing, "nausea": too_low}),
                                         logged)
    retired = [replace(effect(), term_code="retired_term")]
    check_review_against_effects(build_review(EFFECTS, nothing), retired)


def test_signing_blockers_name_each_thing_left_to_do() -> None:
    nothing = dict.fromkeys(codes)
    done = DischargeReview(1, 1, build_review(EFFECTS, {**nothing, "nausea": 3}), "N", T0)
    assert signing_blockers([], DischargeReview(1, 1, build_review(EFFECTS, nothing), "N",
                                                T0)) == []
    assert signing_blockers([], None) == [
        "Record the discharge side-effect review (each item none, or present with a grade)."]
    [no_outcome, not_told] = signing_blockers([effect(grade=Grade.SEVERE)], done)
    assert no_outcome.startswith("Nausea (onset ")
    assert "has no outcome" in no_outcome
    assert "grade 3 (severe)" in not_told
    assert "notified" in not_told
    assert signing_blockers([effect(grade=Grade.SEVERE, outcome=Outcome.RESOLVING,
                                    notified=True)], done) == []
    [stale] = signing_blockers([effect(grade=Grade.SEVERE, outcome=Outcome.RESOLVED,
                                       notified=True, effect_id=2, onset=at(5)),
                                effect("vomiting", outcome=Outcome.RESOLVED)], done)
    assert stale.startswith("The side-effect review is out of date: Vomiting was logged")


# ---------------------------------------------------------------- follow-ups


@pytest.mark.parametrize(("draft", "message"), [
    (FollowUpDraft("urinary", TODAY + timedelta(days=1), "frequency"), "in the future"),
    (FollowUpDraft("urinary", TODAY, ""), "Describe what was found"),
    (FollowUpDraft("psychiatric", TODAY, "  "), "Describe what was found"),
    (FollowUpDraft("liver_tests", TODAY), "at least one liver test"),
    (FollowUpDraft("liver_tests", TODAY, liver=LiverTests()), "at least one liver test"),
    (FollowUpDraft("liver_tests", TODAY, liver=LiverTests(alt_u_per_l=D(-3))), "number from 0"),
    (FollowUpDraft("urinary", TODAY, "ok", liver=LiverTests(alt_u_per_l=D(30))),
     "go in a 'liver tests' entry"),
    (FollowUpDraft("dental", TODAY, "ok"), "Choose what is followed up"),
    (FollowUpDraft("other", TODAY, "better", effect_outcome="resolved"), "Choose the effect"),
    (FollowUpDraft("other", TODAY, "x" * 2001), "under 2000"),
])
def test_follow_up_refusals(draft: FollowUpDraft, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        check_follow_up(draft, today=TODAY)


def test_a_liver_follow_up_keeps_its_values_and_units() -> None:
    liver = LiverTests(alt_u_per_l=D(88), ggt_u_per_l=D("61.5"), bilirubin=D("1.1"),
                       bilirubin_unit="mg/dL")  # type: ignore[arg-type]
    checked = check_follow_up(FollowUpDraft("liver_tests", TODAY, liver=liver), today=TODAY)
    assert checked.kind is FollowUpKind.LIVER_TESTS
    assert checked.liver is not None
    assert checked.liver.summary == "ALT 88 U/L, GGT 61.5 U/L, bilirubin 1.1 mg/dL"


def follow_up(kind: FollowUpKind, observed: date, *, effect_id: int | None = None,
              outcome: Outcome | None = None) -> FollowUp:
    return FollowUp(1, 1, kind, observed, "noted", None, effect_id, outcome, "N", T0)


def sessions(count: int, last: date = TODAY) -> Exposure:
    return Exposure(tuple(last - timedelta(days=i) for i in range(count)), D(98) * count)


def kinds(prompts: tuple[object, ...]) -> list[FollowUpKind]:
    return [p.kind for p in prompts]  # type: ignore[attr-defined]


def test_no_prompt_before_any_session() -> None:
    assert follow_up_prompts(sessions(0), [], [], today=TODAY) == ()


def test_urinary_symptoms_are_asked_at_every_visit_after_the_first_session() -> None:
    assert kinds(follow_up_prompts(sessions(1), [], [], today=TODAY)) == [FollowUpKind.URINARY]
    asked = [follow_up(FollowUpKind.URINARY, TODAY)]
    assert follow_up_prompts(sessions(3), asked, [], today=TODAY) == ()
    older = [follow_up(FollowUpKind.URINARY, TODAY - timedelta(days=1))]
    [prompt] = follow_up_prompts(sessions(3), older, [], today=TODAY)
    assert prompt.last_recorded_on == TODAY - timedelta(days=1)
    assert "3 sessions so far (294 mg in all)" in prompt.detail


def test_liver_tests_after_a_course_without_a_result_and_again_when_old() -> None:
    urinary = [follow_up(FollowUpKind.URINARY, TODAY)]
    n = LIVER_TESTS_AFTER_SESSIONS
    assert follow_up_prompts(sessions(n - 1), urinary, [], today=TODAY) == ()
    [due] = follow_up_prompts(sessions(n), urinary, [], today=TODAY)
    assert due.kind is FollowUpKind.LIVER_TESTS
    assert "no result recorded" in due.detail
    recent = [*urinary, follow_up(FollowUpKind.LIVER_TESTS, TODAY - timedelta(days=1))]
    assert follow_up_prompts(sessions(n, TODAY - timedelta(days=2)), recent, [],
                             today=TODAY) == ()
    stale_day = TODAY - timedelta(days=LIVER_TESTS_EVERY_DAYS + 1)
    stale = [*urinary, follow_up(FollowUpKind.LIVER_TESTS, stale_day)]
    early = Exposure(tuple(stale_day - timedelta(days=i + 1) for i in range(n)), D(980))
    [again] = follow_up_prompts(early, stale, [], today=TODAY)
    assert again.kind is FollowUpKind.LIVER_TESTS
    assert "more than 90 days" in again.detail
    assert again.last_recorded_on == stale_day


def test_an_effect_left_open_is_followed_up_until_a_follow_up_closes_it() -> None:
    asked = [follow_up(FollowUpKind.URINARY, TODAY)]
    left = [effect("hallucinations", outcome=Outcome.RESOLVING, effect_id=7),
            effect("headache", outcome=Outcome.RESOLVED, effect_id=8),
            effect("urinary", effect_id=9, session_id=2)]
    prompts = follow_up_prompts(sessions(2), asked, left, today=TODAY)
    assert [(p.kind, p.effect_id) for p in prompts] == [
        (FollowUpKind.PSYCHIATRIC, 7), (FollowUpKind.URINARY, 9)]
    assert "resolving at the end of that session" in prompts[0].detail
    assert [p.effect_id for p in follow_up_prompts(
        sessions(2), asked, left, today=TODAY, open_session_ids=frozenset({2}))] == [7]
    closed = [*asked, follow_up(FollowUpKind.PSYCHIATRIC, TODAY, effect_id=7,
                                outcome=Outcome.RESOLVED)]
    assert [p.effect_id for p in follow_up_prompts(sessions(2), closed, left,
                                                   today=TODAY)] == [9]
    still = [*asked, follow_up(FollowUpKind.PSYCHIATRIC, TODAY, effect_id=7,
                               outcome=Outcome.NOT_RESOLVED)]
    [first, _] = follow_up_prompts(sessions(2), still, left, today=TODAY)
    assert first.effect_id == 7
    assert first.last_recorded_on == TODAY
