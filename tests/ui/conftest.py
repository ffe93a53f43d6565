"""GUI tests run on the offscreen platform against a real temporary SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Widgets are tested on SQLite only; services are tested on both databases elsewhere."""
    return f"sqlite:///{tmp_path / 'console.sqlite3'}"


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path: Path, qapp) -> None:  # type: ignore[no-untyped-def]
    """Window geometry and other QSettings go to a temporary folder, not the user's profile."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))


@pytest.fixture
def themed(qapp):  # type: ignore[no-untyped-def]
    """The console's stylesheet, as the real application applies it."""
    from console.ui.application import apply_theme

    apply_theme(qapp)
    yield qapp
    qapp.setStyleSheet("")
