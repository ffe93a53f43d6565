"""The Patients area: find a patient by name, MRN or date of birth, register or correct one, and
open their record (see ``PatientDetailPanel``), which then has the whole width of the screen."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain.identity import Actor
from console.domain.patients import Patient
from console.errors import UserFacingError
from console.services.container import Services
from console.services.patients import PatientDetails
from console.ui.admin.common import sorted_table
from console.ui.messages import InlineMessage
from console.ui.patients.detail import PatientDetailPanel
from console.ui.patients.dialogs import PatientDialog
from console.ui.patients.models import PatientTableModel
from console.ui.widgets.buttons import action_button
from console.ui.widgets.dialog_host import DialogHost
from console.ui.widgets.inputs import DateField
from console.ui.widgets.record_table import select_record, selected_record

SEARCH_DELAY_MS = 250


class PatientsView(QWidget):
    """Two pages: the search with its results, and the open patient's record.

    ``refresh()`` re-reads what is shown (the main window calls it when the area is opened).
    """

    SEARCH_PAGE, RECORD_PAGE = range(2)

    def __init__(self, *, services: Services, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientsView")
        self._services = services
        self._actor = actor
        self.dialogs = DialogHost()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.search)

        # --- search
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("searchEdit")
        self.search_edit.setPlaceholderText("Family or given name, or MRN")
        self.search_edit.setMaxLength(100)
        self.search_edit.setClearButtonEnabled(True)
        self.born_edit = DateField(self, blank_text="Any date of birth")
        self.born_edit.setObjectName("searchBornEdit")
        self.born_edit.setFixedWidth(230)
        self.search_button = action_button(self, "Search", self.search)
        self.clear_button = action_button(self, "Clear", self.clear_search)
        self.register_button = action_button(self, "Register patient…", self.register_patient)
        self.open_button = action_button(self, "Open record", self.open_selected, primary=True)
        self.edit_button = action_button(self, "Edit patient…", self.edit_selected)

        # --- results
        self.model = PatientTableModel(self)
        self.proxy, self.table = sorted_table(
            self.model, name="patientTable", sort_column=PatientTableModel.NAME,
            order=Qt.SortOrder.AscendingOrder,
            widths=((PatientTableModel.NAME, 260), (PatientTableModel.MRN, 150),
                    (PatientTableModel.BORN, 150), (PatientTableModel.AGE, 70),
                    (PatientTableModel.SEX, 110)), parent=self)
        self.results_label = QLabel(self)
        self.results_label.setObjectName("muted")
        self.results_label.setWordWrap(True)
        self.load_error = InlineMessage(self)
        self.notice = InlineMessage(self)

        # --- the record
        self.back_button = action_button(self, "← Back to search", self.back_to_search)
        self.edit_record_button = action_button(self, "Edit patient details…",
                                                self.edit_open_patient)
        self.detail = PatientDetailPanel(services=services, actor=actor)
        self.detail.changed.connect(self._detail_changed)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._build_search_page())
        self.pages.addWidget(self._build_record_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

        self.search_edit.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_edit.returnPressed.connect(self.search)
        self.born_edit.dateChanged.connect(lambda _date: self._search_timer.start())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.activated.connect(self.open_selected)  # double-click or Enter
        self._update_buttons()


    def _build_search_page(self) -> QWidget:
        search_row = QHBoxLayout()
        search_row.setSpacing(8)
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.born_edit)
        search_row.addWidget(self.search_button)
        search_row.addWidget(self.clear_button)
        search_row.addSpacing(24)
        search_row.addWidget(self.register_button)
        hint = QLabel("Choose the patient, then Open record (or double-click, or press Enter). "
                      "Check two identifiers: name with MRN or date of birth.")
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.setSpacing(8)
        bottom.addWidget(self.results_label, 1)
        bottom.addWidget(self.edit_button)
        bottom.addWidget(self.open_button)
        page = QWidget(self)
        page.setObjectName("patientSearchPage")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addLayout(search_row)
        layout.addWidget(hint)
        layout.addWidget(self.load_error)
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        return page

    def _build_record_page(self) -> QWidget:
        scroll = QScrollArea(self)
        scroll.setObjectName("patientRecordScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.detail)
        self.detail.add_banner_buttons(self.back_button, self.edit_record_button)
        page = QWidget(self)
        page.setObjectName("patientRecordPage")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 12, 8, 8)
        layout.addWidget(scroll, 1)
        return page

    # ------------------------------------------------------------------ reading
    def today(self) -> date:
        return self._services.patients.now().astimezone().date()

    def refresh(self) -> None:
        """Search again with what is typed, keeping the selection; re-read an open record."""
        self.notice.clear_message()
        self.search()
        if self.record_open:
            self.detail.reload()

    @property
    def record_open(self) -> bool:
        return self.pages.currentIndex() == self.RECORD_PAGE and self.detail.patient is not None

    def search(self) -> None:
        self._search_timer.stop()
        selected = self.selected_patient()
        text, born = self.search_edit.text(), self.born_edit.value()
        try:
            found = self._services.patients.search(self._actor, text, born)
        except UserFacingError as error:
            self.load_error.show_error(error.message)
            self.model.set_patients([], self.today())
            self.results_label.clear()
            self._update_buttons()
            return
        self.load_error.clear_message()
        self.model.set_patients(found, self.today())
        self.results_label.setText(self._results_text(len(found), text, born))
        kept = selected is not None and self.select_patient(selected.id)
        if not kept and len(found) == 1:
            self.select_patient(found[0].id)
        self._update_buttons()

    @staticmethod
    def _results_text(count: int, text: str, born: date | None) -> str:
        searched = bool(text.strip()) or born is not None
        if count == 0:
            if not searched:
                return "No patients registered yet. Register the first patient."
            return ("No patient matches. Check the spelling, search by MRN or date of birth, "
                    "or register the patient.")
        noun = "patient" if count == 1 else "patients"
        return f"{count} {noun} found" if searched else f"{count} {noun}"

    def clear_search(self) -> None:
        self.search_edit.clear()
        self.born_edit.clear_value()
        self.search()
        self.search_edit.setFocus()

    def selected_patient(self) -> Patient | None:
        return selected_record(self.table, self.model)

    def select_patient(self, patient_id: int) -> bool:
        return select_record(self.table, self.model, patient_id) is not None

    def _update_buttons(self) -> None:
        chosen = self.selected_patient() is not None
        self.open_button.setEnabled(chosen)
        self.edit_button.setEnabled(chosen)

    # ------------------------------------------------------------------ the record
    def open_selected(self) -> None:
        patient = self.selected_patient()
        if patient is not None:
            self.open_record(patient)

    def open_record(self, patient: Patient) -> None:
        """Show ``patient``'s record (re-read), with the two identifiers in its banner."""
        self.detail.show_patient(patient)
        self.pages.setCurrentIndex(self.RECORD_PAGE)

    def back_to_search(self) -> None:
        self.detail.notice.clear_message()
        self.pages.setCurrentIndex(self.SEARCH_PAGE)
        self.search()
        self.table.setFocus()

    def _detail_changed(self) -> None:
        self.search()

    # ------------------------------------------------------------------ dialogs
    @property
    def active_dialog(self) -> QDialog | None:
        """The dialog open from this area (its own, or the patient detail's)."""
        own = self.dialogs.active_dialog
        if own is not None:
            return own
        detail = self.detail.dialogs.active_dialog
        return detail or self.detail.side_effects.dialogs.active_dialog

    def register_patient(self) -> None:
        def register(details: PatientDetails, _reason: str) -> Patient:
            return self._services.patients.register(self._actor, details)

        dialog = PatientDialog(diagnoses=self._services.patients.diagnoses(), submit=register,
                               parent=self)

        def registered() -> None:
            patient = dialog.saved_patient
            if patient is None:
                return
            self._show_saved(patient, f"Registered {patient.two_identifiers}.")

        self.notice.clear_message()
        self.dialogs.open_dialog(dialog, registered)

    def edit_selected(self) -> None:
        patient = self.selected_patient()
        if patient is not None:
            self._edit(patient)

    def edit_open_patient(self) -> None:
        if self.detail.patient is not None:
            self._edit(self.detail.patient)

    def _edit(self, patient: Patient) -> None:
        def update(details: PatientDetails, reason: str) -> Patient:
            return self._services.patients.update(self._actor, patient.id, details,
                                                  reason=reason)

        dialog = PatientDialog(diagnoses=self._services.patients.diagnoses(), submit=update,
                               patient=patient, parent=self)

        def saved() -> None:
            after = dialog.saved_patient or patient
            self._show_saved(after, f"Saved changes to {after.two_identifiers}.")

        self.notice.clear_message()
        self.dialogs.open_dialog(dialog, saved)

    def _show_saved(self, patient: Patient, message: str) -> None:
        """Select the saved patient in the results (searching by MRN if the search hid them)
        and show their record with ``message``."""
        self.search()
        if not self.select_patient(patient.id):
            self.born_edit.clear_value()
            self.search_edit.setText(patient.mrn)
            self.search()
            self.select_patient(patient.id)
        self.open_record(patient)
        self.detail.notice.show_info(message)
