"""Disclosure control: hide small counts, and enough others that none can be worked out.

Primary suppression hides every count from 1 to k−1 (zero is shown: it identifies nobody).
Secondary suppression then looks at the published totals as equations: while any hidden
value can be solved from them, one more cell is hidden — the smallest in the same row (or
column), else that row's total. "Can be solved" is exact linear algebra over the table's
equations, not a rule of thumb, so a pattern that a pair of totals would betray is caught
too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

MIN_THRESHOLD = 3
DEFAULT_THRESHOLD = 5

Cell = tuple[int, int]          # (row, column) of an inner cell
Margin = tuple[str, int]        # ("row", r), ("col", c) or ("all", 0)


@dataclass
class Grid:
    """Counts with optional row totals, column totals and a grand total."""

    values: list[list[int]]
    row_totals: bool = False
    column_totals: bool = False
    hidden: set[Cell] = field(default_factory=set)
    hidden_margins: set[Margin] = field(default_factory=set)

    @property
    def rows(self) -> int:
        return len(self.values)

    @property
    def columns(self) -> int:
        return len(self.values[0]) if self.values else 0

    def row_total(self, r: int) -> int:
        return sum(self.values[r])

    def column_total(self, c: int) -> int:
        return sum(row[c] for row in self.values)

    @property
    def grand_total(self) -> int:
        return sum(map(sum, self.values))

    def margins(self) -> dict[Margin, int]:
        """Every published total and its value."""
        found: dict[Margin, int] = {}
        if self.row_totals:
            found |= {("row", r): self.row_total(r) for r in range(self.rows)}
        if self.column_totals:
            found |= {("col", c): self.column_total(c) for c in range(self.columns)}
        if self.row_totals or self.column_totals:
            found[("all", 0)] = self.grand_total
        return found


def suppress(grid: Grid, k: int) -> Grid:
    """Apply primary and secondary suppression in place; returns the grid."""
    if k < MIN_THRESHOLD:
        raise ValueError(f"the threshold may not be below {MIN_THRESHOLD}")
    small = range(1, k)
    grid.hidden |= {(r, c) for r in range(grid.rows) for c in range(grid.columns)
                    if grid.values[r][c] in small}
    grid.hidden_margins |= {m for m, value in grid.margins().items() if value in small}
    while True:
        exposed = solvable(grid)
        if not exposed:
            return grid
        if not _hide_one_more(grid, exposed[0]):
            return grid  # nothing left to hide: every cell and total already is


def solvable(grid: Grid) -> list[Cell | Margin]:
    """Hidden values that the published totals pin down exactly."""
    unknowns = sorted(grid.hidden) + sorted(grid.hidden_margins)
    if not unknowns or not grid.margins():
        return []
    index = {u: n for n, u in enumerate(unknowns)}
    equations = _equations(grid, index)
    if not equations:
        return []
    # In reduced row echelon form a value is pinned down exactly when some row has no
    # other non-zero entry: that row reads "this value = a number".
    determined = {next(n for n, x in enumerate(row) if x) for row in _rref(equations)
                  if sum(1 for x in row if x) == 1}
    return [unknown for unknown, n in index.items() if n in determined]


def _equations(grid: Grid, index: dict) -> list[list[int]]:
    """One equation per published total, over the hidden values only."""
    size = len(index)
    equations = []
    lines = []
    if grid.row_totals:
        lines += [(("row", r), [(r, c) for c in range(grid.columns)]) for r in range(grid.rows)]
    if grid.column_totals:
        lines += [(("col", c), [(r, c) for r in range(grid.rows)])
                  for c in range(grid.columns)]
    for margin, cells in lines:
        equation = [0] * size
        for cell in cells:
            if cell in index:
                equation[index[cell]] += 1
        if margin in index:
            equation[index[margin]] -= 1
        if any(equation):
            equations.append(equation)
    # The grand total equals the sum of the row totals (and of the column totals).
    for kind, count in (("row", grid.rows if grid.row_totals else 0),
                        ("col", grid.columns if grid.column_totals else 0)):
        if not count:
            continue
        equation = [0] * size
        for n in range(count):
            if (kind, n) in index:
                equation[index[(kind, n)]] += 1
        if ("all", 0) in index:
            equation[index[("all", 0)]] -= 1
        if any(equation):
            equations.append(equation)
    return equations


def _rref(matrix: list[list[int]]) -> list[list[Fraction]]:
    """Reduced row echelon form, exactly (fractions), without zero rows."""
    rows = [[Fraction(x) for x in row] for row in matrix]
    rank, columns = 0, len(rows[0]) if rows else 0
    for column in range(columns):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        lead = rows[rank][column]
        rows[rank] = [x / lead for x in rows[rank]]
        for r in range(len(rows)):
            if r != rank and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rows[:rank]


def _hide_one_more(grid: Grid, exposed: Cell | Margin) -> bool:
    """Hide one more value so that ``exposed`` (and as much else as possible) can no longer
    be solved: of the values on its lines, the one that leaves the fewest values solvable,
    the smallest count among equals. Looking one step ahead keeps the table readable, where
    a plain "hide the smallest" rule cascades until nearly everything is hidden."""
    candidates = _candidates(grid, exposed)
    if not candidates:
        return False

    def cost(candidate) -> tuple[int, int, int]:
        _hide(grid, candidate, True)
        left = len(solvable(grid))
        _hide(grid, candidate, False)
        is_margin = isinstance(candidate[0], str)
        value = 0 if is_margin else grid.values[candidate[0]][candidate[1]]
        return left, int(is_margin), value

    _hide(grid, min(candidates, key=cost), True)
    return True


def _candidates(grid: Grid, exposed: Cell | Margin) -> list[Cell | Margin]:
    if isinstance(exposed[0], str):  # an exposed total: its cells, or the totals beside it
        kind, n = exposed
        cells = ([(n, c) for c in range(grid.columns)] if kind == "row" else
                 [(r, n) for r in range(grid.rows)] if kind == "col" else
                 [(r, c) for r in range(grid.rows) for c in range(grid.columns)])
        margins = [m for m in grid.margins() if m != exposed
                   and (m[0] == kind or m[0] == "all" or kind == "all")]
    else:
        r, c = exposed
        cells = ([(r, x) for x in range(grid.columns)] if grid.row_totals else []) + \
                ([(y, c) for y in range(grid.rows)] if grid.column_totals else [])
        margins = [("row", r), ("col", c), ("all", 0)]
    published = grid.margins()
    positive = [cell for cell in cells if cell not in grid.hidden
                and grid.values[cell[0]][cell[1]] > 0]
    if positive:
        return positive
    totals = [m for m in margins if m in published and m not in grid.hidden_margins
              and published[m] > 0]
    if totals:
        return totals
    # Only zeros are left on the line: hiding one of them still breaks the equation.
    return [cell for cell in cells if cell not in grid.hidden]


def _hide(grid: Grid, value: Cell | Margin, hide: bool) -> None:
    target = grid.hidden_margins if isinstance(value[0], str) else grid.hidden
    if hide:
        target.add(value)
    else:
        target.discard(value)
