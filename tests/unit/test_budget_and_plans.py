"""Budgets, plan revisions, payments and tracking through the services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import intake
from workbench.budget.model import Budget, BudgetLine, Frequency, monthly
from workbench.budget.reference import Flag, reference_table
from workbench.budget.service import BudgetService
from workbench.cases.listing import CaseQuery
from workbench.cases.model import ArrearsComponent, HouseholdMember, MemberRole
from workbench.cases.service import CaseService
from workbench.errors import FieldError
from workbench.plans.model import Payer, Payment, PlanDraft, PlanRow
from workbench.plans.schedule import PlanTerms, build_schedule
from workbench.plans.service import PlanService, first_unpaid
from workbench.plans.tracking import InstalmentStatus, PlanStatus, TrackingRule, track


@pytest.mark.parametrize(("amount", "frequency", "expected"), [
    (100_00, Frequency.WEEKLY, 433_33), (100_00, Frequency.FORTNIGHTLY, 216_67),
    (100_00, Frequency.MONTHLY, 100_00), (300_00, Frequency.QUARTERLY, 100_00),
    (1200_00, Frequency.YEARLY, 100_00), (1, Frequency.YEARLY, 0)])
def test_every_frequency_becomes_a_monthly_figure(amount, frequency, expected):
    assert monthly(amount, frequency) == expected


def test_totals_balance_and_payment_capacity():
    budget = Budget(1, date(2026, 11, 21), lines=[
        BudgetLine("earnings", "income", 1800_00), BudgetLine("housing_allowance", "income",
                                                               300_00),
        BudgetLine("rent", "expense", 780_00), BudgetLine("food", "expense", 75_00,
                                                           Frequency.WEEKLY)])
    assert budget.income == 2100_00 and budget.expenses == 780_00 + 325_00
    assert budget.balance == 995_00 and budget.payment_capacity == 995_00
    budget.lines.append(BudgetLine("instalments", "expense", 2000_00))
    assert budget.balance < 0 and budget.payment_capacity == 0


def test_implausibly_low_and_high_spending_is_flagged():
    table = reference_table("FI")
    food = table.reference("food", adults=2, children=1).monthly
    assert food > 0
    low = BudgetLine("food", "expense", food // 4)
    high = BudgetLine("food", "expense", food * 3)
    fine = BudgetLine("food", "expense", food)
    assert table.flag(low, 2, 1) is Flag.LOW and table.flag(high, 2, 1) is Flag.HIGH
    assert table.flag(fine, 2, 1) is None
    assert table.flag(BudgetLine("earnings", "income", 1), 2, 1) is None


def test_every_reference_figure_names_its_source_or_says_it_is_a_default():
    for country in ("FI", "SE", "DK"):
        for code, figure in reference_table(country).figures.items():
            assert figure["kind"] in ("published", "organisation_default"), code
            assert figure["source"].strip(), code


@pytest.fixture
def case_id(session) -> int:
    cases = CaseService(session)
    file = cases.create_case(intake(rent_arrears=1500_00))
    cases.add(HouseholdMember(file.case.id, MemberRole.CHILD, "Eino", 2018))
    return file.case.id


def test_a_budget_is_a_dated_snapshot_for_the_household(session, case_id):
    budgets = BudgetService(session)
    lines = [BudgetLine("earnings", "income", 1500_00), BudgetLine("food", "expense", 20_00)]
    saved = budgets.save(case_id, lines, taken_on=date(2026, 10, 1))
    assert (saved.adults, saved.children) == (1, 1)
    assert budgets.flags(saved)["food"] is Flag.LOW
    again = budgets.save(case_id, lines[:1], taken_on=date(2026, 10, 1))
    assert again.id == saved.id and len(again.lines) == 1  # same day: revised in place
    budgets.save(case_id, lines, taken_on=date(2026, 11, 1))
    assert [b.taken_on for b in budgets.budgets(case_id)] == [date(2026, 10, 1),
                                                              date(2026, 11, 1)]
    with pytest.raises(FieldError):
        budgets.save(case_id, [BudgetLine("lottery", "income", 1)])
    assert len(budgets.budgets(case_id)) == 2


def draft_for(total: int, start: date, months: int, capacity: int | None = None,
              reason: str = "") -> PlanDraft:
    rows = [PlanRow(i.due, i.amount) for i in
            build_schedule(PlanTerms(total, start, 15, months=months))]
    return PlanDraft({ArrearsComponent.RENT: total}, start, 15, rows, months=months,
                     capacity=capacity, capacity_reason=reason)


def test_revisions_are_kept_and_the_newest_is_in_force(session, case_id):
    plans = PlanService(session)
    first = plans.save_revision(case_id, draft_for(1500_00, date(2026, 12, 1), 6))
    second = plans.save_revision(case_id, draft_for(1500_00, date(2026, 12, 1), 10))
    history = plans.history(case_id)
    assert [r.revision for r in history.revisions] == [1, 2]
    assert history.current.id == second.id and len(history.revisions[0].rows) == 6
    assert first.rows == history.revisions[0].rows
    assert CaseService(session).list_cases()[0].has_plan


@pytest.mark.parametrize("spoil", [
    lambda d: d.rows.pop(),
    lambda d: setattr(d.rows[0], "amount", 0),
    lambda d: d.rows.reverse(),
    lambda d: setattr(d, "rows", []),
])
def test_a_draft_that_does_not_add_up_or_runs_backwards_saves_nothing(session, case_id, spoil):
    draft = draft_for(1500_00, date(2026, 12, 1), 6)
    spoil(draft)
    with pytest.raises(FieldError) as raised:
        PlanService(session).save_revision(case_id, draft)
    assert raised.value.field == "rows"
    assert PlanService(session).history(case_id).revisions == []


def test_an_instalment_above_the_payment_capacity_needs_a_reason(session, case_id):
    plans = PlanService(session)
    with pytest.raises(FieldError) as raised:
        plans.save_revision(case_id, draft_for(1500_00, date(2026, 12, 1), 3, capacity=200_00))
    assert raised.value.field == "capacity_reason"
    saved = plans.save_revision(case_id, draft_for(
        1500_00, date(2026, 12, 1), 3, capacity=200_00, reason="Tax refund in January"))
    assert saved.capacity_reason == "Tax refund in January"


def test_payments_move_the_plan_through_its_states(session, case_id):
    plans = PlanService(session)
    start = date.today() - timedelta(days=100)
    plan = plans.save_revision(case_id, draft_for(600_00, start, 6))
    rule = TrackingRule(grace_days=5, broken_after=2)
    due = [row for row in plan.rows if row.due_on < date.today() - timedelta(days=5)]
    assert len(due) >= 2
    assert track(plan.rows, [], date.today(), rule).status is PlanStatus.BROKEN
    plans.record_payment(Payment(case_id, plan.id, due[0].due_on, 100_00))
    tracking = plans.tracking(plan)
    assert tracking.instalments[0].status is InstalmentStatus.PAID
    plans.record_payment(Payment(case_id, plan.id, date.today(), 50_00, Payer.SOCIAL_ASSISTANCE))
    tracking = plans.tracking(plan)
    # Its due date passed 70 days ago; half of it is paid.
    assert tracking.instalments[1].status is InstalmentStatus.PARTLY_PAID
    assert tracking.paid == 150_00 and tracking.remaining == 450_00
    # The case shows up under "follow-ups due" while an instalment is unpaid.
    cases = CaseService(session)
    assert [r.id for r in cases.list_cases(CaseQuery(followups_due_by=date.today()))] == [case_id]
    assert cases.case_row(case_id).next_followup == plan.rows[1].due_on
    plans.record_payment(Payment(case_id, plan.id, date.today(), 450_00))
    assert plans.tracking(plan).status is PlanStatus.COMPLETED
    assert cases.list_cases(CaseQuery(followups_due_by=date.today())) == []


def test_payments_go_only_to_the_plan_in_force(session, case_id):
    plans = PlanService(session)
    old = plans.save_revision(case_id, draft_for(600_00, date(2026, 1, 1), 6))
    plans.save_revision(case_id, draft_for(600_00, date(2026, 1, 1), 3))
    with pytest.raises(FieldError) as replaced:
        plans.record_payment(Payment(case_id, old.id, date(2026, 2, 1), 100_00))
    assert replaced.value.field == "plan_id"
    assert replaced.value.message().startswith("Payments go to the plan in force")
    with pytest.raises(FieldError) as future:
        plans.record_payment(Payment(case_id, plans.current(case_id).id,
                                     date.today() + timedelta(days=3), 100_00))
    assert future.value.field == "paid_on"
    assert plans.tracking(plans.current(case_id)).paid == 0  # neither was recorded


def test_renegotiation_starts_from_what_is_left(session, case_id):
    plans = PlanService(session)
    plan = plans.save_revision(case_id, PlanDraft(
        {ArrearsComponent.RENT: 900_00, ArrearsComponent.FEES: 100_00}, date(2026, 1, 1), 15,
        [PlanRow(date(2026, 1, 15), 500_00), PlanRow(date(2026, 2, 15), 500_00)]))
    plans.record_payment(Payment(case_id, plan.id, date(2026, 1, 15), 400_00))
    draft = plans.renegotiation(case_id, date(2026, 12, 1), 10)
    assert draft.total == 600_00
    assert draft.components == {ArrearsComponent.RENT: 540_00, ArrearsComponent.FEES: 60_00}


@given(st.lists(st.integers(1, 10_000), min_size=1, max_size=30), st.integers(0, 400_000))
def test_the_first_unpaid_instalment_is_where_payments_run_out(amounts, paid):
    rows = [(f"2026-{(n % 12) + 1:02d}-01", a) for n, a in enumerate(amounts)]
    found = first_unpaid(rows, paid)
    covered = 0
    for due_on, amount in rows:
        covered += amount
        if covered > paid:
            assert found == due_on
            break
    else:
        assert found is None


def test_the_organisation_sets_when_a_plan_is_broken(session, case_id):
    plans = PlanService(session)
    start = date.today() - timedelta(days=100)
    plan = plans.save_revision(case_id, draft_for(600_00, start, 6))
    assert plans.tracking(plan).status is PlanStatus.BROKEN  # default: two missed
    plans.set_rule(TrackingRule(grace_days=5, broken_after=6))
    assert plans.tracking(plan).status is PlanStatus.BEHIND
    with pytest.raises(FieldError):
        plans.set_rule(TrackingRule(grace_days=5, broken_after=0))
    assert plans.rule().broken_after == 6


def test_nothing_is_flagged_before_anything_is_typed(session, case_id):
    """Found: every empty line was "unusually low" (Hobbies under Children too)."""
    budgets = BudgetService(session)
    empty = Budget(case_id, date.today(), 1, 1,
                   [BudgetLine(code, "expense", 0) for code in ("food", "hobbies", "phone")])
    assert budgets.flags(empty) == {}
    typed = Budget(case_id, date.today(), 1, 1,
                   [BudgetLine("earnings", "income", 1500_00),
                    BudgetLine("hobbies", "expense", 0)])
    flags = budgets.flags(typed)
    assert flags["food"] is Flag.LOW  # an essential left out, once the budget is begun
    assert "hobbies" not in flags  # an empty line is not a low one


def test_a_new_drafts_rules_live_in_the_core():
    """The plan editor asks these (they were written into the window)."""
    from workbench.errors import FieldError
    from workbench.plans.drafting import (
        NEW_ROW_AMOUNT,
        added_row,
        default_months,
        parse_pause_months,
    )
    from workbench.plans.model import PlanRow

    assert default_months(1800_00, 188_00) == 10  # 9.6 months, whole months
    assert default_months(1800_00, None) == default_months(1800_00, 0) == 12
    assert default_months(100_000_00, 50_00) == 60  # never suggested longer
    last = PlanRow(date(2027, 1, 15), 180_00)
    assert added_row([last], 15, date(2026, 11, 30)) == PlanRow(date(2027, 2, 15),
                                                                NEW_ROW_AMOUNT)
    assert parse_pause_months("2027-07; 2027/12, ") == {(2027, 7), (2027, 12)}
    with pytest.raises(FieldError) as refused:
        parse_pause_months("2027-13")
    assert refused.value.field == "pauses"
