"""Named queries of the statistics table, so that what "the whole sample" or "a change" means is said once.

The table has a row per published figure: figures of one wave (`compare_to` empty) for everyone asked
(`segment` empty) or for one group of a segment, and change rows comparing a wave with the one before.
"""

from __future__ import annotations

import pandas as pd


def figures(table: pd.DataFrame) -> pd.DataFrame:
    """Figures of one wave: every row that is not a change between waves."""
    return table[table["compare_to"] == ""]


def whole_sample(table: pd.DataFrame) -> pd.DataFrame:
    """Figures for everyone asked, not broken down by a segment."""
    rows = figures(table)
    return rows[rows["segment"] == ""]


def changes(table: pd.DataFrame) -> pd.DataFrame:
    """Change rows: a figure against the same figure in the wave before."""
    return table[table["compare_to"] != ""]


def published(table: pd.DataFrame) -> pd.DataFrame:
    """Figures of one wave that are not suppressed: what a page or a share card may quote."""
    rows = figures(table)
    return rows[~rows["suppressed"].astype(bool)]

