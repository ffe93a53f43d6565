"""The monitor feed in the window: the thread bridge, the session's monitor line, training."""

from console.ui.devices.bridge import DeviceBridge
from console.ui.devices.panel import MonitorPanel

__all__ = ["DeviceBridge", "MonitorPanel"]
