"""The Alarms tab: the clinic's alarm threshold table, the scales charted at the bedside, and
every saved version of both.

The table reads like CLINICAL.md "Vital signs: alarms and gates": one row per parameter and
direction, a column per priority. Each cut-off is an operator (≥ includes the number, > does
not) and a number. Values are checked by the domain rules, and a refusal is shown under the
row it is about, with the fields outlined in red. Saving needs a reason and makes a new
version, recorded in the audit trail; a version saved meanwhile by a colleague is never
silently overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain.alarms import (
    DEFAULT_THRESHOLDS,
    AlarmPriority,
    AlarmThresholds,
    Bands,
    Cutoff,
    Side,
    at,
    beyond,
)
from console.domain.identity import Actor
from console.domain.scales import DissociationScale, MonitoringScales, SedationScale
from console.errors import UserFacingError, ValidationError
from console.services.container import Services
from console.services.monitoring_settings import SettingVersion, Versioned
from console.ui.admin.common import (
    card,
    fixed_table,
    format_local_time,
    mark_reason_refused,
    reason_edit,
    scrolling_page,
)
from console.ui.forms import mark_invalid, primary_button
from console.ui.messages import InlineMessage

NOTHING_CHANGED = "Nothing to save: the values are the ones already in use."
RISE = "systolic_rise_percent"
SIDES = ("above", "below")
PRIORITIES = (AlarmPriority.LOW, AlarmPriority.MEDIUM, AlarmPriority.HIGH)
_PRIORITY_COLOUR = {AlarmPriority.LOW: "#5ee7f0", AlarmPriority.MEDIUM: "#f5c451",
                    AlarmPriority.HIGH: "#ff6b70"}
_PRIORITY_TITLE = {AlarmPriority.LOW: "Low priority", AlarmPriority.MEDIUM: "Medium priority",
                   AlarmPriority.HIGH: "High priority"}
_PRIORITY_HINT = {AlarmPriority.LOW: "cyan · check, watch the trend",
                  AlarmPriority.MEDIUM: "yellow · notify, consider slowing",
                  AlarmPriority.HIGH: "red · pause, call the clinician"}


@dataclass(frozen=True, slots=True)
class ThresholdRow:
    """One row of the table: one side of one parameter, and the priorities it offers."""

    key: str  # the AlarmThresholds field
    side: str  # "above" or "below"
    parameter: str  # shown on the first row of a parameter only
    readings: str
    unit: str
    range: tuple[int, int]
    priorities: tuple[AlarmPriority, ...]
    scale: SedationScale | None = None

    @property
    def rising(self) -> bool:
        return self.side == "above"


_MH = (AlarmPriority.MEDIUM, AlarmPriority.HIGH)

ROWS = (
    ThresholdRow("systolic", "above", "Systolic BP", "high", "mmHg", (0, 300), _MH),
    ThresholdRow("systolic", "below", "", "low", "mmHg", (0, 300), _MH),
    ThresholdRow("diastolic", "above", "Diastolic BP", "high", "mmHg", (0, 250), _MH),
    ThresholdRow("heart_rate", "above", "Heart rate", "high", "/min", (0, 300), _MH),
    ThresholdRow("heart_rate", "below", "", "low", "/min", (0, 300), _MH),
    ThresholdRow("spo2", "below", "SpO2", "low", "%", (0, 100), PRIORITIES),
    ThresholdRow("respiratory_rate", "above", "Resp. rate", "high", "/min", (0, 80), _MH),
    ThresholdRow("respiratory_rate", "below", "", "low", "/min", (0, 80), _MH),
    ThresholdRow("sedation_rass", "below", "Sedation", "RASS", "", (-5, 4), _MH,
                 SedationScale.RASS),
    ThresholdRow("sedation_poss", "above", "", "POSS", "", (0, 4), _MH,
                 SedationScale.POSS),
    ThresholdRow("sedation_moaa_s", "below", "", "MOAA/S", "", (0, 5), _MH,
                 SedationScale.MOAA_S),
    ThresholdRow("agitation_rass", "above", "Agitation", "RASS", "", (-5, 4),
                 _MH),
)
KEYS = tuple(dict.fromkeys(row.key for row in ROWS))


def _symbols(rising: bool) -> tuple[str, str]:
    return ("≥", ">") if rising else ("≤", "<")


class _OperatorEdit(QWidget):
    """An operator box beside a number box; the number is hidden while the operator is "off"
    (item data ``None``). Subclasses fill both boxes in, then call ``_lay_out``."""

    changed = Signal()
    operator: QComboBox

    def _lay_out(self, number: QSpinBox | QDoubleSpinBox) -> None:
        self._number = number
        self.operator.setFixedWidth(70)
        number.setFixedWidth(112)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.operator)
        layout.addWidget(number)
        layout.addStretch(1)
        self.operator.currentIndexChanged.connect(self._operator_changed)
        number.valueChanged.connect(self.changed)

    def _operator_changed(self) -> None:
        self._number.setVisible(self.operator.currentData() is not None)
        self.changed.emit()

    def fields(self) -> tuple[QWidget, QWidget]:
        return self.operator, self._number


class CutoffEdit(_OperatorEdit):
    """One cut-off: an operator (≥ / >, or ≤ / <; "off" where the alarm is optional) and a
    whole number."""

    def __init__(self, row: ThresholdRow, priority: AlarmPriority,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.priority = priority
        self.optional = priority is not AlarmPriority.HIGH
        name = f"{row.key}_{row.side}_{priority.value}"
        self.setObjectName(name)
        inclusive, strict = _symbols(row.rising)
        self.operator = QComboBox()
        self.operator.setObjectName(f"{name}_operator")
        self.operator.addItem(inclusive, "at")
        self.operator.addItem(strict, "beyond")
        if self.optional:
            self.operator.addItem("off", None)
        self.operator.setToolTip(f"{inclusive} includes the number, {strict} does not"
                                 + ("; off: no alarm at this priority" if self.optional else ""))
        self.value = QSpinBox()
        self.value.setObjectName(f"{name}_value")
        self.value.setRange(*row.range)
        if row.unit:
            self.value.setSuffix(f" {row.unit}")
        self.value.setAccessibleName(f"{row.parameter or row.key} {row.readings}, "
                                     f"{priority.value} priority")
        self._lay_out(self.value)

    def cutoff(self) -> Cutoff | None:
        kind = self.operator.currentData()
        if kind is None:
            return None
        self.value.interpretText()
        return beyond(self.value.value()) if kind == "beyond" else at(self.value.value())

    def set_cutoff(self, cutoff: Cutoff | None, *, suggestion: int | None = None) -> None:
        """Show ``cutoff``; when it is off, ``suggestion`` is the number offered if the
        alarm is switched on."""
        if cutoff is None:
            self.operator.setCurrentIndex(self.operator.findData(None))
            if suggestion is not None:
                self.value.setValue(suggestion)
            return
        self.operator.setCurrentIndex(self.operator.findData("beyond" if cutoff.strict
                                                             else "at"))
        self.value.setValue(cutoff.value)

    def text(self) -> str:
        """The cut-off as shown, for example ``> 180 mmHg`` (or ``off``)."""
        if self.operator.currentData() is None:
            return "off"
        return f"{self.operator.currentText()} {self.value.text()}"


class _PercentSpin(QDoubleSpinBox):
    """A percentage to one decimal place, without a trailing ``.0`` (``25 %``, ``12.5 %``)."""

    def textFromValue(self, value: float) -> str:
        return f"{value:.1f}".removesuffix(".0")


class RiseEdit(_OperatorEdit):
    """The MEDIUM rule on SBP rise over the patient's own baseline: more than N %, or off."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("systolic_rise_percent")
        self.operator = QComboBox()
        self.operator.setObjectName("systolic_rise_percent_operator")
        self.operator.addItem(">", "on")
        self.operator.addItem("off", None)
        self.operator.setToolTip("More than this percentage above the baseline SBP; off: no "
                                 "alarm for a rise over baseline")
        self.value = _PercentSpin()
        self.value.setObjectName("systolic_rise_percent_value")
        self.value.setDecimals(1)
        self.value.setRange(0, 100)
        self.value.setSingleStep(5)
        self.value.setSuffix(" %")
        self._lay_out(self.value)

    def percent(self) -> Decimal | None:
        if self.operator.currentData() is None:
            return None
        self.value.interpretText()
        shown = Decimal(f"{self.value.value():.1f}")
        return shown.to_integral_value() if shown == shown.to_integral_value() else shown

    def set_percent(self, percent: Decimal | None) -> None:
        self.operator.setCurrentIndex(self.operator.findData(None if percent is None else "on"))
        if percent is not None:
            self.value.setValue(float(percent))


def _label(text: str, name: str = "", *, wrap: bool = False) -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


def _suggestion(row: ThresholdRow, side: Side, priority: AlarmPriority) -> int | None:
    """A number to offer when an alarm that is off is switched on: a little nearer to normal
    than the next higher-priority cut-off, so the table stays in order."""
    further = [c for p, c in side.tiers() if p.rank > priority.rank]
    if not further:
        return None
    low, high = row.range
    step = 1 if high - low <= 10 else 5
    edge = further[0].edge(rising=row.rising)
    return max(low, min(high, edge - step if row.rising else edge + step))


def _fault(key: str, bands: Bands) -> str | None:
    """Why ``bands`` cannot be the table's ``key`` (``None``: it can). Each parameter is
    validated on its own, so every faulty row can be shown at once."""
    try:
        replace(DEFAULT_THRESHOLDS, **{key: bands})  # type: ignore[arg-type]
    except ValidationError as error:
        return error.message
    return None


def _one_side(key: str, bands: Bands, side: str) -> Bands:
    """``bands`` on ``side``, the defaults on the other: to find which side is at fault."""
    default: Bands = getattr(DEFAULT_THRESHOLDS, key)
    return replace(default, **{side: getattr(bands, side)})


def _text(item: QTableWidgetItem | None) -> str:
    return "" if item is None else item.text()


def _version_line(what: str, current: Versioned[Any],
                  history: list[SettingVersion[Any]]) -> str:
    if current.version == 0 or not history:
        return f"{what}: the console's defaults (no version saved yet)."
    last = history[-1]
    return (f"{what}: version {last.number}, saved {format_local_time(last.at)} by "
            f"{last.by_name}.")


class AlarmSettingsPanel(QWidget):
    """Edit, check and save the alarm table and the scales; see the versions saved before."""

    thresholds_saved = Signal(int)
    """The version number just saved."""
    scales_saved = Signal(int)

    HISTORY_COLUMNS = ("Setting", "Version", "Saved", "By", "Reason")

    def __init__(self, *, services: Services, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmSettingsPanel")
        self._services = services
        self._actor = actor
        self._thresholds: Versioned[AlarmThresholds] = Versioned(0, DEFAULT_THRESHOLDS)
        self._scales: Versioned[MonitoringScales] = Versioned(0, MonitoringScales())

        # --- the threshold table
        self.editors: dict[tuple[str, str, AlarmPriority], CutoffEdit] = {}
        self.row_errors: dict[str, QLabel] = {}
        self.readings_labels: dict[SedationScale, QLabel] = {}
        self.rise_edit = RiseEdit()
        grid = self._build_grid()
        rules = _label("≥ and ≤ include the number; > and < do not. A reading alarms at the "
                       "highest priority it reaches. High-priority (red) alarms can be moved "
                       "but not switched off.", "muted", wrap=True)
        self.thresholds_reason = reason_edit(
            "thresholdsReasonEdit",
            "Reason for the change (required), for example: approved by the medical lead")
        self.defaults_button = QPushButton("Fill in the console's defaults")
        self.defaults_button.setObjectName("fillDefaultsButton")
        self.defaults_button.setToolTip("Puts the CLINICAL.md defaults in the table; nothing "
                                        "is saved until you press Save")
        self.discard_button = QPushButton("Discard changes")
        self.discard_button.setObjectName("discardThresholdsButton")
        self.save_thresholds_button = primary_button("Save alarm thresholds")
        self.save_thresholds_button.setObjectName("saveThresholdsButton")
        self.thresholds_message = InlineMessage()
        reason_row = QHBoxLayout()
        reason_row.addWidget(_label("Reason", "vitalLabel"))
        reason_row.addWidget(self.thresholds_reason, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.defaults_button)
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_thresholds_button)
        table_card = card("Alarm thresholds", grid, rules, reason_row, self.thresholds_message,
                           buttons)

        # --- the scales
        self.sedation_combo = QComboBox()
        self.sedation_combo.setObjectName("sedationScaleCombo")
        for sedation in SedationScale:
            self.sedation_combo.addItem(sedation.label, sedation)
        self.dissociation_combo = QComboBox()
        self.dissociation_combo.setObjectName("dissociationScaleCombo")
        for dissociation in DissociationScale:
            self.dissociation_combo.addItem(dissociation.label, dissociation)
        self.scales_reason = reason_edit("scalesReasonEdit", "Reason for the change (required)")
        self.scales_reason.setMinimumWidth(620)
        self.save_scales_button = primary_button("Save scales")
        self.save_scales_button.setObjectName("saveScalesButton")
        self.scales_message = InlineMessage()
        for combo in (self.sedation_combo, self.dissociation_combo):
            combo.setMinimumWidth(620)
        form = QFormLayout()
        form.setSpacing(10)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow("Sedation", self.sedation_combo)
        form.addRow("Dissociation", self.dissociation_combo)
        form.addRow("Reason", self.scales_reason)
        scales_note = _label("Nurses chart sedation on this scale. Dissociation is recorded as "
                             "a score only.", "muted", wrap=True)
        scale_buttons = QHBoxLayout()
        scale_buttons.addStretch(1)
        scale_buttons.addWidget(self.save_scales_button)
        scales_card = card("Scales charted at the bedside", form, scales_note,
                            self.scales_message, scale_buttons)

        # --- versions
        self.in_use_label = _label("", wrap=True)
        self.in_use_label.setObjectName("inUseLabel")
        self.history_table = fixed_table(self.HISTORY_COLUMNS, "settingsHistoryTable")
        self.history_table.setMinimumHeight(200)
        history_card = card("Versions", self.in_use_label, self.history_table)

        content = QWidget()
        content.setObjectName("alarmSettingsContent")
        page = QVBoxLayout(content)
        page.setContentsMargins(16, 16, 16, 16)
        page.setSpacing(16)
        page.addWidget(_label("The alarm limits and scales every session uses. Each save "
                                "is a new version with your name and reason in the audit "
                                "trail.", "muted", wrap=True))
        page.addWidget(table_card)
        page.addWidget(scales_card)
        page.addWidget(history_card)
        page.addStretch(1)
        scrolling_page(self, content)

        self.save_thresholds_button.clicked.connect(self.save_thresholds)
        self.defaults_button.clicked.connect(self.fill_defaults)
        self.discard_button.clicked.connect(self.refresh)
        self.save_scales_button.clicked.connect(self.save_scales)

    # ------------------------------------------------------------ building

    def _build_grid(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        grid.addWidget(_label("Parameter", "columnHeading"), 0, 0, Qt.AlignmentFlag.AlignBottom)
        grid.addWidget(_label("Readings", "columnHeading"), 0, 1, Qt.AlignmentFlag.AlignBottom)
        for column, priority in enumerate(PRIORITIES, start=2):
            heading = _label(f"<span style='color:{_PRIORITY_COLOUR[priority]}'>■</span> "
                             f"{_PRIORITY_TITLE[priority]}<br><span style='font-weight:400'>"
                             f"{_PRIORITY_HINT[priority]}</span>", "columnHeading")
            heading.setObjectName(f"heading_{priority.value}")
            heading.setTextFormat(Qt.TextFormat.RichText)
            heading.setStyleSheet(f"color: {_PRIORITY_COLOUR[priority]}; font-weight: 600;")
            grid.addWidget(heading, 0, column, Qt.AlignmentFlag.AlignBottom)
        line = 1
        for index, row in enumerate(ROWS):
            if row.parameter and line > 1:
                grid.addWidget(self._rule(), line, 0, 1, 5)
                line += 1
            if row.parameter:
                grid.addWidget(_label(row.parameter, "vitalLabel"), line, 0)
            readings = _label(row.readings)
            if row.scale is not None:
                self.readings_labels[row.scale] = readings
            grid.addWidget(readings, line, 1)
            for column, priority in enumerate(PRIORITIES, start=2):
                if priority in row.priorities:
                    editor = CutoffEdit(row, priority)
                    editor.changed.connect(lambda key=row.key: self._edited(key))
                    self.editors[(row.key, row.side, priority)] = editor
                    grid.addWidget(editor, line, column)
                else:
                    dash = _label("–", "muted")
                    grid.addWidget(dash, line, column)
            line += 1
            if row.key == "systolic" and row.side == "below":
                grid.addWidget(_label("rise over the patient's baseline"), line, 1)
                grid.addWidget(_label("–", "muted"), line, 2)
                grid.addWidget(self.rise_edit, line, 3)
                grid.addWidget(_label("–", "muted"), line, 4)
                self.rise_edit.changed.connect(lambda: self._edited(RISE))
                line += 1
                line = self._add_error(grid, RISE, line)
            if index + 1 == len(ROWS) or ROWS[index + 1].key != row.key:
                line = self._add_error(grid, row.key, line)
        grid.setColumnStretch(5, 1)
        return grid

    @staticmethod
    def _rule() -> QFrame:
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setStyleSheet("color: #2c3640; background-color: #2c3640;")
        rule.setFixedHeight(1)
        return rule

    def _add_error(self, grid: QGridLayout, key: str, line: int) -> int:
        error = _label("", "fieldError", wrap=True)
        error.hide()
        self.row_errors[key] = error
        grid.addWidget(error, line, 1, 1, 4)
        return line + 1

    # ------------------------------------------------------------ reading and showing

    def refresh(self) -> None:
        """Show the values in use now and the versions saved (discarding unsaved edits)."""
        self.thresholds_message.clear_message()
        self.scales_message.clear_message()
        try:
            self._thresholds = self._services.monitoring_settings.current_thresholds()
        except UserFacingError as error:
            self.thresholds_message.show_error(error.message)
            return
        self.show_thresholds(self._thresholds.value)
        self.thresholds_reason.clear()
        mark_invalid(self.thresholds_reason, False)
        self._clear_marks()
        self._reload_scales()

    def _reload_scales(self) -> None:
        """Re-read the scales and the versions, leaving the table's editors alone."""
        settings = self._services.monitoring_settings
        try:
            self._scales = settings.current_scales()
            threshold_history = list(settings.threshold_history(self._actor))
            scales_history = list(settings.scales_history(self._actor))
        except UserFacingError as error:
            self.scales_message.show_error(error.message)
            return
        self._show_scales(self._scales.value)
        self._show_history(threshold_history, scales_history)
        self.scales_reason.clear()
        mark_invalid(self.scales_reason, False)

    def show_thresholds(self, thresholds: AlarmThresholds) -> None:
        """Put a table in the editors (nothing is saved)."""
        for (key, side_name, priority), editor in self.editors.items():
            side: Side = getattr(getattr(thresholds, key), side_name)
            editor.set_cutoff(getattr(side, priority.value),
                              suggestion=_suggestion(editor.row, side, priority))
        self.rise_edit.set_percent(thresholds.systolic_rise_percent)

    def _show_scales(self, scales: MonitoringScales) -> None:
        self.sedation_combo.setCurrentIndex(self.sedation_combo.findData(scales.sedation))
        self.dissociation_combo.setCurrentIndex(
            self.dissociation_combo.findData(scales.dissociation))
        for scale, label in self.readings_labels.items():
            row = next(r for r in ROWS if r.scale is scale)
            in_use = scale is scales.sedation
            label.setText(f"{row.readings} <span style='color:#9aa5b1'>· charted here</span>"
                          if in_use else row.readings)

    def _show_history(self, thresholds: list[SettingVersion[AlarmThresholds]],
                      scales: list[SettingVersion[MonitoringScales]]) -> None:
        self.in_use_label.setText(
            _version_line("Alarm thresholds", self._thresholds, list(thresholds)) + "\n"
            + _version_line("Scales", self._scales, list(scales)))
        rows: list[tuple[str, SettingVersion[Any]]] = [
            *(("Alarm thresholds", v) for v in thresholds), *(("Scales", v) for v in scales)]
        rows.sort(key=lambda pair: (pair[1].at, pair[1].number), reverse=True)
        self.history_table.setRowCount(len(rows))
        for index, (what, version) in enumerate(rows):
            cells = (what, str(version.number), format_local_time(version.at), version.by_name,
                     version.reason)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.history_table.setItem(index, column, item)
        self.history_table.resizeRowsToContents()

    def history_rows(self) -> list[list[str]]:
        table = self.history_table
        return [[_text(table.item(r, c)) for c in range(table.columnCount())]
                for r in range(table.rowCount())]

    # ------------------------------------------------------------ editing

    def fill_defaults(self) -> None:
        self.show_thresholds(DEFAULT_THRESHOLDS)
        self.thresholds_message.show_info("The console's defaults are filled in. Give a reason "
                                          "and save to use them.")

    def _edited(self, key: str) -> None:
        error = self.row_errors[key]
        if error.isVisible() or error.text():
            error.clear()
            error.hide()
        for widget in self._fields_of(key):
            mark_invalid(widget, False)

    def _fields_of(self, key: str, sides: frozenset[str] = frozenset(SIDES)) -> list[QWidget]:
        if key == RISE:
            return list(self.rise_edit.fields())
        return [field for (k, side, _p), editor in self.editors.items()
                if k == key and side in sides for field in editor.fields()]

    def _clear_marks(self) -> None:
        for key, error in self.row_errors.items():
            error.clear()
            error.hide()
            for widget in self._fields_of(key):
                mark_invalid(widget, False)

    def _typed_bands(self, key: str) -> Bands:
        """The loaded bands of ``key`` with the cut-offs on screen (a cut-off this screen does
        not show is kept as it was)."""
        bands: Bands = getattr(self._thresholds.value, key)
        sides = {"above": bands.above, "below": bands.below}
        for (k, side, priority), editor in self.editors.items():
            if k == key:
                sides[side] = replace(sides[side], **{priority.value: editor.cutoff()})
        return Bands(above=sides["above"], below=sides["below"])

    def typed_thresholds(self) -> AlarmThresholds:
        """The table on screen; raises ``ValidationError`` (for the first fault) if unusable.

        Each parameter is checked on its own first, so every faulty row is marked at once.
        """
        self._clear_marks()
        faults: dict[str, tuple[str, frozenset[str]]] = {}
        bands: dict[str, Bands] = {}
        for key in KEYS:
            bands[key] = self._typed_bands(key)
            message = _fault(key, bands[key])
            if message is not None:
                faulty = frozenset(side for side in SIDES
                                   if _fault(key, _one_side(key, bands[key], side)))
                faults[key] = (message, faulty or frozenset(SIDES))
        percent = self.rise_edit.percent()
        try:
            replace(DEFAULT_THRESHOLDS, systolic_rise_percent=percent)
        except ValidationError as error:
            faults[RISE] = (error.message, frozenset(SIDES))
        if faults:
            for key, (message, sides) in faults.items():
                self.row_errors[key].setText(message)
                self.row_errors[key].show()
                for widget in self._fields_of(key, sides):
                    mark_invalid(widget, True)
            first, (_message, sides) = next(iter(faults.items()))
            self._fields_of(first, sides)[1].setFocus(Qt.FocusReason.OtherFocusReason)
            rows = "row" if len(faults) == 1 else f"{len(faults)} rows"
            raise ValidationError(f"Check the {rows} marked in red: nothing was saved.",
                                  field=first)
        return replace(self._thresholds.value, **bands, systolic_rise_percent=percent)

    # ------------------------------------------------------------ saving

    def save_thresholds(self) -> None:
        self.thresholds_message.clear_message()
        mark_invalid(self.thresholds_reason, False)
        try:
            thresholds = self.typed_thresholds()
        except ValidationError as error:
            self.thresholds_message.show_error(error.message)
            return
        if thresholds == self._thresholds.value:
            self.thresholds_message.show_info(NOTHING_CHANGED)
            return
        try:
            version = self._services.monitoring_settings.change_thresholds(
                self._actor, thresholds, self.thresholds_reason.text(),
                expected_version=self._thresholds.version)
        except UserFacingError as error:
            self.thresholds_message.show_error(error.message)
            mark_reason_refused(self.thresholds_reason, error)
            return
        self.refresh()
        self.thresholds_message.show_info(f"Saved as version {version} of the alarm "
                                          "thresholds.")
        self.thresholds_saved.emit(version)

    def typed_scales(self) -> MonitoringScales:
        # Qt hands item data back as plain text, so the enums are rebuilt from it.
        return MonitoringScales(
            sedation=SedationScale(self.sedation_combo.currentData()),
            dissociation=DissociationScale(self.dissociation_combo.currentData()))

    def save_scales(self) -> None:
        self.scales_message.clear_message()
        mark_invalid(self.scales_reason, False)
        scales = self.typed_scales()
        if scales == self._scales.value:
            self.scales_message.show_info(NOTHING_CHANGED)
            return
        try:
            version = self._services.monitoring_settings.change_scales(
                self._actor, scales, self.scales_reason.text(),
                expected_version=self._scales.version)
        except UserFacingError as error:
            self.scales_message.show_error(error.message)
            mark_reason_refused(self.scales_reason, error)
            return
        self._reload_scales()
        self.scales_message.show_info(
            f"Saved as version {version}: sedation on {scales.sedation.short_label}, "
            f"dissociation on {scales.dissociation.short_label}.")
        self.scales_saved.emit(version)
