"""The tamper-evident audit log: one row per user action, chained by SHA-256.

A row records who did what to which record, and when; never personal data, so erasing a
case leaves its audit trail intact and harmless. Triggers refuse UPDATE and DELETE; a row
changed behind the program's back (with the raw key) breaks the chain, which ``check``
reports.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from workbench.store.database import Database

GENESIS = bytes(32)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: int | None


def _digest(prev_hash: bytes, at: str, actor: str, action: str, entity: str,
            entity_id: int | None) -> bytes:
    fields = "\x1f".join([at, actor, action, entity, "" if entity_id is None else str(entity_id)])
    return hashlib.sha256(prev_hash + fields.encode("utf-8")).digest()


def append(db: Database, actor: str, action: str, entity: str,
           entity_id: int | None = None) -> None:
    """Add a row; call inside the transaction of the action it records."""
    last = db.one("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
    prev_hash = bytes(last[0]) if last else GENESIS
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    digest = _digest(prev_hash, at, actor, action, entity, entity_id)
    db.execute("INSERT INTO audit_log (at, actor, action, entity, entity_id, prev_hash, hash) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)",
               (at, actor, action, entity, entity_id, prev_hash, digest))


def verify(db: Database) -> list[int]:
    """The ids of rows whose hash or link does not match; empty when the chain is whole."""
    broken: list[int] = []
    expected_prev = GENESIS
    for row in db.execute("SELECT id, at, actor, action, entity, entity_id, prev_hash, hash "
                          "FROM audit_log ORDER BY id"):
        prev_hash, stored = bytes(row["prev_hash"]), bytes(row["hash"])
        recomputed = _digest(prev_hash, row["at"], row["actor"], row["action"], row["entity"],
                             row["entity_id"])
        if prev_hash != expected_prev or recomputed != stored:
            broken.append(row["id"])
        expected_prev = stored
    return broken


def entries(db: Database, limit: int = 100) -> list[AuditEntry]:
    rows = db.all("SELECT id, at, actor, action, entity, entity_id FROM audit_log "
                  "ORDER BY id DESC LIMIT ?", (limit,))
    return [AuditEntry(*row) for row in rows]
