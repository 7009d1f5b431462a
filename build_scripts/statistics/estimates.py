"""The statistics behind each figure: Wilson intervals, Kish effective base, the two-proportion test."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np


def z_score(confidence: float) -> float:
    """The two-sided normal quantile for a confidence level: 1.96 for 95%."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(p, n, confidence: float = 0.95):
    """Wilson score interval for proportion(s) p on (effective) base(s) n; NaN where n is 0."""
    p, n = np.asarray(p, dtype=float), np.asarray(n, dtype=float)
    z = z_score(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        # At 0% and 100% the bound is exactly 0 or 1; the formula leaves floating-point dust there.
        low = np.where(p == 0, 0.0, np.clip(centre - half, 0, 1))
        high = np.where(p == 1, 1.0, np.clip(centre + half, 0, 1))
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


def wald_interval(p, se, confidence: float = 0.95):
    """The estimate plus or minus z standard errors, kept within 0 to 1 (a design's `interval: wald`)."""
    p, se = np.asarray(p, dtype=float), np.asarray(se, dtype=float)
    z = z_score(confidence)
    return np.clip(p - z * se, 0, 1), np.clip(p + z * se, 0, 1)


def kish_effective_base(weights) -> float:
    """Kish's effective sample size (sum w)^2 / sum w^2."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w**2).sum()) if w.size else 0.0


def two_proportion_test(p1, n1, p2, n2):
    """Two-sided p-value of the pooled z-test that two proportions differ, on (effective) bases.

    Standards rule 8: the only test that may call a change a rise or a fall. Equal proportions at
    0% or 100% give a p-value of 1 (no evidence of change).
    """
    p1, n1, p2, n2 = (np.asarray(v, dtype=float) for v in (p1, n1, p2, n2))
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (p2 - p1) / se
    # erfc(|z| / sqrt 2) is 2 P(Z > |z|) to full precision; 2 (1 - P(Z < |z|)) rounds every p under 1e-16 to 0.
    p_value = np.vectorize(math.erfc, otypes=[float])(np.abs(np.nan_to_num(z, nan=0.0)) / math.sqrt(2))
    return np.where(se > 0, p_value, 1.0)
