"""The composition root: arguments, configuration, logging, database, services, then Qt.

Nothing else wires objects together. Heavy imports (Qt, SQLAlchemy) are deferred until the
chosen command needs them, so commands and the first window start quickly.
"""

from __future__ import annotations

import argparse
import faulthandler
import logging
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from console import __version__
from console.config import AppConfig, load_config
from console.errors import UserFacingError

EXIT_REFUSED = 3
log = logging.getLogger("console.app")
_crash_file: TextIO | None = None


def build_parser() -> argparse.ArgumentParser:
    from console.cli import add_commands

    parser = argparse.ArgumentParser(
        prog="ketamine-console",
        description="Ketamine Infusion Console. Without a command, opens the console window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", help="folder for the database, logs and backups")
    parser.add_argument("--database-url", help="sqlite:///file or postgresql+psycopg://...")
    parser.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    parser.add_argument("--device-port", metavar="PORT",
                        help="TCP port on which the console listens for the monitor's HL7 feed "
                             "(default 2575)")
    parser.add_argument("--demo", action="store_true",
                        help="open a demonstration clinic (seeded on first use, in its own "
                             "data folder unless --data-dir is given)")
    add_commands(parser)
    return parser


def resolve_config(args: argparse.Namespace) -> AppConfig:
    data_dir = args.data_dir
    if args.demo and not data_dir and not args.database_url:
        from console.paths import default_data_dir

        data_dir = str(default_data_dir().with_name(default_data_dir().name + "-demo"))
    return load_config(
        {"data_dir": data_dir, "database_url": args.database_url, "log_level": args.log_level,
         "device_port": args.device_port}
    )


def start_logging(config: AppConfig) -> object:
    """Logging and a crash file for hard faults; returns the in-memory log tail."""
    global _crash_file
    from console.log import configure_logging
    from console.services.startup import ensure_writable_folder

    ensure_writable_folder(config.data_dir)
    tail = configure_logging(config.log_dir, config.log_level)
    _crash_file = (config.log_dir / "faults.log").open("a", encoding="utf-8")
    faulthandler.enable(_crash_file)
    log.info("console %s starting (python %s)", __version__, sys.version.split()[0])
    return tail


def main(argv: list[str] | None = None) -> int:
    if sys.version_info < (3, 12):  # noqa: UP036 (a wrong interpreter must be told why)
        print("The console needs Python 3.12 or later (PySide6 6.12 on 3.11 aborts live "
              "charts).", file=sys.stderr)
        return EXIT_REFUSED
    args = build_parser().parse_args(argv)
    try:
        config = resolve_config(args)
        tail = start_logging(config)
    except UserFacingError as exc:
        print(f"{exc.title}: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    try:
        if args.command == "self-test":
            return self_test(config)
        if args.command:
            from console.cli import run_command

            return run_command(args, config)
        return run_window(config, demo=args.demo, log_tail=tail)
    except Exception:
        log.exception("unexpected error")
        raise
    finally:
        from console.log import shutdown_logging

        shutdown_logging()
        if _crash_file is not None:
            faulthandler.disable()
            _crash_file.close()


def run_window(config: AppConfig, *, demo: bool, log_tail: object) -> int:
    from console.domain.clock import SystemClock
    from console.ui.application import ConsoleApplication

    app = ConsoleApplication(sys.argv[:1], log_tail=log_tail)
    try:
        opened = _open_for_window(config, demo=demo, app=app)
        if opened is None:
            return EXIT_REFUSED
        database, services = opened
        feed, monitor = _open_monitor_feed(config, services, demo=demo)
        try:
            return app.run(services=services, clock=SystemClock(), database_label=_label(config),
                           monitor=monitor)
        finally:
            monitor.close()
            feed.close()
            database.dispose()
    finally:
        app.shutdown()


def _open_monitor_feed(config: AppConfig, services: Any, *, demo: bool) -> tuple[Any, Any]:
    """The monitor feed (HL7 over MLLP) and its bridge to the window. A port in use is not
    fatal: the console runs without the feed and says so. Training (the simulated monitor)
    only in the demonstration clinic."""
    from console.services.device_feed import DeviceFeed, DeviceUnavailable
    from console.ui.devices import DeviceBridge

    feed = DeviceFeed(monitoring=services.monitoring, host=config.device_host,
                      port=config.device_port)
    problem = ""
    try:
        feed.start()
    except DeviceUnavailable as exc:
        problem = exc.message
        log.warning("%s; the console runs without the monitor feed", exc.message)
    return feed, DeviceBridge(feed, problem=problem, training=demo)


def _open_for_window(config: AppConfig, *, demo: bool, app: object) -> tuple | None:
    from console.domain.clock import SystemClock
    from console.services.container import build_services
    from console.services.demo import DEMO_CLINIC
    from console.services.startup import open_database

    try:
        database, _state = open_database(config)
    except UserFacingError as exc:
        log.error("database unavailable: %s", exc.message)
        app.show_fatal(exc)  # type: ignore[attr-defined]
        return None
    services = build_services(database, SystemClock())
    if demo:
        try:
            if not services.setup.is_initialised():
                services.demo.seed()
            elif services.settings.clinic_name() != DEMO_CLINIC:
                raise UserFacingError(
                    "This database holds a clinic's own data, so the demonstration was not "
                    "seeded into it. Start without --demo, or give --data-dir an empty folder."
                )
        except UserFacingError as exc:
            database.dispose()
            app.show_fatal(exc)  # type: ignore[attr-defined]
            return None
    return database, services


def _label(config: AppConfig) -> str:
    if config.is_sqlite:
        return f"SQLite · {config.database_url.removeprefix('sqlite:///')}"
    from sqlalchemy.engine import make_url

    url = make_url(config.database_url)
    return f"PostgreSQL · {url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def self_test(config: AppConfig) -> int:
    """Open the database, check schema and audit chain, open and close the window offscreen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from console.cli import EXIT_AUDIT_BROKEN
    from console.domain.clock import SystemClock
    from console.services.container import build_services
    from console.services.startup import open_database

    try:
        database, state = open_database(config)
    except UserFacingError as exc:
        print(f"self-test FAILED: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    try:
        services = build_services(database, SystemClock())
        report = services.audit.verify()
        if report.problem is not None:
            print(f"self-test FAILED: audit trail broken at {report.problem}", file=sys.stderr)
            return EXIT_AUDIT_BROKEN
        from console.ui.application import window_self_test

        window_self_test(services)
    finally:
        database.dispose()
    print(f"self-test passed: schema {state.current}, {report.records} audit records intact, "
          f"window opened and closed ({Path(sys.executable).name}).")
    return 0
