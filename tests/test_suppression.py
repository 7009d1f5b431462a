"""Secondary suppression: protect() must leave no small count (1 to 9) that a reader can work out.

Every check of the result is made by an independent method: the full linear system a reader has (the
published totals, plus every visible cell as a known value) is built here from the table itself, and a
hidden cell is worked out exactly when every vector of that system's null space (scipy) is zero at it.
"""

from __future__ import annotations

import signal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.linalg import null_space
from scipy.optimize import linprog

from build_scripts.statistics.suppression import Cell, protect, recoverable


def table_equations(rows: list[str], columns: list[str], row_groups: list[list[str]],
                    nets: dict[str, list[str]]) -> list[dict[Cell, float]]:
    """The sums a reader knows: each column's total, each row group's total, each net = its options."""
    equations = [{(r, c): 1.0 for r in rows} for c in columns]
    for group in row_groups:
        equations += [{(r, c): 1.0 for c in group} for r in rows]
    for net, parts in nets.items():
        equations += [{(r, net): 1.0, **{(r, p): -1.0 for p in parts}} for r in rows]
    return equations


TOL = 1e-9


# --- the independent check --------------------------------------------------------------------------------------

def known_sums(rows, columns, row_sums, nets=None):
    """The totals a reader of the table knows, as {cell: coefficient}, built without table_equations.

    Column totals always; with row_sums, each row's options add up to its base; each net equals its options.
    """
    nets = nets or {}
    options = [c for c in columns if c not in nets]
    sums = [{(r, c): 1 for r in rows} for c in columns]
    if row_sums:
        sums += [{(r, c): 1 for c in options} for r in rows]
    for net, parts in nets.items():
        sums += [{(r, net): 1, **{(r, p): -1 for p in parts}} for r in rows]
    return sums


def worked_out(cells, hidden, sums):
    """Hidden cells whose value follows from the totals and the visible cells (null-space test)."""
    cells = sorted(cells)
    index = {cell: i for i, cell in enumerate(cells)}
    system = [[s.get(cell, 0) for cell in cells] for s in sums]
    system += [[1 if j == index[cell] else 0 for j in range(len(cells))] for cell in cells if cell not in hidden]
    basis = null_space(np.array(system, dtype=float))  # columns span every change the reader cannot see
    return {cell for cell in hidden if basis.shape[1] == 0 or np.abs(basis[index[cell]]).max() < TOL}


def feasible_range(counts, hidden, sums, cell):
    """The smallest and largest value a hidden cell can take: non-negative cells meeting every published total."""
    unknown = sorted(hidden)
    index = {c: i for i, c in enumerate(unknown)}
    a_eq, b_eq = [], []
    for s in sums:
        if any(c in index for c in s):
            row = np.zeros(len(unknown))
            for c, k in s.items():
                if c in index:
                    row[index[c]] = k
            a_eq.append(row)
            # The published total less the visible cells: what the hidden cells of the sum add up to.
            b_eq.append(sum(k * counts[c] for c, k in s.items() if c in index))
    objective = np.zeros(len(unknown))
    objective[index[cell]] = 1
    bounds = [(0, None)] * len(unknown)
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    assert low.status == 0 and high.status == 0
    return low.fun, -high.fun


def grid(values: list[list[int]], columns=None):
    rows = [f"r{i}" for i in range(len(values))]
    columns = columns or [f"c{j}" for j in range(len(values[0]))]
    return rows, columns, {(r, c): v for r, line in zip(rows, values) for c, v in zip(columns, line)}


def small(counts):
    return {cell for cell, n in counts.items() if 1 <= n <= 9}


# --- table_equations and recoverable ----------------------------------------------------------------------------

def test_equations_are_column_totals_row_bases_and_nets():
    equations = table_equations(["x", "y"], ["a", "b", "n"], [["a", "b"]], {"n": ["a", "b"]})
    assert {("x", "a"): 1.0, ("y", "a"): 1.0} in equations  # a column total
    assert {("x", "a"): 1.0, ("x", "b"): 1.0} in equations  # a row base
    assert {("y", "n"): 1.0, ("y", "a"): -1.0, ("y", "b"): -1.0} in equations  # the net adds up its options
    assert len(equations) == 3 + 2 + 2


def test_one_hidden_cell_is_always_recoverable_from_its_column_total():
    rows, columns, _ = grid([[5, 20], [30, 40]])
    assert recoverable({("r0", "c0")}, table_equations(rows, columns, [], {})) == {("r0", "c0")}


def test_a_hidden_rectangle_is_not_recoverable_but_a_hidden_row_pair_is_with_row_bases():
    rows, columns, _ = grid([[5, 20], [30, 40]])
    single = table_equations(rows, columns, [columns], {})
    assert recoverable(set(grid([[5, 20], [30, 40]])[2]), single) == set()
    # Two hidden cells of one row: the column totals give each of them.
    assert recoverable({("r0", "c0"), ("r0", "c1")}, single) == {("r0", "c0"), ("r0", "c1")}
    # Two hidden cells of one column: the row bases give each of them; without row bases only their sum is known.
    assert recoverable({("r0", "c0"), ("r1", "c0")}, single) == {("r0", "c0"), ("r1", "c0")}
    assert recoverable({("r0", "c0"), ("r1", "c0")}, table_equations(rows, columns, [], {})) == set()


# --- hand-made protect cases ------------------------------------------------------------------------------------

def test_single_choice_3x2_small_count_gets_a_complementary_pattern():
    rows, columns, counts = grid([[4, 56], [30, 40], [25, 35]], ["yes", "no"])
    equations = table_equations(rows, columns, [columns], {})
    hidden = protect(counts, set(), {("r0", "yes")}, equations)
    assert ("r0", "yes") in hidden
    # The row base of r0 would give 4 from its "no"; the column total from the other rows' "yes".
    assert ("r0", "no") in hidden and {("r1", "yes"), ("r2", "yes")} & hidden
    sums = known_sums(rows, columns, row_sums=True)
    assert ("r0", "yes") not in worked_out(counts, hidden, sums)
    assert ("r0", "yes") not in recoverable(hidden, equations)
    assert hidden != set(counts)  # some figures are still published


def test_single_choice_without_protection_the_small_count_is_worked_out():
    # The independent check is not vacuous: hiding only the small count gives it away.
    rows, columns, counts = grid([[4, 56], [30, 40], [25, 35]], ["yes", "no"])
    assert worked_out(counts, {("r0", "yes")}, known_sums(rows, columns, row_sums=True)) == {("r0", "yes")}


def test_multi_select_table_has_only_column_totals_so_a_column_complement_is_enough():
    rows, columns, counts = grid([[4, 56], [30, 40], [25, 35]], ["online", "press"])
    equations = table_equations(rows, columns, [], {})  # multi-select: a row's answers need not add up to anything
    assert len(equations) == len(columns)
    hidden = protect(counts, set(), {("r0", "online")}, equations)
    # One more cell of the same column, the smaller one; nothing in the row is needed.
    assert hidden == {("r0", "online"), ("r2", "online")}
    assert worked_out(counts, hidden, known_sums(rows, columns, row_sums=False)) == set()


def test_a_net_column_cannot_be_used_to_recover_a_hidden_option():
    columns = ["sa", "a", "d", "agree"]
    nets = {"agree": ["sa", "a"]}
    rows, _, counts = grid([[40, 4, 12, 44], [35, 25, 11, 60], [38, 22, 15, 60]], columns)
    sensitive = {("r0", "a")}
    with_net = table_equations(rows, columns, [["sa", "a", "d"]], nets)
    without_net = table_equations(rows, columns, [["sa", "a", "d"]], {})
    sums = known_sums(rows, columns, row_sums=True, nets=nets)
    # Blind to the net, the cheapest rectangle is a/d in rows 0 and 1: but agree - sa then gives a away.
    naive = protect(counts, set(), sensitive, without_net)
    assert worked_out(counts, naive, sums) & sensitive == {("r0", "a")}
    hidden = protect(counts, set(), sensitive, with_net)
    assert worked_out(counts, hidden, sums) & sensitive == set()
    assert {("r0", "sa"), ("r0", "agree")} & hidden  # one of the two that would subtract to the answer


def test_nets_are_equations_even_without_row_bases():
    columns = ["sa", "a", "agree"]
    rows = ["x", "y"]
    pair = {("x", "a"), ("y", "a")}
    assert recoverable(pair, table_equations(rows, columns, [], {})) == set()
    assert recoverable(pair, table_equations(rows, columns, [], {"agree": ["sa", "a"]})) == pair


def test_keep_cells_are_avoided_as_complements_when_an_alternative_exists():
    columns = ["yes", "no", "dk"]
    rows, _, counts = grid([[12, 3, 40], [11, 50, 30], [15, 45, 20]], columns)
    equations = table_equations(rows, columns, [columns], {})
    keep = {(r, "yes") for r in rows}  # the headline answer the breakdown chart shows
    # Without keep, the small "yes" counts make the cheapest complements.
    assert protect(counts, set(), {("r0", "no")}, equations) & keep
    hidden = protect(counts, set(), {("r0", "no")}, equations, keep)
    assert not hidden & keep
    assert worked_out(counts, hidden, known_sums(rows, columns, row_sums=True)) == set()


def test_keep_cells_are_used_when_nothing_else_will_do():
    rows, columns, counts = grid([[12, 3], [11, 50]], ["yes", "no"])
    keep = {(r, "yes") for r in rows}
    hidden = protect(counts, set(), {("r0", "no")}, table_equations(rows, columns, [columns], {}), keep)
    assert hidden == set(counts)


def test_pre_hidden_rows_count_as_hidden_and_their_small_counts_are_protected_too():
    # Row r2 has a base under 50: hidden already. Its 5 would follow from the "yes" column total.
    rows, columns, counts = grid([[30, 40], [45, 35], [5, 0]], ["yes", "no"])
    pre = {("r2", "yes"), ("r2", "no")}
    hidden = protect(counts, pre, {("r2", "yes")}, table_equations(rows, columns, [columns], {}))
    assert hidden >= pre and len(hidden) > len(pre)
    assert worked_out(counts, hidden, known_sums(rows, columns, row_sums=True)) == set()


def test_nothing_sensitive_hides_nothing_more():
    rows, columns, counts = grid([[30, 40], [45, 35]])
    pre = {("r0", "c0"), ("r0", "c1")}
    assert protect(counts, pre, set(), table_equations(rows, columns, [columns], {})) == pre


# --- feasible intervals by linear programming -------------------------------------------------------------------

FIXED = [
    ([[4, 56], [30, 40], [25, 35]], True),
    ([[4, 56, 10], [30, 3, 12], [25, 35, 18]], True),
    ([[1, 32, 0], [5, 23, 0], [49, 4, 40]], True),
    ([[7, 20], [0, 33], [18, 2], [40, 40]], False),
    ([[9, 9, 9], [9, 9, 9]], True),
]


@pytest.mark.parametrize(("values", "row_sums"), FIXED)
def test_every_hidden_small_count_can_take_more_than_one_value(values, row_sums):
    rows, columns, counts = grid(values)
    sensitive = small(counts)
    hidden = protect(counts, set(), sensitive, table_equations(rows, columns, [columns] if row_sums else [], {}))
    sums = known_sums(rows, columns, row_sums)
    for cell in sensitive:
        low, high = feasible_range(counts, hidden, sums, cell)
        assert low <= counts[cell] <= high
        assert high - low > 0.5, (cell, low, high)


def test_the_linear_program_check_can_fail():
    rows, columns, counts = grid([[4, 56], [30, 40]])
    low, high = feasible_range(counts, {("r0", "c0")}, known_sums(rows, columns, True), ("r0", "c0"))
    assert low == pytest.approx(4) and high == pytest.approx(4)


# --- property: random tables ------------------------------------------------------------------------------------

@st.composite
def tables(draw):
    n_rows, n_cols = draw(st.integers(2, 6)), draw(st.integers(2, 5))
    cell = st.one_of(st.integers(0, 60), st.integers(1, 9), st.just(0))
    values = [[draw(cell) for _ in range(n_cols)] for _ in range(n_rows)]
    rows, columns, counts = grid(values)
    small_base = draw(st.lists(st.booleans(), min_size=n_rows, max_size=n_rows))
    pre = {(r, c) for r, flag in zip(rows, small_base) if flag for c in columns}  # "base under 50"
    keep = {(r, columns[0]) for r in rows} if draw(st.booleans()) else set()
    return rows, columns, counts, pre, draw(st.booleans()), keep


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_protect_leaves_no_small_count_determined(table):
    rows, columns, counts, pre, row_sums, keep = table
    sensitive = small(counts)
    equations = table_equations(rows, columns, [columns] if row_sums else [], {})
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(60)
    try:
        hidden = protect(counts, pre, sensitive, equations, keep)  # must terminate
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert hidden >= pre | sensitive  # only ever adds cells
    assert hidden <= set(counts)
    leaked = worked_out(counts, hidden, known_sums(rows, columns, row_sums)) & sensitive
    assert leaked == set(), leaked


# --- last resorts, cells that go together, and publishing unneeded complements again ---------------------------

def test_cells_to_avoid_are_used_only_when_nothing_else_protects():
    # A total row ("all") that equals the sum of the others: hiding it would also protect, but is avoided.
    rows, columns, counts = grid([[4, 56], [30, 40], [25, 35], [59, 131]], ["yes", "no"])
    equations = table_equations(rows[:3], columns, [columns], {})
    equations += [{("r3", c): 1.0, **{(r, c): -1.0 for r in rows[:3]}} for c in columns]
    avoid = {("r3", "yes"), ("r3", "no")}
    hidden = protect(counts, set(), {("r0", "yes")}, equations, avoid=avoid)
    assert not hidden & avoid and ("r0", "yes") not in recoverable(hidden, equations)


def test_a_cell_that_brings_others_with_it_hides_them_too():
    rows, columns, counts = grid([[4, 56], [30, 40]], ["yes", "no"])
    counts |= {("r0", "base"): 60, ("r1", "base"): 70}
    equations = [{("r0", c): 1.0, ("r1", c): 1.0} for c in columns]
    equations += [{(r, "base"): -1.0, (r, "yes"): 1.0, (r, "no"): 1.0} for r in rows]
    together = {(r, "base"): {(r, "yes"), (r, "no")} for r in rows}
    hidden = protect(counts, set(), {("r0", "base")}, equations, together=together)
    assert {("r0", "yes"), ("r0", "no")} <= hidden  # the figures on a hidden base go with it
    assert ("r0", "base") not in recoverable(hidden, equations)


def test_complements_the_small_counts_do_not_need_are_published_again():
    rows, columns, counts = grid([[4, 56, 10], [30, 3, 12], [25, 35, 18]])
    equations = table_equations(rows, columns, [columns], {})
    sensitive = small(counts)
    hidden = protect(counts, set(), sensitive, equations)
    for cell in hidden - sensitive:
        assert recoverable(hidden - {cell}, equations) & sensitive, cell


@settings(max_examples=80, deadline=None)
@given(tables(), st.data())
def test_what_if_answers_agree_with_factoring_again(table, data):
    from build_scripts.statistics.suppression import EquationSystem

    rows, columns, counts, pre, row_sums, _ = table
    system = EquationSystem(set(counts), table_equations(rows, columns, [columns] if row_sums else [], {}))
    hidden = system.mask(pre | small(counts))
    factored = system._factor(hidden)
    others = np.flatnonzero(~hidden)
    if len(others):
        for k, after in zip(others, factored.determined_with_each(others)):
            one = hidden.copy()
            one[k] = True
            assert (after == system.determined(one)).all()
        chosen = np.array(sorted(data.draw(st.sets(st.sampled_from(others.tolist()), min_size=1))))
        several = hidden.copy()
        several[chosen] = True
        assert (factored.determined_with(chosen) == system.determined(several)).all()
