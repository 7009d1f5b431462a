"""Secondary suppression: no hidden small count may be worked out from the totals a table publishes.

A breakdown table publishes its row bases and its column totals (the whole-sample counts), and
nets add up their options. A hidden cell is recoverable when those equations pin down its value:
when its unit vector lies in the row space of the equations restricted to the hidden cells. While
a small count (1 to 9) is recoverable, one more cell in its row or column is hidden, the one that
leaves the fewest cells recoverable, the smallest if several do.
"""

from __future__ import annotations

import numpy as np

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
    """The hidden cells whose values the equations determine exactly."""
    cells = sorted(hidden)
    if not cells:
        return set()
    index = {cell: i for i, cell in enumerate(cells)}
    matrix = np.array([[eq.get(cell, 0.0) for cell in cells] for eq in equations if any(c in index for c in eq)])
    if matrix.size == 0:
        return set()
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for cell, i in index.items():
        unit = np.zeros(len(cells))
        unit[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(cell)
    return found


def protect(counts: dict[Cell, int], hidden: set[Cell], sensitive: set[Cell],
            equations: list[dict[Cell, float]], keep: set[Cell] = frozenset()) -> set[Cell]:
    """Hide further cells until no sensitive hidden cell can be recovered; returns every hidden cell.

    Cells in `keep` (a question's headline answer) are hidden as complements only when no other will do.
    """
    hidden = set(hidden) | set(sensitive)
    while recoverable(hidden, equations) & sensitive:
        rows, columns = {r for r, _ in hidden}, {c for _, c in hidden}
        candidates = sorted(cell for cell in counts
                            if (cell[0] in rows or cell[1] in columns) and cell not in hidden)
        if not candidates:  # everything that could protect it is hidden already: hide the whole table
            return set(counts)

        def cost(cell: Cell) -> tuple:
            # Fewest small counts left recoverable, then fewest cells recoverable, then the smallest value
            # (a zero hides nothing, so it comes last).
            after = recoverable(hidden | {cell}, equations)
            return len(after & sensitive), len(after), cell in keep, counts[cell] == 0, counts[cell], cell

        hidden.add(min(candidates, key=cost))
    return hidden
