"""Design-effective bases for a survey with a `design:`: each figure's design effect, base n/deff and SE.

Without a design, a figure's effective base is Kish's (weighting only) and nothing here runs. With one,
each figure's proportion is estimated over its domain (the group's respondents on the cell's base) by
`statistics.design`, and its effective base becomes n / deff with R's `deff="replace"` (the variance
against simple random sampling of the same respondents with replacement, so it does not depend on the
weights' scale). Where the design effect is undefined (a share of exactly 0% or 100%, whose design-based
variance is zero) the Kish effective base stands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from build_scripts.ingest.answers import value_codes
from build_scripts.ingest.codebook import Codebook, Question
from build_scripts.ingest.sample_design import design_columns
from build_scripts.statistics.design import Design, Proportions, breakdown_proportions
from build_scripts.statistics.tally import question_cells

@dataclass(frozen=True)
class Domain:
    """A figure's domain: its cell (option or net), and the segment group it is within (or outside, if rest)."""

    cell: str
    segment: str = ""
    value: str = ""
    rest: bool = False


class SurveyDesignEstimator:
    """One survey's design, ready to estimate any of its questions' figures over their domains."""

    def __init__(self, book: Codebook, frame: pd.DataFrame, weights: np.ndarray | None):
        columns = design_columns(book, frame)
        if columns is None:
            raise ValueError(f"{book.id} has no design")
        n = len(frame)
        self.book, self.frame = book, frame
        self.lonely = book.design.lonely_psu
        self.design = Design(np.ones(n) if weights is None else weights, columns.strata, columns.psu, columns.fpc)
        self._breakdowns: dict[tuple[str, str], tuple[list[str], list[str], Proportions, Proportions]] = {}

    def estimates(self, q: Question, domains: list[Domain]) -> Proportions:
        """Each domain's proportion, design-based SE and design effect, from its question's breakdowns."""
        found = {name: np.full(len(domains), np.nan) for name in ("estimate", "se", "deff", "effective_n")}
        counts, lonely = np.zeros(len(domains), dtype=np.int64), np.zeros(len(domains), dtype=bool)
        for i, d in enumerate(domains):
            cells, groups, inside, outside = self._breakdown(q, d.segment)
            at = cells.index(d.cell) * len(groups) + groups.index(d.value)
            result = outside if d.rest else inside
            for name, values in found.items():
                values[i] = getattr(result, name)[at]
            counts[i], lonely[i] = result.n[at], result.lonely[at]
        return Proportions(found["estimate"], found["se"], found["deff"], counts, found["effective_n"], lonely)

    def _breakdown(self, q: Question, segment: str) -> tuple[list[str], list[str], Proportions, Proportions]:
        """Every cell of a question in every group of a segment (the whole sample for ""), computed once."""
        if (q.key, segment) not in self._breakdowns:
            hits, bases, _ = question_cells(self.book, self.frame, q)
            names = list(hits)
            distinct: dict[int, int] = {}  # each base array once, by identity: cells on one base share its totals
            base_arrays = []
            cells = []
            for name in names:
                base = bases[name]
                if id(base) not in distinct:
                    distinct[id(base)] = len(base_arrays)
                    base_arrays.append(np.asarray(base, dtype=bool))
                cells.append((np.asarray(hits[name], dtype=bool), distinct[id(base)]))
            if segment:
                seg = self.book.segment(segment)
                groups = [o.key for o in seg.options]
                codes = np.asarray(value_codes(self.frame[seg.column], [o.export_value for o in seg.options]),
                                   dtype=np.int64)
            else:
                groups, codes = [""], np.zeros(len(self.frame), dtype=np.int64)
            inside, outside = breakdown_proportions(self.design, cells, base_arrays, codes, len(groups),
                                                    lonely=self.lonely, srs_replacement=True)
            self._breakdowns[q.key, segment] = (names, groups, inside, outside)
        return self._breakdowns[q.key, segment]


MEANINGFUL_DEFF = 1e-6  # a design effect below this is a variance of (almost) nothing: no base to speak of


def design_effective_bases(estimated: Proportions, kish: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each figure's effective base n/deff and its SE; Kish's base where the design effect is undefined (a share of
    0% or 100%) or says the design leaves (almost) no variance, which no interval could honestly claim."""
    usable = np.isfinite(estimated.effective_n) & (estimated.effective_n > 0) & (estimated.deff >= MEANINGFUL_DEFF)
    return np.where(usable, estimated.effective_n, kish), estimated.se


def apply_design(estimator: SurveyDesignEstimator, q: Question, records: list[dict]) -> None:
    """Set each of a question's rows' effective base from the design, and keep its SE for the interval."""
    if not records:
        return
    domains = [Domain(r["option"], r["segment"], r["segment_value"]) for r in records]
    estimated = estimator.estimates(q, domains)
    kish = np.array([r["effective_base"] for r in records], dtype=float)
    effective, se = design_effective_bases(estimated, kish)
    for record, base, error in zip(records, effective, se, strict=True):
        record["_kish_base"] = record["effective_base"]
        record["effective_base"], record["_se"] = float(base), float(error)
