"""What an advisor maps in a first meeting and logs afterwards, as plain dataclasses.

Money is always an integer of minor units; dates are ``date``; timestamps are UTC
``datetime``. Codes are ``StrEnum`` members whose values are what the store keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar


class CaseStatus(StrEnum):
    OUTREACH = "outreach"
    OPEN = "open"
    ON_HOLD = "on_hold"
    CLOSED = "closed"


class ReferralSource(StrEnum):
    SELF = "self"
    LANDLORD = "landlord"
    SOCIAL_SERVICES = "social_services"
    OTHER_SERVICE = "other_service"
    COURT_BAILIFF = "court_bailiff"


class Reason(StrEnum):
    INCOME_DROP = "income_drop"
    UNEMPLOYMENT = "unemployment"
    ILLNESS = "illness"
    SEPARATION = "separation"
    BENEFIT_DELAY = "benefit_delay"
    OTHER_DEBTS = "other_debts"
    BUDGETING = "budgeting"
    RENT_INCREASE = "rent_increase"
    SUBSTANCE_USE = "substance_use"
    MENTAL_HEALTH = "mental_health"
    OTHER = "other"


class LandlordKind(StrEnum):
    MUNICIPAL = "municipal"
    NON_PROFIT = "non_profit"
    PRIVATE = "private"
    STUDENT_YOUTH = "student_youth"
    OTHER = "other"


class MemberRole(StrEnum):
    PARTNER = "partner"
    CHILD = "child"
    ADULT = "adult"
    OTHER = "other"


class ArrearsComponent(StrEnum):
    RENT = "rent"
    FEES = "fees"
    COLLECTION_COSTS = "collection_costs"
    OTHER = "other"


class DebtKind(StrEnum):
    CONSUMER_CREDIT = "consumer_credit"
    BANK_LOAN = "bank_loan"
    ENERGY = "energy"
    PHONE = "phone"
    TAX = "tax"
    HEALTH_CARE = "health_care"
    STUDENT_LOAN = "student_loan"
    MAINTENANCE = "maintenance"
    OTHER = "other"


class BenefitKind(StrEnum):
    HOUSING_ALLOWANCE = "housing_allowance"
    SOCIAL_ASSISTANCE = "social_assistance"
    OTHER = "other"


class BenefitStatus(StrEnum):
    NOT_APPLIED = "not_applied"
    APPLIED = "applied"
    GRANTED = "granted"
    REFUSED = "refused"


class DecisionKind(StrEnum):
    EVICTION_NOTICE = "eviction_notice"
    COURT_CASE = "court_case"
    BAILIFF_EVICTION = "bailiff_eviction"


class ConsentParty(StrEnum):
    LANDLORD = "landlord"
    SOCIAL_SERVICES = "social_services"
    DEBT_COUNSELLING = "debt_counselling"
    BENEFITS_OFFICE = "benefits_office"
    COURT_BAILIFF = "court_bailiff"
    OTHER = "other"


class ConsentMethod(StrEnum):
    WRITTEN = "written"
    ORAL = "oral"
    ELECTRONIC = "electronic"


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    OFFICE = "office"
    SERVICE_POINT = "service_point"
    HOME_VISIT = "home_visit"
    VIDEO = "video"


class Outcome(StrEnum):
    EVICTION_PREVENTED = "eviction_prevented"
    COURT_CASE_WITHDRAWN = "court_case_withdrawn"
    PAYMENT_PLAN_MADE = "payment_plan_made"
    PLAN_COMPLETED = "plan_completed"
    MOVED_AFFORDABLE = "moved_affordable"
    BENEFITS_GRANTED = "benefits_granted"
    REFERRED_DEBT_COUNSELLING = "referred_debt_counselling"
    EVICTED = "evicted"
    CONTACT_LOST = "contact_lost"


# --- the resident, the case and the tenancy ------------------------------------------------

@dataclass
class Person:
    TABLE: ClassVar[str] = "persons"
    first_name: str
    last_name: str
    identity_number: str | None = None
    identity_kind: str | None = None
    identity_unverified: bool = False
    birth_year: int | None = None
    phone: str = ""
    email: str = ""
    language: str = ""
    id: int | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class Landlord:
    TABLE: ClassVar[str] = "landlords"
    name: str
    kind: LandlordKind
    phone: str = ""
    email: str = ""
    contact_person: str = ""
    address: str = ""
    iban: str = ""  # compact; printed in groups of four
    bankgiro: str = ""  # Sweden: the bankgiro number the instalments go to
    payment_reference: str = ""  # viitenumero, OCR, RF, FI-kort or the landlord's own
    id: int | None = None


@dataclass
class Case:
    TABLE: ClassVar[str] = "cases"
    person_id: int
    status: CaseStatus
    opened_on: date
    closed_on: date | None = None
    referral_source: ReferralSource = ReferralSource.SELF
    reasons: frozenset[Reason] = frozenset()
    advisor_id: int | None = None
    intake_arrears: int = 0
    note: str = ""
    id: int | None = None


@dataclass
class Tenancy:
    TABLE: ClassVar[str] = "tenancies"
    case_id: int
    landlord_id: int | None = None
    street: str = ""
    postcode: str = ""
    city: str = ""
    monthly_rent: int = 0
    start_date: date | None = None
    landlord_reference: str = ""

    @property
    def address(self) -> str:
        return ", ".join(part for part in (self.street, f"{self.postcode} {self.city}".strip())
                         if part)


# --- records that belong to a case (each a row with its own id) ---------------------------

@dataclass
class HouseholdMember:
    TABLE: ClassVar[str] = "household_members"
    case_id: int
    role: MemberRole
    name: str = ""
    birth_year: int | None = None
    id: int | None = None


@dataclass
class ArrearsItem:
    TABLE: ClassVar[str] = "arrears"
    case_id: int
    component: ArrearsComponent
    amount: int
    as_of: date
    id: int | None = None


@dataclass
class Debt:
    TABLE: ClassVar[str] = "debts"
    case_id: int
    creditor: str
    kind: DebtKind
    amount: int
    in_enforcement: bool = False
    id: int | None = None


@dataclass
class Benefit:
    TABLE: ClassVar[str] = "benefits"
    case_id: int
    kind: BenefitKind
    status: BenefitStatus
    decided_on: date | None = None
    note: str = ""
    id: int | None = None


@dataclass
class AuthorityDecision:
    TABLE: ClassVar[str] = "authority_decisions"
    case_id: int
    kind: DecisionKind
    event_date: date
    note: str = ""
    id: int | None = None


@dataclass
class Consent:
    TABLE: ClassVar[str] = "consents"
    case_id: int
    party: ConsentParty
    method: ConsentMethod
    given_on: date
    scope: str = ""
    withdrawn_on: date | None = None
    id: int | None = None

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None


@dataclass
class Contact:
    TABLE: ClassVar[str] = "contacts"
    case_id: int
    channel: Channel
    at: datetime
    minutes: int = 0
    topic: str = ""
    note: str = ""
    advisor_id: int | None = None
    id: int | None = None


@dataclass
class Referral:
    TABLE: ClassVar[str] = "referrals"
    case_id: int
    partner: str
    referred_on: date
    result: str = ""
    id: int | None = None


@dataclass
class FollowUp:
    TABLE: ClassVar[str] = "followups"
    case_id: int
    due_on: date
    task: str
    done_on: date | None = None
    advisor_id: int | None = None
    id: int | None = None


@dataclass
class OutcomeRecord:
    TABLE: ClassVar[str] = "outcomes"
    case_id: int
    outcome: Outcome
    recorded_on: date
    id: int | None = None


CaseRecord = (HouseholdMember | ArrearsItem | Debt | Benefit | AuthorityDecision | Consent
              | Contact | Referral | FollowUp | OutcomeRecord)
RECORD_TYPES: tuple[type, ...] = (HouseholdMember, ArrearsItem, Debt, Benefit, AuthorityDecision,
                                  Consent, Contact, Referral, FollowUp, OutcomeRecord)


# --- what services hand back ---------------------------------------------------------------

@dataclass
class CaseFile:
    """Everything about one case, as the case editor shows it."""

    case: Case
    person: Person
    tenancy: Tenancy | None
    landlord: Landlord | None
    members: list[HouseholdMember] = field(default_factory=list)
    arrears: list[ArrearsItem] = field(default_factory=list)
    debts: list[Debt] = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)
    decisions: list[AuthorityDecision] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    followups: list[FollowUp] = field(default_factory=list)
    outcomes: list[OutcomeRecord] = field(default_factory=list)
    plan_revisions: int = 0
    # On a store that syncs with a team: the versions of the rows its forms show, read
    # with them, so a save typed over them can say so (workbench.sync.seen).
    sync_versions: dict | None = field(default=None, compare=False, repr=False)

    @property
    def arrears_total(self) -> int:
        return sum(item.amount for item in self.arrears)


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list."""

    id: int
    name: str
    status: CaseStatus
    opened_on: date
    landlord: str
    arrears: int
    next_followup: date | None
    advisor: str
    has_plan: bool


@dataclass
class Intake:
    """A walk-in's first details: enough to open a case in under a minute."""

    first_name: str
    last_name: str
    identity_text: str = ""
    identity_override: bool = False
    phone: str = ""
    email: str = ""
    language: str = ""
    landlord_id: int | None = None
    street: str = ""
    postcode: str = ""
    city: str = ""
    monthly_rent: int = 0
    landlord_reference: str = ""
    rent_arrears: int = 0
    status: CaseStatus = CaseStatus.OPEN
    referral_source: ReferralSource = ReferralSource.SELF
    reasons: frozenset[Reason] = frozenset()
    opened_on: date | None = None
