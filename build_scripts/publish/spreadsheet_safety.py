"""Published CSV cells that a spreadsheet cannot run as formulas (OWASP's CSV injection advice).

Labels and wording come from codebooks and exports; a cell that starts with `=`, `+`, `-`, `@`, a tab
or a carriage return is read by Excel and LibreOffice as a formula. Such text cells get a leading `'`,
which spreadsheets show as text; numbers (`-0.05`) stay numbers.
"""

from __future__ import annotations

import math

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> object:
    """The value as a spreadsheet shows it but never runs: text starting like a formula gets a leading `'`."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS) or _is_number(value):
        return value
    return "'" + value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every text cell neutralised; numeric and boolean columns are untouched."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(neutralised)
    out.columns = [neutralised(str(name)) for name in out.columns]
    return out


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
