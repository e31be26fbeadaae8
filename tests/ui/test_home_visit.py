"""A home visit in at most 60 actions, typing never going astray (see home_visit.py)."""

from __future__ import annotations

from tests.ui.home_visit import BUDGET, GOAL, home_visit
from workbench.agreements.service import AgreementService
from workbench.budget.service import BudgetService
from workbench.cases.model import Outcome
from workbench.plans.service import PlanService


def test_a_home_visit_takes_at_most_60_actions(window, qtbot):
    me = home_visit(window, qtbot)
    print(f"\nA home visit took {me.actions} actions (goal: at most {GOAL}).")
    file = window.ctx.cases.open_case(window.editor.current_case_id())
    assert (file.person.first_name, file.tenancy.monthly_rent, file.arrears_total) == \
        ("Aino", 720_00, 1800_00)
    assert [(c.channel, c.minutes, c.topic) for c in file.contacts] == \
        [("home_visit", 60, "Arrears and a plan")]
    assert sorted(c.party for c in file.consents) == ["landlord", "social_services"]
    budget = BudgetService(window.ctx.session).latest(file.case.id)
    assert {line.category: line.amount for line in budget.lines if line.amount} == {
        **{code: int(amount.replace(" ", "")) * 100 for code, amount in BUDGET.items()},
        "rent": 720_00}
    plan = PlanService(window.ctx.session).current(file.case.id)
    assert len(plan.rows) == 10 and sum(row.amount for row in plan.rows) == 1800_00
    assert {row.amount for row in plan.rows} == {180_00}  # the change was undone
    [agreement] = AgreementService(window.ctx.session).documents(file.case.id)
    assert AgreementService(window.ctx.session).check(agreement.id).valid
    assert [s["role"] for s in agreement.signers] == ["resident", "advisor"]
    assert Outcome.PAYMENT_PLAN_MADE in {o.outcome for o in file.outcomes}  # by sealing
    assert file.referrals == [] and file.followups == []  # nothing typed went astray
    assert me.actions <= GOAL, "\n".join(me.log)
