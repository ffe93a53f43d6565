"""What the nurse watches while the infusion runs: the live chart, the alarms and NEWS2.

``LiveMonitor`` keeps the chart and the alarm presentation in step with two sources: the
``SessionRecord`` the screen re-reads (``show_record``) and monitor results the device bridge
delivers on the GUI thread (``apply_update``). The chart gets each observation once, a
correction replaces what it corrects, and alarms are judged by the service, never here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from console.domain.alarms import Alarm, AlarmAction, AlarmBook, AlarmParameter
from console.domain.clock import Clock
from console.domain.identity import Actor
from console.domain.infusion import InfusionEvent
from console.domain.news2 import consciousness_from, news2
from console.domain.side_effects import SideEffect
from console.domain.vitals import VitalSign, VitalSource
from console.errors import UserFacingError
from console.services.container import Services
from console.services.monitoring import MonitoringUpdate
from console.services.session_records import SessionRecord, SessionStage
from console.ui.alarms.presenter import AlarmPresenter
from console.ui.alarms.tones import SoundOutput
from console.ui.charts import VitalsChart
from console.ui.charts.vitals_chart import Marker

MONITORED = {SessionStage.RUNNING, SessionStage.PAUSED, SessionStage.RECOVERY}
TICK_MS = 1_000


def news2_text(vitals: tuple[VitalSign, ...]) -> str:
    """NEWS2 of the latest complete hand-entered set, labelled as supplementary."""
    for vital in reversed(vitals):
        if vital.source is not VitalSource.MANUAL or vital.superseded:
            continue
        try:
            score = news2(vital.values, on_oxygen=False,
                          consciousness=consciousness_from(vital.values))
        except UserFacingError:
            continue
        return (f"NEWS2 {score.total} ({score.risk.value}) at {vital.at.astimezone():%H:%M} — "
                "supplementary only, room air assumed; ketamine's expected dissociation can "
                "score as confusion.")
    return "NEWS2 — needs a full hand-entered set (RR, SpO2, BP, pulse, temperature)."


class LiveMonitor(QObject):
    def __init__(self, *, services: Services, actor: Actor, clock: Clock, session_id: int,
                 on_record: Callable[[SessionRecord], None],
                 sound_output: SoundOutput | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self._clock = clock
        self._session_id = session_id
        self._on_record = on_record
        self.charted: set[int] = set()  # ids of the sets on the chart, each drawn once
        self._loaded = False
        self._fetched_upto = 0  # the last monitor set read from the service
        self._alarm_marked: set[int] = set()
        self._charted_events: tuple[tuple[InfusionEvent, ...], Decimal | None] | None = None
        self._started: datetime | None = None
        self._active = False
        self.chart = VitalsChart(thresholds=services.monitoring_settings.thresholds(),
                                 parent=parent)
        self.chart.set_scales(services.monitoring_settings.scales())
        self._effect_markers: list[Marker] = []
        self.alarms = AlarmPresenter(clock=clock, user_name=actor.full_name,
                                     on_acknowledge=self.acknowledge,
                                     on_pause_audio=self.pause_audio,
                                     sound_output=sound_output, parent=self)
        self.news2 = QLabel(parent)
        self.news2.setObjectName("news2Line")
        self.news2.setWordWrap(True)
        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(self.tick)

    # ------------------------------------------------------------------ from the record
    def show_record(self, record: SessionRecord) -> None:
        now = self._clock.now()
        self._active = record.stage in MONITORED
        started = record.progress.started_at
        if started is not None and started != self._started:
            self._started = started
            self.chart.set_start(started)
        self._catch_up(record)
        events = (record.events, None if record.program is None
                  else record.program.concentration_mg_per_ml)
        if events != self._charted_events:
            self._charted_events = events
            self.chart.set_events(*events)
        self.news2.setText(news2_text(record.vitals))
        self._show_book(record.alarms, now)
        if self._active and not self.tick_timer.isActive():
            self.tick_timer.start()
        elif not self._active:
            self.tick_timer.stop()
            self.alarms.stop()

    # ------------------------------------------------------------------ from the monitor
    def apply_update(self, update: MonitoringUpdate) -> None:
        """A monitor result, already stored and judged by the service (GUI thread)."""
        if update.session_id != self._session_id:
            return
        if update.vital is not None:
            self._chart(update.vital)
        self.chart.add_artifacts(update.artifacts)
        self._show_book(update.book, self._clock.now())

    # ------------------------------------------------------------------ alarms
    def acknowledge(self, alarm_id: int, action: AlarmAction, note: str) -> None:
        book = self._services.monitoring.acknowledge(self._actor, self._session_id, alarm_id,
                                                     action=action, note=note)
        self._show_book(book, self._clock.now())
        self._on_record(self._services.sessions.get(self._actor, self._session_id))

    def pause_audio(self) -> None:
        book = self._services.monitoring.pause_audio(self._actor, self._session_id)
        self._show_book(book, self._clock.now())

    def check_overdue(self, record: SessionRecord) -> None:
        """Raise or clear the overdue-observation alarm when it is due to change."""
        if record.stage not in MONITORED or record.locked:
            return
        now = self._clock.now()
        overdue_active = any(a.parameter is AlarmParameter.OBSERVATION_OVERDUE
                             for a in self.alarms.book.active)
        due = record.next_observation_due
        if (due is not None and now > due) or overdue_active:
            try:
                update = self._services.monitoring.check_overdue(self._actor, self._session_id)
            except UserFacingError:
                return
            self._show_book(update.book, now)

    def tick(self) -> None:
        """Once a second: flashing, the pause countdown and the tone coming back."""
        self.alarms.show_book(self.alarms.book, self._clock.now())

    def stop(self) -> None:
        self.tick_timer.stop()
        self.alarms.stop()

    # ------------------------------------------------------------------ internals
    def show_side_effects(self, effects: Sequence[SideEffect]) -> None:
        """One marker per logged effect at its onset (the list is the session's whole list)."""
        for marker in self._effect_markers:
            self.chart.remove_marker(marker)
        self._effect_markers = [
            self.chart.add_side_effect_marker(e.onset_at, f"{e.term} (grade {e.grade.value})")
            for e in effects]

    def _catch_up(self, record: SessionRecord) -> None:
        """Hand-entered sets come with the record; the monitor's are read once in full when
        the screen opens (one batch into the chart), then only those stored since."""
        if not self._loaded:
            if record.progress.started_at is None and not record.vitals:
                return
            device = self._services.monitoring.device_sets(self._actor, self._session_id)
            every = sorted((*record.vitals, *device), key=lambda v: (v.at, v.id))
            self.chart.replace_vitals(every, record.artifacts)
            self.charted.update(v.id for v in every)
            self._fetched_upto = max((v.id for v in device), default=0)
            self._loaded = True
            return
        for vital in record.vitals:
            self._chart(vital)
        for vital in self._services.monitoring.device_sets(self._actor, self._session_id,
                                                           after_id=self._fetched_upto):
            self._fetched_upto = max(self._fetched_upto, vital.id)
            self._chart(vital)
        self.chart.add_artifacts(record.artifacts)

    def _chart(self, vital: VitalSign) -> None:
        if vital.id in self.charted:
            return
        self.charted.add(vital.id)
        self.chart.append(vital)  # a correction takes the set it corrects off the chart

    def _show_book(self, book: AlarmBook, now: datetime) -> None:
        if book.updated_at is not None and self.alarms.book.updated_at is not None \
                and book.updated_at < self.alarms.book.updated_at:
            return  # an older book arrived after a newer one
        if not self._active:
            book = AlarmBook(resolved=(*book.resolved, *book.active))
        self.alarms.show_book(book, now)
        for alarm in (*book.active, *book.resolved):
            self._mark(alarm)
        self.chart.set_alarm_states({a.parameter: a.priority for a in book.active})

    def _mark(self, alarm: Alarm) -> None:
        if alarm.id in self._alarm_marked or self._started is None:
            return
        self._alarm_marked.add(alarm.id)
        self.chart.add_alarm_marker(alarm.raised_at, alarm.parameter.value.replace("_", " "),
                                    alarm.priority)
