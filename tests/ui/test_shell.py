"""Sign-in, first-run setup, password replacement, navigation by role and the idle lock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit

from console.domain.clock import SystemClock
from console.errors import AuthenticationFailed
from console.ui.login import ChangePasswordDialog, LoginDialog, SetupDialog
from console.ui.main_window import MainWindow, Outcome
from tests.conftest import ADMIN_PASSWORD


def audit_actions(services, admin) -> list[str]:  # type: ignore[no-untyped-def]
    from console.services.audit import AuditFilter

    return [entry.action for entry in services.audit.search(admin, AuditFilter(limit=1000))]


def make_nurse(services, admin, password: str = "nurse-pass-01"):  # type: ignore[no-untyped-def]
    user = services.users.create_user(
        admin, username="nkim", full_name="Nora Kim", role="nurse",
        temporary_password="temp-pass-01",
    )
    services.auth.change_password("nkim", "temp-pass-01", password)
    return user


@pytest.fixture
def login(qtbot, services, admin):  # type: ignore[no-untyped-def]
    dialog = LoginDialog(services=services, clinic_name="Test Clinic", database_label="test")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def sign_in(qtbot, dialog: LoginDialog, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    dialog.username.clear()
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)


def test_sign_in_with_the_right_password_accepts_and_names_the_actor(qtbot, login, admin):  # type: ignore[no-untyped-def]
    sign_in(qtbot, login, "admin", ADMIN_PASSWORD)
    assert login.result() == QDialog.DialogCode.Accepted
    assert login.actor is not None
    assert login.actor.user_id == admin.user_id


@pytest.mark.parametrize("username", ["admin", "nobody"])
def test_a_failed_sign_in_shows_one_message_that_does_not_reveal_the_user(  # type: ignore[no-untyped-def]
    qtbot, login, username
):
    sign_in(qtbot, login, username, "not-the-password")
    assert login.actor is None
    assert login.message.isVisible()
    assert login.message.text() == AuthenticationFailed.GENERIC
    assert login.password.text() == "", "the wrong password is cleared"
    assert login.username.text() == username, "the user name is kept"


def test_blank_fields_ask_for_both(qtbot, login):  # type: ignore[no-untyped-def]
    qtbot.mouseClick(login.sign_in_button, Qt.MouseButton.LeftButton)
    assert "Enter your user name and password" in login.message.text()


def test_a_reset_password_must_be_replaced_before_the_console_opens(  # type: ignore[no-untyped-def]
    qtbot, login, services, admin, monkeypatch
):
    services.users.create_user(admin, username="tlopez", full_name="Tomas Lopez", role="nurse",
                               temporary_password="temp-pass-01")
    seen: list[ChangePasswordDialog] = []

    def fill_and_save(dialog: ChangePasswordDialog) -> int:
        seen.append(dialog)
        dialog.new.setText("my-own-pass-9")
        dialog.confirm.setText("my-own-pass-9")
        dialog._save()
        return dialog.result()

    monkeypatch.setattr(ChangePasswordDialog, "exec", fill_and_save)
    sign_in(qtbot, login, "tlopez", "temp-pass-01")
    assert seen, "the password change dialog opened"
    assert not seen[0].current.isVisible(), "the current password is not asked twice"
    assert login.actor is not None
    assert login.actor.username == "tlopez"
    assert services.auth.sign_in("tlopez", "my-own-pass-9").username == "tlopez"


def test_change_password_dialog_refuses_a_mismatch_and_a_weak_password(qtbot, services, admin):  # type: ignore[no-untyped-def]
    dialog = ChangePasswordDialog(services=services, username="admin")
    qtbot.addWidget(dialog)
    dialog.current.setText(ADMIN_PASSWORD)
    dialog.new.setText("abc")
    dialog.confirm.setText("abd")
    dialog._save()
    assert "differ" in dialog.message.text()
    dialog.confirm.setText("abc")
    dialog._save()
    assert "too short" in dialog.message.text()
    assert dialog.new.text() == "abc", "what was typed is kept"
    assert services.auth.sign_in("admin", ADMIN_PASSWORD).username == "admin"


def test_setup_creates_the_clinic_and_its_first_administrator(qtbot, services):  # type: ignore[no-untyped-def]
    dialog = SetupDialog(services=services, database_label="test")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.clinic_name, "Hillside Pain Service")
    qtbot.keyClicks(dialog.full_name, "Sam Reyes")
    qtbot.keyClicks(dialog.username, "S.Reyes")
    qtbot.keyClicks(dialog.password, "setup-pass-77")
    qtbot.keyClicks(dialog.confirm, "setup-pass-77")
    dialog._create()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor is not None
    assert dialog.actor.username == "s.reyes"
    assert services.settings.clinic_name() == "Hillside Pain Service"
    assert not services.auth.needs_setup()


def test_setup_shows_the_service_message_and_keeps_the_form(qtbot, services):  # type: ignore[no-untyped-def]
    dialog = SetupDialog(services=services, database_label="test")
    qtbot.addWidget(dialog)
    dialog.clinic_name.setText("Hillside")
    dialog.full_name.setText("Sam Reyes")
    dialog.username.setText("1bad name")
    dialog.password.setText("setup-pass-77")
    dialog.confirm.setText("setup-pass-77")
    dialog._create()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "user name" in dialog.message.text().lower()
    assert dialog.username.property("invalid") is True
    assert dialog.clinic_name.text() == "Hillside"
    assert services.auth.needs_setup(), "nothing was created"


def open_window(qtbot, services, actor, idle_minutes: int = 10) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(services=services, actor=actor, clock=SystemClock(),
                        clinic_name="Test Clinic", database_label="test",
                        idle_lock_minutes=idle_minutes)
    qtbot.addWidget(window)
    window.show()
    return window


def test_a_nurse_sees_no_administration(qtbot, services, admin):  # type: ignore[no-untyped-def]
    make_nurse(services, admin)
    nurse = services.auth.sign_in("nkim", "nurse-pass-01")
    window = open_window(qtbot, services, nurse)
    titles = [window.nav.item(row).text() for row in range(window.nav.count())]
    assert "Administration" not in titles
    assert "My account" in titles


def test_an_administrator_sees_administration(qtbot, services, admin):  # type: ignore[no-untyped-def]
    window = open_window(qtbot, services, admin)
    titles = [window.nav.item(row).text() for row in range(window.nav.count())]
    assert titles == ["Patients", "Drug library", "Administration", "My account"]
    window.nav.setCurrentRow(titles.index("Administration"))
    assert window.pages.currentWidget() is window.areas["Administration"]


def test_idle_time_locks_and_the_password_unlocks_to_the_same_screen(  # type: ignore[no-untyped-def]
    qtbot, services, admin
):
    window = open_window(qtbot, services, admin)
    window.nav.setCurrentRow(window.nav.count() - 1)
    page_before = window.pages.currentWidget()
    draft = QLineEdit(page_before)
    draft.setText("half-typed note")
    window.idle.set_timeout_ms(50)
    window.start_idle_lock()
    qtbot.waitUntil(lambda: window.is_locked, timeout=3000)

    window.lock_page.password.setText("wrong-password")
    window.lock_page._unlock()
    assert window.is_locked
    assert window.lock_page.message.text() == AuthenticationFailed.GENERIC

    window.idle.set_timeout_ms(60_000)
    qtbot.keyClicks(window.lock_page.password, ADMIN_PASSWORD)
    qtbot.keyClick(window.lock_page.password, Qt.Key.Key_Return)
    assert not window.is_locked
    assert window.pages.currentWidget() is page_before
    assert draft.text() == "half-typed note"
    actions = audit_actions(services, admin)
    assert "auth.session_locked" in actions
    assert "auth.identity_confirmed" in actions
    assert "auth.sign_in_failed" in actions, "a wrong unlock password counts as a failure"


def test_sign_out_from_the_lock_screen_ends_the_session(qtbot, services, admin):  # type: ignore[no-untyped-def]
    window = open_window(qtbot, services, admin)
    window.lock()
    with qtbot.waitSignal(window.finished) as finished:
        window.lock_page.sign_out_requested.emit()
    assert finished.args == [Outcome.SIGNED_OUT]
    assert audit_actions(services, admin)[0] == "auth.signed_out"


def test_five_wrong_unlock_passwords_lock_the_account(qtbot, services, admin, clock):  # type: ignore[no-untyped-def]
    window = open_window(qtbot, services, admin)
    window.lock()
    for _ in range(5):
        window.lock_page.password.setText("wrong-password")
        window.lock_page._unlock()
    window.lock_page.password.setText(ADMIN_PASSWORD)
    window.lock_page._unlock()
    assert window.is_locked, "the right password no longer unlocks a locked account"
    clock.advance(timedelta(minutes=16))
    window.lock_page.password.setText(ADMIN_PASSWORD)
    window.lock_page._unlock()
    assert not window.is_locked


def test_renaming_the_clinic_updates_the_header_at_once(qtbot, services, admin):  # type: ignore[no-untyped-def]
    window = open_window(qtbot, services, admin)
    administration = window.areas["Administration"]
    administration.clinic_renamed.emit("Hillside Pain Service")  # type: ignore[attr-defined]
    assert window.clinic_label.text() == "Hillside Pain Service"
    assert window.windowTitle().startswith("Hillside Pain Service")


def test_a_new_idle_time_applies_to_the_open_window(qtbot, services, admin):  # type: ignore[no-untyped-def]
    from console.domain.identity import SecurityPolicy

    window = open_window(qtbot, services, admin)
    window.areas["Administration"].security_policy_changed.emit(  # type: ignore[attr-defined]
        SecurityPolicy(idle_lock_minutes=2))
    assert window.idle._timeout_ms == 2 * 60_000


def test_the_self_test_window_leaves_the_users_window_geometry_alone(qtbot, services, admin):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings

    window = MainWindow(services=services, actor=admin, clock=SystemClock(),
                        clinic_name="Test Clinic", database_label="test",
                        idle_lock_minutes=10, remember_geometry=False)
    qtbot.addWidget(window)
    window.show()
    window.close()
    assert QSettings().value("main_window/geometry") is None
    remembered = open_window(qtbot, services, admin)
    remembered.close()
    assert QSettings().value("main_window/geometry") is not None
