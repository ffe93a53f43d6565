"""The monitor feed end to end: a real MLLP listener on a free port, the real simulator and
client, and the monitoring service on a real database (SQLite, and PostgreSQL when given).

What a nurse or a monitor would notice: an AA only once the readings are stored; a NAK that
says why for anything the console cannot take, with the listener still running; impossible
values kept as artifacts; a feed loss during the infusion raising the technical alarm and the
next message resolving it. Also the start-up settings of the feed."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from console.config import load_config
from console.devices.hl7 import build_oru
from console.devices.mllp import MllpClient, frame
from console.devices.simulator import RunResult, run
from console.domain.alarms import AlarmKind, AlarmParameter
from console.domain.vitals import VitalSign, VitalSource
from console.errors import ValidationError
from console.services.container import Services
from console.services.device_feed import (
    NO_SESSION,
    OTHER_PATIENT,
    DeviceFeed,
    DeviceUnavailable,
)
from console.services.monitoring import MonitoringUpdate
from tests.services.test_sessions import Clinic
from tests.services.test_sessions import clinic as clinic_fixture  # noqa: F401 (a fixture)

DEVICE = "Bed 3 monitor"


class Heard:
    """What the feed told its subscriber (from the listener thread)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.updates: list[MonitoringUpdate] = []
        self.feed: list[bool] = []
        self.refused: list[str] = []

    def update(self, update: MonitoringUpdate) -> None:
        with self.lock:
            self.updates.append(update)

    def feed_changed(self, lost: bool) -> None:
        with self.lock:
            self.feed.append(lost)

    def refusal(self, message: str) -> None:
        with self.lock:
            self.refused.append(message)


def wait_for(condition: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


@pytest.fixture
def clinic(request: pytest.FixtureRequest, services: Services) -> Clinic:
    """The demonstration clinic of the session-service tests (``Clinic`` builds sessions);
    asking for ``services`` here lets pytest see the database parameters."""
    made: Clinic = request.getfixturevalue("clinic_fixture")
    return made


@pytest.fixture
def heard() -> Heard:
    return Heard()


def start_feed(clinic: Clinic, heard: Heard, *, feed_timeout: float = 30.0) -> DeviceFeed:
    return DeviceFeed(monitoring=clinic.services.monitoring, host="127.0.0.1", port=0,
                      feed_timeout=feed_timeout, on_update=heard.update,
                      on_feed=heard.feed_changed, on_refused=heard.refusal).start()


@pytest.fixture
def feed(clinic: Clinic, heard: Heard) -> Iterator[DeviceFeed]:
    running = start_feed(clinic, heard)
    yield running
    running.close()


def mrn(clinic: Clinic, patient: int = 0) -> str:
    return clinic.patients[patient].mrn


def attach(feed: DeviceFeed, clinic: Clinic, sid: int, patient: int = 0) -> None:
    feed.attach(sid, device_name=DEVICE, patient_mrn=mrn(clinic, patient))


def oru(clinic: Clinic, control_id: str, *, at: datetime | None = None, patient_id: str = "",
        heart_rate: str = "84", spo2: str = "97", unknown: bool = False) -> str:
    when = at or clinic.now() - timedelta(seconds=2)
    extra = [("99999", "MDC_NOT_A_VITAL", "MDC", "1", "/min", when)] if unknown else []
    return build_oru(control_id, [
        ("149530", "MDC_PULS_OXIM_PULS_RATE", "MDC", heart_rate, "/min", when),
        ("150456", "MDC_PULS_OXIM_SAT_O2", "MDC", spo2, "%", when),
        ("151562", "MDC_RESP_RATE", "MDC", "14", "/min", when),
        ("150021", "MDC_PRESS_BLD_NONINV_SYS", "MDC", "131", "mm[Hg]", when),
        ("150022", "MDC_PRESS_BLD_NONINV_DIA", "MDC", "82", "mm[Hg]", when), *extra,
    ], at=when, patient_id=patient_id or mrn(clinic))


def msa(ack: str) -> list[str]:
    return next(s for s in ack.split("\r") if s.startswith("MSA|")).split("|")


def device_sets(clinic: Clinic, sid: int) -> list[VitalSign]:
    """The monitor sets stored for the session, read from the database (a new connection)."""
    with clinic.database.read() as uow:
        return [v for v in uow.sessions.vitals(sid) if v.source is VitalSource.DEVICE]


def feed_alarms(clinic: Clinic, sid: int) -> tuple[list[object], list[object]]:
    book = clinic.services.monitoring.alarms(clinic.nurse, sid)
    return ([a for a in book.active if a.parameter is AlarmParameter.DEVICE_FEED],
            [a for a in book.resolved if a.parameter is AlarmParameter.DEVICE_FEED])


# ---------------------------------------------------------------- accepted, and only once stored


def test_the_ack_is_sent_only_after_the_set_is_committed(
        clinic: Clinic, feed: DeviceFeed, heard: Heard, monkeypatch: pytest.MonkeyPatch) -> None:
    sid = clinic.running()
    attach(feed, clinic, sid)
    monitoring = clinic.services.monitoring
    storing = monitoring.ingest
    inside, release = threading.Event(), threading.Event()

    def held(*args: object, **kwargs: object) -> MonitoringUpdate:
        inside.set()
        release.wait(10)
        return storing(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(monitoring, "ingest", held)
    answers: list[str] = []
    with MllpClient(*feed.address) as client:
        sender = threading.Thread(target=lambda: answers.append(client.send(oru(clinic, "C1"))))
        sender.start()
        assert inside.wait(5)
        time.sleep(0.3)
        assert answers == []  # the monitor is still waiting while the set is being stored
        assert device_sets(clinic, sid) == []
        release.set()
        sender.join(5)
    assert msa(answers[0])[1:3] == ["AA", "C1"]
    # As soon as the monitor holds AA, another connection reads the committed set.
    [stored] = device_sets(clinic, sid)
    assert stored.device == DEVICE
    assert (stored.values.heart_rate, stored.values.systolic, stored.values.diastolic,
            stored.values.spo2, stored.values.respiratory_rate) == (84, 131, 82, 97, 14)
    [update] = heard.updates
    assert update.vital is not None
    assert update.vital.id == stored.id


def test_the_simulator_over_real_mllp_fills_the_session_with_device_sets(
        clinic: Clinic, feed: DeviceFeed, heard: Heard) -> None:
    sid = clinic.running()
    attach(feed, clinic, sid)
    result = run(*feed.address, scenario="normal", count=12, speed=1000,
                 patient_id=mrn(clinic).lower(), start_at=clinic.now() - timedelta(minutes=1))
    assert result == RunResult(sent=12, acked=12, refused=0, failed=0)
    stored = device_sets(clinic, sid)
    assert len(stored) == 12
    assert {v.device for v in stored} == {DEVICE}
    assert all(v.values.heart_rate and v.values.spo2 and v.values.respiratory_rate
               for v in stored)
    first = min(stored, key=lambda v: v.at)
    assert first.values.systolic is not None  # the cuff reading of the first message
    assert first.values.temperature_c is not None
    assert len(heard.updates) == 12
    assert heard.refused == []


def test_impossible_and_implausible_values_are_stored_as_artifacts_not_dropped(
        clinic: Clinic, feed: DeviceFeed, heard: Heard) -> None:
    sid = clinic.running()
    attach(feed, clinic, sid)
    with MllpClient(*feed.address) as client:
        # SpO2 104 % cannot be (the parser flags it); HR 210/min is possible but implausible
        # for a seated outpatient (the engine flags it).
        ack = client.send(oru(clinic, "ART1", heart_rate="210", spo2="104"))
    assert msa(ack)[1] == "AA"
    [stored] = device_sets(clinic, sid)
    assert stored.values.heart_rate is None
    assert stored.values.spo2 is None
    assert (stored.values.systolic, stored.values.respiratory_rate) == (131, 14)
    artifacts = clinic.services.monitoring.artifacts(clinic.nurse, sid)
    assert sorted((a.field, a.value, a.device) for a in artifacts) == [
        ("heart_rate", "210", DEVICE), ("spo2", "104", DEVICE)]
    reasons = {a.field: a.reason for a in artifacts}
    assert "outside 0-100" in reasons["spo2"]
    assert reasons["heart_rate"].startswith("implausible")
    assert {a.field for a in heard.updates[0].artifacts} == {"heart_rate", "spo2"}
    assert clinic.audit("monitoring.artifact", sid)


# ---------------------------------------------------------------- refused, and still listening


def _unknown_code(clinic: Clinic) -> bytes:
    return frame(oru(clinic, "UNK1", unknown=True))


def _malformed(_clinic: Clinic) -> bytes:
    return frame("MSH|^~\\&|MON||KETAMINE_CONSOLE||20261124090000||ORU^R01||P|2.5.1\r"
                 "OBX|1|NM|149530^MDC_PULS_OXIM_PULS_RATE^MDC||80|/min|||||F\r")


def _truncated(clinic: Clinic) -> bytes:
    whole = oru(clinic, "CUT1").encode()
    return b"\x0b" + whole[: len(whole) // 2] + frame(oru(clinic, "NEXT1"))


def _oversized(clinic: Clinic) -> bytes:
    return frame(oru(clinic, "BIG1") + "NTE|1||" + "x" * 70_000 + "\r")


@pytest.mark.parametrize(("build", "code", "says"), [
    (_malformed, "AR", "no message control id"),
    (_truncated, "AR", "frame ended without 0x1C"),
    (_oversized, "AR", "exceeds the 65536-byte limit"),
    (_unknown_code, "AE", "observation code '99999'"),
], ids=["malformed", "truncated", "oversized", "unknown-code"])
def test_bad_messages_get_a_nak_a_log_line_and_the_listener_keeps_running(
        clinic: Clinic, feed: DeviceFeed, heard: Heard, caplog: pytest.LogCaptureFixture,
        build: Callable[[Clinic], bytes], code: str, says: str) -> None:
    sid = clinic.running()
    attach(feed, clinic, sid)
    caplog.set_level(logging.WARNING, logger="console.devices")
    with MllpClient(*feed.address) as client:
        nak = client.send_bytes(build(clinic))
        assert msa(nak)[1] == code
        assert says in nak
        if build is not _truncated:  # (the frame that cut it short may be stored already)
            assert device_sets(clinic, sid) == []
        if build is _truncated:  # the frame that cut it short is answered on its own
            assert msa(client.send_bytes(b""))[1:3] == ["AA", "NEXT1"]
        assert msa(client.send(oru(clinic, "AFTER1")))[1:3] == ["AA", "AFTER1"]
    assert any("refused" in r.getMessage() and says in r.getMessage() for r in caplog.records)
    assert any(says in text for text in heard.refused)
    assert len(device_sets(clinic, sid)) == (2 if build is _truncated else 1)


def test_readings_for_another_patient_are_refused_and_nothing_is_stored(
        clinic: Clinic, feed: DeviceFeed, heard: Heard, caplog: pytest.LogCaptureFixture) -> None:
    sid = clinic.running()
    attach(feed, clinic, sid)
    caplog.set_level(logging.WARNING, logger="console.devices")
    with MllpClient(*feed.address) as client:
        nak = client.send(oru(clinic, "OTHER1", patient_id=mrn(clinic, 1)))
        assert msa(nak)[1:4] == ["AE", "OTHER1", OTHER_PATIENT]
        assert msa(client.send(oru(clinic, "MINE1")))[1] == "AA"
    assert len(device_sets(clinic, sid)) == 1
    assert heard.refused == [f"Monitor message refused: {OTHER_PATIENT}"]
    # the log names neither patient
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert OTHER_PATIENT in logged
    assert mrn(clinic, 1) not in logged
    assert mrn(clinic) not in logged


def test_without_an_open_session_the_monitor_is_told_so(
        clinic: Clinic, feed: DeviceFeed, heard: Heard) -> None:
    sid = clinic.running()
    with MllpClient(*feed.address) as client:
        assert msa(client.send(oru(clinic, "N1")))[1:4] == ["AE", "N1", NO_SESSION]
        attach(feed, clinic, sid)
        assert msa(client.send(oru(clinic, "N2")))[1] == "AA"
        feed.detach(sid + 1000)  # another screen's session: this one stays attached
        assert msa(client.send(oru(clinic, "N3")))[1] == "AA"
        feed.detach(sid)
        assert msa(client.send(oru(clinic, "N4")))[1:4] == ["AE", "N4", NO_SESSION]
    assert len(device_sets(clinic, sid)) == 2
    assert heard.refused.count(f"Monitor message refused: {NO_SESSION}") == 2


def test_a_signed_record_takes_no_more_readings(
        clinic: Clinic, feed: DeviceFeed) -> None:
    sid = clinic.signed()
    attach(feed, clinic, sid)
    with MllpClient(*feed.address) as client:
        nak = client.send(oru(clinic, "S1"))
    assert msa(nak)[1] == "AE"
    assert "signed and locked" in nak
    assert device_sets(clinic, sid) == []


# ---------------------------------------------------------------- feed loss


def test_losing_the_feed_raises_the_technical_alarm_and_its_return_resolves_it(
        clinic: Clinic, heard: Heard) -> None:
    sid = clinic.running()
    feed = start_feed(clinic, heard, feed_timeout=0.3)
    try:
        attach(feed, clinic, sid)
        with MllpClient(*feed.address) as client:
            assert msa(client.send(oru(clinic, "L1")))[1] == "AA"
            wait_for(lambda: heard.feed == [True])
            wait_for(lambda: feed_alarms(clinic, sid)[0])
            [alarm], _ = feed_alarms(clinic, sid)
            assert alarm.kind is AlarmKind.TECHNICAL  # type: ignore[attr-defined]
            assert DEVICE in alarm.condition.message  # type: ignore[attr-defined]
            assert any(a.parameter is AlarmParameter.DEVICE_FEED
                       for u in heard.updates for a in u.raised)
            assert clinic.audit("monitoring.feed_lost", sid)

            assert msa(client.send(oru(clinic, "L2")))[1] == "AA"
        assert heard.feed[:2] == [True, False]
        active, resolved = feed_alarms(clinic, sid)
        assert active == []
        assert len(resolved) == 1
        assert clinic.audit("monitoring.feed_restored", sid)
        assert any(a.parameter is AlarmParameter.DEVICE_FEED
                   for u in heard.updates for a in u.resolved)
    finally:
        feed.close()


def test_no_feed_alarm_without_readings_or_before_the_start(
        clinic: Clinic, heard: Heard) -> None:
    running = clinic.running(0)
    ready = clinic.ready(1)
    feed = start_feed(clinic, heard, feed_timeout=0.2)
    try:
        attach(feed, clinic, running)  # no monitor connected: nothing was lost
        wait_for(lambda: heard.feed == [True])
        time.sleep(0.1)
        assert feed_alarms(clinic, running) == ([], [])

        attach(feed, clinic, ready, patient=1)  # readings before the start, then silence
        with MllpClient(*feed.address) as client:
            assert msa(client.send(oru(clinic, "R1", patient_id=mrn(clinic, 1))))[1] == "AA"
        wait_for(lambda: heard.feed == [True, False, True])
        time.sleep(0.1)
        assert feed_alarms(clinic, ready) == ([], [])
        assert not clinic.audit("monitoring.feed_lost")
    finally:
        feed.close()


# ---------------------------------------------------------------- life cycle and settings


def test_a_port_in_use_is_reported_and_close_frees_the_port(
        clinic: Clinic, feed: DeviceFeed) -> None:
    port = feed.address[1]
    second = DeviceFeed(monitoring=clinic.services.monitoring, host="127.0.0.1", port=port)
    with pytest.raises(DeviceUnavailable, match=f"monitor feed unavailable: port {port} in use"):
        second.start()
    second.close()
    feed.close()
    feed.close()
    again = DeviceFeed(monitoring=clinic.services.monitoring, host="127.0.0.1",
                       port=port).start()
    try:
        assert again.address == ("127.0.0.1", port)
    finally:
        again.close()


def test_the_feed_port_comes_from_file_then_environment_then_command_line(
        tmp_path: Path) -> None:
    settings_file = tmp_path / "console.toml"
    absent = tmp_path / "absent.toml"
    default = load_config({}, environ={}, config_file=absent)
    assert (default.device_host, default.device_port) == ("127.0.0.1", 2575)
    settings_file.write_text('[console]\ndevice_port = 3000\ndevice_host = "0.0.0.0"\n',
                             encoding="utf-8")
    from_file = load_config({}, environ={}, config_file=settings_file)
    assert (from_file.device_host, from_file.device_port) == ("0.0.0.0", 3000)
    environ = {"CONSOLE_DEVICE_PORT": "3001"}
    assert load_config({}, environ=environ, config_file=settings_file).device_port == 3001
    from_cli = load_config({"device_port": "3002"}, environ=environ, config_file=settings_file)
    assert from_cli.device_port == 3002


@pytest.mark.parametrize("port", ["0", "65536", "-1", "twenty", "25.75", "１２３"])
def test_a_port_that_is_not_1_to_65535_is_refused_clearly(tmp_path: Path, port: str) -> None:
    with pytest.raises(ValidationError, match=r"1 to 65535.*CONSOLE_DEVICE_PORT"):
        load_config({"device_port": port}, environ={}, config_file=tmp_path / "absent.toml")
