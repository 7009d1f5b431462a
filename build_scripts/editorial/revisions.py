"""Revisions (standards rule 18): which published figures moved between releases, and the record readers see.

A figure is revised when what a reader sees of it changes: its percentage as pages print it (41%), whether it
is published at all ([c]), or for a change between waves its words and size ("rose by 5 percentage points").
A figure that a release had and the next does not is revised too (withdrawn). A new figure (a new survey or
question) is an addition, not a revision. Digits beyond those printed are not: readers never saw them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from build_scripts.editorial.formatting import SUPPRESSED, change_phrase, date_words, md_text, percent, signed_points
from build_scripts.editorial.phrasing import words
from build_scripts.errors import DataError, Problem, relative
from build_scripts.ingest.releases import Release
from build_scripts.project import REVISIONS_PAGE
from build_scripts.statistics.statistics_table import DIFFERENCE, StatisticsTable

REVISIONS_LINK = REVISIONS_PAGE.rpartition("/")[2]  # the Revisions page from a page beside it (survey pages)
TABLE_LIMIT = 50_000_000  # bytes: a release's table is a few hundred kB; a huge file is not one, and is not read
WITHDRAWN = "withdrawn"  # what a revision's new value says when the figure is no longer published


@dataclass(frozen=True)
class Revision:
    """One figure that moved between two releases (or between the latest release and this build)."""

    key: str
    survey: str
    question: str
    label: str  # the answer as respondents saw it
    segment: str  # the breakdown and group it is of ("" for everyone)
    group: str
    old: str  # as pages printed it: "44%", "[c]", "rose by 5 percentage points"
    new: str
    old_estimate: float | None
    old_words: str  # the honest words for the old and new figure ("more than four in ten"); empty for changes
    new_words: str

    @property
    def words_changed(self) -> bool:
        """Whether the plain-English words for the figure changed with it ("nearly half" to "half")."""
        return self.old_words != self.new_words


@dataclass(frozen=True)
class ReleaseRecord:
    """A release with the figures it revised (against the release before it) and how many figures it holds."""

    release: Release
    revisions: tuple[Revision, ...]
    figures: int  # rows of its statistics table that are figures of one wave
    added: int  # figures it has that the release before did not
    table: StatisticsTable | None = None  # its statistics table as frozen (None for one being recorded)


@dataclass
class PublicRecord:
    """Every release, oldest first, with its revisions; what this build changed since the latest; the next date."""

    releases: list[ReleaseRecord] = field(default_factory=list)
    unreleased: list[Revision] = field(default_factory=list)  # moved since the latest release, not yet recorded
    next_release: dt.date | None = None
    unreleased_added: int = 0  # figures this build has that the latest release did not (all of them if none)

    @property
    def latest(self) -> ReleaseRecord | None:
        """The newest release, if any."""
        return self.releases[-1] if self.releases else None

    def dated(self, fallback: dt.date) -> dt.date:
        """The date the published figures carry (citations, the data package): the latest release's, else
        `fallback` (the end of the newest fieldwork), so that a build's output depends on its inputs only."""
        return self.latest.release.date if self.latest else fallback


def shown(row) -> str:
    """A figure as pages print it: a percentage, [c] when not published, or a change in words and size."""
    if row is None:
        return WITHDRAWN
    if row["suppressed"]:
        return SUPPRESSED
    if row.get("comparison") == DIFFERENCE:
        return f"{row['change']}, {signed_points(row['change_pp'])}" if _number(row["change_pp"]) else SUPPRESSED
    if row["compare_to"]:
        return change_phrase(row["change"], row["change_pp"]) if _number(row["change_pp"]) else SUPPRESSED
    return percent(row["estimate"]) if _number(row["estimate"]) else SUPPRESSED


def _words(row) -> str:
    if row is None or row["suppressed"] or row["compare_to"] or not _number(row["estimate"]):
        return ""
    return words(float(row["estimate"]))


def _number(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and not pd.isna(value)


def revisions_between(before: StatisticsTable, after: StatisticsTable) -> list[Revision]:
    """The figures of `before` that `after` prints differently or no longer has, in `before`'s order."""
    later = {row["key"]: row for row in after.records()}
    moved = []
    for row in before.records():
        now = later.get(row["key"])
        old, new = shown(row), shown(now)
        if old != new:
            moved.append(Revision(row["key"], row["survey"], row["question"], str(row["option_label"] or row["option"]),
                                  str(row["segment"] or ""), str(row["segment_value"] or ""), old, new,
                                  float(row["estimate"]) if _number(row["estimate"]) and not row["suppressed"] else None,
                                  _words(row), _words(now)))
    return moved


def public_record(releases: list[Release], table: StatisticsTable, root, next_release: dt.date | None = None
                  ) -> PublicRecord:
    """The record of `releases` (read and compared in turn) and what `table` moved since the latest one.

    Raises DataError naming each release whose statistics table cannot be read."""
    tables, problems = [], []
    for release in releases:
        shown_path = relative(release.table, root)
        try:
            if release.table.stat().st_size > TABLE_LIMIT:
                problems.append(Problem(shown_path, "", f"is larger than {TABLE_LIMIT // 1_000_000} MB, far more "
                                        "than a statistics table", "restore the release's stats.csv from git"))
                continue
            tables.append(StatisticsTable.from_csv(release.table.read_text(encoding="utf-8"), shown_path))
        except DataError as error:
            problems += error.problems
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(shown_path, "", f"cannot be read ({type(exc).__name__})",
                                    "restore the file from git: a release's table never changes after it is made"))
    if problems:
        raise DataError(problems)
    records, previous = [], None
    for release, frozen in zip(releases, tables, strict=True):
        moved = revisions_between(previous, frozen) if previous is not None else []
        records.append(ReleaseRecord(release, tuple(moved), len(frozen.figures()), _added(previous, frozen), frozen))
        previous = frozen
    unreleased = revisions_between(previous, table) if previous is not None else []
    return PublicRecord(records, unreleased, next_release, _added(previous, table))


def _added(before: StatisticsTable | None, after: StatisticsTable) -> int:
    """How many figures of one wave `after` has that `before` did not (all of them when there is no before)."""
    figures = after.figures().frame["key"]
    return len(figures) if before is None else int((~figures.isin(set(before.frame["key"]))).sum())


def marked(table: StatisticsTable, record: PublicRecord) -> StatisticsTable:
    """The table with the latest release's revisions marked: `revised`, `revised_from` and `revision_note`."""
    latest = record.latest
    if latest is None or not latest.revisions:
        return table
    moved = {r.key: r for r in latest.revisions}
    frame = table.frame.copy()
    hit = frame["key"].isin(moved)
    frame["revised"] = hit
    before = {key: revision.old_estimate for key, revision in moved.items() if revision.old_estimate is not None}
    frame["revised_from"] = frame["key"].map(before).astype(float)
    frame["revision_note"] = frame["revision_note"].where(~hit, latest.release.note)
    return StatisticsTable(frame)


def revision_tip(row: dict, record: PublicRecord | None) -> str:
    """The words a revised figure's [r] shows on hover or focus: when, from what, to what and why."""
    latest = record.latest if record else None
    when = f" on {date_text(latest.release.date)}" if latest else ""
    old = percent(row["revised_from"]) if _number(row.get("revised_from")) else "not published"
    return f"Revised{when} from {old} to {shown(row)}: {row['revision_note']}"


def anchor(release: str, key: str) -> str:
    """A revised figure's stable anchor on the Revisions page: its release's folder name and its key."""
    return f"r-{release}-{key}"


def revised_mark(row: dict, record: PublicRecord | None, revisions_page: str) -> str:
    """A revised figure's [r] as Markdown: a link to its history on the Revisions page (`revisions_page`, relative
    to the page it is on) that shows when, from what, to what and why on hover or focus, and says it to screen
    readers, with no JavaScript; empty for a figure that is not revised."""
    latest = record.latest if record else None
    if not row.get("revised") or latest is None:
        return ""
    tip = md_text(revision_tip(row, record))
    return (f'[<span aria-hidden="true">&#91;r&#93;</span><span class="visually-hidden">revised</span>'
            f'<span class="figure-tip" role="tooltip"> ({tip})</span>]({revisions_page}#{anchor(latest.release.name, row["key"])})'
            "{ .figure .revised }")


def date_text(day: dt.date) -> str:
    """A date as the site writes it: 1 December 2026."""
    return date_words(day.isoformat())


def unreleased_problems(record: PublicRecord, fatal: bool, limit: int = 20) -> list[Problem]:
    """One problem per figure that moved since the latest release (the first `limit` of them, then a count)."""
    latest = record.latest
    if latest is None or not record.unreleased:
        return []
    day = date_text(latest.release.date)
    fix = ('record a release saying why it moved: campaign-site release --note "Late responses added"' if fatal else
           'before this is published, record a release saying why: campaign-site release --note "..."')
    problems = [Problem(f"surveys/{r.survey}", f"figure {r.key}",
                        f"moved since the release of {day} (was {r.old}, now {r.new}) and no release says why", fix)
                for r in record.unreleased[:limit]]
    if len(record.unreleased) > limit:
        problems.append(Problem("surveys/", "", f"{len(record.unreleased) - limit} more figures moved since the release of {day}",
                                f"campaign-site diff releases/{latest.release.name}/stats.csv lists them all; "
                                "one release records them all"))
    return problems
