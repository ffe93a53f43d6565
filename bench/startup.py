"""Time to the first painted window: the console's sign-in window against a minimal window.

Four configurations, each a fresh process on the offscreen Qt platform:

- minimal, source: ``python bench/minimal_window.py`` (QMainWindow + PlotWidget, shown)
- console, source: ``python main.py --data-dir <seeded>`` (opens the sign-in window)
- minimal, bundle: ``dist/MinimalWindow/MinimalWindow`` (bench/minimal.spec)
- console, bundle: ``dist/KetamineConsole/KetamineConsole --data-dir <seeded>``

With ``CONSOLE_REPORT_FIRST_PAINT=1`` both programs print ``first-paint ...`` on their first
window's first Paint event and quit. The time is wall time measured here, from just before
the process is spawned until that line is read. Runs are interleaved (one of each
configuration per round) so drift on a shared machine hits all of them alike.

Warm: one untimed run each, then the median of --warm rounds. Cold: the page cache is
dropped before every run (Linux, root), median of --cold rounds.

    .venv/bin/python bench/startup.py            # builds missing bundles first
    .venv/bin/python bench/startup.py --quick    # 3 warm rounds, 1 cold round
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from _common import (
    CONSOLE_BUNDLE,
    MINIMAL_BUNDLE,
    MINIMAL_SCRIPT,
    ROOT,
    can_drop_caches,
    clean_env,
    drop_caches,
    ensure_bundles,
    machine_notes,
    median,
    ms,
    table,
    time_to_first_paint,
    venv_python,
    verdict,
)

WARM_TARGET = 1.5
COLD_TARGET = 2.0


def seeded_data_dir() -> Path:
    """A throwaway data folder with the demonstration clinic, so the sign-in window opens."""
    folder = Path(tempfile.mkdtemp(prefix="console-startup-"))
    result = subprocess.run(
        [str(venv_python()), str(ROOT / "main.py"), "--data-dir", str(folder), "seed-demo"],
        env=clean_env(), cwd=ROOT, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"seed-demo failed: {result.stderr}")
    return folder


def configurations(data_dir: Path, *, bundles: dict[str, bool]) -> dict[str, list[str]]:
    python = str(venv_python())
    configs = {
        "minimal, source": [python, str(MINIMAL_SCRIPT)],
        "console, source": [python, str(ROOT / "main.py"), "--data-dir", str(data_dir)],
    }
    if bundles.get("minimal"):
        configs["minimal, bundle"] = [str(MINIMAL_BUNDLE)]
    if bundles.get("console"):
        configs["console, bundle"] = [str(CONSOLE_BUNDLE), "--data-dir", str(data_dir)]
    return configs


def measure(configs: dict[str, list[str]], rounds: int, *, cold: bool) -> dict[str, list[float]]:
    env = clean_env(CONSOLE_REPORT_FIRST_PAINT="1")
    times: dict[str, list[float]] = {name: [] for name in configs}
    if not cold:
        for command in configs.values():  # warm-up, not timed
            time_to_first_paint(command, env)
    for round_number in range(rounds):
        for name, command in configs.items():
            if cold:
                drop_caches()
            times[name].append(time_to_first_paint(command, env))
        print(f"  {'cold' if cold else 'warm'} round {round_number + 1}/{rounds}: "
              + ", ".join(f"{n} {ms(t[-1])}" for n, t in times.items()), flush=True)
    return times


def summarise(warm: dict[str, list[float]], cold: dict[str, list[float]]) -> None:
    rows = []
    for name in warm:
        w, c = warm[name], cold.get(name, [])
        rows.append([
            name, len(w), ms(median(w)), f"{ms(min(w))}-{ms(max(w))}",
            len(c), ms(median(c)) if c else "-", f"{ms(min(c))}-{ms(max(c))}" if c else "-",
        ])
    print()
    print(table(["configuration", "warm n", "warm median ms", "warm min-max",
                 "cold n", "cold median ms", "cold min-max"], rows))

    ratio_rows = []
    for where in ("source", "bundle"):
        console, minimal = f"console, {where}", f"minimal, {where}"
        if console not in warm or minimal not in warm:
            continue
        warm_ratio = median(warm[console]) / median(warm[minimal])
        row = [where, f"{warm_ratio:.2f}x", f"<= {WARM_TARGET}x", verdict(warm_ratio, WARM_TARGET)]
        if cold.get(console) and cold.get(minimal):
            cold_ratio = median(cold[console]) / median(cold[minimal])
            row += [f"{cold_ratio:.2f}x", f"<= {COLD_TARGET}x", verdict(cold_ratio, COLD_TARGET)]
        else:
            row += ["-", f"<= {COLD_TARGET}x", "not measured"]
        ratio_rows.append(row)
    print()
    print(table(["console / minimal", "warm", "target", "warm", "cold", "target", "cold"],
                ratio_rows))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 warm rounds, 1 cold round")
    parser.add_argument("--warm", type=int, default=9, help="warm rounds (default 9)")
    parser.add_argument("--cold", type=int, default=5, help="cold rounds (default 5)")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold runs")
    parser.add_argument("--source-only", action="store_true", help="skip the bundles")
    parser.add_argument("--rebuild", action="store_true", help="rebuild both bundles first")
    args = parser.parse_args()
    warm_rounds, cold_rounds = (3, 1) if args.quick else (args.warm, args.cold)

    print(f"startup benchmark: {machine_notes()}, QT_QPA_PLATFORM=offscreen")
    bundles = ({} if args.source_only else
               ensure_bundles(rebuild=args.rebuild, allow_build=not args.quick))
    data_dir = seeded_data_dir()
    configs = configurations(data_dir, bundles=bundles)
    for name, command in configs.items():
        print(f"  {name}: {' '.join(command)}")

    warm = measure(configs, warm_rounds, cold=False)
    cold: dict[str, list[float]] = {}
    if args.no_cold or cold_rounds < 1:
        print("cold runs skipped")
    elif not can_drop_caches():
        print("cold runs skipped: dropping the page cache needs root on Linux")
    else:
        cold = measure(configs, cold_rounds, cold=True)
    summarise(warm, cold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
