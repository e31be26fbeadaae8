"""A store that worked alone joins a team (or starts one): every row already in it gets a
global id, and each case goes out as one change record that makes all its rows.

This is what the end of an action (``capture``) would write if the whole store were made
in one action, written in bulk: tables are read a slice of cases at a time, references
become global ids in memory, and the bookkeeping rows are written together. (Row by row
it took 13 minutes for 100,000 cases.) A store some of whose rows already have global
ids takes the general path.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from workbench.store.database import Database
from workbench.sync import capture, team_facts
from workbench.sync.rows import RECORD_VERSION, new_gid, new_op_id
from workbench.sync.tables import TABLES, Table, fields, natural_gid

SLICE = 2000  # cases read together
_OWN = ("settings", "persons", "landlords", "user_profiles")  # rows not under a case


def snapshot(db: Database, *, device: str, user: str) -> int:
    """Give every row a global id and one change record per case; returns the records."""
    capture.set_capture(db, True)
    if db.one("SELECT 1 FROM sync_rows"):
        return capture.snapshot(db, device=device, user=user)
    return _Snapshot(db, device, user).run()


class _Snapshot:
    def __init__(self, db: Database, device: str, user: str) -> None:
        self.db, self.device, self.user = db, device, user
        self.at = datetime.now(UTC).isoformat(timespec="seconds")
        self.users = dict(db.all("SELECT id, name FROM users"))
        self.gids: dict[tuple[str, int], str] = {}  # rows not under a case
        self.case_gids = {case_id: new_gid() for (case_id,) in db.all(
            "SELECT id FROM cases ORDER BY id")}
        # A resident travels in the record of their first case, as when made with it.
        self.resident_of = dict(db.all("SELECT person_id, min(id) FROM cases "
                                       "GROUP BY person_id"))
        self.residents: dict[int, list[dict]] = {}
        self.used: set[str] = set()  # natural global ids given
        self.seen: dict[tuple, int] = {}  # rows of numbered tables by natural key
        self.made = 0

    def run(self) -> int:
        own: list[tuple[str, list[dict]]] = []
        for table in TABLES:
            if table.name not in _OWN:
                continue
            for key, values in self._read(table, ""):
                gid = self._gid(table, None, values)
                self.gids[(table.name, key)] = gid
                case_id = self.resident_of.get(key) if table.name == "persons" else None
                if case_id is None:
                    own.append((gid, [self._row(table, key, gid, gid, values, {})]))
                else:
                    self.residents.setdefault(case_id, []).append(
                        self._row(table, key, gid, self.case_gids[case_id], values, {}))
        self._write(own)
        ids = sorted(self.case_gids)
        for start in range(0, len(ids), SLICE):
            self._cases(ids[start], ids[min(start + SLICE, len(ids)) - 1])
        team_facts.mark_gids(self.db, set(self.case_gids.values()))
        return self.made

    def _cases(self, first: int, last: int) -> None:
        """The cases with ids first..last, each with every row under it."""
        local: dict[tuple[str, int], str] = {}  # global ids of this slice's rows
        under: dict[tuple[str, int], str] = {}  # a budget's or plan's case
        records: dict[str, list[dict]] = {}
        for table in TABLES:
            if table.name in _OWN:
                continue
            for key, values in self._read(table, self._within(table), (first, last)):
                if table.name == "cases":
                    gid = entity = self.case_gids[key]
                    records[entity] = self.residents.pop(key, [])
                else:
                    parent = (table.refs[table.parent], values[table.parent])
                    parent_gid = local.get(parent)
                    gid = self._gid(table, parent_gid, values)
                    # A row whose parent is missing is its own entity, as in ``capture``.
                    entity = under.get(parent, parent_gid) or gid
                if table.name in ("budgets", "payment_plans"):
                    under[(table.name, key)] = entity
                local[(table.name, key)] = gid
                records.setdefault(entity, []).append(
                    self._row(table, key, gid, entity, values, local))
        self._write(list(records.items()))

    @staticmethod
    def _within(table: Table) -> str:
        """The condition that picks a table's rows under cases first..last."""
        if table.name == "cases":
            return "id BETWEEN ? AND ?"
        parent = table.refs[table.parent]
        if parent == "cases":
            return f"{table.parent} BETWEEN ? AND ?"
        return f"{table.parent} IN (SELECT id FROM {parent} WHERE case_id BETWEEN ? AND ?)"

    def _read(self, table: Table, condition: str, params: tuple = ()):
        names = fields(table)
        key = "rowid" if table.key == "rowid" else table.key
        columns = ", ".join(f"hex({c})" if c in table.blobs else c for c in names)
        where = " AND ".join(part for part in (
            condition, table.only.replace("ROW.", "")) if part)
        query = (f"SELECT {key}, {columns} FROM {table.name}"
                 f"{' WHERE ' + where if where else ''} ORDER BY {key}")
        for row in self.db.all(query, params):
            yield row[0], dict(zip(names, row[1:], strict=True))

    def _gid(self, table: Table, parent_gid: str | None, values: dict) -> str:
        if table.parent is not None and not parent_gid:
            return new_gid()
        occurrence = 1
        if table.numbered:  # rows are read in the order of their ids
            same = (table.name, values[table.parent], *(values[c] for c in table.natural))
            occurrence = self.seen[same] = self.seen.get(same, 0) + 1
        gid = natural_gid(table, parent_gid, values, occurrence)
        if gid is None or gid in self.used:
            # Another row has that key (landlords whose names differ only in case): this
            # one is a row of its own, as in ``capture``.
            return new_gid()
        self.used.add(gid)
        return gid

    def _row(self, table: Table, key: int, gid: str, entity: str, values: dict,
             local: dict) -> dict:
        travel: list[Any] = []
        for name in fields(table):
            value = values[name]
            target = table.refs.get(name)
            if target and value is not None:
                if target == "users":
                    value = self.users.get(value)
                else:
                    value = (local.get((target, value)) or self.gids.get((target, value))
                             or self._stored_gid(target, value))
            travel.append(value)
        return {"t": table.name, "g": gid, "e": entity, "c": travel, "_id": key}

    def _stored_gid(self, tbl: str, row_id: int) -> str | None:
        if tbl == "cases":
            return self.case_gids.get(row_id)
        return self.db.scalar("SELECT gid FROM sync_rows WHERE tbl = ? AND row_id = ?",
                              (tbl, row_id))

    def _write(self, records: list[tuple[str, list[dict]]]) -> None:
        bookkeeping, outbox, seen = [], [], []
        number = int(self.db.scalar(
            "SELECT value FROM sync_state WHERE key = 'records_made'") or 0)
        for entity, rows in records:
            op = new_op_id()
            number += 1
            for row in rows:
                bookkeeping.append((row["g"], row["t"], row.pop("_id"), entity, op))
            record = {"v": RECORD_VERSION, "id": op, "dev": self.device, "who": self.user,
                      "at": self.at, "act": "sync.snapshot", "n": number, "rows": rows}
            outbox.append((op, capture.CASE_CHANNEL, entity,
                           orjson.dumps(record).decode()))
            seen.append((op, self.at, self.user, self.device))
        self.db.executemany("INSERT INTO sync_rows (gid, tbl, row_id, entity, created_op) "
                            "VALUES (?, ?, ?, ?, ?)", bookkeeping)
        self.db.executemany("INSERT INTO sync_outbox (op_id, channel, entity, payload) "
                            "VALUES (?, ?, ?, ?)", outbox)
        self.db.executemany("INSERT OR IGNORE INTO sync_seen (op_id, seq, at, who, dev) "
                            "VALUES (?, NULL, ?, ?, ?)", seen)
        self.db.execute("INSERT OR REPLACE INTO sync_state (key, value) "
                        "VALUES ('records_made', ?)", (str(number),))
        self.made += len(records)
