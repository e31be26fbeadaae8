"""Reference budgets: what a household of a given size reasonably spends on a line.

Figures live in ``resources/reference_budgets/<country>.json``, each with its source, or
marked as an organisation-set default. A line far below its reference is as suspicious as
one far above it: a household "spending nothing on food" has usually left something out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from workbench.budget.model import Budget, BudgetLine
from workbench.paths import resources_dir


class Flag(StrEnum):
    LOW = "low"
    HIGH = "high"


@dataclass(frozen=True)
class Reference:
    monthly: int      # minor units for this household
    kind: str         # "published" or "organisation_default"
    source: str


@dataclass(frozen=True)
class ReferenceTable:
    year: int
    currency: str
    low_below: float
    high_above: float
    essential: tuple[str, ...]  # lines no household spends nothing on
    figures: dict

    def reference(self, category: str, adults: int, children: int) -> Reference | None:
        figure = self.figures.get(category)
        if figure is None:
            return None
        amount = (figure["household"] + figure["per_adult"] * adults
                  + figure["per_child"] * children)
        return Reference(amount, figure["kind"], figure["source"])

    def flag(self, line: BudgetLine, adults: int, children: int) -> Flag | None:
        """LOW or HIGH for an expense line far from its reference; None otherwise. A line
        left empty is not "unusually low": nothing was typed (an essential left out is
        ``missing``)."""
        if line.kind != "expense" or not line.amount:
            return None
        reference = self.reference(line.category, adults, children)
        if reference is None or reference.monthly <= 0:
            return None
        if line.monthly < reference.monthly * self.low_below:
            return Flag.LOW
        if line.monthly > reference.monthly * self.high_above:
            return Flag.HIGH
        return None

    def missing(self, budget: Budget) -> list[str]:
        """Essential expenses the budget has nothing for: spending nothing on food is
        implausible, and usually means something was left out."""
        if not any(line.amount for line in budget.lines):
            return []  # nothing typed yet: nothing is missing
        present = {line.category for line in budget.lines
                   if line.kind == "expense" and line.amount}
        return [code for code in self.essential if code not in present]


@cache
def reference_table(country: str) -> ReferenceTable:
    data = json.loads((resources_dir() / "reference_budgets" / f"{country}.json")
                      .read_text("utf-8"))
    return ReferenceTable(data["year"], data["currency"], data["low_below"],
                          data["high_above"], tuple(data["essential"]), data["figures"])
