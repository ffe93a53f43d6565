"""The monitor simulator: realistic, scripted, deterministic, and understood by the listener."""

from __future__ import annotations

import itertools
import statistics
import threading
import time
from datetime import UTC, datetime

import pytest

from console.devices.hl7 import DeviceReading, VitalField, parse_message, readings_to_values
from console.devices.mllp import MllpListener
from console.devices.simulator import SCENARIOS, generate, main, run, to_message

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_normal_session_is_realistic_and_ketamine_raises_hr_and_bp_modestly() -> None:
    samples = list(generate("normal", seed=3, count=1800, start_at=START))
    assert all(97 <= s.spo2 <= 99 for s in samples)
    assert all(55 <= s.heart_rate <= 100 for s in samples)
    assert all(10 <= s.respiratory_rate <= 18 for s in samples)
    first = [s for s in samples if s.t < 120]
    late = [s for s in samples if 900 <= s.t < 1800]
    assert 68 <= statistics.mean(s.heart_rate for s in first) <= 76
    assert 5 <= statistics.mean(s.heart_rate for s in late) - 72 <= 18
    late_sys = [s.systolic for s in late if s.systolic is not None]
    assert 130 <= statistics.mean(late_sys) <= 150
    bp = [s for s in samples if s.systolic is not None]
    assert len(bp) == 60  # NIBP every 30 s
    assert all(s.diastolic is not None and s.diastolic < s.systolic for s in bp)


def test_hypertension_rises_above_180_and_recovers() -> None:
    samples = list(generate("hypertension", seed=3, count=900, start_at=START))
    systolic = {s.t: s.systolic for s in samples if s.systolic is not None}
    assert max(systolic.values()) > 180
    assert all(v > 180 for t, v in systolic.items() if 240 <= t <= 420)
    assert all(v < 160 for t, v in systolic.items() if t < 120 or t >= 570)


def test_desaturation_reaches_91_or_lower_and_recovers() -> None:
    samples = list(generate("desaturation", seed=3, count=400, start_at=START))
    assert min(s.spo2 for s in samples) <= 91
    assert all(s.spo2 <= 91 for s in samples if 120 <= s.t <= 180)
    assert all(s.spo2 >= 97 for s in samples if s.t < 60 or s.t >= 240)


def test_feed_loss_leaves_a_60_second_gap() -> None:
    times = [s.t for s in generate("feed-loss", seed=3, count=200, start_at=START)]
    gaps = [b - a for a, b in itertools.pairwise(times) if b - a > 1]
    assert gaps == [61.0]
    assert not any(60 <= t < 120 for t in times)


def test_same_seed_same_values_and_rate_sets_the_spacing() -> None:
    a = list(generate("normal", seed=7, count=50, start_at=START))
    b = list(generate("normal", seed=7, count=50, start_at=START))
    c = list(generate("normal", seed=8, count=50, start_at=START))
    assert a == b
    assert a != c
    assert [s.t for s in generate("normal", rate=4, count=5, start_at=START)] == \
        [0, 0.25, 0.5, 0.75, 1.0]


def test_unknown_scenario_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        list(generate("calm", count=1))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_message_parses_to_the_sample_without_artifacts(scenario: str) -> None:
    for n, sample in enumerate(generate(scenario, seed=2, count=400, start_at=START)):
        parsed = parse_message(to_message(sample, f"C{n}"))
        assert not any(r.artifact for r in parsed.readings)
        values = readings_to_values(parsed.readings)
        assert values is not None
        assert values.heart_rate == sample.heart_rate
        assert values.spo2 == sample.spo2
        assert values.systolic == sample.systolic
        assert values.temperature_c == sample.temperature_c
        assert parsed.readings[0].at == sample.at


class Collected:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.readings: list[DeviceReading] = []
        self.events: list[str] = []

    def on_readings(self, readings: list[DeviceReading]) -> None:
        with self.lock:
            self.readings.extend(readings)

    def values(self, field: VitalField) -> list[int]:
        with self.lock:
            return [int(r.value) for r in self.readings if r.field is field]


def test_desaturation_end_to_end_over_mllp() -> None:
    got = Collected()
    with MllpListener(got.on_readings, port=0) as listener:
        result = run(*listener.address, scenario="desaturation", speed=5000, count=250, seed=4,
                     start_at=START)
    assert (result.sent, result.acked, result.refused, result.failed) == (250, 250, 0, 0)
    spo2 = got.values(VitalField.SPO2)
    assert len(spo2) == 250
    assert min(spo2) <= 91
    assert spo2[-1] >= 97
    assert listener.messages_accepted == 250


def test_feed_loss_end_to_end_fires_the_listener_once() -> None:
    got = Collected()
    with MllpListener(got.on_readings, port=0, feed_timeout=0.25,
                      on_feed_lost=lambda: got.events.append("lost"),
                      on_feed_restored=lambda: got.events.append("restored")) as listener:
        began = time.monotonic()
        result = run(*listener.address, scenario="feed-loss", speed=100, count=70, seed=4,
                     start_at=START)
        assert time.monotonic() - began >= 0.6  # the 60 s gap at 100x speed
    assert result.acked == 70
    assert got.events == ["lost", "restored"]


def test_command_line_sends_to_a_listener() -> None:
    got = Collected()
    with MllpListener(got.on_readings, port=0) as listener:
        code = main(["--port", str(listener.address[1]), "--count", "5", "--speed", "1000",
                     "--scenario", "hypertension", "--seed", "9"])
    assert code == 0
    assert len(got.values(VitalField.HEART_RATE)) == 5


def test_command_line_reports_an_unreachable_listener() -> None:
    with MllpListener(lambda readings: None, port=0) as listener:
        port = listener.address[1]
    assert main(["--port", str(port), "--count", "2", "--speed", "1000"]) == 1
