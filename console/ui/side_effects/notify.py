"""Recording which clinician was told of a severe or serious side effect, and when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.clock import Clock
from console.domain.identity import Actor
from console.domain.side_effects import SideEffect
from console.errors import UserFacingError
from console.services.side_effects import NotifiableClinician, SideEffectService
from console.ui.forms import mark_invalid
from console.ui.messages import InlineMessage
from console.ui.session.common import time_edit
from console.ui.side_effects.text import time_or_now
from console.ui.widgets.inputs import Choice


def notify_reason(effect: SideEffect) -> str:
    why = effect.grade.label.lower()
    if effect.serious:
        why += ", serious"
    return f"{effect.term} is {why}: tell the clinician now, then record who and when."


class NotifyForm(QWidget):
    """"Notify the clinician now": a clinician (from the active clinicians, or a name typed,
    for example the on-call doctor) and the time they were told (blank is now).

    Signals:
        recorded(SideEffect): the notification was saved.
    """

    recorded = Signal(object)

    def __init__(self, *, side_effects: SideEffectService, actor: Actor, clock: Clock,
                 effect: SideEffect, clinicians: Sequence[NotifiableClinician],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notifyForm")
        self._service, self._actor, self._clock = side_effects, actor, clock
        self.effect = effect
        self.title = QLabel("Notify the clinician now", self)
        self.title.setObjectName("notifyTitle")
        self.reason = QLabel(notify_reason(effect), self)
        self.reason.setObjectName("notifyReason")
        self.reason.setWordWrap(True)
        self.clinician = Choice(self)
        self.clinician.setObjectName("notifyClinician")
        self.clinician.setEditable(True)
        self.clinician.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.clinician.setAccessibleName("Clinician told")
        self.clinician.addItem("", None)
        for person in clinicians:
            self.clinician.addItem(person.full_name, person.id)
        self.clinician.setCurrentIndex(0)
        line = self.clinician.lineEdit()
        if line is not None:
            line.setPlaceholderText("Choose, or type the name (e.g. the on-call doctor)")
        self.clinician.setMinimumWidth(340)
        self.at = time_edit(self)
        self.at.setObjectName("notifyTime")
        self.at.setToolTip("Blank for now, or the time the clinician was told (HH:MM).")
        self.message = InlineMessage(self)
        self.record_button = QPushButton("Record notification", self)
        self.record_button.setObjectName("recordNotificationButton")
        self.record_button.setProperty("role", "warning")
        self.record_button.setAutoDefault(False)
        self.record_button.clicked.connect(self.submit)
        if line is not None:
            line.returnPressed.connect(self.submit)
        self.at.returnPressed.connect(self.submit)
        who = QHBoxLayout()
        who.addWidget(QLabel("Clinician told", self))
        who.addWidget(self.clinician, 1)
        who.addSpacing(12)
        who.addWidget(QLabel("at", self))
        who.addWidget(self.at)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.title)
        layout.addWidget(self.reason)
        layout.addLayout(who)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.record_button)
        layout.addLayout(row)

    def choose(self, text: str) -> None:
        """Pick a clinician by name, or type ``text`` as a name."""
        index = self.clinician.findText(text)
        if index >= 0:
            self.clinician.setCurrentIndex(index)
        else:
            self.clinician.setEditText(text)

    def who(self) -> int | str:
        text = self.clinician.currentText().strip()
        index = self.clinician.findText(text, Qt.MatchFlag.MatchFixedString)
        data = self.clinician.itemData(index) if index >= 0 else None
        return data if isinstance(data, int) else text

    def when(self) -> datetime | None:
        return time_or_now(self.at.text(), self._clock.now(), field="notified_at")

    def submit(self) -> None:
        self.message.clear_message()
        for widget in (self.clinician, self.at):
            mark_invalid(widget, False)
        try:
            saved = self._service.record_notification(self._actor, self.effect.id, self.who(),
                                                      at=self.when())
        except UserFacingError as error:
            self.message.show_error(error.message)
            target = {"clinician": self.clinician, "notified_at": self.at}.get(error.field or "")
            if target is not None:
                mark_invalid(target, True)
                target.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.effect = saved
        self.recorded.emit(saved)


class NotifyDialog(QDialog):
    """The notification form on its own (the panel's "Notify…")."""

    def __init__(self, *, side_effects: SideEffectService, actor: Actor, clock: Clock,
                 effect: SideEffect, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notifyDialog")
        self.setWindowTitle(f"Clinician told of {effect.term}")
        self.setModal(True)
        self.setMinimumWidth(620)
        self.saved: SideEffect | None = None
        try:
            clinicians = side_effects.clinicians(actor)
        except UserFacingError:
            clinicians = ()
        self.form = NotifyForm(side_effects=side_effects, actor=actor, clock=clock,
                               effect=effect, clinicians=clinicians, parent=self)
        self.form.recorded.connect(self._recorded)
        cancel = QPushButton("Cancel", self)
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(self.form)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(cancel)
        layout.addLayout(row)
        self.form.clinician.setFocus()

    def _recorded(self, effect: object) -> None:
        if isinstance(effect, SideEffect):
            self.saved = effect
        self.accept()
