"""Every laptop's signed audit chain travels to the others, so ``check`` on any laptop can
verify every device's chain: continuous ids, each row's hash over the one before, and each
row signed by its user's key (the keys come with the rows, in a record the device signs).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from workbench.i18n import _
from workbench.store import audit
from workbench.store.crypto import b64, unb64, verify_signature
from workbench.store.database import Database
from workbench.sync import state
from workbench.sync.rows import RECORD_VERSION, new_op_id

CHANNEL = "audit"
BATCH = 2000


def collect(session) -> int:
    """Put the audit rows written since the last sync in the outbox; returns how many."""
    db = session.db
    device = session.sync_device
    if device is None:
        return 0
    sent = int(state.get(db, "audit_sent") or 0)
    rows = db.all("SELECT id, at, actor, action, entity, entity_id, prev_hash, hash, key_id, "
                  "signature FROM audit_log WHERE id > ? ORDER BY id LIMIT ?", (sent, BATCH))
    if not rows:
        return 0
    keys = {key_id: [who, b64(public)] for key_id, (who, public) in
            session.access.chain.signing_keys().items()}
    record = {"v": RECORD_VERSION, "id": new_op_id(), "dev": device,
              "at": datetime.now(UTC).isoformat(timespec="seconds"), "keys": keys,
              "audit": [[r[0], r[1], r[2], r[3], r[4], r[5], bytes(r[6]).hex(),
                         bytes(r[7]).hex(), r[8], bytes(r[9]).hex() if r[9] else None]
                        for r in rows]}
    with db.transaction():
        db.execute("INSERT INTO sync_outbox (op_id, channel, entity, payload) "
                   "VALUES (?, ?, ?, ?)", (record["id"], CHANNEL, f"audit.{device}",
                                           json.dumps(record, separators=(",", ":"))))
        state.put(db, "audit_sent", str(rows[-1][0]))
    return len(rows)


def store(db: Database, device_id: str, record: dict) -> None:
    keys = record.get("keys", {})
    for row in record.get("audit", []):
        db.execute("INSERT OR IGNORE INTO sync_audit (device_id, id, row) VALUES (?, ?, ?)",
                   (device_id, int(row[0]), json.dumps({"row": row, "keys": keys})))


def verify(db: Database) -> list[str]:
    """Problems with other devices' chains, one translated line each."""
    problems: list[str] = []
    names = dict(db.all("SELECT device_id, name FROM sync_devices"))
    for (device_id,) in db.all("SELECT DISTINCT device_id FROM sync_audit ORDER BY 1"):
        name = names.get(device_id, device_id)
        expected_id, expected_prev = 1, audit.GENESIS
        for (text,) in db.all("SELECT row FROM sync_audit WHERE device_id = ? ORDER BY id",
                              (device_id,)):
            data = json.loads(text)
            (row_id, at, actor, action, entity, entity_id, prev_hex, hash_hex, key_id,
             signature) = data["row"]
            if row_id != expected_id:
                problems.append(_("audit log of device {device}: rows {first} to {last} are "
                                  "missing").format(device=name, first=expected_id,
                                                    last=row_id - 1))
            prev_hash, stored = bytes.fromhex(prev_hex), bytes.fromhex(hash_hex)
            digest = audit._digest(prev_hash, at, actor, action, entity, entity_id, key_id)
            if digest != stored or (row_id == expected_id and prev_hash != expected_prev):
                problems.append(_("audit log of device {device}: row {id} does not match the "
                                  "chain").format(device=name, id=row_id))
            elif key_id is not None:
                known = data["keys"].get(key_id)
                if (known is None or known[0] != actor or signature is None
                        or not verify_signature(unb64(known[1]), bytes.fromhex(signature),
                                                stored)):
                    problems.append(_("audit log of device {device}: row {id} is not signed "
                                      "by {user}").format(device=name, id=row_id, user=actor))
            expected_id, expected_prev = row_id + 1, stored
    return problems
