"""Size on disk of the console's one-folder bundle against the minimal window's bundle.

Both are built with the same exclusion policy (bench/minimal.spec executes the policy section
of build_installer.spec). Prints both sizes, the ratio (target <= 1.3x), the biggest parts of
the console bundle, and what the console adds over the minimal bundle.

    .venv/bin/python bench/bundle_size.py             # builds missing bundles first
    .venv/bin/python bench/bundle_size.py --rebuild   # rebuild both (one after the other)
    .venv/bin/python bench/bundle_size.py --quick     # measure what is there, never build
    .venv/bin/python bench/bundle_size.py --compressed  # also the size as .tar.gz
"""

from __future__ import annotations

import argparse
import io
import os
import tarfile
from pathlib import Path

from _common import (
    CONSOLE_BUNDLE,
    MINIMAL_BUNDLE,
    ROOT,
    ensure_bundles,
    machine_notes,
    table,
    verdict,
)

TARGET = 1.3
MB = 1e6


def file_sizes(folder: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (apparent bytes, bytes allocated on disk); symlinks count as nothing."""
    sizes = {}
    for directory, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(directory) / name
            if path.is_symlink():
                continue
            stat = path.stat()
            allocated = getattr(stat, "st_blocks", 0) * 512 or stat.st_size
            sizes[path.relative_to(folder).as_posix()] = (stat.st_size, allocated)
    return sizes


def group(sizes: dict[str, tuple[int, int]], under: str) -> dict[str, int]:
    """Apparent bytes per entry: the first path component, or the next one below ``under``."""
    groups: dict[str, int] = {}
    for path, (size, _allocated) in sizes.items():
        base = under if under and path.startswith(under) else ""
        head, _sep, rest = path[len(base):].partition("/")
        key = base + head + ("/" if rest else "")
        groups[key] = groups.get(key, 0) + size
    return groups


def compressed_size(folder: Path) -> int:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as archive:
        archive.add(folder, arcname=folder.name)
    return buffer.tell()


def contents(bundle: Path) -> str:
    internal = bundle.parent / "_internal"
    return "_internal/" if internal.is_dir() else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="never build; measure what exists")
    parser.add_argument("--rebuild", action="store_true", help="rebuild both bundles first")
    parser.add_argument("--compressed", action="store_true", help="also the .tar.gz size")
    parser.add_argument("--top", type=int, default=12, help="how many contributors to list")
    args = parser.parse_args()

    print(f"bundle size: {machine_notes()}")
    present = ensure_bundles(rebuild=args.rebuild, allow_build=not args.quick)
    if not all(present.values()):
        missing = [name for name, ok in present.items() if not ok]
        print(f"bundle(s) missing: {', '.join(missing)}; build them (drop --quick). Nothing "
              "measured.")
        return 0

    folders = {"console": CONSOLE_BUNDLE.parent, "minimal": MINIMAL_BUNDLE.parent}
    sizes = {name: file_sizes(folder) for name, folder in folders.items()}
    totals = {name: sum(s for s, _a in files.values()) for name, files in sizes.items()}
    allocated = {name: sum(a for _s, a in files.values()) for name, files in sizes.items()}
    rows = []
    for name, folder in folders.items():
        row = [f"{name} ({folder.relative_to(ROOT)})", f"{totals[name] / MB:.1f}",
               f"{allocated[name] / MB:.1f}", len(sizes[name])]
        if args.compressed:
            row.append(f"{compressed_size(folder) / MB:.1f}")
        rows.append(row)
    headers = ["bundle", "MB (apparent)", "MB (on disk)", "files"]
    if args.compressed:
        headers.append("MB .tar.gz")
    print()
    print(table(headers, rows))
    ratio = totals["console"] / totals["minimal"]
    print()
    print(f"ratio console / minimal: {ratio:.3f}x (target <= {TARGET}x: "
          f"{verdict(ratio, TARGET)}); the console adds "
          f"{(totals['console'] - totals['minimal']) / MB:.1f} MB")

    prefix = contents(CONSOLE_BUNDLE)
    console_groups = group(sizes["console"], prefix)
    minimal_groups = group(sizes["minimal"], contents(MINIMAL_BUNDLE))
    print()
    print(f"biggest parts of the console bundle (top {args.top}):")
    biggest = sorted(console_groups.items(), key=lambda item: -item[1])[: args.top]
    print(table(["path", "MB", "share"],
                [[path, f"{size / MB:.1f}", f"{size / totals['console']:.0%}"]
                 for path, size in biggest]))

    qt_lib = next((p for p in (f"{prefix}PySide6/Qt/lib/", f"{prefix}PySide6/")
                   if any(k.startswith(p) for k in sizes["console"])), None)
    if qt_lib is not None:
        qt_groups = {k: v for k, v in group(sizes["console"], qt_lib).items()
                     if k.startswith(qt_lib)}
        qt_biggest = sorted(qt_groups.items(), key=lambda item: -item[1])[:8]
        print()
        print("biggest Qt files:")
        print(table(["path", "MB"], [[p, f"{s / MB:.1f}"] for p, s in qt_biggest]))

    # The executables carry the Python archive (PYZ): compare them with each other.
    exe_label = "(executable + PYZ)"
    exe_names = {CONSOLE_BUNDLE.name: exe_label, MINIMAL_BUNDLE.name: exe_label}
    minimal_keys = {exe_names.get(key, key.removeprefix(contents(MINIMAL_BUNDLE))): size
                    for key, size in minimal_groups.items()}
    added = []
    for key, size in console_groups.items():
        extra = size - minimal_keys.get(exe_names.get(key, key.removeprefix(prefix)), 0)
        if extra > 50_000:
            added.append((f"{key} {exe_label}" if key in exe_names else key, extra))
    added.sort(key=lambda item: -item[1])
    print()
    print("what the console adds over the minimal bundle (> 0.05 MB):")
    print(table(["path", "extra MB"], [[p, f"{s / MB:.2f}"] for p, s in added[: args.top]]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
