"""Survey weights: read from the export, or computed by raking to population targets.

Raking is iterative proportional fitting with the cap applied after each round, about twenty lines
of numpy. It was weightipy, which gives the same weights (tests/test_weighting.py keeps it as the
oracle) but brought scipy, requests and more into every install: 150 MB for this loop.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from build_scripts.ingest.answers import weight_values
from build_scripts.ingest.codebook import Codebook
from build_scripts.errors import Problem, rows_text
from build_scripts.standards import DEFAULT, Thresholds

TOLERANCE = DEFAULT.raking_tolerance  # raked margins must land this close to their targets


def survey_weights(book: Codebook, frame: pd.DataFrame, file: str) -> tuple[pd.Series | None, list[Problem]]:
    """Each respondent's weight (None when unweighted; raked weights have a mean of 1), or why it cannot be had."""
    if book.weighting is None:
        return None, []
    if book.weighting.column:
        return weight_values(frame[book.weighting.column]), []  # as supplied: the weighted base is the pollster's
    groups, shares = target_frame(book, frame), target_shares(book)
    problems = _empty_groups(groups, shares, file)
    if problems:
        return None, problems
    weights = rake(groups, shares, book.weighting.cap)
    return weights, _missed_targets(groups, shares, weights, book.weighting.cap, file)


def extreme_weights(book: Codebook, weights: pd.Series | None, file: str,
                    thresholds: Thresholds = DEFAULT) -> list[Problem]:
    """Warnings about weights that are not positive, or above the warning multiple of the mean, naming their rows.

    One heavy respondent can carry a figure alone (its effective base falls towards 1); such figures are
    suppressed, but the weights themselves deserve a look. The weights' index is the spreadsheet row.
    """
    if weights is None or weights.empty:
        return []
    where = f"column {book.weighting.column!r}" if book.weighting.column else "weights raked to the targets"
    values = weights.to_numpy(dtype=float)
    positive = np.isfinite(values) & (values > 0)
    problems = []
    if not positive.all():
        problems.append(Problem(file, f"{where}, {_rows(weights.index[~positive])}", "a weight is not a positive number",
                                "give every respondent a positive weight", f"{weights[~positive].iloc[0]:g}"))
    mean = values[positive].mean() if positive.any() else 0.0
    cap = thresholds.weight_warning_above
    heavy = positive & (values > cap * mean)
    if heavy.any():
        problems.append(Problem(
            file, f"{where}, {_rows(weights.index[heavy])}",
            f"a weight is more than {cap:g} times the mean weight ({mean:.4g}): one respondent counts as much as "
            f"{values[heavy].max() / mean:.0f} average ones, and figures that include them rest on very few people",
            "check the weights with whoever supplied them, or cap them (figures whose effective base falls "
            "under 50 are not published)", f"{weights[heavy].iloc[0]:g}"))
    return problems


def _rows(index: pd.Index) -> str:
    return rows_text([int(i) for i in index])




def target_frame(book: Codebook, frame: pd.DataFrame) -> pd.DataFrame:
    """One column per weighting target: each respondent's group, e.g. '18-24/female'."""
    keys = {s.key: frame[s.column].map({o.export_value: o.key for o in s.options}) for s in book.segments}
    columns = {}
    for target in book.weighting.targets:
        name = "/".join(target.segments)
        columns[name] = keys[target.segments[0]].str.cat([keys[k] for k in target.segments[1:]], sep="/")
    return pd.DataFrame(columns, index=frame.index)


def target_shares(book: Codebook) -> dict[str, dict[str, float]]:
    """The population share of each group, per target, as proportions."""
    return {"/".join(t.segments): t.proportions() for t in book.weighting.targets}


RAKING_ROUNDS = 2000
RAKING_CONVERGED = 1e-10  # the largest change in any weight from one round to the next


def rake(groups: pd.DataFrame, targets: dict[str, dict[str, float]], cap: float) -> pd.Series:
    """Rake (iterative proportional fitting) to the targets, no weight above cap times the mean.

    Each round scales the weights so that every target's groups add up to their shares, one target after
    another, then rescales them to a mean of 1 and holds any above the cap at the cap. Every group has
    respondents (the caller checks), so no scale is a division by zero.
    """
    margins = []
    for name, shares in targets.items():
        codes, labels = pd.factorize(groups[name], sort=True)
        margins.append((codes, np.array([shares.get(label, 0.0) for label in labels], dtype=float), len(labels)))
    weights = np.ones(len(groups))
    for _ in range(RAKING_ROUNDS):
        before = weights.copy()
        for codes, shares, count in margins:
            achieved = np.bincount(codes, weights=weights, minlength=count) / weights.sum()
            weights *= (shares / achieved)[codes]
        weights = np.minimum(weights / weights.mean(), cap)
        if np.abs(weights - before).max() < RAKING_CONVERGED:
            break
    return pd.Series(weights, index=groups.index, name="weight")


def _empty_groups(groups: pd.DataFrame, targets: dict[str, dict[str, float]], file: str) -> list[Problem]:
    problems = []
    for name, shares in targets.items():
        if empty := sorted(set(shares) - set(groups[name])):
            problems.append(Problem(file, f"weighting target {name}", "groups with a target share have no respondents",
                                    "merge them with a neighbouring group in the codebook's segments and targets",
                                    ", ".join(empty)))
    return problems


def _missed_targets(groups: pd.DataFrame, targets: dict[str, dict[str, float]], weights: pd.Series, cap: float,
                    file: str) -> list[Problem]:
    problems = []
    for name, shares in targets.items():
        achieved = weights.groupby(groups[name]).sum() / weights.sum()
        worst = max(shares, key=lambda g: abs(achieved[g] - shares[g]))
        if abs(achieved[worst] - shares[worst]) > TOLERANCE:
            problems.append(Problem(
                file, f"weighting target {name}",
                f"raking with a cap of {cap:g} left group {worst!r} at {achieved[worst]:.1%} "
                f"against a target of {shares[worst]:.1%}",
                "raise `cap` under `weighting:` in survey.yml, or merge small groups"))
    return problems
