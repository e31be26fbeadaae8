"""Taking in a page of other laptops' change records: one transaction with the page's
cursor, its audit row, and the search index, plans and statistics facts of every case it
touched brought up to date (so a kill at any instant leaves the page wholly in or out)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlcipher3

from workbench.cases import queries, search
from workbench.plans.service import refresh_next_unpaid, refresh_next_unpaid_where
from workbench.stats import facts
from workbench.sync import capture, team_facts
from workbench.sync.merge import Merger, RecordProblem


@dataclass
class Received:
    applied: int = 0
    duplicates: int = 0
    held: int = 0  # written by a newer program: kept until this one is updated
    refused: list[str] = field(default_factory=list)  # faulty records, put aside
    cases: set[int] = field(default_factory=set)  # local ids of cases that changed


def receive(session, records: Iterable[tuple[int | None, dict]],
            cursor: int | None = None) -> Received:
    """Apply ``(seq, record)`` pairs in order; ``cursor`` is stored with them."""
    records = list(records)
    db = session.db
    if not records and not db.one("SELECT 1 FROM sync_held WHERE schema_version >= 0"):
        if cursor is not None:  # a page of this laptop's own records: only the cursor moves
            with db.transaction():
                db.execute("INSERT OR REPLACE INTO sync_state (key, value) "
                           "VALUES ('cursor', ?)", (str(cursor),))
        return Received()
    try:
        return _receive(session, records, cursor, batch=True)
    except sqlcipher3.IntegrityError:
        # A record the store refuses (a value outside a column's rules). The page's
        # transaction was rolled back whole; again, one record at a time, that record put
        # aside and reported, the rest applied. (Not a savepoint around the fast path: an
        # open savepoint makes SQLite's inserts into tables with triggers many times slower.)
        return _receive(session, records, cursor, batch=False)


def _receive(session, records: list[tuple[int | None, dict]], cursor: int | None,
             batch: bool) -> Received:
    db = session.db
    result = Received()
    seal_changed = False
    with session.action("sync.receive", "sync"):
        capture.set_capture(db, False)
        # Records from a newer program are kept, not misread; the ones after them wait
        # too (they may stand on them), until an updated program applies them in order.
        waiting = [(row[0], json.loads(row[1])) for row in db.all(
            "SELECT seq, record FROM sync_held WHERE schema_version >= 0 ORDER BY seq")]
        db.execute("DELETE FROM sync_held WHERE schema_version >= 0")
        merger = _Page(db, result, batch=batch).apply([*waiting, *records])
        result.cases = _cases_of(db, merger.touched_entities) | merger.erased_cases
        team_facts.mark_received(db, result.cases, merger.erased_gids)
        if len(result.cases) > BULK or db.one("SELECT 1 FROM sync_derive"):
            # Many cases at once (a first sync): derived together at the end of the sync.
            db.executemany("INSERT OR IGNORE INTO sync_derive (case_id) VALUES (?)",
                           [(case_id,) for case_id in result.cases])
        else:
            context = session.facts_context()
            # A referral removed by the page may leave its partner below k households: its
            # name is counted again (from the removed row's last values).
            touched = sorted(merger.touched)
            gone = sorted({json.loads(tomb).get("partner", "") for start in range(
                0, len(touched), 500) for (tomb,) in db.all(
                "SELECT tomb FROM sync_rows WHERE tbl = 'referrals' AND tomb IS NOT NULL "
                f"AND gid IN ({', '.join('?' for _ in touched[start:start + 500])})",
                touched[start:start + 500])} - {""})
            for case_id in sorted(result.cases):
                _derive_one(db, context, case_id, gone)
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


BULK = 200  # cases in one page above which deriving waits for the end of the sync
REFUSED = -1  # sync_held.schema_version of a record put aside as faulty (never retried)


class _Page:
    """Applies one page's records: a record that stands on one not here yet waits for it
    (the server sent them out of order) and is tried again after each record that went in;
    a record from a newer program holds itself and all after it; a faulty one is put
    aside."""

    def __init__(self, db, result: Received, batch: bool) -> None:
        self.db, self.result, self.batch = db, result, batch
        self.merger = Merger(db, batch=batch)

    def apply(self, page: list[tuple[int | None, dict]]) -> Merger:
        self.merger.prefetch([record for _seq, record in page])
        holding = False
        waiting: list[tuple[int | None, dict]] = []
        for seq, record in page:
            outcome = "newer" if holding else self._attempt(seq, record)
            if outcome == "newer":
                holding = True
                self._hold(seq, record)
            elif outcome == "early":
                waiting.append((seq, record))
            elif waiting:
                waiting = self._retry(waiting)
        for seq, record in waiting:
            self._hold(seq, record)
        self.merger.flush()
        return self.merger

    def _retry(self, waiting: list) -> list:
        progress = True
        while progress and waiting:
            progress = False
            for item in list(waiting):
                if self._attempt(*item) == "done":
                    waiting.remove(item)
                    progress = True
        return waiting

    def _attempt(self, seq: int | None, record: dict) -> str:
        db, result = self.db, self.result
        if not self.batch:
            db.execute("SAVEPOINT one")
        try:
            if self.merger.apply(record, seq):
                result.applied += 1
            else:
                result.duplicates += 1
            outcome = "done"
        except RecordProblem as problem:
            outcome = problem.args[0] if problem.args[0] in ("newer", "early") else "done"
            if not self.batch:
                db.execute("ROLLBACK TO one")
            if outcome == "done":
                _put_aside(db, seq, record, str(problem.args[0]), result)
        except sqlcipher3.IntegrityError as error:
            if self.batch:
                raise
            db.execute("ROLLBACK TO one")
            # A new merger: the old one's caches may name rolled-back rows. What the page
            # changed so far is carried over (a superset only derives a case again).
            old, self.merger = self.merger, Merger(db, batch=False)
            for name in ("touched", "touched_entities", "erased_cases", "erased_gids"):
                getattr(self.merger, name).update(getattr(old, name))
            _put_aside(db, seq, record, f"store: {error}", result)
            outcome = "done"
        if not self.batch:
            db.execute("RELEASE one")
        return outcome

    def _hold(self, seq: int | None, record: dict) -> None:
        version = record.get("v") if isinstance(record, dict) else 0
        self.db.execute("INSERT OR REPLACE INTO sync_held (seq, schema_version, record) "
                        "VALUES (?, ?, ?)", (seq or 0, version if type(version) is int else 0,
                                             json.dumps(record)))
        self.result.held += 1


def _put_aside(db, seq: int | None, record, reason: str, result: Received) -> None:
    """A record no program version can apply: kept for inspection, reported, skipped."""
    db.execute("INSERT OR REPLACE INTO sync_held (seq, schema_version, record) "
               "VALUES (?, ?, ?)", (seq or 0, REFUSED, json.dumps(record, default=str)))
    result.refused.append(f"{seq}: {reason}")


def _derive_one(db, context, case_id: int, partners: list[str] | None) -> None:
    queries.reindex(db, case_id)
    for (plan_id,) in db.all("SELECT id FROM payment_plans WHERE case_id = ?", (case_id,)):
        refresh_next_unpaid(db, plan_id)
    facts.refresh_case(db, context, case_id, partners)


def finish_derive(session) -> int:
    """Search entries, plans' next dates and statistics facts of cases received in bulk;
    one transaction. Returns how many cases."""
    db = session.db
    pending = [row[0] for row in db.all("SELECT case_id FROM sync_derive ORDER BY case_id")]
    if not pending:
        return 0
    with session.action("sync.derive", "sync"):
        capture.set_capture(db, False)  # derived columns only: nothing here travels
        live = [row[0] for row in db.all(
            "SELECT id FROM cases WHERE id IN (SELECT case_id FROM sync_derive)")]
        documents = queries.search_documents(db, live)
        search.put_many(db, documents)
        for case_id in set(pending) - set(documents):
            search.remove(db, case_id)
        refresh_next_unpaid_where(db, "next_unpaid_on IS NULL AND case_id IN "
                                      "(SELECT case_id FROM sync_derive)")
        facts.rebuild(db, session.facts_context())
        db.execute("DELETE FROM sync_derive")
        db.execute("DELETE FROM sync_dirty")
        capture.set_capture(db, True)
    return len(pending)


def _cases_of(db, entities: set[str]) -> set[int]:
    """Local ids of the cases the records were about (a landlord's or a resident's record
    touches their cases too)."""
    cases: set[int] = set()
    people: list[int] = []
    landlords: list[int] = []
    ordered = sorted(entities)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        for tbl, row_id in db.all(
                "SELECT tbl, row_id FROM sync_rows WHERE row_id IS NOT NULL AND gid IN "
                f"({', '.join('?' for _ in chunk)})", chunk):
            if tbl == "cases":
                cases.add(row_id)
            elif tbl == "persons":
                people.append(row_id)
            elif tbl == "landlords":
                landlords.append(row_id)
    for query, ids in (("SELECT id FROM cases WHERE person_id IN ({})", people),
                       ("SELECT case_id FROM tenancies WHERE landlord_id IN ({})", landlords)):
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            cases.update(row[0] for row in db.all(
                query.format(", ".join("?" for _ in chunk)), chunk))
    return cases
