"""The alarm bar (IEC colours and flashing) and the audio-pause button (countdown)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from console.domain.alarms import AlarmParameter, AlarmPriority
from console.ui.alarms import AlarmBar, AudioPauseButton, audio_pause_remaining, flash_timing
from tests.ui.test_alarms_support import (
    HIGH_SPO2,
    HIGH_SPO2_MEDIUM_SBP,
    LOW_SPO2,
    MEDIUM_SBP,
    MEDIUM_SPO2,
    NORMAL,
    Ward,
)


@pytest.fixture
def bar(qtbot, themed):  # type: ignore[no-untyped-def]
    widget = AlarmBar()
    qtbot.addWidget(widget)
    widget.resize(1000, 80)
    return widget


def test_no_alarm_hides_the_bar_and_its_timer(bar) -> None:  # type: ignore[no-untyped-def]
    ward = Ward()
    bar.show_alarms(ward.observe(**NORMAL).active)
    assert bar.isHidden()
    assert not bar.flash_timer.isActive()


def test_the_bar_shows_the_highest_priority_and_its_sentence(bar) -> None:  # type: ignore[no-untyped-def]
    ward = Ward()
    ward.observe(**MEDIUM_SBP)
    book = ward.observe(**HIGH_SPO2_MEDIUM_SBP)  # the high alarm is the newer one
    bar.show_alarms(book.active)
    spo2 = ward.alarm(AlarmParameter.SPO2)
    assert bar.isVisible()
    assert bar.priority is AlarmPriority.HIGH
    assert bar.tag.text() == "*** HIGH"
    assert bar.message.text() == spo2.condition.rule
    assert bar.message.text().startswith("SpO2 89 %")
    assert bar.message.text().endswith("pause the infusion and call the clinician.")
    assert bar.more.text() == "+1 more alarm"
    assert bar.property("priority") == "high"


def test_a_high_alarm_outranks_an_older_medium_one_whatever_the_order(bar) -> None:  # type: ignore[no-untyped-def]
    ward = Ward()
    ward.observe(**HIGH_SPO2)
    book = ward.observe(**HIGH_SPO2_MEDIUM_SBP)  # medium is the newest
    bar.show_alarms(book.active)
    assert bar.priority is AlarmPriority.HIGH
    assert bar.alarm == ward.alarm(AlarmParameter.SPO2)


@pytest.mark.parametrize("priority", [AlarmPriority.HIGH, AlarmPriority.MEDIUM])
def test_flash_timing_is_inside_the_iec_ranges(priority: AlarmPriority) -> None:
    timing = flash_timing(priority)
    assert timing is not None
    on_ms, off_ms = timing
    frequency = Decimal(1000) / (on_ms + off_ms)
    slowest, fastest = priority.flash_hz  # type: ignore[misc]
    assert slowest <= frequency <= fastest
    least, most = priority.duty_cycle_percent
    assert least <= Decimal(100 * on_ms) / (on_ms + off_ms) <= most


def test_a_low_alarm_is_a_steady_light() -> None:
    assert flash_timing(AlarmPriority.LOW) is None


def test_a_high_alarm_flashes_at_about_two_hertz(bar, qtbot) -> None:  # type: ignore[no-untyped-def]
    ward = Ward()
    bar.show()
    bar.show_alarms(ward.observe(**HIGH_SPO2).active)
    timing = flash_timing(AlarmPriority.HIGH)
    assert timing == (238, 238)  # 2.1 Hz, 50 % on
    assert bar.flash_timer.isActive()
    assert bar.flash_timer.interval() == 238
    assert bar.lit
    qtbot.waitUntil(lambda: not bar.lit, timeout=2000)  # the real timer turns it down...
    assert bar.property("lit") is False
    qtbot.waitUntil(lambda: bar.lit, timeout=2000)  # ...and up again
    assert bar.property("lit") is True


def test_a_medium_alarm_flashes_slowly(bar) -> None:  # type: ignore[no-untyped-def]
    ward = Ward()
    bar.show()
    bar.show_alarms(ward.observe(**MEDIUM_SPO2).active)
    assert bar.tag.text() == "** MEDIUM"
    assert bar.flash_timer.isActive()
    assert bar.flash_timer.interval() == 833  # 0.6 Hz, 50 % on
    bar.flash_timer.timeout.emit()
    assert not bar.lit
    assert bar.flash_timer.interval() == 834


def test_a_low_alarm_does_not_flash(bar) -> None:  # type: ignore[no-untyped-def]
    ward = Ward()
    bar.show()
    bar.show_alarms(ward.observe(**LOW_SPO2).active)
    assert bar.tag.text() == "* LOW"
    assert bar.property("priority") == "low"
    assert not bar.flash_timer.isActive()
    assert bar.lit


def test_escalation_speeds_the_flash_up(bar) -> None:  # type: ignore[no-untyped-def]
    ward = Ward()
    bar.show()
    bar.show_alarms(ward.observe(**MEDIUM_SPO2).active)
    bar.flash_timer.timeout.emit()  # in the dark phase when it escalates
    ward.advance(minutes=1)
    bar.show_alarms(ward.observe(**HIGH_SPO2).active)
    assert bar.priority is AlarmPriority.HIGH
    assert bar.lit  # a new priority starts bright
    assert bar.flash_timer.interval() == 238


def test_the_timer_stops_while_the_bar_is_hidden(bar) -> None:  # type: ignore[no-untyped-def]
    ward = Ward()
    bar.show()
    bar.show_alarms(ward.observe(**HIGH_SPO2).active)
    bar.flash_timer.timeout.emit()
    bar.hide()  # the screen went away with the alarm still active
    assert not bar.flash_timer.isActive()
    assert bar.lit  # never left dark
    bar.show()
    assert bar.flash_timer.isActive()


def test_the_light_stays_on_during_an_audio_pause_and_goes_out_on_resolution(bar) -> None:  # type: ignore[no-untyped-def]
    ward = Ward()
    bar.show()
    ward.observe(**HIGH_SPO2)
    ward.advance(seconds=10)
    bar.show_alarms(ward.pause_audio().active)
    assert bar.isVisible()
    assert bar.flash_timer.isActive()
    ward.advance(seconds=30)
    bar.show_alarms(ward.observe(**NORMAL).active)
    assert bar.isHidden()
    assert not bar.flash_timer.isActive()


# ---------------------------------------------------------------- audio pause


@pytest.fixture
def pause_button(qtbot, themed):  # type: ignore[no-untyped-def]
    ward = Ward()
    presses: list[str] = []
    button = AudioPauseButton(clock=ward.clock, on_pause=lambda: presses.append("pause"))
    qtbot.addWidget(button)
    button.show()
    return ward, button, presses


def test_nothing_to_silence_without_an_alarm(pause_button) -> None:  # type: ignore[no-untyped-def]
    ward, button, _presses = pause_button
    button.show_book(ward.observe(**NORMAL), ward.now)
    assert button.text() == "Silence 2:00"
    assert not button.isEnabled()


def test_silence_calls_back_while_a_tone_sounds(pause_button, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    ward, button, presses = pause_button
    button.show_book(ward.observe(**HIGH_SPO2), ward.now)
    assert button.isEnabled()
    assert button.text() == "Silence 2:00"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert presses == ["pause"]


def test_the_pause_counts_down_and_ends_by_itself(pause_button, qtbot) -> None:  # type: ignore[no-untyped-def]
    ward, button, _presses = pause_button
    ward.observe(**HIGH_SPO2)
    button.show_book(ward.pause_audio(), ward.now)
    assert button.text() == "Silenced 2:00"
    assert not button.isEnabled()
    assert button.paused
    assert button.countdown_timer.isActive()
    ward.advance(seconds=18)
    qtbot.waitUntil(lambda: button.text() == "Silenced 1:42", timeout=2000)  # its own timer
    ward.advance(seconds=101.5)
    qtbot.waitUntil(lambda: button.text() == "Silenced 0:01", timeout=2000)  # rounded up
    ward.advance(seconds=0.5)  # two minutes after the pause: the tone is back
    qtbot.waitUntil(lambda: button.isEnabled(), timeout=2000)
    assert button.text() == "Silence 2:00"
    assert not button.paused
    assert not button.countdown_timer.isActive()


def test_an_escalation_ends_the_pause_at_once(pause_button) -> None:  # type: ignore[no-untyped-def]
    ward, button, _presses = pause_button
    ward.observe(**MEDIUM_SPO2)
    button.show_book(ward.pause_audio(), ward.now)
    assert not button.isEnabled()
    ward.advance(seconds=20)
    button.show_book(ward.observe(**HIGH_SPO2), ward.now)
    assert button.isEnabled()
    assert button.text() == "Silence 2:00"


def test_pause_remaining_is_the_first_pause_to_end(pause_button) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from console.domain.alarms import AlarmAction

    ward, _button, _presses = pause_button
    ward.observe(**HIGH_SPO2_MEDIUM_SBP)
    assert audio_pause_remaining(ward.book, ward.now) is None  # both sound
    ward.pause_audio()  # both until 2:00
    ward.advance(seconds=30)
    ward.acknowledge(AlarmParameter.SYSTOLIC, AlarmAction.CLINICIAN_CALLED)  # until 2:30
    assert audio_pause_remaining(ward.book, ward.now) == timedelta(seconds=90)
    ward.advance(seconds=10)
    ward.observe(**{**HIGH_SPO2_MEDIUM_SBP, "heart_rate": 135})  # a new alarm sounds at once
    assert audio_pause_remaining(ward.book, ward.now) is None


def test_a_high_alarm_whose_reading_improved_still_reads_as_high(qtbot) -> None:  # type: ignore[no-untyped-def]
    from console.domain.alarms import DEFAULT_THRESHOLDS, AlarmBook, evaluate
    from console.domain.vitals import VitalValues
    from console.ui.alarms.bar import AlarmBar

    def sbp(value: int, minute: int, book: AlarmBook) -> AlarmBook:
        conditions = evaluate(VitalValues(systolic=value, diastolic=80), baseline=None,
                              thresholds=DEFAULT_THRESHOLDS)
        return book.update(conditions, at=datetime(2026, 11, 24, 9, minute, tzinfo=UTC)).book

    book = sbp(170, 1, sbp(186, 0, AlarmBook()))
    bar = AlarmBar()
    qtbot.addWidget(bar)
    bar.show_alarms(book.active)
    text = bar.message.text()
    assert "186" in text
    assert "above 180" in text
    assert "Latest reading 170" in text
