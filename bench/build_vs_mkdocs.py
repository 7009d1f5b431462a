"""Benchmark: `campaign-site build`, cold and as a no-op rebuild, against a bare `mkdocs build` of the same pages.

All three run in one session on the same copy of the project, alternating, so machine load falls on
each alike. The floor is MkDocs alone building the pages our build generated (same mkdocs.yml,
same docs/, the macros plugin included). Cold: no cache and no generated files. No-op: nothing
changed since the last build. Targets (issue 7): cold at most 2x the floor, no-op at most 1.2x.
Run: `.venv/bin/python bench/build_vs_mkdocs.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COPIED = ["mkdocs.yml", "docs", "surveys", "overrides"]
TARGETS = {"cold": 2.0, "no-op": 1.2}


def _timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def _copy_project(target: Path) -> None:
    target.mkdir()
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("data") if name == "docs" else None)
        else:
            shutil.copy2(source, target / name)


def measure(runs: int) -> dict[str, list[float]]:
    """Seconds per run for the floor, the cold build and the no-op rebuild."""
    times: dict[str, list[float]] = {"floor": [], "cold": [], "no-op": []}
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "site"
        _copy_project(project)
        build = [str(BIN / "campaign-site"), "build"]
        subprocess.run(build, cwd=project, check=True, capture_output=True)  # warm the OS file cache
        for run in range(runs):
            print(f"  run {run + 1} of {runs}", file=sys.stderr)
            times["floor"].append(_timed([str(BIN / "mkdocs"), "build", "--strict", "--quiet", "-d", "site-floor"],
                                         project))
            shutil.rmtree(project / "docs/data")
            shutil.rmtree(project / ".cache")
            times["cold"].append(_timed(build, project))
            times["no-op"].append(_timed(build, project))
    return times


def main() -> None:
    """Print median seconds for each build and the ratios to the floor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each build (default 5)")
    args = parser.parse_args()
    times = measure(args.runs)
    floor = statistics.median(times["floor"])
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"bare mkdocs build (floor):   {floor:.2f} s (median of {args.runs})")
    failed = False
    for name, target in TARGETS.items():
        seconds = statistics.median(times[name])
        ratio = seconds / floor
        failed |= ratio > target
        print(f"campaign-site build, {name + ':':7} {seconds:.2f} s = {ratio:.2f}x the floor (target {target}x)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
