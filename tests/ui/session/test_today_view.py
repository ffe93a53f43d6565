"""The Today list: check-in confirmed by two identifiers, opening a session, overdue in cyan."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from console.domain.vitals import VitalValues
from console.ui.session import TodayView
from console.ui.session.identity import CheckInDialog, ConfirmPatientDialog
from console.ui.session.today import OVERDUE_COLOUR, SessionTableModel
from tests.ui.session_support import double_checked, programmed


def today_view(qtbot, services, nurse, clock) -> TodayView:  # type: ignore[no-untyped-def]
    view = TodayView(services=services, actor=nurse, clock=clock)
    qtbot.addWidget(view)
    view.resize(1400, 880)
    view.show()
    return view


def patient(services, nurse, mrn: str):  # type: ignore[no-untyped-def]
    return services.patients.search(nurse, mrn)[0]


def test_check_in_needs_two_identifiers_and_then_shows_the_patient_row(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    view = today_view(qtbot, services, nurse, clock)
    assert view.model.rowCount() == 0
    assert view.empty_label.isVisible()
    qtbot.mouseClick(view.check_in_button, Qt.MouseButton.LeftButton)
    dialog = view.dialogs.active_dialog
    assert isinstance(dialog, CheckInDialog)
    qtbot.keyClicks(dialog.search_edit, "Alvarez")
    dialog.results.setCurrentRow(0)
    assert "ALVAREZ, Sofia" in dialog.identity.banner.identifiers.text()

    dialog.identity.name_matches.setChecked(True)
    qtbot.keyClicks(dialog.identity.second, "DEMO0006")  # another patient's MRN
    dialog.accept_button.click()
    assert dialog.isVisible()
    assert "does not match" in dialog.message.text()
    assert services.sessions.today(nurse) == []

    dialog.identity.second.setText("09May1990")  # the date of birth works too
    dialog.accept_button.click()
    assert not dialog.isVisible()
    assert view.session_view is not None  # straight to the session screen
    assert "ALVAREZ, Sofia" in view.session_view.identity.identifiers.text()

    qtbot.mouseClick(view.session_view.back_button, Qt.MouseButton.LeftButton)
    assert view.model.rowCount() == 1
    row = view.model.text(0, SessionTableModel.PATIENT)
    assert "ALVAREZ, Sofia" in row
    assert "MRN DEMO0005" in row
    assert view.model.text(0, SessionTableModel.STAGE) == "Preparing"


def test_check_in_refusal_stays_in_the_dialog(qtbot, services, nurse, clock):  # type: ignore[no-untyped-def]
    view = today_view(qtbot, services, nurse, clock)
    view.check_in()
    dialog = view.dialogs.active_dialog
    assert isinstance(dialog, CheckInDialog)
    qtbot.keyClicks(dialog.search_edit, "DEMO0001")  # no verified protocol
    dialog.results.setCurrentRow(0)
    dialog.identity.name_matches.setChecked(True)
    qtbot.keyClicks(dialog.identity.second, "DEMO0001")
    dialog.accept_button.click()
    assert dialog.isVisible()
    assert "no verified protocol" in dialog.message.text()


def test_opening_a_session_first_confirms_the_patient(qtbot, services, nurse, clock):  # type: ignore[no-untyped-def]
    record = services.sessions.check_in(nurse, patient(services, nurse, "DEMO0005").id)
    view = today_view(qtbot, services, nurse, clock)
    view.select(record.id)
    view.open_selected()
    dialog = view.dialogs.active_dialog
    assert isinstance(dialog, ConfirmPatientDialog)
    dialog.accept_button.click()  # nothing confirmed yet
    assert dialog.isVisible()
    assert view.session_view is None
    dialog.identity.name_matches.setChecked(True)
    qtbot.keyClicks(dialog.identity.second, "demo0005")
    dialog.accept_button.click()
    assert view.session_view is not None
    assert view.pages.currentIndex() == TodayView.SESSION_PAGE


def test_a_running_session_shows_rate_and_an_overdue_observation_in_cyan(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = programmed(services, nurse, "DEMO0005")
    double_checked(services, record)
    services.sessions.record_vitals(nurse, record.id, VitalValues(
        heart_rate=72, systolic=124, diastolic=78, spo2=98, respiratory_rate=14))
    services.sessions.start(nurse, record.id)
    clock.advance(timedelta(minutes=3))
    view = today_view(qtbot, services, nurse, clock)
    model = view.model
    assert model.text(0, SessionTableModel.RATE) == "24.5 mL/h"
    assert model.text(0, SessionTableModel.NEXT_OBS).startswith("in 2 min")
    assert not model.overdue(0)

    clock.advance(timedelta(minutes=7))
    view.refresh()
    index = model.index(0, SessionTableModel.NEXT_OBS)
    assert model.text(0, SessionTableModel.NEXT_OBS) == "OVERDUE 5 min"
    assert model.data(index, Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_COLOUR
    assert model.text(0, SessionTableModel.ELAPSED) == "10 min"
    assert model.text(0, SessionTableModel.DELIVERED) == "4.1 mg"
