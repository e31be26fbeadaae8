"""The team's statistics facts, for project leads' laptops.

A lead's laptop never receives a case. Each case worker's laptop derives the facts of the
cases that changed (from the merged case state, so every laptop derives the same rows) and
sends them on the 'facts' channel, sealed with the statistics key, which a lead's laptop
holds. The facts are named by keyed hashes of the cases' and plans' global ids under a key
only case workers hold (derived from the first case key), so the lead can neither link
them to cases nor test guesses of a partner's name; a partner's name itself travels only
once k households of the team went there, as in every report.

On the lead's laptop the latest record about a case replaces that case's facts; the
statistics window and exports then cover the whole team.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

from workbench.stats import facts
from workbench.store.crypto import canonical
from workbench.store.database import Database
from workbench.sync import keys
from workbench.sync.rows import RECORD_VERSION, new_op_id

CHANNEL = "facts"
PARTNERS = "partners"
_LINK_INFO = b"workbench team facts link v1"
_PLAN_TABLES = ("f_plan_due", "f_plan_paid")
_CASE_TABLES = ("f_cases", "f_contacts", "f_outcomes", "f_referrals", "f_plans")


class TeamFactsContext(facts.FactsContext):
    """Facts named by the team-wide ids of cases and plans."""

    def __init__(self, db: Database, link_key: bytes, grace_days: int, threshold: int):
        super().__init__(link_key, grace_days, threshold)
        object.__setattr__(self, "_db", db)

    def _gid(self, table: str, row_id: int) -> str:
        return self._db.scalar("SELECT gid FROM sync_rows WHERE tbl = ? AND row_id = ?",
                               (table, row_id)) or f"{table}:{row_id}"

    def fid(self, case_id: int) -> str:
        return self._mac("case:" + self._gid("cases", case_id))

    def pid(self, plan_id: int) -> str:
        return self._mac("plan:" + self._gid("payment_plans", plan_id))

    def fid_of_gid(self, gid: str) -> str:
        return self._mac("case:" + gid)


def _context(session) -> TeamFactsContext | None:
    first = keys.get(session.db, "case", 1)
    if first is None:
        return None
    link = hmac.new(first, _LINK_INFO, hashlib.sha256).digest()
    return TeamFactsContext(session.db, link, session.policy["grace_days"],
                            session.policy["stats_threshold"])


def mark_gids(db: Database, gids: set[str]) -> None:
    """Cases this laptop changed: their facts go to the leads at the next sync."""
    rows = [(gid,) for gid in sorted(gids)]
    db.executemany("INSERT OR IGNORE INTO sync_facts_dirty (case_gid) VALUES (?)", rows)
    db.executemany("INSERT OR IGNORE INTO sync_own_cases (case_gid) VALUES (?)", rows)


def mark_received(db: Database, case_ids: set[int], erased_gids: set[str]) -> None:
    """Cases that other laptops' records changed: sent again only where this laptop has
    changed the case itself, so its merge may differ from what those laptops sent. (Else
    every laptop would send every case it receives: a new laptop all 100,000.)"""
    owned: set[str] = set()
    ids = sorted(case_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        owned.update(row[0] for row in db.all(
            "SELECT s.gid FROM sync_rows s JOIN sync_own_cases o ON o.case_gid = s.gid "
            f"WHERE s.tbl = 'cases' AND s.row_id IN ({', '.join('?' for _ in chunk)})",
            chunk))
    owned.update(gid for gid in erased_gids if db.one(
        "SELECT 1 FROM sync_own_cases WHERE case_gid = ?", (gid,)))
    if not owned:
        return
    db.executemany("INSERT OR IGNORE INTO sync_facts_dirty (case_gid) VALUES (?)",
                   [(gid,) for gid in sorted(owned)])
    # Sent again even if this laptop sent the same facts before: its earlier record may
    # have been overtaken at the leads by another laptop's from before the merge.
    first = keys.get(db, "case", 1)
    if first is not None:
        names = TeamFactsContext(db, hmac.new(first, _LINK_INFO, hashlib.sha256).digest(),
                                 0, 0)
        db.executemany("DELETE FROM sync_facts_sent WHERE fid = ?",
                       [(names.fid_of_gid(gid),) for gid in sorted(owned)])


def publish(session) -> int:
    """Put the facts of every changed case (and the named partners) in the outbox."""
    db = session.db
    ctx = _context(session)
    if ctx is None:
        return 0
    at = datetime.now(UTC).isoformat(timespec="seconds")
    made = 0
    with db.transaction():
        for (gid,) in db.all("SELECT case_gid FROM sync_facts_dirty"):
            case_id = db.scalar("SELECT row_id FROM sync_rows WHERE gid = ?", (gid,))
            rows = {}
            if case_id is not None:
                derived = facts._rows(db, ctx, "c.id = ?", (case_id,))
                rows = {table: [list(r) for r in derived.get(table, [])]
                        for table in facts.INSERTS}
            made += _send(db, session, ctx.fid_of_gid(gid), {"rows": rows}, at)
        db.execute("DELETE FROM sync_facts_dirty")
        named = {ctx.partner(name): name for (name,) in db.all(
            "SELECT partner FROM referrals GROUP BY partner "
            "HAVING count(DISTINCT case_id) >= ?", (ctx.threshold,))}
        made += _send(db, session, PARTNERS, {"partners": named}, at)
    return made


def _send(db: Database, session, fid: str, body: dict, at: str) -> int:
    digest = hashlib.sha256(canonical(body)).hexdigest()
    if db.scalar("SELECT digest FROM sync_facts_sent WHERE fid = ?", (fid,)) == digest:
        return 0
    record = {"v": RECORD_VERSION, "id": new_op_id(), "dev": session.sync_device, "at": at,
              "facts": {"fid": fid, **body}}
    db.execute("INSERT INTO sync_outbox (op_id, channel, entity, payload) VALUES (?, ?, ?, ?)",
               (record["id"], CHANNEL, f"facts.{fid}", json.dumps(record,
                                                                  separators=(",", ":"))))
    db.execute("INSERT OR REPLACE INTO sync_facts_sent (fid, digest) VALUES (?, ?)",
               (fid, digest))
    return 1


# --- on a lead's laptop -------------------------------------------------------------------

def apply(db: Database, record: dict, seq: int) -> bool:
    """Replace one case's facts (or the named partners) with a newer record's."""
    body = record.get("facts") or {}
    fid = body.get("fid")
    if not isinstance(fid, str):
        return False
    known = db.scalar("SELECT seq FROM f_sources WHERE fid = ?", (fid,))
    if known is not None and known >= seq:
        return False
    if fid == PARTNERS:
        db.execute("DELETE FROM f_partners")
        db.executemany("INSERT INTO f_partners (partner, name) VALUES (?, ?)",
                       sorted(body.get("partners", {}).items()))
    else:
        for table in _PLAN_TABLES:
            db.execute(f"DELETE FROM {table} WHERE pid IN (SELECT pid FROM f_plans "
                       "WHERE fid = ?)", (fid,))
        for table in _CASE_TABLES:
            db.execute(f"DELETE FROM {table} WHERE fid = ?", (fid,))
        rows = body.get("rows", {})
        for table, sql in facts.INSERTS.items():
            values = [tuple(r) for r in rows.get(table, [])]
            if values:
                db.executemany(sql, values)
    db.execute("INSERT OR REPLACE INTO f_sources (fid, seq) VALUES (?, ?)", (fid, seq))
    return True
