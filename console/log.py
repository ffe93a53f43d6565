"""Logging: a rotating file in the data directory plus a small in-memory tail for crash reports.

No patient identifiers are ever logged; the audit trail is a database table, not a log.
"""

from __future__ import annotations

import collections
import logging
import logging.handlers
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class MemoryTailHandler(logging.Handler):
    """Keeps the last lines so a crash dialog can show what led up to it."""

    def __init__(self, capacity: int = 200) -> None:
        super().__init__()
        self.lines: collections.deque[str] = collections.deque(maxlen=capacity)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def tail(self) -> str:
        return "\n".join(self.lines)


def configure_logging(log_dir: Path, level: str = "INFO") -> MemoryTailHandler:
    """Send the ``console`` loggers to a rotating file; returns the in-memory tail."""
    log_dir.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger("console")
    root.setLevel(level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    formatter = logging.Formatter(LOG_FORMAT)
    file_handler = logging.handlers.RotatingFileHandler(
        log_dir / "console.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    file_handler.setFormatter(formatter)
    tail = MemoryTailHandler()
    tail.setFormatter(formatter)
    root.addHandler(file_handler)
    root.addHandler(tail)
    root.propagate = False
    return tail


def shutdown_logging() -> None:
    root = logging.getLogger("console")
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
