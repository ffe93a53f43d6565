"""The infusion session service on a real database (SQLite and PostgreSQL): roles, check-in,
weight, preparation, the blind double check, pre-start gates, the timeline, discharge, the
signature lock and addenda. Every refusal is checked to leave the record and the trail alone."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from console.domain.audit import AuditEntry
from console.domain.bedside import CheckStatus, DischargeChecklist, DoubleCheckEntry, Preparation
from console.domain.clock import ManualClock
from console.domain.identity import Actor
from console.domain.infusion import EventKind, PumpState
from console.domain.patients import Patient
from console.domain.signatures import SignatureMeaning
from console.domain.units import Unit
from console.domain.vitals import VitalValues
from console.errors import (
    AuthenticationFailed,
    ConflictError,
    LimitExceeded,
    PermissionDenied,
    ReasonRequired,
    UserFacingError,
    ValidationError,
)
from console.services.audit import AuditFilter
from console.services.container import Services
from console.services.protocols import ProtocolDraft
from console.services.session_records import SessionRecord, SessionStage
from console.storage.rows import (
    AddendumRow,
    AuditRow,
    DoubleCheckRow,
    InfusionEventRow,
    InfusionSessionRow,
    SignatureRow,
    VitalSignRow,
)
from console.storage.unit_of_work import Database
from tests.services.people import no_side_effects

NURSE_PW = "nurse-demo-1"
CHECKER_PW = "nurse-demo-2"
CLINICIAN_PW = "doctor-demo-1"
BAG = Preparation(Decimal(50), "LOT123", date(2027, 1, 1), Decimal(100), "Sodium chloride 0.9%",
                  Decimal(100))
MATCHING = DoubleCheckEntry(Decimal(70), Decimal(1), Decimal("24.5"))
NORMAL = VitalValues(heart_rate=72, systolic=128, diastolic=80, spo2=98, respiratory_rate=14)
READY = DischargeChecklist(10, True, True, True, True, True)
LOCKED = r"signed and locked.*addendum"
# A scale reading in pounds (Unit.LB where the units module has it, else its text "lb").
LB: Any = getattr(Unit, "LB", "lb")


@dataclass(frozen=True)
class Clinic:
    services: Services
    database: Database
    clock: ManualClock
    admin: Actor
    nurse: Actor
    checker: Actor
    clinician: Actor
    patients: list[Patient]  # the first four have a verified protocol (0.35 mg/kg/h × 4 h)
    unprotocolled: Patient

    @property
    def sessions(self) -> Any:
        return self.services.sessions

    def now(self) -> datetime:
        return self.clock.now()

    def advance(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta))

    def audit(self, action: str, session_id: int | None = None) -> list[AuditEntry]:
        """Matching audit rows for this session, oldest first."""
        rows = self.services.audit.search(self.admin, AuditFilter(
            action_prefix=action, limit=10_000,
            entity_id=None if session_id is None else str(session_id)))
        return [r for r in reversed(rows) if r.action == action]

    def ready(self, patient: int = 0, *, vitals: VitalValues = NORMAL) -> int:
        """Checked in, weighed 70 kg, bag made, pump programmed, double-checked, baseline."""
        sid: int = self.sessions.check_in(self.nurse, self.patients[patient].id).id
        self.sessions.record_weight(self.nurse, sid, "70")
        self.sessions.record_preparation(self.nurse, sid, BAG)
        self.sessions.program_pump(self.nurse, sid)
        self.double_check(sid)
        self.sessions.record_vitals(self.nurse, sid, vitals)
        return sid

    def double_check(self, sid: int, entry: DoubleCheckEntry = MATCHING,
                     who: str = "tlopez", password: str = CHECKER_PW) -> SessionRecord:
        record: SessionRecord = self.sessions.double_check(
            sid, checker_username=who, checker_password=password, entry=entry)
        return record

    def running(self, patient: int = 0) -> int:
        sid = self.ready(patient)
        self.sessions.start(self.nurse, sid)
        return sid

    def signed(self, patient: int = 0) -> int:
        sid = self.running(patient)
        self.advance(hours=4)
        self.sessions.stop(self.nurse, sid, completed=True)
        self.sessions.discharge(self.nurse, sid, READY)
        self.review(sid)
        self.sessions.sign(self.nurse, sid, password=NURSE_PW)
        return sid

    def review(self, sid: int) -> None:
        """The discharge side-effect review: nothing to report."""
        no_side_effects(self.services, self.nurse, sid)


@pytest.fixture
def clinic(services: Services, database: Database, clock: ManualClock) -> Clinic:
    return make_clinic(services, database, clock)


def make_clinic(services: Services, database: Database, clock: ManualClock) -> Clinic:
    """The seeded demonstration clinic, its staff signed in (shared with other session-area
    tests)."""
    services.demo.seed()
    nurse = services.auth.sign_in("nkim", NURSE_PW)
    everyone = services.patients.search(nurse)
    with database.read() as uow:
        with_protocol = [p for p in everyone if uow.protocols.for_patient(p.id)]
    assert len(with_protocol) == 4
    return Clinic(services=services, database=database, clock=clock,
                  admin=services.auth.sign_in("admin", "clinic-demo-1"), nurse=nurse,
                  checker=services.auth.sign_in("tlopez", CHECKER_PW),
                  clinician=services.auth.sign_in("dpatel", CLINICIAN_PW),
                  patients=with_protocol,
                  unprotocolled=next(p for p in everyone if p not in with_protocol))


def _rows(database: Database, model: Any) -> list[dict[str, Any]]:
    with database.read() as uow:
        return [{c.key: getattr(row, c.key) for c in model.__table__.columns}
                for row in uow.session.scalars(select(model)).all()]


def snapshot(database: Database) -> tuple[object, ...]:
    """Every session table and the audit trail, leaving out sign-in records (a refused call may
    still have signed a second person in, which is a real event)."""
    audit = [row for row in _rows(database, AuditRow)
             if not str(row["action"]).startswith("auth.")]
    return (audit, *(sorted(_rows(database, model), key=lambda r: r["id"])
                     for model in (InfusionSessionRow, InfusionEventRow, VitalSignRow,
                                   DoubleCheckRow, AddendumRow, SignatureRow)))


def refused(clinic: Clinic, error: type[UserFacingError], call: Callable[[], object],
            match: str = "") -> UserFacingError:
    """``call`` raises ``error`` (message matching ``match``) and changes nothing."""
    before = snapshot(clinic.database)
    with pytest.raises(error, match=match or None) as raised:
        call()
    assert snapshot(clinic.database) == before
    return raised.value


# ---------------------------------------------------------------- roles and check-in


def test_administrators_cannot_do_bedside_actions(clinic: Clinic) -> None:
    admin, s = clinic.admin, clinic.sessions
    refused(clinic, PermissionDenied, lambda: s.check_in(admin, clinic.patients[0].id))
    sid = clinic.ready()
    for action in (lambda: s.record_weight(admin, sid, "70"),
                   lambda: s.record_preparation(admin, sid, BAG),
                   lambda: s.program_pump(admin, sid),
                   lambda: s.record_vitals(admin, sid, NORMAL),
                   lambda: s.start(admin, sid),
                   lambda: s.cancel(admin, sid, reason="wrong patient")):
        refused(clinic, PermissionDenied, action)
    # an administrator cannot be the second checker either
    refused(clinic, PermissionDenied,
            lambda: clinic.double_check(sid, who="admin", password="clinic-demo-1"))
    s.start(clinic.nurse, sid)
    for action in (lambda: s.pause(admin, sid, reason="because"),
                   lambda: s.change_rate(admin, sid, "30"),
                   lambda: s.stop(admin, sid, completed=True)):
        refused(clinic, PermissionDenied, action)
    assert s.get(admin, sid).stage is SessionStage.RUNNING  # reading is allowed


@pytest.mark.parametrize("who", ["nurse", "clinician"])
def test_nurses_and_clinicians_run_sessions(clinic: Clinic, who: str) -> None:
    actor = getattr(clinic, who)
    record = clinic.sessions.check_in(actor, clinic.patients[1].id)
    assert record.stage is SessionStage.PREPARING
    assert record.checked_in_by == actor.full_name
    assert record.protocol.order.rate_mg_per_kg_h == Decimal("0.35")
    [row] = clinic.audit("session.checked_in", record.id)
    assert row.actor_name == actor.full_name
    assert row.decoded_new() == {"patient_id": clinic.patients[1].id,
                                 "protocol_id": record.protocol.id}


def test_check_in_needs_a_verified_protocol(clinic: Clinic) -> None:
    refused(clinic, ValidationError,
            lambda: clinic.sessions.check_in(clinic.nurse, clinic.unprotocolled.id),
            "no verified protocol")


def test_check_in_refuses_a_second_open_session(clinic: Clinic) -> None:
    first = clinic.sessions.check_in(clinic.nurse, clinic.patients[0].id)
    refused(clinic, ConflictError,
            lambda: clinic.sessions.check_in(clinic.clinician, clinic.patients[0].id),
            "already has an open session")
    clinic.sessions.cancel(clinic.nurse, first.id, reason="patient unwell, rebooked")
    assert clinic.sessions.get(clinic.nurse, first.id).stage is SessionStage.CANCELLED
    assert clinic.audit("session.cancelled", first.id)[0].reason == "patient unwell, rebooked"
    second = clinic.sessions.check_in(clinic.nurse, clinic.patients[0].id)
    assert second.id != first.id


# ---------------------------------------------------------------- weight


def test_a_reading_in_lb_is_converted_and_stored_in_kg(clinic: Clinic) -> None:
    sid = clinic.sessions.check_in(clinic.nurse, clinic.patients[0].id).id
    record = clinic.sessions.record_weight(clinic.nurse, sid, "154 lb", unit=LB)
    assert record.weight_kg == Decimal("69.9")
    assert record.weight_entered == "154 lb = 69.9 kg"
    assert record.weight_measured_at == clinic.now()
    [row] = clinic.audit("session.weighed", sid)
    assert row.decoded_new()["weight_kg"] == "69.9"
    assert row.decoded_new()["entered"] == "154 lb = 69.9 kg"
    plain = clinic.sessions.record_weight(clinic.nurse, sid, "154", unit=LB)
    assert plain.weight_kg == Decimal("69.9")


@pytest.mark.parametrize(("reading", "unit", "words"), [
    ("29.9", "kg", "outside 30"),
    ("250.1", "kg", "outside 30"),
    ("600 lb", LB, "outside 30"),  # 272.2 kg
    ("154 lb", "kg", "kg only"),  # lb typed where kg is expected
    ("70", "st", "Weigh in kg"),
    ("seventy", "kg", "Weight"),
    ("70 mg", LB, "reading in lb|does not fit"),  # another unit is not taken as lb
    ("70 kg", LB, "reading in lb|does not fit"),
])
def test_weights_outside_30_to_250_kg_or_not_in_kg_are_refused(clinic: Clinic, reading: str,
                                                               unit: str, words: str) -> None:
    sid = clinic.sessions.check_in(clinic.nurse, clinic.patients[0].id).id
    refused(clinic, ValidationError,
            lambda: clinic.sessions.record_weight(clinic.nurse, sid, reading, unit=unit),
            words)


def test_a_weight_change_over_10_percent_needs_a_reason(clinic: Clinic) -> None:
    first = clinic.sessions.check_in(clinic.nurse, clinic.patients[0].id).id
    clinic.sessions.record_weight(clinic.nurse, first, "70")
    clinic.sessions.cancel(clinic.nurse, first, reason="pump fault, rebooked")
    clinic.advance(days=2)
    sid = clinic.sessions.check_in(clinic.nurse, clinic.patients[0].id).id
    refused(clinic, ReasonRequired,
            lambda: clinic.sessions.record_weight(clinic.nurse, sid, "78"), r"\+11.4%")
    record = clinic.sessions.record_weight(clinic.nurse, sid, "78",
                                           reason="re-weighed: new scale, confirmed")
    assert record.weight_kg == Decimal(78)
    [row] = clinic.audit("session.weighed", sid)
    assert row.reason == "re-weighed: new scale, confirmed"
    assert row.decoded_new()["change_percent"] == "11.4"
    # 10 % exactly needs no reason
    assert clinic.sessions.record_weight(clinic.nurse, sid, "77").weight_kg == Decimal(77)
    assert clinic.audit("session.weighed", sid)[-1].reason is None


def test_a_new_weight_invalidates_the_program_and_the_double_check(clinic: Clinic) -> None:
    sid = clinic.ready()
    assert clinic.sessions.get(clinic.nurse, sid).checked_by == "Tomas Lopez, RN"
    record = clinic.sessions.record_weight(clinic.nurse, sid, "68")
    assert record.program is None
    assert record.checked_by is None
    assert record.checked_at is None
    failed = {c.key for c in record.readiness.blocking}
    assert failed == {"program", "double_check"}
    refused(clinic, ValidationError, lambda: clinic.sessions.start(clinic.nurse, sid),
            "Pump program.*Independent double check")
    # a new bag does the same
    clinic.sessions.program_pump(clinic.nurse, sid)
    assert clinic.sessions.get(clinic.nurse, sid).program.ml_per_h == Decimal("23.8")
    clinic.double_check(sid, DoubleCheckEntry(Decimal(68), Decimal(1), Decimal("23.8")))
    assert clinic.sessions.get(clinic.nurse, sid).checked_by is not None
    record = clinic.sessions.record_preparation(clinic.nurse, sid, BAG)
    assert record.program is None
    assert record.checked_by is None


def test_weight_bag_and_program_cannot_change_after_the_start(clinic: Clinic) -> None:
    sid = clinic.running()
    s, nurse = clinic.sessions, clinic.nurse
    for action in (lambda: s.record_weight(nurse, sid, "71"),
                   lambda: s.record_preparation(nurse, sid, BAG),
                   lambda: s.program_pump(nurse, sid),
                   lambda: clinic.double_check(sid),
                   lambda: s.cancel(nurse, sid, reason="changed my mind")):
        refused(clinic, ConflictError, action, "has started")


# ---------------------------------------------------------------- preparation and program


def test_preparation_and_program(clinic: Clinic) -> None:
    sid = clinic.sessions.check_in(clinic.nurse, clinic.patients[0].id).id
    refused(clinic, ValidationError, lambda: clinic.sessions.program_pump(clinic.nurse, sid),
            "Weigh the patient")
    clinic.sessions.record_weight(clinic.nurse, sid, "70")
    refused(clinic, ValidationError, lambda: clinic.sessions.program_pump(clinic.nurse, sid),
            "preparation")
    expired = Preparation(Decimal(50), "LOT123", date(2026, 11, 23), Decimal(100),
                          "Sodium chloride 0.9%", Decimal(100))
    refused(clinic, ValidationError,
            lambda: clinic.sessions.record_preparation(clinic.nurse, sid, expired), "expired")
    two_mg = Preparation(Decimal(50), "LOT123", date(2027, 1, 1), Decimal(200),
                         "Sodium chloride 0.9%", Decimal(100))
    refused(clinic, ValidationError,
            lambda: clinic.sessions.record_preparation(clinic.nurse, sid, two_mg),
            "protocol orders 1 mg/mL")
    record = clinic.sessions.record_preparation(clinic.nurse, sid, BAG)
    assert record.preparation == BAG
    assert record.prepared_by == "Nora Kim, RN"
    record = clinic.sessions.program_pump(clinic.nurse, sid)
    assert record.program is not None
    assert (record.program.ml_per_h, record.program.mg_per_h, record.program.total_mg,
            record.program.volume_ml) == (Decimal("24.5"), Decimal("24.5"), Decimal(98),
                                          Decimal(98))
    [row] = clinic.audit("session.programmed", sid)
    assert row.decoded_new()["ml_per_h"] == "24.5"
    refused(clinic, ValidationError, lambda: clinic.sessions.start(clinic.nurse, sid),
            "Independent double check")


# ---------------------------------------------------------------- double check


def test_the_double_check_must_be_a_second_person_and_must_match(clinic: Clinic) -> None:
    s = clinic.sessions
    sid = s.check_in(clinic.nurse, clinic.patients[0].id).id
    s.record_weight(clinic.nurse, sid, "70")
    s.record_preparation(clinic.nurse, sid, BAG)
    refused(clinic, ValidationError, lambda: clinic.double_check(sid), "Program the pump")
    s.program_pump(clinic.nurse, sid)
    s.record_vitals(clinic.nurse, sid, NORMAL)
    refused(clinic, PermissionDenied,
            lambda: clinic.double_check(sid, who="nkim", password=NURSE_PW), "second person")
    refused(clinic, AuthenticationFailed,
            lambda: clinic.double_check(sid, password="not-her-password"))

    record = clinic.double_check(sid, DoubleCheckEntry(Decimal(70), Decimal(1), Decimal(245)))
    [attempt] = record.double_checks
    assert not attempt.matched
    assert attempt.checker_name == "Tomas Lopez, RN"
    assert attempt.mismatches == ("pump rate: checker entered 245 mL/h, the program has "
                                  "24.5 mL/h",)
    assert record.checked_by is None
    [row] = clinic.audit("session.check_mismatch", sid)
    assert row.actor_name == "Tomas Lopez, RN"
    assert row.decoded_new()["matched"] is False
    refused(clinic, ValidationError, lambda: s.start(clinic.nurse, sid),
            "Independent double check")

    record = clinic.double_check(sid)
    assert [a.matched for a in record.double_checks] == [False, True]
    assert record.checked_by == "Tomas Lopez, RN"
    assert record.checked_at == clinic.now()
    assert clinic.audit("session.double_checked", sid)[0].decoded_new() == {
        "matched": True, "mismatches": []}
    assert s.start(clinic.nurse, sid).stage is SessionStage.RUNNING


# ---------------------------------------------------------------- pre-start gates


def test_no_baseline_vitals_blocks_the_start(clinic: Clinic) -> None:
    s = clinic.sessions
    sid = s.check_in(clinic.nurse, clinic.patients[0].id).id
    s.record_weight(clinic.nurse, sid, "70")
    s.record_preparation(clinic.nurse, sid, BAG)
    s.program_pump(clinic.nurse, sid)
    clinic.double_check(sid)
    readiness = s.get(clinic.nurse, sid).readiness
    assert {c.key for c in readiness.blocking} == {"baseline", "bp_gate"}
    refused(clinic, ValidationError, lambda: s.start(clinic.nurse, sid), "Baseline vitals")
    # a baseline older than 30 minutes does not count
    s.record_vitals(clinic.nurse, sid, NORMAL)
    clinic.advance(minutes=31)
    refused(clinic, ValidationError, lambda: s.start(clinic.nurse, sid), "Baseline vitals")
    s.record_vitals(clinic.nurse, sid, NORMAL)
    assert s.start(clinic.nurse, sid).stage is SessionStage.RUNNING


def test_bp_above_180_over_100_blocks_until_a_clinician_overrides(clinic: Clinic) -> None:
    s = clinic.sessions
    sid = clinic.ready(vitals=VitalValues(heart_rate=80, systolic=190, diastolic=95, spo2=98,
                                          respiratory_rate=14))
    [gate] = [c for c in s.get(clinic.nurse, sid).readiness.checks if c.key == "bp_gate"]
    assert gate.status is CheckStatus.FAILED
    assert gate.clinician_override
    refused(clinic, ValidationError, lambda: s.start(clinic.nurse, sid, reasons={
        "bp_gate": "patient anxious"}), "190/95")
    refused(clinic, PermissionDenied, lambda: s.override_check(
        clinic.nurse, sid, check="bp_gate", reason="anxious, repeat later", password=NURSE_PW))
    refused(clinic, ValidationError, lambda: s.override_check(
        clinic.clinician, sid, check="bp_gate", reason="", password=CLINICIAN_PW), "reason")
    refused(clinic, ValidationError, lambda: s.override_check(
        clinic.clinician, sid, check="weight", reason="because I say",
        password=CLINICIAN_PW), "cannot be overridden")
    with pytest.raises(AuthenticationFailed):
        s.override_check(clinic.clinician, sid, check="bp_gate", reason="known hypertensive",
                         password="wrong-password")
    assert s.get(clinic.nurse, sid).readiness.blocking

    record = s.override_check(clinic.clinician, sid, check="bp_gate",
                              reason="known hypertensive, reviewed", password=CLINICIAN_PW)
    [gate] = [c for c in record.readiness.checks if c.key == "bp_gate"]
    assert gate.status is CheckStatus.PASSED
    assert "Overridden by Dr Priya Patel: known hypertensive, reviewed" in gate.detail
    [row] = clinic.audit("session.check_overridden", sid)
    assert row.actor_name == "Dr Priya Patel"
    assert row.reason == "known hypertensive, reviewed"
    assert row.decoded_new()["check"] == "bp_gate"
    assert s.start(clinic.nurse, sid).stage is SessionStage.RUNNING


def test_a_raised_bp_warns_and_needs_a_reason_to_start(clinic: Clinic) -> None:
    s = clinic.sessions
    sid = clinic.ready(vitals=VitalValues(heart_rate=80, systolic=165, diastolic=85, spo2=98,
                                          respiratory_rate=14))
    readiness = s.get(clinic.nurse, sid).readiness
    assert not readiness.blocking
    assert [c.key for c in readiness.warnings] == ["bp_gate"]
    refused(clinic, ReasonRequired, lambda: s.start(clinic.nurse, sid), "165/85")
    refused(clinic, ReasonRequired, lambda: s.start(clinic.nurse, sid, reasons={"bp_gate": "x"}))
    record = s.start(clinic.nurse, sid, reasons={"bp_gate": "clinician told, agrees"})
    assert record.events[0].reason == "bp_gate: clinician told, agrees"
    assert clinic.audit("session.start", sid)[0].reason == "bp_gate: clinician told, agrees"


def test_a_second_session_the_same_day_is_refused(clinic: Clinic) -> None:
    first = clinic.signed()
    assert clinic.sessions.get(clinic.nurse, first).stage is SessionStage.SIGNED
    clinic.advance(minutes=30)  # 13:30, same calendar day
    sid = clinic.ready()
    [frequency] = [c for c in clinic.sessions.get(clinic.nurse, sid).readiness.checks
                   if c.key == "frequency"]
    assert frequency.status is CheckStatus.FAILED
    assert not frequency.clinician_override
    refused(clinic, ValidationError, lambda: clinic.sessions.start(
        clinic.nurse, sid, reasons={"frequency": "patient travelling tomorrow"}),
        "same calendar day")
    clinic.sessions.cancel(clinic.nurse, sid, reason="second visit today not allowed")
    clinic.advance(days=1)
    tomorrow = clinic.ready()
    [frequency] = [c for c in clinic.sessions.get(clinic.nurse, tomorrow).readiness.checks
                   if c.key == "frequency"]
    assert frequency.status is CheckStatus.PASSED
    assert "Session 2 of the course; 1 in the last 7 days" in frequency.detail
    assert clinic.sessions.start(clinic.nurse, tomorrow).stage is SessionStage.RUNNING


# ---------------------------------------------------------------- the timeline


def test_the_timeline_and_the_dose_from_recorded_times(clinic: Clinic) -> None:
    s, nurse = clinic.sessions, clinic.nurse
    sid = clinic.running()  # 09:00 at 24.5 mL/h (1 mg/mL)
    started = clinic.now()
    clinic.advance(hours=1)
    refused(clinic, ValidationError, lambda: s.pause(nurse, sid, reason=""), "reason")
    s.pause(nurse, sid, reason="patient to the bathroom")
    refused(clinic, ValidationError, lambda: s.pause(nurse, sid, reason="again"), "paused")
    clinic.advance(minutes=10)
    record = s.resume(nurse, sid)
    assert record.events[-1].rate_ml_per_h == Decimal("24.5")
    record = s.change_rate(nurse, sid, "30", reason="pain 7/10")  # 0.429 mg/kg/h: in range
    assert record.events[-1].authorised_by == ""
    clinic.advance(minutes=30)
    record = s.get(nurse, sid)
    # 24.5 mL/h × 1 h + 10 min paused + 30 mL/h × 0.5 h = 39.5 mL at 1 mg/mL
    assert record.progress.delivered_mg == Decimal("39.5")
    assert record.progress.infused_ml == Decimal("39.5")
    assert record.progress.running_time == timedelta(minutes=90)
    assert record.remaining == timedelta(minutes=150)
    refused(clinic, ValidationError, lambda: s.stop(nurse, sid, completed=False),
            "stopping early")
    record = s.stop(nurse, sid, completed=False, reason="nausea, patient asked to stop")
    assert record.stage is SessionStage.RECOVERY
    refused(clinic, ValidationError, lambda: s.stop(nurse, sid, completed=True), "stopped")
    refused(clinic, ValidationError, lambda: s.start(nurse, sid), "stopped")
    refused(clinic, ValidationError, lambda: s.resume(nurse, sid), "stopped")
    clinic.advance(hours=2)
    assert s.get(nurse, sid).progress.delivered_mg == Decimal("39.5")
    assert [e.kind for e in record.events] == [
        EventKind.START, EventKind.PAUSE, EventKind.RESUME, EventKind.RATE_CHANGE,
        EventKind.STOP]
    assert [e.at - started for e in record.events] == [
        timedelta(0), timedelta(hours=1), timedelta(minutes=70), timedelta(minutes=70),
        timedelta(minutes=100)]
    events = [(r.action, r.decoded_new()["rate_ml_per_h"], r.reason) for r in reversed(
        clinic.services.audit.search(clinic.admin, AuditFilter(
            entity_type="session", entity_id=str(sid), limit=1000)))
        if r.action in {"session.start", "session.pause", "session.resume",
                        "session.rate-change", "session.stop"}]
    assert events == [("session.start", "24.5", None),
                      ("session.pause", None, "patient to the bathroom"),
                      ("session.resume", "24.5", None),
                      ("session.rate-change", "30", "pain 7/10"),
                      ("session.stop", None, "nausea, patient asked to stop")]


def test_rates_outside_titration_need_a_clinician_and_hard_limits_refuse(clinic: Clinic) -> None:
    s, nurse = clinic.sessions, clinic.nurse
    sid = clinic.running()
    clinic.advance(minutes=20)
    # 42 mL/h at 1 mg/mL for 70 kg = 0.6 mg/kg/h: above the titration range 0.1–0.5
    refused(clinic, PermissionDenied, lambda: s.change_rate(nurse, sid, "42", reason="pain"),
            "titration range")
    refused(clinic, PermissionDenied, lambda: s.change_rate(
        nurse, sid, "42", reason="pain", clinician_username="tlopez",
        clinician_password=CHECKER_PW))
    refused(clinic, ReasonRequired, lambda: s.change_rate(
        nurse, sid, "42", clinician_username="dpatel", clinician_password=CLINICIAN_PW))
    refused(clinic, AuthenticationFailed, lambda: s.change_rate(
        nurse, sid, "42", reason="pain", clinician_username="dpatel",
        clinician_password="guess"))
    # 5 mL/h = 0.071 mg/kg/h: below the range
    refused(clinic, PermissionDenied, lambda: s.change_rate(nurse, sid, "5", reason="drowsy"))
    # 71 mL/h = 1.014 mg/kg/h: above the hard limit, even with a clinician
    refused(clinic, LimitExceeded, lambda: s.change_rate(
        nurse, sid, "71", reason="severe pain", clinician_username="dpatel",
        clinician_password=CLINICIAN_PW), "hard limit")
    refused(clinic, LimitExceeded, lambda: s.change_rate(nurse, sid, "200"), "hard limit")
    refused(clinic, ValidationError, lambda: s.change_rate(nurse, sid, "0"))

    record = s.change_rate(nurse, sid, "42", reason="pain 9/10 despite titration",
                           clinician_username="dpatel", clinician_password=CLINICIAN_PW)
    event = record.events[-1]
    assert (event.kind, event.rate_ml_per_h, event.authorised_by, event.by_name) == (
        EventKind.RATE_CHANGE, Decimal(42), "Dr Priya Patel", "Nora Kim, RN")
    [row] = clinic.audit("session.rate-change", sid)
    assert row.actor_name == "Nora Kim, RN"
    assert row.decoded_new()["authorised_by"] == "Dr Priya Patel"
    assert row.reason == "pain 9/10 despite titration"
    # inside the range again: the nurse alone
    record = s.change_rate(nurse, sid, "35")
    assert record.events[-1].authorised_by == ""


def test_a_bolus_is_refused_when_the_protocol_has_none(clinic: Clinic) -> None:
    sid = clinic.running()
    clinic.advance(minutes=5)
    refused(clinic, ValidationError, lambda: clinic.sessions.bolus(clinic.nurse, sid, "5"),
            "does not order a bolus")


def test_a_late_entry_is_recorded_and_marked(clinic: Clinic) -> None:
    s, nurse = clinic.sessions, clinic.nurse
    sid = clinic.running()
    started = clinic.now()
    clinic.advance(minutes=40)
    refused(clinic, ValidationError, lambda: s.pause(
        nurse, sid, reason="bathroom", at=started - timedelta(minutes=1)), "before the previous")
    refused(clinic, ValidationError, lambda: s.pause(
        nurse, sid, reason="bathroom", at=clinic.now() + timedelta(minutes=5)), "future")
    record = s.pause(nurse, sid, reason="bathroom", at=started + timedelta(minutes=25))
    pause = record.events[-1]
    assert pause.at == started + timedelta(minutes=25)
    assert pause.entered_at == clinic.now()
    assert pause.late_entry
    assert not record.events[0].late_entry
    [row] = clinic.audit("session.pause", sid)
    assert row.decoded_new()["late_entry"] is True
    # the dose counts to the recorded pause time: 24.5 mL/h × 25 min
    assert record.progress.delivered_mg == Decimal("10.2")
    record = s.resume(nurse, sid)
    assert not record.events[-1].late_entry
    assert clinic.audit("session.resume", sid)[0].decoded_new()["late_entry"] is False


def test_the_total_warning_says_when_the_limit_would_be_crossed(clinic: Clinic) -> None:
    s, nurse = clinic.sessions, clinic.nurse
    sid = clinic.running()
    start = clinic.now()
    assert s.get(nurse, sid).total_warning is None
    clinic.advance(hours=2)  # 49 mg at 24.5 mg/h
    # 63 mL/h = 0.9 mg/kg/h (below the hard 1.0, authorised by the clinician)
    record = s.change_rate(nurse, sid, "63", reason="breakthrough pain",
                           clinician_username="dpatel", clinician_password=CLINICIAN_PW)
    # the lowest total limit for 70 kg is the soft 2 mg/kg = 140 mg: 91 mg away = 87 min
    assert record.total_warning is None
    clinic.advance(minutes=55)  # 49 + 57.75 = 106.8 mg: 33.2 mg = 31.6 min to go
    assert s.get(nurse, sid).progress.delivered_mg == Decimal("106.8")
    assert s.get(nurse, sid).total_warning is None
    clinic.advance(minutes=5)  # 112 mg: 28 mg at 63 mg/h = 26 min 40 s
    record = s.get(nurse, sid)
    assert record.progress.delivered_mg == Decimal(112)
    when = (start + timedelta(hours=3, minutes=26, seconds=40)).astimezone()
    assert record.total_warning == (
        f"At the current rate the session total reaches the soft limit of 140 mg at "
        f"{when:%H:%M} (in 26 min).")
    s.pause(nurse, sid, reason="limit near, call clinician")
    assert s.get(nurse, sid).total_warning is None  # not running: no warning


def test_observations_are_due_more_often_after_a_rate_increase(clinic: Clinic) -> None:
    s, nurse = clinic.sessions, clinic.nurse
    sid = clinic.running()  # baseline at 09:00, started at 09:00
    start = clinic.now()
    assert s.get(nurse, sid).next_observation_due == start + timedelta(minutes=5)
    clinic.advance(minutes=20)
    record = s.record_vitals(nurse, sid, NORMAL)
    assert record.next_observation_due == start + timedelta(minutes=35)
    clinic.advance(minutes=5)
    record = s.change_rate(nurse, sid, "30")  # an increase at 09:25
    assert record.next_observation_due == start + timedelta(minutes=30)
    clinic.advance(minutes=5)
    record = s.record_vitals(nurse, sid, NORMAL)  # 09:30, still in the dense 15 min
    assert record.next_observation_due == start + timedelta(minutes=35)
    clinic.advance(minutes=15)
    s.record_vitals(nurse, sid, NORMAL)  # 09:45
    clinic.advance(minutes=5)
    record = s.change_rate(nurse, sid, "20")  # a decrease does not intensify
    assert record.next_observation_due == start + timedelta(minutes=60)
    clinic.advance(minutes=10)
    record = s.stop(nurse, sid, completed=False, reason="patient request")
    assert record.next_observation_due == start + timedelta(minutes=75)  # recovery


def test_a_gap_shows_when_the_screen_was_silent_while_running(clinic: Clinic) -> None:
    s, nurse = clinic.sessions, clinic.nurse
    sid = clinic.running()
    started = clinic.now()
    clinic.advance(minutes=2)
    assert s.get(nurse, sid).gap is None  # 2 min exactly is not a gap yet
    clinic.advance(minutes=1)
    assert s.get(nurse, sid).gap == (started, clinic.now())
    s.heartbeat(nurse, sid)
    assert s.get(nurse, sid).gap is None
    clinic.advance(minutes=1)
    assert s.get(nurse, sid).gap is None
    clinic.advance(minutes=2)
    assert s.get(nurse, sid).gap == (started + timedelta(minutes=3), clinic.now())
    s.stop(nurse, sid, completed=True)
    clinic.advance(minutes=10)
    assert s.get(nurse, sid).gap is None  # stopped: nothing to watch


# ---------------------------------------------------------------- discharge, signature, lock


def test_discharge_sign_lock_and_addendum(clinic: Clinic) -> None:
    s, nurse = clinic.sessions, clinic.nurse
    sid = clinic.running()
    clinic.advance(hours=4)
    refused(clinic, ValidationError, lambda: s.discharge(nurse, sid, READY), "Stop the infusion")
    refused(clinic, ValidationError, lambda: s.sign(nurse, sid, password=NURSE_PW),
            "discharge checklist")
    s.stop(nurse, sid, completed=True)
    clinic.advance(minutes=30)
    s.record_vitals(nurse, sid, NORMAL)  # recovery observation
    refused(clinic, ValidationError, lambda: s.discharge(
        nurse, sid, DischargeChecklist(8, True, True, True, True, True)), "PADSS is 8")
    refused(clinic, ValidationError, lambda: s.discharge(
        nurse, sid, DischargeChecklist(10, True, True, True, False, True)), "escort")
    refused(clinic, ValidationError, lambda: s.sign(nurse, sid, password=NURSE_PW),
            "discharge checklist")
    record = s.discharge(nurse, sid, READY)
    assert record.stage is SessionStage.AWAITING_SIGNATURE
    assert record.discharge == READY
    assert record.discharged_at == clinic.now()
    assert clinic.audit("session.discharged", sid)[0].decoded_new()["padss"] == 10
    refused(clinic, ValidationError, lambda: s.sign(nurse, sid, password=NURSE_PW),
            "side-effect review")
    clinic.review(sid)
    refused(clinic, AuthenticationFailed, lambda: s.sign(nurse, sid, password="wrong-password"))
    refused(clinic, ConflictError, lambda: s.add_addendum(
        nurse, sid, text="forgot the pain score", reason="late entry", password=NURSE_PW),
        "not signed yet")

    signed = s.sign(nurse, sid, password=NURSE_PW)
    assert signed.stage is SessionStage.SIGNED
    assert signed.locked
    assert signed.signature is not None
    assert signed.signature.meaning is SignatureMeaning.ADMINISTERED
    assert signed.signature.printed_name == "Nora Kim, RN"
    assert signed.signature.signed_at == clinic.now()
    assert clinic.audit("session.signed", sid)
    [added] = [r for r in clinic.audit("signature.added", sid) if r.entity_type == "session"]
    assert added.decoded_new()["meaning"] == "administered"
    assert signed.progress.delivered_mg == Decimal(98)  # 24.5 mg/h × 4 h
    refused(clinic, ConflictError, lambda: s.sign(nurse, sid, password=NURSE_PW),
            "already signed")

    clinic.advance(minutes=5)
    for action in (lambda: s.record_vitals(nurse, sid, NORMAL),
                   lambda: s.record_weight(nurse, sid, "71"),
                   lambda: s.record_preparation(nurse, sid, BAG),
                   lambda: s.pause(nurse, sid, reason="late pause"),
                   lambda: s.resume(nurse, sid),
                   lambda: s.stop(nurse, sid, completed=True),
                   lambda: s.change_rate(nurse, sid, "30"),
                   lambda: s.start(nurse, sid),
                   lambda: s.discharge(nurse, sid, READY),
                   lambda: s.cancel(nurse, sid, reason="mistake")):
        refused(clinic, ConflictError, action, LOCKED)
    refused(clinic, ConflictError, lambda: s.record_vitals(clinic.clinician, sid, NORMAL),
            LOCKED)

    refused(clinic, ValidationError, lambda: s.add_addendum(
        nurse, sid, text="Pain 3/10 at discharge.", reason="", password=NURSE_PW), "reason")
    refused(clinic, ValidationError, lambda: s.add_addendum(
        nurse, sid, text="", reason="late entry", password=NURSE_PW), "correction")
    with pytest.raises(AuthenticationFailed):
        s.add_addendum(nurse, sid, text="Pain 3/10 at discharge.", reason="late entry",
                       password="wrong-password")
    assert s.get(nurse, sid).addenda == ()
    refused(clinic, PermissionDenied, lambda: s.add_addendum(
        clinic.admin, sid, text="Pain 3/10.", reason="late entry", password="clinic-demo-1"))

    before = s.get(nurse, sid)
    after = s.add_addendum(nurse, sid, text="Pain 3/10 at discharge.",
                           reason="late entry, forgot", password=NURSE_PW)
    [addendum] = after.addenda
    assert (addendum.text, addendum.reason, addendum.by_name) == (
        "Pain 3/10 at discharge.", "late entry, forgot", "Nora Kim, RN")
    assert addendum.signature is not None
    assert addendum.signature.meaning is SignatureMeaning.ENTERED
    for name in ("events", "vitals", "weight_kg", "preparation", "program", "discharge",
                 "signature", "progress", "double_checks", "stage"):
        assert getattr(after, name) == getattr(before, name), name
    [row] = clinic.audit("session.addendum", sid)
    assert row.reason == "late entry, forgot"
    assert row.decoded_new() == {"text": "Pain 3/10 at discharge."}

    report = clinic.services.audit.verify()
    assert report.problem is None
    assert report.records == len(clinic.services.audit.search(
        clinic.admin, AuditFilter(limit=10_000)))


def test_refused_calls_on_a_missing_session(clinic: Clinic) -> None:
    from console.errors import NotFound

    refused(clinic, NotFound, lambda: clinic.sessions.record_weight(
        clinic.nurse, 999, "70"), "does not exist")


def test_today_lists_open_and_running_sessions(clinic: Clinic) -> None:
    running = clinic.running(0)
    preparing = clinic.sessions.check_in(clinic.nurse, clinic.patients[1].id).id
    clinic.advance(minutes=30)
    today = {line.id: line for line in clinic.sessions.today(clinic.admin)}
    assert set(today) == {running, preparing}
    assert today[running].stage is SessionStage.RUNNING
    assert today[running].delivered_mg == Decimal("12.3")  # 24.5 mL/h × 30 min = 12.25
    assert today[running].remaining == timedelta(hours=3, minutes=30)
    assert today[preparing].stage is SessionStage.PREPARING
    assert clinic.sessions.get(clinic.nurse, running).progress.state is PumpState.RUNNING


def test_the_audit_trail_records_every_step_in_order(clinic: Clinic) -> None:
    sid = clinic.signed()
    actions = [r.action for r in reversed(clinic.services.audit.search(
        clinic.admin, AuditFilter(entity_type="session", entity_id=str(sid), limit=1000)))]
    assert actions == ["session.checked_in", "session.weighed", "session.prepared",
                       "session.programmed", "session.double_checked", "session.vitals",
                       "session.start", "session.stop", "session.discharged",
                       "side_effect.reviewed", "signature.added", "session.signed"]
    with clinic.database.read() as uow:
        stored = uow.session.get(InfusionSessionRow, sid)
        assert stored is not None
        assert stored.signature_id is not None
        program = json.loads(stored.program or "{}")
    assert program["ml_per_h"] == "24.5"
    assert clinic.services.audit.verify().problem is None


def test_a_new_course_counts_its_sessions_from_one(clinic: Clinic) -> None:
    first = clinic.signed()
    old = clinic.sessions.get(clinic.nurse, first).protocol
    protocols = clinic.services.protocols
    protocols.discontinue(clinic.clinician, old.id, reason="first course finished")
    new = protocols.create(clinic.clinician, clinic.patients[0].id, ProtocolDraft(
        library_entry_id=old.library_entry_id, order=old.order, course=old.course,
        titration=old.titration, planning_weight_kg=Decimal(70), notes="second course",
        override_reasons=None))
    protocols.verify(clinic.services.auth.sign_in("dokafor", "doctor-demo-2"), new.id,
                     password="doctor-demo-2")
    clinic.advance(days=1)
    sid = clinic.ready()
    record = clinic.sessions.get(clinic.nurse, sid)
    assert record.protocol.id == new.id
    [frequency] = [c for c in record.readiness.checks if c.key == "frequency"]
    # the session of the first course still counts for the 7 days, not for the new course
    assert frequency.detail == "Session 1 of the course; 1 in the last 7 days."


def test_a_silence_during_the_infusion_is_written_to_the_audit_trail(clinic: Clinic) -> None:
    sid = clinic.running(0)
    clinic.sessions.heartbeat(clinic.nurse, sid)
    assert clinic.audit("session.gap", sid) == []
    clinic.advance(minutes=12)
    assert clinic.sessions.get(clinic.nurse, sid).gap is not None
    clinic.sessions.heartbeat(clinic.nurse, sid)
    [row] = clinic.audit("session.gap", sid)
    assert row.reason == "the console was not running during the infusion"
    assert clinic.sessions.get(clinic.nurse, sid).gap is None


def test_cumulative_exposure_is_shown_before_the_next_start(clinic: Clinic) -> None:
    first = clinic.running(0)
    clinic.advance(minutes=60)
    clinic.sessions.stop(clinic.nurse, first, completed=False, reason="nausea")
    clinic.sessions.discharge(clinic.nurse, first, READY)
    clinic.review(first)
    clinic.sessions.sign(clinic.nurse, first, password=NURSE_PW)
    clinic.advance(minutes=24 * 60)
    second = clinic.sessions.check_in(clinic.nurse, clinic.patients[0].id).id
    [exposure] = [c for c in clinic.sessions.get(clinic.nurse, second).readiness.checks
                  if c.key == "exposure"]
    assert exposure.detail.startswith("24.5 mg over 1 earlier session;")
    assert "24.5 mg in the last 30 days" in exposure.detail
    other = clinic.sessions.check_in(clinic.nurse, clinic.patients[1].id).id
    [fresh] = [c for c in clinic.sessions.get(clinic.nurse, other).readiness.checks
               if c.key == "exposure"]
    assert fresh.detail.startswith("First session")


def test_a_fixed_dose_protocol_cannot_start_an_infusion_session(clinic: Clinic) -> None:
    from console.domain.dosing import DoseOrder
    from console.domain.drugs import DosingForm, Drug, Route
    from console.domain.library import LibraryEntry
    from console.domain.limits import LimitParameter, LimitRange
    from console.domain.patients import Answer, Contraindication
    from console.domain.protocols import Course
    from console.services.protocols import ProtocolDraft

    s = clinic.services
    author = clinic.clinician
    verifier = s.auth.sign_in("dokafor", "doctor-demo-2")
    entry = s.library.create_draft(author, LibraryEntry(
        name="Esketamine intranasal", drug=Drug.ESKETAMINE, route=Route.INTRANASAL,
        limits={LimitParameter.DOSE_MG: LimitRange(soft_max=Decimal(56), hard_max=Decimal(84))}))
    s.library.approve(author, entry.id, password="doctor-demo-1")
    patient = clinic.unprotocolled
    s.patients.record_screen(clinic.nurse, patient.id,
                             dict.fromkeys(Contraindication, (Answer.NO, "")))
    protocol = s.protocols.create(author, patient.id, ProtocolDraft(
        library_entry_id=entry.id,
        order=DoseOrder(Drug.ESKETAMINE, DosingForm.FIXED_DOSE, dose_mg=Decimal(28)),
        course=Course(sessions=6, sessions_per_week=2), titration=None,
        planning_weight_kg=Decimal(70)))
    s.protocols.verify(verifier, protocol.id, password="doctor-demo-2")
    with pytest.raises(ValidationError, match="fixed dose") as refused_check_in:
        clinic.sessions.check_in(clinic.nurse, patient.id)
    assert refused_check_in.value.field == "protocol"
    assert clinic.audit("session.checked_in") == []


def test_the_ordered_bolus_is_rounded_half_up_like_the_dose_plan(clinic: Clinic) -> None:
    """0.25 mg/kg at 70.6 kg is 17.65 mg: the plan shows 17.7 mg (half up), so 17.7 mg is
    allowed and anything above it is refused."""
    from dataclasses import replace as changed

    from console.domain.library import default_ketamine_iv

    s = clinic.services
    verifier = s.auth.sign_in("dokafor", "doctor-demo-2")
    entry = s.library.create_draft(clinic.clinician, changed(default_ketamine_iv(),
                                                            name="Ketamine IV with bolus",
                                                            bolus_allowed=True))
    s.library.approve(clinic.clinician, entry.id, password=CLINICIAN_PW)
    first = clinic.sessions.check_in(clinic.nurse, clinic.patients[0].id)
    old = first.protocol
    clinic.sessions.cancel(clinic.nurse, first.id, reason="protocol changed")
    s.protocols.discontinue(clinic.clinician, old.id, reason="bolus added")
    order = changed(old.order, bolus_mg_per_kg=Decimal("0.25"), bolus_minutes=Decimal(5))
    new = s.protocols.create(clinic.clinician, clinic.patients[0].id, ProtocolDraft(
        library_entry_id=entry.id, order=order, course=old.course, titration=old.titration,
        planning_weight_kg=Decimal(70), notes="with a bolus", override_reasons=None))
    s.protocols.verify(verifier, new.id, password="doctor-demo-2")
    sid: int = clinic.sessions.check_in(clinic.nurse, clinic.patients[0].id).id
    clinic.sessions.record_weight(clinic.nurse, sid, "70.6")
    clinic.sessions.record_preparation(clinic.nurse, sid, BAG)
    clinic.sessions.program_pump(clinic.nurse, sid)
    clinic.double_check(sid, DoubleCheckEntry(Decimal("70.6"), Decimal(1), Decimal("24.7")))
    clinic.sessions.record_vitals(clinic.nurse, sid, NORMAL)
    clinic.sessions.start(clinic.nurse, sid)
    clinic.advance(minutes=5)
    refused(clinic, LimitExceeded, lambda: clinic.sessions.bolus(clinic.nurse, sid, "17.8"),
            "ordered bolus is 17.7 mg")
    record = clinic.sessions.bolus(clinic.nurse, sid, "17.7")
    assert record.events[-1].bolus_mg == Decimal("17.7")
