"""Verifying a protocol by electronic signature, and discontinuing one, from the patient record."""

from __future__ import annotations

import pytest

from console.domain.identity import Role
from console.domain.patients import Answer, Contraindication
from console.domain.protocols import ProtocolStatus
from console.errors import AuthenticationFailed
from console.ui.admin.common import format_local_time
from console.ui.admin.dialogs import ReasonDialog
from console.ui.patients import PatientsView
from console.ui.patients.models import PatientTableModel
from console.ui.protocols import VerifyDialog
from console.ui.protocols.models import ProtocolTableModel
from tests.ui.test_patients_support import (
    NURSE_PASSWORD,
    OKAFOR_PASSWORD,
    PATEL_PASSWORD,
    approved_clinician,
    audit_actions,
    audit_records,
    click,
    click_row,
    person,
    register,
    screen_all,
    shown,
    table_texts,
    write_protocol,
)


@pytest.fixture
def patel(services, admin):  # type: ignore[no-untyped-def]
    return approved_clinician(services, admin)


@pytest.fixture
def okafor(services, admin):  # type: ignore[no-untyped-def]
    return person(services, admin, "dokafor", "Dr Chidi Okafor", Role.CLINICIAN, OKAFOR_PASSWORD)


@pytest.fixture
def nurse(services, admin):  # type: ignore[no-untyped-def]
    return person(services, admin, "nkim", "Nora Kim, RN", Role.NURSE, NURSE_PASSWORD)


@pytest.fixture
def patient(services, nurse):  # type: ignore[no-untyped-def]
    return register(services, nurse)


def record_of(qtbot, services, actor) -> PatientsView:  # type: ignore[no-untyped-def]
    view = PatientsView(services=services, actor=actor)
    shown(qtbot, view)
    click_row(qtbot, view.table, PatientTableModel.NAME, "HARPER, Eleanor")
    click(qtbot, view.open_button)
    return view


def open_verify(qtbot, view: PatientsView) -> VerifyDialog:  # type: ignore[no-untyped-def]
    click(qtbot, view.detail.verify_button)
    dialog = view.active_dialog
    assert isinstance(dialog, VerifyDialog)
    assert dialog.isVisible()
    return dialog


def status_of(services, reader, protocol) -> ProtocolStatus:  # type: ignore[no-untyped-def]
    return next(p for p in services.protocols.for_patient(reader, protocol.patient_id)
                if p.id == protocol.id).status


def test_the_author_cannot_verify_their_own_protocol(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, patel, patient
):
    screen_all(services, nurse, patient)
    protocol = write_protocol(services, patel, patient)
    view = record_of(qtbot, services, patel)
    dialog = open_verify(qtbot, view)
    qtbot.keyClicks(dialog.password_edit, PATEL_PASSWORD)
    click(qtbot, dialog.accept_button)

    assert dialog.isVisible()
    assert dialog.message.text() == (
        "The clinic requires a second clinician to verify a protocol: you wrote this one. "
        "Ask a colleague to verify it.")
    assert status_of(services, patel, protocol) is ProtocolStatus.DRAFT
    assert table_texts(view.detail.protocol_table, ProtocolTableModel.VERIFICATION) == [
        "Not verified yet"]


def test_a_second_clinician_verifies_and_the_list_shows_verified_by(  # type: ignore[no-untyped-def]
    qtbot, services, admin, nurse, patel, okafor, patient, clock
):
    screen_all(services, nurse, patient)
    protocol = write_protocol(services, patel, patient)
    view = record_of(qtbot, services, okafor)
    dialog = open_verify(qtbot, view)
    # What is signed is shown in full, with the patient's identifiers and the meaning.
    assert dialog.banner.identifiers.text() == patient.two_identifiers
    assert dialog.headline.text() == ("Ketamine (racemic) · 0.35 mg/kg/h for 4 h · 1 mg/mL · "
                                      "planning weight 70 kg")
    assert "24.5 mg/h = 24.5 mL/h; total 98 mg in 98 mL" in dialog.summary.text()
    assert dialog.screen_banner.text() == "Contraindication screen complete: nothing reported."
    assert dialog.signature_meaning.text() == (
        f"Verified by Dr Chidi Okafor, {format_local_time(clock.now())}")

    qtbot.keyClicks(dialog.password_edit, "not-my-password")
    click(qtbot, dialog.accept_button)
    assert dialog.isVisible()
    assert dialog.message.text() == AuthenticationFailed.GENERIC
    assert dialog.password_edit.text() == ""
    assert dialog.password_edit.property("invalid") is True
    assert status_of(services, okafor, protocol) is ProtocolStatus.DRAFT

    qtbot.keyClicks(dialog.password_edit, OKAFOR_PASSWORD)
    click(qtbot, dialog.accept_button)
    assert view.active_dialog is None
    stored = services.protocols.for_patient(okafor, patient.id)[0]
    assert stored.status is ProtocolStatus.VERIFIED
    assert stored.verification is not None
    manifestation = stored.verification.manifestation()
    assert manifestation.startswith("Verified by Dr Chidi Okafor, ")
    table = view.detail.protocol_table
    assert table_texts(table, ProtocolTableModel.VERIFICATION) == [manifestation]
    assert table_texts(table, ProtocolTableModel.STATUS) == ["Verified — in force"]
    assert view.detail.notice.text() == f"Protocol v1: {manifestation}."
    actions = audit_actions(services, admin)
    assert {"protocol.verified", "signature.added", "auth.identity_confirmed",
            "auth.sign_in_failed"} <= set(actions)
    verified = audit_records(services, admin, "protocol.verified")[0]
    assert verified.actor_id == okafor.user_id
    assert not view.detail.verify_button.isEnabled()
    assert view.detail.revise_button.isEnabled()


def test_a_reported_contraindication_needs_an_acknowledgement(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, patel, okafor, patient
):
    screen_all(services, nurse, patient, interacting_medication=(
        Answer.YES, "Sertraline 100 mg daily since 2024"))
    protocol = write_protocol(services, patel, patient)
    view = record_of(qtbot, services, okafor)
    dialog = open_verify(qtbot, view)
    assert dialog.screen_banner.kind == "danger"
    assert "Interacting medication: Sertraline 100 mg daily since 2024" in (
        dialog.screen_banner.text())
    assert dialog.ack_edit.isVisible()

    qtbot.keyClicks(dialog.password_edit, OKAFOR_PASSWORD)
    click(qtbot, dialog.accept_button)
    assert dialog.isVisible()
    assert dialog.message.text() == (
        "The screen shows: Interacting medication. Acknowledge it with a reason to verify this "
        "protocol.")
    assert dialog.ack_edit.property("invalid") is True

    qtbot.keyClicks(dialog.ack_edit, "Discussed with psychiatry; low serotonergic risk")
    click(qtbot, dialog.accept_button)
    assert view.active_dialog is None
    stored = services.protocols.for_patient(okafor, patient.id)[0]
    assert stored.id == protocol.id
    assert stored.status is ProtocolStatus.VERIFIED
    assert stored.contraindication_ack == "Discussed with psychiatry; low serotonergic risk"
    assert "Contraindication acknowledged: Discussed with psychiatry" in (
        view.detail.protocol_detail.text())


def test_an_incomplete_screen_is_named_and_refused(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, patel, okafor, patient
):
    services.patients.record_screen(nurse, patient.id, {
        Contraindication.PREGNANCY: (Answer.NO, ""),
        Contraindication.PSYCHOSIS_HISTORY: (Answer.NO, "")})
    protocol = write_protocol(services, patel, patient)
    view = record_of(qtbot, services, okafor)
    assert view.detail.screen_status.text().startswith("Screen incomplete: 5 of 7 questions")
    dialog = open_verify(qtbot, view)
    assert dialog.screen_banner.kind == "warning"
    qtbot.keyClicks(dialog.password_edit, OKAFOR_PASSWORD)
    click(qtbot, dialog.accept_button)
    assert dialog.isVisible()
    assert dialog.message.text() == (
        "The contraindication screen is incomplete (Uncontrolled hypertension, Severe liver "
        "disease, Raised intracranial or intraocular pressure, Substance misuse, Interacting "
        "medication). Record every answer before verifying.")
    assert status_of(services, okafor, protocol) is ProtocolStatus.DRAFT


def test_discontinuing_asks_why_and_keeps_the_protocol_in_the_record(  # type: ignore[no-untyped-def]
    qtbot, services, admin, nurse, patel, okafor, patient
):
    screen_all(services, nurse, patient)
    protocol = write_protocol(services, patel, patient)
    services.protocols.verify(okafor, protocol.id, password=OKAFOR_PASSWORD)
    view = record_of(qtbot, services, patel)
    click(qtbot, view.detail.discontinue_button)
    dialog = view.active_dialog
    assert isinstance(dialog, ReasonDialog)
    assert patient.two_identifiers in dialog.intro.text()
    click(qtbot, dialog.accept_button)
    assert dialog.isVisible()
    assert dialog.message.text() == (
        "Give a reason for discontinuing the protocol (at least a few words).")
    assert dialog.reason_edit.property("invalid") is True

    qtbot.keyClicks(dialog.reason_edit, "No benefit after six sessions")
    click(qtbot, dialog.accept_button)
    assert view.active_dialog is None
    table = view.detail.protocol_table
    assert table_texts(table, ProtocolTableModel.STATUS) == ["Discontinued"]
    assert "Discontinued: No benefit after six sessions" in view.detail.protocol_detail.text()
    assert not view.detail.discontinue_button.isEnabled()
    assert not view.detail.verify_button.isEnabled()
    record = audit_records(services, admin, "protocol.discontinued")[0]
    assert record.reason == "No benefit after six sessions"
    assert record.actor_id == patel.user_id
