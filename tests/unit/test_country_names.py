"""Names that follow the organisation's country, not the language; kroner written clearly."""

from __future__ import annotations

import pytest

from workbench.agreements.service import _in_sentence
from workbench.cases.model import ConsentParty, ReferralSource
from workbench.i18n import format_money, locale_for
from workbench.labels import identity_label, label_in


@pytest.mark.parametrize(("country", "language", "expected"), [
    ("FI", "fi", "Kela"), ("FI", "sv", "FPA"), ("FI", "da", "Kela"),
    ("SE", "fi", "Försäkringskassan"), ("SE", "sv", "Försäkringskassan"),
    ("DK", "sv", "Udbetaling Danmark"), ("DK", "en", "Udbetaling Danmark"),
])
def test_the_benefits_office_is_named_as_in_the_country(country, language, expected):
    name = label_in(ConsentParty.BENEFITS_OFFICE, language, country)
    assert name == expected
    assert _in_sentence(name, ConsentParty.BENEFITS_OFFICE) == expected  # capitals kept


def test_ordinary_labels_are_lowercased_in_a_sentence_and_courts_follow_the_country():
    assert _in_sentence(label_in(ConsentParty.LANDLORD, "en", "FI"), ConsentParty.LANDLORD) \
        == "landlord"
    assert "Kronofogden" in label_in(ReferralSource.COURT_BAILIFF, "sv", "SE")
    assert "ulosotto" in label_in(ConsentParty.COURT_BAILIFF, "fi", "FI")
    assert "fogedretten" in label_in(ConsentParty.COURT_BAILIFF, "da", "DK")


@pytest.mark.parametrize(("country", "language", "expected"), [
    ("FI", "fi", "Henkilötunnus"), ("FI", "sv", "Personbeteckning"),
    ("SE", "sv", "Personnummer"), ("DK", "da", "CPR-nummer"), ("DK", "fi", "CPR-numero"),
])
def test_identity_numbers_are_labelled_as_the_country_calls_them(country, language,
                                                                   expected):
    assert identity_label(language=language, country=country) == expected
    assert identity_label(True, language, country).replace("&", "") == expected
    assert not (country == "FI" and "CPR" in identity_label(language="da", country="FI"))


def test_danish_kroner_read_dkk_in_swedish():
    assert format_money(123450, "DKK", locale_for("sv", "SE")) == "1\u00a0234,50\u00a0DKK"
    assert format_money(123450, "DKK", locale_for("da", "DK")) == "1.234,50\u00a0kr."
