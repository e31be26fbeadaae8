"""``seed-demo``: realistic, fictional cases over the last eight quarters.

Deterministic for a seed, so benchmarks, demos and screenshots are repeatable. Written in
one action with bulk inserts: seeding is one thing a user does, with one audit row.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from workbench.cases import rows, search
from workbench.cases.model import (
    ArrearsComponent,
    ArrearsItem,
    AuthorityDecision,
    Benefit,
    BenefitKind,
    BenefitStatus,
    Case,
    CaseStatus,
    Channel,
    Consent,
    ConsentMethod,
    ConsentParty,
    Contact,
    Debt,
    DebtKind,
    DecisionKind,
    FollowUp,
    HouseholdMember,
    Landlord,
    LandlordKind,
    MemberRole,
    Outcome,
    OutcomeRecord,
    Person,
    Reason,
    Referral,
    ReferralSource,
    Tenancy,
)
from workbench.demo import plans as demo_plans
from workbench.demo.people import DemoVocabulary, identity_number, vocabulary
from workbench.demo.plans import DemoMoney
from workbench.errors import ValidationError
from workbench.i18n import N_
from workbench.session import Role, Session
from workbench.stats import facts

CHUNK = 2000
MAX_CASES = 1_000_000
LANGUAGE_BY_COUNTRY = {"FI": "fi", "SE": "sv", "DK": "da"}
CHILD_TYPES = (Person, Case, Tenancy, ArrearsItem, HouseholdMember, Debt, Benefit,
               AuthorityDecision, Consent, Contact, Referral, FollowUp, OutcomeRecord)


def quarter_start(day: date, quarters_back: int = 0) -> date:
    index = day.year * 4 + (day.month - 1) // 3 - quarters_back
    return date(index // 4, (index % 4) * 3 + 1, 1)


@dataclass
class _Batch:
    """Records of one chunk, by type, ready for ``executemany``."""

    records: dict[type, list] = field(default_factory=lambda: {t: [] for t in CHILD_TYPES})
    documents: list[tuple] = field(default_factory=list)

    def add(self, record) -> None:
        self.records[type(record)].append(record)


def seed_demo(session: Session, cases: int, seed: int = 1, today: date | None = None) -> int:
    """Add ``cases`` fictional cases; returns how many were added."""
    session.require(Role.ADMIN, N_("add demonstration cases"))
    if not 1 <= cases <= MAX_CASES:
        raise ValidationError(N_("The number of cases must be between 1 and {max}."),
                              max=MAX_CASES)
    country = session.organisation.country
    generator = _Generator(random.Random(seed), vocabulary(country), country,
                           today or date.today(), session.user.id)
    db = session.db
    with session.action("demo.seed", "store"):
        landlord_ids = _ensure_landlords(session, generator.words)
        next_person = (db.scalar("SELECT max(id) FROM persons") or 0) + 1
        next_case = (db.scalar("SELECT max(id) FROM cases") or 0) + 1
        generator.money = DemoMoney(random.Random(seed + 1), country, generator.today,
                                    (db.scalar("SELECT max(id) FROM budgets") or 0) + 1,
                                    (db.scalar("SELECT max(id) FROM payment_plans") or 0) + 1)
        for start in range(0, cases, CHUNK):
            batch = _Batch()
            for offset in range(min(CHUNK, cases - start)):
                generator.case(batch, next_person + start + offset,
                               next_case + start + offset, landlord_ids)
            _write(session, batch)
            demo_plans.write(db, generator.money)
        search.optimise(db)
        facts.rebuild(db, session.facts_context())  # bulk rows bypass the per-case refresh
    return cases


def _ensure_landlords(session: Session, words: DemoVocabulary) -> dict[str, list[tuple]]:
    db = session.db
    by_kind: dict[str, list[tuple]] = {}
    for kind, names in words.landlords.items():
        for name in names:
            row = db.one("SELECT id FROM landlords WHERE name = ?", (name,))
            landlord_id = row[0] if row else rows.insert(db, Landlord(name, LandlordKind(kind)))
            by_kind.setdefault(kind, []).append((landlord_id, name))
    return by_kind


def _write(session: Session, batch: _Batch) -> None:
    db = session.db
    for record_type, records in batch.records.items():
        if not records:
            continue
        names = rows.columns(record_type, with_id=True)
        sql = (f"INSERT INTO {record_type.TABLE} ({', '.join(names)}) "
               f"VALUES ({', '.join('?' for _ in names)})")
        db.executemany(sql, (rows.values(record, names) for record in records))
    db.executemany("INSERT INTO case_search (rowid, names, identity, address, landlord, notes) "
                   "VALUES (?, ?, ?, ?, ?, ?)", batch.documents)


class _Generator:
    def __init__(self, rng: random.Random, words: DemoVocabulary, country: str, today: date,
                 advisor_id: int) -> None:
        self.rng, self.words, self.country, self.today = rng, words, country, today
        self.advisor_id = advisor_id
        self.first_day = quarter_start(today, 7)
        self.span = (today - self.first_day).days
        self.landlord_kinds = [k.value for k in LandlordKind]

    def _date_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def _phone(self) -> str:
        digits = f"{self.rng.randint(0, 9999999):07d}"
        prefix = {"FI": "+358 40", "SE": "+46 70", "DK": "+45 2"}[self.country]
        return f"{prefix} {digits[:3]} {digits[3:]}"

    def _name(self, female: bool) -> str:
        names = self.words.female_first_names if female else self.words.male_first_names
        return self.rng.choice(names)

    def case(self, batch: _Batch, person_id: int, case_id: int,
             landlords: dict[str, list[tuple]]) -> None:
        rng, words = self.rng, self.words
        female = rng.random() < 0.55
        birth = date(self.today.year - rng.choices(
            [rng.randint(18, 24), rng.randint(25, 34), rng.randint(35, 49),
             rng.randint(50, 64), rng.randint(65, 90)], weights=[15, 28, 30, 18, 9])[0],
            rng.randint(1, 12), rng.randint(1, 28))
        has_id = rng.random() < 0.9
        person = Person(
            first_name=self._name(female), last_name=rng.choice(words.surnames),
            identity_number=identity_number(rng, self.country, birth) if has_id else None,
            identity_kind={"FI": "fi_hetu", "SE": "se_personnummer", "DK": "dk_cpr"}[
                self.country] if has_id else None,
            birth_year=birth.year, phone=self._phone(),
            language=LANGUAGE_BY_COUNTRY[self.country], id=person_id)
        batch.add(person)

        opened = self.first_day + timedelta(days=int(self.span * rng.random() ** 0.8))
        age_days = (self.today - opened).days
        closed = None
        status = rng.choices([CaseStatus.OPEN, CaseStatus.ON_HOLD, CaseStatus.OUTREACH],
                             weights=[80, 10, 10])[0]
        if age_days > 60 and rng.random() < min(0.9, age_days / 400):
            status = CaseStatus.CLOSED
            closed = self._date_between(opened + timedelta(days=30), self.today)
        end = closed or self.today
        rent = rng.randrange(35000, 140000, 500)
        arrears = rent * rng.randint(1, 6) + rng.randrange(0, 20000, 100)
        reasons = frozenset(rng.sample(list(Reason), rng.randint(1, 3)))
        batch.add(Case(person_id=person_id, status=status, opened_on=opened, closed_on=closed,
                       referral_source=rng.choices(list(ReferralSource),
                                                   weights=[30, 35, 20, 10, 5])[0],
                       reasons=reasons,
                       advisor_id=self.advisor_id if rng.random() < 0.5 else None,
                       intake_arrears=arrears, id=case_id))

        kind = rng.choices(self.landlord_kinds, weights=[40, 15, 30, 8, 7])[0]
        landlord_id, landlord_name = rng.choice(landlords[kind])
        city = rng.choice(words.cities)
        street = f"{rng.choice(words.streets)} {rng.randint(1, 120)}"
        if rng.random() < 0.6:
            street += f" {rng.choice('ABCDEFG')} {rng.randint(1, 60)}"
        reference = f"{rng.randint(1000, 9999)}-{rng.randint(100, 999)}"
        batch.add(Tenancy(case_id, landlord_id, street, city["postcode"], city["name"], rent,
                          opened - timedelta(days=rng.randint(200, 5000)), reference))
        batch.add(ArrearsItem(case_id, ArrearsComponent.RENT, arrears, opened))
        if rng.random() < 0.4:
            batch.add(ArrearsItem(case_id, ArrearsComponent.COLLECTION_COSTS,
                                  rng.randrange(1500, 25000, 100), opened))

        members, children = self._household(batch, case_id, female)
        adults = 1 + len(members) - children
        self.money.case(case_id, opened, rent, arrears, adults, children,
                        self.today.year - birth.year, status is not CaseStatus.CLOSED)
        self._debts_and_benefits(batch, case_id, opened, end)
        notes = self._contacts(batch, case_id, opened, end)
        notes += self._referrals_and_followups(batch, case_id, opened, end, status)
        self._consents_and_outcomes(batch, case_id, opened, end, status)
        batch.documents.append((case_id, *search.document(
            names=[f"{person.first_name} {person.last_name}", *members],
            identity_numbers=[person.identity_number or ""],
            address=f"{street}, {city['postcode']} {city['name']}",
            landlord=[landlord_name, reference], notes=notes)))

    def _household(self, batch: _Batch, case_id: int, female: bool) -> tuple[list[str], int]:
        """The other members' names, and how many of them are children."""
        rng = self.rng
        names = []
        shape = rng.choices(["single", "single_parent", "couple", "couple_children", "other"],
                            weights=[45, 20, 12, 15, 8])[0]
        if shape in ("couple", "couple_children"):
            names.append(self._name(not female))
            batch.add(HouseholdMember(case_id, MemberRole.PARTNER, names[-1],
                                      self.today.year - rng.randint(20, 70)))
        if shape in ("single_parent", "couple_children"):
            for _ in range(rng.randint(1, 4)):
                names.append(self._name(rng.random() < 0.5))
                batch.add(HouseholdMember(case_id, MemberRole.CHILD, names[-1],
                                          self.today.year - rng.randint(0, 17)))
        if shape == "other":
            names.append(self._name(rng.random() < 0.5))
            batch.add(HouseholdMember(case_id, MemberRole.ADULT, names[-1],
                                      self.today.year - rng.randint(18, 80)))
        children = len(names) - (1 if shape in ("couple", "couple_children", "other") else 0)
        return names, children

    def _debts_and_benefits(self, batch: _Batch, case_id: int, opened: date, end: date) -> None:
        rng = self.rng
        for _ in range(rng.choices([0, 1, 2, 3], weights=[35, 30, 20, 15])[0]):
            batch.add(Debt(case_id, rng.choice(self.words.creditors), rng.choice(list(DebtKind)),
                           rng.randrange(5000, 2500000, 100), rng.random() < 0.3))
        for kind in (BenefitKind.HOUSING_ALLOWANCE, BenefitKind.SOCIAL_ASSISTANCE):
            if rng.random() < 0.6:
                status = rng.choices(list(BenefitStatus), weights=[15, 30, 40, 15])[0]
                decided = self._date_between(opened, end) \
                    if status in (BenefitStatus.GRANTED, BenefitStatus.REFUSED) else None
                batch.add(Benefit(case_id, kind, status, decided))
        if rng.random() < 0.35:
            batch.add(AuthorityDecision(case_id, DecisionKind.EVICTION_NOTICE,
                                        opened - timedelta(days=rng.randint(0, 40))))
            if rng.random() < 0.4:
                batch.add(AuthorityDecision(case_id, DecisionKind.COURT_CASE,
                                            self._date_between(opened, end + timedelta(60))))
                if rng.random() < 0.2:
                    batch.add(AuthorityDecision(case_id, DecisionKind.BAILIFF_EVICTION,
                                                self._date_between(opened, end + timedelta(90))))

    def _contacts(self, batch: _Batch, case_id: int, opened: date, end: date) -> list[str]:
        rng, words = self.rng, self.words
        notes = []
        channels = list(Channel)
        for _ in range(rng.choices(range(1, 21), weights=[3] * 5 + [8] * 10 + [4] * 5)[0]):
            day = self._date_between(opened, end)
            at = datetime.combine(day, time(rng.randint(8, 16), rng.choice((0, 15, 30, 45))),
                                  tzinfo=UTC)
            topic, note = rng.choice(words.contact_topics), rng.choice(words.contact_notes)
            batch.add(Contact(case_id, rng.choices(channels, weights=[40, 15, 20, 8, 12, 5])[0],
                              at, rng.choice((5, 10, 15, 20, 30, 45, 60, 90)), topic, note,
                              self.advisor_id))
            notes.append(f"{topic} {note}")
        return notes

    def _referrals_and_followups(self, batch: _Batch, case_id: int, opened: date, end: date,
                                 status: CaseStatus) -> list[str]:
        rng, words = self.rng, self.words
        notes = []
        for _ in range(rng.choices([0, 1, 2], weights=[50, 35, 15])[0]):
            partner = rng.choice(words.referral_partners)
            batch.add(Referral(case_id, partner, self._date_between(opened, end)))
            notes.append(partner)
        for _ in range(rng.randint(0, 3)):
            task = rng.choice(words.followup_tasks)
            due = self._date_between(opened, end + timedelta(days=30))
            done = None
            if status is CaseStatus.CLOSED or (due < self.today and rng.random() < 0.8):
                done = min(due, end)
            batch.add(FollowUp(case_id, due, task, done, self.advisor_id))
            notes.append(task)
        return notes

    def _consents_and_outcomes(self, batch: _Batch, case_id: int, opened: date, end: date,
                               status: CaseStatus) -> None:
        rng = self.rng
        parties = rng.sample(list(ConsentParty)[:5], rng.randint(1, 3))
        for party in parties:
            withdrawn = self._date_between(opened, end) if rng.random() < 0.05 else None
            batch.add(Consent(case_id, party, rng.choice(list(ConsentMethod)), opened,
                              "", withdrawn))
        if status is not CaseStatus.CLOSED:
            return
        good = [Outcome.EVICTION_PREVENTED, Outcome.PAYMENT_PLAN_MADE, Outcome.BENEFITS_GRANTED,
                Outcome.REFERRED_DEBT_COUNSELLING, Outcome.COURT_CASE_WITHDRAWN,
                Outcome.PLAN_COMPLETED, Outcome.MOVED_AFFORDABLE]
        if rng.random() < 0.85:
            chosen = set(rng.sample(good, rng.randint(1, 3)))
        else:
            chosen = {rng.choice([Outcome.EVICTED, Outcome.CONTACT_LOST])}
        for outcome in sorted(chosen):
            batch.add(OutcomeRecord(case_id, outcome, end))
