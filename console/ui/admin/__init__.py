"""The Administration area: accounts, the audit trail and clinic-wide settings."""

from console.ui.admin.audit import AuditPanel, AuditTableModel
from console.ui.admin.dialogs import ReasonDialog, ResetPasswordDialog, UserDialog, UserForm
from console.ui.admin.settings import SecuritySettingsPanel
from console.ui.admin.users import UsersPanel, UserTableModel
from console.ui.admin.view import AdministrationView

__all__ = [
    "AdministrationView",
    "AuditPanel",
    "AuditTableModel",
    "ReasonDialog",
    "ResetPasswordDialog",
    "SecuritySettingsPanel",
    "UserDialog",
    "UserForm",
    "UserTableModel",
    "UsersPanel",
]
