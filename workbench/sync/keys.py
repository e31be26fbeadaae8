"""Team keys and their envelopes.

Each channel ('case' for advisors' and administrators' devices, 'facts' for everybody) has
a key per epoch. An administrator's device wraps each key to each device's X25519 key and
signs the envelope, so a laptop accepts a team key only from an administrator the team's
certificates vouch for — the server cannot slip in a key of its own choosing. Removing a
device starts a new epoch wrapped to the remaining devices only; records under older
epochs stay readable to them.
"""

from __future__ import annotations

import json
import os

from workbench.store.crypto import KeyPairs, b64, canonical, open_sealed, seal_to, unb64
from workbench.store.database import Database
from workbench.sync import trust

CHANNELS = ("case", "facts")


def channels_for(role: str) -> tuple[str, ...]:
    """A project lead's device gets the statistics key only."""
    return ("facts",) if role == "lead" else CHANNELS


def new_key() -> bytes:
    return os.urandom(32)


def _aad(team: str, device_id: str, channel: str, epoch: int) -> bytes:
    return canonical({"team": team, "device": device_id, "channel": channel, "epoch": epoch})


def wrap(*, team: str, channel: str, epoch: int, key: bytes, recipient_id: str,
         recipient_box: bytes, signer_id: str, signer_keys: KeyPairs,
         removed: dict | None = None) -> bytes:
    """An envelope, signed with the signer's statement of every device removed so far
    (laptops learn removals from administrators, not from the server)."""
    envelope = seal_to(recipient_box, key, _aad(team, recipient_id, channel, epoch))
    removed = removed or {}
    signature = signer_keys.sign(canonical({"envelope": envelope, "channel": channel,
                                            "epoch": epoch, "to": recipient_id,
                                            "removed": removed}))
    return canonical({"env": envelope, "by": signer_id, "sig": b64(signature),
                      "removed": removed})


def unwrap(sealed: bytes, *, team: str, channel: str, epoch: int, device_id: str,
           device_keys: KeyPairs, certificates: dict[str, bytes],
           root_sign_public: bytes, removed: dict | None = None) -> tuple[bytes, dict]:
    """The team key in an envelope and the removals its signer stated, after checking an
    administrator's device signed it (and was not removed before this epoch)."""
    try:
        data = json.loads(bytes(sealed))
        by, signature, statement = data["by"], unb64(data["sig"]), data.get("removed", {})
    except (ValueError, KeyError, TypeError) as error:
        raise trust.TrustProblem("unreadable envelope") from error
    signer = trust.verify(certificates, by, team=team, root_sign_public=root_sign_public,
                          removed=removed)
    if signer.role != "admin":
        raise trust.TrustProblem("envelope not from an administrator's device")
    gone = (removed or {}).get(by)
    if gone is not None and epoch >= gone["epoch"].get(channel, 0):
        raise trust.TrustProblem("envelope from a removed device")
    from workbench.store.crypto import verify_signature
    message = canonical({"envelope": data["env"], "channel": channel, "epoch": epoch,
                         "to": device_id, "removed": statement})
    if not isinstance(statement, dict) or not verify_signature(signer.sign_public, signature,
                                                               message):
        raise trust.TrustProblem("envelope signature does not hold")
    key = bytes(open_sealed(device_keys, data["env"], _aad(team, device_id, channel, epoch)))
    return key, statement


def store(db: Database, channel: str, epoch: int, key: bytes) -> None:
    db.execute("INSERT OR REPLACE INTO sync_keys (channel, epoch, key) VALUES (?, ?, ?)",
               (channel, epoch, key))


def current(db: Database, channel: str) -> tuple[int, bytes] | None:
    row = db.one("SELECT epoch, key FROM sync_keys WHERE channel = ? ORDER BY epoch DESC "
                 "LIMIT 1", (channel,))
    return (row[0], bytes(row[1])) if row else None


def get(db: Database, channel: str, epoch: int) -> bytes | None:
    value = db.scalar("SELECT key FROM sync_keys WHERE channel = ? AND epoch = ?",
                      (channel, epoch))
    return bytes(value) if value is not None else None

