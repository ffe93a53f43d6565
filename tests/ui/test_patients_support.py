"""Helpers shared by the Patients, protocol and drug library GUI tests (no tests in here).

Everything runs against the real services over a temporary SQLite file: people are created as
an administrator would create them, and sign in with passwords of their own.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from console.domain.dosing import DoseOrder
from console.domain.drugs import DosingForm, Drug
from console.domain.identity import Actor, Role
from console.domain.patients import Answer, Contraindication, Patient
from console.domain.protocols import Course, LibraryStatus, LibraryVersion, PatientProtocol
from console.services.audit import AuditFilter
from console.services.patients import PatientDetails
from console.services.protocols import ProtocolDraft

LEFT = Qt.MouseButton.LeftButton
PATEL_PASSWORD = "doctor-own-pass-1"
OKAFOR_PASSWORD = "doctor-own-pass-2"
NURSE_PASSWORD = "nurse-own-pass-1"


def person(services, admin, username: str, full_name: str, role: Role,  # type: ignore[no-untyped-def]
           password: str) -> Actor:
    """An account created by the administrator, whose owner then chose ``password``."""
    services.users.create_user(admin, username=username, full_name=full_name, role=role,
                               temporary_password="temporary-pass-9")
    return services.auth.change_password(username, "temporary-pass-9", password)


def approve_shipped_library(services, clinician: Actor, password: str) -> None:  # type: ignore[no-untyped-def]
    """The shipped entries arrive as drafts after setup; a clinician approves them."""
    for version in services.library.list_versions(clinician):
        if version.status is LibraryStatus.DRAFT:
            services.library.approve(clinician, version.id, password=password)


def approved_entry(services, actor: Actor, drug: Drug = Drug.KETAMINE) -> LibraryVersion:  # type: ignore[no-untyped-def]
    return next(v for v in services.library.approved(actor) if v.entry.drug is drug)


def register(services, actor: Actor, *, mrn: str = "RPC-1001", family: str = "Harper",  # type: ignore[no-untyped-def]
             given: str = "Eleanor", born: date = date(1968, 3, 14), allergies: str = "",
             diagnosis: str = "Fibromyalgia") -> Patient:
    return services.patients.register(actor, PatientDetails(
        mrn=mrn, family_name=family, given_name=given, date_of_birth=born, sex="female",
        diagnosis=diagnosis, allergies=allergies))


def screen_all(services, screener: Actor, patient: Patient,  # type: ignore[no-untyped-def]
               **answers: tuple[Answer, str]) -> None:
    """Every question answered "no", except those given by name (``pregnancy=(YES, ...)``)."""
    chosen = dict.fromkeys(Contraindication, (Answer.NO, ""))
    for name, value in answers.items():
        chosen[Contraindication[name.upper()]] = value
    services.patients.record_screen(screener, patient.id, chosen)


def rate_draft(entry: LibraryVersion, *, rate: str = "0.35", minutes: int = 240,
               weight: str = "70") -> ProtocolDraft:
    return ProtocolDraft(
        library_entry_id=entry.id,
        order=DoseOrder(entry.entry.drug, DosingForm.RATE_DURATION,
                        concentration_mg_per_ml=Decimal(1), rate_mg_per_kg_h=Decimal(rate),
                        duration_minutes=Decimal(minutes)),
        course=Course(sessions=10, sessions_per_week=5), titration=None,
        planning_weight_kg=Decimal(weight))


def write_protocol(services, author: Actor, patient: Patient,  # type: ignore[no-untyped-def]
                   **draft: str) -> PatientProtocol:
    return services.protocols.create(author, patient.id,
                                     rate_draft(approved_entry(services, author), **draft))


def audit_actions(services, reader: Actor, prefix: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    return [entry.action
            for entry in services.audit.search(reader, AuditFilter(action_prefix=prefix or None))]


def audit_records(services, reader: Actor, action: str):  # type: ignore[no-untyped-def]
    return services.audit.search(reader, AuditFilter(action_prefix=action))


def click(qtbot, button: QWidget) -> None:  # type: ignore[no-untyped-def]
    assert button.isVisible(), f"{button.objectName()} is hidden"
    assert button.isEnabled(), f"{button.objectName()} is disabled"
    qtbot.mouseClick(button, LEFT)


def retype(qtbot, edit: QWidget, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(edit, text)


def choose(qtbot, combo, starts_with: str) -> None:  # type: ignore[no-untyped-def]
    """Pick the first item starting with ``starts_with`` with the arrow keys, as a person
    would (typing into a closed drop-down searches, but a space opens its list)."""
    wanted = next((i for i in range(combo.count())
                   if combo.itemText(i).startswith(starts_with)), None)
    assert wanted is not None, f"no item starts with {starts_with!r}"
    combo.setFocus()
    key = Qt.Key.Key_Down if wanted > combo.currentIndex() else Qt.Key.Key_Up
    for _ in range(abs(wanted - combo.currentIndex())):
        qtbot.keyClick(combo, key)
    assert combo.currentIndex() == wanted


def table_texts(table, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    model = table.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def click_row(qtbot, table, column: int, text: str) -> None:  # type: ignore[no-untyped-def]
    model = table.model()
    for row in range(model.rowCount()):
        index = model.index(row, column)
        if index.data() == text:
            qtbot.mouseClick(table.viewport(), LEFT, pos=table.visualRect(index).center())
            return
    raise AssertionError(f"{text!r} is not in the table")


def shown(qtbot, view: QWidget, size: tuple[int, int] = (1300, 860)) -> QWidget:  # type: ignore[no-untyped-def]
    """Show a view at a typical clinic-screen size, wait until it is exposed, and load it."""
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    view.refresh()  # type: ignore[attr-defined]
    return view


def model_rows(view: QWidget, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a view's table as {column title: text}."""
    model = view.table.model()  # type: ignore[attr-defined]
    return [{title: model.index(row, column).data() for column, title in enumerate(columns)}
            for row in range(model.rowCount())]


def approved_clinician(services, admin):  # type: ignore[no-untyped-def]
    """Dr Patel, who has approved the shipped drug library (protocols need approved entries)."""
    clinician = person(services, admin, "dpatel", "Dr Priya Patel", Role.CLINICIAN,
                       PATEL_PASSWORD)
    approve_shipped_library(services, clinician, PATEL_PASSWORD)
    return clinician
