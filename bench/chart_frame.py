"""Full-repaint time of the live vitals chart for long sessions, against its own floor.

Each frame appends one sample to every channel (1 Hz data), pushes it to the chart and forces
a synchronous full render with ``widget.grab()``; the figure is the median over the measured
frames. Configurations, each in the same 1200×800 widget:

- floor: the same ``VitalsChart`` holding 2 samples per channel (plus one per frame);
- chart 4 h / 12 h: ``VitalsChart`` holding 14,400 / 43,200 samples per channel, once with the
  whole session in view (the hardest case) and once following live (the last hour in view);
- defaults 4 h / 12 h: the same data as plain ``PlotWidget`` curves with pyqtgraph defaults
  (grid on, no downsampling, no clip-to-view, x auto-range).

Targets (performance baseline §3): chart 12 h ≤ 2× the floor; chart 12 h / chart 4 h ≤ 1.2.
Prints figures and exits 0; never passes or fails.

    .venv/bin/python bench/chart_frame.py            # 60 frames per configuration
    .venv/bin/python bench/chart_frame.py --quick    # 15 frames
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from _common import ROOT, machine_notes, median, percentile, table, verdict

sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np
from PySide6.QtWidgets import QApplication, QWidget

import pyqtgraph as pg  # isort: skip

from console.ui.charts import VitalsChart

SIZE = (1200, 800)
CHANNELS = ("heart_rate", "systolic", "diastolic", "spo2", "respiratory_rate")
CENTRES = {"heart_rate": 75.0, "systolic": 125.0, "diastolic": 78.0, "spo2": 97.0,
           "respiratory_rate": 14.0}


def random_walk(points: int, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    data = {}
    for key in CHANNELS:
        steps = rng.normal(0, 0.4, points)
        walk = CENTRES[key] + np.cumsum(steps) - np.linspace(0, np.sum(steps), points)
        data[key] = np.round(walk)
    data["diastolic"] = np.minimum(data["diastolic"], data["systolic"] - 20)
    return data


def time_frames(frame: Callable[[int], None], widget: QWidget, frames: int,
                warmup: int) -> list[float]:
    app = QApplication.instance()
    times = []
    for i in range(warmup + frames):
        started = time.perf_counter()
        frame(i)
        widget.grab()
        if app is not None:
            app.processEvents()
        elapsed = time.perf_counter() - started
        if i >= warmup:
            times.append(elapsed * 1000)
    return times


def chart_config(points: int, frames: int, warmup: int, *,
                 window: timedelta | None) -> tuple[list[float], int]:
    chart = VitalsChart(live_window=window)
    chart.resize(*SIZE)
    chart.show()
    extra = warmup + frames
    data = random_walk(points + extra)
    for i in range(points):
        chart.append_values(float(i), {key: data[key][i] for key in CHANNELS})
    chart.redraw()

    def frame(i: int) -> None:
        at = points + i
        chart.append_values(float(at), {key: data[key][at] for key in CHANNELS})
        chart.redraw()

    times = time_frames(frame, chart, frames, warmup)
    x, _ = chart.curves["spo2"].getData()
    drawn = 0 if x is None else len(x)
    close(chart)
    return times, drawn


def defaults_config(points: int, frames: int, warmup: int) -> tuple[list[float], int]:
    widget = pg.PlotWidget()
    widget.resize(*SIZE)
    widget.showGrid(x=True, y=True)
    widget.show()
    extra = warmup + frames
    data = random_walk(points + extra)
    x = np.arange(points + extra, dtype=np.float64)
    curves: dict[str, Any] = {key: widget.plot(pen=pg.mkPen(width=1)) for key in CHANNELS}

    def frame(i: int) -> None:
        end = points + i + 1
        for key, curve in curves.items():
            curve.setData(x[:end], data[key][:end])

    times = time_frames(frame, widget, frames, warmup)
    drawn = len(curves["spo2"].getData()[0])
    close(widget)
    return times, drawn


def close(widget: QWidget) -> None:
    widget.close()
    widget.deleteLater()
    app = QApplication.instance()
    if app is not None:
        app.processEvents()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="15 frames, 5 warm-up")
    args = parser.parse_args()
    frames, warmup = (15, 5) if args.quick else (args.frames, args.warmup)
    app = QApplication.instance() or QApplication([])
    print(machine_notes())
    print(f"widget {SIZE[0]}×{SIZE[1]}, {frames} frames (+{warmup} warm-up) per configuration, "
          f"platform {app.platformName()}")
    h4, h12 = 4 * 3600, 12 * 3600
    configs: list[tuple[str, Callable[[], tuple[list[float], int]]]] = [
        ("floor: chart with 2 samples", lambda: chart_config(2, frames, warmup, window=None)),
        ("chart 4 h, whole session", lambda: chart_config(h4, frames, warmup, window=None)),
        ("chart 12 h, whole session", lambda: chart_config(h12, frames, warmup, window=None)),
        ("chart 4 h, live 1 h window",
         lambda: chart_config(h4, frames, warmup, window=timedelta(hours=1))),
        ("chart 12 h, live 1 h window",
         lambda: chart_config(h12, frames, warmup, window=timedelta(hours=1))),
        ("pyqtgraph defaults 4 h", lambda: defaults_config(h4, frames, warmup)),
        ("pyqtgraph defaults 12 h", lambda: defaults_config(h12, frames, warmup)),
    ]
    results: dict[str, float] = {}
    rows = []
    for name, run in configs:
        times, drawn = run()
        results[name] = median(times)
        rows.append((name, f"{median(times):.1f}", f"{percentile(times, 0.95):.1f}",
                     drawn or "—"))
        print(f"  {name}: median {median(times):.1f} ms", flush=True)
    floor = results["floor: chart with 2 samples"]
    for row in rows:
        rows[rows.index(row)] = (*row, f"{results[row[0]] / floor:.2f}×")
    print()
    print(table(("configuration", "median ms", "p95 ms", "SpO2 points drawn", "× floor"),
                rows))
    print()
    whole = results["chart 12 h, whole session"] / floor
    growth = results["chart 12 h, whole session"] / results["chart 4 h, whole session"]
    live = results["chart 12 h, live 1 h window"] / floor
    live_growth = results["chart 12 h, live 1 h window"] / results["chart 4 h, live 1 h window"]
    defaults = results["pyqtgraph defaults 12 h"] / results["chart 12 h, whole session"]
    print(f"chart 12 h / floor, whole session: {whole:.2f}× (target ≤ 2×: {verdict(whole, 2)})")
    print(f"chart 12 h / floor, live window:   {live:.2f}× (target ≤ 2×: {verdict(live, 2)})")
    print(f"chart 12 h / 4 h, whole session:   {growth:.2f}× "
          f"(target ≤ 1.2×: {verdict(growth, 1.2)})")
    print(f"chart 12 h / 4 h, live window:     {live_growth:.2f}× "
          f"(target ≤ 1.2×: {verdict(live_growth, 1.2)})")
    print(f"pyqtgraph defaults 12 h / chart 12 h: {defaults:.2f}×")


if __name__ == "__main__":
    main()
