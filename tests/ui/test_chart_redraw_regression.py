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


def test_the_console_runs_on_python_312_or_later() -> None:
    assert sys.version_info >= (3, 12), "PySide6 6.12 on Python 3.11 aborts live charts"
