"""The disclosure audit: what an attacker who holds every export can work out, by linear
programming, as statistical offices audit a suppression pattern (τ-ARGUS, sdcTable).

The attacker knows every value ever published (the release register and the report about
to leave), that counts are whole and never negative, and — since zeros are shown — that a
hidden count is at least 1. Cells that add up over quarters (new cases, contacts, outcomes,
referral sources …) are unknowns per quarter, so reports of different periods are linked
exactly as an attacker would link them (a year minus its first three quarters is the
fourth); cells that do not add up (households active in a period, their household type and
landlord, plans in force, partners by name) are unknowns of their period. Totals shared by
tables are linked too (new cases by referral source and by arrears band; households served
by type and by landlord).

For each unknown that matters, the LP gives the smallest and largest value it can take.
**The protection rule** (a frequency rule's protection interval, as in τ-ARGUS and the
ESSnet handbook on statistical disclosure control, chapter 5): for every hidden value, the
attacker can neither narrow it to one value nor exclude that it is k or more; and no count
between 1 and k−1 of a quarter or period can be worked out to lie below k. The LP is the
relaxation of the integer problem: its interval contains the integer one, and we round it
inwards before judging, as auditors do.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

EPS = 1e-6

# Which cells add up over quarters: by table, a test on (row, column).
ADDITIVE = {
    "households": lambda r, c: c in (0, 2),          # new, closed (not: active)
    "contacts": lambda r, c: True,
    "referral_source": lambda r, c: True,
    "reasons": lambda r, c: True,
    "arrears": lambda r, c: True,
    "outcomes": lambda r, c: True,
    "plans": lambda r, c: r in (0, 2),               # made, completed (not: active, broken)
    "household_age": lambda r, c: False,
    "landlord_type": lambda r, c: False,
    "referrals": lambda r, c: False,                 # its rows (named partners) vary
}
# Totals one table shares with another for the same period: (table, item) pairs that are
# equal. "cells" means the sum of every cell of that table.
LINKS = [
    [("households", "c:0:0"), ("referral_source", "cells"), ("arrears", "cells")],
    [("households", "c:0:1"), ("household_age", "cells"), ("landlord_type", "cells")],
]


@dataclass
class PublishedTable:
    key: str
    rows: int
    columns: int
    row_totals: bool
    column_totals: bool
    items: dict[str, int | None]  # published value, or None where the mark was shown
    truth: dict[str, int] = field(default_factory=dict)  # every item's true value
    layout: tuple = ()  # rows that differ by threshold (named partners): their names

    def cells(self) -> list[tuple[int, int]]:
        return [(r, c) for r in range(self.rows) for c in range(self.columns)]

    def members(self, item: str) -> list[tuple[int, int]]:
        """The cells an item adds up."""
        if item == "cells" or item == "all":
            return self.cells()
        kind, *numbers = item.split(":")
        if kind == "c":
            return [(int(numbers[0]), int(numbers[1]))]
        if kind == "row":
            return [(int(numbers[0]), c) for c in range(self.columns)]
        if kind == "col":
            return [(r, int(numbers[0])) for r in range(self.rows)]
        raise ValueError(item)


@dataclass
class Release:
    """One export (or the report about to become one): its quarters and its tables."""

    quarters: tuple[int, ...]
    tables: dict[str, PublishedTable]
    label: str = ""
    k: int | None = None  # its threshold: its hidden values are judged by it


@dataclass(frozen=True)
class Finding:
    release: int          # index of the release (the last one is the candidate)
    table: str
    item: str
    low: float
    high: float
    reason: str           # "exact", "small", "derived"


def item_ids(table: PublishedTable) -> list[str]:
    found = [f"c:{r}:{c}" for r, c in table.cells()]
    if table.row_totals:
        found += [f"row:{r}" for r in range(table.rows)]
    if table.column_totals:
        found += [f"col:{c}" for c in range(table.columns)]
    if table.row_totals or table.column_totals:
        found.append("all")
    return found


class _Model:
    """Unknowns and the attacker's equations over them."""

    def __init__(self) -> None:
        self.index: dict[tuple, int] = {}
        self.eq: list[tuple[dict[int, float], float]] = []
        self.ge: list[tuple[dict[int, float], float]] = []

    @property
    def in_equations(self) -> set[int]:
        if getattr(self, "_in_eq", None) is None or self._in_eq[0] != len(self.eq):
            self._in_eq = (len(self.eq), {v for expr, _b in self.eq for v in expr})
        return self._in_eq[1]

    def var(self, key: tuple) -> int:
        if key not in self.index:
            self.index[key] = len(self.index)
        return self.index[key]

    def cell(self, quarters: tuple[int, ...], table: str, r: int, c: int,
             layout: tuple = ()) -> dict[int, float]:
        if ADDITIVE.get(table, lambda *_: False)(r, c):
            return {self.var(("q", q, table, r, c)): 1.0 for q in quarters}
        return {self.var(("p", quarters, table, layout, r, c)): 1.0}

    def expression(self, quarters, table: PublishedTable, item: str) -> dict[int, float]:
        total: dict[int, float] = defaultdict(float)
        for r, c in table.members(item):
            for v, a in self.cell(quarters, table.key, r, c, table.layout).items():
                total[v] += a
        return dict(total)


def _minus(a: dict[int, float], b: dict[int, float]) -> dict[int, float]:
    out = dict(a)
    for v, x in b.items():
        out[v] = out.get(v, 0.0) - x
    return {v: x for v, x in out.items() if abs(x) > EPS}


def build(releases: list[Release]) -> tuple[_Model, list[tuple[int, str, str, dict, int]]]:
    """The attacker's model of every release, and the hidden items to audit:
    (release index, table, item, expression, true value)."""
    model = _Model()
    model.public = set()  # expressions some release shows: known, and never small
    hidden = []
    quarters_seen: set[int] = set()
    for n, release in enumerate(releases):
        quarters_seen.update(release.quarters)
        for table in release.tables.values():
            for item in item_ids(table):
                if item not in table.items:
                    continue
                expr = model.expression(release.quarters, table, item)
                value = table.items[item]
                if value is None:
                    model.ge.append((expr, 1.0))
                    hidden.append((n, table.key, item, expr, table.truth.get(item, 0)))
                else:
                    model.eq.append((expr, float(value)))
                    model.public.add(tuple(sorted(expr.items())))
        for group in LINKS:
            present = [(t, i) for t, i in group if t in release.tables]
            exprs = [model.expression(release.quarters, release.tables[t], i)
                     for t, i in present]
            for other in exprs[1:]:
                difference = _minus(exprs[0], other)
                if difference:
                    model.eq.append((difference, 0.0))
    return model, hidden


def _bounds(model: _Model, target: dict[int, float]) -> tuple[float, float]:
    """Smallest and largest value of ``target`` over everything the attacker knows,
    solved on the connected part of the model that ``target`` touches."""
    if any(v not in model.in_equations for v in target) and all(
            x > 0 for x in target.values()):
        # A count no published value bounds from above: it can be as large as anyone
        # likes, so it is neither exact nor known to be small. No LP needed.
        return 1.0, math.inf
    import numpy as np  # here, not at import: the window needs them only for statistics
    from scipy.optimize import linprog

    component = _component(model, set(target))
    variables = sorted(component)
    position = {v: n for n, v in enumerate(variables)}
    rows_eq = [(e, b) for e, b in model.eq if set(e) & component]
    rows_ge = [(e, b) for e, b in model.ge if set(e) & component]
    a_eq = np.zeros((len(rows_eq), len(variables)))
    for i, (expr, _b) in enumerate(rows_eq):
        for v, x in expr.items():
            a_eq[i, position[v]] = x
    a_ub = np.zeros((len(rows_ge), len(variables)))
    for i, (expr, _b) in enumerate(rows_ge):
        for v, x in expr.items():
            a_ub[i, position[v]] = -x
    objective = np.zeros(len(variables))
    for v, x in target.items():
        objective[position[v]] = x
    kwargs = {"A_eq": a_eq if len(rows_eq) else None,
              "b_eq": np.array([b for _e, b in rows_eq]) if rows_eq else None,
              "A_ub": a_ub if len(rows_ge) else None,
              "b_ub": np.array([-b for _e, b in rows_ge]) if rows_ge else None,
              "bounds": (0, None), "method": "highs"}
    low = linprog(objective, **kwargs)
    high = linprog(-objective, **kwargs)
    lo = low.fun if low.status == 0 else 0.0
    hi = -high.fun if high.status == 0 else math.inf
    return lo, hi


def _component(model: _Model, start: set[int]) -> set[int]:
    """The variables linked to ``start`` through any equation."""
    by_var: dict[int, list[set[int]]] = defaultdict(list)
    for expr, _b in model.eq + model.ge:
        members = set(expr)
        for v in members:
            by_var[v].append(members)
    seen, todo = set(start), list(start)
    while todo:
        v = todo.pop()
        for members in by_var[v]:
            for other in members - seen:
                seen.add(other)
                todo.append(other)
    return seen


def judge(lo: float, hi: float, truth: int, k: int, hidden: bool) -> str | None:
    """Why an interval fails the protection rule, or None when it holds."""
    low, high = math.ceil(lo - EPS), math.floor(hi + EPS) if math.isfinite(hi) else math.inf
    if hidden and high - low < 1:
        return "exact"
    if 1 <= truth < k and high < k:
        return "small"
    return None


def audit(releases: list[Release], k: int,
          derived: dict[int, dict[str, PublishedTable]] | None = None) -> list[Finding]:
    """Every hidden value (in any release) and every quarter's count (``derived``: true
    quarter tables by quarter number, for quarters no release publishes alone) that the
    attacker could pin down or narrow below k."""
    # Counts published under a lower threshold already bound what any later report can
    # protect: the protection interval is the lowest threshold among the releases.
    k = min([k, *(release.k for release in releases if release.k)])
    model, hidden = build(releases)
    findings = []
    cache: dict[tuple, tuple[float, float]] = {}
    for n, table, item, expr, truth in hidden:
        key = tuple(sorted(expr.items()))
        if key in model.public:
            continue  # hidden here, shown by another release: nothing left to protect
        if key not in cache:
            cache[key] = _bounds(model, expr)
        lo, hi = cache[key]
        reason = judge(lo, hi, truth, k, hidden=True)
        if reason:
            findings.append(Finding(n, table, item, lo, hi, reason))
    released_alone = {r.quarters[0] for r in releases if len(r.quarters) == 1}
    for quarter, tables in sorted((derived or {}).items()):
        if quarter in released_alone:
            continue
        for table in tables.values():
            if not any(ADDITIVE.get(table.key, lambda *_: False)(r, c)
                       for r, c in table.cells()):
                continue
            for item in item_ids(table):
                truth = table.truth.get(item, 0)
                members = table.members(item)
                if not 1 <= truth < k or not all(
                        ADDITIVE[table.key](r, c) for r, c in members):
                    continue
                expr = model.expression((quarter,), table, item)
                if not set(expr) <= set(model.index.values()) or not expr:
                    continue
                key = tuple(sorted(expr.items()))
                if key not in cache:
                    cache[key] = _bounds(model, expr)
                lo, hi = cache[key]
                reason = judge(lo, hi, truth, k, hidden=False)
                if reason:
                    findings.append(Finding(len(releases) - 1, table.key, item, lo, hi,
                                            "derived"))
    return findings


def determinable_counts(periods: list[tuple[int, ...]], counts: dict[int, int],
                        k: int) -> bool:
    """Whether sums published for ``periods`` (sets of quarters) let anyone work out a sum
    over a set of quarters holding between 1 and k−1 households (``counts`` per quarter):
    a money figure of such a set would be one over too few households."""
    import numpy as np

    quarters = sorted({q for period in periods for q in period})
    if not quarters:
        return False
    position = {q: n for n, q in enumerate(quarters)}
    span = np.array([[1.0 if q in period else 0.0 for q in quarters] for period in periods])
    rank = np.linalg.matrix_rank(span)
    # The finest sets the published sums separate (quarters always published together).
    signature = defaultdict(list)
    for q in quarters:
        signature[tuple(1 if q in p else 0 for p in periods)].append(q)
    atoms = list(signature.values())
    for mask in range(1, 1 << len(atoms)):
        chosen = [q for n, atom in enumerate(atoms) if mask >> n & 1 for q in atom]
        vector = np.zeros(len(quarters))
        for q in chosen:
            vector[position[q]] = 1.0
        if np.linalg.matrix_rank(np.vstack([span, vector])) == rank:
            total = sum(counts.get(q, 0) for q in chosen)
            if 1 <= total < k:
                return True
    return False
