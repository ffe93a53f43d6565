"""Soak the live vitals chart: many redraws in one process, with memory watched.

Each redraw appends one sample to every channel (1 s apart), calls ``VitalsChart.redraw()``
(what the 4 Hz display timer does) and paints the widget (``repaint()`` + ``processEvents()``).
The chart follows live with a one-hour window, so the buffers keep growing while the drawn
part stays the same size. Reaching the end without an abort is the stability check (Python
3.12+ with PySide6 6.12: performance baseline §0). The memory target: RSS at the end within
10 % of RSS after the first 1,000 redraws.

One sample per redraw is the hard case: a real chart redraws four times a second on 1 Hz data,
so 50,000 redraws are 3.5 hours of a session, not the 14 hours this soak stores. To tell what
grows, every interval prints:

- RSS (from /proc/self/statm, Linux);
- the bytes the chart's series hold (``SeriesBuffer.nbytes``: storage with its spare
  capacity, the min/max pyramid, gap index): the session's own data, which must grow;
- RSS minus that (everything else: Qt, pyqtgraph, Python, the allocator);
- live Python objects (``gc.get_objects``) and items in the plots' scene;
- with ``--trace``, the Python allocations (tracemalloc) and the top growing lines.

    .venv/bin/python bench/chart_soak.py                  # 50,000 redraws
    .venv/bin/python bench/chart_soak.py --redraws 150000 --interval 25000
    .venv/bin/python bench/chart_soak.py --quick          # 3,000 redraws
    .venv/bin/python bench/chart_soak.py --trace --redraws 20000
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import sys
import time
import tracemalloc
from pathlib import Path

from _common import ROOT, machine_notes, table, verdict

sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np
from PySide6.QtWidgets import QApplication

from console.ui.charts import VitalsChart

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
CHANNELS = ("heart_rate", "systolic", "diastolic", "spo2", "respiratory_rate", "pain_nrs",
            "sedation_rass", "dissociation")
MB = 2**20


def rss_mb() -> float:
    statm = Path("/proc/self/statm")
    if not statm.exists():
        return float("nan")
    return int(statm.read_text().split()[1]) * PAGE / MB


def malloc_trim() -> float | None:
    """Hand the C heap's free memory back to the system (glibc) and return the RSS then."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    gc.collect()
    libc.malloc_trim(0)
    return rss_mb()


def data_mb(chart: VitalsChart) -> float:
    return chart.data_bytes() / MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redraws", type=int, default=50_000)
    parser.add_argument("--interval", type=int, default=10_000,
                        help="print figures every this many redraws")
    parser.add_argument("--quick", action="store_true", help="3,000 redraws")
    parser.add_argument("--trace", action="store_true",
                        help="trace Python allocations (slower; shows what grows)")
    parser.add_argument("--size", default="800x500",
                        help="widget size, WxH (default 800x500: memory and stability are "
                             "what is measured here; frame time is chart_frame.py's job)")
    args = parser.parse_args()
    redraws = 3_000 if args.quick else args.redraws
    interval = 1_000 if args.quick else args.interval
    checkpoint = min(1_000, redraws)
    size = tuple(int(v) for v in args.size.lower().split("x", 1))
    app = QApplication.instance() or QApplication([])
    print(machine_notes())
    print(f"{redraws} redraws, widget {size[0]}×{size[1]}, {len(CHANNELS)} channels, "
          f"platform {app.platformName()}" + (", tracemalloc on" if args.trace else ""),
          flush=True)

    chart = VitalsChart()
    chart.resize(size[0], size[1])
    chart.show()
    app.processEvents()
    scene = chart.graphics.scene()
    rng = np.random.default_rng(11)
    noise = rng.normal(0, 1, (redraws, len(CHANNELS)))
    centres = np.array([75, 125, 78, 97, 14, 3, 0, 5], dtype=np.float64)
    started = time.perf_counter()
    rss_start = rss_mb()
    rows: list[tuple[object, ...]] = []
    marks: dict[int, tuple[float, float]] = {}
    snapshot: tracemalloc.Snapshot | None = None
    if args.trace:
        tracemalloc.start(8)
    # allocated up front: a list of 50,000 Python floats would itself grow RSS by 1.6 MB
    frame_ms = np.zeros(redraws)
    for i in range(redraws):
        tick = time.perf_counter()
        values = centres + noise[i]
        chart.append_values(float(i), dict(zip(CHANNELS, values.round().tolist(),
                                               strict=True)))
        chart.redraw()
        chart.repaint()
        app.processEvents()
        frame_ms[i] = (time.perf_counter() - tick) * 1000
        done = i + 1
        if done in (checkpoint, redraws) or done % interval == 0:
            rss, data = rss_mb(), data_mb(chart)
            marks[done] = (rss, data)
            traced = ""
            if args.trace:
                traced = f"{tracemalloc.get_traced_memory()[0] / MB:.1f}"
                if done == checkpoint:
                    snapshot = tracemalloc.take_snapshot()
            rows.append((f"{done:,}", f"{rss:.1f}", f"{data:.1f}", f"{rss - data:.1f}",
                         f"{len(gc.get_objects()):,}", len(scene.items()),
                         f"{np.median(frame_ms[max(0, done - interval):done]):.2f}",
                         *((traced,) if args.trace else ())))
            print("  " + "  ".join(str(c) for c in rows[-1])
                  + f"  ({time.perf_counter() - started:.0f} s)", flush=True)
    elapsed = time.perf_counter() - started
    trimmed = malloc_trim()  # after the end figure was taken: a diagnostic, not the result
    samples = len(chart.series("spo2")[0])
    redrawn = chart.redraw_count
    if args.trace and snapshot is not None:
        growth = tracemalloc.take_snapshot().compare_to(snapshot, "lineno")
        print("\nlargest Python allocation growth since the checkpoint:")
        for stat in growth[:12]:
            print(f"  {stat.size_diff / 1024:+9.1f} KiB  {stat.count_diff:+7d} blocks  "
                  f"{stat.traceback[0]}")
        tracemalloc.stop()
    chart.close()
    chart.deleteLater()
    app.processEvents()
    del chart

    (rss_check, data_check), (rss_end, data_end) = marks[checkpoint], marks[redraws]
    growth = rss_end / rss_check
    other = (rss_end - data_end) / (rss_check - data_check)
    first = np.median(frame_ms[:checkpoint])
    last = np.median(frame_ms[-checkpoint:])
    print()
    print(table(("redraws", "RSS MB", "series MB", "RSS − series MB", "Python objects",
                 "scene items", "median frame ms", *(("traced MB",) if args.trace else ())),
                rows))
    print()
    print(f"completed {redraws} redraws without an abort in {elapsed:.0f} s "
          f"(chart counted {redrawn} redraws; {samples} samples per channel at the end)")
    print(f"RSS: start {rss_start:.1f} MB, after {checkpoint} {rss_check:.1f} MB, "
          f"end {rss_end:.1f} MB → {growth:.3f}× "
          f"(target ≤ 1.10×: {verdict(growth, 1.10)})")
    print(f"of the {rss_end - rss_check:.1f} MB rise, the series hold "
          f"{data_end - data_check:.1f} MB; everything else went from "
          f"{rss_check - data_check:.1f} to {rss_end - data_end:.1f} MB ({other:.3f}×)")
    if trimmed is not None:
        print(f"at the end, once the C allocator returned its free memory (malloc_trim): "
              f"RSS {trimmed:.1f} MB ({trimmed / rss_check:.3f}× the checkpoint); without the "
              f"series {trimmed - data_end:.1f} MB (at the checkpoint "
              f"{rss_check - data_check:.1f} MB)")
    print(f"median frame (append + redraw + repaint): first {checkpoint} {first:.2f} ms, "
          f"last {checkpoint} {last:.2f} ms")


if __name__ == "__main__":
    main()
