"""The Patients area, driven as nurses, clinicians and administrators would, over real services."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from console.domain.clock import SystemClock
from console.domain.identity import Role
from console.domain.patients import Answer, Contraindication
from console.ui.admin.common import format_local_time
from console.ui.main_window import MainWindow
from console.ui.patients import PatientDialog, PatientsView, PatientTableModel, ScreeningDialog
from console.ui.patients.dialogs import DATE_OF_BIRTH_NEEDED
from console.ui.patients.models import ScreeningTableModel
from console.ui.protocols.models import ProtocolTableModel
from tests.ui.test_patients_support import (
    NURSE_PASSWORD,
    OKAFOR_PASSWORD,
    PATEL_PASSWORD,
    approve_shipped_library,
    audit_actions,
    audit_records,
    click,
    click_row,
    model_rows,
    person,
    register,
    retype,
    screen_all,
    shown,
    table_texts,
    write_protocol,
)


@pytest.fixture
def nurse(services, admin):  # type: ignore[no-untyped-def]
    return person(services, admin, "nkim", "Nora Kim, RN", Role.NURSE, NURSE_PASSWORD)


@pytest.fixture
def patel(services, admin):  # type: ignore[no-untyped-def]
    return person(services, admin, "dpatel", "Dr Priya Patel", Role.CLINICIAN, PATEL_PASSWORD)


@pytest.fixture
def okafor(services, admin):  # type: ignore[no-untyped-def]
    return person(services, admin, "dokafor", "Dr Chidi Okafor", Role.CLINICIAN, OKAFOR_PASSWORD)


def open_view(qtbot, services, actor) -> PatientsView:  # type: ignore[no-untyped-def]
    view = PatientsView(services=services, actor=actor)
    shown(qtbot, view)
    return view


def results(view: PatientsView) -> list[dict[str, str]]:
    return model_rows(view, PatientTableModel.COLUMNS)


def open_register(qtbot, view: PatientsView) -> PatientDialog:  # type: ignore[no-untyped-def]
    click(qtbot, view.register_button)
    dialog = view.active_dialog
    assert isinstance(dialog, PatientDialog)
    assert dialog.isVisible()
    return dialog


def fill_patient(qtbot, dialog: PatientDialog, *, mrn: str = "rpc-2001",  # type: ignore[no-untyped-def]
                 family: str = "Okafor", given: str = "Ada", born: str = "14Mar1968",
                 sex: str = "Female", diagnosis: str = "Neuro",
                 allergies: str = "Penicillin - rash") -> None:
    qtbot.keyClicks(dialog.mrn_edit, mrn)
    qtbot.keyClicks(dialog.family_edit, family)
    qtbot.keyClicks(dialog.given_edit, given)
    if born:
        dialog.born_edit.setFocus()
        qtbot.keyClicks(dialog.born_edit, born)
    qtbot.keyClicks(dialog.sex_combo, sex)
    qtbot.keyClicks(dialog.diagnosis_combo, diagnosis)
    qtbot.keyClicks(dialog.allergies_edit, allergies)


def open_record(qtbot, view: PatientsView, name: str) -> None:  # type: ignore[no-untyped-def]
    click_row(qtbot, view.table, PatientTableModel.NAME, name)
    click(qtbot, view.open_button)
    assert view.record_open
    assert view.detail.patient is not None


# ---------------------------------------------------------------------- registering
def test_registering_shows_the_patient_with_two_identifiers_and_audits_it(  # type: ignore[no-untyped-def]
    qtbot, services, admin, nurse
):
    view = open_view(qtbot, services, nurse)
    assert results(view) == []
    assert view.results_label.text() == "No patients registered yet. Register the first patient."
    dialog = open_register(qtbot, view)
    fill_patient(qtbot, dialog)
    click(qtbot, dialog.accept_button)

    assert view.active_dialog is None
    shown = results(view)
    assert shown == [{"Name": "OKAFOR, Ada", "MRN": "RPC-2001", "Date of birth": "14 Mar 1968",
                      "Age": "58", "Sex": "Female", "Diagnosis": "Neuropathic pain"}]
    # The new record opens, its banner carrying both identifiers.
    assert view.record_open
    banner = view.detail.banner.identifiers
    assert banner.isVisible()
    assert banner.text() == "OKAFOR, Ada · MRN RPC-2001 · DOB 14 Mar 1968"
    assert view.detail.banner.details.text() == "Age 58 · Female · Neuropathic pain"
    assert view.detail.allergies.present
    assert view.detail.allergies.text() == "ALLERGIES: Penicillin - rash"
    assert view.detail.notice.text() == (
        "Registered OKAFOR, Ada · MRN RPC-2001 · DOB 14 Mar 1968.")

    created = audit_records(services, admin, "patient.created")[0]
    assert created.actor_id == nurse.user_id
    assert created.decoded_new() == {
        "mrn": "RPC-2001", "family_name": "Okafor", "given_name": "Ada",
        "date_of_birth": "1968-03-14", "sex": "female", "diagnosis": "Neuropathic pain",
        "allergies": "Penicillin - rash"}


def test_a_duplicate_mrn_shows_the_service_message_inline_and_keeps_the_form(  # type: ignore[no-untyped-def]
    qtbot, services, admin, nurse
):
    register(services, nurse, mrn="RPC-1001")
    view = open_view(qtbot, services, nurse)
    before = audit_actions(services, admin)
    dialog = open_register(qtbot, view)
    fill_patient(qtbot, dialog, mrn="rpc-1001")
    click(qtbot, dialog.accept_button)

    assert view.active_dialog is dialog
    assert dialog.isVisible()
    assert dialog.message.text() == ("MRN RPC-1001 already belongs to HARPER, Eleanor (born "
                                     "14 Mar 1968). Open that record instead.")
    assert dialog.mrn_edit.property("invalid") is True
    assert dialog.family_edit.text() == "Okafor"
    assert dialog.given_edit.text() == "Ada"
    assert dialog.born_edit.value() == date(1968, 3, 14)
    assert dialog.allergies_edit.toPlainText() == "Penicillin - rash"
    assert audit_actions(services, admin) == before
    assert [row["Name"] for row in results(view)] == ["HARPER, Eleanor"]

    retype(qtbot, dialog.mrn_edit, "RPC-1002")
    assert dialog.mrn_edit.property("invalid") is True  # until the next attempt
    click(qtbot, dialog.accept_button)
    assert view.active_dialog is None
    assert "OKAFOR, Ada" in [row["Name"] for row in results(view)]


def test_a_date_of_birth_nobody_entered_is_never_saved(qtbot, services, admin, nurse):  # type: ignore[no-untyped-def]
    view = open_view(qtbot, services, nurse)
    dialog = open_register(qtbot, view)
    fill_patient(qtbot, dialog, born="")
    assert dialog.born_edit.text() == "Not entered"
    click(qtbot, dialog.accept_button)
    assert dialog.isVisible()
    assert dialog.message.text() == DATE_OF_BIRTH_NEEDED
    assert dialog.born_edit.property("invalid") is True
    assert "patient.created" not in audit_actions(services, admin)


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        ({"mrn": "#1"}, "The MRN is 3 to 32 letters, digits or dashes, as printed on the "
                        "patient's wristband.", "mrn"),
        ({"family": "Sm1th"}, "Enter the family name as on the patient's ID (letters, no "
                              "digits).", "family_name"),
        ({"sex": ""}, "Choose the patient's sex: female, male, other or unknown.", "sex"),
    ],
)
def test_other_refusals_mark_the_field_at_fault(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, change, message, field
):
    view = open_view(qtbot, services, nurse)
    dialog = open_register(qtbot, view)
    fill_patient(qtbot, dialog, **change)
    click(qtbot, dialog.accept_button)
    assert dialog.isVisible()
    assert dialog.message.text() == message
    assert dialog.fields()[field].property("invalid") is True


# ---------------------------------------------------------------------- searching
def test_search_by_name_mrn_or_date_of_birth(qtbot, services, nurse):  # type: ignore[no-untyped-def]
    register(services, nurse, mrn="RPC-1001", family="Harper", given="Eleanor",
             born=date(1968, 3, 14))
    register(services, nurse, mrn="RPC-2002", family="Nguyen", given="Daniel",
             born=date(1975, 11, 2))
    register(services, nurse, mrn="RPC-3003", family="Harrison", given="Paul",
             born=date(1975, 11, 2))
    view = open_view(qtbot, services, nurse)
    assert view.results_label.text() == "3 patients"

    qtbot.keyClicks(view.search_edit, "har")
    qtbot.keyClick(view.search_edit, Qt.Key.Key_Return)
    assert [r["Name"] for r in results(view)] == ["HARPER, Eleanor", "HARRISON, Paul"]
    assert view.results_label.text() == "2 patients found"

    retype(qtbot, view.search_edit, "2002")
    qtbot.waitUntil(lambda: [r["Name"] for r in results(view)] == ["NGUYEN, Daniel"])
    assert view.open_button.isEnabled(), "a single match is selected, ready to open"

    click(qtbot, view.clear_button)
    view.born_edit.setFocus()
    qtbot.keyClicks(view.born_edit, "02Nov1975")
    qtbot.waitUntil(lambda: len(results(view)) == 2)
    assert {r["MRN"] for r in results(view)} == {"RPC-2002", "RPC-3003"}

    qtbot.keyClicks(view.search_edit, "zz")
    qtbot.keyClick(view.search_edit, Qt.Key.Key_Return)
    assert results(view) == []
    assert view.results_label.text().startswith("No patient matches.")
    assert not view.open_button.isEnabled()


def test_double_click_opens_the_record_and_back_returns_to_the_results(  # type: ignore[no-untyped-def]
    qtbot, services, nurse
):
    register(services, nurse, allergies="")
    view = open_view(qtbot, services, nurse)
    index = view.table.model().index(0, PatientTableModel.NAME)
    centre = view.table.visualRect(index).center()
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert view.record_open
    assert view.detail.banner.identifiers.text() == (
        "HARPER, Eleanor · MRN RPC-1001 · DOB 14 Mar 1968")
    assert not view.detail.allergies.present
    assert view.detail.allergies.text() == "Allergies: none recorded"
    click(qtbot, view.back_button)
    assert not view.record_open
    assert view.table.isVisible()


# ---------------------------------------------------------------------- correcting
def test_editing_a_patient_keeps_old_and_new_values_with_the_reason(  # type: ignore[no-untyped-def]
    qtbot, services, admin, nurse
):
    patient = register(services, nurse)
    view = open_view(qtbot, services, nurse)
    open_record(qtbot, view, "HARPER, Eleanor")
    click(qtbot, view.edit_record_button)
    dialog = view.active_dialog
    assert isinstance(dialog, PatientDialog)
    assert dialog.mrn_edit.text() == "RPC-1001"
    assert dialog.born_edit.value() == date(1968, 3, 14)
    qtbot.keyClicks(dialog.allergies_edit, "Latex - contact dermatitis")
    qtbot.keyClicks(dialog.reason_edit, "Allergy reported by the patient today")
    click(qtbot, dialog.accept_button)

    assert view.active_dialog is None
    assert view.detail.allergies.text() == "ALLERGIES: Latex - contact dermatitis"
    updated = audit_records(services, admin, "patient.updated")[0]
    assert updated.entity_id == str(patient.id)
    assert updated.reason == "Allergy reported by the patient today"
    assert updated.decoded_old()["allergies"] == ""
    assert updated.decoded_new()["allergies"] == "Latex - contact dermatitis"


# ---------------------------------------------------------------------- the screen
def test_a_yes_without_details_is_refused_inline_then_the_screen_is_saved(  # type: ignore[no-untyped-def]
    qtbot, services, admin, nurse, clock
):
    patient = register(services, nurse)
    view = open_view(qtbot, services, nurse)
    open_record(qtbot, view, "HARPER, Eleanor")
    detail = view.detail
    assert detail.screen_status.text() == "Screen not done: no question answered yet."
    assert table_texts(detail.screen_table, ScreeningTableModel.ANSWER) == ["Not answered"] * 7

    click(qtbot, detail.screen_button)
    dialog = view.active_dialog
    assert isinstance(dialog, ScreeningDialog)
    assert dialog.banner.identifiers.text() == patient.two_identifiers
    for item in Contraindication:
        answer = Answer.YES if item is Contraindication.INTERACTING_MEDICATION else Answer.NO
        click(qtbot, dialog.choices[item][answer])
    click(qtbot, dialog.accept_button)

    assert dialog.isVisible()
    assert dialog.message.text() == (
        "Interacting medication: answered yes — describe it (what, since when, how treated).")
    details = dialog.details[Contraindication.INTERACTING_MEDICATION]
    assert details.property("invalid") is True
    assert details.placeholderText().startswith("Required for yes")
    assert dialog.choices[Contraindication.PREGNANCY][Answer.NO].isChecked(), "answers kept"
    assert "patient.screen_answered" not in audit_actions(services, admin)

    qtbot.keyClicks(details, "Sertraline 100 mg daily since 2024")
    click(qtbot, dialog.accept_button)
    assert view.active_dialog is None
    assert detail.screen_status.text() == "Contraindication reported: Interacting medication."
    assert detail.screen_status.kind == "danger"
    # The positive answer comes first, with who recorded it and when.
    table = detail.screen_table
    first = [table.model().index(0, column).data() for column in range(4)]
    assert first == ["Interacting medication", "YES", "Sertraline 100 mg daily since 2024",
                     f"Nora Kim, RN · {format_local_time(clock.now())}"]
    assert table_texts(table, ScreeningTableModel.ANSWER)[1:] == ["No"] * 6
    assert "Reported: Interacting medication" in detail.notice.text()
    answered = audit_records(services, admin, "patient.screen_answered")
    assert len(answered) == 7
    assert all(record.actor_id == nurse.user_id for record in answered)


# ---------------------------------------------------------------------- roles
def test_a_nurse_reads_protocols_but_sees_no_protocol_actions(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, patel, okafor
):
    approve_shipped_library(services, patel, PATEL_PASSWORD)
    patient = register(services, nurse)
    screen_all(services, nurse, patient)
    protocol = write_protocol(services, patel, patient)
    verified = services.protocols.verify(okafor, protocol.id, password=OKAFOR_PASSWORD)

    view = open_view(qtbot, services, nurse)
    open_record(qtbot, view, "HARPER, Eleanor")
    detail = view.detail
    for button in detail.protocol_buttons():
        assert button.isHidden(), button.objectName()
    assert detail.read_only_note.isVisible()
    assert detail.screen_button.isVisible(), "nurses record the screen"
    table = detail.protocol_table
    row = [table.model().index(0, column).data() for column in range(5)]
    assert row == ["v1", "Verified — in force",
                   "Ketamine (racemic) · 0.35 mg/kg/h for 4 h · 1 mg/mL → 24.5 mL/h at 70 kg",
                   "Dr Priya Patel", verified.verification.manifestation()]
    assert row[ProtocolTableModel.VERIFICATION].startswith("Verified by Dr Chidi Okafor, ")
    assert "24.5 mg/h = 24.5 mL/h; total 98 mg in 98 mL" in detail.protocol_detail.text()


def test_a_clinician_sees_the_protocol_actions_by_state(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, patel
):
    approve_shipped_library(services, patel, PATEL_PASSWORD)
    patient = register(services, nurse)
    write_protocol(services, patel, patient)
    view = open_view(qtbot, services, patel)
    open_record(qtbot, view, "HARPER, Eleanor")
    detail = view.detail
    assert all(button.isVisible() for button in detail.protocol_buttons())
    assert not detail.read_only_note.isVisible()
    assert detail.new_protocol_button.isEnabled()
    assert detail.verify_button.isEnabled(), "the draft is selected"
    assert not detail.revise_button.isEnabled(), "a draft is verified or discontinued, not revised"
    assert detail.discontinue_button.isEnabled()


def test_an_administrator_neither_screens_nor_prescribes(qtbot, services, admin, nurse):  # type: ignore[no-untyped-def]
    register(services, nurse)
    view = open_view(qtbot, services, admin)
    open_record(qtbot, view, "HARPER, Eleanor")
    assert view.detail.screen_button.isHidden()
    assert all(button.isHidden() for button in view.detail.protocol_buttons())
    click(qtbot, view.back_button)
    assert view.register_button.isVisible(), "anyone may register a patient"


def test_the_main_window_opens_on_the_first_area_for_the_role(  # type: ignore[no-untyped-def]
    qtbot, services, admin, nurse
):
    register(services, nurse)
    for actor, expected in (
        (admin, ["Patients", "Drug library", "Administration", "My account"]),
        (nurse, ["Today", "Patients", "Drug library", "My account"]),
    ):
        window = MainWindow(services=services, actor=actor, clock=SystemClock(),
                            clinic_name="Test Clinic", database_label="test",
                            idle_lock_minutes=10)
        qtbot.addWidget(window)
        window.show()
        assert [window.nav.item(row).text() for row in range(window.nav.count())] == expected
        assert window.pages.currentWidget() is window.areas[expected[0]]
        window.nav.setCurrentRow(expected.index("Patients"))
        page = window.pages.currentWidget()
        assert page is window.areas["Patients"]
        assert isinstance(page, PatientsView)
        assert [row["Name"] for row in results(page)] == ["HARPER, Eleanor"]
        window.close()
