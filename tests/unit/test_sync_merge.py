"""Two laptops' stores exchanging change records: merges, conflicts, deletes."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import ADMIN, FAST_KDF, PASSPHRASE, make_store
from tests.helpers import intake
from tests.support.relay import Relay
from workbench.cases.model import Channel, Contact
from workbench.cases.service import CaseService
from workbench.session import StoreLocation, create_store
from workbench.sync import conflicts, state


@pytest.fixture
def team(tmp_path):
    relay = Relay()
    laptops = []
    for name in ("desk", "visit"):
        location = StoreLocation(tmp_path / name)
        # Only the first laptop has the organisation's seal, as when the second joins.
        session = make_store(location) if name == "desk" else create_store(
            location, "Asumisneuvonta Testi ry", "FI", ADMIN, PASSPHRASE, kdf=FAST_KDF)[0]
        state.enable(session, f"device-{name}")
        laptops.append(session)
    yield relay, laptops
    for session in laptops:
        if not session.locked:
            session.lock()


def _case_on_both(relay, desk, visit):
    made = CaseService(desk).create_case(intake())
    relay.sync(desk)
    relay.sync(visit)
    (row,) = visit.db.all("SELECT id FROM cases")
    return made.case.id, row[0]


def test_a_case_made_on_one_laptop_arrives_whole_on_the_other(team):
    relay, (desk, visit) = team
    desk_id, visit_id = _case_on_both(relay, desk, visit)
    there = CaseService(visit).open_case(visit_id)
    here = CaseService(desk).open_case(desk_id)
    assert there.person.full_name == here.person.full_name
    assert there.tenancy.monthly_rent == 78000
    assert [(a.component, a.amount) for a in there.arrears] == [
        (a.component, a.amount) for a in here.arrears]
    assert CaseService(visit).search("Jääskeläinen")


def test_edits_of_different_fields_merge_and_the_same_field_is_a_conflict_on_both(team):
    relay, (desk, visit) = team
    desk_id, visit_id = _case_on_both(relay, desk, visit)
    on_desk = CaseService(desk).open_case(desk_id)
    on_visit = CaseService(visit).open_case(visit_id)
    CaseService(desk).update_person(desk_id, on_desk.person.__class__(
        **{**on_desk.person.__dict__, "phone": "+358 40 111 1111"}))
    CaseService(visit).update_person(visit_id, on_visit.person.__class__(
        **{**on_visit.person.__dict__, "email": "asa@example.fi"}))
    tenancy_desk = on_desk.tenancy.__class__(**{**on_desk.tenancy.__dict__, "monthly_rent": 80000})
    tenancy_visit = on_visit.tenancy.__class__(**{**on_visit.tenancy.__dict__,
                                                 "monthly_rent": 81000})
    CaseService(desk).set_tenancy(tenancy_desk)
    CaseService(visit).set_tenancy(tenancy_visit)
    for session in (desk, visit, desk):
        relay.sync(session)
    a = CaseService(desk).open_case(desk_id)
    b = CaseService(visit).open_case(visit_id)
    assert (a.person.phone, a.person.email) == ("+358 40 111 1111", "asa@example.fi")
    assert (b.person.phone, b.person.email) == ("+358 40 111 1111", "asa@example.fi")
    assert a.tenancy.monthly_rent == b.tenancy.monthly_rent
    for session in (desk, visit):
        found = conflicts.list_conflicts(session.db)
        assert [(c.table, c.field) for c in found] == [("tenancies", "monthly_rent")]
        assert sorted(v.value for v in found[0].values) == [80000, 81000]


def test_a_contact_added_while_the_other_laptop_erased_the_case_keeps_the_case(team):
    relay, (desk, visit) = team
    desk_id, visit_id = _case_on_both(relay, desk, visit)
    CaseService(desk).erase_case(desk_id)
    CaseService(visit).add(Contact(visit_id, Channel.HOME_VISIT, date(2026, 11, 20)))
    for session in (desk, visit, desk):
        relay.sync(session)
    assert desk.db.scalar("SELECT count(*) FROM cases") == 1
    assert visit.db.scalar("SELECT count(*) FROM cases") == 1
    for session in (desk, visit):
        assert [c.field for c in conflicts.list_conflicts(session.db)] == ["_deleted"]


def test_the_migration_holds_the_capture_triggers_this_program_generates():
    from pathlib import Path

    from workbench.sync.tables import trigger_sql
    migration = Path("workbench/store/migrations/0006_team_sync.sql").read_text()
    assert migration.endswith(trigger_sql())


def test_search_entries_made_in_bulk_equal_those_made_one_case_at_a_time(session):
    from workbench.cases import queries
    from workbench.demo.seed import seed_demo

    seed_demo(session, 40, seed=3)
    ids = [row[0] for row in session.db.all("SELECT id FROM cases ORDER BY id")]
    bulk = queries.search_documents(session.db, ids)
    assert bulk == {case_id: queries.search_document(queries.load_case(session.db, case_id))
                    for case_id in ids}


def test_two_earners_lines_of_one_budget_stay_two_lines_on_the_other_laptop(team):
    from workbench.budget.model import BudgetLine
    from workbench.budget.service import BudgetService

    relay, (desk, visit) = team
    desk_id, visit_id = _case_on_both(relay, desk, visit)
    day = date(2026, 11, 2)
    lines = [BudgetLine("earnings", "income", 150000), BudgetLine("earnings", "income", 86000),
             BudgetLine("rent", "expense", 78000)]
    BudgetService(desk).save(desk_id, lines, day)
    relay.sync(desk)
    relay.sync(visit)

    def there() -> list[tuple[str, int]]:
        return [(line.category, line.amount)
                for line in BudgetService(visit).latest(visit_id).lines]

    assert sorted(there()) == [("earnings", 86000), ("earnings", 150000), ("rent", 78000)]
    lines[1] = BudgetLine("earnings", "income", 91000)  # the second adult's pay rises
    BudgetService(desk).save(desk_id, lines, day)
    relay.sync(desk)
    relay.sync(visit)
    assert sorted(there()) == [("earnings", 91000), ("earnings", 150000), ("rent", 78000)]
    assert not conflicts.list_conflicts(visit.db)
