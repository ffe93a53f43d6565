"""Before the start: weight, bag, pump program, the blind double check and the checklist."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from console.domain.bedside import DILUENTS, CheckStatus, DoubleCheckEntry, Preparation
from console.domain.clock import Clock
from console.domain.drugs import VIAL_STRENGTHS_MG_PER_ML
from console.domain.identity import Actor, Role
from console.domain.units import (
    Unit,
    format_number,
    format_quantity,
    parse_quantity,
    pounds_to_kg,
)
from console.errors import LimitExceeded, ReasonRequired, UserFacingError, ValidationError
from console.services.auth import AuthService
from console.services.session_records import SessionRecord, SessionStage
from console.services.sessions import SessionService
from console.ui.forms import mark_invalid, password_field
from console.ui.session.common import Section, caption, clock_time, parse_event_time, time_edit
from console.ui.widgets.figures import FigureTile
from console.ui.widgets.inputs import Choice, DateField, QuantityField

Apply = Callable[[SessionRecord], None]
SYMBOLS = {CheckStatus.PASSED: "✓", CheckStatus.WARNING: "!", CheckStatus.FAILED: "✗"}


class FoldingSection(Section):
    """A step that folds to one line once recorded, with Change… to open it again.

    Subclasses build ``self.editor`` and ``self.current`` and then call ``fold_in``.
    """

    editor: QWidget
    current: QLabel

    def fold_in(self, button_name: str) -> None:
        self.change_button = QPushButton("Change…", self)
        self.change_button.setObjectName(button_name)
        self.change_button.setAutoDefault(False)
        self.change_button.clicked.connect(self.expand)
        done = QHBoxLayout()
        done.addWidget(self.current, 1)
        done.addWidget(self.change_button)
        self.body.addWidget(self.editor)
        self.body.addLayout(done)
        self.finish()

    def expand(self) -> None:
        self.editor.show()
        self.change_button.hide()

    def show_folded(self, *, open_: bool) -> None:
        """Open while nothing is recorded, something is typed, or a message is showing."""
        self.editor.setVisible(open_ or self.message.isVisible())
        self.change_button.setVisible(not self.editor.isVisibleTo(self))


class WeightSection(FoldingSection):
    def __init__(self, *, sessions: SessionService, actor: Actor, session_id: int,
                 on_record: Apply, parent: QWidget | None = None) -> None:
        super().__init__("1  Weight today", name="weight", on_record=on_record, parent=parent)
        self._sessions, self._actor, self._id = sessions, actor, session_id
        self.reading = QLineEdit(self)
        self.reading.setObjectName("weightEdit")
        self.reading.setPlaceholderText("72.4")
        self.reading.setFixedWidth(120)
        self.reading.setMaxLength(12)
        self.unit = Choice(self)
        self.unit.setObjectName("weightUnit")
        self.unit.addItems(["kg", "lb (convert)"])
        self.converted = QLabel(self)
        self.converted.setObjectName("conversion")
        self.reason = QLineEdit(self)
        self.reason.setObjectName("weightReasonEdit")
        self.reason.setPlaceholderText("Reason the weight changed more than 10 %")
        self.reason.setMaxLength(500)
        self.reason.hide()
        self.save_button = QPushButton("Save weight", self)
        self.save_button.setObjectName("saveWeightButton")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.reading.returnPressed.connect(self.save)
        self.current = QLabel(self)
        self.current.setObjectName("recordedValue")
        self.editor = QWidget(self)
        editor = QVBoxLayout(self.editor)
        editor.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.reading)
        row.addWidget(self.unit)
        row.addWidget(self.converted, 1)
        row.addWidget(self.save_button)
        editor.addLayout(row)
        editor.addWidget(self.reason)
        self.fold_in("changeWeightButton")
        self.reading.textChanged.connect(self._convert)
        self.unit.currentIndexChanged.connect(self._convert)

    def fields(self) -> Mapping[str, QWidget]:
        return {"weight": self.reading, "weight_reason": self.reason}

    def in_pounds(self) -> bool:
        return self.unit.currentIndex() == 1

    def pounds(self) -> Decimal:
        """The reading in lb, parsed by the same rule the service applies."""
        return parse_quantity(self.reading.text(), unit=Unit.LB, field="weight",
                              label="Weight in lb")

    def _convert(self) -> None:
        if not self.in_pounds() or not self.reading.text().strip():
            self.converted.clear()
            return
        try:
            pounds = self.pounds()
        except ValidationError:
            self.converted.setText("Enter a number in lb")
            return
        kilograms = pounds_to_kg(pounds)
        self.converted.setText(f"{format_number(pounds)} lb = {format_number(kilograms)} kg "
                               "(kg is what is saved)")

    def save(self) -> None:
        def call() -> SessionRecord:
            if self.in_pounds():
                return self._sessions.record_weight(
                    self._actor, self._id, self.reading.text(), unit=Unit.LB,
                    reason=self.reason.text())
            return self._sessions.record_weight(self._actor, self._id, self.reading.text(),
                                                reason=self.reason.text())
        if self.act(call):
            self.reading.clear()
            self.reason.clear()
            self.reason.hide()
            self.editor.hide()
            self.change_button.show()

    def show_error(self, error: UserFacingError) -> None:
        if isinstance(error, ReasonRequired):
            self.reason.show()
        super().show_error(error)

    def expand(self) -> None:
        super().expand()
        self.reading.setFocus()

    def show_record(self, record: SessionRecord) -> None:
        self.show_folded(open_=record.weight_entered is None or bool(self.reading.text()))
        self.current.setText(f"Recorded: {record.weight_entered} at "
                             f"{clock_time(record.weight_measured_at)}"
                             if record.weight_entered else "Not weighed yet.")


class PreparationSection(FoldingSection):
    def __init__(self, *, sessions: SessionService, actor: Actor, clock: Clock,
                 session_id: int, on_record: Apply, parent: QWidget | None = None) -> None:
        super().__init__("2  Bag preparation", name="preparation", on_record=on_record,
                         parent=parent)
        self._sessions, self._actor, self._id, self._clock = sessions, actor, session_id, clock
        self.vial = Choice(self)
        self.vial.setObjectName("vialChoice")
        for strength in VIAL_STRENGTHS_MG_PER_ML:
            self.vial.addItem(format_quantity(strength, Unit.MG_PER_ML), strength)
        self.vial.setCurrentIndex(-1)
        self.vial.setPlaceholderText("Vial strength")
        self.lot = QLineEdit(self)
        self.lot.setObjectName("lotEdit")
        self.lot.setPlaceholderText("Lot")
        self.lot.setMaxLength(40)
        self.expiry = DateField(self, blank_text="Expiry")
        self.expiry.setObjectName("expiryEdit")
        self.drawn = QuantityField(unit=Unit.MG, field="drawn_mg", label="mg drawn", width=100,
                                   parent=self)
        self.diluent = Choice(self)
        self.diluent.setObjectName("diluentChoice")
        self.diluent.addItems(DILUENTS)
        self.bag = QuantityField(unit=Unit.ML, field="bag_volume_ml", label="Bag volume",
                                 width=100, parent=self)
        self.final = QLabel(self)
        self.final.setObjectName("conversion")
        self.save_button = QPushButton("Save preparation", self)
        self.save_button.setObjectName("savePreparationButton")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.current = QLabel(self)
        self.current.setObjectName("recordedValue")
        self.current.setWordWrap(True)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.addWidget(caption("Vial", self), 0, 0)
        grid.addWidget(self.vial, 0, 1)
        grid.addWidget(caption("Lot", self), 0, 2)
        grid.addWidget(self.lot, 0, 3)
        grid.addWidget(caption("Expiry", self), 0, 4)
        grid.addWidget(self.expiry, 0, 5)
        grid.addWidget(caption("Drawn", self), 1, 0)
        grid.addWidget(self.drawn, 1, 1)
        grid.addWidget(caption("Diluent", self), 1, 2)
        grid.addWidget(self.diluent, 1, 3)
        grid.addWidget(caption("Bag", self), 1, 4)
        grid.addWidget(self.bag, 1, 5)
        grid.setColumnStretch(6, 1)
        self.editor = QWidget(self)
        editor = QVBoxLayout(self.editor)
        editor.setContentsMargins(0, 0, 0, 0)
        editor.addLayout(grid)
        row = QHBoxLayout()
        row.addWidget(self.final, 1)
        row.addWidget(self.save_button)
        editor.addLayout(row)
        self.fold_in("changePreparationButton")
        for signal in (self.drawn.edited, self.bag.edited, self.vial.currentIndexChanged):
            signal.connect(self._show_final)

    def fields(self) -> Mapping[str, QWidget]:
        return {"vial_mg_per_ml": self.vial, "lot": self.lot, "expiry": self.expiry,
                "drawn_mg": self.drawn, "diluent": self.diluent, "bag_volume_ml": self.bag}

    def preparation(self) -> Preparation:
        strength = self.vial.currentData()
        if strength is None:
            raise ValidationError("Choose the vial strength printed on the vial.",
                                  field="vial_mg_per_ml")
        expiry = self.expiry.value()
        if expiry is None:
            raise ValidationError("Enter the expiry date printed on the vial.", field="expiry")
        return Preparation(vial_mg_per_ml=Decimal(strength), lot=self.lot.text(),
                           expiry=expiry, drawn_mg=self.drawn.quantity(),
                           diluent=self.diluent.currentText(),
                           bag_volume_ml=self.bag.quantity())

    def _show_final(self) -> None:
        try:
            drawn, bag = self.drawn.quantity(), self.bag.quantity()
        except ValidationError:
            self.final.setText("Final concentration: enter mg drawn and the bag volume.")
            return
        prep = Preparation(Decimal(self.vial.currentData() or 1), "", self.expiry.value()
                           or self._clock.now().date(), drawn, "", bag)
        final = format_quantity(prep.concentration_mg_per_ml, Unit.MG_PER_ML)
        text = f"Final concentration: {final}"
        if self.vial.currentData() is not None:
            text += f"  (draw {format_quantity(prep.drawn_ml, Unit.ML)} of the vial)"
        self.final.setText(text)

    def save(self) -> None:
        if self.act(lambda: self._sessions.record_preparation(self._actor, self._id,
                                                              self.preparation())):
            self.lot.clear()
            self.expiry.clear_value()
            self.drawn.edit.clear()
            self.bag.edit.clear()
            self.vial.setCurrentIndex(-1)
            self.editor.hide()
            self.change_button.show()

    def show_record(self, record: SessionRecord) -> None:
        prep = record.preparation
        typed = self.lot.text() or self.drawn.text() or self.bag.text()
        self.show_folded(open_=prep is None or bool(typed))
        if prep is None:
            self.current.setText("Not prepared yet.")
            return
        self.current.setText(
            f"Recorded: {format_quantity(prep.drawn_mg, Unit.MG)} from "
            f"{format_quantity(prep.vial_mg_per_ml, Unit.MG_PER_ML)} vial (lot {prep.lot}, "
            f"exp {prep.expiry:%d %b %Y}) in {format_quantity(prep.bag_volume_ml, Unit.ML)} "
            f"{prep.diluent} = {format_quantity(prep.concentration_mg_per_ml, Unit.MG_PER_ML)}"
            f" — prepared by {record.prepared_by}")


class FindingBox(QFrame):
    """A soft finding with its reason box (amber), or a hard one that refuses (red)."""

    def __init__(self, text: str, *, hard: bool, key: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        severity = "hard" if hard else "soft"
        self.setObjectName("finding")
        self.setProperty("severity", severity)
        title = QLabel("NOT ALLOWED — hard limit: call the clinician" if hard
                       else "Soft limit — give a reason to go on", self)
        title.setObjectName("findingTitle")
        title.setProperty("severity", severity)
        self.text = QLabel(text, self)
        self.text.setObjectName("findingText")
        self.text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 10)
        layout.addWidget(title)
        layout.addWidget(self.text)
        self.reason: QLineEdit | None = None
        if not hard:
            self.reason = QLineEdit(self)
            self.reason.setObjectName(f"reason-{key}")
            self.reason.setMaxLength(500)
            self.reason.setPlaceholderText("Reason (kept with the record)")
            layout.addWidget(self.reason)


class ProgramSection(Section):
    """The pump program in large tiles; soft findings ask for reasons, hard ones refuse."""

    def __init__(self, *, sessions: SessionService, actor: Actor, session_id: int,
                 on_record: Apply, parent: QWidget | None = None) -> None:
        super().__init__("3  Program pump", name="program", on_record=on_record, parent=parent)
        self._sessions, self._actor, self._id = sessions, actor, session_id
        self.tiles = {
            "weight": FigureTile("Weight used", name="weightUsedTile"),
            "dose": FigureTile("Dose per kg", name="dosePerKgTile"),
            "mg_h": FigureTile("Dose rate", name="mgPerHourTile"),
            "ml_h": FigureTile("PUMP RATE", name="pumpRateTile", emphasis=True),
            "vtbi": FigureTile("VTBI", name="vtbiTile"),
            "duration": FigureTile("Duration", name="durationTile"),
        }
        grid = QGridLayout()
        grid.setSpacing(8)
        for index, tile in enumerate(self.tiles.values()):
            grid.addWidget(tile, index // 3, index % 3)
        self.findings: dict[str, FindingBox] = {}
        self.findings_box = QVBoxLayout()
        self.soft_note = caption("", self)
        self.program_button = QPushButton("Program pump", self)
        self.program_button.setObjectName("programPumpButton")
        self.program_button.setAutoDefault(False)
        self.program_button.clicked.connect(self.program)
        self.body.addLayout(grid)
        self.body.addWidget(self.soft_note)
        self.body.addLayout(self.findings_box)
        self.body.addWidget(self.program_button, 0, Qt.AlignmentFlag.AlignRight)
        self.finish()

    def reasons(self) -> dict[str, str]:
        return {key: box.reason.text() for key, box in self.findings.items()
                if box.reason is not None}

    def program(self) -> None:
        for key in [k for k, box in self.findings.items() if box.reason is None]:
            self.findings.pop(key).deleteLater()
        if self.act(lambda: self._sessions.program_pump(self._actor, self._id,
                                                        self.reasons())):
            for box in self.findings.values():
                box.deleteLater()
            self.findings.clear()

    def show_error(self, error: UserFacingError) -> None:
        if isinstance(error, ReasonRequired) and error.field:
            box = self.findings.get(error.field)
            if box is None:
                box = FindingBox(error.message, hard=False, key=error.field, parent=self)
                self.findings[error.field] = box
                self.findings_box.addWidget(box)
            box.text.setText(error.message)
            if box.reason is not None:
                box.reason.setFocus()
            return
        if isinstance(error, LimitExceeded):
            box = FindingBox(error.message, hard=True, parent=self)
            self.findings["hard"] = box
            self.findings_box.addWidget(box)
            return
        super().show_error(error)

    def set_hidden_figures(self, hidden: bool, record: SessionRecord) -> None:
        if hidden:
            for tile in self.tiles.values():
                tile.set_value("hidden", "during the double check")
        else:
            self.show_record(record)

    def show_record(self, record: SessionRecord) -> None:
        program = record.program
        self.program_button.setText("Program pump again" if program else "Program pump")
        if program is None:
            for tile in self.tiles.values():
                tile.set_value(None)
            self.soft_note.setText("Weigh and prepare first; then program the pump.")
            return
        self.tiles["weight"].set_value(format_quantity(program.weight_kg, Unit.KG),
                                       "measured today")
        self.tiles["dose"].set_value(format_quantity(program.rate_mg_per_kg_h,
                                                     Unit.MG_PER_KG_H))
        self.tiles["mg_h"].set_value(format_quantity(program.mg_per_h, Unit.MG_PER_H),
                                     f"total {format_quantity(program.total_mg, Unit.MG)}")
        self.tiles["ml_h"].set_value(format_quantity(program.ml_per_h, Unit.ML_PER_H),
                                     format_quantity(program.concentration_mg_per_ml,
                                                     Unit.MG_PER_ML))
        self.tiles["vtbi"].set_value(format_quantity(program.volume_ml, Unit.ML))
        self.tiles["duration"].set_value(format_quantity(program.duration_minutes,
                                                         Unit.MINUTES))
        self.soft_note.setText("Soft limits passed with reasons: " + "; ".join(
            f"{k}: {v}" for k, v in program.soft_reasons.items())
            if program.soft_reasons else "Set the pump to these figures.")


class DoubleCheckSection(Section):
    """Status of the independent double check; the check itself is done on a blind page."""

    begin = Signal()

    def __init__(self, *, on_record: Apply, parent: QWidget | None = None) -> None:
        super().__init__("4  Independent double check", name="doubleCheck",
                         on_record=on_record, parent=parent)
        self.status = QLabel(self)
        self.status.setObjectName("checkStatus")
        self.status.setWordWrap(True)
        self.mismatches = QLabel(self)
        self.mismatches.setObjectName("mismatchList")
        self.mismatches.setWordWrap(True)
        self.mismatches.hide()
        self.begin_button = QPushButton("Second person: check blind…", self)
        self.begin_button.setObjectName("beginDoubleCheckButton")
        self.begin_button.setAutoDefault(False)
        self.begin_button.clicked.connect(self.begin)
        self.body.addWidget(self.status)
        self.body.addWidget(self.mismatches)
        self.body.addWidget(self.begin_button, 0, Qt.AlignmentFlag.AlignRight)
        self.finish()

    def show_record(self, record: SessionRecord) -> None:
        self.begin_button.setEnabled(record.program is not None)
        next_step = record.program is not None and not record.checked_by
        self.begin_button.setProperty("role", "primary" if next_step else "")
        self.begin_button.style().unpolish(self.begin_button)
        self.begin_button.style().polish(self.begin_button)
        last = record.double_checks[-1] if record.double_checks else None
        if record.checked_by:
            self.status.setText(f"✓ Matched: checked by {record.checked_by} at "
                                f"{clock_time(record.checked_at)}.")
            self.status.setProperty("kind", "ok")
        elif record.program is None:
            self.status.setText("After the pump is programmed, a second nurse or clinician "
                                "re-enters weight, concentration and rate without seeing them.")
            self.status.setProperty("kind", "")
        else:
            self.status.setText("Needed: a second person must re-enter the figures.")
            self.status.setProperty("kind", "needed")
        if last is not None and not last.matched and not record.checked_by:
            self.mismatches.setText(
                f"✗ MISMATCH ({last.checker_name}, {clock_time(last.at)}) — check the pump, "
                "bag label and scale, then check again:\n• " + "\n• ".join(last.mismatches))
            self.mismatches.show()
        else:
            self.mismatches.hide()
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)


class BlindCheckPanel(Section):
    """The second person signs in and types what they read; the program is not on screen."""

    done = Signal()
    cancelled = Signal()

    def __init__(self, *, sessions: SessionService, session_id: int, on_record: Apply,
                 parent: QWidget | None = None) -> None:
        super().__init__("Independent double check — the program is hidden",
                         name="blindCheck", on_record=on_record, parent=parent)
        self.setObjectName("blindCheck")
        self._sessions, self._id = sessions, session_id
        self.body.addWidget(caption(
            "Second person: read the scale, the bag label and the pump display yourself and "
            "type what you see. The console compares them with the program.", self))
        self.username = QLineEdit(self)
        self.username.setObjectName("checkerUsername")
        self.username.setPlaceholderText("Your user name")
        self.password = password_field("Your password", self)
        self.password.setObjectName("checkerPassword")
        self.weight = QuantityField(unit=Unit.KG, field="weight_kg", label="Weight",
                                    parent=self)
        self.concentration = QuantityField(unit=Unit.MG_PER_ML, field="concentration_mg_per_ml",
                                           label="Bag concentration", parent=self)
        self.rate = QuantityField(unit=Unit.ML_PER_H, field="rate_ml_per_h",
                                  label="Pump rate", parent=self)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        for row, (text, widget) in enumerate((
                ("User name", self.username), ("Password", self.password),
                ("Weight on the scale", self.weight),
                ("Concentration on the bag label", self.concentration),
                ("Rate on the pump", self.rate))):
            grid.addWidget(QLabel(text, self), row, 0)
            grid.addWidget(widget, row, 1)
        grid.setColumnStretch(2, 1)
        self.body.addLayout(grid)
        self.compare_button = QPushButton("Compare and record", self)
        self.compare_button.setObjectName("compareButton")
        self.compare_button.setProperty("role", "primary")
        self.compare_button.setAutoDefault(False)
        self.compare_button.clicked.connect(self.compare)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel)
        row_buttons = QHBoxLayout()
        row_buttons.addStretch(1)
        row_buttons.addWidget(self.cancel_button)
        row_buttons.addWidget(self.compare_button)
        self.body.addLayout(row_buttons)
        self.finish()
        for edit in (self.username, self.password, self.weight.edit, self.concentration.edit,
                     self.rate.edit):
            edit.returnPressed.connect(self.compare)

    def fields(self) -> Mapping[str, QWidget]:
        return {"weight_kg": self.weight, "concentration_mg_per_ml": self.concentration,
                "rate_ml_per_h": self.rate, "username": self.username,
                "password": self.password}

    def clear(self) -> None:
        for edit in (self.username, self.password, self.weight.edit, self.concentration.edit,
                     self.rate.edit):
            edit.clear()
        self.message.clear_message()

    def compare(self) -> None:
        def call() -> SessionRecord:
            entry = DoubleCheckEntry(weight_kg=self.weight.quantity(),
                                     concentration_mg_per_ml=self.concentration.quantity(),
                                     rate_ml_per_h=self.rate.quantity())
            return self._sessions.double_check(
                self._id, checker_username=self.username.text().strip(),
                checker_password=self.password.text(), entry=entry)
        if self.act(call):
            self.clear()
            self.done.emit()
        else:
            self.password.clear()

    def cancel(self) -> None:
        self.clear()
        self.cancelled.emit()


class ChecklistPanel(Section):
    """The pre-start checks, reasons for warnings, the clinician's BP override, and Start.

    The BP override is given on the spot, on whoever's screen this is: the clinician types
    their user name and password here (a nurse's screen stays the nurse's), and the service
    checks the role, the password and the reason.
    """

    def __init__(self, *, sessions: SessionService, auth: AuthService, actor: Actor,
                 clock: Clock, session_id: int, on_record: Apply,
                 parent: QWidget | None = None) -> None:
        super().__init__("Before the start", name="checklist", on_record=on_record,
                         parent=parent)
        self.setObjectName("checklistPanel")
        self._sessions, self._actor, self._id, self._clock = sessions, actor, session_id, clock
        self._auth = auth
        holder = QWidget(self)
        self.rows = QVBoxLayout(holder)
        self.rows.setContentsMargins(0, 0, 4, 0)
        self.rows.setSpacing(6)
        self.rows_scroll = QScrollArea(self)
        self.rows_scroll.setObjectName("checklistScroll")
        self.rows_scroll.setWidget(holder)
        self.rows_scroll.setWidgetResizable(True)
        self.rows_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.rows_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body.addWidget(self.rows_scroll, 1)
        self.check_labels: dict[str, QLabel] = {}
        self.warning_reasons: dict[str, QLineEdit] = {}
        self.override_box = QFrame(self)
        self.override_box.setObjectName("overrideBox")
        box = QVBoxLayout(self.override_box)
        box.setContentsMargins(0, 4, 0, 4)
        self.override_note = caption("", self.override_box)
        self.override_user = QLineEdit(self.override_box)
        self.override_user.setObjectName("overrideUsername")
        self.override_user.setPlaceholderText("Clinician's user name")
        self.override_user.setMaxLength(32)
        if actor.role is Role.CLINICIAN:
            self.override_user.setText(actor.username)
        self.override_reason = QLineEdit(self.override_box)
        self.override_reason.setObjectName("overrideReason")
        self.override_reason.setPlaceholderText("Clinician's reason to start despite the BP")
        self.override_password = password_field("Clinician's password", self.override_box)
        self.override_password.setObjectName("overridePassword")
        self.override_button = QPushButton("Override BP gate", self.override_box)
        self.override_button.setObjectName("overrideButton")
        self.override_button.setProperty("role", "danger")
        self.override_button.setAutoDefault(False)
        self.override_button.clicked.connect(self.override)
        box.addWidget(self.override_note)
        box.addWidget(self.override_user)
        box.addWidget(self.override_password)
        box.addWidget(self.override_reason)
        box.addWidget(self.override_button)
        self.body.addWidget(self.override_box)
        self.blocked = QLabel(self)
        self.blocked.setObjectName("startHint")
        self.blocked.setWordWrap(True)
        self.at_edit = time_edit(self)
        self.start_button = QPushButton("START INFUSION", self)
        self.start_button.setObjectName("startButton")
        self.start_button.setAutoDefault(False)
        self.start_button.clicked.connect(self.start)
        self.body.addWidget(self.blocked)
        start_row = QHBoxLayout()
        start_row.addWidget(QLabel("Started at", self))
        start_row.addWidget(self.at_edit)
        start_row.addStretch(1)
        self.body.addLayout(start_row)
        self.body.addWidget(self.start_button)
        self.finish()
        for edit in (self.override_user, self.override_password, self.override_reason):
            edit.returnPressed.connect(self.override)

    def fields(self) -> Mapping[str, QWidget]:
        return {**self.warning_reasons, "at": self.at_edit, "reason": self.override_reason,
                "username": self.override_user, "password": self.override_password}

    def show_record(self, record: SessionRecord) -> None:
        while self.rows.count():
            item = self.rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        typed = {k: e.text() for k, e in self.warning_reasons.items()}
        self.check_labels.clear()
        self.warning_reasons.clear()
        override = None
        for check in record.readiness.checks:
            label = QLabel(f"{SYMBOLS[check.status]}  <b>{check.title}</b><br>"
                           f"<span style='font-size:13px'>{check.detail}</span>", self)
            label.setObjectName("checkRow")
            label.setProperty("status", check.status.value)
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            self.rows.addWidget(label)
            self.check_labels[check.key] = label
            if check.status is CheckStatus.WARNING:
                reason = QLineEdit(typed.get(check.key, ""), self)
                reason.setObjectName(f"startReason-{check.key}")
                reason.setPlaceholderText("Reason to start despite this warning")
                reason.setMaxLength(500)
                self.rows.addWidget(reason)
                self.warning_reasons[check.key] = reason
            if check.blocks and check.clinician_override:
                override = check
        self.override_box.setVisible(override is not None)
        if override is not None:
            self.override_note.setText(
                "Only a clinician can override this gate: the clinician enters their user "
                "name, password and the reason here.")
        blocking = record.readiness.blocking
        self.start_button.setEnabled(not blocking)
        self.blocked.setText("Still needed: " + ", ".join(c.title.lower() for c in blocking)
                             + "." if blocking else
                             "All checks done. Start the pump, then press Start.")
        self.blocked.setProperty("kind", "blocked" if blocking else "ready")
        self.blocked.style().unpolish(self.blocked)
        self.blocked.style().polish(self.blocked)

    def status_of(self, key: str) -> str:
        return str(self.check_labels[key].property("status"))

    def start(self) -> None:
        reasons = {k: e.text() for k, e in self.warning_reasons.items()}
        self.act(lambda: self._sessions.start(
            self._actor, self._id, at=parse_event_time(self.at_edit.text(), self._clock.now()),
            reasons=reasons))

    def override(self) -> None:
        """The clinician is identified by their own user name and password; the service then
        checks that they are a clinician, their password again, and the reason."""
        def call() -> SessionRecord:
            password = self.override_password.text()
            clinician = self._auth.sign_in(self.override_user.text().strip(), password)
            return self._sessions.override_check(
                clinician, self._id, check="bp_gate", reason=self.override_reason.text(),
                password=password)
        done = self.act(call)
        self.override_password.clear()
        if done:
            self.override_reason.clear()
            if self._actor.role is not Role.CLINICIAN:
                self.override_user.clear()


class CancelSection(Section):
    """Cancel the session before the start (the patient left, the dose is not given…): a
    reason is required and kept with the record.

    Signals:
        cancelled(): the service recorded the cancellation.
    """

    cancelled = Signal()

    def __init__(self, *, sessions: SessionService, actor: Actor, session_id: int,
                 on_record: Apply, parent: QWidget | None = None) -> None:
        super().__init__("Cancel this session", name="cancel", on_record=on_record,
                         parent=parent)
        self._sessions, self._actor, self._id = sessions, actor, session_id
        self.open_button = QPushButton("Cancel session…", self)
        self.open_button.setObjectName("cancelSessionButton")
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self.expand)
        self.editor = QWidget(self)
        editor = QVBoxLayout(self.editor)
        editor.setContentsMargins(0, 0, 0, 0)
        editor.addWidget(caption("Nothing has been given. The session is closed with your "
                                 "reason and stays in the record; the patient can be checked "
                                 "in again.", self.editor))
        self.reason = QLineEdit(self.editor)
        self.reason.setObjectName("cancelReason")
        self.reason.setPlaceholderText("Reason for cancelling (required)")
        self.reason.setMaxLength(500)
        self.reason.returnPressed.connect(self.confirm)
        self.keep_button = QPushButton("Keep the session", self.editor)
        self.keep_button.setObjectName("keepSessionButton")
        self.keep_button.setAutoDefault(False)
        self.keep_button.clicked.connect(self.collapse)
        self.confirm_button = QPushButton("Cancel the session", self.editor)
        self.confirm_button.setObjectName("confirmCancelButton")
        self.confirm_button.setProperty("role", "danger")
        self.confirm_button.setAutoDefault(False)
        self.confirm_button.clicked.connect(self.confirm)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.confirm_button)
        editor.addWidget(self.reason)
        editor.addLayout(buttons)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.open_button)
        self.body.addLayout(row)
        self.body.addWidget(self.editor)
        self.finish()
        self.collapse()

    def fields(self) -> Mapping[str, QWidget]:
        return {"reason": self.reason}

    def expand(self) -> None:
        self.editor.show()
        self.open_button.hide()
        self.reason.setFocus()

    def collapse(self) -> None:
        self.reason.clear()
        self.message.clear_message()
        mark_invalid(self.reason, False)
        self.editor.hide()
        self.open_button.show()

    def confirm(self) -> None:
        if self.act(lambda: self._sessions.cancel(self._actor, self._id,
                                                  reason=self.reason.text())):
            self.reason.clear()
            self.editor.hide()
            self.cancelled.emit()

    def show_record(self, record: SessionRecord) -> None:
        self.setVisible(record.stage is SessionStage.PREPARING)
