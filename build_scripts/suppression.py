"""Secondary suppression: no hidden small count may be worked out from the totals a table publishes.

A breakdown table publishes its row bases and its column totals (the whole-sample counts), and
nets add up their options. A hidden cell is recoverable when those equations pin down its value:
when its unit vector lies in the row space of the equations restricted to the hidden cells. While
a small count (1 to 9) is recoverable, one more cell in its row or column is hidden, the one that
leaves the fewest cells recoverable, the smallest if several do.
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

Cell = tuple[str, str]  # (row, column) of the table


def table_equations(rows: list[str], columns: list[str], row_groups: list[list[str]],
                    nets: dict[str, list[str]]) -> list[dict[Cell, float]]:
    """The sums a reader knows: each column's total, each row group's total, each net = its options."""
    equations = [{(r, c): 1.0 for r in rows} for c in columns]
    for group in row_groups:
        equations += [{(r, c): 1.0 for c in group} for r in rows]
    for net, parts in nets.items():
        equations += [{(r, net): 1.0, **{(r, p): -1.0 for p in parts}} for r in rows]
    return equations


def recoverable(hidden: set[Cell], equations: list[dict[Cell, float]]) -> set[Cell]:
    """The hidden cells whose values the equations determine exactly.

    A cell is determined when every solution of the homogeneous system over the hidden cells leaves
    it at zero, i.e. its coordinate is zero in every null-space vector (one SVD for the whole table).
    """
    cells = sorted(hidden)
    index = {cell: i for i, cell in enumerate(cells)}
    rows = [eq for eq in equations if any(c in index for c in eq)]
    if not rows:
        return set()
    matrix = np.zeros((len(rows), len(cells)))
    for r, eq in enumerate(rows):
        for cell, coefficient in eq.items():
            if cell in index:
                matrix[r, index[cell]] = coefficient
    _, singular, vh = np.linalg.svd(matrix)
    rank = int((singular > 1e-9 * max(matrix.shape)).sum())
    null = vh[rank:]
    free = np.abs(null).max(axis=0) > 1e-9 if len(null) else np.zeros(len(cells), dtype=bool)
    return {cell for cell, i in index.items() if not free[i]}


def protect(counts: dict[Cell, int], hidden: set[Cell], sensitive: set[Cell],
            equations: list[dict[Cell, float]], keep: set[Cell] = frozenset()) -> set[Cell]:
    """Hide further cells until no sensitive hidden cell can be recovered; returns every hidden cell.

    The choice is greedy, one complement at a time: the cell that leaves the fewest small counts
    recoverable, preferring cells outside `keep` (a question's headline answer, which readers look for),
    then the one leaving the fewest cells recoverable, then the smallest.
    """
    if not sensitive:  # no small count to protect: nothing more is hidden (and no SVD is needed to know it)
        return set(hidden)
    # Many tiny SVDs: BLAS threads cost far more to start than they save here (15x slower on 2 cores).
    with threadpool_limits(limits=1, user_api="blas"):
        return _protect(counts, set(hidden) | set(sensitive), sensitive, equations, keep)


def _protect(counts: dict[Cell, int], hidden: set[Cell], sensitive: set[Cell],
             equations: list[dict[Cell, float]], keep: set[Cell]) -> set[Cell]:
    while recoverable(hidden, equations) & sensitive:
        rows, columns = {r for r, _ in hidden}, {c for _, c in hidden}
        candidates = sorted(cell for cell in counts
                            if (cell[0] in rows or cell[1] in columns) and cell not in hidden)
        if not candidates:  # everything that could protect it is hidden already: hide the whole table
            return hidden | set(counts)

        def cost(cell: Cell) -> tuple:
            # A zero hides nothing, so among equals it comes last.
            after = recoverable(hidden | {cell}, equations)
            return len(after & sensitive), cell in keep, len(after), counts[cell] == 0, counts[cell], cell

        hidden.add(min(candidates, key=cost))
    return hidden
