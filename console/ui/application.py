"""The Qt application: theme, crash handling, and the sign-in -> main window -> sign-out loop."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import traceback
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from console.domain.clock import Clock, SystemClock
from console.domain.identity import Actor, Role
from console.errors import UserFacingError
from console.paths import resource_path
from console.services.container import Services
from console.ui.login import LoginDialog, SetupDialog
from console.ui.main_window import MainWindow, Outcome

if TYPE_CHECKING:
    from console.ui.devices import DeviceBridge

log = logging.getLogger("console.ui")
qt_log = logging.getLogger("console.qt")

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def apply_theme(app: QApplication) -> None:
    font = QFont(app.font())
    font.setPointSize(11)
    app.setFont(font)
    style = resource_path("styles", "dark.qss").read_text(encoding="utf-8")
    # Style-sheet URLs are resolved against the working directory: make them absolute.
    icons = resource_path("icons").as_posix()
    app.setStyleSheet(style.replace("@ICONS@", icons))


def _route_qt_messages(mode: QtMsgType, _context: Any, message: str) -> None:
    qt_log.log(_QT_LEVELS.get(mode, logging.WARNING), "%s", message)


class FirstPaintReporter(QObject):
    """Prints ``first-paint`` when the first window paints; with ``quit`` also closes it.

    Set by CONSOLE_REPORT_FIRST_PAINT=quit (or 1) | print: bench/startup.py times start-up
    from outside the process, and the real-window test waits for the window this way.
    """

    def __init__(self, target: QWidget, *, quit_after: bool) -> None:
        super().__init__(target)
        self._target = target
        self._quit_after = quit_after
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and watched is self._target:
            self._target.removeEventFilter(self)
            print(f"first-paint {time.perf_counter():.6f}", flush=True)
            if self._quit_after:
                # Closing inside the paint event would flush a window that is going away.
                QTimer.singleShot(0, self._target.close)
        return False


def first_paint_mode() -> str:
    return os.environ.get("CONSOLE_REPORT_FIRST_PAINT", "")


class ConsoleApplication:
    def __init__(self, argv: list[str], *, log_tail: object = None) -> None:
        QApplication.setApplicationName("Ketamine Infusion Console")
        QApplication.setOrganizationName("KetamineConsole")
        self.qapp = QApplication.instance() or QApplication(argv)
        self._log_tail = log_tail
        qInstallMessageHandler(_route_qt_messages)
        apply_theme(self.qapp)  # type: ignore[arg-type]
        self._previous_hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook = self._on_unhandled
        threading.excepthook = self._on_thread_unhandled

    # -------------------------------------------------------------- the sign-in loop
    def run(self, *, services: Services, clock: Clock, database_label: str,
            monitor: DeviceBridge | None = None) -> int:
        while True:
            actor = self._sign_in(services, database_label)
            if actor is None:
                return 0
            outcome = self._run_main_window(services, actor, clock, database_label, monitor)
            if outcome is not Outcome.SIGNED_OUT:
                return 0

    def _sign_in(self, services: Services, database_label: str) -> Actor | None:
        dialog: LoginDialog | SetupDialog
        if services.auth.needs_setup():
            dialog = SetupDialog(services=services, database_label=database_label)
        else:
            dialog = LoginDialog(services=services, clinic_name=services.settings.clinic_name(),
                                 database_label=database_label)
        if first_paint_mode() in {"1", "quit", "print"}:
            FirstPaintReporter(dialog, quit_after=first_paint_mode() != "print")
        try:
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            return dialog.actor if accepted else None
        finally:
            dialog.deleteLater()

    def _run_main_window(
        self, services: Services, actor: Actor, clock: Clock, database_label: str,
        monitor: DeviceBridge | None = None,
    ) -> Outcome:
        window = MainWindow(
            services=services, actor=actor, clock=clock,
            clinic_name=services.settings.clinic_name(), database_label=database_label,
            idle_lock_minutes=services.settings.security_policy().idle_lock_minutes,
            monitor=monitor,
        )
        window.show()
        window.start_idle_lock()
        self.qapp.exec()
        outcome = window.outcome
        window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return outcome

    # -------------------------------------------------------------- errors
    def show_fatal(self, error: UserFacingError) -> None:
        box = QMessageBox(QMessageBox.Icon.Critical, error.title, error.message)
        box.exec()

    def _on_unhandled(
        self, kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        if isinstance(value, UserFacingError):
            # An expected error that a screen failed to catch: show it, it is not a crash.
            log.warning("uncaught expected error: %s", value.message)
            QMessageBox.warning(QApplication.activeWindow(), value.title, value.message)
            return
        log.critical("unexpected error", exc_info=value)
        details = "".join(traceback.format_exception(kind, value, tb))
        tail = getattr(self._log_tail, "tail", lambda: "")()
        box = QMessageBox(QApplication.activeWindow())
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("Unexpected error")
        box.setText(
            "The console met an unexpected error. Everything saved before it is safe. "
            "Check that your last entry appears; if it does not, enter it again. "
            "If this repeats, tell the clinic's administrator."
        )
        box.setDetailedText(f"{details}\n--- recent log ---\n{tail}")
        box.exec()

    def _on_thread_unhandled(self, hook_args: threading.ExceptHookArgs) -> None:
        log.critical(
            "unexpected error in thread %s", getattr(hook_args.thread, "name", "?"),
            exc_info=hook_args.exc_value,
        )

    def shutdown(self) -> None:
        """Close and delete every window before the interpreter exits (pyqtgraph needs it)."""
        for widget in QApplication.topLevelWidgets():
            widget.close()
            widget.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.qapp.processEvents()
        sys.excepthook, threading.excepthook = self._previous_hooks
        qInstallMessageHandler(None)


def window_self_test(services: Services) -> None:
    """Open the sign-in window and a main window offscreen, paint them, close and delete them."""
    app = ConsoleApplication(sys.argv[:1])
    try:
        probe = Actor(user_id=0, username="self-test", full_name="Self test", role=Role.NURSE)
        login = LoginDialog(services=services, clinic_name=services.settings.clinic_name(),
                            database_label="self-test")
        window = MainWindow(services=services, actor=probe, clock=SystemClock(),
                            clinic_name=services.settings.clinic_name() or "Self test",
                            database_label="self-test", idle_lock_minutes=10,
                            remember_geometry=False)
        for widget in (login, window):
            widget.show()
            app.qapp.processEvents()
            if widget.grab().isNull():
                raise RuntimeError(f"{type(widget).__name__} did not paint")
            widget.close()
    finally:
        app.shutdown()
