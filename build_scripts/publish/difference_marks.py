"""Tested differences between groups on a survey page: marks in breakdown tables, words for charts and readers.

A breakdown table marks a figure ▲ or ▼ only where the test (Holm-adjusted for every difference on the
page) finds the group more or less likely than everyone else asked, or than the other group of a
two-group breakdown; screen readers hear the test's words instead of the symbol. A note under the table
says which answer was tested, a sentence says the clear differences with both percentages (the rounded
figures a reader sees, never a rounded difference that might not match them), and "For statisticians"
gives every tested difference with its interval and p-values.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from build_scripts.editorial.comparisons import EVERYONE_ELSE, LESS, MORE, NONE
from build_scripts.editorial.formatting import lower_first, md_text, p_value_text, percent, signed_points
from build_scripts.statistics.statistics_table import REST
from build_scripts.statistics.survey_summary import SegmentSummary

HIGHER, LOWER = "▲", "▼"


@dataclass(frozen=True)
class Tested:
    """One tested difference as a page says it: the group, the answer, who it is compared with, the words."""

    group: str  # the group's label
    option: str
    other: str  # the other group's label, or EVERYONE_ELSE
    words: str
    row: pd.Series

    @property
    def against(self) -> str:
        """Who the group is compared with, mid-sentence: 'everyone else asked' or "those in 'No'"."""
        return self.other if self.other == EVERYONE_ELSE else f"those in '{self.other}'"


class SegmentDifferences:
    """A breakdown's difference rows, for its table's marks, its sentences and its statisticians' block."""

    def __init__(self, rows: pd.DataFrame, segment: SegmentSummary, answer_of):
        self.segment, self.answer_of = segment, answer_of
        self.tested: list[Tested] = []
        self.untested: list[str] = []  # groups too small to test (their difference is not published)
        self.options = list(dict.fromkeys(rows["option"]))
        for _, row in rows.iterrows():
            if bool(row["suppressed"]):
                self.untested.append(segment.label_of(row["segment_value"]))
                continue
            other = EVERYONE_ELSE if row["compare_to"] == REST else segment.label_of(row["compare_to"])
            self.tested.append(Tested(segment.label_of(row["segment_value"]), row["option"], other, row["change"], row))
        self.untested = list(dict.fromkeys(self.untested))
        self._marks: dict[tuple[str, str], tuple[str, str]] = {}
        for t in self.tested:
            if t.words == NONE:
                continue
            group, other = t.row["segment_value"], t.row["compare_to"]
            self._marks[(group, t.option)] = (HIGHER if t.words == MORE else LOWER, f"{t.words} than {t.against}")
            if len(segment.groups) == 2 and other != REST:  # the other group is the opposite, said for it too
                flipped = LESS if t.words == MORE else MORE
                self._marks[(other, t.option)] = (HIGHER if flipped == MORE else LOWER,
                                                  f"{flipped} than those in '{t.group}'")

    def mark(self, group: str, option: str) -> str:
        """The mark after a figure (seen as ▲ or ▼, heard as the test's words), or nothing."""
        found = self._marks.get((group, option))
        if not found:
            return ""
        symbol, words = found
        return (f' <span class="shorthand difference"><span aria-hidden="true">{symbol}</span>'
                f'<span class="visually-hidden">{md_text(words)}</span></span>')

    def sentences(self) -> str:
        """In words: the clear differences with both figures, or that there are none; and who was too few to test."""
        if not self.tested and not self.untested:
            return ""
        answers = " and ".join(f"'{self.answer_of(o)}'" for o in self.options)
        clear = [t for t in self.tested if t.words != NONE]
        if clear:
            said = []  # one clause per direction, answer and comparison: the groups listed, each with both figures
            for words in (MORE, LESS):
                alike: dict[tuple[str, str], list[Tested]] = {}
                for t in clear:
                    if t.words == words:
                        alike.setdefault((t.option, t.against), []).append(t)
                for (option, against), tests in alike.items():
                    groups = [f"'{t.group}' ({percent(t.row['estimate'])} against "
                              f"{percent(t.row['previous_estimate'])})" for t in tests]
                    listed = groups[0] if len(groups) == 1 else ", ".join(groups[:-1]) + " and " + groups[-1]
                    said.append(f"those in {listed} were {words} than {against} to answer '{self.answer_of(option)}'")
            text = "Clear differences: " + "; ".join(said) + "."
        elif self.tested:
            text = (f"No {lower_first(self.segment.label)} group differs clearly from "
                    f"{'the other' if len(self.segment.groups) == 2 else 'everyone else asked'} in answering "
                    f"{answers}.")
        else:
            text = ""
        if self.untested:
            text += (" " if text else "") + f"Too few answered to test: {', '.join(self.untested)}."
        return text

    def note(self) -> str:
        """The note under the table explaining ▲ and ▼ and what was tested, when it shows either."""
        if not self._marks:
            return ""
        answers = " and ".join(f"'{self.answer_of(o)}'" for o in self.options)
        other = "the other group" if len(self.segment.groups) == 2 else EVERYONE_ELSE
        return (f"{HIGHER} clearly higher, {LOWER} clearly lower than {other}, by a test that allows for the number "
                f"of tests on this page. Only {answers} {'is' if len(self.options) == 1 else 'are'} tested: a "
                "figure without a mark may still differ.")

    def statisticians(self) -> str:
        """Every tested difference: the groups, the difference, its interval, the p-values and the words."""
        if not self.tested:
            return ""
        lines = ["| Group | Answer | Compared with | Difference | 95% interval (not adjusted) | p | p (Holm) | "
                 "Test says |", "| --- | --- | --- | ---: | --- | ---: | ---: | --- |"]
        for t in self.tested:
            r = t.row
            lines.append(f"| {md_text(t.group)} | {md_text(self.answer_of(t.option))} | {md_text(t.other)} | "
                         f"{signed_points(r['change_pp'])} | {signed_points(r['difference_low'])} to "
                         f"{signed_points(r['difference_high'])} | {p_value_text(r['p_value'])} | "
                         f"{p_value_text(r['p_adjusted'])} | {t.words} |")
        return ("Differences: two-proportion test on the (design-)effective bases; p-values adjusted by Holm's "
                "method for every difference tested on this page; \"more likely\" or \"less likely\" needs an "
                "adjusted p below 0.05.\n\n" + "\n".join(lines) + "\n")
