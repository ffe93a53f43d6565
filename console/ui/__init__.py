"""The only package that imports PySide6 or pyqtgraph."""

import os

# pyqtgraph must never pick another Qt binding than the one the console ships.
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
