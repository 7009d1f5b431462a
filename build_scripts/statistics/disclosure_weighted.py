"""Weighted figures as equations: a question's weighted counts, weighted bases and effective bases are sums
over its groups' members too, so they join the reader's system beside the counts.

The reader is taken to know every respondent's weight (the weighting variables and targets are published,
so each weighting cell's weight can be worked out) and which groups each respondent is in. Every published
number is then a sum over "fine atoms" (respondents alike in every group and in weight) of a moment: the
count is a sum of 1s, the weighted count and weighted base sums of w, and the effective base (Σw)²/Σw²,
with the weighted base, gives the sum of w² of the base. A question's cells therefore come in moments
(`W1`, `W2` in disclosure.py): every linear relation among the groups' moment vectors holds for every column, and each row's
sums hold for every moment. A count's weighted count (and a base's weighted and effective bases) is hidden
and published with it (protect's shadows); the sum of w² over an option's respondents is never published
(an unknown that is never a candidate). No cap is needed: the vectors are one per group and moment however
many distinct weights there are, and with many respondents the relations come from their Gram matrix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from build_scripts.ingest.answers import answered_mask, asked_mask
from build_scripts.ingest.codebook import Question
from build_scripts.statistics.disclosure import BASE, W1, W2, WHOLE, GroupMembers, Problem, row_equations

SVD_LIMIT = 4_000_000  # vectors x atoms above this: relations from the Gram matrix, in chunks of atoms
TOLERANCE = 1e-9


def relations_of(vectors: np.ndarray) -> np.ndarray:
    """Every linear relation among these vectors (one per row of the result: coefficients k with k @ vectors = 0).

    Each vector is scaled to length 1 first (moments of large weights dwarf counts). A near-relation counts
    as one: the reader is credited with more, never less.
    """
    n = len(vectors)
    if n < 2:
        return np.zeros((0, n))
    norms = np.sqrt((vectors ** 2).sum(axis=1))
    scaled = vectors / np.where(norms > 0, norms, 1)[:, None]
    if scaled.size <= SVD_LIMIT:
        padded = np.hstack([scaled, np.zeros((n, max(0, n - scaled.shape[1])))])  # u square: the whole left null space
        u, s, _ = np.linalg.svd(padded, full_matrices=False)
        null = u[:, s <= TOLERANCE * max(padded.shape) * max(1.0, s[0])].T
    else:
        gram = np.zeros((n, n))
        step = max(1, SVD_LIMIT // n)
        for start in range(0, scaled.shape[1], step):
            part = scaled[:, start:start + step]
            gram += part @ part.T
        values, vectors_ = np.linalg.eigh(gram)
        null = vectors_[:, values <= np.sqrt(TOLERANCE) * max(1.0, values[-1])].T
    return null / np.where(norms > 0, norms, 1)[None, :]


def fine_atoms(members: GroupMembers, w: np.ndarray, counted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The fine atoms among the counted respondents: each one's atom and weight."""
    atom, _ = members.atoms()
    pairs = np.unique(np.stack([atom[counted].astype(float), w[counted]], axis=1), axis=0)
    return pairs[:, 0].astype(np.int64), pairs[:, 1]


def add_weights(problem: Problem, table: pd.DataFrame, q: Question, members: GroupMembers, w: np.ndarray) -> None:
    """Join the question's weighted figures to its problem: moment cells, their equations, shadows, unknowns."""
    book, frame = members.book, members.frame
    counted = asked_mask(book, frame, q).to_numpy(dtype=bool)
    if q.type == "single":
        counted = counted & answered_mask(q, frame).to_numpy(dtype=bool)
    rows: dict[tuple, tuple[set, set]] = {}
    for segment, group, option, base_type in zip(table["segment"], table["segment_value"], table["option"],
                                                 table["base_type"], strict=True):
        options, base_types = rows.setdefault((segment, group), (set(), set()))
        options.add(option)
        base_types.add(base_type)
    groups = list(rows)
    atom, value = fine_atoms(members, w, counted)
    _, group_of = members.atoms()
    vectors = []
    for segment, group in groups:
        inside = np.ones(len(atom)) if (segment, group) == WHOLE else \
            (group_of[members.position[segment]][atom] == members.option[segment][group]).astype(float)
        vectors += [inside, inside * value, inside * value ** 2]
    columns = list(dict.fromkeys(table["option"])) + [BASE + t for t in dict.fromkeys(table["base_type"])]
    moments = ["", W1, W2]

    def cell(g: tuple, column: str, k: int) -> tuple:
        return (*g, column) if k == 0 else (*g, column, moments[k])

    for relation in relations_of(np.array(vectors)):
        terms = [(groups[i // 3], i % 3, c) for i, c in enumerate(relation) if abs(c) > 1e-12]
        if any(k for _, k, _ in terms):  # relations among counts alone are in the problem already
            problem.equations += [{cell(g, column, k): c for g, k, c in terms} for column in columns]
    for (segment, group), (options, base_types) in rows.items():
        for k in (1, 2):
            problem.equations += [{(*c, moments[k]): v for c, v in eq.items()}
                                  for eq in row_equations(q, segment, group, options, base_types)]
    for figure in problem.figures:
        if figure in problem.counts:
            problem.shadows[figure] = {cell(figure[:2], figure[2], 1)}
        problem.hidden.add(cell(figure[:2], figure[2], 2))  # an option's sum of w² is never published
    base_of = dict(zip(problem.figures, problem.bases, strict=True))
    for base, size in zip(problem.bases, table["base"], strict=True):
        if base[:2] == WHOLE:
            # With few distinct weights the whole sample's weighted and effective bases give groups' sizes: as a
            # last resort they are hidden, with the whole sample's figures on them (the base itself stays).
            weighted = cell(base[:2], base[2], 1)
            problem.counts[weighted] = int(size)
            problem.avoid.add(weighted)
            problem.together.setdefault(weighted, set()).update(f for f, b in base_of.items() if b == base)
            problem.shadows[weighted] = {cell(base[:2], base[2], 2)}
        else:
            problem.shadows[base] = {cell(base[:2], base[2], 1), cell(base[:2], base[2], 2)}
