"""A signed session record can be checked against its signature: any change made to the
stored record behind the console (an observation, an alarm acknowledgement, a side effect,
the discharge review) makes the check fail."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from console.domain.alarms import AlarmAction
from console.domain.vitals import VitalValues
from console.errors import ValidationError
from console.storage.rows import AlarmEventRow, SideEffectReviewRow, VitalSignRow
from console.storage.unit_of_work import Database
from tests.services.test_sessions import NURSE_PW, READY, Clinic, make_clinic


@pytest.fixture
def clinic(services, database, clock):  # type: ignore[no-untyped-def]
    return make_clinic(services, database, clock)


def _tamper(database: Database, statement) -> None:  # type: ignore[no-untyped-def]
    with database.write() as uow:
        uow.session.execute(statement)


def test_an_untouched_signed_record_verifies(clinic: Clinic) -> None:
    sid = clinic.signed()
    assert clinic.sessions.signature_intact(clinic.nurse, sid)


def test_an_unsigned_record_has_nothing_to_verify(clinic: Clinic) -> None:
    sid = clinic.running()
    with pytest.raises(ValidationError, match="not signed"):
        clinic.sessions.signature_intact(clinic.nurse, sid)


def test_an_observation_changed_in_the_database_is_detected(clinic: Clinic) -> None:
    sid = clinic.signed()
    _tamper(clinic.database, update(VitalSignRow).where(VitalSignRow.session_id == sid)
            .values(values='{"heart_rate": 60}'))
    assert not clinic.sessions.signature_intact(clinic.nurse, sid)


def test_a_discharge_review_changed_in_the_database_is_detected(clinic: Clinic) -> None:
    sid = clinic.signed()
    with clinic.database.read() as uow:
        reviews = uow.session.query(SideEffectReviewRow).filter_by(session_id=sid).count()
    assert reviews == 1
    _tamper(clinic.database, update(SideEffectReviewRow)
            .where(SideEffectReviewRow.session_id == sid).values(answers="[]"))
    assert not clinic.sessions.signature_intact(clinic.nurse, sid)


def test_an_alarm_acknowledgement_changed_in_the_database_is_detected(clinic: Clinic) -> None:
    sid = clinic.running()
    clinic.sessions.record_vitals(clinic.nurse, sid, VitalValues(systolic=186, diastolic=84))
    (alarm,) = clinic.services.monitoring.alarms(clinic.nurse, sid).active
    clinic.services.monitoring.acknowledge(clinic.nurse, sid, alarm.id,
                                           action=AlarmAction.CLINICIAN_CALLED)
    clinic.advance(hours=4)
    clinic.sessions.stop(clinic.nurse, sid, completed=True)
    clinic.sessions.discharge(clinic.nurse, sid, READY)
    clinic.review(sid)
    clinic.sessions.sign(clinic.nurse, sid, password=NURSE_PW)
    assert clinic.sessions.signature_intact(clinic.nurse, sid)
    _tamper(clinic.database, update(AlarmEventRow).where(AlarmEventRow.kind == "acknowledged")
            .values(note="edited later"))
    assert not clinic.sessions.signature_intact(clinic.nurse, sid)
