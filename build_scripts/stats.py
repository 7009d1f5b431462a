"""The statistics table: one row per published figure, with Wilson intervals and suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd

from build_scripts.change import change_rows
from build_scripts.codebook import Question
from build_scripts.estimates import wilson_interval
from build_scripts.load import Survey
from build_scripts.standards import DEFAULT, Thresholds
from build_scripts.suppression import protect, table_equations
from build_scripts.tally import Breakdown, Workers, question_flags, scratch_freed, weight_array

COLUMNS = [
    "key", "survey", "series", "wave", "question", "option", "option_label", "option_type", "base_type",
    "segment", "segment_value", "base", "weighted_base", "effective_base", "weighted", "count", "weighted_count",
    "estimate", "ci_low", "ci_high", "suppressed", "suppression", "low_base",
    "compare_to", "previous_estimate", "change_pp", "p_value", "change",
]
BASE_TOO_SMALL = "base under 50"
COUNT_TOO_SMALL = "count under 10"
SECONDARY = "secondary"


def survey_table(survey: Survey, weights: pd.Series | None, thresholds: Thresholds = DEFAULT) -> pd.DataFrame:
    """Every figure of one survey: each option and net of each question, for everyone and for each segment."""
    book, frame = survey.codebook, survey.responses
    w = None if weights is None else weight_array(weights, frame.index)
    breakdowns = [Breakdown.whole(len(frame), w)]
    breakdowns += [Breakdown.of(s.key, frame[s.column], [(o.key, o.export_value) for o in s.options], w)
                   for s in book.segments]
    parts = []
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
        for (q, breakdown, names, base_of, about, _), tallies in zip(blocks, done, strict=True):
            records = breakdown.records(book, q, names, base_of, about, tallies)
            if records:
                parts.append(_suppress(pd.DataFrame(records), q, thresholds))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    table["series"], table["wave"] = book.series_key, book.wave_name
    return _add_estimates(table, thresholds)


def _suppress(block: pd.DataFrame, q: Question, thresholds: Thresholds) -> pd.DataFrame:
    """Mark cells too small to publish: small bases, small breakdown counts, and their complements."""
    small_base = block["base"] < thresholds.suppress_below
    block["suppression"] = np.where(small_base, BASE_TOO_SMALL, "")
    if block["segment"].iloc[0] == "":
        return block  # the whole-sample table publishes its counts; rule 5 is about breakdowns
    counted = block["count"].to_numpy()
    if q.base != "answering" and not small_base.any() and \
            not ((counted >= 1) & (counted < thresholds.small_count_below)).any():
        block["_base_hidden"] = False  # nothing small, nothing to hide (as below, without building the sums)
        return block
    cells = list(zip(block["segment_value"], block["option"], strict=True))
    counts = dict(zip(cells, block["count"], strict=True))
    hidden = {c for c, s in zip(cells, small_base, strict=True) if s}
    sensitive = {c for c, n in counts.items() if 1 <= n < thresholds.small_count_below}
    rows, columns = list(dict.fromkeys(block["segment_value"])), list(dict.fromkeys(block["option"]))
    equations = _equations(q, rows, columns)
    primary = set()
    if q.base == "answering":
        bases, primary = _answering_bases(block, q, thresholds, equations)
        counts |= bases  # the bases may be hidden as complements too
        hidden |= primary
        sensitive |= {cell for cell in primary if cell[1] == ANSWERING_BASE}
    keep = {cell for cell in counts if cell[1] == q.headline_key}
    if not hidden and not sensitive and not primary:  # nothing small: nothing hidden (protect would agree)
        block["suppression"] = ""
        block["_base_hidden"] = False
        return block
    hidden_now = protect(counts, hidden, sensitive, equations, keep)
    hidden_rows = {row for row, column in hidden_now if column == ANSWERING_BASE}
    # With its base hidden, a row's figures on that base go too: count over percentage gives the base back.
    on_base = block["segment_value"].isin(hidden_rows) & (block["base_type"] == "answering")
    hidden_now |= set(zip(block.loc[on_base, "segment_value"], block.loc[on_base, "option"], strict=True))
    block["suppression"] = [
        BASE_TOO_SMALL if small else COUNT_TOO_SMALL if cell in sensitive or cell in primary else
        SECONDARY if cell in hidden_now else ""
        for cell, small in zip(cells, small_base, strict=True)
    ]
    block["_base_hidden"] = on_base
    return block


ANSWERING_BASE = "__answering_base__"  # a row's "of those answering" base, as an unknown in the equations


def _answering_bases(block: pd.DataFrame, q: Question, thresholds: Thresholds, equations: list) -> tuple[dict, set]:
    """Each row's answering base as a cell, and the cells to hide where it would give away a small count.

    Asked base minus answering base is the number who said Don't know or Prefer not to say. Where that is
    1 to 9 the answering base is hidden, and so are the row's figures on it (count over percentage would
    give the base back). The bases join the equations so that no complement gives them away either.
    """
    non_answers = [o.key for o in q.options if not o.substantive]
    answers = [o.key for o in q.options if o.substantive]
    if not non_answers:
        return {}, set()
    bases = block.pivot_table(index="segment_value", columns="base_type", values="base", aggfunc="max", sort=False)
    gap = bases.get("asked", 0) - bases.get("answering", pd.Series(0, index=bases.index)).fillna(0)
    rows = list(bases.index)
    equations.append({(r, ANSWERING_BASE): 1.0 for r in rows})  # the whole sample's answering base is published
    for r in rows:
        if q.type == "single":  # the real answers add up to the answering base
            equations.append({(r, ANSWERING_BASE): -1.0, **{(r, a): 1.0 for a in answers}})
        # ... and with the non-answers (which a reader may take to exclude each other), to the asked base.
        equations.append({(r, ANSWERING_BASE): 1.0, **{(r, n): 1.0 for n in non_answers}})
    hidden_bases = {(r, ANSWERING_BASE) for r in rows if 1 <= gap.get(r, 0) < thresholds.small_count_below}
    present = set(zip(block["segment_value"], block["option"], strict=True))
    on_answering_base = set(answers) | {n.key for n in q.nets}
    hidden_figures = {(r, a) for r, _ in hidden_bases for a in on_answering_base} & present
    base_cells = {(r, ANSWERING_BASE): int(bases.at[r, "answering"]) for r in rows
                  if "answering" in bases and not pd.isna(bases.at[r, "answering"])}
    return base_cells, hidden_bases | hidden_figures


def _equations(q: Question, rows: list[str], columns: list[str]) -> list:
    """What a reader can add up from a breakdown table of this question (see suppression.py)."""
    row_groups, nets = [], {}
    if q.type == "single":  # each respondent gives one answer, so the options add up to the base
        row_groups.append([o.key for o in q.options if o.key in columns])
        nets = {n.key: n.options for n in q.nets if n.key in columns}
    return table_equations(rows, columns, row_groups, nets)


def _add_estimates(table: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    estimate = table["weighted_count"] / table["weighted_base"]
    low, high = wilson_interval(estimate, table["effective_base"], thresholds.confidence)
    suppressed = table["suppression"] != ""
    table["estimate"] = estimate.where(~suppressed)
    table["ci_low"] = pd.Series(low, index=table.index).where(~suppressed)
    table["ci_high"] = pd.Series(high, index=table.index).where(~suppressed)
    table["suppressed"] = suppressed
    base_hidden = table.get("_base_hidden", pd.Series(False, index=table.index)).fillna(False).astype(bool)
    table["low_base"] = ((table["suppression"] != BASE_TOO_SMALL) & (table["base"] < thresholds.low_base_below)
                         & ~base_hidden)
    table["count"] = table["count"].astype("Int64").mask(suppressed)
    table["weighted_count"] = table["weighted_count"].mask(suppressed)
    # A base that would give away a small Don't know count is not published (see _answering_bases).
    table["base"] = table["base"].astype("Int64").mask(base_hidden)
    table["weighted_base"] = table["weighted_base"].mask(base_hidden)
    table["effective_base"] = table["effective_base"].mask(base_hidden)
    for column in ["compare_to", "change"]:
        table[column] = ""
    for column in ["previous_estimate", "change_pp", "p_value"]:
        table[column] = np.nan
    return table[COLUMNS]


def statistics_table(surveys: list[Survey], weights: dict[str, pd.Series | None] | None = None,
                     thresholds: Thresholds = DEFAULT) -> pd.DataFrame:
    """The single table every number on the site comes from: figures in codebook order, then changes."""
    weights = weights or {}
    return combined_table([survey_table(s, weights.get(s.id), thresholds) for s in surveys], surveys, thresholds)


def combined_table(tables: list[pd.DataFrame], surveys: list, thresholds: Thresholds = DEFAULT) -> pd.DataFrame:
    """Each survey's figures in order, then the change rows between consecutive waves of a series.

    `surveys` need only each survey's `id` and `codebook` (survey figures from the cache will do).
    """
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=COLUMNS)
    changes = change_rows(surveys, table, thresholds)
    return pd.concat([table, changes], ignore_index=True) if len(changes) else table


def write_csv(table: pd.DataFrame) -> str:
    """The table as CSV text, so identical inputs give identical bytes.

    Numbers keep full precision (repr round-trips exactly), so a figure read back from the CSV rounds
    to the same percentage as the pages show, and a reader can redo every interval and test from it.
    """
    out = table.copy()
    for column in ["estimate", "ci_low", "ci_high", "previous_estimate", "change_pp", "p_value",
                   "weighted_base", "effective_base", "weighted_count"]:
        if column in out:
            out[column] = out[column].map(lambda v: "" if pd.isna(v) else repr(float(v)))
    for column in ["weighted", "suppressed", "low_base"]:
        out[column] = out[column].map(lambda v: "true" if v else "false")
    return out.to_csv(index=False, lineterminator="\n")
