"""Disclosure control across a survey's questions: their systems joined through the bases they share.

Every published base is a sum over respondents: those in a group and in the question's base (everyone
asked, or those answering). Two questions asked of the same people share their bases, and a question
routed to one group publishes that group's size as its whole-sample base: so a base hidden in one
question can be worked out from another's. Each question is protected on its own first (disclosure.py);
then, in a survey where some question has something small, every question's system is joined into one,
with every linear relation among all the published bases (and, weighted, their sums of w and w²) over
"survey atoms" (respondents alike in every group, every base and weight), and the number of respondents the
survey page states. Complements are added only where the joined system needs them, from any question.

Not yet done: surveys whose joined system is larger than JOINED_LIMIT cells are protected question by
question only. Not modelled: the survey's exact effective sample size in site-data.json (with raked weights, whose sum is
the number of respondents, it gives the sum of squared weights over everyone), and the sizes of weighting
classes, which raked weights and published targets give away anyway (size = target x respondents / weight).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from build_scripts.ingest.answers import asked_mask, question_masks
from build_scripts.ingest.codebook import Codebook, Question
from build_scripts.statistics.disclosure import BASE, W1, W2, WHOLE, GroupMembers, Problem, mark
from build_scripts.statistics.disclosure_weighted import relations_of
from build_scripts.statistics.suppression import protect

# Above this many cells in all (30 weighted questions of 17 groups pass it) the joined system takes minutes to
# factor: such surveys are protected question by question only, and may still link questions through bases.
JOINED_LIMIT = 4000


def protect_survey(parts: list[tuple[Question, pd.DataFrame, Problem | None]], members: GroupMembers,
                   w: np.ndarray | None) -> None:
    """Mark every question's hidden cells so that nothing small can be worked out from the whole survey."""
    solved = {q.key: problem.solve() for q, _, problem in parts if problem is not None}
    size = sum(len(p.counts) + len(p.hidden) for _, _, p in parts if p is not None)
    if solved and size <= JOINED_LIMIT:
        solved = _joined(parts, members, w, solved)
    for q, table, problem in parts:
        if problem is not None:
            mark(table, problem, solved[q.key])


def _joined(parts, members: GroupMembers, w: np.ndarray | None, solved: dict[str, set]) -> dict[str, set]:
    """Every question's hidden cells once the joined system is protected, starting from each one's own."""
    def tag(key: str, cells) -> set:
        return {(key, *c) for c in cells}

    counts, hidden, sensitive, keep, avoid, together, shadows, equations = {}, set(), set(), set(), set(), {}, {}, []
    for q, _, p in parts:
        if p is None:
            continue
        counts |= {(q.key, *c): n for c, n in p.counts.items()}
        hidden |= tag(q.key, solved[q.key])
        sensitive |= tag(q.key, p.sensitive)
        keep |= tag(q.key, p.keep)
        avoid |= tag(q.key, p.avoid)
        together |= {(q.key, *c): tag(q.key, cells) for c, cells in p.together.items()}
        shadows |= {(q.key, *c): tag(q.key, cells) for c, cells in p.shadows.items()}
        equations += [{(q.key, *c): k for c, k in eq.items()} for eq in p.equations]
    equations += base_relations(members, [(q, t) for q, t, _ in parts], w)
    joined = protect(counts, hidden, sensitive, equations, keep, avoid, together, shadows)
    return {q.key: {c[1:] for c in joined if c[0] == q.key} for q, _, p in parts if p is not None}


def base_sets(book: Codebook, frame: pd.DataFrame, q: Question) -> dict[str, np.ndarray]:
    """Who is in each of the question's bases, by base type (as tally.py counts them)."""
    if q.type == "text":
        return {"asked": asked_mask(book, frame, q).to_numpy(dtype=bool)}
    _, asked, answering = question_masks(book, frame, q)
    return {"asked": asked, "answering": answering}


def base_relations(members: GroupMembers, tables: list[tuple[Question, pd.DataFrame]],
                   w: np.ndarray | None) -> list[dict]:
    """Every linear relation among all the bases the survey publishes, over (question, segment, group, column)."""
    book, frame = members.book, members.frame
    atom, group_of = members.atoms()
    cells, sets, keys = [("", "", "", BASE + "everyone")], [1], [atom.astype(float), np.ones(len(atom))]
    seen: dict[bytes, int] = {np.packbits(np.ones(len(atom), dtype=bool)).tobytes(): 1}  # the respondents, published
    for q, table in tables:
        present = base_sets(book, frame, q)
        for segment, group, base_type in dict.fromkeys(zip(table["segment"], table["segment_value"],
                                                            table["base_type"], strict=True)):
            inside = present[base_type]
            key = np.packbits(inside).tobytes()
            if key not in seen:
                seen[key] = len(keys)
                keys.append(inside.astype(float))
            cells.append((q.key, segment, group, BASE + base_type))
            sets.append(seen[key])
    if w is not None:
        keys.append(w)
    survey_atoms, first = np.unique(np.stack(keys, axis=1), axis=0, return_index=True)
    value = w[first] if w is not None else np.ones(len(first))
    vectors, named = [], []
    for (key, segment, group, column), s in zip(cells, sets, strict=True):
        inside = survey_atoms[:, s].astype(bool)
        if (segment, group) != WHOLE:
            inside &= group_of[members.position[segment]][atom[first]] == members.option[segment][group]
        for k, moment in enumerate([()] + ([(W1,), (W2,)] if w is not None and key else [])):
            vectors.append(inside * value ** k)
            named.append((key, segment, group, column, *moment))
    return [{named[i]: c for i, c in enumerate(relation) if abs(c) > 1e-12}
            for relation in relations_of(np.array(vectors))]
