"""The session screen's side-effect card: open effects first and prominent, closed ones greyed
below, and the one-step log.

Open effects stay here until an outcome closes them; one that needs its clinician
notification is amber until that is recorded. ``effects_changed`` carries the session's whole
list each time it changes, for the chart's markers and the timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from console.domain.clock import Clock
from console.domain.identity import Actor
from console.domain.side_effects import SideEffect
from console.errors import UserFacingError
from console.services.session_records import SessionRecord, SessionStage
from console.services.sessions import SessionService
from console.services.side_effects import SideEffectService
from console.ui.session.common import Section, set_kind
from console.ui.side_effects.log_dialog import LogSideEffectDialog
from console.ui.side_effects.notify import NotifyDialog
from console.ui.side_effects.text import detail_line, headline, time_open
from console.ui.side_effects.update_dialog import UpdateSideEffectDialog
from console.ui.widgets.dialog_host import DialogHost

LOGGING_STAGES = frozenset({SessionStage.RUNNING, SessionStage.PAUSED, SessionStage.RECOVERY,
                            SessionStage.AWAITING_SIGNATURE})
NOTIFY_FLAG = "NEEDS CLINICIAN NOTIFICATION"


class EffectRow(QFrame):
    """One logged effect: what, grade, onset and time open; Update… and Notify… while the
    record is open."""

    def __init__(self, effect: SideEffect, *, editable: bool,
                 on_update: Callable[[SideEffect], None],
                 on_notify: Callable[[SideEffect], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("effectRow")
        self.effect = effect
        state = "notify" if effect.notification_pending else \
            "open" if effect.is_open else "closed"
        self.setProperty("state", state)
        self.headline = QLabel(headline(effect), self)
        self.headline.setObjectName("effectHeadline")
        self.headline.setWordWrap(True)
        self.age = QLabel(self)
        self.age.setObjectName("effectAge")
        self.detail = QLabel(detail_line(effect), self)
        self.detail.setObjectName("effectDetail")
        self.detail.setWordWrap(True)
        self.flag = QLabel(f"⚠ {NOTIFY_FLAG}", self)
        self.flag.setObjectName("notifyFlag")
        self.flag.setVisible(effect.notification_pending)
        for label in (self.headline, self.age, self.detail):
            label.setProperty("state", "closed" if state == "closed" else "open")
        self.update_button = QPushButton("Update…", self)
        self.update_button.setObjectName("updateEffectButton")
        self.update_button.setAutoDefault(False)
        self.update_button.setToolTip("Outcome and resolution time, or another rescue dose")
        self.update_button.clicked.connect(lambda: on_update(self.effect))
        self.notify_button = QPushButton("Notify…", self)
        self.notify_button.setObjectName("notifyEffectButton")
        self.notify_button.setAutoDefault(False)
        self.notify_button.setToolTip("Record which clinician was told, and when")
        self.notify_button.clicked.connect(lambda: on_notify(self.effect))
        closed = state == "closed"
        self.update_button.setVisible(editable)
        self.notify_button.setVisible(editable and effect.notification_pending)
        self.detail.setVisible(not closed)
        self.setToolTip(detail_line(effect))
        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.headline, 1)
        top.addWidget(self.age, 0, Qt.AlignmentFlag.AlignTop)
        lower = QHBoxLayout()
        lower.setSpacing(8)
        lower.addWidget(self.detail, 1)
        lower.addWidget(self.notify_button, 0, Qt.AlignmentFlag.AlignBottom)
        if closed:
            top.addWidget(self.update_button)
        else:
            lower.addWidget(self.update_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 10, 8)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.flag, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(lower)

    def show_age(self, now: datetime) -> None:
        self.age.setText(time_open(self.effect, now))


class SideEffectsPanel(Section):
    """Side effects of one session.

    Signals:
        effects_changed(tuple[SideEffect, ...]): the session's effects, each time they change.
    """

    effects_changed = Signal(object)

    def __init__(self, *, side_effects: SideEffectService, sessions: SessionService,
                 actor: Actor, clock: Clock, session_id: int,
                 on_record: Callable[[SessionRecord], None],
                 parent: QWidget | None = None) -> None:
        super().__init__("Side effects", name="sideEffects", on_record=on_record, parent=parent)
        self.setObjectName("sessionCard")
        self._service, self._sessions = side_effects, sessions
        self._actor, self._clock, self._id = actor, clock, session_id
        self.dialogs = DialogHost()
        self.effects: tuple[SideEffect, ...] = ()
        self.editable = False
        self._shown = False
        self.rows: list[EffectRow] = []
        self.log_button = QPushButton("Log side effect…", self)
        self.log_button.setObjectName("logSideEffectOpenButton")
        self.log_button.setProperty("role", "primary")
        self.log_button.setAutoDefault(False)
        self.log_button.clicked.connect(lambda: self.open_log())
        self.summary = QLabel(self)
        self.summary.setObjectName("effectsSummary")
        self.summary.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.log_button)
        self.body.removeWidget(self.title)
        self.body.addLayout(head)
        self.body.addWidget(self.summary)
        self.open_box = QVBoxLayout()
        self.open_box.setSpacing(6)
        self.closed_box = QVBoxLayout()
        self.closed_box.setSpacing(4)
        self.body.addLayout(self.open_box)
        self.body.addLayout(self.closed_box)
        self.finish()
        # As tall as its rows: the timeline below takes what is left.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    # ------------------------------------------------------------------ reading
    @property
    def open_effects(self) -> tuple[SideEffect, ...]:
        return tuple(e for e in self.effects if e.is_open)

    @property
    def closed_effects(self) -> tuple[SideEffect, ...]:
        return tuple(e for e in self.effects if not e.is_open)

    def show_record(self, record: SessionRecord) -> None:
        """Re-read the session's effects (after an action or the screen's periodic re-read)."""
        editable = not record.locked and record.stage in LOGGING_STAGES
        self.log_button.setVisible(editable)
        self.log_button.setEnabled(editable)
        try:
            effects = self._service.for_session(self._actor, self._id)
        except UserFacingError as error:
            self.message.show_error(error.message)
            return
        if not self._shown or effects != self.effects or editable != self.editable:
            self._shown = True
            self.editable = editable
            self._show(effects)
        self._show_ages()

    def refresh(self) -> None:
        """Re-read the record and the effects (after a dialog)."""
        try:
            record = self._sessions.get(self._actor, self._id)
        except UserFacingError as error:
            self.message.show_error(error.message)
            return
        self._on_record(record)

    def _show(self, effects: Sequence[SideEffect]) -> None:
        changed = tuple(effects) != self.effects
        self.effects = tuple(effects)
        for row in self.rows:
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        ordered = sorted(self.open_effects, key=lambda e: (not e.notification_pending,
                                                            -e.grade, e.onset_at))
        for effect in ordered:
            self.rows.append(self._row(effect))
            self.open_box.addWidget(self.rows[-1])
        for effect in sorted(self.closed_effects, key=lambda e: e.onset_at, reverse=True):
            self.rows.append(self._row(effect))
            self.closed_box.addWidget(self.rows[-1])
        for row in self.rows:
            row.show()  # at once, not when the layout gets round to it
        self._summarise()
        if changed:
            self.effects_changed.emit(self.effects)

    def _row(self, effect: SideEffect) -> EffectRow:
        return EffectRow(effect, editable=self.editable, on_update=self.open_update,
                         on_notify=self.open_notify, parent=self)

    def _summarise(self) -> None:
        opened, closed = len(self.open_effects), len(self.closed_effects)
        pending = sum(1 for e in self.effects if e.notification_pending)
        if not self.effects:
            text = "None logged."
        else:
            text = f"{opened} open" + (f", {closed} resolved" if closed else "")
            if pending:
                text += f" · {pending} waiting for clinician notification"
        self.summary.setText(text)
        set_kind(self.summary, "pending" if pending else "")

    def _show_ages(self) -> None:
        now = self._clock.now()
        for row in self.rows:
            row.show_age(now)

    def row_for(self, effect_id: int) -> EffectRow | None:
        return next((row for row in self.rows if row.effect.id == effect_id), None)

    # ------------------------------------------------------------------ dialogs
    @property
    def active_dialog(self) -> object:
        return self.dialogs.active_dialog

    def open_log(self, onset: datetime | None = None) -> LogSideEffectDialog | None:
        """The one-step log; ``onset`` presets the onset (a point picked on the chart)."""
        self.message.clear_message()
        try:
            dialog = LogSideEffectDialog(side_effects=self._service, sessions=self._sessions,
                                         actor=self._actor, clock=self._clock,
                                         session_id=self._id, onset=onset, parent=self)
        except UserFacingError as error:
            self.message.show_error(error.message)
            return None
        dialog.record_changed.connect(self._record_changed)
        dialog.finished.connect(lambda _result: self.refresh())
        self.dialogs.open_dialog(dialog, lambda: self._logged(dialog))
        return dialog

    def _record_changed(self, record: object) -> None:
        if isinstance(record, SessionRecord):
            self._on_record(record)

    def _logged(self, dialog: LogSideEffectDialog) -> None:
        effect = dialog.saved
        if effect is not None:
            self.message.show_info(f"Logged: {effect.summary}.")

    def open_update(self, effect: SideEffect) -> None:
        self.message.clear_message()
        try:
            dialog = UpdateSideEffectDialog(side_effects=self._service, actor=self._actor,
                                            clock=self._clock, effect=effect, parent=self)
        except UserFacingError as error:
            self.message.show_error(error.message)
            return
        self.dialogs.open_dialog(dialog, self.refresh)

    def open_notify(self, effect: SideEffect) -> None:
        self.message.clear_message()
        dialog = NotifyDialog(side_effects=self._service, actor=self._actor, clock=self._clock,
                              effect=effect, parent=self)
        self.dialogs.open_dialog(dialog, self.refresh)
