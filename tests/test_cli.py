"""The administrator commands, run as an administrator runs them: ``python main.py ...``.

``self-test`` also opens the window, so it is left to the GUI and smoke tests.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.domain.audit import entry_hash
from console.services.demo import DEMO_ACCOUNTS
from console.storage.backup import backup_sqlite
from console.storage.migrate import HEAD_REVISION

ROOT = Path(__file__).resolve().parent.parent
DB = "console.sqlite3"

EXIT_OK, EXIT_REFUSED, EXIT_AUDIT_BROKEN = 0, 3, 4


def _command(data_dir: Path, database_url: str | None, args: Sequence[str]) -> list[str]:
    command = [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir)]
    if database_url:
        command += ["--database-url", database_url]
    return [*command, *args]


def _environment(data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in {"CONSOLE_DATA_DIR", "CONSOLE_DATABASE_URL", "CONSOLE_LOG_LEVEL"}}
    env["CONSOLE_CONFIG_FILE"] = str(data_dir.parent / "no-such-console.toml")
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def console(
    *args: str, data_dir: Path, database_url: str | None = None, stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_command(data_dir, database_url, args), input=stdin,
                          capture_output=True, text=True, timeout=180, cwd=ROOT,
                          env=_environment(data_dir), check=False)


def start_console(*args: str, data_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(_command(data_dir, None, args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env=_environment(data_dir))


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(path: Path, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def execute(path: Path, sql: str, params: Sequence[object] = ()) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute(sql, params)
        connection.commit()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seed-demo run for the module; tests get their own copy of the folder."""
    folder = tmp_path_factory.mktemp("template") / "data"
    result = console("seed-demo", data_dir=folder)
    assert result.returncode == EXIT_OK, result.stderr
    assert "Demonstration clinic seeded" in result.stdout
    for account in DEMO_ACCOUNTS:
        assert f"{account.username}" in result.stdout
        assert account.password in result.stdout
    return folder


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(demo_template, folder, ignore=shutil.ignore_patterns("logs"))
    return folder


def audit_count(folder: Path) -> int:
    return int(query(folder / DB, "SELECT COUNT(*) FROM audit_record")[0][0])


# ---------------------------------------------------------------- seed-demo and verify-audit


def test_seed_demo_then_verify_audit(demo: Path) -> None:
    result = console("verify-audit", data_dir=demo)
    assert result.returncode == EXIT_OK, result.stderr
    assert f"Audit trail intact: {audit_count(demo)} records verified." in result.stdout
    assert query(demo / DB, "SELECT COUNT(*) FROM patient") == [(12,)]
    roles = query(demo / DB, "SELECT role, COUNT(*) FROM user_account GROUP BY role")
    assert sorted(roles) == [("administrator", 1), ("clinician", 2), ("nurse", 2)]


def test_seed_demo_refuses_a_database_with_data(demo: Path) -> None:
    before = fingerprint(demo / DB)
    result = console("seed-demo", data_dir=demo)
    assert result.returncode == EXIT_REFUSED
    assert "already holds data" in result.stderr
    assert fingerprint(demo / DB) == before


def _forge_after_last(path: Path) -> None:
    sequence, last_hash = query(path, "SELECT sequence, hash FROM audit_record "
                                      "ORDER BY sequence DESC LIMIT 1")[0]
    fields = {"sequence": int(sequence) + 1, "at": datetime.now(UTC), "actor_id": None,
              "actor_name": "system", "action": "user.created", "entity_type": "user",
              "entity_id": "99", "old_values": None,
              "new_values": '{"role":"administrator","username":"mallory"}', "reason": None,
              "prev_hash": str(last_hash)}
    digest = entry_hash(**fields)
    row = {**fields, "at": fields["at"].strftime("%Y-%m-%d %H:%M:%S.%f"), "hash": digest}
    execute(path, f"INSERT INTO audit_record ({', '.join(row)}) "
                  f"VALUES ({', '.join('?' * len(row))})", list(row.values()))


def _forge_before_first(path: Path) -> None:
    execute(path, "INSERT INTO audit_record (sequence, at, actor_id, actor_name, action, "
                  "entity_type, entity_id, prev_hash, hash) VALUES (0, "
                  "'2026-11-24 08:00:00.000000', NULL, 'system', 'user.created', 'user', "
                  "'99', 'f', 'f')")


TAMPERING = {
    "update a value": (lambda p: execute(
        p, "UPDATE audit_record SET new_values = '{\"mrn\":\"FAKE\"}' WHERE sequence = 9"),
        lambda last: 9, "altered"),
    "delete a middle row": (lambda p: execute(
        p, "DELETE FROM audit_record WHERE sequence = 7"), lambda last: 7, "deleted"),
    "delete the last row": (lambda p: execute(
        p, "DELETE FROM audit_record WHERE sequence = (SELECT MAX(sequence) FROM audit_record)"),
        lambda last: last, "head"),
    "insert a forged row after the last": (_forge_after_last, lambda last: last + 1, "head"),
    "insert a forged row before the first": (_forge_before_first, lambda last: 0, "inserted"),
}


def test_verify_audit_names_the_first_bad_record(demo: Path, tmp_path: Path) -> None:
    """Each kind of tampering on its own copy; the checks run side by side to save time."""
    last = audit_count(demo)
    running = {}
    for number, (tampering, (tamper, _expected, _reason)) in enumerate(TAMPERING.items()):
        folder = tmp_path / f"copy{number}"
        shutil.copytree(demo, folder)
        tamper(folder / DB)
        running[tampering] = start_console("verify-audit", data_dir=folder)
    for tampering, process in running.items():
        out, err = process.communicate(timeout=180)
        _tamper, expected, reason = TAMPERING[tampering]
        assert process.returncode == EXIT_AUDIT_BROKEN, (tampering, out, err)
        assert f"Audit trail BROKEN at audit record #{expected(last)}:" in err, (tampering, err)
        assert reason in err, (tampering, err)
        assert out == "", tampering


# ---------------------------------------------------------------- migrate and create-user


def test_migrate_verify_and_create_user_on_either_database(
    database_url: str, tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    result = console("verify-audit", data_dir=data, database_url=database_url)
    assert result.returncode == EXIT_REFUSED
    assert "migrate" in result.stderr

    result = console("migrate", data_dir=data, database_url=database_url)
    assert result.returncode == EXIT_OK, result.stderr
    assert "up to date" in result.stdout
    if database_url.startswith("sqlite"):
        assert query(Path(database_url.removeprefix("sqlite:///")),
                     "SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]

    result = console("create-user", "--username", "Rescue", "--full-name", "Rescue Admin",
                     "--role", "administrator", "--password-stdin",
                     data_dir=data, database_url=database_url, stdin="help-me-in-now\n")
    assert result.returncode == EXIT_OK, result.stderr
    assert "Created administrator 'rescue'" in result.stdout
    assert "must be changed at first sign-in" in result.stdout

    result = console("verify-audit", data_dir=data, database_url=database_url)
    assert result.returncode == EXIT_OK, result.stderr
    assert "1 records verified" in result.stdout


def test_create_user_makes_an_account_that_must_change_its_password(demo: Path) -> None:
    result = console("create-user", "--username", "tlopez2", "--full-name", "Tomas Lopez",
                     "--role", "nurse", "--password-stdin", data_dir=demo,
                     stdin="a-temporary-pass\n")
    assert result.returncode == EXIT_OK, result.stderr
    rows = query(demo / DB, "SELECT role, must_change_password, password_hash "
                            "FROM user_account WHERE username = 'tlopez2'")
    assert len(rows) == 1
    role, must_change, digest = rows[0]
    assert (role, must_change) == ("nurse", 1)
    assert str(digest).startswith("$argon2id$")
    last = query(demo / DB, "SELECT action, actor_name FROM audit_record "
                            "ORDER BY sequence DESC LIMIT 1")
    assert last == [("user.created", "system")]
    assert console("verify-audit", data_dir=demo).returncode == EXIT_OK


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--username", "tlopez2"], "short\n", "too short"),
        (["--username", "nkim"], "a-temporary-pass\n", "'nkim' is taken"),
    ],
)
def test_create_user_refuses_bad_input_and_creates_nothing(
    demo: Path, args: list[str], password: str, message: str,
) -> None:
    before = fingerprint(demo / DB)
    result = console("create-user", *args, "--full-name", "Tomas Lopez", "--role", "nurse",
                     "--password-stdin", data_dir=demo, stdin=password)
    assert result.returncode == EXIT_REFUSED
    assert message in result.stderr
    assert result.stderr.startswith("Check the entry: ")
    assert fingerprint(demo / DB) == before


# ---------------------------------------------------------------- backup


def test_backup_while_another_connection_holds_a_write_transaction(
    demo: Path, tmp_path: Path,
) -> None:
    writer = sqlite3.connect(demo / DB, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE patient SET given_name = 'Uncommitted'")
        result = console("backup", str(tmp_path / "copy.sqlite3"), data_dir=demo)
        writer.execute("ROLLBACK")
    finally:
        writer.close()
    assert result.returncode == EXIT_OK, result.stderr
    assert f"Backup written to {tmp_path / 'copy.sqlite3'}" in result.stdout
    assert f"schema {HEAD_REVISION}" in result.stdout
    copy = tmp_path / "copy.sqlite3"
    assert query(copy, "SELECT COUNT(*) FROM patient WHERE given_name = 'Uncommitted'") == [(0,)]
    assert query(copy, "PRAGMA integrity_check") == [("ok",)]
    # The copy is a complete console database: verify it where it stands.
    restored_folder = tmp_path / "from-backup"
    restored_folder.mkdir()
    shutil.copy(copy, restored_folder / DB)
    result = console("verify-audit", data_dir=restored_folder)
    assert result.returncode == EXIT_OK, result.stderr
    assert f"{audit_count(demo)} records verified" in result.stdout


def test_backup_into_a_folder_picks_a_timestamped_name(demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    result = console("backup", str(folder), data_dir=demo)
    assert result.returncode == EXIT_OK, result.stderr
    written = list(folder.iterdir())
    assert len(written) == 1
    assert written[0].name.startswith("console-backup-")
    assert written[0].suffix == ".sqlite3"


def test_backup_never_overwrites(demo: Path, tmp_path: Path) -> None:
    target = tmp_path / "exists.sqlite3"
    target.write_bytes(b"keep me")
    result = console("backup", str(target), data_dir=demo)
    assert result.returncode == EXIT_REFUSED
    assert "already exists" in result.stderr
    assert target.read_bytes() == b"keep me"


# ---------------------------------------------------------------- restore


@pytest.fixture
def backup_of_demo(demo: Path, tmp_path: Path) -> Path:
    """A backup as the command writes it (the command itself is tested above)."""
    return backup_sqlite(demo / DB, tmp_path / "monday.sqlite3").path


def test_restore_replaces_the_database_and_keeps_the_previous_file(
    demo: Path, backup_of_demo: Path,
) -> None:
    added = console("create-user", "--username", "later1", "--full-name", "Added Later",
                    "--role", "nurse", "--password-stdin", data_dir=demo,
                    stdin="a-temporary-pass\n")
    assert added.returncode == EXIT_OK, added.stderr
    records_before_restore = audit_count(demo)
    backup_digest = fingerprint(backup_of_demo)

    result = console("restore", str(backup_of_demo), data_dir=demo)
    assert result.returncode == EXIT_OK, result.stderr
    assert "audit records verified" in result.stdout
    kept = list(demo.glob("console.before-restore-*.sqlite3"))
    assert len(kept) == 1
    assert f"kept at {kept[0]}" in result.stdout
    assert query(kept[0], "SELECT COUNT(*) FROM user_account WHERE username = 'later1'") == [(1,)]
    assert query(kept[0], "SELECT COUNT(*) FROM audit_record") == [(records_before_restore,)]
    assert query(demo / DB, "SELECT COUNT(*) FROM user_account WHERE username = 'later1'") == [
        (0,)]
    assert fingerprint(backup_of_demo) == backup_digest

    result = console("verify-audit", data_dir=demo)
    assert result.returncode == EXIT_OK, result.stderr
    assert f"{records_before_restore - 1} records verified" in result.stdout


def test_restore_refuses_a_file_that_is_not_a_database(demo: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(os.urandom(32 * 1024))
    before = fingerprint(demo / DB)
    result = console("restore", str(junk), data_dir=demo)
    assert result.returncode == EXIT_REFUSED
    assert "not a console database" in result.stderr
    assert fingerprint(demo / DB) == before
    assert not list(demo.glob("*before-restore*"))


def test_restore_refuses_a_sqlite_file_of_another_program(demo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    execute(other, "CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    before = fingerprint(demo / DB)
    result = console("restore", str(other), data_dir=demo)
    assert result.returncode == EXIT_REFUSED
    assert "not a console database" in result.stderr
    assert fingerprint(demo / DB) == before


def test_restore_refuses_a_backup_with_a_tampered_audit_trail(
    demo: Path, backup_of_demo: Path,
) -> None:
    execute(backup_of_demo, "UPDATE audit_record SET reason = 'edited' WHERE sequence = 3")
    before = fingerprint(demo / DB)
    result = console("restore", str(backup_of_demo), data_dir=demo)
    assert result.returncode == EXIT_REFUSED
    assert "audit trail does not verify" in result.stderr
    assert "#3" in result.stderr
    assert fingerprint(demo / DB) == before
    assert not list(demo.glob("*before-restore*"))


# ---------------------------------------------------------------- unusable databases


def test_an_unreachable_postgresql_server_exits_3_with_a_clear_message(tmp_path: Path) -> None:
    result = console("verify-audit", data_dir=tmp_path / "data",
                     database_url="postgresql+psycopg://console@127.0.0.1:1/console")
    assert result.returncode == EXIT_REFUSED
    assert result.stderr.startswith("Database unavailable: The database server cannot be reached")
    assert "Traceback" not in result.stderr


def test_a_data_folder_that_cannot_be_created_exits_3(tmp_path: Path) -> None:
    """A read-only folder is the usual case, but tests run as root, for whom chmod does not
    make a folder read-only; a path under a regular file fails for every user."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = console("verify-audit", data_dir=blocker / "data")
    assert result.returncode == EXIT_REFUSED
    assert "cannot be created" in result.stderr
    assert "--data-dir" in result.stderr
    assert blocker.read_text() == "x"


def _random_bytes(folder: Path, template: Path) -> None:
    folder.mkdir(parents=True)
    (folder / DB).write_bytes(os.urandom(64 * 1024))


def _damaged_pages(folder: Path, template: Path) -> None:
    shutil.copytree(template, folder, ignore=shutil.ignore_patterns("logs"))
    data = bytearray((folder / DB).read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    assert data[:16] == b"SQLite format 3\x00"
    for index in range(3 * page_size, 6 * page_size):
        data[index] ^= 0x5A
    (folder / DB).write_bytes(bytes(data))


@pytest.mark.parametrize("make_bad", [_random_bytes, _damaged_pages],
                         ids=["not-sqlite", "damaged-pages"])
def test_a_bad_database_file_exits_3_and_is_left_untouched(
    make_bad: Callable[[Path, Path], None], demo_template: Path, tmp_path: Path,
) -> None:
    folder = tmp_path / "data"
    make_bad(folder, demo_template)
    before = fingerprint(folder / DB)
    running = {}
    for command in ("verify-audit", "migrate", "seed-demo"):
        copy = tmp_path / command
        shutil.copytree(folder, copy)
        running[command] = start_console(command, data_dir=copy)
    for command, process in running.items():
        _out, err = process.communicate(timeout=180)
        assert process.returncode == EXIT_REFUSED, (command, err)
        assert err.startswith("Database unavailable: "), (command, err)
        assert "Restore the latest backup" in err, (command, err)
        assert "Traceback" not in err
        assert fingerprint(tmp_path / command / DB) == before, command


@pytest.mark.parametrize("command", [["verify-audit"], ["backup", "."]])
def test_read_only_commands_on_a_folder_without_a_database_create_nothing(
    tmp_path: Path, command: list[str],
) -> None:
    data_dir = tmp_path / "empty"
    data_dir.mkdir()
    result = console(*command, data_dir=data_dir)
    assert result.returncode == EXIT_REFUSED
    assert "no console database" in result.stderr
    assert not (data_dir / DB).exists()
