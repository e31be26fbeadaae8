"""Demonstration cases look like real case work and are the same for the same seed."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import make_store
from workbench.cases.model import Channel, Outcome
from workbench.cases.service import CaseService
from workbench.demo.seed import quarter_start, seed_demo
from workbench.errors import ValidationError
from workbench.identity import check_identity
from workbench.session import StoreLocation


@pytest.mark.parametrize("country", ["FI", "SE", "DK"])
def test_seeded_cases_are_complete_and_fit_the_country(tmp_path, country):
    session = make_store(StoreLocation(tmp_path / country), country)
    seed_demo(session, 120, seed=4, today=date(2026, 11, 21))
    service = CaseService(session)
    files = [service.open_case(row.id) for row in service.list_cases()]
    assert len(files) == 120

    numbers = [f.person.identity_number for f in files if f.person.identity_number]
    assert len(numbers) > 90
    assert all(check_identity(n, country).valid for n in numbers)
    assert all(date(2025, 1, 1) <= f.case.opened_on <= date(2026, 11, 21) for f in files)
    assert {c.channel for f in files for c in f.contacts} == set(Channel)
    assert all(f.tenancy and f.landlord and f.arrears for f in files)
    assert sum(1 for f in files if f.consents) == 120
    assert any(f.referrals for f in files) and any(f.followups for f in files)
    assert any(f.debts for f in files) and any(f.members for f in files)
    outcomes = {o.outcome for f in files for o in f.outcomes}
    assert Outcome.EVICTION_PREVENTED in outcomes
    assert all(f.outcomes for f in files if f.case.closed_on)
    session.lock()


def test_the_same_seed_gives_the_same_cases(tmp_path):
    listings = []
    for name in ("one", "two"):
        session = make_store(StoreLocation(tmp_path / name))
        seed_demo(session, 30, seed=11, today=date(2026, 11, 21))
        listings.append([(r.name, r.arrears, r.opened_on) for r in
                         CaseService(session).list_cases()])
        session.lock()
    assert listings[0] == listings[1]


def test_seeded_cases_are_found_by_search(session):
    seed_demo(session, 50)
    service = CaseService(session)
    file = service.open_case(17)
    assert 17 in [r.id for r in service.search(file.person.last_name)]
    assert 17 in [r.id for r in service.search(file.tenancy.landlord_reference)]


def test_an_impossible_number_of_cases_is_refused(session):
    with pytest.raises(ValidationError):
        seed_demo(session, 0)


def test_eight_quarters_back():
    assert quarter_start(date(2026, 11, 21), 7) == date(2025, 1, 1)
    assert quarter_start(date(2026, 1, 1), 0) == date(2026, 1, 1)


def test_seeded_plans_are_kept_late_behind_broken_and_completed(session):
    from workbench.plans.service import PlanService
    from workbench.plans.tracking import PlanStatus

    seed_demo(session, 300, seed=5)
    service, plans = CaseService(session), PlanService(session)
    with_plan = [row.id for row in service.list_cases() if row.has_plan]
    assert len(with_plan) > 60
    statuses = {plans.tracking(plans.current(case_id)).status for case_id in with_plan}
    assert statuses == set(PlanStatus)
