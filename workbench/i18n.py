"""Translations (gettext catalogs) and locale-aware formatting (babel).

One module holds the translation functions so every string goes through the same
catalogs. The catalogs are the ``.po`` files in ``translations/``, compiled in memory
the first time a language is used, so there is never a stale compiled file.
"""

from __future__ import annotations

import gettext
import io
import os
import threading
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.dates import format_time as _babel_format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

LANGUAGES: tuple[str, ...] = ("fi", "sv", "da", "en")
DEFAULT_LANGUAGE = "en"
DOMAIN = "workbench"

_state = threading.local()


def N_(message: str) -> str:
    """Mark a string for translation without translating it now."""
    return message


def NP_(context: str, message: str) -> str:
    """Mark a string with a context (``msgctxt``) for translation without translating it."""
    return message


@cache
def translations_for(language: str) -> gettext.NullTranslations:
    """The catalog of one language, compiled in memory from its ``.po`` file."""
    from workbench.paths import translations_dir

    po_path = translations_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language not in LANGUAGES or not po_path.is_file():
        return gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def set_language(language: str) -> None:
    """Use ``language`` for every following translation in this thread."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    _state.language = language


def current_language() -> str:
    return getattr(_state, "language", None) or language_from_environment()


def language_from_environment() -> str:
    """The user's language from the usual POSIX variables, if it is one we ship."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        for part in value.split(":"):
            code = part.split("_")[0].split(".")[0].lower()
            if code in LANGUAGES:
                return code
    return DEFAULT_LANGUAGE


def _(message: str) -> str:
    return translations_for(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations_for(current_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations_for(current_language()).pgettext(context, message)


def set_country(country: str) -> None:
    """The organisation's country, which decides authority names and identity labels
    (a Finnish case in Swedish says FPA, not Försäkringskassan)."""
    _state.country = country


def current_country() -> str:
    return getattr(_state, "country", None) or "FI"


# --- formatting -------------------------------------------------------------------------

CURRENCY_BY_COUNTRY = {"FI": "EUR", "SE": "SEK", "DK": "DKK"}


@cache
def locale_for(language: str | None = None, country: str | None = None) -> Locale:
    """The babel locale for a language used in a country, e.g. Swedish in Finland → sv_FI."""
    language = language or current_language()
    if country:
        try:
            return Locale.parse(f"{language}_{country}")
        except (UnknownLocaleError, ValueError):
            pass
    defaults = {"fi": "fi_FI", "sv": "sv_SE", "da": "da_DK", "en": "en_GB"}
    return Locale.parse(defaults.get(language, "en_GB"))


def format_money(minor_units: int, currency: str, locale: Locale | None = None) -> str:
    """``123450`` EUR in Finnish → ``1 234,50 €``."""
    amount = Decimal(minor_units).scaleb(-2)
    text = format_currency(amount, currency, locale=locale or locale_for())
    # Swedish CLDR writes Danish kroner "Dkr", easily misread; the ISO code is clearer.
    return text.replace("Dkr", "DKK")


def format_whole_money(minor_units: int, currency: str, locale: Locale | None = None) -> str:
    """A round amount without decimals, for band labels: ``2 000 €``."""
    locale = locale or locale_for()
    pattern = locale.currency_formats["standard"].pattern.split(";")[0]
    whole = pattern.replace(".00", "").replace(",00", "")
    return format_currency(Decimal(minor_units).scaleb(-2), currency, locale=locale,
                           format=whole, currency_digits=False)


def format_amount(minor_units: int, locale: Locale | None = None) -> str:
    """An amount without the currency sign, as typed into an amount field."""
    amount = Decimal(minor_units).scaleb(-2)
    return format_decimal(amount, format="#,##0.00", locale=locale or locale_for())


def format_number(value: int | float | Decimal, locale: Locale | None = None) -> str:
    return format_decimal(value, locale=locale or locale_for())


def format_date(value: date, locale: Locale | None = None, fmt: str = "short") -> str:
    """The one way a date is shown in the window and lists (``29.11.2026``); documents' prose
    asks for ``long``."""
    return _babel_format_date(value, format=fmt, locale=locale or locale_for())


def format_time(value: datetime, locale: Locale | None = None, fmt: str = "short") -> str:
    """The time of day of a UTC timestamp, in the machine's local time."""
    local = value.astimezone() if value.tzinfo else value
    return _babel_format_time(local, format=fmt, locale=locale or locale_for())


def format_datetime(value: datetime, locale: Locale | None = None, fmt: str = "short") -> str:
    """A UTC timestamp shown in the machine's local time."""
    local = value.astimezone() if value.tzinfo else value
    return _babel_format_datetime(local, format=fmt, locale=locale or locale_for())
