"""The Clinical settings tab: who may verify protocols, and the diagnosis list."""

from __future__ import annotations

from console.services.audit import AuditFilter
from console.ui.admin import AdministrationView


def open_clinical(qtbot, services, admin):  # type: ignore[no-untyped-def]
    view = AdministrationView(services=services, actor=admin)
    qtbot.addWidget(view)
    view.show_tab(view.CLINICAL)
    return view


def test_the_second_verifier_rule_needs_a_reason_and_is_audited(qtbot, services, admin):  # type: ignore[no-untyped-def]
    view = open_clinical(qtbot, services, admin)
    panel = view.clinical_panel
    assert panel.second_verifier.isChecked(), "by default a second clinician verifies"
    panel.second_verifier.setChecked(False)
    panel.save_verifier_rule()
    assert "reason" in panel.verifier_message.text().lower()
    assert services.settings.verifier_must_differ()
    qtbot.keyClicks(panel.verifier_reason, "single-clinician clinic on Saturdays")
    panel.save_verifier_rule()
    assert not services.settings.verifier_must_differ()
    (entry,) = services.audit.search(admin, AuditFilter(entity_id="protocols.verifier_must_differ"))
    assert entry.decoded_new() == {"value": False}
    assert entry.reason == "single-clinician clinic on Saturdays"


def test_the_diagnosis_list_is_edited_and_validated(qtbot, services, admin):  # type: ignore[no-untyped-def]
    view = open_clinical(qtbot, services, admin)
    panel = view.clinical_panel
    assert "Fibromyalgia" in panel.diagnoses.toPlainText()
    panel.diagnoses.setPlainText("CRPS\nCRPS")
    panel.save_diagnoses()
    assert "twice" in panel.diagnoses_message.text()
    assert "Fibromyalgia" in services.patients.diagnoses(), "nothing saved when refused"
    panel.diagnoses.setPlainText("CRPS\n  Neuropathic   pain \n\nPost-herpetic neuralgia")
    panel.save_diagnoses()
    assert services.patients.diagnoses() == ("CRPS", "Neuropathic pain",
                                             "Post-herpetic neuralgia")
    assert panel.diagnoses.toPlainText().splitlines()[1] == "Neuropathic pain"


def test_a_nurse_cannot_change_clinical_settings(services, admin):  # type: ignore[no-untyped-def]
    import pytest

    from console.errors import PermissionDenied

    services.users.create_user(admin, username="nkim", full_name="Nora Kim", role="nurse",
                               temporary_password="temp-pass-01")
    nurse = services.auth.change_password("nkim", "temp-pass-01", "nurse-pass-01")
    with pytest.raises(PermissionDenied):
        services.patients.set_diagnoses(nurse, ["CRPS"])
    with pytest.raises(PermissionDenied):
        services.settings.set_verifier_must_differ(nurse, False, reason="weekend cover")
