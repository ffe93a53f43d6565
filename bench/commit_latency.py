"""Commit latency of one clinical entry through the console's storage stack, against raw fsync.

One entry is the shape a vitals entry will have: one unit of work from the console's own
``Database.write()`` (engine from ``console.storage.engine``: WAL, ``synchronous=FULL``,
``BEGIN IMMEDIATE``) that inserts one row (a vitals-shaped bench table) and appends one audit
record through ``AuditRepository.append`` (head row locked, hash computed, head updated).
The database is created by ``open_database`` with the shipped migrations.

Measured, in a throwaway folder (or --dir, to test another disk):

1. raw fsync: write 4 KiB + ``os.fsync`` to a file in the same folder
2. WAL + FULL (the console's setting), commits back to back
3. WAL + NORMAL (comparison only; NORMAL may lose the last commits on a power cut)
4. WAL + OFF (never syncs, not durable): the CPU floor of the unit of work, so FULL - OFF is
   what durability costs

1-4 run in 4 interleaved rounds (a quarter of the samples each) and are pooled.
5. WAL + FULL driven by a QTimer in a Qt event loop (offscreen), with a 5 ms heartbeat timer:
   the longest gap between heartbeats shows how long the GUI thread was blocked.

Targets (performance baseline §3): commit p99 <= 5x raw-fsync p99, and <= 10 ms absolute; the
GUI thread never blocked > 16 ms.

    .venv/bin/python bench/commit_latency.py              # 2000 commits per configuration
    .venv/bin/python bench/commit_latency.py --quick      # 200
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import ROOT, machine_notes, median, percentile, table, verdict

sys.path.insert(0, str(ROOT))

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    Table,
    event,
    insert,
    text,
)

from console.config import AppConfig, sqlite_url
from console.services.startup import open_database
from console.storage.unit_of_work import Database

RATIO_TARGET = 5.0
ABSOLUTE_TARGET_S = 0.010
GUI_BLOCK_TARGET_S = 0.016
HEARTBEAT_MS = 5
WARM_UP = 20
ROUNDS = 4

bench_metadata = MetaData()
vitals = Table(
    "bench_vitals", bench_metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, nullable=False),
    Column("t", Float, nullable=False),
    Column("hr", Integer), Column("sbp", Integer), Column("dbp", Integer),
    Column("spo2", Integer), Column("rr", Integer), Column("etco2", Integer),
    Index("ix_bench_vitals_session_t", "session_id", "t"),
)


# ------------------------------------------------------------------ the measured work
def open_console_database(folder: Path, *, synchronous: str) -> Database:
    """The console's database (migrated by the console), optionally with another sync level."""
    config = AppConfig(data_dir=folder, database_url=sqlite_url(folder / "console.sqlite3"))
    database, _state = open_database(config)
    if synchronous != "FULL":
        @event.listens_for(database.engine, "connect")
        def _override(dbapi_connection: Any, _record: Any) -> None:
            # Runs after the console's own connect listener, so this setting wins.
            dbapi_connection.execute(f"PRAGMA synchronous={synchronous}")

        database.engine.dispose()  # new connections pick up the override
    bench_metadata.create_all(database.engine)
    return database


def synchronous_in_effect(database: Database) -> str:
    with database.write() as uow:
        value = uow.session.execute(text("PRAGMA synchronous")).scalar()
        mode = uow.session.execute(text("PRAGMA journal_mode")).scalar()
    names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    return f"{str(mode).upper()}+{names.get(int(value or 0), value)}"


def commit_one(database: Database, number: int) -> None:
    """One vitals-shaped entry and its audit record, in one unit of work (one commit)."""
    values = {"hr": 72 + number % 7, "sbp": 118, "dbp": 76, "spo2": 98, "rr": 14, "etco2": 36}
    with database.write() as uow:
        uow.session.execute(insert(vitals).values(session_id=1, t=float(number), **values))
        uow.audit.append(
            at=datetime.now(UTC), actor_id=None, actor_name="bench", action="vitals.recorded",
            entity_type="vital_sample", entity_id=str(number), new_values=values,
        )


def time_commits(database: Database, count: int, start: int = 0) -> list[float]:
    for number in range(start, start + WARM_UP):  # statement caches, page cache
        commit_one(database, number)
    durations = []
    for number in range(start + WARM_UP, start + WARM_UP + count):
        began = time.perf_counter()
        commit_one(database, number)
        durations.append(time.perf_counter() - began)
    return durations


def time_fsync(folder: Path, count: int) -> list[float]:
    """Append 4 KiB and fsync, ``count`` times, to a file beside the database."""
    path = folder / "fsync-probe.bin"
    block = os.urandom(4096)
    durations = []
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for _ in range(count):
            began = time.perf_counter()
            os.write(descriptor, block)
            os.fsync(descriptor)
            durations.append(time.perf_counter() - began)
    finally:
        os.close(descriptor)
        path.unlink()
    return durations


def commits_in_event_loop(database: Database, count: int) -> dict[str, float]:
    """Commits from a zero-interval QTimer on the GUI thread; a 5 ms heartbeat watches the loop."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    app = QCoreApplication.instance() or QApplication(sys.argv[:1])
    beats: list[float] = []
    durations: list[float] = []
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))
    committer = QTimer()
    committer.setInterval(0)
    offset = 10_000_000

    def tick() -> None:
        number = offset + len(durations)
        began = time.perf_counter()
        commit_one(database, number)
        durations.append(time.perf_counter() - began)
        if len(durations) >= count + WARM_UP:
            committer.stop()
            heartbeat.stop()
            app.quit()

    committer.timeout.connect(tick)
    heartbeat.start()
    committer.start()
    app.exec()
    measured = durations[WARM_UP:]
    gaps = [later - earlier for earlier, later in itertools.pairwise(beats)]
    return {
        "commits": len(measured),
        "commit_p50": percentile(measured, 0.50),
        "commit_p99": percentile(measured, 0.99),
        "commit_max": max(measured),
        "beats": len(beats),
        "gap_max": max(gaps) if gaps else float("nan"),
        "gap_p99": percentile(gaps, 0.99),
        "blocked_max": (max(gaps) - HEARTBEAT_MS / 1000) if gaps else float("nan"),
        "gaps_over_16ms": sum(1 for gap in gaps if gap > GUI_BLOCK_TARGET_S),
    }


# ------------------------------------------------------------------ reporting
def stats(durations: list[float]) -> dict[str, float]:
    return {
        "n": len(durations),
        "p50": percentile(durations, 0.50),
        "p99": percentile(durations, 0.99),
        "p999": percentile(durations, 0.999),
        "max": max(durations),
        "rate": len(durations) / sum(durations),
    }


def filesystem_of(folder: Path) -> str:
    best, kind = "", "unknown"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            _device, mount_point, fs_type, *_rest = line.split()
            if str(folder.resolve()).startswith(mount_point) and len(mount_point) > len(best):
                best, kind = mount_point, fs_type
    except OSError:
        pass
    return kind


def in_folder(folder: Path | None, work: Callable[[Path], None]) -> None:
    base = Path(tempfile.mkdtemp(prefix="console-commit-", dir=folder))
    try:
        work(base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 commits per configuration")
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--dir", type=Path, help="folder on the disk to test (default: temp)")
    parser.add_argument("--no-qt", action="store_true", help="skip the event-loop run")
    args = parser.parse_args()
    count = 200 if args.quick else args.commits

    def run(base: Path) -> None:
        print(f"commit latency: {machine_notes()}")
        print(f"folder {base} ({filesystem_of(base)}), {count} timed commits per configuration "
              f"in {ROUNDS} interleaved rounds, each after {WARM_UP} untimed")
        if filesystem_of(base) == "tmpfs":
            print("WARNING: tmpfs does not sync to a disk; use --dir on the real disk")
        # Interleaved rounds, so drift on a shared machine hits every configuration alike.
        databases: dict[str, Database] = {}
        labels: dict[str, str] = {}
        samples: dict[str, list[float]] = {"fsync": [], "FULL": [], "NORMAL": [], "OFF": []}
        try:
            for synchronous in ("FULL", "NORMAL", "OFF"):
                folder = base / synchronous.lower()
                folder.mkdir()
                databases[synchronous] = open_console_database(folder, synchronous=synchronous)
                labels[synchronous] = synchronous_in_effect(databases[synchronous])
            per_round = max(1, count // ROUNDS)
            for round_number in range(ROUNDS):
                samples["fsync"] += time_fsync(base, per_round)
                for synchronous, database in databases.items():
                    samples[synchronous] += time_commits(
                        database, per_round, start=round_number * (per_round + WARM_UP))
                print(f"  round {round_number + 1}/{ROUNDS} done", flush=True)
        finally:
            for database in databases.values():
                database.dispose()
        fsync_times = samples["fsync"]
        fsync = stats(fsync_times)
        results = {synchronous: stats(samples[synchronous]) for synchronous in databases}

        loop: dict[str, float] | None = None
        if not args.no_qt:
            folder = base / "event-loop"
            folder.mkdir()
            database = open_console_database(folder, synchronous="FULL")
            try:
                loop = commits_in_event_loop(database, count)
            finally:
                database.dispose()

        rows = [["raw 4 KiB write + fsync", fsync["n"], f"{fsync['p50'] * 1e3:.3f}",
                 f"{fsync['p99'] * 1e3:.3f}", f"{fsync['p999'] * 1e3:.3f}",
                 f"{fsync['max'] * 1e3:.2f}", f"{fsync['rate']:.0f}", "1.0x"]]
        for synchronous, result in results.items():
            rows.append([
                f"console unit of work, {labels[synchronous]}", result["n"],
                f"{result['p50'] * 1e3:.3f}", f"{result['p99'] * 1e3:.3f}",
                f"{result['p999'] * 1e3:.3f}", f"{result['max'] * 1e3:.2f}",
                f"{result['rate']:.0f}", f"{result['p99'] / fsync['p99']:.1f}x",
            ])
        print()
        print(table(["configuration", "n", "p50 ms", "p99 ms", "p99.9 ms", "max ms",
                     "per s", "p99 / fsync p99"], rows))
        full = results["FULL"]
        ratio = full["p99"] / fsync["p99"]
        print()
        print(f"WAL+FULL p99 / raw fsync p99 = {ratio:.1f}x (target <= {RATIO_TARGET}x: "
              f"{verdict(ratio, RATIO_TARGET)}); p99 {full['p99'] * 1e3:.2f} ms (target <= "
              f"{ABSOLUTE_TARGET_S * 1e3:.0f} ms: {verdict(full['p99'], ABSOLUTE_TARGET_S)})")
        print(f"at p50: WAL+FULL {full['p50'] * 1e3:.3f} ms = CPU floor (WAL+OFF) "
              f"{results['OFF']['p50'] * 1e3:.3f} ms + syncing "
              f"{(full['p50'] - results['OFF']['p50']) * 1e3:.3f} ms; WAL+NORMAL saves "
              f"{(full['p50'] - results['NORMAL']['p50']) * 1e3:.3f} ms; median raw fsync "
              f"{median(fsync_times) * 1e3:.3f} ms")
        if loop is not None:
            print()
            print(table(
                ["in a Qt event loop (WAL+FULL)", "value"],
                [["commits (one per zero-interval QTimer tick)", int(loop["commits"])],
                 ["commit p50 / p99 / max ms", f"{loop['commit_p50'] * 1e3:.2f} / "
                  f"{loop['commit_p99'] * 1e3:.2f} / {loop['commit_max'] * 1e3:.2f}"],
                 [f"heartbeats ({HEARTBEAT_MS} ms PreciseTimer)", int(loop["beats"])],
                 ["heartbeat gap p99 / max ms", f"{loop['gap_p99'] * 1e3:.2f} / "
                  f"{loop['gap_max'] * 1e3:.2f}"],
                 ["longest gap minus the interval ms (a lower bound of the longest block)",
                  f"{loop['blocked_max'] * 1e3:.2f}"],
                 ["heartbeat gaps > 16 ms (any cause, also other processes)",
                  int(loop["gaps_over_16ms"])]],
            ))
            blocked = max(loop["blocked_max"], loop["commit_max"])
            print()
            print(f"GUI thread blocked at most {blocked * 1e3:.1f} ms by a write (the longest "
                  f"commit or gap block; target <= 16 ms: {verdict(blocked, GUI_BLOCK_TARGET_S)})")

    in_folder(args.dir, run)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
