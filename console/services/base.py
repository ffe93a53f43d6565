"""What every service shares: the database, the clock, role checks and audit records."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from console.domain.audit import JsonValues
from console.domain.clock import Clock
from console.domain.identity import Actor, Role, User
from console.errors import NotFound, PermissionDenied
from console.storage.unit_of_work import Database, UnitOfWork

SYSTEM_ACTOR_NAME = "system"


class Service:
    def __init__(self, *, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    def authorise(self, uow: UnitOfWork, actor: Actor, roles: Iterable[Role]) -> User:
        """Re-read the actor from the database: a stale, forged or deactivated identity fails."""
        allowed = tuple(roles)
        try:
            user = uow.users.get(actor.user_id)
        except NotFound:
            user = None
        if user is None or not user.active or user.username != actor.username:
            raise PermissionDenied(
                "Your account is no longer active. Sign in again or ask an administrator."
            )
        if user.role not in allowed:
            names = " or ".join(role.label.lower() for role in allowed)
            article = "an" if names[:1] in "aeiou" else "a"
            raise PermissionDenied(
                f"Only {article} {names} can do this. Ask a colleague with that role."
            )
        return user

    def now(self) -> datetime:
        return self._clock.now()

    def audit(
        self,
        uow: UnitOfWork,
        actor: Actor | None,
        action: str,
        *,
        entity_type: str,
        entity_id: str | int,
        old: JsonValues | None = None,
        new: JsonValues | None = None,
        reason: str | None = None,
    ) -> None:
        uow.audit.append(
            at=self._clock.now(),
            actor_id=None if actor is None else actor.user_id,
            actor_name=SYSTEM_ACTOR_NAME if actor is None else actor.full_name,
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            old_values=old,
            new_values=new,
            reason=reason,
        )


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, username=user.username, full_name=user.full_name, role=user.role)


def required_reason(raw: str | None, *, what: str) -> str:
    from console.errors import ValidationError

    reason = " ".join((raw or "").split())
    if len(reason) < 3:
        raise ValidationError(f"Give a reason for {what} (at least a few words).", field="reason")
    if len(reason) > 500:
        raise ValidationError("Keep the reason under 500 characters.", field="reason")
    return reason
