"""Live monitoring on a real database (SQLite and PostgreSQL): hand-entered sets with
confirmation of unusual values, corrections that keep the original, monitor sets and their
artifacts, the technical and process alarms, acknowledging and the audio pause — each checked
in what was stored, in what a fresh read gives back, and in the audit rows written. Every
refusal is checked to leave the record and the trail alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from console.domain.alarms import (
    DEFAULT_THRESHOLDS,
    AlarmAction,
    AlarmBook,
    AlarmKind,
    AlarmParameter,
    AlarmPriority,
    assessed,
    evaluate,
)
from console.domain.clock import ManualClock
from console.domain.infusion import EventKind, InfusionEvent
from console.domain.scales import DissociationScale, MonitoringScales, PossLevel, SedationScale
from console.domain.vitals import VitalSource, VitalValues
from console.errors import (
    ConfirmationRequired,
    ConflictError,
    NotFound,
    PermissionDenied,
    UserFacingError,
    ValidationError,
)
from console.services.container import Services
from console.services.monitoring import (
    DEVICE_RESOLVE_AFTER,
    DeviceValue,
    MonitoringService,
    MonitoringUpdate,
)
from console.storage.rows import (
    AlarmEventRow,
    AlarmRow,
    AuditRow,
    DeviceArtifactRow,
    InfusionSessionRow,
    VitalSignRow,
)
from console.storage.unit_of_work import Database
from tests.services.test_sessions import CHECKER_PW, CLINICIAN_PW, NORMAL, NURSE_PW, READY, Clinic

P = AlarmParameter
LOW, MEDIUM, HIGH = AlarmPriority.LOW, AlarmPriority.MEDIUM, AlarmPriority.HIGH
MIN = timedelta(minutes=1)
MONITOR = "Bedside monitor 3"


@pytest.fixture
def clinic(services: Services, database: Database, clock: ManualClock) -> Clinic:
    services.demo.seed()
    nurse = services.auth.sign_in("nkim", NURSE_PW)
    everyone = services.patients.search(nurse)
    with database.read() as uow:
        with_protocol = [p for p in everyone if uow.protocols.for_patient(p.id)]
    return Clinic(services=services, database=database, clock=clock,
                  admin=services.auth.sign_in("admin", "clinic-demo-1"), nurse=nurse,
                  checker=services.auth.sign_in("tlopez", CHECKER_PW),
                  clinician=services.auth.sign_in("dpatel", CLINICIAN_PW),
                  patients=with_protocol,
                  unprotocolled=next(p for p in everyone if p not in with_protocol))


def bp(systolic: int, diastolic: int, **more: Any) -> VitalValues:
    """A full set with this blood pressure and otherwise normal values."""
    values: dict[str, Any] = {"heart_rate": 76, "spo2": 98, "respiratory_rate": 14, **more}
    return VitalValues(systolic=systolic, diastolic=diastolic, **values)


def monitoring(clinic: Clinic) -> MonitoringService:
    return clinic.services.monitoring


def fresh(clinic: Clinic) -> MonitoringService:
    """A new service on the same database: what another screen or PC would read."""
    return MonitoringService(database=clinic.database, clock=clinic.clock)


def running(clinic: Clinic, patient: int = 0, *, baseline: VitalValues = NORMAL,
            reasons: dict[str, str] | None = None) -> int:
    """Ready (baseline at 09:00), started at 09:00; the clock then stands at 09:01."""
    sid = clinic.ready(patient, vitals=baseline)
    clinic.sessions.start(clinic.nurse, sid, reasons=reasons)
    clinic.advance(minutes=1)
    return sid


def record(clinic: Clinic, sid: int, values: VitalValues, **kwargs: Any) -> MonitoringUpdate:
    return monitoring(clinic).record_vitals(clinic.nurse, sid, values, **kwargs)


def device(field: str, value: int | Decimal, at: datetime,
           reason: str | None = None) -> DeviceValue:
    return DeviceValue(field=field, value=value, at=at, artifact_reason=reason)


def device_set(at: datetime, **values: int | Decimal) -> list[DeviceValue]:
    return [device(name, value, at) for name, value in values.items()]


def _rows(database: Database, model: Any) -> list[dict[str, Any]]:
    with database.read() as uow:
        key = next(iter(model.__table__.primary_key.columns)).key
        return sorted(({c.key: getattr(row, c.key) for c in model.__table__.columns}
                       for row in uow.session.scalars(select(model)).all()),
                      key=lambda r: r[key])


def snapshot(database: Database) -> tuple[object, ...]:
    """The session, its observations, artifacts, alarms and the audit trail (sign-ins left
    out: a refused call may still have signed a second person in)."""
    audit = [row for row in _rows(database, AuditRow)
             if not str(row["action"]).startswith("auth.")]
    return (audit, *(_rows(database, model) for model in (
        InfusionSessionRow, VitalSignRow, DeviceArtifactRow, AlarmRow, AlarmEventRow)))


def refused(clinic: Clinic, error: type[UserFacingError], call: Callable[[], object],
            match: str = "") -> UserFacingError:
    """``call`` raises ``error`` (message matching ``match``) and changes nothing."""
    before = snapshot(clinic.database)
    with pytest.raises(error, match=match or None) as raised:
        call()
    assert snapshot(clinic.database) == before
    return raised.value


def audit_count(clinic: Clinic) -> int:
    return len(snapshot(clinic.database)[0])  # type: ignore[arg-type]


def alarm_audit(clinic: Clinic, verb: str, sid: int) -> list[dict[str, Any]]:
    return [row.decoded_new() for row in clinic.audit(f"alarm.{verb}", sid)]


# ---------------------------------------------------------------- hand-entered sets


def test_a_set_before_the_start_is_stored_and_audited_but_raises_no_alarm(
        clinic: Clinic) -> None:
    worrying = bp(175, 98, heart_rate=128, spo2=93, respiratory_rate=22)
    sid = clinic.ready(vitals=worrying)
    record_ = clinic.sessions.get(clinic.nurse, sid)
    [vital] = record_.vitals
    assert (vital.values, vital.source, vital.by_name, vital.at) == \
        (worrying, VitalSource.MANUAL, clinic.nurse.full_name, clinic.now())
    [row] = clinic.audit("session.vitals", sid)
    assert row.actor_name == clinic.nurse.full_name
    assert row.decoded_new() == {"vital_id": vital.id, "at": clinic.now().isoformat(),
                                 **worrying.as_dict(), "confirmed": []}
    # the pre-start BP gate judges it instead of the alarms
    assert [c.key for c in record_.readiness.warnings] == ["bp_gate"]
    assert record_.alarms == AlarmBook()
    assert monitoring(clinic).alarms(clinic.nurse, sid) == AlarmBook()
    assert _rows(clinic.database, AlarmRow) == []
    assert clinic.audit("alarm.raised", sid) == []


def test_a_high_systolic_alarm_is_kept_by_a_heart_rate_only_set_and_resolved_by_a_normal_bp(
        clinic: Clinic) -> None:
    sid = running(clinic)
    clinic.advance(minutes=4)  # 09:05
    raised_at = clinic.now()
    update = record(clinic, sid, bp(185, 95))
    [alarm] = update.raised
    assert (alarm.id, alarm.parameter, alarm.kind, alarm.priority, alarm.raised_at) == \
        (1, P.SYSTOLIC, AlarmKind.PHYSIOLOGICAL, HIGH, raised_at)
    rule = "SBP 185 mmHg — above 180 mmHg: pause the infusion and call the clinician."
    assert alarm.condition.rule == rule
    [row] = clinic.audit("alarm.raised", sid)
    assert row.actor_name == clinic.nurse.full_name
    assert row.decoded_new() == {"alarm": 1, "parameter": "systolic", "kind": "physiological",
                                 "priority": "high", "value": 185, "rule": rule}
    assert clinic.sessions.get(clinic.nurse, sid).alarms.highest_active is HIGH

    clinic.advance(minutes=5)  # 09:10: only a pulse was taken
    update = record(clinic, sid, VitalValues(heart_rate=88))
    assert update.resolved == update.raised == ()
    assert [a.id for a in fresh(clinic).alarms(clinic.nurse, sid).active] == [1]
    assert clinic.audit("alarm.resolved", sid) == []

    clinic.advance(minutes=5)  # 09:15: the pressure is back to normal
    update = record(clinic, sid, bp(132, 82))
    assert [a.id for a in update.resolved] == [1]
    book = fresh(clinic).alarms(clinic.nurse, sid)
    assert book.active == ()
    [resolved] = book.resolved
    assert (resolved.id, resolved.resolved_at, resolved.priority) == (1, clinic.now(), HIGH)
    assert alarm_audit(clinic, "resolved", sid) == [
        {"alarm": 1, "parameter": "systolic", "kind": "physiological", "priority": "high",
         "value": 185, "rule": rule}]


def test_a_rise_over_the_last_baseline_before_the_start_is_medium_and_escalates_to_high(
        clinic: Clinic) -> None:
    sid = clinic.ready(vitals=bp(150, 85))  # 09:00, an early set
    clinic.advance(minutes=5)
    record(clinic, sid, bp(110, 70))  # 09:05: the baseline (the last set before the start)
    monitoring(clinic).ingest(sid, device_set(clinic.now(), systolic=95, diastolic=60),
                              device=MONITOR)  # a monitor's set is not the baseline
    clinic.sessions.start(clinic.nurse, sid)
    clinic.advance(minutes=5)
    assert record(clinic, sid, bp(137, 80)).raised == ()  # 25 % over 110 is 137.5
    clinic.advance(minutes=5)
    update = record(clinic, sid, bp(138, 80))
    [alarm] = update.raised
    assert (alarm.parameter, alarm.priority, alarm.condition.value) == (P.SYSTOLIC, MEDIUM, 138)
    assert "25 % above this patient's baseline of 110 mmHg" in alarm.condition.rule
    assert alarm_audit(clinic, "raised", sid)[0]["rule"] == alarm.condition.rule

    clinic.advance(minutes=5)
    update = record(clinic, sid, bp(186, 92))
    assert update.raised == ()
    [worse] = update.escalated
    assert (worse.id, worse.priority) == (1, HIGH)
    assert [(e.from_priority, e.to_priority, e.at) for e in worse.escalations] == \
        [(MEDIUM, HIGH, clinic.now())]
    [row] = alarm_audit(clinic, "escalated", sid)
    assert (row["alarm"], row["priority"], row["value"]) == (1, "high", 186)
    assert fresh(clinic).alarms(clinic.nurse, sid).find(1).escalations == worse.escalations


# ---------------------------------------------------------------- unusual and impossible values


def test_an_unusual_value_waits_for_confirmation_and_is_stored_confirmed(clinic: Clinic) -> None:
    sid = running(clinic)
    slow = bp(120, 75, heart_rate=25)
    error = refused(clinic, ConfirmationRequired, lambda: record(clinic, sid, slow),
                    "Heart rate 25/min is unusual")
    assert isinstance(error, ConfirmationRequired)
    assert (error.fields, error.field) == (("heart_rate",), "heart_rate")
    # confirming another value does not do
    refused(clinic, ConfirmationRequired, lambda: record(clinic, sid, slow, confirm={"spo2"}))
    both = bp(120, 75, heart_rate=25, spo2=65)
    error = refused(clinic, ConfirmationRequired,
                    lambda: record(clinic, sid, both, confirm={"heart_rate"}))
    assert isinstance(error, ConfirmationRequired)
    assert error.fields == ("spo2",)

    update = record(clinic, sid, slow, confirm={"heart_rate"})
    assert update.vital is not None
    assert update.vital.confirmed == ("heart_rate",)
    assert update.vital.values == slow
    [row] = clinic.audit("session.vitals", sid)[1:]
    assert row.decoded_new()["confirmed"] == ["heart_rate"]
    assert row.decoded_new()["heart_rate"] == 25
    [alarm] = update.raised
    assert (alarm.parameter, alarm.priority) == (P.HEART_RATE, HIGH)
    stored = clinic.sessions.get(clinic.nurse, sid).vitals[-1]
    assert stored.confirmed == ("heart_rate",)
    # the session service takes the same path
    clinic.advance(minutes=5)
    refused(clinic, ConfirmationRequired,
            lambda: clinic.sessions.record_vitals(clinic.nurse, sid, both))
    saved = clinic.sessions.record_vitals(clinic.nurse, sid, both,
                                          confirm={"heart_rate", "spo2"})
    assert saved.vitals[-1].confirmed == ("heart_rate", "spo2")


@pytest.mark.parametrize(("build", "field"), [
    (lambda: VitalValues(spo2=101), "spo2"),
    (lambda: VitalValues(systolic=120, diastolic=120), "diastolic"),
    (lambda: VitalValues(systolic=90, diastolic=110), "diastolic"),
    (lambda: VitalValues(systolic=120), "diastolic"),
    (lambda: VitalValues(heart_rate=-1), "heart_rate"),
    (lambda: VitalValues(), "heart_rate"),
])
def test_impossible_values_are_refused(clinic: Clinic, build: Callable[[], VitalValues],
                                       field: str) -> None:
    sid = running(clinic)
    error = refused(clinic, ValidationError, lambda: record(clinic, sid, build()))
    assert error.field == field
    assert not isinstance(error, ConfirmationRequired)  # no confirming an impossible value


def test_scores_must_be_on_the_clinics_scales(clinic: Clinic) -> None:
    sid = running(clinic)
    error = refused(clinic, ValidationError,
                    lambda: record(clinic, sid, VitalValues(dissociation=30)),
                    "CADSS-6 is scored 0 to 24")
    assert error.field == "dissociation"
    for other in (VitalValues(sedation_poss=PossLevel.SLIGHTLY_DROWSY),
                  VitalValues(sedation_moaa_s=4)):
        error = refused(clinic, ValidationError, lambda v=other: record(clinic, sid, v),
                        "charts sedation on RASS")
        assert error.field in {"sedation_poss", "sedation_moaa_s"}
    assert record(clinic, sid, VitalValues(dissociation=24, sedation_rass=-1)).vital is not None

    clinic.services.monitoring_settings.change_scales(
        clinic.clinician, MonitoringScales(SedationScale.POSS, DissociationScale.CADSS),
        "The clinic moves to POSS and the full CADSS")
    refused(clinic, ValidationError, lambda: record(clinic, sid, VitalValues(sedation_rass=-1)),
            "charts sedation on POSS")
    clinic.advance(minutes=4)
    update = record(clinic, sid, VitalValues(dissociation=30,
                                             sedation_poss=PossLevel.FREQUENTLY_DROWSY))
    assert update.vital is not None
    assert update.vital.values.dissociation == 30
    [alarm] = update.raised
    assert (alarm.parameter, alarm.priority) == (P.SEDATION, MEDIUM)


def test_only_nurses_and_clinicians_record_and_never_in_the_future(clinic: Clinic) -> None:
    sid = running(clinic)
    refused(clinic, PermissionDenied,
            lambda: monitoring(clinic).record_vitals(clinic.admin, sid, NORMAL))
    refused(clinic, ValidationError,
            lambda: record(clinic, sid, NORMAL, at=clinic.now() + timedelta(minutes=1)),
            "in the future")
    refused(clinic, ValidationError,
            lambda: record(clinic, sid, NORMAL, at=clinic.now() - timedelta(hours=2)),
            "before the patient arrived")
    refused(clinic, NotFound, lambda: record(clinic, 999_999, NORMAL))
    update = monitoring(clinic).record_vitals(clinic.clinician, sid, NORMAL)
    assert update.vital is not None
    assert update.vital.by_name == clinic.clinician.full_name


# ---------------------------------------------------------------- corrections


def test_a_correction_keeps_the_original_and_judges_the_alarms_again(clinic: Clinic) -> None:
    sid = running(clinic)
    clinic.advance(minutes=4)
    first = record(clinic, sid, bp(185, 95)).vital
    assert first is not None
    clinic.advance(minutes=2)
    reason = "Cuff too small; repeated with the right cuff"
    update = monitoring(clinic).correct_vitals(clinic.nurse, sid, first.id, bp(135, 85),
                                               reason=f"  {reason} ")
    new = update.vital
    assert new is not None
    assert (new.corrects_id, new.correction_reason, new.at, new.source) == \
        (first.id, reason, first.at, VitalSource.MANUAL)
    assert new.entered_at == clinic.now()
    [alarm] = update.resolved
    assert (alarm.id, alarm.resolved_at) == (1, clinic.now())

    vitals = clinic.sessions.get(clinic.nurse, sid).vitals
    original = next(v for v in vitals if v.id == first.id)
    assert (original.values.systolic, original.corrected_by) == (185, new.id)
    assert original.superseded
    assert next(v for v in vitals if v.id == new.id).values == bp(135, 85)

    [row] = clinic.audit("session.vitals_corrected", sid)
    assert row.reason == reason
    assert row.decoded_old() == {"vital_id": first.id, **bp(185, 95).as_dict()}
    assert row.decoded_new() == {"vital_id": new.id, "at": first.at.isoformat(),
                                 **bp(135, 85).as_dict(), "confirmed": []}
    assert [r["alarm"] for r in alarm_audit(clinic, "resolved", sid)] == [1]

    s = monitoring(clinic)
    refused(clinic, ConflictError, lambda: s.correct_vitals(
        clinic.nurse, sid, first.id, bp(130, 80), reason="second try"), "already corrected")
    for blank in ("", "  ", "no"):
        error = refused(clinic, ValidationError, lambda b=blank: s.correct_vitals(
            clinic.nurse, sid, new.id, bp(130, 80), reason=b), "reason")
        assert error.field == "reason"
    refused(clinic, ValidationError, lambda: s.correct_vitals(
        clinic.nurse, sid, new.id, bp(135, 85), reason="nothing changed"), "same")
    refused(clinic, PermissionDenied, lambda: s.correct_vitals(
        clinic.admin, sid, new.id, bp(130, 80), reason="admin tidying"))
    other = running(clinic, patient=1)
    refused(clinic, NotFound, lambda: s.correct_vitals(
        clinic.nurse, other, new.id, bp(130, 80), reason="wrong session"))
    # a corrected value that is unusual needs confirming too
    refused(clinic, ConfirmationRequired, lambda: s.correct_vitals(
        clinic.nurse, sid, new.id, bp(135, 85, heart_rate=210), reason="pulse misread"))


def test_a_monitor_set_is_not_corrected_by_hand(clinic: Clinic) -> None:
    sid = running(clinic)  # the nurse's last set was the 09:00 baseline: due 09:05
    clinic.advance(minutes=3)
    sent = monitoring(clinic).ingest(sid, device_set(clinic.now(), systolic=186, diastolic=96),
                                     device=MONITOR).vital
    assert sent is not None
    clinic.advance(minutes=3)  # 09:07: overdue
    error = refused(clinic, ValidationError, lambda: monitoring(clinic).correct_vitals(
        clinic.nurse, sid, sent.id, VitalValues(systolic=126, diastolic=80),
        reason="cuff slipped"), "monitor's reading")
    assert error.field == "vital"
    # the nurse's observation is still the one that was due
    [alarm] = monitoring(clinic).check_overdue(clinic.nurse, sid).raised
    assert alarm.parameter is P.OBSERVATION_OVERDUE


def test_a_correction_that_brings_in_an_alarming_value_raises_it(clinic: Clinic) -> None:
    sid = running(clinic)
    clinic.advance(minutes=4)
    first = record(clinic, sid, bp(130, 80)).vital
    assert first is not None
    update = monitoring(clinic).correct_vitals(clinic.nurse, sid, first.id,
                                               bp(130, 80, spo2=90), reason="SpO2 misread")
    [alarm] = update.raised
    assert (alarm.parameter, alarm.priority) == (P.SPO2, HIGH)


def test_correcting_an_older_set_leaves_the_alarm_a_later_set_still_shows(
        clinic: Clinic) -> None:
    sid = running(clinic)
    clinic.advance(minutes=4)  # 09:05
    first = record(clinic, sid, bp(185, 95)).vital
    assert first is not None
    clinic.advance(minutes=5)  # 09:10: still high (only the pressure taken)
    record(clinic, sid, VitalValues(systolic=190, diastolic=96))
    clinic.advance(minutes=1)
    update = monitoring(clinic).correct_vitals(clinic.nurse, sid, first.id, bp(130, 80),
                                               reason="09:05 pressure was misread")
    assert update.resolved == ()
    [alarm] = fresh(clinic).alarms(clinic.nurse, sid).active
    assert (alarm.parameter, alarm.priority, alarm.condition.value) == (P.SYSTOLIC, HIGH, 190)
    assert clinic.audit("alarm.resolved", sid) == []
    # a late entry for 09:07 does not speak for the pressure either
    update = record(clinic, sid, bp(120, 75, heart_rate=135), at=first.at + 2 * MIN)
    assert update.resolved == ()
    assert [a.parameter for a in update.raised] == [P.HEART_RATE]  # no later pulse: judged


def test_correcting_the_baseline_after_the_start_raises_no_in_session_alarm(
        clinic: Clinic) -> None:
    sid = clinic.ready(vitals=bp(165, 85))  # 09:00
    clinic.advance(minutes=2)
    clinic.sessions.start(clinic.nurse, sid, reasons={"bp_gate": "known hypertensive"})
    baseline = clinic.sessions.get(clinic.nurse, sid).vitals[0]
    clinic.advance(minutes=3)
    update = monitoring(clinic).correct_vitals(clinic.nurse, sid, baseline.id, bp(172, 88),
                                               reason="transcription error")
    assert update.raised == ()
    assert fresh(clinic).alarms(clinic.nurse, sid) == AlarmBook()
    # the corrected baseline is the one the rise rule uses from now on: 172 × 1.25 = 215
    assert record(clinic, sid, bp(175, 88)).raised[0].priority is MEDIUM  # ≥160, not a rise
    clinic.advance(minutes=5)
    assert record(clinic, sid, bp(150, 80)).resolved != ()


# ---------------------------------------------------------------- monitor sets


def test_a_monitor_set_is_stored_with_its_device_and_not_audited(clinic: Clinic) -> None:
    sid = running(clinic)
    patient = clinic.patients[0]
    now = clinic.now()
    before = audit_count(clinic)
    update = monitoring(clinic).ingest(
        sid, device_set(now - timedelta(seconds=2), heart_rate=76, systolic=122, diastolic=78,
                        spo2=97, respiratory_rate=15, etco2=38,
                        temperature_c=Decimal("36.8")),
        device=f"  {MONITOR}\t ", patient_id=f" {patient.mrn.lower()} ")
    vital = update.vital
    assert vital is not None
    assert (vital.source, vital.device, vital.by_name, vital.at, vital.entered_at) == \
        (VitalSource.DEVICE, MONITOR, MONITOR, now - timedelta(seconds=2), now)
    assert vital.values == VitalValues(heart_rate=76, systolic=122, diastolic=78, spo2=97,
                                       respiratory_rate=15, etco2=38,
                                       temperature_c=Decimal("36.8"))
    assert update.artifacts == update.raised == ()
    assert audit_count(clinic) == before  # every few seconds: not copied into the trail
    assert monitoring(clinic).device_sets(clinic.nurse, sid) == (vital,)
    assert vital not in clinic.sessions.get(clinic.nurse, sid).vitals  # hand-entered only


def test_implausible_impossible_and_half_values_become_artifacts(clinic: Clinic) -> None:
    sid = running(clinic)
    s = monitoring(clinic)
    now = clinic.now()
    update = s.ingest(sid, device_set(now, heart_rate=72, respiratory_rate=16, systolic=280,
                                      diastolic=120, spo2=101, etco2=5), device=MONITOR)
    assert update.vital is not None
    assert update.vital.values == VitalValues(heart_rate=72, respiratory_rate=16)
    found = {a.field: a for a in update.artifacts}
    assert {f: a.value for f, a in found.items()} == \
        {"spo2": "101", "systolic": "280", "diastolic": "120", "etco2": "5"}
    assert found["spo2"].reason.startswith("impossible: SpO2 must be from 0 to 100")
    assert found["systolic"].reason.startswith("implausible: Systolic BP 280 mmHg is unusual")
    assert found["diastolic"].reason == found["systolic"].reason  # a pressure is a pair
    assert found["etco2"].reason.startswith("implausible: End-tidal CO2 5 mmHg")
    assert {(a.device, a.at) for a in update.artifacts} == {(MONITOR, now)}
    [row] = clinic.audit("monitoring.artifact", sid)
    assert row.actor_name == "system"
    assert row.decoded_new() == {
        "device": MONITOR, "at": now.isoformat(),
        "artifacts": [[a.field, a.value, a.reason] for a in update.artifacts]}

    clinic.advance(seconds=5)
    later = clinic.now()
    inverted = s.ingest(sid, device_set(later, systolic=80, diastolic=90), device=MONITOR)
    assert inverted.vital is None
    assert [(a.field, a.reason[:11]) for a in inverted.artifacts] == \
        [("systolic", "impossible:"), ("diastolic", "impossible:")]
    half = s.ingest(sid, [*device_set(later, systolic=120, heart_rate=70),
                          device("heart_rate", 0, later, reason="leads off"),
                          device("cardiac_output", 5, later)], device=MONITOR)
    assert half.vital is not None
    assert half.vital.values == VitalValues(heart_rate=70)
    assert sorted((a.field, a.value, a.reason) for a in half.artifacts) == [
        ("cardiac_output", "5", "not a value the console charts"),
        ("heart_rate", "0", "leads off"),
        ("systolic", "120", "half a blood pressure (systolic and diastolic come together)")]

    stored = s.artifacts(clinic.nurse, sid)
    assert stored == (*update.artifacts, *inverted.artifacts,
                      *sorted(half.artifacts, key=lambda a: a.id))
    assert clinic.sessions.get(clinic.nurse, sid).artifacts == stored
    assert len(clinic.audit("monitoring.artifact", sid)) == 3
    # nothing the monitor judged impossible or implausible was charted or alarmed on
    assert fresh(clinic).alarms(clinic.nurse, sid) == AlarmBook()
    assert [v.values for v in s.device_sets(clinic.nurse, sid)] == \
        [VitalValues(heart_rate=72, respiratory_rate=16), VitalValues(heart_rate=70)]


def test_a_monitor_set_is_judged_by_the_same_engine(clinic: Clinic) -> None:
    sid = running(clinic)
    update = monitoring(clinic).ingest(
        sid, device_set(clinic.now(), systolic=186, diastolic=96, spo2=97), device=MONITOR)
    [alarm] = update.raised
    assert (alarm.parameter, alarm.priority, alarm.condition.value) == (P.SYSTOLIC, HIGH, 186)
    [row] = clinic.audit("alarm.raised", sid)
    assert row.actor_name == "system"
    assert row.decoded_new()["rule"] == alarm.condition.rule
    assert fresh(clinic).alarms(clinic.nurse, sid).active == update.book.active


def test_readings_for_another_patient_or_a_closed_record_are_refused(clinic: Clinic) -> None:
    sid = running(clinic)
    s = monitoring(clinic)
    reading = device_set(clinic.now(), heart_rate=80, systolic=190, diastolic=100)
    error = refused(clinic, ValidationError, lambda: s.ingest(
        sid, reading, device=MONITOR, patient_id=clinic.patients[1].mrn), "another patient")
    assert error.field == "patient_id"

    cancelled = clinic.ready(patient=1)
    clinic.sessions.cancel(clinic.nurse, cancelled, reason="patient unwell on arrival")
    refused(clinic, ConflictError, lambda: s.ingest(cancelled, reading, device=MONITOR),
            "cancelled")
    signed = clinic.signed(patient=2)
    refused(clinic, ConflictError, lambda: s.ingest(signed, reading, device=MONITOR),
            "signed and locked")
    refused(clinic, NotFound, lambda: s.ingest(999_999, reading, device=MONITOR))


# ---------------------------------------------------------------- technical and process alarms


def test_feed_lost_raises_a_technical_alarm_only_after_the_start(clinic: Clinic) -> None:
    s = monitoring(clinic)
    sid = clinic.ready()
    before = snapshot(clinic.database)
    assert s.feed_lost(sid, device=MONITOR).raised == ()
    assert s.feed_restored(sid, device=MONITOR).resolved == ()
    assert snapshot(clinic.database) == before

    clinic.sessions.start(clinic.nurse, sid)
    clinic.advance(minutes=1)
    update = s.feed_lost(sid, device=MONITOR)
    [alarm] = update.raised
    assert (alarm.parameter, alarm.kind, alarm.priority) == \
        (P.DEVICE_FEED, AlarmKind.TECHNICAL, MEDIUM)
    assert alarm.condition.rule.startswith(f"No readings from {MONITOR}")
    [lost] = clinic.audit("monitoring.feed_lost", sid)
    assert (lost.actor_name, lost.decoded_new()) == ("system", {"device": MONITOR})
    assert alarm_audit(clinic, "raised", sid)[0]["kind"] == "technical"

    clinic.advance(minutes=2)
    assert record(clinic, sid, NORMAL).resolved == ()  # a full set is no monitor reading
    clinic.advance(minutes=1)
    update = s.feed_restored(sid, device=MONITOR)
    assert [a.id for a in update.resolved] == [alarm.id]
    assert [r.decoded_new() for r in clinic.audit("monitoring.feed_restored", sid)] == \
        [{"device": MONITOR}]
    assert [r["parameter"] for r in alarm_audit(clinic, "resolved", sid)] == ["device_feed"]
    assert fresh(clinic).alarms(clinic.nurse, sid).active == ()


def test_an_overdue_observation_raises_a_low_alarm_that_a_hand_entered_set_clears(
        clinic: Clinic) -> None:
    s = monitoring(clinic)
    sid = running(clinic)  # started 09:00, the next set is due 09:05
    assert s.check_overdue(clinic.nurse, sid).raised == ()
    clinic.advance(minutes=5, seconds=30)  # 09:06:30
    update = s.check_overdue(clinic.nurse, sid)
    [alarm] = update.raised
    assert (alarm.parameter, alarm.kind, alarm.priority, alarm.condition.value) == \
        (P.OBSERVATION_OVERDUE, AlarmKind.PROCESS, LOW, 2)
    assert alarm.condition.rule == ("Observations overdue by 2 min: take and record a full "
                                    "set now.")
    [row] = clinic.audit("alarm.raised", sid)
    assert (row.actor_name, row.decoded_new()["priority"]) == (clinic.nurse.full_name, "low")
    clinic.advance(minutes=1)
    assert s.check_overdue(clinic.nurse, sid).raised == ()  # still the same alarm
    assert len(clinic.audit("alarm.raised", sid)) == 1

    # the monitor's readings do not count as the nurse's observations
    for _ in range(2):  # 09:07:30 and 09:08:10, longer apart than a monitor's resolve delay
        update = s.ingest(sid, device_set(clinic.now(), heart_rate=80, systolic=125,
                                          diastolic=80, spo2=98), device=MONITOR)
        assert update.resolved == ()
        clinic.advance(seconds=40)
    assert [a.id for a in fresh(clinic).alarms(clinic.nurse, sid).active] == [alarm.id]
    assert [a.id for a in s.check_overdue(clinic.nurse, sid).book.active] == [alarm.id]

    # 09:08:50: the nurse takes a set; the next is due 09:13:50
    update = record(clinic, sid, NORMAL)
    assert [a.id for a in update.resolved] == [alarm.id]
    assert alarm_audit(clinic, "resolved", sid)[0]["parameter"] == "observation_overdue"
    for _ in range(5):  # the monitor keeps sending until 09:13:50
        clinic.advance(minutes=1)
        s.ingest(sid, device_set(clinic.now(), heart_rate=80, spo2=98), device=MONITOR)
    assert s.check_overdue(clinic.nurse, sid).raised == ()
    clinic.advance(seconds=1)
    [again] = s.check_overdue(clinic.nurse, sid).raised
    assert (again.id, again.parameter) == (alarm.id + 1, P.OBSERVATION_OVERDUE)


# ---------------------------------------------------------------- acknowledging


def _high_systolic(clinic: Clinic) -> int:
    sid = running(clinic)
    clinic.advance(minutes=4)
    record(clinic, sid, bp(185, 95))
    clinic.advance(minutes=1)
    return sid


def test_acknowledging_records_who_and_what_and_pauses_the_tone_for_two_minutes(
        clinic: Clinic) -> None:
    sid = _high_systolic(clinic)
    s = monitoring(clinic)
    now = clinic.now()
    book = s.acknowledge(clinic.nurse, sid, 1, action=AlarmAction.RATE_REDUCED)
    alarm = book.find(1)
    assert (alarm.acknowledged_by, alarm.acknowledged_at, alarm.action) == \
        (clinic.nurse.full_name, now, AlarmAction.RATE_REDUCED)
    assert alarm.audio_paused_until == now + 2 * MIN
    assert not book.should_sound(now)
    assert not book.should_sound(now + 2 * MIN - timedelta(seconds=1))
    assert book.should_sound(now + 2 * MIN)  # still active: sounds again
    assert book.highest_active is HIGH  # the light stays on
    [row] = clinic.audit("alarm.acknowledged", sid)
    assert row.actor_name == clinic.nurse.full_name
    assert row.decoded_new() == {"alarm": 1, "parameter": "systolic", "priority": "high",
                                 "action": "rate_reduced", "note": ""}
    # persisted: another screen reads the same
    assert fresh(clinic).alarms(clinic.nurse, sid) == book
    assert clinic.sessions.get(clinic.clinician, sid).alarms == book

    refused(clinic, ValidationError, lambda: s.acknowledge(
        clinic.clinician, sid, 1, action=AlarmAction.OBSERVED), "already acknowledged by Nora")
    refused(clinic, NotFound, lambda: s.acknowledge(
        clinic.nurse, sid, 99, action=AlarmAction.OBSERVED))
    refused(clinic, PermissionDenied, lambda: s.acknowledge(
        clinic.admin, sid, 1, action=AlarmAction.OBSERVED))

    clinic.advance(minutes=3)
    record(clinic, sid, bp(130, 80, heart_rate=135))  # SBP clears, HR alarm 2 is raised
    error = refused(clinic, ValidationError, lambda: s.acknowledge(
        clinic.clinician, sid, 2, action=AlarmAction.OTHER, note="   "), "Describe")
    assert error.field == "note"
    book = s.acknowledge(clinic.clinician, sid, 2, action=AlarmAction.OTHER,
                         note="  Anxious; reassured, pulse settling ")
    assert book.find(2).acknowledgements[0].note == "Anxious; reassured, pulse settling"
    assert clinic.audit("alarm.acknowledged", sid)[-1].decoded_new()["note"] == \
        "Anxious; reassured, pulse settling"
    assert fresh(clinic).alarms(clinic.nurse, sid).find(2).acknowledged_by == \
        clinic.clinician.full_name


def test_pausing_the_audio_silences_every_active_alarm_for_two_minutes(clinic: Clinic) -> None:
    s = monitoring(clinic)
    sid = running(clinic)
    refused(clinic, ValidationError, lambda: s.pause_audio(clinic.nurse, sid),
            "No alarm is sounding")
    record(clinic, sid, bp(185, 95, spo2=92))
    clinic.advance(seconds=20)
    now = clinic.now()
    refused(clinic, PermissionDenied, lambda: s.pause_audio(clinic.admin, sid))
    book = s.pause_audio(clinic.nurse, sid)
    assert {a.parameter: a.audio_paused_until for a in book.active} == \
        {P.SYSTOLIC: now + 2 * MIN, P.SPO2: now + 2 * MIN}
    assert all(not a.acknowledged for a in book.active)  # silencing is not acknowledging
    [row] = clinic.audit("alarm.audio_paused", sid)
    assert (row.actor_name, row.decoded_new()) == (clinic.nurse.full_name, {"alarms": [1, 2]})
    assert fresh(clinic).alarms(clinic.nurse, sid) == book
    clinic.advance(minutes=1)
    update = record(clinic, sid, bp(185, 95, spo2=92, heart_rate=135))
    assert not update.book.find(1).should_sound(clinic.now())
    assert update.book.find(3).should_sound(clinic.now())  # raised in the pause: sounds
    clinic.advance(minutes=1)
    assert fresh(clinic).alarms(clinic.nurse, sid).find(1).should_sound(clinic.now())


def test_a_signed_record_takes_no_acknowledgement_or_reading(clinic: Clinic) -> None:
    sid = _high_systolic(clinic)
    s = monitoring(clinic)
    clinic.advance(hours=4)
    clinic.sessions.stop(clinic.nurse, sid, completed=True)
    s.acknowledge(clinic.nurse, sid, 1, action=AlarmAction.CLINICIAN_CALLED)
    clinic.sessions.discharge(clinic.nurse, sid, READY)
    clinic.review(sid)
    clinic.sessions.sign(clinic.nurse, sid, password=NURSE_PW)
    for call in (lambda: s.acknowledge(clinic.nurse, sid, 1, action=AlarmAction.OBSERVED),
                 lambda: s.pause_audio(clinic.nurse, sid),
                 lambda: record(clinic, sid, NORMAL),
                 lambda: s.correct_vitals(clinic.nurse, sid, 1, NORMAL, reason="late fix"),
                 lambda: s.check_overdue(clinic.nurse, sid),
                 lambda: s.feed_lost(sid, device=MONITOR)):
        refused(clinic, ConflictError, call, "signed and locked")
    assert s.alarms(clinic.nurse, sid).find(1).acknowledged_by == "Nora Kim, RN"  # readable


# ---------------------------------------------------------------- the service and the engine agree


@st.composite
def vital_sets(draw: st.DrawFn) -> tuple[VitalSource, VitalValues]:
    """A plausible set (nothing to confirm, no artifact): manual or from the monitor."""
    source = draw(st.sampled_from(VitalSource))
    values: dict[str, Any] = {
        "heart_rate": draw(st.none() | st.integers(30, 200)),
        "spo2": draw(st.none() | st.integers(80, 100)),
        "respiratory_rate": draw(st.none() | st.integers(4, 45)),
        "etco2": draw(st.none() | st.integers(10, 80)),
    }
    if draw(st.booleans()):
        systolic = draw(st.integers(80, 250))
        values["systolic"] = systolic
        values["diastolic"] = draw(st.integers(30, min(150, systolic - 10)))
    if source is VitalSource.MANUAL:
        values["sedation_rass"] = draw(st.none() | st.integers(-5, 4))
        values["pain_nrs"] = draw(st.none() | st.integers(0, 10))
    present = {k: v for k, v in values.items() if v is not None}
    if not present:
        present = {"heart_rate": draw(st.integers(30, 200))}
    return source, VitalValues(**present)


def _started_session(clinic: Clinic, baseline: VitalValues) -> int:
    """A session with its baseline and a start event (the start's own gates are tested in
    test_sessions; here only what follows the start matters)."""
    with clinic.database.write() as uow:
        sid = uow.sessions.add(patient_id=clinic.patients[0].id,
                               protocol_id=uow.protocols.for_patient(clinic.patients[0].id)[0].id,
                               at=clinic.now(), by=clinic.nurse.user_id).id
    record(clinic, sid, baseline)
    with clinic.database.write() as uow:
        now = clinic.now()
        uow.sessions.add_event(sid, InfusionEvent(EventKind.START, now, now, "Nora Kim, RN",
                                                  rate_ml_per_h=Decimal("24.5")),
                               by=clinic.nurse.user_id, authorised_by=None)
    clinic.advance(seconds=1)
    return sid


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(baseline=st.integers(90, 150),
       steps=st.lists(st.tuples(st.sampled_from([0, 5, 20, 40, 240]), vital_sets()),
                      min_size=1, max_size=12))
def test_any_sequence_of_sets_leaves_the_stored_book_the_engine_would_hold(
        clinic: Clinic, baseline: int, steps: list[tuple[int, tuple[VitalSource, VitalValues]]]
        ) -> None:
    base = bp(baseline, 70)
    sid = _started_session(clinic, base)
    s = monitoring(clinic)
    engine = AlarmBook()
    counts = {"raised": 0, "escalated": 0, "resolved": 0}
    for seconds, (source, values) in steps:
        clinic.advance(seconds=seconds)
        now = clinic.now()
        judged = set(assessed(values))
        if source is VitalSource.MANUAL:
            s.record_vitals(clinic.nurse, sid, values)
            judged.add(P.OBSERVATION_OVERDUE)  # a nurse's set is the observation that was due
        else:
            s.ingest(sid, device_set(now, **{k: v for k, v in values.as_dict().items()
                                             if v is not None}), device=MONITOR)
        step = engine.update(evaluate(values, baseline=base, thresholds=DEFAULT_THRESHOLDS),
                             at=now, assessed=judged,
                             resolve_after=DEVICE_RESOLVE_AFTER if source is VitalSource.DEVICE
                             else timedelta(0))
        engine = step.book
        for verb in counts:
            counts[verb] += len(getattr(step, verb))
    book = s.alarms(clinic.nurse, sid)
    assert replace(book, updated_at=None) == replace(engine, updated_at=None)
    for verb, expected in counts.items():
        assert len(clinic.audit(f"alarm.{verb}", sid)) == expected


def test_discharge_waits_for_every_alarm_to_be_acknowledged_and_then_resolves_them(
        clinic: Clinic, services: Services) -> None:
    """No alarm outlives the visit unanswered: discharge names the unacknowledged ones, and
    resolves the acknowledged ones still active (audited as alarm.resolved)."""
    from console.domain.alarms import AlarmAction

    sid = clinic.running()
    clinic.sessions.record_vitals(clinic.nurse, sid, VitalValues(systolic=186, diastolic=84))
    clinic.advance(hours=4)
    clinic.sessions.stop(clinic.nurse, sid, completed=True)
    with pytest.raises(ValidationError, match="Acknowledge the active alarm before discharge"):
        clinic.sessions.discharge(clinic.nurse, sid, READY)
    (alarm,) = services.monitoring.alarms(clinic.nurse, sid).active
    services.monitoring.acknowledge(clinic.nurse, sid, alarm.id,
                                    action=AlarmAction.CLINICIAN_CALLED)
    record = clinic.sessions.discharge(clinic.nurse, sid, READY)
    assert record.alarms.active == ()
    assert record.alarms.find(alarm.id).resolved_at == clinic.clock.now()
