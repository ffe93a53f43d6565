"""Nothing acknowledged is lost: a process running a session is killed with SIGKILL at many
points, and every entry it had acknowledged (printed after the service call returned) is in the
database, which passes SQLite's integrity check and the audit chain check; the session reopens
and, if it was running, shows the gap since the screen last spoke."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from console.config import DATABASE_FILE_NAME, sqlite_url
from console.domain.clock import ManualClock
from console.domain.identity import Actor
from console.services.audit import AuditFilter
from console.services.base import actor_of
from console.services.container import build_services
from console.services.session_records import SessionStage
from console.storage.engine import make_engine
from console.storage.unit_of_work import Database
from tests.services.session_crash_child import BAG

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("session_crash_child.py")
# Kill after each of the pre-start steps, then at random points while the infusion runs.
PRE_START_STEPS = list(range(1, 9))
RUNNING_KILLS = 16
SEED = 20261124


@dataclass
class Killed:
    folder: Path
    kill_after: int
    delay: float
    acks: list[dict[str, Any]]
    returncode: int


def _seed_template(folder: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(folder),
                             "seed-demo"], capture_output=True, text=True, cwd=ROOT,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr


def _run_and_kill(folder: Path, kill_after: int, delay: float) -> Killed:
    with (folder / "child-stderr.txt").open("w") as stderr, subprocess.Popen(
            [sys.executable, str(CHILD), str(folder)], stdout=subprocess.PIPE, stderr=stderr,
            text=True, cwd=ROOT) as child:
        assert child.stdout is not None
        lines: list[str] = []
        while len(lines) < kill_after:
            line = child.stdout.readline()
            if not line:
                break
            lines.append(line)
        if delay:
            time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        rest = child.stdout.read()
        child.wait(timeout=30)
    # Only whole lines were acknowledged (a line cut by the kill was not).
    lines += [line for line in rest.splitlines(keepends=True) if line.endswith("\n")]
    return Killed(folder, kill_after, delay, [json.loads(line) for line in lines],
                  child.returncode)


def _actor(database: Database, username: str) -> Actor:
    with database.read() as uow:
        return actor_of(next(u for u in uow.users.list_all() if u.username == username))


def _check(run: Killed) -> int:
    """Every acknowledged entry is stored; returns how many acknowledged entries were checked."""
    stderr = (run.folder / "child-stderr.txt").read_text()
    assert run.returncode == -signal.SIGKILL, stderr  # killed, not finished or crashed
    assert len(run.acks) >= run.kill_after, stderr
    path = run.folder / DATABASE_FILE_NAME
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        connection.close()

    clock = ManualClock(datetime.now(UTC) + timedelta(minutes=10))
    database = Database(make_engine(sqlite_url(path)))
    try:
        services = build_services(database, clock)
        report = services.audit.verify()
        assert report.problem is None, str(report.problem)
        admin, nurse = _actor(database, "admin"), _actor(database, "nkim")
        first = run.acks[0]
        assert first["ack"] == "checked_in"
        sid = first["session"]
        record = services.sessions.get(nurse, sid)
        assert record.patient.id == first["patient"]
        trail = services.audit.search(admin, AuditFilter(
            entity_type="session", entity_id=str(sid), limit=10_000))
        actions = {row.action for row in trail}
        vitals_audit = {row.decoded_new()["vital_id"] for row in trail
                        if row.action == "session.vitals"}
        events_audit = {(row.action, datetime.fromisoformat(row.decoded_new()["at"]))
                        for row in trail if row.action.removeprefix("session.") in
                        {"start", "pause", "resume", "rate-change", "stop"}}
        stored_vitals = {v.id: v.values.heart_rate for v in record.vitals}
        stored_events = {(e.kind.value, e.at): e.rate_ml_per_h for e in record.events}
        entries = 0
        for ack in run.acks:
            kind = ack["ack"]
            if kind == "checked_in":
                assert "session.checked_in" in actions
            elif kind == "weighed":
                assert record.weight_kg == Decimal(ack["weight"])
                assert "session.weighed" in actions
            elif kind == "prepared":
                assert record.preparation == BAG
                assert "session.prepared" in actions
            elif kind == "programmed":
                assert record.program is not None
                assert record.program.ml_per_h == Decimal(ack["ml_per_h"])
                assert "session.programmed" in actions
            elif kind == "double_checked":
                assert record.checked_by == "Tomas Lopez, RN"
                assert "session.double_checked" in actions
            elif kind == "vitals":
                assert stored_vitals.get(ack["id"]) == ack["heart_rate"], ack
                assert ack["id"] in vitals_audit, ack
                entries += 1
            else:
                assert kind == "event"
                at = datetime.fromisoformat(ack["at"])
                key = (ack["event"], at)
                assert key in stored_events, ack
                rate = stored_events[key]
                assert (None if rate is None else str(rate)) == ack["rate"], ack
                assert (f"session.{ack['event']}", at) in events_audit, ack
                entries += 1
        # No duplicates, and at most the one entry whose acknowledgement the kill cut off.
        assert len(stored_vitals) + len(stored_events) - entries in {0, 1}

        if record.stage in {SessionStage.RUNNING, SessionStage.PAUSED}:
            assert record.gap is not None
            assert record.gap[1] == clock.now()
            assert record.gap[0] <= clock.now() - timedelta(minutes=10)
            services.sessions.heartbeat(nurse, sid)
            assert services.sessions.get(nurse, sid).gap is None
        else:
            assert record.stage is SessionStage.PREPARING
            assert record.gap is None
        assert services.audit.verify().problem is None
        return len(run.acks)
    finally:
        database.dispose()


@pytest.mark.slow
def test_nothing_acknowledged_is_lost_when_the_process_is_killed(tmp_path: Path) -> None:
    started = time.monotonic()
    template = tmp_path / "template"
    _seed_template(template)
    chance = random.Random(SEED)
    plan = [(n, 0.0) for n in PRE_START_STEPS] + [
        (chance.randint(9, 60), chance.choice([0.0, chance.uniform(0, 0.06)]))
        for _ in range(RUNNING_KILLS)]
    folders = []
    for number in range(len(plan)):
        folder = tmp_path / f"run-{number:02d}"
        shutil.copytree(template, folder)
        folders.append(folder)
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda args: _run_and_kill(*args),
                             [(folder, n, delay) for folder, (n, delay) in zip(folders, plan,
                                                                               strict=True)]))
    checked = sum(_check(run) for run in runs)
    assert checked >= sum(n for n, _ in plan)
    running = sum(1 for run in runs if len(run.acks) > 7)
    assert running >= RUNNING_KILLS  # the infusion was running at most kills

    # The command-line check agrees on the last folder.
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir",
                             str(folders[-1]), "verify-audit"], capture_output=True, text=True,
                            cwd=ROOT, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "Audit trail intact" in result.stdout
    print(f"\n{len(runs)} kills, {checked} acknowledged entries checked, 0 lost, "
          f"{time.monotonic() - started:.1f} s")
