"""A demonstration clinic so a newcomer can look around at once (never on a clinic's data)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from console.domain.identity import Role
from console.domain.patients import Sex
from console.errors import ConflictError
from console.services.base import Service, actor_of
from console.services.settings import CLINIC_NAME
from console.services.users import insert_user

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
    def seed(self) -> None:
        """Seed the demonstration clinic; refuses a database that already holds data."""
        with self._db.write() as uow:
            if uow.users.count() or uow.patients.count() or uow.audit.head() is not None:
                raise ConflictError(
                    "This database already holds data, so the demonstration clinic was not "
                    "added. Use --data-dir with an empty folder to try the demo."
                )
            admin = None
            for account in DEMO_ACCOUNTS:
                user = insert_user(self, uow, admin, {
                    "username": account.username, "full_name": account.full_name,
                    "role": account.role.value, "must_change_password": False,
                }, account.password)
                admin = admin or actor_of(user)
            uow.settings.put(CLINIC_NAME, json.dumps(DEMO_CLINIC), at=self.now(),
                             by=None if admin is None else admin.user_id)
            self.audit(uow, admin, "clinic.initialised", entity_type="setting",
                       entity_id=CLINIC_NAME, new={"value": DEMO_CLINIC, "demo": True})
            for number, (family, given, born, sex) in enumerate(DEMO_PATIENTS, start=1):
                patient = uow.patients.add(values={
                    "mrn": f"DEMO{number:04d}", "family_name": family, "given_name": given,
                    "date_of_birth": born, "sex": sex.value,
                    "created_at": self.now(), "updated_at": self.now(),
                })
                self.audit(uow, admin, "patient.created", entity_type="patient",
                           entity_id=patient.id, new={"mrn": patient.mrn})
