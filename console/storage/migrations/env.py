"""Alembic environment: always run with a connection handed in by console.storage.migrate."""

from __future__ import annotations

from alembic import context

from console.storage import rows  # noqa: F401  (registers the tables on Base.metadata)
from console.storage.base import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
