"""Applying change records from other laptops: merge by field, keep every concurrent value.

Each field write names the changes it stood on (its base). A field's *heads* are the writes
no later write stood on. A write whose base covers every head replaces them; otherwise the
field has several heads: if their values differ, that is a conflict, kept with every value
until a person chooses (the choice is a write standing on all of them). Different fields
of one row merge without a question. Records reach a laptop in the server's order, which
is an order every laptop's own writes respect, so the heads — and everything derived from
them — end the same on every laptop whatever order the laptops synced in.

A delete is a write of the pseudo field ``_deleted``. It removes the row only when it had
seen every head of the row and no live row still points at it; a delete crossing an edit,
or a row deleted while another laptop added to it, keeps the row and shows the conflict
("restore or delete"). The value shown while a field is in conflict is the latest write's
(op ids begin with the time), the same on every laptop.
"""

from __future__ import annotations

import json
from typing import Any

from workbench.store.database import Database
from workbench.sync import rows as rowinfo
from workbench.sync.rows import MADE, RECORD_VERSION, RowInfo
from workbench.sync.tables import (
    BY_NAME,
    DELETED,
    ORDER,
    SHARED_SETTINGS,
    TABLES,
    fields,
    natural_gid,
)

QUIET_INSERTS = 200  # rows of one table in one flush from which the capture trigger rests


class RecordProblem(Exception):
    """A record this program cannot apply (it says why)."""


# Which (table, column) pairs point at rows of each table.
_REFERRERS: dict[str, list[tuple[str, str]]] = {}
for _table in TABLES:
    for _column, _target in _table.refs.items():
        if _target != "users":
            _REFERRERS.setdefault(_target, []).append((_table.name, _column))


_KNOWN_FIELDS = {table.name: frozenset({*fields(table), DELETED}) for table in TABLES}
# The only settings rows that travel: the organisation's seal (see tables.SHARED_SETTINGS).
SHARED_SETTING_GIDS = {natural_gid(BY_NAME["settings"], None, {"key": key}): key
                       for key in SHARED_SETTINGS}


_SCALARS = (str, int, float, bool)


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True


def _check_shape(record: dict) -> None:
    """Only tables and fields this program knows (a newer program's record is kept
    aside, never half applied, and no name in a record reaches SQL unchecked)."""
    try:
        if type(record["id"]) is not str or type(record["rows"]) is not list:
            raise RecordProblem("shape")
        for row in record["rows"]:
            known = _KNOWN_FIELDS.get(row["t"])
            if known is None or type(row["g"]) is not str or type(row["e"]) is not str:
                raise RecordProblem("field")
            if "c" in row:
                _check_made(row)
                continue
            writes = row["w"]
            if not known.issuperset(writes):
                raise RecordProblem("field")
            blobs = BY_NAME[row["t"]].blobs
            for name, write in writes.items():
                if type(write) is not list or len(write) != 2 or type(write[1]) is not list \
                        or not all(type(h) is str for h in write[1]):
                    raise RecordProblem("write")
                value = write[0]
                if value is not None and type(value) not in _SCALARS:
                    raise RecordProblem("value")
                if name in blobs and value is not None and (
                        type(value) is not str or not _is_hex(value)):
                    raise RecordProblem("value")
            if row["t"] == "settings" and (
                    row["g"] not in SHARED_SETTING_GIDS or writes.get("key", [
                        SHARED_SETTING_GIDS.get(row["g"])])[0] != SHARED_SETTING_GIDS[row["g"]]):
                raise RecordProblem("setting")
    except (KeyError, TypeError, AttributeError) as error:
        raise RecordProblem("shape") from error


def _check_made(row: dict) -> None:
    """A row made by its record: one value for every field, in fields() order."""
    layout = LAYOUTS[row["t"]]
    values = row["c"]
    if "w" in row or type(values) is not list or len(values) != len(layout.names):
        raise RecordProblem("field")
    for value in values:
        if value is not None and type(value) not in _SCALARS:
            raise RecordProblem("value")
    for index in layout.blobs:
        value = values[index]
        if value is not None and (type(value) is not str or not _is_hex(value)):
            raise RecordProblem("value")
    if row["t"] == "settings" and (row["g"] not in SHARED_SETTING_GIDS or values[
            layout.names.index("key")] != SHARED_SETTING_GIDS[row["g"]]):
        raise RecordProblem("setting")


class _Layout:
    """Where a table's references and blobs sit among its travelling fields."""

    def __init__(self, table) -> None:
        self.names = fields(table)
        self.rows = [index for index, name in enumerate(self.names)
                     if table.refs.get(name) not in (None, "users")]
        self.targets = [table.refs[self.names[index]] for index in self.rows]
        self.users = [index for index, name in enumerate(self.names)
                      if table.refs.get(name) == "users"]
        self.blobs = [index for index, name in enumerate(self.names) if name in table.blobs]
        self.key = self.names.index(table.key) if table.key in self.names else None
        # The columns a queued row is written to (its local id last where it has its own).
        self.columns = self.names if self.key is not None else (*self.names, "rowid")


LAYOUTS = {table.name: _Layout(table) for table in TABLES}


class Merger:
    """Applies records to one store inside the caller's transaction."""

    def __init__(self, db: Database, batch: bool = False) -> None:
        self.db = db
        # In a batch (a page of a sync) new rows are gathered and written together by
        # ``flush``; the caller flushes before reading what was applied.
        self.batch = batch
        self.touched: set[str] = set()  # gids whose rows changed here
        self.touched_entities: set[str] = set()
        self._rows_out: dict[str, list[list]] = {}  # rows to write, by table
        self._sync_out: list[tuple] = []
        self._next: dict[str, int] = {}
        self._pending: list[str] = []  # gids whose existence must be decided again
        self.erased_cases: set[int] = set()  # local ids of cases deleted here
        self.erased_gids: set[str] = set()
        self._ids: dict[str, int] = {}  # global id -> local id of rows known live
        self._id_tables: dict[str, str] = {}  # and their tables
        self._pending_deletes: dict[str, bool] = {}
        self._seen_out: list[tuple] = []  # changes applied, for sync_seen
        self._seen_ops: set[str] = set()
        self._counters: dict[str, int] = {}  # each laptop's last record, for sync_counters
        self._users: dict[str, int | None] = {}
        # What the store held before this page, read once for the whole page (see
        # ``prefetch``); None: ask the store record by record.
        self._known_seen: set[str] | None = None
        self._known_tables: dict[str, str] | None = None

    # --- records ------------------------------------------------------------------------

    def apply(self, record: dict, seq: int | None = None, local: bool = False) -> bool:
        """Apply one record; False when it was already here (a retry or our own).
        ``local``: made on this laptop (a conflict settled here), not received."""
        version = record.get("v") if isinstance(record, dict) else None
        if type(version) is not int:
            raise RecordProblem("shape")
        if version > RECORD_VERSION:
            raise RecordProblem("newer")
        _check_shape(record)
        op = record["id"]
        if op in self._seen_ops:
            return False  # twice in one page
        if (op in self._known_seen if self._known_seen is not None else
                self.db.one("SELECT 1 FROM sync_seen WHERE op_id = ?", (op,))):
            if seq is not None:
                self.db.execute("UPDATE sync_seen SET seq = ? WHERE op_id = ? AND seq IS NULL",
                                (seq, op))
            return False
        known = {h for row in record["rows"] if "w" in row
                 for _value, base in row["w"].values() for h in base}
        self._check_order(record, known, local)
        existing = self._check_tables(record["rows"])
        self._seen_out.append((op, seq, record.get("at", ""), record.get("who", ""),
                               record.get("dev", "")))
        self._seen_ops.add(op)
        # What the writing laptop knew when it deleted: every change any write of the
        # record stood on (an erased case's record names every row of the case).
        self._known = known
        if type(record.get("n")) is int and not local:
            self._counters[record["dev"]] = record["n"]
        rows = sorted(record["rows"], key=lambda r: ORDER[r["t"]])
        self.touched_entities.update(row["e"] for row in rows)
        if existing or not self._create_all(op, rows):
            self.flush()  # the general path reads and writes rows one by one
            self._known_seen = self._known_tables = None  # and may change what was read
            for row in rows:
                self._apply_row(op, row)
            self.settle()
            self._next.clear()
            self._pending_deletes.clear()
        if not self.batch:
            self.flush()
        return True

    def _check_order(self, record: dict, known: set[str], local: bool) -> None:
        """Everything the record stands on must be here first: the changes its writes were
        based on, the rows it points at, and the same laptop's record before it (records
        carry a per-laptop count, so a record the server withheld or moved is noticed).
        Otherwise it waits ("early") for the missing one."""
        number = record.get("n")
        if not local and type(number) is int and type(record.get("dev")) is str:
            last = self._counters.get(record["dev"])
            if last is None:
                last = self.db.scalar("SELECT n FROM sync_counters WHERE device = ?",
                                      (record["dev"],))
            if number > (last or 0) + 1:
                raise RecordProblem("early")
        made = {row["g"] for row in record["rows"]}
        pointed = set()
        for row in record["rows"]:
            if "c" in row:
                values = row["c"]
                pointed.update(values[index] for index in LAYOUTS[row["t"]].rows)
            else:
                refs = BY_NAME[row["t"]].refs
                pointed.update(value for name, (value, _base) in row["w"].items()
                               if refs.get(name) not in (None, "users"))
        # Rows made by records of this page are not written yet, but known.
        ids = self._ids
        pointed = {value for value in pointed
                   if type(value) is str and value not in made and value not in ids}
        known = known - self._seen_ops  # changes of this page, not written yet
        for ids, table, column in ((known, "sync_seen", "op_id"), (pointed, "sync_rows", "gid")):
            ordered = sorted(ids)
            for start in range(0, len(ordered), 500):
                chunk = ordered[start:start + 500]
                found = self.db.all(f"SELECT {column} FROM {table} WHERE {column} IN "
                                    f"({', '.join('?' for _ in chunk)})", chunk)
                if len(found) != len(chunk):
                    raise RecordProblem("early")

    def _check_tables(self, rows: list[dict]) -> bool:
        """A row the record names must be of the table the record says: else a record
        labelled as a resident's could delete the organisation's seal. Returns whether
        any of the rows already exists (known here, or made earlier in this page)."""
        said = {row["g"]: row["t"] for row in rows}
        existing = False
        for gid in said:
            if gid in self._ids:
                existing = True
                if self._id_tables.get(gid, said[gid]) != said[gid]:
                    raise RecordProblem("field")
        found = (self._tables_of(said) if self._known_tables is None else
                 ((gid, self._known_tables[gid]) for gid in said if gid in self._known_tables))
        for gid, tbl in found:
            existing = True
            if tbl != said[gid]:
                raise RecordProblem("field")
        return existing

    def prefetch(self, records: list) -> None:
        """Read at once, for a whole page, what the store already holds of its records:
        which of them it has seen and the table of each row they name (two queries per
        record otherwise; a fifth of a first sync's checks). Valid until a record takes
        the general path, which writes rows one by one."""
        ops: set[str] = set()
        gids: set[str] = set()
        for record in records:
            if not isinstance(record, dict):
                continue  # refused when it is applied
            if type(record.get("id")) is str:
                ops.add(record["id"])
            for row in record.get("rows") if isinstance(record.get("rows"), list) else ():
                if isinstance(row, dict) and type(row.get("g")) is str:
                    gids.add(row["g"])
        ordered = sorted(ops)
        self._known_seen = {row[0] for start in range(0, len(ordered), 500) for row in self.db.all(
            "SELECT op_id FROM sync_seen WHERE op_id IN "
            f"({', '.join('?' for _ in ordered[start:start + 500])})", ordered[start:start + 500])}
        self._known_tables = dict(self._tables_of(gids))

    def _tables_of(self, gids) -> list[tuple[str, str]]:
        ordered = sorted(gids)
        found = []
        for start in range(0, len(ordered), 500):
            chunk = ordered[start:start + 500]
            found += self.db.all(f"SELECT gid, tbl FROM sync_rows WHERE gid IN "
                                 f"({', '.join('?' for _ in chunk)})", chunk)
        return found

    # --- new rows in bulk -----------------------------------------------------------------

    def _create_all(self, op: str, rows: list[dict]) -> bool:
        """A record that only makes new rows whose references are known (most of a first
        sync): queued for ``flush``. False when it needs the general path."""
        if not all("c" in row and row["t"] != "settings" for row in rows):
            return False
        made: dict[str, int] = {}
        made_in: dict[str, str] = {}
        queued = []
        next_ids = self._next
        for row in rows:
            tbl = row["t"]
            layout = LAYOUTS[tbl]
            values = list(row["c"])
            for index, target in zip(layout.rows, layout.targets, strict=True):
                value = values[index]
                if value is not None:
                    if value in made:
                        if made_in[value] != target:
                            return False
                        values[index] = made[value]
                        continue
                    if self._delete_pending(value):
                        return False  # a new row crosses that delete: decided again
                    value = self._row_id(value, target)
                    if value is None:
                        return False
                    values[index] = value
            for index in layout.users:
                if values[index] is not None:
                    values[index] = self._user_id(values[index])
            for index in layout.blobs:
                if values[index] is not None:
                    values[index] = bytes.fromhex(values[index])
            if layout.key is not None:
                row_id = values[layout.key]
                if row_id is None:
                    return False
            else:
                row_id = next_ids.get(tbl) or self._new_id(tbl)
                next_ids[tbl] = row_id + 1
                values.append(row_id)
            gid = row["g"]
            made[gid] = row_id
            made_in[gid] = tbl
            queued.append((tbl, gid, row["e"], row_id, values))
        rows_out, sync_out, ids, id_tables = (self._rows_out, self._sync_out, self._ids,
                                              self._id_tables)
        for tbl, gid, entity, row_id, values in queued:
            rows_out.setdefault(tbl, []).append(values)
            sync_out.append((gid, tbl, row_id, entity, op))
            ids[gid] = row_id
            id_tables[gid] = tbl
        self.touched.update(made)
        return True

    def _new_id(self, tbl: str) -> int:
        """The first local id for queued rows of a table: one past the largest (the
        counters are dropped whenever rows are written any other way, after the queue was
        flushed)."""
        return (self.db.scalar(f"SELECT max(rowid) FROM {tbl}") or 0) + 1

    def _delete_pending(self, gid: str) -> bool:
        """Whether a delete of the row is still a head (it is gone, or kept only for a
        conflict with that delete). Remembered until the general path runs (the only one
        that changes deletes)."""
        pending = self._pending_deletes.get(gid)
        if pending is None:
            pending = self._pending_deletes[gid] = self.db.one(
                "SELECT 1 FROM sync_deletes WHERE gid = ?", (gid,)) is not None
        return pending

    def _row_id(self, gid: str, tbl: str) -> int | None:
        """The local id of a live row of table ``tbl`` (None: no such row here)."""
        row_id = self._ids.get(gid)
        if row_id is not None:
            return row_id if self._id_tables.get(gid) == tbl else None
        row_id = self.db.scalar("SELECT row_id FROM sync_rows WHERE gid = ? AND tbl = ?",
                                (gid, tbl))
        if row_id is not None:
            self._ids[gid] = row_id
            self._id_tables[gid] = tbl
        return row_id

    def _user_id(self, name: str) -> int | None:
        if name not in self._users:
            self._users[name] = self.db.scalar("SELECT id FROM users WHERE name = ?", (name,))
        return self._users[name]

    def flush(self) -> None:
        """Write what was queued: the changes seen, each laptop's count, and the new rows,
        parents' tables first."""
        if self._seen_out:
            self.db.executemany("INSERT INTO sync_seen (op_id, seq, at, who, dev) "
                                "VALUES (?, ?, ?, ?, ?)", self._seen_out)
            self._seen_out = []
            self._seen_ops.clear()
        if self._counters:
            self.db.executemany("INSERT OR REPLACE INTO sync_counters (device, n) "
                                "VALUES (?, ?)", sorted(self._counters.items()))
            self._counters.clear()
        if not self._rows_out:
            return
        for tbl, items in sorted(self._rows_out.items(), key=lambda kv: ORDER[kv[0]]):
            names = LAYOUTS[tbl].columns
            insert = (f"INSERT INTO {tbl} ({', '.join(names)}) "
                      f"VALUES ({', '.join('?' for _ in names)})")
            if len(items) < QUIET_INSERTS:
                self.db.executemany(insert, items)
                continue
            # Rows arriving are not captured, yet the capture trigger still asks on every
            # row whether to note it (40 % of the insert's time). For many rows it is taken
            # away and put back as it was, in the same transaction.
            trigger = self.db.scalar("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                     "AND name = ?", (f"sync_{tbl}_i",))
            if trigger is not None:
                self.db.execute(f"DROP TRIGGER sync_{tbl}_i")
            try:
                self.db.executemany(insert, items)
            finally:
                if trigger is not None:
                    self.db.execute(trigger)
        self.db.executemany("INSERT INTO sync_rows (gid, tbl, row_id, entity, created_op) "
                            "VALUES (?, ?, ?, ?, ?)", self._sync_out)
        self._rows_out.clear()
        self._sync_out = []

    def decide_again(self, gids: set[str]) -> None:
        """Decide the existence of these rows again (a local action changed what points
        at them), as the merge of that action's records does on every other laptop."""
        self._pending.extend(sorted(gids))
        self.settle()

    def settle(self) -> None:
        """Decide the existence of every row a delete or restore touched, children first
        (a parent stays while a child that stays points at it)."""
        while self._pending:
            pending = sorted(set(self._pending),
                             key=lambda gid: -ORDER.get(self._tbl(gid), 0))
            self._pending = []
            for gid in pending:
                info = rowinfo.load(self.db, gid)
                if info is not None:
                    self._decide(info)

    def _tbl(self, gid: str) -> str:
        return self.db.scalar("SELECT tbl FROM sync_rows WHERE gid = ?", (gid,)) or ""

    def _apply_row(self, op: str, row: dict) -> None:
        table = BY_NAME[row["t"]]
        gid = row["g"]
        info = rowinfo.load(self.db, gid)
        writes = rowinfo.writes(row)
        if info is None:
            # A new row (or, if its making was missed, the fields known so far).
            info = RowInfo(gid, table.name, None, row["e"], op)
            values = {name: value for name, (value, _base) in writes.items()
                      if name != DELETED}
            info.tomb = {name: values.get(name) for name in fields(table)}
            for name in values:
                info.versions.pop(name, None)
            rowinfo.save(self.db, info)
            if writes.get(DELETED, [0])[0] == 1:
                self._delete_write(info, op, writes[DELETED][1])
                rowinfo.save(self.db, info)
            self._pending.append(gid)
            self.touched.add(gid)
            return
        if rowinfo.made(row) and op not in info.makings():
            # Made here too before that laptop saw it: a row made meanwhile by whichever
            # laptop, the same on every laptop whichever making arrived first.
            info.versions[MADE] = sorted({*info.makings(), op})
        for name, (value, base) in writes.items():
            if name == DELETED:
                self._delete_write(info, op, base) if value == 1 else self._restore_write(
                    info, op, base)
            else:
                self._field_write(table, info, name, value, base, op)
        if info.row_id is None or DELETED in info.versions:
            self._pending.append(gid)  # an edit may cross a delete
        rowinfo.save(self.db, info)
        self.touched.add(gid)

    # --- fields -------------------------------------------------------------------------

    def _field_write(self, table, info: RowInfo, name: str, value: Any, base: list[str],
                     op: str) -> None:
        heads = info.heads(name)
        if op in heads:
            return
        survivors = [h for h in heads if h not in base]
        if not survivors:
            info.versions[name] = [op]
            self.db.execute("DELETE FROM sync_conflicts WHERE gid = ? AND field = ?",
                            (info.gid, name))
            self._set(table, info, name, value)
            return
        known = {row[0]: json.loads(row[1]) for row in self.db.all(
            "SELECT op, value FROM sync_conflicts WHERE gid = ? AND field = ?",
            (info.gid, name))}
        current = self._value(table, info, name)
        values = {h: known.get(h, current) for h in survivors}
        values[op] = value
        info.versions[name] = sorted(values)
        self.db.execute("DELETE FROM sync_conflicts WHERE gid = ? AND field = ?",
                        (info.gid, name))
        if len({json.dumps(v, sort_keys=True) for v in values.values()}) > 1:
            self._note_conflict(info, name, values)
        self._set(table, info, name, values[max(values)])

    def _note_conflict(self, info: RowInfo, name: str, values: dict[str, Any]) -> None:
        for head, value in values.items():
            at, who = self.db.one("SELECT at, who FROM sync_seen WHERE op_id = ?",
                                  (head,)) or ("", "")
            self.db.execute(
                "INSERT OR REPLACE INTO sync_conflicts (gid, field, op, value, at, who, entity)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (info.gid, name, head, json.dumps(value), at, who, info.entity))

    def _value(self, table, info: RowInfo, name: str) -> Any:
        if info.row_id is None:
            return (info.tomb or {}).get(name)
        values = rowinfo.local_values(self.db, table, info.row_id) or {}
        return rowinfo.to_travel(self.db, table, values, {}).get(name)

    def _set(self, table, info: RowInfo, name: str, value: Any) -> None:
        if info.row_id is None:
            info.tomb = {**(info.tomb or {}), name: value}
            return
        local = rowinfo.to_local(self.db, table, {name: value})
        if name in local:
            key = "rowid" if table.key == "rowid" else table.key
            if table.refs.get(name) not in (None, "users") and value is not None:
                self._ensure_live(value, info.created_op)
                local = rowinfo.to_local(self.db, table, {name: value})
            self.db.execute(f"UPDATE {table.name} SET {name} = ? WHERE {key} = ?",
                            (local[name], info.row_id))

    # --- existence ----------------------------------------------------------------------

    def _delete_write(self, info: RowInfo, op: str, base: list[str]) -> None:
        heads = info.heads(DELETED)
        if op in heads:
            return
        info.versions[DELETED] = sorted([h for h in heads if h not in base] + [op])
        known = sorted(set(base) | getattr(self, "_known", set()))
        self.db.execute("INSERT OR REPLACE INTO sync_deletes (gid, op, base) VALUES (?, ?, ?)",
                        (info.gid, op, json.dumps(known)))
        self._pending.append(info.gid)

    def _restore_write(self, info: RowInfo, op: str, base: list[str]) -> None:
        heads = info.heads(DELETED)
        if op in heads:
            return
        info.versions[DELETED] = sorted([h for h in heads if h not in base] + [op])
        self._pending.append(info.gid)

    def _decide(self, info: RowInfo) -> None:
        """Whether the row exists, from its heads and the live rows pointing at it."""
        table = BY_NAME[info.tbl]
        heads = info.heads(DELETED)
        deletes = {row[0]: json.loads(row[1]) for row in self.db.all(
            "SELECT op, base FROM sync_deletes WHERE gid = ?", (info.gid,))}
        live_deletes = {op: base for op, base in deletes.items() if op in heads}
        for op in set(deletes) - set(live_deletes):
            self.db.execute("DELETE FROM sync_deletes WHERE gid = ? AND op = ?",
                            (info.gid, op))
        self.db.execute("DELETE FROM sync_conflicts WHERE gid = ? AND field = ?",
                        (info.gid, DELETED))
        if not live_deletes:
            self._make_live(table, info)
            return
        seen: set[str] = set().union(*live_deletes.values())
        crossing = {h for name, ops in info.versions.items() if name != DELETED
                    for h in ops if h not in seen}
        crossing |= {h for h in heads if h not in live_deletes}
        referrers = self._referrers(info)
        # A row made meanwhile that points here (a contact added to an erased case, a
        # second case for a deleted resident) crosses the delete; one the deleting laptop
        # knew of, kept for a conflict of its own, just keeps this row with it.
        crossing |= {op for makings in referrers for op in makings if op not in seen}
        if not crossing and not referrers:
            self._make_deleted(table, info)
            return
        self._make_live(table, info)
        if crossing:
            values = {op: 1 for op in live_deletes} | {op: 0 for op in crossing}
            self._note_conflict(info, DELETED, values)

    def _referrers(self, info: RowInfo) -> list[list[str]]:
        """Each live row that points at this one, by the changes that made it and still
        stand: a making that a pending delete of that row had seen (a box ticked and
        unticked on one laptop while another ticked it too) keeps nothing."""
        if info.row_id is None:
            return []
        found = []
        for child, column in _REFERRERS.get(info.tbl, []):
            for created, versions, gid in self.db.all(
                    f"SELECT s.created_op, s.versions, s.gid FROM {child} c JOIN sync_rows s "
                    f"ON s.tbl = ? AND s.row_id = c.rowid WHERE c.{column} = ?",
                    (child, info.row_id)):
                withdrawn = {h for (base,) in self.db.all(
                    "SELECT base FROM sync_deletes WHERE gid = ?", (gid,))
                    for h in json.loads(base)}
                found.append([op for op in json.loads(versions).get(MADE) or [created]
                              if op not in withdrawn])
        return found

    def _ensure_live(self, gid: str, reason: str) -> None:
        """A row now points at ``gid``: that row must exist. If it is kept only because of
        a conflict with a delete, the new row may cross that delete too, so its existence
        is decided again (else the conflict would list it or not by the order of arrival)."""
        info = rowinfo.load(self.db, gid)
        if info is None:
            return
        if info.row_id is None:
            self._make_live(BY_NAME[info.tbl], info)
            self._pending.append(gid)
        elif self.db.one("SELECT 1 FROM sync_deletes WHERE gid = ?", (gid,)):
            self._pending.append(gid)

    def _make_live(self, table, info: RowInfo) -> None:
        if info.row_id is not None:
            return
        values = dict(info.tomb or {})
        for column, target in table.refs.items():
            if target != "users" and values.get(column):
                self._ensure_live(values[column], info.created_op)
        local = rowinfo.to_local(self.db, table, values)
        if table.key in table.columns and table.key != "id" and local.get(table.key) is None:
            return  # a tenancy of no case here cannot exist: it stays a tomb
        names = list(local)
        # The seal's settings rows replace what a laptop may hold from before it joined.
        verb = "INSERT OR REPLACE" if table.name == "settings" else "INSERT"
        cursor = self.db.execute(
            f"{verb} INTO {table.name} ({', '.join(names)}) "
            f"VALUES ({', '.join('?' for _ in names)})", [local[n] for n in names])
        info.row_id = cursor.lastrowid if table.key != "case_id" else local["case_id"]
        info.tomb = None
        rowinfo.save(self.db, info)
        self.touched.add(info.gid)

    def _make_deleted(self, table, info: RowInfo) -> None:
        if info.row_id is None:
            return
        current = rowinfo.local_values(self.db, table, info.row_id) or {}
        info.tomb = rowinfo.to_travel(self.db, table, current, {})
        key = "rowid" if table.key == "rowid" else table.key
        self.db.execute(f"DELETE FROM {table.name} WHERE {key} = ?", (info.row_id,))
        if table.name == "cases":
            self.erased_cases.add(info.row_id)
            self.erased_gids.add(info.gid)
        self._ids.pop(info.gid, None)
        self._id_tables.pop(info.gid, None)
        info.row_id = None
        rowinfo.save(self.db, info)
        self.touched.add(info.gid)
        # A parent kept only because this row pointed at it is decided again.
        for column, target in table.refs.items():
            parent = info.tomb.get(column) if target != "users" else None
            if parent and self.db.one("SELECT 1 FROM sync_deletes WHERE gid = ?", (parent,)):
                self._pending.append(parent)
