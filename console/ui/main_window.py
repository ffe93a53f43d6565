"""The main window: a header with who is signed in, navigation by role, and the idle lock."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from console import __version__
from console.domain.clock import Clock
from console.domain.identity import Actor, Role
from console.services.container import Services
from console.ui.account_panel import AccountPanel
from console.ui.idle import IdleWatcher
from console.ui.lock_page import LockPage

if TYPE_CHECKING:
    from console.ui.devices import DeviceBridge


class Outcome(enum.Enum):
    QUIT = "quit"
    SIGNED_OUT = "signed out"


@dataclass(frozen=True)
class Area:
    title: str
    roles: frozenset[Role]
    build: Callable[[Services, Actor], QWidget]


def _administration(services: Services, actor: Actor) -> QWidget:
    from console.ui.admin import AdministrationView

    return AdministrationView(services=services, actor=actor)


def _patients(services: Services, actor: Actor) -> QWidget:
    from console.ui.patients import PatientsView

    return PatientsView(services=services, actor=actor)


def _library(services: Services, actor: Actor) -> QWidget:
    from console.ui.protocols import LibraryView

    return LibraryView(services=services, actor=actor)


def _today(services: Services, actor: Actor, monitor: DeviceBridge | None = None) -> QWidget:
    from console.ui.session import TodayView
    from console.ui.session.common import ServiceClock

    return TodayView(services=services, actor=actor, clock=ServiceClock(services.sessions),
                     monitor=monitor)


AREAS = (
    Area("Today", frozenset({Role.NURSE, Role.CLINICIAN}), _today),
    Area("Patients", frozenset(Role), _patients),
    Area("Drug library", frozenset(Role), _library),
    Area("Administration", frozenset({Role.ADMINISTRATOR}), _administration),
    Area("My account", frozenset(Role),
         lambda services, actor: AccountPanel(services=services, actor=actor)),
)


class MainWindow(QMainWindow):
    """Signals:
        finished(Outcome): the user signed out or closed the window.
    """

    finished = Signal(object)

    def __init__(
        self, *, services: Services, actor: Actor, clock: Clock, clinic_name: str,
        database_label: str, idle_lock_minutes: int, remember_geometry: bool = True,
        monitor: DeviceBridge | None = None, parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._remember_geometry = remember_geometry
        self._services = services
        self._actor = actor
        self._clock = clock
        self.outcome = Outcome.QUIT
        self._hidden_while_locked: list[QWidget] = []
        self.setWindowTitle(f"{clinic_name} — Ketamine Infusion Console")
        self.setMinimumSize(1100, 700)

        self.header = self._build_header(clinic_name)
        self.nav = QListWidget(self)
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(220)
        self.pages = QStackedWidget(self)
        self.areas: dict[str, QWidget] = {}
        for area in AREAS:
            if actor.role in area.roles:
                page = (_today(services, actor, monitor) if area.build is _today
                        else area.build(services, actor))
                self.areas[area.title] = page
                self.pages.addWidget(page)
                QListWidgetItem(area.title, self.nav)
        self.nav.currentRowChanged.connect(self._show_area)
        self._follow_administration_changes()

        body = QWidget(self)
        body_layout = QHBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.setSpacing(0)
        body_layout.addWidget(self.nav)
        body_layout.addWidget(self.pages, 1)
        self.content = QWidget(self)
        content_layout = QVBoxLayout(self.content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(0)
        content_layout.addWidget(self.header)
        content_layout.addWidget(body, 1)

        self.lock_page = LockPage(auth=services.auth, actor=actor, parent=self)
        self.lock_page.unlocked.connect(self.unlock)
        self.lock_page.sign_out_requested.connect(lambda: self.sign_out("signed out when locked"))
        self.screens = QStackedWidget(self)
        self.screens.addWidget(self.content)
        self.screens.addWidget(self.lock_page)
        self.setCentralWidget(self.screens)
        self._build_status_bar(database_label)
        if monitor is not None:
            feed_status = QLabel(monitor.status_text(), self.statusBar())
            feed_status.setObjectName("monitorFeedStatus")
            self.statusBar().addWidget(feed_status)

        self.idle = IdleWatcher(timeout_ms=idle_lock_minutes * 60_000, parent=self)
        self.idle.idle_timed_out.connect(self.lock)
        self.nav.setCurrentRow(0)
        self._restore_geometry()

    # ------------------------------------------------------------------ building
    def _build_header(self, clinic_name: str) -> QFrame:
        header = QFrame(self)
        header.setObjectName("header")
        layout = QHBoxLayout(header)
        layout.setContentsMargins(18, 10, 14, 10)
        clinic = QLabel(clinic_name, header)
        clinic.setObjectName("clinicName")
        self.clinic_label = clinic
        who = QLabel(f"{self._actor.full_name} · {self._actor.role.label}", header)
        who.setObjectName("userBadge")
        self.lock_button = QPushButton("Lock", header)
        self.lock_button.setToolTip("Lock the console now; your screen stays as it is.")
        self.lock_button.clicked.connect(self.lock)
        self.sign_out_button = QPushButton("Sign out", header)
        self.sign_out_button.clicked.connect(lambda: self.sign_out("signed out"))
        layout.addWidget(clinic)
        layout.addStretch(1)
        layout.addWidget(who)
        layout.addSpacing(12)
        layout.addWidget(self.lock_button)
        layout.addWidget(self.sign_out_button)
        return header

    def _follow_administration_changes(self) -> None:
        """A renamed clinic or a new idle-lock time takes effect at once, not at next sign-in."""
        admin = self.areas.get("Administration")
        if admin is None:
            return
        admin.clinic_renamed.connect(self._on_clinic_renamed)  # type: ignore[attr-defined]
        admin.security_policy_changed.connect(  # type: ignore[attr-defined]
            lambda policy: self.idle.set_timeout_ms(policy.idle_lock_minutes * 60_000))

    def _on_clinic_renamed(self, name: str) -> None:
        self.clinic_label.setText(name)
        self.setWindowTitle(f"{name} — Ketamine Infusion Console")

    def _build_status_bar(self, database_label: str) -> None:
        status = self.statusBar()
        status.addWidget(QLabel(database_label, status))
        status.addPermanentWidget(QLabel(f"version {__version__}", status))
        self.clock_label = QLabel(status)
        status.addPermanentWidget(self.clock_label)
        self._clock_timer = QTimer(self)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start(1000)
        self._tick()

    def _tick(self) -> None:
        self.clock_label.setText(self._clock.now().astimezone().strftime("%a %d %b %Y  %H:%M"))

    def _show_area(self, row: int) -> None:
        if row < 0:
            return
        page = self.pages.widget(row)
        if page is None:
            return
        self.pages.setCurrentWidget(page)
        refresh = getattr(page, "refresh", None)
        if callable(refresh):
            refresh()

    # ------------------------------------------------------------------ lock and sign-out
    @property
    def is_locked(self) -> bool:
        return self.screens.currentWidget() is self.lock_page

    def start_idle_lock(self) -> None:
        self.idle.start()

    def lock(self) -> None:
        if self.is_locked:
            return
        # Dialogs opened from the console are hidden, not closed: what was typed survives.
        self._hidden_while_locked = [
            widget for widget in QApplication.topLevelWidgets()
            if widget is not self and widget.isVisible() and widget.isWindow()
        ]
        for widget in self._hidden_while_locked:
            widget.hide()
        self.screens.setCurrentWidget(self.lock_page)
        self.lock_page.prepare()
        self._services.auth.record_idle_lock(self._actor)

    def unlock(self) -> None:
        self.screens.setCurrentWidget(self.content)
        for widget in self._hidden_while_locked:
            widget.show()
        self._hidden_while_locked = []
        self.idle.reset()

    def sign_out(self, why: str) -> None:
        self.outcome = Outcome.SIGNED_OUT
        self._services.auth.record_sign_out(self._actor, why=why)
        self.close()

    # ------------------------------------------------------------------ Qt events
    def closeEvent(self, event: QCloseEvent) -> None:
        self.idle.stop()
        self._clock_timer.stop()
        if self._remember_geometry:
            QSettings().setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)
        self.finished.emit(self.outcome)

    def _restore_geometry(self) -> None:
        geometry = QSettings().value("main_window/geometry") if self._remember_geometry else None
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            # First start on this PC: most of the screen, so nothing is cut off.
            screen = QApplication.primaryScreen()
            area = screen.availableGeometry() if screen is not None else None
            if area is not None and area.width() >= 1200:
                self.resize(int(area.width() * 0.92), int(area.height() * 0.92))
            else:
                self.resize(1400, 880)
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
