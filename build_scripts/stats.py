"""The statistics table: one row per published figure, with Wilson intervals and suppression."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from build_scripts.codebook import Question
from build_scripts.load import Survey
from build_scripts.standards import DEFAULT, Thresholds
from build_scripts.validate import asked_mask, split_answers

COLUMNS = [
    "key", "survey", "question", "option", "option_label", "segment", "segment_value",
    "base", "weighted_base", "effective_base", "weighted", "count", "weighted_count",
    "estimate", "ci_low", "ci_high", "suppressed", "suppression", "low_base",
]
BASE_TOO_SMALL = "base under 50"
COUNT_TOO_SMALL = "count under 10"


def wilson_interval(p, n, confidence: float = 0.95):
    """Wilson score interval for proportion(s) p on (effective) base(s) n; NaN where n is 0."""
    p, n = np.asarray(p, dtype=float), np.asarray(n, dtype=float)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        # At 0% and 100% the bound is exactly 0 or 1; the formula leaves floating-point dust there.
        low = np.where(p == 0, 0.0, np.clip(centre - half, 0, 1))
        high = np.where(p == 1, 1.0, np.clip(centre + half, 0, 1))
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


def kish_effective_base(weights) -> float:
    """Kish's effective sample size (sum w)^2 / sum w^2."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w**2).sum()) if w.size else 0.0


def figure_key(survey: str, question: str, option: str, segment: str = "", value: str = "") -> str:
    """The stable key copy uses to refer to a figure, e.g. professionals-2015.powerless.yes."""
    key = f"{survey}.{question}.{option}"
    return f"{key}.{segment}={value}" if segment else key


def option_indicators(question: Question, cells: pd.Series) -> pd.DataFrame:
    """A True/False column per option: did each respondent give that answer?"""
    if question.type == "multi":
        chosen = cells.map(lambda c: set(split_answers(c, question.separator)))
        return pd.DataFrame({o.key: chosen.map(lambda s, v=o.export_value: v in s) for o in question.options})
    return pd.DataFrame({o.key: cells == o.export_value for o in question.options})


def survey_table(survey: Survey, thresholds: Thresholds = DEFAULT) -> pd.DataFrame:
    """Every figure of one survey: each option of each question, for everyone and for each segment."""
    book, frame = survey.codebook, survey.responses
    weighted = book.weighting is not None
    weights = pd.to_numeric(frame[book.weighting.column]) if weighted else pd.Series(1.0, index=frame.index)
    groups = [("", "", pd.Series(True, index=frame.index))]
    for seg in book.segments:
        groups += [(seg.key, o.key, frame[seg.column] == o.export_value) for o in seg.options]
    parts = []
    for q in book.questions:
        answered = asked_mask(survey, q)
        if q.type == "single":  # a blank single answer is no answer; a blank multi answer chose nothing
            answered &= frame[q.column] != ""
        hits = option_indicators(q, frame[q.column])
        labels = {o.key: o.label for o in q.options}
        for segment, value, members in groups:
            in_base = answered & members
            base = int(in_base.sum())
            if base == 0:
                continue
            w = weights[in_base]
            counts = hits[in_base].sum()
            weighted_counts = hits[in_base].mul(w, axis=0).sum()
            parts.append(pd.DataFrame({
                "key": [figure_key(book.id, q.key, o, segment, value) for o in hits.columns],
                "survey": book.id, "question": q.key, "option": hits.columns,
                "option_label": [labels[o] for o in hits.columns],
                "segment": segment, "segment_value": value, "base": base,
                "weighted_base": float(w.sum()), "effective_base": kish_effective_base(w) if weighted else float(base),
                "weighted": weighted, "count": counts.to_numpy(dtype=int),
                "weighted_count": weighted_counts.to_numpy(dtype=float),
            }))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    return _add_estimates(table, thresholds)


def _add_estimates(table: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    estimate = table["weighted_count"] / table["weighted_base"]
    low, high = wilson_interval(estimate, table["effective_base"], thresholds.confidence)
    small_base = table["base"] < thresholds.suppress_below
    # Standards rule 5: a count of 1 to 9 in a breakdown is hidden, and so is its percentage, which with
    # the base would give the count away. (Secondary suppression is still to come.)
    small_count = ~small_base & (table["segment"] != "") & table["count"].between(1, thresholds.small_count_below - 1)
    suppressed = small_base | small_count
    table["estimate"] = estimate.where(~suppressed)
    table["ci_low"] = pd.Series(low, index=table.index).where(~suppressed)
    table["ci_high"] = pd.Series(high, index=table.index).where(~suppressed)
    table["suppressed"] = suppressed
    table["suppression"] = np.select([small_base, small_count], [BASE_TOO_SMALL, COUNT_TOO_SMALL], "")
    table["low_base"] = ~small_base & (table["base"] < thresholds.low_base_below)
    table["count"] = table["count"].astype("Int64").mask(suppressed)
    table["weighted_count"] = table["weighted_count"].mask(suppressed)
    return table[COLUMNS]


def statistics_table(surveys: list[Survey], thresholds: Thresholds = DEFAULT) -> pd.DataFrame:
    """The single table every number on the site comes from, in codebook order."""
    tables = [survey_table(s, thresholds) for s in surveys]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=COLUMNS)


def write_csv(table: pd.DataFrame) -> str:
    """The table as CSV text, so identical inputs give identical bytes.

    Proportions keep full precision (repr round-trips exactly), so a figure read back from the CSV
    rounds to the same percentage as the one the pages were written from.
    """
    out = table.copy()
    for column in ["estimate", "ci_low", "ci_high"]:
        out[column] = out[column].map(lambda v: "" if pd.isna(v) else repr(float(v)))
    for column in ["weighted_base", "effective_base", "weighted_count"]:
        out[column] = out[column].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    for column in ["weighted", "suppressed", "low_base"]:
        out[column] = out[column].map(lambda v: "true" if v else "false")
    return out.to_csv(index=False, lineterminator="\n")
