"""Case actions: one method per thing an advisor does, one transaction and audit row each."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from workbench import payments
from workbench.cases import listing, queries, rows, search
from workbench.cases.listing import CaseQuery, SortKey
from workbench.cases.model import (
    RECORD_TYPES,
    ArrearsComponent,
    ArrearsItem,
    Case,
    CaseFile,
    CaseRow,
    CaseStatus,
    Consent,
    FollowUp,
    Intake,
    Landlord,
    Outcome,
    OutcomeRecord,
    Person,
    Tenancy,
)
from workbench.cases.validation import validate
from workbench.errors import FieldError, NotFound, ValidationError
from workbench.i18n import N_
from workbench.identity import check_identity
from workbench.session import Role, Session, now_utc
from workbench.sync import seen


class InvalidIdentity(FieldError):
    template = N_("“{text}” is not a valid identity number. Check it, or save it marked "
                  "as unchecked.")

    def __init__(self, text: str) -> None:
        super().__init__("identity", self.template, text=text)


class CaseNotFound(NotFound):
    template = N_("There is no case number {id}.")


class PersonNotFound(NotFound):
    template = N_("There is no person number {id}.")


class RecordNotFound(NotFound):
    template = N_("The entry was not found; it may have been removed.")


class CaseService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.db = session.db

    # --- reading -------------------------------------------------------------------------

    def open_case(self, case_id: int) -> CaseFile:
        self._may_read()
        with self.db.snapshot():
            file = queries.load_case(self.db, case_id)
            if file is not None:
                file.sync_versions = seen.versions_seen(self.db, case_id)
        if file is None:
            raise CaseNotFound(id=case_id)
        self.session.case_opened(case_id)  # audited once per case per session
        return file

    def exists(self, case_id: int) -> bool:
        """Whether the case is (still) in the store: another laptop may have erased it."""
        self._may_read()
        return self.db.one("SELECT 1 FROM cases WHERE id = ?", (case_id,)) is not None

    def versions_seen(self, case_id: int) -> seen.Seen | None:
        """The versions of the rows the case's forms show, as they are now (see
        ``CaseFile.sync_versions``); None unless the store syncs with a team."""
        self._may_read()
        return seen.versions_seen(self.db, case_id)

    @contextlib.contextmanager
    def saving_over(self, versions: seen.Seen | None) -> Iterator[None]:
        """One write transaction for a form's save: what is checked inside (has another
        laptop's change arrived?) still holds when the save is written, and saves inside
        stand on ``versions`` — a field another laptop changed meanwhile and the advisor
        changed too becomes a conflict instead of being overwritten."""
        with self.db.transaction(), seen.typed_over(versions):
            yield

    def record_listing(self) -> None:
        """A list of cases taken out of the program (``cases list``) is audited."""
        self._may_read()
        with self.session.action("cases.list", "store"):
            pass

    def list_cases(self, query: CaseQuery | None = None, limit: int | None = None,
                   offset: int = 0) -> list[CaseRow]:
        """A page of the case list: filtered, searched and sorted as ``query`` says."""
        self._may_read()
        return listing.rows(self.db, query or CaseQuery(sort=SortKey.OPENED, descending=False),
                            limit, offset)

    def case_row(self, case_id: int) -> CaseRow | None:
        """One case's line in the case list, as it is now."""
        self._may_read()
        found = queries.rows_by_ids(self.db, [case_id])
        return found[0] if found else None

    def count_cases(self, query: CaseQuery | None = None) -> int:
        self._may_read()
        return listing.count(self.db, query or CaseQuery())

    def search(self, text: str, limit: int = 200) -> list[CaseRow]:
        """Cases matching every typed word (as a prefix), best match first."""
        self._may_read()
        return queries.rows_by_ids(self.db, search.matching_ids(self.db, text, limit))

    def find_duplicates(self, first_name: str, last_name: str, identity_text: str = "",
                        street: str = "") -> list[CaseRow]:
        """Cases that look like the same resident: same identity number, or same name and
        street. Shown before a second case is opened for somebody."""
        self._may_read()
        ids: list[int] = []
        if identity_text.strip():
            check = check_identity(identity_text, self.session.organisation.country)
            number = check.compact if check.valid else identity_text.strip()
            ids += [row[0] for row in self.db.all(
                "SELECT c.id FROM cases c JOIN persons p ON p.id = c.person_id "
                "WHERE p.identity_number = ? ORDER BY c.id", (number,))]
        if street.strip() and last_name.strip():
            wanted = (first_name.strip().casefold(), last_name.strip().casefold(),
                      street.strip().casefold())
            # The index narrows by name; the exact comparison is Unicode-aware in Python,
            # since SQLite's lower() only folds ASCII (Ä would not match ä).
            candidates = search.matching_ids(self.db, f"{first_name} {last_name}", 200)
            ids += [row[0] for row in queries.name_and_street(self.db, candidates)
                    if (row[1].casefold(), row[2].casefold(), row[3].casefold()) == wanted]
        return queries.rows_by_ids(self.db, list(dict.fromkeys(ids)))

    def landlords(self) -> list[Landlord]:
        self._may_read()
        return rows.select(self.db, Landlord, "1", order="name")

    # --- creating ------------------------------------------------------------------------

    def create_case(self, intake: Intake) -> CaseFile:
        self._may_write(N_("open cases"))
        person = self._person_from_intake(intake)
        validate(person)
        today = intake.opened_on or date.today()
        with self.session.action("case.create", "case") as act:
            person.id = rows.insert(self.db, person)
            case = Case(person_id=person.id, status=intake.status, opened_on=today,
                        referral_source=intake.referral_source, reasons=intake.reasons,
                        advisor_id=self.session.user.id, intake_arrears=intake.rent_arrears)
            validate(case)
            case.id = act.entity_id = rows.insert(self.db, case)
            tenancy = Tenancy(case_id=case.id, landlord_id=intake.landlord_id,
                              street=intake.street.strip(), postcode=intake.postcode.strip(),
                              city=intake.city.strip(), monthly_rent=intake.monthly_rent,
                              landlord_reference=intake.landlord_reference.strip())
            validate(tenancy)
            rows.insert(self.db, tenancy)
            if intake.rent_arrears:
                rows.insert(self.db, ArrearsItem(case.id, ArrearsComponent.RENT,
                                                 intake.rent_arrears, today))
            queries.reindex(self.db, case.id)
        return self.open_case(case.id)

    def _person_from_intake(self, intake: Intake) -> Person:
        person = Person(first_name=intake.first_name.strip(), last_name=intake.last_name.strip(),
                        phone=intake.phone.strip(), email=intake.email.strip(),
                        language=intake.language)
        self._set_identity(person, intake.identity_text, intake.identity_override)
        return person

    def _set_identity(self, person: Person, text: str, override: bool) -> None:
        text = text.strip()
        if not text:
            person.identity_number = person.identity_kind = None
            person.identity_unverified = False
            return
        check = check_identity(text, self.session.organisation.country)
        if not check.valid and not override:
            raise InvalidIdentity(text=text)
        person.identity_number = check.compact if check.valid else text
        person.identity_kind = check.kind.value
        person.identity_unverified = not check.valid
        if check.birth_date:
            person.birth_year = check.birth_date.year

    def add_landlord(self, landlord: Landlord) -> Landlord:
        self._may_write(N_("add landlords"))
        landlord = self._checked_landlord(landlord)
        if self.db.one("SELECT 1 FROM landlords WHERE lower(name) = lower(?)", (landlord.name,)):
            raise ValidationError(N_("A landlord named “{name}” already exists."),
                                  name=landlord.name)
        with self.session.action("landlord.add", "landlord") as act:
            landlord.id = act.entity_id = rows.insert(self.db, landlord)
        return landlord

    def update_landlord(self, landlord: Landlord) -> Landlord:
        """A landlord's name, type, contact person and payment details, in one action."""
        self._may_write(N_("edit landlords"))
        landlord = self._checked_landlord(landlord)
        if self.db.one("SELECT 1 FROM landlords WHERE lower(name) = lower(?) AND id != ?",
                       (landlord.name, landlord.id)):
            raise ValidationError(N_("A landlord named “{name}” already exists."),
                                  name=landlord.name)
        with self.session.action("landlord.update", "landlord", landlord.id):
            if not rows.update(self.db, landlord):
                raise RecordNotFound()
        return landlord

    def landlord(self, landlord_id: int) -> Landlord:
        self._may_read()
        found = rows.select(self.db, Landlord, "id = ?", (landlord_id,))
        if not found:
            raise RecordNotFound()
        return found[0]

    def _checked_landlord(self, landlord: Landlord) -> Landlord:
        """Trimmed, with the IBAN, bankgiro and reference checked by the country's scheme
        and kept in their compact forms."""
        text = {name: getattr(landlord, name).strip() for name in (
            "name", "phone", "email", "contact_person", "address")}
        landlord = dataclasses.replace(landlord, **text)
        validate(landlord)
        country = self.session.organisation.country
        reference = payments.check_reference(landlord.payment_reference, country)
        bankgiro = payments.check_bankgiro(landlord.bankgiro)
        if bankgiro and country != "SE":
            raise FieldError("bankgiro", N_("Bankgiro numbers are used in Sweden only."))
        return dataclasses.replace(
            landlord, iban=payments.check_iban(landlord.iban), bankgiro=bankgiro,
            payment_reference=reference.compact if reference else "")

    # --- editing -------------------------------------------------------------------------

    def update_person(self, case_id: int, person: Person, identity_text: str | None = None,
                      identity_override: bool = False) -> CaseFile:
        """Save the resident's details; ``identity_text`` when the number was edited."""
        self._may_write(N_("edit cases"))
        file = self.open_case(case_id)
        person = dataclasses.replace(person, id=file.person.id)
        if identity_text is not None:
            self._set_identity(person, identity_text, identity_override)
        validate(person)
        with self.session.action("person.update", "case", case_id):
            rows.update(self.db, person)
            self.db.execute("UPDATE persons SET updated_at = ? WHERE id = ?",
                            (now_utc(), person.id))
            self._touched(case_id)
        return self.open_case(case_id)

    def update_case(self, case: Case) -> CaseFile:
        """Overview fields: status, advisor, reasons, referral source, note, dates."""
        case = self._checked_case(case)
        with self.session.action("case.update", "case", case.id):
            rows.update(self.db, case)
            self._touched(case.id)
        return self.open_case(case.id)

    def update_overview(self, case: Case, outcomes: frozenset[Outcome]) -> CaseFile:
        """The Overview as saved: the case's fields and its ticked outcomes, as one action
        (one transaction, one audit entry: never the status without the outcomes)."""
        case = self._checked_case(case)
        current = self.open_case(case.id)
        with self.session.action("case.update", "case", case.id):
            if case != current.case:
                rows.update(self.db, case)
            self._write_outcomes(case.id, current.outcomes, outcomes, date.today())
            self._touched(case.id)
        return self.open_case(case.id)

    def _checked_case(self, case: Case) -> Case:
        self._may_write(N_("edit cases"))
        current = self.open_case(_id(case)).case
        case = dataclasses.replace(case, person_id=current.person_id)
        if case.status is CaseStatus.CLOSED and case.closed_on is None:
            case.closed_on = date.today()
        if case.status is not CaseStatus.CLOSED:
            case.closed_on = None
        validate(case)
        return case

    def set_tenancy(self, tenancy: Tenancy) -> CaseFile:
        self._may_write(N_("edit cases"))
        self.open_case(tenancy.case_id)
        tenancy = dataclasses.replace(tenancy, street=tenancy.street.strip(),
                                      landlord_reference=tenancy.landlord_reference.strip())
        validate(tenancy)
        with self.session.action("tenancy.update", "case", tenancy.case_id):
            if not rows.update(self.db, tenancy, key="case_id"):
                rows.insert(self.db, tenancy)
            self._touched(tenancy.case_id)
        return self.open_case(tenancy.case_id)

    def set_arrears(self, case_id: int, component: ArrearsComponent, amount: int,
                    as_of: date | None = None) -> CaseFile:
        """The arrears of one component as now known; zero removes the component."""
        return self.set_all_arrears(case_id, {component: amount}, as_of)

    def set_all_arrears(self, case_id: int, amounts: dict[ArrearsComponent, int],
                        as_of: date | None = None) -> CaseFile:
        """Several components at once (the arrears form); unchanged ones keep their date."""
        self._may_write(N_("edit cases"))
        current = {item.component: item.amount for item in self.open_case(case_id).arrears}
        items = [ArrearsItem(case_id, component, amount, as_of or date.today())
                 for component, amount in amounts.items()
                 if current.get(component, 0) != amount]
        for item in items:
            validate(item)
        if not items:
            return self.open_case(case_id)
        with self.session.action("arrears.set", "case", case_id):
            for item in items:
                self.db.execute("DELETE FROM arrears WHERE case_id = ? AND component = ?",
                                (case_id, item.component.value))
                if item.amount:
                    rows.insert(self.db, item)
            self._touched(case_id)
        return self.open_case(case_id)

    def add(self, record: Any) -> Any:
        """Add a record (contact, consent, debt, …) to its case; returns it with its id."""
        self._may_write(N_("edit cases"))
        _check_record_type(record)
        self.open_case(record.case_id)
        validate(record)
        record = dataclasses.replace(record)
        with self.session.action(f"{record.TABLE}.add", "case", record.case_id):
            record.id = rows.insert(self.db, record)
            self._touched(record.case_id)
        return record

    def update(self, record: Any) -> Any:
        self._may_write(N_("edit cases"))
        _check_record_type(record)
        stored = self._stored(type(record), _id(record))
        if stored.case_id != record.case_id:
            raise RecordNotFound()
        validate(record)
        with self.session.action(f"{record.TABLE}.update", "case", record.case_id):
            rows.update(self.db, record)
            self._touched(record.case_id)
        return record

    def remove(self, record_type: type, record_id: int) -> None:
        self._may_write(N_("edit cases"))
        stored = self._stored(record_type, record_id)
        with self.session.action(f"{record_type.TABLE}.remove", "case", stored.case_id):
            self.db.execute(f"DELETE FROM {record_type.TABLE} WHERE id = ?", (record_id,))
            self._touched(stored.case_id)

    def withdraw_consent(self, consent_id: int, on: date | None = None) -> Consent:
        consent = self._stored(Consent, consent_id)
        return self.update(dataclasses.replace(consent, withdrawn_on=on or date.today()))

    def complete_followup(self, followup_id: int, on: date | None = None) -> FollowUp:
        followup = self._stored(FollowUp, followup_id)
        return self.update(dataclasses.replace(followup, done_on=on or date.today()))

    def set_outcomes(self, case_id: int, outcomes: frozenset[Outcome],
                     on: date | None = None) -> CaseFile:
        """The case's outcomes as ticked: new ones dated ``on``, unticked ones removed."""
        self._may_write(N_("edit cases"))
        existing = self.open_case(case_id).outcomes
        if {o.outcome for o in existing} == set(outcomes):
            return self.open_case(case_id)
        with self.session.action("outcomes.set", "case", case_id):
            self._write_outcomes(case_id, existing, outcomes, on or date.today())
            self._touched(case_id)
        return self.open_case(case_id)

    def _write_outcomes(self, case_id: int, existing: list[OutcomeRecord],
                        outcomes: frozenset[Outcome], on: date) -> None:
        """New ticks dated ``on``, unticked ones removed (inside the caller's action)."""
        current = {o.outcome: o for o in existing}
        for outcome in sorted(o for o in outcomes if o not in current):
            rows.insert(self.db, OutcomeRecord(case_id, outcome, on))
        for outcome, record in current.items():
            if outcome not in outcomes:
                self.db.execute("DELETE FROM outcomes WHERE id = ?", (record.id,))

    def record_outcome(self, case_id: int, outcome: Outcome,
                       on: date | None = None) -> OutcomeRecord:
        existing = [o for o in self.open_case(case_id).outcomes if o.outcome is outcome]
        if existing:
            return existing[0]
        return self.add(OutcomeRecord(case_id, outcome, on or date.today()))

    # --- personal data requests -----------------------------------------------------------

    def export_person(self, person_id: int) -> dict:
        """Everything the store holds about a person, for a subject access request."""
        self._may_write(N_("export personal data"))
        person_rows = rows.select(self.db, Person, "id = ?", (person_id,))
        if not person_rows:
            raise PersonNotFound(id=person_id)
        case_ids = [row[0] for row in self.db.all(
            "SELECT id FROM cases WHERE person_id = ? ORDER BY id", (person_id,))]
        with self.session.action("person.export", "person", person_id):
            files = [queries.load_case(self.db, case_id) for case_id in case_ids]
        return {
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "organisation": self.session.organisation.name,
            "person": _plain(person_rows[0]),
            "cases": [_plain_case(file) for file in files if file is not None],
        }

    def erase_case(self, case_id: int) -> None:
        """Remove a case and its records, and the person when no other case is theirs.

        The audit log keeps a row saying a case was erased, which holds no personal data.
        """
        self.session.require(Role.ADMIN, N_("erase cases"))
        file = self.open_case(case_id)
        with self.session.action("case.erase", "case", case_id):
            self.db.execute("DELETE FROM payment_plans WHERE case_id = ?", (case_id,))
            self.db.execute("DELETE FROM cases WHERE id = ?", (case_id,))
            search.remove(self.db, case_id)
            others = self.db.scalar("SELECT count(*) FROM cases WHERE person_id = ?",
                                    (file.person.id,))
            if not others:
                self.db.execute("DELETE FROM persons WHERE id = ?", (file.person.id,))
            # A contentless index keeps a deleted row's words until its segments are merged;
            # merge now so the erased person's name and number are gone from the file too.
            search.optimise(self.db)

    # --- helpers -------------------------------------------------------------------------

    def _may_read(self) -> None:
        self.session.require_case_work(N_("see case data"))

    def _may_write(self, action: str) -> None:
        self.session.require_case_work(action)

    def _stored(self, record_type: type, record_id: int) -> Any:
        _check_record_type(record_type)
        found = rows.select(self.db, record_type, "id = ?", (record_id,))
        if not found:
            raise RecordNotFound()
        return found[0]

    def _touched(self, case_id: int) -> None:
        self.db.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (now_utc(), case_id))
        queries.reindex(self.db, case_id)


def _check_record_type(record_or_type: Any) -> None:
    record_type = record_or_type if isinstance(record_or_type, type) else type(record_or_type)
    if record_type not in RECORD_TYPES:
        raise TypeError(f"{record_type.__name__} is not a case record")


def _id(record: Any) -> int:
    if record.id is None:
        raise RecordNotFound()
    return record.id


def _plain(record: Any) -> dict:
    return {name: rows.to_db(value) for name, value in dataclasses.asdict(record).items()}


def _plain_case(file: CaseFile) -> dict:
    data = {"case": _plain(file.case),
            "tenancy": _plain(file.tenancy) if file.tenancy else None,
            "landlord": _plain(file.landlord) if file.landlord else None}
    for name in ("members", "arrears", "debts", "benefits", "decisions", "consents",
                 "contacts", "referrals", "followups", "outcomes"):
        data[name] = [_plain(item) for item in getattr(file, name)]
    return data
