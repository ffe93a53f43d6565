"""Logging a side effect in one step, keyboard first.

Effect, onset, CTCAE grade, serious, relationship, what was done with the infusion, rescue
doses, outcome and notes on one form. Pausing, stopping or lowering the rate for the effect is
done from here through the session service, and the effect is linked to that infusion entry,
so nothing is entered twice. Everything the form holds is first checked by the service without
saving; only then is the infusion acted on and the effect logged. A refusal is shown in place
with the field outlined, and everything typed stays.

A grade 3 or higher, or serious, effect is followed by "Notify the clinician now".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain.clock import Clock
from console.domain.identity import Actor
from console.domain.infusion import PumpState
from console.domain.side_effects import (
    MAX_OTHER_TEXT,
    OTHER_CODE,
    Grade,
    InfusionAction,
    Relationship,
    SideEffect,
    SideEffectDraft,
)
from console.domain.units import Unit, format_quantity
from console.errors import PermissionDenied, UserFacingError, ValidationError
from console.services.session_records import SessionRecord
from console.services.sessions import SessionService
from console.services.side_effects import LinkableEvent, SideEffectLists, SideEffectService
from console.ui.forms import mark_invalid
from console.ui.messages import InlineMessage
from console.ui.session.common import caption, clock_time, time_edit
from console.ui.side_effects.notify import NotifyForm
from console.ui.side_effects.outcome import OutcomePicker
from console.ui.side_effects.text import GRADE_WORDS, time_or_now
from console.ui.side_effects.treatments import TreatmentRows
from console.ui.widgets.inputs import Choice, QuantityField
from console.ui.widgets.tables import vertical_scroll

DO_NOW = "now"
"""The entry picker's item for "do it now from this dialog"."""
ACTIONS_DONE_HERE = (InfusionAction.RATE_REDUCED, InfusionAction.PAUSED, InfusionAction.STOPPED)


def side_effect_reason(term: str) -> str:
    """The reason given to the infusion entry made for the effect."""
    return f"Side effect: {term}"


class LogSideEffectDialog(QDialog):
    """Log one side effect of ``session_id``.

    ``onset`` presets the onset (a point the nurse picked on the chart or timeline).

    Signals:
        record_changed(SessionRecord): the infusion was paused, stopped or slowed from here.
        logged(SideEffect): the effect was saved (and again when its notification is).
    """

    record_changed = Signal(object)
    logged = Signal(object)

    FORM_PAGE, NOTIFY_PAGE = range(2)

    def __init__(self, *, side_effects: SideEffectService, sessions: SessionService,
                 actor: Actor, clock: Clock, session_id: int, onset: datetime | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("logSideEffectDialog")
        self.setWindowTitle("Log side effect")
        self.setModal(True)
        self.setMinimumWidth(1060)
        self._service, self._sessions = side_effects, sessions
        self._actor, self._clock, self._id = actor, clock, session_id
        self.lists: SideEffectLists = side_effects.lists(actor)
        self.record: SessionRecord = sessions.get(actor, session_id)
        self.linkable: tuple[LinkableEvent, ...] = side_effects.linkable_events(actor,
                                                                                session_id)
        self.saved: SideEffect | None = None
        self.done_event: LinkableEvent | None = None
        """An infusion entry made from this dialog whose effect is not saved yet."""
        self.notify_form: NotifyForm | None = None

        self.heading = QLabel(f"Side effect — {self.record.patient.two_identifiers}", self)
        self.heading.setObjectName("dialogHeading")
        self.heading.setWordWrap(True)
        self.message = InlineMessage(self)
        self.save_button = QPushButton("Log side effect", self)
        self.save_button.setObjectName("logSideEffectButton")
        self.save_button.setProperty("role", "primary")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self._build_fields()

        form_page = QWidget(self)
        page = QVBoxLayout(form_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(vertical_scroll(self.form_body, name="logSideEffectScroll"), 1)
        page.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        page.addLayout(buttons)
        self.notify_page = QWidget(self)
        self.notify_layout = QVBoxLayout(self.notify_page)
        self.notify_layout.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(form_page)
        self.pages.addWidget(self.notify_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.pages, 1)

        if onset is not None:
            self.onset.setText(clock_time(onset))
        self._effect_chosen()
        self._action_chosen()
        self.effect.setFocus()

    # ------------------------------------------------------------------ building
    def _build_fields(self) -> None:
        self.form_body = QWidget(self)
        self.form_body.setObjectName("logSideEffectForm")
        outer = QVBoxLayout(self.form_body)
        outer.setContentsMargins(0, 0, 8, 0)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)  # spare height below the form, not between its rows
        form.setVerticalSpacing(12)
        form.setHorizontalSpacing(16)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form = form

        # effect
        self.effect = Choice(self.form_body)
        self.effect.setObjectName("effectTerm")
        self.effect.setAccessibleName("Side effect")
        self.effect.addItem("Choose the effect…", "")
        for term in self.lists.effects.items:
            self.effect.addItem(term.label, term.code)
        self.effect.setFixedWidth(380)
        self.effect.setMaxVisibleItems(len(self.lists.effects.items) + 1)
        self.other_text = QLineEdit(self.form_body)
        self.other_text.setObjectName("otherText")
        self.other_text.setAccessibleName("Describe the effect")
        self.other_text.setPlaceholderText("Describe the effect (required for 'other')")
        self.other_text.setMaxLength(MAX_OTHER_TEXT)
        self.effect.currentIndexChanged.connect(self._effect_chosen)
        effect_row = QHBoxLayout()
        effect_row.addWidget(self.effect)
        effect_row.addWidget(self.other_text, 1)
        effect_row.addStretch(0)
        self._row("Effect", effect_row)

        # onset
        self.onset = time_edit(self.form_body)
        self.onset.setObjectName("onsetTime")
        self.onset.setAccessibleName("Onset")
        self.onset.setToolTip("Blank for now, or the time it began (HH:MM), on this session's "
                              "timeline.")
        onset_row = QHBoxLayout()
        onset_row.setSpacing(12)
        onset_row.addWidget(self.onset)
        onset_hint = caption(
            f"blank = now, or HH:MM · session began {clock_time(self.record.checked_in_at)}",
            self.form_body)
        onset_hint.setWordWrap(False)
        onset_row.addWidget(onset_hint, 1)
        self._row("Onset", onset_row)

        # grade
        self.grade_group = QButtonGroup(self)
        self.grades: dict[Grade, QRadioButton] = {}
        grade_row = QHBoxLayout()
        grade_row.setSpacing(14)
        for grade in Grade:
            button = QRadioButton(f"&{grade.value} {GRADE_WORDS[grade]}", self.form_body)
            button.setObjectName(f"grade{grade.value}")
            button.setToolTip(grade.definition)
            self.grade_group.addButton(button, grade.value)
            self.grades[grade] = button
            grade_row.addWidget(button)
        grade_row.addStretch(1)
        self.grade_definition = caption("Choose the CTCAE grade (Alt+1 … Alt+5).", self.form_body)
        self.grade_definition.setObjectName("gradeDefinition")
        self.grade_group.idToggled.connect(self._grade_chosen)
        grade_box = QVBoxLayout()
        grade_box.setSpacing(2)
        grade_box.addLayout(grade_row)
        grade_box.addWidget(self.grade_definition)
        self._row("CTCAE grade", grade_box)

        # serious
        self.serious_no = QRadioButton("No", self.form_body)
        self.serious_no.setObjectName("seriousNo")
        self.serious_yes = QRadioButton("Yes — serious", self.form_body)
        self.serious_yes.setObjectName("seriousYes")
        self.serious_yes.setToolTip("Life-threatening, needs hospital care, or lasting harm.")
        self.serious_group = QButtonGroup(self)
        self.serious_group.addButton(self.serious_no)
        self.serious_group.addButton(self.serious_yes)
        self.serious_no.setChecked(True)
        self.serious_group.buttonToggled.connect(lambda *_: self._update_save_text())
        serious_row = QHBoxLayout()
        serious_row.setSpacing(24)
        serious_row.addWidget(self.serious_no)
        serious_row.addWidget(self.serious_yes)
        serious_row.addStretch(1)
        self._row("Serious", serious_row)

        # relationship
        self.relationship = Choice(self.form_body)
        self.relationship.setObjectName("relationship")
        self.relationship.setAccessibleName("Relationship to ketamine")
        self.relationship.addItem("Choose…", "")
        for related in Relationship:
            self.relationship.addItem(related.label, related.value)
        self.relationship.setMinimumWidth(200)
        relationship_row = QHBoxLayout()
        relationship_row.addWidget(self.relationship)
        relationship_row.addStretch(1)
        self._row("Related to ketamine", relationship_row)

        # the infusion
        self._row("Infusion", self._build_action())

        # rescue treatment
        self.treatments = TreatmentRows(self.lists.rescue, given_by=self._actor.full_name,
                                        parent=self.form_body)
        self._row("Rescue treatment", self.treatments)

        # outcome
        self.outcome_picker = OutcomePicker(self.form_body)
        self.outcome = self.outcome_picker.outcome
        self.resolved_at = self.outcome_picker.resolved_at
        self._row("Outcome", self.outcome_picker)

        # notes
        self.notes = QPlainTextEdit(self.form_body)
        self.notes.setObjectName("sideEffectNotes")
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText("Notes (optional)")
        self.notes.setFixedHeight(64)
        self._row("Notes", self.notes)

    def _build_action(self) -> QWidget:
        box = QWidget(self.form_body)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        state = self.record.progress.state
        self.action_group = QButtonGroup(self)
        self.action_buttons: dict[InfusionAction, QRadioButton] = {}
        row = QHBoxLayout()
        row.setSpacing(14)
        for action in InfusionAction:
            text = "Not applicable" if action is InfusionAction.NOT_APPLICABLE else action.label
            button = QRadioButton(text, box)
            button.setObjectName(f"action-{action.value}")
            if action is InfusionAction.NOT_APPLICABLE:
                button.setToolTip(action.label)
            self.action_group.addButton(button)
            self.action_buttons[action] = button
            row.addWidget(button)
            button.toggled.connect(self._action_toggled)
        row.addStretch(1)
        column.addLayout(row)
        self.entry = Choice(box)
        self.entry.setObjectName("actionEntry")
        self.entry.setAccessibleName("Infusion entry")
        self.entry.setMinimumWidth(420)
        self.entry.currentIndexChanged.connect(lambda _i: self._entry_chosen())
        self.new_rate = QuantityField(unit=Unit.ML_PER_H, field="rate_ml_per_h",
                                      label="New rate", width=110, parent=box)
        self.new_rate.setObjectName("newRate")
        self.new_rate.edit.setPlaceholderText("new rate")
        entry_row = QHBoxLayout()
        entry_row.addWidget(self.entry)
        entry_row.addWidget(self.new_rate)
        entry_row.addStretch(1)
        column.addLayout(entry_row)
        self.action_hint = caption("", self.form_body)
        self.action_hint.setObjectName("actionHint")
        column.addWidget(self.action_hint)
        default = InfusionAction.NOT_CHANGED if state is PumpState.RUNNING \
            else InfusionAction.NOT_APPLICABLE
        self.action_buttons[default].setChecked(True)
        return box

    def _row(self, text: str, field: QWidget | QHBoxLayout | QVBoxLayout) -> None:
        """A form row whose label sits level with the first line of its field."""
        label = QLabel(text, self.form_body)
        label.setContentsMargins(0, 8, 0, 0)
        self.form.addRow(label, field)

    # ------------------------------------------------------------------ reacting
    def _effect_chosen(self) -> None:
        other = self.effect.currentData() == OTHER_CODE
        self.other_text.setVisible(other)
        if other:
            self.other_text.setFocus()
        self._update_action_hint()

    def _grade_chosen(self, grade_id: int, on: bool) -> None:
        if on:
            grade = Grade(grade_id)
            self.grade_definition.setText(f"Grade {grade.value}: {grade.definition}")
            self._update_save_text()

    def _action_toggled(self, on: bool) -> None:
        if on:
            self._action_chosen()

    def chosen_action(self) -> InfusionAction:
        for action, button in self.action_buttons.items():
            if button.isChecked():
                return action
        return InfusionAction.NOT_CHANGED

    def can_do_now(self, action: InfusionAction) -> bool:
        state = self.record.progress.state
        if self.done_event is not None:
            return False
        if action is InfusionAction.STOPPED:
            return state in {PumpState.RUNNING, PumpState.PAUSED}
        if action in (InfusionAction.PAUSED, InfusionAction.RATE_REDUCED):
            return state is PumpState.RUNNING
        return False

    def _action_chosen(self) -> None:
        action = self.chosen_action()
        self.entry.blockSignals(True)
        self.entry.clear()
        if action in ACTIONS_DONE_HERE:
            if self.can_do_now(action):
                self.entry.addItem({InfusionAction.PAUSED: "Pause the infusion now",
                                    InfusionAction.STOPPED: "Stop the infusion now (early)",
                                    InfusionAction.RATE_REDUCED: "Lower the rate now to"}[action],
                                   DO_NOW)
            for event in self.linkable:
                if event.action is action:
                    linked = len(event.linked_effect_ids)
                    note = f" — linked to {linked} effect{'s' if linked > 1 else ''}" \
                        if linked else ""
                    self.entry.addItem(f"Already done: {event.label}{note}", event.id)
            if self.done_event is not None and self.done_event.action is action:
                self.entry.setCurrentIndex(max(0, self.entry.findData(self.done_event.id)))
        self.entry.blockSignals(False)
        self._entry_chosen()

    def _entry_chosen(self) -> None:
        action = self.chosen_action()
        here = action in ACTIONS_DONE_HERE
        self.entry.setVisible(here and self.entry.count() > 0)
        self.new_rate.setVisible(here and self.entry.currentData() == DO_NOW
                                 and action is InfusionAction.RATE_REDUCED)
        self._update_action_hint()
        self._update_save_text()

    def _update_action_hint(self) -> None:
        if not hasattr(self, "action_hint"):
            return
        action = self.chosen_action()
        rate = self.record.progress.rate_ml_per_h
        state = self.record.progress.state
        text = ""
        if action in ACTIONS_DONE_HERE:
            if self.entry.count() == 0:
                text = (f"Nothing to link: the infusion is {state.value} and no such entry is "
                        "on the timeline.")
            elif self.entry.currentData() == DO_NOW:
                reason = side_effect_reason(self.term_text() or "…")
                text = {InfusionAction.PAUSED: f"Logging pauses the infusion now, with the "
                                               f"reason '{reason}'.",
                        InfusionAction.STOPPED: f"Logging stops the infusion now (stopped early),"
                                                f" with the reason '{reason}'.",
                        InfusionAction.RATE_REDUCED:
                            f"Logging changes the pump rate now from "
                            f"{format_quantity(rate, Unit.ML_PER_H)} to the new rate, with the "
                            f"reason '{reason}'."}[action]
            else:
                text = "The effect is linked to that entry of the timeline (not entered again)."
        elif action is InfusionAction.NOT_APPLICABLE:
            text = "For an onset while no infusion ran: before the start, during a pause, or " \
                   "in recovery."
        self.action_hint.setText(text)
        self.action_hint.setVisible(bool(text))

    def _update_save_text(self) -> None:
        action = self.chosen_action()
        now = self.entry.currentData() == DO_NOW and action in ACTIONS_DONE_HERE
        text = {InfusionAction.PAUSED: "Pause and log", InfusionAction.STOPPED: "Stop and log",
                InfusionAction.RATE_REDUCED: "Lower rate and log"}.get(action, "")
        self.save_button.setText(text if now and text else "Log side effect")

    # ------------------------------------------------------------------ reading the form
    def term_text(self) -> str:
        code = str(self.effect.currentData() or "")
        if code == OTHER_CODE:
            return " ".join(self.other_text.text().split())
        term = self.lists.effects.find(code)
        return "" if term is None else term.label

    def fields(self) -> Mapping[str, QWidget]:
        return {"term_code": self.effect, "other_text": self.other_text,
                "onset_at": self.onset, "grade": self.grades[Grade.MILD],
                "serious": self.serious_yes, "relationship": self.relationship,
                "action": self.action_buttons[self.chosen_action()], "linked_event_id": self.entry,
                "rate_ml_per_h": self.new_rate.input, "outcome": self.outcome,
                "resolved_at": self.resolved_at, "notes": self.notes, "reason": self.entry,
                "at": self.onset}

    def draft(self, now: datetime, linked_event_id: int | None = None) -> SideEffectDraft:
        # Blank is the moment the nurse pressed save: an infusion entry made for the effect
        # right after is then never before its onset.
        onset = time_or_now(self.onset.text(), now, field="onset_at") or now
        resolved = self.outcome_picker.resolved(now)
        grade = self.grade_group.checkedId()
        if grade < 1:
            raise ValidationError("Choose the CTCAE grade, 1 (mild) to 5 (death).",
                                  field="grade")
        treatments = self.treatments.checked(onset, now)
        return SideEffectDraft(
            term_code=str(self.effect.currentData() or ""), grade=grade,
            serious=self.serious_yes.isChecked(),
            relationship=str(self.relationship.currentData() or ""),
            action=self.chosen_action(), onset_at=onset,
            other_text=self.other_text.text() if self.effect.currentData() == OTHER_CODE
            else "",
            linked_event_id=linked_event_id, treatments=treatments,
            outcome=self.outcome_picker.chosen(), resolved_at=resolved,
            notes=self.notes.toPlainText())

    # ------------------------------------------------------------------ saving
    def submit(self) -> None:
        self.message.clear_message()
        self.new_rate.clear_error()
        for widget in self.fields().values():
            mark_invalid(widget, False)
        for button in self.grades.values():
            mark_invalid(button, False)
        self.treatments.clear_marks()
        if self.effect.currentData() == "":
            self.show_error(ValidationError("Choose the effect from the list (or 'Other' and "
                                            "describe it).", field="term_code"))
            return
        try:
            self._save()
        except UserFacingError as error:
            self.show_error(error)

    def _save(self) -> None:
        action = self.chosen_action()
        now = self._clock.now()
        entry = self.entry.currentData() if action in ACTIONS_DONE_HERE else None
        if action in ACTIONS_DONE_HERE and entry is None:
            raise ValidationError(
                f"There is no infusion entry to link for '{action.label.lower()}'. Choose "
                "what was done with the infusion.", field="action")
        draft = self.draft(now, linked_event_id=entry if isinstance(entry, int) else None)
        # Everything but the link is checked before the infusion is touched.
        self._service.check_draft(self._actor, self._id, draft)
        if entry == DO_NOW:
            event = self._act_on_infusion(action)
            draft = replace(draft, linked_event_id=event.id)
        try:
            effect = self._service.log(self._actor, self._id, draft)
        except UserFacingError as error:
            if self.done_event is not None:
                raise type(error)(
                    f"The infusion was {self.done_event.kind.label.lower()} at "
                    f"{clock_time(self.done_event.at)} (on the timeline); the side effect is "
                    f"not saved yet. {error.message}", field=error.field) from None
            raise
        self.done_event = None
        self.saved = effect
        self.logged.emit(effect)
        if effect.needs_notification and effect.notification is None:
            self.ask_notification(effect)
        else:
            self.accept()

    def _act_on_infusion(self, action: InfusionAction) -> LinkableEvent:
        """Pause, stop early or lower the rate now; the new entry of the timeline."""
        reason = side_effect_reason(self.term_text())
        before = {event.id for event in self.linkable}
        if action is InfusionAction.PAUSED:
            record = self._sessions.pause(self._actor, self._id, reason=reason)
        elif action is InfusionAction.STOPPED:
            record = self._sessions.stop(self._actor, self._id, completed=False, reason=reason)
        else:
            try:
                record = self._sessions.change_rate(self._actor, self._id, self.new_rate.text(),
                                                    reason=reason)
            except PermissionDenied as error:
                raise ValidationError(
                    f"{error.message} Nothing was saved. A rate outside the titration range "
                    "needs the clinician at the Infusion actions; then log the effect here and "
                    "choose that entry.", field="rate_ml_per_h") from None
        self.record = record
        self.record_changed.emit(record)
        self.linkable = self._service.linkable_events(self._actor, self._id)
        made = next((e for e in self.linkable if e.id not in before and e.action is action),
                    None)
        if made is None:
            raise ValidationError("The infusion entry was recorded but is not one that can be "
                                  "linked (the rate was not lowered). Choose what was done "
                                  "with the infusion.", field="action")
        self.done_event = made
        self._action_chosen()
        return made

    def show_error(self, error: UserFacingError) -> None:
        self.message.show_error(error.message)
        if error.field == "rate_ml_per_h":
            mark_invalid(self.new_rate.input, True)
            self.new_rate.focus()
            return
        if isinstance(error, ValidationError) and self.treatments.mark_for_service(error):
            return
        if error.field == "grade":
            for button in self.grades.values():
                mark_invalid(button, True)
            self.grades[Grade.MILD].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        widget = self.fields().get(error.field or "")
        if widget is not None:
            mark_invalid(widget, True)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ notification
    def ask_notification(self, effect: SideEffect) -> None:
        """The second page: "Notify the clinician now"."""
        try:
            clinicians = self._service.clinicians(self._actor)
        except UserFacingError:
            clinicians = ()
        self.notify_form = NotifyForm(side_effects=self._service, actor=self._actor,
                                      clock=self._clock, effect=effect, clinicians=clinicians,
                                      parent=self.notify_page)
        self.notify_form.recorded.connect(self._notified)
        saved = QLabel(f"Logged: {effect.summary}.", self.notify_page)
        saved.setObjectName("savedSummary")
        saved.setWordWrap(True)
        frame = QFrame(self.notify_page)
        frame.setObjectName("notifyCard")
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(18, 14, 18, 14)
        inner.addWidget(self.notify_form)
        self.later_button = QPushButton("Later — leave it flagged", self.notify_page)
        self.later_button.setObjectName("notifyLaterButton")
        self.later_button.setAutoDefault(False)
        self.later_button.setToolTip("The effect stays marked 'needs clinician notification' "
                                     "and the record cannot be signed until it is recorded.")
        self.later_button.clicked.connect(self.accept)
        self.save_button.setDefault(False)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.later_button)
        self.notify_layout.addWidget(saved)
        self.notify_layout.addWidget(frame)
        self.notify_layout.addStretch(1)
        self.notify_layout.addLayout(row)
        self.setWindowTitle("Notify the clinician now")
        self.pages.setCurrentIndex(self.NOTIFY_PAGE)
        self.notify_form.clinician.setFocus()

    def _notified(self, effect: object) -> None:
        if isinstance(effect, SideEffect):
            self.saved = effect
            self.logged.emit(effect)
        self.accept()

    @property
    def asking_notification(self) -> bool:
        return self.pages.currentIndex() == self.NOTIFY_PAGE
