"""Switching a store into team sync, and what it remembers between syncs."""

from __future__ import annotations

from workbench.store.database import Database
from workbench.sync import snapshot


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
        made = snapshot.snapshot(db, device=device_id, user=session.user.name)
    session.sync_device = device_id
    return made


def cursor(db: Database) -> int:
    value = get(db, "cursor")
    return int(value) if value else 0


def waiting(db: Database) -> int:
    """Change records made here and not yet on the server."""
    return db.scalar("SELECT count(*) FROM sync_outbox") or 0


# --- this laptop's place in the team -------------------------------------------------------

class NotInTeam(Exception):
    """This store does not take part in team sync."""


_CONFIG_KEYS = ("team_id", "device_id", "device_name", "conninfo", "password", "root_sign",
                "box_private", "sign_private")


def save_config(db: Database, **values: str) -> None:
    for key, value in values.items():
        if key not in _CONFIG_KEYS:
            raise KeyError(key)
        put(db, key, value)


def config(db: Database) -> dict[str, str]:
    found = dict(db.all(f"SELECT key, value FROM sync_state WHERE key IN "
                        f"({', '.join('?' for _ in _CONFIG_KEYS)})", _CONFIG_KEYS))
    if not found.get("team_id") or not found.get("conninfo"):
        raise NotInTeam()
    return found


def in_team(db: Database) -> bool:
    return bool(get(db, "team_id"))


def device_keys(db: Database):
    from workbench.store.crypto import KeyPairs
    values = config(db)
    return KeyPairs(bytearray.fromhex(values["box_private"]),
                    bytearray.fromhex(values["sign_private"]))


def team_keys(db: Database, channel: str) -> dict[int, bytes]:
    return {epoch: bytes(key) for epoch, key in db.all(
        "SELECT epoch, key FROM sync_keys WHERE channel = ? ORDER BY epoch", (channel,))}


def removals(db: Database) -> dict[str, dict]:
    """Devices an administrator removed, as signed into key envelopes: device id ->
    {"epoch": {channel: first epoch it does not hold}, "last_seq": its last change}."""
    import json
    value = get(db, "removals")
    return json.loads(value) if value else {}


def add_removals(db: Database, found: dict[str, dict]) -> None:
    import json
    known = removals(db)
    for device, entry in found.items():
        if device not in known:
            known[device] = entry
    put(db, "removals", json.dumps(known, sort_keys=True))
