"""A store that worked alone joins a team: its bulk snapshot says exactly what the
row-by-row capture of the same store says, and what another laptop makes of it is the
store itself."""

from __future__ import annotations

import json
import shutil

from tests.conftest import ADMIN, PASSPHRASE, make_store
from tests.helpers import intake
from workbench.cases import queries
from workbench.cases.service import CaseService
from workbench.demo.seed import seed_demo
from workbench.session import StoreLocation, unlock
from workbench.sync import capture, snapshot
from workbench.sync.receive import BULK, finish_derive, receive
from workbench.sync.rows import writes
from workbench.sync.tables import BY_NAME, fields


def _records(db) -> list[dict]:
    return [json.loads(payload) for (payload,) in db.all(
        "SELECT payload FROM sync_outbox ORDER BY n")]


def _named(db, records: list[dict]) -> list[tuple]:
    """Records with global ids replaced by the local rows they name, so two stores that
    gave the same rows different ids compare equal. Sorted: the order is compared apart."""
    local = {gid: (tbl, row_id) for gid, tbl, row_id in db.all(
        "SELECT gid, tbl, row_id FROM sync_rows")}
    named = []
    for record in records:
        rows = []
        for row in record["rows"]:
            table = BY_NAME[row["t"]]
            values = {name: local.get(value, value) if table.refs.get(name) not in
                      (None, "users") else value
                      for name, (value, _base) in writes(row).items()}
            rows.append((local[row["g"]], local[row["e"]], "c" in row,
                         tuple(sorted(values.items(), key=str))))
        # Rows of one table within a record may come in any order; tables come in order.
        named.append((record["act"], record["who"], record["dev"],
                      tuple(dict.fromkeys(row[0][0] for row in rows)),
                      tuple(sorted(rows, key=str))))
    return sorted(named, key=str)


def _stores(tmp_path):
    session = make_store(StoreLocation(tmp_path / "bulk"))
    # Budgets and lines, plans and instalments; more cases than a page derives one by one.
    seed_demo(session, BULK + 40, seed=3)
    CaseService(session).create_case(intake())
    with session.db.transaction():  # a resident with a second case
        session.db.execute(
            "INSERT INTO cases (person_id, status, opened_on, referral_source, reasons, "
            "advisor_id, intake_arrears, note, created_at, updated_at) SELECT person_id, "
            "status, opened_on, referral_source, reasons, advisor_id, intake_arrears, "
            "'second', created_at, updated_at FROM cases WHERE id = 1")
        queries.reindex(session.db, session.db.scalar("SELECT max(id) FROM cases"))
        # Two landlords whose names differ only in case, each renting to a resident.
        for case_id, name in ((2, "Kotikulma Oy"), (3, "KOTIKULMA OY")):
            landlord = session.db.execute("INSERT INTO landlords (name, kind) VALUES (?, "
                                          "'private')", (name,)).lastrowid
            session.db.execute("UPDATE tenancies SET landlord_id = ? WHERE case_id = ?",
                               (landlord, case_id))
    session.lock()
    shutil.copytree(tmp_path / "bulk", tmp_path / "rows")
    return [unlock(StoreLocation(tmp_path / name), ADMIN, PASSPHRASE)
            for name in ("bulk", "rows")]


def _content(db) -> list[tuple]:
    """What a person reads in every case, without local ids."""
    def rows(query: str, case_id: int) -> list[tuple]:
        return sorted(tuple(row) for row in db.all(query, (case_id,)))

    found = []
    for case_id, name, opened, note in db.all(
            "SELECT c.id, p.first_name || ' ' || p.last_name, c.opened_on, c.note FROM cases c "
            "JOIN persons p ON p.id = c.person_id"):
        found.append((name, opened, note, *(rows(query, case_id) for query in (
            "SELECT street, monthly_rent, l.name FROM tenancies t LEFT JOIN landlords l "
            "ON l.id = t.landlord_id WHERE case_id = ?",
            "SELECT component, amount FROM arrears WHERE case_id = ?",
            "SELECT at, note FROM contacts WHERE case_id = ?",
            "SELECT l.category, l.amount FROM budget_lines l JOIN budgets b "
            "ON b.id = l.budget_id WHERE b.case_id = ?",
            "SELECT i.seq, i.amount FROM plan_instalments i JOIN payment_plans p "
            "ON p.id = i.plan_id WHERE p.case_id = ?",
            "SELECT number, length(content) FROM documents WHERE case_id = ?",
            "SELECT revision, next_unpaid_on FROM payment_plans WHERE case_id = ?",
            "SELECT count(*) FROM case_search WHERE rowid = ?"))))
    return sorted(found, key=str)


def test_the_bulk_snapshot_makes_the_records_the_row_by_row_capture_makes(tmp_path):
    bulk, rows = _stores(tmp_path)
    try:
        with bulk.action("sync.enable", "sync"):
            made = snapshot.snapshot(bulk.db, device="desk", user=ADMIN)
        with rows.action("sync.enable", "sync"):
            assert capture.snapshot(rows.db, device="desk", user=ADMIN) == made
        cases = bulk.db.scalar("SELECT count(*) FROM cases")
        assert made >= cases > BULK
        assert _named(bulk.db, _records(bulk.db)) == _named(rows.db, _records(rows.db))
        every = sum(bulk.db.scalar(f"SELECT count(*) FROM {t.name}"
                                   f"{' WHERE ' + t.only.replace('ROW.', '') if t.only else ''}")
                    for t in BY_NAME.values())
        assert bulk.db.scalar("SELECT count(*) FROM sync_rows") == every
        # Each record comes after the records making the rows it points at, and the
        # per-laptop counts run 1, 2, 3 …
        records = _records(bulk.db)
        assert [r["n"] for r in records] == list(range(1, len(records) + 1))
        made_by: set[str] = set()
        for record in records:
            inside = {row["g"] for row in record["rows"]}
            for row in record["rows"]:
                table = BY_NAME[row["t"]]
                for name, value in zip(fields(table), row["c"], strict=True):
                    if table.refs.get(name) not in (None, "users") and value:
                        assert value in made_by | inside, (row["t"], name)
            made_by |= inside
    finally:
        bulk.lock()
        rows.lock()


def test_a_new_laptop_that_takes_in_the_snapshot_holds_the_same_cases(tmp_path):
    bulk, _rows = _stores(tmp_path)
    _rows.lock()
    fresh = make_store(StoreLocation(tmp_path / "fresh"))
    try:
        with bulk.action("sync.enable", "sync"):
            snapshot.snapshot(bulk.db, device="desk", user=ADMIN)
        with fresh.action("sync.enable", "sync"):
            snapshot.snapshot(fresh.db, device="fresh", user=ADMIN)
        got = receive(fresh, [(n, record) for n, record in enumerate(_records(bulk.db), 1)])
        finish_derive(fresh)
        assert not got.refused and got.held == 0
        assert _content(fresh.db) == _content(bulk.db)
        assert len(_content(fresh.db)) == BULK + 42
        assert CaseService(fresh).search(CaseService(bulk).open_case(5).person.last_name)
    finally:
        bulk.lock()
        fresh.lock()
