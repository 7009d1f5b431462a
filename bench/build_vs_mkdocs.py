"""Benchmark: a full `campaign-site build` against a bare `mkdocs build` of the same pages, in one run.

The floor is MkDocs alone building the pages our build generated (same mkdocs.yml, same
docs/). The ratio is what the data half of the pipeline (load, validate, statistics, charts,
pages) costs on top. Run: `.venv/bin/python bench/build_vs_mkdocs.py [--runs N]`.
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


def _timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    """Print median seconds for each build and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each build (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "site"
        shutil.copytree(REPO, project, ignore=shutil.ignore_patterns(".venv", ".git", "site", "docs/data"))
        ours, floor = [], []
        for _ in range(args.runs):
            shutil.rmtree(project / "docs/data", ignore_errors=True)  # cold: nothing generated yet
            ours.append(_timed([str(BIN / "campaign-site"), "build"], project))
            floor.append(_timed([str(BIN / "mkdocs"), "build", "--strict", "--quiet", "-d", "site-floor"], project))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"bare mkdocs build (floor): {statistics.median(floor):.2f} s (median of {args.runs})")
    print(f"campaign-site build, cold: {statistics.median(ours):.2f} s (median of {args.runs})")
    print(f"ratio: {statistics.median(ours) / statistics.median(floor):.2f}x the floor")


if __name__ == "__main__":
    main()
