"""Write the alarm tones the console plays: one burst per priority, IEC 60601-1-8 style.

Run from the repository root after changing a figure below, and commit the WAV files:

    .venv/bin/python resources/sounds/make_tones.py

Each file holds ONE burst; the console repeats it (console.ui.alarms.tones). The pulses follow
the standard's patterns (clinical notes §6.1):

- high:   10 pulses, grouped 3 + 2, pause, 3 + 2 (pulse 150 ms; spacing x = 100 ms, 2x + pulse
          = 350 ms between the groups of 3 and 2, 800 ms between the two halves);
- medium: 3 pulses (pulse 200 ms, spacing y = 200 ms);
- low:    1 pulse (200 ms).

Every pulse is a fundamental with four harmonics (the standard asks for at least four in
300-4000 Hz, so the tone is heard and located in a noisy room), with 20 ms raised-cosine rise
and fall so that it does not click. Each priority has its own pitch (high highest).
16-bit mono PCM at 22.05 kHz keeps the files small.
"""

from __future__ import annotations

import math
import sys
import wave
from pathlib import Path

import numpy as np

RATE = 22_050
PEAK = 0.7  # of full scale: loud, with headroom so the sound card never clips
HARMONICS = (1.0, 0.65, 0.5, 0.35, 0.25)  # fundamental, then 2nd..5th harmonic
RAMP_S = 0.020


def pulse(fundamental_hz: float, duration_s: float) -> np.ndarray:
    t = np.arange(round(duration_s * RATE)) / RATE
    wave_ = sum(level * np.sin(2 * math.pi * fundamental_hz * (n + 1) * t)
                for n, level in enumerate(HARMONICS))
    envelope = np.ones_like(t)
    ramp = round(RAMP_S * RATE)
    rise = 0.5 - 0.5 * np.cos(np.linspace(0, math.pi, ramp))
    envelope[:ramp] = rise
    envelope[-ramp:] = rise[::-1]
    signal = np.asarray(wave_ * envelope, dtype=np.float64)
    return signal / np.max(np.abs(signal))


def silence(duration_s: float) -> np.ndarray:
    return np.zeros(round(duration_s * RATE))


def burst(fundamental_hz: float, pulse_s: float, gaps_s: list[float]) -> np.ndarray:
    """Pulses separated by ``gaps_s`` (one gap fewer than pulses)."""
    parts = [pulse(fundamental_hz, pulse_s)]
    for gap in gaps_s:
        parts += [silence(gap), pulse(fundamental_hz, pulse_s)]
    return np.concatenate(parts)


def tones() -> dict[str, np.ndarray]:
    x, td = 0.100, 0.150
    between_groups = 2 * x + td
    high_gaps = [x, x, between_groups, x, 0.800, x, x, between_groups, x]
    return {
        "alarm_high.wav": burst(523.25, td, high_gaps),  # C5
        "alarm_medium.wav": burst(440.0, 0.200, [0.200, 0.200]),  # A4
        "alarm_low.wav": burst(392.0, 0.200, []),  # G4
    }


def write(path: Path, signal: np.ndarray) -> None:
    samples = np.round(signal * PEAK * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())


def main() -> None:
    folder = Path(__file__).resolve().parent
    for name, signal in tones().items():
        write(folder / name, signal)
        sys.stdout.write(f"{name}: {len(signal) / RATE:.2f} s\n")


if __name__ == "__main__":
    main()
