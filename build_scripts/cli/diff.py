"""`campaign-site diff`: which published figures moved since a previous statistics table, and what that breaks."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from build_scripts.editorial.claims import claim_problem
from build_scripts.errors import DataError, Problem
from build_scripts.statistics.estimates import two_proportion_test
from build_scripts.editorial.formatting import SUPPRESSED, p_value_text, percent
from build_scripts.pipeline.compute import Project, Results, compute
from build_scripts.standards import DEFAULT
from build_scripts.statistics.statistics_table import StatisticsTable

TRACKED = ["surveys", "docs", "mkdocs.yml"]  # what a past revision needs to recompute its table


@dataclass(frozen=True)
class FigureChange:
    """One published figure that is new, gone, or shows a different value than before."""

    key: str
    before: str
    after: str
    change_pp: float | None
    p_value: float | None
    pages: list[str]
    broken_claims: list[str]

    @property
    def significant(self) -> bool:
        """Whether the move is more than sampling noise (two-proportion test, p below 0.05)."""
        return self.p_value is not None and self.p_value < DEFAULT.significance


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
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        return compute(Project(Path(tmp)), copy_must_hold=False).table


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


def _read_stats(path: Path) -> StatisticsTable:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError([Problem(str(path), "", f"is not a statistics table: it cannot be read as UTF-8 text "
                                 f"({type(exc).__name__})", "pass the stats.csv of an earlier build")]) from None
    return StatisticsTable.from_csv(text, str(path))


def figure_changes(before: StatisticsTable, results: Results) -> list[FigureChange]:
    """Every figure whose published value differs, is new, or is gone, with its pages and broken claims."""
    old = before.figures().frame.set_index("key")
    new = results.table.figures().frame.set_index("key")
    uses = results.uses()
    claims = {}
    for ref in results.references:
        if ref.kind == "claim":
            claims.setdefault(ref.key, []).append(ref)
    changes = []
    for key in sorted(set(old.index) | set(new.index), key=_order(new.index, old.index)):
        was, now = _shown(old, key, "—"), _shown(new, key, "—")
        if was == now:
            continue
        change_pp = p_value = None
        if was not in {"—", "*"} and now not in {"—", "*"}:
            a, b = old.loc[key], new.loc[key]
            change_pp = (float(b["estimate"]) - float(a["estimate"])) * 100
            p_value = float(two_proportion_test(float(a["estimate"]), float(a["effective_base"]),
                                                float(b["estimate"]), float(b["effective_base"])))
        row = new.loc[key].to_dict() | {"key": key} if key in new.index else None
        broken = [f"docs/{ref.page}, line {ref.line}: claim(\"{ref.phrase}\"): {problem}"
                  for ref in claims.get(key, []) if (problem := claim_problem(ref.phrase, row))]
        changes.append(FigureChange(key, was, now, change_pp, p_value,
                                    [u["page"] for u in uses.get(key, [])], broken))
    return changes


def _shown(table: pd.DataFrame, key: str, missing: str) -> str:
    if key not in table.index:
        return missing
    row = table.loc[key]
    return SUPPRESSED if bool(row["suppressed"]) else percent(float(row["estimate"]))


def _order(*indexes):
    position = {}
    for index in indexes:
        for key in index:
            position.setdefault(key, len(position))
    return lambda key: position[key]


def report(changes: list[FigureChange], base: str, markdown: bool) -> str:
    """The changes as terminal text, or as Markdown for a pull request's summary."""
    quoted = [c for c in changes if c.pages]
    broken = [claim for c in changes for claim in c.broken_claims]
    if markdown:
        lines = [f"## Published figures changed since `{base}`", ""]
        if not changes:
            return "\n".join(lines + ["No published figure changed."]) + "\n"
        lines += [(f"{len(changes)} figure(s) changed; {len(quoted)} quoted in the copy; "
                   f"{len(broken)} claim(s) broken."), ""]
        if broken:
            lines += ["### Claims the new figures break", ""] + [f"- {b}" for b in broken] + [""]
        lines += ["| Figure | Before | After | Change | Significant | Quoted on |", "| --- | ---: | ---: | ---: | --- | --- |"]
        for c in changes:
            lines.append(f"| `{c.key}` | {c.before} | {c.after} | {_points(c)} | {_significance(c)} | "
                         f"{', '.join(c.pages) or '—'} |")
        return "\n".join(lines) + "\n"
    if not changes:
        return f"No published figure changed since {base}.\n"
    lines = [(f"{len(changes)} published figure(s) changed since {base}; {len(quoted)} quoted in the copy; "
              f"{len(broken)} claim(s) broken.")]
    for c in changes:
        pages = f"; quoted on {', '.join(c.pages)}" if c.pages else ""
        lines.append(f"  {c.key}: {c.before} -> {c.after} ({_points(c)}, {_significance(c)}){pages}")
    lines += [f"  BROKEN {b}" for b in broken]
    return "\n".join(lines) + "\n"


def _points(change: FigureChange) -> str:
    return "—" if change.change_pp is None else f"{change.change_pp:+.1f} points"


def _significance(change: FigureChange) -> str:
    if change.p_value is None or np.isnan(change.p_value):
        return "—"
    return f"{'yes' if change.significant else 'no'} (p = {p_value_text(change.p_value)})"
