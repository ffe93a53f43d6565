"""The patient record's "Side effects & follow-up": every effect across sessions, the
follow-ups between sessions, and what the clinic should ask or arrange now."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from console.domain.identity import Actor, Role
from console.domain.side_effects import (
    FollowUp,
    FollowUpDraft,
    FollowUpPrompt,
    Grade,
    SideEffect,
)
from console.errors import UserFacingError
from console.services.side_effects import SideEffectService
from console.ui.admin.common import configure_table, format_date, format_local_time
from console.ui.messages import InlineMessage
from console.ui.side_effects.follow_up import FollowUpDialog
from console.ui.widgets.buttons import action_button
from console.ui.widgets.dialog_host import DialogHost
from console.ui.widgets.record_table import RecordTableModel
from console.ui.widgets.tables import FittedTableView

RECORDERS = frozenset({Role.NURSE, Role.CLINICIAN})
_SEVERE = QColor("#ff8a8e")
_OPEN = QColor("#ffc9b3")


class EffectHistoryModel(RecordTableModel[SideEffect]):
    """All of a patient's effects, newest first."""

    COLUMNS = ("Date", "Effect", "Grade", "Serious", "Related", "Infusion", "Treatment",
               "Outcome")
    DATE, EFFECT, GRADE, SERIOUS, RELATED, ACTION, TREATMENT, OUTCOME = range(8)

    def text(self, effect: SideEffect, column: int) -> str:
        match column:
            case self.DATE:
                return format_local_time(effect.onset_at)
            case self.EFFECT:
                return effect.term
            case self.GRADE:
                return f"{effect.grade.value} ({effect.grade.word})"
            case self.SERIOUS:
                return "SERIOUS" if effect.serious else "no"
            case self.RELATED:
                return effect.relationship.label
            case self.ACTION:
                return effect.action.label
            case self.TREATMENT:
                return "; ".join(f"{t.medication_name} {t.dose.normalize():f} {t.unit.value} "
                                 f"{t.route.label}" for t in effect.treatments) or "—"
            case _:
                if effect.outcome is None:
                    return "no outcome recorded"
                return effect.outcome.label + (
                    f" {effect.resolved_at.astimezone():%H:%M}" if effect.resolved_at else "")

    def foreground(self, effect: SideEffect, column: int) -> QColor | None:
        if column in (self.GRADE, self.SERIOUS) and (effect.grade >= Grade.SEVERE
                                                     or effect.serious):
            return _SEVERE
        if column == self.OUTCOME and effect.is_open:
            return _OPEN
        return None

    def bold(self, effect: SideEffect, column: int) -> bool:
        return column == self.EFFECT

    def tooltip(self, effect: SideEffect, column: int) -> str | None:
        lines = [effect.summary, f"Logged by {effect.recorded_by} "
                                 f"(list version {effect.effect_list_version})"]
        lines += [t.description for t in effect.treatments]
        if effect.notification is not None:
            lines.append(f"{effect.notification.clinician_name} told "
                         f"{format_local_time(effect.notification.at)}")
        if effect.notes:
            lines.append(effect.notes)
        return "\n".join(lines)


class FollowUpModel(RecordTableModel[FollowUp]):
    """The patient's follow-ups, newest first."""

    COLUMNS = ("Date", "Kind", "Findings", "Recorded by")
    DATE, KIND, FINDINGS, BY = range(4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.effects: dict[int, SideEffect] = {}

    def set_follow_ups(self, follow_ups: Sequence[FollowUp],
                       effects: Sequence[SideEffect]) -> None:
        """``effects``: the patient's, so an entry about one can name it."""
        with self.resetting():
            self.effects = {e.id: e for e in effects}
            self._records = sorted(follow_ups, key=lambda f: (f.observed_on, f.recorded_at),
                                   reverse=True)

    def text(self, follow_up: FollowUp, column: int) -> str:
        match column:
            case self.DATE:
                return format_date(follow_up.observed_on)
            case self.KIND:
                return follow_up.kind.label
            case self.FINDINGS:
                parts = []
                if follow_up.liver is not None:
                    parts.append(follow_up.liver.summary)
                if follow_up.text:
                    parts.append(follow_up.text)
                effect = self.effects.get(follow_up.effect_id or -1)
                if effect is not None:
                    about = f"about {effect.term} of " \
                            f"{format_date(effect.onset_at.astimezone().date())}"
                    if follow_up.effect_outcome is not None:
                        about += f": {follow_up.effect_outcome.label.lower()}"
                    parts.append(about)
                return " · ".join(parts)
            case _:
                return f"{follow_up.recorded_by} · {format_local_time(follow_up.recorded_at)}"

    def tooltip(self, follow_up: FollowUp, column: int) -> str | None:
        return self.text(follow_up, self.FINDINGS)


def prompts_text(prompts: tuple[FollowUpPrompt, ...]) -> str:
    return "\n".join(f"⚠  {p.title}: {p.detail}" for p in prompts)


class PatientSideEffectsPanel(QWidget):
    """Read by everyone; nurses and clinicians add follow-ups.

    Signals: none; ``show_patient`` re-reads.
    """

    def __init__(self, *, side_effects: SideEffectService, actor: Actor,
                 today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientSideEffects")
        self._service, self._actor, self._today = side_effects, actor, today
        self.patient_id: int | None = None
        self.prompts: tuple[FollowUpPrompt, ...] = ()
        self.dialogs = DialogHost()
        self.can_record = actor.role in RECORDERS
        title = QLabel("Side effects & follow-up")
        title.setObjectName("sectionTitle")
        self.add_button = action_button(self, "Add follow-up…",
                                        lambda: self._add_from_button())
        self.add_button.setVisible(self.can_record)
        self.prompt_banner = QLabel(self)
        self.prompt_banner.setObjectName("followUpPrompts")
        self.prompt_banner.setWordWrap(True)
        self.prompt_banner.hide()
        self.message = InlineMessage(self)
        self.effects_model = EffectHistoryModel(self)
        self.effects_table = self._table(self.effects_model, "effectHistoryTable",
                                         stretch=EffectHistoryModel.TREATMENT)
        self.follow_model = FollowUpModel(self)
        self.follow_table = self._table(self.follow_model, "followUpTable",
                                        stretch=FollowUpModel.FINDINGS)
        self.effects_empty = QLabel("No side effects logged.", self)
        self.effects_empty.setObjectName("muted")
        self.follow_empty = QLabel("No follow-ups recorded.", self)
        self.follow_empty.setObjectName("muted")
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.add_button)
        effects_heading = QLabel("Side effects in sessions", self)
        effects_heading.setObjectName("subsectionTitle")
        follow_heading = QLabel("Follow-ups between sessions", self)
        follow_heading.setObjectName("subsectionTitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(head)
        layout.addWidget(self.prompt_banner)
        layout.addWidget(self.message)
        layout.addWidget(effects_heading)
        layout.addWidget(self.effects_empty)
        layout.addWidget(self.effects_table)
        layout.addWidget(follow_heading)
        layout.addWidget(self.follow_empty)
        layout.addWidget(self.follow_table)

    def _table(self, model: RecordTableModel, name: str, *, stretch: int) -> FittedTableView:
        table = FittedTableView(max_rows=8, parent=self)
        table.setObjectName(name)
        table.setModel(model)
        configure_table(table, sortable=False)
        table.setWordWrap(True)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        for column in range(model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        return table

    # ------------------------------------------------------------------ reading
    def show_patient(self, patient_id: int | None) -> None:
        self.patient_id = patient_id
        self.reload()

    def reload(self) -> None:
        self.message.clear_message()
        effects: tuple[SideEffect, ...] = ()
        follow_ups: tuple[FollowUp, ...] = ()
        prompts: tuple[FollowUpPrompt, ...] = ()
        if self.patient_id is not None:
            try:
                effects = self._service.for_patient(self._actor, self.patient_id)
                follow_ups = self._service.follow_ups(self._actor, self.patient_id)
                prompts = self._service.follow_up_prompts(self._actor, self.patient_id)
            except UserFacingError as error:
                self.message.show_error(error.message)
        self.prompts = prompts
        self.effects_model.set_records(sorted(effects, key=lambda e: e.onset_at, reverse=True))
        self.follow_model.set_follow_ups(follow_ups, effects)
        self.effects_table.setVisible(bool(effects))
        self.effects_empty.setVisible(not effects)
        self.follow_table.setVisible(bool(follow_ups))
        self.follow_empty.setVisible(not follow_ups)
        self.effects_table.refit()
        self.follow_table.refit()
        self.prompt_banner.setText(prompts_text(prompts))
        self.prompt_banner.setVisible(bool(prompts))
        self.add_button.setEnabled(self.patient_id is not None)

    # ------------------------------------------------------------------ adding
    @property
    def active_dialog(self) -> object:
        return self.dialogs.active_dialog

    def _add_from_button(self) -> None:
        self.add_follow_up()

    def add_follow_up(self, prompt: FollowUpPrompt | None = None) -> FollowUpDialog | None:
        patient_id = self.patient_id
        if patient_id is None:
            return None
        if prompt is None and self.prompts:
            prompt = self.prompts[0]

        def submit(draft: FollowUpDraft) -> FollowUp:
            return self._service.add_follow_up(self._actor, patient_id, draft)

        dialog = FollowUpDialog(today=self._today(), effects=self.effects_model.records(),
                                submit=submit,
                                prompt=prompt, parent=self)

        def saved() -> None:
            self.reload()
            done = dialog.saved
            if done is not None:
                self.message.show_info(f"Follow-up saved: {done.kind.label.lower()}, "
                                       f"{format_date(done.observed_on)}.")

        self.dialogs.open_dialog(dialog, saved)
        return dialog

