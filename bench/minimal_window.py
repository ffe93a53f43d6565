"""The smallest PySide6 + pyqtgraph window: the baseline the console's start-up is compared with.

A QMainWindow holding a PlotWidget with one short curve, shown. With
``CONSOLE_REPORT_FIRST_PAINT=1`` it follows the same protocol as the console: when the first
window receives its first Paint event it prints ``first-paint <seconds>`` (seconds since
this script started running Python code; the benchmark itself measures wall time from outside)
and quits. Without the variable the window stays open.

Run from source (``python bench/minimal_window.py``) or bundled with ``bench/minimal.spec``.
"""

import time

_T0 = time.perf_counter()

import os  # noqa: E402
import sys  # noqa: E402

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget  # noqa: E402


class FirstPaintReporter(QObject):
    """On the first Paint event of any widget: print ``first-paint``, then quit.

    The console reports the Paint event its login dialog receives. Here it is installed on the
    application, because a QMainWindow fully covered by an opaque child (the PlotWidget) never
    receives a Paint event itself: its first painted widget marks the first frame.
    """

    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self._app = app
        self._seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (not self._seen and event.type() == QEvent.Type.Paint
                and isinstance(watched, QWidget)):
            self._seen = True
            print(f"first-paint {time.perf_counter() - _T0:.4f}", flush=True)
            QTimer.singleShot(0, self._app.quit)
        return False


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("Minimal PySide6 + pyqtgraph window")
    plot = pg.PlotWidget()
    plot.plot([0, 1, 2, 3, 4], [3, 1, 4, 1, 5])
    window.setCentralWidget(plot)
    window.resize(1280, 800)
    reporter = FirstPaintReporter(app)
    if os.environ.get("CONSOLE_REPORT_FIRST_PAINT") == "1":
        app.installEventFilter(reporter)
    window.show()
    code = app.exec()
    app.removeEventFilter(reporter)
    window.close()
    window.deleteLater()
    del window, plot
    return code


if __name__ == "__main__":
    sys.exit(main())
