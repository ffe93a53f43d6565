"""Editing a drug library entry (a new draft, or a new version of an approved one) and approving a
draft with a clinician's electronic signature."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.drugs import Drug, Route
from console.domain.identity import Actor
from console.domain.library import (
    MAX_CONCENTRATION,
    STANDARD_CONCENTRATIONS,
    LibraryEntry,
    default_esketamine_iv,
    default_ketamine_iv,
)
from console.domain.limits import LimitParameter, LimitRange
from console.domain.protocols import LibraryStatus, LibraryVersion
from console.domain.units import Unit, format_number, parse_quantity
from console.errors import ValidationError
from console.services.container import Services
from console.ui.admin.common import configure_table, format_local_time
from console.ui.admin.dialogs import SubmitDialog
from console.ui.forms import mark_invalid
from console.ui.protocols.describe import drug_name, route_name
from console.ui.protocols.models import LimitTableModel
from console.ui.protocols.verify import SigningDialog
from console.ui.widgets.banners import Banner, DrugBadge
from console.ui.widgets.inputs import Choice, QuantityField, WholeNumberSpin
from console.ui.widgets.tables import FittedTableView, vertical_scroll

BOUNDS = (("soft_min", "soft minimum"), ("soft_max", "soft maximum"),
          ("hard_min", "hard minimum"), ("hard_max", "hard maximum"))
INFUSION_PARAMETERS = tuple(p for p in LimitParameter if p is not LimitParameter.DOSE_MG)
# A single dose by mouth or nose: no rate, bolus or session length, only the dose and totals.
FIXED_DOSE_PARAMETERS = (LimitParameter.DOSE_MG, LimitParameter.SESSION_TOTAL_MG,
                         LimitParameter.SESSION_TOTAL_MG_PER_KG)
DEFAULTS = {Drug.KETAMINE: default_ketamine_iv, Drug.ESKETAMINE: default_esketamine_iv}


SETTING_LABELS = ("Drug", "Route", "Dose written as", "Standard concentrations",
                  "Highest concentration", "Weight range", "Weight change warning", "Bolus",
                  "Minimum age", "Frequency warning")
INFUSION_ONLY_SETTINGS = frozenset({"Standard concentrations", "Highest concentration",
                                    "Bolus"})


def parameters_for(route: Route) -> tuple[LimitParameter, ...]:
    """The limits that apply to doses given by ``route``."""
    return INFUSION_PARAMETERS if route.is_infusion else FIXED_DOSE_PARAMETERS


def settings_lines(entry: LibraryEntry) -> list[tuple[str, str]]:
    """The entry's settings other than its limits, as (label, value) pairs; concentrations and
    the bolus are left out for a route that is not an infusion (they do not apply)."""
    concentrations = "; ".join(format_number(c) for c in entry.standard_concentrations_mg_per_ml)
    lines = [
        ("Drug", drug_name(entry.drug)),
        ("Route", route_name(entry.route)),
        ("Dose written as", " or ".join(form.label for form in entry.forms)),
        ("Standard concentrations", f"{concentrations} mg/mL"),
        ("Highest concentration", f"{format_number(entry.max_concentration_mg_per_ml)} mg/mL"),
        ("Weight range", f"{format_number(entry.weight_min_kg)}–"
                         f"{format_number(entry.weight_max_kg)} kg"),
        ("Weight change warning", f"more than {format_number(entry.weight_change_warn_percent)}"
                                  " % since the last visit"),
        ("Bolus", "allowed" if entry.bolus_allowed else "not allowed"),
        ("Minimum age", f"{entry.minimum_age_years} years"),
        ("Frequency warning", f"more than {entry.sessions_per_7_days_soft} sessions in 7 days, "
                              f"or {entry.sessions_per_course_soft} in a course"),
    ]
    if entry.route.is_infusion:
        return lines
    return [line for line in lines if line[0] not in INFUSION_ONLY_SETTINGS]


class LibraryEntryDialog(SubmitDialog):
    """The limit editor: soft and hard limits side by side, and the entry's other settings.

    With ``base`` it prepares the next version of that entry (same drug, same route); without,
    a new entry that starts from the shipped defaults of the drug chosen, for the route chosen.
    An infusion has rate, bolus and session-length limits and bag concentrations; a dose by
    mouth or nose has a dose limit (mg) and the session totals, and keeps the default
    concentrations, not shown (they are never used for it). Either way the result is a draft.
    """

    def __init__(self, *, submit: Callable[[LibraryEntry], LibraryVersion],
                 base: LibraryVersion | None = None, parent: QWidget | None = None) -> None:
        super().__init__(
            title="New library entry" if base is None
            else f"New version of {base.entry.name}",
            accept_text="Save draft", parent=parent)
        self.setObjectName("libraryEntryDialog")
        self.setMinimumWidth(1240)
        self._submit = submit
        self.base = base
        self.saved: LibraryVersion | None = None
        self._default_name = ""

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("entryNameEdit")
        self.name_edit.setMaxLength(120)
        self.drug_combo = Choice()
        self.drug_combo.setObjectName("drugCombo")
        self.drug_combo.addItem("Choose…", None)
        for drug in Drug:
            self.drug_combo.addItem(drug_name(drug), drug.value)
        self.drug_badge = DrugBadge()
        self.route_combo = Choice()
        self.route_combo.setObjectName("routeCombo")
        for choice in Route:
            self.route_combo.addItem(route_name(choice), choice.value)
        self.route_label = QLabel(route_name(Route.IV_CONTINUOUS if base is None
                                             else base.entry.route))
        self.route_label.setObjectName("routeLabel")

        self.limit_edits: dict[LimitParameter, dict[str, QLineEdit]] = {}
        self.limit_rows: dict[LimitParameter, list[QWidget]] = {}
        limits = QGridLayout()
        limits.setHorizontalSpacing(10)
        limits.setVerticalSpacing(6)
        headings = ("Parameter", "Soft min", "Soft max", "Hard min", "Hard max", "Unit")
        for column, text in enumerate(headings):
            heading = QLabel(text)
            heading.setObjectName("columnHeading")
            if column in (1, 2):
                heading.setProperty("severity", "soft")
            elif column in (3, 4):
                heading.setProperty("severity", "hard")
            limits.addWidget(heading, 0, column)
        for row, parameter in enumerate(LimitParameter, start=1):
            name = QLabel(parameter.label)
            limits.addWidget(name, row, 0)
            self.limit_edits[parameter] = {}
            self.limit_rows[parameter] = [name]
            for column, (bound, label) in enumerate(BOUNDS, start=1):
                edit = QLineEdit()
                edit.setObjectName(f"{parameter.value}-{bound}")
                edit.setFixedWidth(96)
                edit.setMaxLength(30)
                edit.setAlignment(Qt.AlignmentFlag.AlignRight)
                edit.setPlaceholderText("none")
                edit.setAccessibleName(f"{parameter.label} {label}")
                edit.textChanged.connect(lambda _t, edit=edit: mark_invalid(edit, False))
                self.limit_edits[parameter][bound] = edit
                self.limit_rows[parameter].append(edit)
                limits.addWidget(edit, row, column)
            unit = QLabel(parameter.unit.value)
            unit.setObjectName("unitLabel")
            self.limit_rows[parameter].append(unit)
            limits.addWidget(unit, row, 5)
        limits_help = QLabel(
            "Soft limits warn and need a reason to go on; hard limits refuse. A soft limit "
            "must lie inside the hard limits. Leave a box empty for no limit on that side.")
        limits_help.setObjectName("muted")
        limits_help.setWordWrap(True)

        self.concentrations_edit = QLineEdit()
        self.concentrations_edit.setObjectName("concentrationsEdit")
        self.concentrations_edit.setFixedWidth(160)
        self.concentrations_edit.setPlaceholderText("1; 2")
        self.max_concentration = QuantityField(unit=Unit.MG_PER_ML,
                                               field="max_concentration_mg_per_ml",
                                               label="Highest concentration", width=110)
        self.weight_min = QuantityField(unit=Unit.KG, field="weight_min_kg",
                                        label="Lowest weight", width=90)
        self.weight_max = QuantityField(unit=Unit.KG, field="weight_max_kg",
                                        label="Highest weight", width=90)
        self.weight_change_spin = WholeNumberSpin(minimum=1, maximum=50, suffix=" %",
                                                  width=110)
        self.weight_change_spin.setPrefix("more than ")
        self.weight_change_spin.setFixedWidth(170)
        self.weight_change_spin.setObjectName("weightChangeSpin")
        self.bolus_check = QCheckBox("A bolus may be ordered at the start")
        self.bolus_check.setObjectName("bolusAllowedCheck")
        self.age_spin = WholeNumberSpin(minimum=0, maximum=120, suffix=" years", width=130)
        self.age_spin.setObjectName("minimumAgeSpin")
        self.week_spin = WholeNumberSpin(minimum=1, maximum=7, suffix=" in 7 days", width=140)
        self.week_spin.setObjectName("sessionsPerWeekSpin")
        self.course_spin = WholeNumberSpin(minimum=1, maximum=100, suffix=" a course",
                                           width=140)
        self.course_spin.setObjectName("sessionsPerCourseSpin")

        concentrations = QHBoxLayout()
        concentrations.addWidget(self.concentrations_edit)
        concentrations.addWidget(QLabel("mg/mL (separate with ;)"))
        concentrations.addStretch(1)
        weights = QHBoxLayout()
        weights.addWidget(self.weight_min, 0, Qt.AlignmentFlag.AlignTop)
        weights.addWidget(QLabel("to"), 0, Qt.AlignmentFlag.AlignTop)
        weights.addWidget(self.weight_max, 0, Qt.AlignmentFlag.AlignTop)
        weights.addStretch(1)
        frequency = QVBoxLayout()
        frequency.setSpacing(4)
        frequency.addWidget(QLabel("warn above"))
        frequency_row = QHBoxLayout()
        frequency_row.addWidget(self.week_spin)
        frequency_row.addWidget(QLabel("or"))
        frequency_row.addWidget(self.course_spin)
        frequency_row.addStretch(1)
        frequency.addLayout(frequency_row)
        self.concentrations_row = QWidget()
        self.concentrations_row.setLayout(concentrations)
        concentrations.setContentsMargins(0, 0, 0, 0)
        settings = QFormLayout()
        settings.setVerticalSpacing(8)
        self.settings_form = settings
        settings.addRow("Standard concentrations", self.concentrations_row)
        settings.addRow("Highest concentration", self.max_concentration)
        settings.addRow("Weight range", weights)
        settings.addRow("Weight change warning", self.weight_change_spin)
        bolus = QHBoxLayout()
        bolus.setContentsMargins(0, 0, 0, 0)
        bolus.addWidget(self.bolus_check)
        bolus.addStretch(1)
        self.bolus_row = QWidget()
        self.bolus_row.setLayout(bolus)
        settings.addRow("Bolus", self.bolus_row)
        settings.addRow("Minimum age", self.age_spin)
        settings.addRow("Frequency warning", frequency)

        self.form.addRow("Name", self.name_edit)
        if base is None:
            self.form.addRow("Drug", self.drug_combo)
            self.set_intro("The new entry is a draft: it cannot be used until a clinician "
                           "approves it. Choosing a drug fills in the shipped defaults for it; "
                           "change what your clinic needs.")
        else:
            self.set_intro(
                f"Version {base.version + 1} will be a draft. Version {base.version} stays in "
                "use until a clinician approves the new one. The drug cannot change: "
                "ketamine and esketamine are different drugs.")
        self.form.addRow("", self.drug_badge)
        if base is None:
            self.form.addRow("Route", self.route_combo)
        else:
            self.form.addRow("Route", self.route_label)
        limits_title = QLabel("Limits")
        limits_title.setObjectName("sectionTitle")
        settings_title = QLabel("Other settings")
        settings_title.setObjectName("sectionTitle")
        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(limits_title)
        left.addWidget(limits_help)
        left.addLayout(limits)
        left.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(8)
        right.addWidget(settings_title)
        right.addLayout(settings)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.setSpacing(28)
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        columns_widget = QWidget()
        columns_widget.setLayout(columns)
        self.form.addRow(columns_widget)

        self.drug_combo.currentIndexChanged.connect(self._drug_chosen)
        self.route_combo.currentIndexChanged.connect(self._route_chosen)
        if base is not None:
            self.name_edit.setText(base.entry.name)
            self.drug_combo.setCurrentIndex(self.drug_combo.findData(base.entry.drug.value))
            self.drug_badge.show_drug(base.entry.drug)
            self.fill(base.entry)
        else:
            self.drug_badge.show_drug(None)
        self._show_route_rows()
        self.name_edit.setFocus()

    def route(self) -> Route:
        """The route of the entry: a revision keeps its route; a new entry's is chosen."""
        if self.base is not None:
            return self.base.entry.route
        return Route(self.route_combo.currentData())

    def _default_name_for(self, drug: Drug) -> str:
        route = self.route()
        if route.is_infusion:
            return DEFAULTS[drug]().name
        return f"{drug_name(drug)} {route.label}"

    def _name_follows(self) -> bool:
        """The name follows the drug and route until the person types their own."""
        typed = " ".join(self.name_edit.text().split())
        return not typed or typed == self._default_name

    def _drug_chosen(self) -> None:
        value = self.drug_combo.currentData()
        drug = None if value is None else Drug(value)
        self.drug_badge.show_drug(drug)
        if drug is not None and self.base is None:
            follows = self._name_follows()
            self.fill(DEFAULTS[drug]())
            self._default_name = self._default_name_for(drug)
            if follows:
                self.name_edit.setText(self._default_name)

    def _route_chosen(self) -> None:
        value = self.drug_combo.currentData()
        if value is not None and self.base is None and self._name_follows():
            self._default_name = self._default_name_for(Drug(value))
            self.name_edit.setText(self._default_name)
        self._show_route_rows()

    def _show_route_rows(self) -> None:
        """Only the limits and settings that apply to the route are shown (and read)."""
        route = self.route()
        shown = parameters_for(route)
        for parameter, widgets in self.limit_rows.items():
            for widget in widgets:
                widget.setVisible(parameter in shown)
        for widget in (self.concentrations_row, self.max_concentration, self.bolus_row):
            self.settings_form.setRowVisible(widget, route.is_infusion)

    def fill(self, entry: LibraryEntry, *, name: bool = False) -> None:
        """Show ``entry``'s limits and settings in the form (and its name, if asked)."""
        if name:
            self.name_edit.setText(entry.name)
        for parameter, edits in self.limit_edits.items():
            bounds = entry.limits.get(parameter, LimitRange())
            for bound, edit in edits.items():
                value: Decimal | None = getattr(bounds, bound)
                edit.setText("" if value is None else format_number(value))
        self.concentrations_edit.setText(
            "; ".join(format_number(c) for c in entry.standard_concentrations_mg_per_ml))
        self.max_concentration.set_value(entry.max_concentration_mg_per_ml)
        self.weight_min.set_value(entry.weight_min_kg)
        self.weight_max.set_value(entry.weight_max_kg)
        self.weight_change_spin.setValue(int(entry.weight_change_warn_percent))
        self.bolus_check.setChecked(entry.bolus_allowed)
        self.age_spin.setValue(entry.minimum_age_years)
        self.week_spin.setValue(entry.sessions_per_7_days_soft)
        self.course_spin.setValue(entry.sessions_per_course_soft)

    # ------------------------------------------------------------------ reading the form
    def _drug(self) -> Drug:
        if self.base is not None:
            return self.base.entry.drug
        value = self.drug_combo.currentData()
        if value is None:
            raise ValidationError("Choose the drug: ketamine (racemic) or esketamine.",
                                  field="drug")
        return Drug(value)

    def limits(self) -> dict[LimitParameter, LimitRange]:
        """The limits typed for the route's parameters, each range checked by the domain
        (inconsistent sets refused)."""
        table: dict[LimitParameter, LimitRange] = {}
        for parameter in parameters_for(self.route()):
            edits = self.limit_edits[parameter]
            values: dict[str, Decimal | None] = {}
            for bound, label in BOUNDS:
                text = edits[bound].text()
                values[bound] = None if not text.strip() else parse_quantity(
                    text, unit=parameter.unit, field=f"{parameter.value}:{bound}",
                    label=f"{parameter.label} ({parameter.unit.value}), {label}")
            if any(value is not None for value in values.values()):
                bounds = LimitRange(**values)
                bounds.validate(parameter)
                table[parameter] = bounds
        return table

    def _concentrations(self) -> tuple[Decimal, ...]:
        text = self.concentrations_edit.text()
        if "," in text:
            raise ValidationError(
                "Separate the standard concentrations with ';' (a comma could be read as a "
                "decimal comma), for example 1; 2.", field="standard_concentrations_mg_per_ml")
        parts = [part for part in text.split(";") if part.strip()]
        if not parts:
            raise ValidationError("Enter at least one standard concentration, for example 1.",
                                  field="standard_concentrations_mg_per_ml")
        return tuple(parse_quantity(part, unit=Unit.MG_PER_ML,
                                    field="standard_concentrations_mg_per_ml",
                                    label="A standard concentration") for part in parts)

    def entry(self) -> LibraryEntry:
        drug = self._drug()
        route = self.route()
        if route.is_infusion:
            concentrations = self._concentrations()
            highest = self.max_concentration.quantity()
        elif self.base is not None:  # not shown: carried over unchanged
            concentrations = self.base.entry.standard_concentrations_mg_per_ml
            highest = self.base.entry.max_concentration_mg_per_ml
        else:  # not shown: the defaults, which nothing reads for this route
            concentrations, highest = STANDARD_CONCENTRATIONS, MAX_CONCENTRATION
        return LibraryEntry(
            name=" ".join(self.name_edit.text().split()), drug=drug, route=route,
            limits=self.limits(),
            standard_concentrations_mg_per_ml=concentrations,
            max_concentration_mg_per_ml=highest,
            weight_min_kg=self.weight_min.quantity(),
            weight_max_kg=self.weight_max.quantity(),
            weight_change_warn_percent=Decimal(self.weight_change_spin.value()),
            bolus_allowed=route.is_infusion and self.bolus_check.isChecked(),
            minimum_age_years=self.age_spin.value(),
            sessions_per_7_days_soft=self.week_spin.value(),
            sessions_per_course_soft=self.course_spin.value(),
        )

    def fields(self) -> Mapping[str, QWidget]:
        fields: dict[str, QWidget] = {
            "name": self.name_edit,
            "drug": self.drug_combo,
            "route": self.route_combo,
            "standard_concentrations_mg_per_ml": self.concentrations_edit,
            "max_concentration_mg_per_ml": self.max_concentration.input,
            "weight_min_kg": self.weight_min.input,
            "weight_max_kg": self.weight_max.input,
            "weight_change_warn_percent": self.weight_change_spin,
            "minimum_age_years": self.age_spin,
            "sessions_per_7_days_soft": self.week_spin,
            "sessions_per_course_soft": self.course_spin,
        }
        for parameter, edits in self.limit_edits.items():
            for bound, edit in edits.items():
                fields[f"{parameter.value}:{bound}"] = edit
        return fields

    def show_validation_error(self, error: ValidationError) -> None:
        super().show_validation_error(error)
        for parameter, edits in self.limit_edits.items():
            if error.field == parameter.value:  # an inconsistent range: mark the whole row
                for edit in edits.values():
                    mark_invalid(edit, True)
                edits["soft_min"].setFocus(Qt.FocusReason.OtherFocusReason)

    def submit_form(self) -> None:
        self.saved = self._submit(self.entry())


class ApproveDialog(SigningDialog):
    """Approve a draft entry: the limits as they will be used, and the signature "Approved"."""

    def __init__(self, *, services: Services, actor: Actor, version: LibraryVersion,
                 replaces: LibraryVersion | None, parent: QWidget | None = None) -> None:
        super().__init__(title=f"Approve {version.entry.name} v{version.version}",
                         accept_text="Approve and sign", parent=parent)
        self.setObjectName("approveDialog")
        self.setMinimumWidth(860)
        self._services = services
        self._actor = actor
        self.version = version
        self.approved: LibraryVersion | None = None
        badge = DrugBadge()
        badge.show_drug(version.entry.drug)
        self.set_intro(
            f"Approving makes {version.entry.name} v{version.version} usable for protocols "
            "exactly as shown. Read every limit first.")
        model = LimitTableModel(self)
        model.set_limits(version.entry.limits)
        self.limits_table = FittedTableView(max_rows=len(INFUSION_PARAMETERS) + 1)
        self.limits_table.setObjectName("approveLimitsTable")
        self.limits_table.setModel(model)
        configure_table(self.limits_table, sortable=False)
        self.limits_table.setSelectionMode(QTableView.SelectionMode.NoSelection)
        header = self.limits_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(LimitTableModel.PARAMETER, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        settings = QLabel("\n".join(f"{label}: {value}"
                                    for label, value in settings_lines(version.entry)[1:]))
        settings.setWordWrap(True)
        self.replaces_note = Banner(kind="warning")
        if replaces is not None and replaces.status is LibraryStatus.APPROVED:
            self.replaces_note.show_text(
                f"Version {replaces.version}, in use now, will be retired when this version is "
                f"approved. Draft protocols written against version {replaces.version} can then "
                "no longer be verified.")
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(10)
        column.addWidget(badge, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.limits_table)
        column.addWidget(settings)
        column.addWidget(self.replaces_note)
        column.addStretch(1)
        self.form.addRow(vertical_scroll(content, name="approveContent"))
        self.add_signature_block(
            meaning="Approved", signer=actor.full_name,
            when=format_local_time(services.library.now()),
            explanation=("Signing binds your printed name, the date and time and the meaning "
                         "“approved” to exactly these limits and settings. Enter your password "
                         "to sign."))
        self.password_edit.setFocus()
        self.resize(900, 820)

    def fields(self) -> Mapping[str, QWidget]:
        return {"password": self.password_edit}

    def submit_form(self) -> None:
        self.approved = self._services.library.approve(
            self._actor, self.version.id, password=self.password_edit.text())
