"""Following a plan: which instalments are paid, late or missed, and how the plan stands.

Pure: payments are set against instalments in due-date order (the oldest debt first), and
the day to judge by is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from workbench.plans.model import Payment, PlanRow

DEFAULT_GRACE_DAYS = 5
DEFAULT_BROKEN_AFTER = 2  # missed instalments that break a plan


class InstalmentStatus(StrEnum):
    UPCOMING = "upcoming"
    DUE = "due"                  # due date passed, still within the grace days
    PAID = "paid"
    PAID_LATE = "paid_late"
    PARTLY_PAID = "partly_paid"  # past the grace days, some but not all paid
    MISSED = "missed"            # past the grace days, nothing paid


class PlanStatus(StrEnum):
    ON_TRACK = "on_track"
    BEHIND = "behind"
    BROKEN = "broken"
    COMPLETED = "completed"


@dataclass(frozen=True)
class TrackedInstalment:
    row: PlanRow
    paid: int
    status: InstalmentStatus
    paid_in_full_on: date | None


@dataclass(frozen=True)
class Tracking:
    instalments: list[TrackedInstalment]
    status: PlanStatus
    paid: int
    remaining: int
    missed: int
    next_due: date | None


@dataclass(frozen=True)
class TrackingRule:
    grace_days: int = DEFAULT_GRACE_DAYS
    broken_after: int = DEFAULT_BROKEN_AFTER


def track(rows: list[PlanRow], payments: list[Payment], today: date,
          rule: TrackingRule = TrackingRule()) -> Tracking:
    ordered = sorted(payments, key=lambda p: (p.paid_on, p.id or 0))
    paid_total = sum(p.amount for p in ordered)
    tracked, allocated = [], 0
    for row in sorted(rows, key=lambda r: r.due_on):
        share = max(0, min(row.amount, paid_total - allocated))
        allocated += share
        settled_on = _settled_on(ordered, allocated) if share == row.amount else None
        tracked.append(TrackedInstalment(row, share, _status(row, share, settled_on, today,
                                                              rule), settled_on))
    missed = sum(1 for t in tracked
                 if t.status in (InstalmentStatus.MISSED, InstalmentStatus.PARTLY_PAID))
    total = sum(row.amount for row in rows)
    remaining = max(0, total - paid_total)
    if remaining == 0 and rows:
        status = PlanStatus.COMPLETED
    elif missed >= rule.broken_after:
        status = PlanStatus.BROKEN
    elif missed or any(t.status is InstalmentStatus.DUE for t in tracked):
        status = PlanStatus.BEHIND
    else:
        status = PlanStatus.ON_TRACK
    next_due = next((t.row.due_on for t in tracked if t.paid < t.row.amount), None)
    return Tracking(tracked, status, min(paid_total, total), remaining, missed, next_due)


def _settled_on(payments: list[Payment], needed: int) -> date | None:
    """The date on which payments so far first added up to ``needed``."""
    running = 0
    for payment in payments:
        running += payment.amount
        if running >= needed:
            return payment.paid_on
    return None


def _status(row: PlanRow, paid: int, settled_on: date | None, today: date,
            rule: TrackingRule) -> InstalmentStatus:
    deadline = row.due_on + timedelta(days=rule.grace_days)
    if paid == row.amount:
        return InstalmentStatus.PAID_LATE if settled_on and settled_on > deadline \
            else InstalmentStatus.PAID
    if today <= row.due_on:
        return InstalmentStatus.UPCOMING
    if today <= deadline:
        return InstalmentStatus.DUE
    return InstalmentStatus.PARTLY_PAID if paid else InstalmentStatus.MISSED
