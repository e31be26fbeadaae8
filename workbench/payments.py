"""Landlords' payment details: the account the instalments go to and the reference that
identifies them, checked by each country's scheme.

- IBAN: python-stdnum (``stdnum.iban``), every country.
- Finland: the *viitenumero* (national reference, check digit by weights 7-3-1, as the
  Finnish banks' standard sets it) or an RF creditor reference (ISO 11649,
  ``stdnum.iso11649``).
- Sweden: a *bankgiro* number as the account (7–8 digits, Luhn check digit) and an OCR
  reference (Luhn check digit, ``stdnum.luhn``).
- Denmark: an *FI-kort* line (``+71<payment id+creditor<``; the payment id of types 71 and
  75 ends in a modulus-10 check digit) or the landlord's own reference.

python-stdnum has no module for the Finnish viitenumero, Swedish OCR or bankgiro, or the
Danish FI-kort, so their check digits are computed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from stdnum import iban as stdnum_iban
from stdnum import iso11649, luhn
from stdnum.exceptions import ValidationError as StdnumError

from workbench.errors import FieldError
from workbench.i18n import N_

MAX_REFERENCE = 40


class ReferenceKind(StrEnum):
    VIITENUMERO = "viitenumero"
    RF = "rf"
    OCR = "ocr"
    FI_KORT = "fi_kort"
    OWN = "own"


@dataclass(frozen=True)
class Reference:
    kind: ReferenceKind
    compact: str
    printed: str


def _digits(text: str) -> str:
    return re.sub(r"[\s.-]", "", text)


# --- accounts ---------------------------------------------------------------------------

def check_iban(text: str, field: str = "iban") -> str:
    """The IBAN in compact form; '' for none."""
    text = text.strip()
    if not text:
        return ""
    try:
        return stdnum_iban.validate(text)
    except StdnumError:
        raise FieldError(field, N_("This is not a valid IBAN; check the digits.")) from None


def format_iban(compact: str) -> str:
    return stdnum_iban.format(compact) if compact else ""


def check_bankgiro(text: str, field: str = "bankgiro") -> str:
    """A Swedish bankgiro number, compact digits; '' for none."""
    digits = _digits(text.strip())
    if not digits:
        return ""
    if not digits.isdigit() or len(digits) not in (7, 8) or not luhn.is_valid(digits):
        raise FieldError(field, N_("This is not a valid bankgiro number; check the digits."))
    return digits


def format_bankgiro(digits: str) -> str:
    return f"{digits[:-4]}-{digits[-4:]}" if digits else ""


# --- references -------------------------------------------------------------------------

def viitenumero_check_digit(body: str) -> str:
    weights = (7, 3, 1)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def _group_from_right(digits: str, size: int = 5) -> str:
    head = len(digits) % size
    parts = ([digits[:head]] if head else []) + [digits[i:i + size]
                                                for i in range(head, len(digits), size)]
    return " ".join(parts)


_FI_KORT = re.compile(r"^\+?(\d{2})<(\d*)\+(\d{8})<?$")
_FI_KORT_ID_LENGTH = {"71": 15, "73": 0, "75": 16, "01": 0, "04": 16, "15": 16}


def check_reference(text: str, country: str, field: str = "payment_reference") -> Reference | None:
    """The payment reference by the country's scheme; None for none.

    Digits only are a national reference (FI viitenumero, SE OCR) and must carry a right
    check digit; ``RF…`` is an ISO 11649 creditor reference; in Denmark ``+71<…+…<`` is an
    FI-kort line. Anything else is the landlord's own reference, printed as written.
    """
    text = " ".join(text.split())
    if not text:
        return None
    if len(text) > MAX_REFERENCE:
        raise FieldError(field, N_("This is too long: at most {count} characters."),
                         count=MAX_REFERENCE)
    compact = _digits(text)
    if compact.upper().startswith("RF"):
        try:
            value = iso11649.validate(compact)
        except StdnumError:
            raise FieldError(field, N_("This RF reference has a wrong check digit; check "
                                       "the characters.")) from None
        return Reference(ReferenceKind.RF, value, iso11649.format(value))
    if country == "DK" and text.replace(" ", "").startswith(("+", "FIK")):
        return _fi_kort(text.replace(" ", "").removeprefix("FIK"), field)
    if compact.isdigit():
        if country == "FI":
            if not 4 <= len(compact) <= 20 or \
                    viitenumero_check_digit(compact[:-1]) != compact[-1]:
                raise FieldError(field, N_("This reference number (viitenumero) has a wrong "
                                           "check digit; check the digits."))
            compact = compact.lstrip("0") or compact
            return Reference(ReferenceKind.VIITENUMERO, compact, _group_from_right(compact))
        if country == "SE":
            if not 2 <= len(compact) <= 25 or not luhn.is_valid(compact):
                raise FieldError(field, N_("This OCR number has a wrong check digit; check "
                                           "the digits."))
            return Reference(ReferenceKind.OCR, compact, compact)
    return Reference(ReferenceKind.OWN, text, text)


def _fi_kort(text: str, field: str) -> Reference:
    match = _FI_KORT.match(text)
    if not match or match.group(1) not in _FI_KORT_ID_LENGTH:
        raise FieldError(field, N_("Write an FI-kort line as +71<payment id+creditor number<."))
    kind, payment_id, creditor = match.groups()
    if len(payment_id) != _FI_KORT_ID_LENGTH[kind] or (
            kind in ("71", "75") and not luhn.is_valid(payment_id)):
        raise FieldError(field, N_("This FI-kort payment id has a wrong length or check "
                                   "digit; check the digits."))
    printed = f"+{kind}<{payment_id}+{creditor}<"
    return Reference(ReferenceKind.FI_KORT, printed, printed)
