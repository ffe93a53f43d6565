"""Training mode: the bundled monitor simulator, sending to this console's own listener.

Only the demonstration clinic offers it (the composition root decides). It runs
``console.devices.simulator.run`` in a worker thread, in real time, over real MLLP, so the
readings, NAKs, alarms and feed loss are the console's own; ``stop()`` ends it within a moment.
"""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QObject, Qt, Signal, Slot

from console.devices.simulator import SCENARIOS, run

log = logging.getLogger("console.ui")

SCENARIO_LABELS: dict[str, str] = {
    "normal": "Normal session",
    "hypertension": "Hypertensive rise",
    "desaturation": "Desaturation",
    "feed-loss": "Feed loss",
}
if set(SCENARIO_LABELS) != set(SCENARIOS):  # pragma: no cover - a new scenario needs a label
    raise RuntimeError("every simulator scenario needs a label")


class _Stopped(Exception):
    """Raised from the simulator's sleep to end the run."""


class TrainingSimulator(QObject):
    """Signals:
        runningChanged(bool): the simulator started or ended (queued to the GUI thread).
    """

    runningChanged = Signal(bool)
    _ended = Signal(object)

    def __init__(self, *, address: tuple[str, int], speed: float = 1.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._address = address
        self._speed = speed
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.scenario: str | None = None
        self.session_id: int | None = None
        self._ended.connect(self._on_ended, Qt.ConnectionType.QueuedConnection)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, scenario: str, *, session_id: int, patient_id: str) -> None:
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}")
        if self._thread is not None:
            self.stop()
        self._stop.clear()
        self.scenario = scenario
        self.session_id = session_id
        thread = threading.Thread(target=self._run, args=(scenario, patient_id),
                                  name="training-simulator", daemon=True)
        self._thread = thread
        thread.start()
        log.info("Training simulator started (%s)", scenario)
        self.runningChanged.emit(True)

    def stop(self, timeout: float = 5.0) -> None:
        """End the run and wait for the worker (it stops at its next pause, within a second)."""
        thread = self._thread
        if thread is None:
            return
        self._stop.set()
        thread.join(timeout)
        if thread.is_alive():  # pragma: no cover - a listener that never answers
            log.error("Training simulator did not stop within %.1f s", timeout)
        self._finish(thread)

    # ------------------------------------------------------------------ worker thread
    def _sleep(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise _Stopped

    def _clock(self) -> float:
        # Read before every message, so a stop is seen even when no pause is needed.
        if self._stop.is_set():
            raise _Stopped
        return time.monotonic()

    def _run(self, scenario: str, patient_id: str) -> None:
        host, port = self._address
        try:
            result = run(host, port, scenario=scenario, speed=self._speed, patient_id=patient_id,
                         clock=self._clock, sleep=self._sleep)
            log.info("Training simulator ended: %d sent, %d acknowledged", result.sent,
                     result.acked)
        except _Stopped:
            log.info("Training simulator stopped")
        except Exception:
            log.exception("Training simulator failed")
        finally:
            self._ended.emit(threading.current_thread())

    # ------------------------------------------------------------------ GUI thread
    @Slot(object)
    def _on_ended(self, thread: object) -> None:
        self._finish(thread)

    def _finish(self, thread: object) -> None:
        if self._thread is thread:
            self._thread = None
            self.runningChanged.emit(False)
