"""The release register, kept in the statistics facts store (so a project lead's exports
count too): what each export published, and each period's tables frozen as first published.

Freezing is what makes the register sound: a period exported again, in another language,
format or threshold, shows the same underlying figures; a longer period adds up the frozen
figures of its quarters. Cases entered late therefore never show up as the difference of
two exports. (They count from the next unpublished quarter on.)
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

from workbench.stats.disclosure import PublishedTable, Release, item_ids
from workbench.stats.facts import quarter_number
from workbench.stats.period import Period
from workbench.stats.suppression import Grid
from workbench.stats.tables import StatTable, name_partners, partner_rows
from workbench.store.database import Database


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dump(tables: list[StatTable]) -> str:
    out = []
    for table in tables:
        entry = {"key": table.key, "values": table.grid.values,
                 "row_totals": table.grid.row_totals,
                 "column_totals": table.grid.column_totals,
                 "figures": [[f.value, f.count] for f in table.figures]}
        if table.partners is not None:
            entry["partners"] = table.partners
        out.append(entry)
    return json.dumps(out, ensure_ascii=False)


def frozen(db: Database, period: Period, template: list[StatTable]) -> list[StatTable] | None:
    """The period's tables as first published, laid over freshly built ``template``
    tables (which give labels and definitions), or None if never published."""
    text = db.scalar("SELECT tables FROM f_frozen WHERE period = ?", (period.name,))
    if text is None:
        return None
    by_key = {entry["key"]: entry for entry in json.loads(text)}
    tables = []
    for table in template:
        entry = by_key.get(table.key)
        if entry is None:
            tables.append(table)
            continue
        rows = table.rows
        if "partners" in entry:
            rows = partner_rows(entry["partners"])
        figures = [dataclasses.replace(f, value=v, count=c)
                   for f, (v, c) in zip(table.figures, entry["figures"], strict=False)]
        tables.append(dataclasses.replace(
            table, rows=rows, partners=entry.get("partners"), figures=figures,
            grid=Grid([list(row) for row in entry["values"]], entry["row_totals"],
                      entry["column_totals"])))
    return tables


def is_frozen(db: Database, period: Period) -> bool:
    return db.one("SELECT 1 FROM f_frozen WHERE period = ?", (period.name,)) is not None


def freeze(db: Database, period: Period, tables: list[StatTable]) -> None:
    db.execute("INSERT OR IGNORE INTO f_frozen (period, tables, at) VALUES (?, ?, ?)",
               (period.name, _dump(tables), _now()))


def published_table(table: StatTable) -> PublishedTable:
    """A protected table as the auditor sees it: shown values, marks, and the truth."""
    grid = table.grid
    published = PublishedTable(table.key, grid.rows, grid.columns, grid.row_totals,
                               grid.column_totals, {},
                               layout=tuple(name for name, _n in table.partners or ()))
    for item in item_ids(published):
        truth = sum(grid.values[r][c] for r, c in published.members(item))
        published.truth[item] = truth
        hidden = (_margin(item) in grid.hidden_margins if not item.startswith("c:")
                  else tuple(published.members(item)[0]) in grid.hidden)
        published.items[item] = None if hidden else truth
    return published


def _margin(item: str) -> tuple[str, int]:
    if item == "all":
        return ("all", 0)
    kind, number = item.split(":")
    return (kind, int(number))


def release_of(period: Period, tables: list[StatTable], k: int | None = None) -> Release:
    quarters = tuple(quarter_number(q.start) for q in period.quarters())
    return Release(quarters, {t.key: published_table(t) for t in tables}, period.name, k)


def record(db: Database, period: Period, threshold: int, fmt: str, language: str,
           actor: str, tables: list[StatTable]) -> None:
    """Enter an export in the register (inside the export's audited action)."""
    quarters = [quarter_number(q.start) for q in period.quarters()]
    release_id = db.execute(
        "INSERT INTO f_releases (period, first_q, last_q, threshold, format, language, "
        "actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (period.name, quarters[0], quarters[-1], threshold, fmt, language, actor,
         _now())).lastrowid
    rows = []
    for table in tables:
        published = published_table(table)
        rows += [(release_id, table.key, item, value)
                 for item, value in published.items.items()]
        rows += [(release_id, table.key, f"fig:{n}", figure.value)
                 for n, figure in enumerate(table.figures)]
    db.executemany("INSERT INTO f_release_items (release_id, table_key, item, value) "
                   "VALUES (?, ?, ?, ?)", rows)


def releases(db: Database, template_for) -> list[tuple[Release, dict[str, list]]]:
    """Every earlier export as the auditor sees it, with its published money figures.
    ``template_for(period)`` gives the period's frozen tables (for shapes and truth)."""
    found = []
    for release_id, name, first, last, threshold in db.all(
            "SELECT id, period, first_q, last_q, threshold FROM f_releases ORDER BY id"):
        period = _period_of(first, last)
        # The tables as this export showed them: its threshold decided which partners
        # were named, so its rows line up with what it published.
        tables = {t.key: name_partners(t, threshold) for t in template_for(period)}
        items: dict[str, dict[str, int | None]] = {}
        figures: dict[str, list] = {}
        for key, item, value in db.all("SELECT table_key, item, value FROM f_release_items "
                                       "WHERE release_id = ?", (release_id,)):
            if item.startswith("fig:"):
                figures.setdefault(key, []).append((int(item[4:]), value))
            else:
                items.setdefault(key, {})[item] = value
        published = {}
        for key, values in items.items():
            if key not in tables:
                continue
            table = published_table(tables[key])
            table.items = {item: values.get(item) for item in table.items if item in values}
            published[key] = table
        quarters = tuple(range(first, last + 1))
        found.append((Release(quarters, published, name, threshold), figures))
    return found


def _period_of(first: int, last: int) -> Period:
    from workbench.stats.period import quarter_period

    start = quarter_period(first // 4, first % 4 + 1)
    end = quarter_period(last // 4, last % 4 + 1)
    return Period(start.start, end.end)
