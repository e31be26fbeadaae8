"""The tamper-evident audit log: one row per user action, chained by SHA-256 and signed.

A row records who did what to which record, and when; never personal data, so erasing a
case leaves its audit trail intact and harmless. Each row's hash covers the previous row's
hash and its own fields; since the store has per-user keys, each row is also signed with
the acting user's Ed25519 key, so nobody — not even another holder of the database key —
can rewrite a row or append one in another user's name and recompute the chain.
Triggers refuse UPDATE and DELETE; ``verify`` reports rows whose chain or signature does not
hold, gaps in the ids and missing triggers. Cutting rows off the end is caught by the heads
each user signs (``heads.py``).

The case store keeps its chain in ``audit_log``; the statistics facts store in
``fact_audit`` (a project lead's exports are recorded there).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from workbench.i18n import N_, _
from workbench.store.crypto import KeyPairs, verify_signature
from workbench.store.database import Database

GENESIS = bytes(32)
CASE_CHAIN = "audit_log"
FACTS_CHAIN = "fact_audit"


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: int | None


@dataclass(frozen=True)
class Signer:
    """Who signs the rows: the acting user's name, key id and private keys."""

    name: str
    key_id: str
    keys: KeyPairs


def _digest(prev_hash: bytes, at: str, actor: str, action: str, entity: str,
            entity_id: int | None, key_id: str | None) -> bytes:
    parts = [at, actor, action, entity, "" if entity_id is None else str(entity_id)]
    if key_id is not None:  # rows written before signing (release 0.1) have no key id
        parts.append(key_id)
    return hashlib.sha256(prev_hash + "\x1f".join(parts).encode("utf-8")).digest()


def head(db: Database, table: str = CASE_CHAIN) -> tuple[int, bytes]:
    """The id and hash of the last row (0 and the genesis hash when empty)."""
    last = db.one(f"SELECT id, hash FROM {table} ORDER BY id DESC LIMIT 1")
    return (last[0], bytes(last[1])) if last else (0, GENESIS)


def append(db: Database, signer: Signer, action: str, entity: str,
           entity_id: int | None = None, table: str = CASE_CHAIN) -> tuple[int, bytes]:
    """Add a signed row; call inside the transaction of the action it records."""
    last_id, prev_hash = head(db, table)
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    digest = _digest(prev_hash, at, signer.name, action, entity, entity_id, signer.key_id)
    signature = signer.keys.sign(digest)
    db.execute(f"INSERT INTO {table} (id, at, actor, action, entity, entity_id, prev_hash, "
               "hash, key_id, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (last_id + 1, at, signer.name, action, entity, entity_id, prev_hash, digest,
                signer.key_id, signature))
    return last_id + 1, digest


def verify(db: Database, signing_keys: dict[str, tuple[str, bytes]], signed_from: int = 1,
           table: str = CASE_CHAIN) -> list[str]:
    """Every problem with the chain, one translated line each; empty when it is whole.

    ``signing_keys`` maps a key id to (user name, public key), from every roster entry;
    rows from ``signed_from`` on must be signed by their actor's key.
    """
    problems: list[str] = []
    for trigger in (f"{table}_no_update", f"{table}_no_delete"):
        if not trigger_exists(db, trigger):
            problems.append(_("audit log: the safeguard {name} that keeps it append-only "
                              "was removed").format(name=trigger))
    expected_prev, expected_id = GENESIS, 1
    for row in db.execute(f"SELECT id, at, actor, action, entity, entity_id, prev_hash, hash, "
                          f"key_id, signature FROM {table} ORDER BY id"):
        row_id = row["id"]
        if row_id == expected_id + 1:
            problems.append(_("audit log: row {id} is missing").format(id=expected_id))
        elif row_id != expected_id:
            problems.append(_("audit log: rows {first} to {last} are missing").format(
                first=expected_id, last=row_id - 1))
        expected_id = row_id + 1
        prev_hash, stored, key_id = bytes(row["prev_hash"]), bytes(row["hash"]), row["key_id"]
        recomputed = _digest(prev_hash, row["at"], row["actor"], row["action"], row["entity"],
                             row["entity_id"], key_id)
        if prev_hash != expected_prev or recomputed != stored:
            problems.append(_("audit log: row {id} does not match the chain").format(id=row_id))
        elif row_id >= signed_from or key_id is not None:
            known = signing_keys.get(key_id or "")
            if (known is None or known[0] != row["actor"] or row["signature"] is None
                    or not verify_signature(known[1], bytes(row["signature"]), stored)):
                problems.append(_("audit log: row {id} is not signed by {user}").format(
                    id=row_id, user=row["actor"]))
        expected_prev = stored
    return problems


def trigger_exists(db: Database, name: str) -> bool:
    """Whether a trigger is there, in the main database or an attached one."""
    schemas = [row[1] for row in db.all("PRAGMA database_list")]
    return any(db.one(f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'trigger' AND "
                      "name = ?", (name,)) for schema in schemas)


def entries(db: Database, limit: int = 100, table: str = CASE_CHAIN) -> list[AuditEntry]:
    rows = db.all(f"SELECT id, at, actor, action, entity, entity_id FROM {table} "
                  "ORDER BY id DESC LIMIT ?", (limit,))
    return [AuditEntry(*row) for row in rows]


def hash_at(db: Database, row_id: int, table: str = CASE_CHAIN) -> bytes | None:
    row = db.one(f"SELECT hash FROM {table} WHERE id = ?", (row_id,))
    return bytes(row[0]) if row else None


CHAIN_PROBLEM = N_("the audit log no longer holds the last action {user} signed (row {id}): "
                   "it was cut or rewritten")
