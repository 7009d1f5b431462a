"""Secondary suppression: no hidden small count may be worked out from the sums a reader knows.

The sums are linear equations over cells (a table's column totals and row bases, nets adding up their
options, or every relation disclosure.py derives across a question's tables). A hidden cell is
recoverable when those equations pin down its value: when its coordinate is zero in every vector of
the null space of the equations restricted to the hidden cells. While a small count (1 to 9) is
recoverable, one more cell is hidden, the one that leaves the fewest small counts recoverable; then
each complement is published again if the small counts stay safe without it.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
from threadpoolctl import threadpool_limits

Cell = Hashable  # (row, column) of a table here; (segment, group, column) across a question's tables
TOLERANCE = 1e-9
# Above this many cells (a survey's questions joined, with weighted moments) each step hides the first cells in
# the preference order that share an equation with a recoverable small count (as many as there are), without
# trying every candidate, and no complement is published again: one factoring per step, not one per candidate.
LARGE_SYSTEM = 1500


def recoverable(hidden: set[Cell], equations: list[dict[Cell, float]]) -> set[Cell]:
    """The hidden cells whose values the equations determine exactly."""
    system = EquationSystem(hidden, equations)
    return system.cells_of(system.determined(np.ones(len(system.cells), dtype=bool)))


class EquationSystem:
    """The equations as one matrix over the cells that may be hidden (every other cell is a known value)."""

    def __init__(self, cells, equations: list[dict[Cell, float]]):
        self.cells = sorted(cells)
        self.index = {cell: i for i, cell in enumerate(self.cells)}
        rows = [eq for eq in equations if any(c in self.index for c in eq)]
        self.matrix = np.zeros((len(rows), len(self.cells)))
        for r, eq in enumerate(rows):
            for cell, coefficient in eq.items():
                if cell in self.index:
                    self.matrix[r, self.index[cell]] += coefficient

    def mask(self, cells) -> np.ndarray:
        """These cells as a True/False vector over the system's cells."""
        found = np.zeros(len(self.cells), dtype=bool)
        found[[self.index[c] for c in cells if c in self.index]] = True
        return found

    def cells_of(self, mask: np.ndarray) -> set[Cell]:
        """The cells a True/False vector marks."""
        return {self.cells[i] for i in np.flatnonzero(mask)}

    def determined(self, hidden: np.ndarray) -> np.ndarray:
        """Which hidden cells the equations determine (a cell in no equation is never determined)."""
        return self._factor(hidden).determined

    def _factor(self, hidden: np.ndarray) -> _Factored:
        return _Factored(self.matrix, np.flatnonzero(hidden), len(self.cells))


class _Factored:
    """The equations restricted to the hidden cells, factored once (SVD) to answer "what if one more is hidden?"."""

    def __init__(self, matrix: np.ndarray, hidden: np.ndarray, n: int):
        self.matrix, self.hidden = matrix, hidden
        self.rows = np.flatnonzero(np.abs(matrix[:, hidden]).max(axis=1) > 0) if len(hidden) else np.array([], int)
        a = matrix[np.ix_(self.rows, hidden)]
        self.determined = np.zeros(n, dtype=bool)
        if not len(self.rows):
            self.u, self.s, self.v = np.zeros((0, 0)), np.zeros(0), np.zeros((len(hidden), 0))
            return
        if a.shape[0] < a.shape[1]:  # as many rows as unknowns, so that the SVD gives the whole null space
            a = np.vstack([a, np.zeros((a.shape[1] - a.shape[0], a.shape[1]))])
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        rank = int((s > TOLERANCE * max(a.shape)).sum())
        null = vh[rank:]
        free = np.abs(null).max(axis=0) > TOLERANCE if len(null) else np.zeros(len(hidden), dtype=bool)
        self.determined[hidden[~free]] = True
        self.u, self.s, self.v = u[:len(self.rows), :rank], s[:rank], vh[:rank].T

    def determined_with_each(self, candidates: np.ndarray) -> np.ndarray:
        """For each candidate (a column), the determined cells once it is hidden too (one row per candidate).

        Hiding b adds null-space vectors only if b's column lies in the span of the hidden cells' columns;
        then the cells freed are those where A x = b has a non-zero x (unique on determined cells).
        """
        b = self.matrix[:, candidates]
        inside = b[self.rows]
        projected = self.u.T @ inside
        outside = (b ** 2).sum(axis=0) - (inside ** 2).sum(axis=0)
        residual = np.sqrt(np.maximum(outside + ((inside - self.u @ projected) ** 2).sum(axis=0), 0))
        in_span = residual <= 1e-7 * (1 + np.sqrt((b ** 2).sum(axis=0)))
        x = self.v @ (projected / self.s[:, None]) if len(self.s) else np.zeros((len(self.hidden), len(candidates)))
        after = np.tile(self.determined, (len(candidates), 1))
        freed = np.abs(x.T) > 1e-7 * np.maximum(1, np.abs(x).max(axis=0, initial=0))[:, None]
        for k in np.flatnonzero(in_span):
            after[k, self.hidden[freed[k]]] = False
        after[np.flatnonzero(~in_span), candidates[~in_span]] = True  # outside the span: the cell itself is pinned
        return after

    def determined_with(self, added: np.ndarray) -> np.ndarray:
        """The determined cells once these cells (column indices) are hidden too, without factoring again.

        New null-space vectors (v, t) need B t in the span of the hidden cells' columns, i.e. t in the null
        space of B's part outside that span; each such t frees the determined cells where A v = -B t moves.
        """
        b = self.matrix[:, added]
        projected = self.u.T @ b[self.rows]
        outside = b.copy()
        outside[self.rows] -= self.u @ projected
        # Only the right singular vectors are needed: a thin SVD has them all when there are more rows than columns.
        _, s, vh = np.linalg.svd(outside, full_matrices=outside.shape[0] < outside.shape[1])
        rank = int((s > TOLERANCE * max(outside.shape)).sum())
        after = self.determined.copy()
        moves = vh[rank:].T  # each column a t
        if not moves.shape[1]:
            after[added] = True
            return after
        x = self.v @ ((projected @ moves) / self.s[:, None]) if len(self.s) else np.zeros((len(self.hidden), 1))
        after[self.hidden[(np.abs(x) > 1e-7 * max(1.0, np.abs(x).max(initial=0))).any(axis=1)]] = False
        after[added[~(np.abs(moves) > TOLERANCE).any(axis=1)]] = True
        return after


def protect(counts: dict[Cell, int], hidden: set[Cell], sensitive: set[Cell],
            equations: list[dict[Cell, float]], keep: set[Cell] = frozenset(), avoid: set[Cell] = frozenset(),
            together: dict[Cell, set[Cell]] | None = None,
            shadows: dict[Cell, set[Cell]] | None = None) -> set[Cell]:
    """Hide further cells of `counts` until no sensitive hidden cell can be recovered; returns every hidden cell.

    The choice is greedy, one complement at a time: the cell that leaves the fewest small counts
    recoverable, preferring cells outside `avoid` (the whole-sample figures: a last resort), then outside
    `keep` (a question's headline answer, which readers look for), then the one that hides fewest cells
    with it (`together`: a base takes the figures on it, since count over percentage gives it back), then
    the one leaving the fewest cells recoverable, then the smallest. Afterwards each complement, whole-sample
    ones first and then the largest first, is published again if every small count stays safe without it.
    `shadows` are cells hidden and published exactly with another (a count's weighted count): never chosen alone.
    """
    together, shadows = together or {}, shadows or {}
    hidden = _closed(_closed(set(hidden) | set(sensitive), together), shadows)
    if not sensitive:  # no small count to protect: nothing more is hidden (and no SVD is needed to know it)
        return hidden
    # Many small SVDs: BLAS threads cost far more to start than they save here (15x slower on 2 cores).
    with threadpool_limits(limits=1, user_api="blas"):
        system = EquationSystem(set(counts) | hidden | set().union(*shadows.values()), equations)
        choice = _Choice(system, counts, sensitive, keep, avoid, together, shadows)
        # The cells to avoid are a last resort: used only when the others cannot protect the small counts.
        large = len(system.cells) > LARGE_SYSTEM
        chosen, safe = choice.greedy(system.mask(hidden), system.mask(counts) & ~system.mask(avoid), quick=large)
        if not safe:
            chosen, _ = choice.greedy(chosen, system.mask(counts), quick=large)
        return system.cells_of(chosen if large else choice.fewest(system.mask(hidden), chosen))


def _closed(hidden: set[Cell], together: dict[Cell, set[Cell]]) -> set[Cell]:
    """The hidden cells with everything that must go with them."""
    return hidden.union(*(together[c] for c in hidden if c in together))


class _Choice:
    """Which complements to hide: greedily, then as few as the small counts need."""

    def __init__(self, system: EquationSystem, counts: dict[Cell, int], sensitive: set[Cell], keep: set[Cell],
                 avoid: set[Cell], together: dict[Cell, set[Cell]], shadows: dict[Cell, set[Cell]]):
        self.system, self.counts, self.avoid = system, counts, avoid
        self.small, self.in_keep, self.in_avoid = system.mask(sensitive), system.mask(keep), system.mask(avoid)
        self.value = np.array([counts.get(c, 0) for c in system.cells])
        self.together = {system.index[c]: system.mask(cells) for c, cells in together.items() if c in system.index}
        self.bases_of: dict[int, list[int]] = {}  # a figure stays hidden while a base it goes with is hidden
        for base, cells in self.together.items():
            for cell in np.flatnonzero(cells):
                self.bases_of.setdefault(int(cell), []).append(base)
        self.shadows = {system.index[c]: system.mask(cells) for c, cells in shadows.items() if c in system.index}
        self.shadowed = np.zeros(len(system.cells), dtype=bool)
        for cells in self.shadows.values():
            self.shadowed |= cells

    def greedy(self, now: np.ndarray, allowed: np.ndarray, quick: bool = False) -> tuple[np.ndarray, bool]:
        """Hide one allowed cell at a time until no small count is recoverable (or nothing allowed is left);
        also whether the small counts are then known to be safe."""
        system, n = self.system, len(now)
        goes_with = np.zeros((n, n), dtype=bool)  # row i: what hiding cell i hides (itself, and its figures)
        goes_with[np.arange(n), np.arange(n)] = True
        for i, cells in self.together.items():
            goes_with[i] |= cells
        for i in np.flatnonzero(goes_with.any(axis=1)) if self.shadows else []:
            for j in np.flatnonzero(goes_with[i]):
                if j in self.shadows:
                    goes_with[i] |= self.shadows[j]
        while True:
            factored = system._factor(now)
            if not (factored.determined & self.small).any():
                return now, True
            touching = np.abs(system.matrix[factored.rows]).max(axis=0) > 0 if len(factored.rows) else now & False
            candidates = np.flatnonzero(allowed & ~now & touching)
            if not len(candidates):  # everything that could protect it is hidden already: hide all there is
                return now | allowed, False
            added = goes_with[candidates] & ~now
            if quick:  # the candidates sharing an equation with a recoverable small count, in preference order
                exposed = factored.determined & self.small
                rows = factored.rows[np.abs(system.matrix[np.ix_(factored.rows, np.flatnonzero(exposed))]).max(axis=1) > 0]
                near = (np.abs(system.matrix[np.ix_(rows, candidates)]).max(axis=0) > 0) if len(rows) else \
                    np.ones(len(candidates), dtype=bool)
                value = self.value[candidates]
                order = np.lexsort((candidates, value, value == 0, added.sum(axis=1), (added & self.in_keep).any(axis=1),
                                    self.in_avoid[candidates], ~near))
                now = now | added[order[:max(1, int(exposed.sum()))]].any(axis=0)  # as many as small counts exposed
                continue
            single = added.sum(axis=1) == 1
            after = np.zeros((len(candidates), n), dtype=bool)
            if single.any():
                after[single] = factored.determined_with_each(candidates[single])
            for k in np.flatnonzero(~single):  # a base with figures still shown: they go with it
                after[k] = factored.determined_with(np.flatnonzero(added[k]))
            value = self.value[candidates]
            # Fewest small counts left recoverable; then not a last resort, not a headline; fewest cells hidden,
            # fewest recoverable; a zero hides nothing, so among equals it comes last; the smallest; cell order.
            best = np.lexsort((candidates, value, value == 0, after.sum(axis=1), added.sum(axis=1),
                               (added & self.in_keep).any(axis=1), self.in_avoid[candidates],
                               (after & self.small).sum(axis=1)))[0]
            now = now | added[best]

    def fewest(self, required: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        """Publish again each complement the small counts do not need: whole-sample ones first, then the largest."""
        system = self.system
        extra = [system.cells[i] for i in np.flatnonzero(chosen & ~required)]
        order = sorted(extra, key=lambda c: (c not in self.avoid, -self.counts.get(c, 0),
                                             system.index[c] not in self.together, c))
        for cell in order:
            i = system.index[cell]
            if self.shadowed[i] or any(chosen[b] for b in self.bases_of.get(i, [])):
                continue
            trial = chosen.copy()
            trial[i] = False
            if i in self.shadows:
                trial &= ~self.shadows[i]
            if not (system.determined(trial) & self.small).any():
                chosen = trial
        return chosen
