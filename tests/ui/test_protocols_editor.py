"""The protocol editor, driven by a clinician: live figures, limit findings, and what is saved."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from console.domain.drugs import DosingForm, Drug
from console.domain.identity import Role
from console.domain.library import default_ketamine_iv
from console.domain.limits import LimitParameter, Severity
from console.domain.protocols import ProtocolStatus
from console.ui.patients import PatientsView
from console.ui.patients.models import PatientTableModel
from console.ui.protocols import ProtocolDialog
from console.ui.protocols.editor import CHOOSE_ENTRY
from tests.ui.test_patients_support import (
    NURSE_PASSWORD,
    OKAFOR_PASSWORD,
    PATEL_PASSWORD,
    approved_clinician,
    approved_entry,
    audit_actions,
    audit_records,
    choose,
    click,
    click_row,
    person,
    register,
    retype,
    screen_all,
    write_protocol,
)

WAIT = 3000


@pytest.fixture
def patel(services, admin):  # type: ignore[no-untyped-def]
    return approved_clinician(services, admin)


@pytest.fixture
def patient(services, admin, patel):  # type: ignore[no-untyped-def]
    nurse = person(services, admin, "nkim", "Nora Kim, RN", Role.NURSE, NURSE_PASSWORD)
    registered = register(services, nurse, allergies="Penicillin - urticaria")
    screen_all(services, nurse, registered)
    return registered


@pytest.fixture
def view(qtbot, services, patel, patient):  # type: ignore[no-untyped-def]
    shown = PatientsView(services=services, actor=patel)
    qtbot.addWidget(shown)
    shown.resize(1300, 860)
    shown.show()
    qtbot.waitExposed(shown)
    shown.refresh()
    click_row(qtbot, shown.table, PatientTableModel.NAME, "HARPER, Eleanor")
    click(qtbot, shown.open_button)
    return shown


def new_protocol(qtbot, view: PatientsView, entry: str = "Ket") -> ProtocolDialog:  # type: ignore[no-untyped-def]
    click(qtbot, view.detail.new_protocol_button)
    dialog = view.active_dialog
    assert isinstance(dialog, ProtocolDialog)
    assert dialog.isVisible()
    if entry:
        choose(qtbot, dialog.entry_combo, entry)
    return dialog


def fill_rate(qtbot, dialog: ProtocolDialog, *, rate: str = "0.35", hours: str = "4",  # type: ignore[no-untyped-def]
              weight: str = "70", sessions: str = "10", per_week: str = "5") -> None:
    qtbot.keyClicks(dialog.rate_field.edit, rate)
    retype(qtbot, dialog.hours_spin, hours)
    qtbot.keyClicks(dialog.weight_field.edit, weight)
    retype(qtbot, dialog.sessions_spin, sessions)
    retype(qtbot, dialog.per_week_spin, per_week)


def figures(dialog: ProtocolDialog) -> dict[str, str]:
    return {name: tile.text() for name, tile in dialog.tiles.items()}


def wait_for(qtbot, condition) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(condition, timeout=WAIT)


# ---------------------------------------------------------------------- the figures
def test_the_patient_is_identified_and_no_entry_is_chosen_for_the_clinician(  # type: ignore[no-untyped-def]
    qtbot, view, patient
):
    dialog = new_protocol(qtbot, view, entry="")
    assert dialog.banner.identifiers.text() == patient.two_identifiers
    assert dialog.allergies.text() == "ALLERGIES: Penicillin - urticaria"
    assert dialog.entry_combo.currentData() is None
    assert dialog.hint.text() == CHOOSE_ENTRY
    assert not dialog.accept_button.isEnabled()
    assert dialog.drug_badge.text() == "No drug chosen"

    choose(qtbot, dialog.entry_combo, "Esk")
    assert dialog.drug_badge.property("drug") == "esketamine"
    assert dialog.drug_badge.text().startswith("ESKETAMINE — about twice as potent")
    choose(qtbot, dialog.entry_combo, "Ket")
    assert dialog.drug_badge.property("drug") == "ketamine"
    assert dialog.drug_badge.text() == "KETAMINE (racemic)"
    assert dialog.concentration_field.text() == "1", "the entry's first standard bag"


def test_the_preview_shows_every_figure_for_0_35_mg_per_kg_per_hour_at_70_kg(  # type: ignore[no-untyped-def]
    qtbot, view
):
    dialog = new_protocol(qtbot, view)
    fill_rate(qtbot, dialog)
    wait_for(qtbot, lambda: dialog.tiles["ml_per_h"].text() == "24.5 mL/h")
    assert figures(dialog) == {
        "rate": "0.35 mg/kg/h", "weight": "70 kg", "mg_per_h": "24.5 mg/h",
        "ml_per_h": "24.5 mL/h", "duration": "4 h", "volume": "98 mL", "total_mg": "98 mg",
        "total_per_kg": "1.4 mg/kg", "bolus": "None"}
    assert dialog.summary.text() == ("0.35 mg/kg/h × 70 kg = 24.5 mg/h = 24.5 mL/h; total 98 mg "
                                     "in 98 mL")
    assert dialog.findings == {}
    assert dialog.findings_clear.text().startswith("Within every limit of Ketamine (racemic)")
    assert dialog.accept_button.isEnabled()

    retype(qtbot, dialog.rate_field.edit, "0.35 mg/kg/h")  # the unit may be typed too
    retype(qtbot, dialog.concentration_field.edit, "2")
    wait_for(qtbot, lambda: dialog.tiles["ml_per_h"].text() == "12.3 mL/h")
    assert dialog.tiles["mg_per_h"].text() == "24.6 mg/h", "what the pump gives at 12.3 mL/h"


def test_a_decimal_comma_is_refused_under_the_field(qtbot, view):  # type: ignore[no-untyped-def]
    dialog = new_protocol(qtbot, view)
    fill_rate(qtbot, dialog, rate="0,35")
    wait_for(qtbot, lambda: dialog.rate_field.error.isVisible())
    assert dialog.rate_field.error.text() == (
        "Dose rate: use a decimal point, not a comma (0.35 rather than 0,35).")
    assert dialog.rate_field.input.property("invalid") is True
    assert dialog.tiles["ml_per_h"].text() == "—"
    assert not dialog.accept_button.isEnabled()

    retype(qtbot, dialog.rate_field.edit, "0.35")
    wait_for(qtbot, lambda: dialog.tiles["ml_per_h"].text() == "24.5 mL/h")
    assert not dialog.rate_field.error.isVisible()
    assert dialog.rate_field.input.property("invalid") is False


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("weight_field", "154 lb", "Planning weight is recorded in kg only. 154 lb is 69.9 kg: "
                                   "enter the weight in kg (the weight screen can convert a "
                                   "reading in lb)."),
        ("weight_field", "seventy", "Planning weight must be a number in kg, for example 72.4 "
                                    "(you entered 'seventy')."),
        ("rate_field", "0.35 mg/h", "Dose rate is measured in mg/kg/h; 'mg/h' does not fit. "
                                    "Enter a number in mg/kg/h, for example 0.35."),
        ("weight_field", "20", "Weight 20 kg is outside 30 kg–250 kg. Check that it was "
                               "measured in kg (not lb); outside this range the dose cannot be "
                               "calculated."),
    ],
)
def test_unusable_numbers_are_explained_under_their_field(  # type: ignore[no-untyped-def]
    qtbot, view, field, typed, message
):
    dialog = new_protocol(qtbot, view)
    fill_rate(qtbot, dialog, **{"weight" if field == "weight_field" else "rate": typed})
    shown = getattr(dialog, field)
    wait_for(qtbot, lambda: shown.error.isVisible())
    assert shown.error.text() == message
    assert not dialog.accept_button.isEnabled()


# ---------------------------------------------------------------------- findings
def test_a_soft_finding_is_amber_and_save_waits_for_a_reason(  # type: ignore[no-untyped-def]
    qtbot, view, services, admin, patient, patel
):
    dialog = new_protocol(qtbot, view)
    fill_rate(qtbot, dialog, rate="0.6", hours="1", weight="40")
    wait_for(qtbot, lambda: dialog.tiles["mg_per_h"].text() == "24 mg/h")
    assert [(p.parameter, p.severity) for p in dialog.findings.values()] == [
        (LimitParameter.RATE_MG_PER_KG_H, Severity.SOFT)]
    panel = dialog.soft_findings()[0]
    assert panel.property("severity") == "soft"
    assert panel.text.text() == ("Dose rate 0.6 mg/kg/h is above the soft maximum of "
                                 "0.5 mg/kg/h: give a reason to go on, or change the dose.")
    assert not dialog.accept_button.isEnabled()
    assert dialog.save_hint.text() == "Give a reason for each amber finding to save."

    assert panel.reason is not None
    qtbot.keyClicks(panel.reason, "ok")
    assert not dialog.accept_button.isEnabled(), "a reason is a few words"
    qtbot.keyClicks(panel.reason, " - tolerated 0.5 mg/kg/h twice without side effects")
    assert dialog.accept_button.isEnabled()
    click(qtbot, dialog.accept_button)

    assert view.active_dialog is None
    stored = services.protocols.for_patient(patel, patient.id)
    assert len(stored) == 1
    assert stored[0].status is ProtocolStatus.DRAFT
    assert stored[0].order.rate_mg_per_kg_h == Decimal("0.6")
    assert stored[0].override_reasons == {
        LimitParameter.RATE_MG_PER_KG_H:
            "ok - tolerated 0.5 mg/kg/h twice without side effects"}
    drafted = audit_records(services, admin, "protocol.drafted")[0]
    assert drafted.actor_id == patel.user_id
    assert drafted.decoded_new()["override_reasons"] == {
        "rate_mg_per_kg_h": "ok - tolerated 0.5 mg/kg/h twice without side effects"}
    assert view.detail.notice.text() == (
        "Protocol v1 saved as a draft. A second clinician must verify it before it can be used.")
    row = [view.detail.protocol_table.model().index(0, column).data() for column in range(5)]
    assert row[:2] == ["v1", "Draft — awaiting verification"]
    assert row[4] == "Not verified yet"


def test_a_hard_finding_is_red_and_nothing_can_be_saved(  # type: ignore[no-untyped-def]
    qtbot, view, services, admin
):
    dialog = new_protocol(qtbot, view)
    fill_rate(qtbot, dialog, rate="1.2", hours="1")
    wait_for(qtbot, lambda: bool(dialog.hard_findings()))
    hard = dialog.hard_findings()
    assert [p.parameter for p in hard] == [LimitParameter.RATE_MG_PER_KG_H]
    assert hard[0].property("severity") == "hard"
    assert hard[0].title.text() == "NOT ALLOWED — hard limit"
    assert hard[0].text.text() == ("Dose rate 1.2 mg/kg/h is above the hard maximum of "
                                   "1 mg/kg/h: not allowed. Change the dose to within the limit.")
    assert hard[0].reason is None, "a hard limit cannot be overridden"
    # Every other finding is listed too: 84 mg/h is amber, with its own reason box.
    assert [p.parameter for p in dialog.soft_findings()] == [LimitParameter.RATE_MG_PER_H]
    assert not dialog.accept_button.isEnabled()
    assert dialog.save_hint.text().startswith("Save is disabled: a hard limit is exceeded.")
    assert dialog.save_hint.kind == "danger"
    for panel in dialog.soft_findings():
        assert panel.reason is not None
        qtbot.keyClicks(panel.reason, "clinical judgement")
    assert not dialog.accept_button.isEnabled(), "reasons never unlock a hard limit"
    qtbot.keyClick(dialog.weight_field.edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "protocol.drafted" not in audit_actions(services, admin)

    retype(qtbot, dialog.rate_field.edit, "0.4")
    wait_for(qtbot, lambda: not dialog.hard_findings())
    assert dialog.reasons[LimitParameter.RATE_MG_PER_H] == "clinical judgement"
    soft = {p.parameter: p for p in dialog.soft_findings()}
    assert set(soft) == {LimitParameter.RATE_MG_PER_H}
    assert soft[LimitParameter.RATE_MG_PER_H].reason.text() == "clinical judgement", \
        "a reason typed once is kept while the dose changes"
    assert dialog.accept_button.isEnabled()


def test_a_titration_range_that_leaves_out_the_starting_rate_is_shown_at_once(  # type: ignore[no-untyped-def]
    qtbot, view
):
    dialog = new_protocol(qtbot, view)
    fill_rate(qtbot, dialog)
    qtbot.keyClicks(dialog.titration_min.edit, "0.1")
    qtbot.keyClicks(dialog.titration_max.edit, "0.3")
    wait_for(qtbot, lambda: dialog.titration_error.isVisible())
    assert dialog.titration_error.text() == (
        "The starting rate 0.35 mg/kg/h is outside the titration range; widen the range or "
        "change the rate.")
    assert not dialog.accept_button.isEnabled()
    retype(qtbot, dialog.titration_max.edit, "1.5")
    wait_for(qtbot, lambda: "hard maximum" in dialog.titration_error.text())
    assert dialog.titration_error.text() == (
        "The titration range reaches 1.5 mg/kg/h, above the hard maximum 1 mg/kg/h.")
    retype(qtbot, dialog.titration_max.edit, "0.5")
    wait_for(qtbot, lambda: not dialog.titration_error.isVisible())
    assert dialog.accept_button.isEnabled()


def test_the_course_is_required_when_saving(qtbot, view, services, admin):  # type: ignore[no-untyped-def]
    dialog = new_protocol(qtbot, view)
    fill_rate(qtbot, dialog, sessions="0", per_week="0")
    wait_for(qtbot, lambda: dialog.tiles["ml_per_h"].text() == "24.5 mL/h")
    click(qtbot, dialog.accept_button)
    assert dialog.isVisible()
    assert dialog.course_error.text() == "A course is 1 to 100 sessions."
    assert dialog.sessions_spin.property("invalid") is True
    assert dialog.message.text() == "Check the fields marked in red."
    assert "protocol.drafted" not in audit_actions(services, admin)


# ---------------------------------------------------------------------- forms and bolus
def test_total_over_time_derives_the_rate(qtbot, view, services, patient, patel):  # type: ignore[no-untyped-def]
    dialog = new_protocol(qtbot, view)
    click(qtbot, dialog.total_radio)
    assert dialog.total_field.isVisible()
    assert not dialog.rate_field.isVisible()
    qtbot.keyClicks(dialog.total_field.edit, "0.5")
    retype(qtbot, dialog.over_spin, "40")
    qtbot.keyClicks(dialog.weight_field.edit, "70")
    wait_for(qtbot, lambda: dialog.tiles["total_mg"].text() == "35 mg")
    assert figures(dialog) == {
        "rate": "0.75 mg/kg/h", "weight": "70 kg", "mg_per_h": "52.5 mg/h",
        "ml_per_h": "52.5 mL/h", "duration": "40 min", "volume": "35 mL", "total_mg": "35 mg",
        "total_per_kg": "0.5 mg/kg", "bolus": "None"}
    for panel in dialog.soft_findings():
        assert panel.reason is not None
        qtbot.keyClicks(panel.reason, "short infusion as per pain team")
    retype(qtbot, dialog.sessions_spin, "6")
    retype(qtbot, dialog.per_week_spin, "2")
    click(qtbot, dialog.accept_button)
    assert view.active_dialog is None
    saved = services.protocols.for_patient(patel, patient.id)[0]
    assert saved.order.form is DosingForm.TOTAL_OVER_TIME
    assert saved.order.total_mg_per_kg == Decimal("0.5")
    assert saved.order.duration_minutes == Decimal(40)


def test_a_bolus_is_offered_only_when_the_entry_allows_it(  # type: ignore[no-untyped-def]
    qtbot, services, view, patel
):
    dialog = new_protocol(qtbot, view)
    assert dialog.bolus_check.isHidden()
    assert dialog.bolus_not_allowed.isVisible()
    click(qtbot, dialog.cancel_button)

    with_bolus = replace(default_ketamine_iv(), name="Ketamine bolus and infusion",
                         bolus_allowed=True)
    draft = services.library.create_draft(patel, with_bolus)
    services.library.approve(patel, draft.id, password=PATEL_PASSWORD)
    dialog = new_protocol(qtbot, view, entry="Ketamine bolus")
    assert dialog.current_entry() is not None
    assert dialog.current_entry().id == draft.id
    assert dialog.bolus_check.isVisible()
    click(qtbot, dialog.bolus_check)
    fill_rate(qtbot, dialog)
    qtbot.keyClicks(dialog.bolus_dose_field.edit, "0.2")
    qtbot.keyClicks(dialog.bolus_minutes_field.edit, "5")
    wait_for(qtbot, lambda: dialog.tiles["bolus"].text() == "14 mg")
    assert dialog.tiles["bolus"].note.text() == "= 14 mL, pushed over 5 min"
    assert dialog.tiles["total_mg"].text() == "112 mg"
    click(qtbot, dialog.cancel_button)


# ---------------------------------------------------------------------- revising
def test_revising_prefills_the_protocol_and_saves_a_new_draft_version(  # type: ignore[no-untyped-def]
    qtbot, services, admin, view, patient, patel
):
    okafor = person(services, admin, "dokafor", "Dr Chidi Okafor", Role.CLINICIAN,
                    OKAFOR_PASSWORD)
    first = write_protocol(services, patel, patient)
    services.protocols.verify(okafor, first.id, password=OKAFOR_PASSWORD)
    view.refresh()
    detail = view.detail
    assert detail.selected_protocol().id == first.id
    click(qtbot, detail.revise_button)
    dialog = view.active_dialog
    assert isinstance(dialog, ProtocolDialog)
    assert dialog.revising is not None
    assert dialog.current_entry().id == approved_entry(services, patel).id
    assert [dialog.entry_combo.itemText(i) for i in range(dialog.entry_combo.count())] == [
        "Ketamine (racemic) IV continuous — outpatient chronic pain · v1"], \
        "a new version keeps its drug: no esketamine entry is offered"
    assert dialog.rate_field.text() == "0.35"
    assert (dialog.hours_spin.value(), dialog.minutes_spin.value()) == (4, 0)
    assert dialog.weight_field.text() == "70"
    assert dialog.concentration_field.text() == "1"
    assert "Revising v1" in dialog.revision_note.text()
    wait_for(qtbot, lambda: dialog.tiles["ml_per_h"].text() == "24.5 mL/h")

    retype(qtbot, dialog.rate_field.edit, "0.3")
    wait_for(qtbot, lambda: dialog.tiles["ml_per_h"].text() == "21 mL/h")
    click(qtbot, dialog.accept_button)
    assert view.active_dialog is None
    versions = {p.version: p for p in services.protocols.for_patient(patel, patient.id)}
    assert versions[2].status is ProtocolStatus.DRAFT
    assert versions[2].order.rate_mg_per_kg_h == Decimal("0.3")
    assert versions[1].status is ProtocolStatus.VERIFIED, "v1 stays in force"
    revised = audit_records(services, admin, "protocol.revised")[0]
    assert revised.decoded_old()["order"]["rate_mg_per_kg_h"] == "0.35"
    assert revised.decoded_new()["order"]["rate_mg_per_kg_h"] == "0.3"
    assert detail.selected_protocol().version == 2
    assert not detail.revise_button.isEnabled()
    click_row(qtbot, detail.protocol_table, 0, "v1")
    assert not detail.revise_button.isEnabled(), "v2 is already a draft"
    assert "verify or discontinue it first" in detail.revise_button.toolTip()


def test_an_esketamine_protocol_uses_the_esketamine_limits(qtbot, view, services, patel):  # type: ignore[no-untyped-def]
    dialog = new_protocol(qtbot, view, entry="Esk")
    assert dialog.current_entry().entry.drug is Drug.ESKETAMINE
    fill_rate(qtbot, dialog, rate="0.35")
    wait_for(qtbot, lambda: bool(dialog.findings))
    assert (LimitParameter.RATE_MG_PER_KG_H, Severity.SOFT) in {
        (p.parameter, p.severity) for p in dialog.findings.values()}
    soft = next(p for p in dialog.soft_findings()
                if p.parameter is LimitParameter.RATE_MG_PER_KG_H)
    assert "soft maximum of 0.25 mg/kg/h" in soft.text.text()


def test_an_entry_retired_while_the_protocol_is_written_is_refused_inline(  # type: ignore[no-untyped-def]
    qtbot, view, services, admin
):
    dialog = new_protocol(qtbot, view)
    fill_rate(qtbot, dialog)
    wait_for(qtbot, lambda: dialog.tiles["ml_per_h"].text() == "24.5 mL/h")
    entry = dialog.current_entry()
    assert entry is not None
    services.library.retire(admin, entry.id, reason="Replaced by the clinic's new entry")

    click(qtbot, dialog.accept_button)
    assert dialog.isVisible()
    assert dialog.entry_error.text() == (
        f"Library entry '{entry.entry.name}' v1 is retired: only an approved entry can be used. "
        "Ask a clinician to approve it.")
    assert dialog.entry_combo.property("invalid") is True
    assert dialog.message.text() == "Check the fields marked in red."
    assert dialog.tiles["ml_per_h"].text() == "—", "no figures from an entry that cannot be used"
    assert dialog.rate_field.text() == "0.35", "what was typed is kept"
    assert "protocol.drafted" not in audit_actions(services, admin)
