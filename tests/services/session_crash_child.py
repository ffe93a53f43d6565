"""Child process for test_session_crash.py: runs a scripted infusion session through the real
services against a data folder and prints one JSON line per entry, only after the service
call has returned (that is, after the entry was committed), flushing each line at once.

    python tests/services/session_crash_child.py DATA_DIR

It keeps recording vital signs and rate changes, pauses and resumes until it is killed.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from console.config import DATABASE_FILE_NAME, sqlite_url  # noqa: E402
from console.domain.bedside import DoubleCheckEntry, Preparation  # noqa: E402
from console.domain.clock import SystemClock  # noqa: E402
from console.domain.vitals import VitalValues  # noqa: E402
from console.services.container import build_services  # noqa: E402
from console.services.session_records import SessionRecord  # noqa: E402
from console.storage.engine import make_engine  # noqa: E402
from console.storage.unit_of_work import Database  # noqa: E402

BAG = Preparation(Decimal(50), "LOT123", date(2027, 1, 1), Decimal(100), "Sodium chloride 0.9%",
                  Decimal(100))
MAX_ROUNDS = 400


def ack(kind: str, **fields: object) -> None:
    print(json.dumps({"ack": kind, **fields}), flush=True)


def event_ack(record: SessionRecord) -> None:
    event = record.events[-1]
    ack("event", event=event.kind.value, at=event.at.isoformat(),
        rate=None if event.rate_ml_per_h is None else str(event.rate_ml_per_h))


def vitals_ack(record: SessionRecord) -> None:
    vital = record.vitals[-1]
    ack("vitals", id=vital.id, heart_rate=vital.values.heart_rate)


def main(data_dir: Path) -> int:
    database = Database(make_engine(sqlite_url(data_dir / DATABASE_FILE_NAME)))
    services = build_services(database, SystemClock())
    sessions = services.sessions
    nurse = services.auth.sign_in("nkim", "nurse-demo-1")
    patient = services.patients.search(nurse)[0]
    sid = sessions.check_in(nurse, patient.id).id
    ack("checked_in", session=sid, patient=patient.id)
    sessions.record_weight(nurse, sid, "70")
    ack("weighed", weight="70")
    sessions.record_preparation(nurse, sid, BAG)
    ack("prepared", lot=BAG.lot)
    sessions.program_pump(nurse, sid)
    ack("programmed", ml_per_h="24.5")
    sessions.double_check(sid, checker_username="tlopez", checker_password="nurse-demo-2",
                          entry=DoubleCheckEntry(Decimal(70), Decimal(1), Decimal("24.5")))
    ack("double_checked", checker="tlopez")
    vitals_ack(sessions.record_vitals(nurse, sid, VitalValues(
        heart_rate=72, systolic=128, diastolic=80, spo2=98, respiratory_rate=14)))
    event_ack(sessions.start(nurse, sid))
    for round_number in range(MAX_ROUNDS):
        vitals_ack(sessions.record_vitals(nurse, sid, VitalValues(
            heart_rate=60 + round_number % 50, spo2=97, respiratory_rate=14)))
        event_ack(sessions.change_rate(nurse, sid, "30" if round_number % 2 == 0 else "24.5",
                                       reason="titrated to pain score"))
        if round_number % 3 == 2:
            event_ack(sessions.pause(nurse, sid, reason="patient to the bathroom"))
            event_ack(sessions.resume(nurse, sid))
        sessions.heartbeat(nurse, sid)
    database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
