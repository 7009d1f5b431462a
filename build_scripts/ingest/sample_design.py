"""A survey's sample design from its responses: the strata, PSU and fpc columns checked and coded.

The codebook's `design:` names the columns; here every row is checked (a blank stratum, an fpc that is
not a count or differs within its stratum, a stratum with one PSU when the codebook says to fail) and the
columns become the integer codes `statistics.design.Design` takes. Codes are given in sorted order of
the values, so the same responses always give the same codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from build_scripts.errors import Problem, quote, rows_text
from build_scripts.ingest.answers import weight_values
from build_scripts.ingest.codebook import Codebook

LISTED = 12  # strata named in one problem before the rest are counted


@dataclass(frozen=True, eq=False)
class DesignColumns:
    """Each respondent's stratum and PSU codes (None when not declared) and fpc (population PSUs per stratum)."""

    strata: np.ndarray | None
    psu: np.ndarray | None
    fpc: np.ndarray | None


def design_columns(book: Codebook, frame: pd.DataFrame) -> DesignColumns | None:
    """The design's columns as codes, or None when the codebook declares no design (checked first by design_problems)."""
    design = book.design
    if design is None:
        return None
    strata = _codes(frame[design.strata]) if design.strata else None
    psu = _codes(frame[design.psu]) if design.psu else None
    fpc = weight_values(frame[design.fpc]).to_numpy(dtype=float) if design.fpc else None
    return DesignColumns(strata, psu, fpc)


def design_units(book: Codebook, frame: pd.DataFrame) -> tuple[int, int] | None:
    """How many strata and PSUs the sample has (each respondent its own PSU when none is named), or None."""
    columns = design_columns(book, frame)
    if columns is None:
        return None
    strata = np.zeros(len(frame), dtype=np.int64) if columns.strata is None else columns.strata
    if columns.psu is None:
        return int(len(np.unique(strata))), len(frame)
    return int(len(np.unique(strata))), int(len(np.unique(np.stack([strata, columns.psu]), axis=1).T))


def design_problems(book: Codebook, frame: pd.DataFrame, file: str) -> list[Problem]:
    """Every problem with the design's columns: blanks, fpc values, lonely PSUs when the codebook says fail."""
    design = book.design
    if design is None:
        return []
    problems = []
    for name, column in (("strata", design.strata), ("psu", design.psu)):
        if column is None:
            continue
        blank = frame.index[(frame[column].str.strip() == "").to_numpy()]
        if len(blank):
            problems.append(Problem(file, f"column {column!r}, {rows_text(list(blank))}",
                                    "a respondent has no stratum" if name == "strata" else "a respondent has no PSU",
                                    f"give every respondent the {name} the sample drew them from"))
    stratum = frame[design.strata] if design.strata else pd.Series("", index=frame.index)
    psu = frame[design.psu] if design.psu else pd.Series(np.arange(len(frame)).astype(str), index=frame.index)
    sampled = psu.groupby(stratum.to_numpy(), sort=True).nunique()
    in_full = pd.Series(False, index=sampled.index)
    if design.fpc:
        fpc_problems, population = _fpc_problems(frame[design.fpc], stratum, sampled, file, design.fpc)
        problems += fpc_problems
        if not fpc_problems:
            in_full = population == sampled
    if problems:  # a blank stratum or a bad fpc: which strata are lonely cannot be known yet
        return problems
    lonely = sampled.index[(sampled == 1) & ~in_full]
    if len(lonely) and design.lonely_psu == "fail":
        named = ", ".join(quote(str(s)) for s in lonely[:LISTED]) + (
            f" and {len(lonely) - LISTED} more" if len(lonely) > LISTED else "")
        where = f"column {design.strata!r}" if design.strata else f"column {design.psu!r}"
        problems.append(Problem(
            file, where, f"{len(lonely)} stratum(s) have a single PSU in the sample, so their variance cannot be "
            f"estimated: {named}",
            "merge each with a similar stratum in the export (the usual fix, as the survey's documentation "
            "often advises), or set `lonely_psu: adjust` (or `remove`) under `design:` in survey.yml"))
    elif (in_full | ((sampled == 1) & (design.lonely_psu == "remove"))).all():
        problems.append(Problem(
            file, f"column {design.strata or design.psu!r}",
            "no stratum of the design has variance to estimate (each was sampled in full, or has a single PSU "
            "that `lonely_psu: remove` leaves out), so every interval would have no width",
            "check the fpc and the strata against the survey's documentation, or use `lonely_psu: adjust`"))
    return problems


def _fpc_problems(cells: pd.Series, stratum: pd.Series, sampled: pd.Series, file: str,
                  column: str) -> tuple[list[Problem], pd.Series]:
    values = weight_values(cells)
    problems = []
    bad = cells[~(np.isfinite(values) & (values > 0))]
    if not bad.empty:
        problems.append(Problem(file, f"column {column!r}, {rows_text(list(bad.index))}",
                                "an fpc is missing, not a number, zero or negative",
                                "give the number of PSUs in the respondent's stratum in the population", bad.iloc[0]))
    good = np.isfinite(values) & (values > 0)  # the other checks go on with the good values: every problem at once
    values, stratum = values[good], stratum[good.to_numpy()]
    sampled = sampled[sampled.index.isin(set(stratum))]
    by_stratum = values.groupby(stratum.to_numpy(), sort=True)
    varies = by_stratum.nunique() > 1
    for name in varies.index[varies][:LISTED]:
        rows = values.index[(stratum == name).to_numpy()]
        problems.append(Problem(file, f"column {column!r}, {rows_text(list(rows))}",
                                f"the fpc differs within the stratum {quote(str(name))}",
                                "give every respondent of a stratum the same population count"))
    population = by_stratum.first()
    short = population.index[(population < sampled).to_numpy()]
    for name in short[:LISTED]:
        problems.append(Problem(file, f"column {column!r}", f"the fpc of stratum {quote(str(name))} is smaller than "
                                f"the {sampled[name]} PSU(s) sampled from it",
                                "give the number of PSUs in the stratum in the population (a count, not a "
                                "sampling fraction)", f"{population[name]:g}"))
    return problems, population


def _codes(cells: pd.Series) -> np.ndarray:
    """The cells as integer codes, numbered in sorted order of their (stripped) text."""
    codes, _ = pd.factorize(cells.str.strip().to_numpy(dtype=object), sort=True)
    return codes.astype(np.int64)
