"""What is wrong with a draft plan, as a list, for the editor's banner and for saving."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from workbench.plans.model import PlanDraft


@dataclass(frozen=True)
class DraftState:
    total: int                  # the arrears to repay
    scheduled: int              # what the rows add up to
    above_capacity: list[int]   # row indexes whose instalment exceeds the capacity
    out_of_order: list[int]     # row indexes whose date is not after the previous row's
    not_positive: list[int]     # row indexes with a zero or negative instalment

    @property
    def difference(self) -> int:
        return self.scheduled - self.total

    @property
    def ready(self) -> bool:
        """Saveable, apart from a missing reason for instalments above the capacity."""
        return (self.difference == 0 and not self.out_of_order and not self.not_positive
                and self.total > 0 and self.scheduled > 0)


def draft_state(draft: PlanDraft) -> DraftState:
    rows = draft.rows
    capacity = draft.capacity
    return DraftState(
        total=draft.total,
        scheduled=sum(row.amount for row in rows),
        above_capacity=[n for n, row in enumerate(rows)
                        if capacity is not None and row.amount > capacity],
        out_of_order=[n + 1 for n, (a, b) in enumerate(pairwise(rows)) if b.due_on <= a.due_on],
        not_positive=[n for n, row in enumerate(rows) if row.amount <= 0])
