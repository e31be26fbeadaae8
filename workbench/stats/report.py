"""A statistics report: the suppressed tables with everything an export needs to show.

Suppression is applied here, once, before any format is written, so CSV, XLSX and PDF can
only ever show the same protected figures.
"""

from __future__ import annotations

import dataclasses
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


def protect(tables: list[StatTable], k: int) -> list[StatTable]:
    """Copies of the tables with primary and secondary suppression applied (the audit
    against everything published then hides more where it must: service.audited)."""
    protected = []
    for table in tables:
        grid = dataclasses.replace(table.grid, hidden=set(), hidden_margins=set())
        protected.append(dataclasses.replace(table, grid=suppress(grid, k)))
    return protected


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
