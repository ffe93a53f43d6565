"""Concurrent writers never fork the audit chain: every append succeeds, the chain stays linear."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from sqlalchemy import select

from console.domain.identity import Actor
from console.services.container import Services
from console.storage.rows import AuditRow
from console.storage.unit_of_work import Database

THREADS = 4
APPENDS_PER_THREAD = 12


def sequences(database: Database) -> list[int]:
    with database.read() as uow:
        return list(uow.session.scalars(select(AuditRow.sequence).order_by(AuditRow.sequence)))


def test_threads_appending_at_once_keep_one_chain(
    services: Services, database: Database, admin: Actor,
) -> None:
    before = services.audit.verify().records
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def work(number: int) -> None:
        try:
            start.wait(timeout=30)
            for index in range(APPENDS_PER_THREAD):
                if index % 2:
                    services.auth.record_idle_lock(admin)
                else:
                    services.settings.rename_clinic(admin, f"Clinic {number}-{index}")
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread below
            failures.append(exc)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers)
    assert failures == []
    report = services.audit.verify()
    assert report.intact, report.problem
    total = before + THREADS * APPENDS_PER_THREAD
    assert report.records == total
    assert sequences(database) == list(range(1, total + 1))


WORKER = textwrap.dedent("""
    import os, sys, time
    from console.domain.clock import SystemClock
    from console.services.base import actor_of
    from console.services.container import build_services
    from console.storage.engine import make_engine
    from console.storage.unit_of_work import Database

    url, go_file, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    database = Database(make_engine(url))
    services = build_services(database, SystemClock())
    with database.read() as uow:
        admin = actor_of(uow.users.find_by_username("admin"))
    open(f"{go_file}.ready.{os.getpid()}", "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(go_file):
        if time.monotonic() > deadline:
            sys.exit("never started")
        time.sleep(0.005)
    for _ in range(count):
        services.auth.record_idle_lock(admin)
    database.dispose()
""")


def test_processes_appending_at_once_keep_one_chain(
    services: Services, database: Database, admin: Actor, database_url: str, tmp_path: Path,
) -> None:
    """Two console processes on one database, as two PCs (PostgreSQL) or two windows (SQLite)."""
    before = services.audit.verify().records
    go = tmp_path / "go"
    per_process = 25
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, database_url, str(go), str(per_process)],
            cwd=Path(__file__).resolve().parents[2],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("go.ready.*"))) < len(processes):  # both are ready to write
        assert time.monotonic() < deadline, "the writer processes did not start"
        assert all(process.poll() is None for process in processes)
        time.sleep(0.01)
    go.touch()
    results = [process.communicate(timeout=120) for process in processes]
    for process, (_out, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
    report = services.audit.verify()
    assert report.intact, report.problem
    total = before + 2 * per_process
    assert report.records == total
    assert sequences(database) == list(range(1, total + 1))
