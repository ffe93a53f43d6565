"""The Drug library area: reading entries and limits, drafting, approving by signature, retiring."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from console.domain.drugs import Drug
from console.domain.identity import Role
from console.domain.limits import LimitParameter, LimitRange
from console.domain.protocols import LibraryStatus
from console.errors import AuthenticationFailed
from console.ui.admin.common import format_local_time
from console.ui.admin.dialogs import ReasonDialog
from console.ui.protocols import ApproveDialog, LibraryEntryDialog, LibraryView
from console.ui.protocols.library_view import DRAFT_BANNER
from console.ui.protocols.models import LibraryTableModel, LimitTableModel
from tests.ui.test_patients_support import (
    LEFT,
    NURSE_PASSWORD,
    PATEL_PASSWORD,
    approve_shipped_library,
    audit_actions,
    audit_records,
    choose,
    click,
    click_row,
    model_rows,
    person,
    retype,
    shown,
    table_texts,
)

KETAMINE = "Ketamine (racemic) IV continuous — outpatient chronic pain"
ESKETAMINE = "Esketamine IV continuous — outpatient chronic pain"


@pytest.fixture
def patel(services, admin):  # type: ignore[no-untyped-def]
    return person(services, admin, "dpatel", "Dr Priya Patel", Role.CLINICIAN, PATEL_PASSWORD)


def library_of(qtbot, services, actor) -> LibraryView:  # type: ignore[no-untyped-def]
    view = LibraryView(services=services, actor=actor)
    shown(qtbot, view)
    return view


def rows(view: LibraryView) -> list[dict[str, str]]:
    return model_rows(view, LibraryTableModel.COLUMNS)


def limit_rows(view: LibraryView) -> list[list[str]]:
    model = view.limit_table.model()
    return [[model.index(row, column).data() for column in range(model.columnCount())]
            for row in range(model.rowCount())]


def select(qtbot, view: LibraryView, name: str, version: str = "v1") -> None:  # type: ignore[no-untyped-def]
    model = view.table.model()
    for row in range(model.rowCount()):
        if model.index(row, 0).data() == name and model.index(row, 2).data() == version:
            index = model.index(row, 0)
            qtbot.mouseClick(view.table.viewport(), LEFT,
                             pos=view.table.visualRect(index).center())
            assert view.selected_version() is not None
            return
    raise AssertionError(f"{name} {version} is not listed")


# ---------------------------------------------------------------------- reading
def test_shipped_entries_are_drafts_with_their_limits_side_by_side(  # type: ignore[no-untyped-def]
    qtbot, services, patel
):
    view = library_of(qtbot, services, patel)
    shown = rows(view)
    assert [(r["Entry"], r["Drug"], r["Version"], r["Status"], r["Approval"]) for r in shown] == [
        (ESKETAMINE, "Esketamine", "v1", "Draft — awaiting approval",
         "Not approved: not usable yet"),
        (KETAMINE, "Ketamine (racemic)", "v1", "Draft — awaiting approval",
         "Not approved: not usable yet"),
    ]
    click_row(qtbot, view.table, LibraryTableModel.NAME, KETAMINE)
    assert view.status_banner.isVisible()
    assert view.status_banner.text() == DRAFT_BANNER
    assert view.status_banner.kind == "warning"
    assert view.drug_badge.text() == "KETAMINE (racemic)"
    assert limit_rows(view) == [
        ["Dose rate", "0.1", "0.5", "—", "1", "mg/kg/h"],
        ["Rate", "—", "25", "—", "100", "mg/h"],
        ["Bolus", "—", "0.35", "—", "0.5", "mg/kg"],
        ["Bolus push time", "—", "—", "5", "—", "min"],
        ["Session total", "—", "2", "—", "3", "mg/kg"],
        ["Session total", "—", "200", "—", "300", "mg"],
        ["Session length", "—", "240", "—", "360", "min"],
    ]
    header = view.limit_table.model()
    assert [header.headerData(c, Qt.Orientation.Horizontal) for c in range(6)] == list(
        LimitTableModel.COLUMNS)
    settings = {label: shown.text() for label, shown in view.settings_labels.items()}
    assert settings["Standard concentrations"] == "1; 2 mg/mL"
    assert settings["Highest concentration"] == "10 mg/mL"
    assert settings["Weight range"] == "30–250 kg"
    assert settings["Bolus"] == "not allowed"
    assert settings["Minimum age"] == "18 years"
    assert settings["Frequency warning"] == ("more than 5 sessions in 7 days, or 10 in a "
                                             "course")


def test_a_nurse_reads_the_library_but_changes_nothing(qtbot, services, admin):  # type: ignore[no-untyped-def]
    nurse = person(services, admin, "nkim", "Nora Kim, RN", Role.NURSE, NURSE_PASSWORD)
    view = library_of(qtbot, services, nurse)
    assert len(rows(view)) == 2
    for button in (view.new_button, view.revise_button, view.approve_button,
                   view.retire_button):
        assert button.isHidden(), button.objectName()
    assert view.role_note.isVisible()
    assert view.role_note.text().startswith("You can read the library.")
    assert view.limit_model.rowCount() == 7


def test_an_administrator_prepares_drafts_but_cannot_approve(qtbot, services, admin):  # type: ignore[no-untyped-def]
    view = library_of(qtbot, services, admin)
    assert view.new_button.isVisible()
    assert view.revise_button.isVisible()
    assert view.retire_button.isVisible()
    assert view.approve_button.isHidden()
    assert "A clinician must approve a draft" in view.role_note.text()


# ---------------------------------------------------------------------- approving
def test_approving_asks_for_the_password_and_makes_the_entry_usable(  # type: ignore[no-untyped-def]
    qtbot, services, admin, patel, clock
):
    view = library_of(qtbot, services, patel)
    click_row(qtbot, view.table, LibraryTableModel.NAME, KETAMINE)
    assert not view.revise_button.isEnabled(), "a draft is approved or retired, not revised"
    click(qtbot, view.approve_button)
    dialog = view.active_dialog
    assert isinstance(dialog, ApproveDialog)
    assert dialog.signature_meaning.text() == (
        f"Approved by Dr Priya Patel, {format_local_time(clock.now())}")

    qtbot.keyClicks(dialog.password_edit, "wrong-password-1")
    click(qtbot, dialog.accept_button)
    assert dialog.isVisible()
    assert dialog.message.text() == AuthenticationFailed.GENERIC
    assert "library.approved" not in audit_actions(services, admin)

    qtbot.keyClicks(dialog.password_edit, PATEL_PASSWORD)
    click(qtbot, dialog.accept_button)
    assert view.active_dialog is None
    ketamine = next(r for r in rows(view) if r["Entry"] == KETAMINE)
    assert ketamine["Status"] == "Approved — in use"
    stored = next(v for v in services.library.list_versions(patel) if v.entry.name == KETAMINE)
    assert stored.status is LibraryStatus.APPROVED
    assert stored.approval is not None
    assert ketamine["Approval"] == stored.approval.manifestation()
    assert ketamine["Approval"].startswith("Approved by Dr Priya Patel, ")
    assert view.status_banner.text() == "APPROVED — in use for protocols."
    assert view.notice.text().endswith("It can now be used for protocols.")
    assert not view.approve_button.isEnabled()
    assert view.revise_button.isEnabled()
    approved = audit_records(services, admin, "library.approved")[0]
    assert approved.actor_id == patel.user_id
    assert "signature.added" in audit_actions(services, admin)


# ---------------------------------------------------------------------- editing limits
def open_revision(qtbot, view: LibraryView) -> LibraryEntryDialog:  # type: ignore[no-untyped-def]
    click_row(qtbot, view.table, LibraryTableModel.NAME, KETAMINE)
    click(qtbot, view.revise_button)
    dialog = view.active_dialog
    assert isinstance(dialog, LibraryEntryDialog)
    return dialog


def test_an_inconsistent_limit_set_is_refused_inline(qtbot, services, admin, patel):  # type: ignore[no-untyped-def]
    approve_shipped_library(services, patel, PATEL_PASSWORD)
    view = library_of(qtbot, services, patel)
    dialog = open_revision(qtbot, view)
    rate = dialog.limit_edits[LimitParameter.RATE_MG_PER_KG_H]
    assert [rate[b].text() for b in ("soft_min", "soft_max", "hard_min", "hard_max")] == [
        "0.1", "0.5", "", "1"]
    retype(qtbot, rate["soft_max"], "1.2")
    click(qtbot, dialog.accept_button)

    assert dialog.isVisible()
    assert dialog.message.text() == (
        "Dose rate (mg/kg/h): the soft maximum (1.2) is above the hard maximum (1). A soft "
        "limit must lie inside the hard limits, and a minimum below its maximum.")
    assert all(edit.property("invalid") is True for edit in rate.values())
    assert rate["soft_max"].text() == "1.2", "what was typed is kept"
    assert "library.revised" not in audit_actions(services, admin)

    retype(qtbot, rate["soft_max"], "0,45")
    click(qtbot, dialog.accept_button)
    assert dialog.message.text() == (
        "Dose rate (mg/kg/h), soft maximum: use a decimal point, not a comma (0.45 rather "
        "than 0,45).")
    assert rate["soft_max"].property("invalid") is True

    retype(qtbot, rate["soft_max"], "0.45")
    retype(qtbot, dialog.limit_edits[LimitParameter.SESSION_MINUTES]["soft_max"], "210")
    click(qtbot, dialog.accept_button)
    assert view.active_dialog is None
    listed = [(r["Version"], r["Status"]) for r in rows(view) if r["Entry"] == KETAMINE]
    assert listed == [("v2", "Draft — awaiting approval"), ("v1", "Approved — in use")]
    assert view.selected_version().version == 2
    assert view.status_banner.text() == DRAFT_BANNER
    assert limit_rows(view)[0] == ["Dose rate", "0.1", "0.45", "—", "1", "mg/kg/h"]
    revised = audit_records(services, admin, "library.revised")[0]
    assert revised.decoded_new()["limits"]["rate_mg_per_kg_h"]["soft_max"] == "0.45"
    assert revised.decoded_new()["limits"]["session_minutes"]["soft_max"] == "210"
    # The approved version stays usable until the draft is approved.
    assert [v.version for v in services.library.approved(patel)
            if v.entry.drug is Drug.KETAMINE] == [1]
    select(qtbot, view, KETAMINE, "v1")
    assert not view.revise_button.isEnabled()
    assert "already a draft" in view.revise_button.toolTip()


def test_a_new_entry_starts_from_the_drugs_shipped_defaults(qtbot, services, admin):  # type: ignore[no-untyped-def]
    view = library_of(qtbot, services, admin)
    click(qtbot, view.new_button)
    dialog = view.active_dialog
    assert isinstance(dialog, LibraryEntryDialog)
    click(qtbot, dialog.accept_button)
    assert dialog.message.text() == "Choose the drug: ketamine (racemic) or esketamine."
    assert dialog.drug_combo.property("invalid") is True

    choose(qtbot, dialog.drug_combo, "Esketamine")
    assert dialog.drug_badge.property("drug") == "esketamine"
    assert dialog.name_edit.text() == ESKETAMINE
    rate = dialog.limit_edits[LimitParameter.RATE_MG_PER_KG_H]
    assert rate["hard_max"].text() == "0.5"
    retype(qtbot, dialog.name_edit, "Esketamine IV - day unit")
    click(qtbot, dialog.bolus_check)
    click(qtbot, dialog.accept_button)
    assert view.active_dialog is None
    assert ("Esketamine IV - day unit", "Draft — awaiting approval") in [
        (r["Entry"], r["Status"]) for r in rows(view)]
    stored = next(v for v in services.library.list_versions(admin)
                  if v.entry.name == "Esketamine IV - day unit")
    assert stored.entry.drug is Drug.ESKETAMINE
    assert stored.entry.bolus_allowed
    assert stored.entry.limits[LimitParameter.RATE_MG_PER_KG_H] == LimitRange(
        soft_min=Decimal("0.05"), soft_max=Decimal("0.25"), hard_max=Decimal("0.5"))
    assert audit_records(services, admin, "library.drafted")[0].actor_id == admin.user_id


def test_retiring_asks_why(qtbot, services, admin, patel):  # type: ignore[no-untyped-def]
    view = library_of(qtbot, services, patel)
    click_row(qtbot, view.table, LibraryTableModel.NAME, ESKETAMINE)
    click(qtbot, view.retire_button)
    dialog = view.active_dialog
    assert isinstance(dialog, ReasonDialog)
    click(qtbot, dialog.accept_button)
    assert dialog.message.text() == "Give a reason for retiring the entry (at least a few words)."
    qtbot.keyClicks(dialog.reason_edit, "The clinic does not use esketamine")
    click(qtbot, dialog.accept_button)
    assert view.active_dialog is None
    esketamine = next(r for r in rows(view) if r["Entry"] == ESKETAMINE)
    assert esketamine["Status"] == "Retired"
    assert esketamine["Approval"] == "Retired: The clinic does not use esketamine"
    assert view.status_banner.text().startswith("RETIRED — The clinic does not use esketamine.")
    assert not view.retire_button.isEnabled()
    assert table_texts(view.table, LibraryTableModel.STATUS).count("Retired") == 1
    retired = audit_records(services, admin, "library.retired")[0]
    assert retired.reason == "The clinic does not use esketamine"
