"""`new-survey`: the columns of a complex sample (weights, strata, PSUs, fpc) recognised by their names.

Public microdata and agency exports name their design columns in a few familiar ways (NHANES's
SDMVSTRA and SDMVPSU, the ESS's stratum and psu, "cluster", "fpc", weights as WTMEC2YR or pspwght).
Drafted as questions or breakdowns, they would publish a figure per stratum; drafted here, they
become `weighting:` and `design:`, for a person to confirm against the data's documentation.
"""

from __future__ import annotations

import re

import pandas as pd

WEIGHT = re.compile(r"weight|wght|wgt|^wt", re.IGNORECASE)
STRATA = re.compile(r"strat(um|a)?(_?(id|code))?$|^sdmvstra$|^varstr", re.IGNORECASE)  # not "strategy"
PSU = re.compile(r"psu|cluster|^varunit$|^secu$", re.IGNORECASE)
FPC = re.compile(r"fpc", re.IGNORECASE)


def weight_column(frame: pd.DataFrame, taken: set[str]) -> str | None:
    """The first numeric column named like a weight (weight, wght, wgt, wt...), if any."""
    return next((c for c in frame.columns if c not in taken and WEIGHT.search(c.strip()) and _numeric(frame[c])), None)


def design_columns(frame: pd.DataFrame, taken: set[str]) -> dict[str, str]:
    """`design:` as drafted: the columns named like strata, PSUs and an fpc (each with at least two values)."""
    found = {}
    for field, pattern in (("strata", STRATA), ("psu", PSU), ("fpc", FPC)):
        column = next((c for c in frame.columns if c not in taken and c not in found.values()
                       and pattern.search(c.strip()) and frame[c].nunique() > 1
                       and (field != "fpc" or _numeric(frame[c]))), None)
        if column:
            found[field] = column
    return found if ("strata" in found or "psu" in found) else {}


def _numeric(cells: pd.Series) -> bool:
    return pd.to_numeric(cells.str.replace(",", ".", regex=False), errors="coerce").notna().all()
