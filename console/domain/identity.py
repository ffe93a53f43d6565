"""Users, roles and the account-security policy."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from console.errors import ValidationError


class Role(enum.StrEnum):
    NURSE = "nurse"
    CLINICIAN = "clinician"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    full_name: str
    role: Role
    active: bool
    must_change_password: bool
    failed_attempts: int
    locked_until: datetime | None
    created_at: datetime

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: the identity a service re-checks against the database on every call."""

    user_id: int
    username: str
    full_name: str
    role: Role


USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{2,31}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


def normalise_username(raw: str) -> str:
    username = raw.strip().lower()
    if not USERNAME_PATTERN.fullmatch(username):
        raise ValidationError(
            "A user name is 3 to 32 characters: letters, digits, dot, dash or underscore, "
            "starting with a letter (for example 'j.smith').",
            field="username",
        )
    return username


def normalise_full_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not 2 <= len(name) <= 100:
        raise ValidationError(
            "Enter the person's full name as it should appear on signatures (2 to 100 characters).",
            field="full_name",
        )
    return name


def check_password_strength(password: str, *, username: str = "") -> None:
    """Refuse passwords a clinic should not accept, with a message that says what to do."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters.",
            field="password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(
            f"The password is too long: use at most {MAX_PASSWORD_LENGTH} characters.",
            field="password",
        )
    if password != password.strip():
        raise ValidationError(
            "The password starts or ends with a space: remove it.", field="password"
        )
    if username and username.lower() in password.lower():
        raise ValidationError(
            "The password must not contain the user name.", field="password"
        )
    if len(set(password)) < 4:
        raise ValidationError(
            "The password repeats too few characters: mix at least four different ones.",
            field="password",
        )


@dataclass(frozen=True, slots=True)
class SecurityPolicy:
    """Account lockout and idle lock, configurable by an administrator."""

    lockout_threshold: int = 5
    lockout_minutes: int = 15
    idle_lock_minutes: int = 10

    def __post_init__(self) -> None:
        if not 3 <= self.lockout_threshold <= 20:
            raise ValidationError(
                "Failed attempts before lockout must be a whole number from 3 to 20.",
                field="lockout_threshold",
            )
        if not 1 <= self.lockout_minutes <= 1440:
            raise ValidationError(
                "Lockout length must be from 1 to 1440 minutes.", field="lockout_minutes"
            )
        if not 1 <= self.idle_lock_minutes <= 60:
            raise ValidationError(
                "The idle lock must be from 1 to 60 minutes (HIPAA expects an automatic logoff).",
                field="idle_lock_minutes",
            )

    @property
    def lockout_duration(self) -> timedelta:
        return timedelta(minutes=self.lockout_minutes)

    def after_failure(self, failed_attempts: int, now: datetime) -> tuple[int, datetime | None]:
        """The failure count and lock time after one more failed attempt."""
        count = failed_attempts + 1
        if count >= self.lockout_threshold:
            return 0, now + self.lockout_duration
        return count, None
