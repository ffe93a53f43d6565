"""The session screen's monitor line: what the monitor feed last stored for this session, the
feed's state, and in the demonstration clinic the training simulator.

The panel attaches the console's feed to the session while its infusion is running, paused or
in recovery, and detaches it when the session leaves those stages or the screen closes. It
re-emits each update for this session (``update_received``) for the chart and alarm views.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.services.monitoring import MonitoringUpdate
from console.services.session_records import SessionRecord, SessionStage
from console.ui.devices.bridge import DEVICE_NAME, TRAINING_DEVICE_NAME, DeviceBridge
from console.ui.devices.training import SCENARIO_LABELS
from console.ui.widgets.banners import Banner

MONITORED = frozenset({SessionStage.RUNNING, SessionStage.PAUSED, SessionStage.RECOVERY})
TRAINING_TEXT = "TRAINING — simulated monitor"
# Purple: red, yellow and cyan belong to alarms, and training must not look like either.
_STYLE = (
    "QLabel#trainingBanner { background-color: #3b1f57; color: #f3e8ff; border: 2px dashed "
    "#c39bff; border-radius: 6px; padding: 6px 12px; font-size: 18px; font-weight: 700; }"
    " QLabel#monitorStatus { color: #cfd6de; }"
    " QLabel#monitorStatus[kind=\"warning\"] { color: #ffe7a8; font-weight: 700; }")


def _time(moment: datetime) -> str:
    return f"{moment.astimezone():%H:%M:%S}"


def _number(value: int | Decimal | None) -> str:
    return "—" if value is None else str(value)


class MonitorPanel(QFrame):
    """Signals:
        update_received(MonitoringUpdate): the feed stored readings (or changed a feed alarm)
            for this session.
    """

    update_received = Signal(object)

    def __init__(self, *, bridge: DeviceBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monitorPanel")
        self.setStyleSheet(_STYLE)
        self._bridge = bridge
        self.session_id: int | None = None
        self._mrn = ""
        self._attached = False
        self._latest: dict[str, tuple[str, datetime]] = {}

        self.status = QLabel(self)
        self.status.setObjectName("monitorStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice = Banner(self, kind="warning")

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.status, 1)

        self.training_banner = QLabel(TRAINING_TEXT, self)
        self.training_banner.setObjectName("trainingBanner")
        self.training_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.training_banner.setAccessibleName(TRAINING_TEXT)
        self.training_banner.hide()
        self.training_box = QFrame(self)
        self.training_box.setObjectName("trainingControls")
        box = QHBoxLayout(self.training_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(QLabel("Training: simulated monitor", self.training_box))
        self.scenario = QComboBox(self.training_box)
        self.scenario.setObjectName("trainingScenario")
        for key, label in SCENARIO_LABELS.items():
            self.scenario.addItem(label, key)
        box.addWidget(self.scenario)
        self.training_button = QPushButton("Start simulator", self.training_box)
        self.training_button.setObjectName("trainingButton")
        self.training_button.setAutoDefault(False)
        self.training_button.clicked.connect(self.toggle_training)
        box.addWidget(self.training_button)
        row.addWidget(self.training_box)
        self.training_box.setVisible(bridge.training is not None)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.training_banner)
        layout.addLayout(row)
        layout.addWidget(self.notice)

        bridge.subscribe(updated=self._on_update, feed=self._on_feed, refused=self._on_refused)
        if bridge.training is not None:
            bridge.training.runningChanged.connect(self._show_training,
                                                   Qt.ConnectionType.QueuedConnection)
        self._show_status(bridge.status_text() if not bridge.available
                          else "Monitor: waiting for the session to start",
                          "" if bridge.available else "warning")
        self.hide()

    # ------------------------------------------------------------------ the session
    @property
    def attached(self) -> bool:
        return self._attached

    def show_record(self, record: SessionRecord) -> None:
        """Follow the session: attach while it runs (or recovers), detach otherwise."""
        self.session_id = record.id
        self._mrn = record.patient.mrn
        monitored = record.stage in MONITORED and not record.locked
        self.setVisible(monitored)
        if monitored and not self._attached:
            self._attach()
        elif not monitored and self._attached:
            self.detach()

    def _attach(self) -> None:
        if self.session_id is None:
            return
        training = self._bridge.training
        name = TRAINING_DEVICE_NAME if training is not None and training.running \
            and training.session_id == self.session_id else DEVICE_NAME
        self._bridge.attach(self.session_id, patient_mrn=self._mrn, device_name=name)
        self._attached = True
        if self._bridge.available and not self._latest:
            self._show_status(f"Monitor: listening ({self._bridge.status_text().lower()}) — "
                              "no readings yet for this session", "")

    def detach(self) -> None:
        """Stop taking the monitor's readings for this session (the screen closes)."""
        training = self._bridge.training
        if training is not None and training.session_id == self.session_id:
            training.stop()
        if self.session_id is not None:
            self._bridge.detach(self.session_id)
        self._attached = False

    # ------------------------------------------------------------------ training
    def toggle_training(self) -> None:
        training = self._bridge.training
        if training is None or self.session_id is None:
            return
        if training.running:
            training.stop()
            return
        scenario = str(self.scenario.currentData())
        training.start(scenario, session_id=self.session_id, patient_id=self._mrn)
        if self._attached:
            self._attach()  # the readings are stored as the simulator's

    @Slot(bool)
    def _show_training(self, running: bool) -> None:
        training = self._bridge.training
        mine = running and training is not None and training.session_id == self.session_id
        label = SCENARIO_LABELS.get(training.scenario or "", "") if training else ""
        self.training_banner.setText(f"{TRAINING_TEXT} · {label}" if mine else TRAINING_TEXT)
        self.training_banner.setVisible(mine)
        self.training_button.setText("Stop simulator" if mine else "Start simulator")
        self.scenario.setEnabled(not mine)
        if not running and self._attached:
            self._attach()  # back to the real monitor's name

    # ------------------------------------------------------------------ feed events (queued)
    @Slot(object)
    def _on_update(self, update: MonitoringUpdate) -> None:
        if not self._attached or update.session_id != self.session_id:
            return
        if update.vital is not None:
            v, at = update.vital.values, update.vital.at
            for key, text in (("hr", f"HR {_number(v.heart_rate)}/min"),
                              ("spo2", f"SpO2 {_number(v.spo2)} %"),
                              ("rr", f"RR {_number(v.respiratory_rate)}/min")):
                if text.split()[1] != "—":
                    self._latest[key] = (text, at)
            if v.systolic is not None and v.diastolic is not None:
                self._latest["bp"] = (f"BP {v.systolic}/{v.diastolic}", at)
            if v.temperature_c is not None:
                self._latest["temp"] = (f"T {v.temperature_c} °C", at)
            parts = [self._latest[k][0] for k in ("hr", "bp", "spo2", "rr", "temp")
                     if k in self._latest]
            self._show_status(f"Monitor {_time(at)} · " + " · ".join(parts), "")
            self.notice.clear_text()
        if update.artifacts:
            shown = ", ".join(f"{a.field} {a.value}" for a in update.artifacts)
            self.notice.show_text(f"Monitor artifact kept, not charted: {shown} "
                                  f"({update.artifacts[0].reason})", kind="muted")
        self.update_received.emit(update)

    @Slot(bool)
    def _on_feed(self, lost: bool) -> None:
        if not self._attached:
            return
        if lost:
            since = max((at for _, at in self._latest.values()), default=None)
            when = f" since {_time(since)}" if since is not None else ""
            self._show_status(f"Monitor: NO READINGS{when} — check the monitor and its cable",
                              "warning")
        elif not self._latest:
            self._show_status("Monitor: readings arriving", "")

    @Slot(str)
    def _on_refused(self, message: str) -> None:
        if self._attached:
            self.notice.show_text(message, kind="warning")

    def _show_status(self, text: str, kind: str) -> None:
        self.status.setText(text)
        self.status.setProperty("kind", kind)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
