"""Roles are enforced in the services, against the database, not against what the caller claims."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from console.domain.identity import Actor, Role, SecurityPolicy
from console.errors import PermissionDenied
from console.services.audit import AuditFilter
from console.services.base import actor_of
from console.services.container import Services

AdminCall = Callable[[Services, Actor, int], object]

# Every administrator-only entry point, with input that is valid, so only the role can refuse it.
ADMIN_CALLS: dict[str, AdminCall] = {
    "list users": lambda s, a, uid: s.users.list_users(a),
    "create user": lambda s, a, uid: s.users.create_user(
        a, username="tlopez", full_name="Tomas Lopez", role="nurse",
        temporary_password="tomas-temp-pass"),
    "update user": lambda s, a, uid: s.users.update_user(
        a, uid, full_name="Renamed Person", role="administrator"),
    "deactivate": lambda s, a, uid: s.users.deactivate(a, uid, reason="no longer here"),
    "reactivate": lambda s, a, uid: s.users.reactivate(a, uid, reason="back again"),
    "reset password": lambda s, a, uid: s.users.reset_password(
        a, uid, temporary_password="reset-temp-pass"),
    "unlock": lambda s, a, uid: s.users.unlock(a, uid),
    "rename clinic": lambda s, a, uid: s.settings.rename_clinic(a, "Another Clinic"),
    "change security policy": lambda s, a, uid: s.settings.change_security_policy(
        a, SecurityPolicy(lockout_threshold=3)),
    "search audit": lambda s, a, uid: s.audit.search(a, AuditFilter()),
}


@pytest.mark.parametrize("who", ["nurse", "clinician"])
def test_nurses_and_clinicians_are_refused_administration(
    services: Services, stored, staff, who: str,
) -> None:
    actor = getattr(staff, who)
    target = staff.clinician if who == "nurse" else staff.nurse
    before = stored.snapshot()
    for name, call in ADMIN_CALLS.items():
        with pytest.raises(PermissionDenied, match="Only an administrator can do this"):
            call(services, actor, target.user_id)
        assert stored.snapshot() == before, f"{name} left a trace"  # no change, no record


def test_the_same_calls_succeed_for_an_administrator_and_each_is_audited(
    services: Services, stored, admin: Actor, staff,
) -> None:
    """The positive control for the refusals above: the calls themselves do work."""
    target = staff.nurse.user_id
    for name, call in ADMIN_CALLS.items():
        count = len(stored.trail())
        call(services, admin, target)
        written = len(stored.trail()) - count
        expected = 0 if name in {"list users", "search audit"} else 1
        assert written == expected, name


def test_a_deactivated_administrators_stale_identity_is_refused(
    services: Services, stored, admin: Actor,
) -> None:
    second = actor_of(services.users.create_user(
        admin, username="boss2", full_name="Second Admin", role="administrator",
        temporary_password="second-temp-pass"))
    services.users.list_users(second)  # works while active
    services.users.deactivate(admin, second.user_id, reason="left the clinic")
    before = stored.snapshot()
    for call in ADMIN_CALLS.values():
        with pytest.raises(PermissionDenied, match="no longer active"):
            call(services, second, admin.user_id)
    assert stored.snapshot() == before


def test_a_demoted_administrators_stale_identity_is_refused(
    services: Services, stored, admin: Actor,
) -> None:
    second = actor_of(services.users.create_user(
        admin, username="boss2", full_name="Second Admin", role="administrator",
        temporary_password="second-temp-pass"))
    services.users.update_user(admin, second.user_id, full_name="Second Admin", role="nurse")
    assert second.role is Role.ADMINISTRATOR  # the Actor still claims it
    before = stored.snapshot()
    with pytest.raises(PermissionDenied, match="Only an administrator"):
        services.users.create_user(second, username="tlopez", full_name="Tomas Lopez",
                                   role="nurse", temporary_password="tomas-temp-pass")
    assert stored.snapshot() == before


def test_a_forged_identity_is_refused(services: Services, stored, admin: Actor, staff) -> None:
    nurse = staff.nurse
    forgeries = {
        "admin id, nurse's user name": replace(admin, username="nkim"),
        "nurse claiming the administrator role": replace(nurse, role=Role.ADMINISTRATOR),
        "an id nobody has": replace(admin, user_id=9999),
        "nurse's name on the administrator's id": replace(nurse, user_id=admin.user_id),
    }
    before = stored.snapshot()
    for forgery, forged in forgeries.items():
        for name, call in ADMIN_CALLS.items():
            with pytest.raises(PermissionDenied):
                call(services, forged, staff.clinician.user_id)
            assert stored.snapshot() == before, (forgery, name)


def test_the_refusal_message_says_what_to_do(services: Services, staff) -> None:
    with pytest.raises(PermissionDenied) as caught:
        services.users.list_users(staff.nurse)
    assert "Ask a colleague with that role" in caught.value.message
    assert caught.value.title == "Not permitted"
