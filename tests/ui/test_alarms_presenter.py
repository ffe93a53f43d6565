"""The presenter: one alarm book in, bar, list, pause button and tone kept in step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from console.domain.alarms import AlarmAction, AlarmParameter, AlarmPriority
from console.errors import UserFacingError
from console.ui.alarms import AlarmPresenter, SilentOutput
from tests.ui.test_alarms_support import (
    HIGH_SPO2,
    HIGH_SPO2_MEDIUM_SBP,
    MEDIUM_SBP,
    NORMAL,
    RecordingOutput,
    Ward,
)


class Screen(QWidget):
    """Stands in for the session screen: lays the widgets out, makes the 'service' calls on
    the ward's book, and shows the result, as the real screen will."""

    def __init__(self, ward: Ward, output: RecordingOutput | SilentOutput) -> None:
        super().__init__()
        self.ward = ward
        self.pause_error: UserFacingError | None = None
        self.presenter = AlarmPresenter(
            clock=ward.clock, user_name="Nora Kim, RN", on_acknowledge=self.acknowledge,
            on_pause_audio=self.pause_audio, sound_output=output, parent=self)
        top = QHBoxLayout()
        top.addWidget(self.presenter.bar, 1)
        top.addWidget(self.presenter.pause_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.presenter.list_panel, 1)
        self.resize(1200, 520)

    def acknowledge(self, alarm_id: int, action: AlarmAction, note: str) -> None:
        self.ward.book = self.ward.book.acknowledge(
            alarm_id, by_name="Nora Kim, RN", action=action, at=self.ward.now, note=note)
        self.refresh()

    def pause_audio(self) -> None:
        if self.pause_error is not None:
            raise self.pause_error
        self.ward.pause_audio()
        self.refresh()

    def refresh(self) -> None:
        self.presenter.show_book(self.ward.book, self.ward.now)


@pytest.fixture
def ward() -> Ward:
    return Ward()


@pytest.fixture
def output() -> RecordingOutput:
    return RecordingOutput()


@pytest.fixture
def screen(qtbot, themed, ward, output):  # type: ignore[no-untyped-def]
    widget = Screen(ward, output)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.presenter.stop()


def test_one_book_drives_every_part(screen, ward, output) -> None:  # type: ignore[no-untyped-def]
    ward.observe(**HIGH_SPO2_MEDIUM_SBP)
    screen.refresh()
    presenter = screen.presenter
    assert presenter.bar.isVisible()
    assert presenter.bar.priority is AlarmPriority.HIGH
    assert presenter.bar.flash_timer.isActive()
    assert [row.tag.text() for row in presenter.list_panel.rows] == ["*** HIGH", "** MEDIUM"]
    assert presenter.pause_button.isEnabled()
    assert output.take() == [("play", AlarmPriority.HIGH)]
    assert presenter.list_panel.sound_note.isHidden()  # this PC can sound the alarm


def test_silence_then_acknowledge_then_resolve(screen, ward, output, qtbot) -> None:  # type: ignore[no-untyped-def]
    presenter = screen.presenter
    ward.observe(**HIGH_SPO2)
    screen.refresh()
    ward.advance(seconds=5)
    qtbot.mouseClick(presenter.pause_button, Qt.MouseButton.LeftButton)
    assert output.take() == [("play", AlarmPriority.HIGH), ("stop", None)]
    assert presenter.pause_button.text() == "Silenced 2:00"
    assert presenter.bar.isVisible()  # the light stays on

    ward.advance(seconds=30)
    screen.refresh()
    qtbot.mouseClick(presenter.list_panel.rows[0].acknowledge_button, Qt.MouseButton.LeftButton)
    dialog = presenter.list_panel.dialog_host.active_dialog
    dialog.choose(AlarmAction.RATE_REDUCED)
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert ward.alarm(AlarmParameter.SPO2).action is AlarmAction.RATE_REDUCED
    assert presenter.list_panel.rows[0].acknowledge_button is None
    assert presenter.pause_button.text() == "Silenced 2:00"  # acknowledging paused it anew
    assert output.take() == []  # still silent

    ward.advance(seconds=40)
    ward.observe(**NORMAL)
    screen.refresh()
    assert presenter.bar.isHidden()
    assert not presenter.pause_button.isEnabled()
    assert presenter.pause_button.text() == "Silence 2:00"
    assert presenter.list_panel.rows[0].property("state") == "resolved"
    assert output.take() == []  # nothing was sounding: nothing to stop


def test_a_failed_pause_is_shown_in_the_alarm_list(screen, ward, output, qtbot) -> None:  # type: ignore[no-untyped-def]
    ward.observe(**MEDIUM_SBP)
    screen.refresh()
    screen.pause_error = UserFacingError("The database cannot be reached: the tone goes on.")
    qtbot.mouseClick(screen.presenter.pause_button, Qt.MouseButton.LeftButton)
    message = screen.presenter.list_panel.message
    assert message.isVisible()
    assert message.text() == "The database cannot be reached: the tone goes on."
    assert screen.presenter.pause_button.isEnabled()
    screen.pause_error = None
    qtbot.mouseClick(screen.presenter.pause_button, Qt.MouseButton.LeftButton)
    assert message.isHidden()
    assert screen.presenter.pause_button.text() == "Silenced 2:00"


def test_stop_silences_and_hides(screen, ward, output) -> None:  # type: ignore[no-untyped-def]
    ward.observe(**HIGH_SPO2)
    screen.refresh()
    screen.presenter.stop()
    assert output.take() == [("play", AlarmPriority.HIGH), ("stop", None)]
    assert screen.presenter.bar.isHidden()
    assert not screen.presenter.bar.flash_timer.isActive()
    assert not screen.presenter.tone.check_timer.isActive()
    assert not screen.presenter.pause_button.isEnabled()


def test_a_pc_without_sound_says_so(qtbot, themed, ward) -> None:  # type: ignore[no-untyped-def]
    screen = Screen(ward, SilentOutput("no audio output was found"))
    qtbot.addWidget(screen)
    screen.show()
    note = screen.presenter.list_panel.sound_note
    assert note.isVisible()
    assert note.text() == ("This PC cannot play alarm tones (no audio output was found): "
                           "watch the screen.")
