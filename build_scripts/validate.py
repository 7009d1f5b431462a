"""Check responses against their codebook, reporting every problem with file, row, column and value."""

from __future__ import annotations

import numpy as np
import pandas as pd

from build_scripts.answers import CHOSEN, NOT_CHOSEN, answered_mask, asked_mask, split_answers
from build_scripts.codebook import Question
from build_scripts.errors import Problem, rows_text
from build_scripts.load import Survey
from build_scripts.weighting import weight_values


def validate_survey(survey: Survey) -> list[Problem]:
    """Every problem with one survey's responses; an empty list means it is fit to publish."""
    book, frame, file = survey.codebook, survey.responses, survey.responses_file
    declared = [book.id_column, *(s.column for s in book.segments), *(c for q in book.questions for c in q.columns)]
    if book.weighting and book.weighting.column:
        declared.append(book.weighting.column)
    missing = [c for c in dict.fromkeys(declared) if c not in frame.columns]
    problems = [
        Problem(file, f"column {c!r}", "a column declared in survey.yml is not in the export",
                f"rename the column in the export or in survey.yml; the export has: {_listing(frame.columns)}")
        for c in missing
    ]
    if frame.empty:
        problems.append(Problem(file, "", "the file has a header but no responses", "export the responses again"))
    if problems:
        return problems
    problems += _check_ids(frame[book.id_column], file, book.id_column)
    for seg in book.segments:
        allowed = {o.export_value for o in seg.options}
        problems += _unknown_values(frame[seg.column], allowed, file, seg.column, blank_ok=False)
        empty = [o for o in seg.options if not (frame[seg.column] == o.export_value).any()]
        problems += [Problem(file, f"column {seg.column!r}", f"nobody is in the group {o.label!r} of segment "
                             f"{seg.key!r}", f"check how the export writes it (declared as {o.export_value!r}), or "
                             "remove the option from survey.yml", o.export_value) for o in empty]
    for q in book.questions:
        problems += _check_question(survey, q)
    if book.weighting and book.weighting.column:
        problems += _check_weights(frame[book.weighting.column], file, book.weighting.column)
    return problems


def _check_question(survey: Survey, q: Question) -> list[Problem]:
    frame, file = survey.responses, survey.responses_file
    allowed = {o.export_value for o in q.options}
    problems = []
    if q.per_option_columns:
        for option in q.options:
            ok = NOT_CHOSEN | CHOSEN | {option.export_value.lower()}
            cells = frame[option.column]
            bad = cells[~cells.str.lower().isin(ok)]
            problems += _unknown_values(bad, set(), file, option.column, blank_ok=True,
                                        fix=f"mark a chosen option with 1 or {option.export_value!r}, "
                                            "and leave it blank or 0 when not chosen")
    elif q.type == "multi":
        exploded = frame[q.column].map(lambda c: split_answers(c, q.separator, allowed)).explode().dropna()
        problems += _unknown_values(exploded, allowed, file, q.column, blank_ok=True)
    elif q.type == "single":
        problems += _unknown_values(frame[q.column], allowed, file, q.column, blank_ok=True)
    if q.asked is not None:
        stray = answered_mask(q, frame) & ~asked_mask(survey.codebook, frame, q)
        if stray.any():
            first = frame.loc[stray, q.columns].iloc[0]
            problems.append(Problem(
                file, f"column {q.columns[0]!r}, {_rows(stray[stray].index)}",
                f"answers from respondents the question was not asked of ({q.asked.description} only)",
                f"blank these cells, or correct `asked:` for question {q.key!r} in survey.yml",
                next(v for v in first if v != "" and (not q.per_option_columns or v.lower() not in NOT_CHOSEN))))
    return problems


def _unknown_values(cells: pd.Series, allowed: set[str], file: str, column: str, blank_ok: bool,
                    fix: str | None = None) -> list[Problem]:
    bad = cells[~cells.isin(allowed) & ~((cells == "") & blank_ok)]
    problems = []
    for value, rows in bad.groupby(bad, sort=True).groups.items():
        what = "a blank cell where an answer is required" if value == "" else "an answer that is not a declared option"
        problems.append(Problem(file, f"column {column!r}, {_rows(rows)}", what,
                                fix or f"use one of {_listing(sorted(allowed))}, or add it to the options in survey.yml",
                                value))
    return problems


def _check_ids(ids: pd.Series, file: str, column: str) -> list[Problem]:
    problems = []
    blank = ids[ids == ""]
    if not blank.empty:
        problems.append(Problem(file, f"column {column!r}, {_rows(blank.index)}", "a respondent has no ID",
                                "give every respondent a unique ID"))
    repeated = ids[ids.duplicated(keep=False) & (ids != "")]
    for value, rows in repeated.groupby(repeated, sort=True).groups.items():
        problems.append(Problem(file, f"column {column!r}, {_rows(rows)}", "the same respondent ID appears more than once",
                                "remove the duplicate responses or correct the IDs", value))
    return problems


def _check_weights(cells: pd.Series, file: str, column: str) -> list[Problem]:
    weights = weight_values(cells)
    bad = cells[~(np.isfinite(weights) & (weights > 0))]
    if bad.empty:
        return []
    return [Problem(file, f"column {column!r}, {_rows(bad.index)}", "a weight is missing, not a finite number, zero or negative",
                    "give every respondent a positive numeric weight", bad.iloc[0])]


def _rows(index) -> str:
    """Spreadsheet row numbers (the header is row 1) for the first few offending rows."""
    return rows_text(list(dict.fromkeys(int(i) for i in index)))


def _listing(values) -> str:
    values = [repr(v) for v in values]
    return ", ".join(values[:12]) + (", ..." if len(values) > 12 else "")
