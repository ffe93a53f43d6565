"""Patient protocols: written by a clinician against an approved library entry, checked against
its limits as typed, and verified by a (second) clinician's electronic signature."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from console.domain.clock import Clock
from console.domain.dosing import DoseOrder, DosePlan, calculate
from console.domain.identity import Actor, Role
from console.domain.limits import LimitParameter
from console.domain.patients import Answer, Contraindication
from console.domain.protocols import (
    Course,
    LibraryStatus,
    LibraryVersion,
    PatientProtocol,
    ProtocolStatus,
    Titration,
)
from console.domain.signatures import SignatureMeaning
from console.domain.units import Unit, format_quantity
from console.errors import ConflictError, LimitExceeded, ReasonRequired, ValidationError
from console.services.auth import AuthService
from console.services.base import Service, required_reason
from console.services.settings import VERIFIER_MUST_DIFFER
from console.services.signing import add_signature, confirm_signer
from console.storage.serialization import order_to_dict
from console.storage.unit_of_work import Database, UnitOfWork

EVERYONE = tuple(Role)
CLINICIANS = (Role.CLINICIAN,)


@dataclass(frozen=True, slots=True)
class ProtocolDraft:
    """What the clinician types: the order and everything around it."""

    library_entry_id: int
    order: DoseOrder
    course: Course
    titration: Titration | None
    planning_weight_kg: Decimal
    notes: str = ""
    override_reasons: Mapping[LimitParameter, str] | None = None


def _content(protocol: PatientProtocol) -> dict[str, Any]:
    """What a verification signature covers."""
    return {
        "patient_id": protocol.patient_id, "library_entry_id": protocol.library_entry_id,
        "order": order_to_dict(protocol.order),
        "course": [protocol.course.sessions, protocol.course.sessions_per_week],
        "titration": None if protocol.titration is None else [
            str(protocol.titration.min_mg_per_kg_h), str(protocol.titration.max_mg_per_kg_h)],
        "planning_weight_kg": str(protocol.planning_weight_kg), "notes": protocol.notes,
        "override_reasons": {k.value: v for k, v in protocol.override_reasons.items()},
        "contraindication_ack": protocol.contraindication_ack,
    }


class ProtocolService(Service):
    def __init__(self, *, database: Database, clock: Clock, auth: AuthService) -> None:
        super().__init__(database=database, clock=clock)
        self._auth = auth

    # ------------------------------------------------------------------ reading
    def for_patient(self, actor: Actor, patient_id: int) -> Sequence[PatientProtocol]:
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            return uow.protocols.for_patient(patient_id)

    def in_force(self, actor: Actor, patient_id: int) -> PatientProtocol | None:
        verified = [p for p in self.for_patient(actor, patient_id)
                    if p.status is ProtocolStatus.VERIFIED]
        return max(verified, key=lambda p: p.id) if verified else None

    def preview(self, actor: Actor, draft: ProtocolDraft) -> DosePlan:
        """Every derived figure and limit finding, as the clinician types (nothing is saved)."""
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            entry = self._usable_entry(uow, draft.library_entry_id)
        return calculate(draft.order, draft.planning_weight_kg, entry.entry)

    # ------------------------------------------------------------------ writing
    def create(self, actor: Actor, patient_id: int, draft: ProtocolDraft) -> PatientProtocol:
        with self._db.write() as uow:
            self.authorise(uow, actor, CLINICIANS)
            uow.patients.get(patient_id)
            open_protocols = [p for p in uow.protocols.for_patient(patient_id)
                              if p.status in {ProtocolStatus.VERIFIED, ProtocolStatus.DRAFT}]
            if open_protocols:
                current = open_protocols[0]
                raise ConflictError(
                    f"This patient already has protocol v{current.version} "
                    f"({current.status.value}). Revise or discontinue it instead of writing a "
                    "second one, so only one protocol is ever in force.")
            reasons = self._checked(uow, draft)
            protocol = self._add(uow, actor, patient_id, draft, reasons, lineage_id=None,
                                 version=1)
            self.audit(uow, actor, "protocol.drafted", entity_type="protocol",
                       entity_id=protocol.id, new=_content(protocol))
            return protocol

    def revise(self, actor: Actor, protocol_id: int, draft: ProtocolDraft) -> PatientProtocol:
        """A new version; a verified protocol stays in force until the new one is verified."""
        with self._db.write() as uow:
            self.authorise(uow, actor, CLINICIANS)
            current = uow.protocols.get(protocol_id)
            if current.status is ProtocolStatus.DISCONTINUED:
                raise ConflictError("This protocol was discontinued; write a new one instead.")
            if current.status is ProtocolStatus.DRAFT:
                raise ConflictError("This version is still a draft: discard or verify it before "
                                    "writing another version.")
            lineage = [p for p in uow.protocols.for_patient(current.patient_id)
                       if p.lineage_id == current.lineage_id]
            drafts = [p for p in lineage if p.status is ProtocolStatus.DRAFT]
            if drafts:
                raise ConflictError(
                    f"Version {drafts[0].version} of this protocol is already a draft awaiting "
                    "verification: verify or discontinue it before writing another.")
            if current.status is ProtocolStatus.SUPERSEDED:
                raise ConflictError("A newer version of this protocol is in force: revise that "
                                    "version instead.")
            if draft.order.drug is not current.order.drug:
                raise ValidationError(
                    f"A new version cannot change the drug from {current.order.drug.label} to "
                    f"{draft.order.drug.label}: discontinue this protocol and write a new one.",
                    field="drug")
            reasons = self._checked(uow, draft)
            protocol = self._add(uow, actor, current.patient_id, draft, reasons,
                                 lineage_id=current.lineage_id,
                                 version=uow.protocols.next_version(current.lineage_id))
            self.audit(uow, actor, "protocol.revised", entity_type="protocol",
                       entity_id=protocol.id, old=_content(current), new=_content(protocol))
            return protocol

    def verify(
        self, actor: Actor, protocol_id: int, *, password: str,
        contraindication_ack: str | None = None,
    ) -> PatientProtocol:
        with self._db.read() as uow:
            self.authorise(uow, actor, CLINICIANS)
            self._verification_allowed(uow, actor, uow.protocols.get(protocol_id),
                                       contraindication_ack)
        confirm_signer(self._auth, actor, password, meaning="verify protocol")
        with self._db.write() as uow:
            self.authorise(uow, actor, CLINICIANS)
            protocol = uow.protocols.get(protocol_id)
            ack = self._verification_allowed(uow, actor, protocol, contraindication_ack)
            protocol = uow.protocols.update(protocol_id, {"contraindication_ack": ack})
            signature = add_signature(self, uow, actor, SignatureMeaning.VERIFIED,
                                      record_type="protocol", record_id=protocol_id,
                                      content=_content(protocol))
            for older in uow.protocols.for_patient(protocol.patient_id):
                if older.lineage_id == protocol.lineage_id and older.id != protocol.id \
                        and older.status is ProtocolStatus.VERIFIED:
                    uow.protocols.update(older.id, {"status": ProtocolStatus.SUPERSEDED.value})
                    self.audit(uow, actor, "protocol.superseded", entity_type="protocol",
                               entity_id=older.id, old={"status": "verified"},
                               new={"status": "superseded", "by_version": protocol.version})
            verified = uow.protocols.update(protocol_id, {
                "status": ProtocolStatus.VERIFIED.value, "verification_id": signature.id})
            self.audit(uow, actor, "protocol.verified", entity_type="protocol",
                       entity_id=protocol_id, old={"status": "draft"},
                       new={"status": "verified", "contraindication_ack": ack})
            return verified

    def discontinue(self, actor: Actor, protocol_id: int, *, reason: str) -> PatientProtocol:
        why = required_reason(reason, what="discontinuing the protocol")
        with self._db.write() as uow:
            self.authorise(uow, actor, CLINICIANS)
            current = uow.protocols.get(protocol_id)
            if current.status in {ProtocolStatus.DISCONTINUED, ProtocolStatus.SUPERSEDED}:
                raise ConflictError(f"This version is already {current.status.value}.")
            after = uow.protocols.update(protocol_id, {
                "status": ProtocolStatus.DISCONTINUED.value, "discontinued_at": self.now(),
                "discontinued_reason": why})
            self.audit(uow, actor, "protocol.discontinued", entity_type="protocol",
                       entity_id=protocol_id, old={"status": current.status.value},
                       new={"status": "discontinued"}, reason=why)
            return after

    # ------------------------------------------------------------------ rules
    def _usable_entry(self, uow: UnitOfWork, entry_id: int) -> LibraryVersion:
        entry = uow.library.get(entry_id)
        if entry.status is not LibraryStatus.APPROVED:
            raise ValidationError(
                f"Library entry '{entry.entry.name}' v{entry.version} is {entry.status.value}: "
                "only an approved entry can be used. Ask a clinician to approve it.",
                field="library_entry_id")
        return entry

    def _checked(self, uow: UnitOfWork, draft: ProtocolDraft) -> dict[LimitParameter, str]:
        """Hard findings refuse; each soft finding needs a reason; titration within limits."""
        entry = self._usable_entry(uow, draft.library_entry_id)
        plan = calculate(draft.order, draft.planning_weight_kg, entry.entry)
        if plan.hard_findings:
            raise LimitExceeded(" ".join(f.message for f in plan.hard_findings))
        given = {k: " ".join(v.split()) for k, v in (draft.override_reasons or {}).items()}
        missing = [f for f in plan.soft_findings if len(given.get(f.parameter, "")) < 3]
        if missing:
            raise ReasonRequired(
                " ".join(f.message for f in missing), field=missing[0].parameter.value)
        reasons = {f.parameter: given[f.parameter] for f in plan.soft_findings}
        if draft.titration is not None:
            self._check_titration(draft, entry, plan)
        if len(draft.notes) > 4000:
            raise ValidationError("Keep the notes under 4000 characters.", field="notes")
        return reasons

    @staticmethod
    def _check_titration(draft: ProtocolDraft, entry: LibraryVersion, plan: DosePlan) -> None:
        titration = draft.titration
        if titration is None or plan.rate_mg_per_kg_h is None:
            return
        limit = entry.entry.limits.get(LimitParameter.RATE_MG_PER_KG_H)
        if limit is not None and limit.hard_max is not None \
                and titration.max_mg_per_kg_h > limit.hard_max:
            raise LimitExceeded(
                "The titration range reaches "
                f"{format_quantity(titration.max_mg_per_kg_h, Unit.MG_PER_KG_H)}, above the hard "
                f"maximum {format_quantity(limit.hard_max, Unit.MG_PER_KG_H)}.")
        rate = draft.order.rate_mg_per_kg_h or plan.rate_mg_per_kg_h
        if not titration.contains(rate):
            raise ValidationError(
                f"The starting rate {format_quantity(rate, Unit.MG_PER_KG_H)} is outside the "
                "titration range; widen the range or change the rate.", field="titration")

    def _verification_allowed(
        self, uow: UnitOfWork, actor: Actor, protocol: PatientProtocol, ack: str | None
    ) -> str | None:
        if protocol.status is not ProtocolStatus.DRAFT:
            raise ConflictError(f"Only a draft can be verified; this version is "
                                f"{protocol.status.value}.")
        must_differ = uow.settings.get(VERIFIER_MUST_DIFFER) != "false"
        if must_differ and protocol.author_id == actor.user_id:
            raise ValidationError(
                "The clinic requires a second clinician to verify a protocol: you wrote this "
                "one. Ask a colleague to verify it.")
        self._usable_entry(uow, protocol.library_entry_id)
        screen = uow.patients.current_screen(protocol.patient_id)
        unanswered = [item.label for item in Contraindication if item not in screen]
        if unanswered:
            raise ValidationError(
                "The contraindication screen is incomplete (" + ", ".join(unanswered) + "). "
                "Record every answer before verifying.", field="contraindications")
        positives = [a.item.label for a in screen.values() if a.answer is Answer.YES]
        if positives:
            if not ack or len(ack.strip()) < 3:
                raise ReasonRequired(
                    "The screen shows: " + ", ".join(positives) + ". Acknowledge it with a "
                    "reason to verify this protocol.", field="contraindication_ack")
            return " ".join(ack.split())
        return None

    def _add(
        self, uow: UnitOfWork, actor: Actor, patient_id: int, draft: ProtocolDraft,
        reasons: dict[LimitParameter, str], *, lineage_id: int | None, version: int,
    ) -> PatientProtocol:
        return uow.protocols.add(
            patient_id=patient_id, lineage_id=lineage_id, version=version,
            library_entry_id=draft.library_entry_id, order=draft.order, course=draft.course,
            titration=draft.titration, notes=draft.notes.strip(),
            planning_weight_kg=draft.planning_weight_kg, author_id=actor.user_id,
            at=self.now(), override_reasons=reasons,
        )
