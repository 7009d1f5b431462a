"""What each respondent answered: who was asked, who is in the base, and which options they chose."""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from build_scripts.ingest.codebook import Codebook, Question

# Cells that mean "not chosen" or "chosen" in a multi question exported one column per option
# (SPSS dichotomies are labelled "Not selected"/"Selected", or "Unchecked"/"Checked").
NOT_CHOSEN = {"", "0", "false", "no", "not selected", "unchecked", "not checked"}
CHOSEN = {"1", "true", "yes", "x", "selected", "checked"}


def split_answers(cell: str, separator: str, labels: set[str] = frozenset()) -> list[str]:
    """The answers held in one cell, keeping whole any label that itself contains the separator."""
    parts = cell.split(separator)
    found, i = [], 0
    while i < len(parts):
        # Longest run of pieces that makes a known label wins: "Friends, family" is one answer.
        for j in range(len(parts), i, -1):
            candidate = separator.join(parts[i:j]).strip()
            if candidate in labels or j == i + 1:
                if candidate:
                    found.append(candidate)
                i = j
                break
    return found


# What value_codes and distinct_cells find in a pyarrow-held column, kept while the column lives:
# validation and statistics read the same columns. Arrow arrays never change, so the same live
# array always gives the same answer (a column edited in a frame is a new array). Keyed by
# id(array) and what was asked, with a weak reference that drops the entry when the array goes.
_REMEMBERED: dict[tuple, tuple[weakref.ref, object]] = {}


def _arrow_text(cells: pd.Series) -> pa.ChunkedArray | None:
    """The pyarrow array behind a column of text, if pyarrow holds it (as exports are read)."""
    chunked = getattr(cells.array, "_pa_array", None)
    if isinstance(chunked, pa.ChunkedArray) and (pa.types.is_large_string(chunked.type)
                                                 or pa.types.is_string(chunked.type)):
        return chunked
    return None


def _remembered(chunked: pa.ChunkedArray, question: tuple, compute):
    key = (id(chunked), *question)
    known = _REMEMBERED.get(key)
    if known is not None and known[0]() is chunked:
        return known[1]
    found = compute()
    _REMEMBERED[key] = (weakref.ref(chunked, lambda _, key=key: _REMEMBERED.pop(key, None)), found)
    return found


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False  # shared by every caller: nobody may change it
    return array


def value_codes(cells: pd.Series, values: list[str]) -> np.ndarray:
    """For each cell, the position in `values` (distinct texts) of the one it equals, else -1 (read-only).

    The same as `cells == values[i]` for every i, in one hashing pass over the column: pyarrow's
    for text held by pyarrow (how exports are read, remembered for the column's lifetime), pandas'
    for any other column.
    """
    chunked = _arrow_text(cells)
    if chunked is None:
        return pd.Index(values, dtype=object).get_indexer(cells.to_numpy(dtype=object))

    def compute():
        found = pc.index_in(chunked, value_set=pa.array(values, type=chunked.type)).fill_null(-1)
        return _read_only(found.to_numpy(zero_copy_only=False).astype(np.min_scalar_type(-len(values) - 1)))

    return _remembered(chunked, ("codes", tuple(values)), compute)


def distinct_cells(cells: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """`pd.factorize(cells, use_na_sentinel=False)`: each cell's position among the distinct cells, and those.

    Remembered for a pyarrow-held column's lifetime; the codes are then read-only.
    """
    chunked = _arrow_text(cells)
    if chunked is None:
        return pd.factorize(cells, use_na_sentinel=False)

    def compute():
        codes, distinct = pd.factorize(cells, use_na_sentinel=False)
        return _read_only(codes.astype(np.min_scalar_type(len(distinct)), copy=False)), distinct

    return _remembered(chunked, ("distinct",), compute)


def per_distinct_cell(cells: pd.Series, test) -> np.ndarray:
    """`test` (a function from a Series of texts to True/False) applied to each distinct cell once, for every cell.

    A column of a million answers holds a handful of distinct texts: this keeps per-cell Python work
    (splitting multi answers, lower-casing tick marks) to those few.
    """
    codes, distinct = distinct_cells(cells)
    verdicts = np.asarray(test(pd.Series(distinct, dtype=cells.dtype)), dtype=bool)
    return verdicts[codes] if len(verdicts) else np.zeros(len(cells), dtype=bool)


def _not_chosen(cells: pd.Series) -> np.ndarray:
    """True where a one-column-per-option cell leaves its option unticked (blank, 0, No, Not selected...)."""
    return per_distinct_cell(cells, lambda texts: texts.str.lower().isin(NOT_CHOSEN))


def asked_mask(book: Codebook, frame: pd.DataFrame, question: Question) -> pd.Series:
    """True for each respondent the question was put to."""
    if question.asked is None:
        return pd.Series(True, index=frame.index)
    seg = book.segment(question.asked.segment)
    codes = value_codes(frame[seg.column], [o.export_value for o in seg.options])
    asked = [i for i, o in enumerate(seg.options) if o.key in question.asked.values]
    return pd.Series(np.isin(codes, asked), index=frame.index)


def answered_mask(question: Question, frame: pd.DataFrame) -> pd.Series:
    """True for each respondent who gave any answer (blank cells everywhere mean no answer)."""
    if question.per_option_columns:
        unticked = np.logical_and.reduce([_not_chosen(frame[c]) for c in question.columns])
        return pd.Series(~unticked, index=frame.index)
    if question.type == "single":  # the column is read for its options anyway: "" is one more value to find
        values = [o.export_value for o in question.options]
        return pd.Series(value_codes(frame[question.column], [*values, ""]) != len(values), index=frame.index)
    return frame[question.column] != ""


def option_indicators(question: Question, frame: pd.DataFrame) -> pd.DataFrame:
    """A True/False column per option, then per net: did each respondent give that answer?"""
    return pd.DataFrame(_option_flags(question, frame), index=frame.index)


def _option_flags(question: Question, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    if question.per_option_columns:
        hits = {o.key: ~_not_chosen(frame[o.column]) for o in question.options}
    elif question.type == "multi":
        labels = {o.export_value for o in question.options}
        codes, distinct = distinct_cells(frame[question.column])
        chosen = [set(split_answers(c, question.separator, labels)) for c in distinct]  # once per distinct cell
        hits = {o.key: np.array([o.export_value in s for s in chosen], dtype=bool)[codes] for o in question.options}
    else:
        codes = value_codes(frame[question.column], [o.export_value for o in question.options])
        hits = {o.key: codes == i for i, o in enumerate(question.options)}
    for net in question.nets:  # per respondent, never by adding rounded percentages (standards rule 10)
        hits[net.key] = np.logical_or.reduce([hits[o] for o in net.options])
    return hits


def question_masks(book: Codebook, frame: pd.DataFrame,
                   question: Question) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """`option_indicators`, then `base_mask` on a base of those asked and on the question's own base, together,
    as arrays (the answering base is the asked one itself when the question's base is "asked").

    The same values as calling the three, reading each column once: for a single question one
    pass finds both the option and the blank cells.
    """
    if question.type == "single" and not question.per_option_columns:
        values = [o.export_value for o in question.options]
        codes = value_codes(frame[question.column], [*values, ""])
        hits = {o.key: codes == i for i, o in enumerate(question.options)}
        for net in question.nets:
            hits[net.key] = np.logical_or.reduce([hits[o] for o in net.options])
        answered = codes != len(values)
    else:
        hits = _option_flags(question, frame)
        answered = None
    asked = asked_mask(book, frame, question).to_numpy(dtype=bool)
    if question.type == "single" or question.base == "answering":
        answered = answered_mask(question, frame).to_numpy(dtype=bool) if answered is None else answered
    if question.type == "single":
        asked = asked & answered  # a blank single answer is no answer
    answering = asked
    if question.base == "answering":
        answering = asked & answered  # those giving an answer: not blank, not a non-answer
        non_answers = [o.key for o in question.options if not o.substantive]
        if non_answers:
            answering = answering & ~np.logical_or.reduce([hits[o] for o in non_answers])
    return hits, asked, answering


def base_mask(book: Codebook, frame: pd.DataFrame, question: Question, hits: pd.DataFrame) -> pd.Series:
    """Who each percentage is a share of: those asked, or those asked who gave a real answer."""
    asked = asked_mask(book, frame, question)
    if question.type == "single":
        asked &= answered_mask(question, frame)  # a blank single answer is no answer
    if question.base == "answering":
        asked &= answered_mask(question, frame)  # those giving an answer: not blank, not a non-answer
        non_answers = [o.key for o in question.options if not o.substantive]
        asked &= ~hits[non_answers].any(axis=1) if non_answers else True
    return asked

def weight_values(cells: pd.Series) -> pd.Series:
    """Weights from text, reading a decimal comma (1,25) as exports from European-locale Excel write it.

    Each distinct text is read once (a million respondents share far fewer weights), then spread back.
    """
    codes, distinct = distinct_cells(cells)
    distinct = pd.Series(distinct, dtype=cells.dtype, name=cells.name)
    values = pd.to_numeric(distinct.where(distinct.str.contains(".", regex=False),
                                          distinct.str.replace(",", ".", regex=False)), errors="coerce")
    return pd.Series(values.array.take(codes), index=cells.index, name=cells.name)
