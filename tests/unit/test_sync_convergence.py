"""Team sync's merge under many laptops and many orders: property tests.

The laptops are real encrypted stores, changed only through the services a user's actions go
through; their change records travel through an ordered log standing in for the server
(tests/support/relay.py). The test keeps its own account of every record: its rows, and which
records its laptop held when it was made. From that account alone it says what a laptop
holding a given set of records must show:

- a field's *heads* are its writes that no write made after seeing them replaced; the field
  shows the head with the highest op id, and is a conflict listing every head exactly when
  the heads differ in value (and the row exists);
- a row is gone when its deletes had seen every write to it and no row still points at
  it; a write the deletes had not seen, or a row they had not seen made pointing at it
  (and not since deleted by a laptop that had seen that making), keeps it with a "restore
  or delete" conflict; a row they had seen that still points at it (kept for a conflict of
  its own) keeps it without one.

The state machine checks every laptop against that account after every step (a laptop shows
what the records it holds say, whatever order they came in and whichever of them it made),
checks that each action's record says exactly what the action changed, and at the end syncs
every laptop to quiescence: all agree, no record was applied twice, a fresh laptop given the
whole log in another order ends the same, and settling each conflict once leaves none. The
permutation tests apply one fixed history to fresh laptops in many orders that respect what
each record's laptop had seen, in pages, with records sent again. Last, directed cases of
what an ordinary action does to a row kept for a conflict with its delete.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import random
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.conftest import ADMIN, FAST_KDF, PASSPHRASE
from tests.helpers import intake
from tests.support.relay import Relay
from workbench.agreements.identity import SigningIdentity, create_identity, save_identity
from workbench.budget.model import BudgetLine
from workbench.budget.service import BudgetService
from workbench.cases.model import (
    ArrearsComponent,
    CaseStatus,
    Channel,
    Contact,
    Debt,
    DebtKind,
    FollowUp,
    Landlord,
    LandlordKind,
    Outcome,
    Referral,
)
from workbench.cases.service import CaseNotFound, CaseService
from workbench.errors import ValidationError
from workbench.session import Session, StoreLocation, create_store
from workbench.sync import conflicts, state
from workbench.sync.receive import receive
from workbench.sync.rows import local_values, to_travel
from workbench.sync.tables import BY_NAME, DELETED, ORDER, TABLES, fields

ORGANISATION = "Asumisneuvonta Testi ry"
# The stores live in memory where the system offers it: the same stores and code, without
# waiting for the disk's flushes, which on a busy machine take most of this file's time.
SCRATCH = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


@contextlib.contextmanager
def scratch(name: str) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix=f"sync-{name}-", dir=SCRATCH))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)

# --- what a laptop shows -------------------------------------------------------------------

Dump = dict[str, tuple[str, dict[str, Any]]]  # gid -> (table, travelling values)
Conflicts = dict[tuple[str, str], tuple[tuple[str, str], ...]]  # (gid, field) -> (op, value)


def _j(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def dump(db) -> Dump:
    """Every live row of every synced table, keyed by global id, as its values travel."""
    found: Dump = {}
    for gid, tbl, row_id in db.all(
            "SELECT gid, tbl, row_id FROM sync_rows WHERE row_id IS NOT NULL"):
        table = BY_NAME[tbl]
        values = local_values(db, table, row_id)
        assert values is not None, f"{tbl} {row_id} has a global id {gid} but no row"
        found[gid] = (tbl, to_travel(db, table, values, {}))
    for table in TABLES:
        only = table.only.replace("ROW.", "") or "1"  # the rows that travel
        stored = db.scalar(f"SELECT count(*) FROM {table.name} WHERE {only}")
        named = db.scalar("SELECT count(*) FROM sync_rows WHERE tbl = ? AND row_id IS NOT NULL",
                          (table.name,))
        assert stored == named, f"{table.name}: {stored} rows, {named} with a global id"
    return found


def conflict_set(db) -> Conflicts:
    """The listed conflicts: (gid, field) -> every value with the change that wrote it."""
    return {(c.gid, c.field): tuple(sorted((v.op, _j(v.value)) for v in c.values))
            for c in conflicts.list_conflicts(db)}


def held_ops(db) -> set[str]:
    ops = [row[0] for row in db.all("SELECT op_id FROM sync_seen")]
    assert len(ops) == len(set(ops))
    return set(ops)


# --- the test's own account of every record --------------------------------------------------

@dataclass
class _Row:
    table: str
    entity: str
    writes: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    existence: list[tuple[str, int]] = field(default_factory=list)  # makings 0, deletes 1, …
    makings: list[str] = field(default_factory=list)


class Account:
    """Every record made, which laptop made it, and which records that laptop held then."""

    def __init__(self) -> None:
        self.records: dict[str, dict] = {}
        self.before: dict[str, frozenset[str]] = {}
        self.laptop: dict[str, int] = {}
        self.order: list[str] = []  # as made

    def copy(self) -> Account:
        other = Account()
        other.records, other.before = dict(self.records), dict(self.before)
        other.laptop, other.order = dict(self.laptop), list(self.order)
        return other

    def note(self, record: dict, held: frozenset[str], laptop: int) -> None:
        op = record["id"]
        assert op not in self.records, f"op id {op} made twice"
        self.records[op] = record
        self.before[op] = held
        self.laptop[op] = laptop
        self.order.append(op)

    def _heads(self, events: list[tuple[str, Any]]) -> dict[str, Any]:
        """The events that no other event was made after seeing."""
        ops = {op for op, _ in events}
        return {op: value for op, value in events
                if not any(op in self.before[other] for other in ops if other != op)}

    def expected(self, held: Iterable[str]) -> tuple[Dump, Conflicts]:
        """What a laptop holding exactly these records must show."""
        rows: dict[str, _Row] = {}
        for op in sorted(held):
            for row in self.records[op]["rows"]:
                item = rows.setdefault(row["g"], _Row(row["t"], row["e"]))
                if "c" in row:
                    item.existence.append((op, 0))
                    item.makings.append(op)
                for name, (value, _base) in _writes(row).items():
                    if name == DELETED:
                        item.existence.append((op, value))
                    else:
                        item.writes.setdefault(name, []).append((op, value))
        shown: dict[str, dict[str, Any]] = {}
        found: Conflicts = {}
        for gid, item in rows.items():
            shown[gid] = {}
            for name, writes in item.writes.items():
                heads = self._heads(writes)
                shown[gid][name] = heads[max(heads)]
                if len({_j(v) for v in heads.values()}) > 1:
                    found[(gid, name)] = tuple(sorted((op, _j(v)) for op, v in heads.items()))
        live: dict[str, bool] = {}
        standing: dict[str, set[str]] = {}  # makings no pending delete of the row had seen
        for gid in sorted(rows, key=lambda g: (-ORDER[rows[g].table], g)):  # children first
            item = rows[gid]
            heads = self._heads(item.existence)
            deletes = [op for op, value in heads.items() if value == 1]
            seen = frozenset().union(*(self.before[op] for op in deletes))
            standing[gid] = set(item.makings) - seen
            if not deletes:
                live[gid] = True
                continue
            crossing = {op for op, value in heads.items() if value != 1}
            for writes in item.writes.values():
                crossing |= {op for op in self._heads(writes) if op not in seen}
            referrers = [child for child, alive in live.items() if alive and any(
                shown[child].get(column) == gid
                for column, target in BY_NAME[rows[child].table].refs.items()
                if target != "users")]
            crossing |= {op for child in referrers for op in standing[child] if op not in seen}
            live[gid] = bool(crossing or referrers)
            if crossing:
                found[(gid, DELETED)] = tuple(sorted(
                    [(op, _j(1)) for op in deletes] + [(op, _j(0)) for op in crossing]))
        expected_dump: Dump = {}
        for gid, item in rows.items():
            if not live[gid]:
                for key in [k for k in found if k[0] == gid]:
                    del found[key]  # a row that is gone asks no question
                continue
            table = BY_NAME[item.table]
            missing = set(fields(table)) - set(shown[gid])
            assert not missing, f"{gid}: no write of {missing}"
            expected_dump[gid] = (item.table, {name: shown[gid][name] for name in fields(table)})
        return expected_dump, found


def _writes(row: dict) -> dict:
    """A travelling row as field writes: a row its record makes carries its values in
    fields() order (nothing to stand on), a change carries [value, base] by name."""
    if "c" in row:
        names = fields(BY_NAME[row["t"]])
        assert len(row["c"]) == len(names), row
        return {name: [value, []] for name, value in zip(names, row["c"], strict=True)}
    return row["w"]


def check_capture(before: Dump, after: Dump, records: list[dict], db) -> None:
    """An action's records say exactly what it changed on its laptop, except rows that
    were already deleted (by an earlier record) and kept only for a row this action
    removed: those go as they go wherever the action's records arrive."""
    written: dict[str, dict] = {}
    for record in records:
        for row in record["rows"]:
            assert row["g"] not in written, f"{row['g']} twice in one action"
            written[row["g"]] = row
    for gid in before.keys() | after.keys():
        old, new = before.get(gid), after.get(gid)
        row = written.pop(gid, None)
        if old == new:
            assert row is None, f"{gid} unchanged but written: {row}"
            continue
        earlier = {op for (op,) in db.all("SELECT op FROM sync_deletes WHERE gid = ?", (gid,))}
        if row is None and new is None and earlier - {r["id"] for r in records}:
            continue
        assert row is not None, f"{gid} changed but not written: {old} -> {new}"
        values = {name: value for name, (value, _base) in _writes(row).items()}
        if new is None:
            assert values == {DELETED: 1}, row
        elif old is None and "c" in row:
            assert values == new[1], (values, new)
        elif old is None:
            assert values.pop(DELETED) == 0, row
            assert all(new[1][name] == value for name, value in values.items()), (row, new)
        else:
            assert values == {k: v for k, v in new[1].items() if old[1][k] != v}, (row, old, new)
    assert not written, f"written but not changed: {written}"


def new_laptop(location: StoreLocation, identity: SigningIdentity | None) -> Session:
    """A store as ``tests.conftest.make_store`` makes one, with the team's seal (or none
    yet, for a laptop that is to take in everything from the others)."""
    session, _key = create_store(location, ORGANISATION, "FI", ADMIN, PASSPHRASE,
                                 language="fi", kdf=FAST_KDF)
    if identity is not None:
        save_identity(session, identity)
    return session


# --- laptops sharing one log ---------------------------------------------------------------

class Team:
    """Laptops (real stores, syncing) sharing one relay, and the account of their records."""

    def __init__(self, root: Path, count: int) -> None:
        self.relay = Relay()
        self.account = Account()
        self.laptops: list[Session] = []
        self.held: list[set[str]] = []
        self.identity = create_identity(ORGANISATION, "FI")  # one organisation, one seal
        for n in range(count):
            session = new_laptop(StoreLocation(root / f"laptop{n}"), self.identity)
            self.laptops.append(session)
            self.held.append(set())
            self.act(n, lambda session, n=n: state.enable(session, f"device-{n}"),
                     check=False)
        self.case_gids: list[str] = []  # every case made, in order

    def close(self) -> None:
        for session in self.laptops:
            if not session.locked:
                session.lock()

    # --- actions and syncing --------------------------------------------------------------

    def act(self, n: int, action: Callable[[Session], Any], check: bool = True) -> Any:
        """Run a user's action on laptop ``n``; note its records with what ``n`` held."""
        session = self.laptops[n]
        db = session.db
        waiting = {row[0] for row in db.all("SELECT op_id FROM sync_outbox")}
        before = dump(db) if check else {}
        try:
            result = action(session)
        except CaseNotFound:
            # Done, and the case went with it: it had been erased here and was kept only
            # for the row this action removed (the service's last look finds no case).
            result = None
        made = [json.loads(row[1]) for row in db.all(
            "SELECT op_id, payload FROM sync_outbox ORDER BY n") if row[0] not in waiting]
        for record in made:  # an action's records go out in order, each after the last
            self.account.note(record, frozenset(self.held[n]), n)
            self.held[n].add(record["id"])
            if record["act"] == "case.create":
                self.case_gids += [r["g"] for r in record["rows"] if r["t"] == "cases"]
        if check:
            check_capture(before, dump(db), made, db)
        return result

    def push(self, n: int) -> None:
        self.relay.push(self.laptops[n])

    def pull(self, n: int, page: int = 50, overlap: int = 0, pages: int | None = None) -> None:
        """Take in the log from the laptop's cursor, ``page`` records at a time, each page
        sent together with the ``overlap`` records before it again (as after a lost reply).
        """
        session = self.laptops[n]
        log = self.relay.log
        while pages is None or pages > 0:
            start = state.cursor(session.db)
            chunk = log[start:start + page]
            if not chunk:
                return
            first = max(0, start - overlap)
            result = receive(session, [(k + 1, log[k]) for k in range(first, start + len(chunk))],
                             cursor=start + len(chunk))
            new = [r["id"] for r in chunk if r["id"] not in self.held[n]]
            assert (result.applied, result.held) == (len(new), 0)
            assert result.duplicates == start + len(chunk) - first - len(new)
            self.held[n] |= set(new)
            if pages is not None:
                pages -= 1

    def quiesce(self) -> None:
        for _ in range(2):
            for n in range(len(self.laptops)):
                self.push(n)
            for n in range(len(self.laptops)):
                self.pull(n)

    # --- what the laptops show ------------------------------------------------------------

    def check_laptop(self, n: int) -> None:
        """Laptop ``n`` shows exactly what the records it holds say."""
        db = self.laptops[n].db
        assert held_ops(db) == self.held[n]
        expected_dump, expected_conflicts = self.account.expected(self.held[n])
        assert dump(db) == expected_dump
        assert conflict_set(db) == expected_conflicts

    def check_converged(self) -> tuple[Dump, Conflicts]:
        self.quiesce()
        log_ids = [record["id"] for record in self.relay.log]
        assert len(log_ids) == len(set(log_ids)), "a record is twice in the log"
        assert set(log_ids) == set(self.account.records)
        first = self.laptops[0].db
        reference = dump(first), conflict_set(first)
        for n, session in enumerate(self.laptops):
            assert state.waiting(session.db) == 0
            assert self.held[n] == set(log_ids)
            self.check_laptop(n)
            assert (dump(session.db), conflict_set(session.db)) == reference
        return reference

    # --- finding things on a laptop -------------------------------------------------------

    def local(self, n: int, gid: str) -> int | None:
        return self.laptops[n].db.scalar("SELECT row_id FROM sync_rows WHERE gid = ?", (gid,))

    def case_on(self, n: int, pick: int) -> int | None:
        """One of the cases laptop ``n`` has, the same one for the same pick on every laptop
        that has the same cases."""
        here = [case_id for case_id in (self.local(n, gid) for gid in self.case_gids)
                if case_id is not None]
        return here[pick % len(here)] if here else None

    def record_on(self, n: int, case_id: int, kind: str, pick: int) -> Any | None:
        """One of the case's records of a kind (contacts, …), the same one for the same
        pick on every laptop that has the same records."""
        found = getattr(CaseService(self.laptops[n]).open_case(case_id), RECORDS[kind].attr)
        table = RECORDS[kind].type.TABLE
        gids = {r.id: self.laptops[n].db.scalar(
            "SELECT gid FROM sync_rows WHERE tbl = ? AND row_id = ?", (table, r.id))
            for r in found}
        found.sort(key=lambda r: gids[r.id])
        return found[pick % len(found)] if found else None

    def landlord_on(self, n: int, pick: int) -> Landlord | None:
        here = {landlord.name: landlord for landlord in CaseService(self.laptops[n]).landlords()}
        return here.get(LANDLORDS[pick % 3])


# --- the actions ------------------------------------------------------------------------

# Every list begins with a value a new case does not have (the first pick is a change).
PHONES = ("+358 40 111 1111", "+358 40 222 2222", "+358 50 333 3333")
EMAILS = ("asa@example.fi", "asa.j@example.fi", "")
NOTES = ("Called the landlord", "Needs an interpreter", "")
STATUSES = (CaseStatus.ON_HOLD, CaseStatus.CLOSED, CaseStatus.OPEN)
RENTS = (80000, 81000, 78000)
STREETS = ("Mäntytie 1 A 4", "Kuusitie 9", "Koivukuja 3 B 12")
ARREARS = (50000, 0, 123450)
OUTCOMES = (Outcome.EVICTION_PREVENTED, Outcome.PAYMENT_PLAN_MADE, Outcome.EVICTED)
LANDLORDS = ("Kojamo", "Helsingin kaupungin asunnot", "Kiinteistö Oy Koivukuja")
LANDLORD_PHONES = ("+358 9 111 222", "+358 9 333 444", "")
BUDGET_DAY = date(2026, 11, 20)  # every laptop saves "the budget of this day": one row


def edit(team: Team, n: int, case_id: int, what: str, pick: int) -> None:
    """Change one field of a case as the case window does."""
    cases = CaseService(team.laptops[n])
    file = cases.open_case(case_id)
    if what == "phone":
        team.act(n, lambda s: cases.update_person(
            case_id, dataclasses.replace(file.person, phone=PHONES[pick % 3])))
    elif what == "email":
        team.act(n, lambda s: cases.update_person(
            case_id, dataclasses.replace(file.person, email=EMAILS[pick % 3])))
    elif what == "note":
        team.act(n, lambda s: cases.update_case(
            dataclasses.replace(file.case, note=NOTES[pick % 3])))
    elif what == "status":
        team.act(n, lambda s: cases.update_case(
            dataclasses.replace(file.case, status=STATUSES[pick % 3])))
    elif what in ("rent", "street"):
        if file.tenancy is None:
            return
        changed = ({"monthly_rent": RENTS[pick % 3]} if what == "rent"
                   else {"street": STREETS[pick % 3]})
        team.act(n, lambda s: cases.set_tenancy(dataclasses.replace(file.tenancy, **changed)))
    elif what == "arrears":
        team.act(n, lambda s: cases.set_all_arrears(
            case_id, {ArrearsComponent.RENT: ARREARS[pick % 3]}, BUDGET_DAY))



@dataclass(frozen=True)
class Kind:
    """A kind of case record: how one is made, and the field an advisor edits."""

    type: type
    attr: str  # in a CaseFile
    make: Callable[[Session, int, int], Any]
    field: str
    values: tuple


RECORDS = {
    "contact": Kind(Contact, "contacts", lambda s, case_id, pick: Contact(
        case_id, (Channel.OFFICE, Channel.HOME_VISIT, Channel.VIDEO)[pick % 3],
        datetime(2026, 11, 20, 10, 0), minutes=30, advisor_id=s.user.id),
        "note", ("No answer", "Agreed to a plan", "")),
    "referral": Kind(Referral, "referrals", lambda s, case_id, pick: Referral(
        case_id, ("Takuusäätiö", "Kela", "Velkaneuvonta")[pick % 3], BUDGET_DAY),
        "result", ("Accepted", "Waiting list", "")),
    "followup": Kind(FollowUp, "followups", lambda s, case_id, pick: FollowUp(
        case_id, date(2026, 12, 1 + pick % 3), "Call the landlord", advisor_id=s.user.id),
        "done_on", (date(2026, 12, 2), date(2026, 12, 3), None)),
    "debt": Kind(Debt, "debts", lambda s, case_id, pick: Debt(
        case_id, ("Nordea", "Helen", "Elisa")[pick % 3], DebtKind.OTHER, 100000),
        "amount", (120000, 90000, 100000)),
}


def add_record(team: Team, n: int, case_id: int, kind: str, pick: int) -> None:
    team.act(n, lambda s: CaseService(s).add(RECORDS[kind].make(s, case_id, pick)))


def edit_record(team: Team, n: int, case_id: int, kind: str, pick: int) -> None:
    found = team.record_on(n, case_id, kind, pick)
    if found is not None:
        changed = {RECORDS[kind].field: RECORDS[kind].values[pick % 3]}
        team.act(n, lambda s: CaseService(s).update(dataclasses.replace(found, **changed)))


def add_contact(team: Team, n: int, case_id: int, pick: int) -> None:
    add_record(team, n, case_id, "contact", pick)


def set_landlord(team: Team, n: int, case_id: int, pick: int) -> None:
    """The tenancy's landlord, added to the laptop's landlords first if it is new there."""
    cases = CaseService(team.laptops[n])
    landlord = team.landlord_on(n, pick)
    if landlord is None:
        landlord = team.act(n, lambda s: cases.add_landlord(
            Landlord(LANDLORDS[pick % 3], LandlordKind.PRIVATE)))
    tenancy = cases.open_case(case_id).tenancy
    if tenancy is not None:
        team.act(n, lambda s: cases.set_tenancy(
            dataclasses.replace(tenancy, landlord_id=landlord.id)))


def save_budget(team: Team, n: int, case_id: int, pick: int) -> None:
    # Two adults' earnings are two lines of one category in one budget.
    lines = [BudgetLine("earnings", "income", (150000, 160000, 0)[pick % 3]),
             *([BudgetLine("earnings", "income", 40000 + pick % 5)] if pick % 2 else []),
             BudgetLine("rent", "expense", (78000, 80000, 78000)[pick % 3])]
    team.act(n, lambda s: BudgetService(s).save(case_id, lines, BUDGET_DAY))


def resolve(team: Team, n: int, pick: int, keep: str) -> bool:
    """Settle one listed conflict; False when ``keep`` names no value of it (refused)."""
    found = conflicts.list_conflicts(team.laptops[n].db)
    if not found:
        return False
    conflict = found[pick % len(found)]
    try:
        team.act(n, lambda s: conflicts.resolve(s, conflict.id, keep), check=False)
    except ValidationError:
        assert conflict_set(team.laptops[n].db)[(conflict.gid, conflict.field)]
        return False
    return True


class _Ids:
    """Global ids and op ids from a seeded generator, so that an example runs the same way
    every time (the op ids still come in no particular order, as clocks do on laptops)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def op_id(self) -> str:
        return f"{self.rng.getrandbits(48):012x}{self.rng.getrandbits(80):020x}"

    def gid(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def patches(self) -> list:
        return [mock.patch("workbench.sync.capture.new_op_id", self.op_id),
                mock.patch("workbench.sync.capture.new_gid", self.gid),
                mock.patch("workbench.sync.conflicts.new_op_id", self.op_id)]


# --- 1. random work on 2–4 laptops --------------------------------------------------------

LAPTOP = st.integers(0, 3)
PICK = st.integers(0, 5)


class TeamWork(RuleBasedStateMachine):
    """Advisors on 2–4 laptops working on the same cases, syncing now and then."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="sync-convergence-", dir=SCRATCH))
        self.patches = _Ids(0).patches()
        for patch in self.patches:
            patch.start()
        self.team: Team | None = None

    @initialize(count=st.integers(2, 4), shared=st.integers(1, 2))
    def laptops(self, count: int, shared: int) -> None:
        """The laptops, with ``shared`` cases every one of them already has."""
        self.team = Team(self.root, count)
        for pick in range(shared):
            self.team.act(0, lambda s, pick=pick: CaseService(s).create_case(
                intake(first_name=("Åsa", "Matti")[pick])))
        self.team.quiesce()

    def _case(self, laptop: int, case: int) -> tuple[int, int | None]:
        n = laptop % len(self.team.laptops)
        return n, self.team.case_on(n, case)

    @rule(laptop=LAPTOP, pick=PICK)
    def create_case(self, laptop: int, pick: int) -> None:
        n, _ = self._case(laptop, 0)
        self.team.act(n, lambda s: CaseService(s).create_case(
            intake(monthly_rent=RENTS[pick % 3])))

    def _edit(self, laptop: int, case: int, what: str, pick: int) -> None:
        n, case_id = self._case(laptop, case)
        if case_id is not None:
            edit(self.team, n, case_id, what, pick)

    @rule(laptop=LAPTOP, case=PICK, what=st.sampled_from(("phone", "email")), pick=PICK)
    def edit_person(self, laptop: int, case: int, what: str, pick: int) -> None:
        self._edit(laptop, case, what, pick)

    @rule(laptop=LAPTOP, case=PICK, what=st.sampled_from(("note", "status")), pick=PICK)
    def edit_case(self, laptop: int, case: int, what: str, pick: int) -> None:
        self._edit(laptop, case, what, pick)

    @rule(laptop=LAPTOP, case=PICK, what=st.sampled_from(("rent", "street")), pick=PICK)
    def edit_tenancy(self, laptop: int, case: int, what: str, pick: int) -> None:
        self._edit(laptop, case, what, pick)

    @rule(laptop=LAPTOP, case=PICK, pick=PICK)
    def edit_arrears(self, laptop: int, case: int, pick: int) -> None:
        self._edit(laptop, case, "arrears", pick)

    @rule(laptop=LAPTOP, case=PICK, kind=st.sampled_from(tuple(RECORDS)), pick=PICK)
    def add_record(self, laptop: int, case: int, kind: str, pick: int) -> None:
        n, case_id = self._case(laptop, case)
        if case_id is not None:
            add_record(self.team, n, case_id, kind, pick)

    @rule(laptop=LAPTOP, case=PICK, kind=st.sampled_from(tuple(RECORDS)), pick=PICK)
    def edit_record(self, laptop: int, case: int, kind: str, pick: int) -> None:
        n, case_id = self._case(laptop, case)
        if case_id is not None:
            edit_record(self.team, n, case_id, kind, pick)

    @rule(laptop=LAPTOP, case=PICK, kind=st.sampled_from(tuple(RECORDS)), pick=PICK)
    def remove_record(self, laptop: int, case: int, kind: str, pick: int) -> None:
        n, case_id = self._case(laptop, case)
        found = self.team.record_on(n, case_id, kind, pick) if case_id is not None else None
        if found is not None:
            self.team.act(n, lambda s: CaseService(s).remove(type(found), found.id))

    @rule(laptop=LAPTOP, case=PICK, pick=PICK)
    def set_landlord(self, laptop: int, case: int, pick: int) -> None:
        n, case_id = self._case(laptop, case)
        if case_id is not None:
            set_landlord(self.team, n, case_id, pick)

    @rule(laptop=LAPTOP, which=PICK, pick=PICK)
    def edit_landlord(self, laptop: int, which: int, pick: int) -> None:
        n = laptop % len(self.team.laptops)
        landlord = self.team.landlord_on(n, which)
        if landlord is not None:
            self.team.act(n, lambda s: CaseService(s).update_landlord(
                dataclasses.replace(landlord, phone=LANDLORD_PHONES[pick % 3])))

    @rule(laptop=LAPTOP, case=PICK, really=st.integers(0, 2))
    def erase_case(self, laptop: int, case: int, really: int) -> None:
        """Now and then (erasing is rarer than editing, and ends a case's story)."""
        n, case_id = self._case(laptop, case)
        if case_id is not None and really == 2:
            self.team.act(n, lambda s: CaseService(s).erase_case(case_id))

    @rule(laptop=LAPTOP, case=PICK, ticked=st.sets(st.sampled_from(OUTCOMES)))
    def set_outcomes(self, laptop: int, case: int, ticked: set[Outcome]) -> None:
        n, case_id = self._case(laptop, case)
        if case_id is not None:
            self.team.act(n, lambda s: CaseService(s).set_outcomes(
                case_id, frozenset(ticked), BUDGET_DAY))

    @rule(laptop=LAPTOP, case=PICK, pick=PICK)
    def save_budget(self, laptop: int, case: int, pick: int) -> None:
        n, case_id = self._case(laptop, case)
        if case_id is not None:
            save_budget(self.team, n, case_id, pick)

    @rule(laptop=LAPTOP)
    def push(self, laptop: int) -> None:
        self.team.push(laptop % len(self.team.laptops))

    @rule(laptop=LAPTOP, page=st.integers(1, 4), overlap=st.integers(0, 2),
          pages=st.none() | st.integers(1, 2))
    def pull(self, laptop: int, page: int, overlap: int, pages: int | None) -> None:
        self.team.pull(laptop % len(self.team.laptops), page, overlap, pages)

    @rule(laptop=LAPTOP)
    def sync(self, laptop: int) -> None:
        n = laptop % len(self.team.laptops)
        self.team.push(n)
        self.team.pull(n)

    @rule(laptop=LAPTOP, pick=PICK,
          keep=st.sampled_from(("mine", "theirs", "1", "2", "3", "delete", "restore")))
    def resolve_conflict(self, laptop: int, pick: int, keep: str) -> None:
        resolve(self.team, laptop % len(self.team.laptops), pick, keep)

    @invariant()
    def every_laptop_shows_what_its_records_say(self) -> None:
        if self.team is not None:
            for n in range(len(self.team.laptops)):
                self.team.check_laptop(n)

    def teardown(self) -> None:
        try:
            if self.team is not None:
                final = self.team.check_converged()
                self._replay_in_another_order(final)
                self._settle_every_conflict()
        finally:
            for patch in reversed(self.patches):
                patch.stop()
            if self.team is not None:
                self.team.close()
            shutil.rmtree(self.root, ignore_errors=True)

    def _replay_in_another_order(self, final: tuple[Dump, Conflicts]) -> None:
        """The same records reach a fresh laptop in another order the server could have
        given (the most recent first, or any), in pages: it ends as the others did."""
        account = self.team.account
        rng = random.Random(len(account.order))
        ops = causal_order(account, rng.choice(("latest", "random")), rng)
        location = StoreLocation(self.root / "fresh")
        assert replay(account, ops, location, self.team.identity, rng) == final

    def _settle_every_conflict(self) -> None:
        """Settling each listed conflict once, on any laptop, leaves none anywhere."""
        team = self.team
        for turn in range(50):
            if not conflicts.list_conflicts(team.laptops[0].db):
                break
            n = turn % len(team.laptops)
            listed = conflicts.list_conflicts(team.laptops[n].db)
            assert resolve(team, n, 0, "1"), listed[0]
            team.quiesce()
        else:
            pytest.fail("conflicts keep coming back")
        team.check_converged()
        for session in team.laptops:
            assert conflicts.list_conflicts(session.db) == []


TeamWork.TestCase.settings = settings(
    max_examples=25, stateful_step_count=20, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_random_work_on_several_laptops_converges = TeamWork.TestCase


# --- 2. one history, many orders ----------------------------------------------------------

@pytest.fixture(scope="module")
def history():
    """Records made on three laptops: concurrent edits of one field (with different and
    with equal values) and of different fields, the same natural-key row made on two
    laptops, a row removed on one laptop while another changed it, a case erased while
    other laptops added to it and edited it, a case erased by a laptop that had seen only
    one of two makings of its budget, a case kept for an edit until the erasing laptop
    removed the edited row, a resolution, and an edit crossing that resolution."""
    patches = _Ids(7).patches()
    for patch in patches:
        patch.start()
    with scratch("history") as root:
        team = Team(root, 3)
        try:
            a, b, c = 0, 1, 2
            cases = [CaseService(session) for session in team.laptops]
            for first, last in (("Åsa", "Jääskeläinen"), ("Matti", "Virtanen"), ("Aino", "Laine"),
                                ("Eino", "Leino")):
                team.act(a, lambda s, first=first, last=last: cases[a].create_case(
                    intake(first_name=first, last_name=last)))
            team.quiesce()
            x, y, z, w = team.case_gids
            here = {(n, gid): team.local(n, gid) for n in (a, b, c) for gid in (x, y, z, w)}
            # Case x: phone on a and b (different), email on c, rent on b and c (equal), rent
            # arrears changed on a and removed on c, the same outcome ticked on a and b, the
            # budget of one day saved on a and c (different amounts).
            edit(team, a, here[a, x], "phone", 0)
            edit(team, b, here[b, x], "phone", 1)
            edit(team, c, here[c, x], "email", 1)
            edit(team, b, here[b, x], "rent", 1)
            edit(team, c, here[c, x], "rent", 1)
            edit(team, a, here[a, x], "arrears", 0)
            edit(team, c, here[c, x], "arrears", 1)
            for n in (a, b):
                team.act(n, lambda s, n=n: cases[n].set_outcomes(
                    here[n, x], frozenset({Outcome.EVICTED}), BUDGET_DAY))
            save_budget(team, a, here[a, x], 0)
            save_budget(team, c, here[c, x], 1)
            # Case y: b erases it while c adds two contacts to it and a edits its note.
            team.act(b, lambda s: cases[b].erase_case(here[b, y]))
            add_contact(team, c, here[c, y], 0)
            add_contact(team, c, here[c, y], 1)
            edit(team, a, here[a, y], "note", 1)
            # Case z: a and c save the same budget; a, having seen only its own, erases z.
            save_budget(team, a, here[a, z], 0)
            save_budget(team, c, here[c, z], 0)
            team.act(a, lambda s: cases[a].erase_case(here[a, z]))
            # Case w: b changes its rent arrears, a erases it.
            edit(team, b, here[b, w], "arrears", 0)
            team.act(a, lambda s: cases[a].erase_case(here[a, w]))
            for n in (a, b, c):
                team.push(n)
            team.pull(a)
            # w is kept for b's arrears (under a new local id); a removes those arrears, and w
            # goes with them.
            edit(team, a, team.local(a, w), "arrears", 1)
            assert team.local(a, w) is None
            # a settles the phone conflict; b, not having seen that, edits the phone again.
            (phone,) = [c.id for c in conflicts.list_conflicts(team.laptops[a].db)
                        if c.field == "phone"]
            team.act(a, lambda s: conflicts.resolve(s, phone, "2"), check=False)
            edit(team, b, here[b, x], "phone", 2)
            edit(team, c, here[c, x], "note", 0)
            for n in (a, b, c):
                team.push(n)
            team.pull(b, page=2, overlap=1)
            edit(team, b, here[b, x], "street", 1)
            team.push(b)
            final = team.check_converged()
            asked = sorted((c.table, c.field) for c in conflicts.list_conflicts(team.laptops[a].db))
            # (Two laptops that save the budget of one day in different seconds also differ
            # in its created_at: a question nobody can answer, but the merge's to ask.)
            assert [q for q in asked if q != ("budgets", "created_at")] == [
                ("arrears", DELETED), ("budget_lines", DELETED), ("budget_lines", DELETED),
                ("budget_lines", "amount"), ("budget_lines", "amount"), ("budgets", DELETED),
                ("cases", DELETED), ("cases", DELETED), ("persons", "phone")]
            yield team.account, [record["id"] for record in team.relay.log], final, team.identity
        finally:
            for patch in reversed(patches):
                patch.stop()
            team.close()


def causal_order(account: Account, how: str, rng: random.Random) -> list[str]:
    """The records in an order in which each comes after every record its laptop held
    when it was made (so after that laptop's earlier records too): ``latest`` always
    takes the most recently made record that may come next, ``random`` any of them."""
    left = list(account.order)
    done: set[str] = set()
    out = []
    while left:
        ready = [op for op in left if account.before[op] <= done]
        op = ready[-1] if how == "latest" else rng.choice(ready)
        left.remove(op)
        done.add(op)
        out.append(op)
    return out


def replay(account: Account, ops: list[str], location: StoreLocation,
           identity: SigningIdentity, rng: random.Random) -> tuple[Dump, Conflicts]:
    """Apply the records to a fresh laptop in this order, in pages of random sizes with
    records sent again, checking after every page that it shows what the records it holds
    say. Returns what it shows at the end."""
    for n, op in enumerate(ops):
        assert account.before[op] <= set(ops[:n]), "not an order the server could give"
    session = new_laptop(location, identity)
    try:
        # What the fresh laptop makes of its own on joining (the seal it was given) goes
        # into the account too, as records it held from the start.
        account = account.copy()
        waiting = {row[0] for row in session.db.all("SELECT op_id FROM sync_outbox")}
        state.enable(session, "device-fresh")
        own = [json.loads(row[1]) for row in session.db.all(
            "SELECT op_id, payload FROM sync_outbox ORDER BY n") if row[0] not in waiting]
        for record in own:
            account.note(record, frozenset(), -1)
        own_ops = [record["id"] for record in own]
        position = 0
        while position < len(ops):
            size = rng.randint(1, 6)
            page = [account.records[op] for op in ops[position:position + size]]
            again = [account.records[op] for op in ops[:position] if rng.random() < 0.2]
            position += size
            pairs = [(None, record) for record in again + page]
            if rng.random() < 0.5:
                pairs += [(None, record) for record in page if rng.random() < 0.3]
            got = receive(session, pairs)
            assert (got.applied, got.duplicates) == (len(page), len(pairs) - len(page))
            expected = account.expected(own_ops + ops[:position])
            assert (dump(session.db), conflict_set(session.db)) == expected
        return dump(session.db), conflict_set(session.db)
    finally:
        session.lock()


ORDERS = ["as made", "as logged", "latest"] + [f"random {seed}" for seed in range(5)]


@pytest.mark.parametrize("order", ORDERS)
def test_one_history_in_any_causal_order_ends_the_same(history, order):
    account, logged, final, identity = history
    rng = random.Random(order)
    if order == "as made":
        ops = list(account.order)
    elif order == "as logged":
        ops = list(logged)
    else:
        ops = causal_order(account, order.split()[0], rng)
    with scratch("fresh") as root:
        assert replay(account, ops, StoreLocation(root / "fresh"), identity, rng) == final


# --- 3. what an action does to a row kept for a conflict with its delete -------------------

@pytest.fixture
def pair():
    patches = _Ids(3).patches()
    for patch in patches:
        patch.start()
    with scratch("pair") as root:
        team = Team(root, 2)
        try:
            team.act(0, lambda s: CaseService(s).create_case(intake()))
            team.quiesce()
            yield team, team.case_gids[0]
        finally:
            for patch in reversed(patches):
                patch.stop()
            team.close()


def test_a_case_kept_for_an_edit_goes_when_the_erasing_laptop_removes_the_edited_row(pair):
    team, case = pair
    edit(team, 1, team.local(1, case), "arrears", 0)
    team.push(1)
    team.act(0, lambda s: CaseService(s).erase_case(team.local(0, case)))
    team.push(0)
    team.pull(0)  # the other laptop's arrears cross the erase: kept, with the question
    assert [c.table for c in conflicts.list_conflicts(team.laptops[0].db)] == ["arrears"]
    edit(team, 0, team.local(0, case), "arrears", 1)  # removed, standing on both
    assert team.local(0, case) is None
    team.check_laptop(0)
    dumped, asked = team.check_converged()
    assert case not in dumped and asked == {}


@pytest.mark.parametrize(("elsewhere", "after_erase"), [
    # A row added to the kept case on the erasing laptop; an edit of it there.
    (lambda team, case_id: edit(team, 1, case_id, "note", 0),
     lambda team, case_id: add_contact(team, 0, case_id, 0)),
    (lambda team, case_id: add_contact(team, 1, case_id, 0),
     lambda team, case_id: edit(team, 0, case_id, "status", 0)),
], ids=["row added", "edit"])
def test_a_change_to_a_kept_case_on_the_erasing_laptop_crosses_the_erase_there_too(
        pair, elsewhere, after_erase):
    team, case = pair
    elsewhere(team, team.local(1, case))
    team.push(1)
    team.act(0, lambda s: CaseService(s).erase_case(team.local(0, case)))
    team.push(0)
    team.pull(0)
    after_erase(team, team.local(0, case))
    team.check_laptop(0)
    _dumped, asked = team.check_converged()
    (values,) = [v for (gid, name), v in asked.items() if gid == case and name == DELETED]
    assert len(values) == 3  # the erase, the change elsewhere, the change after it


def test_removing_and_making_again_a_row_in_question_settles_it_on_every_laptop(pair):
    team, case = pair
    edit(team, 1, team.local(1, case), "arrears", 0)
    edit(team, 1, team.local(1, case), "note", 0)
    team.push(1)
    team.act(0, lambda s: CaseService(s).erase_case(team.local(0, case)))
    team.push(0)
    team.pull(0)
    assert sorted(c.table for c in conflicts.list_conflicts(team.laptops[0].db)) == [
        "arrears", "cases"]
    edit(team, 0, team.local(0, case), "arrears", 1)  # removed, standing on both …
    edit(team, 0, team.local(0, case), "arrears", 0)  # … and made again: a restore
    team.check_laptop(0)
    _dumped, asked = team.check_converged()
    assert [name for (gid, name) in asked] == [DELETED]  # the case's question only


def test_an_outcome_ticked_and_unticked_by_the_erasing_laptop_keeps_nothing(pair):
    """Both laptops tick one outcome; one unticks it and erases the case. The other's tick
    crosses both and keeps the case with the question; the eraser's own tick is not a
    reason to keep it (it had unticked that itself)."""
    team, case = pair
    for n in (0, 1):
        team.act(n, lambda s, n=n: CaseService(s).set_outcomes(
            team.local(n, case), frozenset({Outcome.EVICTED}), BUDGET_DAY))
    team.act(0, lambda s: CaseService(s).set_outcomes(team.local(0, case), frozenset()))
    team.act(0, lambda s: CaseService(s).erase_case(team.local(0, case)))
    _dumped, asked = team.check_converged()
    made = {(team.account.laptop[op], team.account.records[op]["act"]): op
            for op in team.account.order}
    assert asked[case, DELETED] == tuple(sorted(
        [(made[0, "case.erase"], "1"), (made[1, "outcomes.set"], "0")]))
