"""Statistics actions: make a report for a period and export it; every export is audited
(who, when, period, format — never a figure)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from workbench.errors import ValidationError
from workbench.i18n import LANGUAGES, N_
from workbench.session import Role, Session
from workbench.stats import disclosure, register
from workbench.stats.disclosure import Release
from workbench.stats.facts import quarter_number
from workbench.stats.period import Period, quarter_period
from workbench.stats.report import Report, protect
from workbench.stats.suppression import DEFAULT_THRESHOLD, MIN_THRESHOLD
from workbench.stats.tables import StatTable, build_tables, name_partners
from workbench.store.files import os_errors_as_user_errors, write_atomically

FORMATS = ("csv", "xlsx", "pdf")
MAX_THRESHOLD = 1000
MAX_ROUNDS = 400


class ThresholdTooLow(ValidationError):
    template = N_("The threshold for small numbers must be at least {min}.")


class ThresholdTooHigh(ValidationError):
    template = N_("The threshold for small numbers can be at most {max}.")


class PeriodNotEnded(ValidationError):
    template = N_("Statistics are published for periods that have ended; this one has not.")


class PeriodNotPublishable(ValidationError):
    template = N_("Statistics are published for a quarter, the year to date or a whole "
                  "year; a range across years or starting mid-year is not offered.")


class AuditFailed(ValidationError):
    template = N_("These figures cannot be published without revealing a small number, "
                  "together with what was published before. Nothing was written.")


class StatsService:
    def __init__(self, session: Session) -> None:
        self.session = session
        session.require_any((Role.LEAD, Role.ADVISOR, Role.ADMIN), N_("see statistics"))

    def threshold(self) -> int:
        """The organisation's k, from the signed roster (no database edit can lower it)."""
        value = self.session.policy.get("stats_threshold", DEFAULT_THRESHOLD)
        return max(MIN_THRESHOLD, int(value))

    def set_threshold(self, k: int) -> None:
        from workbench.users import UserService

        self.session.require(Role.ADMIN, N_("change the organisation's settings"))
        if k < MIN_THRESHOLD:
            raise ThresholdTooLow(min=MIN_THRESHOLD)
        if k > MAX_THRESHOLD:
            raise ThresholdTooHigh(max=MAX_THRESHOLD)
        UserService(self.session).set_policy(stats_threshold=k)

    def report(self, period: Period, threshold: int | None = None,
               today: date | None = None) -> Report:
        """The protected tables for the period: suppression applied, then audited with
        everything already published (see ``disclosure.py``) and hidden further until
        the audit passes."""
        k = self.threshold() if threshold is None else threshold
        if k < MIN_THRESHOLD:
            raise ThresholdTooLow(min=MIN_THRESHOLD)
        if k > MAX_THRESHOLD:
            raise ThresholdTooHigh(max=MAX_THRESHOLD)
        if k < self.threshold():  # showing smaller numbers than the organisation allows
            self.session.require(Role.ADMIN, N_("lower the threshold for small numbers"))
        today = today or date.today()
        check_publishable(period, today)
        self._forget_if_changed()
        organisation = self.session.organisation
        truth = [name_partners(table, k) for table in self._truth(period)]
        earlier = self._same_year_releases(period)
        protected = protect(truth, k)
        for release, _f in earlier:  # what an earlier export of this period hid stays hidden
            if release.label == period.name:
                protected = [_hidden_as(table, release) for table in protected]
        protected = self._audited(protected, period, k, earlier)
        protected = self._money(protected, period, k, earlier)
        return Report(organisation.name, organisation.currency, period, today, k, protected)

    def export(self, report: Report, fmt: str, language: str, target: Path) -> Path:
        """Write the report for ``report``'s period and threshold, made again inside the
        export's action so that what is written is audited against the register as it
        stands, and enter it in the register."""
        if fmt not in FORMATS or language not in LANGUAGES:
            raise ValidationError(N_("Choose CSV, XLSX or PDF and one of the four languages."))
        db = self.session.facts_db
        with (self.session.action(f"stats.export.{fmt}",
                                  f"stats:{report.period.name}:k{report.threshold}"),
              os_errors_as_user_errors(target)):
            fresh = self.report(report.period, report.threshold, report.generated_on)
            from workbench.stats import export  # (loads reportlab and openpyxl when asked)

            content = getattr(export, f"to_{fmt}")(fresh, language)
            for quarter in [*report.period.quarters(), report.period]:
                register.freeze(db, quarter, self._truth(quarter))
            register.record(db, fresh.period, fresh.threshold, fmt, language,
                            self.session.user.name, fresh.tables)
            write_atomically(Path(target), content)
        return Path(target)

    # --- the figures, frozen once published ------------------------------------------------

    def _forget_if_changed(self) -> None:
        """Counted tables are kept while the facts stand still (no action since): a
        preview and the exports that follow count once."""
        schema = "facts" if self.session.db is not None else "main"
        # This session's changes to the facts (its generation) and other programs' commits
        # to them (SQLite's data_version); exports themselves change no fact.
        state = (self.session.facts_generation,
                 self.session.facts_db.scalar(f"PRAGMA {schema}.data_version"))
        if getattr(self, "_truths_at", None) != state:
            self._truths, self._truths_at = {}, state

    def _truth(self, period: Period) -> list[StatTable]:
        """The period's tables before suppression: as frozen when first published, else
        counted now, a longer period's additive cells summed from its quarters."""
        cache = getattr(self, "_truths", None)
        if cache is None:
            cache = self._truths = {}
        if period.name not in cache:
            cache[period.name] = self._count(period)
        return [dataclasses.replace(table, grid=dataclasses.replace(
                    table.grid, values=[list(row) for row in table.grid.values],
                    hidden=set(), hidden_margins=set()))
                for table in cache[period.name]]

    def _count(self, period: Period) -> list[StatTable]:
        if register.is_frozen(self.session.facts_db, period):
            # Published before: its figures are in the register; only labels are needed,
            # and they are the same for every period (taken from an empty one, cheaply).
            return register.frozen(self.session.facts_db, period, self._labels())
        template = build_tables(self.session, period)
        quarters = period.quarters()
        if len(quarters) == 1:
            return template
        parts = [self._truth(quarter) for quarter in quarters]
        return [sum_additive(table, [part[n] for part in parts])
                for n, table in enumerate(template)]

    def _labels(self) -> list[StatTable]:
        if getattr(self, "_label_tables", None) is None:
            self._label_tables = build_tables(self.session, quarter_period(1900, 1))
        return self._label_tables

    def _same_year_releases(self, period: Period) -> list[tuple[Release, dict]]:
        """Earlier exports that an attacker could combine with this one: periods are kept
        within one year, so only that year's."""
        year = period.start.year
        return [(release, figures) for release, figures in
                register.releases(self.session.facts_db, self._truth)
                if release.quarters[0] // 4 == year]

    def _derived(self, period: Period, earlier) -> dict[int, dict]:
        quarters = {q for release, _f in earlier for q in release.quarters}
        quarters |= {quarter_number(q.start) for q in period.quarters()}
        out = {}
        for number in sorted(quarters):
            quarter = quarter_period(number // 4, number % 4 + 1)
            out[number] = {t.key: register.published_table(t) for t in self._truth(quarter)}
        return out

    def _audited(self, tables: list[StatTable], period: Period, k: int,
                 earlier) -> list[StatTable]:
        return audited(tables, period, k, [release for release, _f in earlier],
                       self._derived(period, earlier))

    def _money(self, tables: list[StatTable], period: Period, k: int,
               earlier) -> list[StatTable]:
        """A money figure is published only over k households or more, and a sum only if
        no combination with earlier exports isolates fewer than k households."""
        out = []
        for table in tables:
            figures = []
            for n, figure in enumerate(table.figures):
                allowed = figure.value is not None and figure.count >= k
                if allowed and figure.additive:
                    periods = [release.quarters for release, published in earlier
                               if any(i == n and v is not None
                                      for i, v in published.get(table.key, []))]
                    periods.append(tuple(quarter_number(q.start) for q in period.quarters()))
                    counts = {number: self._count_in(number, table.key, n)
                              for p in periods for number in p}
                    allowed = not disclosure.determinable_counts(periods, counts, k)
                figures.append(dataclasses.replace(figure,
                                                   value=figure.value if allowed else None))
            out.append(dataclasses.replace(table, figures=figures))
        return out

    def _count_in(self, quarter: int, key: str, n: int) -> int:
        tables = self._truth(quarter_period(quarter // 4, quarter % 4 + 1))
        return next(t.figures[n].count for t in tables if t.key == key)


def audited(tables: list[StatTable], period: Period, k: int, earlier: list[Release],
            derived: dict[int, dict]) -> list[StatTable]:
    """Hide more of ``tables`` until the audit of everything published before together
    with them finds nothing; refuse when no amount of hiding would do."""
    for _round in range(MAX_ROUNDS):
        findings = disclosure.audit([*earlier, register.release_of(period, tables, k)], k,
                                    derived)
        if not findings:
            return tables
        # One more hide for each finding this round (a finding fixed by an earlier hide of
        # the round costs one extra hidden value at most; the next audit checks them all).
        hid = [hide_more(tables, finding) for finding in _distinct(findings)]
        if not any(hid):
            raise AuditFailed()
    raise AuditFailed()


def _hidden_as(table: StatTable, release: Release) -> StatTable:
    """``table`` with the values ``release`` hid hidden too."""
    published = release.tables.get(table.key)
    if published is None or published.layout != _layout(table):
        return table  # another threshold names other partners: rows do not line up
    grid = dataclasses.replace(table.grid, hidden=set(table.grid.hidden),
                               hidden_margins=set(table.grid.hidden_margins))
    for item, value in published.items.items():
        if value is not None:
            continue
        if item.startswith("c:"):
            _c, r, c = item.split(":")
            grid.hidden.add((int(r), int(c)))
        else:
            grid.hidden_margins.add(("all", 0) if item == "all" else
                                    (item.split(":")[0], int(item.split(":")[1])))
    return dataclasses.replace(table, grid=grid)


def _layout(table: StatTable) -> tuple:
    return tuple(name for name, _households in table.partners or ())


def _distinct(findings: list[disclosure.Finding]) -> list[disclosure.Finding]:
    """One finding per table and item: the same hidden value in several releases needs
    one more hide, not several."""
    seen, out = set(), []
    for finding in findings:
        if (finding.table, finding.item) not in seen:
            seen.add((finding.table, finding.item))
            out.append(finding)
    return out


def check_publishable(period: Period, today: date) -> None:
    """Only ended quarters, the year to date (whole ended quarters from January) and whole
    years are published: figures that never change once out, and few enough kinds of
    period that the release register stays small and every combination can be audited."""
    quarters = period.quarters()  # refuses anything but whole quarters
    if period.end >= today:
        raise PeriodNotEnded()
    if len(quarters) > 1 and (period.start.month != 1
                              or period.start.year != period.end.year):
        raise PeriodNotPublishable()


def sum_additive(table: StatTable, parts: list[StatTable]) -> StatTable:
    """``table`` (counted for a longer period) with every cell that adds up over quarters
    replaced by the sum of its quarters' frozen values."""
    additive = disclosure.ADDITIVE.get(table.key, lambda *_: False)
    values = [[sum(part.grid.values[r][c] for part in parts) if additive(r, c)
               else table.grid.values[r][c] for c in range(table.grid.columns)]
              for r in range(table.grid.rows)]
    figures = [dataclasses.replace(
        figure, value=sum(p.figures[n].value or 0 for p in parts),
        count=sum(p.figures[n].count for p in parts)) if figure.additive else figure
        for n, figure in enumerate(table.figures)]
    return dataclasses.replace(table, grid=dataclasses.replace(table.grid, values=values),
                               figures=figures)


def hide_more(tables: list[StatTable], finding: disclosure.Finding) -> bool:
    """Hide one more value of the report so that ``finding`` can no longer be worked out:
    the same value if shown, else the smallest shown value on its row or column, else any
    in its table or in a table it shares a total with."""
    by_key = {table.key: table for table in tables}
    linked = [key for group in disclosure.LINKS for key, _i in group
              if any(k == finding.table for k, _i in group)]
    for key in dict.fromkeys([finding.table, *linked]):
        table = by_key.get(key)
        if table is None:
            continue
        grid = table.grid
        r0, c0 = _position(finding.item)
        shown = [(r, c) for r in range(grid.rows) for c in range(grid.columns)
                 if (r, c) not in grid.hidden and grid.values[r][c] > 0]
        if key == finding.table and (r0, c0) in shown:
            grid.hidden.add((r0, c0))
            return True
        near = [x for x in shown if x[0] == r0 or x[1] == c0] if key == finding.table else []
        pool = near or shown
        if pool:
            grid.hidden.add(min(pool, key=lambda x: grid.values[x[0]][x[1]]))
            return True
        margins = [m for m, v in grid.margins().items()
                   if m not in grid.hidden_margins and v > 0]
        if margins:
            grid.hidden_margins.add(min(margins, key=lambda m: grid.margins()[m]))
            return True
    return False


def _position(item: str) -> tuple[int, int]:
    kind, *numbers = item.split(":") if item != "all" else ("all",)
    if kind == "c":
        return int(numbers[0]), int(numbers[1])
    if kind == "row":
        return int(numbers[0]), -1
    if kind == "col":
        return -1, int(numbers[0])
    return -1, -1
