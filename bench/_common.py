"""Shared helpers for the benchmarks: paths, bundles, process timing, statistics, tables.

Benchmarks print figures and exit 0; they never pass or fail on a time. Compare ratios
against a baseline measured in the same run: the machine is shared and noisy.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DIST = ROOT / "dist"
BUILD = ROOT / "build"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""

CONSOLE_SPEC = ROOT / "build_installer.spec"
CONSOLE_BUNDLE = DIST / "KetamineConsole" / f"KetamineConsole{EXE_SUFFIX}"
MINIMAL_SPEC = BENCH / "minimal.spec"
MINIMAL_BUNDLE = DIST / "MinimalWindow" / f"MinimalWindow{EXE_SUFFIX}"
MINIMAL_SCRIPT = BENCH / "minimal_window.py"


def venv_python() -> Path:
    """The project's virtualenv interpreter (the one the console runs from source with)."""
    bin_dir = "Scripts" if sys.platform == "win32" else "bin"
    candidate = ROOT / ".venv" / bin_dir / f"python{EXE_SUFFIX}"
    return candidate if candidate.exists() else Path(sys.executable)


def pyinstaller() -> list[str]:
    return [str(venv_python()), "-m", "PyInstaller"]


# ------------------------------------------------------------------ bundles
def build_bundle(spec: Path) -> float:
    """Build one spec (one folder, into dist/); returns the build time in seconds."""
    started = time.perf_counter()
    print(f"building {spec.relative_to(ROOT)} ...", flush=True)
    result = subprocess.run(
        [*pyinstaller(), "--noconfirm", "--clean", "--distpath", str(DIST),
         "--workpath", str(BUILD), str(spec)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n")
        raise SystemExit(f"building {spec.name} failed (exit {result.returncode})")
    return time.perf_counter() - started


def ensure_bundles(*, rebuild: bool, allow_build: bool = True) -> dict[str, bool]:
    """Make sure both bundles exist (one build at a time); returns which ones are present."""
    present = {}
    for name, spec, exe in (("console", CONSOLE_SPEC, CONSOLE_BUNDLE),
                            ("minimal", MINIMAL_SPEC, MINIMAL_BUNDLE)):
        if (rebuild or not exe.exists()) and allow_build:
            seconds = build_bundle(spec)
            print(f"  built {exe.relative_to(ROOT)} in {seconds:.0f} s", flush=True)
        present[name] = exe.exists()
    return present


# ------------------------------------------------------------------ processes
def clean_env(**extra: str) -> dict[str, str]:
    """The current environment without CONSOLE_* settings, a missing config file, offscreen Qt."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CONSOLE_")}
    env["CONSOLE_CONFIG_FILE"] = str(Path(tempfile.gettempdir()) / "no-such-console.toml")
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYQTGRAPH_QT_LIB"] = "PySide6"
    env.update(extra)
    return env


def time_to_first_paint(command: Sequence[str], env: dict[str, str], *,
                        timeout: float = 60.0) -> float:
    """Wall seconds from just before the process is spawned until it prints ``first-paint``.

    The process is expected to quit by itself afterwards; it is waited for (not timed), so
    runs never overlap.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command), env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, bufsize=1,
    )
    elapsed = None
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("first-paint"):
                elapsed = time.perf_counter() - started
                break
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if elapsed is None:
        raise RuntimeError(f"no first-paint line from {' '.join(command)} "
                           f"(exit {process.returncode})")
    return elapsed


def can_drop_caches() -> bool:
    return sys.platform.startswith("linux") and os.access("/proc/sys/vm/drop_caches", os.W_OK)


def drop_caches() -> None:
    """Empty the page cache (Linux, root): the next start reads everything from disk."""
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as handle:
        handle.write("3\n")
    time.sleep(0.5)


# ------------------------------------------------------------------ statistics and output
def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (fraction in 0..1)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, readable in a terminal and pasteable into RESULTS.md."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True))
             + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
              for row in cells]
    return "\n".join(lines)


def machine_notes() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}), "
            f"Python {platform.python_version()}")


def verdict(ratio: float, target: float) -> str:
    return "met" if ratio <= target else "NOT met"
