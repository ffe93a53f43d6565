"""Where files live: bundled resources (source tree or frozen bundle) and per-user data."""

from __future__ import annotations

import sys
from pathlib import Path

APP_NAME = "KetamineConsole"
APP_AUTHOR = "KetamineConsole"


def bundle_root() -> Path:
    """The folder holding ``console/`` and ``resources/``: the source tree or the bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """The path of a bundled resource, e.g. ``resource_path("styles", "dark.qss")``."""
    return bundle_root().joinpath("resources", *parts)


def migrations_path() -> Path:
    """The Alembic script directory shipped inside the package."""
    return Path(__file__).resolve().parent / "storage" / "migrations"


def default_data_dir() -> Path:
    import platformdirs  # deferred: only needed when no --data-dir is given

    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def default_config_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)) / "console.toml"
