"""The outcome of a side effect as both the log and the update dialog take it: a choice that may
stay "not yet known", and the time it resolved, shown only for an outcome that closes it."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from console.domain.side_effects import Outcome
from console.ui.session.common import clock_time, time_edit
from console.ui.side_effects.text import time_or_now
from console.ui.widgets.inputs import Choice


class OutcomePicker(QWidget):
    """The outcome box and, beside it while the outcome closes the effect, "resolved at"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outcome = Choice(self)
        self.outcome.setObjectName("outcome")
        self.outcome.setAccessibleName("Outcome")
        self.outcome.addItem("Not yet known (stays open)", "")
        for outcome in Outcome:
            self.outcome.addItem(outcome.label, outcome.value)
        self.outcome.setMinimumWidth(240)
        self.resolved_at = time_edit(self)
        self.resolved_at.setObjectName("resolvedTime")
        self.resolved_at.setAccessibleName("Resolved at")
        self.resolved_at.setToolTip("Blank for now, or the time it resolved (HH:MM).")
        self.resolved_label = QLabel("resolved at", self)
        self.outcome.currentIndexChanged.connect(self._outcome_chosen)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.outcome)
        row.addSpacing(12)
        row.addWidget(self.resolved_label)
        row.addWidget(self.resolved_at)
        row.addStretch(1)
        self._outcome_chosen()

    def show_outcome(self, outcome: Outcome | None, resolved_at: datetime | None) -> None:
        """Show what is recorded already."""
        if outcome is not None:
            self.outcome.setCurrentIndex(self.outcome.findData(outcome.value))
        if resolved_at is not None:
            self.resolved_at.setText(clock_time(resolved_at))

    def chosen(self) -> Outcome | None:
        raw = str(self.outcome.currentData() or "")
        return Outcome(raw) if raw else None

    def resolved(self, now: datetime) -> datetime | None:
        """The resolution time (blank is ``now``) of an outcome that closes the effect."""
        outcome = self.chosen()
        if outcome is None or not outcome.closes:
            return None
        return time_or_now(self.resolved_at.text(), now, field="resolved_at") or now

    def _outcome_chosen(self) -> None:
        outcome = self.chosen()
        closes = outcome is not None and outcome.closes
        self.resolved_label.setVisible(closes)
        self.resolved_at.setVisible(closes)
