"""The rules a new plan draft starts from, asked by the plan editor (they lived in the
window): how many months by default, what an added instalment is, how paused months are
written."""

from __future__ import annotations

from datetime import date

from workbench.errors import FieldError
from workbench.i18n import N_
from workbench.plans.model import PlanRow
from workbench.plans.schedule import due_dates

DEFAULT_MONTHS = 12  # with no budget to go by
LONGEST_DEFAULT = 60  # a longer term is possible, never suggested
NEW_ROW_AMOUNT = 100_00  # an added instalment, to be typed over


def default_months(total: int, capacity: int | None) -> int:
    """The arrears paid in whole months from what the budget leaves (at least one, at
    most five years); a year when there is no budget or nothing left."""
    if not capacity or capacity <= 0:
        return DEFAULT_MONTHS
    return min(LONGEST_DEFAULT, max(1, -(-total // capacity)))


def added_row(rows: list[PlanRow], due_day: int, today: date) -> PlanRow:
    """One more instalment: the month after the last one (or the first due date from
    today), of ``NEW_ROW_AMOUNT``."""
    due = due_dates(rows[-1].due_on, due_day, 2)[-1] if rows else \
        due_dates(today, due_day, 1)[0]
    return PlanRow(due, NEW_ROW_AMOUNT)


def parse_pause_months(text: str) -> frozenset[tuple[int, int]]:
    """"2027-07, 2027-12" (or 2027/07; commas or semicolons) as (year, month) pairs."""
    months = set()
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            year, month = (int(x) for x in part.replace("/", "-").split("-")[:2])
            if not 1 <= month <= 12 or not 2000 <= year <= 2100:
                raise ValueError(part)
        except ValueError:
            raise FieldError("pauses", N_("“{text}” is not a month; write it like 2027-07."),
                             text=part) from None
        months.add((year, month))
    return frozenset(months)
