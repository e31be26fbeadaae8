"""Conflicts a person must settle: the same field changed on two laptops, or a delete that
crossed an edit. Listing them, and settling one with a change that stands on every value
(so it settles the conflict on every laptop it reaches)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from workbench.errors import ValidationError
from workbench.i18n import N_
from workbench.store.database import Database
from workbench.sync import rows as rowinfo
from workbench.sync.capture import CASE_CHANNEL
from workbench.sync.merge import _REFERRERS, Merger
from workbench.sync.rows import RECORD_VERSION, new_op_id
from workbench.sync.tables import BY_NAME, DELETED


@dataclass(frozen=True)
class Value:
    number: int  # 1, 2, … as listed
    op: str
    value: Any
    at: str
    who: str
    device: str
    mine: bool  # made on this laptop


@dataclass(frozen=True)
class Conflict:
    id: str  # "<gid>/<field>", what `conflicts resolve` takes
    gid: str
    table: str
    field: str
    case_id: int | None  # the local case it belongs to (None: a landlord, a person)
    values: tuple[Value, ...]

    @property
    def is_delete(self) -> bool:
        return self.field == DELETED


def list_conflicts(db: Database, case_id: int | None = None) -> list[Conflict]:
    """The open questions, of the case ``case_id`` or of all. A row that is gone asks none:
    its delete had seen every value (else the row would have been kept), so the values
    stay stored only for a restore, which brings the question back."""
    device = db.scalar("SELECT value FROM sync_state WHERE key = 'device_id'") or ""
    where, params = "WHERE r.row_id IS NOT NULL", ()
    if case_id is not None:
        entity = db.scalar("SELECT gid FROM sync_rows WHERE tbl = 'cases' AND row_id = ?",
                           (case_id,))
        where, params = where + " AND c.entity = ?", (entity,)
    grouped: dict[tuple[str, str], list] = {}
    for row in db.all(
            "SELECT c.gid, c.field, c.op, c.value, s.at, s.who, s.dev, r.tbl, r.entity "
            "FROM sync_conflicts c JOIN sync_rows r ON r.gid = c.gid "
            "LEFT JOIN sync_seen s ON s.op_id = c.op " + where +
            " ORDER BY c.gid, c.field, c.op", params):
        grouped.setdefault((row[0], row[1]), []).append(row)
    found = []
    for (gid, field), items in grouped.items():
        values = tuple(Value(n, r[2], json.loads(r[3]), r[4] or "", r[5] or "", r[6] or "",
                             (r[6] or "") == device) for n, r in enumerate(items, 1))
        entity = items[0][8]
        local_case = db.scalar("SELECT row_id FROM sync_rows WHERE gid = ? AND tbl = 'cases'",
                               (entity,))
        found.append(Conflict(f"{gid}/{field}", gid, items[0][7], field, local_case, values))
    return found


# Local ids of the cases with an open question: from the (few) conflicts to their cases by
# global id, never through every case's bookkeeping row (the status bar asks after every
# sync). CROSS JOIN keeps SQLite to that order: left to itself it scanned the rows (3 s
# with 20,000 of them).
CASES_WITH_CONFLICTS = (
    "SELECT r.row_id FROM sync_conflicts k "
    "CROSS JOIN sync_rows x ON x.gid = k.gid AND x.row_id IS NOT NULL "
    "CROSS JOIN sync_rows r ON r.gid = x.entity WHERE r.tbl = 'cases' "
    "AND r.row_id IS NOT NULL")


def cases_with_conflicts(db: Database) -> set[int]:
    return {row[0] for row in db.all(CASES_WITH_CONFLICTS)}


def resolve(session, conflict_id: str, keep: str = "", typed: str | None = None) -> Conflict:
    """Settle one conflict. ``keep`` is ``mine``, ``theirs`` or the number of a listed
    value; for a delete that crossed an edit, the value 1 deletes and 0 restores. Or
    ``typed``: a third value, for free-text fields (see ``conflict_view.TYPED``)."""
    db = session.db
    found = {c.id: c for c in list_conflicts(db)}
    conflict = found.get(conflict_id)
    if conflict is None:
        raise ValidationError(N_("There is no conflict {id}."), id=conflict_id)
    if typed is not None:
        from workbench.sync.conflict_view import check_typed
        chosen = Value(0, "", check_typed(conflict, typed), "", session.user.name, "", True)
    else:
        chosen = _choose(conflict, keep)
    info = rowinfo.load(db, conflict.gid)
    heads = info.all_heads() if conflict.is_delete else info.heads(conflict.field)
    op = new_op_id()
    rows = [{"t": conflict.table, "g": conflict.gid, "e": info.entity,
             "w": {conflict.field: [chosen.value, heads]}}]
    if conflict.is_delete and chosen.value == 1:
        rows = _delete_with_dependants(db, info) or rows
    elif conflict.is_delete:
        rows[0]["w"] = {DELETED: [0, info.heads(DELETED)]}
    entity_case = conflict.case_id
    with session.action("conflict.resolve", "case" if entity_case else "sync", entity_case):
        from workbench.sync import capture
        record = {"v": RECORD_VERSION, "id": op, "dev": session.sync_device or "",
                  "who": session.user.name,
                  "at": datetime.now(UTC).isoformat(timespec="seconds"),
                  "act": "conflict.resolve", "n": capture.next_number(db), "rows": rows}
        capture.set_capture(db, False)
        merger = Merger(db)
        merger.apply(record, local=True)
        # The leads' figures follow the choice (a case of its own now, on this laptop).
        from workbench.sync import team_facts
        chosen_cases = {gid for (gid,) in db.all(
            "SELECT gid FROM sync_rows WHERE tbl = 'cases' AND gid = ?", (info.entity,))}
        team_facts.mark_gids(db, chosen_cases | merger.erased_gids)
        db.execute("INSERT INTO sync_outbox (op_id, channel, entity, payload) "
                   "VALUES (?, ?, ?, ?)", (op, CASE_CHANNEL, info.entity,
                                           json.dumps(record, separators=(",", ":"))))
        db.execute("DELETE FROM sync_dirty")
        capture.set_capture(db, True)
        if entity_case is not None:
            from workbench.cases import queries
            queries.reindex(db, entity_case)  # or removes the entry of a case now deleted
    return conflict


def _choose(conflict: Conflict, keep: str) -> Value:
    if keep.isdigit():
        for value in conflict.values:
            if value.number == int(keep):
                return value
        raise ValidationError(N_("Conflict {id} has no value {number}."), id=conflict.id,
                              number=keep)
    if conflict.is_delete and keep in ("delete", "restore"):
        wanted = 1 if keep == "delete" else 0
        return next(v for v in conflict.values if v.value == wanted)
    if keep in ("mine", "theirs"):
        group = [v for v in conflict.values if v.mine == (keep == "mine")]
        if group and len({json.dumps(v.value, sort_keys=True) for v in group}) == 1:
            return group[0]
        raise ValidationError(N_("Choose one of the listed values by its number."))
    raise ValidationError(N_("Keep “mine”, “theirs” or the number of a listed value."))


def _delete_with_dependants(db: Database, info) -> list[dict]:
    """Deleting a row kept for a crossing edit deletes what was added to it too."""
    rows: list[dict] = []
    seen: set[str] = set()

    def visit(current) -> None:
        if current.gid in seen or current.row_id is None:
            return
        seen.add(current.gid)
        for child, column in _REFERRERS.get(current.tbl, []):
            for (gid,) in db.all(
                    f"SELECT s.gid FROM {child} c JOIN sync_rows s ON s.tbl = ? "
                    f"AND s.row_id = c.rowid WHERE c.{column} = ?", (child, current.row_id)):
                visit(rowinfo.load(db, gid))
        rows.append({"t": current.tbl, "g": current.gid, "e": current.entity,
                     "w": {DELETED: [1, current.all_heads()]}})

    visit(info)
    assert all(r["t"] in BY_NAME for r in rows)
    return rows
