"""A synced row's bookkeeping: its global id, the changes each field stands on, its values
in the form they travel (references as global ids, blobs as hex, advisors by name)."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

from workbench.store.database import Database
from workbench.sync.tables import BY_NAME, DELETED, Table, fields

MADE = "_made"  # in ``versions``: the makings of a row made on several laptops (never sent)
RECORD_VERSION = 1  # the layout of change records this program writes and understands


def new_op_id() -> str:
    """A change's id: milliseconds first, so the later of two edits sorts last (used only
    to show one value of a conflict until a person chooses), then 80 random bits."""
    return f"{int(time.time() * 1000):012x}{os.urandom(10).hex()}"


def new_gid() -> str:
    """A row's global id: milliseconds first too, so ids made one after another sort
    together and a laptop taking in a whole team's rows adds to the end of its indexes
    instead of all over them (a first sync of 100,000 cases depends on it)."""
    return new_op_id()


@dataclass
class RowInfo:
    gid: str
    tbl: str
    row_id: int | None
    entity: str
    created_op: str
    versions: dict[str, list[str]] = field(default_factory=dict)
    tomb: dict[str, Any] | None = None
    # The local id its bookkeeping row holds in the store (None: not stored yet, or as a
    # deleted row): while it is unchanged a save rewrites one page, not four.
    stored: tuple[int | None] | None = field(default=None, compare=False, repr=False)

    def heads(self, name: str) -> list[str]:
        return self.versions.get(name) or [self.created_op]

    def makings(self) -> list[str]:
        """Every change that made the row: one, or several when laptops made the same
        natural-key row (the budget of one day) before seeing each other's."""
        return self.versions.get(MADE) or [self.created_op]

    def all_heads(self) -> list[str]:
        found = {self.created_op}
        for ops in self.versions.values():
            found.update(ops)
        return sorted(found)

    @property
    def live(self) -> bool:
        return self.row_id is not None


def load(db: Database, gid: str) -> RowInfo | None:
    row = db.one("SELECT gid, tbl, row_id, entity, created_op, versions, tomb FROM sync_rows "
                 "WHERE gid = ?", (gid,))
    return _info(row) if row else None


def by_local(db: Database, tbl: str, row_id: int) -> RowInfo | None:
    row = db.one("SELECT gid, tbl, row_id, entity, created_op, versions, tomb FROM sync_rows "
                 "WHERE tbl = ? AND row_id = ?", (tbl, row_id))
    return _info(row) if row else None


def _info(row) -> RowInfo:
    return RowInfo(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]),
                   json.loads(row[6]) if row[6] else None, stored=(row[2],))


def save(db: Database, info: RowInfo) -> None:
    versions = json.dumps(info.versions, separators=(",", ":"), sort_keys=True)
    tomb = (json.dumps(info.tomb, separators=(",", ":"), sort_keys=True)
            if info.tomb is not None else None)
    if info.stored == (info.row_id,):
        # Same row, same local id: an update in place leaves both indexes alone (a
        # replace deletes and inserts the row and rewrites an entry in each).
        db.execute("UPDATE sync_rows SET entity = ?, created_op = ?, versions = ?, tomb = ? "
                   "WHERE gid = ?", (info.entity, info.created_op, versions, tomb, info.gid))
    else:
        # A new row or a new local id; a replace also clears a stale claim on that id.
        db.execute(
            "INSERT OR REPLACE INTO sync_rows (gid, tbl, row_id, entity, created_op, versions,"
            " tomb) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (info.gid, info.tbl, info.row_id, info.entity, info.created_op, versions, tomb))
    info.stored = (info.row_id,)


# --- values as they travel ----------------------------------------------------------------

def local_values(db: Database, table: Table, row_id: int) -> dict[str, Any] | None:
    """The row as stored now, in the shape the triggers record (blobs as hex)."""
    columns = ", ".join(f"hex({c})" if c in table.blobs else c for c in table.columns)
    key = "rowid" if table.key == "rowid" else table.key
    row = db.one(f"SELECT {columns} FROM {table.name} WHERE {key} = ?", (row_id,))
    return None if row is None else dict(zip(table.columns, row, strict=True))


def to_travel(db: Database, table: Table, values: dict[str, Any],
              gids: dict[tuple[str, int], str]) -> dict[str, Any]:
    """Only the fields that travel; references as global ids, advisors as user names."""
    out: dict[str, Any] = {}
    for name in fields(table):
        value = values.get(name)
        target = table.refs.get(name)
        if target and value is not None:
            if target == "users":
                value = db.scalar("SELECT name FROM users WHERE id = ?", (value,))
            else:
                value = gids.get((target, value)) or _gid_of(db, target, value)
        out[name] = value
    return out


def _gid_of(db: Database, tbl: str, row_id: int) -> str | None:
    return db.scalar("SELECT gid FROM sync_rows WHERE tbl = ? AND row_id = ?", (tbl, row_id))


def to_local(db: Database, table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """Travelling values as columns of this store: global ids back to local ids."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == DELETED or name not in table.columns:
            continue
        target = table.refs.get(name)
        if target and value is not None:
            if target == "users":
                # An advisor who has no account on this laptop is shown as nobody here;
                # the record keeps the name, so it is not lost.
                value = db.scalar("SELECT id FROM users WHERE name = ?", (value,))
            else:
                value = db.scalar("SELECT row_id FROM sync_rows WHERE gid = ? AND tbl = ?",
                                  (value, target))
        elif name in table.blobs and value is not None:
            value = bytes.fromhex(value)
        out[name] = value
    return out


def table(name: str) -> Table:
    return BY_NAME[name]


# --- rows as they travel --------------------------------------------------------------------
#
# A row a record makes travels compactly, ``{"t", "g", "e", "c": [values in fields()
# order]}``: nothing was there before it, so no field stands on anything. (A first sync of
# a whole team is almost only such rows; the short form halves what is decoded and
# checked.) A change of an existing row travels as ``"w": {field: [value, base]}``.

def made(row: dict) -> bool:
    """Whether the row travels as made by its record."""
    return "c" in row


def writes(row: dict) -> dict[str, list]:
    """``{field: [value, base]}`` of any travelling row."""
    if "c" in row:
        return {name: [value, []] for name, value in zip(fields(BY_NAME[row["t"]]), row["c"],
                                                         strict=True)}
    return row["w"]
