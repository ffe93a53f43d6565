"""Password hashing at the production cost, and upgrading old hashes on sign-in."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type
from argon2.profiles import RFC_9106_LOW_MEMORY

from console.domain.identity import Actor
from console.services import passwords
from console.services.container import Services

pytestmark = pytest.mark.usefixtures("real_argon2")


def test_the_production_hasher_is_argon2id_at_least_at_rfc_9106_low_memory_cost() -> None:
    params = passwords._hasher
    assert params.type is Type.ID
    assert params.memory_cost >= RFC_9106_LOW_MEMORY.memory_cost
    assert params.time_cost >= RFC_9106_LOW_MEMORY.time_cost
    digest = passwords.hash_password("correct horse battery")
    assert digest.startswith("$argon2id$")
    assert f"m={params.memory_cost}" in digest


def test_verify_password() -> None:
    digest = passwords.hash_password("correct horse battery")
    assert passwords.verify_password(digest, "correct horse battery")
    assert not passwords.verify_password(digest, "correct horse battery ")
    assert not passwords.verify_password(None, "not a real password")  # the dummy never passes
    assert not passwords.verify_password("not-a-hash", "anything")
    assert not passwords.verify_password("$argon2id$v=19$m=65536,t=3,p=4$broken", "anything")


def test_a_weaker_stored_hash_is_upgraded_at_the_next_sign_in(
    services: Services, database, admin: Actor,
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with database.write() as uow:
        uow.users.update(admin.user_id, {"password_hash": weak.hash("an-older-password")})
    assert passwords.needs_rehash(weak.hash("x"))
    assert services.auth.sign_in("admin", "an-older-password") == admin
    with database.read() as uow:
        upgraded = uow.users.password_hash(admin.user_id)
    assert upgraded.startswith("$argon2id$")
    assert not passwords.needs_rehash(upgraded)
    assert passwords.verify_password(upgraded, "an-older-password")
