"""Dates typed the way people type them: the locale's short form, or ISO."""

from __future__ import annotations

import re
from datetime import date

from babel import Locale
from babel.dates import get_date_format

from workbench.errors import ValidationError
from workbench.i18n import N_, locale_for

_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_THREE_NUMBERS = re.compile(
    r"^([0-9]{1,4})\s*[./\-]\s*([0-9]{1,2})\s*[./\-]\s*([0-9]{1,4})\.?$")
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


class DateError(ValidationError):
    # Translators: {text} is what was typed, {example} today's date written the expected way.
    template = N_("“{text}” is not a date. Type it like {example}.")


def _order(locale: Locale) -> str:
    """The order of day, month and year in the locale's short date, e.g. "dmy"."""
    pattern = get_date_format("short", locale=locale).pattern
    return "".join(ch for ch in dict.fromkeys(c.lower() for c in pattern if c in "dMy"))


def parse_date(text: str, locale: Locale | None = None) -> date:
    """Parse ``21.11.2026`` (fi, da), ``2026-11-21`` (sv, ISO), ``21/11/2026`` (en_GB)."""
    locale = locale or locale_for()
    cleaned = text.strip()
    example = example_date(locale)
    iso = _ISO.match(cleaned)
    try:
        if iso:
            return _sane(date(int(iso[1]), int(iso[2]), int(iso[3])))
        numbers = _THREE_NUMBERS.match(cleaned)
        if numbers:
            order = _order(locale)
            if order.startswith("y") and len(numbers[3]) == 4:
                order = "dmy"  # 21.11.2026 is unambiguous even where ISO order is usual
            parts = dict(zip(order, (numbers[1], numbers[2], numbers[3]), strict=False))
            if len(parts) == 3 and len(parts["y"]) in (2, 4) and len(parts["d"]) <= 2:
                return _sane(date(_full_year(parts["y"]), int(parts["m"]), int(parts["d"])))
    except ValueError:
        pass
    raise DateError(text=text, example=example)


def _sane(day: date) -> date:
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise ValueError("a year no case work happens in")
    return day


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) <= 2:
        # Two digits: this century unless that would be more than ten years ahead.
        this_year = date.today().year
        year += 2000 if 2000 + year <= this_year + 10 else 1900
    return year


def example_date(locale: Locale | None = None) -> str:
    from workbench.i18n import format_date

    return format_date(date.today(), locale or locale_for(), "short")
