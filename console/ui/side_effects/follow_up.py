"""A follow-up entry between sessions: urinary symptoms, persistent psychiatric effects, liver
test results with their date and values, or anything else; optionally about an earlier effect,
with its outcome as now known."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from console.domain.side_effects import (
    MAX_FOLLOW_UP_TEXT,
    BilirubinUnit,
    FollowUp,
    FollowUpDraft,
    FollowUpKind,
    FollowUpPrompt,
    LiverTests,
    Outcome,
    SideEffect,
    decimal_or_none,
)
from console.errors import ValidationError
from console.ui.admin.dialogs import SubmitDialog
from console.ui.widgets.inputs import Choice, DateField

LIVER_FIELDS = (("alt_u_per_l", "ALT", "U/L"), ("ast_u_per_l", "AST", "U/L"),
                ("alp_u_per_l", "ALP", "U/L"), ("ggt_u_per_l", "GGT", "U/L"),
                ("bilirubin", "Bilirubin", ""))


class FollowUpDialog(SubmitDialog):
    """Add one follow-up entry to the patient (never edited later: a correction is a new
    entry)."""

    def __init__(self, *, today: date, effects: Sequence[SideEffect],
                 submit: Callable[[FollowUpDraft], FollowUp],
                 prompt: FollowUpPrompt | None = None, parent: QWidget | None = None) -> None:
        super().__init__(title="Add follow-up", accept_text="Save follow-up", parent=parent)
        self.setObjectName("followUpDialog")
        self.setMinimumWidth(680)
        self._submit = submit
        self.saved: FollowUp | None = None
        self.set_intro("What was found between sessions. The entry keeps your name and the "
                       "time; it is never edited later (a correction is a new entry).")
        self.kind = Choice()
        self.kind.setObjectName("followUpKind")
        for kind in FollowUpKind:
            self.kind.addItem(kind.label, kind.value)
        self.observed_on = DateField(blank_text="Choose the date")
        self.observed_on.setObjectName("followUpDate")
        self.observed_on.setFixedWidth(220)
        self.observed_on.set_value(today)
        self.date_hint = QLabel("The day it was observed (for liver tests: the day the sample "
                                "was taken).")
        self.date_hint.setObjectName("muted")
        self.date_hint.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setObjectName("followUpText")
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(90)
        self.text.setPlaceholderText("What the patient reports or what was found")

        self.liver_box = QWidget()
        grid = QGridLayout(self.liver_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        self.liver: dict[str, QLineEdit] = {}
        for column, (name, label, unit) in enumerate(LIVER_FIELDS):
            heading = QLabel(f"{label} <span style='color:#9aa5b1'>{unit}</span>")
            heading.setObjectName("vitalLabel")
            edit = QLineEdit()
            edit.setObjectName(f"liver-{name}")
            edit.setAccessibleName(label)
            edit.setMaxLength(10)
            edit.setFixedWidth(96)
            self.liver[name] = edit
            grid.addWidget(heading, 0, column)
            grid.addWidget(edit, 1, column)
        self.bilirubin_unit = Choice()
        self.bilirubin_unit.setObjectName("bilirubinUnit")
        for unit in BilirubinUnit:
            self.bilirubin_unit.addItem(unit.label, unit.value)
        grid.addWidget(self.bilirubin_unit, 1, len(LIVER_FIELDS))
        grid.setColumnStretch(len(LIVER_FIELDS) + 1, 1)

        self.effect = Choice()
        self.effect.setObjectName("followUpEffect")
        self.effect.addItem("No particular effect", None)
        for effect in effects:
            self.effect.addItem(f"{effect.term} — {effect.onset_at.astimezone():%d %b %Y}, "
                                f"grade {effect.grade.value}", effect.id)
        self.outcome = Choice()
        self.outcome.setObjectName("followUpOutcome")
        self.outcome.addItem("Outcome not changed", None)
        for outcome in Outcome:
            self.outcome.addItem(outcome.label, outcome.value)

        self.form.addRow("Kind", self.kind)
        self.form.addRow("Date", self.observed_on)
        self.form.addRow("", self.date_hint)
        self.liver_label = QLabel("Results")
        self.form.addRow(self.liver_label, self.liver_box)
        self.form.addRow("Findings", self.text)
        self.form.addRow("About an earlier effect", self.effect)
        self.outcome_label = QLabel("Its outcome now")
        self.form.addRow(self.outcome_label, self.outcome)
        self.kind.currentIndexChanged.connect(self._kind_chosen)
        self.effect.currentIndexChanged.connect(self._effect_chosen)
        if prompt is not None:
            self.kind.setCurrentIndex(self.kind.findData(prompt.kind.value))
            if prompt.effect_id is not None:
                self.effect.setCurrentIndex(max(0, self.effect.findData(prompt.effect_id)))
        self._kind_chosen()
        self._effect_chosen()
        self.kind.setFocus()

    def _kind_chosen(self) -> None:
        liver = self.kind.currentData() == FollowUpKind.LIVER_TESTS.value
        self.liver_box.setVisible(liver)
        self.liver_label.setVisible(liver)
        self.text.setPlaceholderText("Notes (optional)" if liver else
                                     "What the patient reports or what was found")
        self._make_room()

    def _effect_chosen(self) -> None:
        chosen = self.effect.currentData() is not None
        self.outcome.setVisible(chosen)
        self.outcome_label.setVisible(chosen)
        if not chosen:
            self.outcome.setCurrentIndex(0)

    def choose_kind(self, kind: FollowUpKind) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind.value))

    def fields(self) -> Mapping[str, QWidget]:
        return {"kind": self.kind, "observed_on": self.observed_on, "text": self.text,
                "effect_id": self.effect, "effect_outcome": self.outcome, **self.liver}

    def draft(self) -> FollowUpDraft:
        day = self.observed_on.value()
        if day is None:
            raise ValidationError("Enter the date it was observed.", field="observed_on")
        kind = FollowUpKind(self.kind.currentData())
        liver = None
        if kind is FollowUpKind.LIVER_TESTS:
            value = {name: decimal_or_none(edit.text(), field_name=name)
                     for name, edit in self.liver.items()}
            liver = LiverTests(alt_u_per_l=value["alt_u_per_l"],
                               ast_u_per_l=value["ast_u_per_l"],
                               alp_u_per_l=value["alp_u_per_l"],
                               ggt_u_per_l=value["ggt_u_per_l"], bilirubin=value["bilirubin"],
                               bilirubin_unit=BilirubinUnit(self.bilirubin_unit.currentData()))
        text = self.text.toPlainText()
        if len(text) > MAX_FOLLOW_UP_TEXT:
            raise ValidationError(f"Keep it under {MAX_FOLLOW_UP_TEXT} characters.",
                                  field="text")
        effect_id = self.effect.currentData()
        outcome = self.outcome.currentData()
        return FollowUpDraft(kind, day, text, liver,
                             effect_id if isinstance(effect_id, int) else None,
                             Outcome(outcome) if outcome else None)

    def submit_form(self) -> None:
        self.saved = self._submit(self.draft())
