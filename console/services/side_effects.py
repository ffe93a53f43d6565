"""The side-effect log: graded, timed, tied to the infusion, and followed up between sessions.

Nurses and clinicians log side effects as they happen, treat them from the clinic's
rescue-medication list, record outcomes and who was notified, and complete the discharge
side-effect review; clinicians and nurses add follow-ups between sessions; administrators edit
the clinic's lists (versioned, audited; entries keep the version they were made under);
everyone reads.

Every rule is enforced here, whatever the screen: a signed session record refuses every change
(corrections are addenda to the session record), every change writes its audit record with old
and new values in the same transaction, and a refused call leaves nothing behind.

Times are UTC-aware ``datetime``; ``None`` for a time means "now".
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, overload

from console.domain.clock import Clock
from console.domain.identity import Actor, Role
from console.domain.infusion import EventKind, InfusionEvent, PumpState, progress, state_after
from console.domain.side_effects import (
    DEFAULT_EFFECT_TERMS,
    DEFAULT_RESCUE_MEDICATIONS,
    SHIPPED_DEFAULTS_NOTE,
    AdministrationRoute,
    ClinicList,
    DischargeReview,
    EffectList,
    EffectTerm,
    Exposure,
    FollowUp,
    FollowUpDraft,
    FollowUpPrompt,
    Grade,
    InfusionAction,
    ListKind,
    Outcome,
    Relationship,
    RescueList,
    RescueMedication,
    SideEffect,
    SideEffectDraft,
    TreatmentDraft,
    action_for,
    as_grade,
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
    check_time,
    check_treatment_time,
    follow_up_prompts,
    parse_dose,
    signing_blockers,
    validate_effect_terms,
    validate_rescue_medications,
)
from console.errors import ConflictError, ValidationError
from console.services.base import Service, required_reason
from console.storage.repositories.side_effects import medications_to_json, terms_to_json
from console.storage.rows import InfusionSessionRow
from console.storage.unit_of_work import Database, UnitOfWork

BEDSIDE = (Role.NURSE, Role.CLINICIAN)
ADMINISTRATORS = (Role.ADMINISTRATOR,)
EVERYONE = tuple(Role)

LOCKED_MESSAGE = (
    "This session record is signed and locked: the side-effect log cannot change. Add an "
    "addendum to the session record to correct or complete it; the original stays as it was.")
CANCELLED_MESSAGE = ("This session was cancelled, so nothing more is logged against it. Record "
                     "what happened as a follow-up on the patient.")


@dataclass(frozen=True, slots=True)
class SideEffectLists:
    """The clinic's current lists: what the log screen offers."""

    effects: EffectList
    rescue: RescueList


@dataclass(frozen=True, slots=True)
class LinkableEvent:
    """An infusion entry of the session that can be the action taken for an effect (a pause,
    an early stop, a change to a lower rate), with the effects already linked to it."""

    id: int
    kind: EventKind
    at: datetime
    action: InfusionAction
    rate_ml_per_h: Decimal | None
    reason: str
    by_name: str
    linked_effect_ids: tuple[int, ...]

    @property
    def label(self) -> str:
        """``"Paused 10:14 (nausea)"``, for a picker."""
        why = f" ({self.reason})" if self.reason else ""
        return f"{self.kind.label} {self.at.astimezone():%H:%M}{why}"


@dataclass(frozen=True, slots=True)
class NotifiableClinician:
    """An active clinician the bedside can name as told of an effect."""

    id: int
    full_name: str


def _choice[E: enum.StrEnum](kind: type[E], raw: E | str, *, field: str, what: str) -> E:
    try:
        return kind(raw)
    except ValueError:
        raise ValidationError(f"Choose {what} from the list.", field=field) from None


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _effect_values(effect: SideEffect) -> dict[str, Any]:
    return {
        "session_id": effect.session_id, "term_code": effect.term_code,
        "term_label": effect.term_label, "effect_list_version": effect.effect_list_version,
        "other_text": effect.other_text, "onset_at": effect.onset_at,
        "grade": int(effect.grade), "serious": effect.serious,
        "relationship": effect.relationship.value, "action": effect.action.value,
        "linked_event_id": effect.linked_event_id,
        "outcome": None if effect.outcome is None else effect.outcome.value,
        "resolved_at": effect.resolved_at, "notes": effect.notes,
    }


def side_effect_signing_problems(uow: UnitOfWork, session_id: int) -> list[str]:
    """What in the session's side-effect log stops its record being signed: an effect without
    an outcome, a severe or serious effect without a recorded notification, or a missing or
    out-of-date discharge review. Used by the session service's signing gate."""
    return signing_blockers(uow.side_effects.for_session(session_id),
                            uow.side_effects.review(session_id))


class SideEffectService(Service):
    def __init__(self, *, database: Database, clock: Clock) -> None:
        super().__init__(database=database, clock=clock)

    # ================================================================== the clinic's lists
    def lists(self, actor: Actor) -> SideEffectLists:
        """The current effect and rescue-medication lists (anyone may read them).

        The first time they are needed, the shipped defaults are stored as version 1 of each
        (audited, marked for the clinic's review).
        """
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            effects, rescue = uow.side_effects.effect_list(), uow.side_effects.rescue_list()
            if effects is not None and rescue is not None:
                return SideEffectLists(effects, rescue)
        with self._db.write() as uow:
            self.authorise(uow, actor, EVERYONE)
            return self._lists(uow)

    @overload
    def list_history(self, actor: Actor,
                     kind: Literal[ListKind.EFFECTS]) -> tuple[EffectList, ...]: ...

    @overload
    def list_history(self, actor: Actor,
                     kind: Literal[ListKind.RESCUE]) -> tuple[RescueList, ...]: ...

    def list_history(self, actor: Actor,
                     kind: ListKind) -> tuple[EffectList, ...] | tuple[RescueList, ...]:
        """Every version of one list, newest first, each with who changed it, when and why."""
        self.lists(actor)  # the shipped version 1 exists from the first look on
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            if ListKind(kind) is ListKind.EFFECTS:
                return tuple(uow.side_effects.effect_lists())
            return tuple(uow.side_effects.rescue_lists())

    def update_effect_list(self, actor: Actor, terms: Sequence[EffectTerm], *,
                           reason: str) -> EffectList:
        """Save a new version of the effect list (administrators). Entries already made keep
        the term label and list version they were made under."""
        items = validate_effect_terms(terms)
        why = required_reason(reason, what="changing the side-effect list")
        with self._db.write() as uow:
            self.authorise(uow, actor, ADMINISTRATORS)
            return self._next_list_version(uow, actor, self._lists(uow).effects, items, why,
                                           uow.side_effects.add_effect_list, terms_to_json)

    def update_rescue_list(self, actor: Actor, medications: Sequence[RescueMedication], *,
                           reason: str) -> RescueList:
        """Save a new version of the rescue-medication list (administrators). Doses already
        recorded keep the medication name, unit and list version they were given under."""
        items = validate_rescue_medications(medications)
        why = required_reason(reason, what="changing the rescue-medication list")
        with self._db.write() as uow:
            self.authorise(uow, actor, ADMINISTRATORS)
            return self._next_list_version(uow, actor, self._lists(uow).rescue, items, why,
                                           uow.side_effects.add_rescue_list,
                                           medications_to_json)

    # ================================================================== reading the log
    def get(self, actor: Actor, effect_id: int) -> SideEffect:
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            return uow.side_effects.get(effect_id)

    def for_session(self, actor: Actor, session_id: int) -> tuple[SideEffect, ...]:
        """Every effect of the session in order of onset (chart and timeline markers)."""
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            uow.sessions.lock(session_id)  # NotFound for a session that does not exist
            return tuple(uow.side_effects.for_session(session_id))

    def open_for_session(self, actor: Actor, session_id: int) -> tuple[SideEffect, ...]:
        """The effects that stay on the session screen: no outcome yet, or one that does not
        close them (resolving, not resolved, unknown)."""
        return tuple(e for e in self.for_session(actor, session_id) if e.is_open)

    def for_patient(self, actor: Actor, patient_id: int) -> tuple[SideEffect, ...]:
        """All of a patient's effects across sessions, oldest first (history)."""
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            uow.patients.get(patient_id)
            return tuple(uow.side_effects.for_patient(patient_id))

    def linkable_events(self, actor: Actor, session_id: int) -> tuple[LinkableEvent, ...]:
        """The session's pauses, early stops and rate reductions, newest first: what an
        effect's action can be linked to (the nurse acted through the infusion controls)."""
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            uow.sessions.lock(session_id)
            events = uow.side_effects.events_with_ids(session_id)
            linked: dict[int, list[int]] = {}
            for effect in uow.side_effects.for_session(session_id):
                if effect.linked_event_id is not None:
                    linked.setdefault(effect.linked_event_id, []).append(effect.id)
            found = []
            for index, (event_id, event) in enumerate(events):
                action = action_for(event, _rate_before(events, index))
                if action is not None:
                    found.append(LinkableEvent(
                        id=event_id, kind=event.kind, at=event.at, action=action,
                        rate_ml_per_h=event.rate_ml_per_h, reason=event.reason,
                        by_name=event.by_name, linked_effect_ids=tuple(linked.get(event_id, ()))))
            return tuple(reversed(found))

    def signing_blockers(self, actor: Actor, session_id: int) -> tuple[str, ...]:
        """What in the side-effect log still stops the session record being signed (empty
        when nothing does), for the screen to show beside the signature."""
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            uow.sessions.lock(session_id)
            return tuple(side_effect_signing_problems(uow, session_id))

    # ================================================================== logging at the bedside
    def clinicians(self, actor: Actor) -> tuple[NotifiableClinician, ...]:
        """The active clinicians, by name: whom a nurse can record as told of an effect."""
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            found = [NotifiableClinician(u.id, u.full_name) for u in uow.users.list_all()
                     if u.role is Role.CLINICIAN and u.active]
            return tuple(sorted(found, key=lambda c: c.full_name.casefold()))

    def check_draft(self, actor: Actor, session_id: int, draft: SideEffectDraft) -> None:
        """Refuse, saving nothing, what :meth:`log` would refuse in ``draft`` apart from its
        link to an infusion entry. The screen calls this before it pauses, stops or lowers the
        rate for the effect, so an infusion action is not left without its log entry."""
        lists = self.lists(actor)
        with self._db.read() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = self._editable(uow, session_id)
            now = self.now()
            entry = _check_entry(draft, lists, session_began=row.checked_in_at, now=now)
            given: dict[str, int] = {}
            for treatment in draft.treatments:
                code = treatment.medication_code
                already = given.setdefault(code, uow.side_effects.doses_given(row.id, code))
                _check_treatment(actor, lists.rescue, treatment, doses_already_given=already,
                                 onset_at=entry.onset_at, now=now)
                given[code] = already + 1

    def log(self, actor: Actor, session_id: int, draft: SideEffectDraft) -> SideEffect:
        """Log a side effect in one step (with any treatments, outcome and resolution time).

        Refused with a message, saving nothing: a signed (addenda instead) or cancelled
        session; an onset before check-in or in the future; an empty "other" description; a
        resolution before the onset; an action done with the infusion controls without the
        matching infusion entry of this session (``linked_event_id``: a pause, an early stop,
        a change to a lower rate at or after the onset); a dose outside the rescue list.
        """
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = self._editable(uow, session_id)
            lists = self._lists(uow)
            now = self.now()
            entry = _check_entry(draft, lists, session_began=row.checked_in_at, now=now)
            self._check_link(uow, row, entry.action, draft.linked_event_id, entry.onset_at)
            effect_id = uow.side_effects.add_effect(
                session_id=row.id, list_id=uow.side_effects.list_id(ListKind.EFFECTS,
                                                                     lists.effects.version),
                term=entry.term, other_text=entry.other_text, onset_at=entry.onset_at,
                grade=entry.grade, serious=draft.serious, relationship=entry.relationship,
                action=entry.action, linked_event_id=draft.linked_event_id,
                outcome=entry.outcome,
                resolved_at=draft.resolved_at if entry.outcome is not None else None,
                notes=entry.notes, by=actor.user_id, at=now)
            effect = uow.side_effects.get(effect_id)
            self.audit(uow, actor, "side_effect.logged", entity_type="side_effect",
                       entity_id=effect_id, new=_effect_values(effect))
            for treatment in draft.treatments:
                self._treat(uow, actor, row, effect, lists.rescue, treatment)
            return uow.side_effects.get(effect_id)

    def link_event(self, actor: Actor, effect_id: int, event_id: int) -> SideEffect:
        """Link an effect to the infusion entry that acted on it (the nurse paused, stopped or
        lowered the rate through the infusion controls); the action follows from the entry."""
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            effect = uow.side_effects.get(effect_id)
            row = self._editable(uow, effect.session_id)
            events = uow.side_effects.events_with_ids(row.id)
            index = next((i for i, (eid, _) in enumerate(events) if eid == event_id), None)
            if index is None:
                raise ValidationError("That infusion entry is not part of this session. Choose "
                                      "one from this session's timeline.",
                                      field="linked_event_id")
            event = events[index][1]
            action = action_for(event, _rate_before(events, index))
            if action is None:
                raise ValidationError(
                    f"'{event.kind.label}' at {event.at.astimezone():%H:%M} is not a rate "
                    "reduction, a pause or an early stop, so it is not an action taken for a "
                    "side effect.", field="linked_event_id")
            self._check_link(uow, row, action, event_id, effect.onset_at)
            if (effect.action, effect.linked_event_id) == (action, event_id):
                return effect
            uow.side_effects.set_action(effect_id, action=action, linked_event_id=event_id)
            self.audit(uow, actor, "side_effect.linked", entity_type="side_effect",
                       entity_id=effect_id,
                       old={"action": effect.action.value,
                            "linked_event_id": effect.linked_event_id},
                       new={"action": action.value, "linked_event_id": event_id,
                            "session_id": effect.session_id})
            return uow.side_effects.get(effect_id)

    def add_treatment(self, actor: Actor, effect_id: int, draft: TreatmentDraft) -> SideEffect:
        """Record a rescue dose from the clinic's list: within its dose range and routes, no
        earlier than the effect's onset, not in the future."""
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            effect = uow.side_effects.get(effect_id)
            row = self._editable(uow, effect.session_id)
            self._treat(uow, actor, row, effect, self._lists(uow).rescue, draft)
            return uow.side_effects.get(effect_id)

    def set_outcome(self, actor: Actor, effect_id: int, outcome: Outcome | str, *,
                    resolved_at: datetime | None = None, note: str = "") -> SideEffect:
        """Record (or correct, before signature) the outcome. Resolved, resolved with sequelae
        and fatal close the effect and need ``resolved_at`` (not before the onset, not in the
        future); resolving, not resolved and unknown leave it open and take no time."""
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            effect = uow.side_effects.get(effect_id)
            self._editable(uow, effect.session_id)
            chosen = _choice(Outcome, outcome, field="outcome", what="the outcome")
            check_outcome_for_grade(chosen, effect.grade)
            check_resolution(chosen, resolved_at, onset_at=effect.onset_at, now=self.now())
            text = check_notes(note, field_name="note")
            uow.side_effects.set_outcome(effect_id, outcome=chosen, resolved_at=resolved_at,
                                         note=text)
            self.audit(uow, actor, "side_effect.outcome", entity_type="side_effect",
                       entity_id=effect_id,
                       old={"outcome": None if effect.outcome is None else effect.outcome.value,
                            "resolved_at": effect.resolved_at, "note": effect.outcome_note},
                       new={"outcome": chosen.value, "resolved_at": resolved_at, "note": text,
                            "session_id": effect.session_id})
            return uow.side_effects.get(effect_id)

    def reassess(self, actor: Actor, effect_id: int, *, grade: Grade | int, serious: bool,
                 relationship: Relationship | str, reason: str) -> SideEffect:
        """Change the grade, seriousness or relationship of a logged effect (it worsened, or
        was misjudged), with a reason; the audit trail keeps the earlier assessment."""
        why = required_reason(reason, what="reassessing the side effect")
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            effect = uow.side_effects.get(effect_id)
            self._editable(uow, effect.session_id)
            new_grade = as_grade(grade)
            related = _choice(Relationship, relationship, field="relationship",
                              what="the relationship to ketamine")
            check_grade_and_serious(new_grade, serious)
            check_outcome_for_grade(effect.outcome, new_grade)
            if (new_grade, serious, related) == (effect.grade, effect.serious,
                                                 effect.relationship):
                raise ValidationError("Nothing changed: the grade, seriousness and relationship "
                                      "are as recorded.", field="grade")
            uow.side_effects.set_assessment(effect_id, grade=new_grade, serious=serious,
                                            relationship=related)
            self.audit(uow, actor, "side_effect.reassessed", entity_type="side_effect",
                       entity_id=effect_id,
                       old={"grade": int(effect.grade), "serious": effect.serious,
                            "relationship": effect.relationship.value},
                       new={"grade": int(new_grade), "serious": serious,
                            "relationship": related.value, "session_id": effect.session_id},
                       reason=why)
            return uow.side_effects.get(effect_id)

    def record_notification(self, actor: Actor, effect_id: int, clinician: int | str, *,
                            at: datetime | None = None) -> SideEffect:
        """Record which clinician was told of the effect, and when (asked for grade 3 or
        higher, or serious; allowed for any). ``clinician`` is a clinician's user id, or the
        name of a clinician without an account (for example the on-call doctor)."""
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            effect = uow.side_effects.get(effect_id)
            self._editable(uow, effect.session_id)
            user_id: int | None = None
            if isinstance(clinician, int):
                user = uow.users.get(clinician)
                if user.role is not Role.CLINICIAN or not user.active:
                    raise ValidationError(f"{user.full_name} is not an active clinician. Choose "
                                          "the clinician who was told.", field="clinician")
                name, user_id = user.full_name, user.id
            else:
                name = " ".join(clinician.split())
                if not 3 <= len(name) <= 100:
                    raise ValidationError("Give the name of the clinician who was told.",
                                          field="clinician")
            now = self.now()
            moment = check_time(at or now, now=now, field_name="notified_at",
                                what="time the clinician was told")
            if moment < effect.onset_at:
                raise ValidationError(
                    f"The clinician was told at {moment.astimezone():%H:%M}, before the onset "
                    f"({effect.onset_at.astimezone():%H:%M}). Check both times.",
                    field="notified_at")
            uow.side_effects.set_notification(effect_id, name=name, user_id=user_id, at=moment,
                                              by=actor.user_id, recorded_at=now)
            previous = effect.notification
            self.audit(uow, actor, "side_effect.notified", entity_type="side_effect",
                       entity_id=effect_id,
                       old=None if previous is None else {"clinician": previous.clinician_name,
                                                          "at": previous.at},
                       new={"clinician": name, "clinician_user_id": user_id, "at": moment,
                            "session_id": effect.session_id})
            return uow.side_effects.get(effect_id)

    # ================================================================== discharge review
    def record_review(self, actor: Actor, session_id: int,
                      answers: Mapping[str, Grade | int | None], *,
                      other_text: str = "") -> DischargeReview:
        """The structured side-effect review at discharge: every item of the current effect
        list answered, ``None`` for none or the worst grade for present ("other", when
        present, needs ``other_text``). Each effect logged in the session must be answered
        present, at least at its grade. Recording again (before signature) keeps the earlier
        review stored; the newest counts."""
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = self._editable(uow, session_id)
            if state_after([e for _, e in uow.side_effects.events_with_ids(row.id)]) \
                    is not PumpState.STOPPED:
                raise ValidationError("The side-effect review is done at discharge: stop the "
                                      "infusion first.", field="review")
            effects = self._lists(uow).effects
            review = build_review(effects, answers, other_text=other_text)
            check_review_against_effects(review, uow.side_effects.for_session(row.id))
            previous = uow.side_effects.review(row.id)
            uow.side_effects.add_review(
                row.id, list_id=uow.side_effects.list_id(ListKind.EFFECTS, effects.version),
                answers=review, by=actor.user_id, at=self.now())
            saved = uow.side_effects.review(row.id)
            if saved is None:  # pragma: no cover - it was added just above
                raise RuntimeError("the review was not stored")
            self.audit(uow, actor, "side_effect.reviewed", entity_type="session",
                       entity_id=row.id,
                       old=None if previous is None else _review_values(previous),
                       new=_review_values(saved))
            return saved

    def review(self, actor: Actor, session_id: int) -> DischargeReview | None:
        """The session's current discharge side-effect review, or None if not yet recorded."""
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            uow.sessions.lock(session_id)
            return uow.side_effects.review(session_id)

    # ================================================================== between sessions
    def add_follow_up(self, actor: Actor, patient_id: int, draft: FollowUpDraft) -> FollowUp:
        """A follow-up entry on the patient (urinary symptoms, persistent psychiatric effects,
        liver test results, other). Follow-ups are never edited: a correction is a new entry.
        ``effect_id`` may name an earlier effect of this patient and ``effect_outcome`` its
        outcome as now known (the signed session record is not changed)."""
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            patient = uow.patients.get(patient_id)
            checked = check_follow_up(draft, today=self.now().astimezone().date())
            if checked.effect_id is not None:
                effect = next((e for e in uow.side_effects.for_patient(patient.id)
                               if e.id == checked.effect_id), None)
                if effect is None:
                    raise ValidationError(f"That side effect is not one of "
                                          f"{patient.display_name}'s. Choose one from their "
                                          "history.", field="effect_id")
                if checked.observed_on < effect.onset_at.astimezone().date():
                    raise ValidationError("The follow-up date is before the effect began. "
                                          "Check the date.", field="observed_on")
            follow_up_id = uow.side_effects.add_follow_up(patient.id, checked,
                                                          by=actor.user_id, at=self.now())
            saved = next(f for f in uow.side_effects.follow_ups(patient.id)
                         if f.id == follow_up_id)
            self.audit(uow, actor, "side_effect.follow_up", entity_type="patient",
                       entity_id=patient.id, new=_follow_up_values(saved))
            return saved

    def follow_ups(self, actor: Actor, patient_id: int) -> tuple[FollowUp, ...]:
        """The patient's follow-ups, oldest first."""
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            uow.patients.get(patient_id)
            return tuple(uow.side_effects.follow_ups(patient_id))

    def follow_up_prompts(self, actor: Actor, patient_id: int) -> tuple[FollowUpPrompt, ...]:
        """What the clinic should ask or arrange for this patient now, given their cumulative
        exposure (urinary symptoms, liver tests) and effects left open at earlier sessions.
        The thresholds are the clinic defaults in ``console.domain.side_effects``."""
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            uow.patients.get(patient_id)
            now = self.now()
            dates = []
            total = Decimal(0)
            unfinished = set()
            for row in uow.sessions.for_patient(patient_id):
                if row.cancelled_reason is not None:
                    continue
                if row.signature_id is None:
                    unfinished.add(row.id)  # still in progress: not yet behind the patient
                    continue
                events = uow.sessions.events(row.id)
                if not any(e.kind is EventKind.START for e in events):
                    continue
                concentration = Decimal(json.loads(row.program)["concentration_mg_per_ml"]) \
                    if row.program else Decimal(0)
                total += progress(events, concentration, now).delivered_mg
                dates.append(row.checked_in_at.astimezone().date())
            return follow_up_prompts(
                Exposure(tuple(dates), total), uow.side_effects.follow_ups(patient_id),
                uow.side_effects.for_patient(patient_id), today=now.astimezone().date(),
                open_session_ids=frozenset(unfinished))

    # ================================================================== internals
    def _lists(self, uow: UnitOfWork) -> SideEffectLists:
        """The current lists, storing the shipped defaults as version 1 where none exists."""
        repository = uow.side_effects
        effects, rescue = repository.effect_list(), repository.rescue_list()
        if effects is None:
            effects = repository.add_effect_list(DEFAULT_EFFECT_TERMS, version=1, at=self.now(),
                                                 by=None, reason=SHIPPED_DEFAULTS_NOTE)
            self.audit(uow, None, "side_effect.list_installed", entity_type="side_effect_list",
                       entity_id=ListKind.EFFECTS.value,
                       new={"version": 1, "items": terms_to_json(effects.items)},
                       reason=SHIPPED_DEFAULTS_NOTE)
        if rescue is None:
            rescue = repository.add_rescue_list(DEFAULT_RESCUE_MEDICATIONS, version=1,
                                                at=self.now(), by=None,
                                                reason=SHIPPED_DEFAULTS_NOTE)
            self.audit(uow, None, "side_effect.list_installed", entity_type="side_effect_list",
                       entity_id=ListKind.RESCUE.value,
                       new={"version": 1, "items": medications_to_json(rescue.items)},
                       reason=SHIPPED_DEFAULTS_NOTE)
        return SideEffectLists(effects, rescue)

    def _next_list_version[I: (EffectTerm, RescueMedication)](
            self, uow: UnitOfWork, actor: Actor, current: ClinicList[I], items: tuple[I, ...],
            why: str, add: Callable[..., ClinicList[I]],
            to_json: Callable[[Sequence[I]], list[dict[str, Any]]]) -> ClinicList[I]:
        """Store ``items`` (through ``add``) as the version after ``current``, audited with
        the old and new items; refused when they are the items of ``current``."""
        if items == current.items:
            raise ValidationError(f"Nothing changed: this is version {current.version} as "
                                  "it stands.", field="items")
        saved = add(items, version=current.version + 1, at=self.now(), by=actor.user_id,
                    reason=why)
        self.audit(uow, actor, "side_effect.list_changed", entity_type="side_effect_list",
                   entity_id=current.kind.value,
                   old={"version": current.version, "items": to_json(current.items)},
                   new={"version": saved.version, "items": to_json(saved.items)},
                   reason=why)
        return saved

    def _editable(self, uow: UnitOfWork, session_id: int) -> InfusionSessionRow:
        """The session row, locked for this unit of work; refused once signed or cancelled."""
        row = uow.sessions.lock(session_id)
        if row.signature_id is not None:
            raise ConflictError(LOCKED_MESSAGE)
        if row.cancelled_reason is not None:
            raise ConflictError(CANCELLED_MESSAGE)
        return row

    def _check_link(self, uow: UnitOfWork, row: InfusionSessionRow, action: InfusionAction,
                    event_id: int | None, onset: datetime) -> None:
        events = uow.side_effects.events_with_ids(row.id)
        event: InfusionEvent | None = None
        rate_before: Decimal | None = None
        if event_id is not None:
            index = next((i for i, (eid, _) in enumerate(events) if eid == event_id), None)
            if index is None:
                raise ValidationError("That infusion entry is not part of this session. Choose "
                                      "one from this session's timeline.",
                                      field="linked_event_id")
            event, rate_before = events[index][1], _rate_before(events, index)
        state = state_after([e for _, e in events if e.at <= onset])
        check_action(action, event=event, rate_before=rate_before, onset_at=onset,
                     state_at_onset=state)

    def _treat(self, uow: UnitOfWork, actor: Actor, row: InfusionSessionRow,
               effect: SideEffect, rescue: RescueList, draft: TreatmentDraft) -> None:
        now = self.now()
        medication, dose, route, given_at, given_by = _check_treatment(
            actor, rescue, draft,
            doses_already_given=uow.side_effects.doses_given(row.id, draft.medication_code),
            onset_at=effect.onset_at, now=now)
        treatment_id = uow.side_effects.add_treatment(
            effect.id, list_id=uow.side_effects.list_id(ListKind.RESCUE, rescue.version),
            medication=medication, dose=dose, route=route, given_at=given_at,
            given_by=given_by, by=actor.user_id, at=now)
        self.audit(uow, actor, "side_effect.treated", entity_type="side_effect",
                   entity_id=effect.id,
                   new={"treatment_id": treatment_id, "session_id": row.id,
                        "medication_code": medication.code, "medication": medication.name,
                        "rescue_list_version": rescue.version, "dose": _dec(dose),
                        "unit": medication.unit.value, "route": route.value,
                        "given_at": given_at, "given_by": given_by})


@dataclass(frozen=True, slots=True)
class _CheckedEntry:
    """What :func:`_check_entry` makes of a draft: the normalised values :meth:`log` stores."""

    term: EffectTerm
    other_text: str
    grade: Grade
    relationship: Relationship
    action: InfusionAction
    onset_at: datetime
    outcome: Outcome | None
    notes: str


def _check_entry(draft: SideEffectDraft, lists: SideEffectLists, *, session_began: datetime,
                 now: datetime) -> _CheckedEntry:
    """Every check of a new log entry that needs no database but the session's check-in time
    (its link to an infusion entry and its treatments are checked apart)."""
    term = lists.effects.find(draft.term_code)
    if term is None:
        raise ValidationError(
            f"'{draft.term_code}' is not on the clinic's side-effect list (version "
            f"{lists.effects.version}). Choose an effect from the list, or 'other' and "
            "describe it.", field="term_code")
    other_text = check_other_text(term.code, draft.other_text)
    grade = as_grade(draft.grade)
    relationship = _choice(Relationship, draft.relationship, field="relationship",
                           what="the relationship to ketamine")
    action = _choice(InfusionAction, draft.action, field="action",
                     what="the action taken with the infusion")
    check_grade_and_serious(grade, draft.serious)
    onset = check_onset(draft.onset_at or now, session_began=session_began, now=now)
    outcome = None if draft.outcome is None else _choice(
        Outcome, draft.outcome, field="outcome", what="the outcome")
    check_outcome_for_grade(outcome, grade)
    check_resolution(outcome, draft.resolved_at, onset_at=onset, now=now)
    return _CheckedEntry(term, other_text, grade, relationship, action, onset, outcome,
                         check_notes(draft.notes))


def _check_treatment(actor: Actor, rescue: RescueList, draft: TreatmentDraft, *,
                     doses_already_given: int, onset_at: datetime, now: datetime,
                     ) -> tuple[RescueMedication, Decimal, AdministrationRoute, datetime, str]:
    """A rescue dose checked against the clinic's list and the effect's onset: the
    medication, dose, route, time given and who gave it (the recorder when left empty)."""
    medication = rescue.find(draft.medication_code)
    if medication is None:
        raise ValidationError(
            f"'{draft.medication_code}' is not on the clinic's rescue-medication list "
            f"(version {rescue.version}). Choose a medication from the list; anything else "
            "needs the clinician's order.", field="medication_code")
    dose = parse_dose(draft.dose, medication)
    route = check_dose(medication, dose, draft.route, doses_already_given=doses_already_given)
    given_at = check_treatment_time(draft.given_at or now, onset_at=onset_at, now=now)
    given_by = " ".join(draft.given_by.split()) or actor.full_name
    if not 3 <= len(given_by) <= 100:
        raise ValidationError("Give the name of the person who gave the dose.",
                              field="given_by")
    return medication, dose, route, given_at, given_by


def _rate_before(events: Sequence[tuple[int, InfusionEvent]], index: int) -> Decimal | None:
    for _, event in reversed(events[:index]):
        if event.rate_ml_per_h is not None:
            return event.rate_ml_per_h
    return None


def _review_values(review: DischargeReview) -> dict[str, Any]:
    return {"session_id": review.session_id, "effect_list_version": review.effect_list_version,
            "answers": {a.term_code: None if a.grade is None else int(a.grade)
                        for a in review.answers},
            "other_text": next((a.detail for a in review.answers if a.detail), "")}


def _follow_up_values(follow_up: FollowUp) -> dict[str, Any]:
    liver = follow_up.liver
    return {"follow_up_id": follow_up.id, "kind": follow_up.kind.value,
            "observed_on": follow_up.observed_on.isoformat(), "text": follow_up.text,
            "liver": None if liver is None else
            {**{k: _dec(v) for k, v in liver.values().items()},
             "bilirubin_unit": liver.bilirubin_unit.value},
            "effect_id": follow_up.effect_id,
            "effect_outcome": None if follow_up.effect_outcome is None
            else follow_up.effect_outcome.value}
