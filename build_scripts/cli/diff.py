"""`campaign-site diff`: what the figures say now against an earlier build, sorted by what a campaigner must act on.

Two builds of the same survey are not independent samples (they share most of their respondents), so a
figure that moved between them is "revised", never tested; the tested changes are the change rows
(`.since=`), between waves, and a change of their words ("rose" to "little change") is news.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from build_scripts.editorial.claims import claim_problem, comparative_claim_problem
from build_scripts.editorial.formatting import SUPPRESSED, change_phrase, percent
from build_scripts.editorial.phrasing import words
from build_scripts.pipeline.compute import Results
from build_scripts.statistics.differences import LESS_LIKELY, MORE_LIKELY
from build_scripts.statistics.statistics_table import CHANGE, DIFFERENCE, StatisticsTable

FOLD_BELOW = 1.0  # percentage points: an unquoted figure revised by less is folded away


@dataclass(frozen=True)
class Reading:
    """How one build shows a figure: its value, the words the copy prints for it, and its number."""

    value: str  # "41%", "+11.8 points" for a change, "[c]" when not published
    words: str  # stat(form="words") for a figure, the tested words for a change; "" when not published
    number: float | None  # the percentage, or the change in points; None when not published
    why: str = ""  # why it is not published


@dataclass(frozen=True)
class FigureChange:
    """One figure as the earlier build and this one show it (None: not in that build)."""

    key: str
    survey: str
    question: str
    before: Reading | None
    after: Reading | None
    pages: tuple[str, ...] = ()
    segment: str = ""  # the breakdown, empty for the whole sample

    @property
    def is_change(self) -> bool:
        """Whether the figure is a change between waves (a `.since=` row), not a figure of one wave."""
        return ".since=" in self.key

    @property
    def moved(self) -> float | None:
        """How far it was revised, in percentage points (None unless published in both builds)."""
        if self.before is None or self.after is None or None in (self.before.number, self.after.number):
            return None
        return self.after.number - self.before.number

    @property
    def words_changed(self) -> bool:
        """Whether the copy's words for it differ ("rose by 11 percentage points" -> "showed little change")."""
        return bool(self.before and self.after and self.before.words and self.after.words
                    and self.before.words != self.after.words)

    @property
    def shows_differently(self) -> bool:
        """Whether a page quoting it would print anything different."""
        return self.before != self.after and (self.before is None or self.after is None
                                              or (self.before.value, self.before.words, self.before.why)
                                              != (self.after.value, self.after.words, self.after.why))

    @property
    def suppressed_in_both(self) -> bool:
        """Whether neither build publishes it."""
        return bool(self.before and self.after and self.before.number is None and self.after.number is None)


@dataclass(frozen=True)
class BrokenClaim:
    """A claim in the copy that the new figure does not support."""

    page: str
    line: int
    phrase: str
    key: str
    problem: str
    held_before: bool | None  # None: the earlier build had no such figure

    def describe(self) -> str:
        """Where it is and why it fails, for a reader."""
        return f'docs/{self.page}, line {self.line}: claim("{self.phrase}"): {self.problem}'


@dataclass(frozen=True)
class SurveyNews:
    """A survey in one build and not the other, summarised."""

    survey: str
    figures: int
    questions: int
    respondents: int | None = None
    change_rows: dict[str, dict[str, int]] = field(default_factory=dict)  # earlier wave: {words: count}
    quoted: int = 0
    clear_differences: int = 0  # differences between groups the tests find clear
    differences: int = 0  # differences between groups tested


@dataclass
class Comparison:
    """Everything `diff` reports, sorted by what a campaigner must act on first."""

    quoted: list[FigureChange] = field(default_factory=list)  # figures the copy quotes whose printing differs
    broken: list[BrokenClaim] = field(default_factory=list)
    new_surveys: list[SurveyNews] = field(default_factory=list)
    removed_surveys: list[SurveyNews] = field(default_factory=list)
    revisions: list[FigureChange] = field(default_factory=list)  # unquoted, moved a point or more, or words changed
    new_figures: dict[str, int] = field(default_factory=dict)  # "survey.question": figures added to a kept survey
    gone_figures: dict[str, int] = field(default_factory=dict)
    small: list[FigureChange] = field(default_factory=list)  # unquoted, revised by less than FOLD_BELOW
    suppressed: int = 0  # unquoted figures neither build publishes
    unchanged: int = 0

    @property
    def anything(self) -> bool:
        """Whether anything at all differs."""
        return bool(self.quoted or self.broken or self.new_surveys or self.removed_surveys or self.revisions
                    or self.new_figures or self.gone_figures or self.small)


def compare(before: StatisticsTable, results: Results) -> Comparison:
    """Every figure, change rows included, of the earlier table against this build, sorted for the report."""
    old, new = _rows(before), _rows(results.table)
    pages = {key: tuple(u["page"] for u in uses) for key, uses in results.uses().items()}
    out = Comparison(broken=_broken_claims(results, old, new))
    old_surveys, new_surveys = {r["survey"] for r in old.values()}, {r["survey"] for r in new.values()}
    summaries = {s.id: s for s in results.summaries}
    for survey in sorted(new_surveys - old_surveys):
        rows = [r for r in new.values() if r["survey"] == survey]
        summary = summaries.get(survey)
        out.new_surveys.append(_news(survey, rows, pages, summary.respondents if summary else None))
    for survey in sorted(old_surveys - new_surveys):
        out.removed_surveys.append(_news(survey, [r for r in old.values() if r["survey"] == survey], pages))
    for key in list(new) + [k for k in old if k not in new]:
        row = new.get(key) or old[key]
        change = FigureChange(key, row["survey"], row["question"], _reading(old.get(key)), _reading(new.get(key)),
                              pages.get(key, ()), str(row.get("segment") or ""))
        _sort(change, out, row["survey"] in new_surveys ^ old_surveys)
    broken_keys = {b.key for b in out.broken}
    out.quoted.sort(key=lambda c: (_urgency(c, broken_keys), c.pages[0], c.key))
    out.revisions.sort(key=lambda c: (bool(c.segment), not (c.is_change and c.words_changed), c.is_change))
    return out


def _sort(change: FigureChange, out: Comparison, survey_new_or_gone: bool) -> None:
    """Put one figure where the report shows it: quoted, summarised with its survey, revised, folded or nowhere."""
    if change.pages:
        if change.shows_differently:
            out.quoted.append(change)
        elif change.moved:
            out.small.append(change)
        else:
            out.unchanged += 1
    elif survey_new_or_gone:
        return
    elif change.before is None or change.after is None:
        counts = out.new_figures if change.before is None else out.gone_figures
        name = f"{change.survey}.{change.question}"
        counts[name] = counts.get(name, 0) + 1
    elif change.suppressed_in_both:
        out.suppressed += 1
    elif (change.before.number is None) != (change.after.number is None) or (change.is_change and change.words_changed):
        out.revisions.append(change)
    elif change.moved is not None and abs(change.moved) >= FOLD_BELOW - 1e-9:
        out.revisions.append(change)
    elif change.moved or change.shows_differently:
        out.small.append(change)
    else:
        out.unchanged += 1


def _urgency(change: FigureChange, broken_keys: set[str]) -> int:
    """0 for a tested change whose words changed (the copy prints them), then broken or lost figures, then the rest."""
    if change.is_change and change.words_changed:
        return 0
    if change.key in broken_keys or change.after is None or change.after.number is None:
        return 1
    return 2 if change.words_changed else 3


def _rows(table: StatisticsTable) -> dict[str, dict]:
    return {row["key"]: row for row in table.records()}  # a key given twice: the last row, as the copy reads it


def _reading(row: dict | None) -> Reading | None:
    """The figure as a page would print it, or None when the build has no such figure."""
    if row is None:
        return None
    change = bool(row.get("compare_to")) or ".since=" in str(row["key"])
    number = _number(row.get("change_pp") if change else row.get("estimate"))
    if row.get("suppressed") or number is None:
        return Reading(SUPPRESSED, "", None, str(row.get("suppression") or "not published"))
    if row.get("comparison") == DIFFERENCE:
        return Reading(points(number), str(row.get("change") or ""), number)
    if change:
        return Reading(points(number), change_phrase(str(row.get("change") or ""), number), number)
    return Reading(percent(number), words(number), number * 100)


def points(value: float) -> str:
    """Percentage points, signed, never '-0.0': '+2.1 points'."""
    shown = f"{value:+.1f}"
    return f"{shown.lstrip('+-') if float(shown) == 0 else shown} points"


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _broken_claims(results: Results, old: dict[str, dict], new: dict[str, dict]) -> list[BrokenClaim]:
    broken = []
    for ref in results.references:
        if ref.kind != "claim" or ref.key in results.copy_data.sources:
            continue
        if ref.versus:
            problem = comparative_claim_problem(ref.phrase, new, ref.key, ref.versus)
            held = None if ref.key not in old else comparative_claim_problem(ref.phrase, old, ref.key, ref.versus) is None
        else:
            problem = claim_problem(ref.phrase, new.get(ref.key))
            held = None if ref.key not in old else claim_problem(ref.phrase, old[ref.key]) is None
        if problem:
            broken.append(BrokenClaim(ref.page, ref.line, ref.phrase, ref.key, problem, held))
    return broken


def _news(survey: str, rows: list[dict], pages: dict, respondents: int | None = None) -> SurveyNews:
    changes: dict[str, dict[str, int]] = {}
    tested = [r for r in rows if r.get("comparison") == DIFFERENCE]
    clear = sum(1 for r in tested if r.get("change") in {MORE_LIKELY, LESS_LIKELY})
    rows = [r for r in rows if r.get("comparison") != DIFFERENCE]
    for row in rows:
        if row.get("comparison") == CHANGE:
            said = "not published" if row.get("suppressed") else str(row.get("change") or "little change")
            tally = changes.setdefault(str(row["compare_to"]), {})
            tally[said] = tally.get(said, 0) + 1
    return SurveyNews(survey, len(rows), len({r["question"] for r in rows}), respondents, changes,
                      sum(1 for r in [*rows, *tested] if r["key"] in pages), clear, len(tested))
