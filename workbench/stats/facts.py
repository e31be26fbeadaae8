"""The de-identified statistics facts, kept in their own encrypted store (``facts.db``).

A project lead's passphrase opens only this store. It holds, per case, the quarter it was
opened and closed, codes (referral source, reasons, household type, landlord type), the
main resident's birth year and the arrears at intake; per quarter, how many contacts,
outcomes and referrals; per plan, its total, the quarter each instalment falls past its
days of grace and what was paid each quarter. No name, identity number, address, telephone,
e-mail, free text or document: a referral partner's name appears only once at least k
households were referred there (as published). Cases are named by a keyed hash that only
holders of the case key can compute. Quarters are numbered ``year * 4 + quarter - 1``.

Every action on a case refreshes that case's facts in the same transaction (the facts
store is attached to the case connection), so the facts are current whoever exports.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from workbench.store.database import Database

LINK_KEY_SETTING = "facts_link_key"
HEAD_SETTING = "case_audit_head"
CASE_TABLES = ("f_contacts", "f_outcomes", "f_referrals")


def quarter_number(day: str | date) -> int:
    """The quarter of an ISO date (or timestamp) as ``year * 4 + quarter - 1``."""
    text = day.isoformat() if isinstance(day, date) else day
    return _quarter_of_month(text[:7])


@functools.cache
def _quarter_of_month(month: str) -> int:
    # (Asked millions of times when a whole store's facts are derived; few months.)
    return int(month[:4]) * 4 + (int(month[5:7]) - 1) // 3


def household_type(roles: list[str]) -> int:
    partners = roles.count("partner")
    children = roles.count("child")
    if len(roles) > partners + children:
        return 4  # other adults live there too
    if partners and children:
        return 3
    if partners:
        return 2
    return 1 if children else 0


@dataclass(frozen=True)
class FactsContext:
    """What deriving facts needs besides the case rows: the linking key and the
    organisation's rules (days of grace; k for naming partners)."""

    link_key: bytes
    grace_days: int
    threshold: int

    def fid(self, case_id: int) -> str:
        return self._mac(f"case:{case_id}")

    def pid(self, plan_id: int) -> str:
        return self._mac(f"plan:{plan_id}")

    def partner(self, name: str) -> str:
        return self._mac("partner:" + " ".join(name.casefold().split()))

    def _mac(self, text: str) -> str:
        return hmac.digest(self.link_key, text.encode("utf-8"), "sha256").hex()[:32]


class _Remembering:
    """A facts context that computes each name once (an HMAC each)."""

    def __init__(self, ctx: FactsContext) -> None:
        self.ctx = ctx
        self.grace_days, self.threshold = ctx.grace_days, ctx.threshold
        self.fid = functools.cache(ctx.fid)
        self.pid = functools.cache(ctx.pid)
        self.partner = functools.cache(ctx.partner)


def ensure_link_key(db: Database) -> bytes:
    """The case store's secret for naming facts; made once, kept in the case store."""
    value = db.scalar("SELECT value FROM settings WHERE key = ?", (LINK_KEY_SETTING,))
    if value is None:
        value = secrets.token_hex(32)
        db.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (LINK_KEY_SETTING, value))
    return bytes.fromhex(value)


# --- deriving -----------------------------------------------------------------------------

def _rows(db: Database, ctx: FactsContext, where: str, params: tuple) -> dict[str, list]:
    """The fact rows for the cases matching ``where`` (on ``cases c``)."""
    out: dict[str, list] = defaultdict(list)
    ctx = _Remembering(ctx)  # a case's name is asked for once per contact, outcome, …
    for (case_id, opened, closed, source, reasons, birth_year, roles, landlord,
         arrears) in db.execute(
            "SELECT c.id, c.opened_on, c.closed_on, c.referral_source, c.reasons, "
            "p.birth_year, (SELECT group_concat(m.role) FROM household_members m "
            "WHERE m.case_id = c.id), (SELECT l.kind FROM tenancies t JOIN landlords l ON "
            "l.id = t.landlord_id WHERE t.case_id = c.id), c.intake_arrears "
            f"FROM cases c JOIN persons p ON p.id = c.person_id WHERE {where}", params):
        out["f_cases"].append((
            ctx.fid(case_id), quarter_number(opened),
            quarter_number(closed) if closed else None, source, reasons,
            household_type(roles.split(",") if roles else []), birth_year, landlord, arrears))
    for table, source_table, column, day in (("f_contacts", "contacts", "channel", "at"),
                                             ("f_outcomes", "outcomes", "outcome",
                                              "recorded_on")):
        counts: Counter = Counter()
        for case_id, when, code in db.execute(
                f"SELECT x.case_id, x.{day}, x.{column} FROM {source_table} x "
                f"JOIN cases c ON c.id = x.case_id WHERE {where}", params):
            counts[(ctx.fid(case_id), quarter_number(when), code)] += 1
        out[table] = [(*key, n) for key, n in counts.items()]
    referrals: Counter = Counter()
    partners: set[str] = set()
    for case_id, when, partner in db.execute(
            "SELECT x.case_id, x.referred_on, x.partner FROM referrals x "
            f"JOIN cases c ON c.id = x.case_id WHERE {where}", params):
        referrals[(ctx.fid(case_id), quarter_number(when), ctx.partner(partner))] += 1
        partners.add(partner)
    out["f_referrals"] = [(*key, n) for key, n in referrals.items()]
    out["partners"] = sorted(partners)
    _plan_rows(db, ctx, where, params, out)
    return out


def _plan_rows(db: Database, ctx: FactsContext, where: str, params: tuple,
               out: dict[str, list]) -> None:
    grace = timedelta(days=ctx.grace_days + 1)
    for plan_id, case_id, revision, created_at, total in db.execute(
            "SELECT p.id, p.case_id, p.revision, p.created_at, p.total FROM payment_plans p "
            f"JOIN cases c ON c.id = p.case_id WHERE {where}", params):
        out["f_plans"].append((ctx.pid(plan_id), ctx.fid(case_id), revision,
                               quarter_number(created_at), total))
    needed: dict[int, int] = defaultdict(int)
    missed_by = functools.cache(lambda due_on: quarter_number(date.fromisoformat(due_on) + grace))
    for plan_id, due_on, amount in db.execute(
            "SELECT i.plan_id, i.due_on, i.amount FROM plan_instalments i JOIN payment_plans "
            f"p ON p.id = i.plan_id JOIN cases c ON c.id = p.case_id WHERE {where} "
            "ORDER BY i.plan_id, i.seq", params):
        needed[plan_id] += amount
        # Missed at the end of a quarter once due_on + grace days falls before that end.
        out["f_plan_due"].append((ctx.pid(plan_id), missed_by(due_on), needed[plan_id]))
    paid: Counter = Counter()
    for plan_id, paid_on, amount in db.execute(
            "SELECT x.plan_id, x.paid_on, x.amount FROM payments x JOIN cases c ON "
            f"c.id = x.case_id WHERE {where}", params):
        paid[(ctx.pid(plan_id), quarter_number(paid_on))] += amount
    out["f_plan_paid"] = [(*key, amount) for key, amount in paid.items()]


INSERTS = {
    "f_cases": "INSERT INTO f_cases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "f_contacts": "INSERT INTO f_contacts VALUES (?, ?, ?, ?)",
    "f_outcomes": "INSERT INTO f_outcomes VALUES (?, ?, ?, ?)",
    "f_referrals": "INSERT INTO f_referrals VALUES (?, ?, ?, ?)",
    "f_plans": "INSERT INTO f_plans VALUES (?, ?, ?, ?, ?)",
    "f_plan_due": "INSERT INTO f_plan_due VALUES (?, ?, ?)",
    "f_plan_paid": "INSERT INTO f_plan_paid VALUES (?, ?, ?)",
}


def _insert(db: Database, rows: dict[str, list]) -> None:
    for table, sql in INSERTS.items():
        if rows.get(table):
            db.executemany(sql, rows[table])


def _name_partners(db: Database, ctx: FactsContext, names: list[str]) -> None:
    """Keep a partner's name in the facts only while k different households were referred
    there (the rule for naming it in a report)."""
    for name in names:
        # Enough to know whether k households went there: stop counting at k.
        households = db.scalar("SELECT count(*) FROM (SELECT DISTINCT case_id FROM referrals "
                               "WHERE partner = ? LIMIT ?)", (name, ctx.threshold))
        token = ctx.partner(name)
        if households >= ctx.threshold:
            db.execute("INSERT OR REPLACE INTO f_partners (partner, name) VALUES (?, ?)",
                       (token, name))
        else:
            db.execute("DELETE FROM f_partners WHERE partner = ?", (token,))


def refresh_case(db: Database, ctx: FactsContext, case_id: int,
                 partners_before: list[str] | None = None) -> None:
    """Replace one case's facts with what the case now says (inside the action's
    transaction). An erased case leaves no facts."""
    fid = ctx.fid(case_id)
    db.execute("DELETE FROM f_plan_due WHERE pid IN (SELECT pid FROM f_plans WHERE fid = ?)",
               (fid,))
    db.execute("DELETE FROM f_plan_paid WHERE pid IN (SELECT pid FROM f_plans WHERE fid = ?)",
               (fid,))
    for table in (*CASE_TABLES, "f_plans", "f_cases"):
        db.execute(f"DELETE FROM {table} WHERE fid = ?", (fid,))
    rows = _rows(db, ctx, "c.id = ?", (case_id,))
    _insert(db, rows)
    _name_partners(db, ctx, sorted(set(rows["partners"]) | set(partners_before or [])))


def partners_of(db: Database, case_id: int) -> list[str]:
    """The partner names a case refers to now (so a removed referral's partner is
    re-counted after the action)."""
    return [row[0] for row in db.all("SELECT DISTINCT partner FROM referrals WHERE "
                                     "case_id = ?", (case_id,))]


def rebuild(db: Database, ctx: FactsContext) -> None:
    """Derive every fact again from the case store (after an upgrade, a change of the
    organisation's rules, or a crash between the two stores' commits)."""
    for table in (*INSERTS, "f_partners"):
        db.execute(f"DELETE FROM {table}")
    rows = _rows(db, ctx, "1", ())
    _insert(db, rows)
    for name, in db.all("SELECT partner FROM referrals GROUP BY partner "
                        "HAVING count(DISTINCT case_id) >= ?", (ctx.threshold,)):
        db.execute("INSERT OR REPLACE INTO f_partners (partner, name) VALUES (?, ?)",
                   (ctx.partner(name), name))


def record_head(db: Database, head: tuple[int, bytes]) -> None:
    """Note which case action the facts reflect; a mismatch at unlock means a crash fell
    between the two stores' commits and the facts are rebuilt."""
    db.execute("INSERT OR REPLACE INTO fact_settings (key, value) VALUES (?, ?)",
               (HEAD_SETTING, f"{head[0]}:{head[1].hex()}"))


def recorded_head(db: Database) -> str | None:
    return db.scalar("SELECT value FROM fact_settings WHERE key = ?", (HEAD_SETTING,))


def write_organisation(db: Database, name: str, country: str, language: str) -> None:
    db.executemany("INSERT OR REPLACE INTO fact_settings (key, value) VALUES (?, ?)",
                   [("org_name", name), ("country", country), ("language", language)])
