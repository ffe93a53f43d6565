"""The Drug library area: every entry and version, its limits and settings, and the actions the
signed-in role may take (clinicians and administrators edit; only clinicians approve; nurses
read). The services enforce the same rules."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.identity import Actor, Role
from console.domain.library import LibraryEntry
from console.domain.limits import LimitParameter
from console.domain.protocols import LibraryStatus, LibraryVersion
from console.errors import UserFacingError
from console.services.container import Services
from console.ui.admin.common import configure_table, format_local_time
from console.ui.admin.dialogs import ReasonDialog
from console.ui.messages import InlineMessage
from console.ui.protocols.describe import route_name
from console.ui.protocols.library_dialogs import (
    SETTING_LABELS,
    ApproveDialog,
    LibraryEntryDialog,
    settings_lines,
)
from console.ui.protocols.models import LibraryTableModel, LimitTableModel
from console.ui.widgets.banners import Banner, DrugBadge
from console.ui.widgets.buttons import action_button
from console.ui.widgets.dialog_host import DialogHost
from console.ui.widgets.record_table import select_record, selected_record
from console.ui.widgets.tables import FittedTableView

EDITORS = frozenset({Role.CLINICIAN, Role.ADMINISTRATOR})
DRAFT_BANNER = "DRAFT — Not usable until a clinician approves it."


class LibraryView(QWidget):
    """Library entries with their limits. ``refresh()`` re-reads them, keeping the selection."""

    def __init__(self, *, services: Services, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("libraryView")
        self._services = services
        self._actor = actor
        self.dialogs = DialogHost()
        self.can_edit = actor.role in EDITORS
        self.can_approve = actor.role is Role.CLINICIAN

        self.new_button = action_button(self, "New draft…", self.new_draft, primary=True)
        self.revise_button = action_button(self, "Revise…", self.revise_selected)
        self.approve_button = action_button(self, "Approve…", self.approve_selected)
        self.retire_button = action_button(self, "Retire…", self.retire_selected)
        self.retire_button.setProperty("role", "danger")
        self.refresh_button = action_button(self, "Refresh", self.refresh)
        for button in (self.new_button, self.revise_button, self.retire_button):
            button.setVisible(self.can_edit)
        self.approve_button.setVisible(self.can_approve)
        self.role_note = QLabel(self)
        self.role_note.setObjectName("muted")
        self.role_note.setWordWrap(True)
        if not self.can_edit:
            self.role_note.setText("You can read the library. Clinicians and administrators "
                                   "change it; only a clinician can approve an entry.")
        elif not self.can_approve:
            self.role_note.setText("You can prepare drafts and retire entries. A clinician must "
                                   "approve a draft before it can be used.")
        self.role_note.setVisible(bool(self.role_note.text()))

        self.model = LibraryTableModel(self)
        self.table = FittedTableView(max_rows=6, parent=self)
        self.table.setObjectName("libraryTable")
        self.table.setModel(self.model)
        configure_table(self.table, sortable=False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(LibraryTableModel.NAME, QHeaderView.ResizeMode.Stretch)
        for column in (LibraryTableModel.DRUG, LibraryTableModel.VERSION,
                       LibraryTableModel.ROUTE, LibraryTableModel.STATUS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(LibraryTableModel.APPROVAL,
                                    QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.table.setWordWrap(True)
        self.load_error = InlineMessage(self)
        self.notice = InlineMessage(self)

        # --- the selected entry
        self.status_banner = Banner(self)
        self.status_banner.setObjectName("libraryStatusBanner")
        self.entry_title = QLabel(self)
        self.entry_title.setObjectName("sectionTitle")
        self.entry_title.setWordWrap(True)
        self.drug_badge = DrugBadge(self)
        self.signed = QLabel(self)
        self.signed.setObjectName("muted")
        self.signed.setWordWrap(True)
        self.limit_model = LimitTableModel(self)
        self.limit_table = FittedTableView(max_rows=len(LimitParameter), parent=self)
        self.limit_table.setObjectName("limitTable")
        self.limit_table.setModel(self.limit_model)
        configure_table(self.limit_table, sortable=False)
        self.limit_table.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.limit_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        limit_header = self.limit_table.horizontalHeader()
        limit_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        limit_header.setSectionResizeMode(LimitTableModel.PARAMETER,
                                          QHeaderView.ResizeMode.Stretch)
        limit_header.setStretchLastSection(False)
        self.settings_form = QFormLayout()
        self.settings_form.setVerticalSpacing(6)
        self.settings_labels: dict[str, QLabel] = {}

        self._build_layout()
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._show_version(None)


    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        bar.setSpacing(8)
        for button in (self.new_button, self.revise_button, self.approve_button,
                       self.retire_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)
        intro = QLabel("What the clinic allows for each drug, by route: standard "
                       "concentrations and soft and hard limits. Every version is kept; only "
                       "an approved version can be used.")
        intro.setObjectName("muted")
        intro.setWordWrap(True)
        limits_title = QLabel("Limits")
        limits_title.setObjectName("subsectionTitle")
        limits_note = QLabel("Amber: soft limit, going beyond needs a reason. Red: hard limit, "
                             "refused.")
        limits_note.setObjectName("muted")
        limits_note.setWordWrap(True)
        settings_title = QLabel("Settings")
        settings_title.setObjectName("subsectionTitle")
        limits = QVBoxLayout()
        limits.addWidget(limits_title)
        limits.addWidget(self.limit_table)
        limits.addWidget(limits_note)
        limits.addStretch(1)
        settings = QVBoxLayout()
        settings.addWidget(settings_title)
        settings.addLayout(self.settings_form)
        settings.addStretch(1)
        settings_box = QFrame(self)
        settings_box.setObjectName("card")
        settings_box.setLayout(settings)
        settings_box.setMinimumWidth(440)
        columns = QHBoxLayout()
        columns.setSpacing(16)
        columns.addLayout(limits, 3)
        columns.addWidget(settings_box, 2)
        head = QHBoxLayout()
        head.addWidget(self.entry_title, 1)
        head.addWidget(self.drug_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        self.detail = QWidget(self)
        self.detail.setObjectName("libraryDetail")
        detail = QVBoxLayout(self.detail)
        detail.setContentsMargins(0, 6, 0, 0)
        detail.setSpacing(10)
        detail.addWidget(self.status_banner)
        detail.addLayout(head)
        detail.addWidget(self.signed)
        detail.addLayout(columns, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addLayout(bar)
        layout.addWidget(self.role_note)
        layout.addWidget(self.load_error)
        layout.addWidget(self.notice)
        layout.addWidget(self.table)
        layout.addWidget(self.detail, 1)

    # ------------------------------------------------------------------ reading
    def refresh(self) -> None:
        self.notice.clear_message()
        self._reload()

    def _reload(self) -> None:
        selected = self.selected_version()
        try:
            versions = self._services.library.list_versions(self._actor)
        except UserFacingError as error:
            self.load_error.show_error(error.message)
            self.model.set_versions([])
            self._show_version(None)
            return
        self.load_error.clear_message()
        self.model.set_versions(versions)
        self.table.refit()
        if selected is not None and self.select_version(selected.id):
            self._show_version(self.selected_version())
            return
        if versions:
            self.select_version(versions[0].id)
        else:
            self._show_version(None)

    def selected_version(self) -> LibraryVersion | None:
        return selected_record(self.table, self.model)

    def select_version(self, entry_id: int) -> bool:
        return select_record(self.table, self.model, entry_id) is not None

    def _selection_changed(self) -> None:
        self._show_version(self.selected_version())

    def _show_version(self, version: LibraryVersion | None) -> None:
        self.detail.setVisible(version is not None)
        if version is None:
            self.limit_model.set_limits({})
            self._update_buttons()
            return
        entry = version.entry
        if version.status is LibraryStatus.DRAFT:
            self.status_banner.show_text(DRAFT_BANNER, kind="warning")
        elif version.status is LibraryStatus.RETIRED:
            self.status_banner.show_text(
                f"RETIRED — {version.retired_reason or 'no reason recorded'}. Not usable for "
                "new protocols.", kind="muted")
        else:
            self.status_banner.show_text("APPROVED — in use for protocols.", kind="ok")
        self.entry_title.setText(f"{entry.name} · v{version.version} · "
                                 f"{route_name(entry.route)}")
        self.drug_badge.show_drug(entry.drug)
        signed = f"Created {format_local_time(version.created_at)}"
        if version.approval is not None:
            signed += f" · {version.approval.manifestation()}"
        self.signed.setText(signed)
        self.limit_model.set_limits(entry.limits)
        self.limit_table.refit()
        self._show_settings(entry)
        self._update_buttons()

    def _show_settings(self, entry: LibraryEntry) -> None:
        """The entry's settings; a setting that does not apply to its route is hidden."""
        if not self.settings_labels:
            for label in SETTING_LABELS:
                shown = QLabel()
                shown.setWordWrap(True)
                shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.settings_labels[label] = shown
                self.settings_form.addRow(f"{label}:", shown)
        lines = dict(settings_lines(entry))
        for label, shown in self.settings_labels.items():
            shown.setText(lines.get(label, ""))
            self.settings_form.setRowVisible(shown, label in lines)

    def _lineage(self, version: LibraryVersion) -> list[LibraryVersion]:
        return [v for v in self.model.versions() if v.lineage_id == version.lineage_id]

    def _update_buttons(self) -> None:
        version = self.selected_version()
        status = None if version is None else version.status
        pending = version is not None and any(
            v.status is LibraryStatus.DRAFT for v in self._lineage(version))
        revisable = status is LibraryStatus.APPROVED and not pending
        self.revise_button.setEnabled(revisable)
        self.revise_button.setToolTip(
            "Prepare the next version as a draft; this one stays in use until it is approved."
            if revisable else
            "A newer version of this entry is already a draft: approve or retire it first."
            if status is LibraryStatus.APPROVED else
            "Only an approved entry can be revised. A draft is approved or retired; a retired "
            "entry is replaced by a new entry.")
        self.approve_button.setEnabled(status is LibraryStatus.DRAFT)
        self.retire_button.setEnabled(status in (LibraryStatus.DRAFT, LibraryStatus.APPROVED))

    # ------------------------------------------------------------------ actions
    @property
    def active_dialog(self) -> QDialog | None:
        return self.dialogs.active_dialog

    def new_draft(self) -> None:
        dialog = LibraryEntryDialog(
            submit=lambda entry: self._services.library.create_draft(self._actor, entry),
            parent=self)

        def saved() -> None:
            if dialog.saved is not None:
                self._changed(dialog.saved.id, f"{dialog.saved.entry.name} v1 saved as a draft. "
                              "It is not usable until a clinician approves it.")

        self.notice.clear_message()
        self.dialogs.open_dialog(dialog, saved)

    def revise_selected(self) -> None:
        version = self.selected_version()
        if version is None:
            return
        dialog = LibraryEntryDialog(
            submit=lambda entry: self._services.library.revise(self._actor, version.id, entry),
            base=version, parent=self)

        def saved() -> None:
            new = dialog.saved
            if new is not None:
                self._changed(new.id, f"Version {new.version} saved as a draft. Version "
                              f"{version.version} stays in use until a clinician approves it.")

        self.notice.clear_message()
        self.dialogs.open_dialog(dialog, saved)

    def approve_selected(self) -> None:
        version = self.selected_version()
        if version is None:
            return
        replaces = next((v for v in self._lineage(version)
                         if v.status is LibraryStatus.APPROVED), None)
        dialog = ApproveDialog(services=self._services, actor=self._actor, version=version,
                               replaces=replaces, parent=self)

        def approved() -> None:
            signed = dialog.approved
            text = f"{version.entry.name} v{version.version} approved."
            if signed is not None and signed.approval is not None:
                text = (f"{version.entry.name} v{version.version}: "
                        f"{signed.approval.manifestation()}. It can now be used for protocols.")
            self._changed(version.id, text)

        self.notice.clear_message()
        self.dialogs.open_dialog(dialog, approved)

    def retire_selected(self) -> None:
        version = self.selected_version()
        if version is None:
            return
        dialog = ReasonDialog(
            title=f"Retire {version.entry.name} v{version.version}",
            explanation=(f"Retire {version.label}? It can no longer be used for new protocols "
                         "or to verify drafts written against it. This cannot be undone; the "
                         "entry and its history stay in the record."),
            accept_text="Retire entry", danger=True, parent=self,
            submit=lambda reason: self._services.library.retire(self._actor, version.id,
                                                                reason=reason))
        self.notice.clear_message()
        self.dialogs.open_dialog(dialog, lambda: self._changed(
            version.id, f"{version.entry.name} v{version.version} retired."))

    def _changed(self, entry_id: int, message: str) -> None:
        self._reload()
        self.select_version(entry_id)
        self.notice.show_info(message)
