"""The Users tab, driven as an administrator would: real services over a temporary SQLite file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from console.domain.identity import Actor, Role, normalise_username
from console.errors import AuthenticationFailed, PasswordChangeRequired, ValidationError
from console.services.audit import AuditFilter
from console.services.base import actor_of
from console.ui.admin import AdministrationView, UsersPanel
from console.ui.admin.dialogs import PASSWORDS_DIFFER, ReasonDialog, UserDialog
from console.ui.admin.users import UserTableModel

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def nora(services, admin):  # type: ignore[no-untyped-def]
    return services.users.create_user(admin, username="nkim", full_name="Nora Kim, RN",
                                      role=Role.NURSE, temporary_password="nurse-temp-1")


@pytest.fixture
def panel(qtbot, services, admin, nora):  # type: ignore[no-untyped-def]
    widget = UsersPanel(services=services, actor=admin)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.refresh()
    return widget


# ---------------------------------------------------------------------- helpers
def rows(panel: UsersPanel) -> dict[str, dict[str, str]]:
    """What the table shows, by user name: column title -> text."""
    view = panel.table.model()
    shown: dict[str, dict[str, str]] = {}
    for row in range(view.rowCount()):
        cells = {title: view.index(row, column).data()
                 for column, title in enumerate(UserTableModel.COLUMNS)}
        shown[cells["User name"]] = cells
    return shown


def click_row(qtbot, panel: UsersPanel, username: str) -> None:  # type: ignore[no-untyped-def]
    view = panel.table.model()
    for row in range(view.rowCount()):
        index = view.index(row, UserTableModel.USERNAME)
        if index.data() == username:
            qtbot.mouseClick(panel.table.viewport(), LEFT,
                             pos=panel.table.visualRect(index).center())
            assert panel.selected_user() is not None
            assert panel.selected_user().username == username
            return
    raise AssertionError(f"{username} is not in the table")


def click(qtbot, button: QWidget) -> None:  # type: ignore[no-untyped-def]
    assert button.isEnabled(), f"{button.objectName()} is disabled"
    qtbot.mouseClick(button, LEFT)


def retype(qtbot, edit: QWidget, text: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def actions(services, admin) -> list[str]:  # type: ignore[no-untyped-def]
    return [entry.action for entry in services.audit.search(admin, AuditFilter())]


def answer_message_box(seen: list[str]) -> None:
    """When a message box comes up (it runs its own event loop), note its text and press OK."""
    tries = 0

    def look() -> None:
        nonlocal tries
        tries += 1
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.button(QMessageBox.StandardButton.Ok).click()
        elif tries < 200:
            QTimer.singleShot(10, look)

    QTimer.singleShot(0, look)


def fill_new_user(qtbot, dialog: UserDialog, *, username: str = "j.reed",  # type: ignore[no-untyped-def]
                  full_name: str = "Jamie Reed", role: str = "Clinician",
                  password: str = "Welcome-2026", confirm: str | None = None) -> None:
    qtbot.keyClicks(dialog.username_edit, username)
    qtbot.keyClicks(dialog.full_name_edit, full_name)
    qtbot.keyClicks(dialog.role_combo, role)
    qtbot.keyClicks(dialog.password_edit, password)
    qtbot.keyClicks(dialog.confirm_edit, password if confirm is None else confirm)


def open_new_user(qtbot, panel: UsersPanel) -> UserDialog:  # type: ignore[no-untyped-def]
    click(qtbot, panel.new_button)
    dialog = panel.active_dialog
    assert isinstance(dialog, UserDialog)
    assert dialog.isVisible()
    return dialog


def lock_out(services, username: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(services.settings.security_policy().lockout_threshold):
        with pytest.raises(AuthenticationFailed):
            services.auth.sign_in(username, "certainly-wrong-1")


# ---------------------------------------------------------------------- the list
def test_the_table_lists_every_account_with_its_role_status_and_creation_time(  # type: ignore[no-untyped-def]
    qtbot, services, admin, nora, clock
):
    clock.advance(timedelta(minutes=5))
    priya = services.users.create_user(admin, username="dpatel", full_name="Dr Priya Patel",
                                       role="clinician", temporary_password="doctor-temp-1")
    services.auth.change_password("dpatel", "doctor-temp-1", "doctor-own-1")
    gone = services.users.create_user(admin, username="tlopez", full_name="Tomas Lopez, RN",
                                      role="nurse", temporary_password="nurse-temp-2")
    services.users.deactivate(admin, gone.id, reason="Left the clinic")
    lock_out(services, "dpatel")
    locked_until = services.users.now() + services.settings.security_policy().lockout_duration

    panel = UsersPanel(services=services, actor=admin)
    qtbot.addWidget(panel)
    panel.show()
    panel.refresh()

    shown = rows(panel)
    assert set(shown) == {"admin", "nkim", "dpatel", "tlopez"}
    assert shown["admin"] == {
        "Full name": "Ada Admin", "User name": "admin", "Role": "Administrator",
        "Status": "Active",
        "Created": f"24 Nov 2026 {admin_created(services, admin):%H:%M}",
    }
    assert shown["nkim"]["Status"] == "Must change password"
    assert shown["nkim"]["Role"] == "Nurse"
    assert shown["tlopez"]["Status"] == "Inactive"
    assert shown["dpatel"]["Status"] == f"Locked until {locked_until.astimezone():%H:%M}"
    assert priya.full_name == shown["dpatel"]["Full name"]
    assert panel.summary.text() == "4 accounts · 1 locked · 1 inactive"
    # Sorted by full name at first; clicking a header sorts by that column.
    names = [panel.table.model().index(row, 0).data() for row in range(4)]
    assert names == sorted(names, key=str.casefold)
    header = panel.table.horizontalHeader()
    status = UserTableModel.STATUS
    centre = QPoint(header.sectionViewportPosition(status) + header.sectionSize(status) // 2,
                    header.height() // 2)
    qtbot.mouseClick(header.viewport(), LEFT, pos=centre)
    order = [panel.table.model().index(row, status).data() for row in range(4)]
    assert order in (sorted(order), sorted(order, reverse=True))
    assert order[0] in ("Active", "Must change password")


def admin_created(services, admin):  # type: ignore[no-untyped-def]
    users = {user.id: user for user in services.users.list_users(admin)}
    return users[admin.user_id].created_at.astimezone()


def test_buttons_follow_the_selection_and_the_account_state(qtbot, panel, admin):  # type: ignore[no-untyped-def]
    assert panel.new_button.isEnabled()
    for button in (panel.edit_button, panel.reset_button, panel.activation_button,
                   panel.unlock_button):
        assert not button.isEnabled()
    click_row(qtbot, panel, "nkim")
    assert panel.edit_button.isEnabled()
    assert panel.reset_button.isEnabled()
    assert panel.activation_button.isEnabled()
    assert panel.activation_button.text() == "Deactivate…"
    assert not panel.unlock_button.isEnabled()  # not locked
    click_row(qtbot, panel, "admin")
    assert not panel.activation_button.isEnabled()  # never your own account
    assert "your own account" in panel.activation_button.toolTip()


# ---------------------------------------------------------------------- creating
def test_creating_a_user_adds_a_row_and_writes_user_created(qtbot, panel, services, admin):  # type: ignore[no-untyped-def]
    dialog = open_new_user(qtbot, panel)
    fill_new_user(qtbot, dialog)
    click(qtbot, dialog.accept_button)

    assert panel.active_dialog is None
    shown = rows(panel)
    assert shown["j.reed"]["Full name"] == "Jamie Reed"
    assert shown["j.reed"]["Role"] == "Clinician"
    assert shown["j.reed"]["Status"] == "Must change password"
    assert panel.selected_user().username == "j.reed"
    assert "Account created for Jamie Reed (j.reed)" in panel.notice.text()
    assert panel.notice.isVisible()

    created = services.audit.search(admin, AuditFilter(action_prefix="user.created"))[0]
    assert created.actor_id == admin.user_id
    assert created.decoded_new() == {"username": "j.reed", "full_name": "Jamie Reed",
                                     "role": "clinician", "active": True}
    # The temporary password works and must be replaced at first sign-in.
    with pytest.raises(PasswordChangeRequired):
        services.auth.sign_in("j.reed", "Welcome-2026")


def test_a_rejected_user_name_is_explained_in_the_dialog_which_keeps_what_was_typed(  # type: ignore[no-untyped-def]
    qtbot, panel, services, admin
):
    before = actions(services, admin)
    dialog = open_new_user(qtbot, panel)
    fill_new_user(qtbot, dialog, username="7up")
    click(qtbot, dialog.accept_button)

    with pytest.raises(ValidationError) as expected:
        normalise_username("7up")
    assert panel.active_dialog is dialog
    assert dialog.isVisible()
    assert dialog.message.isVisible()
    assert dialog.message.text() == expected.value.message
    assert dialog.username_edit.property("invalid") is True
    assert dialog.username_edit.text() == "7up"
    assert dialog.full_name_edit.text() == "Jamie Reed"
    assert dialog.password_edit.text() == "Welcome-2026"
    assert actions(services, admin) == before
    assert "7up" not in rows(panel)

    retype(qtbot, dialog.username_edit, "seven.up")
    click(qtbot, dialog.accept_button)
    assert panel.active_dialog is None
    assert "seven.up" in rows(panel)


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        ({"confirm": "Welcome-2027"}, PASSWORDS_DIFFER, "confirm"),
        ({"password": "short"},
         "The password is too short: use at least 10 characters.", "password"),
        ({"username": "nkim"}, "The user name 'nkim' is taken. Choose another.", "username"),
        ({"full_name": "J"}, "Enter the person's full name as it should appear on signatures "
                             "(2 to 100 characters).", "full_name"),
    ],
)
def test_other_refusals_are_shown_inline_with_the_field_marked(  # type: ignore[no-untyped-def]
    qtbot, panel, services, admin, change, message, field
):
    before = actions(services, admin)
    dialog = open_new_user(qtbot, panel)
    fill_new_user(qtbot, dialog, **change)
    click(qtbot, dialog.accept_button)
    assert dialog.isVisible()
    assert dialog.message.text() == message
    assert dialog.fields()[field].property("invalid") is True
    assert actions(services, admin) == before


def test_cancel_creates_nothing(qtbot, panel, services, admin):  # type: ignore[no-untyped-def]
    before = actions(services, admin)
    dialog = open_new_user(qtbot, panel)
    fill_new_user(qtbot, dialog)
    click(qtbot, dialog.cancel_button)
    assert panel.active_dialog is None
    assert "j.reed" not in rows(panel)
    assert actions(services, admin) == before


# ---------------------------------------------------------------------- editing
def test_editing_changes_name_and_role_and_audits_before_and_after(  # type: ignore[no-untyped-def]
    qtbot, panel, services, admin
):
    click_row(qtbot, panel, "nkim")
    click(qtbot, panel.edit_button)
    dialog = panel.active_dialog
    assert isinstance(dialog, UserDialog)
    assert dialog.username_edit.text() == "nkim"
    assert not dialog.username_edit.isEnabled()  # a user name never changes
    assert dialog.full_name_edit.text() == "Nora Kim, RN"
    retype(qtbot, dialog.full_name_edit, "Nora Kim-Lee, RN")
    qtbot.keyClicks(dialog.role_combo, "Clinician")
    click(qtbot, dialog.accept_button)

    assert panel.active_dialog is None
    assert rows(panel)["nkim"]["Full name"] == "Nora Kim-Lee, RN"
    assert rows(panel)["nkim"]["Role"] == "Clinician"
    updated = services.audit.search(admin, AuditFilter(action_prefix="user.updated"))[0]
    assert updated.decoded_old()["role"] == "nurse"
    assert updated.decoded_new() == {"username": "nkim", "full_name": "Nora Kim-Lee, RN",
                                     "role": "clinician", "active": True}


def test_double_clicking_a_row_opens_it_for_editing_and_own_role_is_locked(qtbot, panel):  # type: ignore[no-untyped-def]
    view = panel.table.model()
    for row in range(view.rowCount()):
        index = view.index(row, 0)
        if view.index(row, 1).data() == "admin":
            centre = panel.table.visualRect(index).center()
            qtbot.mouseClick(panel.table.viewport(), LEFT, pos=centre)
            qtbot.mouseDClick(panel.table.viewport(), LEFT, pos=centre)
    dialog = panel.active_dialog
    assert isinstance(dialog, UserDialog)
    assert dialog.editing is not None
    assert dialog.editing.username == "admin"
    assert not dialog.role_combo.isEnabled()
    click(qtbot, dialog.cancel_button)


# ---------------------------------------------------------------------- deactivating
def test_deactivating_asks_for_a_reason_then_marks_the_account_inactive(  # type: ignore[no-untyped-def]
    qtbot, panel, services, admin, nora
):
    click_row(qtbot, panel, "nkim")
    click(qtbot, panel.activation_button)
    dialog = panel.active_dialog
    assert isinstance(dialog, ReasonDialog)
    assert "Deactivate Nora Kim, RN (nkim)?" in dialog.intro.text()
    assert dialog.accept_button.text() == "Deactivate account"

    click(qtbot, dialog.accept_button)  # no reason given
    assert dialog.isVisible()
    assert dialog.message.text() == (
        "Give a reason for deactivating the account (at least a few words)."
    )
    assert dialog.reason_edit.property("invalid") is True
    assert rows(panel)["nkim"]["Status"] == "Must change password"

    qtbot.keyClicks(dialog.reason_edit, "Left the clinic in October")
    click(qtbot, dialog.accept_button)
    assert panel.active_dialog is None
    assert rows(panel)["nkim"]["Status"] == "Inactive"
    assert panel.activation_button.text() == "Reactivate…"
    assert "can no longer sign in" in panel.notice.text()
    record = services.audit.search(admin, AuditFilter(action_prefix="user.deactivated"))[0]
    assert record.entity_id == str(nora.id)
    assert record.reason == "Left the clinic in October"
    with pytest.raises(AuthenticationFailed):
        services.auth.sign_in("nkim", "nurse-temp-1")

    click(qtbot, panel.activation_button)
    again = panel.active_dialog
    assert isinstance(again, ReasonDialog)
    assert again.accept_button.text() == "Reactivate account"
    qtbot.keyClicks(again.reason_edit, "Returned from leave")
    click(qtbot, again.accept_button)
    assert rows(panel)["nkim"]["Status"] == "Must change password"
    assert actions(services, admin)[0] == "user.reactivated"


def test_cancelling_the_deactivation_leaves_the_account_alone(qtbot, panel, services, admin):  # type: ignore[no-untyped-def]
    before = actions(services, admin)
    click_row(qtbot, panel, "nkim")
    click(qtbot, panel.activation_button)
    dialog = panel.active_dialog
    qtbot.keyClicks(dialog.reason_edit, "Changed my mind")
    click(qtbot, dialog.cancel_button)
    assert rows(panel)["nkim"]["Status"] == "Must change password"
    assert actions(services, admin) == before


# ---------------------------------------------------------------------- passwords and locks
def test_reset_password_needs_the_same_strong_password_twice(qtbot, panel, services, admin):  # type: ignore[no-untyped-def]
    services.auth.change_password("nkim", "nurse-temp-1", "nurse-own-11")
    panel.refresh()
    assert rows(panel)["nkim"]["Status"] == "Active"
    click_row(qtbot, panel, "nkim")
    click(qtbot, panel.reset_button)
    dialog = panel.active_dialog
    qtbot.keyClicks(dialog.password_edit, "Temporary-99")
    qtbot.keyClicks(dialog.confirm_edit, "Temporary-98")
    click(qtbot, dialog.accept_button)
    assert dialog.message.text() == PASSWORDS_DIFFER
    retype(qtbot, dialog.password_edit, "aaaaaaaaaaaa")
    retype(qtbot, dialog.confirm_edit, "aaaaaaaaaaaa")
    click(qtbot, dialog.accept_button)
    assert dialog.message.text() == (
        "The password repeats too few characters: mix at least four different ones."
    )
    assert dialog.password_edit.property("invalid") is True
    qtbot.wait(10)  # let the layout settle: the message must not squeeze the inputs together
    assert dialog.confirm_edit.geometry().top() > dialog.password_edit.geometry().bottom()
    assert dialog.height() >= dialog.sizeHint().height()
    retype(qtbot, dialog.password_edit, "Temporary-99")
    retype(qtbot, dialog.confirm_edit, "Temporary-99")
    click(qtbot, dialog.accept_button)

    assert panel.active_dialog is None
    assert rows(panel)["nkim"]["Status"] == "Must change password"
    assert actions(services, admin)[0] == "user.password_reset"
    with pytest.raises(PasswordChangeRequired):
        services.auth.sign_in("nkim", "Temporary-99")


def test_unlock_is_enabled_only_for_a_locked_account_and_unlocks_it(  # type: ignore[no-untyped-def]
    qtbot, panel, services, admin, nora
):
    services.auth.change_password("nkim", "nurse-temp-1", "nurse-own-11")
    lock_out(services, "nkim")
    panel.refresh()
    assert rows(panel)["nkim"]["Status"].startswith("Locked until ")
    click_row(qtbot, panel, "admin")
    assert not panel.unlock_button.isEnabled()
    click_row(qtbot, panel, "nkim")
    assert panel.unlock_button.isEnabled()

    click(qtbot, panel.unlock_button)
    assert rows(panel)["nkim"]["Status"] == "Active"
    assert not panel.unlock_button.isEnabled()
    assert "is unlocked" in panel.notice.text()
    unlocked = services.audit.search(admin, AuditFilter(action_prefix="user.unlocked"))[0]
    assert unlocked.entity_id == str(nora.id)
    assert unlocked.decoded_new() == {"locked_until": None, "failed_attempts": 0}
    assert services.auth.sign_in("nkim", "nurse-own-11").username == "nkim"
    click(qtbot, panel.refresh_button)  # an old confirmation does not linger
    assert not panel.notice.isVisible()


def test_a_lock_that_has_expired_is_no_longer_shown(qtbot, panel, services, clock):  # type: ignore[no-untyped-def]
    services.auth.change_password("nkim", "nurse-temp-1", "nurse-own-11")
    lock_out(services, "nkim")
    clock.advance(services.settings.security_policy().lockout_duration + timedelta(seconds=1))
    click(qtbot, panel.refresh_button)
    assert rows(panel)["nkim"]["Status"] == "Active"
    click_row(qtbot, panel, "nkim")
    assert not panel.unlock_button.isEnabled()


# ---------------------------------------------------------------------- permissions
def test_a_nurse_gets_no_account_data(qtbot, services, admin, nora):  # type: ignore[no-untyped-def]
    nurse = actor_of(nora)
    panel = UsersPanel(services=services, actor=nurse)
    qtbot.addWidget(panel)
    panel.show()
    panel.refresh()
    assert panel.table.model().rowCount() == 0
    assert panel.load_error.isVisible()
    assert panel.load_error.text() == (
        services_error_text(lambda: services.users.list_users(nurse))
    )
    assert "administrator" in panel.load_error.text()
    assert not panel.new_button.isEnabled()


def services_error_text(call: Callable[[], object]) -> str:
    from console.errors import PermissionDenied

    with pytest.raises(PermissionDenied) as refused:
        call()
    return refused.value.message


def test_an_administrator_deactivated_elsewhere_is_told_when_saving(qtbot, services, admin):  # type: ignore[no-untyped-def]
    second = services.users.create_user(admin, username="bea", full_name="Bea Boss",
                                        role="administrator", temporary_password="admin-temp-1")
    bea = actor_of(second)
    panel = UsersPanel(services=services, actor=bea)
    qtbot.addWidget(panel)
    panel.show()
    panel.refresh()
    click_row(qtbot, panel, "admin")
    click(qtbot, panel.edit_button)
    dialog = panel.active_dialog
    retype(qtbot, dialog.full_name_edit, "Ada Admin-Smith")

    services.users.deactivate(admin, second.id, reason="Account shared by mistake")
    seen: list[str] = []
    answer_message_box(seen)
    click(qtbot, dialog.accept_button)

    assert seen == ["Your account is no longer active. Sign in again or ask an administrator."]
    assert dialog.isVisible()  # nothing lost: the administrator can cancel or copy it
    names = {user.username: user.full_name for user in services.users.list_users(admin)}
    assert names["admin"] == "Ada Admin"


def test_the_administration_view_has_the_three_tabs_and_loads_on_refresh(  # type: ignore[no-untyped-def]
    qtbot, services, admin: Actor, nora
):
    view = AdministrationView(services=services, actor=admin)
    qtbot.addWidget(view)
    view.show()
    assert [view.tabs.tabText(index) for index in range(view.tabs.count())] == [
        "Users", "Audit trail", "Settings", "Clinical", "Alarms", "Side-effect lists"
    ]
    assert view.users_panel.table.model().rowCount() == 0  # nothing read before refresh()
    view.refresh()
    assert set(rows(view.users_panel)) == {"admin", "nkim"}
