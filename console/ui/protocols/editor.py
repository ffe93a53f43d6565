"""The protocol editor: a clinician writes a patient's protocol against an approved library entry.

An infusion is written as rate × duration or total over time, with a bag concentration; a dose by
mouth or nose (the entry's route) is written as a fixed dose in mg, and shows the dose and its
mg/kg at the planning weight, without pump figures.

As the clinician types, the service's ``preview`` derives every figure at the planning weight and
checks it against the entry's limits; the figures are shown large and every finding is listed:
hard findings in red (not allowed, Save disabled), soft findings in amber, each with a reason
that must be given before Save is enabled. The service checks everything again on Save.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from console.domain.dosing import DoseOrder, DosePlan
from console.domain.drugs import DosingForm
from console.domain.identity import Actor
from console.domain.limits import LimitFinding, LimitParameter, Severity
from console.domain.patients import Patient
from console.domain.protocols import Course, LibraryVersion, PatientProtocol, Titration
from console.domain.units import Unit, format_quantity
from console.errors import (
    LimitExceeded,
    ReasonRequired,
    UserFacingError,
    ValidationError,
)
from console.services.container import Services
from console.services.protocols import ProtocolDraft
from console.ui.admin.dialogs import SubmitDialog
from console.ui.forms import mark_invalid
from console.ui.protocols.describe import drug_name, duration_text, route_name
from console.ui.widgets.banners import AllergyBanner, Banner, DrugBadge, IdentityBanner
from console.ui.widgets.figures import FigureTile
from console.ui.widgets.inputs import Choice, FieldError, QuantityField, WholeNumberSpin

PREVIEW_DELAY_MS = 250
MIN_REASON = 3  # the service's minimum, after spaces are collapsed
INCOMPLETE = ("Enter the dose, how long it runs, the concentration and the planning weight to "
              "see the figures.")
INCOMPLETE_FIXED = "Enter the dose and the planning weight to see the figures."
FIX_MARKED = "Check the fields marked in red."
NO_ENTRY = ("No approved library entry. A clinician must approve one under Drug library before "
            "a protocol can be written.")
# Tiles that only an infusion has: a fixed dose shows the dose, its mg/kg and the weight.
INFUSION_TILES = ("rate", "mg_per_h", "ml_per_h", "duration", "volume", "bolus")
TILE_CAPTIONS = {True: {"total_mg": "Total dose", "total_per_kg": "Total per kg"},
                 False: {"total_mg": "Dose", "total_per_kg": "Dose per kg"}}
CHOOSE_ENTRY = "Choose the library entry: it decides the drug and the limits."


def _normal(text: str) -> str:
    return " ".join(text.split())


class FindingPanel(QFrame):
    """One limit finding: red for hard (not allowed), amber for soft with its reason box."""

    def __init__(self, finding: LimitFinding, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("finding")
        self.severity = finding.severity
        self.parameter = finding.parameter
        self.setProperty("severity", finding.severity.value)
        hard = finding.severity is Severity.HARD
        self.title = QLabel("NOT ALLOWED — hard limit" if hard
                            else "Soft limit — give a reason to go on", self)
        self.title.setObjectName("findingTitle")
        self.title.setProperty("severity", finding.severity.value)
        self.text = QLabel(self)
        self.text.setObjectName("findingText")
        self.text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 10)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        self.reason: QLineEdit | None = None
        if not hard:
            self.reason = QLineEdit(self)
            self.reason.setObjectName(f"reason-{finding.parameter.value}")
            self.reason.setMaxLength(500)
            self.reason.setPlaceholderText(
                f"Why go {finding.direction.value} this limit? (kept with the protocol)")
            layout.addWidget(self.reason)
        self.update_finding(finding)

    def update_finding(self, finding: LimitFinding) -> None:
        self.finding = finding
        self.text.setText(finding.message)


@dataclass(frozen=True, slots=True)
class _Typed:
    """What the form holds, parsed; ``None`` where a field is blank or refused."""

    order: DoseOrder | None
    weight: Decimal | None
    complete: bool


class ProtocolDialog(SubmitDialog):
    """Write a new protocol for ``patient``, or a new version of ``revising``.

    ``saved_protocol`` holds the stored draft after Save. Call ``update_preview()`` to refresh
    the figures at once (typing refreshes them after a short pause).
    """

    def __init__(self, *, services: Services, actor: Actor, patient: Patient, today: date,
                 revising: PatientProtocol | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(
            title=(f"New protocol — {patient.display_name}" if revising is None
                   else f"Revise protocol v{revising.version} — {patient.display_name}"),
            accept_text="Save draft protocol" if revising is None else "Save new version",
            parent=parent,
        )
        self.setObjectName("protocolDialog")
        self.setMinimumSize(1100, 700)
        self.resize(1360, 860)
        self._services = services
        self._actor = actor
        self.patient = patient
        self.revising = revising
        self.saved_protocol: PatientProtocol | None = None
        self.plan: DosePlan | None = None
        self.reasons: dict[LimitParameter, str] = {}
        self.findings: dict[tuple[LimitParameter, Severity, str], FindingPanel] = {}
        self._field_errors = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.update_preview)

        entries = list(services.library.approved(actor))
        if revising is not None:
            # A new version keeps its drug: ketamine and esketamine doses do not transfer.
            entries = [v for v in entries if v.entry.drug is revising.order.drug]
        self.entries: Sequence[LibraryVersion] = entries

        self.banner = IdentityBanner()
        self.banner.show_patient(patient, today)
        self.allergies = AllergyBanner()
        self.allergies.show_allergies(patient)
        self.revision_note = Banner(kind="info")
        self.form.addRow(self.banner)
        self.form.addRow(self.allergies)
        self.form.addRow(self.revision_note)

        body = QHBoxLayout()
        body.setSpacing(20)
        body.addWidget(self._build_order_column(), 0)
        body.addWidget(self._build_preview_column(), 1)
        holder = QWidget()
        holder.setLayout(body)
        self.form.addRow(holder)

        # Why Save is disabled stays in view beside the buttons, whatever is scrolled.
        outer = self.layout()
        if isinstance(outer, QVBoxLayout):
            outer.insertWidget(outer.indexOf(self.buttons), self.save_hint)
        self.cancel_button.setAutoDefault(False)

        self._connect_inputs()
        self._form_toggled()
        self._fill_entries()
        if revising is not None:
            self._prefill(revising)
        elif self.entries:
            self._entry_changed()
        self.update_preview()

    # ------------------------------------------------------------------ building
    def _build_order_column(self) -> QWidget:
        self.entry_combo = Choice()
        self.entry_combo.setObjectName("entryCombo")
        self.entry_combo.setMinimumWidth(380)
        self.entry_error = FieldError()
        self.drug_badge = DrugBadge(wrap=True)

        self.rate_radio = QRadioButton("Rate × duration (mg/kg/h for a time)")
        self.rate_radio.setObjectName("rateDurationRadio")
        self.total_radio = QRadioButton("Total over time (mg/kg over minutes)")
        self.total_radio.setObjectName("totalOverTimeRadio")
        self.form_group = QButtonGroup(self)
        self.form_group.addButton(self.rate_radio)
        self.form_group.addButton(self.total_radio)
        self.rate_radio.setChecked(True)
        self.fixed_form_label = QLabel(DosingForm.FIXED_DOSE.label.capitalize())
        self.fixed_form_label.setObjectName("fixedDoseLabel")
        self.fixed_form_label.hide()
        forms = QVBoxLayout()
        forms.setSpacing(2)
        forms.addWidget(self.rate_radio, 0, Qt.AlignmentFlag.AlignLeft)
        forms.addWidget(self.total_radio, 0, Qt.AlignmentFlag.AlignLeft)
        forms.addWidget(self.fixed_form_label, 0, Qt.AlignmentFlag.AlignLeft)
        forms_widget = QWidget()
        forms_widget.setLayout(forms)
        forms.setContentsMargins(0, 0, 0, 0)
        self.route_value = QLabel()
        self.route_value.setObjectName("routeValue")

        self.dose_field = QuantityField(unit=Unit.MG, field="dose_mg", label="Dose",
                                        placeholder="for example 28")

        self.rate_field = QuantityField(unit=Unit.MG_PER_KG_H, field="rate_mg_per_kg_h",
                                        label="Dose rate", placeholder="for example 0.35")
        self.hours_spin = WholeNumberSpin(minimum=0, maximum=12, suffix=" h", width=100)
        self.hours_spin.setObjectName("hoursSpin")
        self.minutes_spin = WholeNumberSpin(minimum=0, maximum=59, suffix=" min", width=110)
        self.minutes_spin.setObjectName("minutesSpin")
        self.minutes_spin.setSingleStep(5)
        self.duration_error = FieldError()
        self.duration_row = self._row(self.hours_spin, self.minutes_spin,
                                      error=self.duration_error)

        self.total_field = QuantityField(unit=Unit.MG_PER_KG, field="total_mg_per_kg",
                                         label="Total dose", placeholder="for example 0.5")
        self.over_spin = WholeNumberSpin(minimum=0, maximum=720, suffix=" min", width=130)
        self.over_spin.setObjectName("overMinutesSpin")
        self.over_error = FieldError()
        self.over_row = self._row(self.over_spin, error=self.over_error)

        self.concentration_field = QuantityField(
            unit=Unit.MG_PER_ML, field="concentration_mg_per_ml", label="Concentration",
            choices=(), placeholder="bag strength")
        self.weight_field = QuantityField(unit=Unit.KG, field="weight_kg",
                                          label="Planning weight", placeholder="in kg")

        self.bolus_check = QCheckBox("Give a bolus at the start")
        self.bolus_check.setObjectName("bolusCheck")
        self.bolus_dose_field = QuantityField(unit=Unit.MG_PER_KG, field="bolus_mg_per_kg",
                                              label="Bolus dose", placeholder="mg/kg",
                                              width=110)
        self.bolus_minutes_field = QuantityField(unit=Unit.MINUTES, field="bolus_minutes",
                                                 label="Bolus push time",
                                                 placeholder="over", width=90)
        bolus_fields = QHBoxLayout()
        bolus_fields.setContentsMargins(0, 0, 0, 0)
        bolus_fields.addWidget(self.bolus_dose_field)
        over = QLabel("over")
        over.setAlignment(Qt.AlignmentFlag.AlignTop)
        bolus_fields.addWidget(over)
        bolus_fields.addWidget(self.bolus_minutes_field)
        bolus_fields.addStretch(1)
        self.bolus_fields = QWidget()
        self.bolus_fields.setLayout(bolus_fields)
        self.bolus_not_allowed = QLabel("This library entry does not allow a bolus.")
        self.bolus_not_allowed.setObjectName("muted")
        bolus = QVBoxLayout()
        bolus.setContentsMargins(0, 0, 0, 0)
        bolus.setSpacing(4)
        bolus.addWidget(self.bolus_not_allowed)
        bolus.addWidget(self.bolus_check, 0, Qt.AlignmentFlag.AlignLeft)
        bolus.addWidget(self.bolus_fields)
        self.bolus_box = QWidget()
        self.bolus_box.setLayout(bolus)

        self.titration_min = QuantityField(unit=Unit.MG_PER_KG_H, field="titration",
                                           label="Lowest titration rate", width=90)
        self.titration_max = QuantityField(unit=Unit.MG_PER_KG_H, field="titration",
                                           label="Highest titration rate", width=90)
        self.titration_error = FieldError()
        to = QLabel("to")
        to.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.titration_row = self._row(self.titration_min, to, self.titration_max,
                                       error=self.titration_error)

        self.sessions_spin = WholeNumberSpin(minimum=0, maximum=100, suffix=" sessions",
                                             width=150)
        self.sessions_spin.setObjectName("sessionsSpin")
        self.sessions_spin.setSpecialValueText("—")
        self.per_week_spin = WholeNumberSpin(minimum=0, maximum=7, suffix=" a week",
                                             width=130)
        self.per_week_spin.setObjectName("perWeekSpin")
        self.per_week_spin.setSpecialValueText("—")
        self.course_error = FieldError()
        self.course_row = self._row(self.sessions_spin, self.per_week_spin,
                                    error=self.course_error)

        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setObjectName("notesEdit")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(64)
        self.notes_edit.setPlaceholderText("Indication, monitoring, anything the nurse must know")

        self.order_form = QFormLayout()
        self.order_form.setVerticalSpacing(8)
        self.order_form.setHorizontalSpacing(14)
        self.order_form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.order_form.addRow("Library entry", self.entry_combo)
        self.order_form.addRow("", self.entry_error)
        self.order_form.addRow("Drug", self.drug_badge)
        self.order_form.addRow("Route", self.route_value)
        self.order_form.addRow("Dose written as", forms_widget)
        self.order_form.addRow("Dose", self.dose_field)
        self.order_form.addRow("Dose rate", self.rate_field)
        self.order_form.addRow("For", self.duration_row)
        self.order_form.addRow("Total dose", self.total_field)
        self.order_form.addRow("Over", self.over_row)
        self.order_form.addRow("Concentration", self.concentration_field)
        self.order_form.addRow("Planning weight", self.weight_field)
        self.order_form.addRow("Bolus", self.bolus_box)
        self.order_form.addRow("Titration range", self.titration_row)
        self.order_form.addRow("Course", self.course_row)
        self.order_form.addRow("Notes", self.notes_edit)
        column = QWidget()
        column.setObjectName("orderColumn")
        column.setLayout(self.order_form)
        scroll = QScrollArea()
        scroll.setObjectName("orderScroll")
        scroll.setWidget(column)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedWidth(560)
        return scroll

    @staticmethod
    def _row(*widgets: QWidget, error: FieldError) -> QWidget:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        for widget in widgets:
            row.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop)
        row.addStretch(1)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addLayout(row)
        column.addWidget(error)
        holder = QWidget()
        holder.setLayout(column)
        return holder

    def _build_preview_column(self) -> QWidget:
        title = QLabel("Calculated at the planning weight")
        title.setObjectName("sectionTitle")
        self.tiles = {
            "rate": FigureTile("Dose rate", name="rate"),
            "weight": FigureTile("Weight used", name="weight"),
            "mg_per_h": FigureTile("Rate", name="mg_per_h"),
            "ml_per_h": FigureTile("Pump rate", name="ml_per_h", emphasis=True),
            "duration": FigureTile("Infusion time", name="duration"),
            "volume": FigureTile("Volume to infuse", name="volume"),
            "total_mg": FigureTile("Total dose", name="total_mg"),
            "total_per_kg": FigureTile("Total per kg", name="total_per_kg"),
            "bolus": FigureTile("Bolus", name="bolus"),
        }
        grid = QGridLayout()
        grid.setSpacing(10)
        for position, tile in enumerate(self.tiles.values()):
            grid.addWidget(tile, position // 3, position % 3)
        self.summary = QLabel()
        self.summary.setObjectName("planSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint = Banner(kind="muted")
        self.findings_title = QLabel("Limit checks")
        self.findings_title.setObjectName("sectionTitle")
        self.findings_clear = Banner(kind="ok")
        self.findings_box = QVBoxLayout()
        self.findings_box.setSpacing(8)
        self.save_hint = Banner(kind="warning")
        self.save_hint.setObjectName("saveHint")

        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        column.addWidget(title)
        column.addLayout(grid)
        column.addWidget(self.summary)
        column.addWidget(self.hint)
        column.addSpacing(6)
        column.addWidget(self.findings_title)
        column.addWidget(self.findings_clear)
        column.addLayout(self.findings_box)
        column.addStretch(1)
        inner = QWidget()
        inner.setObjectName("previewColumn")
        inner.setLayout(column)
        scroll = QScrollArea()
        scroll.setObjectName("previewScroll")
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return scroll

    def _connect_inputs(self) -> None:
        for field in self._quantity_fields():
            field.edited.connect(self._schedule)
            field.edit.editingFinished.connect(self._flush)
        for spin in (self.hours_spin, self.minutes_spin, self.over_spin):
            spin.valueChanged.connect(self._schedule)
        self.sessions_spin.valueChanged.connect(lambda _v: self._clear_course_error())
        self.per_week_spin.valueChanged.connect(lambda _v: self._clear_course_error())
        self.form_group.buttonToggled.connect(self._form_toggled)
        self.bolus_check.toggled.connect(self._bolus_toggled)
        self.entry_combo.currentIndexChanged.connect(self._entry_changed)
        self.notes_edit.textChanged.connect(lambda: mark_invalid(self.notes_edit, False))

    def _quantity_fields(self) -> tuple[QuantityField, ...]:
        return (self.rate_field, self.total_field, self.dose_field, self.concentration_field,
                self.weight_field,
                self.bolus_dose_field, self.bolus_minutes_field, self.titration_min,
                self.titration_max)

    # ------------------------------------------------------------------ entries and prefill
    def _fill_entries(self) -> None:
        self.entry_combo.blockSignals(True)
        if len(self.entries) > 1:
            # No default: ketamine and esketamine differ about twofold in potency, so the
            # clinician chooses the entry (and with it the drug) every time.
            self.entry_combo.addItem("Choose an approved entry…", None)
        for version in self.entries:
            self.entry_combo.addItem(f"{version.entry.name} · v{version.version}", version.id)
            self.entry_combo.setItemData(
                self.entry_combo.count() - 1,
                f"{drug_name(version.entry.drug)} · {version.entry.route.label}",
                Qt.ItemDataRole.ToolTipRole)
        self.entry_combo.blockSignals(False)
        if not self.entries:
            self.entry_combo.addItem("No approved entry", None)
            self.entry_combo.setEnabled(False)
            self.entry_error.show_message(NO_ENTRY)

    def current_entry(self) -> LibraryVersion | None:
        entry_id = self.entry_combo.currentData()
        for version in self.entries:
            if version.id == entry_id:
                return version
        return None

    def _entry_changed(self) -> None:
        entry = self.current_entry()
        self.entry_error.clear_message()
        mark_invalid(self.entry_combo, False)
        if entry is None:
            self.drug_badge.show_drug(None)
            self.route_value.clear()
            self._form_toggled()
            return
        definition = entry.entry
        self.drug_badge.show_drug(definition.drug)
        self.route_value.setText(route_name(definition.route))
        self.rate_radio.setEnabled(DosingForm.RATE_DURATION in definition.forms)
        self.total_radio.setEnabled(DosingForm.TOTAL_OVER_TIME in definition.forms)
        self.concentration_field.set_choices(definition.standard_concentrations_mg_per_ml)
        if self.concentration_field.is_blank() and definition.standard_concentrations_mg_per_ml:
            self.concentration_field.set_value(definition.standard_concentrations_mg_per_ml[0])
        self.bolus_not_allowed.setVisible(not definition.bolus_allowed)
        self.bolus_check.setVisible(definition.bolus_allowed)
        if not definition.bolus_allowed:
            self.bolus_check.setChecked(False)
        self._bolus_toggled(self.bolus_check.isChecked())
        self._form_toggled()

    def _prefill(self, protocol: PatientProtocol) -> None:
        order = protocol.order
        index = self.entry_combo.findData(protocol.library_entry_id)
        if index >= 0:
            self.entry_combo.setCurrentIndex(index)
            self.revision_note.show_text(
                f"Revising v{protocol.version}. The new version is a draft: v{protocol.version} "
                "stays in force until a second clinician verifies the new one.", kind="info")
        elif self.entries:
            self.entry_combo.setCurrentIndex(self.entry_combo.findData(self.entries[0].id))
            self.revision_note.show_text(
                f"v{protocol.version} was written against a library entry that is no longer "
                f"approved; this version uses {self.entries[0].label}. Check every figure and "
                "finding.", kind="warning")
        self._entry_changed()
        self.total_radio.setChecked(order.form is DosingForm.TOTAL_OVER_TIME)
        self.rate_radio.setChecked(order.form is not DosingForm.TOTAL_OVER_TIME)
        minutes = int(order.duration_minutes or 0)
        if order.form is DosingForm.FIXED_DOSE:
            self.dose_field.set_value(order.dose_mg)
        elif order.form is DosingForm.TOTAL_OVER_TIME:
            self.total_field.set_value(order.total_mg_per_kg)
            self.over_spin.setValue(minutes)
        else:
            self.rate_field.set_value(order.rate_mg_per_kg_h)
            self.hours_spin.setValue(minutes // 60)
            self.minutes_spin.setValue(minutes % 60)
        if order.concentration_mg_per_ml is not None:
            self.concentration_field.set_value(order.concentration_mg_per_ml)
        self.weight_field.set_value(protocol.planning_weight_kg)
        if order.has_bolus and self.bolus_check.isVisible():
            self.bolus_check.setChecked(True)
            self.bolus_dose_field.set_value(order.bolus_mg_per_kg)
            self.bolus_minutes_field.set_value(order.bolus_minutes)
        if protocol.titration is not None:
            self.titration_min.set_value(protocol.titration.min_mg_per_kg_h)
            self.titration_max.set_value(protocol.titration.max_mg_per_kg_h)
        self.sessions_spin.setValue(protocol.course.sessions)
        self.per_week_spin.setValue(protocol.course.sessions_per_week)
        self.notes_edit.setPlainText(protocol.notes)
        self.reasons = dict(protocol.override_reasons)

    # ------------------------------------------------------------------ reacting to input
    def _schedule(self) -> None:
        self._timer.start()

    def _flush(self) -> None:
        if self._timer.isActive():
            self.update_preview()

    def is_infusion(self) -> bool:
        """Whether the chosen entry's route is an infusion (no entry: shown as one)."""
        entry = self.current_entry()
        return entry is None or entry.entry.route.is_infusion

    def _form_toggled(self) -> None:
        infusion = self.is_infusion()
        rate = infusion and self.rate_radio.isChecked()
        total = infusion and not self.rate_radio.isChecked()
        for widget, visible in ((self.rate_field, rate), (self.duration_row, rate),
                                (self.total_field, total), (self.over_row, total),
                                (self.dose_field, not infusion),
                                (self.concentration_field, infusion),
                                (self.bolus_box, infusion), (self.titration_row, infusion)):
            self.order_form.setRowVisible(widget, visible)
        for radio in (self.rate_radio, self.total_radio):
            radio.setVisible(infusion)
        self.fixed_form_label.setVisible(not infusion)
        for name in INFUSION_TILES:
            self.tiles[name].setVisible(infusion)
        for name, caption in TILE_CAPTIONS[infusion].items():
            self.tiles[name].caption.setText(caption)
        self._schedule()

    def _bolus_toggled(self, on: bool) -> None:
        self.bolus_fields.setVisible(on and self.bolus_check.isVisible())
        self._schedule()

    def _clear_course_error(self) -> None:
        self.course_error.clear_message()
        mark_invalid(self.sessions_spin, False)
        mark_invalid(self.per_week_spin, False)

    def selected_form(self) -> DosingForm:
        if not self.is_infusion():
            return DosingForm.FIXED_DOSE
        return DosingForm.TOTAL_OVER_TIME if self.total_radio.isChecked() \
            else DosingForm.RATE_DURATION

    # ------------------------------------------------------------------ the preview
    def update_preview(self, *, strict: bool = False) -> ProtocolDraft | None:
        """Read the form, ask the service for the figures and findings, and show them.

        Returns the draft to save when everything needed is there and usable. ``strict`` (on
        Save) also reports blank required fields and checks the course and titration.
        """
        self._timer.stop()
        self._clear_errors()
        entry = self.current_entry()
        if entry is None:
            if self.entries and strict:
                self.entry_error.show_message(CHOOSE_ENTRY)
                mark_invalid(self.entry_combo, True)
                self._field_errors = True
            self._show_plan(None, CHOOSE_ENTRY if self.entries else NO_ENTRY)
            self._update_save()
            return None
        typed = self._read_order(entry, strict=strict)
        if typed.order is None or typed.weight is None:
            self._show_plan(None, FIX_MARKED if self._field_errors or (not typed.complete
                            and strict) else INCOMPLETE if entry.entry.route.is_infusion
                            else INCOMPLETE_FIXED)
            self._update_save()
            return None
        # A fixed dose has no rate to titrate.
        titration = self._read_titration(strict=strict) if entry.entry.route.is_infusion \
            else None
        course = self._read_course(strict=strict)
        draft = ProtocolDraft(
            library_entry_id=entry.id, order=typed.order,
            # The preview reads only the order and the weight; the course is checked on Save.
            course=course or Course(sessions=1, sessions_per_week=1),
            titration=titration, planning_weight_kg=typed.weight,
            notes=self.notes_edit.toPlainText(), override_reasons=self._typed_reasons(),
        )
        try:
            plan = self._services.protocols.preview(self._actor, draft)
        except ValidationError as error:
            self._show_field_error(error)
            self._show_plan(None, FIX_MARKED)
            self._update_save()
            return None
        except UserFacingError as error:
            self._show_plan(None, error.message)
            self._update_save()
            return None
        self._show_plan(plan, "")
        if titration is not None:
            self._check_titration(entry, typed.order, plan, titration)
        self._update_save()
        if course is None or self._field_errors:
            return None
        return draft

    def _check_titration(self, entry: LibraryVersion, order: DoseOrder, plan: DosePlan,
                         titration: Titration) -> None:
        """Early word of what the service refuses on Save: a range beyond the hard maximum
        rate, or a starting rate outside the range."""
        limit = entry.entry.limits.get(LimitParameter.RATE_MG_PER_KG_H)
        if limit is not None and limit.hard_max is not None \
                and titration.max_mg_per_kg_h > limit.hard_max:
            self._show_titration_error(
                "The titration range reaches "
                f"{format_quantity(titration.max_mg_per_kg_h, Unit.MG_PER_KG_H)}, above the "
                f"hard maximum {format_quantity(limit.hard_max, Unit.MG_PER_KG_H)}.")
            return
        rate = order.rate_mg_per_kg_h or plan.rate_mg_per_kg_h
        if rate is not None and not titration.contains(rate):
            self._show_titration_error(
                f"The starting rate {format_quantity(rate, Unit.MG_PER_KG_H)} is outside the "
                "titration range; widen the range or change the rate.")

    def _read_order(self, entry: LibraryVersion, *, strict: bool) -> _Typed:
        complete = True

        def number(field: QuantityField) -> Decimal | None:
            nonlocal complete
            if field.is_blank():
                complete = False
                if not strict:
                    return None
            try:
                return field.quantity()
            except ValidationError as error:
                self._set_error(field, error.message)
                return None

        form = self.selected_form()
        if form is DosingForm.FIXED_DOSE:
            return self._read_fixed_dose(entry, number)
        rate = total = None
        if form is DosingForm.RATE_DURATION:
            rate = number(self.rate_field)
            minutes = self.hours_spin.value() * 60 + self.minutes_spin.value()
        else:
            total = number(self.total_field)
            minutes = self.over_spin.value()
        if minutes == 0:
            complete = False
            if strict:
                error = self.duration_error if form is DosingForm.RATE_DURATION \
                    else self.over_error
                error.show_message("Enter how long the infusion runs.")
                self._field_errors = True
        concentration = number(self.concentration_field)
        weight = number(self.weight_field)
        bolus_dose = bolus_minutes = None
        if self.bolus_check.isChecked() and entry.entry.bolus_allowed:
            bolus_dose = number(self.bolus_dose_field)
            bolus_minutes = number(self.bolus_minutes_field)
        if self._field_errors or not complete:
            return _Typed(None, weight, complete)
        try:
            order = DoseOrder(
                drug=entry.entry.drug, form=form, concentration_mg_per_ml=concentration,
                rate_mg_per_kg_h=rate, total_mg_per_kg=total,
                duration_minutes=Decimal(minutes), bolus_mg_per_kg=bolus_dose,
                bolus_minutes=bolus_minutes,
            )
        except ValidationError as error:
            self._show_field_error(error)
            return _Typed(None, weight, complete)
        return _Typed(order, weight, complete)

    def _read_fixed_dose(self, entry: LibraryVersion,
                         number: Callable[[QuantityField], Decimal | None]) -> _Typed:
        """A dose by mouth or nose: only the dose in mg and the planning weight."""
        dose = number(self.dose_field)
        weight = number(self.weight_field)
        complete = not self.dose_field.is_blank() and not self.weight_field.is_blank()
        if self._field_errors or not complete:
            return _Typed(None, weight, complete)
        try:
            order = DoseOrder(drug=entry.entry.drug, form=DosingForm.FIXED_DOSE, dose_mg=dose)
        except ValidationError as error:
            self._show_field_error(error)
            return _Typed(None, weight, complete)
        return _Typed(order, weight, complete)

    def _read_titration(self, *, strict: bool) -> Titration | None:
        ends: list[Decimal | None] = []
        for field in (self.titration_min, self.titration_max):
            if field.is_blank():
                ends.append(None)
                continue
            try:
                ends.append(field.quantity())
            except ValidationError as error:
                self._set_error(field, error.message)
                return None
        low, high = ends
        if low is None and high is None:
            return None
        try:
            if low is None or high is None:
                raise ValidationError("Enter both ends of the titration range, or leave both "
                                      "empty for a fixed rate.", field="titration")
            return Titration(low, high)
        except ValidationError as error:
            if strict or (low is not None and high is not None):
                self._show_titration_error(error.message)
            return None

    def _read_course(self, *, strict: bool) -> Course | None:
        try:
            return Course(sessions=self.sessions_spin.value(),
                          sessions_per_week=self.per_week_spin.value())
        except ValidationError as error:
            if strict:
                self._show_field_error(error)
            return None

    def _typed_reasons(self) -> dict[LimitParameter, str]:
        return {parameter: reason for parameter, reason in self.reasons.items()
                if _normal(reason)}

    # ------------------------------------------------------------------ showing results
    def _show_plan(self, plan: DosePlan | None, hint: str) -> None:
        self.plan = plan
        if hint:
            self.hint.show_text(hint)
        else:
            self.hint.clear_text()
        if plan is None:
            for tile in self.tiles.values():
                tile.set_value(None)
            self.summary.setProperty("refused", False)
            self.summary.clear()
            self._show_findings(())
            self.findings_clear.clear_text()
            self.findings_title.setText("Limit checks")
            return
        weight_note = "planning weight"
        figures: Mapping[str, tuple[Decimal | None, Unit]] = {
            "rate": (plan.rate_mg_per_kg_h, Unit.MG_PER_KG_H),
            "mg_per_h": (plan.mg_per_h, Unit.MG_PER_H),
            "ml_per_h": (plan.ml_per_h, Unit.ML_PER_H),
            "volume": (plan.volume_ml, Unit.ML),
            "total_mg": (plan.total_mg, Unit.MG),
            "total_per_kg": (plan.total_mg_per_kg, Unit.MG_PER_KG),
        }
        refused = plan.refused  # a refused dose's figures must not look usable
        for name, (value, unit) in figures.items():
            self.tiles[name].set_value(None if value is None else format_quantity(value, unit),
                                       refused=refused)
        self.tiles["weight"].set_value(format_quantity(plan.weight_kg, Unit.KG), weight_note)
        self.tiles["duration"].set_value(
            None if plan.duration_minutes is None else duration_text(plan.duration_minutes),
            refused=refused)
        if plan.bolus_mg is not None and plan.bolus_ml is not None:
            push = plan.order.bolus_minutes
            self.tiles["bolus"].set_value(
                format_quantity(plan.bolus_mg, Unit.MG),
                f"= {format_quantity(plan.bolus_ml, Unit.ML)}"
                + ("" if push is None else f", pushed over {duration_text(push)}"),
                refused=refused)
        else:
            self.tiles["bolus"].set_value("None")
        self.summary.setText(("NOT ALLOWED — " if refused else "") + self._summary(plan))
        self._show_findings(plan.findings)
        hard, soft = len(plan.hard_findings), len(plan.soft_findings)
        counts = ([f"{hard} not allowed"] if hard else []) + (
            [f"{soft} need{'s' if soft == 1 else ''} a reason"] if soft else [])
        self.findings_title.setText("Limit checks" + (" — " + ", ".join(counts) if counts
                                                      else ""))
        entry = self.current_entry()
        if not plan.findings and entry is not None:
            self.findings_clear.show_text(
                f"Within every limit of {entry.entry.name} v{entry.version}.")
        else:
            self.findings_clear.clear_text()

    def _summary(self, plan: DosePlan) -> str:
        entry = self.current_entry()
        if plan.ml_per_h is not None or entry is None:
            return plan.summary()
        return (f"{format_quantity(plan.total_mg, Unit.MG)} {entry.entry.route.label} = "
                f"{format_quantity(plan.total_mg_per_kg, Unit.MG_PER_KG)} at "
                f"{format_quantity(plan.weight_kg, Unit.KG)}")

    def _show_findings(self, findings: Sequence[LimitFinding]) -> None:
        wanted = {(f.parameter, f.severity, f.direction.value): f for f in findings}
        for key in [key for key in self.findings if key not in wanted]:
            panel = self.findings.pop(key)
            self.findings_box.removeWidget(panel)
            panel.deleteLater()
        # Hard findings first: they must be dealt with before anything else.
        ordered = sorted(wanted.items(), key=lambda item: item[1].severity is not Severity.HARD)
        for position, (key, finding) in enumerate(ordered):
            existing = self.findings.get(key)
            if existing is None:
                panel = FindingPanel(finding)
                if panel.reason is not None:
                    panel.reason.setText(self.reasons.get(finding.parameter, ""))
                    panel.reason.textChanged.connect(
                        lambda text, parameter=finding.parameter: self._reason_typed(parameter,
                                                                                     text))
                self.findings[key] = panel
            else:
                panel = existing
                panel.update_finding(finding)
                self.findings_box.removeWidget(panel)
            self.findings_box.insertWidget(position, panel)

    def _reason_typed(self, parameter: LimitParameter, text: str) -> None:
        self.reasons[parameter] = text
        for panel in self.findings.values():
            if panel.parameter is parameter and panel.reason is not None:
                mark_invalid(panel.reason, False)
        self._update_save()

    def hard_findings(self) -> list[FindingPanel]:
        return [p for p in self.findings.values() if p.severity is Severity.HARD]

    def soft_findings(self) -> list[FindingPanel]:
        return [p for p in self.findings.values() if p.severity is Severity.SOFT]

    def missing_reasons(self) -> list[FindingPanel]:
        return [p for p in self.soft_findings()
                if p.reason is not None and len(_normal(p.reason.text())) < MIN_REASON]

    def _update_save(self) -> None:
        reasons: list[str] = []
        if self.plan is None:
            reasons.append("Save is available once the figures can be calculated.")
        elif self.plan.refused:
            reasons.append("Save is disabled: a hard limit is exceeded. Change the dose to "
                           "within it.")
        else:
            if self.missing_reasons():
                reasons.append("Give a reason for each amber finding to save.")
            if self._field_errors:
                reasons.append("Correct the fields marked in red to save.")
        why = " ".join(reasons)
        self.accept_button.setEnabled(not why)
        self.accept_button.setToolTip(why)
        if why and self.plan is not None:
            self.save_hint.show_text(why, kind="danger" if self.plan.refused else "warning")
        else:
            self.save_hint.clear_text()

    # ------------------------------------------------------------------ errors
    def _clear_errors(self) -> None:
        self._field_errors = False
        for field in self._quantity_fields():
            field.clear_error()
        for error in (self.duration_error, self.over_error, self.titration_error):
            error.clear_message()
        for widget in (self.hours_spin, self.minutes_spin, self.over_spin):
            mark_invalid(widget, False)
        self.entry_error.setVisible(not self.entries)
        mark_invalid(self.entry_combo, False)

    def _set_error(self, field: QuantityField, message: str) -> None:
        field.show_error(message)
        self._field_errors = True

    def _show_titration_error(self, message: str) -> None:
        self.titration_error.show_message(message)
        mark_invalid(self.titration_min.input, True)
        mark_invalid(self.titration_max.input, True)
        self._field_errors = True

    def field_widgets(self) -> Mapping[str, QuantityField]:
        fields = {field.field: field for field in self._quantity_fields()
                  if field.field != "titration"}
        fields["rate_mg_per_kg_h"] = self.rate_field
        return fields

    def _show_field_error(self, error: ValidationError) -> None:
        """Show ``error`` under the input it names; anything else under the form."""
        name = error.field or ""
        field = self.field_widgets().get(name)
        self._field_errors = True
        if field is not None:
            field.show_error(error.message)
        elif name == "duration_minutes":
            rate = self.selected_form() is DosingForm.RATE_DURATION
            (self.duration_error if rate else self.over_error).show_message(error.message)
            for spin in ((self.hours_spin, self.minutes_spin) if rate else (self.over_spin,)):
                mark_invalid(spin, True)
        elif name == "titration":
            self._show_titration_error(error.message)
        elif name in ("course_sessions", "sessions_per_week"):
            self.course_error.show_message(error.message)
            mark_invalid(self.sessions_spin if name == "course_sessions"
                         else self.per_week_spin, True)
        elif name in ("library_entry_id", "drug", "form"):
            self.entry_error.show_message(error.message)
            mark_invalid(self.entry_combo, True)
        elif name == "notes":
            mark_invalid(self.notes_edit, True)
            self.message.show_error(error.message)
        else:
            self.message.show_error(error.message)

    # ------------------------------------------------------------------ saving
    def try_submit(self) -> None:
        self.message.clear_message()
        draft = self.update_preview(strict=True)
        if draft is None:
            self.message.show_error(FIX_MARKED if self._field_errors else
                                    self.hint.text() or FIX_MARKED)
            return
        if self.plan is None or self.plan.refused or self.missing_reasons():
            for panel in self.missing_reasons():
                if panel.reason is not None:
                    mark_invalid(panel.reason, True)
            self.message.show_error(self.accept_button.toolTip() or FIX_MARKED)
            return
        try:
            if self.revising is None:
                saved = self._services.protocols.create(self._actor, self.patient.id, draft)
            else:
                saved = self._services.protocols.revise(self._actor, self.revising.id, draft)
        except ReasonRequired as error:
            self.message.show_error(error.message)
            for panel in self.soft_findings():
                if panel.parameter.value == error.field and panel.reason is not None:
                    mark_invalid(panel.reason, True)
                    panel.reason.setFocus(Qt.FocusReason.OtherFocusReason)
        except LimitExceeded as error:
            self.message.show_error(error.message)
        except ValidationError as error:
            self._show_field_error(error)
            if not self.message.isVisible():
                self.message.show_error(error.message)
        except UserFacingError as error:
            self.message.show_error(error.message)
        else:
            self.saved_protocol = saved
            self.accept()
