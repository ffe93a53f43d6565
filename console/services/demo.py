"""A demonstration clinic so a newcomer can look around at once (never on a clinic's data)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from console.domain.clock import Clock
from console.domain.dosing import DoseOrder
from console.domain.drugs import DosingForm, Drug
from console.domain.identity import Actor, Role
from console.domain.patients import DEFAULT_DIAGNOSES, Answer, Contraindication, Sex
from console.domain.protocols import Course, Titration
from console.errors import ConflictError
from console.services.base import Service, actor_of
from console.services.library import LibraryService, approve_for_demo, install_shipped_defaults
from console.services.patients import PatientService
from console.services.protocols import ProtocolDraft, ProtocolService
from console.services.settings import CLINIC_NAME
from console.services.users import insert_user
from console.storage.unit_of_work import Database

DEMO_CLINIC = "Riverside Pain Clinic (demonstration)"


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    full_name: str
    role: Role
    password: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", "Alex Morgan", Role.ADMINISTRATOR, "clinic-demo-1"),
    DemoAccount("nkim", "Nora Kim, RN", Role.NURSE, "nurse-demo-1"),
    DemoAccount("tlopez", "Tomas Lopez, RN", Role.NURSE, "nurse-demo-2"),
    DemoAccount("dpatel", "Dr Priya Patel", Role.CLINICIAN, "doctor-demo-1"),
    DemoAccount("dokafor", "Dr Chidi Okafor", Role.CLINICIAN, "doctor-demo-2"),
)

DEMO_PATIENTS = (
    ("Harper", "Eleanor", date(1968, 3, 14), Sex.FEMALE),
    ("Nguyen", "Daniel", date(1975, 11, 2), Sex.MALE),
    ("Okonkwo", "Grace", date(1982, 7, 21), Sex.FEMALE),
    ("Fischer", "Lukas", date(1959, 1, 30), Sex.MALE),
    ("Alvarez", "Sofia", date(1990, 5, 9), Sex.FEMALE),
    ("Brennan", "Michael", date(1971, 9, 17), Sex.MALE),
    ("Sato", "Yuki", date(1986, 12, 3), Sex.FEMALE),
    ("Mensah", "Kwame", date(1964, 4, 25), Sex.MALE),
    ("Lindqvist", "Astrid", date(1978, 8, 11), Sex.FEMALE),
    ("Haddad", "Omar", date(1993, 2, 6), Sex.MALE),
    ("Kowalski", "Anna", date(1955, 6, 19), Sex.FEMALE),
    ("Reyes", "Jordan", date(1999, 10, 28), Sex.OTHER),
)


class DemoService(Service):
    def __init__(
        self, *, database: Database, clock: Clock, library: LibraryService,
        patients: PatientService, protocols: ProtocolService,
    ) -> None:
        super().__init__(database=database, clock=clock)
        self._library = library
        self._patients = patients
        self._protocols = protocols

    def seed(self) -> None:
        """Seed the demonstration clinic; refuses a database that already holds data."""
        with self._db.write() as uow:
            if uow.users.count() or uow.patients.count() or uow.audit.head() is not None:
                raise ConflictError(
                    "This database already holds data, so the demonstration clinic was not "
                    "added. Use --data-dir with an empty folder to try the demo."
                )
            admin: Actor | None = None
            actors: dict[str, Actor] = {}
            for account in DEMO_ACCOUNTS:
                user = insert_user(self, uow, admin, {
                    "username": account.username, "full_name": account.full_name,
                    "role": account.role.value, "must_change_password": False,
                }, account.password)
                actors[account.username] = actor_of(user)
                admin = admin or actors[account.username]
            uow.settings.put(CLINIC_NAME, json.dumps(DEMO_CLINIC), at=self.now(),
                             by=None if admin is None else admin.user_id)
            self.audit(uow, admin, "clinic.initialised", entity_type="setting",
                       entity_id=CLINIC_NAME, new={"value": DEMO_CLINIC, "demo": True})
            for number, (family, given, born, sex) in enumerate(DEMO_PATIENTS, start=1):
                patient = uow.patients.add(values={
                    "mrn": f"DEMO{number:04d}", "family_name": family, "given_name": given,
                    "date_of_birth": born, "sex": sex.value,
                    "diagnosis": DEFAULT_DIAGNOSES[number % 3], "allergies": "",
                    "created_at": self.now(), "updated_at": self.now(),
                })
                self.audit(uow, admin, "patient.created", entity_type="patient",
                           entity_id=patient.id, new={"mrn": patient.mrn})
            install_shipped_defaults(self, uow, admin)
            approve_for_demo(self._library, uow, actors["dpatel"])
        self._seed_protocols(actors["dpatel"], actors["dokafor"], actors["nkim"])

    def _seed_protocols(self, author: Actor, verifier: Actor, nurse: Actor) -> None:
        """Four patients with a completed screen and a verified protocol (0.35 mg/kg/h, 4 h)."""
        entry = next(v for v in self._library.approved(author) if v.entry.drug is Drug.KETAMINE)
        passwords = {account.username: account.password for account in DEMO_ACCOUNTS}
        for patient in self._patients.search(nurse)[:4]:
            self._patients.record_screen(
                nurse, patient.id, dict.fromkeys(Contraindication, (Answer.NO, "")))
            draft = ProtocolDraft(
                library_entry_id=entry.id,
                order=DoseOrder(Drug.KETAMINE, DosingForm.RATE_DURATION,
                                concentration_mg_per_ml=Decimal(1),
                                rate_mg_per_kg_h=Decimal("0.35"),
                                duration_minutes=Decimal(240)),
                course=Course(sessions=10, sessions_per_week=5),
                titration=Titration(Decimal("0.1"), Decimal("0.5")),
                planning_weight_kg=Decimal(70),
                notes="Demonstration protocol: CRPS regimen, 10 sessions over two weeks.",
                override_reasons=None,
            )
            protocol = self._protocols.create(author, patient.id, draft)
            self._protocols.verify(verifier, protocol.id, password=passwords[verifier.username])
