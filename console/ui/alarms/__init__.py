"""How alarms look and sound on the session screen (IEC 60601-1-8 conventions).

The session screen builds one ``AlarmPresenter`` and calls ``show_book(book, now)`` after every
monitoring result and on its one-second tick; the presenter drives the alarm bar, the alarm
list, the audio-pause button and the tone. Acknowledging and pausing go back to the screen
through the two call-backs it was given. Nothing here changes an alarm: that is the domain's
``AlarmBook``, kept by the monitoring service.
"""

from console.ui.alarms.acknowledge import ACTION_LABELS, AcknowledgeAlarmDialog
from console.ui.alarms.bar import AlarmBar, flash_timing
from console.ui.alarms.list_panel import AlarmListPanel
from console.ui.alarms.pause import AudioPauseButton, audio_pause_remaining
from console.ui.alarms.presenter import AlarmPresenter
from console.ui.alarms.tones import (
    SilentOutput,
    SoundOutput,
    TonePlayer,
    default_sound_output,
)

__all__ = [
    "ACTION_LABELS",
    "AcknowledgeAlarmDialog",
    "AlarmBar",
    "AlarmListPanel",
    "AlarmPresenter",
    "AudioPauseButton",
    "SilentOutput",
    "SoundOutput",
    "TonePlayer",
    "audio_pause_remaining",
    "default_sound_output",
    "flash_timing",
]
