"""What each code is called on screen and in documents, marked for translation.

The store keeps codes (``home_visit``); people read labels ("Home visit", "Kotikäynti").
``label(member)`` translates in the language in force when it is called.
"""

from __future__ import annotations

from enum import StrEnum

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
from workbench.i18n import N_, NP_, current_country, current_language, translations_for
from workbench.plans.model import Payer
from workbench.plans.tracking import InstalmentStatus, PlanStatus
from workbench.session import Role

# Keyed by enum first: members of different enums share values (several are "other")
# and a StrEnum member hashes as its value.
LABELS: dict[type[StrEnum], dict[StrEnum, str]] = {
    CaseStatus: {
        CaseStatus.OUTREACH: N_("Outreach"),
        CaseStatus.OPEN: N_("Open"),
        CaseStatus.ON_HOLD: N_("On hold"),
        CaseStatus.CLOSED: N_("Closed"),
    },
    ReferralSource: {
        ReferralSource.SELF: N_("Resident themself"),
        ReferralSource.LANDLORD: N_("Landlord"),
        ReferralSource.SOCIAL_SERVICES: N_("Social services"),
        ReferralSource.OTHER_SERVICE: N_("Other service"),
        ReferralSource.COURT_BAILIFF: N_("Court or bailiff"),
    },
    Reason: {
        Reason.INCOME_DROP: N_("Drop in income"),
        Reason.UNEMPLOYMENT: N_("Unemployment"),
        Reason.ILLNESS: N_("Illness"),
        Reason.SEPARATION: N_("Separation or divorce"),
        Reason.BENEFIT_DELAY: N_("Delayed benefit"),
        Reason.OTHER_DEBTS: N_("Other debts"),
        Reason.BUDGETING: N_("Difficulty managing money"),
        Reason.RENT_INCREASE: N_("Rent increase"),
        Reason.SUBSTANCE_USE: N_("Substance use"),
        Reason.MENTAL_HEALTH: N_("Mental health"),
        Reason.OTHER: N_("Other reason"),
    },
    LandlordKind: {
        LandlordKind.MUNICIPAL: N_("Municipal"),
        LandlordKind.NON_PROFIT: N_("Non-profit"),
        LandlordKind.PRIVATE: N_("Private"),
        LandlordKind.STUDENT_YOUTH: N_("Student or youth housing"),
        LandlordKind.OTHER: N_("Other landlord"),
    },
    MemberRole: {
        MemberRole.PARTNER: N_("Partner"),
        MemberRole.CHILD: N_("Child"),
        MemberRole.ADULT: N_("Other adult"),
        MemberRole.OTHER: N_("Other member"),
    },
    ArrearsComponent: {
        ArrearsComponent.RENT: N_("Rent arrears"),
        ArrearsComponent.FEES: N_("Fees"),
        ArrearsComponent.COLLECTION_COSTS: N_("Collection costs"),
        ArrearsComponent.OTHER: N_("Other arrears"),
    },
    DebtKind: {
        DebtKind.CONSUMER_CREDIT: N_("Consumer credit"),
        DebtKind.BANK_LOAN: N_("Bank loan"),
        DebtKind.ENERGY: N_("Energy bill"),
        DebtKind.PHONE: N_("Phone or internet"),
        DebtKind.TAX: N_("Tax"),
        DebtKind.HEALTH_CARE: N_("Health care fees"),
        DebtKind.STUDENT_LOAN: N_("Student loan"),
        DebtKind.MAINTENANCE: N_("Maintenance"),
        DebtKind.OTHER: N_("Other debt"),
    },
    BenefitKind: {
        BenefitKind.HOUSING_ALLOWANCE: N_("Housing allowance"),
        BenefitKind.SOCIAL_ASSISTANCE: N_("Social assistance"),
        BenefitKind.OTHER: N_("Other benefit"),
    },
    BenefitStatus: {
        BenefitStatus.NOT_APPLIED: N_("Not applied"),
        BenefitStatus.APPLIED: N_("Applied"),
        BenefitStatus.GRANTED: N_("Granted"),
        BenefitStatus.REFUSED: N_("Refused"),
    },
    DecisionKind: {
        DecisionKind.EVICTION_NOTICE: N_("Eviction notice"),
        DecisionKind.COURT_CASE: N_("Court case"),
        DecisionKind.BAILIFF_EVICTION: N_("Bailiff's eviction date"),
    },
    ConsentParty: {
        ConsentParty.LANDLORD: N_("Landlord"),
        ConsentParty.SOCIAL_SERVICES: N_("Social services"),
        ConsentParty.DEBT_COUNSELLING: N_("Debt counselling"),
        ConsentParty.BENEFITS_OFFICE: N_("Benefits office"),
        ConsentParty.COURT_BAILIFF: N_("Court or bailiff"),
        ConsentParty.OTHER: N_("Other party"),
    },
    ConsentMethod: {
        ConsentMethod.WRITTEN: N_("In writing"),
        ConsentMethod.ORAL: N_("Orally"),
        ConsentMethod.ELECTRONIC: N_("Electronically"),
    },
    Channel: {
        Channel.PHONE: N_("Phone"),
        Channel.EMAIL: N_("E-mail"),
        Channel.OFFICE: N_("Office visit"),
        Channel.SERVICE_POINT: N_("Service point"),
        Channel.HOME_VISIT: N_("Home visit"),
        Channel.VIDEO: N_("Video call"),
    },
    Outcome: {
        Outcome.EVICTION_PREVENTED: N_("Eviction prevented"),
        Outcome.COURT_CASE_WITHDRAWN: N_("Court case withdrawn"),
        Outcome.PAYMENT_PLAN_MADE: N_("Payment plan made"),
        Outcome.PLAN_COMPLETED: N_("Payment plan completed"),
        Outcome.MOVED_AFFORDABLE: N_("Moved to affordable housing"),
        Outcome.BENEFITS_GRANTED: N_("Benefits granted"),
        Outcome.REFERRED_DEBT_COUNSELLING: N_("Referred to debt counselling"),
        Outcome.EVICTED: N_("Evicted"),
        Outcome.CONTACT_LOST: N_("Contact lost"),
    },
    Frequency: {
        Frequency.WEEKLY: N_("a week"),
        Frequency.FORTNIGHTLY: N_("every two weeks"),
        Frequency.MONTHLY: N_("a month"),
        Frequency.QUARTERLY: N_("a quarter"),
        Frequency.YEARLY: N_("a year"),
    },
    Payer: {
        Payer.TENANT: N_("Tenant"),
        Payer.SOCIAL_ASSISTANCE: N_("Social assistance"),
        Payer.OTHER: N_("Other payer"),
    },
    PlanStatus: {
        PlanStatus.ON_TRACK: N_("On track"),
        PlanStatus.BEHIND: N_("Behind"),
        PlanStatus.BROKEN: N_("Broken"),
        PlanStatus.COMPLETED: N_("Completed"),
    },
    InstalmentStatus: {
        InstalmentStatus.UPCOMING: N_("Upcoming"),
        InstalmentStatus.DUE: N_("Due now"),
        InstalmentStatus.PAID: N_("Paid"),
        InstalmentStatus.PAID_LATE: N_("Paid late"),
        InstalmentStatus.PARTLY_PAID: N_("Partly paid"),
        InstalmentStatus.MISSED: N_("Missed"),
    },
    Role: {
        Role.ADMIN: N_("Administrator"),
        Role.ADVISOR: N_("Advisor"),
        Role.LEAD: N_("Project lead"),
    },
}


# Names of authorities depend on the organisation's country, not on the language: the
# catalogs translate them with the country code as context (msgctxt "FI" … "DK"). They are
# proper names, so a sentence keeps their capitals.
# Keyed by (enum, member): members of different enums share values.
COUNTRY_NAMED: frozenset[tuple[type, StrEnum]] = frozenset({
    (ConsentParty, ConsentParty.BENEFITS_OFFICE), (ConsentParty, ConsentParty.COURT_BAILIFF),
    (ReferralSource, ReferralSource.COURT_BAILIFF)})


def country_named(member: StrEnum) -> bool:
    """Whether the label is an authority's name, as the organisation's country calls it."""
    return (type(member), member) in COUNTRY_NAMED
_COUNTRY_CONTEXT = {"FI": "FI", "SE": "SE", "DK": "DK"}
# Translators: the context is the organisation's country (FI, SE, DK): give the name used
# there, in your language (FI: Kela, FPA in Swedish; SE: Försäkringskassan; DK: Udbetaling
# Danmark; identity numbers: henkilötunnus / personbeteckning, personnummer, CPR-nummer).
COUNTRY_MARKS = (
    NP_("FI", "Benefits office"), NP_("SE", "Benefits office"), NP_("DK", "Benefits office"),
    NP_("FI", "Court or bailiff"), NP_("SE", "Court or bailiff"),
    NP_("DK", "Court or bailiff"),
    NP_("FI", "Identity number"), NP_("SE", "Identity number"), NP_("DK", "Identity number"),
    NP_("FI", "&Identity number"), NP_("SE", "&Identity number"),
    NP_("DK", "&Identity number"))


def label(member: StrEnum) -> str:
    return label_in(member, current_language())


def label_in(member: StrEnum, language: str, country: str | None = None) -> str:
    """The label in a given language (a document's, which may differ from the screen's);
    an authority is named as in the organisation's country."""
    catalog = translations_for(language)
    message = LABELS[type(member)][member]
    if country_named(member):
        return catalog.pgettext(_COUNTRY_CONTEXT.get(country or current_country(), "FI"),
                                message)
    return catalog.gettext(message)


def identity_label(accelerator: bool = False, language: str | None = None,
                   country: str | None = None) -> str:
    """"Identity number" as the country calls it: henkilötunnus / personbeteckning (FI),
    personnummer (SE), CPR-nummer (DK)."""
    message = "&Identity number" if accelerator else "Identity number"
    context = _COUNTRY_CONTEXT.get(country or current_country(), "FI")
    return translations_for(language or current_language()).pgettext(context, message)


def choices(enum: type[StrEnum]) -> list[tuple[StrEnum, str]]:
    """(member, translated label) for every member, in declaration order."""
    return [(member, label(member)) for member in enum]
