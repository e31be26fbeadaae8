"""Rules a record must meet before it is saved; a broken rule names its field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from workbench.cases.model import (
    ArrearsItem,
    Case,
    Consent,
    Contact,
    Debt,
    FollowUp,
    HouseholdMember,
    Landlord,
    Person,
    Referral,
    Tenancy,
)
from workbench.errors import FieldError
from workbench.i18n import N_

MAX_AMOUNT = 100_000_000_00  # a hundred million in major units: anything above is a typo
MAX_TEXT = 200
EARLIEST_BIRTH_YEAR = 1900


def _required(record: Any, name: str) -> None:
    value = getattr(record, name)
    if not value or not str(value).strip():
        raise FieldError(name, N_("This field is required."))
    if len(str(value)) > MAX_TEXT:
        raise FieldError(name, N_("This is too long: at most {count} characters."),
                         count=MAX_TEXT)


def _amount(record: Any, name: str) -> None:
    value = getattr(record, name)
    if value < 0:
        raise FieldError(name, N_("The amount cannot be negative."))
    if value > MAX_AMOUNT:
        raise FieldError(name, N_("The amount is too large; check the digits."))


def _birth_year(record: Any, name: str = "birth_year") -> None:
    year = getattr(record, name)
    if year is not None and not EARLIEST_BIRTH_YEAR <= year <= date.today().year:
        raise FieldError(name, N_("The year of birth must be between {first} and {last}."),
                         first=EARLIEST_BIRTH_YEAR, last=date.today().year)


def _not_before(record: Any, later: str, earlier: str) -> None:
    if getattr(record, later) is not None and getattr(record, later) < getattr(record, earlier):
        raise FieldError(later, N_("This date is before the date it follows."))


def _person(person: Person) -> None:
    _required(person, "first_name")
    _required(person, "last_name")
    _birth_year(person)
    if person.email and "@" not in person.email:
        raise FieldError("email", N_("This is not an e-mail address."))


def _landlord(landlord: Landlord) -> None:
    _required(landlord, "name")
    for name in ("phone", "email", "contact_person", "address"):
        if len(getattr(landlord, name)) > MAX_TEXT:
            raise FieldError(name, N_("This is too long: at most {count} characters."),
                             count=MAX_TEXT)
    if landlord.email and "@" not in landlord.email:
        raise FieldError("email", N_("This is not an e-mail address."))


def _case(case: Case) -> None:
    _amount(case, "intake_arrears")
    if case.opened_on > date.today() + timedelta(days=1):
        raise FieldError("opened_on", N_("A case cannot be opened in the future."))
    _not_before(case, "closed_on", "opened_on")


def _contact(contact: Contact) -> None:
    if not 0 <= contact.minutes <= 24 * 60:
        raise FieldError("minutes", N_("Minutes must be between 0 and 1440."))


_RULES: dict[type, Callable[[Any], None]] = {
    Person: _person,
    Case: _case,
    Landlord: _landlord,
    Tenancy: lambda tenancy: _amount(tenancy, "monthly_rent"),
    HouseholdMember: _birth_year,
    ArrearsItem: lambda item: _amount(item, "amount"),
    Debt: lambda debt: (_required(debt, "creditor"), _amount(debt, "amount")),
    Consent: lambda consent: _not_before(consent, "withdrawn_on", "given_on"),
    Contact: _contact,
    Referral: lambda referral: _required(referral, "partner"),
    FollowUp: lambda followup: _required(followup, "task"),
}


def validate(record: Any) -> None:
    """Raise ``FieldError`` for the first broken rule of ``record``."""
    rule = _RULES.get(type(record))
    if rule is not None:
        rule(record)
