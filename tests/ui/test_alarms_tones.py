"""The alarm tone: which burst is asked for, when it repeats and when it stops; the bundled
WAV files; and choosing a sound output without an audio device."""

from __future__ import annotations

import importlib.util
import wave
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from console.domain.alarms import AlarmAction, AlarmParameter, AlarmPriority
from console.paths import resource_path
from console.ui.alarms import SilentOutput, TonePlayer, default_sound_output
from console.ui.alarms.tones import QtSoundOutput, tone_file
from tests.ui.test_alarms_support import (
    HIGH_SPO2,
    HIGH_SPO2_MEDIUM_SBP,
    LOW_SPO2,
    MEDIUM_SBP,
    MEDIUM_SPO2,
    NORMAL,
    RecordingOutput,
    Ward,
)

HIGH, MEDIUM, LOW = AlarmPriority.HIGH, AlarmPriority.MEDIUM, AlarmPriority.LOW
PLAY_HIGH, PLAY_MEDIUM, PLAY_LOW = ("play", HIGH), ("play", MEDIUM), ("play", LOW)
STOP = ("stop", None)


@pytest.fixture
def ward() -> Ward:
    return Ward()


@pytest.fixture
def player(qapp, ward):  # type: ignore[no-untyped-def]
    output = RecordingOutput()
    tone = TonePlayer(output=output, clock=ward.clock)
    yield tone, output
    tone.stop()
    tone.deleteLater()


def _show(tone: TonePlayer, ward: Ward) -> None:
    tone.show_book(ward.book, ward.now)


def _observe(tone: TonePlayer, ward: Ward, values: dict[str, int]) -> None:
    """The ward takes these readings and the player is shown the alarm book that results."""
    ward.observe(**values)
    _show(tone, ward)


def _after(tone: TonePlayer, ward: Ward, seconds: float) -> None:
    """Let time pass in quarter seconds, as the player's own timer would."""
    for _ in range(int(seconds * 4)):
        ward.advance(seconds=0.25)
        tone.tick()


def test_a_high_alarm_plays_the_high_burst_and_repeats_it(player, ward) -> None:  # type: ignore[no-untyped-def]
    tone, output = player
    _observe(tone, ward, HIGH_SPO2)
    assert output.take() == [PLAY_HIGH]
    assert tone.playing is HIGH
    assert tone.check_timer.isActive()
    _after(tone, ward, 7.75)
    assert output.take() == []  # one burst, then quiet
    _after(tone, ward, 0.25)
    assert output.take() == [PLAY_HIGH]  # every 8 s


def test_a_medium_alarm_repeats_every_ten_seconds(player, ward) -> None:  # type: ignore[no-untyped-def]
    tone, output = player
    _observe(tone, ward, MEDIUM_SPO2)
    _after(tone, ward, 25)
    assert output.take() == [PLAY_MEDIUM, PLAY_MEDIUM, PLAY_MEDIUM]


def test_a_low_alarm_sounds_once(player, ward) -> None:  # type: ignore[no-untyped-def]
    tone, output = player
    _observe(tone, ward, LOW_SPO2)
    _after(tone, ward, 60)
    assert output.take() == [PLAY_LOW]


def test_the_highest_sounding_priority_plays(player, ward) -> None:  # type: ignore[no-untyped-def]
    tone, output = player
    _observe(tone, ward, MEDIUM_SBP)
    ward.advance(seconds=3)
    _observe(tone, ward, HIGH_SPO2_MEDIUM_SBP)
    assert output.take() == [PLAY_MEDIUM, PLAY_HIGH]  # the high burst starts at once


def test_a_new_lower_alarm_does_not_restart_the_high_burst(player, ward) -> None:  # type: ignore[no-untyped-def]
    tone, output = player
    _observe(tone, ward, HIGH_SPO2)
    ward.advance(seconds=1)
    _observe(tone, ward, HIGH_SPO2_MEDIUM_SBP)
    assert output.take() == [PLAY_HIGH]


def test_an_audio_pause_stops_the_tone_for_two_minutes(player, ward) -> None:  # type: ignore[no-untyped-def]
    tone, output = player
    _observe(tone, ward, HIGH_SPO2)
    ward.advance(seconds=2)
    ward.pause_audio()
    _show(tone, ward)
    assert output.take() == [PLAY_HIGH, STOP]  # cut off mid-burst
    assert tone.playing is None
    _after(tone, ward, 119.75)
    assert output.take() == []
    assert tone.check_timer.isActive()  # still watching for the end of the pause
    _after(tone, ward, 0.25)
    assert output.take() == [PLAY_HIGH]  # still active two minutes later: sounds again


def test_acknowledging_pauses_that_alarm(player, ward) -> None:  # type: ignore[no-untyped-def]
    tone, output = player
    _observe(tone, ward, HIGH_SPO2)
    ward.advance(seconds=20)
    ward.acknowledge(AlarmParameter.SPO2, AlarmAction.PAUSED)
    _show(tone, ward)
    assert output.take() == [PLAY_HIGH, STOP]
    _after(tone, ward, 60)
    assert output.take() == []


def test_acknowledging_one_alarm_leaves_the_other_sounding(player, ward) -> None:  # type: ignore[no-untyped-def]
    tone, output = player
    _observe(tone, ward, HIGH_SPO2_MEDIUM_SBP)
    ward.advance(seconds=5)
    ward.acknowledge(AlarmParameter.SPO2, AlarmAction.CLINICIAN_CALLED)
    _show(tone, ward)
    assert output.take() == [PLAY_HIGH, PLAY_MEDIUM]  # the medium one is still unanswered


def test_resolution_stops_the_tone(player, ward) -> None:  # type: ignore[no-untyped-def]
    tone, output = player
    _observe(tone, ward, MEDIUM_SPO2)
    ward.advance(seconds=4)
    _observe(tone, ward, NORMAL)
    assert output.take() == [PLAY_MEDIUM, STOP]
    assert not tone.check_timer.isActive()  # nothing left to watch
    _after(tone, ward, 30)
    assert output.take() == []


def test_an_escalation_ends_the_pause_at_once(player, ward) -> None:  # type: ignore[no-untyped-def]
    tone, output = player
    _observe(tone, ward, MEDIUM_SPO2)
    ward.advance(seconds=2)
    ward.pause_audio()
    _show(tone, ward)
    ward.advance(seconds=30)
    _observe(tone, ward, HIGH_SPO2)
    assert output.take() == [PLAY_MEDIUM, STOP, PLAY_HIGH]


def test_an_alarm_raised_during_a_pause_sounds_at_once(player, ward) -> None:  # type: ignore[no-untyped-def]
    tone, output = player
    _observe(tone, ward, MEDIUM_SBP)
    ward.advance(seconds=2)
    ward.pause_audio()
    _show(tone, ward)
    ward.advance(seconds=30)
    _observe(tone, ward, {**MEDIUM_SBP, "spo2": 93})
    assert output.take() == [PLAY_MEDIUM, STOP, PLAY_MEDIUM]


def test_stop_silences_and_stops_watching(player, ward) -> None:  # type: ignore[no-untyped-def]
    tone, output = player
    _observe(tone, ward, HIGH_SPO2)
    tone.stop()
    assert output.take() == [PLAY_HIGH, STOP]
    assert not tone.check_timer.isActive()


# ---------------------------------------------------------------- sound outputs


def test_the_offscreen_platform_gets_a_silent_output_without_qt_warnings(qapp) -> None:  # type: ignore[no-untyped-def]
    output = default_sound_output()  # pytest fails on any Qt warning
    assert isinstance(output, SilentOutput)
    assert not output.available
    assert output.description.startswith("This PC cannot play alarm tones")
    output.play(HIGH)
    output.stop()


class FakeDevice:
    def description(self) -> str:
        return "Bedside speaker"


class FakeEffect:
    made: ClassVar[list[FakeEffect]] = []

    def __init__(self) -> None:
        self.source = ""
        self.volume = 0.0
        self.events: list[str] = []
        FakeEffect.made.append(self)

    def setAudioDevice(self, device: FakeDevice) -> None:
        self.device = device

    def setSource(self, url) -> None:  # type: ignore[no-untyped-def]
        self.source = url.toLocalFile()

    def setVolume(self, volume: float) -> None:
        self.volume = volume

    def play(self) -> None:
        self.events.append("play")

    def stop(self) -> None:
        self.events.append("stop")


def test_qt_output_plays_the_bundled_file_of_the_priority(qapp) -> None:  # type: ignore[no-untyped-def]
    FakeEffect.made = []
    output = QtSoundOutput(FakeDevice(), FakeEffect)
    assert output.available
    assert output.description == "Alarm tones play on Bedside speaker."
    sources = {Path(effect.source).name: effect for effect in FakeEffect.made}
    assert set(sources) == {"alarm_high.wav", "alarm_medium.wav", "alarm_low.wav"}
    assert all(Path(effect.source).is_file() and effect.volume == 1.0
               for effect in FakeEffect.made)
    output.play(MEDIUM)
    assert sources["alarm_medium.wav"].events == ["play"]
    assert sources["alarm_high.wav"].events == ["stop"]  # one tone at a time
    output.stop()
    assert sources["alarm_medium.wav"].events == ["play", "stop"]


# ---------------------------------------------------------------- the bundled tones


def _pulses(path: Path) -> tuple[list[float], list[float], wave.Wave_read]:
    """Pulse lengths and the gaps between them, in seconds."""
    with wave.open(str(path), "rb") as sound:
        samples = np.frombuffer(sound.readframes(sound.getnframes()), dtype="<i2")
        params = sound
    loud = np.abs(samples.astype(np.int32)) > 1000
    window = 110  # 5 ms at 22.05 kHz: smooths over the zero crossings inside a pulse
    on = np.convolve(loud, np.ones(window), mode="same") > 0
    edges = np.flatnonzero(np.diff(on.astype(np.int8)))
    starts, ends = edges[::2] + 1, edges[1::2] + 1
    rate = 22_050
    lengths = [(end - start) / rate for start, end in zip(starts, ends, strict=True)]
    gaps = [(start - end) / rate for end, start in zip(ends[:-1], starts[1:], strict=True)]
    return lengths, gaps, params


@pytest.mark.parametrize(("priority", "pulses"), [(HIGH, 10), (MEDIUM, 3), (LOW, 1)])
def test_the_bundled_tone_has_the_iec_pulse_count(priority: AlarmPriority, pulses: int) -> None:
    path = tone_file(priority)
    assert path == resource_path("sounds", f"alarm_{priority.value}.wav")
    lengths, _gaps, sound = _pulses(path)
    assert (sound.getnchannels(), sound.getsampwidth(), sound.getframerate()) == (1, 2, 22_050)
    assert len(lengths) == pulses == priority.tone_pulses
    assert path.stat().st_size < 200_000


def test_the_high_burst_is_grouped_three_two_pause_three_two() -> None:
    lengths, gaps, _sound = _pulses(tone_file(HIGH))
    assert all(0.075 <= length <= 0.200 for length in lengths)  # high pulse length
    short, group, half = 0.10, 0.35, 0.80
    expected = [short, short, group, short, half, short, short, group, short]
    assert gaps == pytest.approx(expected, abs=0.03)


def test_the_committed_tones_are_what_the_generator_writes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_tones", resource_path("sounds", "make_tones.py"))
    assert spec is not None
    assert spec.loader is not None
    make_tones = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_tones)
    for name, signal in make_tones.tones().items():
        make_tones.write(tmp_path / name, signal)
        assert (tmp_path / name).read_bytes() == resource_path("sounds", name).read_bytes()


def test_the_desktop_player_plays_the_bundled_burst_and_stops_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A stand-in player script records what it was asked to play and waits to be stopped."""
    import os
    import stat
    import time

    from console.domain.alarms import AlarmPriority
    from console.ui.alarms.tones import CommandSoundOutput, tone_file

    log = tmp_path / "played.txt"
    player = tmp_path / "paplay"
    player.write_text(f"#!/bin/sh\necho \"$1\" >> {log}\nexec sleep 30\n")
    player.chmod(player.stat().st_mode | stat.S_IEXEC)
    output = CommandSoundOutput(str(player))
    output.play(AlarmPriority.HIGH)
    deadline = time.monotonic() + 5
    while not log.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert log.read_text().strip() == str(tone_file(AlarmPriority.HIGH))
    process = output._process
    assert process is not None
    output.stop()
    assert process.poll() is not None  # the burst was cut off
    assert output.available
    assert "paplay" in output.description
    assert os.path.exists(tone_file(AlarmPriority.HIGH))
