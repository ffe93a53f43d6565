"""Account administration: only administrators, every change audited."""

from __future__ import annotations

from collections.abc import Sequence

from console.domain.identity import (
    Actor,
    Role,
    User,
    check_password_strength,
    normalise_full_name,
    normalise_username,
)
from console.errors import ValidationError
from console.services.base import Service, required_reason
from console.services.passwords import hash_password
from console.storage.unit_of_work import UnitOfWork

ADMIN_ONLY = (Role.ADMINISTRATOR,)


def parse_role(raw: str | Role) -> Role:
    try:
        return Role(raw)
    except ValueError as exc:
        raise ValidationError(
            "Choose a role: nurse, clinician or administrator.", field="role"
        ) from exc


def _public(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role.value,
        "active": user.active,
    }


def insert_user(
    service: Service, uow: UnitOfWork, actor: Actor | None, values: dict[str, object],
    password: str,
) -> User:
    """Add an account with its audit record (shared by administration and first-run setup)."""
    if uow.users.find_by_username(str(values["username"])) is not None:
        raise ValidationError(
            f"The user name '{values['username']}' is taken. Choose another.", field="username"
        )
    now = service.now()
    user = uow.users.add(values={
        **values, "password_hash": hash_password(password), "active": True,
        "failed_attempts": 0, "created_at": now, "updated_at": now,
    })
    service.audit(uow, actor, "user.created", entity_type="user", entity_id=user.id,
                  new=_public(user))
    return user


class UserService(Service):
    def list_users(self, actor: Actor) -> Sequence[User]:
        with self._db.read() as uow:
            self.authorise(uow, actor, ADMIN_ONLY)
            return uow.users.list_all()

    def create_user(
        self, actor: Actor, *, username: str, full_name: str, role: str | Role,
        temporary_password: str,
    ) -> User:
        """A new account whose first sign-in must replace the temporary password."""
        name = normalise_username(username)
        values: dict[str, object] = {
            "username": name,
            "full_name": normalise_full_name(full_name),
            "role": parse_role(role).value,
            "must_change_password": True,
        }
        check_password_strength(temporary_password, username=name)
        with self._db.write() as uow:
            self.authorise(uow, actor, ADMIN_ONLY)
            return insert_user(self, uow, actor, values, temporary_password)

    def update_user(self, actor: Actor, user_id: int, *, full_name: str, role: str | Role) -> User:
        changes = {"full_name": normalise_full_name(full_name), "role": parse_role(role).value}
        with self._db.write() as uow:
            self.authorise(uow, actor, ADMIN_ONLY)
            before = uow.users.get(user_id)
            if before.role is Role.ADMINISTRATOR and changes["role"] != Role.ADMINISTRATOR:
                self._keep_an_administrator(uow, before)
            if changes == {"full_name": before.full_name, "role": before.role.value}:
                return before
            after = uow.users.update(user_id, {**changes, "updated_at": self._clock.now()})
            self.audit(uow, actor, "user.updated", entity_type="user", entity_id=user_id,
                       old=_public(before), new=_public(after))
            return after

    def deactivate(self, actor: Actor, user_id: int, *, reason: str) -> User:
        why = required_reason(reason, what="deactivating the account")
        with self._db.write() as uow:
            self.authorise(uow, actor, ADMIN_ONLY)
            if user_id == actor.user_id:
                raise ValidationError(
                    "You cannot deactivate your own account. Ask another administrator."
                )
            before = uow.users.get(user_id)
            if before.role is Role.ADMINISTRATOR:
                self._keep_an_administrator(uow, before)
            after = uow.users.update(user_id, {"active": False, "updated_at": self._clock.now()})
            self.audit(uow, actor, "user.deactivated", entity_type="user", entity_id=user_id,
                        old={"active": before.active}, new={"active": False}, reason=why)
            return after

    def reactivate(self, actor: Actor, user_id: int, *, reason: str) -> User:
        why = required_reason(reason, what="reactivating the account")
        with self._db.write() as uow:
            self.authorise(uow, actor, ADMIN_ONLY)
            before = uow.users.get(user_id)
            after = uow.users.update(user_id, {"active": True, "updated_at": self._clock.now()})
            self.audit(uow, actor, "user.reactivated", entity_type="user", entity_id=user_id,
                        old={"active": before.active}, new={"active": True}, reason=why)
            return after

    def reset_password(self, actor: Actor, user_id: int, *, temporary_password: str) -> User:
        with self._db.write() as uow:
            self.authorise(uow, actor, ADMIN_ONLY)
            target = uow.users.get(user_id)
            check_password_strength(temporary_password, username=target.username)
            after = uow.users.update(user_id, {
                "password_hash": hash_password(temporary_password),
                "must_change_password": True, "failed_attempts": 0, "locked_until": None,
                "updated_at": self._clock.now(),
            })
            self.audit(uow, actor, "user.password_reset", entity_type="user",
                        entity_id=user_id, new={"must_change_password": True})
            return after

    def unlock(self, actor: Actor, user_id: int) -> User:
        with self._db.write() as uow:
            self.authorise(uow, actor, ADMIN_ONLY)
            before = uow.users.get(user_id)
            after = uow.users.update(user_id, {
                "failed_attempts": 0, "locked_until": None, "updated_at": self._clock.now(),
            })
            self.audit(uow, actor, "user.unlocked", entity_type="user", entity_id=user_id,
                        old={"locked_until": before.locked_until,
                             "failed_attempts": before.failed_attempts},
                        new={"locked_until": None, "failed_attempts": 0})
            return after

    @staticmethod
    def _keep_an_administrator(uow: UnitOfWork, leaving: User) -> None:
        others = [user for user in uow.users.lock_active_administrators()
                  if user.id != leaving.id]
        if not others:
            raise ValidationError(
                "This is the last active administrator. Make another administrator first, "
                "so the clinic is never locked out of its own console."
            )

    def create_from_command_line(
        self, *, username: str, full_name: str, role: str | Role, password: str
    ) -> User:
        """For someone with operating-system access to the database (e.g. every administrator
        locked out). Audited as the system; the password must be changed at first sign-in."""
        name = normalise_username(username)
        values: dict[str, object] = {
            "username": name,
            "full_name": normalise_full_name(full_name),
            "role": parse_role(role).value,
            "must_change_password": True,
        }
        check_password_strength(password, username=name)
        with self._db.write() as uow:
            return insert_user(self, uow, None, values, password)
