from datetime import date

import pytest
from babel import Locale
from hypothesis import given
from hypothesis import strategies as st

from workbench.dates import DateError, parse_date
from workbench.i18n import format_date

LOCALES = [Locale.parse(c) for c in ("fi_FI", "sv_SE", "sv_FI", "da_DK", "en_GB")]


@pytest.mark.parametrize(("typed", "locale", "expected"), [
    ("21.11.2026", "fi_FI", date(2026, 11, 21)), ("1.2.1990", "fi_FI", date(1990, 2, 1)),
    ("2026-11-21", "sv_SE", date(2026, 11, 21)), ("21.11.2026", "sv_FI", date(2026, 11, 21)),
    ("21.11.2026", "da_DK", date(2026, 11, 21)), ("21/11/2026", "en_GB", date(2026, 11, 21)),
    ("2026-11-21", "en_GB", date(2026, 11, 21)), ("21.11.26", "fi_FI", date(2026, 11, 21)),
])
def test_dates_as_typed(typed, locale, expected):
    assert parse_date(typed, Locale.parse(locale)) == expected


@pytest.mark.parametrize("typed", ["31.2.2026", "abc", "", "12", "1.13.2026", "2026-11-21-1"])
def test_impossible_dates_get_a_message_with_an_example(typed):
    with pytest.raises(DateError) as raised:
        parse_date(typed, Locale.parse("fi_FI"))
    assert "Type it like" in raised.value.message()


@given(st.dates(date(1900, 1, 1), date(2099, 12, 31)), st.sampled_from(LOCALES))
def test_a_formatted_short_date_parses_back(day, locale):
    assert parse_date(format_date(day, locale, "yyyy-MM-dd"), locale) == day
    assert parse_date(format_date(day, locale, "short"), locale).replace(year=day.year) == day
