"""Words for numbers (standards rules 12 and 13): parse a writer's phrase, test it against a figure, suggest an honest one.

A phrase is an optional qualifier ("more than", "nearly", "around", "at least", "under" ...) and a
quantity: "40 per cent", "40%", "four in ten", "a third", "two thirds", "half", "a majority", "most",
"5 percentage points" (for a change), or "4 times" / "for every £1 ... £4" (for a ratio).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "a": 1, "an": 1}
FRACTION_WORDS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5,
                  "fifths": 5, "tenth": 10, "tenths": 10}
QUALIFIERS = {
    "more than": "above", "over": "above", "above": "above", "upwards of": "above",
    "nearly": "nearly", "almost": "nearly", "just under": "nearly", "close to": "around",
    "around": "around", "about": "around", "roughly": "around", "approximately": "around", "some": "around",
    "at least": "at_least", "at most": "at_most",
    "under": "below", "below": "below", "fewer than": "below", "less than": "below",
    "exactly": "exact",
}
NEAR = 0.03  # "nearly a third": under it and within 3 points (standards rule 13)
AROUND = 0.02  # "around", "about", and a bare "one in three": within 2 points
EXACT = 0.005  # words() says "one in three" itself only within half a point of it, else "more than" or "nearly"


@dataclass(frozen=True)
class Phrase:
    """What a phrase claims: a comparison of the figure with a target value, in some unit."""

    text: str
    qualifier: str  # above, nearly, around, at_least, at_most, below, exact, majority, minority, rounds_to
    target: float
    unit: str  # proportion, points or ratio
    decimals: int = 0  # for a bare "41%": the precision it was written to


class PhraseError(ValueError):
    """The text is not a phrase about a number that the checker understands."""


def parse(text: str) -> Phrase:
    """Read a writer's phrase into what it claims, or raise PhraseError saying what forms are understood."""
    phrase = " ".join(text.lower().replace("–", "-").split())
    if re.fullmatch(r"(a|the) majority( of)?|most( of)?|more than half( of)?", phrase):
        return Phrase(text, "majority", 0.5, "proportion")
    if re.fullmatch(r"a minority( of)?|fewer than half( of)?|less than half( of)?", phrase):
        return Phrase(text, "minority", 0.5, "proportion")
    qualifier, rest = "", phrase
    for words in sorted(QUALIFIERS, key=len, reverse=True):
        if phrase.startswith(words + " "):
            qualifier, rest = QUALIFIERS[words], phrase[len(words) + 1:]
            break
    target, unit, decimals, exact_form = _quantity(rest, text)
    if not qualifier:
        qualifier = "rounds_to" if exact_form else "around"
    return Phrase(text, qualifier, target, unit, decimals)


def _quantity(rest: str, text: str) -> tuple[float, str, int, bool]:
    """(value, unit, decimals, written as an exact figure?) of the quantity part of a phrase."""
    rest = re.sub(r"\s+of$", "", rest)
    if m := re.fullmatch(r"(\d+(?:\.(\d+))?)\s*(?:%|per ?cent)", rest):
        return float(m.group(1)) / 100, "proportion", len(m.group(2) or ""), True
    if m := re.fullmatch(r"(\d+(?:\.(\d+))?) percentage points?|(\d+(?:\.(\d+))?) points?", rest):
        number = m.group(1) or m.group(3)
        return float(number), "points", len(m.group(2) or m.group(4) or ""), True
    if m := re.fullmatch(r"(\d+(?:\.\d+)?|[a-z]+) times( as (much|many))?", rest):
        return _number(m.group(1), text), "ratio", 0, True
    if m := re.fullmatch(r"for every £?(\d+(?:\.\d+)?)\b.*?£?(\d+(?:\.\d+)?)(?: [a-z ]*)?", rest):
        return float(m.group(2)) / float(m.group(1)), "ratio", 0, True
    if m := re.fullmatch(r"(\d+|[a-z]+) in (\d+|[a-z]+)", rest):
        return _number(m.group(1), text) / _number(m.group(2), text), "proportion", 0, False
    if m := re.fullmatch(r"(?:(a|an|one|two|three|four|five|six|seven|eight|nine)\s+)?(half|halves|thirds?|quarters?|"
                         r"fifths?|tenths?)", rest):
        count = NUMBER_WORDS.get(m.group(1) or "a", 1)
        return count / FRACTION_WORDS[m.group(2)], "proportion", 0, False
    raise PhraseError(
        f"cannot read {text!r} as a claim about a number; write it as e.g. 'more than 40 per cent', 'nearly a "
        "third', 'one in three', 'around 57%', 'a majority', 'at least 5 percentage points' or 'four times'")


def _number(word: str, text: str) -> float:
    if re.fullmatch(r"\d+(\.\d+)?", word):
        return float(word)
    if word in NUMBER_WORDS:
        return float(NUMBER_WORDS[word])
    raise PhraseError(f"cannot read the number {word!r} in {text!r}; use a figure or a word from one to ten")


def holds(phrase: Phrase, value: float) -> bool:
    """Whether the figure supports the phrase (standards rule 13); value in the phrase's unit."""
    target, q = phrase.target, phrase.qualifier
    tolerance = 1e-12
    if phrase.unit == "points":
        value = abs(value)
    if q in {"majority", "above"}:
        return value > target + tolerance
    if q in {"minority", "below"}:
        return value < target - tolerance
    if q == "at_least":
        return value >= target - tolerance
    if q == "at_most":
        return value <= target + tolerance
    # Tolerances are in percentage points; for a ratio ("four times") they are shares of the ratio itself.
    scale = {"proportion": 1.0, "points": 100.0}.get(phrase.unit, target * 5)
    if q == "nearly":
        return value < target - tolerance and (target - value) <= NEAR * scale + tolerance
    if q == "around":
        return abs(value - target) <= AROUND * scale + tolerance
    scale = 100 if phrase.unit == "proportion" else 1
    return round_half_up(value, phrase.decimals, scale) == round_half_up(target, phrase.decimals, scale)


def round_half_up(value: float, decimals: int = 0, scale: int = 1) -> float:
    """value * scale rounded as readers expect (41.5 -> 42), in decimal so 0.575 * 100 is 57.5, not 57.4999."""
    step = Decimal(1).scaleb(-decimals)
    return float((Decimal(repr(float(value))) * scale).quantize(step, rounding=ROUND_HALF_UP))


# The fractions honest words are built from, most familiar first when two are equally close.
FRACTIONS = [(Fraction(1, 2), "half"), (Fraction(1, 3), "a third"), (Fraction(2, 3), "two thirds"),
             (Fraction(1, 4), "a quarter"), (Fraction(3, 4), "three quarters")] + [
    (Fraction(n, 10), f"{w} in ten") for n, w in
    [(1, "one"), (2, "two"), (3, "three"), (4, "four"), (6, "six"), (7, "seven"), (8, "eight"), (9, "nine")]]


def words(value: float) -> str:
    """An honest plain-English phrase for a proportion: 'more than four in ten', 'nearly a third', 'one in three'."""
    best = min(FRACTIONS, key=lambda f: (abs(value - float(f[0])), FRACTIONS.index(f)))
    target, name = float(best[0]), best[1]
    if abs(value - target) < EXACT:
        return {"a third": "one in three"}.get(name, name)
    if target < value <= target + NEAR:
        return f"more than {name}"
    if target - NEAR <= value < target:
        return f"nearly {name}"
    if value > 0.5:
        return "a majority"
    return f"{round_half_up(value, 0, 100):.0f}%"
