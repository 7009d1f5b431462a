"""Disclosure control for a question across all its tables: the whole sample and every segment together.

Standards rule 4: no percentage on a base, or a Kish effective base, under 50. Rule 5: counts of 1 to 9
in breakdowns are hidden, and so is a group's base of 1 to 9, with whatever other cell would let a
reader work one out from everything published about the question. The reader's equations join every
table: each row's options add up to its base, nets to their options, and every linear relation among
the groups' members (two groups with the same members, a group that is the union of others, each
segment adding up to the whole sample) holds for every column alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from build_scripts.ingest.answers import answered_mask, asked_mask, value_codes
from build_scripts.ingest.codebook import Codebook, Question
from build_scripts.standards import Thresholds
from build_scripts.statistics.suppression import protect

BASE_TOO_SMALL = "base under 50"
EFFECTIVE_BASE_TOO_SMALL = "effective base under 50"
COUNT_TOO_SMALL = "count under 10"
SECONDARY = "secondary"
BASE = "__base__:"  # a row's base as a cell of the equations: __base__:asked, __base__:answering
WHOLE = ("", "")  # the whole sample, as a (segment, group)
W1, W2 = "weighted", "squares"  # a cell's sum of weights, and of squared weights, as a fourth part of its key


class GroupMembers:
    """Which segment groups each respondent is in, cross-classified into "atoms" (once, when first needed).

    An atom is a combination of one group per segment; the linear relations among groups follow from
    which atoms each group holds, so no groups x respondents matrix is ever built.
    """

    def __init__(self, book: Codebook, frame: pd.DataFrame):
        self.book, self.frame = book, frame
        self.position = {s.key: i for i, s in enumerate(book.segments)}
        self.option = {s.key: {o.key: j for j, o in enumerate(s.options)} for s in book.segments}
        self._atoms: tuple[np.ndarray, list[np.ndarray]] | None = None

    def atoms(self) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each respondent's atom, and per segment each atom's group (its option's position, -1 for none)."""
        if self._atoms is None:
            codes = [value_codes(self.frame[s.column], [o.export_value for o in s.options]).astype(np.int64)
                     for s in self.book.segments]
            combined, width = np.zeros(len(self.frame), dtype=np.int64), 1
            for segment, code in zip(self.book.segments, codes, strict=True):
                if width * (len(segment.options) + 1) >= 2**62:  # renumber the combinations seen so far
                    combined = np.unique(combined, return_inverse=True)[1].astype(np.int64)
                    width = int(combined.max()) + 1
                combined = combined * (len(segment.options) + 1) + code + 1
                width *= len(segment.options) + 1
            _, first, atom = np.unique(combined, return_index=True, return_inverse=True)
            self._atoms = atom.ravel(), [code[first] for code in codes]
        return self._atoms

    def relations(self, q: Question, groups: list[tuple[str, str]]) -> np.ndarray:
        """Every linear relation among these groups' members within the question's base (one per row).

        The members are those asked (and, for a single question, who answered): every figure of the
        question counts some of them, so a relation among the groups holds for every column.
        """
        if len(groups) < 2:
            return np.zeros((0, len(groups)))
        counted = asked_mask(self.book, self.frame, q).to_numpy(dtype=bool)
        if q.type == "single":
            counted = counted & answered_mask(q, self.frame).to_numpy(dtype=bool)
        atom, group_of = self.atoms()
        present = np.flatnonzero(np.bincount(atom[counted], minlength=len(group_of[0]) if group_of else 1))
        members = np.zeros((len(groups), max(len(present), len(groups))))
        for k, (segment, group) in enumerate(groups):
            if (segment, group) == WHOLE:
                members[k, :len(present)] = 1
            else:
                members[k, :len(present)] = group_of[self.position[segment]][present] == self.option[segment][group]
        u, s, _ = np.linalg.svd(members, full_matrices=False)
        rank = int((s > 1e-9 * max(members.shape) * max(1.0, s[0])).sum())
        return u[:, rank:].T


@dataclass
class Problem:
    """One question's disclosure problem: the cells, what is hidden or sensitive, and the reader's equations."""

    counts: dict
    hidden: set
    sensitive: set
    equations: list
    keep: set
    avoid: set
    together: dict
    shadows: dict = field(default_factory=dict)
    on_primary_base: set = field(default_factory=set)
    figures: list = field(default_factory=list)
    bases: list = field(default_factory=list)

    def solve(self) -> set:
        """Every hidden cell once the sensitive ones are protected within this question alone."""
        return protect(self.counts, self.hidden, self.sensitive, self.equations, self.keep, self.avoid,
                       self.together, self.shadows)



def question_problem(table: pd.DataFrame, q: Question, thresholds: Thresholds, members: GroupMembers,
                     force: bool = False) -> Problem | None:
    """Mark rule 4's suppression on the table; then the question's problem, or None when nothing is small
    (unless forced: another question's small cells may need this one's bases hidden)."""
    base = table["base"].to_numpy()
    small_base = base < thresholds.suppress_below
    small_effective = ~small_base & (table["effective_base"].to_numpy(dtype=float) < thresholds.suppress_below)
    table["suppression"] = np.where(small_base, BASE_TOO_SMALL, np.where(small_effective, EFFECTIVE_BASE_TOO_SMALL, ""))
    table["_base_hidden"] = False
    breakdown = (table["segment"] != "").to_numpy()
    counted, small = table["count"].to_numpy(), thresholds.small_count_below
    small_counts = breakdown & (counted >= 1) & (counted < small)
    small_bases = breakdown & (base >= 1) & (base < small)
    gaps = _answering_gaps(table, q, small)
    if not force and not small_counts.any() and not small_bases.any() and not gaps:
        return None  # nothing small: only rule 4 applies (and no equations are needed to know it)

    groups = list(zip(table["segment"], table["segment_value"], strict=True))
    figures = [(*g, o) for g, o in zip(groups, table["option"], strict=True)]
    bases = [(*g, BASE + t) for g, t in zip(groups, table["base_type"], strict=True)]
    values = dict(zip(figures, counted.tolist(), strict=True)) | dict(zip(bases, base.tolist(), strict=True))
    counts = {cell: int(n) for cell, n in values.items() if cell[:2] != WHOLE or not cell[2].startswith(BASE)}
    together: dict[tuple, set] = {}  # a breakdown row's base, and its figures on that base
    for figure, its_base, in_breakdown in zip(figures, bases, breakdown, strict=True):
        if in_breakdown:
            together.setdefault(its_base, set()).add(figure)
    primary_bases = {b for b, s in zip(bases, small_bases, strict=True) if s} | gaps
    sensitive = {f for f, s in zip(figures, small_counts, strict=True) if s} | primary_bases
    hidden = {f for f, s in zip(figures, small_base | small_effective, strict=True) if s}
    keep = {cell for cell in counts if cell[2] == q.headline_key}
    avoid = {cell for cell in counts if cell[:2] == WHOLE}  # the whole sample's figures: a last resort
    on_primary_base = set().union(*(together.get(b, set()) for b in primary_bases))
    return Problem(counts, hidden, sensitive, question_equations(table, q, members), keep, avoid, together,
                   on_primary_base=on_primary_base, figures=figures, bases=bases)


def mark(table: pd.DataFrame, problem: Problem, hidden_now: set) -> pd.DataFrame:
    """Write the hidden cells into the table: each figure's reason, and which bases are not published."""
    table["suppression"] = [
        reason or (COUNT_TOO_SMALL if cell in problem.sensitive or cell in problem.on_primary_base else
                   SECONDARY if cell in hidden_now else "")
        for reason, cell in zip(table["suppression"], problem.figures, strict=True)
    ]
    table["_base_hidden"] = [b in hidden_now for b in problem.bases]
    # A whole-sample base stays published; its weighted and effective bases may not be (disclosure_weighted.py).
    table["_weights_hidden"] = [b in hidden_now or (*b, W1) in hidden_now for b in problem.bases]
    return table


def _answering_gaps(table: pd.DataFrame, q: Question, small: int) -> set[tuple]:
    """The answering bases of breakdown rows whose non-answers (asked base minus answering base) are 1 to 9.

    Asked base minus answering base is the number who said Don't know or Prefer not to say (or, for a
    multi question, left it blank): a small count of its own, so the answering base is hidden.
    """
    if q.base != "answering" or all(o.substantive for o in q.options):
        return set()
    bases: dict[tuple, dict[str, int]] = {}
    for segment, group, base_type, base in zip(table["segment"], table["segment_value"], table["base_type"],
                                               table["base"], strict=True):
        if segment:
            bases.setdefault((segment, group), {})[base_type] = base
    return {(*group, BASE + "answering") for group, base in bases.items()
            if 1 <= base.get("asked", 0) - base.get("answering", 0) < small}


def question_equations(table: pd.DataFrame, q: Question, members: GroupMembers) -> list[dict]:
    """Every sum a reader of all the question's tables knows, over (segment, group, column) cells."""
    rows: dict[tuple, tuple[set, set]] = {}  # each group's options and base types
    for segment, group, option, base_type in zip(table["segment"], table["segment_value"], table["option"],
                                                 table["base_type"], strict=True):
        options, base_types = rows.setdefault((segment, group), (set(), set()))
        options.add(option)
        base_types.add(base_type)
    equations = []
    for (segment, group), (options, base_types) in rows.items():
        equations += row_equations(q, segment, group, options, base_types)
    groups = list(rows)
    columns = list(dict.fromkeys(table["option"])) + [BASE + t for t in dict.fromkeys(table["base_type"])]
    for relation in members.relations(q, groups):
        terms = [(g, k) for g, k in zip(groups, relation, strict=True) if abs(k) > 1e-12]
        equations += [{(*g, column): k for g, k in terms} for column in columns]
    return equations


def row_equations(q: Question, segment: str, group: str, present: set[str], base_types: set[str]) -> list[dict]:
    """What one row adds up to: options to the base (single questions), nets to their options, non-answers
    and the answering base to the asked base. A cell the row lacks is a zero the reader knows."""
    def cell(column: str) -> tuple:
        return segment, group, column

    answers = [cell(o.key) for o in q.options if o.substantive and o.key in present]
    non_answers = [cell(o.key) for o in q.options if not o.substantive and o.key in present]
    two_bases = {"asked", "answering"} <= base_types
    equations = []
    if two_bases:  # for a multi question a reader may take the non-answers to exclude each other
        equations.append({cell(BASE + "asked"): -1.0, cell(BASE + "answering"): 1.0, **dict.fromkeys(non_answers, 1.0)})
    if q.type == "single":  # each respondent gives one answer, so the options add up to the base
        if two_bases:
            equations.append({cell(BASE + "answering"): -1.0, **dict.fromkeys(answers, 1.0)})
        else:
            equations += [{cell(BASE + t): -1.0, **dict.fromkeys(answers + non_answers, 1.0)} for t in base_types]
        equations += [{cell(n.key): 1.0, **{cell(p): -1.0 for p in n.options if p in present}}
                      for n in q.nets if n.key in present]
    return equations
