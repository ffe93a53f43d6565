"""Routes other than an IV infusion: an intranasal library entry, and a fixed-dose protocol."""

from __future__ import annotations

from decimal import Decimal

import pytest

from console.domain.drugs import DosingForm, Drug, Route
from console.domain.identity import Role
from console.domain.library import MAX_CONCENTRATION, STANDARD_CONCENTRATIONS
from console.domain.limits import LimitParameter, LimitRange, Severity
from console.domain.protocols import LibraryStatus
from console.ui.patients import PatientsView
from console.ui.patients.models import PatientTableModel
from console.ui.protocols import ApproveDialog, LibraryEntryDialog, LibraryView, ProtocolDialog
from console.ui.protocols.editor import INFUSION_TILES
from console.ui.protocols.library_dialogs import FIXED_DOSE_PARAMETERS, INFUSION_PARAMETERS
from console.ui.protocols.models import LibraryTableModel
from tests.ui.test_patients_support import (
    NURSE_PASSWORD,
    PATEL_PASSWORD,
    approved_clinician,
    audit_actions,
    audit_records,
    choose,
    click,
    click_row,
    person,
    register,
    retype,
    screen_all,
    shown,
)

WAIT = 3000
INTRANASAL = "Esketamine intranasal"


@pytest.fixture
def patel(services, admin):  # type: ignore[no-untyped-def]
    return approved_clinician(services, admin)


@pytest.fixture
def patient(services, admin, patel):  # type: ignore[no-untyped-def]
    nurse = person(services, admin, "nkim", "Nora Kim, RN", Role.NURSE, NURSE_PASSWORD)
    registered = register(services, nurse)
    screen_all(services, nurse, registered)
    return registered


def library_of(qtbot, services, actor) -> LibraryView:  # type: ignore[no-untyped-def]
    view = LibraryView(services=services, actor=actor)
    shown(qtbot, view)
    return view


def shown_rows(dialog: LibraryEntryDialog) -> set[LimitParameter]:
    return {p for p, edits in dialog.limit_edits.items() if edits["hard_max"].isVisible()}


def create_intranasal_entry(qtbot, view: LibraryView) -> LibraryEntryDialog:  # type: ignore[no-untyped-def]
    click(qtbot, view.new_button)
    dialog = view.active_dialog
    assert isinstance(dialog, LibraryEntryDialog)
    assert dialog.route_combo.isVisible()
    assert shown_rows(dialog) == set(INFUSION_PARAMETERS)
    assert dialog.concentrations_edit.isVisible()
    assert dialog.bolus_check.isVisible()

    choose(qtbot, dialog.drug_combo, "Esketamine")
    choose(qtbot, dialog.route_combo, "Intranasal")
    assert shown_rows(dialog) == set(FIXED_DOSE_PARAMETERS), \
        "a dose by nose has a dose limit and session totals, no rate, bolus or session length"
    assert not dialog.concentrations_edit.isVisible()
    assert not dialog.max_concentration.isVisible()
    assert not dialog.bolus_check.isVisible()
    assert dialog.name_edit.text() == INTRANASAL, "the name follows the drug and route"
    dose = dialog.limit_edits[LimitParameter.DOSE_MG]
    retype(qtbot, dose["soft_max"], "56")
    retype(qtbot, dose["hard_max"], "84")
    click(qtbot, dialog.accept_button)
    assert view.active_dialog is None
    return dialog


def test_a_clinician_writes_a_fixed_intranasal_dose_for_a_patient(  # type: ignore[no-untyped-def]
    qtbot, services, admin, patel, patient
):
    library = library_of(qtbot, services, patel)
    create_intranasal_entry(qtbot, library)

    listed = {r: library.model.index(r, LibraryTableModel.NAME).data()
              for r in range(library.model.rowCount())}
    row = next(r for r, name in listed.items() if name == INTRANASAL)
    assert library.model.index(row, LibraryTableModel.ROUTE).data() == "Intranasal"
    assert library.model.index(row, LibraryTableModel.DRUG).data() == "Esketamine"
    assert library.selected_version().entry.name == INTRANASAL
    assert library.entry_title.text() == f"{INTRANASAL} · v1 · Intranasal"
    settings = library.settings_labels
    assert settings["Route"].text() == "Intranasal"
    assert settings["Dose written as"].text() == "fixed dose (mg)"
    assert settings["Standard concentrations"].isHidden(), "no bag for a dose by nose"
    assert settings["Bolus"].isHidden()
    limits = [library.limit_model.index(r, 0).data()
              for r in range(library.limit_model.rowCount())]
    assert limits == ["Session total", "Session total", "Dose"]

    stored = next(v for v in services.library.list_versions(patel) if v.entry.name == INTRANASAL)
    assert stored.status is LibraryStatus.DRAFT
    assert stored.entry.route is Route.INTRANASAL
    assert stored.entry.drug is Drug.ESKETAMINE
    assert stored.entry.forms == (DosingForm.FIXED_DOSE,)
    assert stored.entry.limits[LimitParameter.DOSE_MG] == LimitRange(
        soft_max=Decimal(56), hard_max=Decimal(84))
    assert set(stored.entry.limits) == set(FIXED_DOSE_PARAMETERS)
    assert not stored.entry.bolus_allowed
    assert stored.entry.standard_concentrations_mg_per_ml == STANDARD_CONCENTRATIONS
    assert stored.entry.max_concentration_mg_per_ml == MAX_CONCENTRATION
    drafted = audit_records(services, admin, "library.drafted")[0]
    assert drafted.decoded_new()["route"] == "intranasal"

    # Approving it by signature.
    click(qtbot, library.approve_button)
    approve = library.active_dialog
    assert isinstance(approve, ApproveDialog)
    qtbot.keyClicks(approve.password_edit, PATEL_PASSWORD)
    click(qtbot, approve.accept_button)
    assert library.active_dialog is None
    assert services.library.get(patel, stored.id).status is LibraryStatus.APPROVED

    # Writing the protocol.
    patients = PatientsView(services=services, actor=patel)
    qtbot.addWidget(patients)
    patients.resize(1300, 860)
    patients.show()
    qtbot.waitExposed(patients)
    patients.refresh()
    click_row(qtbot, patients.table, PatientTableModel.NAME, "HARPER, Eleanor")
    click(qtbot, patients.open_button)
    click(qtbot, patients.detail.new_protocol_button)
    dialog = patients.active_dialog
    assert isinstance(dialog, ProtocolDialog)
    choose(qtbot, dialog.entry_combo, INTRANASAL)
    assert dialog.route_value.text() == "Intranasal"
    assert dialog.selected_form() is DosingForm.FIXED_DOSE
    assert dialog.dose_field.isVisible()
    for hidden in (dialog.rate_field, dialog.total_field, dialog.concentration_field,
                   dialog.rate_radio, dialog.total_radio, dialog.bolus_box,
                   dialog.titration_min):
        assert not hidden.isVisible(), hidden.objectName()
    for name in INFUSION_TILES:
        assert not dialog.tiles[name].isVisible(), f"no pump figure: {name}"

    qtbot.keyClicks(dialog.dose_field.edit, "90")
    qtbot.keyClicks(dialog.weight_field.edit, "70")
    retype(qtbot, dialog.sessions_spin, "8")
    retype(qtbot, dialog.per_week_spin, "2")
    qtbot.waitUntil(lambda: bool(dialog.hard_findings()), timeout=WAIT)
    hard = dialog.hard_findings()
    assert [p.parameter for p in hard] == [LimitParameter.DOSE_MG]
    assert hard[0].text.text() == ("Dose 90 mg is above the hard maximum of 84 mg: not "
                                   "allowed. Change the dose to within the limit.")
    assert (LimitParameter.SESSION_TOTAL_MG_PER_KG, Severity.SOFT) in {
        (p.parameter, p.severity) for p in dialog.findings.values()}
    assert dialog.tiles["total_mg"].refused
    assert not dialog.accept_button.isEnabled()
    assert dialog.save_hint.text().startswith("Save is disabled: a hard limit is exceeded.")

    retype(qtbot, dialog.dose_field.edit, "28")
    qtbot.waitUntil(lambda: dialog.tiles["total_mg"].text() == "28 mg", timeout=WAIT)
    assert dialog.tiles["total_mg"].caption.text() == "Dose"
    assert dialog.tiles["total_per_kg"].text() == "0.4 mg/kg"
    assert dialog.tiles["weight"].text() == "70 kg"
    assert dialog.summary.text() == "28 mg intranasal = 0.4 mg/kg at 70 kg"
    assert dialog.findings == {}
    assert dialog.findings_clear.text().startswith(f"Within every limit of {INTRANASAL}")
    assert dialog.accept_button.isEnabled()
    click(qtbot, dialog.accept_button)
    assert patients.active_dialog is None

    saved = services.protocols.for_patient(patel, patient.id)
    assert len(saved) == 1
    order = saved[0].order
    assert order.form is DosingForm.FIXED_DOSE
    assert order.drug is Drug.ESKETAMINE
    assert order.dose_mg == Decimal(28)
    assert order.concentration_mg_per_ml is None
    assert saved[0].titration is None
    assert saved[0].library_entry_id == stored.id
    assert "protocol.drafted" in audit_actions(services, admin)
    dose = patients.detail.protocol_table.model().index(0, 2).data()
    assert dose == "Esketamine · 28 mg intranasal → 0.4 mg/kg at 70 kg"


def test_a_revision_keeps_its_route(qtbot, services, patel):  # type: ignore[no-untyped-def]
    library = library_of(qtbot, services, patel)
    create_intranasal_entry(qtbot, library)
    version = library.selected_version()
    services.library.approve(patel, version.id, password=PATEL_PASSWORD)
    library.refresh()
    click_row(qtbot, library.table, LibraryTableModel.NAME, INTRANASAL)
    click(qtbot, library.revise_button)
    dialog = library.active_dialog
    assert isinstance(dialog, LibraryEntryDialog)
    assert dialog.route_combo.isHidden()
    assert dialog.route_label.text() == "Intranasal"
    assert shown_rows(dialog) == set(FIXED_DOSE_PARAMETERS)
    assert dialog.limit_edits[LimitParameter.DOSE_MG]["hard_max"].text() == "84"
    retype(qtbot, dialog.limit_edits[LimitParameter.DOSE_MG]["soft_max"], "60")
    click(qtbot, dialog.accept_button)
    assert library.active_dialog is None
    revised = library.selected_version()
    assert revised.version == 2
    assert revised.entry.route is Route.INTRANASAL
    assert revised.entry.limits[LimitParameter.DOSE_MG].soft_max == Decimal(60)
