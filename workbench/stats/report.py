"""A statistics report: the suppressed tables with everything an export needs to show.

Suppression is applied here, once, before any format is written, so CSV, XLSX and PDF can
only ever show the same protected figures.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from datetime import date

from workbench.i18n import translations_for
from workbench.stats.period import Period
from workbench.stats.suppression import suppress
from workbench.stats.tables import Label, StatTable


@dataclass(frozen=True)
class Value:
    """One figure as published: a number, or hidden (``<k``)."""

    number: int | None

    @property
    def hidden(self) -> bool:
        return self.number is None


@dataclass
class Report:
    organisation: str
    currency: str
    period: Period
    generated_on: date
    threshold: int
    tables: list[StatTable]

    def text(self, label: Label, language: str) -> str:
        return label(language) if callable(label) else translations_for(language).gettext(label)


def protect(tables: list[StatTable], k: int,
            forced: list[tuple[set, set]] | None = None) -> list[StatTable]:
    """Copies of the tables with primary and secondary suppression applied; ``forced``
    holds, per table, cells and totals to hide in any case (see ``hidden_alone``)."""
    protected = []
    for n, table in enumerate(tables):
        cells, margins = forced[n] if forced else (set(), set())
        grid = dataclasses.replace(table.grid, hidden=set(cells), hidden_margins=set(margins))
        protected.append(dataclasses.replace(table, grid=suppress(grid, k)))
    return protected


def hidden_alone(quarters: list[list[StatTable]]) -> list[tuple[set, set]]:
    """Per table, what exactly one of the quarters hides. A longer period showing such a
    value would, minus the other quarters' shown values, give the hidden one away."""
    result = []
    for n in range(len(quarters[0])):
        grids = [tables[n].grid for tables in quarters]
        cells = Counter(cell for grid in grids for cell in grid.hidden)
        margins = Counter(margin for grid in grids for margin in grid.hidden_margins)
        result.append(({c for c, times in cells.items() if times == 1},
                       {m for m, times in margins.items() if times == 1}))
    return result


def cell(table: StatTable, row: int, column: int) -> Value:
    grid = table.grid
    return Value(None if (row, column) in grid.hidden else grid.values[row][column])


def row_total(table: StatTable, row: int) -> Value:
    grid = table.grid
    return Value(None if ("row", row) in grid.hidden_margins else grid.row_total(row))


def column_total(table: StatTable, column: int) -> Value:
    grid = table.grid
    return Value(None if ("col", column) in grid.hidden_margins else grid.column_total(column))


def grand_total(table: StatTable) -> Value:
    grid = table.grid
    return Value(None if ("all", 0) in grid.hidden_margins else grid.grand_total)
