"""The patient register and each patient's contraindication screen."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from console.domain.audit import AuditEntry
from console.domain.identity import Actor
from console.domain.patients import Answer, Contraindication, Sex, check_date_of_birth
from console.errors import NotFound, PermissionDenied, ValidationError
from console.services.container import Services
from console.services.patients import PatientDetails
from console.storage.unit_of_work import Database
from tests.services.people import audit_rows, clinician, everything, nurse, register

TODAY = date(2026, 11, 24)  # the ManualClock's date in tests/conftest.py
HYPERTENSION = Contraindication.UNCONTROLLED_HYPERTENSION
PSYCHOSIS = Contraindication.PSYCHOSIS_HISTORY

GOOD = PatientDetails(mrn=" mrn-1001 ", family_name="  Harper ", given_name="Eleanor  Jane",
                      date_of_birth=date(1968, 3, 14), sex="female",
                      diagnosis="Neuropathic pain", allergies="  penicillin  ")


@pytest.fixture
def rn(services: Services, admin: Actor) -> Actor:
    return nurse(services, admin)


@pytest.fixture
def doctor(services: Services, admin: Actor) -> Actor:
    return clinician(services, admin)


def patient_rows(services: Services, admin: Actor, patient_id: int) -> list[AuditEntry]:
    return audit_rows(services, admin, entity_type="patient", entity_id=str(patient_id))


# ---------------------------------------------------------------- register


def test_register_normalises_and_audits(
    services: Services, admin: Actor, rn: Actor, clock,
) -> None:
    patient = services.patients.register(rn, GOOD)
    assert (patient.mrn, patient.family_name, patient.given_name) == (
        "MRN-1001", "Harper", "Eleanor Jane")
    assert (patient.date_of_birth, patient.sex) == (date(1968, 3, 14), Sex.FEMALE)
    assert (patient.diagnosis, patient.allergies) == ("Neuropathic pain", "penicillin")
    assert patient.two_identifiers == "HARPER, Eleanor Jane · MRN MRN-1001 · DOB 14 Mar 1968"
    assert services.patients.get(rn, patient.id) == patient
    (row,) = patient_rows(services, admin, patient.id)
    assert (row.action, row.actor_id, row.at) == ("patient.created", rn.user_id, clock.now())
    assert row.decoded_new() == {
        "mrn": "MRN-1001", "family_name": "Harper", "given_name": "Eleanor Jane",
        "date_of_birth": "1968-03-14", "sex": "female", "diagnosis": "Neuropathic pain",
        "allergies": "penicillin"}


BAD_DETAILS = [
    pytest.param({"mrn": "ab"}, "mrn", id="mrn-too-short"),
    pytest.param({"mrn": "MRN 1001"}, "mrn", id="mrn-with-space"),
    pytest.param({"mrn": "-1001"}, "mrn", id="mrn-leading-dash"),
    pytest.param({"mrn": "M" * 33}, "mrn", id="mrn-too-long"),
    pytest.param({"family_name": "   "}, "family_name", id="family-name-blank"),
    pytest.param({"family_name": "Harper2"}, "family_name", id="family-name-digit"),
    pytest.param({"given_name": "<script>"}, "given_name", id="given-name-markup"),
    pytest.param({"given_name": "E" * 101}, "given_name", id="given-name-too-long"),
    pytest.param({"date_of_birth": TODAY + timedelta(days=1)}, "date_of_birth",
                 id="born-tomorrow"),
    pytest.param({"date_of_birth": date(1905, 12, 31)}, "date_of_birth", id="born-121-years-ago"),
    pytest.param({"date_of_birth": date(1906, 1, 1)}, "date_of_birth",
                 id="born-120-years-and-10-months-ago"),
    pytest.param({"date_of_birth": date(1906, 11, 23)}, "date_of_birth",
                 id="born-120-years-and-a-day-ago"),
    pytest.param({"sex": "alien"}, "sex", id="sex-not-in-list"),
    pytest.param({"sex": ""}, "sex", id="sex-blank"),
    pytest.param({"diagnosis": "Broken leg"}, "diagnosis", id="diagnosis-not-in-list"),
    pytest.param({"allergies": "x" * 2001}, "allergies", id="allergies-too-long"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_DETAILS)
def test_register_refuses_bad_details_naming_the_field(
    services: Services, admin: Actor, database: Database, changes: dict[str, object],
    field: str,
) -> None:
    before = everything(database)
    with pytest.raises(ValidationError) as caught:
        services.patients.register(admin, replace(GOOD, **changes))  # type: ignore[arg-type]
    assert caught.value.field == field
    assert everything(database) == before


@pytest.mark.parametrize("born", [TODAY, date(1906, 11, 24), date(1906, 11, 25)],
                         ids=["born-today", "exactly-120", "just-under-120"])
def test_the_date_of_birth_limits_are_inclusive(
    services: Services, admin: Actor, born: date,
) -> None:
    patient = services.patients.register(admin, replace(GOOD, date_of_birth=born))
    assert patient.date_of_birth == born


def test_the_120_year_limit_on_the_29th_of_february() -> None:
    """120 years before 29 Feb 2020 there was no 29 Feb (1900 was not a leap year)."""
    today = date(2020, 2, 29)
    assert check_date_of_birth(date(1900, 2, 28), today) == date(1900, 2, 28)
    with pytest.raises(ValidationError) as caught:
        check_date_of_birth(date(1900, 2, 27), today)
    assert caught.value.field == "date_of_birth"


def test_a_duplicate_mrn_is_refused_naming_the_existing_patient(
    services: Services, admin: Actor, rn: Actor, database: Database,
) -> None:
    services.patients.register(rn, GOOD)
    before = everything(database)
    with pytest.raises(ValidationError) as caught:
        services.patients.register(admin, replace(
            GOOD, mrn="MRN-1001", family_name="Nguyen", given_name="Daniel",
            date_of_birth=date(1975, 11, 2), sex=Sex.MALE))
    assert caught.value.field == "mrn"
    assert "MRN-1001 already belongs to HARPER, Eleanor Jane (born 14 Mar 1968)" in (
        caught.value.message)
    assert everything(database) == before


# ---------------------------------------------------------------- search


def test_search_by_name_part_mrn_part_and_date_of_birth(
    services: Services, admin: Actor, rn: Actor,
) -> None:
    harper = register(services, rn, "MRN-1001", "Harper", "Eleanor", date(1968, 3, 14))
    nguyen = register(services, rn, "MRN-2002", "Nguyen", "Daniel", date(1975, 11, 2))
    harding = register(services, rn, "XY-3003", "Harding", "Daniel", date(1968, 3, 14))

    def ids(text: str = "", born: date | None = None) -> list[int]:
        return [p.id for p in services.patients.search(rn, text, born)]

    assert ids() == [harding.id, harper.id, nguyen.id]  # everyone, by family name
    assert ids("har") == [harding.id, harper.id]
    assert ids("HARP") == [harper.id]
    assert ids("dani") == [harding.id, nguyen.id]  # given name
    assert ids("2002") == [nguyen.id]  # part of the MRN
    assert ids("mrn-") == [harper.id, nguyen.id]
    assert ids("daniel har") == [harding.id]  # every word must match
    assert ids(born=date(1968, 3, 14)) == [harding.id, harper.id]
    assert ids("eleanor", born=date(1968, 3, 14)) == [harper.id]
    assert ids("  nguyen  ") == [nguyen.id]
    assert ids("nobody") == []
    assert ids(born=date(2000, 1, 1)) == []
    with pytest.raises(ValidationError) as caught:
        services.patients.search(rn, "x" * 101)
    assert caught.value.field == "search"


# ---------------------------------------------------------------- update


def test_update_writes_old_and_new_values_with_the_reason(
    services: Services, admin: Actor, rn: Actor, database: Database, clock,
) -> None:
    patient = services.patients.register(rn, GOOD)
    clock.advance(timedelta(days=3))
    corrected = replace(GOOD, given_name="Eleanor", diagnosis="Fibromyalgia", allergies="")
    after = services.patients.update(rn, patient.id, corrected, reason=" typo at registration ")
    assert (after.id, after.given_name, after.diagnosis, after.allergies) == (
        patient.id, "Eleanor", "Fibromyalgia", "")
    assert services.patients.get(admin, patient.id) == after
    created, updated = patient_rows(services, admin, patient.id)
    assert (updated.action, updated.actor_id, updated.at, updated.reason) == (
        "patient.updated", rn.user_id, clock.now(), "typo at registration")
    assert updated.decoded_old() == created.decoded_new()
    assert updated.decoded_new() == {**created.decoded_new(), "given_name": "Eleanor",
                                     "diagnosis": "Fibromyalgia", "allergies": ""}

    # Saving the same details again writes no audit record.
    before = everything(database)
    services.patients.update(rn, patient.id, corrected)
    assert everything(database)[0] == before[0]


def test_update_refuses_bad_details_and_a_clashing_mrn(
    services: Services, admin: Actor, rn: Actor, database: Database,
) -> None:
    first = register(services, rn, "MRN-1001", "Harper", "Eleanor")
    second = register(services, rn, "MRN-2002", "Nguyen", "Daniel")
    before = everything(database)
    with pytest.raises(ValidationError, match="already belongs to another patient") as caught:
        services.patients.update(rn, second.id, replace(GOOD, mrn="mrn-1001"))
    assert caught.value.field == "mrn"
    with pytest.raises(ValidationError) as caught:
        services.patients.update(rn, first.id, replace(GOOD, date_of_birth=TODAY.replace(
            year=2027)))
    assert caught.value.field == "date_of_birth"
    with pytest.raises(NotFound):
        services.patients.update(rn, 9999, GOOD)
    assert everything(database) == before


# ---------------------------------------------------------------- contraindication screen


def test_a_yes_needs_details_and_nothing_is_written_without_them(
    services: Services, admin: Actor, rn: Actor, database: Database,
) -> None:
    patient = register(services, rn)
    before = everything(database)
    for details in ("", "  ", "ok"):
        with pytest.raises(ValidationError, match="answered yes") as caught:
            services.patients.record_screen(rn, patient.id, {
                PSYCHOSIS: (Answer.NO, ""), HYPERTENSION: (Answer.YES, details)})
        assert caught.value.field == HYPERTENSION.value
    assert everything(database) == before
    assert services.patients.screen(rn, patient.id) == {}


def test_only_changed_answers_are_written(
    services: Services, admin: Actor, rn: Actor, doctor: Actor, database: Database, clock,
) -> None:
    patient = register(services, rn)
    answers = dict.fromkeys(Contraindication, (Answer.NO, ""))
    answers[HYPERTENSION] = (Answer.YES, "  on amlodipine, 150/95 last week ")
    screen = services.patients.record_screen(rn, patient.id, answers)
    assert set(screen) == set(Contraindication)
    assert screen[HYPERTENSION].answer is Answer.YES
    assert screen[HYPERTENSION].details == "on amlodipine, 150/95 last week"
    assert all(a.answered_by == "Nora Kim, RN" and a.answered_at == clock.now()
               for a in screen.values())
    rows = patient_rows(services, admin, patient.id)[1:]
    assert [r.action for r in rows] == ["patient.screen_answered"] * len(Contraindication)
    assert all(r.actor_id == rn.user_id and r.old_values is None for r in rows)
    assert {"uncontrolled-hypertension": "yes",
            "details": "on amlodipine, 150/95 last week"} in [r.decoded_new() for r in rows]

    # The same answers again: nothing is written at all.
    before = everything(database)
    clock.advance(timedelta(minutes=10))
    assert services.patients.record_screen(rn, patient.id, answers) == screen
    assert everything(database) == before

    # One changed answer (and one unchanged) by the clinician: one row, with old and new.
    clock.advance(timedelta(minutes=10))
    screen = services.patients.record_screen(doctor, patient.id, {
        HYPERTENSION: (Answer.YES, "controlled since the dose change"),
        PSYCHOSIS: (Answer.NO, "")})
    (row,) = patient_rows(services, admin, patient.id)[1 + len(Contraindication):]
    assert (row.action, row.actor_id, row.at) == ("patient.screen_answered", doctor.user_id,
                                                  clock.now())
    assert row.decoded_old() == {"uncontrolled-hypertension": "yes",
                                 "details": "on amlodipine, 150/95 last week"}
    assert row.decoded_new() == {"uncontrolled-hypertension": "yes",
                                 "details": "controlled since the dose change"}
    # The current screen shows the newest answer and who gave it; the others stay.
    assert screen[HYPERTENSION].details == "controlled since the dose change"
    assert screen[HYPERTENSION].answered_by == "Dr Priya Patel"
    assert screen[HYPERTENSION].answered_at == clock.now()
    assert screen[PSYCHOSIS].answered_by == "Nora Kim, RN"
    assert screen[PSYCHOSIS].answered_at == clock.now() - timedelta(minutes=20)
    assert services.patients.screen(admin, patient.id) == screen  # anyone may read it

    clock.advance(timedelta(minutes=1))
    screen = services.patients.record_screen(rn, patient.id, {HYPERTENSION: (Answer.NO, "")})
    assert (screen[HYPERTENSION].answer, screen[HYPERTENSION].details,
            screen[HYPERTENSION].answered_by) == (Answer.NO, "", "Nora Kim, RN")
    assert patient_rows(services, admin, patient.id)[-1].decoded_old() == {
        "uncontrolled-hypertension": "yes", "details": "controlled since the dose change"}
    assert services.audit.verify().intact


def test_administrators_cannot_record_a_screen(
    services: Services, admin: Actor, rn: Actor, database: Database,
) -> None:
    patient = register(services, rn)
    before = everything(database)
    with pytest.raises(PermissionDenied, match="Only a clinician or nurse"):
        services.patients.record_screen(admin, patient.id, {PSYCHOSIS: (Answer.NO, "")})
    with pytest.raises(NotFound):
        services.patients.record_screen(rn, 9999, {PSYCHOSIS: (Answer.NO, "")})
    assert everything(database) == before


def test_wildcards_typed_in_a_search_are_plain_characters(
    services: Services, admin: Actor,
) -> None:
    from tests.services.people import nurse, register

    rn = nurse(services, admin)
    register(services, rn, mrn="MRN-2001", family="Harper")
    register(services, rn, mrn="MRN-2002", family="Nguyen")
    assert services.patients.search(rn, "_") == []
    assert services.patients.search(rn, "%") == []
    assert [p.family_name for p in services.patients.search(rn, "harp")] == ["Harper"]


def test_an_administrator_is_refused_before_the_answers_are_judged(
    services: Services, admin: Actor,
) -> None:
    from console.domain.patients import Answer, Contraindication
    from console.errors import PermissionDenied
    from tests.services.people import nurse, register

    patient = register(services, nurse(services, admin))
    with pytest.raises(PermissionDenied):
        services.patients.record_screen(
            admin, patient.id, {Contraindication.PREGNANCY: (Answer.YES, "")})
