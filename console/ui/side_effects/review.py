"""The discharge side-effect review: every item of the clinic's list answered none, or present
with its worst grade during the session; what still stops the record being signed is listed
under it."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from console.domain.identity import Actor
from console.domain.side_effects import (
    MAX_OTHER_TEXT,
    OTHER_CODE,
    DischargeReview,
    EffectList,
    Grade,
    SideEffect,
)
from console.errors import UserFacingError
from console.services.session_records import SessionRecord, SessionStage
from console.services.sessions import SessionService
from console.services.side_effects import SideEffectService
from console.ui.forms import mark_invalid
from console.ui.session.common import Section, caption, repolish
from console.ui.widgets.inputs import Choice

REVIEW_STAGES = frozenset({SessionStage.RECOVERY, SessionStage.AWAITING_SIGNATURE})


class ReviewRow:
    """One item: None, or Present with a grade."""

    def __init__(self, parent: QWidget, code: str, label: str) -> None:
        self.code = code
        self.label = QLabel(label, parent)
        self.label.setObjectName("reviewTerm")
        self.none = QRadioButton("None", parent)
        self.none.setObjectName(f"review-{code}-none")
        self.present = QRadioButton("Present", parent)
        self.present.setObjectName(f"review-{code}-present")
        self.group = QButtonGroup(parent)
        self.group.addButton(self.none)
        self.group.addButton(self.present)
        self.grade = Choice(parent)
        self.grade.setObjectName(f"review-{code}-grade")
        self.grade.setAccessibleName(f"{label}: worst grade")
        self.grade.addItem("grade…", None)
        for grade in Grade:
            self.grade.addItem(grade.label, int(grade))
        self.grade.setMinimumWidth(210)
        self.present.toggled.connect(self._present_toggled)
        self._present_toggled(False)

    def _present_toggled(self, on: bool) -> None:
        self.grade.setEnabled(on)
        if on and self.grade.currentIndex() == 0:
            self.grade.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def answered(self) -> bool:
        return self.none.isChecked() or self.present.isChecked()

    def answer(self) -> int | None:
        """None for none; the grade for present (0 when present without a grade)."""
        if not self.present.isChecked():
            return None
        data = self.grade.currentData()
        return int(data) if data is not None else 0

    def set_answer(self, grade: Grade | None) -> None:
        if grade is None:
            self.none.setChecked(True)
        else:
            self.present.setChecked(True)
            self.grade.setCurrentIndex(self.grade.findData(int(grade)))

    def set_logged(self, logged: bool) -> None:
        self.label.setProperty("logged", logged)
        repolish(self.label)

    def widgets(self) -> tuple[QWidget, ...]:
        return self.label, self.none, self.present, self.grade

    def mark(self, invalid: bool) -> None:
        for widget in (self.none, self.present, self.grade):
            mark_invalid(widget, invalid)


class SideEffectReviewSection(Section):
    """Shown with the discharge step. Effects logged in this session are filled in as present
    at their worst grade; the rest are answered by the nurse ("Mark the rest 'none'" for
    speed). The periodic re-read never throws away what was chosen but not yet saved."""

    def __init__(self, *, side_effects: SideEffectService, sessions: SessionService,
                 actor: Actor, session_id: int, on_record: Callable[[SessionRecord], None],
                 parent: QWidget | None = None) -> None:
        super().__init__("Side-effect review", name="sideEffectReview", on_record=on_record,
                         parent=parent)
        self.setObjectName("sideEffectReview")
        self._service, self._sessions = side_effects, sessions
        self._actor, self._id = actor, session_id
        self.effect_list: EffectList | None = None
        self.rows: dict[str, ReviewRow] = {}
        self.saved: DischargeReview | None = None
        self._prefilled: set[int] = set()
        self.intro = caption("Ask and look: answer every item none, or present with its worst "
                             "grade during this session. Effects logged in this session are "
                             "filled in (in bold).", self)
        self.status = QLabel(self)
        self.status.setObjectName("effectsSummary")
        self.status.setWordWrap(True)
        self.grid_box = QWidget(self)
        self.grid = QGridLayout(self.grid_box)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(4)
        self.other_text = QLineEdit(self)
        self.other_text.setObjectName("reviewOtherText")
        self.other_text.setPlaceholderText("Describe 'other' when present")
        self.other_text.setMaxLength(MAX_OTHER_TEXT)
        self.rest_none_button = QPushButton("Mark the rest 'none'", self)
        self.rest_none_button.setObjectName("restNoneButton")
        self.rest_none_button.setAutoDefault(False)
        self.rest_none_button.clicked.connect(self.mark_rest_none)
        self.save_button = QPushButton("Save review", self)
        self.save_button.setObjectName("saveReviewButton")
        self.save_button.setProperty("role", "primary")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.blockers = QLabel(self)
        self.blockers.setObjectName("signBlockers")
        self.blockers.setWordWrap(True)
        self.blockers.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.rest_none_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        self.body.addWidget(self.intro)
        self.body.addWidget(self.status)
        self.body.addWidget(self.grid_box)
        self.body.addLayout(buttons)
        self.finish()
        self.body.addWidget(self.blockers)

    # ------------------------------------------------------------------ showing
    def fields(self) -> Mapping[str, QWidget]:
        return {"other_text": self.other_text}

    def show_record(self, record: SessionRecord) -> None:
        if record.stage not in REVIEW_STAGES or record.locked:
            return
        try:
            lists = self._service.lists(self._actor)
            review = self._service.review(self._actor, self._id)
            effects = self._service.for_session(self._actor, self._id)
            blockers = self._service.signing_blockers(self._actor, self._id)
        except UserFacingError as error:
            self.message.show_error(error.message)
            return
        if self.effect_list is None or self.effect_list.version != lists.effects.version:
            self._build(lists.effects, review)
        self.saved = review
        self._prefill(effects)
        self._show_status()
        self._show_blockers(blockers)

    def _build(self, effects: EffectList, review: DischargeReview | None) -> None:
        for row in self.rows.values():
            for widget in row.widgets():
                self.grid.removeWidget(widget)
                widget.deleteLater()
        self.grid.removeWidget(self.other_text)
        self.effect_list = effects
        self.rows = {}
        self._prefilled = set()
        for index, term in enumerate(effects.items):
            row = ReviewRow(self.grid_box, term.code, term.label)
            self.rows[term.code] = row
            for column, widget in enumerate(row.widgets()):
                self.grid.addWidget(widget, index, column)
            if term.code == OTHER_CODE:
                self.grid.addWidget(self.other_text, index, 4)
                row.present.toggled.connect(self._other_toggled)
        self.grid.setColumnStretch(4, 1)
        if review is not None and review.effect_list_version == effects.version:
            for answer in review.answers:
                if answer.term_code in self.rows:
                    self.rows[answer.term_code].set_answer(answer.grade)
                if answer.term_code == OTHER_CODE and answer.detail:
                    self.other_text.setText(answer.detail)
        self._other_toggled()

    def _other_toggled(self, _on: bool = False) -> None:
        row = self.rows.get(OTHER_CODE)
        self.other_text.setEnabled(row is not None and row.present.isChecked())

    def _prefill(self, effects: tuple[SideEffect, ...]) -> None:
        """Each effect logged since the last look: its item present, at least at its grade."""
        for effect in effects:
            row = self.rows.get(effect.term_code)
            if row is None:
                continue
            row.set_logged(True)
            if effect.id in self._prefilled:
                continue
            self._prefilled.add(effect.id)
            current = row.answer()
            if current is None or current < effect.grade:
                row.set_answer(effect.grade)
            if effect.term_code == OTHER_CODE and not self.other_text.text().strip():
                self.other_text.setText(effect.other_text)

    def _show_status(self) -> None:
        review = self.saved
        if review is None:
            self.status.setText("Not recorded yet.")
        else:
            present = ", ".join(f"{a.term_label} (grade {int(a.grade)})" for a in review.present
                                if a.grade is not None) or "none present"
            self.status.setText(f"Recorded by {review.recorded_by} at "
                                f"{review.recorded_at.astimezone():%H:%M}: {present}.")

    def _show_blockers(self, blockers: tuple[str, ...]) -> None:
        if not blockers:
            self.blockers.hide()
            return
        self.blockers.setText("Before the record can be signed:\n"
                              + "\n".join(f"•  {line}" for line in blockers))
        self.blockers.show()

    # ------------------------------------------------------------------ answering
    def mark_rest_none(self) -> None:
        for row in self.rows.values():
            if not row.answered:
                row.none.setChecked(True)
                row.mark(False)

    def answers(self) -> dict[str, Grade | int | None]:
        """The answered items (an unanswered one is left out: the service names it)."""
        return {code: row.answer() for code, row in self.rows.items() if row.answered}

    def save(self) -> None:
        for row in self.rows.values():
            row.mark(False)

        def call() -> SessionRecord:
            self.saved = self._service.record_review(
                self._actor, self._id, self.answers(),
                other_text=self.other_text.text() if self.other_text.isEnabled() else "")
            return self._sessions.get(self._actor, self._id)

        if self.act(call):
            self.message.show_info("Review saved.")

    def show_error(self, error: UserFacingError) -> None:
        super().show_error(error)
        if error.field == "answers":
            for row in self.rows.values():
                row.mark(not row.answered)
        elif error.field == "grade":
            for row in self.rows.values():
                row.mark(row.answer() == 0)
        elif error.field in self.rows:
            self.rows[error.field or ""].mark(True)
