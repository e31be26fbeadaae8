"""Demo budgets, payment plans and payments: some plans kept, some behind, some broken,
some already completed, as a year of real case work would leave them."""

from __future__ import annotations

import random
from datetime import date, timedelta

from workbench.budget.categories import categories
from workbench.budget.model import Budget, BudgetLine, Frequency
from workbench.budget.reference import reference_table
from workbench.plans.schedule import PlanTerms, build_schedule
from workbench.plans.service import first_unpaid

BEHAVIOURS = ("good", "late", "behind", "broken", "completed")
INCOME_BY_AGE = (("earnings", 0.55), ("unemployment", 0.25), ("sickness", 0.1),
                 ("pension", 0.1))


class DemoMoney:
    """Collects rows for the budget and plan tables, with ids assigned up front."""

    def __init__(self, rng: random.Random, country: str, today: date, next_budget: int,
                 next_plan: int) -> None:
        self.rng, self.country, self.today = rng, country, today
        self.table = reference_table(country)
        self.expense_codes = [c.code for c in categories(country).expenses]
        self.next_budget, self.next_plan = next_budget, next_plan
        self.budgets: list[tuple] = []
        self.lines: list[tuple] = []
        self.plans: list[tuple] = []
        self.instalments: list[tuple] = []
        self.payments: list[tuple] = []

    def case(self, case_id: int, opened: date, rent: int, arrears: int, adults: int,
             children: int, age: int, open_case: bool) -> None:
        rng = self.rng
        if rng.random() > 0.65:
            return
        taken_on = min(self.today, opened + timedelta(days=rng.randint(0, 20)))
        budget = self._budget(case_id, taken_on, rent, adults, children, age)
        if arrears > 0 and rng.random() < 0.7 and (open_case or rng.random() < 0.8):
            self._plan(case_id, budget, taken_on, rent, arrears)

    def _budget(self, case_id: int, taken_on: date, rent: int, adults: int, children: int,
                age: int) -> Budget:
        rng = self.rng
        lines = [BudgetLine("rent", "expense", rent)]
        source = "pension" if age >= 65 else rng.choices(
            [code for code, _ in INCOME_BY_AGE], weights=[w for _, w in INCOME_BY_AGE])[0]
        scale = {"FI": 1, "SE": 10, "DK": 7}[self.country]
        lines.append(BudgetLine(source, "income", rng.randrange(900_00, 2600_00, 500) * scale))
        if adults > 1 and rng.random() < 0.7:
            lines.append(BudgetLine("earnings", "income",
                                    rng.randrange(800_00, 2400_00, 500) * scale))
        if rng.random() < 0.6:
            lines.append(BudgetLine("housing_allowance", "income",
                                    int(rent * rng.uniform(0.2, 0.6)) // 100 * 100))
        if children:
            lines.append(BudgetLine("child_benefit", "income", children * 100_00 * scale))
        for code in self.table.figures:
            reference = self.table.reference(code, adults, children).monthly
            factor = rng.choice((0.3, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 2.5))
            amount = int(reference * factor) // 100 * 100
            if code == "food" and rng.random() < 0.3:
                lines.append(BudgetLine(code, "expense", amount * 12 // 52, Frequency.WEEKLY))
            elif amount:
                lines.append(BudgetLine(code, "expense", amount))
        if rng.random() < 0.35:
            lines.append(BudgetLine("instalments", "expense",
                                    rng.randrange(50_00, 400_00, 500) * scale))
        budget = Budget(case_id, taken_on, adults, children, lines, self.next_budget)
        self.budgets.append((budget.id, case_id, taken_on.isoformat(), adults, children))
        self.lines += [(budget.id, line.category, line.kind, line.amount, line.frequency.value,
                        "", "") for line in lines]
        self.next_budget += 1
        return budget

    def _plan(self, case_id: int, budget: Budget, taken_on: date, rent: int,
              arrears: int) -> None:
        rng = self.rng
        behaviour = rng.choices(BEHAVIOURS, weights=[40, 15, 15, 15, 15])[0]
        capacity = budget.payment_capacity
        months = rng.randint(3, 6) if behaviour == "completed" else \
            max(3, min(24, -(-arrears // max(capacity, 50_00)) if capacity else 12))
        start = taken_on + timedelta(days=rng.randint(5, 30))
        if behaviour == "completed":
            start = max(taken_on, self.today - timedelta(days=31 * (months + 1)))
        due_day = rng.choice((1, 5, 10, 15, 20, 25, 28, 31))
        schedule = build_schedule(PlanTerms(arrears, start, due_day, months=months))
        plan_id = self.next_plan
        self.next_plan += 1
        reason = ("" if all(i.amount <= capacity for i in schedule)
                  else "Tax refund expected; landlord accepts a short plan.")
        self.plans.append((plan_id, case_id, 1, arrears, f"{taken_on.isoformat()}T10:00:00Z",
                           f'{{"rent": {arrears}}}', start.isoformat(), due_day, None, months,
                           "", rent, budget.id, capacity, reason, ""))
        self.instalments += [(plan_id, n, item.due.isoformat(), item.amount, "")
                             for n, item in enumerate(schedule, 1)]
        paid = 0
        for n, item in enumerate(schedule):
            if item.due > self.today:
                break
            paid_on, amount = self._payment(behaviour, n, item.due, item.amount)
            if amount and paid_on <= self.today:
                self.payments.append((case_id, plan_id, paid_on.isoformat(), amount,
                                      rng.choices(("tenant", "social_assistance", "other"),
                                                  weights=[80, 15, 5])[0], ""))
                paid += amount
        self.plans[-1] += (first_unpaid([(i.due.isoformat(), i.amount) for i in schedule],
                                        paid),)

    def _payment(self, behaviour: str, n: int, due: date, amount: int) -> tuple[date, int]:
        rng = self.rng
        if behaviour in ("good", "completed"):
            return due - timedelta(days=rng.randint(0, 3)), amount
        if behaviour == "late":
            return due + timedelta(days=rng.randint(6, 20)), amount
        if behaviour == "behind":
            return due + timedelta(days=rng.randint(0, 10)), \
                amount if rng.random() < 0.6 else amount // 2 // 100 * 100
        return (due, amount) if n < 2 else (due, 0)  # broken: stops after two


PLAN_COLUMNS = ("id, case_id, revision, total, created_at, components, start_on, due_day, "
                "instalment, months, pause_months, monthly_rent, budget_id, capacity, "
                "capacity_reason, note, next_unpaid_on")


def write(db, money: DemoMoney) -> None:
    db.executemany("INSERT INTO budgets (id, case_id, taken_on, adults, children) "
                   "VALUES (?, ?, ?, ?, ?)", money.budgets)
    db.executemany("INSERT INTO budget_lines (budget_id, category, kind, amount, frequency, "
                   "note, explanation) VALUES (?, ?, ?, ?, ?, ?, ?)", money.lines)
    db.executemany(f"INSERT INTO payment_plans ({PLAN_COLUMNS}) VALUES "
                   f"({', '.join('?' for _ in PLAN_COLUMNS.split(','))})", money.plans)
    db.executemany("INSERT INTO plan_instalments (plan_id, seq, due_on, amount, note) "
                   "VALUES (?, ?, ?, ?, ?)", money.instalments)
    db.executemany("INSERT INTO payments (case_id, plan_id, paid_on, amount, payer, note) "
                   "VALUES (?, ?, ?, ?, ?, ?)", money.payments)
    for name in ("budgets", "lines", "plans", "instalments", "payments"):
        getattr(money, name).clear()
