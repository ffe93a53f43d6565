"""The Settings tab: the clinic's name and the sign-in security policy, saved and audited."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from console.domain.identity import Role, SecurityPolicy
from console.services.audit import AuditFilter
from console.services.base import actor_of
from console.ui.admin import AdministrationView, SecuritySettingsPanel
from console.ui.admin.settings import NOTHING_CHANGED
from tests.ui.test_patients_support import click, retype, shown


@pytest.fixture
def panel(qtbot, services, admin):  # type: ignore[no-untyped-def]
    return shown(qtbot, SecuritySettingsPanel(services=services, actor=admin), size=(1000, 750))


def setting_changes(services, admin):  # type: ignore[no-untyped-def]
    return services.audit.search(admin, AuditFilter(action_prefix="settings.changed"))


def test_the_current_values_are_shown(panel):  # type: ignore[no-untyped-def]
    assert panel.clinic_name_edit.text() == "Test Clinic"
    default = SecurityPolicy()
    assert panel.threshold_spin.value() == default.lockout_threshold
    assert panel.lockout_spin.value() == default.lockout_minutes
    assert panel.idle_spin.value() == default.idle_lock_minutes


def test_renaming_the_clinic_saves_audits_and_tells_the_window(qtbot, panel, services, admin):  # type: ignore[no-untyped-def]
    retype(qtbot, panel.clinic_name_edit, "  Riverside   Pain Clinic ")
    with qtbot.waitSignal(panel.clinic_renamed, timeout=1000) as renamed:
        click(qtbot, panel.save_clinic_button)
    assert renamed.args == ["Riverside Pain Clinic"]
    assert services.settings.clinic_name() == "Riverside Pain Clinic"
    assert panel.clinic_name_edit.text() == "Riverside Pain Clinic"  # as stored
    assert panel.clinic_message.property("kind") == "info"
    assert "Riverside Pain Clinic" in panel.clinic_message.text()
    change = setting_changes(services, admin)[0]
    assert change.entity_id == "clinic.name"
    assert change.actor_id == admin.user_id
    assert change.decoded_old() == {"value": "Test Clinic"}
    assert change.decoded_new() == {"value": "Riverside Pain Clinic"}


def test_an_unusable_clinic_name_is_explained_and_nothing_is_saved(qtbot, panel, services, admin):  # type: ignore[no-untyped-def]
    retype(qtbot, panel.clinic_name_edit, "X")
    qtbot.keyClick(panel.clinic_name_edit, Qt.Key.Key_Return)  # Enter saves too
    assert panel.clinic_message.isVisible()
    assert panel.clinic_message.property("kind") == "error"
    assert panel.clinic_message.text() == (
        "Enter the clinic's name as it should appear on records (2 to 120 characters)."
    )
    assert panel.clinic_name_edit.property("invalid") is True
    assert panel.clinic_name_edit.text() == "X"  # kept for correcting
    assert services.settings.clinic_name() == "Test Clinic"
    assert setting_changes(services, admin) == []


def test_the_security_policy_is_saved_audited_and_announced(qtbot, panel, services, admin):  # type: ignore[no-untyped-def]
    retype(qtbot, panel.threshold_spin, "4")
    retype(qtbot, panel.lockout_spin, "30")
    retype(qtbot, panel.idle_spin, "5")
    with qtbot.waitSignal(panel.policy_changed, timeout=1000) as changed:
        click(qtbot, panel.save_policy_button)
    wanted = SecurityPolicy(lockout_threshold=4, lockout_minutes=30, idle_lock_minutes=5)
    assert changed.args == [wanted]
    assert services.settings.security_policy() == wanted
    assert panel.policy_message.property("kind") == "info"
    assert "after 4 failed sign-ins for 30 minutes" in panel.policy_message.text()
    change = setting_changes(services, admin)[0]
    assert change.entity_id == "security.policy"
    assert change.decoded_old() == {"lockout_threshold": 5, "lockout_minutes": 15,
                                    "idle_lock_minutes": 10}
    assert change.decoded_new() == {"lockout_threshold": 4, "lockout_minutes": 30,
                                    "idle_lock_minutes": 5}


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("threshold_spin", "2",
         "Failed attempts before lockout must be a whole number from 3 to 20."),
        ("lockout_spin", "0", "Lockout length must be from 1 to 1440 minutes."),
        ("idle_spin", "61",
         "The idle lock must be from 1 to 60 minutes (HIPAA expects an automatic logoff)."),
    ],
)
def test_a_value_outside_the_policy_is_explained_inline_and_nothing_is_saved(  # type: ignore[no-untyped-def]
    qtbot, panel, services, admin, field, typed, message
):
    spin = getattr(panel, field)
    retype(qtbot, spin, typed)
    click(qtbot, panel.save_policy_button)
    assert panel.policy_message.isVisible()
    assert panel.policy_message.property("kind") == "error"
    assert panel.policy_message.text() == message
    assert spin.property("invalid") is True
    assert spin.value() == int(typed)
    assert services.settings.security_policy() == SecurityPolicy()
    assert setting_changes(services, admin) == []
    # Correcting the value clears the mark, and saving then works.
    retype(qtbot, spin, "7")
    assert spin.property("invalid") is False
    click(qtbot, panel.save_policy_button)
    assert panel.policy_message.property("kind") == "info"
    assert len(setting_changes(services, admin)) == 1


def test_saving_unchanged_values_writes_nothing(qtbot, panel, services, admin):  # type: ignore[no-untyped-def]
    click(qtbot, panel.save_policy_button)
    click(qtbot, panel.save_clinic_button)
    assert panel.policy_message.text() == NOTHING_CHANGED
    assert panel.clinic_message.text() == NOTHING_CHANGED
    assert setting_changes(services, admin) == []


def test_refresh_discards_unsaved_typing_and_shows_what_is_stored(qtbot, panel, services, admin):  # type: ignore[no-untyped-def]
    services.settings.change_security_policy(admin, SecurityPolicy(6, 20, 8))
    retype(qtbot, panel.clinic_name_edit, "Not saved")
    panel.refresh()
    assert panel.clinic_name_edit.text() == "Test Clinic"
    assert (panel.threshold_spin.value(), panel.lockout_spin.value(),
            panel.idle_spin.value()) == (6, 20, 8)


def test_a_nurse_cannot_change_settings(qtbot, services, admin):  # type: ignore[no-untyped-def]
    nurse = actor_of(services.users.create_user(
        admin, username="nkim", full_name="Nora Kim", role=Role.NURSE,
        temporary_password="nurse-temp-1"))
    panel = SecuritySettingsPanel(services=services, actor=nurse)
    qtbot.addWidget(panel)
    panel.show()
    panel.refresh()
    retype(qtbot, panel.idle_spin, "3")

    seen: list[str] = []
    tries = 0

    def answer() -> None:  # the message box runs its own event loop: read it and press OK
        nonlocal tries
        tries += 1
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.button(QMessageBox.StandardButton.Ok).click()
        elif tries < 200:
            QTimer.singleShot(10, answer)

    QTimer.singleShot(0, answer)
    click(qtbot, panel.save_policy_button)
    assert seen == ["Only an administrator can do this. Ask a colleague with that role."]
    assert services.settings.security_policy() == SecurityPolicy()


def test_the_administration_view_passes_on_a_renamed_clinic(qtbot, services, admin):  # type: ignore[no-untyped-def]
    view = AdministrationView(services=services, actor=admin)
    qtbot.addWidget(view)
    view.show()
    view.show_tab(AdministrationView.SETTINGS)
    assert view.settings_panel.clinic_name_edit.text() == "Test Clinic"
    retype(qtbot, view.settings_panel.clinic_name_edit, "Harbour Clinic")
    with qtbot.waitSignal(view.clinic_renamed, timeout=1000) as renamed:
        click(qtbot, view.settings_panel.save_clinic_button)
    assert renamed.args == ["Harbour Clinic"]
