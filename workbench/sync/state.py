"""Switching a store into team sync, and what it remembers between syncs."""

from __future__ import annotations

from workbench.store.database import Database
from workbench.sync import capture


def get(db: Database, key: str) -> str | None:
    return db.scalar("SELECT value FROM sync_state WHERE key = ?", (key,))


def put(db: Database, key: str, value: str) -> None:
    db.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)", (key, value))


def enable(session, device_id: str) -> int:
    """From now on every action of this store writes change records; every row already
    here gets its global id and goes out in the first sync. Returns the records made."""
    db = session.db
    with session.action("sync.enable", "sync"):
        put(db, "device_id", device_id)
        made = capture.snapshot(db, device=device_id, user=session.user.name)
    session.sync_device = device_id
    return made


def cursor(db: Database) -> int:
    value = get(db, "cursor")
    return int(value) if value else 0


def waiting(db: Database) -> int:
    """Change records made here and not yet on the server."""
    return db.scalar("SELECT count(*) FROM sync_outbox") or 0
