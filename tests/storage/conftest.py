"""Storage tests get the same empty databases as the service tests (PostgreSQL reused)."""

from tests.services.conftest import database_url, shared_postgres_database

__all__ = ["database_url", "shared_postgres_database"]
