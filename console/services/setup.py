"""First start on an empty database: the clinic's name and its first administrator."""

from __future__ import annotations

import json

from console.domain.identity import (
    Actor,
    Role,
    check_password_strength,
    normalise_full_name,
    normalise_username,
)
from console.errors import ConflictError
from console.services.base import Service, actor_of
from console.services.library import install_shipped_defaults
from console.services.settings import CLINIC_NAME, normalise_clinic_name
from console.services.users import insert_user


class SetupService(Service):
    def is_initialised(self) -> bool:
        with self._db.read() as uow:
            return uow.users.count() > 0

    def initialise(
        self, *, clinic_name: str, username: str, full_name: str, password: str
    ) -> Actor:
        """Create the clinic and its first administrator in one transaction."""
        clinic = normalise_clinic_name(clinic_name)
        name = normalise_username(username)
        values: dict[str, object] = {
            "username": name,
            "full_name": normalise_full_name(full_name),
            "role": Role.ADMINISTRATOR.value,
            "must_change_password": False,
        }
        check_password_strength(password, username=name)
        with self._db.write() as uow:
            if uow.users.count():
                raise ConflictError(
                    "This database already has users: sign in instead of running setup."
                )
            admin = actor_of(insert_user(self, uow, None, values, password))
            uow.settings.put(CLINIC_NAME, json.dumps(clinic), at=self.now(), by=admin.user_id)
            self.audit(uow, admin, "clinic.initialised", entity_type="setting",
                       entity_id=CLINIC_NAME, new={"value": clinic})
            install_shipped_defaults(self, uow, admin)
        return admin
