"""A household budget: dated lines of income and expenses, each normalised to a month.

Pure: no store, no clock. Amounts are minor units; a line's frequency says how often the
amount comes or goes, and ``monthly`` turns it into the month's share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Frequency(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


PER_YEAR = {Frequency.WEEKLY: 52, Frequency.FORTNIGHTLY: 26, Frequency.MONTHLY: 12,
            Frequency.QUARTERLY: 4, Frequency.YEARLY: 1}


def monthly(amount: int, frequency: Frequency) -> int:
    """The monthly share of an amount paid or received at ``frequency`` (rounded half up)."""
    share = Decimal(amount) * PER_YEAR[frequency] / 12
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class BudgetLine:
    category: str
    kind: str                      # "income" or "expense"
    amount: int                    # minor units, at the line's frequency
    frequency: Frequency = Frequency.MONTHLY
    note: str = ""
    explanation: str = ""          # why a flagged figure is right for this household

    @property
    def monthly(self) -> int:
        return monthly(self.amount, self.frequency)


@dataclass
class Budget:
    case_id: int
    taken_on: date
    adults: int = 1
    children: int = 0
    lines: list[BudgetLine] = field(default_factory=list)
    id: int | None = None

    def total(self, kind: str) -> int:
        return sum(line.monthly for line in self.lines if line.kind == kind)

    @property
    def income(self) -> int:
        return self.total("income")

    @property
    def expenses(self) -> int:
        return self.total("expense")

    @property
    def balance(self) -> int:
        return self.income - self.expenses

    @property
    def payment_capacity(self) -> int:
        """What the household can put towards the arrears each month: the surplus, if any."""
        return max(0, self.balance)

    def line(self, category: str) -> BudgetLine | None:
        return next((line for line in self.lines if line.category == category), None)
