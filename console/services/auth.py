"""Signing in, lockout, password changes and re-authentication for locks and signatures."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from console.domain.identity import Actor, SecurityPolicy, User, check_password_strength
from console.errors import (
    AuthenticationFailed,
    PasswordChangeRequired,
    ValidationError,
)
from console.services.base import Service, actor_of
from console.services.passwords import hash_password, needs_rehash, verify_password
from console.services.settings import read_policy
from console.storage.unit_of_work import UnitOfWork

log = logging.getLogger("console.services.auth")

MAX_USERNAME_INPUT = 64


@dataclass(frozen=True, slots=True)
class _Outcome:
    actor: Actor | None
    must_change: bool = False


class AuthService(Service):
    def needs_setup(self) -> bool:
        """True on an empty database: the first administrator has not been created yet."""
        with self._db.read() as uow:
            return uow.users.count() == 0

    def sign_in(self, username: str, password: str) -> Actor:
        """The signed-in identity, or one generic failure that never says which part was wrong."""
        outcome = self._check_credentials(username, password, action_ok="auth.signed_in")
        if outcome.actor is None:
            raise AuthenticationFailed()
        if outcome.must_change:
            raise PasswordChangeRequired()
        return outcome.actor

    def change_password(self, username: str, current: str, new: str) -> Actor:
        """Change one's own password (also how a reset password is replaced at first sign-in)."""
        user_name = username.strip().lower()
        check_password_strength(new, username=user_name)
        if new == current:
            raise ValidationError(
                "The new password must differ from the current one.", field="password"
            )
        outcome = self._check_credentials(username, current, action_ok=None)
        if outcome.actor is None:
            raise AuthenticationFailed()
        actor = outcome.actor
        with self._db.write() as uow:
            uow.users.update(
                actor.user_id,
                {
                    "password_hash": hash_password(new),
                    "must_change_password": False,
                    "updated_at": self._clock.now(),
                },
            )
            self.audit(uow, actor, "user.password_changed", entity_type="user",
                        entity_id=actor.user_id)
        return actor

    def confirm_identity(self, actor: Actor, password: str, *, purpose: str) -> None:
        """Ask for the password again (idle unlock, electronic signature). Failures count."""
        outcome = self._check_credentials(actor.username, password, action_ok=None)
        if outcome.actor is None or outcome.actor.user_id != actor.user_id:
            raise AuthenticationFailed()
        if outcome.must_change:
            # A temporary password set by an administrator never signs or unlocks anything.
            raise PasswordChangeRequired()
        with self._db.write() as uow:
            self.audit(uow, actor, "auth.identity_confirmed", entity_type="user",
                        entity_id=actor.user_id, new={"purpose": purpose})

    def record_sign_out(self, actor: Actor, *, why: str) -> None:
        with self._db.write() as uow:
            self.audit(uow, actor, "auth.signed_out", entity_type="user",
                        entity_id=actor.user_id, new={"why": why})

    def record_idle_lock(self, actor: Actor) -> None:
        with self._db.write() as uow:
            self.audit(uow, actor, "auth.session_locked", entity_type="user",
                        entity_id=actor.user_id)

    def _check_credentials(
        self, username: str, password: str, *, action_ok: str | None
    ) -> _Outcome:
        name = username.strip().lower()[:MAX_USERNAME_INPUT]
        now = self._clock.now()
        with self._db.write() as uow:
            policy = read_policy(uow)
            user = uow.users.find_by_username(name) if name else None
            stored = None if user is None else uow.users.password_hash(user.id)
            password_ok = verify_password(stored, password)
            if user is None:
                self.audit(uow, None, "auth.sign_in_failed", entity_type="user",
                            entity_id=name or "(blank)", new={"why": "unknown user"})
                return _Outcome(None)
            refusal = self._refusal(user, password_ok, now)
            if refusal is not None:
                self._record_failure(uow, user, policy, refusal)
                return _Outcome(None)
            changes: dict[str, object] = {}
            if user.failed_attempts or user.locked_until is not None:
                changes.update(failed_attempts=0, locked_until=None)
            if stored is not None and needs_rehash(stored):
                changes["password_hash"] = hash_password(password)
            if changes:
                changes["updated_at"] = now
                user = uow.users.update(user.id, changes)
            actor = actor_of(user)
            if action_ok is not None and not user.must_change_password:
                self.audit(uow, actor, action_ok, entity_type="user", entity_id=user.id)
            return _Outcome(actor, must_change=user.must_change_password)

    @staticmethod
    def _refusal(user: User, password_ok: bool, now: datetime) -> str | None:
        if not user.active:
            return "account inactive"
        if user.is_locked(now):
            return "account locked"
        if not password_ok:
            return "wrong password"
        return None

    def _record_failure(
        self, uow: UnitOfWork, user: User, policy: SecurityPolicy, why: str
    ) -> None:
        actor = actor_of(user)
        if why == "wrong password":
            count, locked_until = policy.after_failure(user.failed_attempts, self._clock.now())
            uow.users.update(user.id, {"failed_attempts": count, "locked_until": locked_until,
                                       "updated_at": self._clock.now()})
            if locked_until is not None:
                log.info("an account was locked after repeated failed sign-ins")
                self.audit(uow, None, "auth.account_locked", entity_type="user",
                            entity_id=user.id, new={"locked_until": locked_until,
                                                    "attempts": policy.lockout_threshold})
        self.audit(uow, None, "auth.sign_in_failed", entity_type="user", entity_id=user.id,
                    new={"why": why, "username": actor.username})
