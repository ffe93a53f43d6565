"""The monitor feed in the window: the thread bridge delivers to the GUI thread, and the session
screen follows the feed (a real listener on a free port, real MLLP, a real database)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QObject, QThread, Slot

from console.app import _open_monitor_feed
from console.config import AppConfig, sqlite_url
from console.devices.hl7 import build_oru
from console.devices.mllp import MllpClient
from console.devices.simulator import run
from console.domain.alarms import AlarmParameter
from console.domain.vitals import VitalSource
from console.services.device_feed import NO_SESSION, DeviceFeed
from console.services.monitoring import MonitoringUpdate
from console.ui.devices import DeviceBridge
from tests.ui.session.test_session_screen import open_view, running
from tests.ui.session_support import programmed


@pytest.fixture
def nurse(services):  # type: ignore[no-untyped-def]
    """Nora Kim on the seeded demonstration clinic."""
    services.demo.seed()
    return services.auth.sign_in("nkim", "nurse-demo-1")


@contextmanager
def monitor_bridge(services, *, feed_timeout: float = 30.0, training: bool = False,  # type: ignore[no-untyped-def]
                   training_speed: float = 1.0) -> Iterator[DeviceBridge]:
    """A started feed on a free port and its bridge; both closed afterwards."""
    feed = DeviceFeed(monitoring=services.monitoring, host="127.0.0.1", port=0,
                      feed_timeout=feed_timeout).start()
    bridge = DeviceBridge(feed, training=training, training_speed=training_speed)
    try:
        yield bridge
    finally:
        bridge.close()
        feed.close()
        bridge.deleteLater()
        QCoreApplication.processEvents()


def oru(control_id: str, mrn: str, *, spo2: int = 97, at=None) -> str:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    when = at or datetime.now(UTC)
    return build_oru(control_id, [
        ("149530", "MDC_PULS_OXIM_PULS_RATE", "MDC", "84", "/min", when),
        ("150456", "MDC_PULS_OXIM_SAT_O2", "MDC", str(spo2), "%", when),
        ("151562", "MDC_RESP_RATE", "MDC", "14", "/min", when),
    ], at=when, patient_id=mrn)


def msa(ack: str) -> list[str]:
    return next(s for s in ack.split("\r") if s.startswith("MSA|")).split("|")


def shown_alarms(view) -> set[AlarmParameter]:  # type: ignore[no-untyped-def]
    """The parameters of the alarms the session screen shows as active."""
    return {a.parameter for a in view.monitor.alarms.book.active}


class Receiver(QObject):
    """A GUI-thread object that notes which thread each slot ran on."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, object, int, bool]] = []

    def _note(self, kind: str, value: object) -> None:
        app = QCoreApplication.instance()
        assert app is not None
        self.calls.append((kind, value, threading.get_ident(),
                           QThread.currentThread() is app.thread()))

    @Slot(object)
    def on_update(self, update: object) -> None:
        self._note("update", update)

    @Slot(bool)
    def on_feed(self, lost: bool) -> None:
        self._note("feed", lost)

    @Slot(str)
    def on_refused(self, message: str) -> None:
        self._note("refused", message)

    def kinds(self) -> list[str]:
        return [kind for kind, *_ in self.calls]


def test_feed_callbacks_reach_the_slots_on_the_gui_thread_queued(  # type: ignore[no-untyped-def]
        qtbot, services, nurse):
    record = running(services, nurse)
    mrn = record.patient.mrn
    receiver = Receiver()
    with monitor_bridge(services, feed_timeout=0.4) as bridge:
        bridge.subscribe(updated=receiver.on_update, feed=receiver.on_feed,
                         refused=receiver.on_refused)
        # Queued even from the GUI thread: the slot runs from the event loop, not in emit().
        bridge.refused.emit("from the GUI thread")
        assert receiver.calls == []
        qtbot.waitUntil(lambda: receiver.kinds() == ["refused"])
        receiver.calls.clear()

        [listener] = [t for t in threading.enumerate() if t.name == "mllp-listener"]
        with MllpClient(*bridge.address) as client:
            assert msa(client.send(oru("B1", mrn)))[1:4] == ["AE", "B1", NO_SESSION]
            bridge.attach(record.id, patient_mrn=mrn)
            assert bridge.attached_session == record.id
            assert msa(client.send(oru("B2", mrn)))[1] == "AA"
        # then silence: the feed is lost, and the session that had readings gets the alarm
        qtbot.waitUntil(lambda: receiver.kinds() == ["refused", "update", "feed", "update"],
                        timeout=5000)

    main = threading.get_ident()
    assert all(ident == main and on_gui for _, _, ident, on_gui in receiver.calls)
    assert listener.ident != main
    refused, update, feed, alarm = (value for _, value, *_ in receiver.calls)
    assert refused == f"Monitor message refused: {NO_SESSION}"
    assert isinstance(update, MonitoringUpdate)
    assert update.session_id == record.id
    assert update.vital is not None
    assert update.vital.source is VitalSource.DEVICE
    assert feed is True
    assert isinstance(alarm, MonitoringUpdate)
    assert [a.parameter for a in alarm.raised] == [AlarmParameter.DEVICE_FEED]


def test_the_session_screen_follows_the_feed_and_detaches_when_it_closes(  # type: ignore[no-untyped-def]
        qtbot, services, nurse, clock):
    record = running(services, nurse)
    mrn = record.patient.mrn
    with monitor_bridge(services) as bridge:
        view = open_view(qtbot, services, nurse, clock, record.id)
        panel = view.attach_monitor(bridge)
        assert bridge.attached_session == record.id
        assert panel.isVisible()
        assert "no readings yet" in panel.status.text()
        assert not panel.training_box.isVisible()  # not a training console

        result = run(*bridge.address, count=3, speed=1000, patient_id=mrn,
                     start_at=clock.now() - timedelta(minutes=1))
        assert result.acked == 3
        qtbot.waitUntil(lambda: "HR" in panel.status.text())
        shown = panel.status.text()
        for label in ("SpO2", "RR", "BP"):
            assert label in shown

        # A desaturation from the monitor raises an alarm the screen shows at once.
        with MllpClient(*bridge.address) as client:
            assert msa(client.send(oru("D1", mrn, spo2=88, at=clock.now())))[1] == "AA"
        qtbot.waitUntil(lambda: AlarmParameter.SPO2 in shown_alarms(view))

        # A message for another patient shows why it was refused.
        with MllpClient(*bridge.address) as client:
            assert msa(client.send(oru("X1", "DEMO0001" if mrn != "DEMO0001"
                                       else "DEMO0002")))[1] == "AE"
        qtbot.waitUntil(lambda: panel.notice.isVisible())
        assert "another patient" in panel.notice.text()

        view.stop_timers()  # the screen closes
        assert bridge.attached_session is None
        with MllpClient(*bridge.address) as client:
            assert msa(client.send(oru("C1", mrn)))[3] == NO_SESSION


def test_a_session_not_yet_started_is_not_attached(qtbot, services, nurse, clock):  # type: ignore[no-untyped-def]
    record = programmed(services, nurse)
    with monitor_bridge(services) as bridge:
        view = open_view(qtbot, services, nurse, clock, record.id)
        panel = view.attach_monitor(bridge)
        assert bridge.attached_session is None
        assert not panel.isVisible()


def test_a_port_in_use_leaves_the_console_running_and_says_so(  # type: ignore[no-untyped-def]
        qtbot, services, nurse, clock, tmp_path: Path):
    record = running(services, nurse)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        config = AppConfig(data_dir=tmp_path, database_url=sqlite_url(tmp_path / "x.sqlite3"),
                           device_port=port)
        feed, bridge = _open_monitor_feed(config, services, demo=False)
    try:
        assert not feed.running
        assert bridge.problem == f"monitor feed unavailable: port {port} in use"
        assert bridge.training is None
        view = open_view(qtbot, services, nurse, clock, record.id)
        panel = view.attach_monitor(bridge)
        assert panel.status.text() == f"monitor feed unavailable: port {port} in use"
    finally:
        bridge.close()
        feed.close()
        bridge.deleteLater()
