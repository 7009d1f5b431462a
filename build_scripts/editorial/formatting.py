"""House style for numbers (standards rules 6 and 12) and escaping of text from the data."""

from __future__ import annotations

import html
import math
import re
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

SUPPRESSED = "*"


def percent(estimate: float | None) -> str:
    """A proportion as a whole percentage: 41%, a dash for a true zero, <1% and >99% near the ends."""
    if estimate is None or (isinstance(estimate, float) and math.isnan(estimate)):
        return SUPPRESSED
    if estimate == 0:
        return "–"
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
    """A whole number with thousands separators; hidden counts show as an asterisk."""
    if value is None or pd.isna(value):
        return SUPPRESSED
    return f"{round(float(value)):,}"


def change_phrase(words: str, change_pp: float) -> str:
    """A tested change in words (standards rule 8): 'rose by 5 percentage points' or 'showed little change'."""
    if words not in {"rose", "fell"}:
        return "showed little change"
    size = abs(int(Decimal(str(change_pp)).quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    return f"{words} by {size} percentage point{'' if size == 1 else 's'}"


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
    return _no_jinja(escaped)


def _no_jinja(text: str) -> str:
    # mkdocs-macros renders every page with Jinja before Markdown sees it; braces from data must not reach it.
    return text.replace("{", "&#123;").replace("}", "&#125;")
