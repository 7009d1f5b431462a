"""Whether a writer's phrase is true of a figure: the one check both `campaign-site check` and the page macros use."""

from __future__ import annotations

import re

from build_scripts.editorial.comparisons import Difference, comparison_problem, find_difference
from build_scripts.editorial.formatting import percent
from build_scripts.editorial.phrasing import PhraseError, holds, parse, words
from build_scripts.statistics.statistics_table import DIFFERENCE

DIRECTIONS = {"rose": "rose", "increased": "rose", "went up": "rose", "grew": "rose",
              "fell": "fell", "decreased": "fell", "went down": "fell", "dropped": "fell"}


def claim_problem(phrase: str, row: dict | None, source: dict | None = None) -> str | None:
    """Why the phrase is not supported by the figure (a statistics row or a cited source), or None if it is."""
    if source is not None:
        if source.get("value") is None:
            return "the source has no `value` in sources.yml to check the phrase against; add one"
        return _check(phrase, float(source["value"]), source.get("unit") or "proportion")
    if row is None:
        return "no figure has this key"
    if _true(row.get("suppressed")):
        return f"the figure is suppressed ({row.get('suppression')}) and cannot be quoted"
    if row.get("comparison") == DIFFERENCE:
        return comparison_problem(phrase, Difference(row))
    if row.get("compare_to"):
        return _check_change(phrase, row)
    return _check(phrase, float(row["estimate"]), "proportion")


def comparison_for(phrase: str, figures: dict[str, dict], key_a: str,
                   key_b: str) -> tuple[Difference | None, str | None]:
    """The difference row comparing two groups' figures, and why the phrase is not supported by its test (None
    if it is)."""
    difference, why = find_difference(figures, key_a, key_b)
    return difference, (why if difference is None else comparison_problem(phrase, difference))


def comparative_claim_problem(phrase: str, figures: dict[str, dict], key_a: str, key_b: str) -> str | None:
    """Why a phrase comparing two groups' figures is not supported by the test between them, or None if it is."""
    return comparison_for(phrase, figures, key_a, key_b)[1]


def _check(phrase: str, value: float, unit: str) -> str | None:
    try:
        parsed = parse(phrase)
    except PhraseError as exc:
        return str(exc)
    if parsed.unit != unit:
        return f"{phrase!r} is about {parsed.unit}, but the figure is a {unit}"
    if holds(parsed, value):
        return None
    shown = percent(value) if unit == "proportion" else f"{value:g}"
    honest = f"; a true phrase would be {words(value)!r}" if unit == "proportion" else ""
    return f"{phrase!r} is not true of {shown}{honest}"


def _check_change(phrase: str, row: dict) -> str | None:
    change, points = row.get("change"), float(row["change_pp"])
    text = phrase.strip().lower()
    if text in {"little change", "showed little change", "was little changed"}:
        return None if change == "little change" else f"{phrase!r} is not true: the figure {change} (p < 0.05)"
    for words_, direction in DIRECTIONS.items():
        if text.startswith(words_ + " by "):
            if change != direction:
                said = "showed little change (the test gives p of 0.05 or more)" if change == "little change" \
                    else change
                return f"{phrase!r} is not true: the figure {said}"
            text = text[len(words_) + 4:]
            break
    else:
        if change != "little change" and not re.search(r"points?$", text):
            return f"{phrase!r} does not say how the figure changed"
    return _check(text, points, "points")


def _true(value) -> bool:
    return value is True or str(value).lower() == "true"
