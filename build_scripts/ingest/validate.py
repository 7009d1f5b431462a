"""Check responses against their codebook, reporting every problem with file, row, column and value."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import PurePath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from build_scripts.ingest.answers import (
    CHOSEN,
    NOT_CHOSEN,
    answered_mask,
    asked_mask,
    distinct_cells,
    split_answers,
    value_codes,
)
from build_scripts.ingest.codebook import Option, Question
from build_scripts.errors import Problem, quote, rows_text
from build_scripts.ingest.load import CODEBOOK_NAME, Survey
from build_scripts.personal_data import find, mask, mask_within
from build_scripts.ingest.answers import weight_values
from build_scripts.ingest.sample_design import design_problems


def validate_survey(survey: Survey) -> list[Problem]:
    """Every problem with one survey's codebook labels and responses; an empty list means it is fit to publish."""
    return personal_data_in_codebook(survey) + _check_responses(survey)


def _check_responses(survey: Survey) -> list[Problem]:
    book, frame, file = survey.codebook, survey.responses, survey.responses_file
    declared = [*([book.id_column] if book.id_column else []), *(s.column for s in book.segments),
                *(c for q in book.questions for c in q.columns)]
    if book.weighting and book.weighting.column:
        declared.append(book.weighting.column)
    if book.design:
        declared += book.design.columns
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
    _read_columns(survey)
    if book.id_column:  # without one, respondents are rows: there is no ID to repeat
        problems += _check_ids(frame[book.id_column], file, book.id_column)
    for seg in book.segments:
        values = [o.export_value for o in seg.options]
        codes = value_codes(frame[seg.column], values)
        problems += _unknown_values(frame[seg.column], set(values), file, seg.column, blank_ok=False,
                                    known=codes >= 0)
        present = np.bincount(codes[codes >= 0], minlength=len(values)) > 0
        empty = [o for o, there in zip(seg.options, present, strict=True) if not there]
        problems += [Problem(file, f"column {seg.column!r}", f"nobody is in the group {quote(o.label)} of segment "
                             f"{seg.key!r}", f"check how the export writes it (declared as {quote(o.export_value)}), "
                             "or remove the option from survey.yml", o.export_value) for o in empty]
    for q in book.questions:
        problems += _check_question(survey, q)
    if book.weighting and book.weighting.column:
        problems += _check_weights(frame[book.weighting.column], file, book.weighting.column)
    problems += design_problems(book, frame, file)
    return problems


def personal_data_in_codebook(survey: Survey) -> list[Problem]:
    """Labels, wording, keys and export values in survey.yml that hold personal data: each would be published.

    The second wall behind `new-survey`: however a codebook was written, an answer that is someone's
    e-mail address, phone number, postcode or NI number never becomes an option or a group.
    """
    book, file = survey.codebook, _codebook_file(survey)
    fields: list[tuple[str, str, str]] = []  # (where, what, text)
    for seg in book.segments:
        where = f"segment {_shown_key(seg.key)}"
        fields += [(where, "key", seg.key), (where, "label", seg.label), *_option_fields(where, seg.options)]
    for q in book.questions:
        where = f"question {_shown_key(q.key)}"
        fields += [(where, "key", q.key), (where, "title", q.title), (where, "text", q.text)]
        fields += [(where, "finding", q.finding)] if q.finding else []
        fields += _option_fields(where, q.options)
        for net in q.nets:
            fields += [(f"{where}, net {_shown_key(net.key)}", what, text) for what, text in
                       [("key", net.key), ("label", net.label)]]
    problems = []
    for where, what, text in fields:
        found = find(_readable_key(text) if what == "key" else text)
        if found:
            problems.append(Problem(
                file, f"{where}, field {what}", f"{found[0].kind} in the {what} would be published",
                "write what the answer means instead (a label such as 'Gave contact details'); if the column holds "
                "people's own words or contact details, make the question `type: text` (counted, never shown) or "
                "leave the column out of survey.yml", mask(text) if what == "key" else mask_within(text)))
    return problems


def _readable_key(key: str) -> str:
    """A key as the words it was made from: sw1a_1aa is a postcode, 07700_900123 a phone number."""
    return key.replace("_", " ")


def _shown_key(key: str) -> str:
    return repr(mask(key)) if find(_readable_key(key)) else quote(key)


def _option_fields(where: str, options: list[Option]) -> list[tuple[str, str, str]]:
    fields = []
    for number, option in enumerate(options, 1):
        place = f"{where}, option {number} ({_shown_key(option.key)})"
        fields += [(place, "key", option.key), (place, "label", option.label)]
        if option.value:
            fields.append((place, "value", option.value))
    return fields


def _codebook_file(survey: Survey) -> str:
    """The codebook's path as messages show it, found from the responses file it names."""
    shown, named = PurePath(survey.responses_file), PurePath(survey.codebook.responses)
    if ".." not in named.parts and shown.parts[-len(named.parts):] == named.parts:
        return str(PurePath(*shown.parts[:-len(named.parts)]) / CODEBOOK_NAME)
    return f"surveys/{survey.codebook.id}/{CODEBOOK_NAME}"


PARALLEL_FROM = 50_000  # respondents from which the columns are read by several threads at once


def _read_columns(survey: Survey) -> None:
    """Find the options in every column the checks (and then the statistics) read, several at a time.

    pyarrow hashes a column without holding the interpreter lock, so on a large survey the columns
    are read in parallel first; what is found is remembered for the column (see answers.value_codes).
    """
    book, frame = survey.codebook, survey.responses
    if len(frame) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return
    jobs = [(value_codes, frame[s.column], [o.export_value for o in s.options]) for s in book.segments]
    for q in book.questions:
        if q.type == "single" and not q.per_option_columns:
            jobs.append((value_codes, frame[q.column], [*(o.export_value for o in q.options), ""]))
        elif q.type == "multi" and not q.per_option_columns:
            jobs.append((distinct_cells, frame[q.column]))
    if book.weighting and book.weighting.column:
        jobs.append((distinct_cells, frame[book.weighting.column]))
    with ThreadPoolExecutor(min(4, os.cpu_count() or 1), thread_name_prefix="columns") as pool:
        for done in [pool.submit(*job) for job in jobs]:
            done.result()


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
        # Split each distinct cell once; only the rows holding an unknown answer are looked at row by row.
        cells = frame[q.column]
        codes, distinct = distinct_cells(cells)
        unknown = np.array([any(a not in allowed for a in split_answers(c, q.separator, allowed)) for c in distinct],
                           dtype=bool)
        suspect = cells[unknown[codes]] if len(unknown) else cells.iloc[:0]
        exploded = suspect.map(lambda c: split_answers(c, q.separator, allowed)).explode().dropna()
        problems += _unknown_values(exploded, allowed, file, q.column, blank_ok=True)
    elif q.type == "single":
        cells = frame[q.column]
        known = value_codes(cells, [*(o.export_value for o in q.options), ""]) >= 0
        problems += _unknown_values(cells, allowed, file, q.column, blank_ok=True, known=known)
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
                    fix: str | None = None, known: np.ndarray | None = None) -> list[Problem]:
    """A problem per value that is not allowed (blank cells are, when blank_ok), naming its rows.

    `known`, when given, marks the cells already found to be allowed (or blank, when blank_ok): only
    the others are looked at again, which on a clean column of a million answers is none of them.
    """
    if known is not None:
        if known.all():
            return []
        cells = cells[~known]
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
    if _strictly_increasing(ids):
        return problems  # exports usually list respondents in ID order: then no ID can repeat
    repeated = ids[ids.duplicated(keep=False) & (ids != "")]
    for value, rows in repeated.groupby(repeated, sort=True).groups.items():
        problems.append(Problem(file, f"column {column!r}, {_rows(rows)}", "the same respondent ID appears more than once",
                                "remove the duplicate responses or correct the IDs", value))
    return problems


def _strictly_increasing(ids: pd.Series) -> bool:
    """Whether each ID sorts after the one before it (a cheap proof that none repeats); False if unsure."""
    chunked = getattr(ids.array, "_pa_array", None)
    if len(ids) < 2 or not isinstance(chunked, pa.ChunkedArray) or ids.hasnans:
        return False
    chunks = [c for c in chunked.chunks if len(c)]
    for before, chunk in zip([None, *chunks], chunks, strict=False):
        if before is not None and not pc.less(before[-1], chunk[0]).as_py():
            return False
        if len(chunk) > 1 and not pc.all(pc.less(chunk.slice(0, len(chunk) - 1), chunk.slice(1))).as_py():
            return False
    return True


WEIGHT_RANGE = (1e-6, 1e6)  # beyond these a weight is a typing or export error, and sums of squares overflow


def _check_weights(cells: pd.Series, file: str, column: str) -> list[Problem]:
    weights = weight_values(cells)
    problems = []
    bad = cells[~(np.isfinite(weights) & (weights > 0))]
    if not bad.empty:
        problems.append(Problem(file, f"column {column!r}, {_rows(bad.index)}",
                                "a weight is missing, not a finite number, zero or negative",
                                "give every respondent a positive numeric weight", bad.iloc[0]))
    low, high = WEIGHT_RANGE
    odd = cells[np.isfinite(weights) & (weights > 0) & ((weights < low) | (weights > high))]
    if not odd.empty:
        problems.append(Problem(file, f"column {column!r}, {_rows(odd.index)}",
                                f"a weight is outside the range a survey weight can take ({low:g} to {high:g})",
                                "check the export: weights are usually between 0.1 and 10", odd.iloc[0]))
    return problems


def _rows(index) -> str:
    """Spreadsheet row numbers (the header is row 1) for the first few offending rows."""
    return rows_text(list(dict.fromkeys(int(i) for i in index)))


def _listing(values) -> str:
    values = [quote(v) for v in values]
    return ", ".join(values[:12]) + (", ..." if len(values) > 12 else "")
