"""The bedside: the Today list and the infusion session screen."""

from console.ui.session.today import TodayView
from console.ui.session.view import SessionView

__all__ = ["SessionView", "TodayView"]
