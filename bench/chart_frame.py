"""Full-repaint time of the live vitals chart for long sessions, against its own floor.

Each frame appends one sample to every channel the chart draws (1 Hz data on all nine: the
vitals, end-tidal CO2, pain, RASS and dissociation), calls ``redraw()`` (what the
4 Hz display timer does) and forces a synchronous full render with ``widget.grab()``, then lets
the event loop paint the window (``processEvents()``). The figure is the median over the
measured frames, as wall time and as this process's CPU time (the machine is shared: CPU time
is what other load disturbs least). All configurations are built first and then measured round
by round, interleaved, so a change in the machine's load hits all of them alike.
Configurations, each in the same 1200×800 widget:

- floor: the same ``VitalsChart`` holding 2 samples per channel (plus one per frame);
- chart 4 h / 12 h: ``VitalsChart`` holding 14,400 / 43,200 samples per channel, once with the
  whole session in view (the hardest case) and once following live (the last hour in view);
- chart 12 h, panned every frame: the whole session in view, the view moved by a pixel every
  frame (a user dragging it): nothing can be reused from the frame before; compared with the
  floor panned the same way (moving the view redraws the axes, whatever the data);
- defaults 4 h / 12 h: the same data as plain ``PlotWidget`` curves with pyqtgraph defaults
  (grid on, no downsampling, no clip-to-view, x auto-range), side by side with the chart.

``--variants`` adds what the choices in the chart are worth: the chart with pen width 2, with
a grid, and plain pyqtgraph at 12 h with one option changed at a time (grid off, width 2,
antialiasing, clip-to-view with peak downsampling, ``skipFiniteCheck``).

Targets (performance baseline §3): chart 12 h ≤ 2× the floor; chart 12 h / chart 4 h ≤ 1.2.
Prints figures and exits 0; never passes or fails.

    .venv/bin/python bench/chart_frame.py             # 200 frames per configuration
    .venv/bin/python bench/chart_frame.py --quick     # 15 frames
    .venv/bin/python bench/chart_frame.py --variants  # also the option-by-option table
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
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
# every channel the chart draws (sedation on the default RASS scale), all at 1 Hz
CHANNELS = ("heart_rate", "systolic", "diastolic", "spo2", "respiratory_rate", "etco2",
            "pain_nrs", "sedation_rass", "dissociation")
CENTRES = {"heart_rate": 75.0, "systolic": 125.0, "diastolic": 78.0, "spo2": 97.0,
           "respiratory_rate": 14.0, "etco2": 36.0, "pain_nrs": 5.0, "sedation_rass": -1.0,
           "dissociation": 8.0}
LIMITS = {"spo2": (70, 100), "pain_nrs": (0, 10), "sedation_rass": (-5, 4),
          "dissociation": (0, 24)}
STEP = {"pain_nrs": 0.05, "sedation_rass": 0.03, "dissociation": 0.1}
H4, H12 = 4 * 3600, 12 * 3600


def random_walk(points: int, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    data = {}
    for key in CHANNELS:
        steps = rng.normal(0, STEP.get(key, 0.4), points)
        walk = CENTRES[key] + np.cumsum(steps) - np.linspace(0, np.sum(steps), points)
        low, high = LIMITS.get(key, (0, 250))
        data[key] = np.clip(np.round(walk), low, high)
    data["diastolic"] = np.minimum(data["diastolic"], data["systolic"] - 20)
    return data


@dataclass
class Config:
    name: str
    widget: QWidget
    frame: Callable[[int], None]
    drawn: Callable[[], int]
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    done: int = 0


def measure(config: Config, frames: int, warmup: int) -> None:
    app = QApplication.instance()
    for _ in range(frames):
        i = config.done
        started, cpu = time.perf_counter(), time.process_time()
        config.frame(i)
        config.widget.grab()
        if app is not None:
            app.processEvents()
        if i >= warmup:
            config.wall.append((time.perf_counter() - started) * 1000)
            config.cpu.append((time.process_time() - cpu) * 1000)
        config.done += 1


def chart_config(name: str, points: int, total: int, *, window: timedelta | None,
                 pan: bool = False, pen_width: float = 1.0, grid: bool = False) -> Config:
    chart = VitalsChart(live_window=window)
    chart.resize(*SIZE)
    chart.show()
    data = random_walk(points + total)
    columns = [data[key][:points].tolist() for key in CHANNELS]
    for i, values in enumerate(zip(*columns, strict=True)):
        chart.append_values(float(i), dict(zip(CHANNELS, values, strict=True)))
    if pen_width != 1.0:
        for curve in chart.curves.values():
            pen = curve.pen()
            pen.setWidthF(pen_width)
            curve.setPen(pen)
    if grid:
        for plot in chart.plots:
            plot.showGrid(x=True, y=True)
    chart.redraw()
    if pan:
        chart.vitals_plot.getViewBox().sigRangeChangedManually.emit([True, False])

    def frame(i: int) -> None:
        at = points + i
        chart.append_values(float(at), {key: data[key][at] for key in CHANNELS})
        if pan:
            left, right = chart.x_range()
            step = (right - left) / max(chart.vitals_plot.getViewBox().width(), 1.0)
            shift = step if i % 2 else -step
            chart.vitals_plot.setXRange(left + shift, right + shift, padding=0)
        chart.redraw()

    def drawn() -> int:
        x, _ = chart.curves["spo2"].getData()
        return 0 if x is None else len(x)

    return Config(name, chart, frame, drawn)


def defaults_config(name: str, points: int, total: int, *, grid: bool = True,
                    width: float = 1.0, antialias: bool = False, clip_peak: bool = False,
                    skip_finite: bool = False) -> Config:
    widget = pg.PlotWidget()
    widget.resize(*SIZE)
    widget.showGrid(x=grid, y=grid)
    if clip_peak:
        widget.setClipToView(True)
        widget.setDownsampling(auto=True, mode="peak")
    widget.show()
    data = random_walk(points + total)
    x = np.arange(points + total, dtype=np.float64)
    curves: dict[str, Any] = {key: widget.plot(pen=pg.mkPen(width=width), antialias=antialias,
                                               skipFiniteCheck=skip_finite)
                              for key in CHANNELS}

    def frame(i: int) -> None:
        end = points + i + 1
        for key, curve in curves.items():
            curve.setData(x[:end], data[key][:end])

    def drawn() -> int:
        shown = curves["spo2"].getData()[0]
        return 0 if shown is None else len(shown)

    return Config(name, widget, frame, drawn)


def close(widget: QWidget) -> None:
    widget.close()
    widget.deleteLater()
    app = QApplication.instance()
    if app is not None:
        app.processEvents()


def run(configs: list[Config], frames: int, warmup: int, rounds: int) -> None:
    per_round = -(-frames // rounds)
    for number in range(rounds):
        for config in configs:
            measure(config, per_round if number else per_round + warmup, warmup)
        print(f"  round {number + 1}/{rounds} done", flush=True)


def report(configs: list[Config], floor_name: str) -> dict[str, float]:
    by_name = {c.name: c for c in configs}
    floor_wall = median(by_name[floor_name].wall)
    floor_cpu = median(by_name[floor_name].cpu)
    rows = []
    results: dict[str, float] = {}
    for c in configs:
        wall, cpu = median(c.wall), median(c.cpu)
        results[c.name] = cpu
        rows.append((c.name, f"{wall:.1f}", f"{percentile(c.wall, 0.95):.1f}", f"{cpu:.1f}",
                     c.drawn() or "—", f"{wall / floor_wall:.2f}×", f"{cpu / floor_cpu:.2f}×"))
    print(table(("configuration", "median ms", "p95 ms", "CPU median ms", "SpO2 points drawn",
                 "× floor (wall)", "× floor (CPU)"), rows))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=10,
                        help="the frames of each configuration are split into this many "
                             "interleaved rounds")
    parser.add_argument("--quick", action="store_true", help="15 frames, 5 warm-up")
    parser.add_argument("--variants", action="store_true",
                        help="also measure the chart and plain pyqtgraph option by option")
    args = parser.parse_args()
    frames, warmup = (15, 5) if args.quick else (args.frames, args.warmup)
    total = frames + warmup + args.rounds
    app = QApplication.instance() or QApplication([])
    print(machine_notes())
    print(f"widget {SIZE[0]}×{SIZE[1]}, {frames} frames (+{warmup} warm-up) per configuration "
          f"in {args.rounds} interleaved rounds, platform {app.platformName()}", flush=True)
    hour = timedelta(hours=1)
    floor = "floor: chart with 2 samples"
    floor_panned = "floor, panned every frame"
    configs = [
        chart_config(floor, 2, total, window=None),
        chart_config(floor_panned, 2, total, window=None, pan=True),
        chart_config("chart 4 h, whole session", H4, total, window=None),
        chart_config("chart 12 h, whole session", H12, total, window=None),
        chart_config("chart 4 h, live 1 h window", H4, total, window=hour),
        chart_config("chart 12 h, live 1 h window", H12, total, window=hour),
        chart_config("chart 12 h, panned every frame", H12, total, window=None, pan=True),
        defaults_config("pyqtgraph defaults 4 h", H4, total),
        defaults_config("pyqtgraph defaults 12 h", H12, total),
    ]
    run(configs, frames, warmup, args.rounds)
    print()
    results = report(configs, floor)
    print()
    for name, label in (("chart 12 h, whole session", "floor, whole session:"),
                        ("chart 12 h, live 1 h window", "floor, live window:"),
                        ("chart 12 h, panned every frame", "floor panned, panned:")):
        base = floor_panned if "panned" in name else floor
        ratio = results[name] / results[base]
        print(f"chart 12 h / {label:22s} {ratio:.2f}× (target ≤ 2×: {verdict(ratio, 2)})")
    for name, label in (("whole session", "whole session"), ("live 1 h window", "live window")):
        growth = results[f"chart 12 h, {name}"] / results[f"chart 4 h, {name}"]
        print(f"chart 12 h / 4 h, {label + ':':19s} {growth:.2f}× "
              f"(target ≤ 1.2×: {verdict(growth, 1.2)})")
    for hours in (4, 12):
        ratio = results[f"pyqtgraph defaults {hours} h"] / results[
            f"chart {hours} h, whole session"]
        print(f"pyqtgraph defaults {hours} h / chart {hours} h (whole session): {ratio:.2f}×")
    print("(ratios from CPU-time medians)")
    for config in configs:
        close(config.widget)

    if args.variants:
        print("\nvariants, 12 h of data, whole session in view:", flush=True)
        frames, warmup = min(frames, 60), min(warmup, 10)  # pen width 2 without the chart: 0.4 s
        total = frames + warmup + args.rounds
        base = "chart 12 h (as shipped)"
        variants = [
            chart_config(base, H12, total, window=None),
            chart_config("chart 12 h, pen width 2", H12, total, window=None, pen_width=2.0),
            chart_config("chart 12 h, grid on", H12, total, window=None, grid=True),
            defaults_config("pyqtgraph defaults (grid on)", H12, total),
            defaults_config("pyqtgraph, grid off", H12, total, grid=False),
            defaults_config("pyqtgraph, grid on, pen width 2", H12, total, width=2.0),
            defaults_config("pyqtgraph, grid on, antialias", H12, total, antialias=True),
            defaults_config("pyqtgraph, grid off, clip + peak", H12, total, grid=False,
                            clip_peak=True),
            defaults_config("pyqtgraph, grid off, clip + peak, skipFiniteCheck", H12, total,
                            grid=False, clip_peak=True, skip_finite=True),
        ]
        run(variants, frames, warmup, args.rounds)
        print()
        report(variants, base)
        for config in variants:
            close(config.widget)


if __name__ == "__main__":
    main()
