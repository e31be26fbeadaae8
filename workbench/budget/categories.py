"""Budget categories, read from ``resources/budget/<country>.json``.

Categories are data, not code: an organisation can add a line (a local benefit, a regional
fee) by editing the file. Each category carries its label in all four languages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from workbench.i18n import current_language
from workbench.paths import resources_dir


@dataclass(frozen=True)
class Category:
    code: str
    kind: str             # "income" or "expense"
    group: str            # the expense group ("housing", …); "income" for income
    labels: dict[str, str]

    @property
    def label(self) -> str:
        return self.labels.get(current_language()) or self.labels["en"]


@dataclass(frozen=True)
class Group:
    code: str
    labels: dict[str, str]
    categories: tuple[Category, ...]

    @property
    def label(self) -> str:
        return self.labels.get(current_language()) or self.labels["en"]


@dataclass(frozen=True)
class Categories:
    income: tuple[Category, ...]
    expense_groups: tuple[Group, ...]

    @property
    def expenses(self) -> tuple[Category, ...]:
        return tuple(c for group in self.expense_groups for c in group.categories)

    def by_code(self, code: str) -> Category | None:
        return next((c for c in (*self.income, *self.expenses) if c.code == code), None)


@cache
def categories(country: str) -> Categories:
    data = json.loads((resources_dir() / "budget" / f"{country}.json").read_text("utf-8"))
    income = tuple(Category(item["code"], "income", "income", item["label"])
                   for item in data["income"])
    groups = tuple(Group(group["code"], group["label"], tuple(
        Category(item["code"], "expense", group["code"], item["label"])
        for item in group["lines"])) for group in data["expense_groups"])
    return Categories(income, groups)
