"""Small-cell suppression for published tables: no cell tells a village who is poor.

A public table has rows (workshops or regions), columns (months), and the margins — each row's
total, each column's total and the grand total — all published as sums of the cells. Each
entry carries the number of people it describes (``people``: person-months, so that totals
stay sums) and the money it sums.

* **Primary suppression**: an entry describing at least one and fewer than ``k`` people is
  withheld (``k`` = 5 unless the installation sets another).
* **Secondary suppression**: a withheld entry must not be derivable from what is published by
  the table's equations (each row's cells add up to its total, each column's to its total,
  the totals to the grand total). An entry is derivable exactly when its unit vector lies in
  the row space of those equations restricted to the withheld entries; while one is, the
  smallest published entry sharing its row or column is withheld too (a margin if nothing
  else is left). Exact rational arithmetic; the tables are small.

The pattern depends on the people counts only, and applies to every measure of an entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

TOTAL = "合计"
"""The label of the margin row and column."""


class Reason(StrEnum):
    primary = "primary"
    secondary = "secondary"

    @property
    def zh(self) -> str:
        return {"primary": "人数少于 {k} 人，不公布", "secondary": "为防止由合计反推其他不公布的格，一并不公布"}[self.value]

    @property
    def en(self) -> str:
        return {"primary": "fewer than {k} people: withheld",
                "secondary": "withheld so that no other withheld cell can be worked out from the totals"}[self.value]


@dataclass(frozen=True)
class Grid:
    """People per entry: ``cells[r][c]``; the margins are computed as sums."""

    cells: tuple[tuple[int, ...], ...]

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.cells), len(self.cells[0]) if self.cells else 0

    def with_margins(self) -> list[list[int]]:
        """The (R+1)×(C+1) table: cells, then each row's total, then the column totals."""
        rows = [list(r) + [sum(r)] for r in self.cells]
        columns = len(rows[0]) if rows else 1
        rows.append([sum(r[c] for r in rows) for c in range(columns)])
        return rows


Position = tuple[int, int]


def equations(n_rows: int, n_cols: int) -> list[list[tuple[Position, int]]]:
    """The linear equations of a table with margins, each as (position, coefficient) terms
    summing to zero: row r's cells minus its total; column c's cells minus its total."""
    eqs = []
    for r in range(n_rows + 1):
        eqs.append([*(((r, c), 1) for c in range(n_cols)), ((r, n_cols), -1)])
    for c in range(n_cols + 1):
        eqs.append([*(((r, c), 1) for r in range(n_rows)), ((n_rows, c), -1)])
    return eqs


def _rank(rows: list[list[Fraction]]) -> int:
    matrix = [list(r) for r in rows if any(r)]
    rank, width = 0, len(matrix[0]) if matrix else 0
    for col in range(width):
        pivot = next((i for i in range(rank, len(matrix)) if matrix[i][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for i in range(len(matrix)):
            if i != rank and matrix[i][col] != 0:
                factor = matrix[i][col] / matrix[rank][col]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[rank], strict=True)]
        rank += 1
    return rank


def derivable(withheld: Sequence[Position], n_rows: int, n_cols: int) -> set[Position]:
    """The withheld entries a reader could compute from the published ones and the equations."""
    unknowns = list(withheld)
    if not unknowns:
        return set()
    index = {p: i for i, p in enumerate(unknowns)}
    system = []
    for eq in equations(n_rows, n_cols):
        row = [Fraction(0)] * len(unknowns)
        for position, coefficient in eq:
            if position in index:
                row[index[position]] += coefficient
        system.append(row)
    base = _rank(system)
    out = set()
    for p, i in index.items():
        unit = [Fraction(0)] * len(unknowns)
        unit[i] = Fraction(1)
        if _rank([*system, unit]) == base:
            out.add(p)
    return out


def suppress(grid: Grid, k: int = 5) -> dict[Position, Reason]:
    """Which entries of the table with margins are withheld, and why."""
    n_rows, n_cols = grid.shape
    table = grid.with_margins()
    withheld: dict[Position, Reason] = {
        (r, c): Reason.primary
        for r, line in enumerate(table) for c, people in enumerate(line) if 0 < people < k}
    while True:
        exposed = sorted(derivable(list(withheld), n_rows, n_cols))
        if not exposed:
            return withheld
        r, c = exposed[0]
        candidates = [(table[r][j], (r, j)) for j in range(n_cols + 1) if (r, j) not in withheld]
        candidates += [(table[i][c], (i, c)) for i in range(n_rows + 1) if (i, c) not in withheld]
        # Withhold a cell before a margin, and the smallest non-zero first: it hides the least
        # while still hiding something (a withheld zero would bound its partner tightly).
        candidates.sort(key=lambda item: (item[1][0] == n_rows or item[1][1] == n_cols, item[0] == 0, item[0],
                                          item[1]))
        if not candidates:  # everything in its row and column is withheld already: widen
            candidates = [(table[i][j], (i, j)) for i in range(n_rows + 1) for j in range(n_cols + 1)
                          if (i, j) not in withheld]
            if not candidates:
                return withheld
        withheld[candidates[0][1]] = Reason.secondary
