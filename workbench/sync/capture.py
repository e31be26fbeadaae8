"""The end of every action on a syncing store: the rows it changed become one change record
per case (or landlord, person, profile) in the outbox, in the same transaction as the
change and its audit row.

The triggers of migration 0006 note each changed row with its values before the change.
Here those notes are grouped by global id (a row deleted and inserted again under the same
natural key is one row), compared with the row as it is now, and turned into field writes.
Each write names the changes the field stood on (its *base*), which is what lets every
other laptop tell a later edit from a concurrent one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from workbench.store.database import Database
from workbench.sync import rows as rowinfo
from workbench.sync import seen
from workbench.sync.rows import RECORD_VERSION, RowInfo, new_gid, new_op_id
from workbench.sync.tables import (
    BY_NAME,
    DELETED,
    ORDER,
    TABLES,
    Table,
    natural_gid,
    occurrence_sql,
)

CASE_CHANNEL = "case"


def enabled(db: Database) -> bool:
    return db.scalar("SELECT value FROM sync_state WHERE key = 'capture'") == "1"


def device_id(db: Database) -> str | None:
    """This store's device id when it takes part in team sync and capture is on."""
    rows = dict(db.all("SELECT key, value FROM sync_state WHERE key IN ('capture', "
                       "'device_id')"))
    return rows.get("device_id") if rows.get("capture") == "1" else None


def set_capture(db: Database, on: bool) -> None:
    db.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES ('capture', ?)",
               ("1" if on else "0",))


@dataclass
class _Life:
    """One row's life within the action: its values before (None: made here) and its local
    id now (None: deleted here)."""

    tbl: str
    row_id: int
    before: dict[str, Any] | None
    info: RowInfo | None
    ended: bool = False
    gid: str | None = None


def capture(db: Database, *, device: str, user: str, action: str) -> list[str]:
    """Turn the action's noted rows into change records; returns their op ids."""
    notes = db.all("SELECT tbl, row_id, op, old FROM sync_dirty ORDER BY n")
    if not notes:
        return []
    db.execute("DELETE FROM sync_dirty")
    lives = _lives(db, notes)
    gids: dict[tuple[str, int], str] = {}  # local ids now
    old_gids: dict[tuple[str, int], str] = {}  # local ids before the action
    entities: dict[str, str] = {}
    owners: dict[str, tuple[str, int]] = {}  # live rows by the global id given here
    for life in sorted(lives, key=lambda item: ORDER[item.tbl]):
        _name(db, life, gids, entities, owners)
        if life.gid is not None and life.before is not None:
            old_gids[(life.tbl, life.row_id)] = life.gid
    _new_residents_join_their_case(db, lives, gids, entities)
    at = datetime.now(UTC).isoformat(timespec="seconds")
    by_entity: dict[str, list[dict]] = {}
    ops: dict[str, str] = {}
    grouped: dict[str, list[_Life]] = {}
    for life in lives:
        if life.gid is not None:
            grouped.setdefault(life.gid, []).append(life)
    for gid, group in sorted(grouped.items(), key=lambda kv: ORDER[kv[1][0].tbl]):
        table = BY_NAME[group[0].tbl]
        entity = entities[gid]
        op_id = ops.setdefault(entity, new_op_id())
        write = _write(db, table, gid, entity, group, op_id, gids, old_gids, (at, user))
        if write is not None:
            by_entity.setdefault(entity, []).append(write)
    for writes in by_entity.values():
        # As every other laptop will record it: what the whole record knew (see merge).
        known = sorted({h for write in writes if "w" in write
                        for _v, base in write["w"].values() for h in base})
        for write in writes:
            if write.get("w", {}).get(DELETED, [0])[0] == 1:
                _record_delete(db, write["g"], ops[write["e"]], known)
    _mark_facts(db, by_entity)
    made = []
    # A record goes out after the records of rows it points at (a landlord made in the
    # same action as the case that rents from it): ordered by the table of each record's
    # own row, as rows are within a record.
    for entity, writes in sorted(by_entity.items(), key=lambda kv: _rank(*kv)):
        op_id = ops[entity]
        record = {"v": RECORD_VERSION, "id": op_id, "dev": device, "who": user, "at": at,
                  "act": action, "n": next_number(db), "rows": writes}
        db.execute("INSERT INTO sync_outbox (op_id, channel, entity, payload) "
                   "VALUES (?, ?, ?, ?)", (op_id, CASE_CHANNEL, entity,
                                           orjson.dumps(record).decode()))
        db.execute("INSERT OR IGNORE INTO sync_seen (op_id, seq, at, who, dev) "
                   "VALUES (?, NULL, ?, ?, ?)", (op_id, at, user, device))
        made.append(op_id)
    _decide_again(db, _held(db, grouped, gids, old_gids))
    return made


def _held(db: Database, grouped: dict[str, list[_Life]], gids: dict,
          old_gids: dict) -> set[str]:
    """Rows whose delete is still pending (kept for a conflict or for a row pointing at
    them) that this action changed (an edit crosses the delete), or that a row it made,
    changed or deleted points at, or pointed at."""
    found: set[str] = set()
    for gid, group in grouped.items():
        info = rowinfo.load(db, gid)
        if info is None:
            continue
        if db.one("SELECT 1 FROM sync_deletes WHERE gid = ?", (gid,)):
            found.add(gid)
        table = BY_NAME[info.tbl]
        seen = [info.tomb or {}]
        if info.row_id is not None:
            seen.append(rowinfo.to_travel(
                db, table, rowinfo.local_values(db, table, info.row_id) or {}, gids))
        if group[0].before is not None:
            seen.append(rowinfo.to_travel(db, table, group[0].before, {**gids, **old_gids}))
        for values in seen:
            for column, target in table.refs.items():
                parent = values.get(column) if target != "users" else None
                if parent and db.one("SELECT 1 FROM sync_deletes WHERE gid = ?", (parent,)):
                    found.add(parent)
    return found


def _decide_again(db: Database, held: set[str]) -> None:
    """Decide again, as every other laptop will when this action's records reach it,
    whether the rows ``held`` exist: a case kept only because a row still pointed at it
    goes when that row goes here, and an edit of a case kept for a conflict with its
    delete, or a row added to it, crosses that delete here too."""
    if not held:
        return
    from workbench.cases import queries
    from workbench.sync import team_facts
    from workbench.sync.merge import Merger
    set_capture(db, False)
    merger = Merger(db)
    merger.decide_again(held)
    db.execute("DELETE FROM sync_dirty")
    set_capture(db, True)
    for case_id in sorted(merger.erased_cases):
        queries.reindex(db, case_id)
    team_facts.mark_gids(db, merger.erased_gids)


def next_number(db: Database) -> int:
    """This laptop's count of its case records (1, 2, …): others notice a gap."""
    value = int(db.scalar("SELECT value FROM sync_state WHERE key = 'records_made'") or 0) + 1
    db.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES ('records_made', ?)",
               (str(value),))
    return value


def _rank(entity: str, writes: list[dict]) -> int:
    own = [ORDER[write["t"]] for write in writes if write["g"] == entity]
    return own[0] if own else min(ORDER[write["t"]] for write in writes)


def _new_residents_join_their_case(db: Database, lives: list[_Life], gids: dict,
                                   entities: dict) -> None:
    """A resident made together with their case travels in the case's record (one record
    per new case, and the server sees one entity, not two); made with several cases (a
    store joining a team), in the first one's, which goes out before the others."""
    new_people = {life.gid for life in lives
                  if life.tbl == "persons" and life.info is None and not life.ended}
    if not new_people:
        return
    for life in sorted((life for life in lives if life.tbl == "cases"),
                       key=lambda life: life.row_id):
        if life.info is None and not life.ended:
            person_id = db.scalar("SELECT person_id FROM cases WHERE id = ?", (life.row_id,))
            person_gid = gids.get(("persons", person_id))
            if person_gid in new_people:
                entities[person_gid] = entities[life.gid]
                new_people.discard(person_gid)


def _mark_facts(db: Database, by_entity: dict[str, list[dict]]) -> None:
    """The cases whose statistics facts may have changed (a resident's birth year and a
    landlord's kind count too) are sent to the team's leads at the next sync."""
    from workbench.sync import team_facts
    cases: set[str] = set()
    for entity, writes in by_entity.items():
        tables = {write["t"] for write in writes}
        # (Written as lookups from the one row outwards: as joins, SQLite walked every
        # case's bookkeeping row on each save.)
        for write in writes:
            if write["t"] == "persons":
                cases.update(r[0] for r in db.all(
                    "SELECT gid FROM sync_rows WHERE tbl = 'cases' AND row_id IN (SELECT id "
                    "FROM cases WHERE person_id = (SELECT row_id FROM sync_rows WHERE gid = ? "
                    "AND tbl = 'persons'))", (write["g"],)))
            elif write["t"] == "landlords":
                cases.update(r[0] for r in db.all(
                    "SELECT gid FROM sync_rows WHERE tbl = 'cases' AND row_id IN (SELECT "
                    "case_id FROM tenancies WHERE landlord_id = (SELECT row_id FROM sync_rows "
                    "WHERE gid = ? AND tbl = 'landlords'))", (write["g"],)))
        if tables - {"persons", "landlords", "user_profiles", "settings"}:
            cases.add(entity)
    team_facts.mark_gids(db, cases)


def _lives(db: Database, notes: list) -> list[_Life]:
    current: dict[tuple[str, int], _Life] = {}
    lives: list[_Life] = []
    for tbl, row_id, op, old in notes:
        key = (tbl, row_id)
        life = current.get(key)
        if life is None or (op == "i" and life.ended):
            before = json.loads(old) if op in ("u", "d") else None
            info = rowinfo.by_local(db, tbl, row_id) if before is not None else None
            life = _Life(tbl, row_id, before, info)
            current[key] = life
            lives.append(life)
        if op == "d":
            life.ended = True
    return lives


def _name(db: Database, life: _Life, gids: dict, entities: dict, owners: dict) -> None:
    """The row's global id and the entity it belongs to (parents are named first)."""
    table = BY_NAME[life.tbl]
    values = life.before if life.ended else (
        rowinfo.local_values(db, table, life.row_id) or life.before)
    if values is None:
        return
    parent_gid = None
    if table.parent:
        parent_id = values.get(table.parent)
        parent_table = table.refs[table.parent]
        parent_gid = gids.get((parent_table, parent_id)) or db.scalar(
            "SELECT gid FROM sync_rows WHERE tbl = ? AND row_id = ?", (parent_table, parent_id))
    if life.info is not None:
        gid, entity = life.info.gid, life.info.entity
    else:
        known = None
        gid = natural_gid(table, parent_gid, values, _occurrence(db, table, life, values)) if (
            table.parent is None or parent_gid) else None
        if gid is not None:
            known = rowinfo.load(db, gid)
            if _taken(db, table, gid, known, life, owners):
                # Another row of this store has that key (landlords whose names differ
                # only in case): this one is a row of its own.
                gid, known = None, None
        if gid is None:
            gid = new_gid()
        if known is not None:
            entity = known.entity
        elif table.parent and parent_gid:
            entity = entities.get(parent_gid) or db.scalar(
                "SELECT entity FROM sync_rows WHERE gid = ?", (parent_gid,)) or parent_gid
        else:
            entity = gid
    life.gid = gid
    entities[gid] = entity
    if not life.ended:
        gids[(life.tbl, life.row_id)] = gid
        owners[gid] = (life.tbl, life.row_id)


def _occurrence(db: Database, table: Table, life: _Life, values: dict) -> int:
    if not table.numbered or life.ended:
        return 1
    return 1 + db.scalar(occurrence_sql(table), (
        values[table.parent], *(values[c] for c in table.natural), life.row_id))


def _taken(db: Database, table: Table, gid: str, known: rowinfo.RowInfo | None,
           life: _Life, owners: dict) -> bool:
    """Whether a natural global id already names another live row of this store."""
    if owners.get(gid, (life.tbl, life.row_id)) != (life.tbl, life.row_id):
        return True
    if known is None or known.row_id is None or known.row_id == life.row_id:
        return False
    key = "rowid" if table.key == "rowid" else table.key
    return db.one(f"SELECT 1 FROM {table.name} WHERE {key} = ?", (known.row_id,)) is not None


def _write(db: Database, table: Table, gid: str, entity: str, group: list[_Life],
           op_id: str, gids: dict, old_gids: dict, stamp: tuple[str, str]) -> dict | None:
    """The change of one row over the whole action, or None when it ends as it began."""
    first, last = group[0], group[-1]
    before_local = first.before
    alive = [life for life in group if not life.ended]
    after_id = alive[-1].row_id if alive else None
    info = rowinfo.load(db, gid)
    after = rowinfo.local_values(db, table, after_id) if after_id is not None else None
    del last
    before = (rowinfo.to_travel(db, table, before_local, {**gids, **old_gids})
              if before_local is not None else None)
    now = rowinfo.to_travel(db, table, after, gids) if after is not None else None
    writes: dict[str, list] = {}
    if info is None:
        if now is None:
            return None  # made and deleted within the action
        info = RowInfo(gid, table.name, after_id, entity, op_id)
        rowinfo.save(db, info)
        return {"t": table.name, "g": gid, "e": entity, "c": list(now.values())}
    if now is None:
        if not info.live:
            return None
        writes[DELETED] = [1, info.all_heads()]
        info.tomb = before if before is not None else info.tomb
        info.row_id = None
        _advance(info, DELETED, op_id)
        _settled(db, gid, DELETED)
        rowinfo.save(db, info)
        return {"t": table.name, "g": gid, "e": entity, "w": writes}
    if not info.live:
        # Made again under the same natural key: a restore, then the fields that differ.
        writes[DELETED] = [0, info.heads(DELETED)]
        _advance(info, DELETED, op_id)
        _settled(db, gid, DELETED)
        db.execute("DELETE FROM sync_deletes WHERE gid = ?", (gid,))
        before = info.tomb
        info.tomb = None
    info.row_id = after_id
    for name, value in now.items():
        if before is None or before.get(name) != value:
            typed_over = seen.base(gid, name)
            if typed_over is not None and _crossed(db, table, info, name, typed_over,
                                                   (before or {}).get(name), value, op_id,
                                                   stamp):
                writes[name] = [value, typed_over]
                continue
            writes[name] = [value, info.heads(name)]
            _advance(info, name, op_id)
            _settled(db, gid, name)
    if writes or info.stored != (info.row_id,):
        rowinfo.save(db, info)  # (a case's updated_at alone changes nothing that travels)
    if not writes:
        return None
    return {"t": table.name, "g": gid, "e": entity, "w": writes}


def _crossed(db: Database, table: Table, info: RowInfo, name: str, typed_over: list[str],
             shown: Any, value: Any, op_id: str, stamp: tuple[str, str]) -> bool:
    """A value typed over versions that changes from another laptop have since replaced:
    kept beside them as a conflict, as the merge keeps concurrent writes (see
    ``seen``). False when nothing arrived meanwhile (an ordinary write)."""
    arrived = [head for head in info.heads(name) if head not in typed_over]
    if not arrived:
        return False
    known = {op: json.loads(text) for op, text in db.all(
        "SELECT op, value FROM sync_conflicts WHERE gid = ? AND field = ?", (info.gid, name))}
    values = {head: known.get(head, shown) for head in arrived}
    values[op_id] = value
    info.versions[name] = sorted(values)
    db.execute("DELETE FROM sync_conflicts WHERE gid = ? AND field = ?", (info.gid, name))
    if len({json.dumps(held, sort_keys=True) for held in values.values()}) == 1:
        return True  # the same value typed as arrived: nothing to ask
    at, user = stamp
    for head, held in values.items():
        when, who = (at, user) if head == op_id else db.one(
            "SELECT at, who FROM sync_seen WHERE op_id = ?", (head,)) or ("", "")
        db.execute("INSERT INTO sync_conflicts (gid, field, op, value, at, who, entity) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (info.gid, name, head, json.dumps(held), when, who, info.entity))
    # Until a person chooses, every laptop shows the value of the latest change id: what
    # was just typed, unless the other laptop's clock runs ahead of this one's.
    latest = max(values)
    local = rowinfo.to_local(db, table, {name: values[latest]})
    if latest != op_id and name in local and name not in table.refs:
        key = "rowid" if table.key == "rowid" else table.key
        set_capture(db, False)
        db.execute(f"UPDATE {table.name} SET {name} = ? WHERE {key} = ?",
                   (local[name], info.row_id))
        set_capture(db, True)
    return True


def _settled(db: Database, gid: str, name: str) -> None:
    """A write standing on every head of a field (its pseudo field ``_deleted`` too)
    settles the field's conflict, here as everywhere it arrives."""
    db.execute("DELETE FROM sync_conflicts WHERE gid = ? AND field = ?", (gid, name))


def _advance(info: RowInfo, name: str, op_id: str) -> None:
    """This device's own write stands on every head it saw: it is now the only head."""
    info.versions[name] = [op_id]


def _record_delete(db: Database, gid: str, op_id: str, base: list[str]) -> None:
    db.execute("INSERT OR REPLACE INTO sync_deletes (gid, op, base) VALUES (?, ?, ?)",
               (gid, op_id, json.dumps(base)))


def snapshot(db: Database, *, device: str, user: str) -> int:
    """Give every row already in the store a global id and one change record per case,
    so a store that worked alone can join a team (or start one). Returns the records made.
    """
    set_capture(db, True)
    for table in TABLES:
        key = "rowid" if table.key == "rowid" else table.key
        only = f"AND {table.only.replace('ROW.', '')}" if table.only else ""
        db.execute(
            f"INSERT INTO sync_dirty (tbl, row_id, op, old) SELECT '{table.name}', {key}, 'i', "
            f"NULL FROM {table.name} WHERE {key} NOT IN "
            f"(SELECT row_id FROM sync_rows WHERE tbl = '{table.name}' "
            f"AND row_id IS NOT NULL) {only}")
    return len(capture(db, device=device, user=user, action="sync.snapshot"))
