"""What each respondent answered: who was asked, who is in the base, and which options they chose."""

from __future__ import annotations

import pandas as pd

from build_scripts.codebook import Codebook, Question

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


def asked_mask(book: Codebook, frame: pd.DataFrame, question: Question) -> pd.Series:
    """True for each respondent the question was put to."""
    if question.asked is None:
        return pd.Series(True, index=frame.index)
    seg = book.segment(question.asked.segment)
    values = {o.export_value for o in seg.options if o.key in question.asked.values}
    return frame[seg.column].isin(values)


def answered_mask(question: Question, frame: pd.DataFrame) -> pd.Series:
    """True for each respondent who gave any answer (blank cells everywhere mean no answer)."""
    cells = frame[question.columns]
    if question.per_option_columns:
        return ~cells.apply(lambda col: col.str.lower().isin(NOT_CHOSEN)).all(axis=1)
    return cells.iloc[:, 0] != ""


def option_indicators(question: Question, frame: pd.DataFrame) -> pd.DataFrame:
    """A True/False column per option, then per net: did each respondent give that answer?"""
    if question.per_option_columns:
        hits = pd.DataFrame({
            o.key: ~frame[o.column].str.lower().isin(NOT_CHOSEN) for o in question.options
        })
    elif question.type == "multi":
        labels = {o.export_value for o in question.options}
        chosen = frame[question.column].map(lambda c: set(split_answers(c, question.separator, labels)))
        hits = pd.DataFrame({o.key: chosen.map(lambda s, v=o.export_value: v in s) for o in question.options})
    else:
        cells = frame[question.column]
        hits = pd.DataFrame({o.key: cells == o.export_value for o in question.options})
    for net in question.nets:  # per respondent, never by adding rounded percentages (standards rule 10)
        hits[net.key] = hits[net.options].any(axis=1)
    return hits


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
