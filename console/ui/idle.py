"""Automatic lock after a period without keyboard or mouse input (HIPAA automatic logoff)."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_ACTIVITY = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin,
})


class IdleWatcher(QObject):
    """Emits ``idle_timed_out`` once the application has seen no input for ``timeout_ms``.

    Signals:
        idle_timed_out(): no input for the whole timeout; emitted once until ``reset``.
    """

    idle_timed_out = Signal()

    def __init__(self, *, timeout_ms: int, check_every_ms: int = 1000,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timeout_ms = timeout_ms
        self._since_input = QElapsedTimer()
        self._since_input.start()
        self._fired = False
        self._timer = QTimer(self)
        self._timer.setInterval(check_every_ms)
        self._timer.timeout.connect(self._check)

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.reset()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def set_timeout_ms(self, timeout_ms: int) -> None:
        self._timeout_ms = timeout_ms

    def reset(self) -> None:
        self._since_input.restart()
        self._fired = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and not self._fired:
            self._since_input.restart()
        return False

    def _check(self) -> None:
        if not self._fired and self._since_input.elapsed() >= self._timeout_ms:
            self._fired = True
            self.idle_timed_out.emit()
