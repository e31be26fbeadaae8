"""Amounts typed the way people type them, formatted the way each locale writes them."""

from __future__ import annotations

import pytest
from babel import Locale
from hypothesis import given
from hypothesis import strategies as st

from workbench.i18n import (
    LANGUAGES,
    _,
    format_amount,
    format_money,
    locale_for,
    set_language,
    translations_for,
)
from workbench.money import AmountError, NegativeAmount, TooManyDecimals, parse_money

FI, SV, DA, EN = (Locale.parse(code) for code in ("fi_FI", "sv_SE", "da_DK", "en_GB"))


@pytest.mark.parametrize(("typed", "locale", "minor"), [
    ("1 234,50", FI, 123450), ("1234,5", FI, 123450), ("1234.5", FI, 123450),
    ("1\u00a0234,50 €", FI, 123450), ("0,05", SV, 5), ("1 000", SV, 100000),
    ("1.234,50", DA, 123450), ("kr. 1.234,50", DA, 123450), ("12.50", DA, 1250),
    ("1,234.50", EN, 123450), ("  99 ", EN, 9900),
])
def test_amounts_in_each_locale(typed, locale, minor):
    assert parse_money(typed, locale) == minor


@pytest.mark.parametrize("typed", ["12,3,4", "abc", "", "1.234,50 €€", "1,2,3.4", "--5"])
def test_nonsense_is_refused_with_a_message(typed):
    with pytest.raises(AmountError) as raised:
        parse_money(typed, FI)
    assert raised.value.message()


def test_negative_and_sub_cent_amounts_are_refused():
    with pytest.raises(NegativeAmount):
        parse_money("-5", FI)
    with pytest.raises(TooManyDecimals):
        parse_money("0,005", FI)


@given(st.integers(0, 10**11), st.sampled_from([FI, SV, DA, EN]))
def test_a_formatted_amount_parses_back_to_the_same_minor_units(minor, locale):
    assert parse_money(format_amount(minor, locale), locale) == minor


def test_money_is_written_as_each_locale_writes_it():
    nbsp = "\u00a0"
    assert format_money(123450, "EUR", FI) == f"1{nbsp}234,50{nbsp}€"
    assert format_money(123450, "SEK", SV) == f"1{nbsp}234,50{nbsp}kr"
    assert format_money(123450, "DKK", DA) == f"1.234,50{nbsp}kr."
    assert locale_for("sv", "FI") == Locale.parse("sv_FI")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_loads_and_translates(language):
    assert translations_for(language).gettext("The passphrase is wrong.")
    set_language(language)
    translated = _("The passphrase is wrong.")
    if language != "en":
        assert translated != "The passphrase is wrong."
