"""The migration chain: linear, one head, equal to the models, and safe to run at start-up."""

from __future__ import annotations

import itertools
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from console.errors import SchemaOutOfDate, StorageUnavailable
from console.paths import migrations_path
from console.storage import migrate
from console.storage.base import Base
from console.storage.engine import make_engine
from console.storage.migrate import (
    HEAD_REVISION,
    alembic_config,
    backup_before_upgrade,
    prepare_schema,
    schema_state,
    script_head,
    upgrade_to_head,
)

CONSOLE_TABLES = {*Base.metadata.tables, "alembic_version"}
FOUNDATION_TABLES = {"alembic_version", "audit_head", "audit_record", "patient", "setting",
                     "user_account"}


@pytest.fixture
def engine(database_url: str):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


# ---------------------------------------------------------------- the chain


def test_the_chain_is_linear_with_one_base_and_one_head() -> None:
    scripts = ScriptDirectory(str(migrations_path()))
    revisions = list(scripts.walk_revisions())
    assert revisions, "no migration scripts were found in the package"
    assert len(scripts.get_heads()) == 1
    assert len(scripts.get_bases()) == 1
    for revision in revisions:
        assert not revision.is_merge_point, f"{revision.revision} merges branches"
        assert not revision.is_branch_point, f"{revision.revision} starts a branch"
    # walk_revisions goes head -> base: every step points at the next one down.
    for newer, older in itertools.pairwise(revisions):
        assert newer.down_revision == older.revision


def test_the_code_knows_the_script_head() -> None:
    assert script_head() == HEAD_REVISION


def test_the_migrations_ship_inside_the_package() -> None:
    folder = migrations_path()
    assert (folder / "env.py").is_file()
    assert (folder / "script.py.mako").is_file()
    assert any((folder / "versions").glob("*.py"))


# ---------------------------------------------------------------- schema equals models


def test_upgrading_an_empty_database_yields_the_models_schema(engine) -> None:
    upgrade_to_head(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True})
        differences = compare_metadata(context, Base.metadata)
        tables = set(inspect(connection).get_table_names())
        version = connection.scalar(text("SELECT version_num FROM alembic_version"))
    assert differences == []
    assert tables == CONSOLE_TABLES
    assert tables >= FOUNDATION_TABLES
    assert version == HEAD_REVISION


def test_the_comparison_would_notice_a_difference(engine) -> None:
    """Guard for the test above: drop an index and compare_metadata must report it."""
    upgrade_to_head(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_audit_record_action"))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert any(diff[0] == "add_index" for diff in differences)


def test_downgrade_to_base_and_upgrade_again(engine) -> None:
    upgrade_to_head(engine)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    upgrade_to_head(engine)
    assert schema_state(engine).is_current


# ---------------------------------------------------------------- start-up decisions


def test_prepare_schema_creates_an_empty_sqlite_database_without_a_copy(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    try:
        state = prepare_schema(engine, backup_dir=tmp_path / "backups", allow_upgrade=True)
    finally:
        engine.dispose()
    assert state.current == HEAD_REVISION
    assert state.is_current
    assert not (tmp_path / "backups").exists() or not any((tmp_path / "backups").iterdir())


def test_prepare_schema_on_a_current_database_changes_nothing(engine, tmp_path: Path) -> None:
    upgrade_to_head(engine)
    state = prepare_schema(engine, backup_dir=tmp_path / "backups", allow_upgrade=False)
    assert state.is_current
    assert not (tmp_path / "backups").exists()


def test_an_empty_database_is_not_upgraded_unless_allowed(engine, tmp_path: Path) -> None:
    with pytest.raises(SchemaOutOfDate, match=r"run: main\.py .*migrate") as caught:
        prepare_schema(engine, backup_dir=tmp_path, allow_upgrade=False)
    assert "'empty'" in caught.value.message
    if engine.dialect.name == "sqlite":
        assert "Start the console once" in caught.value.message
    with engine.connect() as connection:
        assert inspect(connection).get_table_names() == []


def test_a_schema_from_a_newer_console_is_refused(engine, tmp_path: Path) -> None:
    upgrade_to_head(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(StorageUnavailable, match="newer version"):
        prepare_schema(engine, backup_dir=tmp_path / "backups", allow_upgrade=True)
    with engine.connect() as connection:  # nothing was touched
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "9999_future"
    assert not (tmp_path / "backups").exists()


def test_a_database_of_some_other_program_is_refused(engine, tmp_path: Path) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    with pytest.raises(StorageUnavailable, match="not a console database"):
        prepare_schema(engine, backup_dir=tmp_path, allow_upgrade=True)
    with engine.connect() as connection:
        assert inspect(connection).get_table_names() == ["invoices"]


SECOND_REVISION = '''"""test-only second revision

Revision ID: 0002_test_only
Revises: {head}
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_test_only"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("setting") as batch_op:
        batch_op.add_column(sa.Column("test_only_note", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("setting") as batch_op:
        batch_op.drop_column("test_only_note")
'''


@pytest.fixture
def newer_scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped migrations plus one more revision, as a newer console has."""
    folder = tmp_path / "migrations"
    shutil.copytree(migrations_path(), folder,
                    ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "0002_test_only.py").write_text(
        SECOND_REVISION.format(head=HEAD_REVISION), encoding="utf-8")
    monkeypatch.setattr(migrate, "migrations_path", lambda: folder)
    monkeypatch.setattr(migrate, "HEAD_REVISION", "0002_test_only")
    return folder


def _seed_old_database(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    try:
        # The shipped head, by name: the "old" schema for the newer console.
        config = alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, HEAD_REVISION)
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO setting (key, value, updated_at) "
                "VALUES ('clinic.name', '\"Old Clinic\"', '2026-11-24 09:00:00')"))
    finally:
        engine.dispose()


def test_an_older_sqlite_schema_is_copied_before_it_is_upgraded(
    tmp_path: Path, newer_scripts: Path,
) -> None:
    database = tmp_path / "console.sqlite3"
    _seed_old_database(database)
    backups = tmp_path / "backups"
    engine = make_engine(f"sqlite:///{database}")
    try:
        state = prepare_schema(engine, backup_dir=backups, allow_upgrade=True)
    finally:
        engine.dispose()
    assert state.current == "0002_test_only"
    copies = list(backups.glob("pre-migration-*.sqlite3"))
    assert len(copies) == 1
    assert copies[0].name.startswith(f"pre-migration-{HEAD_REVISION}-")
    # The copy holds the old schema (taken before the upgrade) and the data.
    with sqlite3.connect(copies[0]) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (
            HEAD_REVISION,)
        columns = {row[1] for row in copy.execute("PRAGMA table_info(setting)")}
        assert "test_only_note" not in columns
        assert copy.execute("SELECT value FROM setting").fetchall() == [('"Old Clinic"',)]
    copy.close()
    with sqlite3.connect(database) as live:
        columns = {row[1] for row in live.execute("PRAGMA table_info(setting)")}
        assert "test_only_note" in columns
        assert live.execute("SELECT value FROM setting").fetchall() == [('"Old Clinic"',)]
    live.close()


def test_an_older_schema_is_not_upgraded_when_upgrades_are_not_allowed(
    tmp_path: Path, newer_scripts: Path,
) -> None:
    database = tmp_path / "console.sqlite3"
    _seed_old_database(database)
    before = database.read_bytes()
    engine = make_engine(f"sqlite:///{database}")
    try:
        with pytest.raises(SchemaOutOfDate, match=f"at '{HEAD_REVISION}'.*migrate"):
            prepare_schema(engine, backup_dir=tmp_path / "backups", allow_upgrade=False)
    finally:
        engine.dispose()
    assert database.read_bytes() == before
    assert not (tmp_path / "backups").exists()


def test_backup_before_upgrade_is_a_complete_consistent_copy(tmp_path: Path) -> None:
    database = tmp_path / "console.sqlite3"
    _seed_old_database(database)
    # Hold a connection with committed data still in the WAL: the copy must include it.
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE setting SET value = '\"Renamed\"'"))
        with engine.connect():
            copy = backup_before_upgrade(database, tmp_path / "b", HEAD_REVISION)
    finally:
        engine.dispose()
    assert copy.parent == tmp_path / "b"
    with sqlite3.connect(copy) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert check.execute("SELECT value FROM setting").fetchall() == [('"Renamed"',)]
    check.close()
