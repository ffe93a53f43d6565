"""Soak the live vitals chart: many redraws in one process, with memory watched.

Each redraw appends one sample to every channel (1 s apart), calls ``VitalsChart.redraw()``
(what the 4 Hz display timer does) and paints the widget (``repaint()`` + ``processEvents()``).
The chart follows live with a one-hour window, so the buffers keep growing while the drawn
part stays the same size. RSS comes from /proc/self/statm (Linux); the target is RSS at the
end within 10 % of RSS after the first 1,000 redraws. Reaching the end without an abort is
the stability check (Python 3.12+ with PySide6 6.12: performance baseline §0).

    .venv/bin/python bench/chart_soak.py                  # 50,000 redraws
    .venv/bin/python bench/chart_soak.py --redraws 100000
    .venv/bin/python bench/chart_soak.py --quick          # 3,000 redraws
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from _common import ROOT, machine_notes, verdict

sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np
from PySide6.QtWidgets import QApplication

from console.ui.charts import VitalsChart

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
CHANNELS = ("heart_rate", "systolic", "diastolic", "spo2", "respiratory_rate", "pain_nrs",
            "sedation_rass", "dissociation")


def rss_mb() -> float:
    statm = Path("/proc/self/statm")
    if not statm.exists():
        return float("nan")
    return int(statm.read_text().split()[1]) * PAGE / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redraws", type=int, default=50_000)
    parser.add_argument("--quick", action="store_true", help="3,000 redraws")
    parser.add_argument("--size", default="800x500",
                        help="widget size, WxH (default 800x500: memory and stability are "
                             "what is measured here; frame time is chart_frame.py's job)")
    args = parser.parse_args()
    redraws = 3_000 if args.quick else args.redraws
    checkpoint = min(1_000, redraws)
    size = tuple(int(v) for v in args.size.lower().split("x", 1))
    app = QApplication.instance() or QApplication([])
    print(machine_notes())
    print(f"{redraws} redraws, widget {size[0]}×{size[1]}, {len(CHANNELS)} channels, "
          f"platform {app.platformName()}", flush=True)

    chart = VitalsChart()
    chart.resize(size[0], size[1])
    chart.show()
    app.processEvents()
    rng = np.random.default_rng(11)
    noise = rng.normal(0, 1, (redraws, len(CHANNELS)))
    centres = np.array([75, 125, 78, 97, 14, 3, 0, 5], dtype=np.float64)
    started = time.perf_counter()
    rss_start = rss_mb()
    rss_checkpoint = float("nan")
    frame_ms: list[float] = []
    for i in range(redraws):
        tick = time.perf_counter()
        values = centres + noise[i]
        chart.append_values(float(i), dict(zip(CHANNELS, values.tolist(), strict=True)))
        chart.redraw()
        chart.repaint()
        app.processEvents()
        frame_ms.append((time.perf_counter() - tick) * 1000)
        if i + 1 == checkpoint:
            rss_checkpoint = rss_mb()
            print(f"  after {checkpoint} redraws: RSS {rss_checkpoint:.1f} MB", flush=True)
        elif (i + 1) % 10_000 == 0:
            print(f"  {i + 1} redraws: RSS {rss_mb():.1f} MB, "
                  f"median frame {np.median(frame_ms[-10_000:]):.2f} ms, "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
    rss_end = rss_mb()
    elapsed = time.perf_counter() - started
    samples = len(chart.series("spo2")[0])
    redrawn = chart.redraw_count
    chart.close()
    chart.deleteLater()
    app.processEvents()
    del chart

    growth = rss_end / rss_checkpoint
    first = np.median(frame_ms[:checkpoint])
    last = np.median(frame_ms[-checkpoint:])
    print()
    print(f"completed {redraws} redraws without an abort in {elapsed:.0f} s "
          f"(chart counted {redrawn} redraws; {samples} samples per channel at the end)")
    print(f"RSS: start {rss_start:.1f} MB, after {checkpoint} {rss_checkpoint:.1f} MB, "
          f"end {rss_end:.1f} MB → {growth:.3f}× "
          f"(target ≤ 1.10×: {verdict(growth, 1.10)})")
    print(f"median frame (append + redraw + repaint): first {checkpoint} {first:.2f} ms, "
          f"last {checkpoint} {last:.2f} ms")


if __name__ == "__main__":
    main()
