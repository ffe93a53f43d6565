"""Opening the configured database: clear refusals, and damaged files left exactly as they were."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from console.config import DATABASE_FILE_NAME, AppConfig, load_config, sqlite_url
from console.errors import SchemaOutOfDate, StorageUnavailable
from console.services.container import build_services
from console.services.startup import ensure_writable_folder, open_database
from console.storage.migrate import HEAD_REVISION


def config_for(data_dir: Path, database_url: str | None = None) -> AppConfig:
    return AppConfig(data_dir=data_dir,
                     database_url=database_url or sqlite_url(data_dir / DATABASE_FILE_NAME))


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def seeded_file(folder: Path, clock) -> Path:
    """A real console database with some content, closed cleanly."""
    database, _ = open_database(config_for(folder))
    try:
        build_services(database, clock).setup.initialise(
            clinic_name="Clinic", username="admin", full_name="Ada Admin",
            password="first-clinic-pass")
    finally:
        database.dispose()
    return folder / DATABASE_FILE_NAME


def damage(path: Path) -> None:
    """Scramble pages 4 to 6: the header and schema still read, the tables do not."""
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    assert len(data) >= 8 * page_size
    for index in range(3 * page_size, 6 * page_size):
        data[index] = (data[index] * 7 + 13) % 256
    path.write_bytes(bytes(data))


def test_a_fresh_folder_gets_a_new_database_at_head(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "data"
    database, state = open_database(config_for(folder))
    try:
        assert state.current == HEAD_REVISION
        with database.engine.connect() as connection:
            assert "audit_record" in inspect(connection).get_table_names()
    finally:
        database.dispose()
    assert (folder / DATABASE_FILE_NAME).is_file()


def test_a_data_folder_that_cannot_be_created_is_refused(tmp_path: Path) -> None:
    """Under a regular file: refused for every user, root included."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageUnavailable, match=r"cannot be created.*--data-dir"):
        open_database(config_for(blocker / "data"))
    assert blocker.read_text() == "not a folder"


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """A folder nobody may write into: immutable for root (who ignores mode bits), 0500 else."""
    as_root = os.geteuid() == 0
    if as_root:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    else:
        folder.chmod(0o500)
    try:
        yield
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o700)


def test_a_read_only_data_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    with read_only(folder):
        with pytest.raises(StorageUnavailable, match="read-only"):
            ensure_writable_folder(folder)
        with pytest.raises(StorageUnavailable, match="read-only"):
            open_database(config_for(folder))
        assert list(folder.iterdir()) == []


def test_a_file_that_is_not_sqlite_is_refused_and_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    target = folder / DATABASE_FILE_NAME
    target.write_bytes(os.urandom(64 * 1024))
    before = fingerprint(target)
    with pytest.raises(StorageUnavailable, match="not a console database or is damaged") as caught:
        open_database(config_for(folder))
    assert "left untouched" in caught.value.message
    assert fingerprint(target) == before
    assert sorted(p.name for p in folder.iterdir()) == [DATABASE_FILE_NAME]


def test_a_damaged_database_is_refused_and_untouched(tmp_path: Path, clock) -> None:
    target = seeded_file(tmp_path / "data", clock)
    damage(target)
    before = fingerprint(target)
    with pytest.raises(StorageUnavailable, match=r"damaged|integrity check") as caught:
        open_database(config_for(tmp_path / "data"))
    assert "backup" in caught.value.message
    assert fingerprint(target) == before


def test_a_damaged_database_in_rollback_journal_mode_is_untouched(tmp_path: Path, clock) -> None:
    """As a restored backup is: switching it to WAL would write to the damaged file."""
    target = seeded_file(tmp_path / "data", clock)
    connection = sqlite3.connect(target)
    try:
        assert connection.execute("PRAGMA journal_mode=DELETE").fetchone() == ("delete",)
    finally:
        connection.close()
    damage(target)
    before = fingerprint(target)
    with pytest.raises(StorageUnavailable, match=r"damaged|integrity check"):
        open_database(config_for(tmp_path / "data"))
    assert fingerprint(target) == before


def test_a_healthy_rollback_journal_database_is_switched_to_wal(tmp_path: Path, clock) -> None:
    target = seeded_file(tmp_path / "data", clock)
    connection = sqlite3.connect(target)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
    database, _ = open_database(config_for(tmp_path / "data"))
    try:
        with database.engine.connect() as check:
            assert check.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        database.dispose()


def test_an_unreachable_postgresql_server_is_refused_clearly(tmp_path: Path) -> None:
    url = "postgresql+psycopg://console@127.0.0.1:1/console"
    with pytest.raises(StorageUnavailable, match="server cannot be reached") as caught:
        open_database(config_for(tmp_path / "data", url))
    assert "Check the address" in caught.value.message


def test_start_up_upgrades_sqlite_but_never_postgresql_silently(
    database_url: str, tmp_path: Path,
) -> None:
    config = config_for(tmp_path / "data", database_url)
    if database_url.startswith("postgresql"):
        with pytest.raises(SchemaOutOfDate, match="migrate"):
            open_database(config)
        database, state = open_database(config, upgrade=True)  # what 'migrate' does
        database.dispose()
        assert state.current == HEAD_REVISION
    database, state = open_database(config)
    database.dispose()
    assert state.current == HEAD_REVISION


# ---------------------------------------------------------------- start-up settings


def test_settings_layer_defaults_file_environment_command_line(tmp_path: Path) -> None:
    settings_file = tmp_path / "console.toml"
    settings_file.write_text(
        '[console]\ndata_dir = "/from/file"\nlog_level = "debug"\n'
        'database_url = "sqlite:////from/file.sqlite3"\n', encoding="utf-8")
    environ = {"CONSOLE_DATA_DIR": str(tmp_path / "from-env")}

    from_file = load_config({}, environ={}, config_file=settings_file)
    assert from_file.data_dir == Path("/from/file")
    assert from_file.database_url == "sqlite:////from/file.sqlite3"
    assert from_file.log_level == "DEBUG"

    from_env = load_config({}, environ=environ, config_file=settings_file)
    assert from_env.data_dir == tmp_path / "from-env"
    assert from_env.database_url == "sqlite:////from/file.sqlite3"  # env did not name one

    from_cli = load_config({"data_dir": str(tmp_path / "cli"), "database_url": None},
                           environ=environ, config_file=settings_file)
    assert from_cli.data_dir == tmp_path / "cli"
    assert from_cli.log_level == "DEBUG"


def test_without_a_database_url_the_database_lives_in_the_data_folder(tmp_path: Path) -> None:
    config = load_config({"data_dir": str(tmp_path / "d")}, environ={},
                         config_file=tmp_path / "absent.toml")
    assert config.database_url == f"sqlite:///{tmp_path / 'd' / DATABASE_FILE_NAME}"
    assert config.is_sqlite
    assert config.log_dir == tmp_path / "d" / "logs"
    assert config.backup_dir == tmp_path / "d" / "backups"
    assert config.log_level == "INFO"


def test_an_unreadable_settings_file_is_refused_clearly(tmp_path: Path) -> None:
    broken = tmp_path / "console.toml"
    broken.write_text("data_dir = [unterminated", encoding="utf-8")
    with pytest.raises(StorageUnavailable, match=r"settings file .* cannot be read"):
        load_config({}, environ={}, config_file=broken)
