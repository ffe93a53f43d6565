"""Training mode on the session screen: the bundled simulator sends over real MLLP to this
console's own listener (sped up here), with an unmistakable label, and stops on request."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from console.app import _open_monitor_feed
from console.config import AppConfig, sqlite_url
from console.domain.alarms import AlarmParameter
from console.ui.devices.bridge import TRAINING_DEVICE_NAME
from console.ui.devices.panel import TRAINING_TEXT
from tests.ui.session.test_session_screen import open_view, running
from tests.ui.test_device_bridge import monitor_bridge, shown_alarms


@pytest.fixture
def nurse(services):  # type: ignore[no-untyped-def]
    """Nora Kim on the seeded demonstration clinic."""
    services.demo.seed()
    return services.auth.sign_in("nkim", "nurse-demo-1")


def simulator_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "training-simulator" and t.is_alive()]


def choose(panel, label: str) -> None:  # type: ignore[no-untyped-def]
    index = panel.scenario.findText(label)
    assert index >= 0, label
    panel.scenario.setCurrentIndex(index)


def test_training_is_offered_only_in_the_demonstration_clinic(  # type: ignore[no-untyped-def]
        qtbot, services, nurse, clock, tmp_path: Path):
    record = running(services, nurse)
    config = AppConfig(data_dir=tmp_path, database_url=sqlite_url(tmp_path / "x.sqlite3"),
                       device_port=0)
    for demo in (False, True):
        feed, bridge = _open_monitor_feed(config, services, demo=demo)
        try:
            assert (bridge.training is not None) is demo
            view = open_view(qtbot, services, nurse, clock, record.id)
            panel = view.attach_monitor(bridge)
            assert panel.training_box.isVisible() is demo
            assert not panel.training_banner.isVisible()
            view.stop_timers()
        finally:
            bridge.close()
            feed.close()
            bridge.deleteLater()


def test_a_desaturation_rehearsal_raises_the_alarm_under_a_training_label_and_stops(  # type: ignore[no-untyped-def]
        qtbot, services, nurse, clock):
    record = running(services, nurse)
    # 40 simulated seconds per second: SpO2 falls below 91 % about 3 s after the start.
    with monitor_bridge(services, training=True, training_speed=40) as bridge:
        view = open_view(qtbot, services, nurse, clock, record.id)
        panel = view.attach_monitor(bridge)
        choose(panel, "Desaturation")
        qtbot.mouseClick(panel.training_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(panel.training_banner.isVisible)
        assert panel.training_banner.text().startswith(TRAINING_TEXT)
        assert "Desaturation" in panel.training_banner.text()
        assert panel.training_button.text() == "Stop simulator"
        assert not panel.scenario.isEnabled()

        qtbot.waitUntil(lambda: AlarmParameter.SPO2 in shown_alarms(view), timeout=15_000)
        assert panel.training_banner.isVisible()  # still training while the alarm shows
        device = services.monitoring.device_sets(nurse, record.id)
        assert device
        assert {v.device for v in device} == {TRAINING_DEVICE_NAME}

        qtbot.mouseClick(panel.training_button, Qt.MouseButton.LeftButton)
        assert simulator_threads() == []
        qtbot.waitUntil(lambda: not panel.training_banner.isVisible())
        assert panel.training_button.text() == "Start simulator"
        assert panel.scenario.isEnabled()
        view.stop_timers()


def test_a_feed_loss_rehearsal_raises_and_resolves_the_technical_alarm(  # type: ignore[no-untyped-def]
        qtbot, services, nurse, clock):
    record = running(services, nurse)
    # 30x: the simulated minute without readings lasts 2 s, the feed is lost after 0.5 s.
    with monitor_bridge(services, feed_timeout=0.5, training=True,
                        training_speed=30) as bridge:
        view = open_view(qtbot, services, nurse, clock, record.id)
        panel = view.attach_monitor(bridge)
        choose(panel, "Feed loss")
        qtbot.mouseClick(panel.training_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "NO READINGS" in panel.status.text(), timeout=10_000)
        qtbot.waitUntil(lambda: AlarmParameter.DEVICE_FEED in shown_alarms(view))
        qtbot.waitUntil(lambda: AlarmParameter.DEVICE_FEED not in shown_alarms(view),
                        timeout=10_000)
        assert "NO READINGS" not in panel.status.text()
        book = services.monitoring.alarms(nurse, record.id)
        assert AlarmParameter.DEVICE_FEED in {a.parameter for a in book.resolved}
        assert AlarmParameter.DEVICE_FEED not in {a.parameter for a in book.active}
        view.stop_timers()  # closing the screen stops the simulator too
        assert simulator_threads() == []
        assert not bridge.training.running  # type: ignore[union-attr]
