"""Differences between groups: each group against the rest of the sample (or each pair), tested and worded.

A difference row compares one figure of a breakdown (group A) with the same answer for the rest of those
on its base, or for another group of the segment when the codebook asks for `compare: pairwise` (and
always for a segment of two groups, whose "rest" is the other group: one test, not the same one twice). It
gives the difference in percentage points, its interval (Newcombe's hybrid score interval from the two
Wilson intervals on the design-effective bases, or a Wald interval from the design-based standard
errors), the p-value of the pooled two-proportion z-test on the design-effective bases, and that p-value
adjusted by Holm's method for every difference tested for the survey's page. Only a Holm-adjusted p below
the significance threshold gives the words "more likely" or "less likely"; otherwise "no clear difference".

A difference is published only where both figures are: a rest whose base is under the threshold, or a
group whose base, weights or figure is hidden, would give the hidden number away through the difference.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from build_scripts.ingest.codebook import Codebook, Question
from build_scripts.standards import Thresholds
from build_scripts.statistics.design_bases import Domain, SurveyDesignEstimator, design_effective_bases
from build_scripts.statistics.estimates import two_proportion_test, wilson_interval, z_score
from build_scripts.statistics.statistics_table import DIFFERENCE, REST

MORE_LIKELY, LESS_LIKELY, NO_CLEAR_DIFFERENCE = "more likely", "less likely", "no clear difference"
COMPARED_SUPPRESSED = "compared figure not published"


def difference_key(key: str, other: str) -> str:
    """The key of a figure's difference from another group's (or the rest's), e.g. ...yes.nation=wales.vs=rest."""
    return f"{key}.vs={other}"


def difference_words(difference_pp, p_adjusted, significance: float) -> np.ndarray:
    """'more likely' or 'less likely' only when the Holm-adjusted p is below the threshold."""
    difference_pp, p_adjusted = np.asarray(difference_pp, dtype=float), np.asarray(p_adjusted, dtype=float)
    return np.where(p_adjusted < significance, np.where(difference_pp > 0, MORE_LIKELY, LESS_LIKELY),
                    NO_CLEAR_DIFFERENCE)


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN stays NaN and is not counted as a test)."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    order = tested[np.argsort(p[tested], kind="stable")]
    m = len(order)
    steps = p[order] * (m - np.arange(m))
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(steps)) if m else steps
    return adjusted


def newcombe_interval(p1, n1, p2, n2, confidence: float):
    """Newcombe's hybrid score interval for p1 - p2 from the two Wilson intervals (his method 10)."""
    low1, high1 = wilson_interval(p1, n1, confidence)
    low2, high2 = wilson_interval(p2, n2, confidence)
    p1, p2 = np.asarray(p1, dtype=float), np.asarray(p2, dtype=float)
    d = p1 - p2
    low = d - np.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2)
    high = d + np.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2)
    return low, high


def wald_difference_interval(p1, se1, p2, se2, confidence: float):
    """The difference plus or minus z standard errors of two independent estimates."""
    d = np.asarray(p1, dtype=float) - np.asarray(p2, dtype=float)
    half = z_score(confidence) * np.sqrt(np.asarray(se1, dtype=float) ** 2 + np.asarray(se2, dtype=float) ** 2)
    return d - half, d + half


def difference_rows(book: Codebook, raw: pd.DataFrame, published: pd.DataFrame, thresholds: Thresholds,
                    estimator: SurveyDesignEstimator | None) -> pd.DataFrame:
    """Every difference row of one survey, Holm-adjusted together, in codebook order.

    `raw` is the survey's rows before hidden bases were blanked (with `_se`, `_base_hidden` and
    `_weights_hidden`); `published` the same rows as published, whose columns the difference rows take.
    """
    raw, published = raw.reset_index(drop=True), published.reset_index(drop=True)  # positions are labels below
    pairs = _pairs(book, raw)
    if not pairs:
        return published.iloc[0:0]
    a = raw.loc[[pair.group for pair in pairs]].reset_index(drop=True)
    b = _compared(book, raw, pairs, estimator, thresholds)
    rows = published.loc[[pair.group for pair in pairs]].reset_index(drop=True)
    rows["key"] = [difference_key(k, pair.other) for k, pair in zip(rows["key"], pairs, strict=True)]
    rows["comparison"] = DIFFERENCE
    rows["compare_to"] = [pair.other for pair in pairs]
    hidden_a = _not_publishable(a)
    hidden_b = b["hidden"].to_numpy(dtype=bool)
    suppressed = hidden_a | hidden_b
    pa_, na = _estimate(a), a["effective_base"].to_numpy(dtype=float)
    pb, nb = b["estimate"].to_numpy(dtype=float), b["effective_base"].to_numpy(dtype=float)
    difference = (pa_ - pb) * 100
    p_value = two_proportion_test(pb, nb, pa_, na)
    low, high = newcombe_interval(pa_, na, pb, nb, thresholds.confidence)
    if book.design and book.design.interval == "wald":
        # Where either figure's design-based SE is 0 (a share of 0% or 100%) Wald's width is too narrow: Newcombe's.
        se_a, se_b = a["_se"].to_numpy(dtype=float), b["se"].to_numpy(dtype=float)
        wald_low, wald_high = wald_difference_interval(pa_, se_a, pb, se_b, thresholds.confidence)
        usable = np.isfinite(se_a) & np.isfinite(se_b) & (se_a > 0) & (se_b > 0)
        low, high = np.where(usable, wald_low, low), np.where(usable, wald_high, high)
    p_value = np.where(suppressed, np.nan, p_value)
    adjusted = holm(p_value)
    rows["previous_estimate"] = np.where(suppressed, np.nan, pb)
    rows["change_pp"] = np.where(suppressed, np.nan, difference)
    rows["difference_low"] = np.where(suppressed, np.nan, low * 100)
    rows["difference_high"] = np.where(suppressed, np.nan, high * 100)
    rows["p_value"] = p_value
    rows["p_adjusted"] = adjusted
    rows["change"] = np.where(suppressed, "", difference_words(difference, adjusted, thresholds.significance))
    rows["suppressed"] = suppressed | rows["suppressed"].to_numpy(dtype=bool)
    rows["suppression"] = np.where(hidden_a, np.where(rows["suppression"] == "", COMPARED_SUPPRESSED,
                                                      rows["suppression"]),
                                   np.where(hidden_b, COMPARED_SUPPRESSED, ""))
    for column in ("estimate", "ci_low", "ci_high", "weighted_count"):
        rows[column] = rows[column].where(~rows["suppressed"])
    rows["count"] = rows["count"].mask(rows["suppressed"])
    rows["low_base"] = ~rows["suppressed"] & (rows["low_base"] | (nb < thresholds.low_base_below))
    return rows


class _Pair(NamedTuple):
    """One difference tested, as rows of `raw`: group A's, and group B's or (for the rest) the whole sample's."""

    group: int
    other: str  # group B's key, or REST
    compared: int  # group B's row, or -1 for the rest
    everyone: int  # for the rest: the whole sample's row of the same answer (-1 for a pair of groups)


def _pairs(book: Codebook, raw: pd.DataFrame) -> list[_Pair]:
    """Each difference tested, in codebook order."""
    index = {(q, o, s, v): i for i, (q, o, s, v) in enumerate(
        zip(raw["question"], raw["option"], raw["segment"], raw["segment_value"], strict=True))}
    pairs = []
    for q in book.questions:
        for cell in _tested_cells(q):
            for segment in book.segments:
                groups = [(o.key, index[(q.key, cell, segment.key, o.key)]) for o in segment.options
                          if (q.key, cell, segment.key, o.key) in index]
                # With two groups, each against the rest is the same test twice: the pair is tested once.
                if segment.compare == "pairwise" or len(segment.options) == 2:
                    pairs += [_Pair(i, other, j, -1) for n, (_, i) in enumerate(groups) for other, j in groups[n + 1:]]
                elif (q.key, cell, "", "") in index:
                    pairs += [_Pair(i, REST, -1, index[(q.key, cell, "", "")]) for _, i in groups]
    return pairs


def _tested_cells(q: Question) -> list[str]:
    if q.type == "text" or q.differences == "none":
        return []
    if q.differences == "all":
        return [o.key for o in q.options] + [n.key for n in q.nets]
    return [q.headline_key]


def _not_publishable(rows: pd.DataFrame) -> np.ndarray:
    """Rows whose figure, base or weights are not published, so no difference with them may be."""
    hidden = rows["suppression"].to_numpy() != ""
    for column in ("_base_hidden", "_weights_hidden"):
        if column in rows:
            hidden |= rows[column].fillna(False).to_numpy(dtype=bool)
    return hidden


def _estimate(rows: pd.DataFrame) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return rows["weighted_count"].to_numpy(dtype=float) / rows["weighted_base"].to_numpy(dtype=float)


def _compared(book: Codebook, raw: pd.DataFrame, pairs: list[_Pair], estimator: SurveyDesignEstimator | None,
              thresholds: Thresholds) -> pd.DataFrame:
    """For each pair, the compared figure: another group's row, or the rest of the sample worked out.

    The rest of a group is the whole sample's row less the group's: its weighted count and base by
    subtraction, its Kish effective base from the sums of weights and squared weights (or, with a design,
    estimated over its own domain). Positions, not labels: `raw` is numbered from 0, and a pair's -1 (no such
    row) picks a row whose values `rest` leaves unused.
    """
    group = np.array([pair.group for pair in pairs])
    other = np.array([pair.compared for pair in pairs])
    everyone = np.array([pair.everyone for pair in pairs])
    rest = other < 0
    hidden = _not_publishable(raw)
    estimate, effective, base = _estimate(raw), raw["effective_base"].to_numpy(dtype=float), raw["base"].to_numpy(
        dtype=float)
    weighted_count, weighted_base = raw["weighted_count"].to_numpy(dtype=float), raw["weighted_base"].to_numpy(
        dtype=float)
    kish = raw["_kish_base"].to_numpy(dtype=float) if "_kish_base" in raw else effective
    with np.errstate(divide="ignore", invalid="ignore"):
        squares = np.where(kish > 0, weighted_base ** 2 / kish, 0.0)
        rest_base = base[everyone] - base[group]
        rest_weighted = weighted_base[everyone] - weighted_base[group]
        rest_squares = squares[everyone] - squares[group]
        rest_estimate = (weighted_count[everyone] - weighted_count[group]) / rest_weighted
        rest_effective = np.where(rest_squares > 0, rest_weighted ** 2 / rest_squares, rest_base)
    se = raw["_se"].to_numpy(dtype=float) if "_se" in raw else np.full(len(raw), np.nan)
    compared = pd.DataFrame({
        "estimate": np.where(rest, rest_estimate, estimate[other]),
        "effective_base": np.where(rest, rest_effective, effective[other]),
        "se": np.where(rest, np.nan, se[other]),
        "hidden": np.where(rest, hidden[everyone] | (rest_base < thresholds.suppress_below), hidden[other]),
    })
    if estimator is not None and rest.any():
        questions = {q.key: q for q in book.questions}
        of_question, option = raw["question"].to_numpy()[group], raw["option"].to_numpy()[group]
        segment, value = raw["segment"].to_numpy()[group], raw["segment_value"].to_numpy()[group]
        for question in dict.fromkeys(of_question[rest]):
            at = np.flatnonzero(rest & (of_question == question))
            domains = [Domain(option[n], segment[n], value[n], rest=True) for n in at]
            estimated = estimator.estimates(questions[question], domains)
            design, _ = design_effective_bases(estimated, compared["effective_base"].to_numpy()[at])
            compared.loc[at, "effective_base"] = design
            compared.loc[at, "se"] = estimated.se
            compared.loc[at, "estimate"] = estimated.estimate
    # Standards rule 4 for the rest as for any figure: an effective base under the threshold is not published.
    compared["hidden"] |= compared["effective_base"].to_numpy(dtype=float) < thresholds.suppress_below
    return compared
