"""The predefined statistics tables, counted in the store for a period.

Each table is a grid of counts (or money) with labels and a definition; nothing about a
single person leaves this module. Labels are N_-marked so every export can use its own
language.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from workbench.cases.model import Channel, LandlordKind, Outcome, Reason, ReferralSource
from workbench.i18n import (
    CURRENCY_BY_COUNTRY,
    N_,
    NP_,
    format_whole_money,
    locale_for,
    translations_for,
)
from workbench.labels import LABELS
from workbench.session import Session
from workbench.stats.facts import quarter_number
from workbench.stats.period import Period
from workbench.stats.suppression import Grid

Label = str | Callable[[str], str]  # an N_ string, or text made for an export's language


@dataclass
class Figure:
    """A single figure under a table (a median, a sum) and how many households it is over;
    the statistics service decides whether it may be published."""

    label: str
    value: int | None  # None once withheld (too few households, or could be differenced)
    unit: str = "money"
    count: int = 0
    additive: bool = False  # a sum (adds up over quarters), not a median


@dataclass
class StatTable:
    key: str
    title: str
    definition: str
    rows: list[Label]
    columns: list[Label]
    grid: Grid
    unit: str = "count"
    figures: list[Figure] = field(default_factory=list)
    partners: list[list] | None = None  # the referrals table: [name, households] per row


COUNTRY_BY_CURRENCY = {currency: country for country, currency in CURRENCY_BY_COUNTRY.items()}
HOUSEHOLD_TYPES = [N_("Single"), N_("Single parent"), N_("Couple without children"),
                   N_("Couple with children"), N_("Other household")]
AGE_BANDS = [N_("Under 25"), N_("25–34"), N_("35–49"), N_("50–64"), N_("65 and over"),
             N_("Age not known")]
PLAN_ROWS = [N_("Plans made"), N_("Plans active"), N_("Plans completed"), N_("Plans broken")]
# Arrears bands in major units of each currency: upper bounds (exclusive).
ARREARS_BANDS = {"EUR": [500, 2000, 5000, 10000], "SEK": [5000, 20000, 50000, 100000],
                 "DKK": [4000, 15000, 40000, 75000]}


def _labels(enum) -> list[str]:
    return [LABELS[enum][member] for member in enum]


def build_tables(session: Session, period: Period) -> list[StatTable]:
    """Every table for the period, before suppression, counted in the facts store — the
    same code and the same numbers whoever exports, an advisor or a project lead."""
    db = session.facts_db
    args = {"qs": quarter_number(period.start), "qe": quarter_number(period.end)}
    active = "opened_q <= :qe AND (closed_q IS NULL OR closed_q >= :qs)"
    opened = "opened_q BETWEEN :qs AND :qe"
    tables = []

    new, active_count, closed = db.one(
        f"SELECT sum({opened}), sum({active}), sum(closed_q BETWEEN :qs AND :qe) "
        "FROM f_cases", args)
    tables.append(StatTable(
        "households", N_("Households served"),
        N_("A household is served when its case is open on at least one day of the period; "
           "new cases were opened and closed cases closed within the period."),
        [N_("Households")], [_statistics(NP_("statistics", "New")),
                             _statistics(NP_("statistics", "Active")),
                             _statistics(NP_("statistics", "Closed"))],
        Grid([[new or 0, active_count or 0, closed or 0]])))

    tables.append(_by_code(
        "contacts", N_("Contacts by channel"),
        N_("Every logged phone call, e-mail, visit, service-point meeting, home visit and "
           "video call in the period, whatever the case's status."),
        Channel, dict(db.all("SELECT channel, sum(n) FROM f_contacts WHERE q BETWEEN :qs "
                             "AND :qe GROUP BY channel", args)), N_("Contacts")))
    tables.append(_by_code(
        "referral_source", N_("Referral source"),
        N_("Who referred the household, for cases opened in the period."), ReferralSource,
        dict(db.all(f"SELECT referral_source, count(*) FROM f_cases WHERE {opened} "
                    "GROUP BY referral_source", args)), N_("New cases")))

    reasons = Counter(code for (text,) in db.all(f"SELECT reasons FROM f_cases WHERE {opened}",
                                                 args) for code in text.split(",") if code)
    reason_table = _by_code(
        "reasons", N_("Reasons for contact"),
        N_("Reasons recorded for cases opened in the period; a case may have several, so "
           "the rows do not add up to the number of cases."), Reason, reasons, N_("Cases"))
    reason_table.grid.column_totals = False
    tables.append(reason_table)

    # Households served by type, age and landlord: one pass over the active cases.
    served = db.all(f"SELECT birth_year, household_type, coalesce(landlord_kind, 'none'), "
                    f"count(*) FROM f_cases WHERE {active} GROUP BY 1, 2, 3", args)
    tables.append(_household_by_age(served, period.end))
    landlords: Counter[str] = Counter()
    for _year, _kind, landlord, count in served:
        landlords[landlord] += count
    landlord_table = _by_code(
        "landlord_type", N_("Landlord type"),
        N_("The landlord of each household served in the period."), LandlordKind, landlords,
        N_("Households"), extra_row=(N_("Not recorded"), landlords.get("none", 0)))
    tables.append(landlord_table)
    tables.append(_arrears(db, opened, args, session.organisation.currency))

    outcome_table = _by_code(
        "outcomes", N_("Outcomes"),
        N_("Outcomes recorded in the period; a case may have several."), Outcome,
        dict(db.all("SELECT outcome, sum(n) FROM f_outcomes WHERE q BETWEEN :qs AND :qe "
                    "GROUP BY outcome", args)), N_("Cases"))
    outcome_table.grid.column_totals = False
    tables.append(outcome_table)
    tables.append(_plans(db, args, session.policy["broken_after"]))
    tables.append(_referrals(db, args))
    return tables


def _by_code(key: str, title: str, definition: str, enum, counts: dict, column: str,
             extra_row: tuple[str, int] | None = None) -> StatTable:
    rows = _labels(enum)
    values = [[counts.get(member.value, 0)] for member in enum]
    if extra_row:
        rows.append(extra_row[0])
        values.append([extra_row[1]])
    return StatTable(key, title, definition, rows, [column],
                     Grid(values, column_totals=True))


def age_band(birth_year: int | None, on: date) -> int:
    if birth_year is None:
        return 5
    age = on.year - birth_year
    for band, upper in enumerate((25, 35, 50, 65)):
        if age < upper:
            return band
    return 4


def _household_by_age(served, end: date) -> StatTable:
    values = [[0] * len(AGE_BANDS) for _ in HOUSEHOLD_TYPES]
    for birth_year, kind, _landlord, count in served:
        values[kind][age_band(birth_year, end)] += count
    return StatTable(
        "household_age", N_("Household type and age of the main resident"),
        N_("Households served in the period by who lives in them and the main resident's age "
           "at the end of the period."), list(HOUSEHOLD_TYPES), list(AGE_BANDS),
        Grid(values, row_totals=True, column_totals=True))


def _arrears(db, opened: str, args: dict, currency: str) -> StatTable:
    bounds = [b * 100 for b in ARREARS_BANDS.get(currency, ARREARS_BANDS["EUR"])]
    amounts = [row[0] for row in db.all(f"SELECT intake_arrears FROM f_cases WHERE {opened}",
                                        args)]
    counts = [0] * (len(bounds) + 1)
    for amount in amounts:
        counts[sum(1 for bound in bounds if amount >= bound)] += 1

    def band(n: int) -> Callable[[str], str]:
        # Whole amounts and no gaps: a band holds its lower bound and everything below the
        # next one ("500 € – under 2 000 €"). No "≥": the embedded font has no such glyph.
        def text(language: str) -> str:
            t = translations_for(language).gettext
            locale = locale_for(language, COUNTRY_BY_CURRENCY.get(currency))
            money = lambda v: format_whole_money(v, currency, locale)  # noqa: E731
            if n == 0:
                return t(N_("under {amount}")).format(amount=money(bounds[0]))
            if n == len(bounds):
                return t(N_("{amount} or more")).format(amount=money(bounds[-1]))
            return t(N_("{low} – under {high}")).format(low=money(bounds[n - 1]),
                                                        high=money(bounds[n]))
        return text

    median = int(statistics.median(amounts)) if amounts else None
    return StatTable(
        "arrears", N_("Rent arrears at intake"),
        N_("Rent arrears recorded when the case was opened, for cases opened in the period."),
        [band(n) for n in range(len(counts))], [N_("New cases")],
        Grid([[count] for count in counts], column_totals=True),
        figures=[Figure(N_("Median arrears at intake"), median, count=len(amounts))])


def _plans(db, args: dict, broken_after: int) -> StatTable:
    made, made_total = db.one(
        "SELECT count(*), coalesce(sum(total), 0) FROM f_plans WHERE revision = 1 AND "
        "created_q BETWEEN :qs AND :qe", args)
    # The plan in force at the end of the period, what had been paid on it by then, and how
    # many of its instalments were past their days of grace without being covered.
    rows = db.all(
        "WITH current AS MATERIALIZED (SELECT pid, total FROM (SELECT pid, total, "
        "row_number() OVER (PARTITION BY fid ORDER BY revision DESC) AS newest FROM f_plans "
        "WHERE created_q <= :qe) WHERE newest = 1), "
        "paid AS MATERIALIZED (SELECT pid, sum(amount) AS paid FROM f_plan_paid "
        "WHERE q <= :qe GROUP BY pid), "
        "earlier AS (SELECT pid, sum(amount) AS paid FROM f_plan_paid WHERE q < :qs "
        "GROUP BY pid), "
        # Instalments past their days of grace by the period's end and not covered by
        # what was paid by then, counted per plan in one pass.
        "missed AS (SELECT d.pid, count(*) AS n FROM f_plan_due d JOIN current c ON "
        "c.pid = d.pid LEFT JOIN paid p ON p.pid = d.pid WHERE d.missed_q <= :qe AND "
        "d.needed > coalesce(p.paid, 0) GROUP BY d.pid) "
        "SELECT c.total, coalesce(pd.paid, 0), coalesce(m.n, 0), coalesce(e.paid, 0) "
        "FROM current c LEFT JOIN paid pd ON pd.pid = c.pid LEFT JOIN missed m ON "
        "m.pid = c.pid LEFT JOIN earlier e ON e.pid = c.pid", args)
    # Completed within the period: fully paid by its end, not yet before it began.
    completed = sum(1 for total, paid, _missed, before in rows
                    if paid >= total > before)
    done_earlier = sum(1 for total, _paid, _missed, before in rows if before >= total)
    broken = sum(1 for total, paid, missed, _before in rows
                 if paid < total and missed >= broken_after)
    active_plans = len(rows) - completed - done_earlier - broken
    return StatTable(
        "plans", N_("Payment plans"),
        N_("Plans made in the period (first revision); plans completed (fully paid) within "
           "the period; and, for every plan in force at the end of the period and not yet "
           "paid, broken after the organisation's number of missed instalments, otherwise "
           "active."),
        list(PLAN_ROWS), [N_("Plans")], Grid([[made], [active_plans], [completed], [broken]]),
        figures=[Figure(N_("Arrears under plans made in the period"), made_total, count=made,
                        additive=True)])


def _referrals(db, args: dict) -> StatTable:
    # A partner can be named only once the organisation has referred at least its k
    # different households there (only then does the facts store hold the name); rarer
    # free text (which could name a person) is "other partners". ``name_partners`` then
    # folds into "other partners" every partner below the report's own k.
    counts: Counter[str] = Counter()
    households: dict[str, int] = {}
    for name, reached, count in db.all(
            "WITH reach AS (SELECT partner, count(DISTINCT fid) AS households FROM "
            "f_referrals GROUP BY partner) "
            "SELECT p.name, reach.households, sum(r.n) FROM f_referrals r JOIN reach ON "
            "reach.partner = r.partner LEFT JOIN f_partners p ON p.partner = r.partner "
            "WHERE r.q BETWEEN :qs AND :qe GROUP BY r.partner", args):
        counts[name or ""] += count
        if name:
            households[name] = reached
    named = sorted(households)
    return StatTable(
        "referrals", N_("Referrals to partners"),
        N_("Referrals made in the period, by the partner the household was referred to."),
        partner_rows(named), [N_("Referrals")],
        Grid([[counts[name]] for name in named] + [[counts[""]]], column_totals=True),
        partners=[[name, households[name]] for name in named])


def name_partners(table: StatTable, k: int) -> StatTable:
    """The referrals table as a report with threshold k shows it: partners reached by
    fewer than k households are counted under "other partners"."""
    if table.partners is None:
        return table
    kept = [(n, entry) for n, entry in enumerate(table.partners) if entry[1] >= k]
    other = table.grid.values[-1][0] + sum(
        table.grid.values[n][0] for n, entry in enumerate(table.partners) if entry[1] < k)
    values = [[table.grid.values[n][0]] for n, _entry in kept] + [[other]]
    return dataclasses.replace(
        table, rows=partner_rows([entry[0] for _n, entry in kept]),
        partners=[entry for _n, entry in kept],
        grid=Grid(values, column_totals=True))


def partner_rows(names: list[str]) -> list[Label]:
    return [_verbatim(name) for name in names] + [N_("Other partners")]


def _statistics(message: str) -> Callable[[str], str]:
    """A column heading in the statistics' own sense ("New" households, plural), apart
    from the same English word on a button or a case status."""
    return lambda language: translations_for(language).pgettext("statistics", message)


def _verbatim(text: str) -> Callable[[str], str]:
    return lambda _language: text
