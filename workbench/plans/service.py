"""Plan actions: save a revision, record and remove payments, follow a plan, renegotiate."""

from __future__ import annotations

import json
from datetime import date

from workbench.cases.model import ArrearsComponent
from workbench.cases.service import CaseNotFound, RecordNotFound
from workbench.errors import FieldError
from workbench.i18n import N_
from workbench.plans.checks import draft_state
from workbench.plans.model import Payer, Payment, PlanDraft, PlanHistory, PlanRevision, PlanRow
from workbench.plans.tracking import (
    DEFAULT_BROKEN_AFTER,
    DEFAULT_GRACE_DAYS,
    Tracking,
    TrackingRule,
    track,
)
from workbench.session import Role, Session
from workbench.store.database import Database


class PlanService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.db = session.db

    def _may(self, action: str) -> None:
        self.session.require_case_work(action)

    # --- reading -------------------------------------------------------------------------

    def history(self, case_id: int) -> PlanHistory:
        self._may(N_("see case data"))
        return PlanHistory([_revision(self.db, row) for row in self.db.all(
            "SELECT * FROM payment_plans WHERE case_id = ? ORDER BY revision", (case_id,))])

    def current(self, case_id: int) -> PlanRevision | None:
        return self.history(case_id).current

    def payments(self, plan_id: int) -> list[Payment]:
        self._may(N_("see case data"))
        return [_payment(row) for row in self.db.all(
            "SELECT * FROM payments WHERE plan_id = ? ORDER BY paid_on, id", (plan_id,))]

    def rule(self) -> TrackingRule:
        """The organisation's rule, from the signed roster (only administrators set it)."""
        policy = self.session.policy
        return TrackingRule(int(policy.get("grace_days", DEFAULT_GRACE_DAYS)),
                            int(policy.get("broken_after", DEFAULT_BROKEN_AFTER)))

    def set_rule(self, rule: TrackingRule) -> TrackingRule:
        """The organisation's rule for late and broken plans (administrators only)."""
        self.session.require(Role.ADMIN, N_("change the organisation's settings"))
        if not 0 <= rule.grace_days <= 60:
            raise FieldError("grace_days", N_("Days of grace must be between 0 and 60."))
        if not 1 <= rule.broken_after <= 12:
            raise FieldError("broken_after", N_("A plan breaks after 1 to 12 missed "
                                                "instalments."))
        from workbench.users import UserService

        UserService(self.session).set_policy(grace_days=rule.grace_days,
                                             broken_after=rule.broken_after)
        return self.rule()

    def tracking(self, plan: PlanRevision, today: date | None = None) -> Tracking:
        return track(plan.rows, self.payments(plan.id), today or date.today(), self.rule())

    # --- saving a plan -------------------------------------------------------------------

    def save_revision(self, case_id: int, draft: PlanDraft) -> PlanRevision:
        """Store the draft as the case's next revision; earlier revisions stay as they were."""
        self._may(N_("make payment plans"))
        if self.db.one("SELECT 1 FROM cases WHERE id = ?", (case_id,)) is None:
            raise CaseNotFound(id=case_id)
        check_draft(draft)
        with self.session.action("plan.save", "case", case_id) as act:
            revision = (self.db.scalar("SELECT max(revision) FROM payment_plans "
                                       "WHERE case_id = ?", (case_id,)) or 0) + 1
            plan_id = self.db.execute(
                "INSERT INTO payment_plans (case_id, revision, total, created_at, components, "
                "start_on, due_day, instalment, months, pause_months, monthly_rent, budget_id, "
                "capacity, capacity_reason, note) VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ',"
                " 'now'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (case_id, revision, draft.total, _components_json(draft.components),
                 draft.start_on.isoformat(), draft.due_day, draft.instalment, draft.months,
                 _pauses_text(draft.pause_months), draft.monthly_rent, draft.budget_id,
                 draft.capacity, draft.capacity_reason.strip(), draft.note.strip())).lastrowid
            self.db.executemany(
                "INSERT INTO plan_instalments (plan_id, seq, due_on, amount, note) "
                "VALUES (?, ?, ?, ?, ?)",
                [(plan_id, n, row.due_on.isoformat(), row.amount, row.note.strip())
                 for n, row in enumerate(draft.rows, 1)])
            refresh_next_unpaid(self.db, plan_id)
            act.entity_id = case_id
        return next(r for r in self.history(case_id).revisions if r.id == plan_id)

    def renegotiation(self, case_id: int, start_on: date, due_day: int) -> PlanDraft | None:
        """A draft for what is left of the current plan, split like the original arrears."""
        current = self.current(case_id)
        if current is None:
            return None
        left = self.tracking(current).remaining
        return PlanDraft(components=_scaled(current.components, left), start_on=start_on,
                         due_day=due_day, rows=[], monthly_rent=current.monthly_rent,
                         budget_id=current.budget_id, capacity=current.capacity)

    # --- payments ------------------------------------------------------------------------

    def record_payment(self, payment: Payment) -> Payment:
        self._may(N_("record payments"))
        current = self.current(payment.case_id)
        if current is None or current.id != payment.plan_id:
            raise FieldError("plan_id", N_("Payments go to the plan in force; this one has been "
                                           "replaced by a newer revision."))
        if payment.amount <= 0:
            raise FieldError("amount", N_("The amount must be more than zero."))
        if payment.paid_on > date.today():
            raise FieldError("paid_on", N_("A payment cannot be in the future."))
        with self.session.action("payment.add", "case", payment.case_id):
            payment.id = self.db.execute(
                "INSERT INTO payments (case_id, plan_id, paid_on, amount, payer, note) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (payment.case_id, payment.plan_id, payment.paid_on.isoformat(), payment.amount,
                 payment.payer.value, payment.note.strip())).lastrowid
            refresh_next_unpaid(self.db, payment.plan_id)
        return payment

    def remove_payment(self, payment_id: int) -> None:
        self._may(N_("record payments"))
        row = self.db.one("SELECT * FROM payments WHERE id = ?", (payment_id,))
        if row is None:
            raise RecordNotFound()
        with self.session.action("payment.remove", "case", row["case_id"]):
            self.db.execute("DELETE FROM payments WHERE id = ?", (payment_id,))
            refresh_next_unpaid(self.db, row["plan_id"])


class PlanProblem(FieldError):
    """A draft that cannot be saved as it is; ``field`` says where to look."""


def check_draft(draft: PlanDraft) -> None:
    """Refuse a draft whose rows do not add up, run backwards, or ask more than the budget
    allows without a reason."""
    state = draft_state(draft)
    if draft.total <= 0:
        raise PlanProblem("total", N_("The arrears to repay must be more than zero."))
    if not draft.rows:
        raise PlanProblem("rows", N_("The plan has no instalments."))
    if state.not_positive:
        raise PlanProblem("rows", N_("Every instalment must be more than zero."))
    if state.difference:
        raise PlanProblem("rows", N_("The instalments must add up to the arrears exactly."))
    if state.out_of_order:
        raise PlanProblem("rows", N_("The due dates must follow one another in order."))
    if state.above_capacity and not draft.capacity_reason.strip():
        raise PlanProblem("capacity_reason", N_(
            "Some instalments are more than the budget leaves for the arrears; say why the "
            "household can still pay them."))


def refresh_next_unpaid(db: Database, plan_id: int) -> None:
    """Rewrite the plan's cached first unpaid due date after any change."""
    rows = db.all("SELECT due_on, amount FROM plan_instalments WHERE plan_id = ? ORDER BY seq",
                  (plan_id,))
    paid = db.scalar("SELECT coalesce(sum(amount), 0) FROM payments WHERE plan_id = ?",
                     (plan_id,))
    db.execute("UPDATE payment_plans SET next_unpaid_on = ? WHERE id = ?",
               (first_unpaid([(r[0], r[1]) for r in rows], paid), plan_id))


def refresh_next_unpaid_where(db: Database, where: str, params: tuple = ()) -> None:
    """``refresh_next_unpaid`` for every plan matching ``where`` (on ``payment_plans``),
    with two queries in all (a laptop taking in a whole team's plans)."""
    plans = f"SELECT id FROM payment_plans WHERE {where}"
    instalments: dict[int, list[tuple[str, int]]] = {}
    for plan_id, due_on, amount in db.all(
            f"SELECT plan_id, due_on, amount FROM plan_instalments WHERE plan_id IN ({plans}) "
            "ORDER BY plan_id, seq", params):
        instalments.setdefault(plan_id, []).append((due_on, amount))
    paid = dict(db.all(f"SELECT plan_id, sum(amount) FROM payments WHERE plan_id IN ({plans}) "
                       "GROUP BY plan_id", params))
    db.executemany("UPDATE payment_plans SET next_unpaid_on = ? WHERE id = ?", [
        (first_unpaid(instalments.get(plan_id, []), paid.get(plan_id) or 0), plan_id)
        for (plan_id,) in db.all(plans, params)])


def first_unpaid(rows: list[tuple[str, int]], paid: int) -> str | None:
    """The due date of the first instalment that ``paid`` does not fully cover."""
    covered = 0
    for due_on, amount in rows:
        covered += amount
        if covered > paid:
            return due_on
    return None


def _scaled(components: dict[ArrearsComponent, int], total: int) -> dict[ArrearsComponent, int]:
    """``total`` split over the components in their original proportions (exact sum)."""
    whole = sum(components.values())
    if total <= 0 or whole <= 0:
        return {ArrearsComponent.RENT: max(total, 0)}
    shares = {c: amount * total // whole for c, amount in components.items()}
    largest = max(components, key=components.get)
    shares[largest] += total - sum(shares.values())
    return {c: amount for c, amount in shares.items() if amount}


def _components_json(components: dict[ArrearsComponent, int]) -> str:
    return json.dumps({c.value: amount for c, amount in components.items()}, sort_keys=True)


def _pauses_text(pauses: frozenset[tuple[int, int]]) -> str:
    return ",".join(f"{year:04d}-{month:02d}" for year, month in sorted(pauses))


def _pauses(text: str) -> frozenset[tuple[int, int]]:
    return frozenset((int(part[:4]), int(part[5:7])) for part in text.split(",") if part)


def _revision(db: Database, row) -> PlanRevision:
    rows = [PlanRow(date.fromisoformat(r["due_on"]), r["amount"], r["note"])
            for r in db.all("SELECT due_on, amount, note FROM plan_instalments "
                            "WHERE plan_id = ? ORDER BY seq", (row["id"],))]
    components = {ArrearsComponent(k): v for k, v in json.loads(row["components"]).items()}
    return PlanRevision(
        components=components or {ArrearsComponent.RENT: row["total"]},
        start_on=date.fromisoformat(row["start_on"]) if row["start_on"] else
        (rows[0].due_on if rows else date.today()),
        due_day=row["due_day"] or (rows[0].due_on.day if rows else 1), rows=rows,
        instalment=row["instalment"], months=row["months"],
        pause_months=_pauses(row["pause_months"]), monthly_rent=row["monthly_rent"],
        budget_id=row["budget_id"], capacity=row["capacity"],
        capacity_reason=row["capacity_reason"], note=row["note"], case_id=row["case_id"],
        revision=row["revision"], created_at=row["created_at"], id=row["id"])


def _payment(row) -> Payment:
    return Payment(row["case_id"], row["plan_id"], date.fromisoformat(row["paid_on"]),
                   row["amount"], Payer(row["payer"]), row["note"], row["id"])
