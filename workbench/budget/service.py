"""Budget actions: save today's snapshot of a household's budget, read earlier ones."""

from __future__ import annotations

from datetime import date

from workbench.budget.categories import categories
from workbench.budget.model import Budget, BudgetLine, Frequency
from workbench.budget.reference import Flag, reference_table
from workbench.cases.model import MemberRole
from workbench.cases.service import CaseNotFound
from workbench.errors import FieldError
from workbench.i18n import N_
from workbench.session import Session

MAX_LINE = 10_000_000_00  # ten million a line: beyond that, a typing slip


class BudgetService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.db = session.db

    def _may(self, action: str) -> None:
        self.session.require_case_work(action)

    def household(self, case_id: int) -> tuple[int, int]:
        """(adults, children) living in the household, from the case's members."""
        self._may(N_("see case data"))
        rows = self.db.all("SELECT role FROM household_members WHERE case_id = ?", (case_id,))
        children = sum(1 for row in rows if row[0] == MemberRole.CHILD.value)
        return 1 + len(rows) - children, children

    def budgets(self, case_id: int) -> list[Budget]:
        """Every snapshot of the case's budget, oldest first."""
        self._may(N_("see case data"))
        found = []
        for row in self.db.all("SELECT id, taken_on, adults, children FROM budgets "
                               "WHERE case_id = ? ORDER BY taken_on, id", (case_id,)):
            lines = [BudgetLine(r["category"], r["kind"], r["amount"], Frequency(r["frequency"]),
                                r["note"], r["explanation"])
                     for r in self.db.all("SELECT category, kind, amount, frequency, note, "
                                          "explanation FROM budget_lines WHERE budget_id = ? "
                                          "ORDER BY id", (row["id"],))]
            found.append(Budget(case_id, date.fromisoformat(row["taken_on"]), row["adults"],
                                row["children"], lines, row["id"]))
        return found

    def latest(self, case_id: int) -> Budget | None:
        budgets = self.budgets(case_id)
        return budgets[-1] if budgets else None

    def first_draft(self, case_id: int) -> Budget:
        """A case's first budget before anything is typed: the rent already known from the
        tenancy is on its line (not saved until the advisor saves the budget)."""
        adults, children = self.household(case_id)
        rent = self.db.scalar("SELECT monthly_rent FROM tenancies WHERE case_id = ?",
                              (case_id,)) or 0
        lines = [BudgetLine("rent", "expense", rent, Frequency.MONTHLY)] if rent else []
        return Budget(case_id, date.today(), adults, children, lines)

    def flags(self, budget: Budget) -> dict[str, Flag]:
        table = reference_table(self.session.organisation.country)
        flagged = {line.category: table.flag(line, budget.adults, budget.children)
                   for line in budget.lines}
        for code in table.missing(budget):
            flagged[code] = Flag.LOW
        return {code: flag for code, flag in flagged.items() if flag is not None}

    def save(self, case_id: int, lines: list[BudgetLine],
             taken_on: date | None = None) -> Budget:
        """Today's snapshot of the budget (replacing one saved earlier today)."""
        self._may(N_("edit cases"))
        if self.db.one("SELECT 1 FROM cases WHERE id = ?", (case_id,)) is None:
            raise CaseNotFound(id=case_id)
        known = categories(self.session.organisation.country)
        for line in lines:
            category = known.by_code(line.category)
            if category is None:
                raise FieldError(line.category, N_("This budget line is not known."))
            line.kind = category.kind
            if not 0 <= line.amount <= MAX_LINE:
                raise FieldError(line.category, N_("The amount is too large; check the digits."))
        adults, children = self.household(case_id)
        day = taken_on or date.today()
        with self.session.action("budget.save", "case", case_id):
            # Saving again the same day revises that day's snapshot in place, so a plan
            # that was built on it keeps pointing at it.
            budget_id = self.db.scalar("SELECT id FROM budgets WHERE case_id = ? AND taken_on = ?",
                                       (case_id, day.isoformat()))
            if budget_id is None:
                budget_id = self.db.execute(
                    "INSERT INTO budgets (case_id, taken_on, adults, children) "
                    "VALUES (?, ?, ?, ?)", (case_id, day.isoformat(), adults, children)).lastrowid
            else:
                self.db.execute("UPDATE budgets SET adults = ?, children = ? WHERE id = ?",
                                (adults, children, budget_id))
                self.db.execute("DELETE FROM budget_lines WHERE budget_id = ?", (budget_id,))
            self.db.executemany(
                "INSERT INTO budget_lines (budget_id, category, kind, amount, frequency, note, "
                "explanation) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(budget_id, line.category, line.kind, line.amount, line.frequency.value,
                  line.note, line.explanation) for line in lines
                 if line.amount or line.note or line.explanation])
        return next(b for b in self.budgets(case_id) if b.id == budget_id)
