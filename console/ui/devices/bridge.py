"""The thread bridge: what the monitor feed reports in its listener thread, delivered to the
GUI thread by queued signals (DESIGN §5). Widgets are never touched from the listener.

The bridge is created in the GUI thread by the composition root and lives there. The feed's
callbacks only emit the bridge's signals; ``subscribe`` connects a receiver's slots with
``Qt.QueuedConnection``, so every slot runs in the receiver's (GUI) thread whatever thread
emitted. Bound methods of ``QObject``s make the receiver explicit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from console.services.device_feed import DeviceFeed
from console.ui.devices.training import TrainingSimulator

DEVICE_NAME = "Bedside monitor"
TRAINING_DEVICE_NAME = "Simulated monitor (training)"


class DeviceBridge(QObject):
    """Signals (queued to the GUI thread):
        updated(MonitoringUpdate): a message was stored (or a feed alarm changed).
        feedChanged(bool): True when the feed is lost, False when readings return.
        refused(str): a message was refused with a NAK; the text says why (no identifiers).
    """

    updated = Signal(object)
    feedChanged = Signal(bool)
    refused = Signal(str)

    def __init__(self, feed: DeviceFeed, *, problem: str = "", training: bool = False,
                 training_speed: float = 1.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._feed = feed
        self.problem = problem
        # The feed's callbacks run in the listener thread: they only emit.
        feed.on_update = self.updated.emit
        feed.on_feed = self.feedChanged.emit
        feed.on_refused = self.refused.emit
        self.training: TrainingSimulator | None = None
        if training and self.available:
            host, port = feed.address
            if host in {"0.0.0.0", ""}:  # listening on every address: send to this PC's own
                host = "127.0.0.1"
            elif host == "::":
                host = "::1"
            self.training = TrainingSimulator(address=(host, port), speed=training_speed,
                                              parent=self)

    # ------------------------------------------------------------------ state
    @property
    def available(self) -> bool:
        return self._feed.running and not self.problem

    @property
    def address(self) -> tuple[str, int]:
        return self._feed.address

    @property
    def attached_session(self) -> int | None:
        attached = self._feed.attached
        return None if attached is None else attached.session_id

    def status_text(self) -> str:
        if not self.available:
            return self.problem or "monitor feed unavailable"
        host, port = self.address
        return f"Monitor feed on {host}:{port}"

    # ------------------------------------------------------------------ the open session
    def attach(self, session_id: int, *, patient_mrn: str, device_name: str = DEVICE_NAME) -> None:
        self._feed.attach(session_id, device_name=device_name, patient_mrn=patient_mrn)

    def detach(self, session_id: int | None = None) -> None:
        self._feed.detach(session_id)

    def subscribe(self, *, updated: Callable[[Any], None] | None = None,
                  feed: Callable[[bool], None] | None = None,
                  refused: Callable[[str], None] | None = None) -> None:
        """Connect slots (bound methods of GUI-thread ``QObject``s) as queued connections."""
        for signal, slot in ((self.updated, updated), (self.feedChanged, feed),
                             (self.refused, refused)):
            if slot is not None:
                signal.connect(slot, Qt.ConnectionType.QueuedConnection)

    def close(self) -> None:
        """Stop the training simulator (the composition root closes the feed itself)."""
        if self.training is not None:
            self.training.stop()
