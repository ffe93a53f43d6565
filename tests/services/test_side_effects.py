"""The side-effect log on a real database (SQLite and PostgreSQL): the clinic's versioned lists,
one-step logging linked to the infusion controls, rescue doses within the list, outcomes,
notification, the discharge review and the signing gate, the signed-record lock, follow-ups
and the prompts repeated exposure calls for. Every refusal is checked to leave the record and
the audit trail as they were; every change to have written its audit record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from console.domain.audit import AuditEntry
from console.domain.clock import ManualClock
from console.domain.identity import Actor
from console.domain.infusion import EventKind
from console.domain.side_effects import (
    DEFAULT_EFFECT_TERMS,
    DEFAULT_RESCUE_MEDICATIONS,
    OTHER_CODE,
    SHIPPED_DEFAULTS_NOTE,
    EffectTerm,
    FollowUpDraft,
    FollowUpKind,
    Grade,
    InfusionAction,
    ListKind,
    LiverTests,
    Outcome,
    Relationship,
    SideEffect,
    SideEffectDraft,
    TreatmentDraft,
)
from console.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    UserFacingError,
    ValidationError,
)
from console.services.audit import AuditFilter
from console.services.container import Services
from console.storage.rows import (
    FollowUpRow,
    SideEffectListRow,
    SideEffectReviewRow,
    SideEffectRow,
    SideEffectTreatmentRow,
)
from console.storage.unit_of_work import Database
from tests.services.test_sessions import NURSE_PW, READY, Clinic, _rows, make_clinic
from tests.services.test_sessions import snapshot as session_snapshot

LOCKED = r"signed and locked.*addendum"
NAUSEA = SideEffectDraft("nausea", Grade.MODERATE, False, Relationship.PROBABLE)


@pytest.fixture
def clinic(services: Services, database: Database, clock: ManualClock) -> Clinic:
    return make_clinic(services, database, clock)


def snapshot(database: Database) -> tuple[object, ...]:
    """The session tables, the side-effect tables and the audit trail."""
    return (session_snapshot(database), *(
        sorted(_rows(database, model), key=lambda r: r["id"])
        for model in (SideEffectListRow, SideEffectRow, SideEffectTreatmentRow,
                      SideEffectReviewRow, FollowUpRow)))


def refused(clinic: Clinic, error: type[UserFacingError], call: Callable[[], object],
            match: str = "") -> UserFacingError:
    """``call`` raises ``error`` (message matching ``match``) and changes nothing."""
    before = snapshot(clinic.database)
    with pytest.raises(error, match=match or None) as raised:
        call()
    assert snapshot(clinic.database) == before
    return raised.value


def trail(clinic: Clinic, prefix: str = "side_effect.") -> list[AuditEntry]:
    """The side-effect audit records, oldest first."""
    return list(reversed(clinic.services.audit.search(
        clinic.admin, AuditFilter(action_prefix=prefix, limit=10_000))))


def log(clinic: Clinic, sid: int, draft: SideEffectDraft = NAUSEA, **changes: Any) -> SideEffect:
    return clinic.services.side_effects.log(clinic.nurse, sid, replace(draft, **changes))


def review_nothing_but(clinic: Clinic, sid: int, **present: Grade) -> None:
    codes = clinic.services.side_effects.lists(clinic.nurse).effects.codes
    clinic.services.side_effects.record_review(clinic.nurse, sid,
                                               {**dict.fromkeys(codes), **present})


def finish(clinic: Clinic, sid: int) -> None:
    """Stop the infusion (completed) and discharge."""
    clinic.sessions.stop(clinic.nurse, sid, completed=True)
    clinic.sessions.discharge(clinic.nurse, sid, READY)


# ---------------------------------------------------------------- the clinic's lists


def test_the_shipped_lists_are_stored_as_version_one_on_first_use(clinic: Clinic) -> None:
    se = clinic.services.side_effects
    assert trail(clinic) == []
    lists = se.lists(clinic.nurse)
    assert lists.effects.items == DEFAULT_EFFECT_TERMS
    assert lists.rescue.items == DEFAULT_RESCUE_MEDICATIONS
    assert (lists.effects.version, lists.rescue.version) == (1, 1)
    assert lists.effects.reason == SHIPPED_DEFAULTS_NOTE
    assert lists.effects.changed_by == "shipped default"
    installed = trail(clinic)
    assert [(r.action, r.entity_id, r.actor_name) for r in installed] == [
        ("side_effect.list_installed", "effects", "system"),
        ("side_effect.list_installed", "rescue", "system")]
    assert installed[1].decoded_new()["items"][0] == {
        "code": "ondansetron", "name": "ondansetron", "unit": "mg", "routes": ["iv", "po"],
        "min_dose": "4", "max_dose": "8", "max_doses_per_session": None}
    for reader in (clinic.admin, clinic.clinician, clinic.checker):
        assert se.lists(reader) == lists
    assert len(trail(clinic)) == 2  # read again: nothing more written


def test_only_an_administrator_changes_a_list_and_each_change_is_a_new_audited_version(
        clinic: Clinic) -> None:
    se = clinic.services.side_effects
    v1 = se.lists(clinic.admin).effects
    terms = [*v1.items[:-1], EffectTerm("jaw_tension", "Jaw tension"), v1.items[-1]]
    for someone in (clinic.nurse, clinic.clinician):
        refused(clinic, PermissionDenied, lambda who=someone: se.update_effect_list(
            who, terms, reason="clinic review"), "administrator")
    refused(clinic, ValidationError, lambda: se.update_effect_list(
        clinic.admin, terms, reason=""), "reason")
    refused(clinic, ValidationError, lambda: se.update_effect_list(
        clinic.admin, v1.items, reason="clinic review"), "Nothing changed")
    refused(clinic, ValidationError, lambda: se.update_effect_list(
        clinic.admin, v1.items[:-1], reason="clinic review"), "Keep the 'other' item")

    v2 = se.update_effect_list(clinic.admin, terms, reason="clinic review of the list")
    assert v2.version == 2
    assert v2.find("jaw_tension") == EffectTerm("jaw_tension", "Jaw tension")
    assert v2.changed_by == "Alex Morgan"
    assert v2.changed_at == clinic.now()
    assert se.lists(clinic.nurse).effects == v2
    assert [v.version for v in se.list_history(clinic.nurse, ListKind.EFFECTS)] == [2, 1]
    assert se.list_history(clinic.nurse, ListKind.EFFECTS)[1] == v1
    [changed] = trail(clinic, "side_effect.list_changed")
    assert changed.actor_name == "Alex Morgan"
    assert changed.reason == "clinic review of the list"
    assert changed.decoded_old()["version"] == 1
    assert {"code": "jaw_tension", "label": "Jaw tension"} in changed.decoded_new()["items"]
    assert {"code": "jaw_tension", "label": "Jaw tension"} not in changed.decoded_old()["items"]


def test_entries_made_under_an_old_list_version_keep_their_meaning(clinic: Clinic) -> None:
    se = clinic.services.side_effects
    sid = clinic.running()
    clinic.advance(minutes=20)
    old = log(clinic, sid, treatments=(TreatmentDraft("ondansetron", "8", "iv"),))
    v1 = se.lists(clinic.admin)
    renamed = [EffectTerm(t.code, "Nausea / queasiness") if t.code == "nausea" else t
               for t in v1.effects.items if t.code != "hypersalivation"]
    se.update_effect_list(clinic.admin, renamed, reason="clinic wording")
    lower = [replace(m, max_dose=Decimal(4)) if m.code == "ondansetron" else m
             for m in v1.rescue.items]
    se.update_rescue_list(clinic.admin, lower, reason="ondansetron capped at 4 mg here")

    again = se.get(clinic.nurse, old.id)
    assert (again.term_label, again.effect_list_version) == ("Nausea", 1)
    [given] = again.treatments
    assert (given.dose, given.rescue_list_version, given.medication_name) == (
        Decimal(8), 1, "ondansetron")
    new = log(clinic, sid)
    assert (new.term_label, new.effect_list_version) == ("Nausea / queasiness", 2)
    refused(clinic, ValidationError, lambda: log(clinic, sid, term_code="hypersalivation"),
            "not on the clinic's side-effect list")
    refused(clinic, ValidationError, lambda: se.add_treatment(
        clinic.nurse, new.id, TreatmentDraft("ondansetron", "8", "iv")), "one dose is 4 mg")
    [changed] = trail(clinic, "side_effect.list_changed")[1:]
    assert changed.entity_id == "rescue"
    assert changed.decoded_old()["items"][0]["max_dose"] == "8"
    assert changed.decoded_new()["items"][0]["max_dose"] == "4"


# ---------------------------------------------------------------- logging


def test_one_step_logging_linked_to_the_pause_with_a_rescue_dose(clinic: Clinic) -> None:
    se = clinic.services.side_effects
    sid = clinic.running()
    clinic.advance(minutes=40)
    onset = clinic.now() - timedelta(minutes=3)
    clinic.sessions.pause(clinic.nurse, sid, reason="nausea")
    [pause] = se.linkable_events(clinic.nurse, sid)
    assert (pause.kind, pause.action, pause.linked_effect_ids) == (
        EventKind.PAUSE, InfusionAction.PAUSED, ())
    effect = log(clinic, sid, onset_at=onset, action=InfusionAction.PAUSED,
                 linked_event_id=pause.id, notes="pale, sweaty",
                 treatments=(TreatmentDraft("ondansetron", "4 mg", "iv"),))
    assert effect.term == "Nausea"
    assert (effect.onset_at, effect.grade, effect.action, effect.linked_event_id) == (
        onset, Grade.MODERATE, InfusionAction.PAUSED, pause.id)
    assert effect.recorded_by == "Nora Kim, RN"
    assert effect.is_open
    assert not effect.needs_notification
    [dose] = effect.treatments
    assert dose.description.startswith("ondansetron 4 mg IV at ")
    assert (dose.given_at, dose.given_by) == (clinic.now(), "Nora Kim, RN")
    assert se.linkable_events(clinic.nurse, sid)[0].linked_effect_ids == (effect.id,)
    assert se.for_session(clinic.clinician, sid) == (effect,)
    assert se.open_for_session(clinic.clinician, sid) == (effect,)

    logged, treated = trail(clinic)[2:]
    assert (logged.action, logged.entity_type, logged.entity_id) == (
        "side_effect.logged", "side_effect", str(effect.id))
    assert logged.decoded_new() | {"onset_at": None} == {
        "session_id": sid, "term_code": "nausea", "term_label": "Nausea",
        "effect_list_version": 1, "other_text": "", "onset_at": None, "grade": 2,
        "serious": False, "relationship": "probable", "action": "paused",
        "linked_event_id": pause.id, "outcome": None, "resolved_at": None,
        "notes": "pale, sweaty"}
    assert treated.action == "side_effect.treated"
    assert treated.decoded_new()["dose"] == "4"
    assert treated.decoded_new()["rescue_list_version"] == 1

    resolved = se.set_outcome(clinic.nurse, effect.id, Outcome.RESOLVED,
                              resolved_at=clinic.now(), note="settled after ondansetron")
    assert not resolved.is_open
    assert se.open_for_session(clinic.nurse, sid) == ()
    [outcome] = trail(clinic, "side_effect.outcome")
    assert outcome.decoded_old()["outcome"] is None
    assert outcome.decoded_new()["outcome"] == "resolved"


def test_other_with_text_and_a_later_onset_picked_on_the_timeline(clinic: Clinic) -> None:
    sid = clinic.running()
    clinic.advance(minutes=30)
    effect = log(clinic, sid, term_code=OTHER_CODE, other_text=" jaw   tension ",
                 grade=Grade.MILD, relationship="possible",
                 onset_at=clinic.now() - timedelta(minutes=10))
    assert effect.term == "Other: jaw tension"
    assert effect.relationship is Relationship.POSSIBLE


def test_bad_input_is_refused_with_a_message_and_nothing_saved(clinic: Clinic) -> None:
    se = clinic.services.side_effects
    sid = clinic.running()
    other = clinic.running(1)
    clinic.advance(minutes=30)
    kept = log(clinic, sid)
    clinic.sessions.pause(clinic.nurse, other, reason="anxious")
    [elsewhere] = se.linkable_events(clinic.nurse, other)
    now = clinic.now()
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: log(clinic, sid, onset_at=now + timedelta(minutes=1)), "in the future"),
        (lambda: log(clinic, sid, onset_at=now - timedelta(hours=1)),
         "before this session began"),
        (lambda: log(clinic, sid, term_code=OTHER_CODE), "Describe the effect"),
        (lambda: log(clinic, sid, term_code=OTHER_CODE, other_text="   "),
         "Describe the effect"),
        (lambda: log(clinic, sid, term_code="hiccups"), "not on the clinic's side-effect list"),
        (lambda: log(clinic, sid, onset_at=now - timedelta(minutes=5), outcome="resolved",
                     resolved_at=now - timedelta(minutes=6)), "before the onset"),
        (lambda: log(clinic, sid, outcome="resolved"), "needs the time"),
        (lambda: log(clinic, sid, treatments=(TreatmentDraft("ondansetron", "16", "iv"),)),
         "one dose is 4–8 mg"),
        (lambda: log(clinic, sid, treatments=(TreatmentDraft("midazolam", "1", "po"),)),
         "midazolam IV only"),
        (lambda: log(clinic, sid, treatments=(TreatmentDraft("lorazepam", "1", "iv"),)),
         "not on the clinic's rescue-medication list"),
        (lambda: log(clinic, sid, action=InfusionAction.PAUSED), "infusion controls"),
        (lambda: log(clinic, sid, action=InfusionAction.PAUSED,
                     linked_event_id=elsewhere.id), "not part of this session"),
        (lambda: log(clinic, sid, action=InfusionAction.NOT_APPLICABLE), "was running"),
        (lambda: log(clinic, sid, notes="x" * 2001), "under 2000"),
        (lambda: log(clinic, sid, grade=6), "grade from 1 to 5"),
        (lambda: log(clinic, sid, relationship="maybe"), "relationship"),
        (lambda: se.add_treatment(clinic.nurse, kept.id, TreatmentDraft(
            "ondansetron", "4", "iv", given_at=now - timedelta(minutes=1))),
         "before the effect's onset"),
        (lambda: se.add_treatment(clinic.nurse, kept.id, TreatmentDraft(
            "clonidine", "0.3", "po")), "0.05–0.2 mg"),
        (lambda: se.set_outcome(clinic.nurse, kept.id, "resolved",
                                resolved_at=now - timedelta(seconds=1)), "before the onset"),
        (lambda: se.set_outcome(clinic.nurse, kept.id, "resolved",
                                resolved_at=now + timedelta(minutes=2)), "in the future"),
        (lambda: se.set_outcome(clinic.nurse, kept.id, "resolving", resolved_at=now),
         "leaves the effect open"),
        (lambda: se.set_outcome(clinic.nurse, kept.id, Outcome.FATAL, resolved_at=now),
         "grade 5"),
    ]
    for call, message in cases:
        error = refused(clinic, ValidationError, call, message)
        assert error.field
    assert se.for_session(clinic.nurse, sid) == (kept,)


def test_check_draft_refuses_what_log_refuses_and_saves_nothing(clinic: Clinic) -> None:
    """The dialog checks a draft before it pauses, stops or lowers the rate: the same checks
    as ``log`` (apart from the link), with the same messages, and nothing stored either way."""
    se = clinic.services.side_effects
    sid = clinic.running()
    clinic.advance(minutes=30)
    se.lists(clinic.nurse)  # the shipped lists are stored on first use, not by the check
    now = clinic.now()
    se.update_rescue_list(clinic.admin, [
        replace(m, max_doses_per_session=1) if m.code == "midazolam" else m
        for m in se.lists(clinic.nurse).rescue.items], reason="one midazolam dose a session")
    drafts: list[tuple[SideEffectDraft, str]] = [
        (replace(NAUSEA, onset_at=now + timedelta(minutes=1)), "in the future"),
        (replace(NAUSEA, term_code="hiccups"), "not on the clinic's side-effect list"),
        (replace(NAUSEA, term_code=OTHER_CODE), "Describe the effect"),
        (replace(NAUSEA, outcome="resolved"), "needs the time"),
        (replace(NAUSEA, grade=6), "grade from 1 to 5"),
        (replace(NAUSEA, notes="x" * 2001), "under 2000"),
        (replace(NAUSEA, treatments=(TreatmentDraft("lorazepam", "1", "iv"),)),
         "not on the clinic's rescue-medication list"),
        (replace(NAUSEA, treatments=(TreatmentDraft("ondansetron", "4", "iv",
                                                    given_at=now - timedelta(hours=1)),)),
         "before the effect's onset"),
        (replace(NAUSEA, treatments=(TreatmentDraft("midazolam", "1", "iv"),
                                     TreatmentDraft("midazolam", "0.5", "iv"))), "allows 1"),
    ]
    for draft, message in drafts:
        checked = refused(clinic, ValidationError,
                          lambda d=draft: se.check_draft(clinic.nurse, sid, d), message)
        logged = refused(clinic, ValidationError, lambda d=draft: se.log(clinic.nurse, sid, d))
        assert (checked.message, checked.field) == (logged.message, logged.field)
    paused = replace(NAUSEA, action=InfusionAction.PAUSED,
                     treatments=(TreatmentDraft("midazolam", "1", "iv"),))
    before = snapshot(clinic.database)
    se.check_draft(clinic.nurse, sid, paused)  # the pause it links to is made after the check
    assert snapshot(clinic.database) == before


def test_roles_nurses_and_clinicians_log_administrators_only_read(clinic: Clinic) -> None:
    se = clinic.services.side_effects
    sid = clinic.running()
    clinic.advance(minutes=5)
    by_clinician = se.log(clinic.clinician, sid, NAUSEA)
    assert by_clinician.recorded_by == "Dr Priya Patel"
    for call in (lambda: se.log(clinic.admin, sid, NAUSEA),
                 lambda: se.set_outcome(clinic.admin, by_clinician.id, "resolving"),
                 lambda: se.add_treatment(clinic.admin, by_clinician.id,
                                          TreatmentDraft("ondansetron", "4", "iv")),
                 lambda: se.record_notification(clinic.admin, by_clinician.id, "Dr Who"),
                 lambda: se.add_follow_up(clinic.admin, clinic.patients[0].id, FollowUpDraft(
                     "urinary", date(2026, 11, 24), "no symptoms"))):
        refused(clinic, PermissionDenied, call, "nurse or clinician")
    assert se.for_session(clinic.admin, sid) == (by_clinician,)
    assert se.for_patient(clinic.admin, clinic.patients[0].id) == (by_clinician,)
    refused(clinic, NotFound, lambda: se.for_session(clinic.nurse, 999))
    refused(clinic, NotFound, lambda: se.get(clinic.nurse, 999))


def test_a_rescue_count_per_session_is_kept_across_effects(clinic: Clinic) -> None:
    se = clinic.services.side_effects
    rescue = se.lists(clinic.admin).rescue.items
    se.update_rescue_list(clinic.admin, [replace(m, max_doses_per_session=1)
                                         if m.code == "midazolam" else m for m in rescue],
                          reason="one midazolam dose per session")
    sid = clinic.running()
    clinic.advance(minutes=15)
    first = log(clinic, sid, term_code="anxiety",
                treatments=(TreatmentDraft("midazolam", "1", "iv"),))
    second = log(clinic, sid, term_code="dysphoria")
    refused(clinic, ValidationError, lambda: se.add_treatment(
        clinic.nurse, second.id, TreatmentDraft("midazolam", "1", "iv")), "allows 1")
    refused(clinic, ValidationError, lambda: log(
        clinic, sid, term_code="hallucinations",
        treatments=(TreatmentDraft("ondansetron", "4", "iv"),
                    TreatmentDraft("midazolam", "0.5", "iv"))), "allows 1")
    assert len(se.get(clinic.nurse, first.id).treatments) == 1


# ---------------------------------------------------------------- the infusion link


def test_an_effect_is_linked_to_a_rate_reduction_made_through_the_controls(
        clinic: Clinic) -> None:
    se = clinic.services.side_effects
    sid = clinic.running()
    clinic.advance(minutes=20)
    effect = log(clinic, sid, term_code="dissociation")
    assert effect.action is InfusionAction.NOT_CHANGED
    clinic.advance(minutes=2)
    clinic.sessions.change_rate(clinic.nurse, sid, "12", reason="dissociation")
    [reduction] = se.linkable_events(clinic.nurse, sid)
    assert reduction.action is InfusionAction.RATE_REDUCED
    linked = se.link_event(clinic.nurse, effect.id, reduction.id)
    assert (linked.action, linked.linked_event_id) == (InfusionAction.RATE_REDUCED,
                                                       reduction.id)
    [row] = trail(clinic, "side_effect.linked")
    assert row.decoded_old() == {"action": "not_changed", "linked_event_id": None}
    assert row.decoded_new()["action"] == "rate_reduced"

    clinic.advance(minutes=2)
    clinic.sessions.change_rate(clinic.nurse, sid, "20", reason="settled")
    with clinic.database.read() as uow:
        ids = [event_id for event_id, e in uow.side_effects.events_with_ids(sid)
               if e.kind in {EventKind.START, EventKind.RATE_CHANGE}]
    start, _, increase = ids
    for not_an_action in (start, increase):
        refused(clinic, ValidationError, lambda e=not_an_action: se.link_event(
            clinic.nurse, effect.id, e), "not a rate reduction, a pause or an early stop")
    later = log(clinic, sid, term_code="sedation")
    refused(clinic, ValidationError, lambda: se.link_event(clinic.nurse, later.id,
                                                           reduction.id),
            "before this effect's onset")


def test_a_stop_for_a_side_effect_is_an_early_stop(clinic: Clinic) -> None:
    se = clinic.services.side_effects
    sid = clinic.running()
    clinic.advance(minutes=30)
    clinic.sessions.stop(clinic.nurse, sid, completed=False, reason="vomiting")
    [stop] = se.linkable_events(clinic.nurse, sid)
    effect = log(clinic, sid, term_code="vomiting", grade=Grade.SEVERE,
                 onset_at=clinic.now() - timedelta(minutes=1),
                 action=InfusionAction.STOPPED, linked_event_id=stop.id)
    assert effect.action is InfusionAction.STOPPED
    assert effect.needs_notification
    assert effect.notification_pending
    clinic.advance(minutes=5)
    recovery = log(clinic, sid, term_code="dizziness", grade=Grade.MILD,
                   action=InfusionAction.NOT_APPLICABLE)
    assert recovery.action is InfusionAction.NOT_APPLICABLE


# ---------------------------------------------------------------- severe effects


def test_a_severe_or_serious_effect_records_which_clinician_was_told(clinic: Clinic) -> None:
    se = clinic.services.side_effects
    sid = clinic.running()
    clinic.advance(minutes=25)
    effect = log(clinic, sid, term_code="hypertension", serious=True)
    assert effect.notification_pending
    refused(clinic, ValidationError, lambda: se.record_notification(
        clinic.nurse, effect.id, clinic.checker.user_id), "not an active clinician")
    refused(clinic, ValidationError, lambda: se.record_notification(
        clinic.nurse, effect.id, "Dr Patel", at=effect.onset_at - timedelta(minutes=1)),
        "before the onset")
    refused(clinic, ValidationError, lambda: se.record_notification(
        clinic.nurse, effect.id, " "), "name of the clinician")
    refused(clinic, NotFound, lambda: se.record_notification(clinic.nurse, effect.id, 999))
    clinic.advance(minutes=1)
    told = se.record_notification(clinic.nurse, effect.id, clinic.clinician.user_id)
    assert told.notification is not None
    assert (told.notification.clinician_name, told.notification.clinician_user_id,
            told.notification.at, told.notification.recorded_by) == (
        "Dr Priya Patel", clinic.clinician.user_id, clinic.now(), "Nora Kim, RN")
    assert not told.notification_pending
    again = se.record_notification(clinic.nurse, effect.id, "Dr Okafor (on call)",
                                   at=clinic.now())
    assert again.notification is not None
    assert again.notification.clinician_user_id is None
    first, second = trail(clinic, "side_effect.notified")
    assert first.decoded_old() == {}
    assert second.decoded_old()["clinician"] == "Dr Priya Patel"
    assert second.decoded_new()["clinician"] == "Dr Okafor (on call)"


def test_reassessing_keeps_the_earlier_grade_in_the_trail(clinic: Clinic) -> None:
    se = clinic.services.side_effects
    sid = clinic.running()
    clinic.advance(minutes=25)
    effect = log(clinic, sid)
    refused(clinic, ValidationError, lambda: se.reassess(
        clinic.nurse, effect.id, grade=3, serious=False, relationship="probable", reason=""),
        "reason")
    refused(clinic, ValidationError, lambda: se.reassess(
        clinic.nurse, effect.id, grade=2, serious=False, relationship="probable",
        reason="checked again"), "Nothing changed")
    worse = se.reassess(clinic.nurse, effect.id, grade=Grade.SEVERE, serious=False,
                        relationship=Relationship.DEFINITE, reason="vomiting, cannot drink")
    assert (worse.grade, worse.relationship) == (Grade.SEVERE, Relationship.DEFINITE)
    assert worse.notification_pending
    [row] = trail(clinic, "side_effect.reassessed")
    assert row.decoded_old() == {"grade": 2, "serious": False, "relationship": "probable"}
    assert row.decoded_new()["grade"] == 3
    assert row.reason == "vomiting, cannot drink"


# ---------------------------------------------------------------- review and signature


def test_the_review_needs_every_item_and_agrees_with_what_was_logged(clinic: Clinic) -> None:
    se = clinic.services.side_effects
    sid = clinic.running()
    clinic.advance(minutes=30)
    log(clinic, sid)
    codes = se.lists(clinic.nurse).effects.codes
    refused(clinic, ValidationError, lambda: review_nothing_but(clinic, sid, nausea=Grade(2)),
            "stop the infusion first")
    clinic.advance(hours=4)
    clinic.sessions.stop(clinic.nurse, sid, completed=True)
    refused(clinic, ValidationError, lambda: se.record_review(
        clinic.nurse, sid, {c: None for c in codes if c != "headache"}), "Headache")
    refused(clinic, ValidationError, lambda: review_nothing_but(clinic, sid),
            "Nausea was logged")
    refused(clinic, ValidationError, lambda: review_nothing_but(clinic, sid, nausea=Grade(1)),
            "grade 2 or higher")
    assert se.review(clinic.nurse, sid) is None

    review_nothing_but(clinic, sid, nausea=Grade(2))
    clinic.advance(minutes=1)
    review_nothing_but(clinic, sid, nausea=Grade(2), headache=Grade(1))
    review = se.review(clinic.clinician, sid)
    assert review is not None
    assert [(a.term_label, a.grade) for a in review.present] == [
        ("Nausea", Grade.MODERATE), ("Headache", Grade.MILD)]
    assert (review.effect_list_version, review.recorded_by, review.recorded_at) == (
        1, "Nora Kim, RN", clinic.now())
    assert len(_rows(clinic.database, SideEffectReviewRow)) == 2  # the first stays stored
    first, second = trail(clinic, "side_effect.reviewed")
    assert (first.entity_type, first.entity_id) == ("session", str(sid))
    assert first.decoded_old() == {}
    assert second.decoded_old()["answers"]["headache"] is None
    assert second.decoded_new()["answers"]["headache"] == 1


def test_the_record_is_not_signed_until_the_side_effect_log_is_complete(
        clinic: Clinic) -> None:
    se, s = clinic.services.side_effects, clinic.sessions
    sid = clinic.running()
    clinic.advance(minutes=30)
    effect = log(clinic, sid, term_code="hallucinations", grade=Grade.SEVERE)
    clinic.advance(hours=4)
    finish(clinic, sid)

    def sign() -> object:
        return s.sign(clinic.nurse, sid, password=NURSE_PW)

    error = refused(clinic, ValidationError, sign, "Hallucinations / vivid dreams")
    assert "has no outcome" in error.message
    assert "record which clinician was notified" in error.message
    assert "side-effect review" in error.message
    assert len(se.signing_blockers(clinic.nurse, sid)) == 3
    se.set_outcome(clinic.nurse, effect.id, Outcome.RESOLVING)
    assert se.open_for_session(clinic.nurse, sid) == (se.get(clinic.nurse, effect.id),)
    error = refused(clinic, ValidationError, sign, "notified")
    assert "has no outcome" not in error.message
    se.record_notification(clinic.nurse, effect.id, clinic.clinician.user_id,
                           at=effect.onset_at + timedelta(minutes=2))
    refused(clinic, ValidationError, sign, "side-effect review")
    review_nothing_but(clinic, sid, hallucinations=Grade.SEVERE)
    assert se.signing_blockers(clinic.nurse, sid) == ()
    signed = sign()
    assert signed is not None
    # A resolving effect may leave with the patient: it stays open and is followed up.
    assert se.open_for_session(clinic.nurse, sid)[0].outcome is Outcome.RESOLVING


def test_an_effect_logged_after_the_review_makes_it_out_of_date(clinic: Clinic) -> None:
    sid = clinic.running()
    clinic.advance(hours=4)
    finish(clinic, sid)
    review_nothing_but(clinic, sid)
    late = log(clinic, sid, term_code="dizziness", grade=Grade.MILD,
               action=InfusionAction.NOT_APPLICABLE, outcome=Outcome.RESOLVED,
               resolved_at=clinic.now())
    assert late.effect_list_version == 1
    refused(clinic, ValidationError, lambda: clinic.sessions.sign(
        clinic.nurse, sid, password=NURSE_PW), "review is out of date: Dizziness")


def test_a_signed_record_refuses_every_change_and_points_to_addenda(clinic: Clinic) -> None:
    se = clinic.services.side_effects
    sid = clinic.running()
    clinic.advance(minutes=20)
    clinic.sessions.pause(clinic.nurse, sid, reason="nausea")
    [pause] = se.linkable_events(clinic.nurse, sid)
    effect = log(clinic, sid, outcome=Outcome.RESOLVED, resolved_at=clinic.now())
    clinic.sessions.resume(clinic.nurse, sid)
    clinic.advance(hours=4)
    finish(clinic, sid)
    review_nothing_but(clinic, sid, nausea=Grade.MODERATE)
    clinic.sessions.sign(clinic.nurse, sid, password=NURSE_PW)
    codes = se.lists(clinic.nurse).effects.codes
    for call in (
            lambda: log(clinic, sid, action=InfusionAction.NOT_APPLICABLE),
            lambda: se.add_treatment(clinic.nurse, effect.id,
                                     TreatmentDraft("ondansetron", "4", "iv")),
            lambda: se.set_outcome(clinic.nurse, effect.id, "unknown"),
            lambda: se.link_event(clinic.nurse, effect.id, pause.id),
            lambda: se.record_notification(clinic.clinician, effect.id, "Dr Patel"),
            lambda: se.reassess(clinic.clinician, effect.id, grade=3, serious=False,
                                relationship="probable", reason="on reflection"),
            lambda: se.record_review(clinic.nurse, sid, dict.fromkeys(codes, Grade.MILD),
                                     other_text="anything")):
        refused(clinic, ConflictError, call, LOCKED)
    assert se.get(clinic.nurse, effect.id) == effect


def test_a_cancelled_session_takes_no_entries(clinic: Clinic) -> None:
    sid = clinic.ready()
    log(clinic, sid, term_code="anxiety", action=InfusionAction.NOT_APPLICABLE)
    clinic.sessions.cancel(clinic.nurse, sid, reason="too anxious to start today")
    refused(clinic, ConflictError, lambda: log(clinic, sid, term_code="anxiety",
                                               action=InfusionAction.NOT_APPLICABLE),
            "cancelled.*follow-up")


# ---------------------------------------------------------------- between sessions


def test_follow_ups_and_what_repeated_exposure_prompts(clinic: Clinic) -> None:
    se = clinic.services.side_effects
    patient = clinic.patients[0].id
    assert se.follow_up_prompts(clinic.nurse, patient) == ()
    sid = clinic.running()
    clinic.advance(minutes=30)
    left = log(clinic, sid, term_code="hallucinations", grade=Grade.MILD,
               outcome=Outcome.RESOLVING)
    assert se.follow_up_prompts(clinic.nurse, patient) == ()  # the session is still open
    clinic.advance(hours=4)
    finish(clinic, sid)
    review_nothing_but(clinic, sid, hallucinations=Grade.MILD)
    clinic.sessions.sign(clinic.nurse, sid, password=NURSE_PW)

    clinic.advance(days=2)
    urinary, psychiatric = se.follow_up_prompts(clinic.clinician, patient)
    assert urinary.kind is FollowUpKind.URINARY
    assert "1 session so far (110.3 mg in all)" in urinary.detail  # 24.5 mg/h × 4.5 h
    assert (psychiatric.kind, psychiatric.effect_id) == (FollowUpKind.PSYCHIATRIC, left.id)

    today = clinic.now().astimezone().date()
    asked = se.add_follow_up(clinic.nurse, patient, FollowUpDraft(
        FollowUpKind.URINARY, today, "No frequency, urgency or pain."))
    assert (asked.kind, asked.recorded_by) == (FollowUpKind.URINARY, "Nora Kim, RN")
    still = se.add_follow_up(clinic.nurse, patient, FollowUpDraft(
        "psychiatric", today, "Vivid dreams two nights, none since.", effect_id=left.id,
        effect_outcome="resolved"))
    assert still.effect_outcome is Outcome.RESOLVED
    assert se.follow_up_prompts(clinic.nurse, patient) == ()
    assert se.get(clinic.nurse, left.id).outcome is Outcome.RESOLVING  # the record stands

    liver = se.add_follow_up(clinic.clinician, patient, FollowUpDraft(
        "liver_tests", today - timedelta(days=1), liver=LiverTests(
            alt_u_per_l=Decimal(41), ast_u_per_l=Decimal(35), ggt_u_per_l=Decimal("52.5"),
            bilirubin=Decimal(12))))
    assert liver.liver is not None
    assert liver.liver.summary == "ALT 41 U/L, AST 35 U/L, GGT 52.5 U/L, bilirubin 12 µmol/L"
    assert [f.kind for f in se.follow_ups(clinic.admin, patient)] == [
        FollowUpKind.LIVER_TESTS, FollowUpKind.URINARY, FollowUpKind.PSYCHIATRIC]
    rows = trail(clinic, "side_effect.follow_up")
    assert [(r.entity_type, r.entity_id) for r in rows] == [("patient", str(patient))] * 3
    assert rows[2].decoded_new()["liver"] == {
        "alt_u_per_l": "41", "ast_u_per_l": "35", "ggt_u_per_l": "52.5", "bilirubin": "12",
        "bilirubin_unit": "umol/L"}

    elsewhere = clinic.patients[1].id
    for call, message in (
            (lambda: se.add_follow_up(clinic.nurse, patient, FollowUpDraft(
                "urinary", today + timedelta(days=1), "dysuria")), "in the future"),
            (lambda: se.add_follow_up(clinic.nurse, patient, FollowUpDraft(
                "liver_tests", today)), "at least one liver test"),
            (lambda: se.add_follow_up(clinic.nurse, elsewhere, FollowUpDraft(
                "psychiatric", today, "better", effect_id=left.id)), "not one of"),
            (lambda: se.add_follow_up(clinic.nurse, patient, FollowUpDraft(
                "psychiatric", today - timedelta(days=5), "better", effect_id=left.id)),
             "before the effect began")):
        refused(clinic, ValidationError, call, message)
    refused(clinic, NotFound, lambda: se.add_follow_up(clinic.nurse, 999, FollowUpDraft(
        "urinary", today, "none")))


def test_a_patients_effects_across_sessions_for_history(clinic: Clinic) -> None:
    se = clinic.services.side_effects
    patient = clinic.patients[0].id
    first = clinic.running()
    clinic.advance(minutes=10)
    early = log(clinic, first, outcome=Outcome.RESOLVED, resolved_at=clinic.now())
    clinic.advance(hours=4)
    finish(clinic, first)
    review_nothing_but(clinic, first, nausea=Grade.MODERATE)
    clinic.sessions.sign(clinic.nurse, first, password=NURSE_PW)
    clinic.advance(days=1)
    second = clinic.running()
    clinic.advance(minutes=10)
    late = log(clinic, second, term_code="headache", grade=Grade.MILD)
    other = clinic.running(1)
    log(clinic, other, term_code="sedation", grade=Grade.MILD)
    history = se.for_patient(clinic.clinician, patient)
    assert [(e.id, e.session_id) for e in history] == [(early.id, first), (late.id, second)]
    assert {e.patient_id for e in history} == {patient}


def test_a_clinic_with_an_actor_who_no_longer_exists_is_refused(clinic: Clinic) -> None:
    forged = Actor(user_id=999, username="ghost", full_name="Ghost", role=clinic.nurse.role)
    refused(clinic, PermissionDenied, lambda: clinic.services.side_effects.lists(forged),
            "no longer active")
