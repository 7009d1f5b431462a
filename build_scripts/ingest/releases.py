"""The public record as committed: each release's folder, releases/<date>/, with its note and frozen table.

A release folder holds `release.yml` (date and note) and `stats.csv` (the statistics table as published on that
date). Folders are named by date, with `-2`, `-3` for a second or third release on one day, so they sort in the
order they were made.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from build_scripts.errors import Problem, relative

RELEASE_FILE = "release.yml"
TABLE_FILE = "stats.csv"
_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-([2-9]|[1-9]\d))?$")
NOTE_LIMIT = 2000  # characters: a note says why figures moved, in a sentence or a short paragraph


@dataclass(frozen=True)
class Release:
    """One recorded release: its folder name, date, note, and the path of its frozen statistics table."""

    name: str
    date: dt.date
    note: str
    table: Path

    @property
    def order(self) -> tuple[dt.date, int]:
        """Where it falls among releases: by date, then by its number on that day."""
        match = _NAME.match(self.name)
        return self.date, int(match.group(2) or 1) if match else 1


def folder_name(date: dt.date, taken: set[str]) -> str:
    """The folder a release on `date` is recorded in: the date, or the date with -2, -3... if taken."""
    name, number = date.isoformat(), 1
    while name in taken:
        number += 1
        name = f"{date.isoformat()}-{number}"
    return name


def read_releases(folder: Path, root: Path) -> tuple[list[Release], list[Problem]]:
    """Every release under `folder`, oldest first, and a problem for each folder that cannot be read."""
    if not folder.is_dir():
        return [], []
    releases, problems = [], []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or (path.is_file() and path.name.lower() in {"readme.md", "readme.txt"}):
            continue
        release, problem = _read(path, root)
        if problem:
            problems.append(problem)
        elif release:
            releases.append(release)
    return sorted(releases, key=lambda r: r.order), problems


def _read(path: Path, root: Path) -> tuple[Release | None, Problem | None]:
    shown = relative(path, root)
    fix_name = "name each release's folder by its date, e.g. releases/2026-12-01 (campaign-site release does)"
    match = _NAME.match(path.name)
    if path.is_symlink() or not path.is_dir() or not match:
        return None, Problem(shown, "", "is not a release folder", fix_name, path.name)
    note_file, table = path / RELEASE_FILE, path / TABLE_FILE
    shown_note = relative(note_file, root)
    for needed in (note_file, table):
        if needed.is_symlink() or not needed.is_file():
            return None, Problem(relative(needed, root), "", "is missing from the release",
                                 "record releases with `campaign-site release --note \"...\"`, which writes both files")
    try:
        data = yaml.safe_load(note_file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return None, Problem(shown_note, "", f"is not readable YAML ({type(exc).__name__})",
                             "keep it to two fields: date: 2026-12-01 and note: \"why the figures moved\"")
    if not isinstance(data, dict):
        return None, Problem(shown_note, "", "does not hold a date and a note",
                             "keep it to two fields: date: 2026-12-01 and note: \"why the figures moved\"")
    date, note = data.get("date"), data.get("note")
    if isinstance(date, dt.datetime) or not isinstance(date, dt.date) or date.isoformat() != match.group(1):
        return None, Problem(shown_note, "field date", "is not the date the folder is named by",
                             f"write date: {match.group(1)}", str(date)[:30])
    if not isinstance(note, str) or not note.strip():
        return None, Problem(shown_note, "field note", "is empty",
                             "say in a sentence why this release was made, e.g. \"Late responses added\"")
    if len(note) > NOTE_LIMIT:
        return None, Problem(shown_note, "field note", f"is longer than {NOTE_LIMIT:,} characters",
                             "say why the figures moved in a sentence or two; the details belong in the methodology")
    return Release(path.name, date, " ".join(note.split()), table), None
