"""Helpers shared by the library, patient and protocol tests: signed-in staff and a look at
everything a refused call must leave alone."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from console.domain.audit import AuditEntry
from console.domain.identity import Actor, Role
from console.domain.patients import Answer, Contraindication, Patient, Sex
from console.services.audit import AuditFilter
from console.services.container import Services
from console.services.patients import PatientDetails
from console.storage.rows import ScreeningAnswerRow, SignatureRow
from console.storage.unit_of_work import Database

CLINICIAN_PASSWORD = "priya-own-pass"
SECOND_CLINICIAN_PASSWORD = "chidi-own-pass"
NURSE_PASSWORD = "nora-own-pass"


def member(services: Services, admin: Actor, username: str, full_name: str, role: Role,
           password: str) -> Actor:
    """A new account that has already replaced its temporary password, as after first sign-in."""
    temporary = f"temporary-{password}"
    services.users.create_user(admin, username=username, full_name=full_name, role=role,
                               temporary_password=temporary)
    return services.auth.change_password(username, temporary, password)


def clinician(services: Services, admin: Actor) -> Actor:
    return member(services, admin, "dpatel", "Dr Priya Patel", Role.CLINICIAN,
                  CLINICIAN_PASSWORD)


def second_clinician(services: Services, admin: Actor) -> Actor:
    return member(services, admin, "dokafor", "Dr Chidi Okafor", Role.CLINICIAN,
                  SECOND_CLINICIAN_PASSWORD)


def nurse(services: Services, admin: Actor) -> Actor:
    return member(services, admin, "nkim", "Nora Kim, RN", Role.NURSE, NURSE_PASSWORD)


def no_side_effects(services: Services, actor: Actor, session_id: int) -> None:
    """The discharge side-effect review with every item of the current list answered 'none'
    (a session record cannot be signed without it)."""
    terms = services.side_effects.lists(actor).effects.codes
    services.side_effects.record_review(actor, session_id, dict.fromkeys(terms))


def audit_rows(services: Services, admin: Actor, **wanted: Any) -> list[AuditEntry]:
    """Matching audit rows, oldest first (the service hands them back newest first)."""
    return list(reversed(services.audit.search(admin, AuditFilter(limit=10_000, **wanted))))


def actions(services: Services, admin: Actor, **wanted: Any) -> list[str]:
    return [row.action for row in audit_rows(services, admin, **wanted)]


def register(services: Services, actor: Actor, mrn: str = "MRN-1001",
             family: str = "Harper", given: str = "Eleanor",
             born: date = date(1968, 3, 14)) -> Patient:
    return services.patients.register(actor, PatientDetails(
        mrn=mrn, family_name=family, given_name=given, date_of_birth=born, sex=Sex.FEMALE,
        diagnosis="Neuropathic pain"))


def screen_all(services: Services, actor: Actor, patient_id: int,
               answer: Answer = Answer.NO) -> None:
    services.patients.record_screen(actor, patient_id,
                                    dict.fromkeys(Contraindication, (answer, "")))


def everything(database: Database) -> tuple[object, ...]:
    """The whole clinical record and the audit trail: a refused call must change none of it."""
    with database.read() as uow:
        patients = uow.patients.list_all()
        return (
            list(uow.audit.iterate()),
            list(uow.library.list_all()),
            patients,
            [list(uow.protocols.for_patient(p.id)) for p in patients],
            [uow.patients.current_screen(p.id) for p in patients],
            uow.session.scalar(select(func.count()).select_from(SignatureRow)),
            uow.session.scalar(select(func.count()).select_from(ScreeningAnswerRow)),
            {u.username: u for u in uow.users.list_all()},
            uow.settings.all(),
        )
