"""Administrator commands that need no window. Each returns a process exit code."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from console.config import AppConfig
from console.errors import UserFacingError

if TYPE_CHECKING:
    from console.services.container import Services
    from console.storage.unit_of_work import Database

# The service and storage imports are deferred into the commands: building the argument
# parser (also for --help and --version) must not pay for SQLAlchemy.

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_AUDIT_BROKEN = 4


def add_commands(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("seed-demo", help="seed the demonstration clinic into an empty database")
    commands.add_parser("self-test", help="check the database, the audit chain and the window")
    commands.add_parser("verify-audit", help="verify the audit trail's hash chain")
    commands.add_parser("migrate", help="upgrade the database schema (required for PostgreSQL)")
    create = commands.add_parser("create-user", help="create an account from the command line")
    create.add_argument("--username", required=True)
    create.add_argument("--full-name", required=True)
    create.add_argument("--role", required=True, choices=["nurse", "clinician", "administrator"])
    create.add_argument("--password-stdin", action="store_true",
                        help="read the temporary password from standard input")
    backup = commands.add_parser("backup", help="write a consistent copy of the database")
    backup.add_argument("path", type=Path, help="the new backup file, or a folder to put it in")
    restore = commands.add_parser("restore", help="replace the database with a backup file")
    restore.add_argument("path", type=Path)


def err(message: str) -> None:
    print(message, file=sys.stderr)


def _open(
    config: AppConfig, *, upgrade: bool | None = None, require_current: bool = True
) -> tuple[Database, Services]:
    from console.domain.clock import SystemClock
    from console.services.container import build_services
    from console.services.startup import open_database

    database, _state = open_database(config, upgrade=upgrade, require_current=require_current)
    return database, build_services(database, SystemClock())


def run_command(args: argparse.Namespace, config: AppConfig) -> int:
    """Run a windowless command; ``self-test`` is handled by the composition root."""
    handlers = {
        "seed-demo": seed_demo,
        "verify-audit": verify_audit,
        "migrate": migrate,
        "create-user": create_user,
        "backup": backup,
        "restore": restore,
    }
    try:
        return handlers[args.command](args, config)
    except UserFacingError as exc:
        err(f"{exc.title}: {exc.message}")
        return EXIT_REFUSED


def seed_demo(_args: argparse.Namespace, config: AppConfig) -> int:
    from console.services.demo import DEMO_ACCOUNTS

    database, services = _open(config)
    try:
        services.demo.seed()
    finally:
        database.dispose()
    print("Demonstration clinic seeded. Accounts (user name / password):")
    for account in DEMO_ACCOUNTS:
        print(f"  {account.role.label:<14} {account.username:<8} {account.password}")
    return EXIT_OK


def verify_audit(_args: argparse.Namespace, config: AppConfig) -> int:
    database, services = _open(config, upgrade=False, require_current=False)
    try:
        report = services.audit.verify()
    finally:
        database.dispose()
    if report.problem is not None:
        err(f"Audit trail BROKEN at {report.problem}")
        return EXIT_AUDIT_BROKEN
    print(f"Audit trail intact: {report.records} records verified.")
    return EXIT_OK


def migrate(_args: argparse.Namespace, config: AppConfig) -> int:
    database, _services = _open(config, upgrade=True)
    database.dispose()
    print("The database schema is up to date.")
    return EXIT_OK


def create_user(args: argparse.Namespace, config: AppConfig) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Temporary password: ")
        if getpass.getpass("Again: ") != password:
            err("The two passwords differ; nothing was created.")
            return EXIT_REFUSED
    database, services = _open(config)
    try:
        user = services.users.create_from_command_line(
            username=args.username, full_name=args.full_name, role=args.role, password=password
        )
    finally:
        database.dispose()
    print(f"Created {user.role.label.lower()} '{user.username}'; "
          "the password must be changed at first sign-in.")
    return EXIT_OK


def backup(args: argparse.Namespace, config: AppConfig) -> int:
    database, services = _open(config, upgrade=False, require_current=False)
    try:
        target = Path(args.path)
        if target.is_dir():
            target = services.backup.default_backup_name(target)
        result = services.backup.backup(target)
    finally:
        database.dispose()
    print(f"Backup written to {result.path} ({result.size_bytes / 1e6:.1f} MB, "
          f"schema {result.revision}).")
    return EXIT_OK


def restore(args: argparse.Namespace, config: AppConfig) -> int:
    from console.domain.clock import SystemClock
    from console.services.container import build_services
    from console.storage.engine import make_engine
    from console.storage.unit_of_work import Database

    # The current database is not checked first: a damaged one is exactly what a restore mends.
    database = Database(make_engine(config.database_url))
    services = build_services(database, SystemClock())
    try:
        result = services.backup.restore(Path(args.path))
    finally:
        database.dispose()
    print(f"Restored from {result.restored_from} ({result.audit_records} audit records verified).")
    if result.previous_kept_at is not None:
        print(f"The previous database was kept at {result.previous_kept_at}.")
    else:
        print("There was no previous database in that place.")
    database, _services = _open(config)  # upgrades an older backup's schema if needed
    database.dispose()
    return EXIT_OK
