"""Design-based variance of weighted proportions from complex samples, as R's survey package computes it.

The estimator is the ratio p = Σ w d y / Σ w d for a domain indicator d. Its variance is Taylor-linearised
with PSUs taken with replacement within strata (R's `svydesign(ids=~psu, strata=~stratum, weights=~w,
fpc=~fpc, nest=TRUE)` then `svymean`/`svyby`): scores z_i = w_i d_i (y_i - p) / Σ w d are added up per PSU,
centred within their stratum, and v = Σ_h (1 - n_h/N_h) n_h/(n_h - 1) Σ_j (z_hj - z̄_h)².

Domains (a breakdown's groups, a routed question's askees) are estimated as R's `svyby` and `subset` do:
every PSU stays in the design and the scores are zero outside the domain. Dropping the other rows first
would shrink n_h and give the wrong variance.

The design effect is R's `deff=TRUE` (survey 4.1.1, `survey:::svymean.survey.design2`):

    nobs <- sum(weights(design) != 0)
    vsrs <- svyvar(x, design, na.rm = na.rm) * (psum - nobs)/(psum * nobs)     # psum = sum of the weights
    attr(average, "deff") <- v/vsrs

that is, the variance of simple random sampling without replacement of nobs from a population of psum, with
svyvar's n/(n - 1) weighted variance (p(1 - p) nobs/(nobs - 1) for a proportion); R gives NA when
psum < nobs. It only means something when the weights add up to the population: with weights of mean 1
(raked weights, or none) psum is nobs and the deff is infinite or NA. `srs_replacement=True` is R's
`deff="replace"`, vsrs = svyvar / nobs, which does not depend on the weights' scale.

Lonely PSUs (a stratum with one PSU in the sample, which has no within-stratum variance) are R's
`options(survey.lonely.psu=...)`: "fail" (R's default, an error there) leaves the standard error of every
cell whose domain reaches such a stratum NaN and flags the cell in `lonely`, for the caller to raise a
problem naming the strata (`lonely_strata`); "adjust" centres that stratum's PSU total at the population
mean (zero for these scores) instead of its own; "remove" (and R's "certainty", the same numbers at one
stage) counts no variance from it. A stratum sampled in full (an fpc equal to its PSUs) has no variance
and is not lonely. A stratum with several PSUs of which only one reaches the domain is not lonely either,
as with R's default `survey.adjust.domain.lonely=FALSE`: the domain's other PSUs count, with zero scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Lonely = Literal["fail", "adjust", "remove"]

CERTAINTY = 1e-7  # R's onestrat(): a stratum whose 1 - n_h/N_h is below this contributes no variance
BLOCK = 1 << 23  # respondents x cells per float block (64 MB), so memory stays bounded however large the table


@dataclass(frozen=True, eq=False)
class Design:
    """A complex sample: each respondent's weight, stratum, PSU and stratum population size (in PSUs).

    strata None is one stratum; psu None makes each respondent its own PSU. PSU codes are read within
    their stratum (R's nest=TRUE), so codes may repeat across strata. fpc, when given, is each
    respondent's stratum's population count of PSUs, as R's `fpc=` takes a count (inf: an infinite one).
    """

    weights: np.ndarray
    strata: np.ndarray | None = None
    psu: np.ndarray | None = None
    fpc: np.ndarray | None = None
    _layout: _Layout = field(init=False, repr=False)

    def __post_init__(self) -> None:
        weights = np.asarray(self.weights, dtype=float)
        if weights.ndim != 1:
            raise ValueError("weights must be one number per respondent")
        if not (np.isfinite(weights).all() and (weights >= 0).all()):
            raise ValueError("every weight must be a finite number, 0 or more")
        n = len(weights)
        object.__setattr__(self, "weights", weights)
        for name in ("strata", "psu"):
            codes = getattr(self, name)
            if codes is not None:
                codes = np.asarray(codes)
                if codes.shape != (n,) or not np.issubdtype(codes.dtype, np.integer):
                    raise ValueError(f"{name} must be one integer code per respondent")
                object.__setattr__(self, name, codes)
        if self.fpc is not None:
            fpc = np.asarray(self.fpc, dtype=float)
            if fpc.shape != (n,) or np.isnan(fpc).any() or (fpc <= 0).any():
                raise ValueError("fpc must be one positive population size per respondent")
            object.__setattr__(self, "fpc", fpc)
        object.__setattr__(self, "_layout", _Layout.of(self))


@dataclass(frozen=True, eq=False)
class Proportions:
    """Per cell: the weighted proportion, its standard error, R's design effect and the effective base.

    n counts the domain's respondents with a positive weight (R's nobs); effective_n is n / deff, so NaN
    where deff is (an empty domain, p of 0 or 1) and 0 where it is infinite. lonely flags cells whose
    domain reaches a stratum with a single PSU (under "fail" their se is NaN). An empty domain has NaN
    estimate, se and deff; p of exactly 0 or 1 has se 0 and deff NaN (0/0, as R).
    """

    estimate: np.ndarray
    se: np.ndarray
    deff: np.ndarray
    n: np.ndarray
    effective_n: np.ndarray
    lonely: np.ndarray


@dataclass(frozen=True, eq=False)
class _Layout:
    """The design sorted by stratum then PSU, with what every call needs about its PSUs and strata.

    Respondent arrays (weights, positive, lonely_rows) are in `order`; psu_starts are each PSU's first
    respondent there, stratum_starts each stratum's first PSU; psus is n_h and f is 1 - n_h/N_h per stratum.
    singletons: each respondent is a PSU (psu None, or codes that never repeat within a stratum).
    """

    order: np.ndarray
    weights: np.ndarray
    positive: np.ndarray
    psu_starts: np.ndarray
    psu_stratum: np.ndarray
    stratum_starts: np.ndarray
    psus: np.ndarray
    f: np.ndarray
    codes: np.ndarray
    lonely: np.ndarray
    lonely_rows: np.ndarray
    singletons: bool
    unit_of: np.ndarray  # each respondent's (in the design's order) PSU position, or stratum when singletons
    lonely_units: np.ndarray  # per PSU (per stratum when singletons): whether it is in a lonely stratum

    @classmethod
    def of(cls, design: Design) -> _Layout:
        n = len(design.weights)
        strata = np.zeros(n, dtype=np.int64) if design.strata is None else design.strata
        codes, stratum = np.unique(strata, return_inverse=True)
        if design.psu is None:
            order = np.argsort(stratum, kind="stable")
            new_psu = np.ones(n, dtype=bool)
        else:
            order = np.lexsort((design.psu, stratum))
            s, p = stratum[order], design.psu[order]
            new_psu = np.r_[True, (s[1:] != s[:-1]) | (p[1:] != p[:-1])] if n else np.zeros(0, dtype=bool)
        stratum = stratum[order]
        psu_starts = np.flatnonzero(new_psu)
        psu_stratum = stratum[psu_starts]
        psus = np.bincount(psu_stratum, minlength=len(codes))
        stratum_starts = np.searchsorted(psu_stratum, np.arange(len(codes)))
        f = np.ones(len(codes))
        if design.fpc is not None:
            fpc = design.fpc[order]
            population = fpc[psu_starts[stratum_starts]]
            if (fpc != population[stratum]).any():
                raise ValueError("fpc must be the same for every respondent of a stratum")
            if (population < psus).any():
                raise ValueError("fpc is the number of PSUs in the population stratum: at least the PSUs sampled")
            f = np.where(np.isinf(population), 1.0, (population - psus) / population)
        lonely = (psus == 1) & (f >= CERTAINTY)
        weights = design.weights[order]
        singletons = len(psu_starts) == n
        unit_of = np.empty(n, dtype=np.int64)
        unit_of[order] = stratum if singletons else np.cumsum(new_psu) - 1
        return cls(order, weights, weights > 0, psu_starts, psu_stratum, stratum_starts, psus, f, codes, lonely,
                   lonely[stratum], singletons, unit_of, lonely if singletons else lonely[psu_stratum])

    def scale(self, lonely: Lonely) -> np.ndarray:
        """Each stratum's factor on its PSUs' centred squared totals: (1 - n_h/N_h) n_h/(n_h - 1), or as lonely says."""
        with np.errstate(divide="ignore", invalid="ignore"):
            per_stratum = np.where(self.psus > 1, self.f * self.psus / (self.psus - 1), self.f)
        per_stratum[self.f < CERTAINTY] = 0.0
        if lonely != "adjust":
            per_stratum[self.psus == 1] = 0.0
        return per_stratum


def lonely_strata(design: Design) -> np.ndarray:
    """The codes of the strata with a single PSU in the sample (R's lonely PSUs), not sampled in full."""
    return design._layout.codes[design._layout.lonely]


def proportions(design: Design, y, domain=None, *, lonely: Lonely = "fail",
                srs_replacement: bool = False) -> Proportions:
    """Weighted proportions of y within domains, with Taylor-linearised SEs and R's design effects, per cell."""
    if lonely not in ("fail", "adjust", "remove"):
        raise ValueError(f"lonely must be 'fail', 'adjust' or 'remove', not {lonely!r}")
    layout = design._layout
    yes = _sorted_cells(y, layout.order, "y")
    n, cells = yes.shape
    if domain is None:
        within = np.ones((n, 1), dtype=bool)
    else:
        within = _sorted_cells(domain, layout.order, "domain")
        if within.shape[1] not in (cells, 1) or (within.shape[1] == 1 and not isinstance(domain, np.ndarray)):
            raise ValueError(f"domain has {within.shape[1]} cells, y has {cells}")
    shared = within.shape[1] == 1 and cells != 1
    estimate, variance, base = np.full(cells, np.nan), np.full(cells, np.nan), np.zeros(cells)
    counts = np.zeros(cells, dtype=np.int64)
    if n and cells:
        sums = _stratum_sums if layout.singletons else _psu_sums
        weights, positive = layout.weights[:, None], layout.positive[:, None]
        if shared:
            members = within & positive
            whole, count = sums(members * weights, layout), members.sum(axis=0)
        step = max(1, BLOCK // n)
        for start in range(0, cells, step):
            block = slice(start, min(start + step, cells))
            if not shared:
                members = within[:, block] & positive
                whole, count = sums(members * weights, layout), members.sum(axis=0)
            chosen = yes[:, block] & members
            estimate[block], variance[block], base[block] = _block(
                sums(chosen * weights, layout), whole, chosen.sum(axis=0), count, layout, layout.scale(lonely))
            counts[block] = count
    reach = np.broadcast_to(within[layout.lonely_rows].any(axis=0), (cells,)).copy()
    if lonely == "fail":
        variance[reach] = np.nan
    return _finish(estimate, variance, counts, base, reach, srs_replacement)


def breakdown_proportions(design: Design, cells: list[tuple[np.ndarray, int]], bases: list[np.ndarray],
                          groups: np.ndarray, n_groups: int, *, lonely: Lonely = "fail",
                          srs_replacement: bool = False) -> tuple[Proportions, Proportions]:
    """Each cell's proportions within each group of a breakdown, and within the rest outside each group.

    The same numbers as `proportions` over those domains (cell c of `cells`, y flags and the index of its
    base in `bases`; domain = base and group g, or base and not g), from PSU totals made by one weighted
    count per cell instead of respondents x domains: a survey page needs every answer by every group,
    and the rest beside each group for its tests. Both results are cell-major: cell c, group g at c G + g.
    groups holds each respondent's group, 0 to n_groups - 1, or -1 for none.
    """
    if lonely not in ("fail", "adjust", "remove"):
        raise ValueError(f"lonely must be 'fail', 'adjust' or 'remove', not {lonely!r}")
    layout, weights = design._layout, design.weights
    n_units, slots = len(layout.lonely_units), n_groups + 1  # the last slot: respondents in no group
    key = layout.unit_of * slots + np.where(groups >= 0, groups, n_groups)
    powers = [weights, weights**2] if layout.singletons else [weights]
    positive = weights > 0

    def by_group(mask: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """Per unit and slot: Σ w (and Σ w², for singletons) over mask's positive weights, and the count."""
        chosen = mask & positive
        sums = [np.bincount(key, np.where(chosen, w, 0.0), n_units * slots).reshape(n_units, slots) for w in powers]
        return sums, np.bincount(key[chosen], minlength=n_units * slots).reshape(n_units, slots)

    def sides(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The groups' columns, and the rest beside each: everyone (every slot) less the group."""
        inside = table[:, :n_groups]
        return inside, table.sum(axis=1, keepdims=True) - inside

    per_base = []
    for base in bases:
        sums, count = by_group(base)
        members = np.bincount(key[base], minlength=n_units * slots).reshape(n_units, slots)
        per_base.append(([sides(t) for t in sums], sides(count), sides(members)))
    parts: list[list] = [[], []]
    for flags, base in cells:
        sums, count = by_group(flags & bases[base])
        chosen, chosen_count = [sides(t) for t in sums], sides(count)
        domain, domain_count, members = per_base[base]
        for side in (0, 1):
            parts[side].append((tuple(t[side] for t in chosen), tuple(t[side] for t in domain),
                                chosen_count[side].sum(axis=0), domain_count[side].sum(axis=0),
                                (members[side][layout.lonely_units] > 0).any(axis=0)))
    scale = layout.scale(lonely)
    results = []
    for side in (0, 1):
        if not cells:
            empty = np.zeros(0)
            results.append(_finish(empty, empty, empty, empty, np.zeros(0, dtype=bool), srs_replacement))
            continue
        yes = tuple(np.concatenate([part[0][i] for part in parts[side]], axis=1) for i in range(len(powers)))
        whole = tuple(np.concatenate([part[1][i] for part in parts[side]], axis=1) for i in range(len(powers)))
        yes_count, count, touched = (np.concatenate([part[k] for part in parts[side]]) for k in (2, 3, 4))
        estimate, variance, base = _block(yes, whole, yes_count, count, layout, scale)
        empty = count == 0
        estimate, variance = np.where(empty, np.nan, estimate), np.where(empty, np.nan, variance)
        if lonely == "fail":
            variance = np.where(touched, np.nan, variance)
        results.append(_finish(estimate, variance, count, base, touched, srs_replacement))
    return results[0], results[1]


def _psu_sums(weighted: np.ndarray, layout: _Layout) -> tuple[np.ndarray]:
    """Σ w x per PSU (PSUs x cells) of weighted = w x (respondents x cells)."""
    return (np.add.reduceat(weighted, layout.psu_starts, axis=0),)


def _stratum_sums(weighted: np.ndarray, layout: _Layout) -> tuple[np.ndarray, np.ndarray]:
    """Σ w x and Σ w² x per stratum (strata x cells) of weighted = w x, when each respondent is a PSU."""
    first = np.add.reduceat(weighted, layout.stratum_starts, axis=0)
    weighted *= layout.weights[:, None]
    return first, np.add.reduceat(weighted, layout.stratum_starts, axis=0)


def _block(yes: tuple, whole: tuple, yes_count: np.ndarray, count: np.ndarray, layout: _Layout,
           scale: np.ndarray):
    """Estimates, variances and weighted bases of a block of cells from the sums of its yeses and its domains."""
    base = whole[0].sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = yes[0].sum(axis=0) / base
        # All or none of the domain said yes: exactly 0 or 1, whatever the rounding of two sums of the same weights.
        pure = (count > 0) & ((yes_count == 0) | (yes_count == count))
        p = np.where(pure, np.where(yes_count == 0, 0.0, 1.0), p)
        variance = (_by_respondent if layout.singletons else _by_psu)(yes, whole, p, base, layout, scale)
    return p, np.where(pure, 0.0, variance), base


def _by_psu(yes: tuple, whole: tuple, p, base, layout: _Layout, scale: np.ndarray) -> np.ndarray:
    """Σ_h scale_h Σ_j (z_hj - z̄_h)² from the PSU totals of w y and w d."""
    scores = p * whole[0]
    np.subtract(yes[0], scores, out=scores)
    scores /= base
    means = np.add.reduceat(scores, layout.stratum_starts, axis=0) / layout.psus[:, None]
    # A lonely PSU is not centred at its own total, which would leave nothing: "adjust" centres it at the
    # population mean of the scores, which is zero; under the other choices its scale is zero anyway.
    means[layout.psus == 1] = 0.0
    scores -= means[0] if len(means) == 1 else means[layout.psu_stratum]
    return scale[layout.psu_stratum] @ np.square(scores, out=scores)


def _by_respondent(yes: tuple, whole: tuple, p, base, layout: _Layout, scale: np.ndarray) -> np.ndarray:
    """The same when each respondent is a PSU, from sums per stratum, never respondents x cells of scores.

    Within stratum h, Σ z = ((1-p) Σ w d y - p Σ w d (1-y)) / W and
    Σ z² = ((1-p)² Σ w² d y + p² Σ w² d (1-y)) / W², so Σ (z - z̄)² = Σ z² - (Σ z)²/n_h.
    """
    no, no_squared = whole[0] - yes[0], whole[1] - yes[1]
    total = ((1 - p) * yes[0] - p * no) / base
    squares = ((1 - p) ** 2 * yes[1] + p**2 * no_squared) / base**2
    psus = layout.psus[:, None]
    # As in _by_psu, a lonely stratum (one respondent here) is not centred; rounding must not make a sum negative.
    return scale @ np.maximum(squares - np.where(psus > 1, total**2 / psus, 0.0), 0.0)


def _finish(estimate, variance, counts, base, reach, srs_replacement: bool) -> Proportions:
    """Standard errors, R's design effects and effective bases from the estimates and variances."""
    with np.errstate(divide="ignore", invalid="ignore"):
        # R's svyvar(): the weighted variance times n/(n - 1); for a 0/1 outcome that is p(1 - p) n/(n - 1).
        svyvar = estimate * (1 - estimate) * counts / (counts - 1.0)
        if srs_replacement:
            srs = svyvar / counts
        else:
            srs = np.where(base < counts, np.nan, svyvar * (base - counts) / (base * counts))
        deff = variance / srs
        effective = counts / deff
    return Proportions(estimate, np.sqrt(variance), deff, counts, effective, reach)


def _sorted_cells(values, order: np.ndarray, name: str) -> np.ndarray:
    """Boolean respondents x cells, respondents in `order`, from such a matrix, one array, or a list of arrays."""
    n = len(order)
    if isinstance(values, np.ndarray):
        if values.dtype != bool:
            raise TypeError(f"{name} must be boolean, not {values.dtype}")
        if values.ndim not in (1, 2) or values.shape[0] != n:
            raise ValueError(f"{name} must have one row per respondent ({n}), not shape {values.shape}")
        return np.take(values[:, None] if values.ndim == 1 else values, order, axis=0)
    if not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a boolean array or a list of them")
    arrays = [np.asarray(value) for value in values]
    for value in arrays:
        if value.dtype != bool or value.shape != (n,):
            raise ValueError(f"each of {name}'s arrays must be boolean, one value per respondent ({n})")
    return np.stack([value[order] for value in arrays], axis=1) if arrays else np.zeros((n, 0), dtype=bool)
