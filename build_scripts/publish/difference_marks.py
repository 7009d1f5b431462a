"""Tested differences between groups on a survey page: marks in breakdown tables, words for charts and readers.

A breakdown table marks a figure ▲ or ▼ only where the test (Holm-adjusted for every difference on the
page) finds the group more or less likely than the rest of those asked, or than the other group of a
two-group breakdown; screen readers hear the test's words instead of the symbol. A sentence under the
table says the same in words, and "For statisticians" gives every tested difference with its interval
and p-values.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from build_scripts.editorial.comparisons import LESS, MORE, NONE
from build_scripts.editorial.formatting import lower_first, md_text, p_value_text, signed_points
from build_scripts.statistics.survey_summary import SegmentSummary

HIGHER, LOWER = "▲", "▼"
REST = "rest"


@dataclass(frozen=True)
class Tested:
    """One tested difference as a page says it: which groups, the words, the size and the p-values."""

    group: str
    option: str
    other: str  # the other group's label mid-sentence, or "the rest of those asked"
    words: str
    row: pd.Series


class SegmentDifferences:
    """A breakdown's difference rows, for its table's marks, its sentence and its statisticians' block."""

    def __init__(self, rows: pd.DataFrame, segment: SegmentSummary, respondents: str):
        self.tested: list[Tested] = []
        for _, row in rows.iterrows():
            if bool(row["suppressed"]):
                continue
            other = (f"the rest of {respondents}" if row["compare_to"] == REST
                     else f"'{segment.label_of(row['compare_to'])}'")
            self.tested.append(Tested(segment.label_of(row["segment_value"]), row["option"], other, row["change"],
                                      row))
        self.segment = segment
        self._marks: dict[tuple[str, str], tuple[str, str]] = {}
        pairs_of_two = len(segment.groups) == 2
        for t in self.tested:
            if t.words == NONE:
                continue
            key = (t.row["segment_value"], t.option)
            self._marks[key] = (HIGHER if t.words == MORE else LOWER, f"{t.words} than {t.other}")
            if pairs_of_two and t.row["compare_to"] != REST:  # the other group is then the opposite, said once more
                mine = f"'{segment.label_of(t.row['segment_value'])}'"
                flipped = LESS if t.words == MORE else MORE
                self._marks[(t.row["compare_to"], t.option)] = (HIGHER if flipped == MORE else LOWER,
                                                                f"{flipped} than {mine}")

    @property
    def marked(self) -> bool:
        """Whether any figure in the table carries a mark."""
        return bool(self._marks)

    def mark(self, group: str, option: str) -> str:
        """The mark after a figure (seen as ▲ or ▼, heard as the test's words), or nothing."""
        found = self._marks.get((group, option))
        if not found:
            return ""
        symbol, words = found
        return (f' <span class="shorthand difference"><span aria-hidden="true">{symbol}</span>'
                f'<span class="visually-hidden">{html.escape(words)}</span></span>')

    def sentence(self, answer_of) -> str:
        """In words: which groups the tests find more or less likely to give an answer, or that none do."""
        clear = [t for t in self.tested if t.words != NONE]
        if not self.tested:
            return ""
        if not clear:
            return (f"No {lower_first(self.segment.label)} group differs clearly from the "
                    f"{'other' if len(self.segment.groups) == 2 else 'rest'} in the tests of these answers.")
        said = [f"'{t.group}' {t.words} than {t.other} to answer '{answer_of(t.option)}' "
                f"({signed_points(t.row['change_pp'])})" for t in clear]
        return f"Clear differences by {lower_first(self.segment.label)}: " + "; ".join(said) + "."

    def note(self) -> str:
        """The note under the table explaining ▲ and ▼, when it shows either."""
        if not self.marked:
            return ""
        return (f"{HIGHER} {LOWER} more or less likely than the rest of those asked (or than the other group): "
                "a difference the test finds clear, after correcting for the number of tests on this page.")

    def statisticians(self, answer_of) -> str:
        """Every tested difference: the groups, the difference, its interval, the p-values and the words."""
        if not self.tested:
            return ""
        lines = ["| Group | Answer | Compared with | Difference | 95% interval | p | p (Holm) | Test says |",
                 "| --- | --- | --- | ---: | --- | ---: | ---: | --- |"]
        for t in self.tested:
            r = t.row
            lines.append(f"| {md_text(t.group)} | {md_text(answer_of(t.option))} | {md_text(t.other)} | "
                         f"{signed_points(r['change_pp'])} | {signed_points(r['difference_low'])} to "
                         f"{signed_points(r['difference_high'])} | {p_value_text(r['p_value'])} | "
                         f"{p_value_text(r['p_adjusted'])} | {t.words} |")
        return ("Differences: two-proportion test on the (design-)effective bases; p-values adjusted by Holm's "
                "method for every difference tested on this page; \"more likely\" or \"less likely\" needs an "
                "adjusted p below 0.05.\n\n" + "\n".join(lines) + "\n")
