"""A conflict as a person reads it: which part of the case and which field, each value as
the window shows such a value, who made it, and whether a third value may be typed."""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from enum import StrEnum

from babel import Locale

from workbench.budget.model import Frequency
from workbench.cases.model import (
    ArrearsComponent,
    BenefitKind,
    BenefitStatus,
    CaseStatus,
    Channel,
    ConsentMethod,
    ConsentParty,
    DebtKind,
    DecisionKind,
    LandlordKind,
    MemberRole,
    Outcome,
    Reason,
    ReferralSource,
)
from workbench.i18n import N_, _, format_date, format_datetime, format_money
from workbench.labels import label
from workbench.store.database import Database
from workbench.sync.conflicts import Conflict, Value

PARTS = {
    "persons": N_("Resident"), "cases": N_("Case"), "tenancies": N_("Tenancy"),
    "landlords": N_("Landlord"), "household_members": N_("Household"),
    "arrears": N_("Arrears"), "debts": N_("Debts"), "benefits": N_("Benefits"),
    "authority_decisions": N_("Authority decisions"), "consents": N_("Consents"),
    "contacts": N_("Contacts"), "referrals": N_("Referrals"), "followups": N_("Follow-ups"),
    "outcomes": N_("Outcomes"), "budgets": N_("Budget"), "budget_lines": N_("Budget"),
    "payment_plans": N_("Payment plan"), "plan_instalments": N_("Payment plan"),
    "payments": N_("Payments"), "documents": N_("Documents"), "user_profiles": N_("My details"),
    "settings": N_("Settings"),
}
FIELDS = {
    "first_name": N_("First name"), "last_name": N_("Last name"),
    "identity_number": N_("Identity number"), "birth_year": N_("Year of birth"),
    "phone": N_("Phone"), "email": N_("E-mail"), "language": N_("Language"),
    "status": N_("Status"), "opened_on": N_("Opened"), "closed_on": N_("Closed"),
    "referral_source": N_("Referred by"), "reasons": N_("Reasons for contact"),
    "advisor_id": N_("Advisor"), "note": N_("Note"), "street": N_("Street address"),
    "postcode": N_("Postcode"), "city": N_("City"), "monthly_rent": N_("Monthly rent"),
    "start_date": N_("Tenancy began"), "landlord_reference": N_("Landlord's reference"),
    "landlord_id": N_("Landlord"), "name": N_("Name"), "amount": N_("Amount"),
    "task": N_("Task"), "due_on": N_("Due"), "done_on": N_("Done"), "channel": N_("Channel"),
    "minutes": N_("Minutes"), "topic": N_("Topic"), "creditor": N_("Creditor"),
    "kind": N_("Kind"), "contact_person": N_("Contact person"), "address": N_("Address"),
    "full_name": N_("Full name"), "title": N_("Title"), "given_on": N_("Given"),
    "withdrawn_on": N_("Withdrawn"), "instalment": N_("Instalment"), "months": N_("Months"),
}
MONEY = {"monthly_rent", "amount", "intake_arrears", "total", "instalment", "capacity"}
DATES = {"opened_on", "closed_on", "start_date", "due_on", "done_on", "given_on",
         "withdrawn_on", "decided_on", "event_date", "referred_on", "recorded_on", "paid_on",
         "as_of", "taken_on", "start_on"}
ENUMS: dict[tuple[str, str], type[StrEnum]] = {
    ("cases", "status"): CaseStatus, ("cases", "referral_source"): ReferralSource,
    ("landlords", "kind"): LandlordKind, ("household_members", "role"): MemberRole,
    ("arrears", "component"): ArrearsComponent, ("debts", "kind"): DebtKind,
    ("benefits", "kind"): BenefitKind, ("benefits", "status"): BenefitStatus,
    ("authority_decisions", "kind"): DecisionKind, ("consents", "party"): ConsentParty,
    ("consents", "method"): ConsentMethod, ("contacts", "channel"): Channel,
    ("outcomes", "outcome"): Outcome, ("budget_lines", "frequency"): Frequency,
}
# Free text a person may type a third value for (other fields are checked by the forms
# that edit them: a choice between the values both laptops saved keeps them valid).
# (Not e-mail addresses, identity numbers or profiles: those have checks of their own, and
# only administrators change another user's profile.)
TYPED = {("persons", "phone"), ("cases", "note"), ("tenancies", "street"),
         ("tenancies", "city"), ("tenancies", "landlord_reference"), ("landlords", "phone"),
         ("landlords", "contact_person"), ("landlords", "address"), ("contacts", "topic"),
         ("contacts", "note"), ("followups", "task"), ("benefits", "note"),
         ("authority_decisions", "note"), ("referrals", "result"), ("payments", "note"),
         ("budget_lines", "note")}
NOTES = {"note"}  # long text; other typed fields are one line
REQUIRED = {("followups", "task")}
LINE_LIMIT, NOTE_LIMIT = 200, 10_000


def check_typed(conflict: Conflict, text: str) -> str:
    """A typed third value, trimmed; raises ValidationError when it may not be kept."""
    from workbench.errors import ValidationError

    value = text.strip()
    if (conflict.table, conflict.field) not in TYPED:
        raise ValidationError(N_("Choose one of the listed values by its number."))
    if not value and (conflict.table, conflict.field) in REQUIRED:
        raise ValidationError(N_("This field is required."))
    limit = NOTE_LIMIT if conflict.field in NOTES else LINE_LIMIT
    if len(value) > limit:
        raise ValidationError(N_("This is too long: at most {count} characters."), count=limit)
    return value


def caption(conflict: Conflict) -> str:
    """"Resident · Phone", or for a delete that crossed an edit the part alone."""
    part = _(PARTS.get(conflict.table, N_("Case")))
    if conflict.is_delete:
        return part
    return f"{part} · {_(FIELDS.get(conflict.field, N_('Another detail')))}"


def may_type(conflict: Conflict) -> bool:
    return (conflict.table, conflict.field) in TYPED


def shown(db: Database, conflict: Conflict, value, locale: Locale, currency: str) -> str:
    """One value as the window shows such a value."""
    if conflict.is_delete:
        return _("Deleted") if value == 1 else _("Kept, and changed")
    if value is None or value == "":
        return _("(empty)")
    field = conflict.field
    if field in MONEY and isinstance(value, int):
        return format_money(value, currency, locale)
    if field in DATES and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return format_date(date.fromisoformat(value[:10]), locale)
    enum = ENUMS.get((conflict.table, field))
    if enum is not None:
        with contextlib.suppress(ValueError):
            return label(enum(value))
    if field == "reasons" and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return ", ".join(label(Reason(code)) for code in value.split(",") if code)
    if field == "landlord_id" and isinstance(value, str):
        name = db.scalar("SELECT l.name FROM sync_rows s JOIN landlords l ON l.id = s.row_id "
                         "WHERE s.gid = ? AND s.tbl = 'landlords'", (value,))
        return name or _("another landlord")
    return str(value)


def laptop_names(db: Database) -> dict[str, str]:
    """The team's laptops by device id, as their invitations named them."""
    return dict(db.all("SELECT device_id, name FROM sync_devices"))


def made_by(conflict: Conflict, value: Value, laptops: dict[str, str],
            locale: Locale) -> str:
    """Who saved ``value``, on which laptop and when: "saved by anna on “desk”, 29.11.2026
    14.05" ("on this laptop" for this one's own)."""
    when = value.at
    with contextlib.suppress(ValueError):
        when = format_datetime(datetime.fromisoformat(value.at), locale, "short") \
            if value.at else ""
    who = value.who or "?"
    laptop = laptops.get(value.device, "")
    verb = ("deleted" if value.value == 1 else "changed") if conflict.is_delete else "saved"
    if value.mine:
        texts = {"deleted": _("deleted by {who} on this laptop, {when}"),
                 "changed": _("changed by {who} on this laptop, {when}"),
                 "saved": _("saved by {who} on this laptop, {when}")}
        return texts[verb].format(who=who, when=when)
    if laptop:
        texts = {"deleted": _("deleted by {who} on “{laptop}”, {when}"),
                 "changed": _("changed by {who} on “{laptop}”, {when}"),
                 "saved": _("saved by {who} on “{laptop}”, {when}")}
        return texts[verb].format(who=who, laptop=laptop, when=when)
    texts = {"deleted": _("deleted by {who}, {when}"), "changed": _("changed by {who}, {when}"),
             "saved": _("saved by {who}, {when}")}
    return texts[verb].format(who=who, when=when)
