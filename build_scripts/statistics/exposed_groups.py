"""Segment groups of 1 to 9 respondents whose size the always-published numbers give away.

The number of respondents and each question's whole-sample base are published whatever else is hidden
(standards rule 1), and a routed question's base is the size of the groups it was asked of. So a
small group that is exactly what those numbers leave out (everyone not asked a routed question, or the
difference between two routings) can be counted by subtraction, and no suppression inside the tables
can hide it. Such a group has to be merged with another in the codebook.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from build_scripts.ingest.codebook import Codebook
from build_scripts.errors import Problem
from build_scripts.standards import DEFAULT, Thresholds

TOLERANCE = 1e-9


def exposed_small_groups(book: Codebook, frame: pd.DataFrame, file: str,
                         thresholds: Thresholds = DEFAULT) -> list[Problem]:
    """Each segment group of 1 to 9 whose size is a sum or difference of the published numbers of respondents."""
    if not book.segments or not any(q.asked for q in book.questions):
        return []  # without routing only the number of respondents is fixed, which no group of 1 to 9 equals alone
    codes = [_group_codes(frame[s.column], [o.export_value for o in s.options]) for s in book.segments]
    if not any(((counts >= 1) & (counts < thresholds.small_count_below)).any()
               for counts in (np.bincount(c, minlength=len(s.options) + 1)[:len(s.options)]
                              for c, s in zip(codes, book.segments, strict=True))):
        return []  # no small group: nothing to give away (and no atoms to build for a large survey)
    atoms, sizes = _atoms(codes, [len(s.options) + 1 for s in book.segments])
    index = {s.key: i for i, s in enumerate(book.segments)}
    known = [np.ones(len(atoms))]  # the number of respondents
    for q in book.questions:
        if q.asked and q.asked.segment in index:
            column = index[q.asked.segment]
            segment = book.segments[column]
            chosen = [i for i, o in enumerate(segment.options) if o.key in q.asked.values]
            known.append(np.isin(atoms[:, column], chosen).astype(float))
    span = np.array(known)
    problems = []
    for column, segment in enumerate(book.segments):
        for i, option in enumerate(segment.options):
            members = (atoms[:, column] == i).astype(float)
            size = int(sizes[members > 0].sum())
            if 1 <= size < thresholds.small_count_below and _in_span(members, span):
                problems.append(Problem(
                    file, f"segment {segment.key!r}, group {option.key!r}",
                    f"the group has {size} respondent{'s' if size > 1 else ''} (1 to 9), and the published numbers "
                    "of respondents (the whole sample and the routed questions) give its size away by subtraction",
                    "merge it with another group of the segment in survey.yml (e.g. into 'Other')"))
    return problems


def _atoms(codes: list[np.ndarray], radices: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Respondents alike in every segment: each distinct combination of groups (a row) and how many share it."""
    combined = np.zeros(len(codes[0]), dtype=np.int64)
    for code, radix in zip(codes, radices, strict=True):
        combined = combined * radix + code
    distinct, sizes = np.unique(combined, return_counts=True)
    atoms = np.zeros((len(distinct), len(codes)), dtype=np.int64)
    for column in range(len(codes) - 1, -1, -1):
        distinct, atoms[:, column] = np.divmod(distinct, radices[column])
    return atoms, sizes


def _group_codes(cells: pd.Series, values: list[str]) -> np.ndarray:
    """Each respondent's group as its option's position, or one past the last for a blank or other value."""
    lookup = {value: i for i, value in enumerate(values)}
    return cells.map(lookup).fillna(len(values)).to_numpy(dtype=np.int64)


def _in_span(vector: np.ndarray, rows: np.ndarray) -> bool:
    """Whether the vector is a linear combination of the rows (least squares leaves nothing over)."""
    coefficients, *_ = np.linalg.lstsq(rows.T, vector, rcond=None)
    return bool(np.abs(rows.T @ coefficients - vector).max() <= TOLERANCE * max(1.0, np.abs(vector).max()))
