"""The nurse's infusion session, from check-in to a signed, locked record.

Every rule — roles, the double check, limits, gates, locks, signatures — is enforced here, so
no screen, script or second PC can skip it. Every change writes its audit record in the same
transaction, and is committed before the screen shows it as saved.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from console.domain.bedside import (
    BASELINE_WINDOW,
    CheckStatus,
    DischargeChecklist,
    DoubleCheckEntry,
    Frequency,
    Preparation,
    PreStartCheck,
    Readiness,
    blood_pressure_gate,
    check_preparation,
    compare_weight,
    double_check_mismatches,
    frequency_check,
    measured_today,
    rounded_mg,
)
from console.domain.clock import Clock
from console.domain.dosing import calculate, check_weight
from console.domain.drugs import VIAL_STRENGTHS_MG_PER_ML, DosingForm
from console.domain.identity import Actor, Role
from console.domain.infusion import (
    EventKind,
    InfusionEvent,
    PumpState,
    StopKind,
    check_next_event,
    progress,
    time_to_limit,
)
from console.domain.limits import LimitParameter
from console.domain.patients import Answer, Contraindication
from console.domain.protocols import ProtocolStatus
from console.domain.side_effects import DischargeReview, SideEffect
from console.domain.signatures import SignatureMeaning, content_hash
from console.domain.units import (
    STEP_PER_KG,
    Unit,
    format_quantity,
    parse_quantity,
    pounds_to_kg,
    round_to,
)
from console.domain.vitals import VitalSign, VitalSource, VitalValues
from console.errors import (
    ConflictError,
    LimitExceeded,
    PermissionDenied,
    ReasonRequired,
    ValidationError,
)
from console.services.auth import AuthService
from console.services.base import Service, required_reason
from console.services.monitoring import (
    MonitoringService,
    editable_session,
    observation_due,
)
from console.services.session_records import (
    PumpProgram,
    SessionRecord,
    SessionStage,
    SessionSummary,
)
from console.services.side_effects import side_effect_signing_problems
from console.services.signing import add_signature, confirm_signer
from console.storage.rows import (
    InfusionSessionRow,
)
from console.storage.unit_of_work import Database, UnitOfWork

BEDSIDE = (Role.NURSE, Role.CLINICIAN)
EVERYONE = tuple(Role)
GAP_AFTER = timedelta(minutes=2)
WARN_BEFORE_TOTAL = timedelta(minutes=30)


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


class SessionService(Service):
    def __init__(self, *, database: Database, clock: Clock, auth: AuthService,
                 monitoring: MonitoringService) -> None:
        super().__init__(database=database, clock=clock)
        self._auth = auth
        self._monitoring = monitoring

    # ================================================================== reading
    def today(self, actor: Actor) -> list[SessionSummary]:
        """Checked in today, running, or waiting for discharge or signature (any day)."""
        local_midnight = self.now().astimezone().replace(hour=0, minute=0, second=0,
                                                         microsecond=0)
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            records = [self._record(uow, row)
                       for row in uow.sessions.today_or_open(local_midnight)]
        return [SessionSummary(
            id=r.id, patient=r.patient, stage=r.stage, checked_in_at=r.checked_in_at,
            rate_ml_per_h=r.progress.rate_ml_per_h, delivered_mg=r.progress.delivered_mg,
            running_time=r.progress.running_time, remaining=r.remaining,
            next_observation_due=r.next_observation_due) for r in records]

    def get(self, actor: Actor, session_id: int) -> SessionRecord:
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            return self._record(uow, self._row(uow, session_id))

    def heartbeat(self, actor: Actor, session_id: int) -> None:
        """The open session screen says it is alive. A silence during the infusion (the console
        or PC was down) is written to the audit trail, so every PC sees the gap."""
        with self._db.write() as uow:
            self.authorise(uow, actor, EVERYONE)
            row = self._row(uow, session_id)
            now = self.now()
            running = self._progress(uow, row).state in {PumpState.RUNNING, PumpState.PAUSED}
            if running and row.last_seen_at is not None and now - row.last_seen_at > GAP_AFTER:
                self.audit(uow, actor, "session.gap", entity_type="session", entity_id=row.id,
                           new={"from": row.last_seen_at, "to": now},
                           reason="the console was not running during the infusion")
            row.last_seen_at = now

    # ================================================================== before the start
    def check_in(self, actor: Actor, patient_id: int) -> SessionRecord:
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            patient = uow.patients.get(patient_id)
            protocols = [p for p in uow.protocols.for_patient(patient_id)
                         if p.status is ProtocolStatus.VERIFIED]
            if not protocols:
                raise ValidationError(
                    f"{patient.display_name} has no verified protocol in force. A clinician "
                    "must write and verify one before a session.", field="protocol")
            protocol = max(protocols, key=lambda p: p.id)
            if protocol.order.form is DosingForm.FIXED_DOSE:
                raise ValidationError(
                    f"{patient.display_name}'s protocol is a fixed dose (not an infusion). "
                    "Infusion sessions run an IV pump program; record a fixed dose in the "
                    "patient's record instead.", field="protocol")
            open_session = uow.sessions.open_for_patient(patient_id)
            if open_session is not None:
                raise ConflictError(
                    f"{patient.display_name} already has an open session (checked in "
                    f"{open_session.checked_in_at.astimezone():%d %b %H:%M}). Open it from "
                    "Today, or sign or cancel it first.")
            row = uow.sessions.add(patient_id=patient_id, protocol_id=protocol.id,
                                   at=self.now(), by=actor.user_id)
            self.audit(uow, actor, "session.checked_in", entity_type="session",
                       entity_id=row.id, new={"patient_id": patient_id,
                                              "protocol_id": protocol.id})
            return self._record(uow, row)

    def record_weight(self, actor: Actor, session_id: int, reading: str | Decimal, *,
                      unit: Unit | str = Unit.KG, reason: str = "") -> SessionRecord:
        """Today's measured weight. A reading in lb is converted (shown) and stored in kg."""
        if unit not in {Unit.KG, Unit.LB}:
            raise ValidationError("Weigh in kg (or enter a reading in lb to convert).",
                                  field="weight")
        unit = Unit(unit)
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = self._editable(uow, session_id, before_start=True)
            if unit is Unit.LB:
                pounds = parse_quantity(reading, unit=Unit.LB, field="weight",
                                        label="Weight in lb")
                kilograms = pounds_to_kg(pounds)
                entered = f"{pounds} lb = {kilograms} kg"
            else:
                kilograms = parse_quantity(reading, unit=Unit.KG, field="weight",
                                           label="Weight")
                entered = f"{kilograms} kg"
            entry = uow.library.get(uow.protocols.get(row.protocol_id).library_entry_id).entry
            check_weight(kilograms, entry)
            comparison = compare_weight(kilograms, self._previous_weight(uow, row))
            warning = comparison.warning(entry.weight_change_warn_percent)
            why = " ".join(reason.split())
            if warning and len(why) < 3:
                raise ReasonRequired(warning, field="weight_reason")
            old = {"weight_kg": _dec(row.weight_kg)}
            row.weight_kg, row.weight_measured_at = kilograms, self.now()
            row.weight_entered, row.weight_reason = entered, (why or None) if warning else None
            self._invalidate_program(row)
            self.audit(uow, actor, "session.weighed", entity_type="session", entity_id=row.id,
                       old=old, new={"weight_kg": _dec(kilograms), "entered": entered,
                                     "change_percent": _dec(comparison.change_percent)},
                       reason=row.weight_reason)
            return self._record(uow, row)

    def record_preparation(self, actor: Actor, session_id: int,
                           preparation: Preparation) -> SessionRecord:
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = self._editable(uow, session_id, before_start=True)
            order = uow.protocols.get(row.protocol_id).order
            check_preparation(preparation, self.now().astimezone().date(),
                              ordered_mg_per_ml=order.concentration_mg_per_ml or Decimal(0),
                              vial_strengths=VIAL_STRENGTHS_MG_PER_ML)
            data = {**{k: str(v) for k, v in asdict(preparation).items()},
                    "concentration_mg_per_ml": str(preparation.concentration_mg_per_ml)}
            row.preparation, row.prepared_by, row.prepared_at = (
                json.dumps(data, sort_keys=True), actor.user_id, self.now())
            self._invalidate_program(row)
            self.audit(uow, actor, "session.prepared", entity_type="session", entity_id=row.id,
                       new=data)
            return self._record(uow, row)

    def program_pump(self, actor: Actor, session_id: int,
                     reasons: dict[str, str] | None = None) -> SessionRecord:
        """Derive the pump program from the protocol at today's weight and the bag prepared."""
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = self._editable(uow, session_id, before_start=True)
            if row.weight_kg is None or row.weight_measured_at is None \
                    or not measured_today(row.weight_measured_at, self.now()):
                raise ValidationError("Weigh the patient today before programming the pump.",
                                      field="weight")
            if row.preparation is None:
                raise ValidationError("Record the bag preparation first.", field="preparation")
            protocol = uow.protocols.get(row.protocol_id)
            entry = uow.library.get(protocol.library_entry_id).entry
            concentration = Decimal(json.loads(row.preparation)["concentration_mg_per_ml"])
            order = replace(protocol.order, concentration_mg_per_ml=concentration)
            plan = calculate(order, row.weight_kg, entry)
            if plan.hard_findings:
                raise LimitExceeded(" ".join(f.message for f in plan.hard_findings)
                                    + " Call the clinician: the protocol needs a new order.")
            given = {k: " ".join(v.split()) for k, v in (reasons or {}).items()}
            missing = [f for f in plan.soft_findings if len(given.get(f.parameter.value, "")) < 3]
            if missing:
                raise ReasonRequired(" ".join(f.message for f in missing),
                                     field=missing[0].parameter.value)
            program = {
                "weight_kg": str(row.weight_kg), "concentration_mg_per_ml": str(concentration),
                "rate_mg_per_kg_h": str(plan.rate_mg_per_kg_h), "mg_per_h": str(plan.mg_per_h),
                "ml_per_h": str(plan.ml_per_h), "duration_minutes": str(plan.duration_minutes),
                "volume_ml": str(plan.volume_ml), "total_mg": str(plan.total_mg),
                "soft_reasons": {f.parameter.value: given[f.parameter.value]
                                 for f in plan.soft_findings},
            }
            row.program = json.dumps(program, sort_keys=True)
            row.checked_by = row.checked_at = None
            self.audit(uow, actor, "session.programmed", entity_type="session",
                       entity_id=row.id, new=program)
            return self._record(uow, row)

    def double_check(self, session_id: int, *, checker_username: str, checker_password: str,
                     entry: DoubleCheckEntry) -> SessionRecord:
        """The second person signs in on the same screen and re-enters the figures blind."""
        checker = self._auth.sign_in(checker_username, checker_password)
        with self._db.write() as uow:
            self.authorise(uow, checker, BEDSIDE)
            row = self._editable(uow, session_id, before_start=True)
            if row.program is None:
                raise ValidationError("Program the pump before the double check.",
                                      field="program")
            if checker.user_id == row.prepared_by:
                raise PermissionDenied(
                    "The independent double check must be done by a second person, not the "
                    "one who prepared the bag.")
            program = json.loads(row.program)
            mismatches = double_check_mismatches(
                entry, weight_kg=Decimal(program["weight_kg"]),
                concentration_mg_per_ml=Decimal(program["concentration_mg_per_ml"]),
                rate_ml_per_h=Decimal(program["ml_per_h"]))
            uow.sessions.add_double_check(
                row.id, checker=checker.user_id, at=self.now(),
                entered={k: str(v) for k, v in asdict(entry).items()}, mismatches=mismatches)
            if not mismatches:
                row.checked_by, row.checked_at = checker.user_id, self.now()
            self.audit(uow, checker,
                       "session.double_checked" if not mismatches else "session.check_mismatch",
                       entity_type="session", entity_id=row.id,
                       new={"matched": not mismatches, "mismatches": mismatches})
            return self._record(uow, row)

    def record_vitals(self, actor: Actor, session_id: int, values: VitalValues, *,
                      at: datetime | None = None,
                      confirm: Collection[str] = ()) -> SessionRecord:
        """A hand-entered set (baseline, during, recovery), judged by the alarm engine once
        the infusion has started. Unusual values raise ``ConfirmationRequired``."""
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = self._editable(uow, session_id)
            self._monitoring.record_in(uow, actor, row, values, at=at, confirm=confirm)
            return self._record(uow, row)

    def correct_vitals(self, actor: Actor, session_id: int, vital_id: int,
                       values: VitalValues, *, reason: str,
                       confirm: Collection[str] = ()) -> SessionRecord:
        self._monitoring.correct_vitals(actor, session_id, vital_id, values, reason=reason,
                                        confirm=confirm)
        return self.get(actor, session_id)

    def override_check(self, actor: Actor, session_id: int, *, check: str, reason: str,
                       password: str) -> SessionRecord:
        """A clinician overrides a failed gate that allows it (the BP gate), with a reason."""
        why = required_reason(reason, what="overriding the check")
        with self._db.read() as uow:
            self.authorise(uow, actor, (Role.CLINICIAN,))
        confirm_signer(self._auth, actor, password, meaning=f"override {check}")
        with self._db.write() as uow:
            self.authorise(uow, actor, (Role.CLINICIAN,))
            row = self._editable(uow, session_id, before_start=True)
            readiness = self._readiness(uow, row)
            target = next((c for c in readiness.checks if c.key == check), None)
            if target is None or not target.clinician_override:
                raise ValidationError("This check cannot be overridden.", field="check")
            overrides = json.loads(row.check_overrides)
            overrides[check] = {"by": actor.full_name, "reason": why,
                                "at": self.now().isoformat()}
            row.check_overrides = json.dumps(overrides, sort_keys=True)
            self.audit(uow, actor, "session.check_overridden", entity_type="session",
                       entity_id=row.id, new={"check": check, "detail": target.detail},
                       reason=why)
            return self._record(uow, row)

    def cancel(self, actor: Actor, session_id: int, *, reason: str) -> SessionRecord:
        why = required_reason(reason, what="cancelling the session")
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = self._editable(uow, session_id, before_start=True)
            row.cancelled_reason = why
            self.audit(uow, actor, "session.cancelled", entity_type="session",
                       entity_id=row.id, reason=why)
            return self._record(uow, row)

    # ================================================================== the infusion
    def start(self, actor: Actor, session_id: int, *, at: datetime | None = None,
              reasons: dict[str, str] | None = None) -> SessionRecord:
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = self._editable(uow, session_id)
            state = self._progress(uow, row).state
            if state is not PumpState.NOT_STARTED:
                raise ValidationError(f"The infusion is {state.value}: it cannot be started "
                                      "again.", field="event")
            readiness = self._readiness(uow, row)
            if readiness.blocking:
                raise ValidationError("The infusion cannot start: " + " ".join(
                    f"{c.title}: {c.detail}" for c in readiness.blocking), field="checks")
            given = {k: " ".join(v.split()) for k, v in (reasons or {}).items()}
            unreasoned = [c for c in readiness.warnings if len(given.get(c.key, "")) < 3]
            if unreasoned:
                raise ReasonRequired(" ".join(f"{c.title}: {c.detail}" for c in unreasoned),
                                     field=unreasoned[0].key)
            program = json.loads(row.program or "{}")
            return self._add_event(uow, actor, row, EventKind.START, at,
                                   rate=Decimal(program["ml_per_h"]),
                                   reason="; ".join(f"{k}: {given[k]}" for k in sorted(given)
                                                    if k in {c.key for c in readiness.warnings}))

    def pause(self, actor: Actor, session_id: int, *, reason: str,
              at: datetime | None = None) -> SessionRecord:
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            return self._add_event(uow, actor, self._editable(uow, session_id),
                                   EventKind.PAUSE, at, reason=reason)

    def resume(self, actor: Actor, session_id: int, *,
               at: datetime | None = None) -> SessionRecord:
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = self._editable(uow, session_id)
            rate = self._current_rate(uow, row)
            return self._add_event(uow, actor, row, EventKind.RESUME, at, rate=rate)

    def change_rate(self, actor: Actor, session_id: int, rate_ml_per_h: str | Decimal, *,
                    reason: str = "", at: datetime | None = None,
                    clinician_username: str = "", clinician_password: str = "",
                    ) -> SessionRecord:
        """Within the titration range a nurse may change the rate; outside it a clinician
        authorises on the spot (signing in on the same screen); hard limits always refuse."""
        rate = parse_quantity(rate_ml_per_h, unit=Unit.ML_PER_H, field="rate_ml_per_h",
                              label="Pump rate")
        authoriser: Actor | None = None
        if clinician_username:
            authoriser = self._auth.sign_in(clinician_username, clinician_password)
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = self._editable(uow, session_id)
            program = json.loads(row.program or "{}")
            if not program:
                raise ValidationError("The pump was never programmed.", field="program")
            weight, concentration = Decimal(program["weight_kg"]), \
                Decimal(program["concentration_mg_per_ml"])
            per_kg = rate * concentration / weight
            protocol = uow.protocols.get(row.protocol_id)
            entry = uow.library.get(protocol.library_entry_id).entry
            hard = entry.limits.get(LimitParameter.RATE_MG_PER_KG_H)
            mg_hard = entry.limits.get(LimitParameter.RATE_MG_PER_H)
            if (hard and hard.hard_max is not None and per_kg > hard.hard_max) or \
                    (mg_hard and mg_hard.hard_max is not None
                     and rate * concentration > mg_hard.hard_max):
                raise LimitExceeded(
                    f"{format_quantity(rate, Unit.ML_PER_H)} is "
                    f"{format_quantity(round_to(per_kg, STEP_PER_KG), Unit.MG_PER_KG_H)}: "
                    "beyond the hard limit. Not allowed.")
            titration = protocol.titration
            if titration is not None and not titration.contains(per_kg):
                if authoriser is None:
                    raise PermissionDenied(field="clinician", message=
                        f"{format_quantity(round_to(per_kg, STEP_PER_KG), Unit.MG_PER_KG_H)}"
                        f" is outside the protocol's titration range "
                        f"({titration.min_mg_per_kg_h}–{titration.max_mg_per_kg_h} mg/kg/h): a "
                        "clinician must authorise it by signing in here.")
                self.authorise(uow, authoriser, (Role.CLINICIAN,))
                if len(" ".join(reason.split())) < 3:
                    raise ReasonRequired("Give the reason for going outside the titration "
                                         "range.", field="reason")
            return self._add_event(uow, actor, row, EventKind.RATE_CHANGE, at, rate=rate,
                                   reason=reason, authorised_by=authoriser)

    def bolus(self, actor: Actor, session_id: int, mg: str | Decimal, *,
              at: datetime | None = None) -> SessionRecord:
        dose = parse_quantity(mg, unit=Unit.MG, field="bolus_mg", label="Bolus")
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = self._editable(uow, session_id)
            protocol = uow.protocols.get(row.protocol_id)
            if protocol.order.bolus_mg_per_kg is None:
                raise ValidationError("This protocol does not order a bolus.", field="bolus_mg")
            weight = Decimal(json.loads(row.program or "{}").get("weight_kg", "0"))
            # rounded as the dose plan rounds it (half up to 0.1 mg): the figure shown
            ordered = rounded_mg(protocol.order.bolus_mg_per_kg * weight)
            if dose > ordered:
                raise LimitExceeded(f"The ordered bolus is {format_quantity(ordered, Unit.MG)}; "
                                    f"{format_quantity(dose, Unit.MG)} is more. Not allowed.")
            return self._add_event(uow, actor, row, EventKind.BOLUS, at, bolus=dose)

    def stop(self, actor: Actor, session_id: int, *, completed: bool, reason: str = "",
             at: datetime | None = None) -> SessionRecord:
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            return self._add_event(
                uow, actor, self._editable(uow, session_id), EventKind.STOP, at, reason=reason,
                stop_kind=StopKind.COMPLETED if completed else StopKind.EARLY)

    # ================================================================== after the stop
    def discharge(self, actor: Actor, session_id: int,
                  checklist: DischargeChecklist) -> SessionRecord:
        problems = checklist.problems()
        if problems:
            raise ValidationError("Not ready for discharge: " + "; ".join(problems) + ".",
                                  field="discharge")
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = self._editable(uow, session_id)
            if self._progress(uow, row).state is not PumpState.STOPPED:
                raise ValidationError("Stop the infusion before discharge.", field="discharge")
            self._monitoring.close_alarms(uow, actor, row)
            data = asdict(checklist)
            row.discharge, row.discharged_at = json.dumps(data, sort_keys=True), self.now()
            self.audit(uow, actor, "session.discharged", entity_type="session",
                       entity_id=row.id, new=data)
            return self._record(uow, row)

    def sign(self, actor: Actor, session_id: int, *, password: str) -> SessionRecord:
        """Sign the completed record; it is locked from then on (corrections are addenda)."""
        with self._db.read() as uow:
            self.authorise(uow, actor, BEDSIDE)
            self._ready_to_sign(uow, self._row(uow, session_id))
        confirm_signer(self._auth, actor, password, meaning="sign session record")
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = self._row(uow, session_id)
            self._ready_to_sign(uow, row)
            signature = add_signature(self, uow, actor, SignatureMeaning.ADMINISTERED,
                                      record_type="session", record_id=row.id,
                                      content=self._content(uow, row))
            row.signature_id = signature.id
            self.audit(uow, actor, "session.signed", entity_type="session", entity_id=row.id)
            return self._record(uow, row)

    def signature_intact(self, actor: Actor, session_id: int) -> bool:
        """Whether the signed record still reads exactly as it was signed: its content hash
        is computed again from what is stored now (events, observations, alarms, side
        effects, review). False means someone changed the database behind the console."""
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            row = self._row(uow, session_id)
            if row.signature_id is None:
                raise ValidationError("This record is not signed yet.", field="signature")
            signature = uow.signatures.get(row.signature_id)
            return content_hash(self._content(uow, row)) == signature.content_hash

    def _content(self, uow: UnitOfWork, row: InfusionSessionRow) -> dict[str, Any]:
        record = self._record(uow, row)
        every_set = uow.sessions.vitals(row.id)
        return {**self._signed_content(replace(record, vitals=tuple(every_set))),
                **_side_effect_content(uow.side_effects.for_session(row.id),
                                       uow.side_effects.review(row.id))}

    def add_addendum(self, actor: Actor, session_id: int, *, text: str, reason: str,
                     password: str) -> SessionRecord:
        body = text.strip()
        if len(body) < 3:
            raise ValidationError("Write the correction or note.", field="text")
        why = required_reason(reason, what="the addendum")
        with self._db.read() as uow:
            self.authorise(uow, actor, BEDSIDE)
            if self._row(uow, session_id).signature_id is None:
                raise ConflictError("The record is not signed yet: correct it directly.")
        confirm_signer(self._auth, actor, password, meaning="addendum")
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = self._row(uow, session_id)
            addendum = uow.sessions.add_addendum(row.id, text=body, reason=why,
                                                 by=actor.user_id, at=self.now())
            signature = add_signature(self, uow, actor, SignatureMeaning.ENTERED,
                                      record_type="addendum", record_id=addendum.id,
                                      content={"session_id": row.id, "text": body,
                                               "reason": why})
            addendum.signature_id = signature.id
            self.audit(uow, actor, "session.addendum", entity_type="session",
                       entity_id=row.id, new={"text": body}, reason=why)
            return self._record(uow, row)

    # ================================================================== internals
    def _row(self, uow: UnitOfWork, session_id: int) -> InfusionSessionRow:
        return uow.sessions.lock(session_id)

    def _editable(self, uow: UnitOfWork, session_id: int, *,
                  before_start: bool = False) -> InfusionSessionRow:
        row = editable_session(uow, session_id)
        if before_start and self._progress(uow, row).state is not PumpState.NOT_STARTED:
            raise ConflictError("The infusion has started: weight, bag and program can no "
                                "longer change. Record what happens as events.")
        return row

    @staticmethod
    def _invalidate_program(row: InfusionSessionRow) -> None:
        """A new weight or bag means a new program and a new double check."""
        row.program = None
        row.checked_by = row.checked_at = None

    def _previous_weight(self, uow: UnitOfWork, row: InfusionSessionRow) -> Decimal | None:
        return uow.sessions.previous_weight(row.patient_id, excluding=row.id)

    def _events(self, uow: UnitOfWork, row: InfusionSessionRow) -> list[InfusionEvent]:
        return uow.sessions.events(row.id)

    def _concentration(self, row: InfusionSessionRow) -> Decimal:
        if row.program:
            return Decimal(json.loads(row.program)["concentration_mg_per_ml"])
        return Decimal(0)

    def _progress(self, uow: UnitOfWork, row: InfusionSessionRow) -> Any:
        return progress(self._events(uow, row), self._concentration(row), self.now())

    def _current_rate(self, uow: UnitOfWork, row: InfusionSessionRow) -> Decimal:
        rate = Decimal(0)
        for event in self._events(uow, row):
            if event.rate_ml_per_h is not None:
                rate = event.rate_ml_per_h
        return rate

    def _add_event(self, uow: UnitOfWork, actor: Actor, row: InfusionSessionRow,
                   kind: EventKind, at: datetime | None, *, rate: Decimal | None = None,
                   bolus: Decimal | None = None, reason: str = "",
                   stop_kind: StopKind | None = None,
                   authorised_by: Actor | None = None) -> SessionRecord:
        now = self.now()
        event = InfusionEvent(kind=kind, at=at or now, entered_at=now, by_name=actor.full_name,
                              rate_ml_per_h=rate, bolus_mg=bolus, reason=" ".join(reason.split()),
                              stop_kind=stop_kind)
        check_next_event(self._events(uow, row), event, not_before=row.checked_in_at, now=now)
        uow.sessions.add_event(row.id, event, by=actor.user_id,
                               authorised_by=None if authorised_by is None
                               else authorised_by.user_id)
        row.last_seen_at = now
        self.audit(uow, actor, f"session.{kind.value}", entity_type="session", entity_id=row.id,
                   new={"at": event.at, "rate_ml_per_h": _dec(rate), "bolus_mg": _dec(bolus),
                        "late_entry": event.late_entry, "stop_kind": _dec(None) if stop_kind
                        is None else stop_kind.value,
                        "authorised_by": None if authorised_by is None
                        else authorised_by.full_name},
                   reason=event.reason or None)
        uow.session.flush()
        return self._record(uow, row)

    def _vitals(self, uow: UnitOfWork, row: InfusionSessionRow) -> list[VitalSign]:
        """The hand-entered sets: monitor sets (thousands in a long session) are read by the
        chart through ``MonitoringService.device_sets``, not with every re-read."""
        return uow.sessions.vitals(row.id, source=VitalSource.MANUAL)

    def _frequency(self, uow: UnitOfWork, row: InfusionSessionRow) -> Frequency:
        protocol = uow.protocols.get(row.protocol_id)
        lineage = {p.id for p in uow.protocols.for_patient(row.patient_id)
                   if p.lineage_id == protocol.lineage_id}
        now = self.now()
        today = now.astimezone().date()
        done = uow.sessions.started_elsewhere(row.patient_id, excluding=row.id)
        return Frequency(
            today=sum(1 for at, _ in done if at.astimezone().date() == today),
            last_7_days=sum(1 for at, _ in done if now - at < timedelta(days=7)),
            # the course is this protocol's lineage: a new course counts from one again
            in_course=sum(1 for _, protocol_id in done if protocol_id in lineage),
        )

    def _exposure(self, uow: UnitOfWork, row: InfusionSessionRow) -> PreStartCheck:
        """Cumulative ketamine exposure from the recorded events of earlier sessions (shown
        before each start; repeated courses call for urinary and liver follow-up)."""
        now = self.now()
        total = recent = Decimal(0)
        sessions = 0
        for other in uow.sessions.for_patient(row.patient_id):
            if other.id == row.id or other.cancelled_reason is not None:
                continue
            delivered = progress(self._events(uow, other), self._concentration(other),
                                 now).delivered_mg
            if delivered > 0:
                sessions += 1
                total += delivered
                if now - other.checked_in_at <= timedelta(days=30):
                    recent += delivered
        if not sessions:
            detail = "First session: no earlier ketamine recorded here."
        else:
            detail = (f"{format_quantity(total, Unit.MG)} over {sessions} earlier session"
                      f"{'s' if sessions != 1 else ''}; {format_quantity(recent, Unit.MG)} in "
                      "the last 30 days. Ask about urinary symptoms at each visit of a course.")
        return PreStartCheck("exposure", "Cumulative exposure", CheckStatus.PASSED, detail)

    def _readiness(self, uow: UnitOfWork, row: InfusionSessionRow) -> Readiness:
        now = self.now()
        protocol = uow.protocols.get(row.protocol_id)
        entry = uow.library.get(protocol.library_entry_id).entry
        checks: list[PreStartCheck] = []

        def add(key: str, title: str, ok: bool, detail: str) -> None:
            checks.append(PreStartCheck(key, title, CheckStatus.PASSED if ok
                                        else CheckStatus.FAILED, detail))

        in_force = protocol.status is ProtocolStatus.VERIFIED
        add("protocol", "Verified protocol in force", in_force,
            f"Protocol v{protocol.version}: "
            + (protocol.verification.manifestation() if protocol.verification and in_force
               else f"{protocol.status.value} — a verified protocol is needed"))
        screen = uow.patients.current_screen(row.patient_id)
        missing = [i for i in Contraindication if i not in screen]
        verified_at = protocol.verification.signed_at if protocol.verification else now
        new_positive = [a.item.label for a in screen.values()
                        if a.answer is Answer.YES and a.answered_at > verified_at]
        add("screen", "Contraindication screen reviewed", not missing and not new_positive,
            "Complete; positives acknowledged at verification." if not missing
            and not new_positive else
            ("Unanswered: " + ", ".join(i.label for i in missing)) if missing else
            ("New since verification: " + ", ".join(new_positive)
             + " — the clinician must review"))
        weighed = row.weight_measured_at is not None and measured_today(row.weight_measured_at,
                                                                        now)
        add("weight", "Weight measured today", weighed,
            f"{row.weight_entered} at {row.weight_measured_at.astimezone():%H:%M}"
            if weighed and row.weight_measured_at else "Weigh the patient (kg).")
        add("preparation", "Bag prepared", row.preparation is not None,
            "Recorded." if row.preparation else "Record the vial, lot, expiry and bag.")
        add("program", "Pump program", row.program is not None,
            "Calculated from the protocol at today's weight." if row.program
            else "Program the pump after weighing and preparing.")
        add("double_check", "Independent double check", row.checked_by is not None,
            "Matched." if row.checked_by else "A second person must re-enter weight, "
            "concentration and rate.")
        vitals = self._vitals(uow, row)
        baseline = [v for v in vitals if v.values.systolic is not None
                    and now - v.at <= BASELINE_WINDOW]
        add("baseline", "Baseline vitals within 30 min", bool(baseline),
            f"At {baseline[-1].at.astimezone():%H:%M}." if baseline
            else "Record heart rate, blood pressure, SpO2 and respiratory rate.")
        gate = blood_pressure_gate(baseline[-1].values.systolic if baseline else None,
                                   baseline[-1].values.diastolic if baseline else None)
        overrides = json.loads(row.check_overrides)
        if gate.blocks and "bp_gate" in overrides:
            override = overrides["bp_gate"]
            gate = PreStartCheck(gate.key, gate.title, CheckStatus.PASSED,
                                 f"{gate.detail} Overridden by {override['by']}: "
                                 f"{override['reason']}")
        checks.append(gate)
        checks.append(self._exposure(uow, row))
        checks.append(frequency_check(self._frequency(uow, row),
                                      per_7_days=entry.sessions_per_7_days_soft,
                                      per_course=min(entry.sessions_per_course_soft,
                                                     protocol.course.sessions)))
        return Readiness(tuple(checks))

    def _record(self, uow: UnitOfWork, row: InfusionSessionRow) -> SessionRecord:
        names = uow.sessions.names()
        events = self._events(uow, row)
        concentration = self._concentration(row)
        now = self.now()
        state_progress = progress(events, concentration, now)
        program = None
        if row.program:
            p = json.loads(row.program)
            program = PumpProgram(**{k: Decimal(v) for k, v in p.items() if k != "soft_reasons"},
                                  soft_reasons=p["soft_reasons"])
        preparation = None
        if row.preparation:
            data = json.loads(row.preparation)
            preparation = Preparation(
                vial_mg_per_ml=Decimal(data["vial_mg_per_ml"]), lot=data["lot"],
                expiry=datetime.fromisoformat(data["expiry"]).date(),
                drawn_mg=Decimal(data["drawn_mg"]), diluent=data["diluent"],
                bag_volume_ml=Decimal(data["bag_volume_ml"]))
        vitals = self._vitals(uow, row)
        due = observation_due(uow, row.id, events)
        signature = None if row.signature_id is None else uow.signatures.get(row.signature_id)
        addenda = uow.sessions.addenda(row.id)
        gap = None
        if state_progress.state in {PumpState.RUNNING, PumpState.PAUSED} \
                and row.last_seen_at is not None and now - row.last_seen_at > GAP_AFTER:
            gap = (row.last_seen_at, now)
        total_warning = None
        if program is not None and state_progress.state is PumpState.RUNNING:
            protocol = uow.protocols.get(row.protocol_id)
            limits = uow.library.get(protocol.library_entry_id).entry.limits
            total_warning = _total_warning(limits, state_progress.delivered_mg,
                                           state_progress.rate_ml_per_h * concentration,
                                           program.weight_kg, now)
        stage = _stage(row, state_progress.state)
        return SessionRecord(
            id=row.id, patient=uow.patients.get(row.patient_id),
            protocol=uow.protocols.get(row.protocol_id), checked_in_at=row.checked_in_at,
            checked_in_by=names.get(row.checked_in_by, ""), weight_kg=row.weight_kg,
            weight_measured_at=row.weight_measured_at, weight_entered=row.weight_entered,
            preparation=preparation,
            prepared_by=None if row.prepared_by is None else names.get(row.prepared_by),
            program=program,
            checked_by=None if row.checked_by is None else names.get(row.checked_by),
            checked_at=row.checked_at,
            double_checks=uow.sessions.double_checks(row.id),
            events=tuple(events), vitals=tuple(vitals), progress=state_progress,
            readiness=self._readiness(uow, row) if stage is SessionStage.PREPARING
            else Readiness(), next_observation_due=due,
            discharge=None if row.discharge is None
            else DischargeChecklist(**json.loads(row.discharge)),
            discharged_at=row.discharged_at, signature=signature, addenda=addenda,
            cancelled_reason=row.cancelled_reason, gap=gap, total_warning=total_warning,
            stage=stage, alarms=uow.monitoring.book(row.id),
            artifacts=uow.monitoring.artifacts(row.id))

    @staticmethod
    def _ready_to_sign(uow: UnitOfWork, row: InfusionSessionRow) -> None:
        if row.signature_id is not None:
            raise ConflictError("This record is already signed.")
        if row.discharge is None:
            raise ValidationError("The record cannot be signed until the discharge checklist "
                                  "is complete.", field="discharge")
        # Each open effect without an outcome, an unrecorded notification, the review.
        problems = side_effect_signing_problems(uow, row.id)
        if problems:
            raise ValidationError("The record cannot be signed yet: " + " ".join(problems),
                                  field="side_effects")

    @staticmethod
    def _signed_content(record: SessionRecord) -> dict[str, Any]:
        return {
            "session_id": record.id, "patient_id": record.patient.id,
            "protocol_id": record.protocol.id, "weight_kg": _dec(record.weight_kg),
            "events": [[e.kind.value, e.at.isoformat(), _dec(e.rate_ml_per_h),
                        _dec(e.bolus_mg), e.reason] for e in record.events],
            "vitals": [[v.id, v.at.isoformat(), v.source.value, v.corrects_id,
                        v.values.as_dict()] for v in record.vitals],
            "artifacts": [[a.id, a.field, a.value] for a in record.artifacts],
            "alarms": [[a.id, a.parameter.value, a.priority.value, a.raised_at.isoformat(),
                        [[k.at.isoformat(), k.by_name, k.action.value, k.note]
                         for k in a.acknowledgements]]
                       for a in (*record.alarms.active, *record.alarms.resolved)],
            "delivered_mg": _dec(record.progress.delivered_mg),
        }


def _side_effect_content(effects: Sequence[SideEffect],
                         review: DischargeReview | None) -> dict[str, Any]:
    """The side-effect log and the discharge review, as signed with the record."""
    return {
        "side_effects": [[e.id, e.term, e.grade.value, e.serious, e.relationship.value,
                          e.action.value, e.onset_at.isoformat(),
                          None if e.outcome is None else e.outcome.value,
                          None if e.resolved_at is None else e.resolved_at.isoformat(),
                          [[t.medication_name, _dec(t.dose), t.route.value,
                            t.given_at.isoformat(), t.given_by] for t in e.treatments]]
                         for e in effects],
        "side_effect_review": None if review is None else
        [[a.term_code, None if a.grade is None else a.grade.value, a.detail]
         for a in review.answers],
    }



def _stage(row: InfusionSessionRow, state: PumpState) -> SessionStage:
    if row.cancelled_reason is not None:
        return SessionStage.CANCELLED
    if row.signature_id is not None:
        return SessionStage.SIGNED
    if row.discharge is not None:
        return SessionStage.AWAITING_SIGNATURE
    return {PumpState.NOT_STARTED: SessionStage.PREPARING, PumpState.RUNNING:
            SessionStage.RUNNING, PumpState.PAUSED: SessionStage.PAUSED,
            PumpState.STOPPED: SessionStage.RECOVERY}[state]


def _total_warning(limits: Any, delivered_mg: Decimal, mg_per_h: Decimal, weight_kg: Decimal,
                   now: datetime) -> str | None:
    """Warn before the session total limit would be crossed at the current rate, saying when."""
    bounds = []
    for parameter, scale in ((LimitParameter.SESSION_TOTAL_MG, Decimal(1)),
                             (LimitParameter.SESSION_TOTAL_MG_PER_KG, weight_kg)):
        limit = limits.get(parameter)
        for severity, value in (("soft", limit and limit.soft_max),
                                ("hard", limit and limit.hard_max)):
            if value is not None:
                bounds.append((value * scale, severity))
    for limit_mg, severity in sorted(bounds):
        remaining = time_to_limit(delivered_mg, mg_per_h, limit_mg)
        if remaining is not None and remaining <= WARN_BEFORE_TOTAL:
            when = (now + remaining).astimezone()
            return (f"At the current rate the session total reaches the {severity} limit of "
                    f"{format_quantity(rounded_mg(limit_mg), Unit.MG)} at "
                    f"{when:%H:%M} (in {int(remaining.total_seconds() // 60)} min).")
    return None
