"""The real console window under Xvfb: it starts, paints the sign-in screen, and is screenshot.

The screenshot is kept (CONSOLE_TEST_ARTIFACTS, default: the test's temporary folder) so a
person can look at it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI") in {"true", "1"}

needs_xvfb = pytest.mark.skipif(
    shutil.which("Xvfb") is None and not IN_CI,
    reason="Xvfb is not installed (scripts/test installs it under CI=true)",
)


@pytest.fixture
def display() -> Iterator[str]:
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def run_console(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.xvfb
@needs_xvfb
def test_the_sign_in_window_paints_on_a_real_display(display: str, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    data_dir = tmp_path / "data"
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
           "CONSOLE_REPORT_FIRST_PAINT": "print"}
    seeded = run_console(["--data-dir", str(data_dir), "seed-demo"], env)
    assert seeded.returncode == 0, seeded.stderr
    with subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as console:
        shot = take_screenshot(console, display, tmp_path)
    image = QImage(str(shot))
    assert not image.isNull()
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 20, "the screenshot is (nearly) blank: nothing was drawn"


def take_screenshot(console: subprocess.Popen[str], display: str, tmp_path: Path) -> Path:
    try:
        assert console.stdout is not None
        line = console.stdout.readline()
        assert line.startswith("first-paint"), console.stderr.read() if console.stderr else line
        time.sleep(1.0)
        assert console.poll() is None, "the console exited instead of waiting for sign-in"
        folder = Path(os.environ.get("CONSOLE_TEST_ARTIFACTS", tmp_path))
        folder.mkdir(parents=True, exist_ok=True)
        shot = folder / "sign-in-window.png"
        grabbed = subprocess.run(["import", "-display", display, "-window", "root", str(shot)],
                                 capture_output=True, timeout=60, check=False)
        assert grabbed.returncode == 0, grabbed.stderr
    finally:
        console.terminate()
        console.wait(timeout=20)
    return shot
