"""The earlier statistics table `diff` compares with: a stats.csv file, or recomputed from a git revision."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

from build_scripts.errors import CampaignError, DataError, Problem
from build_scripts.pipeline.compute import Project, compute
from build_scripts.statistics.statistics_table import StatisticsTable

TRACKED = ["surveys", "docs", "mkdocs.yml"]  # what a past revision needs to recompute its table


def base_table(project: Project, base: str) -> StatisticsTable:
    """The earlier statistics table: a stats.csv file, or recomputed from a git revision of the project."""
    path = Path(base)
    if path.is_file():
        return _read_stats(path)
    commit = _revision(project, base)
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(project.root), "archive", "--format=tar", commit, "--", *TRACKED],
                                 capture_output=True)
        if archive.returncode != 0:
            raise _not_a_base(base, archive.stderr)
        try:
            with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                tar.extractall(tmp, filter="data")
        except tarfile.TarError as exc:  # e.g. a link leading out of the project, which the "data" filter refuses
            raise DataError([_not_computable(base, f"its files cannot be unpacked safely: {exc}")]) from None
        try:
            return compute(Project(Path(tmp)), copy_must_hold=False).table
        except CampaignError as exc:
            problems = exc.problems if isinstance(exc, DataError) else []
            raise DataError([_not_computable(base, f"{len(problems)} problem(s) in its inputs, listed below")]
                            + problems) from None
        except Exception as exc:  # noqa: BLE001 - an old revision may hold inputs this code no longer reads
            raise DataError([_not_computable(base, f"{type(exc).__name__}: {exc}")]) from None


def _revision(project: Project, base: str) -> str:
    """The commit BASE names, resolved by git as a revision only: never read as an option (`--output=...`)."""
    if base.startswith("-"):
        raise _not_a_base(base, b"it starts with '-'")
    found = subprocess.run(["git", "-C", str(project.root), "rev-parse", "--verify", "--quiet", "--end-of-options",
                            f"{base}^{{commit}}"], capture_output=True)
    if found.returncode != 0:
        raise _not_a_base(base, found.stderr or b"no such commit, branch or tag")
    return found.stdout.decode("ascii").strip()


def _not_a_base(base: str, stderr: bytes) -> DataError:
    reason = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["unknown error"]
    return DataError([Problem("diff", "BASE", "neither a stats.csv file nor a git revision of this project "
                              f"({reason[0]})", "pass a path to a stats.csv, or a commit, branch or tag such as "
                              "origin/main", base)])


def _not_computable(base: str, why: str) -> Problem:
    return Problem("diff", "BASE", f"the figures at this revision cannot be recomputed ({why})",
                   "pass the stats.csv that revision's build published (site/data/stats.csv) instead", base)


def _read_stats(path: Path) -> StatisticsTable:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError([Problem(str(path), "", f"is not a statistics table: it cannot be read as UTF-8 text "
                                 f"({type(exc).__name__})", "pass the stats.csv of an earlier build")]) from None
    table = StatisticsTable.from_csv(text, str(path))
    frame = table.frame
    # A share outside 0 to 1, or a change outside +-100 points, is no build's: printing it would fail or mislead.
    wrong = frame[(frame["estimate"].notna() & ~frame["estimate"].between(0, 1))
                  | (frame["change_pp"].notna() & ~frame["change_pp"].between(-100, 100))]
    if len(wrong):
        row = wrong.iloc[0]
        raise DataError([Problem(str(path), f"key {row['key']}", "is not a statistics table: a share outside 0 to 1 "
                                 "or a change outside 100 points", "pass the stats.csv of an earlier build",
                                 f"estimate {row['estimate']}, change_pp {row['change_pp']}")])
    return table
