"""The README commands and CI entry point keep their promises (scripts/test, scripts/console)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = [ROOT / "scripts" / "test", ROOT / "scripts" / "console", ROOT / ".ci" / "run"]


def _env_without_ci() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CI", "CONSOLE_TEST_"))}
    env["CONSOLE_TEST_SKIP_LINT"] = "1"
    return env


def test_ci_entry_point_only_hands_over_to_scripts_test() -> None:
    assert (ROOT / ".ci" / "run").read_text().splitlines() == [
        "#!/usr/bin/env bash",
        "set -euo pipefail",
        'cd "$(dirname "$0")/.."',
        'exec scripts/test "$@"',
    ]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_is_executable_valid_bash(script: Path) -> None:
    assert os.access(script, os.X_OK), f"{script} lost its executable bit"
    subprocess.run(["bash", "-n", str(script)], check=True)


def test_bootstrap_finds_a_new_enough_python() -> None:
    found = subprocess.run(
        ["bash", "-c", "set -euo pipefail; source scripts/_env.sh; find_python"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip()
    version = subprocess.run(
        [found, "-c", "import sys; print(sys.version_info >= (3, 12))"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert version == "True"


def test_bootstrap_refuses_an_old_python(tmp_path: Path) -> None:
    old = tmp_path / "python-too-old"
    old.write_text("#!/bin/sh\nexit 1\n")
    old.chmod(0o755)
    result = subprocess.run(
        ["bash", "-c", "set -euo pipefail; source scripts/_env.sh; find_python"],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "CONSOLE_PYTHON": str(old)},
    )
    assert result.returncode != 0
    assert "Python >= 3.12" in result.stderr


@pytest.mark.slow
def test_no_tests_collected_is_a_failure_not_a_pass(tmp_path: Path) -> None:
    # From another folder, to show the script finds the repository by itself.
    result = subprocess.run(
        [str(ROOT / "scripts" / "test"), "--collect-only", "-q", "-k", "no_such_test_name_zz"],
        cwd=tmp_path, capture_output=True, text=True, env=_env_without_ci(), timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 5, result.stdout + result.stderr
    assert "ran no tests" in result.stderr
