"""The session screen: one patient's infusion from check-in to the signed record.

Everything shown comes from the ``SessionRecord`` the service returns: after each action, and
by re-reading the service every few seconds (live figures are computed from recorded event
times, never from a widget timer). While a started session is open the screen tells the service
it is alive (``heartbeat``) every 30 s, so a silence shows later as a gap to check.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain.clock import Clock
from console.domain.identity import Actor
from console.domain.infusion import PumpState
from console.domain.units import Unit, format_quantity
from console.errors import UserFacingError
from console.services.container import Services
from console.services.session_records import SessionRecord, SessionStage
from console.ui.messages import InlineMessage
from console.ui.protocols.describe import drug_name
from console.ui.session.after import AddendaSection, DischargeSection, SignSection
from console.ui.session.common import STAGE_LABELS, clock_time, set_kind
from console.ui.session.monitor import LiveMonitor
from console.ui.session.prestart import (
    BlindCheckPanel,
    CancelSection,
    ChecklistPanel,
    DoubleCheckSection,
    PreparationSection,
    ProgramSection,
    WeightSection,
)
from console.ui.session.running import ActionsSection, LivePanel, TimelineList
from console.ui.session.vitals import VitalsEntry
from console.ui.widgets.banners import AllergyBanner, Banner, IdentityBanner
from console.ui.widgets.tables import vertical_scroll

if TYPE_CHECKING:
    from console.ui.devices import DeviceBridge, MonitorPanel

RELOAD_MS = 5_000
HEARTBEAT_MS = 30_000


class SessionView(QWidget):
    """Signals:
        back_requested(): the nurse wants the Today list again.
        cancelled(): the session was cancelled before the start (the record holds why).
    """

    back_requested = Signal()
    cancelled = Signal()

    def __init__(self, *, services: Services, actor: Actor, clock: Clock, session_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionView")
        self._services = services
        self._sessions = services.sessions
        self._actor = actor
        self._clock = clock
        self.session_id = session_id
        self.record: SessionRecord | None = None
        self.gap: tuple[datetime, datetime] | None = None
        self._verified: tuple[int, bool] | None = None
        self.monitor_panel: MonitorPanel | None = None  # see attach_monitor
        kw: dict[str, Any] = {"sessions": self._sessions, "actor": actor, "session_id": session_id,
              "on_record": self.apply}
        scales = services.monitoring_settings.scales()

        # ---- always on top: who, what stage, what must not be missed
        self.back_button = QPushButton("← Today", self)
        self.back_button.setObjectName("backToTodayButton")
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.back_requested)
        self.identity = IdentityBanner(self)
        self.allergies = AllergyBanner(self)
        self.stage_label = QLabel(self)
        self.stage_label.setObjectName("stageBadge")
        self.stage_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.protocol_label = QLabel(self)
        self.protocol_label.setObjectName("protocolLine")
        self.protocol_label.setWordWrap(True)
        self.load_error = InlineMessage(self)
        self.gap_banner = Banner(self, kind="danger")
        self.gap_ack = QPushButton("Pump checked", self)
        self.gap_ack.setObjectName("gapAckButton")
        self.gap_ack.setAutoDefault(False)
        self.gap_ack.clicked.connect(self.acknowledge_gap)
        self.gap_ack.hide()
        self.locked_banner = Banner(self, kind="locked")
        self.total_banner = Banner(self, kind="warning")

        # ---- before the start
        self.weight = WeightSection(**kw)
        self.preparation = PreparationSection(clock=clock, **kw)
        self.program = ProgramSection(**kw)
        self.double_check = DoubleCheckSection(on_record=self.apply)
        self.double_check.begin.connect(self.begin_double_check)
        self.baseline = VitalsEntry("5  Baseline vitals (within 30 min before the start)",
                                    clock=clock, scales=scales, **kw)
        self.checklist = ChecklistPanel(clock=clock, auth=services.auth, **kw)
        self.cancel = CancelSection(**kw)
        self.cancel.cancelled.connect(self.cancelled)
        self.blind = BlindCheckPanel(sessions=self._sessions, session_id=session_id,
                                     on_record=self.apply)
        self.blind.done.connect(self.end_double_check)
        self.blind.cancelled.connect(self.end_double_check)

        # ---- during and after
        self.live = LivePanel()
        self.infusion_actions = ActionsSection(clock=clock, **kw)
        self.observations = VitalsEntry("Observations", clock=clock, scales=scales, **kw)
        self.discharge = DischargeSection(**kw)
        self.sign = SignSection(**kw)
        self.addenda = AddendaSection(**kw)
        self.timeline = TimelineList()
        self.timeline.correct_requested.connect(self.observations.open_correction)
        # Imported here: the side-effect screens build on this package's common helpers.
        from console.ui.side_effects.panel import SideEffectsPanel
        from console.ui.side_effects.review import SideEffectReviewSection

        self.side_effects = SideEffectsPanel(side_effects=services.side_effects, clock=clock, **kw)
        self.side_effects.effects_changed.connect(self.timeline.set_side_effects)
        self.side_effect_review = SideEffectReviewSection(side_effects=services.side_effects, **kw)
        self.monitor = LiveMonitor(services=services, actor=actor, clock=clock,
                                   session_id=session_id, on_record=self.apply, parent=self)
        self.side_effects.effects_changed.connect(self.monitor.show_side_effects)
        self.monitor.chart.time_picked.connect(self._log_side_effect_at)

        self.pages = QStackedWidget(self)
        self.prestart_page = self._build_prestart_page()
        self.pages.addWidget(self.prestart_page)
        self.pages.addWidget(self._build_blind_page())
        self.pages.addWidget(self._build_course_page())

        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        who = QVBoxLayout()
        who.setSpacing(4)
        who.addWidget(self.identity)
        who.addWidget(self.allergies)
        top.addLayout(who, 1)
        stage_column = QVBoxLayout()
        stage_column.addWidget(self.stage_label)
        stage_column.addWidget(self.protocol_label)
        top.addLayout(stage_column)
        alarm_row = QHBoxLayout()
        alarm_row.addWidget(self.monitor.alarms.bar, 1)
        alarm_row.addWidget(self.monitor.alarms.pause_button)
        gap_row = QHBoxLayout()
        gap_row.addWidget(self.gap_banner, 1)
        gap_row.addWidget(self.gap_ack)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addLayout(alarm_row)
        layout.addWidget(self.load_error)
        layout.addLayout(gap_row)
        layout.addWidget(self.locked_banner)
        layout.addWidget(self.total_banner)
        layout.addWidget(self.pages, 1)

        self.reload_timer = QTimer(self)
        self.reload_timer.setInterval(RELOAD_MS)
        self.reload_timer.timeout.connect(self.reload)
        self.heartbeat_timer = QTimer(self)
        self.heartbeat_timer.setInterval(HEARTBEAT_MS)
        self.heartbeat_timer.timeout.connect(self.heartbeat)
        self.reload()
        self.heartbeat()
        self.reload_timer.start()
        self.heartbeat_timer.start()

    # ------------------------------------------------------------------ building
    def _build_prestart_page(self) -> QWidget:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 6, 0)
        column.setSpacing(8)
        column.addWidget(self.weight)
        column.addWidget(self.preparation)
        column.addWidget(self.program)
        column.addWidget(self.double_check)
        column.addWidget(self.baseline)
        column.addWidget(self.cancel)
        column.addStretch(1)
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(vertical_scroll(left, name="prestartScroll"), 1)
        self.checklist.setFixedWidth(360)
        row.addWidget(self.checklist)
        return page

    def _build_blind_page(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.addStretch(1)
        self.blind.setMinimumWidth(640)
        column = QVBoxLayout()
        column.addWidget(self.blind)
        column.addStretch(1)
        row.addLayout(column, 2)
        row.addStretch(1)
        return page

    def _build_course_page(self) -> QWidget:
        """Live figures on top; the chart with the alarm list beside it; below, the actions
        and observations with the timeline. The split between chart and entry moves."""
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 6, 0)
        column.setSpacing(8)
        # Scroll rather than squeeze: a form squashed to fit hides its buttons.
        column.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        for section in (self.infusion_actions, self.observations, self.discharge, self.sign,
                        self.addenda):
            column.addWidget(section)
        column.insertWidget(column.indexOf(self.discharge) + 1, self.side_effect_review)
        column.addStretch(1)
        self.right_column = QVBoxLayout()
        self.right_column.setContentsMargins(0, 0, 0, 0)
        self.right_column.addWidget(self.monitor.alarms.list_panel, 1)
        watch = QWidget()
        watch_row = QHBoxLayout(watch)
        watch_row.setContentsMargins(0, 0, 0, 0)
        chart_column = QVBoxLayout()
        chart_column.setContentsMargins(0, 0, 0, 0)
        chart_column.addWidget(self.monitor.chart, 1)
        chart_column.addWidget(self.monitor.news2)
        watch_row.addLayout(chart_column, 3)
        watch_row.addLayout(self.right_column, 1)
        timeline_box = QWidget()
        tl = QVBoxLayout(timeline_box)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.side_effects)
        heading = QLabel("Timeline", timeline_box)
        heading.setObjectName("sessionCardTitle")
        tl.addWidget(heading)
        tl.addWidget(self.timeline, 1)
        work = QWidget()
        body = QHBoxLayout(work)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(vertical_scroll(left, name="courseScroll"), 3)
        body.addWidget(timeline_box, 2)
        self.course_split = QSplitter(Qt.Orientation.Vertical)
        self.course_split.setObjectName("courseSplit")
        self.course_split.addWidget(watch)
        self.course_split.addWidget(work)
        self.course_split.setStretchFactor(0, 3)  # the chart is what the nurse watches
        self.course_split.setStretchFactor(1, 2)
        self.monitor.chart.setMinimumHeight(240)
        self.course_split.setChildrenCollapsible(False)
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.live)
        outer.addWidget(self.course_split, 1)
        return page

    # ------------------------------------------------------------------ reading
    def reload(self) -> None:
        if self.blind_mode:
            return  # nothing may redraw the program's figures while the checker types
        try:
            record = self._sessions.get(self._actor, self.session_id)
        except UserFacingError as error:
            self.load_error.show_error(error.message)
            return
        self.load_error.clear_message()
        self.apply(record)
        self.monitor.check_overdue(record)

    def heartbeat(self) -> None:
        record = self.record
        if record is None or record.locked or record.progress.state not in {
                PumpState.RUNNING, PumpState.PAUSED}:
            return
        try:
            self._sessions.heartbeat(self._actor, self.session_id)
        except UserFacingError as error:
            self.load_error.show_error(error.message)

    def stop_timers(self) -> None:
        self.reload_timer.stop()
        self.heartbeat_timer.stop()
        if self.monitor_panel is not None:
            self.monitor_panel.detach()
        self.monitor.stop()

    @property
    def blind_mode(self) -> bool:
        return self.pages.currentIndex() == 1

    def apply(self, record: SessionRecord) -> None:
        """Show ``record`` everywhere (after an action or a re-read)."""
        self.record = record
        now = self._clock.now()
        today = now.astimezone().date()
        self.identity.show_patient(record.patient, today)
        self.allergies.show_allergies(record.patient)
        self.stage_label.setText(STAGE_LABELS[record.stage])
        set_kind(self.stage_label, record.stage.value.replace(" ", "-"))
        order = record.protocol.order
        self.protocol_label.setText(
            f"{drug_name(order.drug)} · protocol v{record.protocol.version}")
        if record.gap is not None and self.gap is None:
            self.gap = record.gap
        self._show_gap()
        self.total_banner.show_text(f"⚠ {record.total_warning}") if record.total_warning \
            else self.total_banner.clear_text()

        for section in (self.weight, self.preparation, self.program, self.double_check,
                        self.checklist, self.cancel, self.observations, self.infusion_actions,
                        self.sign, self.addenda, self.timeline):
            section.show_record(record)
        self.baseline.show_record(record)
        self.side_effects.show_record(record)
        self.side_effect_review.show_record(record)
        if self.monitor_panel is not None:
            self.monitor_panel.show_record(record)
        self.monitor.show_record(record)

        preparing = record.stage is SessionStage.PREPARING
        cancelled = record.stage is SessionStage.CANCELLED
        # A session cancelled before the start never ran: its preparation stays readable,
        # and nothing more can be recorded on it.
        self.prestart_page.setEnabled(not cancelled)
        if preparing or cancelled:
            if not self.blind_mode:
                self.pages.setCurrentIndex(0)
        else:
            self.pages.setCurrentIndex(2)
            # Overdue observations raise the low-priority (cyan) alarm in the alarm bar; the
            # tile turns cyan too. No separate banner: one signal per condition.
            self.live.show_record(record, now)
        stage = record.stage
        self.observations.setVisible(stage in {SessionStage.RUNNING, SessionStage.PAUSED,
                                               SessionStage.RECOVERY})
        self.observations.title.setText("Recovery observations" if stage is
                                        SessionStage.RECOVERY else "Observations")
        self.infusion_actions.setVisible(stage in {SessionStage.RUNNING, SessionStage.PAUSED})
        self.discharge.setVisible(stage is SessionStage.RECOVERY)
        self.side_effect_review.setVisible(stage in {SessionStage.RECOVERY,
                                                     SessionStage.AWAITING_SIGNATURE})
        self.sign.setVisible(stage is SessionStage.AWAITING_SIGNATURE)
        self.addenda.setVisible(record.locked)
        if record.locked and record.signature is not None:
            intact = self._signature_intact(record.signature.id)
            self.locked_banner.show_text(
                f"🔒 SIGNED AND LOCKED — {record.signature.manifestation()}. Corrections are "
                "added as addenda; the original stays as it was."
                + (" Signature checked: the record is as signed." if intact else
                   " ⚠ THE STORED RECORD NO LONGER MATCHES ITS SIGNATURE: it was changed "
                   "outside the console. Tell the administrator; do not rely on it."),
                kind="locked" if intact else "danger")
        elif stage is SessionStage.CANCELLED:
            self.locked_banner.show_text(f"Cancelled: {record.cancelled_reason}", kind="locked")
        else:
            self.locked_banner.clear_text()
        if record.program is not None and stage is not SessionStage.PREPARING:
            self.live.delivered.caption.setText(
                f"Delivered (plan {format_quantity(record.program.total_mg, Unit.MG)})")

    def _signature_intact(self, signature_id: int) -> bool:
        """Checked once per screen: the stored record against its signature's hash."""
        if self._verified is None or self._verified[0] != signature_id:
            try:
                intact = self._sessions.signature_intact(self._actor, self.session_id)
            except UserFacingError:
                intact = False
            self._verified = (signature_id, intact)
        return self._verified[1]

    def _show_gap(self) -> None:
        if self.gap is None:
            self.gap_banner.clear_text()
            self.gap_ack.hide()
            return
        start, end = self.gap
        self.gap_banner.show_text(
            f"The console was not running from {clock_time(start)} to {clock_time(end)} — "
            "check the pump and record what happened.")
        self.gap_ack.show()

    def acknowledge_gap(self) -> None:
        self.gap = None
        self._show_gap()

    def _log_side_effect_at(self, moment: datetime) -> None:
        """A point double-clicked on the chart becomes the onset of a side effect to log."""
        record = self.record
        if record is not None and record.stage in {SessionStage.RUNNING, SessionStage.PAUSED,
                                                   SessionStage.RECOVERY}:
            self.side_effects.open_log(onset=min(moment, self._clock.now()))

    # ------------------------------------------------------------------ the monitor feed
    def attach_monitor(self, bridge: DeviceBridge) -> MonitorPanel:
        """The monitor line above the pages: the console's feed follows this session while
        it runs, and its results go to the live chart and alarms as they arrive (the record,
        with the timeline, is re-read on the usual timer: re-reading it per message would
        load every set of the session on the GUI thread)."""
        from console.ui.devices import MonitorPanel

        panel = MonitorPanel(bridge=bridge, parent=self)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.pages), panel)
        panel.update_received.connect(self.monitor.apply_update)
        self.monitor_panel = panel
        if self.record is not None:
            panel.show_record(self.record)
        return panel

    # ------------------------------------------------------------------ the double check
    def begin_double_check(self) -> None:
        """The second person's page: the program, weight and bag are not on screen."""
        self.blind.clear()
        self.pages.setCurrentIndex(1)
        self.blind.username.setFocus()

    def end_double_check(self) -> None:
        self.pages.setCurrentIndex(0)
        self.reload()
