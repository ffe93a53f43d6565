"""The Administration area: Users, Audit trail and Settings tabs for administrators."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from console.domain.identity import Actor
from console.services.container import Services
from console.ui.admin.alarm_settings import AlarmSettingsPanel
from console.ui.admin.audit import AuditPanel
from console.ui.admin.clinical_settings import ClinicalSettingsPanel
from console.ui.admin.settings import SecuritySettingsPanel
from console.ui.admin.side_effect_lists import SideEffectListsPanel
from console.ui.admin.users import UsersPanel


class AdministrationView(QWidget):
    """What the main window shows an administrator under "Administration".

    ``refresh()`` re-reads the tab in view. Opening the Users or Audit trail tab re-reads it too
    (so the trail includes what was just done elsewhere); the Settings and Alarms tabs re-read
    only after ``refresh()``, so switching tabs never throws away values typed but not yet saved.
    """

    clinic_renamed = Signal(str)
    """The clinic's new name (the main window's title and header may show it)."""
    security_policy_changed = Signal(object)
    """The new ``SecurityPolicy`` (the idle lock may want its new timeout)."""

    USERS, AUDIT, SETTINGS, CLINICAL, ALARMS, SIDE_EFFECTS = range(6)

    def __init__(self, *, services: Services, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("administrationView")
        self._services = services
        self._actor = actor
        self.users_panel = UsersPanel(services=services, actor=actor)
        self.audit_panel = AuditPanel(services=services, actor=actor)
        self.settings_panel = SecuritySettingsPanel(services=services, actor=actor)
        self.clinical_panel = ClinicalSettingsPanel(services=services, actor=actor)
        self.alarms_panel = AlarmSettingsPanel(services=services, actor=actor)
        self.side_effect_lists_panel = SideEffectListsPanel(services=services, actor=actor)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("administrationTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.users_panel, "Users")
        self.tabs.addTab(self.audit_panel, "Audit trail")
        self.tabs.addTab(self.settings_panel, "Settings")
        self.tabs.addTab(self.clinical_panel, "Clinical")
        self.tabs.addTab(self.alarms_panel, "Alarms")
        self.tabs.addTab(self.side_effect_lists_panel, "Side-effect lists")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self._settings_stale = True
        self._alarms_stale = True
        self._side_effect_lists_stale = True
        self.settings_panel.clinic_renamed.connect(self.clinic_renamed)
        self.settings_panel.policy_changed.connect(self.security_policy_changed)
        self.tabs.currentChanged.connect(self._tab_shown)

    def refresh(self) -> None:
        """Re-read what the tab in view shows (the main window calls this when showing it)."""
        self._settings_stale = True
        self._alarms_stale = True
        self._side_effect_lists_stale = True
        self._tab_shown(self.tabs.currentIndex())

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)

    def _tab_shown(self, index: int) -> None:
        if index == self.USERS:
            self.users_panel.refresh()
        elif index == self.AUDIT:
            self.audit_panel.refresh()
        elif index == self.CLINICAL:
            self.clinical_panel.refresh()
        elif index == self.SETTINGS and self._settings_stale:
            self._settings_stale = False
            self.settings_panel.refresh()
        elif index == self.ALARMS and self._alarms_stale:
            self._alarms_stale = False
            self.alarms_panel.refresh()
        elif index == self.SIDE_EFFECTS and self._side_effect_lists_stale:
            self._side_effect_lists_stale = False
            self.side_effect_lists_panel.refresh()
