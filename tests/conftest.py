"""Shared fixtures: real temporary databases (SQLite always, PostgreSQL when a server is given)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

POSTGRES_URL = os.environ.get("CONSOLE_TEST_POSTGRES_URL", "")
TEST_START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.gui)


def _backends() -> list[object]:
    backends: list[object] = ["sqlite"]
    if POSTGRES_URL:
        backends.append(pytest.param("postgresql", marks=pytest.mark.postgres))
    elif os.environ.get("CI"):
        raise RuntimeError(
            "CI must test PostgreSQL too: CONSOLE_TEST_POSTGRES_URL is not set "
            "(scripts/test starts a throwaway server and sets it)."
        )
    return backends


def _fresh_postgres_database() -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"console_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a new database on the PostgreSQL test server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'console.sqlite3'}"
    else:
        yield from _fresh_postgres_database()


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    from console.domain.clock import ManualClock

    return ManualClock(TEST_START)


@pytest.fixture
def database(database_url: str):  # type: ignore[no-untyped-def]
    """A database migrated to head."""
    from console.storage.engine import make_engine
    from console.storage.migrate import upgrade_to_head
    from console.storage.unit_of_work import Database

    engine = make_engine(database_url)
    upgrade_to_head(engine)
    db = Database(engine)
    yield db
    db.dispose()


@pytest.fixture
def services(database, clock):  # type: ignore[no-untyped-def]
    from console.services.container import build_services

    return build_services(database, clock)


@pytest.fixture
def real_argon2() -> None:
    """Ask for this to hash with the production argon2 cost instead of the cheap test cost."""


@pytest.fixture(autouse=True)
def cheap_argon2(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, at a low cost, so creating accounts and failing sign-ins stays fast.

    The production parameters are checked in tests/services/test_passwords.py (which asks
    for ``real_argon2``).
    """
    if "real_argon2" in request.fixturenames:
        return
    from argon2 import PasswordHasher

    from console.services import passwords

    monkeypatch.setattr(passwords, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


ADMIN_PASSWORD = "first-clinic-pass"  # must not contain the user name


@pytest.fixture
def admin(services):  # type: ignore[no-untyped-def]
    """The clinic's first administrator, signed in."""
    return services.setup.initialise(
        clinic_name="Test Clinic", username="admin", full_name="Ada Admin", password=ADMIN_PASSWORD
    )
