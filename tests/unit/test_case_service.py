"""Case work through the services, as the window and the CLI use them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import FAST_KDF
from tests.helpers import intake, now
from workbench.agreements.service import AgreementService
from workbench.budget.service import BudgetService
from workbench.cases.listing import CaseQuery, SortKey
from workbench.cases.model import (
    ArrearsComponent,
    CaseStatus,
    Channel,
    Consent,
    ConsentMethod,
    ConsentParty,
    Contact,
    Debt,
    DebtKind,
    FollowUp,
    HouseholdMember,
    Landlord,
    LandlordKind,
    MemberRole,
    Outcome,
)
from workbench.cases.service import CaseNotFound, CaseService, InvalidIdentity
from workbench.errors import FieldError, PermissionDenied, ValidationError
from workbench.session import Role, unlock
from workbench.users import UserService


@pytest.fixture
def service(session) -> CaseService:
    return CaseService(session)


def test_a_walk_in_case_is_opened_with_its_tenancy_and_arrears(service):
    landlord = service.add_landlord(Landlord("Kaupungin Vuokrakodit Oy", LandlordKind.MUNICIPAL))
    file = service.create_case(intake(landlord_id=landlord.id))
    assert file.person.full_name == "Åsa Jääskeläinen"
    assert file.person.identity_number == "131052-308T"
    assert file.person.birth_year == 1952
    assert file.case.status is CaseStatus.OPEN
    assert file.case.opened_on == date.today()
    assert file.tenancy.address == "Koivukuja 3 B 12, 00100 Helsinki"
    assert file.landlord.name == "Kaupungin Vuokrakodit Oy"
    assert file.arrears_total == 123450
    assert file.case.intake_arrears == 123450


@pytest.mark.parametrize("typed", ["jääskel", "JAASKELAINEN", "Åsa", "131052-308T",
                                   "131052308t", "koivukuja", "00100 helsinki", "KV-2231"])
def test_search_finds_the_case_by_name_identity_number_street_and_reference(service, typed):
    file = service.create_case(intake())
    service.create_case(intake(first_name="Matti", last_name="Virtanen", identity_text="",
                               street="Mannerheimintie 5", postcode="00250",
                               landlord_reference="X-1"))
    assert [row.id for row in service.search(typed)] == [file.case.id]


def test_search_finds_words_from_the_contact_log_once_it_is_saved(service):
    file = service.create_case(intake())
    assert service.search("bostadsbidrag") == []
    service.add(Contact(file.case.id, Channel.PHONE, now(), 15, "Bostadsbidrag",
                        "Ansökan skickad"))
    assert [row.id for row in service.search("bostadsbid")] == [file.case.id]


def test_search_ignores_fts_syntax_in_what_is_typed(service):
    """What is typed is words to find, never the index's query language."""
    asa = service.create_case(intake()).case.id
    service.create_case(intake(first_name="Bo", last_name="Ek", identity_text="",
                               street="Storgatan 1"))
    for typed in ['"', "AND OR NOT", "*", "Åsa NEAR(", "-", ":", "'; DROP TABLE cases;"]:
        assert service.search(typed) == [], typed  # no match, no exception
    for typed in ['"Jääskeläinen"', "Jääsk*", "jääskeläinen:", "(Åsa)"]:
        assert [row.id for row in service.search(typed)] == [asa], typed
    # Operators are words like any other: NOT excludes nobody, OR widens nothing.
    assert service.search("NOT Åsa") == [] and service.search("Jääskeläinen OR Ek") == []
    assert service.search("") == []
    assert service.count_cases() == 2


def test_an_invalid_identity_number_is_refused_unless_the_advisor_overrides(service):
    with pytest.raises(InvalidIdentity) as raised:
        service.create_case(intake(identity_text="131052-308X"))
    assert "131052-308X" in raised.value.message()
    assert service.count_cases() == 0  # nothing half-saved
    file = service.create_case(intake(identity_text="131052-308X", identity_override=True))
    assert file.person.identity_number == "131052-308X"
    assert file.person.identity_unverified


def test_no_identity_number_is_allowed(service):
    file = service.create_case(intake(identity_text=""))
    assert file.person.identity_number is None


def test_duplicates_are_found_by_identity_number_or_by_name_and_street(service):
    first = service.create_case(intake())
    by_number = service.find_duplicates("Someone", "Else", identity_text="131052-308t")
    by_address = service.find_duplicates("åsa", "JÄÄSKELÄINEN", street="koivukuja 3 b 12")
    assert [r.id for r in by_number] == [first.case.id]
    assert [r.id for r in by_address] == [first.case.id]
    assert service.find_duplicates("Åsa", "Jääskeläinen", street="Other street 1") == []


def test_logging_a_contact_and_listing_it_newest_first(service):
    case_id = service.create_case(intake()).case.id
    earlier = service.add(Contact(case_id, Channel.OFFICE, now() - timedelta(days=2), 30))
    later = service.add(Contact(case_id, Channel.HOME_VISIT, now(), 45, "Budget", "Kitchen"))
    contacts = service.open_case(case_id).contacts
    assert [c.id for c in contacts] == [later.id, earlier.id]
    assert contacts[0].channel is Channel.HOME_VISIT and contacts[0].minutes == 45


def test_a_consent_is_recorded_and_withdrawn(service):
    case_id = service.create_case(intake()).case.id
    consent = service.add(Consent(case_id, ConsentParty.LANDLORD, ConsentMethod.WRITTEN,
                                  date(2026, 10, 1), "arrears and payment plan"))
    assert service.open_case(case_id).consents[0].active
    service.withdraw_consent(consent.id, date(2026, 11, 2))
    stored = service.open_case(case_id).consents[0]
    assert not stored.active and stored.withdrawn_on == date(2026, 11, 2)


def test_a_withdrawal_before_the_consent_was_given_is_refused(service):
    case_id = service.create_case(intake()).case.id
    consent = service.add(Consent(case_id, ConsentParty.LANDLORD, ConsentMethod.ORAL,
                                  date(2026, 10, 1)))
    with pytest.raises(FieldError) as raised:
        service.withdraw_consent(consent.id, date(2026, 9, 1))
    assert raised.value.field == "withdrawn_on"
    assert service.open_case(case_id).consents[0].active


def test_arrears_by_component_and_the_case_list_total(service):
    case_id = service.create_case(intake(rent_arrears=100000)).case.id
    service.set_arrears(case_id, ArrearsComponent.COLLECTION_COSTS, 4550)
    service.set_arrears(case_id, ArrearsComponent.RENT, 90000)
    assert service.list_cases()[0].arrears == 94550
    service.set_arrears(case_id, ArrearsComponent.COLLECTION_COSTS, 0)
    assert service.open_case(case_id).arrears_total == 90000
    assert service.open_case(case_id).case.intake_arrears == 100000  # history stays


def test_records_are_validated_before_anything_is_saved(service):
    case_id = service.create_case(intake()).case.id
    with pytest.raises(FieldError) as raised:
        service.add(Debt(case_id, "Pikalaina Oy", DebtKind.CONSUMER_CREDIT, -100))
    assert raised.value.field == "amount"
    with pytest.raises(FieldError):
        service.add(Contact(case_id, Channel.PHONE, now(), minutes=5000))
    with pytest.raises(FieldError):
        service.add(HouseholdMember(case_id, MemberRole.CHILD, "Eino", birth_year=1700))
    assert service.open_case(case_id).debts == []
    assert service.open_case(case_id).contacts == []


def test_follow_ups_due_filter_and_completion(service):
    first = service.create_case(intake()).case.id
    service.create_case(intake(identity_text="", first_name="Pekka"))
    task = service.add(FollowUp(first, date.today() - timedelta(days=1), "Call the landlord"))
    due = service.list_cases(CaseQuery(followups_due_by=date.today()))
    assert [row.id for row in due] == [first]
    assert due[0].next_followup == date.today() - timedelta(days=1)
    service.complete_followup(task.id)
    assert service.list_cases(CaseQuery(followups_due_by=date.today())) == []


def test_closing_a_case_records_the_date_and_outcomes(service):
    file = service.create_case(intake())
    file.case.status = CaseStatus.CLOSED
    closed = service.update_case(file.case)
    assert closed.case.closed_on == date.today()
    service.record_outcome(file.case.id, Outcome.EVICTION_PREVENTED)
    service.record_outcome(file.case.id, Outcome.EVICTION_PREVENTED)  # once is enough
    assert [o.outcome for o in service.open_case(file.case.id).outcomes] == [
        Outcome.EVICTION_PREVENTED]
    assert service.list_cases(CaseQuery(status=CaseStatus.CLOSED))[0].id == file.case.id


def test_editing_the_resident_reindexes_the_search(service):
    file = service.create_case(intake())
    file.person.last_name = "Öberg-Nyström"
    service.update_person(file.case.id, file.person)
    assert service.search("jääskeläinen") == []
    assert [r.id for r in service.search("oberg nystr")] == [file.case.id]


def test_export_person_holds_everything_and_erase_removes_it(service, session):
    file = service.create_case(intake())
    service.add(Contact(file.case.id, Channel.PHONE, now(), 10, "Arrears", "Called"))
    exported = service.export_person(file.person.id)
    assert exported["person"]["last_name"] == "Jääskeläinen"
    assert exported["cases"][0]["contacts"][0]["note"] == "Called"
    assert exported["cases"][0]["tenancy"]["street"] == "Koivukuja 3 B 12"

    service.erase_case(file.case.id)
    with pytest.raises(CaseNotFound):
        service.open_case(file.case.id)
    assert service.search("Jääskeläinen") == []
    assert session.db.scalar("SELECT count(*) FROM persons") == 0
    assert session.db.scalar("SELECT count(*) FROM contacts") == 0
    last = session.db.one("SELECT action, entity, entity_id FROM audit_log ORDER BY id DESC")
    assert tuple(last) == ("case.erase", "case", file.case.id)


def test_a_lead_sees_no_case_data(session):
    UserService(session, kdf=FAST_KDF).add_user("lea", {Role.LEAD}, "leads passphrase 1")
    session.lock()
    lead = unlock(session.location, "lea", "leads passphrase 1")
    with pytest.raises(PermissionDenied) as raised:
        CaseService(lead).list_cases()
    assert raised.value.message() == "User “lea” may not see case data."
    with pytest.raises(PermissionDenied):
        CaseService(lead).create_case(intake())
    lead.lock()


def test_a_lead_sees_neither_a_household_nor_a_document(session):
    case_id = CaseService(session).create_case(intake()).case.id
    CaseService(session).add(HouseholdMember(case_id, MemberRole.CHILD, "Eeli", 2019))
    scan = AgreementService(session).attach_scan(case_id, "signed.png",
                                                 b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert BudgetService(session).household(case_id) == (1, 1)
    assert AgreementService(session).document(scan.id).filename == "signed.png"
    UserService(session, kdf=FAST_KDF).add_user("lea", {Role.LEAD}, "leads passphrase 1")
    session.lock()
    lead = unlock(session.location, "lea", "leads passphrase 1")
    with pytest.raises(PermissionDenied) as raised:
        BudgetService(lead).household(case_id)
    assert raised.value.message() == "User “lea” may not see case data."
    with pytest.raises(PermissionDenied) as raised:
        AgreementService(lead).document(scan.id)
    assert raised.value.message() == "User “lea” may not see case data."
    lead.lock()


def test_an_advisor_cannot_erase_or_add_users(session):
    UserService(session, kdf=FAST_KDF).add_user("ben", {Role.ADVISOR}, "bens passphrase 1")
    case_id = CaseService(session).create_case(intake()).case.id
    session.lock()
    ben = unlock(session.location, "ben", "bens passphrase 1")
    with pytest.raises(PermissionDenied):
        CaseService(ben).erase_case(case_id)
    with pytest.raises(PermissionDenied):
        UserService(ben, kdf=FAST_KDF).add_user("eve", {Role.ADMIN}, "eves passphrase 1")
    ben.lock()


def test_short_passphrases_and_odd_user_names_are_refused(session):
    users = UserService(session, kdf=FAST_KDF)
    with pytest.raises(ValidationError):
        users.add_user("ben", {Role.ADVISOR}, "short")
    with pytest.raises(ValidationError):
        users.add_user("two words", {Role.ADVISOR}, "long enough passphrase")
    assert [u.name for u in users.list_users()] == ["anna"]


def test_the_list_sorts_by_any_column_and_combines_search_with_filters(service):
    names = ["Östman", "Aalto", "Mäkinen", "Berg"]
    for n, last in enumerate(names):
        service.create_case(intake(last_name=last, identity_text="", rent_arrears=1000 * (n + 1),
                                   street=f"Koivukuja {n}"))
    by_name = service.list_cases(CaseQuery(sort=SortKey.NAME, descending=False))
    assert [r.name.split()[1] for r in by_name][:2] == ["Aalto", "Berg"]
    by_arrears = service.list_cases(CaseQuery(sort=SortKey.ARREARS, descending=True))
    assert [r.arrears for r in by_arrears] == [4000, 3000, 2000, 1000]
    page = service.list_cases(CaseQuery(sort=SortKey.ARREARS, descending=False), limit=2,
                              offset=1)
    assert [r.arrears for r in page] == [2000, 3000]
    found = service.list_cases(CaseQuery(text="koivukuja", status=CaseStatus.OPEN))
    assert len(found) == 4
    assert service.count_cases(CaseQuery(text="mäkinen")) == 1
    assert service.count_cases(CaseQuery(text="koivukuja", status=CaseStatus.CLOSED)) == 0


def test_the_overview_is_saved_as_one_action_with_its_outcomes(service):
    """Found: the Overview saved the case, then its outcomes, as two transactions (two
    audit entries; a failure between them kept the status without the outcomes)."""
    import dataclasses

    from workbench.cases.model import CaseStatus, Outcome

    case_id = service.create_case(intake(last_name="Yleiskatsaus")).case.id
    db = service.session.db
    before = db.scalar("SELECT max(id) FROM audit_log")
    case = dataclasses.replace(service.open_case(case_id).case, status=CaseStatus.CLOSED,
                               note="Plan made, eviction stopped")
    saved = service.update_overview(case, frozenset({Outcome.EVICTION_PREVENTED}))
    assert saved.case.status is CaseStatus.CLOSED and saved.case.closed_on is not None
    assert {o.outcome for o in saved.outcomes} == {Outcome.EVICTION_PREVENTED}
    actions = [row[0] for row in db.all("SELECT action FROM audit_log WHERE id > ?",
                                        (before,))]
    assert actions == ["case.update"]
    # Refused as a whole: a case closed before it was opened saves no outcome either.
    wrong = dataclasses.replace(saved.case, closed_on=saved.case.opened_on - timedelta(days=1),
                                status=CaseStatus.CLOSED)
    with pytest.raises(ValidationError):
        service.update_overview(wrong, frozenset())
    assert {o.outcome for o in service.open_case(case_id).outcomes} == \
        {Outcome.EVICTION_PREVENTED}
