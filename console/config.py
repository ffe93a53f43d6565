"""Start-up settings: defaults < config file < ``CONSOLE_*`` environment < command line.

Only what is needed before the database opens lives here (where the data is, which database,
logging, where the monitor feed listens). Clinical configuration lives in the database,
versioned and audited.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from console.errors import StorageUnavailable, ValidationError
from console.paths import default_config_file, default_data_dir

DATABASE_FILE_NAME = "console.sqlite3"
KNOWN_KEYS = ("data_dir", "database_url", "log_level", "device_host", "device_port")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_DEVICE_HOST = "127.0.0.1"  # the monitor feed (HL7 over MLLP) listens on this PC only
DEFAULT_DEVICE_PORT = 2575         # the port registered for HL7 over MLLP


@dataclass(frozen=True, slots=True)
class AppConfig:
    data_dir: Path
    database_url: str
    log_level: str = "INFO"
    device_host: str = DEFAULT_DEVICE_HOST
    device_port: int = DEFAULT_DEVICE_PORT

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _read_config_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise StorageUnavailable(
            f"The settings file {path} cannot be read ({exc}). Correct or remove it."
        ) from exc
    section = raw.get("console", raw)
    return {key: str(section[key]) for key in KNOWN_KEYS if key in section}


def _device_port(text: str) -> int:
    digits = text.strip()
    port = int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 5 else 0
    if not 1 <= port <= 65535:
        raise ValidationError(
            f"The monitor feed port {text!r} is not a port number: use a whole number from 1 to "
            "65535 (settings file device_port, CONSOLE_DEVICE_PORT or --device-port).",
            field="device_port")
    return port


def _from_environment(environ: Mapping[str, str]) -> dict[str, str]:
    return {
        key: environ[f"CONSOLE_{key.upper()}"]
        for key in KNOWN_KEYS
        if environ.get(f"CONSOLE_{key.upper()}")
    }


def load_config(
    cli: Mapping[str, str | None],
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> AppConfig:
    """Merge the layers; ``cli`` holds only the options given on the command line."""
    environ = os.environ if environ is None else environ
    file_path = config_file or Path(environ.get("CONSOLE_CONFIG_FILE") or default_config_file())
    merged: dict[str, str] = {}
    merged.update(_read_config_file(file_path))
    merged.update(_from_environment(environ))
    merged.update({key: value for key, value in cli.items() if value})

    data_dir = Path(merged["data_dir"]).expanduser() if "data_dir" in merged else default_data_dir()
    database_url = merged.get("database_url") or sqlite_url(data_dir / DATABASE_FILE_NAME)
    log_level = merged.get("log_level", "INFO").upper()
    if log_level not in LOG_LEVELS:
        log_level = "INFO"
    device_host = merged.get("device_host", DEFAULT_DEVICE_HOST).strip()
    if not device_host:
        raise ValidationError("The monitor feed address (device_host) is empty: give a host "
                              f"name or address, for example {DEFAULT_DEVICE_HOST}.",
                              field="device_host")
    device_port = _device_port(merged.get("device_port", str(DEFAULT_DEVICE_PORT)))
    return AppConfig(data_dir=data_dir.resolve(), database_url=database_url, log_level=log_level,
                     device_host=device_host, device_port=device_port)
