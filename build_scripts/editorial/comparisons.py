"""Claims about differences between groups: "more likely than", "twice as likely as", "5 percentage points higher".

A comparative claim names two figures of one question's answer in one breakdown (or a difference row
itself). It holds only where the difference row's test, Holm-adjusted for every difference on the
survey's page, supports its direction, and any size it states (points, or a ratio) is true of the
figures. `stat(<difference key>)` prints the honest words the same test gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from build_scripts.editorial.formatting import percentage_points
from build_scripts.editorial.phrasing import PhraseError, holds, parse
from build_scripts.statistics.differences import LESS_LIKELY, MORE_LIKELY, NO_CLEAR_DIFFERENCE
from build_scripts.statistics.statistics_table import REST

MORE, LESS, NONE = MORE_LIKELY, LESS_LIKELY, NO_CLEAR_DIFFERENCE
EVERYONE_ELSE = "everyone else asked"  # the rest of a group's base, as readers are told
_SWAPPED = {MORE: LESS, LESS: MORE, NONE: NONE}
_UP = ("more", "higher", "greater", "larger", "likelier")
_DOWN = ("less", "lower", "fewer", "smaller")
_SAME = re.compile(r"^(no clear difference|(about |roughly |just |more or less )?as likely as|similar to|"
                   r"no more or less likely than|more or less the same as)\b")
_NEGATED = re.compile(r"\b(not|no|never|nor|n't)\b|n't\b")
_RATIO = re.compile(r"^(?P<amount>(?:.+ )?(?:twice|half|\S+ times)) as \S+(?: \S+)*? as\b")
_POINTS = re.compile(r"^(?P<amount>.+? (?:percentage )?points?) (?P<way>\S+)\b")
FIX = ("write the comparison the test supports, e.g. {honest}, or compare other figures (`campaign-site figures "
       "WORD --all` lists each difference's words)")


@dataclass(frozen=True)
class Difference:
    """A difference row seen from group A's side: A minus B in points, the test's words, both figures."""

    row: dict
    reversed: bool = False

    @property
    def words(self) -> str:
        words = self.row["change"]
        return _SWAPPED.get(words, words) if self.reversed else words

    @property
    def points(self) -> float:
        return -float(self.row["change_pp"]) if self.reversed else float(self.row["change_pp"])

    @property
    def ratio(self) -> float:
        a, b = float(self.row["estimate"]), float(self.row["previous_estimate"])
        a, b = (b, a) if self.reversed else (a, b)
        return a / b if b else float("inf")


def find_difference(figures: dict[str, dict], key_a: str, key_b: str) -> tuple[Difference | None, str]:
    """The difference row comparing two figures (either way round), or None and why there is none."""
    a, b = figures.get(key_a), figures.get(key_b)
    if a is None or b is None:
        return None, f"no figure has the key {key_a if a is None else key_b!r}"
    same = all(a[c] == b[c] for c in ("survey", "question", "option", "base_type", "segment"))
    if not same or not a["segment"] or a["comparison"] or b["comparison"] or a["segment_value"] == b["segment_value"]:
        return None, ("the two keys are not two groups of one breakdown of the same answer: a comparison needs e.g. "
                      "<survey>.<question>.<answer>.nation=scotland and <survey>.<question>.<answer>.nation=england")
    direct = figures.get(f"{key_a}.vs={b['segment_value']}")
    if direct is not None:
        return Difference(direct), ""
    other = figures.get(f"{key_b}.vs={a['segment_value']}")
    if other is not None:
        return Difference(other, reversed=True), ""
    return None, (f"these two groups are not tested against each other (each is tested against the rest): set "
                  f"`compare: pairwise` on the segment {a['segment']!r} in survey.yml, or compare one group with "
                  f"the rest using its key {key_a}.vs=rest")


def comparison_problem(phrase: str, difference: Difference) -> str | None:
    """Why a comparative phrase is not supported by the difference's test and size, or None if it is."""
    row = difference.row
    if row.get("suppressed") is True or str(row.get("suppressed")).lower() == "true":
        return f"the difference is not published ({row.get('suppression')}) and cannot be claimed"
    text = " ".join(phrase.lower().replace("–", "-").split())
    text = re.sub(r"^(were|was|are|is|be|been)\s+", "", text)  # "were more likely than": the verb says nothing
    words = difference.words
    honest = repr(honest_phrase(difference))
    if _SAME.match(text):
        if words == NONE:
            return None
        return f"{phrase!r} is not true: the test finds the group {words} (adjusted p < 0.05); say {honest}"
    if _NEGATED.search(text):
        return f"cannot check {phrase!r}: write the comparison without a negative, e.g. {honest}"
    if m := _RATIO.match(text):
        amount = re.sub(r"\btwice\b", "two times", m.group("amount"))
        amount = re.sub(r"\bhalf\b", "0.5 times", amount)
        return _sized(phrase, amount, difference.ratio, LESS if amount.endswith("0.5 times") else MORE, difference,
                      honest, unit="ratio")
    if m := _POINTS.match(text):
        way = m.group("way")
        direction = MORE if way.startswith(_UP) else LESS if way.startswith(_DOWN) else None
        if direction is None:
            return f"cannot read the direction of {phrase!r}: say 'higher than' or 'lower than'"
        return _sized(phrase, m.group("amount"), abs(difference.points), direction, difference, honest, unit="points")
    first = text.split(" ", 1)[0]
    direction = MORE if first.startswith(_UP) else LESS if first.startswith(_DOWN) else None
    if direction is None or not re.search(r"\b(than|as)\b", text):
        return (f"cannot read {phrase!r} as a comparison; write e.g. 'more likely than', 'less likely than', "
                "'twice as likely as', '5 percentage points higher than' or 'no clear difference from'")
    return _direction_problem(phrase, direction, words, honest)


def _sized(phrase: str, amount: str, value: float, direction: str, difference: Difference, honest: str,
           unit: str) -> str | None:
    """A comparison with a size: the test must find the direction the words say, and the size must hold."""
    wrong = _direction_problem(phrase, direction, difference.words, honest)
    if wrong:
        return wrong
    try:
        parsed = parse(amount)
    except PhraseError as exc:
        return str(exc)
    if parsed.unit != unit:
        return f"cannot read the size in {phrase!r}"
    if unit == "ratio" and parsed.qualifier == "rounds_to":  # "twice" means around twice, not 1.5 to 2.49
        parsed = replace(parsed, qualifier="around")
    if holds(parsed, value):
        return None
    shown = f"{value:.2f} times" if unit == "ratio" else percentage_points(value)
    return f"{phrase!r} is not true: the difference is {shown}; say {honest}"


def _direction_problem(phrase: str, direction: str, words: str, honest: str) -> str | None:
    if words == direction:
        return None
    if words == NONE:
        return (f"{phrase!r} is not supported: the test finds no clear difference (adjusted p of 0.05 or more, "
                f"Holm's correction for the differences on the page); say {honest}")
    return f"{phrase!r} is not true: the group is {words}; say {honest}"


def honest_phrase(difference: Difference) -> str:
    """The comparison the test supports, without the other group: 'more likely than', 'no clear difference from'."""
    words = difference.words
    return "no clear difference from" if words == NONE else f"{words} than"


def difference_text(row: dict, other: str, form: str = "figure") -> str:
    """A difference as stat() prints it: '8 percentage points higher than X' or 'more likely than X', honestly."""
    words = row["change"]
    if words == NONE:
        return (f"about as likely as {other} (no clear difference)" if form == "words"
                else f"no clear difference from {other}")
    if form == "words":
        return f"{words} than {other}"
    return f"{percentage_points(float(row['change_pp']))} {'higher' if words == MORE else 'lower'} than {other}"


def other_group(row: dict, label_of) -> str:
    """Who a difference row compares its group with, as a sentence would name them."""
    if row["compare_to"] == REST:
        return EVERYONE_ELSE
    return label_of(row["compare_to"])
