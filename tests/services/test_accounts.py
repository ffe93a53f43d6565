"""Signing in, lockout, password changes, re-authentication and account administration."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from console.domain.clock import ManualClock
from console.domain.identity import Actor, Role, SecurityPolicy
from console.errors import (
    AuthenticationFailed,
    NotFound,
    PasswordChangeRequired,
    ValidationError,
)
from console.services.base import actor_of
from console.services.container import Services

WRONG = "not-the-password"


def fail_sign_in(services: Services, username: str, password: str = WRONG) -> str:
    with pytest.raises(AuthenticationFailed) as caught:
        services.auth.sign_in(username, password)
    return caught.value.message


# ---------------------------------------------------------------- hashing


def test_passwords_are_stored_as_argon2id_hashes(
    services: Services, stored, admin: Actor, admin_password: str, staff,
    nurse_temporary: str,
) -> None:
    for username, password in (("admin", admin_password), ("nkim", nurse_temporary)):
        digest = stored.password_hash(username)
        assert digest.startswith("$argon2id$")
        assert password not in digest
    # Two accounts with the same password still get different (salted) hashes.
    services.users.reset_password(admin, staff.clinician.user_id,
                                  temporary_password=nurse_temporary)
    assert stored.password_hash("dpatel") != stored.password_hash("nkim")


# ---------------------------------------------------------------- signing in


def test_sign_in_returns_the_identity_and_is_audited(
    services: Services, stored, admin: Actor, admin_password: str, clock: ManualClock,
) -> None:
    actor = services.auth.sign_in("  ADMIN ", admin_password)
    assert actor == admin
    assert actor.role is Role.ADMINISTRATOR
    record = stored.last()
    assert (record.action, record.actor_id, record.actor_name) == (
        "auth.signed_in", admin.user_id, "Ada Admin")
    assert record.entity_id == str(admin.user_id)
    assert record.at == clock.now()


def test_every_kind_of_failure_gives_the_same_message(
    services: Services, stored, admin: Actor, nurse: Actor, nurse_password: str,
    clock: ManualClock,
) -> None:
    messages = {
        "unknown user": fail_sign_in(services, "nobody.here", "whatever-password"),
        "blank user": fail_sign_in(services, "   ", "whatever-password"),
        "wrong password": fail_sign_in(services, "nkim"),
    }
    for _ in range(4):
        fail_sign_in(services, "nkim")
    messages["locked, right password"] = fail_sign_in(services, "nkim", nurse_password)
    clock.advance(timedelta(minutes=15))
    services.users.deactivate(admin, nurse.user_id, reason="left the clinic")
    messages["inactive, right password"] = fail_sign_in(services, "nkim", nurse_password)
    assert set(messages.values()) == {AuthenticationFailed.GENERIC}
    assert "locked" in AuthenticationFailed.GENERIC  # says what may be wrong, not which
    # The trail knows why, even though the person at the screen is not told.
    reasons = [json.loads(r.new_values or "{}").get("why") for r in stored.trail()
               if r.action == "auth.sign_in_failed"]
    assert reasons == ["unknown user", "unknown user"] + ["wrong password"] * 5 + [
        "account locked", "account inactive"]
    unknown = next(r for r in stored.trail() if r.action == "auth.sign_in_failed")
    assert (unknown.entity_id, unknown.actor_id, unknown.actor_name) == (
        "nobody.here", None, "system")


def test_a_very_long_user_name_fails_like_any_other(services: Services, stored) -> None:
    assert fail_sign_in(services, "x" * 10_000) == AuthenticationFailed.GENERIC
    assert stored.last().entity_id == "x" * 64


# ---------------------------------------------------------------- lockout


def test_lockout_after_five_failures_for_fifteen_minutes(
    services: Services, stored, nurse: Actor, nurse_password: str, clock: ManualClock,
) -> None:
    # Four failures do not lock, and a success clears the count.
    for _ in range(4):
        fail_sign_in(services, "nkim")
    assert stored.user("nkim").failed_attempts == 4
    assert services.auth.sign_in("nkim", nurse_password) == nurse
    assert stored.user("nkim").failed_attempts == 0

    for _ in range(5):
        fail_sign_in(services, "nkim")
    locked_at = clock.now()
    user = stored.user("nkim")
    assert user.locked_until == locked_at + timedelta(minutes=15)
    lock_record = next(r for r in reversed(stored.trail()) if r.action == "auth.account_locked")
    assert lock_record.decoded_new()["attempts"] == 5
    assert lock_record.entity_id == str(nurse.user_id)

    clock.advance(timedelta(minutes=14, seconds=59))
    fail_sign_in(services, "nkim", nurse_password)  # the right password, still locked
    assert stored.user("nkim").locked_until == locked_at + timedelta(minutes=15)  # not extended
    clock.advance(timedelta(seconds=1))
    assert services.auth.sign_in("nkim", nurse_password) == nurse
    user = stored.user("nkim")
    assert (user.failed_attempts, user.locked_until) == (0, None)


def test_failures_on_one_account_do_not_lock_another(
    services: Services, nurse: Actor, admin: Actor, admin_password: str,
) -> None:
    for _ in range(5):
        fail_sign_in(services, "nkim")
    assert services.auth.sign_in("admin", admin_password) == admin


def test_the_lockout_policy_is_configurable_and_audited(
    services: Services, stored, admin: Actor, nurse: Actor, nurse_password: str,
    clock: ManualClock,
) -> None:
    policy = SecurityPolicy(lockout_threshold=3, lockout_minutes=5, idle_lock_minutes=7)
    services.settings.change_security_policy(admin, policy)
    assert services.settings.security_policy() == policy
    record = stored.last()
    assert (record.action, record.entity_id, record.actor_id) == (
        "settings.changed", "security.policy", admin.user_id)
    assert record.decoded_old() == {"lockout_threshold": 5, "lockout_minutes": 15,
                                    "idle_lock_minutes": 10}
    assert record.decoded_new() == {"lockout_threshold": 3, "lockout_minutes": 5,
                                    "idle_lock_minutes": 7}

    for _ in range(2):
        fail_sign_in(services, "nkim")
    assert stored.user("nkim").locked_until is None
    fail_sign_in(services, "nkim")
    assert stored.user("nkim").locked_until == clock.now() + timedelta(minutes=5)
    fail_sign_in(services, "nkim", nurse_password)
    clock.advance(timedelta(minutes=5))
    assert services.auth.sign_in("nkim", nurse_password) == nurse


def test_setting_the_same_policy_again_writes_nothing(
    services: Services, stored, admin: Actor,
) -> None:
    before = stored.snapshot()
    services.settings.change_security_policy(admin, SecurityPolicy())
    assert stored.snapshot() == before


def test_unlock_clears_the_lock_at_once(
    services: Services, stored, admin: Actor, nurse: Actor, nurse_password: str,
    clock: ManualClock,
) -> None:
    for _ in range(5):
        fail_sign_in(services, "nkim")
    locked_until = stored.user("nkim").locked_until
    assert locked_until is not None
    unlocked = services.users.unlock(admin, nurse.user_id)
    assert (unlocked.locked_until, unlocked.failed_attempts) == (None, 0)
    record = stored.last()
    assert (record.action, record.actor_id, record.entity_id) == (
        "user.unlocked", admin.user_id, str(nurse.user_id))
    assert record.decoded_old()["locked_until"] == locked_until.isoformat()
    assert record.decoded_new() == {"locked_until": None, "failed_attempts": 0}
    assert services.auth.sign_in("nkim", nurse_password) == nurse


# ---------------------------------------------------------------- passwords


def test_a_reset_password_must_be_changed_at_next_sign_in(
    services: Services, stored, admin: Actor, nurse: Actor, nurse_password: str,
) -> None:
    for _ in range(5):
        fail_sign_in(services, "nkim")  # locked: a reset also unlocks
    old_hash = stored.password_hash("nkim")
    services.users.reset_password(admin, nurse.user_id, temporary_password="reset-temp-pass")
    record = stored.last()
    assert (record.action, record.actor_id, record.entity_id) == (
        "user.password_reset", admin.user_id, str(nurse.user_id))
    assert "reset-temp-pass" not in (record.new_values or "")
    user = stored.user("nkim")
    assert user.must_change_password
    assert user.locked_until is None
    assert stored.password_hash("nkim") != old_hash

    fail_sign_in(services, "nkim", nurse_password)  # the old password no longer works
    with pytest.raises(PasswordChangeRequired):
        services.auth.sign_in("nkim", "reset-temp-pass")
    assert stored.last().action != "auth.signed_in"

    services.auth.change_password("nkim", "reset-temp-pass", "brand-new-pass")
    assert stored.last().action == "user.password_changed"
    assert not stored.user("nkim").must_change_password
    assert stored.password_hash("nkim").startswith("$argon2id$")
    assert services.auth.sign_in("nkim", "brand-new-pass") == nurse
    fail_sign_in(services, "nkim", "reset-temp-pass")


def test_a_new_account_must_change_its_temporary_password(
    services: Services, staff, nurse_temporary: str,
) -> None:
    with pytest.raises(PasswordChangeRequired, match="Choose a new password"):
        services.auth.sign_in("nkim", nurse_temporary)


def test_change_password_refuses_bad_new_passwords_and_changes_nothing(
    services: Services, stored, nurse: Actor, nurse_password: str,
) -> None:
    before = stored.snapshot()
    for new, message in [("short", "too short"), ("has-nkim-inside", "user name"),
                         ("nurse-own-pass", "must differ")]:
        with pytest.raises(ValidationError, match=message) as caught:
            services.auth.change_password("nkim", nurse_password, new)
        assert caught.value.field == "password"
        assert stored.snapshot() == before


def test_change_password_with_the_wrong_current_password_fails_and_counts(
    services: Services, stored, nurse: Actor,
) -> None:
    old_hash = stored.password_hash("nkim")
    with pytest.raises(AuthenticationFailed):
        services.auth.change_password("nkim", WRONG, "another-good-pass")
    assert stored.password_hash("nkim") == old_hash
    assert stored.user("nkim").failed_attempts == 1


# ---------------------------------------------------------------- idle lock re-authentication


def test_confirm_identity_with_the_right_password_is_audited(
    services: Services, stored, nurse: Actor, nurse_password: str, clock: ManualClock,
) -> None:
    services.auth.record_idle_lock(nurse)
    assert stored.last().action == "auth.session_locked"
    services.auth.confirm_identity(nurse, nurse_password, purpose="unlock")
    record = stored.last()
    assert (record.action, record.actor_id, record.actor_name) == (
        "auth.identity_confirmed", nurse.user_id, "Nora Kim, RN")
    assert record.decoded_new() == {"purpose": "unlock"}
    assert record.at == clock.now()


def test_confirm_identity_with_a_wrong_password_fails_and_counts_toward_lockout(
    services: Services, stored, nurse: Actor, nurse_password: str,
) -> None:
    for attempt in range(1, 5):
        with pytest.raises(AuthenticationFailed):
            services.auth.confirm_identity(nurse, WRONG, purpose="unlock")
        assert stored.user("nkim").failed_attempts == attempt
    assert not any(r.action == "auth.identity_confirmed" for r in stored.trail())
    with pytest.raises(AuthenticationFailed):
        services.auth.confirm_identity(nurse, WRONG, purpose="unlock")
    assert stored.user("nkim").locked_until is not None
    with pytest.raises(AuthenticationFailed):  # locked: even the right password is refused
        services.auth.confirm_identity(nurse, nurse_password, purpose="unlock")
    assert not any(r.action == "auth.identity_confirmed" for r in stored.trail())


def test_confirm_identity_refuses_another_users_password(
    services: Services, admin: Actor, admin_password: str, nurse: Actor,
) -> None:
    forged = Actor(user_id=nurse.user_id, username="admin", full_name="x", role=Role.NURSE)
    with pytest.raises(AuthenticationFailed):
        services.auth.confirm_identity(forged, admin_password, purpose="unlock")


def test_sign_out_is_audited(services: Services, stored, admin: Actor) -> None:
    services.auth.record_sign_out(admin, why="user")
    record = stored.last()
    assert (record.action, record.actor_id, record.decoded_new()) == (
        "auth.signed_out", admin.user_id, {"why": "user"})


# ---------------------------------------------------------------- administration


def test_create_user_is_audited_without_the_password(
    services: Services, stored, admin: Actor, clock: ManualClock,
) -> None:
    user = services.users.create_user(
        admin, username=" T.Lopez ", full_name="  Tomas   Lopez, RN ", role="nurse",
        temporary_password="tomas-temp-pass")
    assert (user.username, user.full_name, user.role) == ("t.lopez", "Tomas Lopez, RN",
                                                          Role.NURSE)
    assert user.must_change_password
    assert user.active
    assert user.created_at == clock.now()
    record = stored.last()
    assert (record.action, record.actor_id, record.entity_type, record.entity_id) == (
        "user.created", admin.user_id, "user", str(user.id))
    assert record.decoded_new() == {"username": "t.lopez", "full_name": "Tomas Lopez, RN",
                                    "role": "nurse", "active": True}
    assert "tomas-temp-pass" not in (record.new_values or "")


BAD_NEW_USERS = [
    ({"username": "x"}, "username", "3 to 32 characters"),
    ({"username": "Has Space"}, "username", "3 to 32 characters"),
    ({"username": "admin"}, "username", "'admin' is taken"),
    ({"username": "ADMIN "}, "username", "'admin' is taken"),
    ({"full_name": " "}, "full_name", "full name"),
    ({"role": "surgeon"}, "role", "Choose a role"),
    ({"temporary_password": "short"}, "password", "too short"),
    ({"temporary_password": "xx-tlopez-xx"}, "password", "user name"),
]


def test_create_user_refuses_bad_input_and_changes_nothing(
    services: Services, stored, admin: Actor,
) -> None:
    before = stored.snapshot()
    for changes, field, message in BAD_NEW_USERS:
        values = {"username": "tlopez", "full_name": "Tomas Lopez", "role": "nurse",
                  "temporary_password": "tomas-temp-pass", **changes}
        with pytest.raises(ValidationError, match=message) as caught:
            services.users.create_user(admin, **values)
        assert caught.value.field == field, changes
        assert stored.snapshot() == before, changes


def test_update_user_records_old_and_new_values(
    services: Services, stored, admin: Actor, staff,
) -> None:
    services.users.update_user(admin, staff.nurse.user_id, full_name="Nora Kim-Lee, RN",
                               role=Role.CLINICIAN)
    record = stored.last()
    assert record.action == "user.updated"
    assert record.decoded_old() == {"username": "nkim", "full_name": "Nora Kim, RN",
                                    "role": "nurse", "active": True}
    assert record.decoded_new() == {"username": "nkim", "full_name": "Nora Kim-Lee, RN",
                                    "role": "clinician", "active": True}
    assert stored.user("nkim").role is Role.CLINICIAN


def test_an_update_that_changes_nothing_writes_no_audit_record(
    services: Services, stored, admin: Actor, staff,
) -> None:
    count = len(stored.trail())
    services.users.update_user(admin, staff.nurse.user_id, full_name="Nora Kim, RN",
                               role="nurse")
    assert len(stored.trail()) == count


def test_nobody_can_deactivate_themselves(services: Services, stored, admin: Actor) -> None:
    before = stored.snapshot()
    with pytest.raises(ValidationError, match="cannot deactivate your own account"):
        services.users.deactivate(admin, admin.user_id, reason="testing the rule")
    assert stored.snapshot() == before


def test_the_last_active_administrator_cannot_be_demoted(
    services: Services, stored, admin: Actor,
) -> None:
    before = stored.snapshot()
    with pytest.raises(ValidationError, match="last active administrator"):
        services.users.update_user(admin, admin.user_id, full_name="Ada Admin", role="nurse")
    assert stored.snapshot() == before


def test_an_administrator_can_step_down_once_another_is_active(
    services: Services, stored, admin: Actor,
) -> None:
    second = services.users.create_user(admin, username="boss2", full_name="Second Admin",
                                        role="administrator",
                                        temporary_password="second-temp-pass")
    services.users.deactivate(admin, second.id, reason="on leave")
    # The second administrator is inactive, so the first is still the last active one.
    with pytest.raises(ValidationError, match="last active administrator"):
        services.users.update_user(admin, admin.user_id, full_name="Ada Admin", role="nurse")
    services.users.reactivate(admin, second.id, reason="back from leave")
    services.users.update_user(admin, admin.user_id, full_name="Ada Admin", role="nurse")
    assert stored.user("admin").role is Role.NURSE
    # The last active administrator cannot be deactivated by anyone either.
    boss = actor_of(stored.user("boss2"))
    with pytest.raises(ValidationError, match="cannot deactivate your own account"):
        services.users.deactivate(boss, boss.user_id, reason="trying anyway")


def test_deactivation_needs_a_reason_and_blocks_sign_in_until_reactivated(
    services: Services, stored, admin: Actor, nurse: Actor, nurse_password: str,
) -> None:
    before = stored.snapshot()
    with pytest.raises(ValidationError, match="Give a reason") as caught:
        services.users.deactivate(admin, nurse.user_id, reason="  ")
    assert caught.value.field == "reason"
    assert stored.snapshot() == before

    services.users.deactivate(admin, nurse.user_id, reason="  left   the clinic ")
    record = stored.last()
    assert (record.action, record.reason) == ("user.deactivated", "left the clinic")
    assert (record.decoded_old(), record.decoded_new()) == ({"active": True}, {"active": False})
    fail_sign_in(services, "nkim", nurse_password)

    services.users.reactivate(admin, nurse.user_id, reason="returned")
    record = stored.last()
    assert (record.action, record.reason) == ("user.reactivated", "returned")
    assert (record.decoded_old(), record.decoded_new()) == ({"active": False}, {"active": True})
    assert services.auth.sign_in("nkim", nurse_password) == nurse


def test_reactivating_an_active_account_records_the_true_before_value(
    services: Services, stored, admin: Actor, staff,
) -> None:
    services.users.reactivate(admin, staff.nurse.user_id, reason="already active")
    record = stored.last()
    assert record.decoded_old() == {"active": True}  # the trail never states a false "before"


def test_acting_on_a_user_who_does_not_exist(services: Services, stored, admin: Actor) -> None:
    before = stored.snapshot()
    with pytest.raises(NotFound):
        services.users.unlock(admin, 9999)
    with pytest.raises(NotFound):
        services.users.reset_password(admin, 9999, temporary_password="some-temp-pass")
    assert stored.snapshot() == before


def test_list_users(services: Services, admin: Actor, staff) -> None:
    names = [user.username for user in services.users.list_users(admin)]
    assert sorted(names) == ["admin", "dpatel", "nkim"]


def test_create_from_command_line_is_audited_as_the_system(
    services: Services, stored, admin: Actor,
) -> None:
    user = services.users.create_from_command_line(
        username="rescue", full_name="Rescue Admin", role="administrator",
        password="help-me-in-now")
    assert user.must_change_password
    record = stored.last()
    assert (record.action, record.actor_id, record.actor_name) == ("user.created", None,
                                                                   "system")
    with pytest.raises(PasswordChangeRequired):
        services.auth.sign_in("rescue", "help-me-in-now")
