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
         recipient_box: bytes, signer_id: str, signer_keys: KeyPairs) -> bytes:
    envelope = seal_to(recipient_box, key, _aad(team, recipient_id, channel, epoch))
    signature = signer_keys.sign(canonical({"envelope": envelope, "channel": channel,
                                            "epoch": epoch, "to": recipient_id}))
    return canonical({"env": envelope, "by": signer_id, "sig": b64(signature)})


def unwrap(sealed: bytes, *, team: str, channel: str, epoch: int, device_id: str,
           device_keys: KeyPairs, certificates: dict[str, bytes],
           root_sign_public: bytes) -> bytes:
    """The team key in an envelope, after checking an administrator's device signed it."""
    data = json.loads(bytes(sealed))
    signer = trust.verify(certificates, data["by"], team=team,
                          root_sign_public=root_sign_public)
    if signer.role != "admin":
        raise trust.TrustProblem("envelope not from an administrator's device")
    from workbench.store.crypto import verify_signature
    message = canonical({"envelope": data["env"], "channel": channel, "epoch": epoch,
                         "to": device_id})
    if not verify_signature(signer.sign_public, unb64(data["sig"]), message):
        raise trust.TrustProblem("envelope signature does not hold")
    return bytes(open_sealed(device_keys, data["env"], _aad(team, device_id, channel, epoch)))


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
