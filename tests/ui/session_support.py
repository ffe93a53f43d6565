"""Helpers shared by the Today and session-screen GUI tests (no tests in here).

They run on the demonstration clinic: nurses nkim and tlopez, clinicians dpatel and dokafor,
and four patients with a verified protocol (0.35 mg/kg/h for 4 h at 1 mg/mL).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from PySide6.QtCore import Qt

from console.domain.bedside import DoubleCheckEntry, Preparation
from console.domain.vitals import VitalValues

BAG = Preparation(Decimal(50), "KX2291", date(2027, 6, 30), Decimal(250),
                  "Sodium chloride 0.9%", Decimal(250))
MATCHING_CHECK = DoubleCheckEntry(Decimal(70), Decimal(1), Decimal("24.5"))


def demo_nurse(services):  # type: ignore[no-untyped-def]
    """Nora Kim, signed in, on the seeded demonstration clinic."""
    services.demo.seed()
    return services.auth.sign_in("nkim", "nurse-demo-1")


def programmed(services, nurse, mrn: str = "DEMO0005"):  # type: ignore[no-untyped-def]
    """The patient checked in, weighed (70 kg), bag prepared (1 mg/mL), pump programmed."""
    patient = services.patients.search(nurse, mrn)[0]
    record = services.sessions.check_in(nurse, patient.id)
    services.sessions.record_weight(nurse, record.id, "70")
    services.sessions.record_preparation(nurse, record.id, BAG)
    return services.sessions.program_pump(nurse, record.id)


def double_checked(services, record):  # type: ignore[no-untyped-def]
    """The second nurse re-enters the matching figures."""
    return services.sessions.double_check(record.id, checker_username="tlopez",
                                          checker_password="nurse-demo-2",
                                          entry=MATCHING_CHECK)


def running(services, nurse, clock, mrn: str = "DEMO0005"):  # type: ignore[no-untyped-def]
    """A session started, then 20 minutes of infusion."""
    record = programmed(services, nurse, mrn)
    double_checked(services, record)
    services.sessions.record_vitals(nurse, record.id, VitalValues(
        heart_rate=72, systolic=124, diastolic=78, spo2=98, respiratory_rate=14))
    record = services.sessions.start(nurse, record.id)
    clock.advance(timedelta(minutes=20))
    return record


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def choose(combo, text: str) -> None:  # type: ignore[no-untyped-def]
    """Pick the item reading exactly ``text`` (it must be offered)."""
    index = combo.findText(text)
    assert index >= 0, f"{text!r} is not offered"
    combo.setCurrentIndex(index)


def no_side_effects_review(services, nurse, session_id: int):  # type: ignore[no-untyped-def]
    """The discharge side-effect review with every item answered 'none' (signing needs it)."""
    terms = services.side_effects.lists(nurse).effects.codes
    return services.side_effects.record_review(nurse, session_id, dict.fromkeys(terms))
