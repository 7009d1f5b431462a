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
from build_scripts.statistics.design import Design, Proportions, proportions
from build_scripts.statistics.tally import question_cells

REST = "rest"  # a domain of everyone on the cell's base outside the group: "the rest of the sample"


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
        self._groups: dict[str, np.ndarray] = {}

    def estimates(self, q: Question, domains: list[Domain]) -> Proportions:
        """Each domain's proportion, design-based SE and design effect (one pass over the question's answers)."""
        hits, bases, _ = question_cells(self.book, self.frame, q)
        n = len(self.frame)
        y = np.empty((n, len(domains)), dtype=bool)
        within = np.empty((n, len(domains)), dtype=bool)
        for i, d in enumerate(domains):
            y[:, i] = hits[d.cell]
            within[:, i] = bases[d.cell]
            if d.segment:
                group = self._group(d.segment, d.value)
                within[:, i] &= ~group if d.rest else group
        return proportions(self.design, y, within, lonely=self.lonely, srs_replacement=True)

    def _group(self, segment: str, value: str) -> np.ndarray:
        key = f"{segment}={value}"
        if key not in self._groups:
            seg = self.book.segment(segment)
            codes = value_codes(self.frame[seg.column], [o.export_value for o in seg.options])
            index = [o.key for o in seg.options].index(value)
            self._groups[key] = np.asarray(codes == index)
        return self._groups[key]


def design_effective_bases(estimated: Proportions, kish: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each figure's effective base n/deff (Kish's where the design effect is undefined) and its SE."""
    effective = np.where(np.isfinite(estimated.effective_n) & (estimated.effective_n > 0),
                         estimated.effective_n, kish)
    return effective, estimated.se


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
