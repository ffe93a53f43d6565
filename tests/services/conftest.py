"""Fixtures for service tests: staff accounts and a direct look at what was stored."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from console.domain.audit import AuditEntry
from console.domain.identity import Actor, Role, User
from console.services.base import actor_of
from console.services.container import Services
from console.storage.unit_of_work import Database
from tests.conftest import ADMIN_PASSWORD, _backends, _fresh_postgres_database

NURSE_TEMPORARY = "nurse-temp-pass"
NURSE_OWN = "nurse-own-pass"
CLINICIAN_TEMPORARY = "clinic-temp-pass"


@pytest.fixture(scope="session")
def shared_postgres_database() -> Iterator[str]:
    """One PostgreSQL database for the session's service and storage tests.

    Creating and dropping a database for every test costs about half a second; emptying the
    public schema of one shared database costs a few milliseconds and leaves the same thing
    behind: an empty database.
    """
    yield from _fresh_postgres_database()


def _empty_postgres_database(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            # As DROP DATABASE ... WITH (FORCE) would: nothing left over may hold a lock.
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database, as tests/conftest.py gives, but PostgreSQL's is reused and emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'console.sqlite3'}"
    url: str = request.getfixturevalue("shared_postgres_database")
    _empty_postgres_database(url)
    return url


@dataclass(frozen=True)
class Staff:
    nurse: Actor
    clinician: Actor


class Stored:
    """Reads the database behind the services' backs, to check what they really wrote."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def trail(self) -> list[AuditEntry]:
        with self._db.read() as uow:
            return list(uow.audit.iterate())

    def last(self) -> AuditEntry:
        return self.trail()[-1]

    def users(self) -> dict[str, User]:
        with self._db.read() as uow:
            return {user.username: user for user in uow.users.list_all()}

    def user(self, username: str) -> User:
        return self.users()[username]

    def password_hash(self, username: str) -> str:
        with self._db.read() as uow:
            return uow.users.password_hash(self.user(username).id)

    def settings(self) -> dict[str, str]:
        with self._db.read() as uow:
            return uow.settings.all()

    def snapshot(self) -> tuple[object, ...]:
        """Everything a refused call must leave alone."""
        with self._db.read() as uow:
            hashes = {user.id: uow.users.password_hash(user.id) for user in uow.users.list_all()}
            return (self.trail(), self.users(), hashes, self.settings())


@pytest.fixture
def stored(database: Database) -> Stored:
    return Stored(database)


@pytest.fixture
def staff(services: Services, admin: Actor) -> Staff:
    """A nurse and a clinician, as the Actor that signing in hands out."""
    nurse = services.users.create_user(
        admin, username="nkim", full_name="Nora Kim, RN", role=Role.NURSE,
        temporary_password=NURSE_TEMPORARY)
    clinician = services.users.create_user(
        admin, username="dpatel", full_name="Dr Priya Patel", role="clinician",
        temporary_password=CLINICIAN_TEMPORARY)
    return Staff(nurse=actor_of(nurse), clinician=actor_of(clinician))


@pytest.fixture
def nurse(services: Services, staff: Staff) -> Actor:
    """The nurse after replacing her temporary password, so she can sign in normally."""
    services.auth.change_password("nkim", NURSE_TEMPORARY, NURSE_OWN)
    return staff.nurse


@pytest.fixture
def admin_password() -> str:
    """The password tests/conftest.py gives the first administrator."""
    return ADMIN_PASSWORD


@pytest.fixture
def nurse_password() -> str:
    return NURSE_OWN


@pytest.fixture
def nurse_temporary() -> str:
    return NURSE_TEMPORARY
