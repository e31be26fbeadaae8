"""The instalment schedule of a payment plan: pure functions, no store, no clock.

Rules advisors and landlords expect:
- instalments are whole currency units; what does not divide goes in the last one, so the
  instalments always add up to the arrears exactly;
- each falls on the due day of its month, or the month's last day when the month is
  shorter (a 31st is 30 April, 28 or 29 February);
- paused months (a holiday month, a month with a large bill) are skipped.
"""

from __future__ import annotations

import calendar
import dataclasses
from dataclasses import dataclass
from datetime import date

from workbench.errors import FieldError
from workbench.i18n import N_

UNIT = 100  # minor units per whole currency unit
MAX_INSTALMENTS = 600  # fifty years: anything longer is a typing slip


@dataclass(frozen=True)
class Instalment:
    due: date
    amount: int  # minor units


@dataclass(frozen=True)
class PlanTerms:
    """What the advisor and the resident agree on."""

    total: int                      # arrears to repay, minor units
    start: date                     # the first instalment is due on or after this date
    due_day: int                    # 1-31
    instalment: int | None = None   # a fixed instalment (minor units, whole units) …
    months: int | None = None       # … or the number of instalments
    pause_months: frozenset[tuple[int, int]] = frozenset()  # (year, month) without a payment


def due_date(year: int, month: int, due_day: int) -> date:
    """The due day in a month, or the month's last day if the month is shorter."""
    return date(year, month, min(due_day, calendar.monthrange(year, month)[1]))


def due_dates(start: date, due_day: int, count: int,
              pause_months: frozenset[tuple[int, int]] = frozenset()) -> list[date]:
    """``count`` due dates from ``start`` on, one a month, skipping paused months."""
    dates: list[date] = []
    year, month = start.year, start.month
    if due_date(year, month, due_day) < start:
        year, month = _next_month(year, month)
    while len(dates) < count:
        if (year, month) not in pause_months:
            dates.append(due_date(year, month, due_day))
        year, month = _next_month(year, month)
        if year > start.year + MAX_INSTALMENTS // 12 + 50:
            raise _error("pause_months", N_("Every month is paused; leave some months to pay."))
    return dates


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def amounts(total: int, instalment: int | None = None, months: int | None = None) -> list[int]:
    """Instalment amounts in whole units with the remainder in the last one; they add up
    to ``total`` exactly."""
    if total <= 0:
        raise _error("total", N_("The amount to repay must be more than zero."))
    if (instalment is None) == (months is None):
        raise _error("instalment", N_("Give either the instalment or the number of months."))
    if months is not None:
        if not 1 <= months <= MAX_INSTALMENTS:
            raise _error("months", N_("The number of months must be between 1 and {max}."),
                         max=MAX_INSTALMENTS)
        whole = (total // months) // UNIT * UNIT
        if whole == 0 and months > 1:
            raise _error("months", N_("That is less than one currency unit a month; choose at "
                                      "most {max} months."), max=max(1, total // UNIT))
        if whole == 0:
            return [total]
        return [whole] * (months - 1) + [total - whole * (months - 1)]
    if instalment <= 0:
        raise _error("instalment", N_("The instalment must be more than zero."))
    if instalment % UNIT:
        raise _error("instalment", N_("Instalments are whole currency units (no cents)."))
    count = -(-total // instalment)
    if count > MAX_INSTALMENTS:
        raise _error("instalment", N_("That instalment would take more than {max} months; "
                                      "raise it."), max=MAX_INSTALMENTS)
    return [instalment] * (count - 1) + [total - instalment * (count - 1)]


def build_schedule(terms: PlanTerms) -> list[Instalment]:
    if not 1 <= terms.due_day <= 31:
        raise _error("due_day", N_("The due day must be between 1 and 31."))
    sums = amounts(terms.total, terms.instalment, terms.months)
    dates = due_dates(terms.start, terms.due_day, len(sums), terms.pause_months)
    return [Instalment(day, amount) for day, amount in zip(dates, sums, strict=True)]


def rebalance(instalments: list, total: int, from_index: int) -> list:
    """Spread the difference between ``total`` and the schedule's sum over the instalments
    from ``from_index`` on (whole units each, the remainder in the last); earlier ones stay.
    """
    fixed = instalments[:from_index]
    rest = instalments[from_index:]
    if not rest:
        raise _error("rows", N_("There are no instalments left to spread the difference over."))
    remaining = total - sum(item.amount for item in fixed)
    if remaining <= 0:
        raise _error("rows", N_("The earlier instalments already cover the whole amount."))
    if remaining < len(rest) * UNIT:
        raise _error("rows", N_("Too little is left to spread over {count} instalments; "
                                "remove some of them first."), count=len(rest))
    spread = amounts(remaining, months=len(rest))
    # Works for any row type with an ``amount`` (Instalment here, the editor's PlanRow).
    return fixed + [dataclasses.replace(item, amount=amount)
                    for item, amount in zip(rest, spread, strict=True)]


def _error(field: str, template: str, **values) -> FieldError:
    return FieldError(field, template, **values)
