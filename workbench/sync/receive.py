"""Taking in a page of other laptops' change records: one transaction with the page's
cursor, its audit row, and the search index, plans and statistics facts of every case it
touched brought up to date (so a kill at any instant leaves the page wholly in or out)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from workbench.cases import queries
from workbench.plans.service import refresh_next_unpaid
from workbench.stats import facts
from workbench.sync import capture, team_facts
from workbench.sync.merge import Merger, RecordProblem


@dataclass
class Received:
    applied: int = 0
    duplicates: int = 0
    held: int = 0  # written by a newer program: kept until this one is updated
    cases: set[int] = field(default_factory=set)  # local ids of cases that changed


def receive(session, records: Iterable[tuple[int | None, dict]],
            cursor: int | None = None) -> Received:
    """Apply ``(seq, record)`` pairs in order; ``cursor`` is stored with them."""
    db = session.db
    result = Received()
    seal_changed = False
    with session.action("sync.receive", "sync"):
        capture.set_capture(db, False)
        merger = Merger(db)
        partners_before: dict[int, list[str]] = {}
        # Records from a newer program are kept, not misread; the ones after them wait
        # too (they may stand on them), until an updated program applies them in order.
        waiting = [(row[0], json.loads(row[1])) for row in db.all(
            "SELECT seq, record FROM sync_held ORDER BY seq")]
        db.execute("DELETE FROM sync_held")
        holding = False
        for seq, record in [*waiting, *records]:
            if not holding:
                try:
                    if merger.apply(record, seq):
                        result.applied += 1
                    else:
                        result.duplicates += 1
                    continue
                except RecordProblem:
                    holding = True
            db.execute("INSERT OR REPLACE INTO sync_held (seq, schema_version, record) "
                       "VALUES (?, ?, ?)", (seq or 0, int(record.get("v", 0)),
                                            json.dumps(record)))
            result.held += 1
        result.cases = _cases_of(db, merger.touched, partners_before) | merger.erased_cases
        team_facts.mark(db, result.cases)
        team_facts.mark_gids(db, merger.erased_gids)
        context = session.facts_context()
        for case_id in sorted(result.cases):
            queries.reindex(db, case_id)
            for (plan_id,) in db.all("SELECT id FROM payment_plans WHERE case_id = ?",
                                     (case_id,)):
                refresh_next_unpaid(db, plan_id)
            facts.refresh_case(db, context, case_id, partners_before.get(case_id))
        if any(gid.startswith("settings.") for gid in merger.touched):
            seal_changed = True
        if cursor is not None:
            db.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES ('cursor', ?)",
                       (str(cursor),))
        db.execute("DELETE FROM sync_dirty")
        capture.set_capture(db, True)
    if seal_changed:
        # The organisation's certificate beside the store, for `workbench verify`.
        from workbench.agreements.identity import load_identity, publish_certificate
        publish_certificate(session.location.data_dir, load_identity(session))
    return result


def _cases_of(db, gids: set[str], partners: dict[int, list[str]]) -> set[int]:
    """Local ids of the cases whose rows (or whose resident or landlord) changed; erased
    cases too, so their search entry and facts go."""
    cases: set[int] = set()
    for gid in gids:
        row = db.one("SELECT tbl, row_id, entity, tomb FROM sync_rows WHERE gid = ?", (gid,))
        if row is None:
            continue
        tbl, row_id, entity, _tomb = row
        if tbl == "persons" and row_id is not None:
            cases.update(r[0] for r in db.all("SELECT id FROM cases WHERE person_id = ?",
                                              (row_id,)))
        elif tbl == "landlords" and row_id is not None:
            cases.update(r[0] for r in db.all(
                "SELECT case_id FROM tenancies WHERE landlord_id = ?", (row_id,)))
        else:
            case_id = db.scalar("SELECT row_id FROM sync_rows WHERE gid = ? AND tbl = 'cases'",
                                (entity,))
            if case_id is not None:
                cases.add(case_id)
    return cases
