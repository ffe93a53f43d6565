"""MLLP framing and the listener over real loopback sockets."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.devices.hl7 import (
    DeviceReading,
    Hl7Error,
    Hl7Message,
    Hl7Reason,
    VitalField,
    build_oru,
)
from console.devices.mllp import (
    MessageRefused,
    MllpClient,
    MllpDecoder,
    MllpListener,
    decode_frames,
    frame,
    send_message,
)

AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def oru(control_id: str, heart_rate: int = 72, *, unit: str = "/min") -> str:
    return build_oru(control_id, [("147842", "MDC_ECG_HEART_RATE", "MDC", str(heart_rate), unit,
                                   AT)], at=AT, patient_id="PAT-SECRET-9")


def msa(ack: str) -> list[str]:
    segments = ack.rstrip("\r").split("\r")
    return next(s for s in segments if s.startswith("MSA|")).split("|")


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.readings: list[DeviceReading] = []
        self.errors: list[Hl7Error] = []
        self.events: list[str] = []

    def on_readings(self, readings: list[DeviceReading]) -> None:
        with self.lock:
            self.readings.extend(readings)

    def on_error(self, error: Hl7Error) -> None:
        with self.lock:
            self.errors.append(error)

    def lost(self) -> None:
        with self.lock:
            self.events.append("lost")

    def restored(self) -> None:
        with self.lock:
            self.events.append("restored")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def listener(recorder: Recorder) -> Iterator[MllpListener]:
    with MllpListener(recorder.on_readings, on_error=recorder.on_error, on_feed_lost=recorder.lost,
                      on_feed_restored=recorder.restored, port=0, feed_timeout=30.0) as running:
        yield running


# --------------------------------------------------------------------------- framing

def test_frames_split_across_chunks_and_back_to_back() -> None:
    data = frame("A") + b"\r\n" + frame("BB") + frame("C")
    decoder = MllpDecoder()
    out: list[bytes | Hl7Error] = []
    for i in range(len(data)):
        out.extend(decoder.feed(data[i:i + 1]))
    assert out == [b"A", b"BB", b"C"]
    assert decoder.finish() is None
    assert decode_frames(data) == [b"A", b"BB", b"C"]


@pytest.mark.parametrize(("data", "reason"), [
    (b"\x0bMSH|^~\\&|A|B|C|D|20260101||ORU^R01|X1|P|2.5", Hl7Reason.TRUNCATED),
    (b"\x0bhalf a message\x0bMSH|\x1c\r", Hl7Reason.TRUNCATED),
    (b"MSH|^~\\&|raw HL7 without framing\r", Hl7Reason.NOT_FRAMED),
    (b"\x0b" + b"x" * 70_000 + b"\x1c\r", Hl7Reason.OVERSIZED),
])
def test_bad_framing_is_a_typed_error(data: bytes, reason: Hl7Reason) -> None:
    with pytest.raises(Hl7Error) as caught:
        decode_frames(data)
    assert caught.value.reason is reason


def test_an_oversized_frame_is_dropped_without_keeping_it_and_the_next_frame_is_read() -> None:
    decoder = MllpDecoder(max_size=1000)
    out = decoder.feed(b"\x0bMSH|^~\\&|||||||ORU^R01|BIG|P|2.5\r" + b"y" * 5000)
    assert out == []
    out = decoder.feed(b"y" * 5000 + b"\x1c\r" + frame("next"))
    assert isinstance(out[0], Hl7Error)
    assert out[0].reason is Hl7Reason.OVERSIZED
    assert out[0].control_id == "BIG"
    assert out[1] == b"next"


@given(st.binary(max_size=400), st.integers(min_value=1, max_value=64))
def test_any_bytes_give_frames_or_a_typed_error_never_a_crash(data: bytes, limit: int) -> None:
    frames: list[bytes] = []
    reason: Hl7Reason | None = None
    try:
        frames = decode_frames(data, max_size=limit)
    except Hl7Error as error:
        reason = error.reason
    assert reason is None or isinstance(reason, Hl7Reason)
    assert all(isinstance(f, bytes) and len(f) <= limit for f in frames)
    # Fed in arbitrary pieces, the decoder gives the same items as all at once.
    whole = MllpDecoder(limit).feed(data)
    pieces = MllpDecoder(limit)
    split: list[bytes | Hl7Error] = []
    for i in range(0, len(data), 7):
        split.extend(pieces.feed(data[i:i + 7]))
    assert [x if isinstance(x, bytes) else x.reason for x in split] == \
        [x if isinstance(x, bytes) else x.reason for x in whole]


# --------------------------------------------------------------------------- listener

def test_send_message_gets_an_ack_and_the_readings_arrive(listener: MllpListener,
                                                          recorder: Recorder) -> None:
    ack = send_message(*listener.address, oru("M1", 81))
    assert msa(ack)[1:3] == ["AA", "M1"]
    wait_for(lambda: len(recorder.readings) == 1)
    assert recorder.readings[0].field is VitalField.HEART_RATE
    assert recorder.readings[0].value == 81


def test_two_clients_200_messages_all_acked_and_in_order(listener: MllpListener,
                                                         recorder: Recorder) -> None:
    acks: dict[str, list[str]] = {"a": [], "b": []}

    def client(name: str, base: int) -> None:
        with MllpClient(*listener.address) as monitor:
            for i in range(100):
                acks[name].append(monitor.send(oru(f"{name}{i}", base + i)))

    threads = [threading.Thread(target=client, args=("a", 40)),
               threading.Thread(target=client, args=("b", 160))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    for name in ("a", "b"):
        assert [msa(a)[1:3] for a in acks[name]] == [["AA", f"{name}{i}"] for i in range(100)]
    wait_for(lambda: len(recorder.readings) == 200)
    for name in ("a", "b"):
        ids = [r.control_id for r in recorder.readings if r.control_id.startswith(name)]
        assert ids == [f"{name}{i}" for i in range(100)]
    assert listener.messages_accepted == 200
    assert recorder.errors == []


@pytest.mark.parametrize(("payload", "code", "reason", "echo"), [
    (frame("PID|1||X\r"), "AR", Hl7Reason.NO_MSH, ""),
    (frame(oru("W1").replace("ORU^R01^ORU_R01", "ADT^A01^ADT_A01")), "AR",
     Hl7Reason.WRONG_MESSAGE_TYPE, "W1"),
    (frame(oru("U1").replace("147842^MDC_ECG_HEART_RATE", "999999^MDC_MYSTERY")), "AE",
     Hl7Reason.UNKNOWN_CODE, "U1"),
    (frame(oru("B1", unit="bpm")), "AE", Hl7Reason.BAD_UNIT, "B1"),
    (frame(oru("N1").replace("|72|", "|--|")), "AE", Hl7Reason.NOT_NUMERIC, "N1"),
    (b"\x0b" + oru("T1").encode()[:100] + frame(oru("T2")), "AR", Hl7Reason.TRUNCATED, "T1"),
    (frame(oru("O1") + "Z" * 70_000), "AR", Hl7Reason.OVERSIZED, "O1"),
    (b"no framing at all\r", "AR", Hl7Reason.NOT_FRAMED, ""),
])
def test_bad_message_gets_the_right_nak_and_the_listener_keeps_going(
        listener: MllpListener, recorder: Recorder, caplog: pytest.LogCaptureFixture,
        payload: bytes, code: str, reason: Hl7Reason, echo: str) -> None:
    caplog.set_level(logging.WARNING, logger="console.devices")
    with MllpClient(*listener.address) as monitor:
        assert msa(monitor.send(oru("before")))[1] == "AA"
        nak = monitor.send_bytes(payload)
        assert msa(nak)[1:3] == [code, echo]
        assert "ERR|" in nak
        if reason is Hl7Reason.TRUNCATED:  # the complete frame after the cut one is answered too
            assert msa(monitor.send_bytes(b""))[1:3] == ["AA", "T2"]
        assert msa(monitor.send(oru("after")))[1:3] == ["AA", "after"]
    wait_for(lambda: len(recorder.errors) == 1)
    assert recorder.errors[0].reason is reason
    refused = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 1
    assert all("PAT-SECRET" not in r.getMessage() for r in caplog.records)


def test_connection_closed_inside_a_frame_is_reported(listener: MllpListener,
                                                      recorder: Recorder) -> None:
    with socket.create_connection(listener.address, timeout=5) as raw:
        raw.sendall(b"\x0b" + oru("C1").encode()[:50])
    wait_for(lambda: len(recorder.errors) == 1)
    assert recorder.errors[0].reason is Hl7Reason.TRUNCATED
    assert msa(send_message(*listener.address, oru("C2")))[1] == "AA"


def test_a_failing_readings_callback_gives_ae_and_does_not_stop_the_listener() -> None:
    calls: list[int] = []

    def broken(readings: list[DeviceReading]) -> None:
        calls.append(len(readings))
        if len(calls) == 1:
            raise RuntimeError("downstream failure")

    with MllpListener(broken, port=0) as running, MllpClient(*running.address) as monitor:
        assert msa(monitor.send(oru("F1")))[1] == "AE"
        assert msa(monitor.send(oru("F2")))[1] == "AA"


def test_a_refusing_message_callback_gets_its_reason_in_the_nak_and_one_log_line(
        caplog: pytest.LogCaptureFixture) -> None:
    seen: list[tuple[str, str | None, int]] = []

    def take(message: Hl7Message) -> None:
        seen.append((message.control_id, message.patient_id, len(message.readings)))
        if message.control_id != "M4":
            raise MessageRefused("no session is open")

    caplog.set_level(logging.WARNING, logger="console.devices")
    with MllpListener(on_message=take, port=0) as running, \
            MllpClient(*running.address) as monitor:
        for n in range(1, 4):
            assert msa(monitor.send(oru(f"M{n}")))[1:4] == ["AE", f"M{n}", "no session is open"]
        assert msa(monitor.send(oru("M4")))[1] == "AA"
    assert seen == [(f"M{n}", "PAT-SECRET-9", 1) for n in range(1, 5)]
    lines = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(lines) == 1  # the same refusal every second is logged once a minute
    assert "no session is open" in lines[0]
    assert not any(r.exc_info for r in caplog.records)
    with pytest.raises(ValueError, match="on_readings or on_message"):
        MllpListener(port=0)


def test_feed_loss_fires_once_and_restores(recorder: Recorder) -> None:
    with MllpListener(recorder.on_readings, on_feed_lost=recorder.lost,
                      on_feed_restored=recorder.restored, port=0, feed_timeout=0.3) as running:
        assert msa(send_message(*running.address, oru("L1")))[1] == "AA"
        wait_for(lambda: recorder.events == ["lost"])
        assert running.feed_lost
        time.sleep(0.5)  # no repeat while the feed stays lost
        assert recorder.events == ["lost"]
        assert msa(send_message(*running.address, oru("L2")))[1] == "AA"
        assert recorder.events == ["lost", "restored"]
        assert not running.feed_lost
        with MllpClient(*running.address) as monitor:  # steady data: no further loss
            for i in range(8):
                monitor.send(oru(f"S{i}"))
                time.sleep(0.05)
        assert recorder.events == ["lost", "restored"]


def test_close_stops_the_thread_and_frees_the_port() -> None:
    running = MllpListener(lambda readings: None, port=0).start()
    host, port = running.address
    running.close()
    assert not any(t.name == "mllp-listener" and t.is_alive() for t in threading.enumerate())
    with pytest.raises(ConnectionRefusedError), socket.create_connection((host, port), timeout=1):
        pass
    running.close()  # closing twice is harmless


def test_too_many_connections_are_refused_but_existing_ones_work(recorder: Recorder) -> None:
    with MllpListener(recorder.on_readings, port=0, max_connections=1) as running, \
            MllpClient(*running.address) as first:
        assert msa(first.send(oru("K1")))[1] == "AA"
        with MllpClient(*running.address) as second, pytest.raises(ConnectionError):
            second.send(oru("K2"))
        assert msa(first.send(oru("K3")))[1] == "AA"


def test_a_failing_error_callback_still_sends_the_nak_and_keeps_listening() -> None:
    errors: list[Hl7Error] = []

    def broken(error: Hl7Error) -> None:
        errors.append(error)
        raise RuntimeError("subscriber failure")

    with MllpListener(lambda readings: None, on_error=broken, port=0) as running, \
            MllpClient(*running.address) as monitor:
        assert msa(monitor.send("not an HL7 message"))[1] in ("AE", "AR")
        assert msa(monitor.send(oru("E2")))[1] == "AA"
    assert len(errors) == 1
