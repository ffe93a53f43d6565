"""The Users tab: every account, its state, and the actions an administrator takes on it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from console.domain.identity import Actor, User
from console.errors import UserFacingError
from console.services.container import Services
from console.ui.admin.common import (
    format_clock_time,
    format_local_time,
    sorted_table,
)
from console.ui.admin.dialogs import ReasonDialog, ResetPasswordDialog, UserDialog, UserForm
from console.ui.messages import InlineMessage, show_user_error
from console.ui.widgets.buttons import action_button
from console.ui.widgets.dialog_host import DialogHost
from console.ui.widgets.record_table import RecordTableModel, select_record, selected_record

_INACTIVE_TEXT = QColor("#8a96a3")  # readable grey on the dark theme and on a light one
_LOCKED_TEXT = QColor("#f5c451")  # the theme's medium-priority yellow: needs attention


def account_status(user: User, now: datetime) -> str:
    """What a person needs to know first about an account, in that order of importance."""
    if not user.active:
        return "Inactive"
    if user.locked_until is not None and user.is_locked(now):
        return f"Locked until {format_clock_time(user.locked_until, now=now)}"
    if user.must_change_password:
        return "Must change password"
    return "Active"


class UserTableModel(RecordTableModel[User]):
    """Accounts as rows: full name, user name, role, status, created."""

    COLUMNS = ("Full name", "User name", "Role", "Status", "Created")
    FULL_NAME, USERNAME, ROLE, STATUS, CREATED = range(5)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now: datetime | None = None

    def set_users(self, users: Sequence[User], now: datetime) -> None:
        with self.resetting():
            self._records = list(users)
            self._now = now

    def users(self) -> Sequence[User]:
        return self.records()

    def user_at(self, row: int) -> User:
        return self.record_at(row)

    def is_locked(self, user: User) -> bool:
        return self._now is not None and user.active and user.is_locked(self._now)

    def text(self, user: User, column: int) -> str:
        now = self._now
        if now is None:
            return ""
        match column:
            case self.FULL_NAME:
                return user.full_name
            case self.USERNAME:
                return user.username
            case self.ROLE:
                return user.role.label
            case self.STATUS:
                return account_status(user, now)
            case _:
                return format_local_time(user.created_at)

    def sort_value(self, user: User, column: int) -> Any:
        if column == self.CREATED:
            return user.created_at.timestamp()
        return self.text(user, column).casefold()

    def foreground(self, user: User, column: int) -> QColor | None:
        if not user.active:
            return _INACTIVE_TEXT
        if column == self.STATUS and self.is_locked(user):
            return _LOCKED_TEXT
        return None

    def bold(self, user: User, column: int) -> bool:
        return column == self.STATUS and self.is_locked(user)

    def tooltip(self, user: User, column: int) -> str | None:
        if column != self.STATUS:
            return None
        if not user.active:
            return "Cannot sign in. Reactivate the account to let them sign in again."
        if self.is_locked(user):
            return ("Locked after repeated failed sign-ins. It unlocks by itself at that time, "
                    "or choose Unlock.")
        if user.must_change_password:
            return "Signs in with a temporary password and must choose a new one."
        return "Can sign in."


class UsersPanel(QWidget):
    """The account list with New user, Edit, Reset password, Unlock and Deactivate/Reactivate."""

    users_changed = Signal()

    def __init__(self, *, services: Services, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usersPanel")
        self._services = services
        self._actor = actor
        self.dialogs = DialogHost()
        self._load_failed = False

        self.model = UserTableModel(self)
        self.proxy, self.table = sorted_table(
            self.model, name="usersTable", sort_column=UserTableModel.FULL_NAME,
            order=Qt.SortOrder.AscendingOrder,
            widths=((0, 280), (1, 170), (2, 150), (3, 300)), parent=self)

        self.new_button = action_button(self, "New user…", self.new_user, primary=True)
        self.edit_button = action_button(self, "Edit…", self.edit_selected)
        self.reset_button = action_button(self, "Reset password…", self.reset_password_selected)
        self.unlock_button = action_button(self, "Unlock", self.unlock_selected)
        self.activation_button = action_button(self, "Deactivate…", self.change_activation_selected)
        self.refresh_button = action_button(self, "Refresh", self.refresh)
        self.new_button.setToolTip("Create an account with a temporary password.")
        self.unlock_button.setToolTip("Clear a lock after repeated failed sign-ins.")
        self.refresh_button.setToolTip("Read the accounts again (locks expire by themselves).")

        bar = QHBoxLayout()
        bar.setSpacing(8)
        for button in (self.new_button, self.edit_button, self.reset_button,
                       self.unlock_button, self.activation_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)

        intro = QLabel(
            "People who can sign in to this console. Deactivated accounts cannot sign in; "
            "their records and audit history are kept."
        )
        intro.setObjectName("muted")
        intro.setWordWrap(True)
        self.load_error = InlineMessage(self)
        self.notice = InlineMessage(self)
        self.summary = QLabel(self)
        self.summary.setObjectName("muted")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addLayout(bar)
        layout.addWidget(self.load_error)
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self.edit_selected)
        self._update_buttons()


    # ------------------------------------------------------------------ reading
    def refresh(self) -> None:
        """Read every account again, keeping the selection; an old confirmation is cleared."""
        self.notice.clear_message()
        self._reload()

    def _reload(self) -> None:
        selected = self.selected_user()
        now = self._services.users.now()
        try:
            users = self._services.users.list_users(self._actor)
        except UserFacingError as error:
            self._load_failed = True
            self.model.set_users([], now)
            self.load_error.show_error(error.message)
            self.summary.clear()
            self._update_buttons()
            return
        self._load_failed = False
        self.load_error.clear_message()
        self.model.set_users(users, now)
        if selected is not None:
            self.select_user(selected.id)
        self.summary.setText(self._summary_text(users, now))
        self._update_buttons()

    @staticmethod
    def _summary_text(users: Sequence[User], now: datetime) -> str:
        parts = [f"{len(users)} account{'' if len(users) == 1 else 's'}"]
        locked = sum(1 for user in users if user.active and user.is_locked(now))
        inactive = sum(1 for user in users if not user.active)
        if locked:
            parts.append(f"{locked} locked")
        if inactive:
            parts.append(f"{inactive} inactive")
        return " · ".join(parts)

    def selected_user(self) -> User | None:
        return selected_record(self.table, self.model)

    def select_user(self, user_id: int) -> None:
        select_record(self.table, self.model, user_id)

    def _update_buttons(self) -> None:
        user = self.selected_user()
        self.new_button.setEnabled(not self._load_failed)
        for button in (self.edit_button, self.reset_button, self.activation_button):
            button.setEnabled(user is not None)
        self.unlock_button.setEnabled(user is not None and self.model.is_locked(user))
        deactivating = user is None or user.active
        self.activation_button.setText("Deactivate…" if deactivating else "Reactivate…")
        self.activation_button.setProperty("role", "danger" if deactivating else None)
        self.activation_button.style().unpolish(self.activation_button)
        self.activation_button.style().polish(self.activation_button)
        self.activation_button.setToolTip("")
        if user is not None and user.id == self._actor.user_id:
            self.activation_button.setEnabled(False)
            self.activation_button.setToolTip(
                "You cannot deactivate your own account. Ask another administrator."
            )

    # ------------------------------------------------------------------ dialogs
    @property
    def active_dialog(self) -> QDialog | None:
        """The dialog this panel has open, if any (window-modal, opened with ``open()``)."""
        return self.dialogs.active_dialog

    def _open(self, dialog: QDialog, on_accepted: Callable[[], None]) -> None:
        """Show ``dialog`` without a nested event loop; act on acceptance, then delete it."""
        self.notice.clear_message()
        self.dialogs.open_dialog(dialog, on_accepted)

    def new_user(self) -> None:
        def create(form: UserForm) -> User:
            return self._services.users.create_user(
                self._actor, username=form.username, full_name=form.full_name,
                role=form.role, temporary_password=form.temporary_password,
            )

        dialog = UserDialog(submit=create, parent=self)

        def created() -> None:
            user = dialog.saved_user
            if user is None:
                return
            self._changed(user.id, (
                f"Account created for {user.full_name} ({user.username}). Give them the "
                "temporary password; they must choose their own at first sign-in."
            ))

        self._open(dialog, created)

    def edit_selected(self) -> None:
        user = self.selected_user()
        if user is None:
            return

        def update(form: UserForm) -> User:
            return self._services.users.update_user(
                self._actor, user.id, full_name=form.full_name, role=form.role
            )

        dialog = UserDialog(submit=update, user=user,
                            own_account=user.id == self._actor.user_id, parent=self)

        def saved() -> None:
            after = dialog.saved_user or user
            self._changed(user.id, f"Saved changes to {after.full_name} ({after.username}).")

        self._open(dialog, saved)

    def change_activation_selected(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        who = f"{user.full_name} ({user.username})"
        if user.active:
            dialog = ReasonDialog(
                title="Deactivate account",
                explanation=(
                    f"Deactivate {who}? They will not be able to sign in from now on. "
                    "Their records, signatures and audit history are kept, and the account "
                    "can be reactivated later."
                ),
                accept_text="Deactivate account", danger=True, parent=self,
                submit=lambda reason: self._services.users.deactivate(
                    self._actor, user.id, reason=reason),
            )
            done = f"{who} is deactivated and can no longer sign in."
        else:
            dialog = ReasonDialog(
                title="Reactivate account",
                explanation=f"Reactivate {who}? They will be able to sign in again.",
                accept_text="Reactivate account", parent=self,
                submit=lambda reason: self._services.users.reactivate(
                    self._actor, user.id, reason=reason),
            )
            done = f"{who} is active again and can sign in."
        self._open(dialog, lambda: self._changed(user.id, done))

    def reset_password_selected(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        dialog = ResetPasswordDialog(
            user=user, parent=self,
            submit=lambda password: self._services.users.reset_password(
                self._actor, user.id, temporary_password=password),
        )
        self._open(dialog, lambda: self._changed(user.id, (
            f"Temporary password set for {user.full_name} ({user.username}). They must choose "
            "a new password when they next sign in."
        )))

    def unlock_selected(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        self.notice.clear_message()
        try:
            self._services.users.unlock(self._actor, user.id)
        except UserFacingError as error:
            show_user_error(self, error)
            self._reload()
            return
        self._changed(user.id, f"{user.full_name} ({user.username}) is unlocked and can sign in.")

    def _changed(self, user_id: int, message: str) -> None:
        self._reload()
        self.select_user(user_id)
        self.notice.show_info(message)
        self.users_changed.emit()
