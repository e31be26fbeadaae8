"""Nordic identity numbers, checked with python-stdnum.

An invalid number is a warning, not a wall: the advisor may know better (a number read
off a letter with a typo is still worth keeping), so the service stores it marked as
unverified when the advisor overrides. "No Nordic identity number" is always allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from stdnum import luhn
from stdnum.dk import cpr
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import hetu
from stdnum.se import personnummer

from workbench.i18n import N_


class IdentityKind(StrEnum):
    FI_HETU = "fi_hetu"
    SE_PERSONNUMMER = "se_personnummer"
    SE_SAMORDNINGSNUMMER = "se_samordningsnummer"
    DK_CPR = "dk_cpr"


KIND_BY_COUNTRY = {"FI": IdentityKind.FI_HETU, "SE": IdentityKind.SE_PERSONNUMMER,
                   "DK": IdentityKind.DK_CPR}


@dataclass(frozen=True)
class IdentityCheck:
    """What the program can tell about a typed identity number."""

    text: str
    kind: IdentityKind
    valid: bool
    compact: str
    birth_date: date | None = None
    temporary: bool = False
    problem: str | None = None  # an N_-marked sentence when not valid

    @property
    def display(self) -> str:
        return format_identity(self.compact, self.kind) if self.valid else self.text.strip()


def check_identity(text: str, country: str) -> IdentityCheck:
    """Check ``text`` as the identity number used in ``country`` (FI, SE or DK)."""
    kind = KIND_BY_COUNTRY[country]
    if kind is IdentityKind.FI_HETU:
        return _check_hetu(text)
    if kind is IdentityKind.SE_PERSONNUMMER:
        return _check_personnummer(text)
    return _check_cpr(text)


def _invalid(text: str, kind: IdentityKind, compact: str) -> IdentityCheck:
    return IdentityCheck(text, kind, False, compact,
                         problem=N_("This is not a valid identity number; check the digits."))


def _ascii_digits(text: str) -> bool:
    # str.isdigit() also accepts superscripts and other scripts' digits, which int() refuses.
    return bool(text) and all("0" <= ch <= "9" for ch in text)


def _check_hetu(text: str) -> IdentityCheck:
    kind = IdentityKind.FI_HETU
    compact = hetu.compact(text)
    try:
        hetu.validate(compact, allow_temporary=True)
        birth = _hetu_birth_date(compact)
        if birth > date.today():
            raise StdnumError()
    except (StdnumError, ValueError, KeyError):
        return _invalid(text, kind, compact)
    individual = int(compact[7:10])
    return IdentityCheck(text, kind, True, compact, birth, temporary=individual >= 900)


def _hetu_birth_date(compact: str) -> date:
    century = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900,
               "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}[compact[6]]
    return date(century + int(compact[4:6]), int(compact[2:4]), int(compact[0:2]))


def _check_personnummer(text: str) -> IdentityCheck:
    compact = personnummer.compact(text)
    digits = compact.replace("-", "").replace("+", "")
    # A samordningsnummer is a personnummer with 60 added to the day of birth; stdnum checks
    # only the plain kind, so check the date with the real day and the Luhn digit as typed.
    day_at = len(compact) - 7
    day = compact[day_at:day_at + 2]
    coordination = len(compact) in (11, 13) and _ascii_digits(day) and int(day) > 60
    probe = (compact[:day_at] + f"{int(day) - 60:02d}" + compact[day_at + 2:]
             if coordination else compact)
    try:
        if len(compact) not in (11, 13) or compact[-5] not in "-+" or not _ascii_digits(digits):
            raise StdnumError()
        birth = personnummer.get_birth_date(probe)
        luhn.validate(digits[-10:])
        if birth > date.today():
            raise StdnumError()
    except (StdnumError, ValueError):
        return _invalid(text, IdentityKind.SE_PERSONNUMMER, compact)
    # Stored as twelve digits: the "+" of a centenarian's ten-digit form is resolved.
    canonical = f"{birth.year // 100}{digits[-10:]}"
    kind = IdentityKind.SE_SAMORDNINGSNUMMER if coordination else IdentityKind.SE_PERSONNUMMER
    return IdentityCheck(text, kind, True, canonical, birth)


def _check_cpr(text: str) -> IdentityCheck:
    compact = cpr.compact(text)
    try:
        if not _ascii_digits(compact):
            raise StdnumError()
        cpr.validate(compact)
        birth = cpr.get_birth_date(compact)
    except (StdnumError, ValueError):
        return _invalid(text, IdentityKind.DK_CPR, compact)
    return IdentityCheck(text, IdentityKind.DK_CPR, True, compact, birth)


def format_identity(compact: str, kind: IdentityKind) -> str:
    if kind is IdentityKind.FI_HETU:
        return compact
    if kind is IdentityKind.DK_CPR and len(compact) == 10:
        return f"{compact[:6]}-{compact[6:]}"
    if len(compact) == 12 and compact.isdigit():
        return f"{compact[:8]}-{compact[8:]}"
    return compact


def search_forms(compact: str) -> list[str]:
    """Forms of a number a search may be typed in, for the full-text index."""
    plain = "".join(ch for ch in compact if ch.isalnum())
    forms = {compact, plain}
    if len(plain) == 12 and plain.isdigit():
        # Swedish numbers are typed with or without the century and the dash.
        forms |= {f"{plain[:8]}-{plain[8:]}", plain[2:], f"{plain[2:8]}-{plain[8:]}"}
    elif len(plain) == 10 and plain.isdigit():
        forms.add(f"{plain[:6]}-{plain[6:]}")  # Danish CPR with its dash
    return sorted(forms)
