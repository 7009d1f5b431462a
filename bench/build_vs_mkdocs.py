"""Benchmark: `campaign-site build`, cold and as a no-op rebuild, against the site engine alone, per engine.

Everything runs in one session on the same copy of the project, alternating, so machine load falls on
each alike. The floor is the engine alone (`mkdocs build --strict`, or `zensical build`) building the
finished tree our build wrote (.build/): no project code in its process. Cold: no cache and no
finished tree. No-op: nothing changed since the last build. Copy edit: one page of copy changed
(the copy re-rendered, nothing recomputed or drawn, the engine run). Targets (issue 12): cold at
most 2x the floor, no-op at most 1.2x. Engines that are not installed are skipped.
Run: `.venv/bin/python bench/build_vs_mkdocs.py [--runs N] [--engine mkdocs|zensical]`.
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
REPORTED = {"copy edit": None}  # a page of copy changed: measured and reported, no target


def _timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def _copy_project(target: Path) -> None:
    target.mkdir()
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)


def floor_command(engine: str, project: Path) -> list[str]:
    """The engine alone building the finished tree into a throw-away folder."""
    config = str(project / ".build" / "mkdocs.yml")
    if engine == "zensical":
        return [str(BIN / "zensical"), "build", "--config-file", config, "--clean"]
    return [str(BIN / "mkdocs"), "build", "--strict", "--quiet", "--config-file", config, "-d", str(project / "site-floor")]


def measure(engine: str, runs: int) -> dict[str, list[float]]:
    """Seconds per run for the floor, the cold build and the no-op rebuild, with one engine."""
    times: dict[str, list[float]] = {"floor": [], "cold": [], "no-op": [], "copy edit": []}
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "site"
        _copy_project(project)
        build = [str(BIN / "campaign-site"), "build", "--engine", engine]
        subprocess.run(build, cwd=project, check=True, capture_output=True)  # warm the OS file cache
        for run in range(runs):
            print(f"  {engine}: run {run + 1} of {runs}", file=sys.stderr)
            times["floor"].append(_timed(floor_command(engine, project), project))
            shutil.rmtree(project / ".build")
            shutil.rmtree(project / ".cache")
            times["cold"].append(_timed(build, project))
            times["no-op"].append(_timed(build, project))
            page = project / "docs" / "index.md"
            page.write_text(page.read_text(encoding="utf-8") + f"\nEdit {run}.\n", encoding="utf-8")
            times["copy edit"].append(_timed(build, project))
    return times


def main() -> None:
    """Print median seconds for each build and the ratios to the floor, per engine."""
    import importlib.util

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each build (default 5)")
    parser.add_argument("--engine", choices=["mkdocs", "zensical"], action="append",
                        help="measure only this engine (default: every installed one)")
    args = parser.parse_args()
    engines = args.engine or [name for name in ("mkdocs", "zensical") if importlib.util.find_spec(name)]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    failed = False
    for engine in engines:
        times = measure(engine, args.runs)
        floor = statistics.median(times["floor"])
        print(f"{engine} alone on the finished tree (floor): {floor:.2f} s (median of {args.runs})")
        for name, target in {**TARGETS, **REPORTED}.items():
            seconds = statistics.median(times[name])
            ratio = seconds / floor
            failed |= target is not None and ratio > target
            aim = f"target {target}x" if target else "no target"
            print(f"campaign-site build --engine {engine}, {name + ':':10} {seconds:.2f} s = {ratio:.2f}x the floor "
                  f"({aim})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
