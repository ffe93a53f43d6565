"""Following a logged side effect: its outcome and resolution time, and more rescue doses."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.clock import Clock
from console.domain.identity import Actor
from console.domain.side_effects import SideEffect
from console.errors import UserFacingError, ValidationError
from console.services.side_effects import SideEffectService
from console.ui.forms import mark_invalid
from console.ui.messages import InlineMessage
from console.ui.side_effects.outcome import OutcomePicker
from console.ui.side_effects.text import detail_line, headline
from console.ui.side_effects.treatments import TreatmentRows


class UpdateSideEffectDialog(QDialog):
    """Record the outcome (a closing one needs its resolution time, blank meaning now) and add
    rescue doses. Doses are saved one by one: a dose saved leaves the form, so a refusal of a
    later one never makes the nurse enter the first again."""

    def __init__(self, *, side_effects: SideEffectService, actor: Actor, clock: Clock,
                 effect: SideEffect, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("updateSideEffectDialog")
        self.setWindowTitle(f"Update {effect.term}")
        self.setModal(True)
        self.setMinimumWidth(1000)
        self._service, self._actor, self._clock = side_effects, actor, clock
        self.effect = effect
        self.changed = False
        title = QLabel(headline(effect), self)
        title.setObjectName("dialogHeading")
        title.setWordWrap(True)
        detail = QLabel(detail_line(effect), self)
        detail.setObjectName("effectDetail")
        detail.setWordWrap(True)
        self.treatments = TreatmentRows(side_effects.lists(actor).rescue,
                                        given_by=actor.full_name, parent=self)
        self.outcome_picker = OutcomePicker(self)
        self.outcome_picker.show_outcome(effect.outcome, effect.resolved_at)
        self.outcome = self.outcome_picker.outcome
        self.resolved_at = self.outcome_picker.resolved_at
        self.note = QLineEdit(effect.outcome_note, self)
        self.note.setObjectName("outcomeNote")
        self.note.setPlaceholderText("Note on the outcome (optional)")
        self.note.setMaxLength(2000)
        form = QFormLayout()
        form.setVerticalSpacing(12)
        form.addRow("Rescue treatment", self.treatments)
        form.addRow("Outcome", self.outcome_picker)
        form.addRow("", self.note)
        self.message = InlineMessage(self)
        self.save_button = QPushButton("Save", self)
        self.save_button.setObjectName("saveUpdateButton")
        self.save_button.setProperty("role", "primary")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.submit)
        cancel = QPushButton("Close", self)
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self._close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(detail)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.outcome.setFocus()

    def _close(self) -> None:
        if self.changed:
            self.accept()
        else:
            self.reject()

    def submit(self) -> None:
        self.message.clear_message()
        self.treatments.clear_marks()
        for widget in (self.outcome, self.resolved_at, self.note):
            mark_invalid(widget, False)
        try:
            self._save()
        except UserFacingError as error:
            self.message.show_error(error.message)
            if isinstance(error, ValidationError) and self.treatments.mark_for_service(error):
                return
            target = {"outcome": self.outcome, "resolved_at": self.resolved_at,
                      "note": self.note}.get(error.field or "")
            if target is not None:
                mark_invalid(target, True)
                target.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.accept()

    def _save(self) -> None:
        now = self._clock.now()
        for row in list(self.treatments.rows):
            try:
                draft = row.check(self.effect.onset_at, now)
                self.effect = self._service.add_treatment(self._actor, self.effect.id, draft)
            except ValidationError as error:
                self.treatments.mark(row, error)
                raise
            self.changed = True
            self.treatments.remove_row(row)
        outcome = self.outcome_picker.chosen()
        if outcome is None:
            return
        resolved = self.outcome_picker.resolved(now)
        note = self.note.text().strip()
        if (outcome, resolved, note) == (self.effect.outcome, self.effect.resolved_at,
                                         self.effect.outcome_note):
            return
        self.effect = self._service.set_outcome(self._actor, self.effect.id, outcome,
                                                resolved_at=resolved, note=note)
        self.changed = True
