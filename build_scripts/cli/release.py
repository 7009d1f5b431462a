"""`campaign-site release --note "..."`: record a release in the public record, releases/<date>/.

The release freezes the statistics table exactly as the site will publish it (its revised figures marked
with the note), so that the next build's figures can be compared with it, and readers can download it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable

import yaml

from build_scripts.cli.progress import counted
from build_scripts.editorial.revisions import PublicRecord, ReleaseRecord, date_text, marked
from build_scripts.errors import CampaignError, DataError, Problem
from build_scripts.ingest.releases import NOTE_LIMIT, RELEASE_FILE, TABLE_FILE, Release, folder_name
from build_scripts.pipeline.compute import Results
from build_scripts.pipeline.generate import stats_csv
from build_scripts.project import Project

SHOWN_REVISIONS = 15  # figures listed on screen; the rest are counted


class NothingToRelease(CampaignError):
    """Raised when no figure moved or was added since the latest release."""

    def __init__(self, latest: ReleaseRecord):
        self.latest = latest
        super().__init__("nothing to release")

    def describe(self) -> str:
        """Say so, and what a release is for."""
        return (f"No figure has moved or been added since the release of {date_text(self.latest.release.date)} "
                f"(releases/{self.latest.release.name}): there is nothing to record.\n"
                "    A release records the figures when they change: after new responses, a new survey or a correction.")


def record_release(project: Project, results: Results, note: str, day: dt.date,
                   say: Callable[[str], None]) -> Release:
    """Write releases/<date>/ (release.yml and the frozen stats.csv) from a computed build, and say what moved."""
    note = " ".join(note.split())
    record = results.record
    latest = record.latest
    _refuse_bad_note_or_date(note, day, latest)
    added = record.unreleased_added
    if latest is not None and not record.unreleased and not added:
        raise NothingToRelease(latest)
    folder = project.releases_dir
    name = folder_name(day, {p.name for p in folder.iterdir()} if folder.is_dir() else set())
    release = Release(name, day, note, folder / name / TABLE_FILE)
    after = PublicRecord([*record.releases, ReleaseRecord(release, tuple(record.unreleased), 0, added)], [],
                         record.next_release)
    table = marked(results.table, after)
    _write_atomically(folder, name, {RELEASE_FILE: _release_yaml(day, note), TABLE_FILE: stats_csv(table)})
    say(f"Recorded the release of {date_text(day)} in releases/{name}/: "
        f"{counted(len(record.unreleased), 'figure')} revised, {counted(added, 'new figure')}.")
    for revision in record.unreleased[:SHOWN_REVISIONS]:
        say(f"  [r] {revision.key}: {revision.old} -> {revision.new}")
    if len(record.unreleased) > SHOWN_REVISIONS:
        say(f"  ... and {len(record.unreleased) - SHOWN_REVISIONS} more (all are on the Revisions page)")
    if record.unreleased:
        say(f"Next: commit releases/{name}/ with the change that moved the figures, then build: "
            "the revised figures carry [r] and the Revisions page lists them.")
    else:
        say(f"Next: commit releases/{name}/; the site's Revisions page lists the release and its table.")
    return release


def _refuse_bad_note_or_date(note: str, day: dt.date, latest: ReleaseRecord | None) -> None:
    problems = []
    if not note:
        problems.append(Problem("--note", "", "is empty: a release must say why it was made",
                                'say in a sentence why the figures moved, e.g. --note "Late responses added"'))
    elif len(note) > NOTE_LIMIT:
        problems.append(Problem("--note", "", f"is longer than {NOTE_LIMIT:,} characters",
                                "say why the figures moved in a sentence or two"))
    if latest is not None and day < latest.release.date:
        problems.append(Problem("--date", "", f"is before the latest release ({latest.release.date.isoformat()})",
                                "releases are recorded in order: give today's date or a later one",
                                day.isoformat()))
    if problems:
        raise DataError(problems)


def _release_yaml(day: dt.date, note: str) -> str:
    header = ("# A release of the campaign's figures (campaign-site release). The table beside this file is the\n"
              "# statistics table as published on this date: never edit either; record a new release instead.\n")
    return header + yaml.safe_dump({"date": day, "note": note}, sort_keys=False, allow_unicode=True, width=100)


def _write_atomically(folder, name: str, files: dict[str, str]) -> None:
    """Write the release's files into a temporary folder beside it, then move it into place in one step."""
    folder.mkdir(parents=True, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{name}-", dir=folder)
    try:
        for file_name, text in files.items():
            with open(os.path.join(staging, file_name), "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        os.rename(staging, folder / name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
