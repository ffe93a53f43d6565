"""The side-effect log: versioned clinic lists, logged effects with their treatments, the
discharge review and follow-ups between sessions. Everything comes back as domain objects."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.domain.infusion import EventKind, InfusionEvent, StopKind
from console.domain.side_effects import (
    AdministrationRoute,
    BilirubinUnit,
    DischargeReview,
    EffectList,
    EffectTerm,
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
    RescueList,
    RescueMedication,
    ReviewAnswer,
    SideEffect,
    Treatment,
)
from console.domain.units import Unit
from console.errors import ConflictError, NotFound
from console.storage.rows import (
    FollowUpRow,
    InfusionEventRow,
    InfusionSessionRow,
    SideEffectListRow,
    SideEffectReviewRow,
    SideEffectRow,
    SideEffectTreatmentRow,
    UserRow,
)


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def terms_to_json(items: Sequence[EffectTerm]) -> list[dict[str, Any]]:
    return [{"code": t.code, "label": t.label} for t in items]


def medications_to_json(items: Sequence[RescueMedication]) -> list[dict[str, Any]]:
    return [{"code": m.code, "name": m.name, "unit": m.unit.value,
             "routes": [r.value for r in m.routes], "min_dose": _dec(m.min_dose),
             "max_dose": _dec(m.max_dose), "max_doses_per_session": m.max_doses_per_session}
            for m in items]


def _terms(text: str) -> tuple[EffectTerm, ...]:
    return tuple(EffectTerm(i["code"], i["label"]) for i in json.loads(text))


def _medications(text: str) -> tuple[RescueMedication, ...]:
    return tuple(RescueMedication(
        code=i["code"], name=i["name"], unit=Unit(i["unit"]),
        routes=tuple(AdministrationRoute(r) for r in i["routes"]),
        min_dose=Decimal(i["min_dose"]), max_dose=Decimal(i["max_dose"]),
        max_doses_per_session=i["max_doses_per_session"]) for i in json.loads(text))


class SideEffectRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # ------------------------------------------------------------------ clinic lists
    def effect_list(self, version: int | None = None) -> EffectList | None:
        """The given version of the effect list, or the newest; None if none is stored."""
        row = self._list_row(ListKind.EFFECTS, version)
        return None if row is None else self._effect_list(row)

    def rescue_list(self, version: int | None = None) -> RescueList | None:
        row = self._list_row(ListKind.RESCUE, version)
        return None if row is None else self._rescue_list(row)

    def effect_lists(self) -> list[EffectList]:
        """Every version, newest first."""
        return [self._effect_list(r) for r in self._list_rows(ListKind.EFFECTS)]

    def rescue_lists(self) -> list[RescueList]:
        return [self._rescue_list(r) for r in self._list_rows(ListKind.RESCUE)]

    def list_id(self, kind: ListKind, version: int) -> int:
        row = self._list_row(kind, version)
        if row is None:
            raise NotFound(f"Version {version} of the {kind.label} does not exist.")
        return row.id

    def add_effect_list(self, items: Sequence[EffectTerm], *, version: int, at: datetime,
                        by: int | None, reason: str) -> EffectList:
        return self._effect_list(self._add_list(ListKind.EFFECTS, terms_to_json(items),
                                                version=version, at=at, by=by, reason=reason))

    def add_rescue_list(self, items: Sequence[RescueMedication], *, version: int,
                        at: datetime, by: int | None, reason: str) -> RescueList:
        return self._rescue_list(self._add_list(ListKind.RESCUE, medications_to_json(items),
                                                version=version, at=at, by=by, reason=reason))

    def _add_list(self, kind: ListKind, items: list[dict[str, Any]], *, version: int,
                  at: datetime, by: int | None, reason: str) -> SideEffectListRow:
        row = SideEffectListRow(kind=kind.value, version=version,
                                items=json.dumps(items, sort_keys=True), changed_at=at,
                                changed_by=by, reason=reason)
        self._session.add(row)
        try:
            self._session.flush()
        except IntegrityError as error:
            raise ConflictError(
                f"Someone else saved a new version of the {kind.label} at the same moment. "
                "Reload the list and make the change again.") from error
        return row

    def _list_row(self, kind: ListKind, version: int | None) -> SideEffectListRow | None:
        statement = select(SideEffectListRow).where(SideEffectListRow.kind == kind.value)
        if version is not None:
            statement = statement.where(SideEffectListRow.version == version)
        return self._session.scalar(statement.order_by(SideEffectListRow.version.desc())
                                    .limit(1))

    def _list_rows(self, kind: ListKind) -> Sequence[SideEffectListRow]:
        return self._session.scalars(
            select(SideEffectListRow).where(SideEffectListRow.kind == kind.value)
            .order_by(SideEffectListRow.version.desc())).all()

    def _effect_list(self, row: SideEffectListRow) -> EffectList:
        return EffectList(ListKind.EFFECTS, row.version, _terms(row.items),
                          self._name(row.changed_by), row.changed_at, row.reason)

    def _rescue_list(self, row: SideEffectListRow) -> RescueList:
        return RescueList(ListKind.RESCUE, row.version, _medications(row.items),
                          self._name(row.changed_by), row.changed_at, row.reason)

    # ------------------------------------------------------------------ logged effects
    def add_effect(self, *, session_id: int, list_id: int, term: EffectTerm, other_text: str,
                   onset_at: datetime, grade: Grade, serious: bool,
                   relationship: Relationship, action: InfusionAction,
                   linked_event_id: int | None, outcome: Outcome | None,
                   resolved_at: datetime | None, notes: str, by: int,
                   at: datetime) -> int:
        row = SideEffectRow(
            session_id=session_id, list_id=list_id, term_code=term.code, term_label=term.label,
            other_text=other_text, onset_at=onset_at, grade=int(grade), serious=serious,
            relationship=relationship.value, action=action.value,
            linked_event_id=linked_event_id,
            outcome=None if outcome is None else outcome.value, resolved_at=resolved_at,
            outcome_note="", notes=notes, recorded_by=by, recorded_at=at)
        self._session.add(row)
        self._session.flush()
        return row.id

    def get(self, effect_id: int) -> SideEffect:
        return self._to_effects([self._effect_row(effect_id)])[0]

    def for_session(self, session_id: int) -> list[SideEffect]:
        """The session's effects in order of onset."""
        return self._to_effects(self._session.scalars(
            select(SideEffectRow).where(SideEffectRow.session_id == session_id)
            .order_by(SideEffectRow.onset_at, SideEffectRow.id)).all())

    def for_patient(self, patient_id: int) -> list[SideEffect]:
        """All of a patient's effects across sessions, oldest onset first."""
        return self._to_effects(self._session.scalars(
            select(SideEffectRow).join(InfusionSessionRow,
                                       InfusionSessionRow.id == SideEffectRow.session_id)
            .where(InfusionSessionRow.patient_id == patient_id)
            .order_by(SideEffectRow.onset_at, SideEffectRow.id)).all())

    def set_outcome(self, effect_id: int, *, outcome: Outcome, resolved_at: datetime | None,
                    note: str) -> None:
        row = self._effect_row(effect_id)
        row.outcome = outcome.value
        row.resolved_at = resolved_at
        row.outcome_note = note
        self._session.flush()

    def set_notification(self, effect_id: int, *, name: str, user_id: int | None,
                         at: datetime, by: int, recorded_at: datetime) -> None:
        row = self._effect_row(effect_id)
        row.notified_name, row.notified_user_id, row.notified_at = name, user_id, at
        row.notification_by, row.notification_recorded_at = by, recorded_at
        self._session.flush()

    def set_action(self, effect_id: int, *, action: InfusionAction,
                   linked_event_id: int | None) -> None:
        row = self._effect_row(effect_id)
        row.action, row.linked_event_id = action.value, linked_event_id
        self._session.flush()

    def set_assessment(self, effect_id: int, *, grade: Grade, serious: bool,
                       relationship: Relationship) -> None:
        row = self._effect_row(effect_id)
        row.grade, row.serious, row.relationship = int(grade), serious, relationship.value
        self._session.flush()

    def _effect_row(self, effect_id: int) -> SideEffectRow:
        row = self._session.get(SideEffectRow, effect_id)
        if row is None:
            raise NotFound(f"Side effect #{effect_id} does not exist. Reload the session.")
        return row

    def _to_effects(self, rows: Sequence[SideEffectRow]) -> list[SideEffect]:
        if not rows:
            return []
        names = self.names()
        versions = dict(self._session.execute(
            select(SideEffectListRow.id, SideEffectListRow.version)
            .where(SideEffectListRow.id.in_({r.list_id for r in rows}))).all())
        patients = dict(self._session.execute(
            select(InfusionSessionRow.id, InfusionSessionRow.patient_id)
            .where(InfusionSessionRow.id.in_({r.session_id for r in rows}))).all())
        treatments = self._treatments([r.id for r in rows], names)
        result = []
        for row in rows:
            notification = None
            if row.notified_at is not None and row.notified_name is not None:
                notification = Notification(
                    clinician_name=row.notified_name, clinician_user_id=row.notified_user_id,
                    at=row.notified_at, recorded_by=names.get(row.notification_by or 0, ""),
                    recorded_at=row.notification_recorded_at or row.notified_at)
            result.append(SideEffect(
                id=row.id, session_id=row.session_id, patient_id=patients[row.session_id],
                term_code=row.term_code, term_label=row.term_label,
                effect_list_version=versions[row.list_id], other_text=row.other_text,
                onset_at=row.onset_at, grade=Grade(row.grade), serious=row.serious,
                relationship=Relationship(row.relationship),
                action=InfusionAction(row.action), linked_event_id=row.linked_event_id,
                treatments=treatments.get(row.id, ()),
                outcome=None if row.outcome is None else Outcome(row.outcome),
                resolved_at=row.resolved_at, outcome_note=row.outcome_note, notes=row.notes,
                recorded_by=names.get(row.recorded_by, ""), recorded_at=row.recorded_at,
                notification=notification))
        return result

    # ------------------------------------------------------------------ treatments
    def add_treatment(self, effect_id: int, *, list_id: int, medication: RescueMedication,
                      dose: Decimal, route: AdministrationRoute, given_at: datetime,
                      given_by: str, by: int, at: datetime) -> int:
        row = SideEffectTreatmentRow(
            effect_id=effect_id, list_id=list_id, medication_code=medication.code,
            medication_name=medication.name, dose=dose, unit=medication.unit.value,
            route=route.value, given_at=given_at, given_by=given_by, recorded_by=by,
            recorded_at=at)
        self._session.add(row)
        self._session.flush()
        return row.id

    def doses_given(self, session_id: int, medication_code: str) -> int:
        """How many doses of a rescue medication the session has recorded, for any effect."""
        return self._session.scalar(
            select(func.count()).select_from(SideEffectTreatmentRow)
            .join(SideEffectRow, SideEffectRow.id == SideEffectTreatmentRow.effect_id)
            .where(SideEffectRow.session_id == session_id,
                   SideEffectTreatmentRow.medication_code == medication_code)) or 0

    def _treatments(self, effect_ids: list[int],
                    names: dict[int, str]) -> dict[int, tuple[Treatment, ...]]:
        rows = self._session.scalars(
            select(SideEffectTreatmentRow)
            .where(SideEffectTreatmentRow.effect_id.in_(effect_ids))
            .order_by(SideEffectTreatmentRow.given_at, SideEffectTreatmentRow.id)).all()
        versions = dict(self._session.execute(
            select(SideEffectListRow.id, SideEffectListRow.version)
            .where(SideEffectListRow.id.in_({r.list_id for r in rows}))).all()) if rows else {}
        found: dict[int, list[Treatment]] = {}
        for row in rows:
            found.setdefault(row.effect_id, []).append(Treatment(
                id=row.id, medication_code=row.medication_code,
                medication_name=row.medication_name, rescue_list_version=versions[row.list_id],
                dose=row.dose, unit=Unit(row.unit), route=AdministrationRoute(row.route),
                given_at=row.given_at, given_by=row.given_by,
                recorded_by=names.get(row.recorded_by, ""), recorded_at=row.recorded_at))
        return {k: tuple(v) for k, v in found.items()}

    # ------------------------------------------------------------------ discharge review
    def add_review(self, session_id: int, *, list_id: int, answers: Sequence[ReviewAnswer],
                   by: int, at: datetime) -> None:
        self._session.add(SideEffectReviewRow(
            session_id=session_id, list_id=list_id, recorded_by=by, recorded_at=at,
            answers=json.dumps([{"code": a.term_code, "label": a.term_label,
                                 "grade": None if a.grade is None else int(a.grade),
                                 "detail": a.detail} for a in answers])))
        self._session.flush()

    def review(self, session_id: int) -> DischargeReview | None:
        """The newest review of the session (earlier ones stay stored)."""
        row = self._session.scalar(
            select(SideEffectReviewRow).where(SideEffectReviewRow.session_id == session_id)
            .order_by(SideEffectReviewRow.id.desc()).limit(1))
        if row is None:
            return None
        version = self._session.scalar(select(SideEffectListRow.version)
                                       .where(SideEffectListRow.id == row.list_id))
        return DischargeReview(
            session_id=session_id, effect_list_version=version or 0,
            answers=tuple(ReviewAnswer(a["code"], a["label"],
                                       None if a["grade"] is None else Grade(a["grade"]),
                                       a["detail"]) for a in json.loads(row.answers)),
            recorded_by=self._name(row.recorded_by), recorded_at=row.recorded_at)

    def reviews_count(self, session_id: int) -> int:
        return self._session.scalar(
            select(func.count()).select_from(SideEffectReviewRow)
            .where(SideEffectReviewRow.session_id == session_id)) or 0

    # ------------------------------------------------------------------ follow-ups
    def add_follow_up(self, patient_id: int, draft: FollowUpDraft, *, by: int,
                      at: datetime) -> int:
        liver = draft.liver
        row = FollowUpRow(
            patient_id=patient_id, kind=FollowUpKind(draft.kind).value,
            observed_on=draft.observed_on, text=draft.text,
            alt_u_per_l=None if liver is None else liver.alt_u_per_l,
            ast_u_per_l=None if liver is None else liver.ast_u_per_l,
            alp_u_per_l=None if liver is None else liver.alp_u_per_l,
            ggt_u_per_l=None if liver is None else liver.ggt_u_per_l,
            bilirubin=None if liver is None else liver.bilirubin,
            bilirubin_unit=None if liver is None else BilirubinUnit(liver.bilirubin_unit).value,
            effect_id=draft.effect_id,
            effect_outcome=None if draft.effect_outcome is None
            else Outcome(draft.effect_outcome).value,
            recorded_by=by, recorded_at=at)
        self._session.add(row)
        self._session.flush()
        return row.id

    def follow_ups(self, patient_id: int) -> list[FollowUp]:
        """The patient's follow-ups, oldest observation first."""
        names = self.names()
        rows = self._session.scalars(
            select(FollowUpRow).where(FollowUpRow.patient_id == patient_id)
            .order_by(FollowUpRow.observed_on, FollowUpRow.id)).all()
        result = []
        for row in rows:
            liver = None
            if row.bilirubin_unit is not None:
                liver = LiverTests(alt_u_per_l=row.alt_u_per_l, ast_u_per_l=row.ast_u_per_l,
                                   alp_u_per_l=row.alp_u_per_l, ggt_u_per_l=row.ggt_u_per_l,
                                   bilirubin=row.bilirubin,
                                   bilirubin_unit=BilirubinUnit(row.bilirubin_unit))
            result.append(FollowUp(
                id=row.id, patient_id=row.patient_id, kind=FollowUpKind(row.kind),
                observed_on=row.observed_on, text=row.text, liver=liver,
                effect_id=row.effect_id,
                effect_outcome=None if row.effect_outcome is None
                else Outcome(row.effect_outcome),
                recorded_by=names.get(row.recorded_by, ""), recorded_at=row.recorded_at))
        return result

    # ------------------------------------------------------------------ infusion events
    def events_with_ids(self, session_id: int) -> list[tuple[int, InfusionEvent]]:
        """The session's infusion timeline with each event's id, in recorded order."""
        names = self.names()
        rows = self._session.scalars(
            select(InfusionEventRow).where(InfusionEventRow.session_id == session_id)
            .order_by(InfusionEventRow.at, InfusionEventRow.id)).all()
        return [(e.id, InfusionEvent(
            kind=EventKind(e.kind), at=e.at, entered_at=e.entered_at,
            by_name=names.get(e.by_id, ""), rate_ml_per_h=e.rate_ml_per_h,
            bolus_mg=e.bolus_mg, reason=e.reason,
            stop_kind=None if e.stop_kind is None else StopKind(e.stop_kind),
            authorised_by=names.get(e.authorised_by or 0, ""))) for e in rows]

    def event_session(self, event_id: int) -> int | None:
        """The session an infusion event belongs to (None if there is no such event)."""
        return self._session.scalar(select(InfusionEventRow.session_id)
                                    .where(InfusionEventRow.id == event_id))

    # ------------------------------------------------------------------ people
    def names(self) -> dict[int, str]:
        return dict(self._session.execute(select(UserRow.id, UserRow.full_name)).all())

    def _name(self, user_id: int | None) -> str:
        if user_id is None:
            return "shipped default"
        return self._session.scalar(select(UserRow.full_name).where(UserRow.id == user_id)) \
            or ""
