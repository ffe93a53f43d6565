"""Clinic-wide settings kept in the database, changed only by administrators, audited."""

from __future__ import annotations

import json
from dataclasses import asdict

from console.domain.identity import Actor, Role, SecurityPolicy
from console.errors import ValidationError
from console.services.base import Service, required_reason
from console.storage.unit_of_work import UnitOfWork

CLINIC_NAME = "clinic.name"
# Read by the protocol service: a second clinician verifies unless this is "false".
VERIFIER_MUST_DIFFER = "protocols.verifier_must_differ"
SECURITY_POLICY = "security.policy"


def read_policy(uow: UnitOfWork) -> SecurityPolicy:
    raw = uow.settings.get(SECURITY_POLICY)
    return SecurityPolicy() if raw is None else SecurityPolicy(**json.loads(raw))


def normalise_clinic_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not 2 <= len(name) <= 120:
        raise ValidationError(
            "Enter the clinic's name as it should appear on records (2 to 120 characters).",
            field="clinic_name",
        )
    return name


class SettingsService(Service):
    def clinic_name(self) -> str:
        with self._db.read() as uow:
            raw = uow.settings.get(CLINIC_NAME)
        return "" if raw is None else str(json.loads(raw))

    def security_policy(self) -> SecurityPolicy:
        with self._db.read() as uow:
            return read_policy(uow)

    def rename_clinic(self, actor: Actor, new_name: str) -> None:
        name = normalise_clinic_name(new_name)
        with self._db.write() as uow:
            self.authorise(uow, actor, [Role.ADMINISTRATOR])
            old = uow.settings.put(
                CLINIC_NAME, json.dumps(name), at=self._clock.now(), by=actor.user_id
            )
            self.audit(
                uow, actor, "settings.changed", entity_type="setting", entity_id=CLINIC_NAME,
                old=None if old is None else {"value": json.loads(old)}, new={"value": name},
            )

    def change_security_policy(self, actor: Actor, policy: SecurityPolicy) -> None:
        with self._db.write() as uow:
            self.authorise(uow, actor, [Role.ADMINISTRATOR])
            before = read_policy(uow)
            if before == policy:
                return
            uow.settings.put(
                SECURITY_POLICY, json.dumps(asdict(policy)), at=self._clock.now(),
                by=actor.user_id,
            )
            self.audit(
                uow, actor, "settings.changed", entity_type="setting",
                entity_id=SECURITY_POLICY, old=asdict(before), new=asdict(policy),
            )

    def verifier_must_differ(self) -> bool:
        """Whether a protocol must be verified by a clinician other than its author."""
        with self._db.read() as uow:
            return uow.settings.get(VERIFIER_MUST_DIFFER) != "false"

    def set_verifier_must_differ(self, actor: Actor, must_differ: bool, *, reason: str) -> None:
        why = required_reason(reason, what="changing who may verify protocols")
        with self._db.write() as uow:
            self.authorise(uow, actor, [Role.ADMINISTRATOR])
            before = uow.settings.get(VERIFIER_MUST_DIFFER) != "false"
            if before == must_differ:
                return
            uow.settings.put(VERIFIER_MUST_DIFFER, "true" if must_differ else "false",
                             at=self._clock.now(), by=actor.user_id)
            self.audit(uow, actor, "settings.changed", entity_type="setting",
                       entity_id=VERIFIER_MUST_DIFFER, old={"value": before},
                       new={"value": must_differ}, reason=why)
