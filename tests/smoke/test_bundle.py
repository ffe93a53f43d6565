"""The packaged one-folder build starts and works headless.

Build it first (``.venv/bin/pyinstaller --noconfirm --clean build_installer.spec``); the tests
are skipped when there is no bundle, unless CONSOLE_REQUIRE_BUNDLE=1 makes that a failure.
CONSOLE_BUNDLE names another executable. Every exclusion in the spec is proven by these runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXE_NAME = "KetamineConsole.exe" if sys.platform == "win32" else "KetamineConsole"
BUNDLE = Path(os.environ.get("CONSOLE_BUNDLE") or ROOT / "dist" / "KetamineConsole" / EXE_NAME)

if not BUNDLE.is_file() and os.environ.get("CONSOLE_REQUIRE_BUNDLE") == "1":
    raise RuntimeError(f"CONSOLE_REQUIRE_BUNDLE=1 but there is no bundle at {BUNDLE}")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not BUNDLE.is_file(),
                       reason=f"no bundle at {BUNDLE}: build it with build_installer.spec"),
]

# The Windows executable is a windowed (GUI subsystem) program: it has no standard output, so
# there only exit codes are checked (a CONSOLE_PYINSTALLER_DEBUG=1 build has a console).
HAS_STDOUT = sys.platform != "win32" or os.environ.get("CONSOLE_PYINSTALLER_DEBUG") == "1"


def run(*args: str, data_dir: Path, extra_env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CONSOLE_")}
    env.update({"QT_QPA_PLATFORM": "offscreen", "CONSOLE_CONFIG_FILE": str(data_dir / "none.toml")})
    env.update(extra_env or {})
    return subprocess.run([str(BUNDLE), "--data-dir", str(data_dir), *args], env=env,
                          capture_output=True, text=True, timeout=180, check=False)


def test_migrate_finds_the_bundled_migration_scripts(tmp_path: Path) -> None:
    result = run("migrate", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout or not HAS_STDOUT
    assert (tmp_path / "console.sqlite3").is_file()


def test_seed_then_verify_audit_then_self_test(tmp_path: Path) -> None:
    seeded = run("seed-demo", data_dir=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    verified = run("verify-audit", data_dir=tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert "intact" in verified.stdout or not HAS_STDOUT
    checked = run("self-test", data_dir=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "self-test passed" in checked.stdout or not HAS_STDOUT


def test_the_sign_in_window_paints_and_closes(tmp_path: Path) -> None:
    assert run("seed-demo", data_dir=tmp_path).returncode == 0
    shown = run(data_dir=tmp_path, extra_env={"CONSOLE_REPORT_FIRST_PAINT": "1"})
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("first-paint ") or not HAS_STDOUT, shown.stdout


def test_other_qt_bindings_and_test_tools_are_not_shipped() -> None:
    contents = BUNDLE.parent / "_internal"
    for name in ("PyQt5", "PyQt6", "PySide2", "pytest", "hypothesis", "mypy"):
        assert not (contents / name).exists(), name
    assert not list(contents.rglob("_tkinter*"))
    assert not list(contents.rglob("translations/qtbase_*.qm"))
