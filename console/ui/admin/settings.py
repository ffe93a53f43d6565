"""The Settings tab: the clinic's name and the sign-in security policy."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.domain.identity import Actor, SecurityPolicy
from console.errors import UserFacingError, ValidationError
from console.services.container import Services
from console.ui.forms import mark_invalid
from console.ui.messages import InlineMessage, show_user_error

NOTHING_CHANGED = "Nothing to save: the values are the ones already in use."


def _spin(name: str, suffix: str) -> QSpinBox:
    # The range is deliberately wider than the policy allows: the policy itself says what is
    # acceptable, and its message is shown under the form.
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setRange(0, 99_999)
    spin.setSuffix(suffix)
    spin.setFixedWidth(200)
    return spin


def _help(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("muted")
    label.setWordWrap(True)
    return label


class SecuritySettingsPanel(QWidget):
    """Clinic name, and the lockout and idle-lock policy, each saved (and audited) on its own."""

    clinic_renamed = Signal(str)
    policy_changed = Signal(object)

    def __init__(self, *, services: Services, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("securitySettingsPanel")
        self._services = services
        self._actor = actor
        self._clinic_name = ""
        self._policy: SecurityPolicy | None = None

        # --- clinic
        self.clinic_name_edit = QLineEdit()
        self.clinic_name_edit.setObjectName("clinicNameEdit")
        self.clinic_name_edit.setMaxLength(120)
        self.clinic_name_edit.setPlaceholderText("for example Riverside Pain Clinic")
        self.save_clinic_button = QPushButton("Save clinic name")
        self.save_clinic_button.setObjectName("saveClinicButton")
        self.save_clinic_button.setProperty("role", "primary")
        self.clinic_message = InlineMessage()
        clinic_form = QFormLayout()
        clinic_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        clinic_form.addRow("Clinic name", self.clinic_name_edit)
        clinic_form.addRow("", _help("Shown on the sign-in screen, in the title bar and on "
                                     "printed and exported records."))
        clinic = self._card("Clinic", clinic_form, self.save_clinic_button, self.clinic_message)

        # --- security policy
        self.threshold_spin = _spin("lockoutThresholdSpin", " attempts")
        self.lockout_spin = _spin("lockoutMinutesSpin", " minutes")
        self.idle_spin = _spin("idleLockSpin", " minutes")
        self.save_policy_button = QPushButton("Save security settings")
        self.save_policy_button.setObjectName("savePolicyButton")
        self.save_policy_button.setProperty("role", "primary")
        self.policy_message = InlineMessage()
        policy_form = QFormLayout()
        policy_form.setVerticalSpacing(6)
        policy_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        policy_form.addRow("Failed sign-ins before lockout", self.threshold_spin)
        policy_form.addRow("", _help("An account locks after this many wrong passwords in a "
                                     "row (3 to 20)."))
        policy_form.addRow("Lockout length", self.lockout_spin)
        policy_form.addRow("", _help("A locked account unlocks by itself after this time, or "
                                     "earlier when an administrator unlocks it (1 to 1440)."))
        policy_form.addRow("Idle lock after", self.idle_spin)
        policy_form.addRow("", _help("The screen locks after this long without use; the same "
                                     "person signs in again to carry on (1 to 60)."))
        policy = self._card("Sign-in security", policy_form, self.save_policy_button,
                            self.policy_message)

        note = _help("Every change here is recorded in the audit trail with your name.")
        column = QVBoxLayout()
        column.setSpacing(16)
        column.addWidget(clinic)
        column.addWidget(policy)
        column.addWidget(note)
        column.addStretch(1)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(16, 16, 16, 16)
        outer.addLayout(column, 0)
        outer.addStretch(1)
        clinic.setFixedWidth(760)
        policy.setFixedWidth(760)

        self.save_clinic_button.clicked.connect(self.save_clinic_name)
        self.clinic_name_edit.returnPressed.connect(self.save_clinic_name)
        self.save_policy_button.clicked.connect(self.save_security_policy)
        for spin in self._policy_fields().values():
            spin.valueChanged.connect(lambda _value, spin=spin: mark_invalid(spin, False))

    @staticmethod
    def _card(title: str, form: QFormLayout, button: QPushButton,
              message: InlineMessage) -> QFrame:
        card = QFrame()
        card.setObjectName("card")
        heading = QLabel(title)
        heading.setObjectName("sectionTitle")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(button)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(18, 14, 18, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(message)
        layout.addLayout(buttons)
        return card

    def _policy_fields(self) -> dict[str, QSpinBox]:
        return {
            "lockout_threshold": self.threshold_spin,
            "lockout_minutes": self.lockout_spin,
            "idle_lock_minutes": self.idle_spin,
        }

    def refresh(self) -> None:
        """Show the values in use now (discarding anything typed but not saved)."""
        try:
            self._clinic_name = self._services.settings.clinic_name()
            self._policy = self._services.settings.security_policy()
        except UserFacingError as error:
            self.clinic_message.show_error(error.message)
            return
        self.clinic_name_edit.setText(self._clinic_name)
        self.threshold_spin.setValue(self._policy.lockout_threshold)
        self.lockout_spin.setValue(self._policy.lockout_minutes)
        self.idle_spin.setValue(self._policy.idle_lock_minutes)
        self.clinic_message.clear_message()
        self.policy_message.clear_message()
        for widget in (self.clinic_name_edit, *self._policy_fields().values()):
            mark_invalid(widget, False)

    def save_clinic_name(self) -> None:
        self.clinic_message.clear_message()
        mark_invalid(self.clinic_name_edit, False)
        typed = self.clinic_name_edit.text()
        if " ".join(typed.split()) == self._clinic_name:
            self.clinic_message.show_info(NOTHING_CHANGED)
            return
        try:
            self._services.settings.rename_clinic(self._actor, typed)
        except ValidationError as error:
            self.clinic_message.show_error(error.message)
            mark_invalid(self.clinic_name_edit, True)
            self.clinic_name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        except UserFacingError as error:
            show_user_error(self, error)
            return
        self._clinic_name = self._services.settings.clinic_name()
        self.clinic_name_edit.setText(self._clinic_name)
        self.clinic_message.show_info(f"Saved. The clinic is now called “{self._clinic_name}”.")
        self.clinic_renamed.emit(self._clinic_name)

    def save_security_policy(self) -> None:
        self.policy_message.clear_message()
        fields = self._policy_fields()
        for spin in fields.values():
            mark_invalid(spin, False)
            spin.interpretText()
        try:
            policy = SecurityPolicy(
                lockout_threshold=self.threshold_spin.value(),
                lockout_minutes=self.lockout_spin.value(),
                idle_lock_minutes=self.idle_spin.value(),
            )
            if policy == self._policy:
                self.policy_message.show_info(NOTHING_CHANGED)
                return
            self._services.settings.change_security_policy(self._actor, policy)
        except ValidationError as error:
            self.policy_message.show_error(error.message)
            at_fault = fields.get(error.field or "")
            if at_fault is not None:
                mark_invalid(at_fault, True)
                at_fault.setFocus(Qt.FocusReason.OtherFocusReason)
                at_fault.selectAll()
            return
        except UserFacingError as error:
            show_user_error(self, error)
            return
        self._policy = policy
        self.policy_message.show_info(
            f"Saved. Accounts lock after {policy.lockout_threshold} failed sign-ins for "
            f"{policy.lockout_minutes} minutes; the screen locks after "
            f"{policy.idle_lock_minutes} minutes without use."
        )
        self.policy_changed.emit(policy)
