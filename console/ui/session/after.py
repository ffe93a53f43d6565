"""After the stop: discharge checklist, signature, the locked record and its addenda."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from console.domain.bedside import DischargeChecklist
from console.domain.identity import Actor
from console.services.session_records import SessionRecord
from console.services.sessions import SessionService
from console.ui.forms import password_field
from console.ui.session.common import Section, caption, clock_time
from console.ui.widgets.inputs import WholeNumberSpin

Apply = Callable[[SessionRecord], None]


class DischargeSection(Section):
    def __init__(self, *, sessions: SessionService, actor: Actor, session_id: int,
                 on_record: Apply, parent: QWidget | None = None) -> None:
        super().__init__("Discharge checklist", name="discharge", on_record=on_record,
                         parent=parent)
        self._sessions, self._actor, self._id = sessions, actor, session_id
        self.padss = WholeNumberSpin(minimum=-1, maximum=10, width=110, parent=self)
        self.padss.setObjectName("padssSpin")
        self.padss.setSpecialValueText("not scored")
        self.padss.setValue(-1)
        self.boxes = {
            "alert_as_baseline": QCheckBox("Alert as at baseline (RASS 0 / POSS ≤2)", self),
            "no_hallucinations": QCheckBox("No active hallucinations", self),
            "vitals_within_20_percent": QCheckBox("Vitals within 20 % of baseline", self),
            "escort_present": QCheckBox("Responsible adult escort present", self),
            "no_driving_advised": QCheckBox("'No driving until tomorrow' given and understood",
                                            self),
        }
        for key, box in self.boxes.items():
            box.setObjectName(f"discharge-{key}")
        self.notes = QLineEdit(self)
        self.notes.setObjectName("dischargeNotes")
        self.notes.setPlaceholderText("Notes (optional)")
        self.notes.setMaxLength(500)
        self.save_button = QPushButton("Record discharge", self)
        self.save_button.setObjectName("dischargeButton")
        self.save_button.setProperty("role", "primary")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        row = QHBoxLayout()
        row.addWidget(QLabel("PADSS (0–10, ≥9 to go home)", self))
        row.addWidget(self.padss)
        row.addStretch(1)
        self.body.addLayout(row)
        for box in self.boxes.values():
            self.body.addWidget(box)
        self.body.addWidget(self.notes)
        self.body.addWidget(self.save_button)
        self.finish()

    def fields(self) -> Mapping[str, QWidget]:
        return {"padss": self.padss, "discharge": self.save_button}

    def checklist(self) -> DischargeChecklist:
        return DischargeChecklist(padss=self.padss.value(), notes=self.notes.text().strip(),
                                  **{k: b.isChecked() for k, b in self.boxes.items()})

    def save(self) -> None:
        self.act(lambda: self._sessions.discharge(self._actor, self._id, self.checklist()))


class SignSection(Section):
    def __init__(self, *, sessions: SessionService, actor: Actor, session_id: int,
                 on_record: Apply, parent: QWidget | None = None) -> None:
        super().__init__("Sign the record", name="sign", on_record=on_record, parent=parent)
        self._sessions, self._actor, self._id = sessions, actor, session_id
        self.summary = caption("", self)
        self.meaning = QLabel(f"Administered by {actor.full_name} — signing locks the record; "
                              "corrections are addenda.", self)
        self.meaning.setObjectName("signatureMeaning")
        self.meaning.setWordWrap(True)
        self.password = password_field("Your password", self)
        self.password.setObjectName("signPassword")
        self.password.returnPressed.connect(self.sign)
        self.sign_button = QPushButton("Sign record", self)
        self.sign_button.setObjectName("signButton")
        self.sign_button.setProperty("role", "primary")
        self.sign_button.setAutoDefault(False)
        self.sign_button.clicked.connect(self.sign)
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.sign_button)
        self.body.addWidget(self.summary)
        self.body.addWidget(self.meaning)
        self.body.addLayout(row)
        self.finish()

    def fields(self) -> Mapping[str, QWidget]:
        return {"password": self.password}

    def show_record(self, record: SessionRecord) -> None:
        d = record.discharge
        self.summary.setText("" if d is None else
                             f"Discharged {clock_time(record.discharged_at)}: PADSS {d.padss}, "
                             "alert, no hallucinations, vitals within 20 %, escort, no-driving "
                             "advice given.")

    def sign(self) -> None:
        self.act(lambda: self._sessions.sign(self._actor, self._id,
                                             password=self.password.text()))
        self.password.clear()


class AddendaSection(Section):
    """Addenda under the signed original; 'Add addendum…' opens the form (text, reason,
    password)."""

    def __init__(self, *, sessions: SessionService, actor: Actor, session_id: int,
                 on_record: Apply, parent: QWidget | None = None) -> None:
        super().__init__("Addenda", name="addenda", on_record=on_record, parent=parent)
        self._sessions, self._actor, self._id = sessions, actor, session_id
        self.listing = QLabel(self)
        self.listing.setObjectName("addendaList")
        self.listing.setWordWrap(True)
        self.add_button = QPushButton("Add addendum…", self)
        self.add_button.setObjectName("addAddendumButton")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.open_form)
        self.form = QWidget(self)
        self.text = QPlainTextEdit(self.form)
        self.text.setObjectName("addendumText")
        self.text.setPlaceholderText("The correction or note")
        self.reason = QLineEdit(self.form)
        self.reason.setObjectName("addendumReason")
        self.reason.setPlaceholderText("Why it is added after signing")
        self.reason.setMaxLength(500)
        self.password = password_field("Your password", self.form)
        self.password.setObjectName("addendumPassword")
        self.save_button = QPushButton("Sign addendum", self.form)
        self.save_button.setObjectName("saveAddendumButton")
        self.save_button.setProperty("role", "primary")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        layout = QHBoxLayout(self.form)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 2)
        column = QWidget(self.form)
        from PySide6.QtWidgets import QVBoxLayout

        right = QVBoxLayout(column)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.reason)
        right.addWidget(self.password)
        right.addWidget(self.save_button)
        layout.addWidget(column, 1)
        self.form.hide()
        self.body.addWidget(self.listing)
        self.body.addWidget(self.add_button)
        self.body.addWidget(self.form)
        self.finish()

    def fields(self) -> Mapping[str, QWidget]:
        return {"text": self.text, "reason": self.reason, "password": self.password}

    def open_form(self) -> None:
        self.form.show()
        self.add_button.hide()
        self.text.setFocus()

    def show_record(self, record: SessionRecord) -> None:
        if not record.addenda:
            self.listing.setText("No addenda.")
            return
        self.listing.setText("\n\n".join(
            f"ADDENDUM {clock_time(a.at)} — {a.text}\nReason: {a.reason}. "
            + (a.signature.manifestation() if a.signature else f"By {a.by_name}")
            for a in record.addenda))

    def save(self) -> None:
        done = self.act(lambda: self._sessions.add_addendum(
            self._actor, self._id, text=self.text.toPlainText(), reason=self.reason.text(),
            password=self.password.text()))
        self.password.clear()
        if done:
            self.text.clear()
            self.reason.clear()
            self.form.hide()
            self.add_button.show()
