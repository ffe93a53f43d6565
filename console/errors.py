"""Errors a person is expected to meet, typed apart from bugs.

A ``UserFacingError`` is shown in place with what to do next. Anything else that escapes is a
bug: it is logged and shown in the crash dialog, never swallowed.
"""

from __future__ import annotations


class ConsoleError(Exception):
    """Base of every error the console raises on purpose."""


class UserFacingError(ConsoleError):
    """An expected failure with a message that says what is wrong and what to do next."""

    title = "Cannot continue"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(UserFacingError):
    """A value a person typed cannot be used; ``field`` names the input at fault."""

    title = "Check the entry"


class AuthenticationFailed(UserFacingError):
    """Sign-in failed. The message never says whether the user exists."""

    title = "Sign-in failed"
    GENERIC = (
        "The user name or password is not correct, or the account is locked or inactive. "
        "Check both and try again, or ask an administrator to unlock the account."
    )

    def __init__(self) -> None:
        super().__init__(self.GENERIC)


class PasswordChangeRequired(UserFacingError):
    """The password is right but must be changed before the console can be used."""

    title = "New password needed"

    def __init__(self) -> None:
        super().__init__(
            "Your password was reset by an administrator. Choose a new password to continue."
        )


class LimitExceeded(UserFacingError):
    """A figure is beyond a hard limit: refused, it cannot be overridden at the bedside."""

    title = "Beyond a hard limit"


class ReasonRequired(ValidationError):
    """A soft limit was crossed: going on needs a reason for each finding."""

    title = "Reason needed"


class PermissionDenied(UserFacingError):
    """The signed-in user's role does not allow this action."""

    title = "Not permitted"


class NotFound(UserFacingError):
    """The record asked for does not exist (or no longer exists)."""

    title = "Not found"


class ConflictError(UserFacingError):
    """Someone else changed the record first, or the change clashes with existing data."""

    title = "Changed elsewhere"


class StorageUnavailable(UserFacingError):
    """The database cannot be opened or used as it is."""

    title = "Database unavailable"


class SchemaOutOfDate(StorageUnavailable):
    """The database schema is older than this console and must be migrated first."""


class AuditChainBroken(ConsoleError):
    """The audit trail failed verification; names the first bad record."""

    def __init__(self, sequence: int, reason: str) -> None:
        super().__init__(f"audit record #{sequence}: {reason}")
        self.sequence = sequence
        self.reason = reason


class ConfirmationRequired(ValidationError):
    """A value is possible but unusual: re-measure, then confirm it to save.

    ``fields`` names the values to confirm; saving again with them confirmed goes on.
    """

    title = "Please confirm"

    def __init__(self, message: str, *, fields: tuple[str, ...]) -> None:
        super().__init__(message, field=fields[0] if fields else None)
        self.fields = fields
