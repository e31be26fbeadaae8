"""Money as integer minor units (cents, öre, øre), and parsing what people type."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import NumberFormatError, parse_decimal

from workbench.errors import ValidationError
from workbench.i18n import N_, format_amount, locale_for

MINOR_PER_MAJOR = 100
MAX_MAJOR = Decimal(10) ** 12  # no household owes a trillion; beyond it is a typing slip
# A plain number with a point for the decimals, which people type in every locale.
_PLAIN_DECIMAL = re.compile(r"^-?\d+(\.\d{1,2})?$")
_AMOUNT_CHARACTERS = re.compile(r"[-+]?[0-9][0-9\s\u00a0\u202f.,']*")
_SPACES = re.compile(r"[\s\u00a0\u202f']")


class AmountError(ValidationError):
    # Translators: {text} is what the user typed, {example} an amount written the local way.
    template = N_("“{text}” is not an amount of money. Type it like {example}.")


class NegativeAmount(AmountError):
    template = N_("The amount cannot be negative.")


class TooManyDecimals(AmountError):
    template = N_("An amount has at most two decimals (cents).")


def parse_money(text: str, locale: Locale | None = None, allow_negative: bool = False) -> int:
    """Parse an amount typed in the user's locale into minor units.

    Accepts the locale's own form (``1 234,50`` in Finnish, ``1.234,50`` in Danish) and a
    plain ``1234.5``. Rejects anything ambiguous such as ``12,3,4`` rather than guessing.
    """
    locale = locale or locale_for()
    cleaned = text.strip().replace("€", "").replace("kr.", "").replace("kr", "").strip()
    example = format_amount(123450, locale)
    if not cleaned:
        raise AmountError(text=text, example=example)
    value = _parse_decimal(cleaned, locale)
    if value is None or not value.is_finite() or abs(value) >= MAX_MAJOR:
        raise AmountError(text=text, example=example)
    if value < 0 and not allow_negative:
        raise NegativeAmount(text=text)
    minor = value * MINOR_PER_MAJOR
    if minor != minor.to_integral_value():
        raise TooManyDecimals(text=text)
    return int(minor)


def _parse_decimal(text: str, locale: Locale) -> Decimal | None:
    if not _AMOUNT_CHARACTERS.fullmatch(text):
        return None  # letters, exponents ("1e3"), currency words: not an amount as typed
    if _PLAIN_DECIMAL.match(text):
        return Decimal(text)
    try:
        # strict=True refuses misplaced grouping separators such as "12,3,4".
        return parse_decimal(_normalise_group_spaces(text, locale), locale=locale, strict=True)
    except (NumberFormatError, InvalidOperation, ValueError):
        return None


def _normalise_group_spaces(text: str, locale: Locale) -> str:
    # People type an ordinary space where the locale groups with a no-break space.
    group = locale.number_symbols.get("latn", locale.number_symbols).get("group", ",")
    if group.isspace() or group in "\u00a0\u202f":
        return _SPACES.sub(group, text)
    return text


def major_to_minor(major: int | Decimal) -> int:
    return int(Decimal(major) * MINOR_PER_MAJOR)
