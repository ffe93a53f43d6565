"""One patient in full: two identifiers, allergies, the contraindication screen, and protocols.

Nurses and clinicians record the screen; only clinicians see the protocol actions (New
protocol, Revise, Verify, Discontinue). Everyone can read everything shown here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.identity import Actor, Role
from console.domain.patients import Answer, Contraindication, Patient
from console.domain.protocols import LibraryVersion, PatientProtocol, ProtocolStatus
from console.errors import UserFacingError
from console.services.container import Services
from console.ui.admin.common import configure_table
from console.ui.admin.dialogs import ReasonDialog
from console.ui.messages import InlineMessage
from console.ui.patients.dialogs import ScreeningDialog
from console.ui.patients.models import ScreeningTableModel, screen_summary
from console.ui.protocols.describe import STATUS_TEXT, protocol_details
from console.ui.protocols.editor import ProtocolDialog
from console.ui.protocols.models import ProtocolTableModel
from console.ui.protocols.verify import VerifyDialog
from console.ui.side_effects.history import PatientSideEffectsPanel
from console.ui.widgets.banners import AllergyBanner, Banner, IdentityBanner
from console.ui.widgets.buttons import action_button
from console.ui.widgets.dialog_host import DialogHost
from console.ui.widgets.record_table import select_record, selected_record
from console.ui.widgets.tables import FittedTableView

SCREENERS = frozenset({Role.NURSE, Role.CLINICIAN})


def _section(title: str) -> QLabel:
    label = QLabel(title)
    label.setObjectName("sectionTitle")
    return label


class PatientDetailPanel(QWidget):
    """The selected patient. Signals:
        changed(): something about this patient was saved (the register may want to re-read).
    """

    changed = Signal()

    def __init__(self, *, services: Services, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientDetailPanel")
        self._services = services
        self._actor = actor
        self.dialogs = DialogHost()
        self.patient: Patient | None = None
        self._entries: dict[int, LibraryVersion] = {}
        self.can_screen = actor.role in SCREENERS
        self.can_prescribe = actor.role is Role.CLINICIAN

        self.banner = IdentityBanner(self)
        self.allergies = AllergyBanner(self)
        self.notice = InlineMessage(self)
        self.load_error = InlineMessage(self)

        # --- the contraindication screen
        self.screen_model = ScreeningTableModel(self)
        self.screen_table = FittedTableView(max_rows=len(Contraindication), parent=self)
        self.screen_table.setObjectName("screenTable")
        self.screen_table.setModel(self.screen_model)
        configure_table(self.screen_table, sortable=False)
        self.screen_table.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.screen_table.setWordWrap(True)
        self.screen_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.screen_table.horizontalHeader()
        header.setStretchLastSection(False)
        for column in (ScreeningTableModel.QUESTION, ScreeningTableModel.ANSWER,
                       ScreeningTableModel.ANSWERED):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ScreeningTableModel.DETAILS, QHeaderView.ResizeMode.Stretch)
        self.screen_status = Banner(self)
        self.screen_status.setObjectName("screenStatus")
        self.screen_button = action_button(self, "Record screen…", self.record_screen)
        self.screen_button.setVisible(self.can_screen)
        self.screen_button.setToolTip("Record the patient's answers (nurses and clinicians).")

        # --- protocols
        self.protocol_model = ProtocolTableModel(self)
        self.protocol_table = FittedTableView(max_rows=4, parent=self)
        self.protocol_table.setObjectName("protocolTable")
        self.protocol_table.setModel(self.protocol_model)
        configure_table(self.protocol_table, sortable=False)
        self.protocol_table.setWordWrap(True)
        header = self.protocol_table.horizontalHeader()
        header.setStretchLastSection(False)
        for column in (ProtocolTableModel.VERSION, ProtocolTableModel.STATUS,
                       ProtocolTableModel.AUTHOR):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ProtocolTableModel.DOSE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ProtocolTableModel.VERIFICATION,
                                    QHeaderView.ResizeMode.ResizeToContents)
        self.protocol_detail = QLabel(self)
        self.protocol_detail.setObjectName("protocolDetail")
        self.protocol_detail.setWordWrap(True)
        self.protocol_detail.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.new_protocol_button = action_button(self, "New protocol…", self.new_protocol,
                                                primary=True)
        self.revise_button = action_button(self, "Revise…", self.revise_selected)
        self.verify_button = action_button(self, "Verify…", self.verify_selected)
        self.discontinue_button = action_button(self, "Discontinue…", self.discontinue_selected)
        self.discontinue_button.setProperty("role", "danger")
        for button in self.protocol_buttons():
            button.setVisible(self.can_prescribe)
        self.read_only_note = QLabel(
            "Protocols are written and verified by clinicians. They are shown here to read.")
        self.read_only_note.setObjectName("muted")
        self.read_only_note.setWordWrap(True)
        self.read_only_note.setVisible(not self.can_prescribe)

        # --- side effects across sessions, follow-ups and the clinic's prompts
        self.side_effects = PatientSideEffectsPanel(side_effects=services.side_effects,
                                                    actor=actor, today=self.today, parent=self)

        self._build_layout()
        self.protocol_table.selectionModel().selectionChanged.connect(self._protocol_selected)
        self.protocol_table.doubleClicked.connect(self._protocol_double_clicked)
        self.show_patient(None)


    def protocol_buttons(self) -> tuple[QPushButton, ...]:
        return (self.new_protocol_button, self.revise_button, self.verify_button,
                self.discontinue_button)

    def _build_layout(self) -> None:
        screen_head = QHBoxLayout()
        screen_head.setSpacing(12)
        screen_head.addWidget(_section("Contraindication screen"))
        screen_head.addWidget(self.screen_status, 1)
        screen_head.addWidget(self.screen_button)
        screen = QVBoxLayout()
        screen.setSpacing(8)
        screen.addLayout(screen_head)
        screen.addWidget(self.screen_table)

        protocol_head = QHBoxLayout()
        protocol_head.addWidget(_section("Protocols"))
        protocol_head.addStretch(1)
        for button in self.protocol_buttons():
            protocol_head.addWidget(button)
        protocols = QVBoxLayout()
        protocols.setSpacing(8)
        protocols.addLayout(protocol_head)
        protocols.addWidget(self.read_only_note)
        protocols.addWidget(self.protocol_table)
        protocols.addWidget(self.protocol_detail)

        self.body = QFrame(self)
        self.body.setObjectName("patientBody")
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(14)
        body.addLayout(protocols)
        body.addLayout(screen)
        body.addWidget(self.side_effects)
        body.addStretch(1)

        self.banner_row = QHBoxLayout()
        self.banner_row.setSpacing(10)
        self.banner_row.addWidget(self.banner, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.setSpacing(10)
        layout.addLayout(self.banner_row)
        layout.addWidget(self.allergies)
        layout.addWidget(self.load_error)
        layout.addWidget(self.notice)
        layout.addWidget(self.body, 1)

    def add_banner_buttons(self, before: QWidget, after: QWidget) -> None:
        """Put navigation beside the identity banner (the view's Back and Edit buttons)."""
        self.banner_row.insertWidget(0, before)
        self.banner_row.addWidget(after)

    # ------------------------------------------------------------------ reading
    def today(self) -> date:
        return self._services.patients.now().astimezone().date()

    def show_patient(self, patient: Patient | None) -> None:
        """Show ``patient`` (re-read from the services), or nobody."""
        if patient is None or self.patient is None or patient.id != self.patient.id:
            self.notice.clear_message()
        self.patient = patient
        self.reload()

    def reload(self) -> None:
        self.load_error.clear_message()
        patient = self.patient
        self.banner.show_patient(patient, self.today())
        self.allergies.show_allergies(patient)
        self.body.setVisible(patient is not None)
        self.side_effects.show_patient(None if patient is None else patient.id)
        if patient is None:
            self.screen_model.set_answers({})
            self.protocol_model.set_protocols([], {})
            self._update_buttons()
            return
        selected = self.selected_protocol()
        try:
            screen = self._services.patients.screen(self._actor, patient.id)
            protocols = self._services.protocols.for_patient(self._actor, patient.id)
            entries = {v.id: v for v in self._services.library.list_versions(self._actor)}
        except UserFacingError as error:
            self.load_error.show_error(error.message)
            self.screen_model.set_answers({})
            self.protocol_model.set_protocols([], {})
            self._update_buttons()
            return
        self._entries = entries
        self.screen_model.set_answers(screen)
        text, kind = screen_summary(screen)
        self.screen_status.show_text(text, kind=kind)
        self.protocol_model.set_protocols(protocols, entries)
        self._fit_tables()
        if selected is not None and self.select_protocol(selected.id):
            return
        in_force = [p for p in protocols if p.status is ProtocolStatus.VERIFIED]
        drafts = [p for p in protocols if p.status is ProtocolStatus.DRAFT]
        # The protocol in force first: its figures are the ones sessions use.
        first = (in_force or drafts or list(protocols))[:1]
        if first:
            self.select_protocol(first[0].id)
        else:
            self._protocol_selected()

    def _fit_tables(self) -> None:
        self.screen_table.refit()
        self.protocol_table.refit()

    def selected_protocol(self) -> PatientProtocol | None:
        return selected_record(self.protocol_table, self.protocol_model)

    def select_protocol(self, protocol_id: int) -> bool:
        return select_record(self.protocol_table, self.protocol_model, protocol_id) is not None

    def _protocol_selected(self) -> None:
        protocol = self.selected_protocol()
        if protocol is None:
            self.protocol_detail.setText(
                "No protocol yet." if self.protocol_model.rowCount() == 0 else "")
        else:
            entry = self._entries.get(protocol.library_entry_id)
            self.protocol_detail.setText(
                f"Selected v{protocol.version} ({STATUS_TEXT[protocol.status].lower()}): "
                + "\n".join(protocol_details(protocol, entry, brief=True)))
        self._update_buttons()

    def _update_buttons(self) -> None:
        patient, protocol = self.patient, self.selected_protocol()
        self.screen_button.setEnabled(patient is not None)
        self.new_protocol_button.setEnabled(patient is not None)
        pending = {p.lineage_id for p in self.protocol_model.protocols()
                   if p.status is ProtocolStatus.DRAFT}
        status = None if protocol is None else protocol.status
        revisable = protocol is not None and status is ProtocolStatus.VERIFIED \
            and protocol.lineage_id not in pending
        self.revise_button.setEnabled(revisable)
        self.revise_button.setToolTip(
            "Write a new version; this one stays in force until the new one is verified."
            if revisable else
            "A newer version of this protocol is a draft: verify or discontinue it first."
            if status is ProtocolStatus.VERIFIED else
            "Only the verified protocol in force can be revised.")
        self.verify_button.setEnabled(status is ProtocolStatus.DRAFT)
        self.verify_button.setToolTip("Check and sign a draft (a second clinician).")
        self.discontinue_button.setEnabled(
            status in (ProtocolStatus.DRAFT, ProtocolStatus.VERIFIED))
        self.discontinue_button.setToolTip(
            "Stop this protocol (a draft is withdrawn); a reason is required.")

    # ------------------------------------------------------------------ actions
    @property
    def active_dialog(self) -> object:
        return self.dialogs.active_dialog

    def record_screen(self) -> None:
        patient = self.patient
        if patient is None:
            return
        try:
            current = self._services.patients.screen(self._actor, patient.id)
        except UserFacingError as error:
            self.load_error.show_error(error.message)
            return

        def submit(answers: Mapping[Contraindication, tuple[Answer, str]]) -> object:
            return self._services.patients.record_screen(self._actor, patient.id, answers)

        dialog = ScreeningDialog(patient=patient, today=self.today(), current=current,
                                 submit=submit, parent=self)
        self.dialogs.open_dialog(dialog, self._screen_saved)

    def _screen_saved(self) -> None:
        self.reload()
        screen = self.screen_model.answers()
        positives = [a.item.label for a in screen.values() if a.answer is Answer.YES]
        text = "Screen saved."
        if positives:
            text += (" Reported: " + ", ".join(positives) + ". A clinician verifying a protocol "
                     "must acknowledge it.")
        if len(screen) < len(Contraindication):
            text += " Some questions are still not answered."
        self.notice.show_info(text)
        self.changed.emit()

    def new_protocol(self) -> None:
        patient = self.patient
        if patient is None:
            return
        dialog = ProtocolDialog(services=self._services, actor=self._actor, patient=patient,
                                today=self.today(), parent=self)

        def saved() -> None:
            protocol = dialog.saved_protocol
            self._saved(
                f"Protocol v{protocol.version if protocol else 1} saved as a draft. A second "
                "clinician must verify it before it can be used.",
                select=None if protocol is None else protocol.id)

        self.dialogs.open_dialog(dialog, saved)

    def revise_selected(self) -> None:
        patient, protocol = self.patient, self.selected_protocol()
        if patient is None or protocol is None:
            return
        dialog = ProtocolDialog(services=self._services, actor=self._actor, patient=patient,
                                today=self.today(), revising=protocol, parent=self)

        def saved() -> None:
            new = dialog.saved_protocol
            self._saved(
                f"Version {new.version if new else '?'} saved as a draft; v{protocol.version} "
                "stays in force until a second clinician verifies the new version.",
                select=None if new is None else new.id)

        self.dialogs.open_dialog(dialog, saved)

    def verify_selected(self) -> None:
        patient, protocol = self.patient, self.selected_protocol()
        if patient is None or protocol is None:
            return
        try:
            screen = self._services.patients.screen(self._actor, patient.id)
        except UserFacingError as error:
            self.load_error.show_error(error.message)
            return
        dialog = VerifyDialog(services=self._services, actor=self._actor, patient=patient,
                              today=self.today(), protocol=protocol,
                              entry=self._entries.get(protocol.library_entry_id),
                              screen=screen, parent=self)

        def verified() -> None:
            signed = dialog.verified
            text = f"Protocol v{protocol.version} verified."
            if signed is not None and signed.verification is not None:
                text = f"Protocol v{protocol.version}: {signed.verification.manifestation()}."
            self._saved(text, select=protocol.id)

        self.dialogs.open_dialog(dialog, verified)

    def discontinue_selected(self) -> None:
        patient, protocol = self.patient, self.selected_protocol()
        if patient is None or protocol is None:
            return
        draft = protocol.status is ProtocolStatus.DRAFT
        dialog = ReasonDialog(
            title=f"Discontinue protocol v{protocol.version}",
            explanation=(
                f"{patient.two_identifiers}\n\nDiscontinue protocol v{protocol.version}? "
                + ("This draft is withdrawn and can no longer be verified."
                   if draft else "It can no longer be used for sessions.")
                + " The protocol and this decision stay in the record."),
            accept_text="Discontinue protocol", danger=True, parent=self,
            submit=lambda reason: self._services.protocols.discontinue(
                self._actor, protocol.id, reason=reason),
        )
        self.dialogs.open_dialog(dialog, lambda: self._saved(
            f"Protocol v{protocol.version} discontinued.", select=protocol.id))

    def _saved(self, message: str, *, select: int | None = None) -> None:
        self.reload()
        if select is not None:
            self.select_protocol(select)
        self.notice.show_info(message)
        self.changed.emit()

    def _protocol_double_clicked(self) -> None:
        protocol = self.selected_protocol()
        if protocol is not None and self.can_prescribe and protocol.status is ProtocolStatus.DRAFT:
            self.verify_selected()
