"""The statistics table: one row per published figure, with Wilson intervals and suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd

from build_scripts.statistics.change import change_rows
from build_scripts.statistics.disclosure import BASE_TOO_SMALL, EFFECTIVE_BASE_TOO_SMALL, GroupMembers, question_problem
from build_scripts.statistics.disclosure_survey import protect_survey
from build_scripts.statistics.disclosure_weighted import add_weights
from build_scripts.statistics.design_bases import SurveyDesignEstimator, apply_design
from build_scripts.statistics.differences import difference_rows
from build_scripts.statistics.estimates import wald_interval, wilson_interval
from build_scripts.ingest.load import Survey
from build_scripts.standards import DEFAULT, Thresholds
from build_scripts.statistics.statistics_table import COLUMNS, StatisticsTable
from build_scripts.statistics.tally import Breakdown, Workers, question_flags, scratch_freed, weight_array

def survey_table(survey: Survey, weights: pd.Series | None, thresholds: Thresholds = DEFAULT) -> pd.DataFrame:
    """Every figure of one survey: each option and net of each question, for everyone and for each segment."""
    book, frame = survey.codebook, survey.responses
    w = None if weights is None else weight_array(weights, frame.index)
    breakdowns = [Breakdown.whole(len(frame), w)]
    breakdowns += [Breakdown.of(s.key, frame[s.column], [(o.key, o.export_value) for o in s.options], w)
                   for s in book.segments]
    with Workers(len(frame)) as workers, scratch_freed():
        blocks = []  # (question, breakdown, ..., its tallies as they are computed)
        for q in book.questions:
            workers.wait_for([tallies for *_, tallies in blocks], keep=workers.AHEAD * len(breakdowns))
            cells, about = question_flags(book, frame, q)
            for breakdown in breakdowns:
                if q.asked and breakdown.key == q.asked.segment:
                    continue  # broken down by the segment that routes it, it would only repeat the whole sample
                blocks.append((q, breakdown, cells.names, cells.base_of, about, workers.submit(breakdown.tallies, cells)))
            del cells  # the workers hold a question's flags only until they have counted them
        # Wait for every tally before turning them into rows: pure Python work here would starve the
        # workers of the interpreter lock they need between numpy calls.
        done = [tallies.result() for *_, tallies in blocks]
        records: dict[str, list[dict]] = {}  # each question's rows from all its tables, in order
        for (q, breakdown, names, base_of, about, _), tallies in zip(blocks, done, strict=True):
            records.setdefault(q.key, []).extend(breakdown.records(book, q, names, base_of, about, tallies))
    estimator = SurveyDesignEstimator(book, frame, w) if book.design else None
    if estimator is not None:  # before suppression, so that rule 4 is applied to the design-effective base
        for q in book.questions:
            apply_design(estimator, q, records.get(q.key, []))
    members = GroupMembers(book, frame)
    # Suppression is decided over all of a question's tables at once, then across the survey's questions:
    # a figure hidden in one table must not be given away by another table, nor by another question's bases.
    parts = [(q, pd.DataFrame(records[q.key])) for q in book.questions if records.get(q.key)]
    problems = [question_problem(rows, q, thresholds, members) for q, rows in parts]
    # Equal weights make every weighted figure a multiple of its count: nothing more for a reader to use.
    moments = None if w is None or not len(w) or np.ptp(w) == 0 else w
    if any(p is not None for p in problems):  # then every question's bases may be needed as complements
        problems = [p or question_problem(rows, q, thresholds, members, force=True)
                    for (q, rows), p in zip(parts, problems, strict=True)]
        for (q, rows), problem in zip(parts, problems, strict=True):
            if moments is not None:
                add_weights(problem, rows, q, members, moments)
    protect_survey([(q, rows, p) for (q, rows), p in zip(parts, problems, strict=True)], members, moments)
    table = pd.concat([rows for _, rows in parts], ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    table["series"], table["wave"] = book.series_key, book.wave_name
    raw = table.copy()
    published = _add_estimates(table, thresholds, book.design.interval if book.design else "wilson")
    differences = difference_rows(book, raw, published, thresholds, estimator)
    return pd.concat([published, differences[COLUMNS]], ignore_index=True) if len(differences) else published


def _add_estimates(table: pd.DataFrame, thresholds: Thresholds, interval: str) -> pd.DataFrame:
    estimate = table["weighted_count"] / table["weighted_base"]
    low, high = wilson_interval(estimate, table["effective_base"], thresholds.confidence)
    if interval == "wald":
        # Wald's interval has no width where the design's standard error is 0 (a share of 0% or 100%): Wilson's stays.
        se = table["_se"].to_numpy(dtype=float)
        wald_low, wald_high = wald_interval(estimate, se, thresholds.confidence)
        usable = np.isfinite(se) & (se > 0)
        low, high = np.where(usable, wald_low, low), np.where(usable, wald_high, high)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["design_effect"] = table["base"].astype(float) / table["effective_base"]
    suppressed = table["suppression"] != ""
    table["estimate"] = estimate.where(~suppressed)
    table["ci_low"] = pd.Series(low, index=table.index).where(~suppressed)
    table["ci_high"] = pd.Series(high, index=table.index).where(~suppressed)
    table["suppressed"] = suppressed
    base_hidden = table.get("_base_hidden", pd.Series(False, index=table.index)).fillna(False).astype(bool)
    # Standards rule 4: a base, or an effective base, of 50 to 99 carries a warning.
    small_base = table["suppression"].isin([BASE_TOO_SMALL, EFFECTIVE_BASE_TOO_SMALL])
    low = (table["base"] < thresholds.low_base_below) | (table["effective_base"] < thresholds.low_base_below)
    table["low_base"] = ~small_base & low & ~base_hidden
    table["count"] = table["count"].astype("Int64").mask(suppressed)
    table["weighted_count"] = table["weighted_count"].mask(suppressed)
    # A base that would give away a small count is not published (see disclosure.py).
    table["base"] = table["base"].astype("Int64").mask(base_hidden)
    weights_hidden = table.get("_weights_hidden", pd.Series(False, index=table.index)).fillna(False).astype(bool)
    table["weighted_base"] = table["weighted_base"].mask(base_hidden | weights_hidden)
    table["effective_base"] = table["effective_base"].mask(base_hidden | weights_hidden)
    table["design_effect"] = table["design_effect"].mask(base_hidden | weights_hidden)
    for column in ["comparison", "compare_to", "change", "revision_note"]:
        table[column] = ""
    for column in ["previous_estimate", "change_pp", "difference_low", "difference_high", "p_value", "p_adjusted",
                   "revised_from"]:
        table[column] = np.nan
    table["revised"] = False  # set from the releases (statistics/revisions.py), never from the responses
    return table[COLUMNS]


def statistics_table(surveys: list[Survey], weights: dict[str, pd.Series | None] | None = None,
                     thresholds: Thresholds = DEFAULT) -> StatisticsTable:
    """The single table every number on the site comes from: figures in codebook order, then changes."""
    weights = weights or {}
    return combined_table([survey_table(s, weights.get(s.id), thresholds) for s in surveys], surveys, thresholds)


def combined_table(tables: list[pd.DataFrame], surveys: list, thresholds: Thresholds = DEFAULT) -> StatisticsTable:
    """Each survey's figures in order, then the change rows between consecutive waves of a series.

    `surveys` need only each survey's `id` and `codebook` (survey figures from the cache will do).
    """
    table = StatisticsTable.concat(tables)
    return StatisticsTable.concat([table.frame, change_rows(surveys, table, thresholds)])
