"""A live pyqtgraph chart must survive thousands of redraws in one process.

PySide6 6.12 on Python 3.11 loses a reference to ``None`` on every call that returns nothing;
a redrawing chart then aborts the process ("Fatal Python error: none_dealloc"). The console
requires Python 3.12+, where ``None`` is immortal. The redraw loop runs in a child process so
an abort shows up here as a failure instead of killing the test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REDRAW_LOOP = textwrap.dedent(
    """
    import sys
    import numpy as np
    from PySide6.QtWidgets import QApplication
    import pyqtgraph as pg

    app = QApplication([])
    widget = pg.PlotWidget()
    widget.resize(480, 320)
    widget.show()
    points = 2_000
    x = np.arange(points, dtype=np.float64)
    curves = [widget.plot(pen=pg.mkPen(width=1)) for _ in range(6)]
    rng = np.random.default_rng(7)
    none_refs = sys.getrefcount(None)
    for frame in range(3_000):
        for curve in curves:
            curve.setData(x, rng.normal(100, 10, points))
        widget.repaint()
        app.processEvents()
    drift = none_refs - sys.getrefcount(None)
    widget.close()
    widget.deleteLater()
    app.processEvents()
    del widget, curves
    print(f"frames=3000 none_drift={drift}")
    """
)


@pytest.mark.slow
def test_six_long_curves_redrawn_three_thousand_times_do_not_abort() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYQTGRAPH_QT_LIB": "PySide6"}
    result = subprocess.run(
        [sys.executable, "-c", REDRAW_LOOP], env=env, capture_output=True, text=True,
        timeout=600, check=False,
    )
    assert result.returncode == 0, (
        f"redraw loop died ({result.returncode}): {result.stderr[-2000:]}"
    )
    assert "frames=3000" in result.stdout
    drift = int(result.stdout.split("none_drift=")[1].split()[0])
    assert abs(drift) < 100, f"references to None drifted by {drift} over 3000 frames"


CHART_LOOP = textwrap.dedent(
    """
    import numpy as np
    from PySide6.QtWidgets import QApplication
    from console.domain.alarms import AlarmPriority
    from console.ui.charts import VitalsChart

    app = QApplication([])
    chart = VitalsChart()
    chart.resize(640, 400)
    chart.show()
    rng = np.random.default_rng(3)
    keys = ("heart_rate", "systolic", "diastolic", "spo2", "respiratory_rate", "pain_nrs",
            "sedation_rass", "dissociation")
    centres = np.array([75, 125, 78, 97, 14, 3, 0, 5], dtype=np.float64)
    for frame in range(3_000):
        values = np.round(centres + rng.normal(0, 1, len(keys)))
        chart.append_values(float(frame), dict(zip(keys, values.tolist())))
        if frame % 500 == 0:
            chart.add_alarm_marker(float(frame), "*** test", AlarmPriority.HIGH)
        chart.redraw()
        chart.repaint()
        app.processEvents()
    count = chart.redraw_count
    chart.close()
    chart.deleteLater()
    app.processEvents()
    print(f"redraws={count}")
    """
)


@pytest.mark.slow
def test_the_live_chart_redrawn_three_thousand_times_does_not_abort() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYQTGRAPH_QT_LIB": "PySide6"}
    result = subprocess.run(
        [sys.executable, "-c", CHART_LOOP], env=env, capture_output=True, text=True,
        timeout=600, check=False, cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, (
        f"chart redraw loop died ({result.returncode}): {result.stderr[-2000:]}"
    )
    assert "redraws=3000" in result.stdout


def test_the_console_runs_on_python_312_or_later() -> None:
    assert sys.version_info >= (3, 12), "PySide6 6.12 on Python 3.11 aborts live charts"
