"""Reporting periods: a quarter, the year to date, or any range of days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from workbench.errors import ValidationError
from workbench.i18n import N_

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")


class BadPeriod(ValidationError):
    # Translators: {text} is what was typed, e.g. "2026Q5".
    template = N_("“{text}” is not a quarter; write it like 2026Q3.")


class NotWholeQuarters(ValidationError):
    template = N_("Statistics cover whole quarters: start on the first day of a quarter and "
                  "end on the last day of one (e.g. 2026-01-01 to 2026-06-30).")


class EmptyPeriod(ValidationError):
    template = N_("The period must end on or after the day it starts.")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise EmptyPeriod()

    def quarters(self) -> list[Period]:
        """The quarters the period consists of; refused unless it is whole quarters.

        Publishing only whole quarters, and hiding in a longer period what a single quarter
        hides (see the statistics service), keeps one report from being subtracted from
        another to reveal a hidden count.
        """
        first = quarter_period(self.start.year, (self.start.month - 1) // 3 + 1)
        last = quarter_period(self.end.year, (self.end.month - 1) // 3 + 1)
        if first.start != self.start or last.end != self.end:
            raise NotWholeQuarters()
        found, year, quarter = [], first.start.year, (first.start.month - 1) // 3 + 1
        while True:
            found.append(quarter_period(year, quarter))
            if found[-1].end >= self.end:
                return found
            year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)

    @property
    def name(self) -> str:
        quarter = (self.start.month - 1) // 3 + 1
        if (self.start == quarter_period(self.start.year, quarter).start
                and self.end == quarter_period(self.start.year, quarter).end):
            return f"{self.start.year}Q{quarter}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def quarter_period(year: int, quarter: int) -> Period:
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = (date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)) \
        - timedelta(days=1)
    return Period(start, end)


def parse_quarter(text: str) -> Period:
    match = _QUARTER.match(text)
    if not match or not 2000 <= int(match[1]) <= 2100:
        raise BadPeriod(text=text)
    return quarter_period(int(match[1]), int(match[2]))


def year_to_date(today: date) -> Period:
    """From January to the end of the current quarter (whole quarters, see ``quarters``)."""
    return Period(date(today.year, 1, 1), current_quarter(today).end)


def current_quarter(today: date) -> Period:
    return quarter_period(today.year, (today.month - 1) // 3 + 1)
