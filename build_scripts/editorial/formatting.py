"""House style for numbers (standards rules 6 and 12) and escaping of text from the data."""

from __future__ import annotations

import html
import math
import re
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from build_scripts.standards import DEFAULT

# The Government Statistical Service's shorthand for tables and charts (standards rule 6), never "*" or a
# dash, which screen readers skip: each symbol with the words a page explains it in and a screen reader says.
SUPPRESSED = "[c]"  # not published: too few people, or it would let a hidden figure be worked out
LOW_BASE = "[u]"  # low reliability: a base (or effective base) of 50 to 99
NOT_AVAILABLE = "[x]"  # not available, e.g. a group that was not asked
REVISED = "[r]"  # revised: the latest release changed the figure (standards rule 18)
SHORTHAND = {  # symbol: (what a screen reader says in its place, the note under a table)
    SUPPRESSED: ("not published", f"not published, to protect respondents: fewer than {DEFAULT.suppress_below} "
                                  f"answered (or, after weighting, the effective base is under "
                                  f"{DEFAULT.suppress_below}), fewer than {DEFAULT.small_count_below} gave the answer, "
                                  "or the figure would let a hidden one be worked out"),
    LOW_BASE: ("low base", f"low base: fewer than {DEFAULT.low_base_below} answered (or, after weighting, the "
                           f"effective base is under {DEFAULT.low_base_below}), so treat the figure with caution"),
    NOT_AVAILABLE: ("not available", "not available: the group was not asked, or the figure does not exist"),
    REVISED: ("revised", "revised in the latest release: hover over it or focus on it for the figure before and "
                         "why it changed, or follow it to the Revisions page"),
}


def percent(estimate: float | None) -> str:
    """A proportion as a whole percentage: 41%, 0% for a true zero, <1% and >99% near the ends; [c] for none."""
    if estimate is None or (isinstance(estimate, float) and math.isnan(estimate)):
        return SUPPRESSED
    if estimate == 0:
        return "0%"
    if estimate < 0.005:
        return "<1%"
    if 0.995 <= estimate < 1:
        return ">99%"
    # Round half up, as readers expect (41.5% is 42%), not Python's round-half-even.
    # Scale in decimal, not binary: 0.285 * 100 is 28.499999999999996 as a float.
    whole = (Decimal(repr(float(estimate))) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{whole}%"


def interval(low: float | None, high: float | None) -> str:
    """A confidence interval as a range with 'to', e.g. 37% to 45%."""
    if low is None or high is None or any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        return SUPPRESSED
    return f"{percent(low)} to {percent(high)}"


def count(value) -> str:
    """A whole number with thousands separators; a hidden count shows as [c]."""
    if value is None or pd.isna(value):
        return SUPPRESSED
    return f"{round(float(value)):,}"


def shorthand(symbol: str, spoken: bool = True) -> str:
    """A shorthand symbol as HTML for a table cell: "[c]" seen, the words heard (screen readers skip or spell out
    brackets): `<span class="shorthand"><span aria-hidden="true">[c]</span><span class="visually-hidden">not
    published</span></span>`. The outer span holds the hidden words in place (site.css), so they never widen a
    page. With `spoken=False` the symbol alone, hidden from screen readers, for text that says the words anyway."""
    heard = f'<span class="visually-hidden">{SHORTHAND[symbol][0]}</span>' if spoken else ""
    return f'<span class="shorthand"><span aria-hidden="true">{symbol}</span>{heard}</span>'


def shorthand_note(symbols) -> str:
    """The note under a table explaining each symbol it uses, in the order [c], [u], [x], [r]; empty if none."""
    used = [s for s in SHORTHAND if s in set(symbols)]
    return " ".join(f"{s} {SHORTHAND[s][1]}." for s in used)


def change_phrase(words: str, change_pp: float) -> str:
    """A tested change in words (standards rule 8): 'rose by 5 percentage points' or 'showed little change'."""
    if words not in {"rose", "fell"}:
        return "showed little change"
    return f"{words} by {percentage_points(change_pp)}"


def percentage_points(change_pp: float) -> str:
    """The size of a change, rounded half up: '5 percentage points', '1 percentage point'."""
    size = abs(int(Decimal(str(change_pp)).quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    return f"{size} percentage point{'' if size == 1 else 's'}"


def signed_points(value: float) -> str:
    """A change or difference in percentage points, signed and rounded half up: +5 points, -3 points, +1 point."""
    size = int(Decimal(str(float(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{size:+d} point{'' if abs(size) == 1 else 's'}" if size else "0 points"


def p_value_text(value: float) -> str:
    """A p-value to two significant figures, '<0.001' when tiny."""
    return "<0.001" if value < 0.001 else f"{value:.2g}"


def lower_first(text: str) -> str:
    """A label put mid-sentence: 'Years in post' -> 'years in post', but 'UK nation' stays as it is."""
    words = text.split()
    return text if not words or words[0].isupper() else text[:1].lower() + text[1:]


def date_words(value: str) -> str:
    """A YYYY, YYYY-MM or YYYY-MM-DD date in words: 2015, March 2015, 4 March 2015."""
    parts = [int(p) for p in str(value).split("-")]
    if len(parts) == 1:
        return str(parts[0])
    month = _MONTHS[parts[1] - 1]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{parts[2]} {month} {parts[0]}"


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]


def decimal_count(value: float) -> str:
    """A weighted total to one decimal place, with thousands separators."""
    return f"{float(value):,.1f}"


# Python-Markdown's escapable characters (with the tables extension's "|"); braces are handled apart.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()#+\-.!|])")


def md_text(text: str) -> str:
    """Text from a codebook made safe to drop into Markdown: every special character is literal."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(" ".join(str(text).split()), quote=False))
    # ??? and === opening a line start a details block or a tab (pymdownx), which no backslash escapes.
    escaped = re.sub(r"^[?=]", lambda m: f"&#{ord(m.group(0))};", escaped)
    return _no_jinja(escaped)


def _no_jinja(text: str) -> str:
    # mkdocs-macros renders every page with Jinja before Markdown sees it; braces from data must not reach it.
    return text.replace("{", "&#123;").replace("}", "&#125;")
