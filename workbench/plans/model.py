"""Plan revisions, their rows, and payments, as the store keeps them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from workbench.cases.model import ArrearsComponent


class Payer(StrEnum):
    TENANT = "tenant"
    SOCIAL_ASSISTANCE = "social_assistance"
    OTHER = "other"


@dataclass
class PlanRow:
    due_on: date
    amount: int          # minor units
    note: str = ""


def to_pay(monthly_rent: int, row: PlanRow) -> int:
    """What the household pays in a month of the plan: the rent the plan was made with and
    that month's instalment (the plan editor and the agreement both show it)."""
    return monthly_rent + row.amount


@dataclass
class PlanDraft:
    """What the plan editor hands over to be saved as a new revision."""

    components: dict[ArrearsComponent, int]
    start_on: date
    due_day: int
    rows: list[PlanRow]
    instalment: int | None = None
    months: int | None = None
    pause_months: frozenset[tuple[int, int]] = frozenset()
    monthly_rent: int = 0
    budget_id: int | None = None
    capacity: int | None = None     # the budget's payment capacity when the plan was made
    capacity_reason: str = ""       # why an instalment above the capacity is still right
    note: str = ""

    @property
    def total(self) -> int:
        return sum(self.components.values())

    def to_pay(self, row: PlanRow) -> int:
        return to_pay(self.monthly_rent, row)


@dataclass
class PlanRevision(PlanDraft):
    case_id: int = 0
    revision: int = 0
    created_at: str = ""
    id: int | None = None


@dataclass
class Payment:
    TABLE = "payments"
    case_id: int
    plan_id: int
    paid_on: date
    amount: int
    payer: Payer = Payer.TENANT
    note: str = ""
    id: int | None = None


@dataclass
class PlanHistory:
    revisions: list[PlanRevision] = field(default_factory=list)

    @property
    def current(self) -> PlanRevision | None:
        return self.revisions[-1] if self.revisions else None
