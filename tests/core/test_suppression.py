"""Small cells are withheld, and no withheld cell can be worked out from what is published."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.core.suppression import Grid, Reason, suppress


def null_space(matrix: list[list[Fraction]], width: int) -> list[list[Fraction]]:
    """A basis of {x : M x = 0} by reduced row echelon form (the test's own solver)."""
    rows = [list(r) for r in matrix]
    pivots: list[int] = []
    rank = 0
    for col in range(width):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        lead = rows[rank][col]
        rows[rank] = [v / lead for v in rows[rank]]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                factor = rows[i][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        pivots.append(col)
        rank += 1
    basis = []
    for free in (c for c in range(width) if c not in pivots):
        vector = [Fraction(0)] * width
        vector[free] = Fraction(1)
        for i, col in enumerate(pivots):
            vector[col] = -rows[i][free]
        basis.append(vector)
    return basis


def recoverable(table: list[list[int]], withheld: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Withheld entries fixed by the row and column equations given every published entry:
    exactly those on which every solution of the homogeneous system is zero."""
    n_rows, n_cols = len(table) - 1, len(table[0]) - 1
    unknowns = sorted(withheld)
    at = {p: i for i, p in enumerate(unknowns)}
    system = []
    lines = [[(r, c) for c in range(n_cols)] + [(r, n_cols)] for r in range(n_rows + 1)]
    lines += [[(r, c) for r in range(n_rows)] + [(n_rows, c)] for c in range(n_cols + 1)]
    for line in lines:
        row = [Fraction(0)] * len(unknowns)
        for j, p in enumerate(line):
            if p in at:
                row[at[p]] += -1 if j == len(line) - 1 else 1
        system.append(row)
    basis = null_space(system, len(unknowns))
    return {p for p, i in at.items() if all(v[i] == 0 for v in basis)}


grids = st.integers(1, 5).flatmap(lambda rows: st.integers(1, 6).flatmap(
    lambda cols: st.lists(st.lists(st.integers(0, 14), min_size=cols, max_size=cols), min_size=rows, max_size=rows)))


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(cells=grids, k=st.sampled_from([3, 5, 10]))
def test_no_published_entry_counts_fewer_than_k_people_and_no_withheld_one_can_be_solved_for(cells, k):
    grid = Grid(tuple(tuple(r) for r in cells))
    table = grid.with_margins()
    withheld = suppress(grid, k)
    for r, line in enumerate(table):
        for c, people in enumerate(line):
            if 0 < people < k:
                assert withheld.get((r, c)) is Reason.primary
    assert recoverable(table, set(withheld)) == set()


def test_a_lone_small_cell_takes_a_partner_in_its_row_and_its_column():
    grid = Grid(((3, 20, 30), (40, 50, 60)))
    withheld = suppress(grid, 5)
    assert withheld[(0, 0)] is Reason.primary
    assert sum(1 for r, c in withheld if r == 0) >= 2 and sum(1 for r, c in withheld if c == 0) >= 2
    assert recoverable(grid.with_margins(), set(withheld)) == set()


def test_a_table_with_no_small_cell_is_published_whole():
    assert suppress(Grid(((10, 20), (30, 40))), 5) == {}


def test_a_one_month_table_withholds_the_total_that_would_repeat_a_small_cell():
    withheld = suppress(Grid(((3,), (40,))), 5)
    assert (0, 0) in withheld and (0, 1) in withheld  # the cell and its row total are the same number
