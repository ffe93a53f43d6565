"""Live charts of a session (pyqtgraph): trends, infusion steps, alarm bands and markers."""

from console.ui.charts.buffer import SeriesBuffer
from console.ui.charts.vitals_chart import CHANNEL_KEYS, Marker, VitalsChart, alarm_bands

__all__ = ["CHANNEL_KEYS", "Marker", "SeriesBuffer", "VitalsChart", "alarm_bands"]
