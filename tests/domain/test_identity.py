"""User names, full names, password rules and the lockout policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain.clock import ManualClock, SystemClock, require_aware
from console.domain.identity import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    USERNAME_PATTERN,
    Role,
    SecurityPolicy,
    User,
    check_password_strength,
    normalise_full_name,
    normalise_username,
)
from console.errors import ValidationError

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


# ---------------------------------------------------------------- user names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("j.smith", "j.smith"), ("  J.Smith ", "j.smith"), ("NKIM", "nkim"), ("a_b-c.9", "a_b-c.9"),
     ("abc", "abc"), ("a" * 32, "a" * 32)],
)
def test_good_user_names_are_normalised(raw: str, expected: str) -> None:
    assert normalise_username(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "ab", "a" * 33, "1abc", ".abc", "j smith", "j@smith", "jörg", "nurse!", "   ", "_abc"],
)
def test_bad_user_names_are_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(ValidationError, match="user name is 3 to 32 characters") as caught:
        normalise_username(raw)
    assert caught.value.field == "username"


@given(st.text(max_size=40))
def test_user_name_normalisation_is_idempotent(raw: str) -> None:
    try:
        once = normalise_username(raw)
    except ValidationError:
        return
    assert normalise_username(once) == once
    assert USERNAME_PATTERN.fullmatch(once)


@given(st.from_regex(USERNAME_PATTERN, fullmatch=True), st.text(" \t", max_size=3))
def test_user_names_ignore_case_and_surrounding_space(name: str, padding: str) -> None:
    assert normalise_username(f"{padding}{name.upper()}{padding}") == name


# ---------------------------------------------------------------- full names


def test_full_names_collapse_whitespace() -> None:
    assert normalise_full_name("  Nora   Kim,\tRN ") == "Nora Kim, RN"


@pytest.mark.parametrize("raw", ["", " ", "A", "x" * 101, "  a  "])
def test_bad_full_names_are_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(ValidationError, match="full name") as caught:
        normalise_full_name(raw)
    assert caught.value.field == "full_name"


# ---------------------------------------------------------------- passwords


def test_a_good_password_passes() -> None:
    check_password_strength("correct horse battery", username="nkim")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1!", "too short"),
        ("x" * (MAX_PASSWORD_LENGTH - 3) + "abcd", "too long"),
        (" leading-space-pw", "starts or ends with a space"),
        ("trailing-space-pw ", "starts or ends with a space"),
        ("my-nkim-password", "must not contain the user name"),
        ("MY-NKIM-PASSWORD", "must not contain the user name"),
        ("abababababab", "four different"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        check_password_strength(password, username="nkim")
    assert caught.value.field == "password"


def test_password_length_bounds_are_inclusive() -> None:
    check_password_strength("abcd" + "x" * (MIN_PASSWORD_LENGTH - 4))
    check_password_strength("abcd" + "x" * (MAX_PASSWORD_LENGTH - 4))
    with pytest.raises(ValidationError, match="too short"):
        check_password_strength("abcd" + "x" * (MIN_PASSWORD_LENGTH - 5))


# ---------------------------------------------------------------- lockout policy


def test_the_default_policy_locks_after_five_failures_for_fifteen_minutes() -> None:
    policy = SecurityPolicy()
    assert (policy.lockout_threshold, policy.lockout_minutes) == (5, 15)
    assert policy.lockout_duration == timedelta(minutes=15)


@given(st.integers(min_value=3, max_value=20), st.integers(min_value=1, max_value=1440))
def test_after_failure_locks_exactly_at_the_threshold(threshold: int, minutes: int) -> None:
    policy = SecurityPolicy(lockout_threshold=threshold, lockout_minutes=minutes)
    count = 0
    for attempt in range(1, threshold):
        count, locked_until = policy.after_failure(count, NOW)
        assert (count, locked_until) == (attempt, None)
    count, locked_until = policy.after_failure(count, NOW)
    assert locked_until == NOW + timedelta(minutes=minutes)
    assert count == 0  # the count starts again once the lock has run out


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lockout_threshold": 2}, "lockout_threshold"),
        ({"lockout_threshold": 21}, "lockout_threshold"),
        ({"lockout_minutes": 0}, "lockout_minutes"),
        ({"lockout_minutes": 1441}, "lockout_minutes"),
        ({"idle_lock_minutes": 0}, "idle_lock_minutes"),
        ({"idle_lock_minutes": 61}, "idle_lock_minutes"),
    ],
)
def test_policy_bounds_are_enforced(changes: dict[str, int], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SecurityPolicy(**changes)
    assert caught.value.field == field


@given(st.integers(min_value=3, max_value=20), st.integers(min_value=1, max_value=1440),
       st.integers(min_value=1, max_value=60))
def test_every_policy_inside_the_bounds_is_accepted(t: int, m: int, idle: int) -> None:
    policy = SecurityPolicy(lockout_threshold=t, lockout_minutes=m, idle_lock_minutes=idle)
    assert policy.lockout_threshold == t


def test_a_user_is_locked_only_until_the_lock_time() -> None:
    user = User(id=1, username="nkim", full_name="Nora Kim", role=Role.NURSE, active=True,
                must_change_password=False, failed_attempts=0,
                locked_until=NOW + timedelta(minutes=15), created_at=NOW)
    assert user.is_locked(NOW)
    assert user.is_locked(NOW + timedelta(minutes=14, seconds=59))
    assert not user.is_locked(NOW + timedelta(minutes=15))
    unlocked = User(**{**{f: getattr(user, f) for f in User.__slots__}, "locked_until": None})
    assert not unlocked.is_locked(NOW)


def test_role_labels() -> None:
    assert [role.label for role in Role] == ["Nurse", "Clinician", "Administrator"]


# ---------------------------------------------------------------- clocks


def test_require_aware_refuses_naive_and_converts_to_utc() -> None:
    with pytest.raises(ValueError, match="naive"):
        require_aware(datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test
    local = NOW.astimezone(timezone(timedelta(hours=9)))
    assert require_aware(local).tzinfo is UTC
    assert require_aware(local) == NOW


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(NOW)
    assert clock.now() == NOW
    clock.advance(timedelta(minutes=5))
    assert clock.now() == NOW + timedelta(minutes=5)
    with pytest.raises(ValueError, match="naive"):
        ManualClock(datetime(2026, 1, 1))  # noqa: DTZ001


def test_system_clock_is_aware_utc() -> None:
    assert SystemClock().now().utcoffset() == timedelta(0)
